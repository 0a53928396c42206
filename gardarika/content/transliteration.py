"""Readable Latin spellings of names in other scripts, the first step of every slug,
heading id and file name.

``Щёлково`` becomes ``shchyolkovo`` and ``Объявления`` ``obyavleniya``: the Wikipedia
romanisation of the maintained ``iuliia`` library, which readers recognise from maps and
signs, instead of a letter-by-letter table. Other scripts fall back to ``unidecode``.
"""

from __future__ import annotations

from functools import lru_cache

import iuliia
from unidecode import unidecode

_SCHEMA = iuliia.WIKIPEDIA

#: quotation marks, which are no part of a word: as spaces, since the schemes spell
#: « » and ‹ › as << >> and < >, which slug rules (Pelican's among them) take for an
#: HTML tag and cut out with every word inside; apostrophes join (``John's``: ``johns``)
_QUOTES = str.maketrans({**{mark: " " for mark in '«»‹›„“”"'}, **{mark: "" for mark in "'‘’‚"}})


@lru_cache(maxsize=4096)
def transliterate(text: str) -> str:
    """Latin letters only: Cyrillic by the Wikipedia scheme, anything else by unidecode;
    quotation marks become spaces. Remembered: a build spells the same tags, categories
    and names again for every article that has them."""
    return unidecode(_SCHEMA.translate(text.translate(_QUOTES)))
