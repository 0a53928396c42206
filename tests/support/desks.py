"""The editor's desk served for a test: on a free port of 127.0.0.1, in a thread."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from gardarika.desk.server import Desk, make_desk_server
from gardarika.preview.serve import PreviewServer


@contextlib.contextmanager
def serving(app: Desk) -> Iterator[PreviewServer]:
    """``app``'s server, answering until the block ends."""
    server = make_desk_server(app, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
