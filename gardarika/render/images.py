"""Light pictures: phone photos made fit for a village link and a CD.

A picture is turned upright by its EXIF orientation, scaled down to fit a sensible box,
re-encoded as JPEG (or PNG for drawings and transparency) at a quality that keeps it
under a byte budget, and written without its metadata (no GPS position, no camera
serial). Smaller copies are made for ``srcset``. The originals are never touched.

Processing is slow, so results are cached by the content of the source file and the
settings: a second build, or the same picture in another language's run, reuses them.
Two runs that reach the same picture at once (the languages of a town are built side by
side) do not both process it: the second waits for the first (a lock per picture) and
takes its result from the cache.

Memory is what a picture costs most: decoded, every pixel takes three or four bytes,
however small the file. A picture of more than :data:`MAX_PIXELS` is never decoded (the
editors' check, :mod:`gardarika.checks.pictures`, refuses it first, with its size), and a
large JPEG is decoded at a half, a quarter or an eighth of its size by libjpeg itself when
that is still twice the size it will be shown at.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path
from typing import IO

from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from gardarika.errors import Message
from gardarika.render.tags import Page

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: pictures are not locked
    fcntl = None  # type: ignore[assignment]

#: source formats we process; anything else (GIF animations, SVG) is copied as it is
PROCESSED_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")
PROCESS_VERSION = 2  # bump when the output of the same settings changes
#: what Pillow is allowed to read at all: the formats above and GIF. Pillow knows dozens
#: more (EPS, which it hands to Ghostscript, among them); a file named ``.jpg`` holding
#: one of those is treated as unreadable, not opened by that format's reader.
READ_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF")

#: The most pixels a picture may have: 50 megapixels, more than any phone makes
#: (8000 × 6000 is 48). Decoded, that is 150 MB, or 200 MB with transparency, in each of
#: the builds running side by side; a 13 000 × 13 000 picture took 2.7 GB.
MAX_PIXELS = 50_000_000
#: an example size within :data:`MAX_PIXELS` for the message to editors
MAX_PIXELS_EXAMPLE = "8000 × 6000"
# Pillow's own guard, for any code that opens a picture without asking
# :func:`open_picture` first: it warns above this and refuses twice this. Where we
# decode, the warning is an error too (see :func:`_decode_fitted`).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
#: a big picture is first reduced by a whole factor (by libjpeg while decoding a JPEG, by
#: averaging otherwise) to no less than this many times the size it is shown at, then
#: resampled properly: the result looks the same as a resampling of the whole picture
REDUCING_GAP = 2.0


@dataclass(frozen=True)
class ImageSettings:
    max_width: int = 1280
    max_height: int = 1280
    variants: tuple[int, ...] = (480, 800)
    quality: int = 82
    min_quality: int = 50
    max_bytes: int = 300_000


@dataclass
class ProcessedImage:
    """The result for one source picture, as stored in the cache's ``meta.json``."""

    width: int
    height: int
    format: str  # "jpeg" or "png"
    suffix: str  # ".jpg" or ".png"
    size: int  # bytes of the main file
    variants: list[int] = field(default_factory=list)  # widths of the smaller copies
    folder: str = ""  # cache folder holding main<suffix> and <w>w<suffix>

    def main_file(self) -> Path:
        return Path(self.folder) / f"main{self.suffix}"

    def variant_file(self, width: int) -> Path:
        return Path(self.folder) / f"{width}w{self.suffix}"


class ImageError(Exception):
    """The picture cannot be read (damaged, not a picture, or absurdly large).

    ``reason`` says why in English, ``reason_ru`` in Russian; the reasons Pillow gives
    (``image file is truncated``) have no translation and are shown as they are.
    """

    def __init__(self, reason: str, reason_ru: str | None = None):
        super().__init__(reason)
        self.reason_ru = reason_ru or reason

    def messages(self) -> Message:
        """What to tell an editor, in English and Russian. Such a file is not published:
        copied as it is, it would keep what processing removes (the GPS position in a
        damaged photo's EXIF, a camera's serial number)."""
        return Message(
            f"this picture cannot be read ({self}), so it is not published (copied "
            "as it is, it would keep its hidden data, such as where the photo was "
            "taken). Open it in a photo editor and save it again as JPEG or PNG, or put "
            "another picture in its place.",
            f"эту картинку не удаётся прочитать ({self.reason_ru}), поэтому она не "
            "публикуется (скопированная как есть, она сохранила бы скрытые данные, "
            "например место съёмки). Откройте её в фоторедакторе и сохраните заново как "
            "JPEG или PNG или замените её другой картинкой.",
        )


