"""English typography of our own, in one pass over an HTML fragment (see
:mod:`gardarika.render.typesetter`): what typogrify's SmartyPants and widont did, linear and
several times faster, and with addresses, e-mail addresses and file names left alone.

- “double” and ‘single’ curly quotes from straight ones (and ``&quot;``), opening after
  a space or at a start, closing after a word; an apostrophe ’ inside or after a word
  and before a year (’90s); a straight quote after a number with nothing open is an
  inch or a foot mark and stays;
- ``--`` and ``---`` become an em dash —, a hyphen between spaces an en dash –, a range
  of numbers or times an en dash with no spaces (1990–2000, 9:00–17:00);
- ``...`` becomes an ellipsis …;
- no widow: the last two words of a paragraph, heading, list item or title are joined
  by a no-break space.

Never touched: tags and attributes, comments, code and the other
:data:`~gardarika.render.typesetter.SKIP_ELEMENTS`, addresses, e-mail addresses and file names.
"""

from __future__ import annotations

import re

from gardarika.render.typesetter import (
    CLOSED,
    ELLIPSIS,
    KEEP,
    MARKUP,
    NBSP,
    NUMBER,
    OPENED,
    OPENS_AFTER,
    RANGE_END,
    TIME,
    Typesetter,
    is_leading_zero,
)

__all__ = ["typeset"]

_SCAN = re.compile(
    MARKUP + "|" + KEEP + r"|&(?P<entity>)(?:quot|#34|#x22|#39|#x27|apos);"
    r"|[\"“”](?P<double>)"
    r"|'(?P<single>)"
    # not inside an e-mail address (a--b@example.org): its name has at most 64 characters
    r"|-(?P<dashes>)-(?:-)?+(?![\w.+\-]{0,64}@)"
    r"|-(?P<spaced>)(?<=[ \u00a0]-)(?=[ \u00a0])"
    "|" + ELLIPSIS + "|" + TIME + "|" + NUMBER,
    re.S,
)

#: elements whose last two words are kept together (and a whole title)
_NO_WIDOWS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd"})
_OPENS = OPENS_AFTER | {"“", "‘"}
_SPACES = " \t\n\r\f" + NBSP


class _English(Typesetter):
    scan = _SCAN
    rules = ("entity", "double", "single", "dashes", "spaced", "ellipsis", "time", "number")
    track_prose = True

    def block(self, name: str, closing: bool) -> None:
        if closing and name in _NO_WIDOWS:
            self.no_widow()
        super().block(name, closing)
        self.prose = []

    def tag(self, match: re.Match[str]) -> int:
        end = super().tag(match)
        if self.last == "\n":  # a line break or a block: a new line of prose
            self.prose = []
        return end

    def finish(self) -> None:
        self.no_widow()

    def no_widow(self) -> None:
        """Join the last two words of the prose written since the block started."""
        out = self.out
        word = False
        for index in reversed(self.prose):
            piece = out[index]
            for position in range(len(piece) - 1, -1, -1):
                if piece[position] not in _SPACES:
                    word = True
                elif word:
                    if piece[position] != NBSP:
                        out[index] = piece[:position] + NBSP + piece[position + 1 :]
                    return
        return

    def entity(self, match: re.Match[str]) -> int:
        text = match.group(0).lower()
        if text in ("&quot;", "&#34;", "&#x22;"):
            return self.quote('"', text, match.end())
        return self.apostrophe(text, match.end())

    def double(self, match: re.Match[str]) -> int:
        return self.quote(match.group(0), match.group(0), match.end())

    def single(self, match: re.Match[str]) -> int:
        return self.apostrophe(match.group(0), match.end())

    def quote(self, char: str, source: str, end: int) -> int:
        after = self.html[end : end + 1]
        if char == '"':
            if self.last in _OPENS:
                char = "“" if after and not after.isspace() else "”" if self.depth else ""
            elif self.depth or not self.last.isdigit():
                char = "”"
            else:
                char = ""  # 6" — an inch mark
        if char == "“":
            self.write("“")
            self.depth += 1
            self.last = OPENED
        elif char == "”":
            self.write("”")
            self.depth = max(0, self.depth - 1)
            self.last = CLOSED
        else:
            self.write(source)
        return end

    def apostrophe(self, source: str, end: int) -> int:
        after = self.html[end : end + 1]
        if self.last in _OPENS:
            if after.isalpha():
                self.write("‘")
                self.last = OPENED
            elif after.isdigit():
                self.write("’")  # ’90s
            else:
                self.write(source)
        elif self.last.isdigit() and not after.isalpha():
            self.write(source)  # 6' — a foot mark
        else:
            self.write("’")
            self.last = CLOSED
        return end

    def dashes(self, match: re.Match[str]) -> int:
        self.write("—")
        return match.end()

    def spaced(self, match: re.Match[str]) -> int:
        self.write("–")
        return match.end()

    def number(self, match: re.Match[str]) -> int:
        text = match.group(0)
        end = match.end()
        if not is_leading_zero(text) and (later := RANGE_END.match(self.html, end)):
            text += "–" + later.group(1)
            end = later.end()
        self.write(text)
        return end


def typeset(html: str) -> str:
    """English typography for an HTML fragment (a title, a summary, a whole text)."""
    return _English(html).run()
