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
is read in one pass (the text of scripts and the like twice, :class:`_Page`), tags are
read as a browser reads them (a tag that never ends takes the rest of the page, as in a
browser, instead of being looked for again from every later ``<``), and closing tags and
remote ``<source>`` are found by bisecting lists made in that pass, never by searching
the rest of the page again for each tag.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape
from urllib.parse import urlsplit

from gardarika.render.links import LOADING_LINK_RELS, RESOURCE_ELEMENTS, is_external
from gardarika.render.sanitize import normal_url

Gettext = Callable[[str], str]

#: elements the cleaning of content removes before this pass sees them (``input`` but a
#: checkbox, SVG's ``image`` and ``use``): not replaced here
_NOT_EMBEDS = frozenset({"input", "image", "use"})
#: element -> attribute holding what it loads (links.RESOURCE_ELEMENTS, the main one)
EMBEDS = {
    **{
        name: attributes[0]
        for name, attributes in RESOURCE_ELEMENTS.items()
        if name not in _NOT_EMBEDS
    },
    "link": "href",
}
CONTAINERS = {"iframe", "video", "audio", "object", "script", "frame"}
#: elements removed rather than turned into a link
DROPPED = {"script", "link", "source", "track"}
#: ``<link rel=…>`` kinds that load something or open a connection to another website
LINK_RELS = LOADING_LINK_RELS
SRCSET_ATTRIBUTES = ("srcset", "imagesrcset")

# Tags are read as the HTML standard reads them: a quote starts a value only after "=",
# a value in quotes may hold ">", and a tag or value that never ends runs to the end of
# the page. Every part is possessive or atomic: a tag is matched in one go, with no
# backtracking, and a match always ends at ">" or the end of the page, so no character is
# read again from a later "<".
_SPACE = "[ \t\n\r\f]"
_NOT_SPACE = "[^ \t\n\r\f]"
#: the attributes of a tag, as a regular expression (also used by
#: :mod:`gardarika.render.typography`)
ATTRIBUTES = (
    rf"(?>[ \t\n\r\f/]|[^ \t\n\r\f/>][^ \t\n\r\f/>=]*+"
    rf"(?:{_SPACE}*+={_SPACE}*+(?:\"[^\"]*+(?:\"|\Z)|'[^']*+(?:'|\Z)"
    rf"|[^ \t\n\r\f>\"'][^ \t\n\r\f>]*+)?)?)*+"
)
#: elements whose content a browser reads as text up to their end tag, never as tags
#: (``plaintext`` never ends; ``noscript`` when scripts run). Inside ``<svg>`` or
#: ``<math>``, and in ``<noscript>`` without scripts, the same content is read as tags, so
#: a page is read both ways (:class:`_Page`).
RAW_TEXT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "noembed",
        "noframes",
        "xmp",
        "textarea",
        "title",
        "plaintext",
        "noscript",
    }
)
_NAME_END = r"(?=[ \t\n\r\f/>]|\Z)"
_WATCHED = "|".join(sorted(set(EMBEDS) | RAW_TEXT))
#: One step of reading a page as a browser's tokenizer does: everything up to the next
#: tag that matters here (a start tag of an element that loads something or holds raw
#: text, an end tag of a container) is passed over in one go: text, comments (which may
#: run to the end of the page), "<!…>", "<?…>" and "</ …>" (bogus comments) and the tags
#: of other elements (one can hold "<img" in a quoted value). A step always succeeds, at
#: such a tag or at the page's end, so the regular expression never starts again later.
_STEP = re.compile(
    r"(?>[^<]++"
    r"|<!--(?:-?>|.*?(?:--!?>|\Z))"
    r"|<[!?][^>]*+(?:>|\Z)"
    r"|</(?![a-z])[^>]*+(?:>|\Z)"
    rf"|</(?!(?:{'|'.join(sorted(CONTAINERS))}){_NAME_END})[a-z][^ \t\n\r\f/>]*+"
    rf"{ATTRIBUTES}(?:>|\Z)"
    rf"|<(?!(?:{_WATCHED}){_NAME_END})[a-z][^ \t\n\r\f/>]*+{ATTRIBUTES}(?:>|\Z)"
    r"|<(?![a-z!?/]))*+"
    rf"(?:(?P<token><(?P<slash>/)?(?P<name>{_WATCHED}){_NAME_END}(?P<attrs>{ATTRIBUTES})"
    r"(?P<end>>|\Z))|\Z)",
    re.S | re.I,
)
_ATTR = re.compile(
    rf"(?P<name>[^ \t\n\r\f/>][^ \t\n\r\f/>=]*+)"
    rf"(?:{_SPACE}*+={_SPACE}*+(?:\"(?P<dq>[^\"]*+)(?:\"|\Z)|'(?P<sq>[^']*+)(?:'|\Z)"
    rf"|(?P<bare>[^ \t\n\r\f>\"'][^ \t\n\r\f>]*+))?)?"
)
_CANDIDATE_URL = re.compile(rf"[ \t\n\r\f,]*+({_NOT_SPACE}*+)")
_DESCRIPTORS = re.compile(r"[^,]*+,?")


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


