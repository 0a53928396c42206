"""Typography by language: «ёлочки», non-breaking spaces and dashes for Russian, curly
quotes for English.

The maintained ``polytypo`` library does the locale work (quotes with nested „лапки“,
dashes, ellipses, initials, ``№`` and units bound to numbers, no-break spaces after
short prepositions) and leaves ``code``, ``pre``, ``kbd``, scripts, styles and attributes
alone. Rules it does not have are added here, on text only: a no-break space after every
one- and two-letter word and after short prepositions and conjunctions, before particles
(ли, же, бы) and before a dash; an en dash in number ranges (1941–1945) but not in
phone numbers or dates; no-break spaces in thousands and after common abbreviations.
English goes through typogrify (SmartyPants); other languages through polytypo alone.

Only U+00A0 is used as the no-break space: older systems' fonts lack the narrow one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from polytypo import transform

NBSP = "\u00a0"
SKIP_ELEMENTS = ("code", "pre", "kbd", "samp", "var", "script", "style", "textarea", "math",
                 "svg")
_TOKEN = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w:-]*)(?:\"[^\"]*\"|'[^']*'|[^'\">])*>",
                    re.S)

_SHORT_WORDS = ("без|для|над|под|про|при|изо|обо|ото|вне|что|как|или|где|кто|чем|зато|"
                "либо|тоже|также|перед|через|между|около|после|возле")
_RU_RULES: list[tuple[re.Pattern[str], str]] = [
    # a one- or two-letter word, or a short preposition or conjunction, keeps its next word
    (re.compile(rf"(?<![\w\-])([а-яё]{{1,2}}|{_SHORT_WORDS}) (?=\S|$)", re.I),
     rf"\1{NBSP}"),
    # particles stay with the word before them
    (re.compile(r"(?<=[\w»)]) (ли|ль|же|ж|бы|б)(?![\w\-])", re.I), rf"{NBSP}\1"),
    # a dash never starts a line
    # (also right after a tag: "<strong>Погост</strong> — ансамбль")
    (re.compile(r"(?:(?<=\S)|^) ([—–])"), rf"{NBSP}\1"),
    # number ranges take an en dash; phone numbers and dates (2-11-45, 2024-05-01) do not
    (re.compile(r"(?<![\d\-–])(\d+)-(\d+)(?![\d\-–])"), r"\1–\2"),
    # thousands: 10 000
    (re.compile(r"(?<![\d.,])(\d{1,3}) (?=\d{3}(?!\d))"), rf"\1{NBSP}"),
    # initials written together or after the surname: А.С. Пушкин, Пушкин А. С.
    (re.compile(r"(?<![\w.])([А-ЯЁ])\.[ \u00a0]?([А-ЯЁ])\.[ \u00a0]?(?=[А-ЯЁ][а-яё])"),
     rf"\1.{NBSP}\2.{NBSP}"),
    (re.compile(r"(?<=[А-ЯЁ][а-яё]) ([А-ЯЁ])\.[ \u00a0]?([А-ЯЁ])\.(?!\w)"),
     rf"{NBSP}\1.{NBSP}\2."),
    # abbreviations before a number or word: стр. 5, рис. 2, тел. 2-11-45
    (re.compile(r"(?<![\w\-])(стр|рис|табл|тел|корп|кв|гл|ул|пр|пл|пер|им|ок|св)\. ", re.I),
     rf"\1.{NBSP}"),
]


def _segments(html: str) -> list[tuple[bool, str]]:
    """(is prose, piece) for every piece of ``html``: tags and skipped elements are not
    prose."""
    pieces: list[tuple[bool, str]] = []
    depth = 0
    last = 0
    for match in _TOKEN.finditer(html):
        if match.start() > last:
            pieces.append((depth == 0, html[last:match.start()]))
        pieces.append((False, match.group(0)))
        name = (match.group(2) or "").lower()
        if name in SKIP_ELEMENTS and not match.group(0).endswith("/>"):
            depth = max(0, depth - 1) if match.group(1) else depth + 1
        last = match.end()
    if last < len(html):
        pieces.append((depth == 0, html[last:]))
    return pieces


def on_prose(html: str, change: Callable[[str], str]) -> str:
    """Apply ``change`` to the prose of ``html`` only (not tags, code, scripts, styles)."""
    return "".join(change(piece) if prose else piece for prose, piece in _segments(html))


def _russian_rules(text: str) -> str:
    for pattern, replacement in _RU_RULES:
        text = pattern.sub(replacement, text)
    return text


def russian(html: str) -> str:
    """Russian typography for an HTML fragment (a title, a summary, a whole article)."""
    html = transform(html, locale="ru-RU", mode="html", narrow_nbsp="nbsp")
    return on_prose(html, _russian_rules)


def english(html: str) -> str:
    """English typography: curly quotes, dashes and ellipses (SmartyPants via typogrify),
    ``&`` styled, and no lonely last word in headings and paragraphs."""
    from typogrify.filters import typogrify

    return typogrify(html, ignore_tags=list(SKIP_ELEMENTS), caps=False,
                     initial_quotes=False)


def generic(lang: str) -> Callable[[str], str]:
    """polytypo's rules for any other language it knows (``fi`` -> ``fi-FI``)."""

    def apply(html: str) -> str:
        try:
            return transform(html, locale=lang, mode="html", narrow_nbsp="nbsp")
        except Exception:  # a language polytypo does not know: leave the text as it is
            return html

    return apply


def for_language(lang: str) -> Callable[[str], str]:
    """The typography function for a document in ``lang``."""
    if lang == "ru":
        return russian
    if lang == "en":
        return english
    return generic(lang)
