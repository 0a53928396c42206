"""Light pictures: a 5 MB phone photo becomes a small, upright web picture without GPS."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import re
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFile, ImageStat
from projects import REPO, write

from gardarika.render.images import (
    MAX_PIXELS,
    ImageSettings,
    PictureTooLarge,
    annotate_images,
    process,
)


def phone_photo(path: Path) -> Path:
    """A 4000×3000 JPEG of about 5 MB, taken sideways (EXIF orientation 6), with GPS."""
    width, height = 4000, 3000
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge(
        "RGB",
        (
            gradient,
            gradient.rotate(90).resize((width, height)),
            Image.new("L", (width, height), 120),
        ),
    )
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 250):
        draw.ellipse(
            (x, 600 + x % 700, x + 400, 1400 + x % 500), fill=((x * 7) % 255, 90, 200 - x % 150)
        )
    draw.rectangle((0, 0, 600, 3000), fill=(200, 30, 30))  # marks the photo's left edge
    image = ImageChops.add(
        image, Image.effect_noise((width, height), 32).convert("RGB"), scale=1.6, offset=-40
    )
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (60.0, 42.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (28.0, 44.0, 10.0),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=92, exif=exif)
    return path


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = phone_photo(tmp_path_factory.mktemp("photo") / "IMG_0042.JPG")
    assert 4_000_000 <= path.stat().st_size <= 8_000_000
    return path


def assert_web_ready(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert len(data) <= 300_000
    assert image.format == "JPEG"
    assert image.height > image.width  # turned upright: the sideways photo is portrait
    assert max(image.size) <= 1280
    exif = image.getexif()
    assert ExifTags.IFD.GPSInfo not in exif and not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert ExifTags.Base.Make not in exif and ExifTags.Base.Orientation not in exif
    # the red band on the photo's left edge is now at the top, as the phone was held
    assert image.convert("RGB").getpixel((image.width // 2, 5))[0] > 150
    return image


def test_phone_photo_is_processed(photo: Path, tmp_path: Path) -> None:
    before = hashlib.sha256(photo.read_bytes()).hexdigest()
    result = process(photo, tmp_path / "cache")
    assert (result.width, result.height) == (960, 1280)
    assert_web_ready(result.main_file().read_bytes())
    assert result.variants == [480, 800]
    for width in result.variants:
        variant = Image.open(result.variant_file(width))
        assert variant.width == width and not variant.getexif()
    assert hashlib.sha256(photo.read_bytes()).hexdigest() == before  # original untouched


def test_processing_is_cached(photo: Path, tmp_path: Path, monkeypatch) -> None:
    first = process(photo, tmp_path / "cache")
    import gardarika.render.images as images

    monkeypatch.setattr(images, "_render", lambda *a: pytest.fail("rendered again"))
    again = process(photo, tmp_path / "cache")
    assert again.folder == first.folder and again.size == first.size
    monkeypatch.undo()
    smaller = process(photo, tmp_path / "cache", ImageSettings(max_width=640))
    assert smaller.folder != first.folder and smaller.width == 640  # settings are in the key


def test_drawings_stay_png_and_small_pictures_keep_their_size(tmp_path: Path) -> None:
    drawing = Image.new("RGB", (600, 400), "white")
    ImageDraw.Draw(drawing).rectangle((50, 50, 300, 200), fill=(20, 60, 160))
    drawing.save(tmp_path / "map.png")
    result = process(tmp_path / "map.png", tmp_path / "cache")
    assert result.format == "png" and (result.width, result.height) == (600, 400)
    assert result.variants == [480]


def test_annotate_images() -> None:
    from gardarika.render.images import ProcessedImage

    image = ProcessedImage(
        width=960, height=1280, format="jpeg", suffix=".jpg", size=1, variants=[480, 800]
    )
    html = (
        '<p><img alt="a" src="./images/p.jpg"><img src="other.jpg" alt="b">'
        '<img src="./images/p.jpg" width="100" loading="eager" /></p>'
    )
    out = annotate_images(html, lambda src: image if "images/p.jpg" in src else None)
    first, second, third = re.findall(r"<img[^>]*>", out)
    assert 'width="960" height="1280" loading="lazy" decoding="async"' in first
    assert (
        'srcset="./images/p-480w.jpg 480w, ./images/p-800w.jpg 800w, ./images/p.jpg 960w"'
    ) in first
    assert second == '<img src="other.jpg" alt="b">'
    assert 'width="100"' in third and 'loading="eager"' in third
    assert 'width="960"' not in third and third.endswith(" />")


def test_photo_in_an_article(network: Path, build_network, photo: Path) -> None:
    images = network / "content/alpha/images"
    source = images / "Прогулка у реки.JPG"
    source.write_bytes(photo.read_bytes())
    Image.new("RGBA", (300, 200), (0, 0, 0, 0)).save(images / "logo.webp")
    write(
        network / "content/alpha/articles/walk.md",
        """
        Title: Прогулка у реки
        Date: 2024-08-01 10:00

        ![У реки]({static}/images/Прогулка у реки.JPG)

        ![Логотип](images/logo.webp)
    """,
    )
    report = build_network(network)
    assert report.ok, report.log
    out = network / "output/alpha"
    web = out / "images/progulka-u-reki.jpg"
    assert_web_ready(web.read_bytes())
    assert (out / "images/progulka-u-reki-480w.jpg").is_file()
    assert source.read_bytes() == photo.read_bytes()
    page = next(
        p
        for p in out.glob("*.html")
        if "images/progulka-u-reki.jpg" in p.read_text(encoding="utf-8") and "index" not in p.name
    )
    html = page.read_text(encoding="utf-8")
    img = re.search(r'<img alt="У реки"[^>]*>', html).group(0)
    assert 'width="960" height="1280"' in img and 'loading="lazy"' in img
    assert "progulka-u-reki-480w.jpg 480w" in img
    assert (out / "images/logo.png").is_file() and not (out / "images/logo.webp").exists()
    assert 'src="./images/logo.png"' in html

    # a second build takes the pictures from the cache: no new cache entry, same bytes
    cache = network / ".cache/images"
    entries = {p: p.stat().st_mtime_ns for p in cache.glob("*/*/meta.json")}
    data = web.read_bytes()
    assert build_network(network).ok
    assert {p: p.stat().st_mtime_ns for p in cache.glob("*/*/meta.json")} == entries
    assert web.read_bytes() == data


def test_black_and_white_photo_stays_jpeg(tmp_path: Path) -> None:
    Image.effect_noise((900, 600), 40).save(tmp_path / "archive.jpg", "JPEG")
    result = process(tmp_path / "archive.jpg", tmp_path / "cache")
    assert result.format == "jpeg" and result.suffix == ".jpg"


def test_too_large_pictures_are_never_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_lint_images import huge_png

    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: pytest.fail(f"{self.size} decoded")
    )
    for name, (width, height) in {
        "huge.png": (13_000, 13_000),  # Pillow refuses it too
        "scan.png": (8_000, 6_300),
    }.items():  # Pillow only warns
        (tmp_path / name).write_bytes(huge_png(width, height))
        with pytest.raises(PictureTooLarge) as refused:
            process(tmp_path / name, tmp_path / "cache")
        assert (refused.value.width, refused.value.height) == (width, height)
        en, ru = refused.value.messages()
        assert f"{width} × {height} pixels" in en and "8000 × 6000" in en
        assert f"{width} × {height} пикселей" in ru
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS  # Pillow refuses them wherever opened
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]  # no lock left


def big_jpeg(path: Path, width: int = 8200, height: int = 5500) -> Path:
    """A 45 Mpx photo-like JPEG, made quickly (smooth shapes compress fast)."""
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge(
        "RGB",
        (
            gradient,
            gradient.transpose(Image.Transpose.ROTATE_90).resize((width, height)),
            Image.new("L", (width, height), 90),
        ),
    )
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 400):
        draw.ellipse((x, 1000 + x % 900, x + 700, 2600 + x % 800), fill=(x % 255, 40, 200))
    draw.text((100, 100), "Gardarika", fill=(255, 255, 255), font_size=600)
    image.save(path, "JPEG", quality=90)
    return path


#: processes a picture and prints the result and the peak memory in KB. Linux passes
#: ``ru_maxrss`` on through ``exec``, so a process started by a big pytest would report
#: pytest's peak: the peak of this process's own memory (VmHWM) is read where it exists.
MEASURE = """
import re, resource, sys
from pathlib import Path
from gardarika.render.images import process
result = process(Path(sys.argv[1]), Path(sys.argv[2]))
try:
    with open("/proc/self/status") as status:
        peak = int(re.search(r"VmHWM:\\s*(\\d+) kB", status.read()).group(1))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak //= 1024 if sys.platform == "darwin" else 1
