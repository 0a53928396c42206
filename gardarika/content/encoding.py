"""Files saved in an old Cyrillic encoding: recognise it and convert it to UTF-8.

Editors on old Windows machines still save Windows-1251 (sometimes KOI8-R or the DOS
code page 866). The build reads UTF-8 only, so a check names the likely encoding and
``invoke fix-encoding FILE`` converts the file, keeping the original as a backup.
"""

from __future__ import annotations

import codecs
from pathlib import Path

#: candidates in order of how common they are on editors' machines
CANDIDATES = ("cp1251", "koi8_r", "cp866")
NAMES = {
    "cp1251": "Windows-1251",
    "koi8_r": "KOI8-R",
    "cp866": "DOS (CP866)",
    "utf_16": "UTF-16",
    "utf-8": "UTF-8",
}
_FREQUENT = set("оеаинтсрвлкмдпуяы")  # the most frequent Russian letters


def _score(text: str) -> float:
    letters = [c for c in text if c.isalpha() and not c.isascii()]
    if not letters:
        return 0.0
    frequent = sum(1 for c in letters if c in _FREQUENT)
    lower = sum(1 for c in letters if c.islower())
    return (frequent + lower) / (2 * len(letters))


def guess_encoding(data: bytes) -> str | None:
    """The most likely encoding of ``data`` that is not UTF-8, or ``None``."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf_16"
    best, best_score = None, 0.5
    for name in CANDIDATES:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        score = _score(text)
        if score > best_score:
            best, best_score = name, score
    return best


def describe(encoding: str | None) -> str:
    return NAMES.get(encoding or "", encoding or "unknown")


def convert_to_utf8(path: Path) -> Path:
    """Rewrite ``path`` as UTF-8 after copying the original to ``<path>.bak`` (or
    ``.bak2`` …, never over an earlier backup); return the backup's path.

    Raises ``ValueError`` when the file already is UTF-8 or its encoding is unknown.
    """
    path = Path(path)
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        raise ValueError("already UTF-8")
    encoding = guess_encoding(data)
    if encoding is None:
        raise ValueError("unknown encoding")
    text = data.decode(encoding)
    backup = path.with_name(path.name + ".bak")
    number = 2
    while backup.exists():
        backup = path.with_name(f"{path.name}.bak{number}")
        number += 1
    backup.write_bytes(data)
    tmp = path.with_name(f".{path.name}.utf8")
    tmp.write_text(text.lstrip("\ufeff"), encoding="utf-8", newline="")
    tmp.replace(path)
    return backup
