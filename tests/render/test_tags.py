"""The one tag reader: tags read as a browser reads them, once for every pass."""

from __future__ import annotations

import pytest

from gardarika.render import tags
from gardarika.render.embeds import EMBEDS, replace_remote_embeds
from gardarika.render.images import ProcessedImage, annotate_images
from gardarika.render.links import html_references, rewrite_html
from gardarika.render.tags import CONTAINERS, Page


def _names(page: Page) -> list[str]:
    return [tag.name for tag in page.tags]


def test_attributes_as_written_and_as_read() -> None:
    html = """<a HREF="a&amp;b.html" title='it&#39;s' data-x=bare hidden>t</a>"""
    (tag,) = tags.read(html).tags
    assert tag.name == "a"
    assert [a.name for a in tag.attributes] == ["href", "title", "data-x", "hidden"]
    href = tag.first("href")
    assert href is not None
    assert href.value == "a&b.html"
    assert href.raw == "a&amp;b.html"
    assert html[href.value_start : href.value_end] == "a&amp;b.html"
    assert html[href.start : href.end] == 'HREF="a&amp;b.html"'
    assert tag.attrs["title"] == "it's"
    hidden = tag.first("hidden")
    assert hidden is not None and hidden.value == "" and hidden.value_start == -1
    assert html[tag.start : tag.end] == html[: html.index(">") + 1]


def test_the_first_of_repeated_attributes_is_the_one_used() -> None:
    (tag,) = tags.read('<img src="a.png" src="b.png">').tags
    assert tag.attrs["src"] == "a.png"
    assert [a.value for a in tag.attributes if a.name == "src"] == ["a.png", "b.png"]


def test_a_quoted_value_may_hold_a_closing_bracket() -> None:
    (tag,) = tags.read('<img alt="a > b" src="x.png"><p>').tags
    assert tag.attrs == {"alt": "a > b", "src": "x.png"}


def test_a_quote_that_never_ends_takes_the_rest_of_the_page() -> None:
    html = '<a href="x.html>text <img src=y.png> more'
    page = tags.read(html)
    assert _names(page) == ["a"]
    assert not page.tags[0].ended
    assert page.tags[0].end == len(html)


def test_comments_and_bogus_comments_are_not_tags() -> None:
    html = '<!-- <img src="a.png"> --><!doctype html><? <img src=b.png> ?></ <img src=c.png>'
    assert _names(tags.read(html)) == []


def test_a_comment_that_never_ends_hides_the_rest() -> None:
    assert _names(tags.read('<p class=a>x<!-- <img src="a.png">')) == ["p"]


def test_tags_without_attributes_are_passed_over_but_players_and_texts() -> None:
    html = "<p>text <em>x</em></p><video><source src=a.mp4></video><script>1</script>"
    assert _names(tags.read(html)) == ["video", "source", "script"]


def test_script_and_style_text_is_noted() -> None:
    html = "<style>a{background:url(x.png)}</style><script>var a = 1;</script>"
    page = tags.read(html)
    texts = [(t.name, html[t.start : t.end]) for t in page.texts]
    assert texts == [("style", "a{background:url(x.png)}"), ("script", "var a = 1;")]


def test_a_script_text_ends_where_a_browser_ends_it() -> None:
    html = "<script><!-- <script> </script> x </script><p class=after>"
    page = tags.read(html)
    (text,) = page.texts
    assert html[text.start : text.end] == "<!-- <script> </script> x "
    assert "p" in _names(page)


def test_text_of_scripts_is_also_read_as_tags() -> None:
    # inside <svg> or <noscript> a browser reads the same text as tags
    html = '<svg><style><img src="https://evil.example/a.png"></style></svg>'
    assert "img" in _names(tags.read(html))


def test_closing_tags_of_containers_are_found_by_position() -> None:
    html = "<video src=a.mp4></video><p>x</p><video src=b.mp4>t</video>"
    page = tags.read(html)
    first, second = (t for t in page.tags if t.name == "video")
    assert page.closing("video", first.end) == (first.end, first.end + len("</video>"))
    start, end = page.closing("video", second.end) or (0, 0)
    assert html[start:end] == "</video>"
    assert page.closing("video", len(html)) is None


