"""What a built page loads from other websites, as a browser's own parser reads it.

The offline check's last word on "nothing comes from another website". The build reads
tags its own way (:mod:`gardarika.render.tags`), fast and close to a browser, and that
reading finds the references the check judges. But a theme's or a trusted town's odd
markup can read differently there and in a browser (a ``<style>`` inside an SVG
``<title>``, a CDATA section in SVG, a comment in a script's text), and a load it
hides from the build's reading must not be hidden from the check too. So each page is
also parsed by Lexbor (``selectolax``), an HTML5 parser that builds the tree as browsers
do, as a browser with scripts off and, when the page has a ``<noscript>``, with scripts
on (see :func:`gardarika.checks.scripts.as_scripting_browser`). What counts: every
attribute that loads its address when the page is shown (the one list,
:data:`gardarika.render.links.RESOURCE_ELEMENTS`, ``LOADING_LINK_RELS`` and
``LOADING_ANYWHERE``), every ``srcset`` candidate, CSS in ``style=`` and ``<style>``
(read by a CSS tokenizer, :func:`gardarika.checks.svg.css_harm`), a ``<base href>``
(which sends every relative address there), a page written into ``srcdoc=`` and a
refresh that goes to another website by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from gardarika.checks.scripts import WEB_ADDRESS, as_scripting_browser, line_of, parse_html
from gardarika.checks.svg import css_harm
from gardarika.render.embeds import is_remote, srcset_candidates
from gardarika.render.links import (
    LOADING_ANYWHERE,
    LOADING_LINK_RELS,
    RESOURCE_ELEMENTS,
    SRCSET_ATTRIBUTES,
)

#: how deep pages written into ``srcdoc=`` of pages written into ``srcdoc=``… are read
SRCDOC_DEPTH = 3
#: SVG's presentation attributes whose value may be ``url(…)`` (CSS, read as such)
URL_VALUES = frozenset(
    {"fill", "stroke", "filter", "clip-path", "mask", "marker-start", "marker-mid"}
    | {"marker-end", "cursor"}
)
#: the elements that can load anything, as a selector (matched by the parser itself: a
#: page's thousands of paragraphs and links are never looked at here)
_LOADERS = ",".join(
    sorted(
        {
            f"[{name}]"
            for name in (
                LOADING_ANYWHERE
                | URL_VALUES
                | set(SRCSET_ATTRIBUTES)
                | {"style"}
                | {n for names in RESOURCE_ELEMENTS.values() for n in names}
            )
            if "href" not in name  # links are many: the elements loading theirs are named
        }
        | set(RESOURCE_ELEMENTS)
        | {"feImage", "link", "base", "meta", "style", "iframe"}
    )
)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"]+)", re.I)


@dataclass(frozen=True)
class RemoteLoad:
    """One address of another website that a page loads: the element, the address and
    the line (0: not found in the text, such as an address written with entities)."""

    line: int
    element: str
    url: str


def _attribute_loads(
    tag: str, attributes: dict[str, str | None], base_allowed: bool
) -> Iterator[str]:
    """The remote addresses an element with these attributes loads."""
    values = {name.lower(): value or "" for name, value in attributes.items()}
    loading = set(RESOURCE_ELEMENTS.get(tag, ())) | LOADING_ANYWHERE
    if tag == "link" and set(values.get("rel", "").lower().split()) & LOADING_LINK_RELS:
        loading.add("href")
    if tag == "base" and not (base_allowed and WEB_ADDRESS.match(values.get("href", ""))):
        loading.add("href")
    for name, value in values.items():
        if name in loading and is_remote(value):
            yield value.strip()
        elif name in SRCSET_ATTRIBUTES:
            yield from (url for url, _ in srcset_candidates(value) if is_remote(url))
        elif name == "style" or name in URL_VALUES:
            harm = css_harm(value, sheet=name == "style", fetches=is_remote)
            if harm is not None:
                yield harm
    if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
        refresh = _REFRESH_URL.search(values.get("content", ""))
        if refresh and is_remote(refresh.group(1)):
            yield refresh.group(1).strip()


def _tree_loads(html: str, depth: int, base_allowed: bool) -> Iterator[tuple[str, str]]:
    """(element, address) of every remote load of one reading of ``html``."""
    root = parse_html(html).root
    if root is None:
        return
    for node in root.css(_LOADERS):
        tag = (node.tag or "").lower()
        attributes = node.attributes
        if attributes:
            for url in _attribute_loads(tag, attributes, base_allowed and depth == 0):
                yield tag, url
            srcdoc = attributes.get("srcdoc")
            if tag == "iframe" and srcdoc and depth < SRCDOC_DEPTH:
                inner = _tree_loads(srcdoc, depth + 1, base_allowed)
                yield from ((tag, url) for _, url in inner)
        if tag == "style":
            harm = css_harm(node.text(deep=True), sheet=True, fetches=is_remote)
            if harm is not None:
                yield tag, harm


def remote_loads(text: str, base_allowed: bool = False) -> list[RemoteLoad]:
    """Every remote load of the page ``text``, each once, in the order of the page.
    ``base_allowed``: the page is the theme's "page not found", whose ``<base href>``
    anchors its links to the town's web address (as in
    :func:`gardarika.checks.scripts.html_dangers`); any other ``<base>`` elsewhere counts."""
    readings = [text]
    if "<noscript" in text.lower():
        readings.append(as_scripting_browser(text))
    found: dict[tuple[str, str], None] = {}
    for reading in readings:
        for element, url in _tree_loads(reading, 0, base_allowed):
            found.setdefault((element, url), None)
    loads = []
    position = 0
    for element, url in found:
        line, position = line_of(text, url, position)
        if not line:
            line, _ = line_of(text, f"<{element}", 0)
        loads.append(RemoteLoad(line, element, url))
    return loads
