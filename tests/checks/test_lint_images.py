"""Pictures in the editors' check: one too big to build is refused with its size and
what to do, read from its header alone; one that cannot be read is a warning."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from gardarika.checks import lint
from gardarika.checks.pictures import check_images
from gardarika.config.network import load_network
from gardarika.errors import Problem
from gardarika.render.images import MAX_PIXELS


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(width: int, height: int) -> bytes:
    """A black-and-white PNG of ``width`` × ``height`` pixels written directly: one bit a
    pixel, all zero, compresses a thousandfold (13 000 × 13 000 is 21 KB), and no picture
    of that size is ever made in memory."""
    row = bytes(1 + (width + 7) // 8)  # a filter byte, then the pixels
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def jpeg_header(width: int, height: int) -> bytes:
    """The beginning of a colour JPEG of ``width`` × ``height`` pixels, and no pixels."""
    frame = struct.pack(">BHHB", 8, height, width, 3) + b"".join(
        struct.pack(">BBB", component, 0x11, 0) for component in (1, 2, 3)
    )
    scan = b"\3" + b"".join(struct.pack(">BB", component, 0) for component in (1, 2, 3))
    return (
        b"\xff\xd8\xff\xc0"
        + struct.pack(">H", len(frame) + 2)
        + frame
        + b"\xff\xda"
        + struct.pack(">H", len(scan) + 5)
        + scan
        + b"\0\x3f\0"
        + bytes(64)
        + b"\xff\xd9"
    )


def tiff_header(width: int, height: int) -> bytes:
    """The beginning of a grey TIFF of ``width`` × ``height`` pixels in one strip."""
    long, short = 4, 3
    tags = [
        (256, long, width),
        (257, long, height),
        (258, short, 8),
        (259, short, 1),
        (262, short, 1),
        (273, long, 200),
        (277, short, 1),
        (278, long, height),
        (279, long, width * height),
    ]
    ifd = struct.pack("<H", len(tags)) + b"".join(
        struct.pack("<HHII", tag, kind, 1, value)
        if kind == long
        else struct.pack("<HHIHH", tag, kind, 1, value, 0)
        for tag, kind, value in tags
    )
    return b"II*\0" + struct.pack("<I", 8) + ifd + bytes(68)


def gif_header(width: int, height: int) -> bytes:
    """A GIF whose header says ``width`` × ``height``: the header is all that is read."""
    return (
        b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0) + b",\0\0\0\0\1\0\1\0\0\2\2D\1\0;"
    )


def jpeg(size: tuple[int, int] = (400, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check must read headers only: decoding pixels fails the test."""
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: pytest.fail(f"{self.size} decoded")
    )


def problems(network: Path) -> dict[str, Problem]:
    town = load_network(network).towns["alpha"]
    found = list(check_images(town, [], network))
    by_name = {Path(p.file).name: p for p in found}
    assert len(by_name) == len(found)
    return by_name


def test_too_large_pictures_are_refused_with_their_size(network: Path, no_decoding: None) -> None:
    images = network / "content/alpha/images"
    (images / "huge.png").write_bytes(huge_png(13_000, 13_000))  # Pillow refuses it too
    (images / "Big Scan.PNG").write_bytes(huge_png(8_000, 6_300))  # Pillow only warns
    (images / "camera.png").write_bytes(huge_png(8_000, 6_000))  # 48 Mpx: fine
    (images / "photo.jpg").write_bytes(jpeg_header(9_000, 9_000))
    (images / "scan.tiff").write_bytes(tiff_header(20_000, 20_000))
    (images / "fine.tif").write_bytes(tiff_header(8_000, 6_000))
    (network / "content/alpha/files").mkdir()
    (network / "content/alpha/files/poster.gif").write_bytes(gif_header(9_000, 9_000))
    assert (images / "huge.png").stat().st_size < 100_000
    found = problems(network)
    assert set(found) == {"huge.png", "Big Scan.PNG", "poster.gif", "photo.jpg", "scan.tiff"}
    assert all(problem.severity == "error" for problem in found.values())
    huge = found["huge.png"]
    assert huge.file == "content/alpha/images/huge.png" and huge.severity == "error"
    assert "this picture is 13000 × 13000 pixels (169 000 000 pixels in all)" in huge.en
    assert "at most 50 000 000" in huge.en
    assert (
        "Scale it down to at most 50 000 000 pixels, e.g. 8000 × 6000, in any photo "
        "editor" in huge.en
    )
    assert (
        "13000 × 13000 пикселей" in huge.ru
        and "Уменьшите её до 50 000 000 пикселей, например 8000 × 6000, в любом фоторедакторе"
        in huge.ru
    )
    assert "8000 × 6300 pixels" in found["Big Scan.PNG"].en
    assert "9000 × 9000 pixels" in found["photo.jpg"].en
    assert "20000 × 20000 pixels" in found["scan.tiff"].en
    assert "9000 × 9000 pixels" in found["poster.gif"].en
    assert MAX_PIXELS == 50_000_000


def test_unreadable_pictures_are_errors_and_never_a_crash(network: Path, no_decoding: None) -> None:
    images = network / "content/alpha/images"
    good = jpeg()
    (images / "not-a-picture.jpg").write_text("hello", encoding="utf-8")
    (images / "empty.png").write_bytes(b"")
    (images / "cut-in-header.jpg").write_bytes(good[:40])
    (images / "cut-in-pixels.jpg").write_bytes(good[: len(good) // 2])
    (images / "bad-crc.png").write_bytes(huge_png(10, 10)[:29] + b"XXXX" + huge_png(10, 10)[33:])
    (images / "postscript.jpg").write_bytes(
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\nshowpage\n"
    )
    (images / "truncated-tiff.tif").write_bytes(b"II*\0" + b"\xff" * 12)
    (images / ".hidden.jpg").write_text("not published, not checked", encoding="utf-8")
    (images / "notes.txt").write_text("not a picture", encoding="utf-8")
    found = problems(network)
    # cut in its pixels: its missing end tells (a TIFF's damage only decoding finds,
    # which the build does and refuses it then)
    assert set(found) == {
        "not-a-picture.jpg",
        "empty.png",
        "cut-in-header.jpg",
        "cut-in-pixels.jpg",
        "bad-crc.png",
        "postscript.jpg",
        "truncated-tiff.tif",
    }
    assert "it is cut short" in found["cut-in-pixels.jpg"].en
    for problem in found.values():
        assert problem.severity == "error", problem
        assert problem.en.startswith("this picture cannot be read (")
        assert "so it is not published" in problem.en
        assert "Open it in a photo editor and save it again" in problem.en
        assert problem.ru.startswith("эту картинку не удаётся прочитать (")
    assert (
        "not a JPEG, PNG, WebP, BMP, TIFF or GIF picture" in found["postscript.jpg"].en
    )  # not handed to Ghostscript


def test_a_town_with_a_huge_picture_is_not_built(
    network: Path, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    if check_images not in lint.CHECKS:  # until it is registered there
        monkeypatch.setattr(lint, "CHECKS", (*lint.CHECKS, check_images))
    (network / "content/alpha/images/huge.png").write_bytes(huge_png(13_000, 13_000))
    report = build_network(network)
    assert report.failed == ["alpha"] and report.built == ["beta"]
    assert (
        "content/alpha/images/huge.png: error: this picture is 13000 × 13000 pixels" in report.log
    )
    assert "content/alpha/images/huge.png: ошибка: размер картинки — 13000 × 13000" in report.log
