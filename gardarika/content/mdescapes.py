"""Backslash escapes as CommonMark has them (a Markdown extension).

Python-Markdown lets a backslash escape only its own markup characters, so ``\\"``
shows the backslash in the page; editors who learnt Markdown elsewhere (GitHub, Hugo,
most editors' previews: CommonMark) write ``13\\"`` or ``\\@`` and expect the character
alone. Every ASCII punctuation character may be escaped, as in CommonMark; the escaped
character is always text, never markup.
"""

from __future__ import annotations

import string
from typing import Any

from markdown import Extension, Markdown


class CommonMarkEscapes(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        for char in string.punctuation:
            if char not in md.ESCAPED_CHARS:
                md.ESCAPED_CHARS.append(char)


def makeExtension(**kwargs: Any) -> CommonMarkEscapes:
    return CommonMarkEscapes(**kwargs)