print(result.main_file(), peak)
"""


def test_a_big_jpeg_is_decoded_reduced(tmp_path: Path) -> None:
    """libjpeg decodes a 45 Mpx photo at half its size: the full-size bitmap (135 MB),
    which the same picture took before, besides two copies of it, is never made; the
    result looks the same as from the full-size one."""
    pytest.importorskip("resource")
    source = big_jpeg(tmp_path / "big.jpg")
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(source), str(tmp_path / "c")],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    main, peak_kb = done.stdout.split()
    peak = int(peak_kb) // 1024
    full_bitmap = 8200 * 5500 * 3 // 2**20
    assert peak < full_bitmap, f"{peak} MB"  # it was 590 MB
    with Image.open(source) as whole:  # the picture made from the full-size bitmap
        whole.load()
        reference = whole.resize((1280, 859), Image.Resampling.LANCZOS)
    with Image.open(main) as made:
        assert made.size == reference.size == (1280, 859)
        difference = ImageChops.difference(made.convert("RGB"), reference)
    assert max(ImageStat.Stat(difference).mean) < 2  # of 255; JPEG itself differs this much


def test_a_damaged_cache_entry_is_made_again(photo: Path, tmp_path: Path) -> None:
    first = process(photo, tmp_path / "cache")
    first.main_file().unlink()
    again = process(photo, tmp_path / "cache")
    assert again.folder == first.folder and again.main_file().is_file()
    assert again.size == first.size


def _process_at_once(source: Path, cache: Path, barrier: Any, results: Any) -> None:
    barrier.wait()
    results.put(asdict(process(source, cache)))


def _process_in_two_processes(
    source: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, log: Path
) -> list[dict[str, Any]]:
    """Process ``source`` in two forked processes started at the same moment; each time
    a picture is really made, a line is added to ``log``."""
    import gardarika.render.images as images

    render = images._render

    def slow_render(*args: Any) -> Any:
        with log.open("a", encoding="utf-8") as marks:
            marks.write(f"{os.getpid()}\n")
        time.sleep(0.4)  # the other process is surely asking for the picture meanwhile
        return render(*args)

    monkeypatch.setattr(images, "_render", slow_render)
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_process_at_once, args=(source, cache, barrier, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    found = [results.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    return found


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_two_processes_make_the_same_picture_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = big_jpeg(tmp_path / "photo.jpg", 2400, 1600)
    log = tmp_path / "made.log"
    first, second = _process_in_two_processes(source, tmp_path / "cache", monkeypatch, log)
    assert len(log.read_text(encoding="utf-8").split()) == 1  # the other one waited
    assert first == second and Path(first["folder"]).is_dir()
    assert not list((tmp_path / "cache").glob("*/*.lock"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_without_locks_both_make_it_and_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where there is no ``fcntl`` (Windows) both processes make the picture (which is
    what the test above would see without the lock), and the cache stays whole."""
    import gardarika.render.images as images

    monkeypatch.setattr(images, "fcntl", None)
    source = big_jpeg(tmp_path / "photo.jpg", 2400, 1600)
    log = tmp_path / "made.log"
    first, second = _process_in_two_processes(source, tmp_path / "cache", monkeypatch, log)
    assert len(log.read_text(encoding="utf-8").split()) == 2
    assert first == second
    assert images._cached(Path(first["folder"])) is not None


def test_a_picture_that_cannot_be_read_is_not_published(
    network: Path, build_network, monkeypatch, photo: Path
) -> None:
    """Copied as it is, a damaged photo would keep its EXIF (the GPS position): the
    checks refuse it, and so does the build without them."""
    import gardarika.build.builder

    images = network / "content/alpha/images"
    (images / "broken.jpg").write_bytes(b"this is not a picture")
    cut = photo.read_bytes()
    (images / "cut.jpg").write_bytes(cut[: len(cut) * 2 // 3])  # the header is whole
    report = build_network(network)
    assert report.failed == ["alpha"], report.log
    assert "content/alpha/images/broken.jpg: error: this picture cannot be read" in report.log
    monkeypatch.setattr(gardarika.build.builder, "lint_town", lambda town, root, **_: [])
    report = build_network(network)
    assert report.failed == ["alpha"], report.log
    assert "content/alpha/images/cut.jpg: error: this picture cannot be read" in report.log
    assert not (network / "output/alpha/images/cut.jpg").exists()
