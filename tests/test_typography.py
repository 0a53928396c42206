"""Typography by language. ``~`` in the expectations stands for a no-break space."""

from __future__ import annotations

import pytest

from gardarika.typography import english, for_language, russian

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
    ('<a href="http://example.org/a--b" title="в доме - x">ссылка</a>',
     '<a href="http://example.org/a--b" title="в доме - x">ссылка</a>'),
    ('<script>var s = "в доме" - 1;</script>', '<script>var s = "в доме" - 1;</script>'),
    ('<style>p::before { content: "в - д" }</style>',
     '<style>p::before { content: "в - д" }</style>'),
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


@pytest.mark.parametrize(("text", "expected"), [
    # curly quotes, dashes, ellipses; widont keeps the last two words together
    ('She said "hi"', "She said&nbsp;&#8220;hi&#8221;"),
    ("it's -- fine...", "it&#8217;s &#8212;&nbsp;fine&#8230;"),
    ('<code>"x" -- y</code>', '<code>"x" -- y</code>'),
])
def test_english(text: str, expected: str) -> None:
    assert english(text) == expected


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
    pages = [p.name for p in (network / "output/alpha").glob("*.html")
             if "ЯРМАРКЕ" in p.read_text(encoding="utf-8")]
    assert pages
