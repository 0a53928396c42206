"""What every language's typography shares: one pass over an HTML fragment.

A language's rules are one compiled scanner whose alternatives each start with one
character (a literal or a class) followed by an empty named group, the rule's name; the
rule is settled by the method of the same name. Written that way (lookbehinds after
the first character, never before it), the regular expression engine rejects a
position by its first character alone, which makes the scan several times faster than
alternatives that start with a group or a lookbehind. The scanner finds, left to right, every place
a rule may apply; the text between two places is copied as it is. The first
alternatives are always the markup (:data:`MARKUP`) and the tokens that are never
touched (:data:`KEEP`): tags, comments, and in running text addresses, e-mail
addresses and file names. The content of :data:`SKIP_ELEMENTS` (code, scripts…) is
copied as it is, in one step.

What a rule needs to know of the text before it is kept as it goes: the last
character written (a start and a block's start count as a new line) and how deep
quotes are nested. Nothing is read twice, so a language's typography takes time
linear in the length of the text, as long as its scanner's alternatives are
possessive or start only at a word's start (see the linearity tests).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from gardarika.render.tags import ATTRIBUTES

NBSP = "\u00a0"
#: elements whose content is never typeset
SKIP_ELEMENTS = frozenset(
    {
        "code",
        "pre",
        "kbd",
        "samp",
        "var",
        "script",
        "style",
        "textarea",
        "math",
        "svg",
        "xmp",
        "iframe",
        "noembed",
        "noframes",
        "plaintext",
        "template",
        "tt",
    }
)
#: elements that start a new line of text; quotes start afresh in them (not after br)
BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "legend",
        "li",
        "main",
        "nav",
        "ol",
        "option",
        "p",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "body",
        "html",
        "center",
        "menu",
    }
)

#: a comment (to the end of the text if never closed), a doctype, "<?…>", "</ …>", or a
#: tag read as a browser reads it (to the end of the text if it never ends)
MARKUP = (
    r"<(?P<tag>)(?:!--(?:-?>|.*?(?:--!?>|\Z))|[!?][^>]*+(?:>|\Z)"
    r"|/(?![a-zA-Z])[^>]*+(?:>|\Z)"
    rf"|(?P<close>/?)(?P<name>[a-zA-Z][^ \t\n\r\f/>]*+){ATTRIBUTES}(?:>|\Z))"
)
#: never touched: addresses in running text (http://…, www.…)
KEEP = (
    r"[hfmwHFMW](?P<keep>)(?<![\w.+\-@/][hfmwHFMW])"
    r"(?i:ttps?+://?|tp://?|ile://?|ailto:|ww\.)[^\s<>\"«»]*+"
)
#: a number, a decimal fraction: 5, 1941, 5,5, 2.75; not inside a word, a file name
#: (``report-2.pdf``) or a chain of numbers (2-11-45, 2024-05-01)
NUMBER = r"\d(?P<number>)(?<![\w.,:/–@]\d)(?<!\w-\d)\d*+(?:[.,]\d++)?+"
#: the end of a range of numbers after the first: -1945 (not 9-00, a time; not a chain,
#: a file name or an e-mail address: 1901-2010.pdf, 1-2@example.org)
RANGE_END = re.compile(r"[-–]((?:0|[1-9]\d*+)(?:[.,]\d++)?+)(?![\w\-–@]|[.,]\w)")
#: the end of a range of times after the first: -18:00
TIME_END = re.compile(r"[-–](\d{1,2}:\d\d)(?![\d:\-–])")
#: a time, from its start: 9:30 (a range of times is settled by :data:`TIME_END`)
TIME = r"\d(?P<time>)(?<![\w.,:\-–@]\d)\d?:\d\d(?=[^\d:]|\Z)"
#: three dots, not part of more dots, ?.. or !.., nor inside a Latin token (report...v2)
ELLIPSIS = (
    r"\.(?P<ellipsis>)\.\.(?<![.?!]\.\.\.)(?!\.)"
    r"(?:(?<![A-Za-z0-9]\.\.\.)|(?![A-Za-z0-9]))"
)

#: the last thing written was an opening quote / a closing quote / an element whose
#: content is not typeset (it counts as a word)
OPENED = "\x01"
CLOSED = "\x02"
WORD = "a"
#: characters after which a quote opens
OPENS_AFTER = frozenset(" \t\n\r\f\u00a0([{«„—–-/" + OPENED)

_END_TAGS: dict[str, re.Pattern[str]] = {}


#: elements whose content a browser reads as text up to their end tag, never as tags
RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"}
)
#: foreign elements: the only ones where "/>" closes a tag (elsewhere it is ignored)
FOREIGN = frozenset({"svg", "math"})
#: :data:`MARKUP` compiled (one scanner of tags for every reader of them)
MARKUP_RE = re.compile(MARKUP, re.S)


def same_start(first: str, *alternatives: str) -> str:
    """``first(?:rest|rest…)``: alternatives that all start with the character (class)
    ``first``, written as one. The engine checks a position's first character once for
    all of them instead of once for each; their order (which one wins) is kept."""
    rests = []
    for alternative in alternatives:
        if not alternative.startswith(first):
            raise ValueError(f"{alternative[:30]!r} does not start with {first!r}")
        rests.append(alternative[len(first) :])
    return first + "(?:" + "|".join(rests) + ")"


def tag_name(match: re.Match[str]) -> str:
    """The lower-cased name of a tag :data:`MARKUP` matched; a name with a letter
    outside ASCII is no HTML element (browsers fold ASCII case only: "ſcript" and
    "\u212abd" are not script and kbd), so it is returned as it is."""
    name = match.group("name") or ""
    return name.lower() if name.isascii() else name


def opens(match: re.Match[str], name: str) -> bool:
    """Whether a start tag opens an element with content ("/>" closes only foreign
    elements; on others a browser ignores it)."""
    return not match.group("close") and not (name in FOREIGN and match.group(0).endswith("/>"))


def _raw_end(name: str, html: str, start: int) -> int:
    """Where raw text started at ``start`` ends: at the first ``</name`` (ASCII case),
    whatever comes before it; the end of ``html`` if none."""
    if name == "plaintext":
        return len(html)
    pattern = _END_TAGS.get(name)
    if pattern is None:
        pattern = _END_TAGS[name] = re.compile(
            rf"</{re.escape(name)}(?=[ \t\n\r\f/>]|\Z)", re.I | re.A
        )
    found = pattern.search(html, start)
    return found.start() if found else len(html)


def end_of(name: str, html: str, start: int) -> int:
    """Where the element ``name`` opened just before ``start`` ends (its end tag's
    start), read as a browser reads it: raw text up to its end tag; anything else tag
    by tag (a ``</code>`` inside an attribute value ends nothing), raw-text elements
    inside it skipped whole, elements of the same name nested in it counted. The end of
    ``html`` if it never ends. Each character is read once."""
    if name in RAW_TEXT:
        return _raw_end(name, html, start)
    depth = 1
    position = start
    while (match := MARKUP_RE.search(html, position)) is not None:
        position = match.end()
        inner = tag_name(match)
        if not inner:
            continue
        if match.group("close"):
            if inner == name:
                depth -= 1
                if depth == 0:
                    return match.start()
        elif opens(match, inner):
            if inner in RAW_TEXT:
                position = _raw_end(inner, html, position)
            elif inner == name:
                depth += 1
    return len(html)


def is_leading_zero(number: str) -> bool:
    """``05``, ``007``: a part of a date or a time, never the start of a range."""
    return len(number) > 1 and number[0] == "0" and number[1].isdigit()


class Typesetter:
    """One pass of one language's rules over one HTML fragment. A subclass sets
    ``scan`` (starting with ``MARKUP | KEEP``) and has a method for each of its other
    named top-level groups, listed in ``rules``; each method writes what replaces its
    match and returns where the pass goes on."""

    scan: ClassVar[re.Pattern[str]]
    rules: ClassVar[tuple[str, ...]]
    #: rules that always write the same text and go on after their match (``short``
    #: in Russian: a no-break space), settled in the scan's loop without a call
    constant: ClassVar[dict[str, str]] = {}
    #: keep in ``prose`` where the pieces of prose of the current line are in ``out``
    track_prose: ClassVar[bool] = False
    _group_of: ClassVar[dict[int, str]]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if not hasattr(cls, "scan"):
            return
        top = ("tag", "keep", *cls.rules)
        numbers = sorted((cls.scan.groupindex[name], name) for name in top)
        # lastindex names the last group that closed: a rule's own (empty) group, or a
        # group inside the rule after it (a tag's name, say): each maps to the rule
        cls._group_of = {}
        for index in range(cls.scan.groups + 1):
            owner = "tag"
            for number, name in numbers:
                if number <= index:
                    owner = name
            cls._group_of[index] = owner

    def __init__(self, html: str) -> None:
        self.html = html
        self.out: list[str] = []
        self.last = "\n"  # a start counts as the start of a line
        self.depth = 0
        self.prose: list[int] = []

    def write(self, text: str) -> None:
        if text:
            if self.track_prose:
                self.prose.append(len(self.out))
            self.out.append(text)
            self.last = text[-1]

    def block(self, name: str, closing: bool) -> None:
        """A block element starts or ends: a new line, and quotes start afresh."""
        self.last = "\n"
        if name != "hr":
            self.depth = 0

    def tag(self, match: re.Match[str]) -> int:
        self.out.append(match.group(0))
        name = tag_name(match)
        end = match.end()
        if not name:
            return end
        if match.group("close"):
            if name in BLOCKS:
                self.block(name, True)
            return end
        if (name in SKIP_ELEMENTS or name in RAW_TEXT) and opens(match, name):
            skipped = end_of(name, self.html, end)
            self.out.append(self.html[end:skipped])
            self.last = WORD
            return skipped
        if name == "br":
            self.last = "\n"
        elif name in BLOCKS:
            self.block(name, False)
        return end

    def keep(self, match: re.Match[str]) -> int:
        self.write(match.group(0))
        return match.end()

    def ellipsis(self, match: re.Match[str]) -> int:
        self.write("…")
        return match.end()

    def time(self, match: re.Match[str]) -> int:
        end = match.end()
        self.write(match.group(0))
        if (later := TIME_END.match(self.html, end)) is not None:
            self.write("–" + later.group(1))
            end = later.end()
        return end

    def finish(self) -> None:
        """Called once the whole text is written."""

    def run(self) -> str:
        html = self.html
        group_of = self._group_of
        # the handler of each group number (lastindex), or the text of a constant rule
        handlers: list[Callable[[re.Match[str]], int] | str] = [
            self.constant[name]
            if name in self.constant and not self.track_prose
            else getattr(self, name)
            for name in (group_of[index] for index in range(len(group_of)))
        ]
        search = self.scan.search
        out = self.out
        prose = self.prose if self.track_prose else None
        position = 0
        while (match := search(html, position)) is not None:
            start = match.start()
            if start > position:
                if prose is not None:
                    prose = self.prose
                    prose.append(len(out))
                gap = html[position:start]
                out.append(gap)
                self.last = gap[-1]
            handler = handlers[match.lastindex or 0]
            if isinstance(handler, str):
                out.append(handler)
                self.last = handler[-1]
                position = match.end()
                continue
            position = handler(match)
            if position <= start:  # never stand still
                self.write(html[start])
                position = start + 1
        if position < len(html):
            self.write(html[position:])
        self.finish()
        return "".join(out)