def _number(value: int) -> str:
    """``50000000`` -> ``50 000 000`` (a space between thousands reads the same in both
    languages)."""
    return f"{value:,}".replace(",", " ")


class PictureTooLarge(ImageError):
    """The picture has more than :data:`MAX_PIXELS` pixels: decoding it would take
    gigabytes of memory in every build running at the time, so it is never decoded.

    The size is ``None`` only when Pillow refused the picture and its header could not be
    read again: it has more than twice the limit then.
    """

    def __init__(self, width: int | None, height: int | None):
        limit = _number(MAX_PIXELS)
        if width is None or height is None:
            self.size_en = self.size_ru = ""
            super().__init__(
                f"more than {_number(2 * MAX_PIXELS)} pixels",
                f"больше {_number(2 * MAX_PIXELS)} пикселей",
            )
        else:
            size, pixels = f"{width} × {height}", _number(width * height)
            self.size_en = f"this picture is {size} pixels ({pixels} pixels in all); "
            self.size_ru = f"размер картинки — {size} пикселей (всего {pixels}); "
            super().__init__(
                f"{size} pixels, more than {limit}", f"{size} пикселей, больше {limit}"
            )
        self.width = width
        self.height = height

    def messages(self) -> Message:
        """What to tell an editor: the size, the limit and what to do."""
        limit = _number(MAX_PIXELS)
        return Message(
            f"{self.size_en or f'this picture has {self}; '}a picture may have at most "
            f"{limit}, because a bigger one takes gigabytes of memory to build. Scale it "
            f"down to at most {limit} pixels, e.g. {MAX_PIXELS_EXAMPLE}, in any photo "
            "editor; a page shows it smaller anyway.",
            f"{self.size_ru or f'в картинке {self.reason_ru}; '}можно не больше {limit}: "
            "на сборку картинки крупнее уходят гигабайты памяти. Уменьшите её до "
            f"{limit} пикселей, например {MAX_PIXELS_EXAMPLE}, в любом фоторедакторе; "
            "на странице она всё равно показывается меньше.",
        )


def _header_size(fp: IO[bytes]) -> tuple[int, int] | None:
    """The size written in a picture's header, read by Pillow's reader for its format
    without Pillow's pixel check.

    Pillow refuses to open a picture of more than twice its limit and does not say how
    big it is; the editor should hear it. Only the header is read, as by ``Image.open``.
    """
    Image.init()
    fp.seek(0)
    prefix = fp.read(16)
    for name in READ_FORMATS:
        factory, accept = Image.OPEN[name]
        accepted = accept(prefix) if accept else True
        if not accepted or isinstance(accepted, str):  # a string: why it is not accepted
            continue
        fp.seek(0)
        try:
            return factory(fp, None).size
        except Exception:  # not this format after all, or a damaged header: the next
            continue
    return None


def open_picture(fp: IO[bytes]) -> ImageFile.ImageFile:
    """The picture in ``fp`` with only its header read: its size, mode and format, no
    pixels. Raises :class:`PictureTooLarge` for one of more than :data:`MAX_PIXELS`, and
    :class:`ImageError` for anything else that is not a readable picture.

    The caller closes the picture (a ``with`` block) and decodes it if it wants.
    """
    try:
        with warnings.catch_warnings():
            # Pillow's warning above its limit (we raise PictureTooLarge instead, below),
            # and its remarks on odd headers ("Corrupt EXIF data"): nothing to act on
            warnings.simplefilter("ignore")
            image = Image.open(fp, formats=READ_FORMATS)
    except Image.DecompressionBombError:
        raise PictureTooLarge(*(_header_size(fp) or (None, None))) from None
    except UnidentifiedImageError:
        raise ImageError(
            "it is not a JPEG, PNG, WebP, BMP, TIFF or GIF picture, or its beginning is damaged",
            "это не картинка JPEG, PNG, WebP, BMP, TIFF или GIF, или её начало повреждено",
        ) from None
    except Exception as exc:  # whatever a damaged file makes a format reader raise
        raise ImageError(str(exc) or type(exc).__name__) from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise PictureTooLarge(width, height)
    return image


def _cache_key(data: bytes, settings: ImageSettings) -> str:
    digest = hashlib.sha256(data)
    digest.update(json.dumps([PROCESS_VERSION, asdict(settings)], sort_keys=True).encode())
    return digest.hexdigest()


