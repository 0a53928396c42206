"""The one Markdown configuration: what the build converts texts with, and what the
editors' checks convert a text with to say, line by line, what the cleaning removes;
and the one rule for where code is in a Markdown text (the checks read no link, tag or
address inside code: Markdown shows it as text).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pymdownx.emoji import emojione, to_alt

from gardarika.content.slugs import toc_slugify


@cache
def _emoji_index() -> dict[str, Any]:
    return emojione({}, None)


def emoji_index(options: dict[str, Any], md: Any) -> dict[str, Any]:
    """The emoji table, read once per process: Pelican makes a Markdown instance per file,
    and copying the table for each costs more than converting the file."""
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
        },
        "output_format": "html5",
    }


#: a fence that opens or closes a code block (up to three spaces before it)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
#: inline code: a run of backticks, up to the same run (CommonMark's rule)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", re.S)


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def mask_code(text: str, indented: bool) -> str:
    """``text`` with code (fenced blocks, inline code and, when ``indented``, indented
    blocks) blanked out, keeping every line and column where it was."""
    lines = text.split("\n")
    fence = ""
    previous_blank = True
    for number, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence:
            if (
                opening
                and opening.group(1)[0] == fence[0]
                and len(opening.group(1)) >= len(fence)
                and not line.strip(" `~")
            ):
                fence = ""
            lines[number] = " " * len(line)
            continue
        if opening:
            fence = opening.group(1)
            lines[number] = " " * len(line)
            continue
        if indented and previous_blank and line.startswith(("    ", "\t")):
            lines[number] = " " * len(line)
            continue  # an indented block goes on while lines stay indented
        previous_blank = not line.strip()
    return _CODE_SPAN.sub(_blank, "\n".join(lines))
