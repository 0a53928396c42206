"""Raw HTML in content: the editors' checks report, with file and line, exactly what the
build removes (``gardarika.render.sanitize``, ``gardarika.checks.rawhtml``, the
``safe_html`` plugin)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from projects import write

from gardarika.checks.lint import lint_town
from gardarika.checks.rawhtml import may_need_cleaning, removals_in, to_html
from gardarika.config.network import load_town
from gardarika.render.sanitize import DROPPED_WITH_CONTENT, clean, removals

HEADER = "Title: Проверка\nDate: 2024-03-01 10:00\n\n"  # the text starts on line 4

ARTICLE = (
    HEADER
    + """\
Обычный абзац.
<p onclick="steal()">Нажмите</p>

<script>steal()</script>

[ссылка](javascript:steal()) и ![картинка](data:image/png;base64,AAAA)

<form action="https://evil.example.org/"><input name="pw"></form>

<div style="background: url(https://evil.example.org/t.png)">фон</div>

```html
<script>in a code block</script>
```

    <script>in an indented block</script>

Код `<script>` в строке и `<a href="javascript:x()">` тоже.

<iframe src="https://www.youtube.com/embed/abc" onload="steal()"></iframe>

<iframe src="files/map.html"></iframe>

Абзац
{: onmouseover="steal()" }

!!! note "Заметка"
    <object data="files/x.swf"></object>
