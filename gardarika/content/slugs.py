"""Slugs, heading ids and fallback names: a transliterated text made an address.

Transliteration is :mod:`gardarika.content.transliteration`; the slug rules after it
(Pelican's, with the portable-name substitutions of :mod:`gardarika.fs.portable`).
"""

from __future__ import annotations

from pelican.utils import slugify as pelican_slugify

from gardarika.content.transliteration import transliterate
from gardarika.fs.portable import SLUG_SUBSTITUTIONS


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
