"""Every XML file a build writes (the Atom and RSS feeds, a sitemap) read back with an
XML parser before the town is published.

Pelican writes feeds from titles, summaries and names that editors typed; one character
XML does not allow (U+FFFE, a lone surrogate, a control character) makes a feed that
every feed reader refuses, while the pages look fine. The build removes such characters
from what it prints (:data:`gardarika.render.sanitize._CONTROLS`); this is the check that the
result really is XML, whatever path the text took, so a broken feed fails the build
instead of being published.

Only the files the build wrote are read, with expat, without DTDs or entities of their
own (a feed needs none), in pieces, so a large feed costs little memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from gardarika.errors import Message

#: what the build writes as XML (feeds end in .atom.xml / .rss.xml)
XML_SUFFIXES = (".xml", ".atom", ".rss")
_CHUNK = 256 * 1024


@dataclass(frozen=True)
class BadXml:
    """A file that is not well-formed XML."""

    path: Path  # relative to the folder checked
    line: int
    reason: str

    @property
    def message(self) -> Message:
        return Message(self.en, self.ru)

    @property
    def en(self) -> str:
        return (
            f"the build wrote this file, but it is not valid XML (line {self.line}: "
            f"{self.reason}); feed readers would refuse it, so the town is not "
            "published. Usually a title, summary or name holds an invisible or "
            "unusual character: retype the text changed last."
        )

    @property
    def ru(self) -> str:
        return (
            f"сборка записала этот файл, но это не правильный XML (строка {self.line}: "
            f"{self.reason}); программы чтения лент его не примут, поэтому сайт города "
            "не опубликован. Обычно в заголовке, описании или имени есть невидимый или "
            "необычный знак: перенаберите текст, изменённый последним."
        )


def _refuse_declarations(*_: object) -> None:
    raise ValueError("the file declares a DTD or entities, which a feed never needs")


def xml_error(path: Path) -> tuple[int, str] | None:
    """(line, reason) if the file at ``path`` is not well-formed XML, else ``None``."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    try:
        with path.open("rb") as file:
            while chunk := file.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        return exc.lineno, expat.ErrorString(exc.code) if exc.code else str(exc)
    except ValueError as exc:
        return parser.CurrentLineNumber, str(exc)
    except OSError as exc:
        return 0, exc.strerror or str(exc)
    return None


def xml_files(folder: Path) -> Iterator[Path]:
    """The XML files below ``folder`` (links not followed)."""
    for current, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(XML_SUFFIXES) and not os.path.islink(
                os.path.join(current, name)
            ):
                yield Path(current) / name


def bad_xml(folder: Path) -> list[BadXml]:
    """Every XML file below ``folder`` that an XML parser refuses."""
    found = []
    for path in xml_files(folder):
        error = xml_error(path)
        if error:
            found.append(BadXml(path.relative_to(folder), *error))
    return found
