"""``invoke live``: rebuilds on change, reloads the page, and shows errors in the page."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

from conftest import write

from gardarika.live import STATUS_PATH, LivePreview


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
    preview = LivePreview(network, "alpha", port=0, interval=0.2)
    assert preview.server.server_address[0] == "127.0.0.1"
    preview.start()
    try:
        page = fetch(preview.url)
        assert "Ярмарка ремёсел" in page and "location.reload()" in page
        assert "gardarika-live-problems" not in page
        assert "location.reload" not in (network / "output/alpha/index.html").read_text(
            encoding="utf-8")  # the files themselves stay clean

        version = json.loads(fetch(preview.url.rsplit("/", 2)[0] + STATUS_PATH))["version"]
        write(network / "content/alpha/articles/fresh.md",
              "Title: Свежая новость\nDate: 2024-10-10 10:00\n\nТекст.\n")
        status = wait_for_version(preview, version)
        assert status["problems"] == []
        assert "Свежая новость" in fetch(preview.url).replace("\u00a0", " ")

        write(network / "content/alpha/articles/fresh.md",
              "Title: Свежая новость\nDate: вчера\n\nТекст.\n")
        status = wait_for_version(preview, status["version"])
        assert any("content/alpha/articles/fresh.md:2: error" in p for p in status["problems"])
        page = fetch(preview.url)  # the server is alive and says what is wrong
        assert "gardarika-live-problems" in page and "fresh.md:2" in page
        assert "Свежая новость" in page.replace("\u00a0", " ")  # the last good build

        write(network / "content/alpha/articles/fresh.md",
              "Title: Свежая новость\nDate: 2024-10-10 10:00\n\nТекст.\n")
        status = wait_for_version(preview, status["version"])
        assert status["problems"] == [] and "gardarika-live-problems" not in fetch(preview.url)
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
