"""offline_output on a tiny site with Pelican's own ``simple`` theme, run by ``pelican``."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pelican

PLUGINS = Path(__file__).resolve().parents[2]
SIMPLE_THEME = Path(pelican.__file__).parent / "themes" / "simple"


def test_plain_pelican_site_becomes_offline_ready(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "images" / "Большое Фото.PNG").write_bytes(b"not really a png")
    (content / "news.md").write_text(textwrap.dedent("""\
        Title: News
        Date: 2024-01-02

        ![photo](<images/Большое Фото.PNG>)

        <iframe src="https://player.example.org/v/1"></iframe>
        """), encoding="utf-8")
    conf = tmp_path / "conf.py"
    conf.write_text(textwrap.dedent(f"""
        PATH = {str(content)!r}
        THEME = {str(SIMPLE_THEME)!r}
        PLUGIN_PATHS = [{str(PLUGINS)!r}]
        PLUGINS = ["offline_output"]
        SITENAME = "t"
        TIMEZONE = "UTC"
        RELATIVE_URLS = True
        ARTICLE_URL = ARTICLE_SAVE_AS = "{{slug}}.html"
        FEED_ALL_ATOM = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
        AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
    """), encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "pelican", str(content), "-s", str(conf),
                           "-o", str(out)], capture_output=True, text=True, check=True)
    assert "player.example.org" in done.stdout + done.stderr  # reported
    news = (out / "news.html").read_text(encoding="utf-8")
    assert "<iframe" not in news and 'href="https://player.example.org/v/1"' in news
    assert 'src="./images/bolshoye-foto.png"' in news
    assert (out / "images" / "bolshoye-foto.png").is_file()
    # the simple theme links its home as "{{ SITEURL }}/": now a file
    for page in out.rglob("*.html"):
        for url in re.findall(r'href="([^"]*)"', page.read_text(encoding="utf-8")):
            assert not url.endswith("/") or url.startswith("http"), (page, url)