@dataclass(slots=True)
class _Tag:
    """One start tag found in the page, its attributes read once."""

    name: str
    start: int
    end: int
    ended: bool  # ends with ">" (a tag running to the end of the page does not)
    self_closing: bool
    attrs: dict[str, str]  # the first of each name, as browsers take it
    spans: list[tuple[str, str, int, int]]  # every attribute: name, value, where it is

    @classmethod
    def read(cls, html: str, match: re.Match[str]) -> _Tag:
        token, name, end = match.group("token", "name", "end")
        attrs: dict[str, str] = {}
        spans: list[tuple[str, str, int, int]] = []
        attrs_start, attrs_end = match.span("attrs")
        if attrs_end - attrs_start > 1:  # "<video>" or "<img/>" have none
            for attr in _ATTR.finditer(html, attrs_start, attrs_end):
                key = attr.group("name").lower()
                dq, sq, bare = attr.group("dq", "sq", "bare")
                raw = dq if dq is not None else sq if sq is not None else bare or ""
                value = unescape(raw) if "&" in raw else raw
                attrs.setdefault(key, value)
                spans.append((key, value, attr.start(), attr.end()))
        return cls(
            name.lower(),
            match.start("token"),
            match.end(),
            bool(end),
            token.endswith("/>"),
            attrs,
            spans,
        )


def srcset_candidates(value: str) -> list[tuple[str, str]]:
    """(url, descriptors) of each candidate of a ``srcset``, read as the HTML standard
    does: a URL runs to the next space (so ``data:…,…`` keeps its comma), a comma ends
    a candidate."""
    found = []
    position = 0
    while True:
        match = _CANDIDATE_URL.match(value, position)
        url, position = match.group(1), match.end()
        if not url:
            return found
        descriptors = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            rest = _DESCRIPTORS.match(value, position)
            descriptors, position = rest.group(0).rstrip(",").strip(), rest.end()
        found.append((url, descriptors))


def _remote_candidates(tag: _Tag) -> tuple[list[str], dict[int, str | None]]:
    """Remote URLs of the tag's ``srcset``/``imagesrcset``, and what each such attribute
    (by its place among the tag's attributes) becomes: its local candidates, or ``None``
    when nothing local is left and it goes."""
    remote: list[str] = []
    kept: dict[int, str | None] = {}
    for index, (name, value, _, _) in enumerate(tag.spans):
        if name not in SRCSET_ATTRIBUTES:
            continue
        local = []
        for url, descriptors in srcset_candidates(value):
            if is_remote(url):
                remote.append(url)
            else:
                local.append(f"{url} {descriptors}".strip())
        kept[index] = ", ".join(local) or None
    return (remote, kept) if remote else ([], {})


def _without_remote_candidates(html: str, tag: _Tag, kept: dict[int, str | None]) -> str:
    """The tag's text with each ``srcset`` holding only its local candidates."""
    out, last = [], tag.start
    for index, (name, _, start, end) in enumerate(tag.spans):
        if index not in kept:
            continue
        value = kept[index]
        if value is None:
            out.append(html[last:start].rstrip(" \t\n\r\f"))
        else:
            out.append(html[last:start])
            out.append(f'{name}="{escape(value)}"')
        last = end
    out.append(html[last : tag.end])
    return "".join(out)


def _only_remote_srcset(tag: _Tag, kept: dict[int, str | None]) -> bool:
    """A ``<source>`` whose ``srcset`` (the first, which browsers use) has nothing local
    left and that has no ``src`` of its own: it would show nothing, so it goes."""
    first = next((i for i, span in enumerate(tag.spans) if span[0] == "srcset"), None)
    return (
        tag.name == "source"
        and first is not None
        and kept.get(first, "") is None
        and not tag.attrs.get("src", "").strip()
    )


def _label(name: str, url: str, attrs: dict[str, str], _: Gettext) -> str:
    normal = normal_url(url).replace("\\", "/")
    host = urlsplit(normal if not normal.startswith("//") else "https:" + normal).hostname or url
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


_SCRIPT_MARKS = re.compile(rf"<!--(?P<shut>-*>)?|-->|<(?P<slash>/?)script{_NAME_END}", re.I)


