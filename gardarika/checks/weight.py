"""How heavy a page is to open: its HTML, the stylesheets and the pictures it loads.

Readers are on slow links; the build summary names each town's heaviest page so that a
5 MB photo or a runaway stylesheet is noticed before the site is published.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from gardarika.fs.files import write_file_atomic
from gardarika.render import pagefacts
from gardarika.render.links import Reference, css_references, html_references, is_internal
from gardarika.render.pagefacts import Facts
from gardarika.urls import split_url

IMAGE_ELEMENTS = ("img", "source", "video", "input", "image")


@dataclass(frozen=True)
class PageWeight:
    page: str  # relative to the output folder
    html: int
    css: int
    images: int

    @property
    def total(self) -> int:
        return self.html + self.css + self.images


def _target(url: str, base: Path) -> Path | None:
    if not is_internal(url):
        return None
    path = unquote(split_url(url).path)
    target = (base / path) if path else None
    return target if target is not None and target.is_file() else None


#: (folder, address) -> the file it leads to (None: no file), and for a stylesheet the
#: same with its links resolved; one build's pages share their stylesheets and many
#: pictures, so each is looked up once per call
_Targets = dict[tuple[Path, str], tuple[Path | None, Path | None]]


def _loads(
    page: Path, refs: Iterable[Reference] | None = None, targets: _Targets | None = None
) -> tuple[list[Path], list[Path]]:
    """The stylesheets and the pictures ``page`` loads (full-size ``src`` only), from
    ``refs`` (noted by the build) when given; ``targets`` keeps what addresses lead to
    (the files do not change while a build's pages are weighed)."""
    if refs is None:
        html = page.read_text(encoding="utf-8", errors="replace")
        refs = (ref for ref, _, _ in html_references(html))
    targets = {} if targets is None else targets
    folder = page.parent
    css: list[Path] = []
    images: list[Path] = []
    for ref in refs:
        if not ref.loads or ref.attribute in ("srcset", "imagesrcset"):
            continue
        key = (folder, ref.url)
        if key not in targets:
            found = _target(ref.url, folder)
            css_file = found is not None and found.suffix.lower() == ".css"
            targets[key] = (found, found.resolve() if css_file else None)
        target, resolved = targets[key]
        if target is None:
            continue
        if ref.element == "link" and resolved is not None:
            css.append(resolved)
        elif ref.element in IMAGE_ELEMENTS or ref.element == "css":
            images.append(target)
    return css, images


class WeightCache:
    """What each page loads, remembered between builds by the page's size and time.

    Output files whose bytes did not change keep their time (see :mod:`gardarika.fs.files`),
    so after a small edit only the rewritten pages are read again. Sizes of the loaded
    files are always taken afresh.
    """

    def __init__(
        self, path: Path | None = None, facts: Facts | None = None, output: Path | None = None
    ) -> None:
        self.path = path
        self.facts = facts
        self.output = output
        self.entries: dict[str, list[Any]] = {}
        self.used: dict[str, list[Any]] = {}
        if path is not None:
            try:
                saved = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                saved = None
            # entries are checked one by one in loads(); a file of another shape is
            # ignored as a whole
            self.entries = saved if isinstance(saved, dict) else {}
        self.stylesheets: dict[Path, tuple[int, dict[Path, int]]] = {}
        self.targets: _Targets = {}
        self.sizes: dict[Path, int | None] = {}

    def loads(self, page: Path) -> tuple[list[Path], list[Path]]:
        stat = page.stat()
        key = str(page)
        entry = self.entries.get(key)
        if (
            isinstance(entry, list)
            and len(entry) == 4
            and entry[:2] == [stat.st_size, stat.st_mtime_ns]
            and all(isinstance(p, list) and all(isinstance(q, str) for q in p) for p in entry[2:])
        ):
            css, images = [Path(p) for p in entry[2]], [Path(p) for p in entry[3]]
        else:
            noted = None
            if self.facts and self.output is not None:
                data = page.read_bytes()
                noted = pagefacts.references(
                    self.facts, page.relative_to(self.output).as_posix(), data
                )
                if noted is None:  # not as noted: read what was just read
                    noted = [
                        ref for ref, _, _ in html_references(data.decode("utf-8", errors="replace"))
                    ]
            css, images = _loads(page, noted, self.targets)
        self.used[key] = [
            stat.st_size,
            stat.st_mtime_ns,
            [str(p) for p in css],
            [str(p) for p in images],
        ]
        return css, images

    def size(self, path: Path) -> int | None:
        """The size of the file ``path``, None when it is not a file (asked once per
        build: many pages show the same pictures)."""
        if path not in self.sizes:
            try:
                self.sizes[path] = path.stat().st_size if path.is_file() else None
            except OSError:
                self.sizes[path] = None
        return self.sizes[path]

    def stylesheet(self, path: Path) -> tuple[int, dict[Path, int]]:
        """A stylesheet's size and the pictures it loads (read once per build)."""
        if path not in self.stylesheets:
            pictures = {}
            text = path.read_text(encoding="utf-8", errors="replace")
            for inner, _, _ in css_references(text):
                target = _target(inner.url, path.parent)
                if target is not None:
                    pictures[target] = target.stat().st_size
            self.stylesheets[path] = (path.stat().st_size, pictures)
        return self.stylesheets[path]

    def save(self, measured: tuple[str, ...]) -> None:
        """Write the entries of the pages measured now; of the folders not measured now
        (``measured`` holds the prefixes of those that were) keep the old ones."""
        if self.path is None:
            return
        kept = {k: v for k, v in self.entries.items() if not k.startswith(measured)}
        kept.update(self.used)
        write_file_atomic(self.path, json.dumps(kept).encode("utf-8"))


def page_weight(page: Path, output: Path, cache: WeightCache | None = None) -> PageWeight:
    """The bytes a browser fetches to show ``page`` (the full-size ``src`` of pictures)."""
    cache = WeightCache() if cache is None else cache
    css: dict[Path, int] = {}
    images: dict[Path, int] = {}
    stylesheets, pictures = cache.loads(page)
    for stylesheet in stylesheets:
        if stylesheet.is_file():
            css[stylesheet], inner = cache.stylesheet(stylesheet)
            images.update(inner)
    for picture in pictures:
        size = cache.size(picture)
        if size is not None:
            images[picture] = size
    return PageWeight(
        page.relative_to(output).as_posix(),
        page.stat().st_size,
        sum(css.values()),
        sum(images.values()),
    )


def heaviest_pages(
    output: Path, towns: Iterable[str], cache_file: Path | None = None, facts: Facts | None = None
) -> list[PageWeight]:
    """The heaviest page of each town; ``cache_file`` remembers what pages load,
    ``facts`` what the build noted of the pages it wrote (:mod:`gardarika.render.pagefacts`)."""
    cache = WeightCache(cache_file, facts, output)
    towns = list(towns)
    result = []
    for town in towns:
        pages = [page_weight(p, output, cache) for p in sorted((output / town).rglob("*.html"))]
        if pages:
            result.append(max(pages, key=lambda w: w.total))
    # the towns not measured this time keep their entries for their next build
    measured = tuple(str(output / town) + os.sep for town in towns)
    cache.save(measured)
    return result


def _kb(size: int) -> str:
    return f"{size / 1024:.0f} KB"


def weight_line(weight: PageWeight) -> str:
    return (
        f"Heaviest page: {weight.page} {_kb(weight.total)} (HTML {_kb(weight.html)}, "
        f"CSS {_kb(weight.css)}, pictures {_kb(weight.images)}) / "
        f"самая тяжёлая страница: {weight.page} {_kb(weight.total)} (HTML "
        f"{_kb(weight.html)}, CSS {_kb(weight.css)}, картинки {_kb(weight.images)})"
    )
