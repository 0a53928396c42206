"""``invoke live``: rebuilds on change, reloads the page, and shows errors in the page."""

from __future__ import annotations

import http.client
import json
import time
import urllib.request
from pathlib import Path

from projects import write

from gardarika.preview.live import STATUS_PATH, LivePreview


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def wait_for_version(preview: LivePreview, after: int, timeout: float = 60) -> dict:
    base = preview.url.rsplit("/", 2)[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = json.loads(fetch(base + STATUS_PATH))
        if status["version"] > after:
            return status
        time.sleep(0.2)
    raise AssertionError("the preview did not rebuild")


def test_live_preview(network: Path) -> None:
    said: list[str] = []
    preview = LivePreview(network, "alpha", port=0, interval=0.2, say=said.append)
    assert preview.server.server_address[0] == "127.0.0.1"
    preview.start()
    try:
        page = fetch(preview.url)
        assert "Ярмарка ремёсел" in page and "location.reload()" in page
        assert "gardarika-live-problems" not in page
        assert "location.reload" not in (network / "output/alpha/index.html").read_text(
            encoding="utf-8"
        )  # the files themselves stay clean

        version = json.loads(fetch(preview.url.rsplit("/", 2)[0] + STATUS_PATH))["version"]
        write(
            network / "content/alpha/articles/fresh.md",
            "Title: Свежая новость\nDate: 2024-10-10 10:00\n\nТекст.\n",
        )
        status = wait_for_version(preview, version)
        assert status["problems"] == []
        assert "Свежая новость" in fetch(preview.url).replace("\u00a0", " ")

        write(
            network / "content/alpha/articles/fresh.md",
            "Title: Свежая новость\nDate: вчера\n\nТекст.\n",
        )
        status = wait_for_version(preview, status["version"])
        assert any("content/alpha/articles/fresh.md:2: error" in p for p in status["problems"])
        page = fetch(preview.url)  # the server is alive and says what is wrong
        assert "gardarika-live-problems" in page and "fresh.md:2" in page
        # and so does the terminal it runs in
        assert any("failed" in line and "не удалась" in line for line in said)
        assert any("content/alpha/articles/fresh.md:2: error" in line for line in said)
        assert "Свежая новость" in page.replace("\u00a0", " ")  # the last good build

        write(
            network / "content/alpha/articles/fresh.md",
            "Title: Свежая новость\nDate: 2024-10-10 10:00\n\nТекст.\n",
        )
        status = wait_for_version(preview, status["version"])
        assert status["problems"] == [] and "gardarika-live-problems" not in fetch(preview.url)
        assert "no problems" in said[-1] and "проблем нет" in said[-1]
    finally:
        preview.stop()


def test_a_town_that_never_built_shows_its_problems(network: Path) -> None:
    write(network / "content/beta/bad.md", "Title: Плохо\nDate: никогда\n\nТекст.\n")
    preview = LivePreview(network, "beta", port=0, interval=0.2)
    preview.start()
    try:
        page = fetch(preview.url)
        assert "content/beta/bad.md:2" in page and "Сайт не собран" in page
    finally:
        preview.stop()


def ask(preview: LivePreview, path: str, host: str) -> tuple[int, str]:
    """A request to the preview with this exact ``Host`` header."""
    address = preview.server.server_address[:2]
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host.format(port=address[1]))
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_live_preview_answers_only_to_this_computers_names(network: Path) -> None:
    """DNS rebinding: a page of another site whose name now leads to 127.0.0.1 must not be
    able to read the preview's pages or its status (``Host`` names that other site)."""
    preview = LivePreview(network, "alpha", port=0, interval=0.2)
    preview.start()
    page_path = "/alpha/index.html"
    try:
        for host in ("127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"):
            status, body = ask(preview, STATUS_PATH, host)
            assert status == 200 and json.loads(body)["version"] == 1, host
            status, body = ask(preview, page_path, host)
            assert status == 200 and "Ярмарка ремёсел" in body, host
        for host in (
            "evil.example",
            "evil.example:{port}",
            "localhost.evil.example:{port}",
            "127.0.0.1.nip.io:{port}",
            "attacker:8000",
            "localhost.:{port}",
            "",
        ):
            for path in (STATUS_PATH, page_path, "/", "/alpha/"):
                status, body = ask(preview, path, host)
                assert status in (400, 421), (host, path, status)
                assert "version" not in body and "Ярмарка" not in body
                assert "location.reload" not in body and "<html" not in body.lower()
                port = preview.server.server_address[1]
                assert f"http://127.0.0.1:{port}/" in body
    finally:
        preview.stop()


def test_the_watch_survives_folders_nested_a_thousand_deep(tmp_path: Path) -> None:
    """The live preview's watch walks the content folder: 1 500 nested folders must
    not crash it (Python's os.walk calls itself for each level)."""
    from projects import remove_deep

    from gardarika.preview.live import fingerprint

    deep = tmp_path
    for _ in range(1500):
        deep = deep / "a"
        deep.mkdir()
    try:
        first = fingerprint([tmp_path])
        (tmp_path / "new.md").write_text("x", encoding="utf-8")
        assert fingerprint([tmp_path]) != first
    finally:
        remove_deep(tmp_path / "a")
