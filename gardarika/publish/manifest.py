"""``MANIFEST.sha256``: the checksum of every file of a package, in the format that
``sha256sum -c`` reads, and ``invoke verify`` to compare a copy against it.

Copies travel on USB sticks and CDs that go bad; a check tells which files are missing,
changed, or were added, for a folder (a stick, an unpacked zip, a mounted disc), a zip
file or an ISO image.

A copy to check may also come from someone else, so it is read as hostile: every file is
hashed in chunks as it streams by (never held whole), sizes are capped before any
reading starts, a zip member that would unpack to absurdly more than it takes is refused
rather than inflated, names are only compared, never used to open anything outside the
package, links are not followed, and nothing is ever written to disk. What cannot be
checked safely is reported in ``Verification.refused`` instead of being read.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import struct
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

MANIFEST = "MANIFEST.sha256"
CHUNK = 1 << 20

# Limits on what a check reads. A package never comes near them, a crafted file does.
MAX_MANIFEST = 16 * 1024 * 1024  # ~150,000 lines of checksum and name
MAX_MEMBER = 4_700_000_000  # a single-layer DVD: no package file is bigger
MAX_RATIO = 1000  # deflate cannot do much better than 1032:1 ...
RATIO_FROM = 1024 * 1024  # ... so above this size such a member is a bomb
MAX_TOTAL_RATIO = 100  # all members together: HTML zips ~5:1, not 100:1
TOTAL_SLACK = 64 * 1024 * 1024  # so that small zips of small pages are not refused
MAX_ZIP_ENTRIES = 200_000  # zipfile keeps every entry of the directory in memory
MAX_ZIP_DIRECTORY = 64 * 1024 * 1024  # ... and reads the directory whole first

_DRIVE = re.compile(r"[A-Za-z]:")
_LOCAL_HEADER = 30  # the fixed part of a zip member's local header


class UnreadablePackage(OSError):
    """The package as a whole cannot be checked (not a zip or ISO, a damaged or outsized
    manifest, a zip directory too big to load). An ``OSError``, because callers already
    treat those as "cannot be checked" and say so instead of showing a traceback."""


class _Refused(Exception):
    """One file is not checked, for the (bilingual) reason given."""


class _Missing(Exception):
    """One file of the manifest is not in the package."""


def sha256_of(stream: io.BufferedIOBase | io.BytesIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def folder_files(folder: Path) -> list[str]:
    """Every file below ``folder`` (``/``-separated, sorted), the manifest excepted."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).as_posix() != MANIFEST
    )


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


def is_safe_name(name: str) -> bool:
    """Whether a name stays inside the package: relative, ``/``-separated, no ``..``,
    ``.`` or empty parts, no backslash or drive letter (which Windows would obey)."""
    if not name or name.startswith("/") or "\\" in name or "\0" in name or _DRIVE.match(name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


@dataclass
class Verification:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, why not checked)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.changed or self.unexpected or self.refused)


