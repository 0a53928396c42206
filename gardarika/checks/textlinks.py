"""The links and pictures of a text, as the editors' checks read them: every target of
``[text](target)``, ``[ref]: target`` and raw ``src``/``href``, with its line, outside
code (:func:`gardarika.content.markdown.mask_code`). Found once per document: the link
check and the confinement check both ask.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gardarika.content.documents import Document
from gardarika.content.frontmatter import markdown_lines
from gardarika.content.markdown import mask_code

_TITLE = re.compile(r"""\s+(?:"[^"]*"|'[^']*')\s*$""")
# (a target is at most 2 048 characters: unbounded, a line of thousands of "](" would
# be scanned to its end from each of them, which is quadratic)
_LINKS = [
    re.compile(r"\]\(\s*(?:<([^>\n]{0,2048})>|([^)\n]{0,2048}))\)"),  # [text](target)
    re.compile(r"^\s{0,3}\[(?!\^)[^\]]+\]:\s*(?:<([^>]*)>|(\S+))"),  # [ref]: target
    re.compile(r"""\b(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I),  # raw HTML
]


def links_in(doc: Document) -> list[tuple[int, str]]:
    """(line, target) of every link and picture in the text, outside code (found once
    per document: several checks ask)."""
    if doc.links is None:
        doc.links = list(_links_in(doc))
    return doc.links


def _links_in(doc: Document) -> Iterator[tuple[int, str]]:
    # code (fenced, indented or inline) blanked out, every line where it was
    masked = mask_code("\n".join(markdown_lines(doc.body)), indented=True)
    for number, line in enumerate(masked.split("\n"), doc.body_line):
        if "](" not in line and "]:" not in line and "=" not in line:
            continue  # no link, reference or attribute can be on it (most lines)
        for pattern in _LINKS:
            for match in pattern.finditer(line):
                target = next((g for g in match.groups() if g is not None), "")
                target = _TITLE.sub("", target).strip()  # [text](target "title")
                if target:
                    yield number, target
