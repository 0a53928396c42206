"""Gettext catalogs compiled with Babel at build time, and language names.

Compiled ``.mo`` files are build products and never committed: a catalog is read from its
``.po`` file and compiled in memory the first time a process needs it.
"""

from __future__ import annotations

import contextlib
import gettext
import io
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

#: the language of the themes' message ids: it needs no catalog
SOURCE_LANGUAGE = "en"


def catalog_path(directory: str | Path, lang: str) -> Path:
    """Where a theme's catalog for ``lang`` is, in its translations ``directory``."""
    return Path(directory) / lang / "LC_MESSAGES" / "messages.po"


@cache
def load_translations(directory: str, lang: str) -> gettext.NullTranslations:
    """The catalog ``<directory>/<lang>/LC_MESSAGES/messages.po``, compiled.

    English is the language of the message ids, so a language without a catalog gets the
    ids themselves.
    """
    po_path = catalog_path(directory, lang)
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


def _pybabel(*args: str) -> None:
    """Run a ``pybabel`` command in this process (Babel's own command line)."""
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "--quiet", *args])


def extract_messages(theme: Path, pot: Path | None = None) -> Path:
    """Collect the theme's interface strings into a POT file; return its path.

    The strings are found by ``translations/babel.cfg`` (templates, with the portal's
    ``t(lang, msgid)``); the default POT is ``translations/messages.pot``.
    """
    theme = Path(theme).resolve()
    pot = Path(pot or theme / "translations" / "messages.pot").resolve()
    # from inside the theme, so the catalogs name "templates/base.html", not a full path
    with contextlib.chdir(theme):
        _pybabel(
            "extract",
            "--mapping-file",
            "translations/babel.cfg",
            "--output-file",
            str(pot),
            "--sort-by-file",
            "--project",
            "Gardarika theme",
            "--copyright-holder",
            "Gardarika developers",
            ".",
        )
    return pot


def update_catalogs(theme: Path) -> list[Path]:
    """Re-extract the strings and merge them into every language's ``messages.po``.

    New strings arrive untranslated (or fuzzy, with a guess to check); strings no longer
    used are kept at the end of the file as obsolete.
    """
    theme = Path(theme)
    pot = extract_messages(theme)
    directory = theme / "translations"
    catalogs = sorted(directory.glob("*/LC_MESSAGES/messages.po"))
    if catalogs:
        _pybabel(
            "update",
            "--input-file",
            str(pot),
            "--output-dir",
            str(directory),
            "--domain",
            "messages",
        )
    return catalogs


def untranslated(theme: Path, lang: str, pot: Path) -> list[str]:
    """Message ids of ``pot`` that have no finished translation in ``lang``'s catalog."""
    with Path(pot).open("rb") as pot_file:
        template = read_po(pot_file)
    po_path = Path(theme) / "translations" / lang / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return [str(m.id) for m in template if m.id]
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=lang)
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = found.string if found else None
        forms = strings if isinstance(strings, (list, tuple)) else [strings]
        complete = (
            found is not None
            and not found.fuzzy
            and all(forms)
            and (not isinstance(strings, (list, tuple)) or len(forms) == catalog.num_plurals)
        )
        if not complete:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing
