"""Where URLs sit in HTML/CSS/JS/JSON, and how they are made portable."""

from __future__ import annotations

import pytest

from gardarika.render.links import (
    css_references,
    html_references,
    is_external,
    make_portable,
    rewrite_css,
    rewrite_html,
    rewrite_js,
    rewrite_json,
)

FOLDERS = {"news", "category", "."}


def is_dir(path: str) -> bool:
    return path in FOLDERS


@pytest.mark.parametrize(
    ("url", "page_dir", "expected"),
    [
        ("./", "", "index.html"),
        ("", "", ""),
        ("news/", "", "news/index.html"),
        ("news", "", "news/index.html"),
        ("news/?page=2#top", "", "news/index.html?page=2#top"),
        ("/theme/css/main.css", "category", "../theme/css/main.css"),
        ("/theme/css/main.css", "", "theme/css/main.css"),
        ("/", "category", "../index.html"),
        ("/", "", "index.html"),
        ("..", "category", "../index.html"),
        ("../", "category", "../index.html"),
        ("./../index.html", "category", "./../index.html"),
        ("a.html#x", "", "a.html#x"),
        ("#x", "", "#x"),
        ("?q=1", "", "?q=1"),
        ("https://example.org/", "", "https://example.org/"),
        ("//cdn.example.org/x.js", "", "//cdn.example.org/x.js"),
        ("mailto:a@example.org", "", "mailto:a@example.org"),
        ("data:image/png;base64,AAAA", "", "data:image/png;base64,AAAA"),
        ("/news/#latest", "category", "../news/index.html#latest"),
    ],
)
def test_make_portable(url: str, page_dir: str, expected: str) -> None:
    assert make_portable(url, page_dir, is_dir) == expected


def test_html_references_finds_every_kind_of_url() -> None:
    html = """<!DOCTYPE html>
<html><head>
<link rel="stylesheet" href="/theme/main.css">
<link rel="alternate" hreflang="en" href="en/">
<style>body { background: url('img/bg.png') }</style>
<meta http-equiv="refresh" content="0; url=/new/">
</head><body style="background-image: url(/x.png)">
<!-- <a href="/commented-out"> -->
<a href='news/' class=x>News</a>
<img src="a.jpg" srcset="a-400.jpg 400w, /a-800.jpg 800w" alt="">
<iframe src="https://video.example.org/embed/1"></iframe>
<script>var next = "/page/2/"; var s = "a/b".split("/");</script>
</body></html>"""
    refs = [(r.url, r.element, r.attribute, r.loads, r.line) for r, _, _ in html_references(html)]
    urls = [r[0] for r in refs]
    assert urls.count("/commented-out") == 0
    assert ("/theme/main.css", "link", "href", True, 3) in refs
    assert ("en/", "link", "href", False, 4) in refs
    assert ("img/bg.png", "css", "url()", True, 5) in refs
    assert ("/new/", "meta", "content", False, 6) in refs
    assert ("/x.png", "body", "style", True, 7) in refs
    assert ("news/", "a", "href", False, 9) in refs
    assert ("a-400.jpg", "img", "srcset", True, 10) in refs
    assert ("/a-800.jpg", "img", "srcset", True, 10) in refs
    assert ("https://video.example.org/embed/1", "iframe", "src", True, 11) in refs
    assert ("/page/2/", "js", "string", False, 12) in refs
    assert "a/b" not in urls and "/" not in urls


def test_rewrite_html_changes_only_urls() -> None:
    html = (
        '<p class="x">Text &amp; more</p>\n<a href="news/" title="news/">n</a>'
        '<img src="/a.png" srcset="/a.png 1x, b.png 2x" alt="/a.png">'
    )
    fixed = rewrite_html(html, lambda u: make_portable(u, "category", is_dir))
    assert fixed == (
        '<p class="x">Text &amp; more</p>\n<a href="news/index.html" '
        'title="news/">n</a><img src="../a.png" srcset="../a.png 1x, b.png 2x" '
        'alt="/a.png">'
    )


def test_rewrite_css_js_json() -> None:
    fix = lambda u: make_portable(u, "", is_dir)  # noqa: E731
    assert (
        rewrite_css("a{b:url( '/i.png' )} @import '/x.css';", fix)
        == "a{b:url( 'i.png' )} @import 'x.css';"
    )
    assert (
        rewrite_js('go("/news/"); x.split("/"); y = "/a.html";', fix)
        == 'go("news/index.html"); x.split("/"); y = "a.html";'
    )
    assert (
        rewrite_json('{"pages": [{"url": "news/", "title": "A / B"}]}', fix)
        == '{"pages":[{"url":"news/index.html","title":"A / B"}]}'
    )
    assert rewrite_json("not json", fix) == "not json"


def test_css_references() -> None:
    refs = [r.url for r, _, _ in css_references('@import url("a.css"); b { c: url(d.svg#i) }')]
    assert refs == ["a.css", "d.svg#i"]


def test_is_external() -> None:
    assert is_external("https://a.org") and is_external("//a.org/x.js")
    assert not is_external("a.html") and not is_external("mailto:x@y.z")


def test_character_references_in_attributes() -> None:
    html = (
        '<a href="&#109;&#97;&#105;&#108;&#116;&#111;&#58;a&#64;example.org">m</a>'
        '<a href="news/?a=1&amp;b=2">n</a>'
    )
    urls = [r.url for r, _, _ in html_references(html)]
    assert urls == ["mailto:a@example.org", "news/?a=1&b=2"]
    fixed = rewrite_html(html, lambda u: make_portable(u, "", is_dir))
    assert 'href="news/index.html?a=1&amp;b=2"' in fixed
    assert fixed.startswith('<a href="&#109;&#97;')  # unchanged where nothing changes
