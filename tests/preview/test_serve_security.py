"""The preview servers answer only with files really inside the folder they serve."""

from __future__ import annotations

import contextlib
import functools
import http.client
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gardarika.preview.live import STATUS_PATH, LiveHandler, LiveState
from gardarika.preview.serve import ThreadingHTTPServer, make_server

SECRET = "TOP-SECRET-OUTSIDE"

TRAVERSALS = [
    "/../secret.txt",
    "/../../secret.txt",
    "/..%2fsecret.txt",
    "/..%2f..%2fsecret.txt",
    "/%2e%2e/secret.txt",
    "/%2e%2e/%2e%2e/secret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/..\\secret.txt",
    "/..%5csecret.txt",
    "/site/..%2f..%2fsecret.txt",
    "//..//secret.txt",
    "/index.html%00.txt",
    "/%00",
    "/leak.txt",  # a symbolic link to the secret
    "/outside/secret.txt",  # a symbolic link to the folder holding it
    "/outside/",
    "/outside",
    "/trap/",  # a folder whose index.html leads outside
    "/trap/index.html",
    "/../../etc/passwd",
    "/..%2f..%2f..%2f..%2fetc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
]


@pytest.fixture
def served(tmp_path: Path) -> Path:
    """``tmp/site`` (served) beside ``tmp/secret.txt`` (not to be served)."""
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    town = tmp_path / "site"
    (town / "news").mkdir(parents=True)
    (town / "index.html").write_text("<html><body>home</body></html>", encoding="utf-8")
    (town / "news" / "index.html").write_text("<html><body>news</body></html>", encoding="utf-8")
    (town / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (town / "outside").symlink_to(tmp_path, target_is_directory=True)
    (town / "trap").mkdir()
    (town / "trap" / "index.html").symlink_to(tmp_path / "secret.txt")
    (town / "inner.html").symlink_to(town / "index.html")  # inside: fine
    return town


def _run(server: ThreadingHTTPServer) -> Iterator[tuple[str, int]]:
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def serve_server(served: Path) -> Iterator[tuple[str, int]]:
    yield from _run(make_server(served, port=0))


@pytest.fixture
def live_state() -> LiveState:
    state = LiveState()
    state.update(["content/alpha/a.md:2: error: a problem"])  # the problems page is on
    return state


@pytest.fixture
def live_server(served: Path, live_state: LiveState) -> Iterator[tuple[str, int]]:
    handler = functools.partial(LiveHandler, state=live_state, directory=str(served))
    yield from _run(ThreadingHTTPServer(("127.0.0.1", 0), handler))


def get(address: tuple[str, int], raw_path: str, method: str = "GET") -> tuple[int, str]:
    """A request with the path sent exactly as written (no client-side clean-up)."""
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        connection.putrequest(method, raw_path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_both_servers_bind_to_this_computer_only(served: Path) -> None:
    server = make_server(served, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


@pytest.mark.parametrize("raw_path", TRAVERSALS)
def test_serve_never_answers_from_outside(serve_server: tuple[str, int], raw_path: str) -> None:
    for method in ("GET", "HEAD"):
        status, body = get(serve_server, raw_path, method)
        assert SECRET not in body and "root:" not in body
        if status == 200:  # ".." is dropped: the path names the served folder's own files
            assert "home" in body or method == "HEAD" or "Directory listing" in body
        else:
            assert status in (400, 403, 404)
    assert get(serve_server, "/leak.txt")[0] == 404
    assert get(serve_server, "/trap/")[0] == 404


@pytest.mark.parametrize("raw_path", TRAVERSALS)
def test_live_never_answers_from_outside(live_server: tuple[str, int], raw_path: str) -> None:
    status, body = get(live_server, raw_path)
    assert SECRET not in body and "root:" not in body
    if status != 200:
        assert status in (400, 403, 404)


def test_the_folder_itself_is_still_served(
    serve_server: tuple[str, int], live_server: tuple[str, int]
) -> None:
    for address in (serve_server, live_server):
        assert get(address, "/index.html")[0] == 200
        status, body = get(address, "/news/")
        assert status == 200 and "news" in body
        status, body = get(address, "/inner.html")  # a link that stays inside
        assert status == 200 and "home" in body


def test_symbolic_links_out_are_refused_by_both(
    serve_server: tuple[str, int], live_server: tuple[str, int]
) -> None:
    for address in (serve_server, live_server):
        for path in ("/leak.txt", "/outside/secret.txt", "/trap/", "/trap/index.html"):
            status, body = get(address, path)
            assert status == 404 and SECRET not in body, (address, path)


def test_live_status_and_pages_obey_the_same_rule(live_server: tuple[str, int]) -> None:
    status, body = get(live_server, STATUS_PATH)
    assert status == 200 and json.loads(body)["version"] == 1
    status, body = get(live_server, STATUS_PATH + "?../../secret.txt")
    assert status == 200 and SECRET not in body and "version" in json.loads(body)
    for path in (
        STATUS_PATH + "/../../../secret.txt",
        STATUS_PATH + "/..%2f..%2fsecret.txt",
        "/__gardarika__/../../secret.txt",
    ):
        status, body = get(live_server, path)
        assert SECRET not in body
    status, body = get(live_server, "/index.html")  # pages get the live parts
    assert "location.reload" in body and "a problem" in body
    status, body = get(live_server, "/trap/index.html")  # a refused page gets nothing
    assert status == 404 and "location.reload" not in body and SECRET not in body


# --- DNS rebinding: only requests naming this computer's loopback are answered -----------

LISTED = "LISTED-ONLY-IN-A-DIRECTORY-LISTING"

# Well-formed names of other hosts: "421 Misdirected Request".
FOREIGN_HOSTS = [
    "evil.example",
    "evil.example:{port}",
    "attacker:8000",
    "localhost.evil.example",
    "localhost.evil.example:{port}",
    "127.0.0.1.nip.io",
    "127.0.0.1.nip.io:{port}",
    "localtest.me:{port}",
    "sub.localhost:{port}",  # *.localhost is not accepted (see gardarika.preview.serve)
    "localhost.",  # nor the trailing-dot spelling
    "localhost.:{port}",
    "127.0.0.2:{port}",  # another loopback address than the one bound
    "127.1:{port}",  # shorthand spellings no browser sends
    "2130706433:{port}",
    "0x7f.0.0.1:{port}",
    "0.0.0.0:{port}",
    "10.0.0.1:{port}",
    "[::ffff:127.0.0.1]:{port}",
    "[0:0:0:0:0:0:0:1]:{port}",
]

# Not a valid ``host[:port]`` at all: "400 Bad Request" (RFC 9112, section 3.2).
MALFORMED_HOSTS = [
    "",
    "user@127.0.0.1:{port}",
    "127.0.0.1@evil.example",
    "127.0.0.1:{port}@evil.example",
    "evil.example#@127.0.0.1",
    "127.0.0.1 evil.example",
    "127.0.0.1,evil.example",
    "localhost:{port}:{port}",
    "localhost:",
    "localhost:port",
    "localhost:99999",
    "localhost:0",
    "[::1",
    "::1",
    "%6cocalhost:{port}",
    "loc\u0430lhost:{port}",  # a Cyrillic "а"
    "http://127.0.0.1:{port}/",
]

LOOPBACK_HOSTS = [
    "127.0.0.1:{port}",
    "127.0.0.1",
    "localhost:{port}",
    "localhost",
    "LOCALHOST:{port}",
    "LocalHost",
    "[::1]:{port}",
    "[::1]",
    "localhost:9000",  # another port: an SSH tunnel or a forwarded port
]


def raw(address: tuple[str, int], request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` byte for byte; the status, headers (lower-case names) and body."""
    with socket.create_connection(address, timeout=30) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def with_host(
    address: tuple[str, int],
    path: str,
    host: str | None,
    method: str = "GET",
    version: str = "HTTP/1.1",
) -> tuple[int, dict[str, str], bytes]:
    """A request for ``path`` with exactly this ``Host`` header (None: no Host at all)."""
    lines = [f"{method} {path} {version}"]
    if host is not None:
        lines.append("Host: " + host.format(port=address[1]))
    lines += ["Connection: close", "", ""]
    return raw(address, "\r\n".join(lines).encode("utf-8"))


@pytest.fixture
def listed(served: Path) -> Path:
    """A folder with no index.html, so that a request for it gets a directory listing."""
    folder = served / "plain"
    folder.mkdir()
    (folder / f"{LISTED}.txt").write_text(LISTED, encoding="utf-8")
    return folder


LEAKS = (
    SECRET,
    LISTED,
    "home",
    "news",
    "version",
    "a problem",
    "location.reload",
    "Directory listing",
    "<html",
)


def assert_refused(
    response: tuple[int, dict[str, str], bytes],
    port: int,
    statuses: tuple[int, ...] = (421,),
    method: str = "GET",
) -> None:
    status, headers, body = response
    assert status in statuses, (status, body)
    text = body.decode("utf-8")
    for leak in LEAKS:
        assert leak not in text, leak
    assert headers.get("content-type", "").startswith("text/plain")
    if method == "HEAD":
        assert body == b""
    else:
        assert f"http://127.0.0.1:{port}/" in text and "только" in text and "only" in text


PATHS = ["/", "/index.html", "/news/", "/plain/", STATUS_PATH, "/../secret.txt"]


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_other_host_names_get_nothing(
    serve_server: tuple[str, int], live_server: tuple[str, int], listed: Path, host: str
) -> None:
    for address in (serve_server, live_server):
        for path in PATHS:
            assert_refused(with_host(address, path, host), address[1])
        assert_refused(with_host(address, "/index.html", host, "HEAD"), address[1], method="HEAD")
        assert_refused(with_host(address, "/index.html", host, "POST"), address[1])


@pytest.mark.parametrize("host", MALFORMED_HOSTS)
def test_malformed_host_headers_get_nothing(
    serve_server: tuple[str, int], live_server: tuple[str, int], listed: Path, host: str
) -> None:
    for address in (serve_server, live_server):
        for path in PATHS:
            assert_refused(with_host(address, path, host), address[1], (400, 421))


def test_a_missing_or_repeated_host_gets_nothing(
    serve_server: tuple[str, int], live_server: tuple[str, int], listed: Path
) -> None:
    for address in (serve_server, live_server):
        port = address[1]
        for path in PATHS:
            for version in ("HTTP/1.1", "HTTP/1.0"):
                assert_refused(with_host(address, path, None, version=version), port, (400, 421))
            for first, second in (
                ("127.0.0.1:{port}", "evil.example"),
                ("evil.example", "127.0.0.1:{port}"),
                ("127.0.0.1:{port}", "127.0.0.1:{port}"),
            ):
                request = (
                    f"GET {path} HTTP/1.1\r\nHost: {first}\r\nHost: {second}\r\n"
                    "Connection: close\r\n\r\n"
                ).format(port=port)
                assert_refused(raw(address, request.encode()), port, (400, 421))
            # HTTP/0.9 (no version): no status line, no headers in the answer, no Host
            with socket.create_connection(address, timeout=30) as connection:
                connection.sendall(f"GET {path}\r\n\r\n".encode())
                received = b""
                while chunk := connection.recv(65536):
                    received += chunk
            text = received.decode("utf-8", "replace")
            assert all(leak not in text for leak in LEAKS), (path, text)
            assert f"http://127.0.0.1:{port}/" in text


def test_a_target_naming_another_host_gets_nothing(
    serve_server: tuple[str, int], live_server: tuple[str, int]
) -> None:
    """The absolute form ``GET http://host/path`` (meant for proxies) is refused too."""
    for address in (serve_server, live_server):
        for target in (
            "http://evil.example/index.html",
            "http://127.0.0.1/index.html",
            f"http://evil.example{STATUS_PATH}",
            "*",
        ):
            assert_refused(with_host(address, target, "127.0.0.1:{port}"), address[1], (400, 421))


@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
def test_loopback_names_are_answered(
    serve_server: tuple[str, int], live_server: tuple[str, int], listed: Path, host: str
) -> None:
    for address in (serve_server, live_server):
        status, _, body = with_host(address, "/index.html", host)
        assert status == 200 and b"home" in body
        status, _, body = with_host(address, "/news/", host)
        assert status == 200 and b"news" in body
        status, _, body = with_host(address, "/index.html", host, "HEAD")
        assert status == 200
    status, _, body = with_host(serve_server, "/plain/", host)
    assert status == 200 and LISTED.encode() in body
    status, _, body = with_host(live_server, STATUS_PATH, host)
    assert status == 200 and json.loads(body)["version"] == 1
    status, _, body = with_host(live_server, "/../secret.txt", host)
    assert SECRET.encode() not in body


def test_a_refusal_is_logged(
    serve_server: tuple[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    with_host(serve_server, "/index.html", "evil.example")
    assert "421" in capsys.readouterr().err


def _try_server(directory: Path, host: str) -> ThreadingHTTPServer:
    try:
        return make_server(directory, host, port=0)
    except OSError as error:
        pytest.skip(f"cannot listen on {host}: {error}")


def test_a_server_bound_to_another_address_also_answers_to_it(served: Path) -> None:
    """``--host 127.0.0.2`` (any address but the default): that address is accepted too."""
    server = _try_server(served, "127.0.0.2")
    with contextlib.contextmanager(_run)(server) as address:
        for host in ("127.0.0.2:{port}", "127.0.0.1:{port}", "localhost:{port}"):
            status, _, body = with_host(address, "/index.html", host)
            assert status == 200 and b"home" in body, host
        for host in ("evil.example:{port}", "127.0.0.3:{port}", "127.0.0.2.nip.io"):
            response = with_host(address, "/index.html", host)
            assert response[0] == 421 and b"home" not in response[2]
            assert f"http://127.0.0.2:{address[1]}/".encode() in response[2]


def test_a_server_bound_to_ipv6_loopback(served: Path) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    server = _try_server(served, "::1")
    with contextlib.contextmanager(_run)(server) as address:
        status, _, body = with_host(address, "/index.html", "[::1]:{port}")
        assert status == 200 and b"home" in body
        status, _, body = with_host(address, "/index.html", "evil.example")
        assert status == 421 and b"home" not in body
        assert f"http://[::1]:{address[1]}/".encode() in body


def test_which_host_names_are_accepted() -> None:
    """The rule itself, also for binds the tests do not make (all interfaces, a name)."""
    from gardarika.preview.serve import host_refusal

    assert host_refusal(["127.0.0.1:8000"], "127.0.0.1") is None
    assert host_refusal(["LOCALHOST"], "127.0.0.1") is None
    assert host_refusal(["[::1]:1"], "127.0.0.1") is None
    assert host_refusal(["192.168.1.5:8000"], "127.0.0.1") == 421
    assert host_refusal([], "127.0.0.1") == 400
    assert host_refusal(["a", "a"], "127.0.0.1") == 400
    # bound to one address: that address too
    assert host_refusal(["192.168.1.5:8000"], "192.168.1.5") is None
    assert host_refusal(["192.168.1.6:8000"], "192.168.1.5") == 421
    assert host_refusal(["evil.example:8000"], "192.168.1.5") == 421
    # bound to every interface: any address written as digits (no DNS name is
    # involved, so no rebinding), never another name
    assert host_refusal(["192.168.1.5:8000"], "0.0.0.0") is None
    assert host_refusal(["[fe80::1]:8000"], "::") is None
    assert host_refusal(["evil.example:8000"], "0.0.0.0") == 421
    assert host_refusal(["192.168.1.5.nip.io:8000"], "0.0.0.0") == 421
    # bound by a name the maintainer gave (``--host mybox.lan``): that name too
    assert host_refusal(["MyBox.lan:8000"], "192.168.1.5", "mybox.lan") is None
    assert host_refusal(["mybox.lan.evil.example"], "192.168.1.5", "mybox.lan") == 421
