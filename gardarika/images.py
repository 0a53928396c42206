"""Light pictures: phone photos made fit for a village link and a CD.

A picture is turned upright by its EXIF orientation, scaled down to fit a sensible box,
re-encoded as JPEG (or PNG for drawings and transparency) at a quality that keeps it
under a byte budget, and written without its metadata (no GPS position, no camera
serial). Smaller copies are made for ``srcset``. The originals are never touched.

Processing is slow, so results are cached by the content of the source file and the
settings: a second build, or the same picture in another language's run, reuses them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from html import escape, unescape
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

#: source formats we process; anything else (GIF animations, SVG) is copied as it is
PROCESSED_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")
PROCESS_VERSION = 2  # bump when the output of the same settings changes


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
    format: str                    # "jpeg" or "png"
    suffix: str                    # ".jpg" or ".png"
    size: int                      # bytes of the main file
    variants: list[int] = field(default_factory=list)  # widths of the smaller copies
    folder: str = ""               # cache folder holding main<suffix> and <w>w<suffix>

    def main_file(self) -> Path:
        return Path(self.folder) / f"main{self.suffix}"

    def variant_file(self, width: int) -> Path:
        return Path(self.folder) / f"{width}w{self.suffix}"


class ImageError(Exception):
    """The picture cannot be read (damaged, not a picture, or absurdly large)."""


def _cache_key(data: bytes, settings: ImageSettings) -> str:
    digest = hashlib.sha256(data)
    digest.update(json.dumps([PROCESS_VERSION, asdict(settings)], sort_keys=True).encode())
    return digest.hexdigest()


def _is_drawing(image: Image.Image, source_format: str | None) -> bool:
    """Transparency, or a non-JPEG with few colours: PNG keeps it sharp (and JPEG would
    lose the alpha). A JPEG is a photograph, even a black-and-white one."""
    if image.mode in ("RGBA", "LA", "P") and (
            "transparency" in image.info or image.mode in ("RGBA", "LA")):
        return True
    if source_format == "JPEG":
        return False
    small = image.copy()
    small.thumbnail((200, 200))
    return small.convert("RGB").getcolors(256) is not None


def _encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "jpeg":
        image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True,
                                  progressive=True)
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


def _render(source: bytes, settings: ImageSettings, folder: Path) -> ProcessedImage:
    try:
        with Image.open(io.BytesIO(source)) as opened:
            opened.load()
            source_format = opened.format
            image = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise ImageError(str(exc)) from None
    fmt = "png" if _is_drawing(image, source_format) else "jpeg"
    if fmt == "jpeg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    suffix = ".png" if fmt == "png" else ".jpg"
    main = _fit(image, settings.max_width, settings.max_height)
    data = _encode_within(main, fmt, settings)
    (folder / f"main{suffix}").write_bytes(data)
    variants = []
    for width in sorted(settings.variants):
        if width >= main.width:
            continue
        small = _fit(main, width, settings.max_height)
        (folder / f"{width}w{suffix}").write_bytes(_encode_within(small, fmt, settings))
        variants.append(width)
    return ProcessedImage(width=main.width, height=main.height, format=fmt, suffix=suffix,
                          size=len(data), variants=variants)


def process(source: Path, cache: Path, settings: ImageSettings = ImageSettings()
            ) -> ProcessedImage:
    """The processed picture for ``source``, from the cache or made now (and cached).

    Safe when several processes do the same picture at once: each renders into a
    temporary folder and the first to finish publishes it.
    """
    data = Path(source).read_bytes()
    key = _cache_key(data, settings)
    entry = Path(cache) / key[:2] / key
    meta = entry / "meta.json"
    if entry.exists():
        cached = _cached(entry)
        if cached is not None:
            return cached
        # damaged (not something a killed build leaves: entries appear whole, by a
        # rename): set it aside and make the picture again
        aside = entry.with_name(f".{key[:8]}-damaged-{os.getpid()}")
        with contextlib.suppress(OSError):  # another process of this build was first
            entry.rename(aside)
        shutil.rmtree(aside, ignore_errors=True)
    entry.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key[:8]}-", dir=entry.parent))
    try:
        result = _render(data, settings, work)
        (work / "meta.json").write_text(json.dumps(asdict(result)), encoding="utf-8")
        try:
            os.rename(work, entry)
        except OSError:
            if not meta.exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result.folder = str(entry)
    return result


def _cached(entry: Path) -> ProcessedImage | None:
    """The picture cached in ``entry``, or ``None`` when anything of it is missing or
    odd."""
    try:
        result = ProcessedImage(**json.loads((entry / "meta.json").read_text(
            encoding="utf-8")))
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


_IMG = re.compile(r"<img\b(?P<attrs>(?:\"[^\"]*\"|'[^']*'|[^'\">])*?)(?P<end>\s*/?>)", re.I)
_ATTR_NAME = re.compile(r"""(?:^|\s)([^\s"'=<>`/]+)(?=\s*=|\s|$)""")
_SRC = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)

#: how wide a picture is shown: the theme's text column is about 42rem
DEFAULT_SIZES = "(max-width: 44rem) 100vw, 42rem"


def annotate_images(html: str, resolve: Callable[[str], ProcessedImage | None],
                    sizes: str = DEFAULT_SIZES) -> str:
    """Give each ``<img>`` of a processed picture its ``width``, ``height``, a ``srcset``
    of the smaller copies, lazy loading and asynchronous decoding (what it lacks only).

    ``resolve(src)`` returns the processed picture an ``src`` points at, or ``None``.
    """

    def one(match: re.Match[str]) -> str:
        attrs = match.group("attrs")
        src_match = _SRC.search(attrs)
        if not src_match:
            return match.group(0)
        src = unescape(next(g for g in src_match.groups() if g is not None))
        image = resolve(src)
        if image is None:
            return match.group(0)
        present = {name.lower() for name in _ATTR_NAME.findall(attrs)}
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
            extra["sizes"] = sizes
        added = "".join(f' {name}="{escape(value)}"' for name, value in extra.items()
                        if name not in present)
        if "srcset" in present:
            added = added.replace(f' sizes="{escape(sizes)}"', "")
        return f"<img{attrs}{added}{match.group('end')}"

    return _IMG.sub(one, html)
