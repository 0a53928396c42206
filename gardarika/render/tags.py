"""Reading a page's tags as a browser does: the one tag reader of the build.

Three passes look at the tags of every page the build writes: the replacement of what
loads from other websites (:mod:`gardarika.render.embeds`), the description of pictures
(:func:`gardarika.render.images.annotate_images`) and the portable links
(:mod:`gardarika.render.links`, which the page weight and the offline check read too).
They all read tags here, so what one of them sees as a tag the others see as one too,
and a page is read once for all of them (:func:`read`).

Tags are read as the HTML standard reads them: a quote starts a value only after "=", a
value in quotes may hold ">", a tag or value that never ends runs to the end of the
page, comments and the text of ``<script>``, ``<style>``… are not tags. Inside ``<svg>``
or ``<math>``, and in ``<noscript>`` for a reader without scripts, the same text *is*
read as tags, so such text is read both ways (:class:`Page`): a check must see what any
reader sees.

Every pattern here is possessive or atomic and every step ends at ">" or the page's end,
so reading stays linear whatever an editor writes (thousands of unclosed tags, a quote
that never ends): no character is read again from a later "<".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from html import unescape
from typing import NamedTuple

_SPACE = "[ \t\n\r\f]"
#: the attributes of a tag, as a regular expression (also used by the typesetter's
#: tokenizer, :mod:`gardarika.render.typesetter`)
ATTRIBUTES = (
    rf"(?>[ \t\n\r\f/]|[^ \t\n\r\f/>][^ \t\n\r\f/>=]*+"
    rf"(?:{_SPACE}*+={_SPACE}*+(?:\"[^\"]*+(?:\"|\Z)|'[^']*+(?:'|\Z)"
    rf"|[^ \t\n\r\f>\"'][^ \t\n\r\f>]*+)?)?)*+"
)
#: elements whose content a browser reads as text up to their end tag, never as tags
#: (``plaintext`` never ends; ``noscript`` when scripts run). Inside ``<svg>`` or
#: ``<math>``, and in ``<noscript>`` without scripts, the same content is read as tags, so
#: a page is read both ways (:class:`Page`).
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
#: elements whose end tags a reading notes: what loads from another website is replaced
#: up to its end tag (:mod:`gardarika.render.embeds`)
CONTAINERS = frozenset({"iframe", "video", "audio", "object", "script", "frame"})
_NAME_END = r"(?=[ \t\n\r\f/>]|\Z)"
_ATTR = re.compile(
    rf"(?P<name>[^ \t\n\r\f/>][^ \t\n\r\f/>=]*+)"
    rf"(?:{_SPACE}*+={_SPACE}*+(?:\"(?P<dq>[^\"]*+)(?:\"|\Z)|'(?P<sq>[^']*+)(?:'|\Z)"
    rf"|(?P<bare>[^ \t\n\r\f>\"'][^ \t\n\r\f>]*+))?)?"
)


@lru_cache(maxsize=8)
def _step(watched: frozenset[str] | None, closed: frozenset[str]) -> re.Pattern[str]:
    """One step of reading a page as a browser's tokenizer does: everything up to the next
    tag that matters is passed over in one go: text, comments (which may run to the end
    of the page), "<!…>", "<?…>" and "</ …>" (bogus comments), end tags of elements not
    in ``closed`` and start tags of elements neither ``watched`` nor holding raw text (one
    can hold "<img" in a quoted value); with ``watched`` None, start tags without
    attributes but those of raw-text and ``closed`` elements. A step always succeeds, at
    such a tag or at the page's end, so the expression never starts again later."""
    closing = "|".join(sorted(closed)) or "(?!)"
    skipped_end = rf"|</(?!(?:{closing}){_NAME_END})[a-z][^ \t\n\r\f/>]*+{ATTRIBUTES}(?:>|\Z)"
    if watched is None:  # start tags without attributes matter only for these
        kept = "|".join(sorted(RAW_TEXT | closed))
        skipped_start = rf"|<(?!(?:{kept}){_NAME_END})[a-z][^ \t\n\r\f/>]*+[ \t\n\r\f/]*+(?:>|\Z)"
        stop = rf"(?P<close>/(?=(?:{closing}){_NAME_END}))?(?P<name>[a-z][^ \t\n\r\f/>]*+)"
    else:
        names = "|".join(sorted(watched | RAW_TEXT | closed))
        skipped_start = rf"|<(?!(?:{names}){_NAME_END})[a-z][^ \t\n\r\f/>]*+{ATTRIBUTES}(?:>|\Z)"
        stop = rf"(?P<close>/(?=(?:{closing}){_NAME_END}))?(?P<name>{names}){_NAME_END}"
    return re.compile(
        r"(?>[^<]++"
        r"|<!--(?:-?>|.*?(?:--!?>|\Z))"
        r"|<[!?][^>]*+(?:>|\Z)"
        r"|</(?![a-z])[^>]*+(?:>|\Z)"
        rf"{skipped_end}{skipped_start}"
        r"|<(?![a-z!?/]))*+"
        rf"(?:(?P<token><{stop}(?P<attrs>{ATTRIBUTES})(?P<end>>|\Z))|\Z)",
        re.S | re.I | re.A,  # tag names compare in ASCII only: "ſ" is not "s"
    )