"""
)

#: (line, start of the English message) of each removal in ARTICLE
EXPECTED = [
    (5, "the attribute onclick= of <p> was removed: pages may not run scripts"),
    (
        7,
        "a <script> was removed: pages may not run scripts from content; ask the network "
        "maintainer if this town really needs it (trust_html)",
    ),
    (9, "the address “data:image/png;base64,AAAA” in src= of <img> was removed"),
    (9, "the address “javascript:steal()” in href= of <a> was removed"),
    (11, "a <form> was removed with its contents: a static site has no server"),
    (13, "the style= of <div> was removed"),
    (25, "an <iframe> was removed with its contents"),
    (28, "the attribute onmouseover= of <p> was removed"),
    (31, "an <object> was removed with its contents"),
]


def town_problems(root: Path) -> list[tuple[int | None, str, str]]:
    town = load_town(root / "sites" / "alpha.yaml", root)
    return [
        (p.line, p.en, p.ru)
        for p in lint_town(town, root)
        if p.file == "content/alpha/articles/check.md"
    ]


def test_lint_reports_each_removal_with_its_line(network: Path) -> None:
    write(network / "content/alpha/articles/check.md", ARTICLE)
    write(network / "content/alpha/files/map.html", "<p>map</p>")
    found = town_problems(network)
    assert [
        (line, en[: len(start)]) for (line, en, _), (_, start) in zip(found, EXPECTED, strict=False)
    ] == EXPECTED, found
    assert len(found) == len(EXPECTED), found
    russian = {line: ru for line, _, ru in found}
    assert russian[7].startswith("<script> удалён: страницы не могут запускать программы")
    assert "(trust_html)" in russian[7]
    # code is text, not HTML; a remote frame is offline_output's (a link, reported there)
    assert not {line for line, _, _ in found} & {15, 16, 17, 19, 21, 23}


def test_trusted_town_gets_no_reports(network: Path) -> None:
    with (network / "sites/network.yaml").open("a", encoding="utf-8") as settings:
        settings.write("trust_html: [alpha]\n")
    write(network / "content/alpha/articles/check.md", ARTICLE)
    write(network / "content/alpha/files/map.html", "<p>map</p>")
    assert town_problems(network) == []


def test_title_and_summary_are_checked(network: Path) -> None:
    write(
        network / "content/alpha/articles/check.md",
        "Title: Праздник <img src=x onerror=steal()>\nDate: 2024-03-01 10:00\n"
        'Summary: Кратко <a href="vbscript:x">здесь</a>\n\nТекст.\n',
    )
    found = [(line, en[:30]) for line, en, _ in town_problems(network)]
    assert found == [(1, "the attribute onerror= of <img"), (3, "the address “vbscript:x” in hr")]


# Markdown texts, each with what the build removes; the agreement test below checks
# that the policy's scanner and nh3's actual output agree on every one.
AGREEMENT = [
    ('<p onclick="x()" title="t">a</p>', [("p", "onclick")]),
    ("<script>alert(1)</script>", [("script", None)]),
    ("<SCRIPT SRC=files/x.js></SCRIPT>", [("script", None)]),
    ("<noscript><p>no</p></noscript>", [("noscript", None)]),
    ("[a](javascript:alert(1))", [("a", "href")]),
    ("[a](JaVaScRiPt:alert(1))", [("a", "href")]),
    ('<a href="java&#x09;script:alert(1)">a</a>', [("a", "href")]),
    ('<a href="  javascript:alert(1)">a</a>', [("a", "href")]),
    ("[a][r]\n\n[r]: vbscript:msgbox", [("a", "href")]),
    ("![a](data:image/png;base64,AAAA)", [("img", "src")]),
    ('<img src="a.png" srcset="a.png 1x, data:x 2x">', [("img", "srcset")]),
    ('<video poster="javascript:x()" controls></video>', [("video", "poster")]),
    ('<blockquote cite="javascript:x()">q</blockquote>', [("blockquote", "cite")]),
    ('<object data="x.swf"><embed src="x.swf"></object>', [("object", None)]),
    ('<embed src="x.swf">', [("embed", None)]),
    ('<iframe src="map.html"><p>fallback</p></iframe>', [("iframe", None)]),
    ('<form action="search.html"><input name="q"><button>Go</button></form>', [("form", None)]),
    ('<input type="text" name="q"> <input type="checkbox" checked>', [("input", None)]),
    (
        "<select><option>a</option></select> <textarea>t</textarea>",
        [("select", None), ("textarea", None)],
    ),
    ("<style>p { color: red }</style>", [("style", None)]),
    ('<p style="color: red; text-align: center">ok</p>', []),
    ('<p style="background: URL( http://x/y.png )">a</p>', [("p", "style")]),
    ('<p style="width: expression(alert(1))">a</p>', [("p", "style")]),
    ('<p style="background: u\\72l(x.png)">a</p>', [("p", "style")]),
    ('<base href="https://evil.example.org/">', [("base", None)]),
    ('<meta http-equiv="refresh" content="0; url=https://evil.example.org/">', [("meta", None)]),
    ('<link rel="stylesheet" href="files/x.css">', [("link", None)]),
    ('<svg><circle r="1" onload="x()"/></svg>', [("svg", None)]),
    ("<math><mi>x</mi></math>", [("math", None)]),
    ("<marquee>hi</marquee> <font color=red>red</font>", [("marquee", None), ("font", None)]),
    ('<p data-x="1" hidden>a</p>', [("p", "data-x"), ("p", "hidden")]),
    ('<img src="a.png" onerror="x()" alt="a">', [("img", "onerror")]),
    ('Para\n{: onclick="x()" }', [("p", "onclick")]),
    ("# Heading {hidden}", [("h1", "hidden")]),
    ('<div markdown="1">*a* <span onclick="x()">b</span></div>', [("span", "onclick")]),
    ('Text[^1]\n\n[^1]: <b onclick="x()">note</b>', [("b", "onclick")]),
    (
        '<a href="{static}/images/a.png" rel="nofollow" target="_blank">a</a> '
        '<a href="mailto:a@b.org">m</a> <a href="tel:+7">t</a> <a href="#x">f</a> '
        '<a href="//example.org/">p</a>',
        [],
    ),
    ("| a | b |\n|:-|-:|\n| 1 | 2 |", []),
    ("- [x] done\n- [ ] to do", []),
    ('<table><tr><td colspan="2" rowspan="3" align="right">x</td></tr></table>', []),
    ("```\n<script>x</script>\n```\n\n`<b onclick=x>`", []),
    ('<iframe src="https://www.youtube.com/embed/x" onload="x()"></iframe>', []),
    ("<!-- a comment --><p>a</p>", []),
]


class _Elements(HTMLParser):
    """Elements and their attributes in order, skipping what lies inside elements the
    policy drops with their contents (those are not separate removals)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []
        self.inside: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.inside:
            if tag == self.inside[-1]:
                self.inside.append(tag)
            return
        if tag == "tbody":  # added by the parser of nh3 where it is implied
            return
        self.found.append((tag, {k: v or "" for k, v in reversed(attrs)}))
        if tag in DROPPED_WITH_CONTENT and tag not in ("embed", "base", "meta", "link"):
            self.inside.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.inside:
            self.found.append((tag, {k: v or "" for k, v in reversed(attrs)}))

    def handle_endtag(self, tag: str) -> None:
        if self.inside and tag == self.inside[-1]:
            self.inside.pop()


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def observed(before: str, after: str) -> list[tuple[str, str | None]]:
    """What nh3 really removed: elements missing from ``after`` (matched in order) and
    the attributes missing from the elements that stayed."""
    old, new = elements(before), elements(after)
    gone: list[tuple[str, str | None]] = []
    position = 0
    for tag, attrs in old:
        kept = new[position][1] if position < len(new) else {}
        if (
            position < len(new)
            and new[position][0] == tag
            and all(attrs.get(name) == value for name, value in kept.items())
        ):
            gone += [(tag, name) for name in attrs if name not in kept]
            position += 1
        else:
            gone.append((tag, None))
    assert position == len(new), (before, after)
    return gone


