"""Typography by language. ``~`` in the expectations stands for a no-break space."""

from __future__ import annotations

import time
from collections.abc import Callable

import polytypo
import pytest
from polytypo.errors import POLYTYPO_MALFORMED_INPUT, PolytypoError

from gardarika.build.budget import TooSlow, time_budget
from gardarika.render import typography
from gardarika.render.typography import english, for_language, russian

RUSSIAN = [
    # quotes: «ёлочки» outside, „лапки“ inside
    ('Он сказал: "Привет"', "Он~сказал: «Привет»"),
    ('"Это "Евгений Онегин" Пушкина"', "«Это „Евгений Онегин“ Пушкина»"),
    ('Это "Евгений "Онегин" Пушкина"', "Это «Евгений „Онегин“ Пушкина»"),
    ("<p>«Уже» готово</p>", "<p>«Уже» готово</p>"),
    # dashes between words, with a no-break space before them
    ("Москва - столица России", "Москва~— столица России"),
    ("Москва -- столица России", "Москва~— столица России"),
    ("Приходите -- будет весело", "Приходите~— будет весело"),
    ("Это всё - и больше ничего", "Это всё~— и~больше ничего"),
    ("<strong>Погост</strong> — ансамбль", "<strong>Погост</strong>~— ансамбль"),
    # ellipsis
    ("Ну и что... Подождём", "Ну~и~что… Подождём"),
    # one- and two-letter words, short prepositions and conjunctions keep their next word
    ("в доме", "в~доме"),
    ("на улице", "на~улице"),
    ("к дому", "к~дому"),
    ("о городе", "о~городе"),
    ("Я не знаю", "Я~не~знаю"),
    ("Мы были в парке", "Мы~были в~парке"),
    ("для детей и взрослых", "для~детей и~взрослых"),
    ("через мост", "через~мост"),
    ("без билета", "без~билета"),
    ("под мостом", "под~мостом"),
    ("при школе", "при~школе"),
    ("Выставка открыта до 30 июня", "Выставка открыта до~30 июня"),
    # particles stay with the word before them
    ("Придёт ли он?", "Придёт~ли~он?"),
    ("Он же обещал", "Он~же~обещал"),
    ("Если бы знать", "Если~бы~знать"),
    ("Ушёл бы он", "Ушёл~бы~он"),
    # initials
    ("А. С. Пушкин", "А.~С.~Пушкин"),
    ("А.С. Пушкин", "А.~С.~Пушкин"),
    ("В. В. Маяковский", "В.~В.~Маяковский"),
    ("поэт Пушкин А. С.", "поэт Пушкин~А.~С."),
    # numbers bound to units, № and abbreviations
    ("5 кг", "5~кг"),
    ("10 км", "10~км"),
    ("25 °C", "25~°C"),
    ("5 %", "5~%"),
    ("№ 5", "№~5"),
    ("дом № 12", "дом №~12"),
    ("в 2024 г.", "в~2024~г."),
    ("т. е.", "т.~е."),
    ("и т. д.", "и~т.~д."),
    ("ул. Крепостная", "ул.~Крепостная"),
    ("рис. 3", "рис.~3"),
    ("10 000 рублей", "10~000 рублей"),
    ("1 000 000 жителей", "1~000~000 жителей"),
    # number ranges take an en dash; phone numbers and dates keep their hyphens
    ("1941-1945", "1941–1945"),
    ("1-2 мая", "1–2 мая"),
    ("с 10:00-18:00", "с~10:00–18:00"),
    ("стр. 5-7", "стр.~5–7"),
    ("тел. 2-11-45", "тел.~2-11-45"),
    ("дата 2024-05-01", "дата 2024-05-01"),
    # never inside code, preformatted text, keys, scripts, attributes or URLs
    ('<p>Он ушёл в <a href="x">"Дом"</a></p>', '<p>Он~ушёл в~<a href="x">«Дом»</a></p>'),
    ('<p>Текст <code>a -- "b"</code> текст</p>', '<p>Текст <code>a -- "b"</code> текст</p>'),
    ('<pre>в доме -- "код"</pre>', '<pre>в доме -- "код"</pre>'),
    ("<p>Нажмите <kbd>Ctrl - C</kbd></p>", "<p>Нажмите <kbd>Ctrl - C</kbd></p>"),
    (
        '<a href="http://example.org/a--b" title="в доме - x">ссылка</a>',
        '<a href="http://example.org/a--b" title="в доме - x">ссылка</a>',
    ),
    ('<script>var s = "в доме" - 1;</script>', '<script>var s = "в доме" - 1;</script>'),
    (
        '<style>p::before { content: "в - д" }</style>',
        '<style>p::before { content: "в - д" }</style>',
    ),
]


def test_there_are_enough_russian_cases() -> None:
    assert len(RUSSIAN) >= 40


