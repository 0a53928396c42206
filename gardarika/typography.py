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

Time: our own rules and the split into prose are linear. polytypo is not: it pairs
quotes in time that grows with the square of the number of quote pairs (its
``_assign_depths`` compares every pair with every other), so 40 KB of ``"'"'…`` take
about 20 seconds. Typesetting runs while a file is read, inside that file's time budget
(:mod:`gardarika.budget`), so such a text is stopped and named; for that, the budget's
:class:`~gardarika.budget.TooSlow` (and ``MemoryError``, ``RecursionError``) must never be
swallowed here, even when polytypo wraps them in its own error.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from polytypo import transform
from polytypo.errors import POLYTYPO_UNKNOWN_LOCALE, PolytypoError

from .budget import TooSlow
from .embeds import ATTRIBUTES

NBSP = "\u00a0"
SKIP_ELEMENTS = ("code", "pre", "kbd", "samp", "var", "script", "style", "textarea", "math",
                 "svg")
#: a comment (to the end of the text if it is never closed), a doctype, "<?…>" or
#: "</ …>", or a tag read as a browser reads it (to the end of the text if it never ends).
#: Every alternative is possessive and always ends, so no "<" is read again.
_TOKEN = re.compile(
    r"<!--(?:-?>|.*?(?:--!?>|\Z))|<[!?][^>]*+(?:>|\Z)|</(?![a-zA-Z])[^>]*+(?:>|\Z)"
    rf"|<(/?)([a-zA-Z][^ \t\n\r\f/>]*+){ATTRIBUTES}(?:>|\Z)", re.S)
#: elements whose content is text up to their end tag, never tags
_RAW_TEXT = frozenset({"script", "style", "textarea", "xmp", "iframe", "noembed",
                       "noframes", "plaintext"})
#: what polytypo may wrap in its own error but must reach the time budget's handler
PASS_THROUGH = (TooSlow, MemoryError, RecursionError)

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
    """(is prose, piece) for every piece of ``html``: tags, comments, skipped elements and
    the text of scripts and styles are not prose. One pass: linear in the size."""
    pieces: list[tuple[bool, str]] = []
    depth = 0
    last = 0
    position = 0
    while (match := _TOKEN.search(html, position)) is not None:
        if match.start() > last:
            pieces.append((depth == 0, html[last:match.start()]))
        pieces.append((False, match.group(0)))
        last = position = match.end()
        name = (match.group(2) or "").lower()
        if name in SKIP_ELEMENTS and not match.group(0).endswith("/>"):
            depth = max(0, depth - 1) if match.group(1) else depth + 1
        if name in _RAW_TEXT and not match.group(1):
            # its text is never tags (nor prose): go on at its end tag
            end = None if name == "plaintext" else re.compile(
                rf"</{name}(?=[ \t\n\r\f/>]|\Z)", re.I).search(html, position)
            position = end.start() if end else len(html)
            if position > last:
                pieces.append((False, html[last:position]))
            last = position
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


def _polytypo(html: str, locale: str) -> str:
    """polytypo's typography, with what must stop reading let through: polytypo turns
    any error while it parses HTML into its own, so a budget running out there (or
    memory, or recursion) would look like a text it cannot parse. A text it really
    cannot parse (odd raw HTML such as ``<![foo[``) is left as it is: typography is
    polish, and must never cost a town its build."""
    try:
        return transform(html, locale=locale, mode="html", narrow_nbsp="nbsp")
    except PolytypoError as error:
        cause = error.__cause__
        if isinstance(cause, PASS_THROUGH):
            raise cause from None
        if error.code == POLYTYPO_UNKNOWN_LOCALE:
            raise
        return html


def russian(html: str) -> str:
    """Russian typography for an HTML fragment (a title, a summary, a whole article)."""
    return on_prose(_polytypo(html, "ru-RU"), _russian_rules)


def english(html: str) -> str:
    """English typography: curly quotes, dashes and ellipses (SmartyPants via typogrify),
    ``&`` styled, and no lonely last word in headings and paragraphs."""
    from typogrify.filters import typogrify

    return typogrify(html, ignore_tags=list(SKIP_ELEMENTS), caps=False,
                     initial_quotes=False)


def generic(lang: str) -> Callable[[str], str]:
    """polytypo's rules for any other language it knows (``fi`` -> ``fi-FI``); a language
    it does not know is left as it is. Only that is caught: anything else, above all the
    time budget's :class:`~gardarika.budget.TooSlow`, must reach the reader of the file."""

    def apply(html: str) -> str:
        try:
            return _polytypo(html, lang)
        except PolytypoError as error:
            if error.code != POLYTYPO_UNKNOWN_LOCALE:
                raise
            return html

    return apply


def for_language(lang: str) -> Callable[[str], str]:
    """The typography function for a document in ``lang``."""
    if lang == "ru":
        return russian
    if lang == "en":
        return english
    return generic(lang)