class Attribute(NamedTuple):
    """One attribute of a tag as written: its name (lower case), its value with character
    references read (``""`` when it has none), the value as written, where the attribute
    is and where its value is (``-1`` when it has none)."""

    name: str
    value: str
    raw: str
    start: int
    end: int
    value_start: int
    value_end: int


class Tag:
    """One start tag of the page; its attributes are read when first asked for."""

    __slots__ = (
        "_html",
        "_read",
        "_span",
        "_values",
        "end",
        "ended",
        "in_text",
        "name",
        "self_closing",
        "start",
    )

    def __init__(self, html: str, match: re.Match[str], in_text: bool = False) -> None:
        self.name: str = match.group("name").lower()
        self.start: int = match.start("token")
        self.end: int = match.end()
        #: ends with ">" (a tag running to the end of the page does not)
        self.ended = bool(match.group("end"))
        self.self_closing = html.endswith("/>", self.start, self.end)
        self._html = html
        self._span = match.span("attrs")
        self._read: list[Attribute] | None = None
        self._values: dict[str, str] | None = None
        #: found only by reading the text of a raw-text element as tags (inside a
        #: ``<script>`` or ``<title>`` for most readers: changing it changes that text)
        self.in_text = in_text

    def __repr__(self) -> str:
        return f"<Tag {self.name} {self.start}:{self.end}>"

    @property
    def attributes(self) -> list[Attribute]:
        """Every attribute, in order, repeated names too."""
        if self._read is None:
            self._read = _read_attributes(self._html, *self._span)
        return self._read

    @property
    def attrs(self) -> dict[str, str]:
        """The value of each attribute: the first of each name, as browsers take it."""
        if self._values is None:
            values: dict[str, str] = {}
            for attribute in self.attributes:
                values.setdefault(attribute.name, attribute.value)
            self._values = values
        return self._values

    def first(self, name: str) -> Attribute | None:
        """The attribute ``name`` as a browser uses it (the first of that name)."""
        return next((a for a in self.attributes if a.name == name), None)

    @property
    def attributes_end(self) -> int:
        """Where something added to the tag goes: after its last attribute (after its name
        when it has none), before any space, "/" or ">" that ends it."""
        if self.attributes:
            return self.attributes[-1].end
        return self.start + 1 + len(self.name)


def _read_attributes(html: str, start: int, end: int) -> list[Attribute]:
    attributes: list[Attribute] = []
    if end - start <= 1:  # "<video>" or "<img/>" have none
        return attributes
    for attr in _ATTR.finditer(html, start, end):
        group = attr.lastgroup  # the value's kind of quotes, or "name" without a value
        if group == "name":
            raw, value_start, value_end = "", -1, -1
        else:
            raw = attr.group(group)
            value_start, value_end = attr.span(group)
        attributes.append(
            Attribute(
                attr.group("name").lower(),
                unescape(raw) if "&" in raw else raw,
                raw,
                attr.start(),
                attr.end(),
                value_start,
                value_end,
            )
        )
    return attributes


_SCRIPT_MARKS = re.compile(rf"<!--(?P<shut>-*>)?|-->|<(?P<slash>/?)script{_NAME_END}", re.I | re.A)