def _size(count: int) -> str:
    for unit, scale in (("GB", 1000**3), ("MB", 1000**2), ("KB", 1000)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def _too_big(limit: int) -> str:
    return (
        f"larger than {_size(limit)}, more than a package file can be; not read / "
        f"больше {_size(limit)}, таких файлов в пакете не бывает; не читался"
    )


def _unreadable(exc: BaseException) -> str:
    why = (
        exc.strerror
        if isinstance(exc, OSError) and exc.strerror
        else str(exc) or type(exc).__name__
    )
    return (
        f"cannot be read ({why}); copy the package again / "
        f"не читается ({why}); скопируйте пакет заново"
    )


LINK = (
    "a link (symlink or junction); links are not followed / "
    "это ссылка (symlink), по ссылкам проверка не ходит"
)
NOT_A_FILE = "not an ordinary file; not read / это не обычный файл; не читался"
UNSAFE_NAME = (
    "the manifest names a place outside the package (.., / or \\); not opened / "
    "манифест называет место вне пакета (.., / или \\); не открывался"
)
OVERLAP = (
    "suspicious (a zip bomb?): its data overlaps another file of the zip; "
    "not unpacked / подозрительный файл (zip-бомба?): его данные пересекаются "
    "с другим файлом zip; не распакован"
)
ENCRYPTED = (
    "encrypted, packages never are; not unpacked / зашифрован, а пакеты не шифруются; не распакован"
)


class _Sink:
    """Takes a member's bytes chunk by chunk (pycdlib writes into it; our readers feed
    it): hashes and counts them, and stops the reading by raising as soon as more come
    than the member declared, so no member is ever held whole and a size that lies
    cannot keep us reading. Only the manifest, capped at ``MAX_MANIFEST``, is kept."""

    def __init__(self, cap: int, keep: bool = False) -> None:
        self.cap = cap
        self.expected = cap
        self.size = 0
        self.digest = hashlib.sha256()
        self.kept: bytearray | None = bytearray() if keep else None

    def expect(self, declared: int) -> None:
        """Refuse a member before reading when it declares more than the cap allows."""
        if declared > self.cap:
            raise _Refused(_too_big(self.cap))
        self.expected = declared

    def write(self, data: bytes | memoryview) -> int:
        self.size += len(data)
        if self.size > self.expected:
            raise _Refused(
                f"gives more data than the {_size(self.expected)} it declares; reading "
                f"stopped / данных больше заявленных {_size(self.expected)}; чтение "
                f"остановлено"
            )
        self.digest.update(data)
        if self.kept is not None:
            self.kept += data
        return len(data)


def _pour(stream: BinaryIO, sink: _Sink) -> None:
    """Copy a stream into a sink through one reused buffer."""
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    while True:
        count = stream.readinto(buffer)  # type: ignore[attr-defined]
        if not count:
            return
        sink.write(view[:count])


class Source:
    """A package to verify: what files it holds and each file's bytes, streamed into a
    sink. Subclasses for a folder, a zip file and an ISO image."""

    def names(self) -> list[str]:
        """Every file of the package, the manifest excepted, by its name relative to the
        package (names may be hostile: they are only compared, never opened)."""
        raise NotImplementedError

    def feed(self, name: str, sink: _Sink) -> None:
        """Stream the file ``name`` (a safe name) into ``sink``; raise ``_Missing`` or
        ``_Refused``."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the open package."""


def _is_link(info: os.stat_result) -> bool:
    attributes = getattr(info, "st_file_attributes", 0)
    return stat.S_ISLNK(info.st_mode) or bool(
        attributes & getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0)
    )


_AT_SUPPORTED = (
    os.open in os.supports_dir_fd
    and os.stat in os.supports_dir_fd
    and hasattr(os, "O_NOFOLLOW")
    and hasattr(os, "O_DIRECTORY")
)


