"""A local preview server for ``output/`` (``invoke serve``).

It binds to 127.0.0.1 by default, so a preview is not published to the local network,
and serves only files below ``output/``: no ``..`` in any spelling, and no symbolic link
leading out of it.
"""

from __future__ import annotations

import functools
import os
import re
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from .confine import really_inside

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves one folder; logs only failed requests (a preview is not an access log).

    Only files really inside the folder are served: ``..`` in any spelling is dropped by
    the standard handler, and what it would then serve (the file, or a folder's
    ``index.html``) must not lead outside through a symbolic link; NUL and other control
    characters are refused. Anything else is "404 not found".
    """

    def serves(self, request_path: str) -> bool:
        """Whether ``request_path`` (as requested) may be answered from the folder."""
        path = self.translate_path(request_path)
        if _CONTROL.search(path) or _CONTROL.search(unquote(request_path)):
            return False
        candidates = [path]
        if os.path.isdir(path):
            candidates += [os.path.join(path, name) for name in ("index.html", "index.htm")]
        return all(really_inside(candidate, self.directory)
                   for candidate in candidates if os.path.lexists(candidate))

    def send_head(self):
        if not self.serves(self.path):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        return super().send_head()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code).startswith(("4", "5")):
            super().log_request(code, size)


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8000
                ) -> ThreadingHTTPServer:
    handler = functools.partial(QuietHandler, directory=str(Path(directory).resolve()))
    return ThreadingHTTPServer((host, port), handler)


def serve(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    server = make_server(directory, host, port)
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Serving {directory} at http://{shown_host}:{server.server_address[1]}/index.html "
          "(Ctrl+C to stop) / Просмотр: откройте адрес выше (Ctrl+C — остановить)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
