"""Summaries in lists of articles."""

from __future__ import annotations

from gardarika.render.tags import Page

_PICTURES = frozenset({"img", "picture", "figure"})
_PICTURE_CONTAINERS = frozenset({"picture", "figure"})


def without_pictures(html: str) -> str:
    """``html`` without its pictures (``<img>``, and ``<picture>`` or ``<figure>`` with
    all they hold): a summary made from the start of a text carries its first photo,
    full width, into every list, which then weighs as much as all its photos."""
    if "<" not in html:
        return html
    page = Page(html, _PICTURES, _PICTURE_CONTAINERS)
    out: list[str] = []
    last = 0
    for tag in page.tags:
        if tag.start < last or tag.in_text:
            continue
        end = tag.end
        if tag.name in _PICTURE_CONTAINERS:
            close = page.closing(tag.name, tag.end)
            if close is None:
                continue  # never closed: left as it is
            end = close[1]
        out.append(html[last : tag.start])
        last = end
    if not out:
        return html
    out.append(html[last:])
    return "".join(out)