def test_where_something_added_to_a_tag_goes() -> None:
    for html, expected in (
        ('<img src="a.png" />', '<img src="a.png"'),
        ("<img src=a/>", "<img src=a/"),
        ("<img>", "<img"),
        ("<img\n  src='a.png'\n>", "<img\n  src='a.png'"),
    ):
        (tag,) = Page(html, frozenset({"img"})).tags
        assert html[: tag.attributes_end] == expected


@pytest.mark.parametrize(
    "html",
    [
        '<p><img src="https://a.example/x.png" alt="a"></p>',
        "<video><source src=https://v.example/a.mp4></video><iframe src=//x.example/>",
        '<script>document.write("<img src=https://x.example/a.png>")</script>',
        '<noscript><iframe src="https://x.example/"></iframe></noscript><p class=a>x</p>',
        '<svg><style><img src="https://evil.example/a.png"></style></svg>',
        '<a href="x>never <img src=https://x.example/a.png>',
        "<textarea><img src=https://x.example/a.png></textarea><link rel=stylesheet href=//c/x>",
        "<video src=a.mp4><video><video>" * 50,
    ],
)
def test_one_reading_finds_what_each_pass_reads_alone(html: str) -> None:
    """The shared reading (every tag with attributes) finds the same loading tags as a
    reading of those tags alone, and the passes give the same results from either."""
    shared = tags.read(html)
    alone = Page(html, frozenset(EMBEDS), CONTAINERS)
    assert [(t.name, t.start, t.end) for t in shared.tags if t.name in EMBEDS] == [
        (t.name, t.start, t.end) for t in alone.tags
    ]
    assert shared.closings == alone.closings
    assert replace_remote_embeds(html, str, shared) == replace_remote_embeds(html, str)
    assert list(html_references(html, shared)) == list(html_references(html))


def test_a_url_read_as_a_tag_and_as_a_script_string_is_rewritten_once() -> None:
    html = """<script>document.write('<a href="/news/">x</a>')</script>"""
    fixed = rewrite_html(html, lambda url: url.strip("/") + "/index.html")
    assert fixed == """<script>document.write('<a href="news/index.html">x</a>')</script>"""


def test_links_of_a_tag_with_a_stray_quoted_word_are_still_found() -> None:
    # browsers read `"y"` as an attribute named `"y"`: the links after it still count
    urls = [ref.url for ref, _, _ in html_references('<a href="x.html" "y" href=b.html>k</a>')]
    assert urls == ["x.html", "b.html"]


def test_references_come_in_the_order_of_the_page_with_their_lines() -> None:
    html = '<p style="background:url(a.png)">\n<style>b{x:url(b.png)}</style>\n<a href=c.html>'
    found = [(ref.url, ref.line) for ref, _, _ in html_references(html)]
    assert found == [("a.png", 1), ("b.png", 2), ("c.html", 3)]


def _picture(width: int = 800, variants: tuple[int, ...] = (480,)) -> ProcessedImage:
    return ProcessedImage(
        width=width, height=600, format="jpeg", suffix=".jpg", size=1, variants=list(variants)
    )


def test_pictures_are_described_from_the_shared_reading() -> None:
    html = '<p><img src="images/a.jpg" alt="A"/></p><img src=b.jpg>'
    page = tags.read(html)
    out = annotate_images(
        html, lambda src: _picture() if src == "images/a.jpg" else None, page=page
    )
    assert out.startswith(
        '<p><img src="images/a.jpg" alt="A" width="800" height="600" loading="lazy" '
        'decoding="async" srcset="images/a-480w.jpg 480w, images/a.jpg 800w" '
        'sizes="(max-width: 44rem) 100vw, 42rem"/></p>'
    )
    assert out.endswith("<img src=b.jpg>")
    assert out == annotate_images(html, lambda src: _picture() if src == "images/a.jpg" else None)


def test_a_picture_keeps_what_it_has() -> None:
    html = '<img src="a.jpg" width="10" srcset="a-1.jpg 1x">'
    out = annotate_images(html, lambda src: _picture())
    added = ' height="600" loading="lazy" decoding="async"'
    assert out == html.replace('1x"', '1x"' + added)


def test_a_picture_in_a_comment_is_left_alone() -> None:
    html = '<!-- <img src="a.jpg"> -->'
    assert annotate_images(html, lambda src: _picture()) == html