@pytest.mark.parametrize(("text", "expected"), AGREEMENT, ids=[c[0][:40] for c in AGREEMENT])
def test_reported_equals_removed(text: str, expected: list[tuple[str, str | None]]) -> None:
    html = to_html(text)
    reported = [(r.element, r.attribute) for r in removals(html)]
    assert Counter(reported) == Counter(expected), html
    assert Counter(observed(html, clean(html))) == Counter(expected), clean(html)
    # the quick test before converting never skips a text with something to remove
    assert [(r.element, r.attribute) for r in removals_in(text)] == reported
    if expected:
        assert may_need_cleaning(text)


def test_references_that_stand_for_text_do_not_make_a_text_suspect() -> None:
    """Pasted text is full of &quot; and &nbsp;: converting it to look for removals
    would be wasted. References that could spell markup or an address still count."""
    assert not may_need_cleaning("Он сказал &quot;да&quot;&nbsp;&mdash; и ушёл &amp; всё.")
    for text in (
        "[x](javascript&#58;alert(1))",
        "[x](javascript&colon;alert(1))",
        "&#60;script&#62;",
        "&lt;b&gt; и <b>",
        "&quot; \\<script>",
    ):
        assert may_need_cleaning(text), text


def test_clean_is_stable_and_keeps_placeholders() -> None:
    html = to_html(
        '![a]({static}/images/a.png) [b]({filename}b.md#part) <a href="|filename|c.md">c</a>'
    )
    cleaned = clean(html)
    assert (
        'src="{static}/images/a.png"' in cleaned
        and 'href="{filename}b.md#part"' in cleaned
        and 'href="|filename|c.md"' in cleaned
    )
    assert clean(cleaned) == cleaned


def test_script_in_an_article_builds_without_it_and_is_reported(
    network: Path, build_network
) -> None:
    write(
        network / "content/alpha/articles/script.md",
        HEADER
        + """\
        Скрипт удаляется.

        <script>document.title = "pwned"</script>

        <p onclick="steal()">Нажмите</p>
    """.replace("        ", ""),
    )
    report = build_network(network)
    assert report.ok, report.log
    log = report.log
    assert "content/alpha/articles/script.md:6: warning: a <script> was removed" in log
    assert "content/alpha/articles/script.md:6: предупреждение: <script> удалён" in log
    assert "content/alpha/articles/script.md:8: warning: the attribute onclick=" in log
    page = next(
        p
        for p in (network / "output/alpha").glob("*.html")
        if "Скрипт удаляется" in p.read_text(encoding="utf-8")
    )
    html = page.read_text(encoding="utf-8")
    assert "pwned" not in html and "steal()" not in html
    assert "<p>Нажмите</p>" in html


