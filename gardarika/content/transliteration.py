"""Readable Latin spellings of names in other scripts, the first step of every slug,
heading id and file name.

``Щёлково`` becomes ``shchyolkovo`` and ``Объявления`` ``obyavleniya``: the Wikipedia
romanisation of the maintained ``iuliia`` library, which readers recognise from maps and
signs, instead of a letter-by-letter table. Other scripts fall back to ``unidecode``.
"""

from __future__ import annotations

import iuliia
from unidecode import unidecode

_SCHEMA = iuliia.WIKIPEDIA


def transliterate(text: str) -> str:
    """Latin letters only: Cyrillic by the Wikipedia scheme, anything else by unidecode."""
    return unidecode(_SCHEMA.translate(text))
