"""Red team, round 8: the check's browser-parser reading of what a page loads.

Round 7 added ``checks/loads.py`` (Lexbor). These are the ways past it that a theme or a
``trust_html`` town could take, each confirmed in Chromium from file://.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest

from gardarika.checks.output import check_output
from gardarika.checks.scripts import as_scripting_browser

EVIL = "http://evil.example/"
#: a load only a browser's parser sees (the build's own reader does not decode entities
#: in a style's url)
HIDDEN = f"<p style='background:url&#40;{EVIL}x.png)'>x</p>"


def _srcdoc(html: str, depth: int) -> str:
    for _ in range(depth):
        html = f'<iframe srcdoc="{escape(html)}"></iframe>'
    return html


PAGES = {
    # a declarative shadow root: template content a browser shows
    "shadow root": f"<div><template shadowrootmode=open>{HIDDEN}</template></div>",
    "srcdoc four deep": _srcdoc(HIDDEN, 4),
    "noscript in a srcdoc": _srcdoc(f"<noscript><p title='</noscript>{HIDDEN}'></noscript>", 1),
    "noscript ended with a space": f'<noscript><p title="</noscript x>{HIDDEN}"></noscript>',
    "noscript in a comment first": f'<!--<noscript>--><noscript><p title="</noscript>{HIDDEN}">',
    "refresh without url=": f'<meta http-equiv=refresh content="0; {EVIL}">',
    "compression dictionary": f'<link rel=compression-dictionary href="{EVIL}d">',
}


@pytest.mark.parametrize("html", PAGES.values(), ids=PAGES.keys())
@pytest.mark.parametrize("trusted", [(), ("t",)])
def test_the_check_sees_what_a_browser_loads(
    tmp_path: Path, html: str, trusted: tuple[str, ...]
) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "page.html").write_text(html, encoding="utf-8")
    found = [f for f in check_output(tmp_path, trusted=trusted) if "another website" in f.en]
    assert found and EVIL in found[0].en


@pytest.mark.parametrize(
    "css",
    [
        f'@import"{EVIL}a.css";',
        f'p{{background:image-set("{EVIL}b.png" 1x)}}',
        f'p{{background:url("{EVIL}c)x.png")}}',
        f"p{{background:u\\72l({EVIL}d.png)}}",
    ],
)
def test_a_theme_stylesheet_is_read_as_a_browser_reads_css(tmp_path: Path, css: str) -> None:
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "main.css").write_text(css, encoding="utf-8")
    found = [f for f in check_output(tmp_path) if "another website" in f.en]
    assert len(found) == 1 and EVIL in found[0].en


@pytest.mark.parametrize(
    "data",
    [
        # ISO-2022-JP: ESC ( B in a tag's name is nothing to a browser reading it so
        b'<meta charset="iso-2022-jp"><im\x1b(Bg src="' + EVIL.encode() + b'x.png">',
        ("<img src='" + EVIL + "y.png'>").encode("utf-16"),
        b'<meta charset="utf-8"><p>\x1b</p>',
    ],
)
def test_a_page_a_browser_would_read_otherwise_is_reported(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "page.html").write_bytes(data)
    found = check_output(tmp_path)
    assert any("UTF-8" in f.en or "escape character" in f.en for f in found)


def test_the_scripting_reading_finds_noscript_as_a_browser_does() -> None:
    assert as_scripting_browser("<p>x</p>") == "<p>x</p>"
    blanked = as_scripting_browser('<noscript><p title="</noscript/>y">')
    assert blanked.startswith("<noscript>") and 'y">' in blanked
    kept = as_scripting_browser('<p title="<noscript>">z</p>')
    assert kept == '<p title="<noscript>">z</p>'
