"""Where, in a Markdown file, is the HTML that the ``safe_html`` plugin will remove.

The editors' checks report each removal with its line, before the build. To report
exactly what the build removes, a text is converted with the build's own Markdown
settings, remote embeds are replaced as ``offline_output`` does, and the result is
scanned with the policy of :mod:`gardarika.render.sanitize`. Markdown keeps no line numbers, so
each removal is then found in the source by what it looks like (``<script``,
``onclick``, the address), outside code: the n-th removal of a kind goes to the n-th
place it is written. Code blocks and inline code are text, never HTML, and are skipped.

Converting costs a few milliseconds a text, and a town is checked before every build,
so a text is converted only when it could hold something to remove: a tag, a character
reference, a backslash escape, an attribute list (``{: …}``, any braces but Pelican's
``{static}``-style placeholders), or a link whose address has a scheme other than
http(s), mailto or tel.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache

import markdown

from gardarika.content.markdown import markdown_settings, mask_code
from gardarika.render.embeds import replace_remote_embeds
from gardarika.render.sanitize import Removal, normal_url, removals, url_allowed

#: character references that only ever stand for text (quotes, dashes, spaces, the
#: ampersand and brackets themselves): common in pasted text, never part of markup
_TEXT_ENTITIES = (
    "quot|amp|lt|gt|nbsp|laquo|raquo|bdquo|ldquo|rdquo|lsquo|rsquo|mdash|ndash|"
    "hellip|copy|shy|thinsp|minus|deg|times|numero|sect"
)
_SUSPECT = re.compile(
    rf"<[A-Za-z!/?]|&(?!(?:{_TEXT_ENTITIES});)|\\"  # tags, references, escapes
    # {: …} attribute lists (a very long one counts too: it is not read to its end)
    r"|\{(?!(?:static|filename|attach|index|category|tag|author)\})[^}\n]{0,512}(?:\}|[^}\n])"
    # [text](scheme:…), or a target whose first 64 characters have no / ? # or space
    r"|\]\(\s*<?\s*(?!(?:https?|mailto|tel):)[^) /?#\n]{0,64}(?::|[^) /?#\n])"
    # [r]: scheme:…, also in a quote or a list item; a very long label counts too
    r"|^[ \t>*+\-\d.)]*\[(?:[^\]\n]{513}|[^\]\n]{1,512}\]:\s*<?\s*"
    r"(?!(?:https?|mailto|tel):)[^\s/?#]{0,64}(?::|[^\s/?#]))",
    re.I | re.M,
)


#: what Markdown reads by recursion, hundreds deep: a long run of one of its nesting
#: marks (emphasis, links, quotes; spaces between them or not), list markers one after
#: another on a line (``- - - x``, ``1. 1. x``), a line indented by hundreds of spaces
#: (lists in lists), hundreds of tags in a row (<div><div>…), or of ``markdown="1"``
#: blocks (each read as Markdown again)
_NESTING_MARKS = "*_[]>~=`"
_MARK_RUN = re.compile(r"([*_\[\]>~=`])(?:[ \t]*+\1){199,}")
#: from the first marker of a run only (not after a marker and its space, nor inside a
#: number): each run is read once. Written to start with the marker's first character,
#: so the search skips every other character at once; the same matches as
#: ``(?<![-+*.)][ \t])(?<!\d)(?:(?:[-+*]|\d{1,9}[.)])[ \t]++){100,}``, four times faster
_MARKER_RUN = re.compile(
    r"[-+*\d](?<=(?<![-+*.)][ \t])(?<!\d)[-+*\d])"  # the first character, where a run starts
    r"(?:(?<=\d)\d{0,8}[.)]|(?<=[-+*]))[ \t]++"  # the rest of the first marker
    r"(?:(?:[-+*]|\d{1,9}[.)])[ \t]++){99,}"
)
_DEEP_INDENT = re.compile(r"^[ \t]{400,}", re.M)
_TAG_RUN = re.compile(r"<[A-Za-z](?:[^<>]{0,200}>\s*+<[A-Za-z]){199,}")


def may_nest_too_deep(text: str) -> bool:
    """Whether ``text`` may nest hundreds deep (a quick test, counting first; Markdown's
    recursion would stop at Python's limit)."""
    return (
        (
            any(text.count(mark) >= 200 for mark in _NESTING_MARKS)
            and _MARK_RUN.search(text) is not None
        )
        or (
            text.count("<") >= 200
            and (_TAG_RUN.search(text) is not None or text.count("markdown=") >= 100)
        )
        or (("    " * 100 in text or "\t" in text) and _DEEP_INDENT.search(text) is not None)
        or (text.count(" ") >= 100 and _MARKER_RUN.search(text) is not None)
    )


#: a web address written in the text (a link's target or pasted)
_WEB_ADDRESS = re.compile(r"(?i:https?)://[^\s)>\]\"']*")


def may_need_cleaning(text: str) -> bool:
    """Whether ``text`` could give HTML that the policy changes (a quick test): markup,
    references, unusual addresses, or a web address a browser could not read."""
    return _SUSPECT.search(text) is not None or any(
        not url_allowed(found.group(0)) for found in _WEB_ADDRESS.finditer(text)
    )


@cache
def _markdown() -> markdown.Markdown:
    config = dict(markdown_settings()["extension_configs"])
    config.pop("markdown.extensions.meta", None)  # the metadata is already read
    return markdown.Markdown(
        extensions=list(config), extension_configs=config, output_format="html5"
    )


def to_html(text: str) -> str:
    """``text`` converted as the build converts it, remote embeds already replaced."""
    converter = _markdown()
    converter.reset()
    try:
        converted = converter.convert(text)
    except BaseException:
        # stopped half-way (too deep, too slow), the converter keeps the state it was
        # in (reset() does not clear its block parser's): the next text gets a new one
        _markdown.cache_clear()
        raise
    html, _ = replace_remote_embeds(converted, lambda message: message)
    return html


def removals_in(text: str) -> list[Removal]:
    """What the build removes from the HTML of Markdown ``text``, in order."""
    return removals(to_html(text)) if may_need_cleaning(text) else []


def _mask_remote(text: str) -> str:
    """Remote embeds blanked: ``offline_output`` replaces them, so they are not the
    ``<iframe`` that a removal stands for."""
    _, embeds = replace_remote_embeds(text, lambda message: message)
    for embed in embeds:
        end = embed.offset + 1 + len(embed.element)
        text = text[: embed.offset] + " " * (end - embed.offset) + text[end:]
    return text


def _needles(removal: Removal) -> list[re.Pattern[str]]:
    """How a removal may be written in the source, the most precise first."""
    name = re.escape(removal.attribute or "")
    if removal.attribute is None:
        return [re.compile(rf"<\s*{re.escape(removal.element)}(?![\w-])", re.I)]
    found = []
    if removal.reason == "url" and removal.value:
        found.append(re.compile(re.escape(removal.value.strip())))
        scheme = re.match(r"^([a-zA-Z][\w+.-]*):", normal_url(removal.value))
        if scheme:
            found.append(re.compile(rf"{re.escape(scheme.group(1))}\s*:", re.I))
    if removal.reason == "style-attr" and removal.value:
        found.append(re.compile(re.escape(removal.value.strip())))
    found.append(re.compile(rf"(?<![\w-]){name}\s*=", re.I))
    found.append(re.compile(rf"(?<![\w-]){name}(?![\w-])", re.I))
    return found


@dataclass
class _Places:
    """Offsets where a needle occurs, handed out one by one."""

    offsets: list[int]
    used: int = 0

    def next(self) -> int:
        offset = self.offsets[min(self.used, len(self.offsets) - 1)]
        self.used += 1
        return offset


def locate(text: str, first_line: int, found: list[Removal]) -> list[tuple[int, Removal]]:
    """Each removal with the line of ``text`` (numbered from ``first_line``) it is on.

    Code and remote embeds are skipped; should a removal only be found inside an
    indented block (an admonition's text is indented too), that block counts."""
    strict, loose = (_mask_remote(mask_code(text, indented)) for indented in (True, False))
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    places: dict[tuple[str, bool], _Places] = {}
    result = []
    for removal in found:
        offset = None
        for needle in _needles(removal):
            for masked, is_strict in ((strict, True), (loose, False)):
                key = (needle.pattern, is_strict)
                if key not in places:
                    places[key] = _Places([m.start() for m in needle.finditer(masked)])
                if places[key].offsets:
                    offset = places[key].next()
                    break
            if offset is not None:
                break
        line = (
            first_line + bisect.bisect_right(starts, offset) - 1
            if offset is not None
            else first_line
        )
        result.append((line, removal))
    return result