def _raw_text_end(html: str, name: str, position: int) -> int:
    """Where the text of a ``name`` element that starts at ``position`` ends: at its end
    tag, or at the page's end. A script's text ends at the first ``</script>`` except
    inside ``<!--`` … ``<script>``, which browsers read as a script written by the
    script (its ``</script>`` does not end the outer one)."""
    if name == "plaintext":
        return len(html)
    if name != "script":
        close = re.compile(rf"</{name}{_NAME_END}", re.I).search(html, position)
        return close.start() if close else len(html)
    escaped = double = False
    for mark in _SCRIPT_MARKS.finditer(html, position):
        text = mark.group(0)
        if text.startswith("<!--"):
            escaped = escaped or not mark.group("shut")
        elif text == "-->":
            escaped = double = False
        elif mark.group("slash"):
            if not double:
                return mark.start()
            double = False
        elif escaped:
            double = True
    return len(html)


class _Page:
    """The start tags of a page's elements that load something, and where each
    container's end tags are.

    The page is read as a browser's tokenizer reads HTML, in one pass: the content of
    ``script``, ``style``, ``iframe``, ``noscript``… is text. Inside ``<svg>`` and
    ``<math>``, or in ``<noscript>`` for a reader without scripts, the same content is
    read as tags, so each such text is read a second time that way, until that reading
    meets the first again. What either reading finds counts: a remote load hidden from
    one (``<svg><style><img src=…>``, or an ``<img alt="`` in a script's text that would
    swallow the rest of the page) is seen by the other. Each character is read at most
    twice."""

    def __init__(self, html: str) -> None:
        found: dict[int, _Tag] = {}
        closings: dict[str, set[tuple[int, int]]] = {}
        steps: set[int] = set()
        texts: list[int] = []
        self._read(html, 0, RAW_TEXT, found, closings, steps, texts)
        position = 0
        for text in texts:
            if text >= position:
                position = self._read(html, text, frozenset(), found, closings, steps, None)
        self.tags = [found[start] for start in sorted(found)]
        self.closings: dict[str, tuple[list[int], list[int]]] = {}
        for name, spans in closings.items():
            ordered = sorted(spans)
            self.closings[name] = ([s for s, _ in ordered], [e for _, e in ordered])

    @staticmethod
    def _read(
        html: str,
        position: int,
        raw_text: frozenset[str],
        found: dict[int, _Tag],
        closings: dict[str, set[tuple[int, int]]],
        steps: set[int],
        texts: list[int] | None,
    ) -> int:
        """Read from ``position``, the content of ``raw_text`` elements as text. The
        first reading (``texts`` given) notes where each of its steps starts and where
        each text it passed over starts; the second stops where it meets the first (from
        there on they would read the same) and returns where that is."""
        size = len(html)
        start = position
        while position < size:
            if texts is not None:
                steps.add(position)
            elif position in steps and position != start:
                return position
            step = _STEP.match(html, position)
            position = step.end()
            slash, name, end = step.group("slash", "name", "end")
            if name is None:
                break  # the page's end
            name = name.lower()
            if slash:
                if name in CONTAINERS:
                    closings.setdefault(name, set()).add((step.start("token"), position))
                continue
            if name in EMBEDS and step.start("token") not in found:
                tag = _Tag.read(html, step)
                found[tag.start] = tag
            if name in raw_text and end:
                # its text is not tags: go on at its end tag (a missing one: the page's end)
                if texts is not None:
                    texts.append(position)
                position = _raw_text_end(html, name, position)
        return size

    def closing(self, name: str, position: int) -> tuple[int, int] | None:
        """(start, end) of the first ``</name>`` at or after ``position``."""
        starts, ends = self.closings.get(name, ([], []))
        i = bisect_left(starts, position)
        return (starts[i], ends[i]) if i < len(starts) else None


#: how many times a page is read again after a change (see :func:`replace_remote_embeds`)
ROUNDS = 3


def replace_remote_embeds(html: str, gettext: Gettext) -> tuple[str, list[Embed]]:
    """``html`` with remote embeds turned into links (scripts and styles dropped, remote
    ``srcset`` candidates, sources and tracks removed). Linear in the page's size.

    A replacement can change how a browser reads what follows it (a tag seen by the
    second reading may hold the ``</script>`` that ended a script's text for the first),
    so a page that was changed is read again, a bounded number of times. Offsets of what
    is found again are in the page as changed before."""
    found: list[Embed] = []
    for _ in range(ROUNDS):
        html, more = _replace_once(html, gettext)
        if not more:
            break
        found.extend(more)
    return html, found


def _replace_once(html: str, gettext: Gettext) -> tuple[str, list[Embed]]:
    """One reading of the page and what it finds replaced."""
    page = _Page(html)
    tags = page.tags
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
        if not tag.spans and not (remote_children[0] and tag.name in ("video", "audio")):
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
    tag: _Tag, close: tuple[int, int] | None, remote_children: tuple[list[int], list[str]]
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


def _first_remote(tag: _Tag, attribute: str) -> str | None:
    """The first remote value of ``attribute``. Browsers use only the first of repeated
    attributes, but other readers (and our own checks) may take another, so any counts."""
    return next(
        (value for name, value, _, _ in tag.spans if name == attribute and is_remote(value)), None
    )
