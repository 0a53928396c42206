"""Gettext catalogs compiled with Babel at build time, and language names.

Compiled ``.mo`` files are build products and never committed: a catalog is read from its
``.po`` file and compiled in memory the first time a process needs it.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


@cache
def load_translations(directory: str, lang: str) -> gettext.NullTranslations:
    """The catalog ``<directory>/<lang>/LC_MESSAGES/messages.po``, compiled.

    English is the language of the message ids, so a language without a catalog gets the
    ids themselves.
    """
    po_path = Path(directory) / lang / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def language_label(code: str) -> str:
    """The language's own name with a capital letter: ``Русский``, ``English``, ``Suomi``."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]