def _is_drawing(image: Image.Image, source_format: str | None) -> bool:
    """Transparency, or a non-JPEG with few colours: PNG keeps it sharp (and JPEG would
    lose the alpha). A JPEG is a photograph, even a black-and-white one."""
    if image.mode in ("RGBA", "LA", "P") and (
        "transparency" in image.info or image.mode in ("RGBA", "LA")
    ):
        return True
    if source_format == "JPEG":
        return False
    small = image.copy()
    small.thumbnail((200, 200))
    return small.convert("RGB").getcolors(256) is not None


def _encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "jpeg":
        image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _fit(image: Image.Image, width: int, height: int) -> Image.Image:
    if image.width <= width and image.height <= height:
        return image
    fitted = image.copy()
    fitted.thumbnail((width, height), Image.Resampling.LANCZOS)
    return fitted


def _encode_within(image: Image.Image, fmt: str, settings: ImageSettings) -> bytes:
    """Lower the JPEG quality step by step until the picture fits the byte budget."""
    quality = settings.quality
    data = _encode(image, fmt, quality)
    while fmt == "jpeg" and len(data) > settings.max_bytes and quality > settings.min_quality:
        quality = max(settings.min_quality, quality - 8)
        data = _encode(image, fmt, quality)
    return data


#: EXIF orientations that turn the picture a quarter: its width becomes its height
_QUARTER_TURNS = (5, 6, 7, 8)


def _decode_fitted(source: bytes, settings: ImageSettings) -> tuple[Image.Image, str | None]:
    """The picture turned upright and fitted into the settings' box, and its format.

    Only the fitted picture is ever whole in memory, besides a reduced decoding: Pillow's
    ``thumbnail`` asks libjpeg (``draft``) to decode a JPEG at 1/2, 1/4 or 1/8 of its size
    when that is still :data:`REDUCING_GAP` times the box, and reduces other pictures by
    a whole factor before resampling. The picture is fitted before it is turned upright,
    so the box is turned instead of the picture.
    """
    with open_picture(io.BytesIO(source)) as opened:
        try:
            with warnings.catch_warnings():
                # a frame or tile bigger than the picture's header said: refuse it too
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                orientation = opened.getexif().get(ExifTags.Base.Orientation, 1)
                box = (settings.max_width, settings.max_height)
                if orientation in _QUARTER_TURNS:
                    box = (settings.max_height, settings.max_width)
                opened.thumbnail(box, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
                opened.load()  # a picture already within the box is not loaded by it
                # a new picture, turned or not: ``opened`` is gone with the ``with``
                return ImageOps.exif_transpose(opened), opened.format
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(
                f"a part of it has more than {_number(MAX_PIXELS)} pixels",
                f"в её части больше {_number(MAX_PIXELS)} пикселей",
            ) from None
        except Exception as exc:  # a damaged file, whatever its reader raises
            raise ImageError(str(exc) or type(exc).__name__) from None


def _render(source: bytes, settings: ImageSettings, folder: Path) -> ProcessedImage:
    main, source_format = _decode_fitted(source, settings)
    fmt = "png" if _is_drawing(main, source_format) else "jpeg"
    if fmt == "jpeg" and main.mode not in ("RGB", "L"):
        main = main.convert("RGB")
    suffix = ".png" if fmt == "png" else ".jpg"
    data = _encode_within(main, fmt, settings)
    (folder / f"main{suffix}").write_bytes(data)
    variants = []
    for width in sorted(settings.variants):
        if width >= main.width:
            continue
        small = _fit(main, width, settings.max_height)
        (folder / f"{width}w{suffix}").write_bytes(_encode_within(small, fmt, settings))
        variants.append(width)
    return ProcessedImage(
        width=main.width,
        height=main.height,
        format=fmt,
        suffix=suffix,
        size=len(data),
        variants=variants,
    )


@contextmanager
def _picture_lock(path: Path) -> Iterator[None]:
    """Hold the lock of one picture (an ``flock`` on ``path``) for the ``with`` block,
    waiting as long as another process holds it.

    The file is removed when the work is done, so that the cache does not keep one for
    every picture ever made: a process that was waiting on the removed file, or finds
    another one there by then, starts again (and finds the picture in the cache). The
    system releases a lock when its process ends, even by ``kill -9``, so a waiting
    build is never stuck behind a stopped one; a hanging one is stopped by the build's
    time limit. Without ``fcntl`` (Windows) there is no lock: two processes may then make
    the same picture, which is only slower (see :func:`process`).
    """
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)  # removed (or replaced) by the process that held it: again
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)  # releases the lock


