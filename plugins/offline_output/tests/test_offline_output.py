"""offline_output on a tiny site with Pelican's own ``simple`` theme, run by ``pelican``."""

from __future__ import annotations

import re
from pathlib import Path

from pelican_site import build_pelican_site


def test_plain_pelican_site_becomes_offline_ready(tmp_path: Path) -> None:
    out, log = build_pelican_site(
        tmp_path,
        {
            "images/Большое Фото.PNG": b"not really a png",
            "news.md": """
            Title: News
            Date: 2024-01-02

            ![photo](<images/Большое Фото.PNG>)

            <iframe src="https://player.example.org/v/1"></iframe>
        """,
        },
        ["offline_output"],
    )
    assert "player.example.org" in log  # reported
    news = (out / "news.html").read_text(encoding="utf-8")
    assert "<iframe" not in news and 'href="https://player.example.org/v/1"' in news
    assert 'src="./images/bolshoye-foto.png"' in news
    assert (out / "images" / "bolshoye-foto.png").is_file()
    # the simple theme links its home as "{{ SITEURL }}/": now a file
    for page in out.rglob("*.html"):
        for url in re.findall(r'href="([^"]*)"', page.read_text(encoding="utf-8")):
            assert not url.endswith("/") or url.startswith("http"), (page, url)