class FolderSource(Source):
    """A folder: a USB stick, an unpacked zip, a mounted disc. Links are never followed
    (one inside the package may lead to any file of the computer), and a path is opened
    one folder at a time relative to the folder before it, so that a link put in place
    during the check cannot lead outside either."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def names(self) -> list[str]:
        found, pending = [], [("", self.path)]
        while pending:
            prefix, folder = pending.pop()
            try:
                entries = os.scandir(folder)
            except OSError:
                if not prefix:
                    raise
                continue  # an unreadable folder of a bad disc: its files are reported
            with entries:  # one by one, from the manifest, as missing or unreadable
                for entry in entries:
                    name = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False) and not _is_link(
                        entry.stat(follow_symlinks=False)
                    ):
                        pending.append((name + "/", Path(entry.path)))
                    elif name != MANIFEST:
                        found.append(name)  # files, and links: reported, never followed
        return sorted(found)

    def feed(self, name: str, sink: _Sink) -> None:
        try:
            stream = self._open_at(name) if _AT_SUPPORTED else self._open_checked(name)
        except (FileNotFoundError, NotADirectoryError):
            raise _Missing from None
        except OSError as exc:
            raise _Refused(_unreadable(exc)) from exc
        with stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise _Refused(NOT_A_FILE)
            sink.expect(info.st_size)
            try:
                _pour(stream, sink)
            except OSError as exc:  # a bad sector of a stick or disc
                raise _Refused(_unreadable(exc)) from exc

    @staticmethod
    def _check(info: os.stat_result, last: bool) -> None:
        if _is_link(info):
            raise _Refused(LINK)
        if not last and not stat.S_ISDIR(info.st_mode):
            raise _Missing
        if last and not stat.S_ISREG(info.st_mode):
            raise _Refused(NOT_A_FILE)  # checked before opening: a FIFO would block

    def _open_at(self, name: str) -> BinaryIO:
        parts = name.split("/")
        folder = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for part in parts[:-1]:
                self._check(os.stat(part, dir_fd=folder, follow_symlinks=False), False)
                inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
                os.close(folder)
                folder = inner
            self._check(os.stat(parts[-1], dir_fd=folder, follow_symlinks=False), True)
            flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
            descriptor = os.open(parts[-1], flags, dir_fd=folder)
        finally:
            os.close(folder)
        try:
            return open(descriptor, "rb")
        except BaseException:
            os.close(descriptor)
            raise

    def _open_checked(self, name: str) -> BinaryIO:
        """Where a folder cannot be opened relative to another (Windows): every part of
        the path is looked at, without following it, before the file is opened."""
        path = self.path
        parts = name.split("/")
        for index, part in enumerate(parts):
            path = path / part
            self._check(os.lstat(path), index == len(parts) - 1)
        return open(path, "rb")


def _zip_directory(stream: BinaryIO) -> tuple[int, int]:
    """How many entries a zip's central directory lists and how many bytes it takes, read
    from its end record (as zipfile finds it) before zipfile loads the directory whole:
    a small crafted file can list millions of entries."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    start = max(0, size - 22 - 65535)
    stream.seek(start)
    tail = stream.read(size - start)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise zipfile.BadZipFile("no end of central directory")
    entries, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries == 0xFFFF or directory == 0xFFFFFFFF:
        end = start + at
        if end >= 20 + 56:
            stream.seek(end - 20 - 56)
            record = stream.read(56 + 20)
            if record.startswith(b"PK\x06\x06") and record[56:60] == b"PK\x06\x07":
                entries, directory = struct.unpack("<QQ", record[32:48])
    return entries, directory


