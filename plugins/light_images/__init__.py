"""Light pictures: phone photos resized, turned upright, re-encoded and stripped of GPS
and other metadata, with smaller copies for ``srcset``; ``<img>`` gets ``width``,
``height``, ``srcset``/``sizes`` and lazy loading.

Pictures found by Pelican's static generator (``images/``, ``files/``, or linked with
``{static}``) in JPEG, PNG, WebP, BMP or TIFF are processed by ``gardarika.render.images`` (and
cached there); the originals in ``content/`` are never modified. A picture that cannot
be read is an error naming the file, and is not published: copied as it is it would keep
what processing removes (the GPS position of a damaged photo). A picture of more than
``gardarika.render.images.MAX_PIXELS`` pixels is an error naming the file and its size, and is
neither decoded nor published: decoding it would take gigabytes of memory (the editors'
check refuses it before a build; this is the second line).

Settings: ``IMAGES_MAX_WIDTH`` (1280), ``IMAGES_MAX_HEIGHT`` (1280), ``IMAGES_VARIANTS``
((480, 800)), ``IMAGES_QUALITY`` (82), ``IMAGES_MAX_BYTES`` (300 000), ``IMAGES_CACHE``
(a folder; default ``CACHE_PATH/images``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import posixpath
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pelican import signals

from gardarika.build.prefetch import Beside, helpers_of
from gardarika.render import pagepass
from gardarika.render.images import (
    PROCESSED_SUFFIXES,
    ImageError,
    ImageSettings,
    ProcessedImage,
    annotate_images,
    process,
    variant_name,
)
from gardarika.render.links import is_internal
from gardarika.render.outputwalk import walk_output
from gardarika.render.pagepass import PageChange
from gardarika.render.tags import Page
from gardarika.urls import split_url

logger = logging.getLogger(__name__)

#: (static content, processed picture, written by this run) of this run. Module state
#: is fine: every (town, language) runs in a process of its own.
_ITEMS: list[tuple[Any, ProcessedImage, bool]] = []


def image_settings(settings: dict[str, Any]) -> ImageSettings:
    defaults = ImageSettings()
    return ImageSettings(
        max_width=int(settings.get("IMAGES_MAX_WIDTH", defaults.max_width)),
        max_height=int(settings.get("IMAGES_MAX_HEIGHT", defaults.max_height)),
        variants=tuple(int(w) for w in settings.get("IMAGES_VARIANTS", defaults.variants)),
        quality=int(settings.get("IMAGES_QUALITY", defaults.quality)),
        max_bytes=int(settings.get("IMAGES_MAX_BYTES", defaults.max_bytes)),
    )


def _cache(settings: dict[str, Any]) -> Path:
    return Path(settings.get("IMAGES_CACHE") or Path(settings["CACHE_PATH"]) / "images")


def _helped(pictures: list[Any], cache: Path, options: ImageSettings, settings: Any) -> Any:
    """On a core no other run uses, a helper that makes the pictures from the last one
    back, while the run makes them from the first: the cache is shared and each picture
    made under its lock, so the run takes what the helper made (waiting for a picture
    the helper is making) and no picture is made twice. The helper only adds speed: the
    run makes every picture it does not find in the cache, and reports every error."""
    if helpers_of(settings) < 1 or len(pictures) < 2 or not hasattr(os, "fork"):
        return None

    def work() -> None:
        for static in reversed(pictures):
            with contextlib.suppress(Exception):  # the run makes it, and says what is wrong
                process(Path(static.source_path), cache, options)

    try:
        return Beside(work)
    except OSError:
        return None


def process_images(generator: Any) -> None:
    """Process every picture; this run copies only those it was going to copy, and
    none that is too large to process."""
    settings = generator.settings
    options = image_settings(settings)
    cache = _cache(settings)
    copied = {id(s) for s in generator.staticfiles}
    done = set()
    pictures = [
        static
        for static in generator.context["static_content"].values()
        if static.source_path.lower().endswith(PROCESSED_SUFFIXES)
    ]
    helper = _helped(pictures, cache, options, settings)
    try:
        _process_all(generator, pictures, cache, options, copied, done)
    finally:
        if helper is not None:
            helper.stop()
    generator.staticfiles[:] = [s for s in generator.staticfiles if id(s) not in done]


def _process_all(
    generator: Any,
    pictures: list[Any],
    cache: Path,
    options: ImageSettings,
    copied: set[int],
    done: set[int],
) -> None:
    settings = generator.settings
    for static in pictures:
        try:
            result = process(Path(static.source_path), cache, options)
        except ImageError as exc:
            source = os.path.relpath(static.source_path, settings["PATH"])
            en, ru = exc.messages()
            logger.error("%s: %s", source, en, extra={"gardarika_file": source, "gardarika_ru": ru})
            # not published either: a browser would choke on a huge one, and a damaged
            # one copied as it is would keep its hidden data (a photo's GPS position)
            done.add(id(static))
            continue
        old_save_as, old_url = static.save_as, static.url
        base, suffix = posixpath.splitext(old_save_as)
        if suffix.lower() != result.suffix:  # e.g. a .webp or .jpeg becomes .jpg
            prefix = old_url[: -len(old_save_as)] if old_url.endswith(old_save_as) else ""
            static.override_save_as = base + result.suffix
            static.override_url = prefix + base + result.suffix
        _ITEMS.append((static, result, id(static) in copied))
        done.add(id(static))


def _write(output: Path, static: Any, result: ProcessedImage) -> None:
    target = output / static.save_as
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(result.main_file(), target)
    for width in result.variants:
        shutil.copyfile(
            result.variant_file(width), output / variant_name(static.save_as, width, result.suffix)
        )


def prepare(pelican: Any) -> PageChange | None:
    """Write the processed pictures; then what describes them in a page of this run
    (None when there are none)."""
    output = Path(pelican.output_path)
    by_url: dict[str, ProcessedImage] = {}
    for static, result, written in _ITEMS:
        if written:
            _write(output, static, result)
        by_url[posixpath.normpath(unquote(static.url))] = result
    if not by_url:
        return None

    def describe(rel_dir: str, text: str, page: Page | None = None) -> str:
        def resolve(src: str) -> ProcessedImage | None:
            if not is_internal(src):
                return None
            target = unquote(split_url(src).path)
            if target.endswith("/"):
                return None  # a folder ("pic.jpg/"), not the picture
            if not target.startswith("/"):
                target = posixpath.join(rel_dir or ".", target)
            return by_url.get(posixpath.normpath(target.lstrip("/")))

        return annotate_images(text, resolve, page=page)

    return describe


def finish(pelican: Any) -> None:
    """Without ``offline_output``'s pass over the pages: write the processed pictures,
    then describe them in every page of this run."""
    if pagepass.taken(prepare):
        return
    describe = prepare(pelican)
    if describe is None:
        return
    output = Path(pelican.output_path)
    for rel_dir, path in walk_output(output, pelican.settings, (".html", ".htm")):
        text = path.read_text(encoding="utf-8")
        annotated = describe(rel_dir, text)
        if annotated != text:
            path.write_text(annotated, encoding="utf-8")


def register() -> None:
    signals.static_generator_finalized.connect(process_images)
    pagepass.register(prepare)
    signals.finalized.connect(finish)