@lru_cache(maxsize=16)
def _closing_tag(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{re.escape(name)}{_NAME_END}", re.I | re.A)


def raw_text_end(html: str, name: str, position: int) -> int:
    """Where the text of a ``name`` element that starts at ``position`` ends: at its end
    tag, or at the page's end. A script's text ends at the first ``</script>`` except
    inside ``<!--`` … ``<script>``, which browsers read as a script written by the
    script (its ``</script>`` does not end the outer one). The states are the HTML
    standard's: ``<!--`` starts the escaped text, ``-->`` (also the one in ``<!-->``)
    ends it and any script written in it, ``<script`` in it starts the written script,
    whose ``</script>`` goes back to the escaped text."""
    if name == "plaintext":
        return len(html)
    if name != "script":
        close = _closing_tag(name).search(html, position)
        return close.start() if close else len(html)
    escaped = double = False
    for mark in _SCRIPT_MARKS.finditer(html, position):
        text = mark.group(0)
        if text.startswith("<!--"):
            if mark.group("shut"):  # "<!-->", "<!--->": its "-->" ends everything
                escaped = double = False
            else:
                escaped = True
        elif text == "-->":
            escaped = double = False
        elif mark.group("slash"):
            if not double:
                return mark.start()
            double = False
        elif escaped:
            double = True
    return len(html)


_CANDIDATE_URL = re.compile(r"[ \t\n\r\f,]*+([^ \t\n\r\f]*+)")
_DESCRIPTORS = re.compile(r"[^,]*+,?")


class Candidate(NamedTuple):
    """One candidate of a ``srcset``: its address, its descriptors (``480w``, ``2x``) and
    where its address is in the value."""

    url: str
    descriptors: str
    start: int
    end: int


def srcset(value: str) -> list[Candidate]:
    """The candidates of a ``srcset`` value, read as the HTML standard reads them: an
    address runs to the next space (so ``data:…,…`` keeps its comma), a comma ends a
    candidate. Each part is matched once, so any value is read in linear time."""
    found = []
    position = 0
    while True:
        match = _CANDIDATE_URL.match(value, position)
        assert match is not None  # both parts may be empty
        url, start, position = match.group(1), match.start(1), match.end()
        if not url:
            return found
        descriptors = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            rest = _DESCRIPTORS.match(value, position)
            assert rest is not None
            descriptors, position = rest.group(0).rstrip(",").strip(), rest.end()
        found.append(Candidate(url, descriptors, start, start + len(url)))


class Text(NamedTuple):
    """The text of a raw-text element (``script``, ``style``…) as the first reading of the
    page has it: the element, where the text starts and where it ends."""

    name: str
    start: int
    end: int


class Page:
    """The start tags of a page, where the end tags of the ``closed`` elements are, and
    the texts of raw-text elements. The start tags are those of the ``watched`` elements
    when given, else every one with attributes, and those of raw-text and ``closed``
    elements with or without.

    The page is read as a browser's tokenizer reads HTML, in one pass: the content of
    ``script``, ``style``, ``iframe``, ``noscript``… is text. Inside ``<svg>`` and
    ``<math>``, or in ``<noscript>`` for a reader without scripts, the same content is
    read as tags, so each such text is read a second time that way, until that reading
    meets the first again. What either reading finds counts: a tag hidden from one
    (``<svg><style><img src=…>``, or an ``<img alt="`` in a script's text that would
    swallow the rest of the page) is seen by the other. Each character is read at most
    twice."""

    def __init__(
        self,
        html: str,
        watched: frozenset[str] | None = None,
        closed: frozenset[str] = frozenset(),
    ) -> None:
        self.html = html
        self._step = _step(watched, closed)
        self._watched = watched
        found: dict[int, Tag] = {}
        closings: dict[str, set[tuple[int, int]]] = {}
        steps: set[int] = set()
        texts: list[Text] = []
        self._read(0, RAW_TEXT, found, closings, steps, texts)
        position = 0
        for text in texts:
            if text.start >= position:
                position = self._read(text.start, frozenset(), found, closings, steps, None)
        self.texts = texts
        self.tags = [found[start] for start in sorted(found)]
        self.closings: dict[str, tuple[list[int], list[int]]] = {}
        for name, spans in closings.items():
            ordered = sorted(spans)
            self.closings[name] = ([s for s, _ in ordered], [e for _, e in ordered])

    def _read(
        self,
        position: int,
        raw_text: frozenset[str],
        found: dict[int, Tag],
        closings: dict[str, set[tuple[int, int]]],
        steps: set[int],
        texts: list[Text] | None,
    ) -> int:
        """Read from ``position``, the content of ``raw_text`` elements as text. The
        first reading (``texts`` given) notes where each of its steps starts and the texts
        it passed over; the second stops where it meets the first (from there on they
        would read the same) and returns where that is."""
        html, step_at, watched = self.html, self._step.match, self._watched
        size = len(html)
        start = position
        while position < size:
            if texts is not None:
                steps.add(position)
            elif position in steps and position != start:
                return position
            step = step_at(html, position)
            position = step.end()
            name = step.group("name")
            if name is None:
                break  # the page's end
            name = name.lower()
            if step.group("close"):
                closings.setdefault(name, set()).add((step.start("token"), position))
                continue
            if (watched is None or name in watched) and step.start("token") not in found:
                tag = Tag(html, step, in_text=texts is None)
                found[tag.start] = tag
            if name in raw_text and step.group("end"):
                # its text is not tags: go on at its end tag (a missing one: the page's end)
                end = raw_text_end(html, name, position)
                if texts is not None:
                    texts.append(Text(name, position, end))
                position = end
        return size

    def closing(self, name: str, position: int) -> tuple[int, int] | None:
        """(start, end) of the first ``</name>`` at or after ``position`` (``name`` one of
        the ``closed`` elements)."""
        starts, ends = self.closings.get(name, ([], []))
        i = bisect_left(starts, position)
        return (starts[i], ends[i]) if i < len(starts) else None


def read(html: str) -> Page:
    """``html`` read once for every pass over a written page: its start tags with
    attributes (and those of raw-text elements and :data:`CONTAINERS`), the end tags of
    :data:`CONTAINERS` and the texts of its scripts and styles."""
    return Page(html, None, CONTAINERS)
