import io
from pathlib import Path

from pelican_site import build_site
from PIL import Image


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((2400, 1600), 30).convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def test_big_photo_is_made_light_and_described(tmp_path: Path) -> None:
    original = photo()
    out, _ = build_site(tmp_path, {
        "images/big.jpg": original,
        "a.md": "Title: A\nDate: 2024-01-01\nSlug: a\n\n![Фото]({static}/images/big.jpg)\n",
    }, ["light_images"])
    web = out / "images" / "big.jpg"
    with Image.open(web) as image:
        assert image.size == (1280, 853)
    assert web.stat().st_size <= 300_000
    assert (out / "images" / "big-480w.jpg").is_file()
    assert (tmp_path / "content" / "images" / "big.jpg").read_bytes() == original
    page = (out / "a.html").read_text(encoding="utf-8")
    assert 'width="1280" height="853"' in page and 'loading="lazy"' in page
    assert "big-480w.jpg 480w" in page
