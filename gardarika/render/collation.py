"""Alphabetical order as readers of a language expect it, for lists of names.

Pelican orders categories, tags and authors by their slugs, which are transliterated:
«вечер» (``vecher``) comes after «туризм» (``turizm``), «школа» (``shkola``) before
«Соборная площадь» (``sobornaya``). Lists are ordered here instead by the Unicode
collation's rules as the CLDR gives them for Russian and English: letters by the
alphabet, capitals and small letters together (small first when all else is equal),
«ё» with «е» and «й» after «и» as a letter of its own, digits before letters, and a
page's own script first (Cyrillic before Latin on a Russian page, Latin first on any
other). A full collation library (ICU, or pyuca's tables) costs a quarter of a second
to load in each of the build's runs; the few rules lists of names need are written out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")

#: languages written in Cyrillic, whose pages list Cyrillic names first
CYRILLIC_LANGUAGES = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn"})

_BREVE = "\u0306"
_SHORT_I = 0x439  # «й»: its own letter, after «и»

_SPACE, _PUNCTUATION, _DIGIT, _FIRST_SCRIPT, _SECOND_SCRIPT, _OTHER = range(6)


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return "cyrillic" if name.startswith("CYRILLIC") else "latin" if "LATIN" in name else ""


@lru_cache(maxsize=16384)
def _weight(char: str, cyrillic_first: bool) -> tuple[int, int]:
    """The primary weight of one character (after case folding and decomposition)."""
    if char.isspace():
        return (_SPACE, 0)
    if char.isdigit():
        return (_DIGIT, unicodedata.digit(char, 0))
    if not char.isalpha():
        return (_PUNCTUATION, ord(char))
    script = _script(char)
    if script == "cyrillic":
        return (_FIRST_SCRIPT if cyrillic_first else _SECOND_SCRIPT, ord(char) * 2)
    if script == "latin":
        return (_SECOND_SCRIPT if cyrillic_first else _FIRST_SCRIPT, ord(char) * 2)
    return (_OTHER, ord(char))


@lru_cache(maxsize=8192)
def sort_key(text: str, lang: str = "en") -> tuple[Any, ...]:
    """What orders ``text`` among names in the language ``lang``: the letters first,
    then their accents (``е`` before ``ё``), then capitals after small letters, then
    the text itself (so that the order never depends on what came first)."""
    cyrillic_first = lang.split("_")[0].split("-")[0].lower() in CYRILLIC_LANGUAGES
    primary: list[tuple[int, int]] = []
    accents: list[int] = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if unicodedata.combining(char):
            if char == _BREVE and primary and primary[-1][1] == ord("и") * 2:
                primary[-1] = (primary[-1][0], _SHORT_I * 2 - 1)  # between «и» and «к»
            else:
                accents.append(ord(char))
            continue
        primary.append(_weight(char, cyrillic_first))
    capitals = tuple(char.isupper() for char in text)
    return (tuple(primary), tuple(accents), capitals, text)


def collated(
    items: Iterable[T], lang: str, key: Callable[[T], str] = str, reverse: bool = False
) -> list[T]:
    """``items`` in the alphabetical order of ``lang``, by the name ``key`` gives."""
    return sorted(items, key=lambda item: sort_key(key(item), lang), reverse=reverse)