class ZipSource(Source):
    """A zip file. Nothing is extracted: each member is inflated chunk by chunk into a
    hash, after its declared size, its compression ratio and its place in the file were
    checked. Members may sit inside one folder (the package's); those outside it are
    named with ``../``."""

    def __init__(self, path: Path) -> None:
        self._file: BinaryIO = path.open("rb")
        try:
            entries, directory = _zip_directory(self._file)
            if entries > MAX_ZIP_ENTRIES or directory > MAX_ZIP_DIRECTORY:
                raise UnreadablePackage(
                    f"the zip lists {entries} entries in {_size(directory)}, more than a "
                    f"package can have ({MAX_ZIP_ENTRIES}) / записей в zip-файле: {entries} "
                    f"({_size(directory)}), в пакете столько не бывает"
                )
            self._zip = zipfile.ZipFile(self._file)
        except UnreadablePackage:
            self._file.close()
            raise
        except Exception as exc:  # zipfile lets struct, Unicode and other errors through
            self._file.close()
            raise UnreadablePackage(f"a damaged zip file ({exc}) / zip-файл повреждён") from exc
        size = self._file.seek(0, os.SEEK_END)
        self._budget = MAX_TOTAL_RATIO * size + TOTAL_SLACK
        infos = self._zip.infolist()
        self._overlapping = self._find_overlaps(infos, getattr(self._zip, "start_dir", size))
        files = [info for info in infos if not info.is_dir()]
        manifests = sorted(
            (
                info.filename
                for info in files
                if info.filename.rsplit("/", 1)[-1] == MANIFEST and is_safe_name(info.filename)
            ),
            key=lambda name: (name.count("/"), name),
        )
        prefix = manifests[0][: -len(MANIFEST)] if manifests else ""
        outside = "../" * prefix.count("/")
        self._members: dict[str, list[zipfile.ZipInfo]] = {}
        for info in files:
            name = info.filename
            name = name[len(prefix) :] if name.startswith(prefix) else outside + name
            self._members.setdefault(name, []).append(info)

    @staticmethod
    def _find_overlaps(infos: list[zipfile.ZipInfo], end: int) -> set[int]:
        """The entries whose data runs into the next entry: the trick of zip bombs that
        let thousands of entries share one compressed block (Python 3.11 has no check).
        Each entry needs at least its local header and its compressed data."""
        ordered = sorted(infos, key=lambda info: info.header_offset)
        found = set()
        for index, info in enumerate(ordered):
            after = ordered[index + 1].header_offset if index + 1 < len(ordered) else end
            if info.header_offset + _LOCAL_HEADER + info.compress_size > after or (
                index and ordered[index - 1].header_offset == info.header_offset
            ):
                found.add(id(info))
        return found

    def names(self) -> list[str]:
        return sorted(name for name in self._members if name != MANIFEST)

    def feed(self, name: str, sink: _Sink) -> None:
        infos = self._members.get(name)
        if not infos:
            raise _Missing
        if len(infos) > 1:
            raise _Refused(
                f"listed {len(infos)} times in the zip; a package holds each "
                f"file once / записан в zip несколько раз ({len(infos)}), а в "
                f"пакете каждый файл один"
            )
        info = infos[0]
        sink.expect(info.file_size)
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * info.compress_size:
            raise _Refused(
                f"suspicious (a zip bomb?): {_size(info.compress_size)} would unpack to "
                f"{_size(info.file_size)}; not unpacked / подозрительный файл (zip-бомба?): "
                f"{_size(info.compress_size)} распаковываются в {_size(info.file_size)}; "
                f"не распакован"
            )
        if id(info) in self._overlapping:
            raise _Refused(OVERLAP)
        if info.flag_bits & 0x1:
            raise _Refused(ENCRYPTED)
        if info.file_size > self._budget:
            raise _Refused(
                f"suspicious (a zip bomb?): the zip would unpack to more than "
                f"{MAX_TOTAL_RATIO} times its size; not unpacked / подозрительный файл "
                f"(zip-бомба?): zip распаковался бы больше чем в {MAX_TOTAL_RATIO} раз; "
                f"не распакован"
            )
        self._budget -= info.file_size
        try:
            with self._zip.open(info) as stream:
                for chunk in iter(lambda: stream.read(CHUNK), b""):
                    sink.write(chunk)
        except _Refused:
            raise
        except Exception as exc:  # zlib, CRC, truncation, unknown compression: all damage
            raise _Refused(_unreadable(exc)) from exc

    def close(self) -> None:
        self._zip.close()
        self._file.close()


class IsoSource(Source):
    """An ISO image, read by its Joliet names. pycdlib writes a file's blocks into our
    sink; the sizes the image declares are checked first, and all files together may not
    claim more data than the image holds (several names can point at the same blocks)."""

    def __init__(self, path: Path) -> None:
        from gardarika.publish.isoimage import iso_files, open_iso

        self._budget = path.stat().st_size
        try:
            self._iso = open_iso(path)
        except Exception as exc:  # pycdlib raises its own errors, and others on bad data
            raise UnreadablePackage(
                f"neither a zip file nor an ISO image, or a damaged one ({exc}) / "
                f"это не zip-файл и не образ ISO, или он повреждён"
            ) from exc
        try:
            self._counts = Counter(iso_files(self._iso))
        except Exception as exc:
            self._iso.close()
            raise UnreadablePackage(
                f"the ISO image has no Joliet names or is damaged ({exc}) / в образе ISO "
                f"нет имён Joliet, или он повреждён"
            ) from exc

    def names(self) -> list[str]:
        return sorted(name for name in self._counts if name != MANIFEST)

    def feed(self, name: str, sink: _Sink) -> None:
        from gardarika.publish.isoimage import copy_iso_file, iso_file_size

        count = self._counts.get(name, 0)
        if not count:
            raise _Missing
        if count > 1:
            raise _Refused(
                f"listed {count} times in the image; a package holds each file "
                f"once / записан в образе несколько раз ({count}), а в пакете "
                f"каждый файл один"
            )
        try:
            size = iso_file_size(self._iso, name)
            sink.expect(size)
            if size > self._budget:
                raise _Refused(
                    "suspicious: the image's files claim more data than it holds; not "
                    "read / подозрительный образ: его файлы заявляют больше данных, чем "
                    "в нём есть; не читался"
                )
            self._budget -= size
            copy_iso_file(self._iso, name, sink)
        except _Refused:
            raise
        except Exception as exc:  # pycdlib's errors and OSError of a bad disc
            raise _Refused(_unreadable(exc)) from exc

    def close(self) -> None:
        self._iso.close()


