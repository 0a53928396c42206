import io
import re
import struct
import sys
import zlib
from pathlib import Path

import pytest
from pelican_site import build_pelican_site
from PIL import Image


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((2400, 1600), 30).convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def test_big_photo_is_made_light_and_described(tmp_path: Path) -> None:
    original = photo()
    out, _ = build_pelican_site(
        tmp_path,
        {
            "images/big.jpg": original,
            "a.md": "Title: A\nDate: 2024-01-01\nSlug: a\n\n![Фото]({static}/images/big.jpg)\n",
        },
        ["light_images"],
    )
    web = out / "images" / "big.jpg"
    with Image.open(web) as image:
        assert image.size == (1280, 853)
    assert web.stat().st_size <= 300_000
    assert (out / "images" / "big-480w.jpg").is_file()
    assert (tmp_path / "content" / "images" / "big.jpg").read_bytes() == original
    page = (out / "a.html").read_text(encoding="utf-8")
    assert 'width="1280" height="853"' in page and 'loading="lazy"' in page
    assert "big-480w.jpg 480w" in page


def huge_png(width: int, height: int) -> bytes:
    """A black-and-white PNG of ``width`` × ``height`` pixels written directly: one bit a
    pixel, all zero, compresses a thousandfold (13 000 × 13 000 is 21 KB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = bytes(1 + (width + 7) // 8)  # a filter byte, then the pixels
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


#: a stand-in for the Python that runs Pelican: it runs it, then tells its peak memory
MEASURING_PYTHON = """#!{python}
import resource, subprocess, sys
done = subprocess.run([{python!r}, *sys.argv[1:]])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"peak memory: {{peak // (1024 * 1024 if sys.platform == 'darwin' else 1024)}} MB",
      file=sys.stderr)
sys.exit(done.returncode)
"""


def test_a_huge_picture_is_refused_without_being_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("resource")
    python = tmp_path / "python"
    python.write_text(MEASURING_PYTHON.format(python=sys.executable), encoding="utf-8")
    python.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(python))
    small = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 60, 20)).save(small, "JPEG")
    out, log = build_pelican_site(
        tmp_path / "site",
        {
            "images/huge.png": huge_png(13_000, 13_000),  # 169 Mpx: 2 GB to process before
            "images/small.jpg": small.getvalue(),
            "a.md": "Title: A\nDate: 2024-01-01\nSlug: a\n\n![Огромная]({static}/images/huge.png)"
            "\n![Маленькая]({static}/images/small.jpg)\n",
        },
        ["light_images"],
        must_succeed=False,
    )
    assert (
        "images/huge.png: this picture is 13000 × 13000 pixels (169 000 000 pixels in "
        "all); a picture may have at most 50 000 000" in " ".join(log.split())
    )
    assert not (out / "images/huge.png").exists()  # not published either
    assert (out / "images/small.jpg").is_file()  # the others are made as always
    peak = int(re.search(r"peak memory: (\d+) MB", log).group(1))
    # a 13 000 × 13 000 picture of one byte a pixel alone would take 169 MB
    assert peak < 150, log
    assert not list((tmp_path / "site/cache/images").glob("*/*.lock"))
