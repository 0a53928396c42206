"""``MANIFEST.sha256``: the checksum of every file of a package, in the format that
``sha256sum -c`` reads, and ``invoke verify`` to compare a copy against it.

Copies travel on USB sticks and CDs that go bad; a check tells which files are missing,
changed, or were added, for a folder (a stick, an unpacked zip, a mounted disc), a zip
file or an ISO image.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "MANIFEST.sha256"
CHUNK = 1 << 20


def sha256_of(stream: io.BufferedIOBase | io.BytesIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def folder_files(folder: Path) -> list[str]:
    """Every file below ``folder`` (``/``-separated, sorted), the manifest excepted."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.relative_to(folder).as_posix() != MANIFEST)


def write_manifest(folder: Path) -> Path:
    lines = []
    for name in folder_files(folder):
        with (folder / name).open("rb") as stream:
            lines.append(f"{sha256_of(stream)}  {name}\n")
    path = folder / MANIFEST
    path.write_text("".join(lines), encoding="utf-8", newline="\n")
    return path


def read_manifest(text: str) -> dict[str, str]:
    entries = {}
    for line in text.splitlines():
        if line.strip():
            digest, _, name = line.partition("  ")
            entries[name.lstrip("*")] = digest.strip().lower()
    return entries


@dataclass
class Verification:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.changed or self.unexpected)


class Source:
    """A package to verify: a folder, a zip file or an ISO image."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        self._iso = None
        self._prefix = ""
        if self.path.is_file() and zipfile.is_zipfile(self.path):
            self._zip = zipfile.ZipFile(self.path)
            names = [n for n in self._zip.namelist() if not n.endswith("/")]
            manifest = next((n for n in names if n.rsplit("/", 1)[-1] == MANIFEST), MANIFEST)
            self._prefix = manifest[: -len(MANIFEST)]
        elif self.path.is_file():
            from .isoimage import open_iso

            self._iso = open_iso(self.path)

    def names(self) -> list[str]:
        if self._zip is not None:
            return sorted(n[len(self._prefix):] for n in self._zip.namelist()
                          if n.startswith(self._prefix) and not n.endswith("/")
                          and n[len(self._prefix):] != MANIFEST)
        if self._iso is not None:
            from .isoimage import iso_files

            return sorted(n for n in iso_files(self._iso) if n != MANIFEST)
        return folder_files(self.path)

    def read(self, name: str) -> bytes | None:
        try:
            if self._zip is not None:
                return self._zip.read(self._prefix + name)
            if self._iso is not None:
                from .isoimage import read_iso_file

                return read_iso_file(self._iso, name)
            return (self.path / name).read_bytes()
        except (KeyError, OSError, Exception):  # pycdlib raises its own errors
            return None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._iso is not None:
            self._iso.close()


def verify(path: Path) -> Verification:
    """Compare a package (folder, zip or ISO) with the manifest it carries."""
    source = Source(path)
    try:
        text = source.read(MANIFEST)
        if text is None:
            raise FileNotFoundError(f"no {MANIFEST} in {path}")
        expected = read_manifest(text.decode("utf-8"))
        result = Verification()
        present = set(source.names())
        for name, digest in sorted(expected.items()):
            data = source.read(name) if name in present else None
            if data is None:
                result.missing.append(name)
            elif hashlib.sha256(data).hexdigest() != digest:
                result.changed.append(name)
            result.checked += 1
        result.unexpected = sorted(present - set(expected))
        return result
    finally:
        source.close()


def describe(result: Verification) -> Iterator[str]:
    for name in result.missing:
        yield f"missing: {name} / нет файла"
    for name in result.changed:
        yield f"changed: {name} / файл изменён (повреждён)"
    for name in result.unexpected:
        yield f"unexpected: {name} / лишний файл"
