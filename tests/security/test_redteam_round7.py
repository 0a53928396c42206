"""Red team, round 7: the one tag reader (``render/tags.py``) and the offline check.

When the three tag scanners became one reader that follows the browsers' rules for
comments and raw text, the output check lost its old laxness: markup that the reader
and a browser read differently (an HTML ``<style>`` inside an SVG ``<title>``, a CDATA
section in SVG, a comment in a style's text read as tags) hid a remote load from both
the replacement of embeds and the check. The check now also reads every page with a
browser's parser (``checks/loads.py``), and the reader's own mistakes are fixed.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gardarika.checks.loads import remote_loads
from gardarika.checks.output import check_output
from gardarika.render import tags
from gardarika.render.embeds import replace_remote_embeds
from gardarika.render.images import ProcessedImage, annotate_images
from gardarika.render.links import html_references, is_external, make_portable
from gardarika.urls import split_url

EVIL = "https://evil.example/"

#: pages (as a theme or a trusted town could write them) that load from another
#: website in Chromium even after the replacement of embeds: the check must say so
HIDDEN_LOADS = {
    "html style in an svg title": f"<svg><title><style>@import url({EVIL}a.css);</style></title>",
    "style in noscript": f"<noscript><style>@import url({EVIL}b.css)</style></noscript>",
    "comment in a style, then svg": f"<style><!--</style><svg><style><img src={EVIL}c.png>",
    "svg cdata hiding a comment": f"<svg><![CDATA[ > <!-- ]]><img src={EVIL}d.png>",
    "comment in a style in an svg title": f"<svg><title><style><!--</style><img src={EVIL}e.png>",
    "entity in a style's url(": f'<p style="background:url&#40;{EVIL}f.png)">x</p>',
    "quoted entity in url(": f'<p style="background:url(&quot;{EVIL}g.png&quot;)">x</p>',
    "image-set": f"<p style=\"background-image:image-set('{EVIL}h.png' 1x)\">x</p>",
    "escaped url( in a style": f"<style>p{{background:u\\72l({EVIL}i.png)}}</style>",
    "base href": f'<base href="{EVIL}"><img src="j.png">',
    "table background": f'<table background="{EVIL}k.png"><tr><td>x</td></tr></table>',
    "srcdoc": f'<iframe srcdoc="&lt;img src={EVIL}l.png&gt;"></iframe>',
    "svg script href": f'<svg><script href="{EVIL}m.js"></script></svg>',
    "svg script xlink:href": f'<svg><script xlink:href="{EVIL}n.js"></script></svg>',
    "svg image xlink:href": f'<svg><image xlink:href="{EVIL}o.png" width=9 height=9 /></svg>',
    "svg feImage": f'<svg><filter id=f><feImage href="{EVIL}p.png"/></filter></svg>',
    "refresh to another website": f'<meta http-equiv=refresh content="0;url={EVIL}q.html">',
}


@pytest.mark.parametrize("html", HIDDEN_LOADS.values(), ids=HIDDEN_LOADS.keys())
def test_the_check_reports_a_load_hidden_from_the_tag_reader(tmp_path: Path, html: str) -> None:
    fixed, _ = replace_remote_embeds(html, str, tags.read(html))
    (tmp_path / "page.html").write_text(fixed, encoding="utf-8")
    found = [f for f in check_output(tmp_path) if "another website" in f.en]
    assert found and all(EVIL in f.en for f in found), fixed
    assert found[0].file == "page.html" and found[0].line == 1


def test_a_page_without_remote_loads_has_none() -> None:
    html = (
        '<link rel=stylesheet href="theme/main.css"><base href="../">'
        '<p style="background:url(images/a.png)">x</p><img srcset="a.png 1x, b.png 2x">'
        '<svg><rect fill="url(#g)"/></svg><a href="https://example.org/">a link</a>'
        '<style>p{background:url(data:image/png;base64,AAAA)}@import "local.css";</style>'
        '<p title="see url(https://example.org/)">text</p>'
    )
    assert remote_loads(html) == []


def test_a_remote_load_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(f'<img src="{EVIL}a.png">', encoding="utf-8")
    assert len(check_output(tmp_path)) == 1


@pytest.mark.parametrize(
    "html",
    [
        # "<!-->" ends the escaped text of a script, and any script written in it
        f"<script><!--<!--><script><!--</script><img src={EVIL}a.png>",
        # browsers compare tag names in ASCII: "ſ" (long s) is not "s"
        f"<style></ſtyle><!--</style><img src={EVIL}b.png>",
        f"<script></ſcript><!--</script><img src={EVIL}c.png>",
    ],
)
def test_the_tag_reader_ends_raw_text_where_a_browser_does(html: str) -> None:
    fixed, found = replace_remote_embeds(html, str, tags.read(html))
    assert [embed.url for embed in found] == [html[html.index(EVIL) : html.rindex(">")]]
    assert EVIL not in fixed.replace(f'href="{found[0].url}"', "")


def _picture() -> ProcessedImage:
    return ProcessedImage(
        width=800, height=600, format="jpeg", suffix=".jpg", size=1, variants=[400]
    )


def test_a_picture_in_a_script_string_is_left_alone() -> None:
    html = "<script>var s = \"<img src='pic.jpg'>\";</script><img src='pic.jpg'>"
    out = annotate_images(html, lambda src: _picture())
    assert out.startswith("<script>var s = \"<img src='pic.jpg'>\";</script><img src='pic.jpg' ")
    assert out.count("width=") == 1


def _grows_linearly(work: Callable[[int], object]) -> None:
    """4× the input never takes much more than 4× the time (quadratic: 16×).

    The best of five runs with the garbage collector paused: a collection of the
    thousands of objects made, or the other test worker, once made one run 10× the
    others on a loaded CI machine; neither says anything about how the work grows."""

    def seconds(n: int) -> float:
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            work(n)
            best = min(best, time.perf_counter() - start)
        return best

    collecting = gc.isenabled()
    gc.disable()
    try:
        quarter, full = seconds(2_000), seconds(8_000)
    finally:
        if collecting:
            gc.enable()
    assert full < 8 * quarter + 0.02, (quarter, full)


def test_a_link_with_thousands_of_addresses_is_read_in_linear_time() -> None:
    _grows_linearly(lambda n: list(html_references("<link rel=stylesheet" + " href=a.css" * n)))


def test_a_srcset_of_spaces_is_read_in_linear_time() -> None:
    # passes the cleaning of content, so any editor can write it
    _grows_linearly(
        lambda n: list(html_references('<img srcset="a.png 1x,' + " " * 5 * n + ',b.png 2x">'))
    )


@pytest.mark.parametrize("url", ["https://[evil.example/a.png", "//[x/a.png", "http://[::1"])
def test_an_address_with_a_broken_host_is_no_traceback(tmp_path: Path, url: str) -> None:
    html = f'<img src="{url}"><img srcset="{url} 1x"><a href="{url}">x</a>'
    fixed, found = replace_remote_embeds(html, str, tags.read(html))
    assert found and url not in fixed.replace(f'href="{url}"', "")
    assert is_external(url)
    assert make_portable(url, "", lambda path: False) == url
    assert split_url(url).scheme in ("https", "http", "")
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    assert check_output(tmp_path)  # reported, not raised


def test_the_not_found_page_may_anchor_its_links_to_the_town(tmp_path: Path) -> None:
    """The theme's 404.html, served by a web server at any depth, anchors its links to
    the town's web address with ``<base href>``: that is its design, not a load."""
    page = '<base href="https://town.example.org/"><a href="index.html">Home</a>'
    (tmp_path / "404.html").write_text(page, encoding="utf-8")
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "404.html").with_name("other.html").write_text(
        '<base href="javascript:alert(1)//">', encoding="utf-8"
    )
    assert remote_loads(page, base_allowed=True) == []
    reported = {f.file for f in check_output(tmp_path) if "another website" in f.en}
    assert reported == {"index.html"}
