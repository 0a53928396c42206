"""The one Markdown configuration: what the build converts texts with, and what the
editors' checks convert a text with to say, line by line, what the cleaning removes;
and the one rule for where code is in a Markdown text (the checks read no link, tag or
address inside code: Markdown shows it as text).
"""

from __future__ import annotations

import bisect
import re
from functools import cache
from types import MappingProxyType
from typing import Any

from pymdownx import emoji1_db
from pymdownx.emoji import to_alt

from gardarika.content.slugs import toc_slugify


@cache
def _emoji_index() -> dict[str, Any]:
    # pymdownx's own emojione() deep-copies the tables (20 000 objects, 0.07 s): the
    # extension only looks names up, so the module's tables are handed over read-only
    return {
        "name": emoji1_db.name,
        "emoji": MappingProxyType(emoji1_db.emoji),
        "aliases": MappingProxyType(emoji1_db.aliases),
    }


def emoji_index(options: dict[str, Any], md: Any) -> dict[str, Any]:
    """The EmojiOne table, made once per process (Pelican makes a Markdown instance per
    file) and never copied."""
    return _emoji_index()


def markdown_settings() -> dict[str, Any]:
    """Markdown as editors of community news expect it, with nothing fetched from the web.

    Tables, footnotes, definition lists, attribute lists, abbreviations and fenced code
    (``extra``); a table of contents with readable heading ids (``toc``, ``[TOC]``);
    notes and warnings (``admonition``, ``!!! note``); collapsible blocks
    (``pymdownx.details``); ~~strike-through~~, ==marked== text, task lists, links made
    from pasted addresses, backslash escapes as CommonMark has them (``13\\"``), and emoji
    shortcodes (``:smile:``) as plain Unicode characters,
    never as pictures from a CDN. No maths (it would need a remote script).
    """
    return {
        "extension_configs": {
            "markdown.extensions.extra": {},
            "markdown.extensions.meta": {},
            "markdown.extensions.toc": {
                "slugify": toc_slugify,
                "permalink": False,
                "toc_depth": "2-4",
            },
            "markdown.extensions.sane_lists": {},
            "markdown.extensions.admonition": {},
            "pymdownx.details": {},
            "pymdownx.tilde": {"subscript": False},
            "pymdownx.mark": {},
            "pymdownx.tasklist": {"custom_checkbox": False},
            "gardarika.content.autolink": {},
            "gardarika.content.mdescapes": {},
            "pymdownx.emoji": {"emoji_generator": to_alt, "emoji_index": emoji_index},
            # last: it guards the patterns the others registered (same HTML, faster)
            "gardarika.content.quickscan": {},
        },
        "output_format": "html5",
    }


#: a line that opens a fenced code block as Python-Markdown reads one (``fenced_code``):
#: at the start of the line, three or more backticks or tildes, then at most a language
#: or ``{attributes}``; the block is code only if the same fence closes it
_OPENING = re.compile(
    r"(`{3,}|~{3,})[ ]*(?:\{[^\n]*\}|\.?[\w#.+-]*[ ]*(?:hl_lines=([\"'])[^\n]*?\2[ ]*)?)"
)
#: a line that closes one: the fence alone, spaces after it
_CLOSING = re.compile(r"(`{3,}|~{3,})[ ]*")
#: inline code as Python-Markdown reads it: a run of backticks (not one escaped by a
#: backslash) up to the same run, within one paragraph (never across a blank line)
_CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)(?:(?!\n[ \t]*\n)[\s\S])+?(?<!`)\1(?!`)")


def _blank(match: re.Match[str]) -> str:
    code = match.group(0)
    if "\n" not in code:  # most inline code: one line
        return " " * len(code)
    return re.sub(r"[^\n]", " ", code)


def _fenced(lines: list[str]) -> list[tuple[int, int]]:
    """The (first, last) lines of each fenced block: from the first opening line that
    its own fence closes later, to that closing line (an opening never closed is text,
    as in Python-Markdown). Linear, whatever the text: the closings of each fence are
    listed once and looked up."""
    closings: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        closing = _CLOSING.fullmatch(line)
        if closing is not None:
            closings.setdefault(closing.group(1), []).append(number)
    blocks = []
    number = 0
    while number < len(lines):
        opening = _OPENING.fullmatch(lines[number])
        if opening is not None:
            after = closings.get(opening.group(1), [])
            index = bisect.bisect_right(after, number)
            if index < len(after):
                blocks.append((number, after[index]))
                number = after[index] + 1
                continue
        number += 1
    return blocks


def mask_code(text: str, indented: bool) -> str:
    """``text`` with code (fenced blocks, inline code and, when ``indented``, indented
    blocks) blanked out, keeping every line and column where it was: what Markdown
    shows as code is never read as a link, a tag or an address by the checks."""
    lines = text.split("\n")
    for first, last in _fenced(lines):
        for number in range(first, last + 1):
            lines[number] = " " * len(lines[number])
    previous_blank = True
    for number, line in enumerate(lines):
        if indented and previous_blank and line.startswith(("    ", "\t")):
            lines[number] = " " * len(line)
            continue  # an indented block goes on while lines stay indented
        previous_blank = not line.strip()
    text = "\n".join(lines)
    return _CODE_SPAN.sub(_blank, text) if "`" in text else text