def process(source: Path, cache: Path, settings: ImageSettings = ImageSettings()) -> ProcessedImage:
    """The processed picture for ``source``, from the cache or made now (and cached).

    Several processes may ask for the same picture at once (the languages of a town are
    built side by side): the first makes it under the picture's lock, the others wait
    and take it from the cache, so a big picture is never decoded twice at a time. The
    picture is made in a temporary folder and published by renaming it, so a build
    stopped half-way leaves no half-made entry.
    """
    data = Path(source).read_bytes()
    key = _cache_key(data, settings)
    entry = Path(cache) / key[:2] / key
    cached = _cached(entry)
    if cached is not None:
        return cached
    entry.parent.mkdir(parents=True, exist_ok=True)
    with _picture_lock(entry.with_name(f"{key}.lock")):
        cached = _cached(entry)  # made by another process while this one waited
        if cached is not None:
            return cached
        if entry.exists():
            # damaged (not something a killed build leaves: entries appear whole, by a
            # rename): set it aside and make the picture again
            aside = entry.with_name(f".{key[:8]}-damaged-{os.getpid()}")
            with contextlib.suppress(OSError):
                entry.rename(aside)
            shutil.rmtree(aside, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=f".{key[:8]}-", dir=entry.parent))
        try:
            result = _render(data, settings, work)
            (work / "meta.json").write_text(json.dumps(asdict(result)), encoding="utf-8")
            try:
                os.rename(work, entry)
            except OSError:
                # without a lock, another process may have published it first
                if not (entry / "meta.json").exists():
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    result.folder = str(entry)
    return result


def _cached(entry: Path) -> ProcessedImage | None:
    """The picture cached in ``entry``, or ``None`` when anything of it is missing or
    odd."""
    try:
        result = ProcessedImage(**json.loads((entry / "meta.json").read_text(encoding="utf-8")))
        result.folder = str(entry)
        files = [result.main_file(), *(result.variant_file(w) for w in result.variants)]
        if all(f.is_file() for f in files):
            return result
    except (OSError, ValueError, TypeError):
        pass
    return None


def variant_name(path: str, width: int, suffix: str) -> str:
    """``images/photo.jpg`` -> ``images/photo-480w.jpg``."""
    stem = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path
    return f"{stem}-{width}w{suffix}"


_IMG = frozenset({"img"})

#: how wide a picture is shown: the theme's text column is about 42rem
DEFAULT_SIZES = "(max-width: 44rem) 100vw, 42rem"


def annotate_images(
    html: str,
    resolve: Callable[[str], ProcessedImage | None],
    sizes: str = DEFAULT_SIZES,
    page: Page | None = None,
) -> str:
    """Give each ``<img>`` of a processed picture its ``width``, ``height``, a ``srcset``
    of the smaller copies, lazy loading and asynchronous decoding (what it lacks only).

    ``resolve(src)`` returns the processed picture an ``src`` points at, or ``None``.
    ``page``: ``html`` as :func:`gardarika.render.tags.read` read it, when it already was.
    """
    if page is None:
        page = Page(html, _IMG)
    out: list[str] = []
    last = 0
    for tag in page.tags:
        if tag.name != "img" or not tag.ended or tag.in_text or tag.start < last:
            continue  # (in a script's text a picture is a string of the script)
        src_attribute = tag.first("src")
        if src_attribute is None or src_attribute.value_start < 0:
            continue
        src = src_attribute.value
        image = resolve(src)
        if image is None:
            continue
        present = {attribute.name for attribute in tag.attributes}
        path = src.partition("?")[0]
        extra = {
            "width": str(image.width),
            "height": str(image.height),
            "loading": "lazy",
            "decoding": "async",
        }
        if image.variants:
            candidates = [f"{variant_name(path, w, image.suffix)} {w}w" for w in image.variants]
            candidates.append(f"{src} {image.width}w")
            extra["srcset"] = ", ".join(candidates)
            if "srcset" not in present:
                extra["sizes"] = sizes
        added = "".join(
            f' {name}="{escape(value)}"' for name, value in extra.items() if name not in present
        )
        if added:
            at = tag.attributes_end
            out.append(html[last:at])
            out.append(added)
            last = at
    if not out:
        return html
    out.append(html[last:])
    return "".join(out)
