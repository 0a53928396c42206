"""Markdown's patterns skip text that cannot hold their markup (a Markdown extension).

Python-Markdown tries every inline pattern on every piece of text, and several block
processors on every block. A few of those regular expressions begin with a lookbehind or
an alternation (the inline code pattern ``(?:(?<!\\\\)((?:\\\\{2})+)(?=`+)|(?<!\\\\)`)``,
the link patterns ``(?<!\\!)\\[``, the note block's ``(?:^|\\n)!!!``), which keeps the
regular-expression engine from jumping to the first possible start: it tries every
character of the text. On long prose that is a tenth of Markdown's time for nothing.

Each pattern named here can only match where its text holds a given character or
string (inline code needs a backtick, a link ``[``, a note ``!!!``). Before it is tried,
that string is looked for (one fast ``str.find``); where it is absent the pattern is
known not to match and is not run. Where it is present the pattern runs as before, so
the HTML is the same. A pattern is guarded only when its expression is exactly the one
listed: should an update of Markdown change one, that one simply runs unguarded.

This extension goes last in the list, after the extensions whose patterns it guards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from markdown import Extension, Markdown

#: inline pattern name -> (its expression, strings one of which any match contains)
INLINE: dict[str, tuple[str, tuple[str, ...]]] = {
    "backtick": (r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)", ("`",)),
    "escape": (r"\\(.)", ("\\",)),
    "footnote": (r"\[\^([^\]]*)\]", ("[^",)),
    "reference": (r"(?<!\!)\[", ("[",)),
    "link": (r"(?<!\!)\[", ("[",)),
    "short_reference": (r"(?<!\!)\[", ("[",)),
    "image_link": (r"\!\[", ("![",)),
    "image_reference": (r"\!\[", ("![",)),
    "short_image_ref": (r"\!\[", ("![",)),
    "autolink": (r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>", ("<",)),
    "automail": (r"<([^<> !]+@[^@<> ]+)>", ("<",)),
    "linebreak": (r"  \n", ("  \n",)),
    "entity": (r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)", ("&",)),
    "em_strong": (r"\*|_", ("*", "_")),
    "delimiter": (r"\~|=", ("~", "=")),
    "emoji": (r"(:[+\-\w]+:)", (":",)),
}

#: block processor name -> (its attribute holding the expression, the expression, the
#: strings one of which any match contains)
BLOCK: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "admonition": (
        "RE",
        r'(?:^|\n)!!! ?([\w\-]+(?: +[\w\-]+)*)(?: +"(.*?)")? *(?:\n|$)',
        ("!!!",),
    ),
    "details": (
        "START",
        r'(?:^|\n)\?{3}(\+)? ?(?:([\w\-]+(?: +[\w\-]+)*?)?(?: +"(.*?)")|([\w\-]+(?: +[\w\-]+)*?))'
        r" *(?:\n|$)",
        ("???",),
    ),
}


class Guarded:
    """A compiled expression that is run only on a text holding one of ``needles``
    (anywhere: a needle before the position only makes the expression run for nothing);
    any other use goes to the expression itself. Called for every pattern on every
    piece of text, so it is kept to one test per needle."""

    def __init__(self, expression: re.Pattern[str], needles: tuple[str, ...]) -> None:
        self.expression = expression
        self.needles = needles

    def finditer(self, text: str, *where: int) -> Iterator[re.Match[str]]:
        for needle in self.needles:
            if needle in text:
                return self.expression.finditer(text, *where)
        return iter(())

    def search(self, text: str, *where: int) -> re.Match[str] | None:
        for needle in self.needles:
            if needle in text:
                return self.expression.search(text, *where)
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.expression, name)


class QuickScan(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        for name, (pattern, needles) in INLINE.items():
            if name not in md.inlinePatterns:
                continue
            item = md.inlinePatterns[name]
            compiled = getattr(item, "compiled_re", None)
            if isinstance(compiled, re.Pattern) and compiled.pattern == pattern:
                item.compiled_re = Guarded(compiled, needles)
        for name, (attribute, pattern, needles) in BLOCK.items():
            if name not in md.parser.blockprocessors:
                continue
            processor = md.parser.blockprocessors[name]
            compiled = getattr(processor, attribute, None)
            if not isinstance(compiled, re.Pattern):
                continue
            if compiled.pattern == pattern:
                setattr(processor, attribute, Guarded(compiled, needles))


def makeExtension(**kwargs: Any) -> QuickScan:
    return QuickScan(**kwargs)
