"""Things embedded from other websites become plain links.

A video player, a picture or a script from another site shows as an empty box on a USB
stick in a village library, and it tells that site who is reading. So a remote
``<img>``, ``<iframe>``, ``<video>``, ``<audio>``, ``<object>`` or ``<embed>`` becomes a
link to it with a short note in the page's language, and a remote ``<script>`` or
stylesheet is dropped. A ``srcset`` loses its remote candidates (the picture's own
``src`` still shows), and a ``<source>`` or ``<track>`` that would only load from
another website goes. Each replacement is returned so the build can report it.

The pass runs over every written page, after the per-file time budget, so it must stay
linear whatever an editor writes (thousands of nested or unclosed ``<video>``): the page
is read once by the build's tag reader (:class:`gardarika.render.tags.Page`, which reads
tags as a browser does), and closing tags and remote ``<source>`` are found by bisecting
lists made in that reading, never by searching the rest of the page again for each tag.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from gardarika.render.links import LOADING_LINK_RELS, RESOURCE_ELEMENTS, is_external
from gardarika.render.sanitize import normal_url
from gardarika.render.tags import CONTAINERS, RAW_TEXT, Page, Tag, srcset
from gardarika.urls import split_url

Gettext = Callable[[str], str]

#: elements the cleaning of content removes before this pass sees them (``input`` but a
#: checkbox, SVG's ``image`` and ``use``): not replaced here
_NOT_EMBEDS = frozenset({"input", "image", "use", "feimage"})
#: element -> attribute holding what it loads (links.RESOURCE_ELEMENTS, the main one)
EMBEDS = {
    **{
        name: attributes[0]
        for name, attributes in RESOURCE_ELEMENTS.items()
        if name not in _NOT_EMBEDS
    },
    "link": "href",
}
#: elements removed rather than turned into a link
DROPPED = {"script", "link", "source", "track"}
#: ``<link rel=…>`` kinds that load something or open a connection to another website
LINK_RELS = LOADING_LINK_RELS
SRCSET_ATTRIBUTES = ("srcset", "imagesrcset")
_WATCHED = frozenset(EMBEDS)

#: the group of the build's notes on things embedded from other websites
#: (``errors.Problem.group``: a build shows the first few and counts the rest)
REMOTE_EMBED_GROUP = "remote-embed"


@dataclass(frozen=True)
class Embed:
    """One remote thing that was replaced: what it was, where it pointed, where it stood
    (the offset of its tag), and what became of it: ``link`` (turned into a link),
    ``drop`` (removed) or ``srcset`` (only this candidate of its ``srcset`` removed)."""

    element: str
    url: str
    offset: int
    action: str = "link"


def is_remote(url: str) -> bool:
    """Whether a browser would fetch ``url`` from another website. Browsers drop tabs and
    line breaks, trim control characters and read ``\\`` as ``/``, so
    ``\\\\evil.example\\a.png`` or ``/\\evil.example`` load from another site too."""
    normal = normal_url(url).replace("\\", "/")
    return is_external(normal) or normal.startswith("//")


def srcset_candidates(value: str) -> list[tuple[str, str]]:
    """(url, descriptors) of each candidate of a ``srcset`` (see
    :func:`gardarika.render.tags.srcset`)."""
    return [(candidate.url, candidate.descriptors) for candidate in srcset(value)]


def _remote_candidates(tag: Tag) -> tuple[list[str], dict[int, str | None]]:
    """Remote URLs of the tag's ``srcset``/``imagesrcset``, and what each such attribute
    (by its place among the tag's attributes) becomes: its local candidates, or ``None``
    when nothing local is left and it goes."""
    remote: list[str] = []
    kept: dict[int, str | None] = {}
    for index, attribute in enumerate(tag.attributes):
        if attribute.name not in SRCSET_ATTRIBUTES:
            continue
        local = []
        for url, descriptors in srcset_candidates(attribute.value):
            if is_remote(url):
                remote.append(url)
            else:
                local.append(f"{url} {descriptors}".strip())
        kept[index] = ", ".join(local) or None
    return (remote, kept) if remote else ([], {})


def _without_remote_candidates(html: str, tag: Tag, kept: dict[int, str | None]) -> str:
    """The tag's text with each ``srcset`` holding only its local candidates."""
    out, last = [], tag.start
    for index, attribute in enumerate(tag.attributes):
        if index not in kept:
            continue
        value = kept[index]
        if value is None:
            out.append(html[last : attribute.start].rstrip(" \t\n\r\f"))
        else:
            out.append(html[last : attribute.start])
            out.append(f'{attribute.name}="{escape(value)}"')
        last = attribute.end
    out.append(html[last : tag.end])
    return "".join(out)


def _only_remote_srcset(tag: Tag, kept: dict[int, str | None]) -> bool:
    """A ``<source>`` whose ``srcset`` (the first, which browsers use) has nothing local
    left and that has no ``src`` of its own: it would show nothing, so it goes."""
    first = next((i for i, a in enumerate(tag.attributes) if a.name == "srcset"), None)
    return (
        tag.name == "source"
        and first is not None
        and kept.get(first, "") is None
        and not tag.attrs.get("src", "").strip()
    )


def _label(name: str, url: str, attrs: dict[str, str], _: Gettext) -> str:
    normal = normal_url(url).replace("\\", "/")
    host = split_url(normal if not normal.startswith("//") else "https:" + normal).hostname or url
    if name == "img":
        text = attrs.get("alt") or attrs.get("title") or host
        return _("Picture on another website: %(text)s") % {"text": text}
    if name == "video" or (
        name == "iframe"
        and re.search(r"youtube|youtu\.be|vimeo|rutube|vk\.com/video|vkvideo|dzen", host)
    ):
        return _("Video on another website (%(site)s)") % {"site": host}
    if name == "audio":
        return _("Sound recording on another website (%(site)s)") % {"site": host}
    return _("Content on another website (%(site)s)") % {"site": host}


#: how many times a page is read again after a change (see :func:`replace_remote_embeds`)
ROUNDS = 3


def replace_remote_embeds(
    html: str, gettext: Gettext, page: Page | None = None
) -> tuple[str, list[Embed]]:
    """``html`` with remote embeds turned into links (scripts and styles dropped, remote
    ``srcset`` candidates, sources and tracks removed). Linear in the page's size.

    A replacement can change how a browser reads what follows it (a tag seen by the
    second reading may hold the ``</script>`` that ended a script's text for the first),
    so a page that was changed is read again, a bounded number of times. Offsets of what
    is found again are in the page as changed before. ``page``: ``html`` as
    :func:`gardarika.render.tags.read` read it, when it already was."""
    found: list[Embed] = []
    for _ in range(ROUNDS):
        html, more = _replace_once(html, gettext, page)
        page = None
        if not more:
            break
        found.extend(more)
    return html, found


def _replace_once(html: str, gettext: Gettext, page: Page | None) -> tuple[str, list[Embed]]:
    """One reading of the page (``page``, when read already) and what it finds replaced."""
    if page is None:
        page = Page(html, _WATCHED, CONTAINERS)
    tags = [tag for tag in page.tags if tag.name in EMBEDS]
    if not tags:
        return html, []
    # <source>/<track> that load from another website: a player holding one is remote
    children = [
        (t.start, url)
        for t in tags
        if t.name in ("source", "track") and (url := _first_remote(t, "src")) is not None
    ]
    remote_children = ([start for start, _ in children], [url for _, url in children])
    found: list[Embed] = []
    out: list[str] = []
    last = 0
    for tag in tags:
        if tag.start < last or not tag.ended:
            continue  # inside what was replaced, or never ends (a browser drops it)
        if not tag.attributes and not (remote_children[0] and tag.name in ("video", "audio")):
            continue  # loads nothing ("<video>" with no remote source in the page)
        end = tag.end
        close = None
        # "<script/>" and "<iframe/>" still hold text up to their end tag
        if tag.name in CONTAINERS and (not tag.self_closing or tag.name in RAW_TEXT):
            close = page.closing(tag.name, tag.end)
            if close:
                end = close[1]
            elif tag.name in RAW_TEXT:
                end = len(html)  # its text runs to the page's end: it must not become tags
        url = _remote_url(tag, close, remote_children)
        if url is not None:
            action = "drop" if tag.name in DROPPED else "link"
            found.append(Embed(tag.name, url, tag.start, action))
            out.append(html[last : tag.start])
            if action == "link":
                label = escape(_label(tag.name, url, tag.attrs, gettext))
                note = escape(gettext("needs the internet"))
                out.append(
                    f'<span class="external-embed"><a href="{escape(url)}">{label}'
                    f"</a> <small>({note})</small></span>"
                )
            last = end
            continue
        remote, kept = _remote_candidates(tag)
        if not remote:
            continue
        out.append(html[last : tag.start])
        gone = _only_remote_srcset(tag, kept)
        for candidate in remote:
            found.append(Embed(tag.name, candidate, tag.start, "drop" if gone else "srcset"))
        if not gone:
            out.append(_without_remote_candidates(html, tag, kept))
        last = tag.end
    if not found:
        return html, []
    out.append(html[last:])
    return "".join(out), found


def _remote_url(
    tag: Tag, close: tuple[int, int] | None, remote_children: tuple[list[int], list[str]]
) -> str | None:
    """What the element loads from another website (the first such address), if any.
    ``remote_children``: offsets and addresses of every remote ``<source>``/``<track>``."""
    name, attrs = tag.name, tag.attrs
    if name == "link":
        if not set(attrs.get("rel", "").lower().split()) & LINK_RELS:
            return None
        url = _first_remote(tag, "href")
        if url is None:  # a preload of remote pictures goes as a whole: it only speeds up
            remote, _ = _remote_candidates(tag)
            url = remote[0] if remote else None
        return url
    url = _first_remote(tag, EMBEDS[name])
    if url is not None:
        return url
    if name in ("video", "audio"):
        if close is not None:  # a remote source or subtitles before the player's end
            starts, urls = remote_children
            i = bisect_left(starts, tag.end)
            if i < len(starts) and starts[i] < close[0]:
                return urls[i]
        if name == "video":
            return _first_remote(tag, "poster")
    return None


def _first_remote(tag: Tag, attribute: str) -> str | None:
    """The first remote value of ``attribute``. Browsers use only the first of repeated
    attributes, but other readers (and our own checks) may take another, so any counts."""
    return next(
        (a.value for a in tag.attributes if a.name == attribute and is_remote(a.value)), None
    )
