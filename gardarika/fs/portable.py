"""File names that survive FAT32 sticks, ISO 9660/Joliet CDs and case-insensitive disks.

The rules (docs/architecture.md, the output contract): lower-case ASCII letters, digits,
``-``, ``_`` and ``.``; no device names that Windows reserves (``con``, ``nul``,
``com1`` …, with any extension); no name longer than Joliet's 64 characters; no path so
long that, below a folder on a stick, it passes Windows' 260; and no two paths that
differ only in case.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable

from gardarika.content.transliteration import transliterate
from gardarika.errors import Message

RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "clock$"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)
MAX_NAME = 64  # Joliet allows 64 UCS-2 characters per name
MAX_PATH = 180  # below output/; leaves room for "E:\\gardarika-2026-11-28\\" and more
_ALLOWED = re.compile(r"^[a-z0-9._-]+$")
_NOT_ALLOWED = re.compile(r"[^a-z0-9._-]+")

#: Pelican slug substitutions: the defaults, then reserved device names and length
SLUG_SUBSTITUTIONS = [
    (r"[^\w\s-]", ""),
    (r"(?u)\A\s*", ""),
    (r"(?u)\s*\Z", ""),
    (r"[-\s]+", "-"),
    (r"_+", "-"),
    (rf"^({'|'.join(re.escape(r) for r in sorted(RESERVED))})$", r"\1_"),
    # with ".html", within Joliet's 64 characters: cut after the last whole word that
    # fits, or within a word as long as that
    (r"^(?=.{59})(.{1,58})-.*$", r"\1"),
    (r"^(.{58}).+$", r"\1"),
    (r"-+$", ""),
]


def _is_reserved(name: str) -> bool:
    return name.split(".", 1)[0].lower() in RESERVED


def portable_name(name: str) -> str:
    """One file or folder name made portable: ``Фото 1.JPG`` -> ``foto-1.jpg``."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    ext = _NOT_ALLOWED.sub("", transliterate(ext).lower())
    # apostrophes (a soft sign in some schemes) are dropped, not turned into a hyphen
    stem = transliterate(stem).replace("'", "").replace('"', "").lower()
    stem = _NOT_ALLOWED.sub("-", stem).strip("-.") or "file"
    if _is_reserved(stem):
        stem += "_"
    room = MAX_NAME - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip("-.") or "file"
    return f"{stem}.{ext}" if ext else stem


def portable_path(path: str) -> str:
    """Every segment of a ``/``-separated relative path made portable."""
    return "/".join(
        portable_name(part) if part not in (".", "..") else part for part in path.split("/") if part
    )


def name_problems(path: str) -> list[Message]:
    """What is wrong with a relative output path: (English, Russian) reasons."""
    problems = []
    for part in path.split("/"):
        if not part:
            continue
        if not _ALLOWED.match(part):
            problems.append(
                Message(
                    f"“{part}” has characters other than lower-case Latin letters, digits, "
                    "“-”, “_” and “.”",
                    f"в «{part}» есть знаки кроме строчных латинских букв, цифр, «-», «_» и «.»",
                )
            )
        if _is_reserved(part):
            problems.append(
                Message(
                    f"“{part}” is a device name reserved by Windows",
                    f"«{part}» — имя устройства, запрещённое в Windows",
                )
            )
        if part.endswith((".", " ")):
            problems.append(
                Message(
                    f"“{part}” ends with a dot or space", f"«{part}» кончается точкой или пробелом"
                )
            )
        if len(part) > MAX_NAME:
            problems.append(
                Message(
                    f"“{part[:20]}…” is longer than {MAX_NAME} characters",
                    f"«{part[:20]}…» длиннее {MAX_NAME} знаков",
                )
            )
    if len(path) > MAX_PATH:
        problems.append(
            Message(
                f"the path is longer than {MAX_PATH} characters", f"путь длиннее {MAX_PATH} знаков"
            )
        )
    return problems


def case_collisions(paths: Iterable[str]) -> list[list[str]]:
    """Groups of paths that are one and the same on a case-insensitive disk."""
    groups: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        groups[posixpath.normpath(path).casefold()].append(path)
    return [sorted(group) for group in groups.values() if len(group) > 1]
