"""ISO 9660 images with Joliet and Rock Ridge names, written and read with pycdlib.

Every file has three names on the disc: the ISO 9660 one that any system can read
(upper case, ``A-Z 0-9 _``, at most 30 characters, made unique in its folder), the Joliet
one that Windows shows (the real name, at most 64 characters), and the Rock Ridge one
for Linux and macOS (the real name). Our output names are portable already, so only the
ISO 9660 names need mapping.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Protocol

import pycdlib

_NOT_D = re.compile(r"[^A-Z0-9_]")
MAX_ISO_NAME = 30  # interchange level 3: name and extension together
MAX_JOLIET = 64
COPY_BLOCK = 1 << 20  # pycdlib's own default (8 KB) makes big files slow to hash


def volume_label(text: str) -> str:
    """A volume identifier: d-characters, at most 16 (Joliet stores it in UCS-2 within
    the 32 bytes that ISO 9660 gives it)."""
    return (_NOT_D.sub("_", text.upper()) or "GARDARIKA")[:16]


def _iso_name(name: str, taken: set[str], is_dir: bool) -> str:
    upper = name.upper()
    if is_dir:
        base, ext = _NOT_D.sub("_", upper.replace(".", "_")), ""
    else:
        stem, dot, ext = upper.rpartition(".")
        base, ext = (
            (_NOT_D.sub("_", stem), _NOT_D.sub("_", ext)[:8])
            if dot
            else (_NOT_D.sub("_", upper), "")
        )
    room = MAX_ISO_NAME - (len(ext) + 1 if ext else 0)
    candidate, number = base[:room] or "F", 1
    while (candidate + ("." + ext if ext else "")) in taken:
        suffix = f"_{number}"
        candidate = (base[: room - len(suffix)] or "F") + suffix
        number += 1
    full = candidate + ("." + ext if ext else "")
    taken.add(full)
    return full


def write_iso(folder: Path, target: Path, label: str) -> Path:
    """Write every file below ``folder`` into the ISO image ``target``."""
    folder = Path(folder)
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, joliet=3, rock_ridge="1.09", vol_ident=volume_label(label))
    iso_paths: dict[Path, str] = {folder: ""}
    taken: dict[Path, set[str]] = {}
    for path in sorted(folder.rglob("*"), key=lambda p: (len(p.parts), p.as_posix())):
        parent = path.parent
        iso_parent = iso_paths[parent]
        name = _iso_name(path.name, taken.setdefault(parent, set()), path.is_dir())
        joliet = "/" + path.relative_to(folder).as_posix()
        if len(path.name) > MAX_JOLIET:
            raise ValueError(f"{joliet}: longer than Joliet's {MAX_JOLIET} characters")
        if path.is_dir():
            iso_paths[path] = f"{iso_parent}/{name}"
            iso.add_directory(iso_paths[path], joliet_path=joliet, rr_name=path.name)
        else:
            iso.add_file(str(path), f"{iso_parent}/{name};1", joliet_path=joliet, rr_name=path.name)
    iso.write(str(target))
    iso.close()
    return target


def open_iso(path: Path) -> pycdlib.PyCdlib:
    iso = pycdlib.PyCdlib()
    iso.open(str(path))
    return iso


def iso_files(iso: pycdlib.PyCdlib) -> list[str]:
    """Every file of the image by its Joliet path, without the leading ``/``."""
    names = []
    for root, _, files in iso.walk(joliet_path="/"):
        for name in files:
            names.append(f"{root.rstrip('/')}/{name}".lstrip("/"))
    return names


def read_iso_file(iso: pycdlib.PyCdlib, name: str) -> bytes:
    """A file of the image whole: only for files known to be small (tests, a manifest
    already checked by size); ``copy_iso_file`` streams the others."""
    buffer = io.BytesIO()
    copy_iso_file(iso, name, buffer)
    return buffer.getvalue()


class Sink(Protocol):
    """Anything with a ``write``: pycdlib hands a file's data to it block by block."""

    def write(self, data: bytes, /) -> int | None: ...


def copy_iso_file(iso: pycdlib.PyCdlib, name: str, sink: Sink, blocksize: int = COPY_BLOCK) -> None:
    """Write a file of the image (by its Joliet path) into ``sink`` block by block, so
    that a big file never has to be held whole; a sink may stop the copy by raising."""
    iso.get_file_from_iso_fp(sink, joliet_path="/" + name, blocksize=blocksize)


def iso_file_size(iso: pycdlib.PyCdlib, name: str) -> int:
    """The size the image declares for a file, over all its extents (a file above 4 GB
    is stored in several), known before any of its data is read, so that a size no
    package file can have is refused before the reading starts."""
    record = iso.get_record(joliet_path="/" + name)
    size, seen = 0, set()
    while record is not None and id(record) not in seen:  # a damaged chain must not loop
        seen.add(id(record))
        size += record.data_length
        record = record.data_continuation
    return size