@pytest.mark.parametrize(("text", "expected"), RUSSIAN)
def test_russian(text: str, expected: str) -> None:
    assert russian(text) == expected.replace("~", "\u00a0")


def test_russian_is_stable() -> None:
    """Typesetting typeset text changes nothing (titles may pass twice)."""
    for text, _ in RUSSIAN:
        once = russian(text)
        assert russian(once) == once, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # curly quotes, dashes, ellipses; no widow: the last two words stay together
        ('She said "hi"', "She said~“hi”"),
        ("it's -- fine...", "it’s —~fine…"),
        ('<code>"x" -- y</code>', '<code>"x" -- y</code>'),
        ("<p>He said 'yes' and \"no.\"</p>", "<p>He said ‘yes’ and~“no.”</p>"),
        (
            "<p>The '90s: 1990-1999, 9:00-17:00 - fine</p>",
            "<p>The ’90s: 1990–1999, 9:00–17:00 –~fine</p>",
        ),
        ("<h2>One two three</h2><p>alone</p>", "<h2>One two~three</h2><p>alone</p>"),
        ("<p>one line<br>and the next one</p>", "<p>one line<br>and the next~one</p>"),
        ('<p>"<a href="x">a link</a>"</p>', '<p>“<a href="x">a~link</a>”</p>'),
        ("6' 2\" tall", "6' 2\"~tall"),
        ("&quot;hi&quot; there", "“hi”~there"),
        (
            "<p>see https://x.org/a--b... or a--b@example.org</p>",
            "<p>see https://x.org/a--b... or~a--b@example.org</p>",
        ),
        ("<p>the 2000-2010.pdf file</p>", "<p>the 2000-2010.pdf~file</p>"),
    ],
)
def test_english(text: str, expected: str) -> None:
    assert english(text) == expected.replace("~", "\u00a0")
    assert english(english(text)) == english(text)


def test_other_languages_use_their_locale() -> None:
    assert for_language("fi")('Hän sanoi "hei"') == "Hän sanoi ”hei”"
    assert for_language("xx")('"x"') == '"x"'  # unknown to polytypo: left as it is


def test_typography_results_are_cached_between_runs(network, build_network) -> None:
    """A stored result is used as it is (so the same text is not typeset again)."""
    import json

    assert build_network(network, ["alpha"]).ok
    [cache] = list((network / ".cache/pelican/alpha/ru").glob("*/typography.json"))
    stored = json.loads(cache.read_text(encoding="utf-8"))
    key = next(k for k, v in stored.items() if "На\u00a0ярмарке" in v)
    stored[key] = stored[key].replace("На\u00a0ярмарке", "На\u00a0ЯРМАРКЕ")
    cache.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    assert build_network(network, ["alpha"], skip_unchanged=False).ok
    pages = [
        p.name
        for p in (network / "output/alpha").glob("*.html")
        if "ЯРМАРКЕ" in p.read_text(encoding="utf-8")
    ]
    assert pages


# -- the time budget -------------------------------------------------------------------------

#: a69: straight double and single quotes in turn; polytypo pairs quotes in quadratic time
QUOTES = "<p>" + "\"'" * 12_000 + "</p>"


@pytest.mark.parametrize("lang", ["fi", "ru", "de", "en"])
def test_the_time_budget_stops_typesetting_in_any_language(lang: str) -> None:
    """Typesetting runs inside each file's time budget; for languages other than Russian
    and English it used to swallow the budget's TooSlow, so the budget did nothing.
    Russian and English are linear, so they are given far more text and less time."""
    text, seconds = (QUOTES, 0.5) if lang in ("fi", "de") else (QUOTES * 200, 0.05)
    start = time.monotonic()
    with pytest.raises(TooSlow), time_budget(seconds):
        for_language(lang)(text)
    assert time.monotonic() - start < 5  # stopped, not typeset to the end


@pytest.mark.parametrize("error", [TooSlow(1.0), MemoryError(), RecursionError()])
@pytest.mark.parametrize("lang", ["fi", "de"])
def test_what_polytypo_wraps_still_reaches_the_reader(
    monkeypatch: pytest.MonkeyPatch, lang: str, error: BaseException
) -> None:
    """polytypo turns any error while it parses HTML into its own PolytypoError."""

    def interrupted(*args: object, **kwargs: object) -> str:
        raise PolytypoError(POLYTYPO_MALFORMED_INPUT, "Input does not parse") from error

    monkeypatch.setattr(polytypo, "transform", interrupted)
    with pytest.raises(type(error)):
        for_language(lang)("<p>text</p>")


