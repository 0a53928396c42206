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
from typing import Any

from gardarika.checks.scripts import REFRESH, WEB_ADDRESS, as_scripting_browser, parse_html
from gardarika.checks.svg import css_harm
from gardarika.render.embeds import is_remote, srcset_candidates
from gardarika.render.links import (
    LOADING_ANYWHERE,
    LOADING_LINK_RELS,
    RESOURCE_ELEMENTS,
    SRCSET_ATTRIBUTES,
    Lines,
)

#: how much of the documents written into a page (``srcdoc=``, template content, and
#: those written into them) is read, in times the page's own size
DOCUMENTS_BUDGET = 4
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
        | {"feImage", "link", "base", "meta", "style", "iframe", "template"}
    )
)


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
        target = REFRESH.sub("", values.get("content", "")).strip().strip("'\"")
        if target and is_remote(target):
            yield target


_TEMPLATE_START = re.compile(r'^<template(?:\s+[^\s=>]+(?:="[^"]*")?)*\s*>', re.I)


def _template_content(node: Any) -> str | None:
    """The content of a ``<template>``, which Lexbor keeps out of the tree but a
    browser shows when it holds a declarative shadow root (``shadowrootmode``)."""
    html = node.html or ""
    start = _TEMPLATE_START.match(html)
    if start is None or not html.lower().endswith("</template>"):
        return None
    return html[start.end() : -len("</template>")]


def _tree_loads(html: str, base_allowed: bool, budget: list[int]) -> Iterator[tuple[str, str]]:
    """(element, address) of every remote load of one reading of ``html``, and of the
    documents written into it (``srcdoc=``, template content), each read both ways,
    as long as ``budget`` (characters still to read) lasts."""
    root = parse_html(html).root
    if root is None:
        return
    for node in root.css(_LOADERS):
        tag = (node.tag or "").lower()
        attributes = node.attributes
        inner = None
        if attributes:
            for url in _attribute_loads(tag, attributes, base_allowed):
                yield tag, url
            if tag == "iframe":
                inner = attributes.get("srcdoc")
        if tag == "template":
            inner = _template_content(node)
        if inner and budget[0] > 0:
            budget[0] -= len(inner)
            yield from ((tag, url) for _, url in _readings_loads(inner, False, budget))
        if tag == "style":
            harm = css_harm(node.text(deep=True), sheet=True, fetches=is_remote)
            if harm is not None:
                yield tag, harm


def _readings_loads(text: str, base_allowed: bool, budget: list[int]) -> Iterator[tuple[str, str]]:
    """The loads of ``text`` read as a browser with scripts off, and on."""
    yield from _tree_loads(text, base_allowed, budget)
    scripting = as_scripting_browser(text)
    if scripting != text:
        yield from _tree_loads(scripting, base_allowed, budget)


def remote_loads(text: str, base_allowed: bool = False) -> list[RemoteLoad]:
    """Every remote load of the page ``text``, each once, in the order of the page.
    ``base_allowed``: the page is the theme's "page not found", whose ``<base href>``
    anchors its links to the town's web address (as in
    :func:`gardarika.checks.scripts.html_dangers`); any other ``<base>`` elsewhere counts."""
    found: dict[tuple[str, str], None] = {}
    budget = [DOCUMENTS_BUDGET * max(len(text), 1)]
    for element, url in _readings_loads(text, base_allowed, budget):
        found.setdefault((element, url), None)
    loads = []
    lines = Lines(text)
    position = 0
    for element, url in found:  # in the order of the page, mostly: look on from the last
        at = text.find(url, position)
        if at < 0:
            at = text.find(url)
        if at < 0:
            at = text.find(f"<{element}")
        else:
            position = at
        loads.append(RemoteLoad(lines.at(at) if at >= 0 else 0, element, url))
    return loads
