"""The preview servers answer only with files really inside the folder they serve."""

from __future__ import annotations

import functools
import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gardarika.live import STATUS_PATH, LiveHandler, LiveState
from gardarika.serve import ThreadingHTTPServer, make_server

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
    "/leak.txt",             # a symbolic link to the secret
    "/outside/secret.txt",   # a symbolic link to the folder holding it
    "/outside/",
    "/outside",
    "/trap/",                # a folder whose index.html leads outside
    "/trap/index.html",
    "/../../etc/passwd",
    "/..%2f..%2f..%2f..%2fetc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
]


@pytest.fixture
def served(tmp_path: Path) -> Path:
    """``tmp/site`` (served) beside ``tmp/secret.txt`` (not to be served)."""
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    (site / "index.html").write_text("<html><body>home</body></html>", encoding="utf-8")
    (site / "news" / "index.html").write_text("<html><body>news</body></html>",
                                              encoding="utf-8")
    (site / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (site / "outside").symlink_to(tmp_path, target_is_directory=True)
    (site / "trap").mkdir()
    (site / "trap" / "index.html").symlink_to(tmp_path / "secret.txt")
    (site / "inner.html").symlink_to(site / "index.html")  # inside: fine
    return site


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
def test_serve_never_answers_from_outside(serve_server: tuple[str, int], raw_path: str
                                          ) -> None:
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
def test_live_never_answers_from_outside(live_server: tuple[str, int], raw_path: str
                                         ) -> None:
    status, body = get(live_server, raw_path)
    assert SECRET not in body and "root:" not in body
    if status != 200:
        assert status in (400, 403, 404)


def test_the_folder_itself_is_still_served(serve_server: tuple[str, int],
                                           live_server: tuple[str, int]) -> None:
    for address in (serve_server, live_server):
        assert get(address, "/index.html")[0] == 200
        status, body = get(address, "/news/")
        assert status == 200 and "news" in body
        status, body = get(address, "/inner.html")  # a link that stays inside
        assert status == 200 and "home" in body


def test_symbolic_links_out_are_refused_by_both(serve_server: tuple[str, int],
                                                live_server: tuple[str, int]) -> None:
    for address in (serve_server, live_server):
        for path in ("/leak.txt", "/outside/secret.txt", "/trap/", "/trap/index.html"):
            status, body = get(address, path)
            assert status == 404 and SECRET not in body, (address, path)


def test_live_status_and_pages_obey_the_same_rule(live_server: tuple[str, int]) -> None:
    status, body = get(live_server, STATUS_PATH)
    assert status == 200 and json.loads(body)["version"] == 1
    status, body = get(live_server, STATUS_PATH + "?../../secret.txt")
    assert status == 200 and SECRET not in body and "version" in json.loads(body)
    for path in (STATUS_PATH + "/../../../secret.txt", STATUS_PATH + "/..%2f..%2fsecret.txt",
                 "/__gardarika__/../../secret.txt"):
        status, body = get(live_server, path)
        assert SECRET not in body
    status, body = get(live_server, "/index.html")  # pages get the live parts
    assert "location.reload" in body and "a problem" in body
    status, body = get(live_server, "/trap/index.html")  # a refused page gets nothing
    assert status == 404 and "location.reload" not in body and SECRET not in body
