"""Red-team round 4: today's typesetters, the quick pre-tests of the cleaning reports,
the helpers that read a town ahead (gardarika.build.prefetch) and the build's removal reports.

Each test fails where a real problem was found; its docstring says what the attack is.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
import time
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from benchmarks.longform import generate_longform
from gardarika.build import prefetch
from gardarika.build.builder import Builder
from gardarika.checks.rawhtml import may_need_cleaning, may_nest_too_deep, removals_in, to_html
from gardarika.render.english_typography import typeset as typeset_en
from gardarika.render.russian_typography import typeset as typeset_ru
from gardarika.render.sanitize import _surely_nothing_removed, clean, removals

TYPESETTERS = {"ru": typeset_ru, "en": typeset_en}


def _elements(html: str) -> list[tuple[str, tuple[tuple[str, str | None], ...]]]:
    """Every element with its attributes, as a browser (lexbor) builds them."""
    tree = LexborHTMLParser("<!DOCTYPE html><body>" + html)
    return [
        (node.tag, tuple(sorted(node.attributes.items())))
        for node in tree.body.traverse()
        if node.tag != "-text"
    ]


def _raw_texts(html: str, tag: str) -> list[str]:
    tree = LexborHTMLParser("<!DOCTYPE html><body>" + html)
    return [node.text(deep=True) for node in tree.css(tag)]


# --- 1. typesetters -----------------------------------------------------------------


@pytest.mark.parametrize(
    "lang,html",
    [
        # English: the quotes after the early "end" become curly; lexbor then ends the
        # title at the quote of class="a", and the <img> that was text of data-x is live
        (
            "en",
            '<p><code><b title="</code>" data-x=\'<i class="a">'
            "<img src=x onerror=alert(1)>'>x</b></code></p>",
        ),
        # Russian: an open « before the code makes the attribute's closing quote a »
        (
            "ru",
            '<p>"<code><b title="</code>x" data-x=\'<i class="a">'
            "<img src=x onerror=alert(1)>'>y</b></code>\"</p>",
        ),
        # an ordinary editor's snippet: an abbreviation explaining </code>
        *[
            (
                lang,
                '<p>Код: <code><abbr title="</code> — закрывающий тег">тег</abbr></code>, '
                '"пример" <a href="/a">ссылка</a> и "ещё".</p>',
            )
            for lang in ("en", "ru")
        ],
    ],
)
def test_typesetter_never_rewrites_attribute_quotes_inside_code(lang: str, html: str) -> None:
    """Attack: ``end_of`` finds the end of ``<code>``/``<pre>``/``<kbd>`` by searching the
    raw text for ``</code``, also inside an attribute value of a tag within the code
    (``<code><b title="</code>" …>``). The scan then resumes in the middle of that tag and
    typesets its quotes as prose: the value's closing ``"`` becomes ``”``/``»``, the browser
    reads a different tag, text inside the attribute becomes markup (an
    ``<img onerror=…>`` appears) and the rest of the text is swallowed into an attribute.
    In a ``trust_html`` town this is live markup the author never wrote; elsewhere nh3
    cleans it but the page is mangled. Severity: high (the typesetters' one security
    property: tags and attributes never change)."""
    typeset = TYPESETTERS[lang]
    out = typeset(html)
    assert _elements(out) == _elements(html), out


@pytest.mark.parametrize(
    "html,tag",
    [
        # <script/> is not self-closing in HTML: the script runs to </script>
        ("<script/>var s = \"a -- b\"; f('x');</script><p>text</p>", "script"),
        ('<script type=text/javascript/>var s = "a";</script>', "script"),
        ('<textarea/>"a" -- b</textarea>', "textarea"),
        ('<p><code/> "a" -- b...</code></p>', "code"),
        # Python's re.I folds ſ (U+017F) to s; a browser's end tag is ASCII-only
        ('<script>var a = 1; // </ſcript>\nvar s = "x" -- "y";</script>', "script"),
        ('<style>p{} /* </ſtyle> */ a::after{content:"x -- y"}</style>', "style"),
        # a raw-text element inside code keeps going past </code>
        ('<p><code><script></code> "a" -- b</script></p>', "script"),
    ],
)
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_typesetter_leaves_script_style_and_code_text_alone(lang: str, html: str, tag: str) -> None:
    """Attack: the typesetter decides where a skipped element ends differently from a
    browser: (1) a start tag ending in ``/>`` (``<script/>``, ``<script type=x/>``,
    ``<code/>``) is taken as self-closing, but HTML ignores the flag on these elements;
    (2) the end tag is searched with ``re.I``, so ``</ſcript>`` (long s) or ``</Kbd>``
    (Kelvin sign) end it, while a browser's end tag is ASCII only; (3) ``<code><script>``
    ends at ``</code>`` though the browser is inside the script. Quotes, dashes and
    spaces inside the script/style/textarea/code text are then rewritten (scripts break
    in ``trust_html`` towns, code samples change). Severity: medium."""
    out = TYPESETTERS[lang](html)
    assert _raw_texts(out, tag) == _raw_texts(html, tag), out


@pytest.mark.parametrize(
    "text",
    [
        "а" + " " * 40_000 + "б",  # a run of spaces (or tabs, no-break)
        "а" + "\u00a0" * 40_000 + "б",
        "123 " * 10_000 + "1234",  # groups of three digits not closing
    ],
)
def test_russian_typesetter_is_linear(text: str) -> None:
    """Attack: the Russian ``dash`` rule ``[ \\t\\xa0][ \\t\\xa0]*+(?:---?|-|[—–])`` is tried
    at every space of a run and reads the whole run each time; ``number`` tries
    ``_THOUSANDS`` from every 3-digit group of ``123 123 … 1234`` and reads to the end
    each time. Both are quadratic: 40 KB take 2.4 s, 160 KB 40 s (English: 8 ms), so a
    150 KB text of spaces or numbers runs out of its time budget and fails its town with
    the "something read very slowly" message. Severity: medium (DoS of a town, slow
    builds)."""
    start = time.perf_counter()
    typeset_ru(text)
    seconds = time.perf_counter() - start
    assert seconds < 0.5, f"40 KB took {seconds:.1f} s"


# --- 2. what the checks and the build report --------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[programme](https://example.org:99999/)\n",  # port out of range
        "[map](<http://exa mple.org/map>)\n",  # a space in the host
        "see http://[::1/ for the test server\n",  # autolinked, bad IPv6
        '<p><a href="http://%zz/">x</a></p>\n',
    ],
)
def test_a_link_nh3_drops_is_reported(text: str) -> None:
    """Attack: nh3 (ammonia) parses every href/src with the url crate and drops the
    attribute when parsing fails for any reason but "relative URL" (bad port, space or
    ``%`` in the host, broken IPv6…), even for http(s). The policy's own test
    (``url_allowed``: the scheme is http) allows it, so ``_surely_nothing_removed`` is
    True, ``removals`` is empty, and nothing is reported: the editor's link silently
    becomes ``<a>`` with no address. Severity: low (a missed report)."""
    html = to_html(text)
    dropped = _elements(html) != _elements(clean(html))
    assert dropped  # nh3 did remove something
    assert _surely_nothing_removed(html) is False or removals(html), html
    assert removals_in(text), "removed but not reported"


@pytest.mark.parametrize(
    "text",
    [
        # a reference definition in a block quote or a list item
        "[click][r]\n\n> [r]: javascript:alert(1)\n",
        "![x][r]\n\n- [r]: data:text/html,x\n",
        # a label longer than the quick test's 512 characters
        "[click][{0}]\n\n[{0}]: javascript:alert(1)\n".format("a" * 600),
        # a scheme longer than its 64 characters
        "[x]({}:payload)\n".format("a" * 70),
        # an attribute list longer than its 512 characters
        '# Head {: onclick="alert(1)" title="' + "a" * 600 + '"}\n',
    ],
)
def test_may_need_cleaning_sees_every_removal(text: str) -> None:
    """Attack: ``may_need_cleaning`` decides whether a text is converted at all for the
    reports (checks, and now the build's ``_report_lines``). It misses: ``ftp://``
    addresses in prose (gardarika.content.autolink links them, the policy removes the href: the
    commonest case), reference definitions inside ``>`` or list items (its ``^\\s{0,3}\\[``
    anchor), labels over 512 characters, schemes over 64 characters and ``{: …}``
    attribute lists over 512 characters (Markdown has no such limits). Each gives a
    removal (``onclick``, ``javascript:``) that nobody is told about. Severity: low to
    medium (cleaned, but silently)."""
    assert removals(to_html(text))  # the build removes something…
    assert may_need_cleaning(text)  # …so the quick test must say so


def test_an_ftp_address_is_not_made_a_link_the_cleaning_would_break() -> None:
    """Attack (found): autolink made ``ftp://`` a link whose href the policy removes, and
    nobody was told. Fixed by not linking schemes the policy does not allow."""
    html = to_html("The files are at ftp://example.org/pub/report.zip as before.\n")
    assert "<a" not in html and not removals(html)


@pytest.mark.parametrize(
    "text",
    [
        "+ " * 1000 + "x\n",
        "1. " * 1000 + "x\n",
        "- " * 1000 + "x\n",
        '<div markdown="1">a\n' * 1000 + "x\n" + "</div>\n" * 1000,
    ],
)
def test_may_nest_too_deep_sees_recursion(text: str) -> None:
    """Attack: a list marker repeated on one line (``+ + + … x``, ``1. 1. … x``) nests
    lists by recursion, 1000 deep in 2-3 KB; so does ``<div markdown="1">`` with a word
    after each tag. None is a run of one of ``*_[]>~=``` ``, 400 spaces of indentation or
    200 tags with only spaces between, so ``may_nest_too_deep`` says no, the build's
    checks skip the conversion, and the RecursionError comes from the build instead
    (without the line). Severity: low."""
    with pytest.raises(RecursionError):
        to_html(text)
    assert may_nest_too_deep(text)


def test_marker_run_is_the_plain_rule_written_fast() -> None:
    """The list-marker run test is written for speed (it starts with the marker's first
    character); on lines of markers, numbers, dots, brackets and spaces of every kind it
    finds exactly what the plain form of the rule finds, where it finds it."""
    import random
    import re

    from gardarika.checks.rawhtml import _MARKER_RUN

    plain = re.compile(r"(?<![-+*.)][ \t])(?<!\d)(?:(?:[-+*]|\d{1,9}[.)])[ \t]++){100,}")
    pieces = ["-", "+", "*", "1", "12", "123456789", "1234567890", ".", ")", " ", "\t"]
    pieces += ["a", "\n", "1.", "- ", "—"]
    markers = ["- ", "1. ", "* ", "12) ", "+\t", "123456789. "]
    rng = random.Random(15)
    found = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.choice([5, 60, 250])))
        if rng.random() < 0.6:
            run = "".join(rng.choice(markers) for _ in range(rng.choice([98, 99, 100, 101])))
            if rng.random() < 0.2:  # ten digits are no marker: the run is cut there
                cut = rng.randrange(len(run))
                run = run[:cut] + "1234567890. " + run[cut:]
            text = rng.choice(["", "a", "1", "- ", "x1", "."]) + run + text
        expected = plain.search(text)
        got = _MARKER_RUN.search(text)
        assert (got and got.span()) == (expected and expected.span()), text
        found += expected is not None
    assert found > 100  # the runs were there to find


# --- 3. helpers reading ahead -----------------------------------------------------


def _articles(project: Path) -> list[Path]:
    return sorted((project / "content" / "dolgorechye" / "articles").glob("*.md"))


def _longform(where: Path) -> Path:
    return generate_longform(where, articles=8, sizes_kb=(70, 100), large=0, pictures=1)


def _problems(project: Path, jobs: int) -> list[tuple[str, str]]:
    builder = Builder(project, jobs=jobs, echo=lambda line: None, check=False)
    report = builder.build()
    assert builder.helpers == jobs - 1
    return sorted((p.where(), p.en) for town in report.towns for p in town.problems)


def test_a_helper_keeps_the_warnings_of_its_share(tmp_path: Path) -> None:
    """Attack: a warning logged while Pelican's reader reads a text (here front_matter's
    "Duplicate definition of `title`", shown to the editor as "“title” is written more
    than once") is emitted in the helper, whose logging goes to a NullHandler; the run
    then takes the reader cache and never reads the text, so the warning is lost. The
    same town built with ``jobs=1`` reports 8 warnings, with ``jobs=2`` only the run's own
    share (4). Severity: medium (what an editor is told depends on the core count)."""
    problems = {}
    for jobs in (1, 2):
        project = _longform(tmp_path / f"p{jobs}")
        for article in _articles(project):
            text = article.read_text(encoding="utf-8")
            article.write_text(
                text.replace("Category:", "Title: Второй\nCategory:", 1), encoding="utf-8"
            )
        problems[jobs] = _problems(project, jobs)
    assert len(problems[1]) == 8
    assert problems[2] == problems[1]


def test_a_text_edited_during_a_build_is_not_kept_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attack (a race an editor hits by saving during a build): the helper reads a text,
    the editor saves a new version, then the run takes the helper's result with
    ``readers.cache_data(path, data)``, which stamps the OLD content with the file's
    CURRENT mtime. Every later build finds the stamp matching and publishes the old
    text, until the file is touched again (the second build below rebuilds the town and
    still lacks the edit). Pelican alone has the same window for milliseconds; the helper
    widens it to its whole share (seconds to a minute). Fix: hand back the stamp the
    helper saw. Severity: medium (silently stale pages)."""
    read_share = prefetch._read_share

    def then_wait(generator, content_class, files, result, parent, *meeting) -> None:  # helper
        read_share(generator, content_class, files, result, parent, *meeting)
        with open(result, "rb") as handed:
            cached, _ = pickle.load(handed)
        folder = Path(result).parent
        (folder / "share.txt").write_text(next(iter(cached)))  # a text the helper read
        for _ in range(1000):  # until the editor has saved
            if (folder / "saved").exists():
                break
            time.sleep(0.01)

    monkeypatch.setattr(prefetch, "_read_share", then_wait)
    project = _longform(tmp_path / "p")
    marker = "ПРАВКАРЕДАКТОРА"

    def editor() -> None:
        for _ in range(2000):
            notes = list((project / ".cache").rglob("share.txt"))
            path = notes[0].read_text() if notes else ""
            if path:  # (not while the helper is still writing the note)
                with open(path, "a", encoding="utf-8") as source:
                    source.write(f"\n\n{marker} сохранена во время сборки.\n")
                stat = os.stat(path)
                os.utime(path, (stat.st_atime, stat.st_mtime + 5))
                (notes[0].parent / "saved").write_text("")
                return
            time.sleep(0.01)

    thread = threading.Thread(target=editor)
    thread.start()
    assert Builder(project, jobs=2, echo=lambda line: None, check=False).build().ok
    thread.join()
    monkeypatch.setattr(prefetch, "_read_share", read_share)
    assert any(marker in p.read_text(encoding="utf-8") for p in _articles(project))
    assert Builder(project, jobs=1, echo=lambda line: None, check=False).build().ok
    published = [
        p for p in (project / "output").rglob("*.html") if marker in p.read_text(encoding="utf-8")
    ]
    assert published, "the saved edit never reaches the site"


def test_no_helper_outlives_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack: a run stopped by the time limit is killed alone (``process.kill()``); its
    helpers are not in its process group's reach and check ``getppid()`` only between
    texts, so a helper in the middle of a slow text (any text within its budget: 20 s +
    60 s/MB) keeps running after ``build()`` has returned and the lock is released,
    using a core and writing ``.prefetch-*`` into the cache of the next build. Here the
    helper's first text takes 30 s (a stand-in for such a text; the run waits for it
    when it gets there) and the run's limit is 3 s. Severity: low-medium."""
    read_share = prefetch._read_share

    def slow(generator, content_class, files, result, parent, *meeting) -> None:  # helper
        (Path(result).parent / f"helper-{os.getpid()}").write_text("")
        if meeting and meeting[0] is not None:
            assert meeting[0].helper_claims(len(files) - 1)
        time.sleep(30)
        read_share(generator, content_class, files, result, parent, *meeting)

    monkeypatch.setattr(prefetch, "_read_share", slow)
    project = _longform(tmp_path / "p")
    pids = []
    try:
        report = Builder(project, jobs=2, echo=lambda line: None, check=False, time_limit=3).build()
        assert not report.ok  # stopped by the limit
        pids = [int(p.name.split("-")[1]) for p in (project / ".cache").rglob("helper-*")]
        assert pids
        time.sleep(0.5)  # the kernel's SIGKILL on the run's death is asynchronous

        def running(pid: int) -> bool:  # a zombie (killed, not yet reaped) runs nothing
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                return False
            return state != "Z"

        alive = [pid for pid in pids if running(pid)]
        assert not alive, f"helpers {alive} still run after the build"
    finally:
        for pid in pids:  # started by this test
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


# --- 4. the build's reports -------------------------------------------------------


def test_the_build_reports_an_odd_marked_section_instead_of_failing(tmp_path: Path) -> None:
    """Attack: ``<div><![x[</div>`` (a marked section with an unknown keyword) in a
    Markdown HTML block reaches ``_report_lines`` → ``removals`` → Python's HTMLParser,
    which raises ``AssertionError: unknown status keyword 'x' in marked section``. The
    exception escapes content_object_init: Pelican drops the article, the town fails
    with "this file could not be read: unknown status keyword…", while the checks said
    "no problems found" and nh3 would simply have dropped the bogus comment. One line
    in one text keeps a town from being published. Severity: medium."""
    project = generate_longform(tmp_path / "p", articles=2, sizes_kb=(5, 6), large=0, pictures=1)
    (project / "content/dolgorechye/articles/odd.md").write_text(
        "Title: Странный раздел\nDate: 2024-01-01\n\nТекст.\n\n<div><![x[</div>\n\nЕщё текст.\n",
        encoding="utf-8",
    )
    lines: list[str] = []
    report = Builder(project, jobs=1, echo=lines.append, check=True).build()
    assert report.ok, "\n".join(lines[:4])
