"""A local preview server for ``output/`` (``invoke serve``).

It binds to 127.0.0.1 by default, so a preview is not published to the local network,
and serves only files below ``output/``.
"""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves one folder; logs only failed requests (a preview is not an access log)."""

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
