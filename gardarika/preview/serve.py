"""A local preview server for ``output/`` (``invoke serve``).

It binds to 127.0.0.1 by default, so a preview is not published to the local network,
and serves only files below ``output/``: no ``..`` in any spelling, and no symbolic link
leading out of it.

It answers only requests whose ``Host`` names this computer's loopback: with DNS
rebinding, a web page the maintainer visits (``http://evil.example``) can have its
name lead to 127.0.0.1 a moment later and read whatever the preview answers to it;
such requests still name ``evil.example``, so they get "421 Misdirected Request" and a
short explanation instead of any page, listing or status (see :func:`host_refusal`).
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import socket
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from gardarika.fs.confine import really_inside

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# The names under which a browser reaches this computer's loopback, exactly as browsers
# write them in ``Host`` (lower case; any port). Not accepted, on purpose: ``*.localhost``
# and ``localhost.`` (browsers map them to loopback too, but the preview never prints
# them and a plain rule is easier to trust), other loopback addresses (127.0.0.2) and
# other spellings of these (``127.1``, ``[0:0:0:0:0:0:0:1]``), which no browser sends.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})

# ``uri-host [":" port]`` (RFC 9110, section 7.2) as browsers send it: a name or IPv4
# address in ASCII letters, digits, dots and hyphens, or an IPv6 address in brackets.
# No user information (``user@``), no percent-encoding, no spaces, no second port.
_HOST = re.compile(
    r"(?P<name>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?", re.ASCII
)


def host_name(value: str) -> str | None:
    """The lower-case name (an address in brackets for IPv6) in a ``Host`` header value,
    or None when the value is not a valid ``host[:port]``."""
    match = _HOST.fullmatch(value.strip(" \t"))
    if match is None:
        return None
    port = match.group("port")
    if port is not None and not 0 < int(port) <= 65535:
        return None
    return match.group("name").lower()


def _address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address a ``Host`` name writes (``[…]`` for IPv6), or None for a DNS name."""
    try:
        if name.startswith("["):
            return ipaddress.IPv6Address(name[1:-1])
        return ipaddress.IPv4Address(name)
    except ValueError:
        return None


def host_refusal(values: list[str], bound: str, bound_name: str = "") -> HTTPStatus | None:
    """Why a request carrying these ``Host`` header values is refused; None: answer it.

    ``bound`` is the address the server listens on, ``bound_name`` the host the maintainer
    asked for (``--host``), when it was a name. Answered: exactly one ``Host`` naming
    127.0.0.1, localhost or [::1], with any port (an SSH tunnel or a forwarded port
    changes it; the name is what matters against DNS rebinding). A preview the maintainer
    bound elsewhere also answers to that address (or the name given), and one bound to
    every interface (0.0.0.0, ::) to any IP address written as digits: such a ``Host``
    came from an address typed as digits, which no DNS answer can rebind. Other DNS
    names are never answered.

    A missing, repeated or malformed ``Host`` is "400 Bad Request" (RFC 9112, section
    3.2); a valid one naming anything else is "421 Misdirected Request".
    """
    if len(values) != 1:
        return HTTPStatus.BAD_REQUEST
    name = host_name(values[0])
    if name is None:
        return HTTPStatus.BAD_REQUEST
    if name in LOOPBACK_NAMES or (bound_name and name == bound_name.lower()):
        return None
    address, listening = _address(name), _address(f"[{bound}]" if ":" in bound else bound)
    if (
        address is not None
        and listening is not None
        and (listening.is_unspecified or address == listening)
    ):
        return None
    return HTTPStatus.MISDIRECTED_REQUEST


def preview_address(bound: str, port: int) -> str:
    """Where the preview answers, for people: ``http://127.0.0.1:8000/``."""
    if bound in ("", "0.0.0.0", "::"):
        return f"http://127.0.0.1:{port}/"
    return f"http://[{bound}]:{port}/" if ":" in bound else f"http://{bound}:{port}/"


class HostCheckedHandler(BaseHTTPRequestHandler):
    """Refuses, before any method runs, every request not meant for this computer.

    The check sits in :meth:`parse_request`, which every request passes through, so
    it covers every method (GET, HEAD, and those the server does not support) and
    every path of every subclass, the live preview's status included. A request
    whose target is not a path (``GET http://evil.example/ HTTP/1.1``, meant for
    a proxy, or ``*``) is refused too: its authority would otherwise stand for the
    ``Host``.
    """

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        values = self.headers.get_all("Host") or []
        refusal = host_refusal(
            values, self.server.server_address[0], getattr(self.server, "requested_host", "")
        )
        if refusal is None and not self.path.startswith("/"):
            refusal = HTTPStatus.BAD_REQUEST
        if refusal is None:
            return True
        self._refuse(refusal)
        return False

    def _refuse(self, status: HTTPStatus) -> None:
        bound, port = self.server.server_address[:2]
        where = preview_address(bound, port)
        if bound in ("", "0.0.0.0", "::"):
            where_en = f"{where} (or this computer's IP address)"
            where_ru = f"{where} (или по IP-адресу этого компьютера)"
        elif bound == "127.0.0.1":
            where_en = f"{where} (or http://localhost:{port}/)"
            where_ru = f"{where} (или http://localhost:{port}/)"
        else:
            where_en = where_ru = where
        body = (
            f"{status.value} {status.phrase}: this preview answers only at {where_en}, "
            "not at the address this request names. Nothing is shown.\n"
            f"Этот просмотр отвечает только по адресу {where_ru}, а не по адресу "
            "из этого запроса. Ничего не показано.\n"
        ).encode()
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class QuietHandler(HostCheckedHandler, SimpleHTTPRequestHandler):
    """Serves one folder; logs only failed requests (a preview is not an access log).

    Only requests naming this computer are answered (:class:`HostCheckedHandler`). Only
    files really inside the folder are served: ``..`` in any spelling is dropped by
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
        return all(
            really_inside(candidate, self.directory)
            for candidate in candidates
            if os.path.lexists(candidate)
        )

    def send_head(self):
        if not self.serves(self.path):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        return super().send_head()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code).startswith(("4", "5")):
            super().log_request(code, size)


class PreviewServer(ThreadingHTTPServer):
    """A threading HTTP server that remembers the host it was asked to listen on (a name
    given with ``--host`` is accepted in ``Host``) and can listen on IPv6 (``::1``)."""

    def __init__(
        self, host: str, port: int, handler: Callable[..., BaseHTTPRequestHandler]
    ) -> None:
        self.requested_host = host
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), handler)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:8000/``: the address the preview answers at."""
        return preview_address(*self.server_address[:2])


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    handler = functools.partial(QuietHandler, directory=str(Path(directory).resolve()))
    return PreviewServer(host, port, handler)


def serve(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    server = make_server(directory, host, port)
    print(
        f"Serving {directory} at {server.url}index.html "
        "(Ctrl+C to stop) / Просмотр: откройте адрес выше (Ctrl+C — остановить)"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