def test_a_build_reports_what_invoke_lint_reports_converting_each_text_once(
    network: Path, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before a build the checks leave the HTML to the build, which converts each text
    anyway: its warnings are the ones ``invoke lint`` gives, line for line, in both
    languages, and the checks never convert a text (the builds run in forks of this
    process, so a conversion there would be noted in the file)."""
    import gardarika.checks.lint

    # (a build refuses to publish an HTML file: the frame shows a PDF here)
    write(
        network / "content/alpha/articles/check.md",
        ARTICLE.replace("files/map.html", "files/map.pdf"),
    )
    write(network / "content/alpha/files/map.pdf", "%PDF-1.4\n")
    expected = [
        problem
        for problem in town_problems(network)
        if any(problem[1].startswith(start) for _, start in EXPECTED)
    ]
    assert len(expected) == len(EXPECTED)
    converted = network / "converted-by-the-checks"

    def noting(text: str) -> list[object]:
        with converted.open("a", encoding="utf-8") as note:
            note.write("converted\n")
        return []

    monkeypatch.setattr(gardarika.checks.lint, "removals_in", noting)
    report = build_network(network)
    assert report.ok, report.log
    assert not converted.exists()
    shown = "content/alpha/articles/check.md"
    for line, en, ru in expected:
        assert f"{shown}:{line}: warning: {en}" in report.log, (line, en, report.log)
        assert f"{shown}:{line}: предупреждение: {ru}" in report.log, (line, ru)
    removed = [
        line
        for line in report.log.splitlines()
        if line.startswith(shown) and any(start in line for _, start in EXPECTED)
    ]
    assert len(removed) == len(expected), removed  # each once


def test_escaped_markup_in_titles_and_summaries_stays_text(network: Path, build_network) -> None:
    # no "<" for the cleaner to see, but the theme's striptags turns entities back into
    # markup: each title, description and heading must be escaped again
    write(
        network / "content/alpha/articles/entities.md",
        (
            "Title: Итоги &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;\n"
            "Date: 2024-01-01\n"
            'Summary: Кратко `"><script>alert(2)</script>`\n\nТекст.\n'
        ),
    )
    report = build_network(network)
    assert report.ok, report.log
    pages = "".join(
        p.read_text(encoding="utf-8") for p in (network / "output/alpha").rglob("*.html")
    )
    assert "<script>alert(" not in pages
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages


FRAGMENTS = [
    "<p>",
    "</p>",
    "<div class='a'>",
    "</div>",
    "<a href='{static}/a.png'>",
    "</a>",
    "<a href='javascript:x()'>",
    "<a href=' JAVA\tSCRIPT:x()'>",
    "<a href='data:text/html,x'>",
    "<img src=x onerror=alert(1)>",
    "<img srcset='a.png 1x, javascript:x 2x'>",
    "<script>",
    "</script>",
    "<style>",
    "</style>",
    "<iframe src=m.html>",
    "</iframe>",
    "<form action=//evil>",
    "</form>",
    "<input type=text>",
    "<input type=checkbox checked>",
    "<svg onload=x()>",
    "</svg>",
    "<math>",
    "<object data=x>",
    "<embed src=x>",
    "<base href=//evil/>",
    "<meta http-equiv=refresh content='0;url=//evil'>",
    "<link rel=stylesheet href=x.css>",
    "<p style='background:url(//evil/t.png)'>",
    "<span style='color:red' onclick=x() data-x=1 aria-label=l>",
    "</span>",
    "<!-- c -->",
    "<![CDATA[x]]>",
    "<marquee>",
    "<table><tr><td colspan=2>",
    "</td></tr>",
    "text",
    " & ",
    "<",
    ">",
    '"',
    "'",
    "=",
    "on",
    "click",
    "<b",
    "<scr",
    "ipt>",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25))
def test_clean_output_has_nothing_left_to_remove(parts: list[str]) -> None:
    html = "".join(parts)
    cleaned = clean(html)
    assert removals(cleaned) == [], cleaned
    # (not "clean(cleaned) == cleaned": "<p><marquee><p>" gives "<p><p></p></p>", whose
    # elements a second parse nests differently; nothing more is removed, though)
    lowered = cleaned.lower()  # nh3 escapes "<" in text: each of these would be a tag
    for forbidden in (
        "<script",
        "<iframe",
        "<form",
        "<style",
        "<svg",
        "<object",
        "<embed",
        "<base",
        "<meta",
        "<link",
        '<input type="text',
    ):
        assert forbidden not in lowered, cleaned


SIMPLE = [
    *FRAGMENTS,
    "<p>",
    '<a href="x.html">',
    '<a href="javascript:x()">',
    '<img src="a.png" alt="a">',
    '<img src="a.png" onerror="x()">',
    '<td align="left">',
    '<a href="data:text/html,x">',
    '<span style="color:red">',
    '<span style="background:url(x)">',
    "<p>text &amp; more</p>",
    "<!-- c -->",
    '<a href="&#106;avascript:x()">',
    '<input type="text">',
    "<P>",
    "<em>",
    "</em>",
]


@given(st.lists(st.sampled_from(SIMPLE), max_size=20))
@settings(max_examples=300)
def test_the_quick_path_of_removals_never_misses_one(parts: list[str]) -> None:
    """``removals`` skips the full scan when every tag is plainly allowed: then the full
    scan (and nh3) must find nothing to remove either."""
    from gardarika.render.sanitize import _Scanner, _surely_nothing_removed

    html = "".join(parts)
    if _surely_nothing_removed(html):
        scanner = _Scanner()
        scanner.feed(html)
        scanner.close()
        assert scanner.removals == [], html
        assert removals(html) == []


@given(st.lists(st.sampled_from([*SIMPLE, "&quot;", "&lt;b&gt;", "&#60;script&#62;"]), max_size=20))
@settings(max_examples=400)
def test_a_text_the_cleaning_kept_whole_had_nothing_removed(parts: list[str]) -> None:
    """The build skips looking for removals when the cleaned text reads the same as the
    text (entities read): then there must be none."""
    from safe_html import _same_text

    html = "".join(parts)
    if _same_text(html, clean(html)):
        assert removals(html) == [], html


def test_a_text_markdown_gives_up_on_does_not_spoil_the_next() -> None:
    """A text too deep for Markdown stops its converter half-way, in a list; the checks
    convert the next text with the same converter, which must not still be in there
    (the next text's links and raw HTML came out as escaped text: no removal seen)."""
    with pytest.raises(RecursionError):
        to_html("- " * 1500 + "x\n")
    assert to_html("[a](javascript:alert(1))") == '<p><a href="javascript:alert(1)">a</a></p>'
    assert [(r.element, r.attribute) for r in removals_in("[a](javascript:alert(1))")] == [
        ("a", "href")
    ]


def test_an_unchanged_text_is_not_cleaned_again(
    network: Path, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cleaning's results are kept between runs by the digest of what was cleaned:
    rebuilding a town whose texts did not change cleans none of them again."""
    import gardarika.render.sanitize

    write(
        network / "content/alpha/articles/long.md",
        HEADER + "Длинный текст. " * 200 + '\n\n<p class="note">Заметка</p>\n',
    )
    assert build_network(network, ["alpha"]).ok
    cleaned = network / "cleaned-again"
    clean_now = gardarika.render.sanitize._clean

    def noting(html: str) -> str:  # the builds run in forks of this process
        if len(html) >= 2000:
            with cleaned.open("a", encoding="utf-8") as note:
                note.write("x")
        return clean_now(html)

    monkeypatch.setattr(
        gardarika.render.sanitize,
        "_clean_kept",
        gardarika.build.memo.kept("sanitize.clean", noting),
    )
    assert build_network(network, ["alpha"], skip_unchanged=False).ok
    assert not cleaned.exists()