def test_what_polytypo_cannot_read_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown language, or raw HTML polytypo cannot parse: typography is polish and
    never costs a town its build (the time budget, though, is never swallowed)."""
    assert for_language("kk")('"x"') == '"x"'
    assert for_language("fi")("<![foo[ x") == "<![foo[ x"
    assert "<![foo[" in for_language("ru")("<![foo[ в доме")


def _seconds(typeset: Callable[[str], str], *texts: str) -> list[float]:
    best = [float("inf")] * len(texts)
    for _ in range(3):
        for i, text in enumerate(texts):
            start = time.process_time()
            typeset(text)
            best[i] = min(best[i], time.process_time() - start)
    return best


#: what could make a scanner read the same text again: unfinished markup, long words,
#: runs of the characters the rules look at
HOSTILE_UNITS = (
    "<!--",
    "<a ",
    '<a "',
    "<p title='",
    "<script>",
    "<code>",
    '"',
    "\"'",
    " - ",
    "-",
    "а ",
    "1-",
    "1 ",
    "...",
    "&quot;",
    "x@",
    "ab.",
    "«",
    "А. ",
    "т. е. ",
    "№ 1",
    " ли",
    "XX-",
    ":",
    "0",
    "\u2011",
    "\n- ",
    "a.b",
    "9:00-",
    " ",
    "\u00a0",
    "\t",
    "123 ",
    '<code title="</code>">',
)


@pytest.mark.parametrize("typeset", [russian, english])
def test_typography_is_linear(typeset: Callable[[str], str]) -> None:
    """4× the text never takes much more than 4× the time, whatever it repeats (the old
    split into prose read every unfinished comment or tag to the end of the text
    again: 40 KB of "<!--" took 16 s)."""
    size = 40_000
    ordinary = "<p>В городе " * (size // 12)
    for unit in (*HOSTILE_UNITS, "'", "--", "' ", "<p>a b", "<br>x y"):
        baseline, quarter, full = _seconds(
            typeset, ordinary, unit * (size // 4 // len(unit)), unit * (size // len(unit))
        )
        slack = baseline / 5
        assert full < 20 * baseline + slack, (unit, full, baseline)
        assert full < 8 * quarter + slack, (unit, quarter, full)  # quadratic: 16×


def test_a_text_typeset_too_slowly_is_the_only_error(
    network, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """a69: after the budget stopped typesetting, saving the typography cache failed
    with a KeyError shown as “could not be read: '89b08b27…'”, named at no file."""
    import gardarika.build.budget

    monkeypatch.setattr(gardarika.build.budget, "BASE_SECONDS", 1.0)
    monkeypatch.setattr(gardarika.build.budget, "SECONDS_PER_MB", 0.0)
    typeset = typography.russian

    def slow_on_quotes(html: str) -> str:  # the builds run in forks of this process
        while "\"'\"'" in html:
            time.sleep(0.01)
        return typeset(html)

    monkeypatch.setattr(typography, "russian", slow_on_quotes)
    (network / "content/beta/quotes.md").write_text(
        "Title: Кавычки\nDate: 2024-03-01\n\n" + "\"'" * 12_000 + "\n", encoding="utf-8"
    )
    report = build_network(network)
    assert report.failed == ["beta"] and "alpha" in report.built, report.log
    errors = [line for line in report.log.splitlines() if ": error: " in line]
    assert errors and all(
        line.startswith("content/beta/quotes.md: error: this text takes longer than 1 seconds")
        for line in errors
    ), errors


def test_the_note_for_a_picture_from_another_website_is_typeset(network, build_network) -> None:
    """The link that replaces a remote picture is written by offline_output before
    typography runs: its words and the picture's description are typeset too (real
    blogs have thousands of them)."""
    from projects import write

    write(
        network / "content/beta/remote.md",
        "Title: Снимок\nDate: 2024-03-01\n\n![Дом - музей в саду](https://example.org/a.jpg)\n",
    )
    assert build_network(network, ["beta"]).ok
    page = next(
        p
        for p in (network / "output/beta").glob("*.html")
        if "example.org/a.jpg" in p.read_text(encoding="utf-8")
    )
    html = page.read_text(encoding="utf-8").replace("&nbsp;", "\u00a0")
    assert "Изображение на\u00a0другом сайте: Дом\u00a0— музей в\u00a0саду" in html, html


def test_alternatives_with_the_same_start_are_written_as_one() -> None:
    """same_start keeps the order of the alternatives (the first that matches wins) and
    refuses one that does not start as the others do."""
    import re

    from gardarika.render.typesetter import same_start

    joined = same_start(r"\d", r"\d(?P<time>)\d?:\d\d", r"\d(?P<number>)\d*+")
    assert joined == r"\d(?:(?P<time>)\d?:\d\d|(?P<number>)\d*+)"
    found = re.compile(joined).match("9:30")
    assert found is not None and found.lastgroup == "time" and found.group(0) == "9:30"
    found = re.compile(joined).match("1941")
    assert found is not None and found.lastgroup == "number"
    with pytest.raises(ValueError):
        same_start("[ ]", "[ ](?P<a>)x", r"\.(?P<b>)y")