def open_source(path: Path) -> Source:
    """The right reader for a package: a folder, a zip file or (any other file) an ISO."""
    path = Path(path)
    if path.is_dir():
        return FolderSource(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such folder or file / нет такой папки или файла")
    if zipfile.is_zipfile(path):
        return ZipSource(path)
    return IsoSource(path)


def _read_manifest_of(source: Source, path: Path) -> dict[str, str]:
    sink = _Sink(MAX_MANIFEST, keep=True)
    try:
        source.feed(MANIFEST, sink)
    except _Missing:
        raise FileNotFoundError(f"no {MANIFEST} in {path} / нет {MANIFEST}") from None
    except _Refused as exc:
        raise UnreadablePackage(f"{MANIFEST}: {exc}") from None
    try:
        text = bytes(sink.kept or b"").decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadablePackage(
            f"{MANIFEST} is not UTF-8 text / {MANIFEST} — не текст UTF-8"
        ) from None
    return read_manifest(text)


def verify(path: Path) -> Verification:
    """Compare a package (folder, zip or ISO) with the manifest it carries. Raises
    ``FileNotFoundError`` or ``UnreadablePackage`` (both ``OSError``) when the package
    as a whole cannot be checked; every problem with a single file is in the result."""
    source = open_source(Path(path))
    try:
        expected = _read_manifest_of(source, Path(path))
        result = Verification()
        for name, digest in sorted(expected.items()):
            result.checked += 1
            if not is_safe_name(name):
                result.refused.append((name, UNSAFE_NAME))
                continue
            sink = _Sink(MAX_MEMBER)
            try:
                source.feed(name, sink)
            except _Missing:
                result.missing.append(name)
            except _Refused as exc:
                result.refused.append((name, str(exc)))
            else:
                if sink.digest.hexdigest() != digest:
                    result.changed.append(name)
        result.unexpected = sorted(set(source.names()) - set(expected))
        return result
    finally:
        source.close()


def _shown(name: str) -> str:
    """A name fit for the terminal: names come from the package, and a crafted one could
    carry control characters that rewrite the screen."""
    return name if name and name.isprintable() else repr(name)


def _plain(text: str) -> str:
    """A reason fit for the terminal: it may quote an error that quotes a crafted name."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def describe(result: Verification) -> Iterator[str]:
    for name in result.missing:
        yield f"missing: {_shown(name)} / нет файла"
    for name in result.changed:
        yield f"changed: {_shown(name)} / файл изменён (повреждён)"
    for name in result.unexpected:
        yield f"unexpected: {_shown(name)} / лишний файл"
    for name, reason in result.refused:
        yield f"not checked: {_shown(name)}: {_plain(reason)}"
    if result.refused:
        count = len(result.refused)
        yield (
            f"{count} file(s) not checked; do not trust them: get the package again "
            f"from where it was made. / Не проверено файлов: {count}; не доверяйте им: "
            f"возьмите пакет заново там, где его сделали."
        )
