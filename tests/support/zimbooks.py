"""ZIM files made and edited for the tests of ``invoke package --zim`` and ``invoke
verify``: small books written with libzim's own writer, read and changed byte by byte
(their checksum made to match again), and hostile code run in a process of its own."""

from __future__ import annotations

import hashlib
import os
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from libzim import writer as libzim_writer
from projects import REPO

from gardarika.publish import zimverify

#: a page of 4.9 MB of links: what entries sharing one stored page each point to
BIG_PAGE = '<a href="index.html">' * (4_900_000 // 21)


class Page(libzim_writer.Item):
    def __init__(self, path: str, data: bytes, mimetype: str = "text/html") -> None:
        super().__init__()
        self.path, self.data, self.mimetype = path, data, mimetype

    def get_path(self) -> str:
        return self.path

    def get_title(self) -> str:
        return ""

    def get_mimetype(self) -> str:
        return self.mimetype

    def get_contentprovider(self) -> libzim_writer.StringProvider:
        return libzim_writer.StringProvider(self.data)

    def get_hints(self) -> dict:
        return {libzim_writer.Hint.FRONT_ARTICLE: False}


def book(path: Path, pages: dict[str, str | bytes], main: str = "index.html") -> Path:
    """A ZIM written with libzim's own writer, with the metadata verify asks for."""
    with libzim_writer.Creator(str(path)) as creator:
        creator.set_mainpath(main)
        for key in zimverify.REQUIRED_METADATA:
            creator.add_metadata(key, "2026-12-01" if key == "Date" else "x")
        for name, data in pages.items():
            creator.add_item(Page(name, data.encode() if isinstance(data, str) else data))
    return path


def header(data: bytes) -> dict[str, int]:
    names = ("entries", "clusters", "url_ptr", "title_ptr", "cluster_ptr", "mime_ptr")
    values = struct.unpack_from("<IIQQQQ", data, 24)
    found = dict(zip(names, values, strict=True))
    found["checksum"] = struct.unpack_from("<Q", data, 72)[0]
    return found


def with_matching_checksum(data: bytes | bytearray) -> bytes:
    """``data`` with its MD5 (the last 16 bytes of a ZIM) made to match its content again:
    a file changed on purpose, not by a bad copy."""
    data = bytearray(data)
    at = header(bytes(data))["checksum"]
    data[at : at + 16] = hashlib.md5(bytes(data[:at])).digest()
    return bytes(data)


def dirents(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """Each entry's offset, MIME type number and path (in URL order)."""
    head = header(data)
    for offset in struct.unpack_from(f"<{head['entries']}Q", data, head["url_ptr"]):
        mime = struct.unpack_from("<H", data, offset)[0]
        start = offset + (12 if mime == 0xFFFF else 16)
        yield offset, mime, data[start : data.index(b"\0", start)]


def sharing_one_page(path: Path, copies: int, page: str = BIG_PAGE) -> Path:
    """A ZIM whose ``copies`` entries ``p000000.html``… all point to the stored bytes of
    ``index.html`` (``page``; the format lets any number of entries share one blob): a
    few bytes per entry in the file, ``len(page)`` bytes each for a reader to read."""
    book(path, {"index.html": page, **{f"p{i:06d}.html": "<p>x</p>" for i in range(copies)}})
    data = bytearray(path.read_bytes())
    first = next(off for off, _, name in dirents(bytes(data)) if name == b"index.html")
    mime = struct.unpack_from("<H", data, first)[0]
    cluster, blob = struct.unpack_from("<II", data, first + 8)
    for offset, _, name in list(dirents(bytes(data))):
        if name.startswith(b"p0"):
            struct.pack_into("<H", data, offset, mime)
            struct.pack_into("<II", data, offset + 8, cluster, blob)
    path.write_bytes(with_matching_checksum(data))
    return path


def start(code: str, *args: str) -> subprocess.Popen[bytes]:
    """``code`` run by Python in a session of its own (a program it starts, such as
    zimcheck, ends with it)."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        cwd=REPO,
    )


def finish(process: subprocess.Popen[bytes], deadline: float) -> tuple[int, str] | None:
    """The return code and output of ``process``, or None when it runs past
    ``deadline`` (then it and its children are killed)."""
    try:
        out, err = process.communicate(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return None
    return process.returncode, (out + err).decode("utf-8", "replace")
