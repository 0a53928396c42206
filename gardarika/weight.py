"""How heavy a page is to open: its HTML, the stylesheets and the pictures it loads.

Readers are on slow links; the build summary names each town's heaviest page so that a
5 MB photo or a runaway stylesheet is noticed before the site is published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .links import css_references, html_references, is_internal

IMAGE_ELEMENTS = ("img", "source", "video", "input", "image")


@dataclass(frozen=True)
class PageWeight:
    page: str        # relative to the output folder
    html: int
    css: int
    images: int

    @property
    def total(self) -> int:
        return self.html + self.css + self.images


def _target(url: str, base: Path) -> Path | None:
    if not is_internal(url):
        return None
    path = unquote(urlsplit(url).path)
    target = (base / path) if path else None
    return target if target is not None and target.is_file() else None


def _stylesheet(path: Path, cache: dict[Path, tuple[int, dict[Path, int]]]
                ) -> tuple[int, dict[Path, int]]:
    """A stylesheet's size and the pictures it loads (read once for all pages)."""
    if path not in cache:
        pictures = {}
        for inner, _, _ in css_references(path.read_text(encoding="utf-8", errors="replace")):
            target = _target(inner.url, path.parent)
            if target is not None:
                pictures[target] = target.stat().st_size
        cache[path] = (path.stat().st_size, pictures)
    return cache[path]


def page_weight(page: Path, output: Path,
                stylesheets: dict[Path, tuple[int, dict[Path, int]]] | None = None
                ) -> PageWeight:
    """The bytes a browser fetches to show ``page`` (the full-size ``src`` of pictures)."""
    stylesheets = {} if stylesheets is None else stylesheets
    html = page.read_text(encoding="utf-8", errors="replace")
    css: dict[Path, int] = {}
    images: dict[Path, int] = {}
    for ref, _, _ in html_references(html):
        if not ref.loads or ref.attribute in ("srcset", "imagesrcset"):
            continue
        target = _target(ref.url, page.parent)
        if target is None:
            continue
        if ref.element == "link" and target.suffix.lower() == ".css":
            css[target], pictures = _stylesheet(target.resolve(), stylesheets)
            images.update(pictures)
        elif ref.element in IMAGE_ELEMENTS or ref.element == "css":
            images[target] = target.stat().st_size
    return PageWeight(page.relative_to(output).as_posix(), page.stat().st_size,
                      sum(css.values()), sum(images.values()))


def heaviest_pages(output: Path, towns: Iterable[str]) -> list[PageWeight]:
    """The heaviest page of each town."""
    result = []
    for town in towns:
        stylesheets: dict[Path, tuple[int, dict[Path, int]]] = {}
        pages = [page_weight(p, output, stylesheets)
                 for p in sorted((output / town).rglob("*.html"))]
        if pages:
            result.append(max(pages, key=lambda w: w.total))
    return result


def _kb(size: int) -> str:
    return f"{size / 1024:.0f} KB"


def weight_line(weight: PageWeight) -> str:
    return (f"Heaviest page: {weight.page} {_kb(weight.total)} (HTML {_kb(weight.html)}, "
            f"CSS {_kb(weight.css)}, pictures {_kb(weight.images)}) / "
            f"самая тяжёлая страница: {_kb(weight.total)} (картинки {_kb(weight.images)})")
