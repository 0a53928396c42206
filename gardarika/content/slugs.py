"""Readable Latin spellings of Cyrillic names, for slugs, heading ids and file names.

``Щёлково`` becomes ``shchyolkovo`` and ``Объявления`` ``obyavleniya``: the Wikipedia
romanisation of the maintained ``iuliia`` library, which readers recognise from maps and
signs, instead of a letter-by-letter table. Other scripts fall back to ``unidecode``.
"""

from __future__ import annotations

import iuliia
from pelican.utils import slugify as pelican_slugify
from unidecode import unidecode

from gardarika.fs.portable import SLUG_SUBSTITUTIONS

_SCHEMA = iuliia.WIKIPEDIA


def transliterate(text: str) -> str:
    """Latin letters only: Cyrillic by the Wikipedia scheme, anything else by unidecode."""
    return unidecode(_SCHEMA.translate(text))


def slugify(text: str) -> str:
    """A portable slug for ``text``: ``Старая Ладога`` -> ``staraya-ladoga``."""
    return pelican_slugify(transliterate(text), regex_subs=SLUG_SUBSTITUTIONS)


def fallback_slug(file_name: str, lang: str | None) -> str:
    """The slug of a document whose title has no letter or digit to make one from
    (``Title: 🙂🙂``): its file name's, without extension and language suffix
    (``news.en.md`` -> ``news``), as Hugo and Jekyll name pages. The build's plugin and
    the editors' checks both call this, so they agree; ``""`` when the name has none
    either."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    if lang and stem.endswith(f".{lang}"):
        stem = stem[: -len(lang) - 1]
    return slugify(stem)


def toc_slugify(value: str, separator: str = "-") -> str:
    """Heading ids for Markdown's table of contents (the ``toc`` extension's hook)."""
    slug = slugify(value)
    return slug.replace("-", separator) if separator != "-" else slug
