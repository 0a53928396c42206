"""Hugo shortcodes and Jekyll's Liquid tags in a Markdown text, turned into Markdown.

Another generator's Markdown is mostly Markdown already; what only that generator
understands is its template code inside the text: Hugo's shortcodes (``{{< youtube
id >}}``, ``{{< figure src=… >}}``, ``{{< highlight go >}}…{{< /highlight >}}``) and
Jekyll's Liquid (``{% highlight ruby %}…{% endhighlight %}``, ``{% post_url … %}``,
``{{ site.baseurl }}``). What has a Markdown equivalent becomes it: code blocks, pictures
with their captions, links to videos and posts on other websites, and links to the
site's own texts and files (as plain paths, made ``{filename}``/``{static}`` later by
:mod:`.addresses`). Anything else (loops, includes, a theme's own shortcodes) is left in
the text as it was and listed with its line, for the editor to replace.

Code is never touched: fenced, indented and inline code show template code as text.
Each pattern is bounded and tried once from each place, so a text full of ``{{`` or
``{%`` takes time in proportion to its length.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from gardarika.content.importing.html2md import Leftover
from gardarika.content.markdown import mask_code
from gardarika.render.links import replace_spans

#: a Hugo shortcode: ``{{< name args >}}``, ``{{% name args %}}`` or the closing
#: ``{{< /name >}}`` (arguments on one line, at most 2 000 characters, no "{": a scan
#: from each opening stops at the next one, so a text of openings is read once)
_HUGO = re.compile(r"\{\{([<%])\s*(/?)\s*([A-Za-z][\w.-]{0,80})([^\n{]{0,2000}?)\s*[>%]\}\}")
#: a Liquid tag ``{% name args %}`` or output ``{{ expression }}``
_LIQUID_TAG = re.compile(r"\{%-?\s*([A-Za-z]\w{0,80})([^\n{]{0,2000}?)-?%\}")
_LIQUID_OUTPUT = re.compile(r"\{\{-?\s*([^\n{}]{0,2000}?)\s*-?\}\}")
#: one argument: ``key="value"``, ``key=value`` or a positional ``"value"``/``value``
_ARGUMENT = re.compile(r"""(?:([\w-]+)\s*=\s*)?("(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`|[^\s"'`]+)""")
#: a ``{{ … }}`` that only names where the site is: it goes, leaving the path after it
_SITE_ADDRESS = re.compile(r"^(?:site\.(?:baseurl|url)|site\.url\s*\|\s*append:\s*site\.baseurl)$")
#: ``{{ 'about' | relative_url }}``: the path
_RELATIVE_URL = re.compile(r"""^['"]([^'"]*)['"]\s*\|\s*(?:relative_url|absolute_url)$""")


@dataclass
class Converted:
    text: str
    leftovers: list[Leftover] = field(default_factory=list)


def _arguments(raw: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    for match in _ARGUMENT.finditer(raw):
        value = match.group(2)
        if value[:1] in "\"'`" and value[-1:] == value[:1] and len(value) > 1:
            value = value[1:-1]
        if match.group(1):
            named[match.group(1).lower()] = value
        else:
            positional.append(value)
    return positional, named


def _fence(code: str, language: str) -> str:
    """``code`` as a fenced block, its fence longer than any run of backticks in it."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    language = language if re.fullmatch(r"[\w#+.-]{1,40}", language or "") else ""
    return f"\n{fence}{language}\n{code.strip(chr(10))}\n{fence}\n"


def _link(text: str, url: str) -> str:
    return f"[{text}](<{url}>)" if url and not re.search(r"[\s<>]", url) else text


def _hugo_single(name: str, args: str) -> str | None:
    """The Markdown of a Hugo shortcode that has no closing tag, or None."""
    positional, named = _arguments(args)

    def arg(key: str, index: int = 0) -> str:
        return named.get(key) or (positional[index] if len(positional) > index else "")

    if name == "youtube":
        video = arg("id")
        return _link("YouTube", f"https://www.youtube.com/watch?v={video}") if video else None
    if name in ("vimeo", "vimeo_simple"):
        video = arg("id")
        return _link("Vimeo", f"https://vimeo.com/{video}") if video else None
    if name in ("tweet", "twitter", "twitter_simple", "x"):
        user, post = named.get("user", ""), named.get("id", "")
        if not post and len(positional) == 1:
            post = positional[0]
        if not post:
            return None
        url = f"https://twitter.com/{user or 'i'}/status/{post}"
        return _link("Twitter" if not user else f"@{user}", url)
    if name in ("instagram", "instagram_simple"):
        post = arg("id")
        return _link("Instagram", f"https://www.instagram.com/p/{post}/") if post else None
    if name == "gist":
        user, gist = arg("user", 0), arg("id", 1)
        return _link("Gist", f"https://gist.github.com/{user}/{gist}") if user and gist else None
    if name in ("ref", "relref"):
        target = arg("path")
        return target or None
    if name == "figure":
        src = named.get("src", "")
        if not src:
            return None
        alt = named.get("alt") or named.get("title") or named.get("caption") or ""
        picture = f"![{_plain(alt)}]({_target(src)})"
        if named.get("link"):
            picture = f"[{picture}]({_target(named['link'])})"
        caption = " ".join(
            part for part in (named.get("title", ""), named.get("caption", "")) if part
        )
        return f"\n{picture}\n\n*{_plain(caption)}*\n" if caption and caption != alt else picture
    return None


def _liquid_single(name: str, args: str) -> str | None:
    """The Markdown (or path) of a Liquid tag that has no end tag, or None."""
    positional, _ = _arguments(args)
    if name == "post_url" and positional:
        return f"/_posts/{positional[0]}.md"
    if name == "link" and positional:
        return "/" + positional[0].lstrip("/")
    if name == "gist" and positional:
        gist = positional[0]
        return _link("Gist", f"https://gist.github.com/{gist}")
    if name in ("youtube", "vimeo") and positional:
        host = "https://www.youtube.com/watch?v=" if name == "youtube" else "https://vimeo.com/"
        return _link(name.capitalize(), host + positional[0])
    return None


def _plain(text: str) -> str:
    return re.sub(r"[\[\]*_`<>]", "", " ".join(text.split()))


def _target(url: str) -> str:
    return f"<{url}>" if " " in url else url


def _code_free(text: str) -> str:
    """``text`` with its code blanked (same length, same lines): where to look."""
    return mask_code(text, indented=True)


class Edits:
    """Replacements of spans of one text, applied at once, and the lines, in the result,
    of what is reported: template code left as it was, or a replacement to be noted."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int, str]] = []
        #: (position in the text, what to report, whether it was a link's address)
        self.left: list[tuple[int, str, bool]] = []
        #: span start -> what to report if that replacement is made
        self.noted: dict[int, tuple[str, bool]] = {}

    def replace(self, start: int, end: int, new: str, note: str = "") -> None:
        """Replace ``text[start:end]`` by ``new``; with ``note``, report it (as a link
        that leads nowhere now) if it is made (one that overlaps another is not)."""
        self.spans.append((start, end, new))
        if note:
            self.noted[start] = (note, True)

    def leave(self, start: int, name: str) -> None:
        self.left.append((start, name, False))

    def result(self) -> Converted:
        applied: list[tuple[int, int, str]] = []
        for span in sorted(self.spans):
            if not applied or span[0] >= applied[-1][1]:
                applied.append(span)
        text = replace_spans(self.text, applied)
        left = self.left + [
            (start, *self.noted[start]) for start, _, _ in applied if start in self.noted
        ]
        # the lines of what is reported, counted in the result (positions moved by edits)
        leftovers = []
        shift = index = 0
        line, counted = 1, 0
        for start, name, link in sorted(left):
            while index < len(applied) and applied[index][1] <= start:
                s, e, new = applied[index]
                shift += len(new) - (e - s)
                index += 1
            at = start + shift
            line += text.count("\n", counted, at)
            counted = at
            leftovers.append(Leftover(name, line, link))
        return Converted(text, leftovers)


def _code_block(
    edits: Edits, text: str, opening: re.Match[str], closing: re.Match[str], args: str
) -> int:
    """A ``highlight`` block (Hugo's or Liquid's) from ``opening`` to ``closing`` as a
    fenced code block, in the language its first argument (in ``args``) names; gives
    where it ends."""
    positional, _ = _arguments(args)
    code = text[opening.end() : closing.start()]
    edits.replace(opening.start(), closing.end(), _fence(code, positional[0] if positional else ""))
    return closing.end()


def _paired(
    matches: list[re.Match[str]],
    closes: Callable[[re.Match[str]], str | None],
    opens: Callable[[re.Match[str]], str | None],
) -> dict[int, int]:
    """Index of each opening match -> index of its closing one (the next closing of the
    same name), for the block kinds that are pairs."""
    pairs: dict[int, int] = {}
    waiting: dict[str, list[int]] = {}
    for index, match in enumerate(matches):
        closing = closes(match)
        if closing is not None:
            if waiting.get(closing):
                pairs[waiting[closing].pop()] = index
            continue
        opening = opens(match)
        if opening is not None:
            waiting.setdefault(opening, []).append(index)
    return pairs


def convert_hugo(text: str) -> Converted:
    """Hugo's shortcodes of a Markdown ``text`` as Markdown (see the module)."""
    looked = _code_free(text)
    if "{{" not in looked:
        return Converted(text)
    edits = Edits(text)
    matches = list(_HUGO.finditer(looked))
    pairs = _paired(
        matches,
        closes=lambda m: m.group(3).lower() if m.group(2) else None,
        opens=lambda m: m.group(3).lower() if not m.group(2) else None,
    )
    skip_to = -1
    for index, match in enumerate(matches):
        if match.start() < skip_to:
            continue
        name, closing = match.group(3).lower(), bool(match.group(2))
        if closing:
            continue  # its opening was converted with it, or is reported
        if name == "highlight" and index in pairs:
            skip_to = _code_block(edits, text, match, matches[pairs[index]], match.group(4))
            continue
        if index in pairs:  # a paired shortcode of a theme: left, with what it holds
            edits.leave(match.start(), "{{< " + name + " >}}")
            continue
        new = _hugo_single(name, match.group(4))
        if new is None:
            edits.leave(match.start(), "{{< " + name + " >}}")
        else:
            edits.replace(match.start(), match.end(), new)
    return edits.result()


#: Liquid blocks whose content is kept and whose tags go
_LIQUID_UNWRAPPED = {"raw"}


def convert_liquid(text: str) -> Converted:
    """Jekyll's Liquid of a Markdown ``text`` as Markdown (see the module)."""
    looked = _code_free(text)
    if "{%" not in looked and "{{" not in looked:
        return Converted(text)
    edits = Edits(text)
    tags = list(_LIQUID_TAG.finditer(looked))

    def closes(match: re.Match[str]) -> str | None:
        name = match.group(1).lower()
        return name[3:] if name.startswith("end") else None

    def opens(match: re.Match[str]) -> str | None:
        name = match.group(1).lower()
        return None if name.startswith("end") else name

    pairs = _paired(tags, closes, opens)
    closed = set(pairs.values())
    covered: list[tuple[int, int]] = []  # code and raw blocks: no output tags in them
    skip_to = -1
    for index, match in enumerate(tags):
        if match.start() < skip_to:
            continue
        name = match.group(1).lower()
        if name == "highlight" and index in pairs:
            skip_to = _code_block(edits, text, match, tags[pairs[index]], match.group(2))
            covered.append((match.start(), skip_to))
            continue
        if name in _LIQUID_UNWRAPPED and index in pairs:
            end = tags[pairs[index]]
            edits.replace(match.start(), match.end(), "")
            edits.replace(end.start(), end.end(), "")
            covered.append((match.start(), end.end()))
            skip_to = end.end()
            continue
        if name.startswith("end"):
            if index not in closed:
                edits.leave(match.start(), "{% " + name + " %}")
            continue
        new = _liquid_single(name, match.group(2))
        if new is None:
            edits.leave(match.start(), "{% " + name + " %}")
        else:
            edits.replace(match.start(), match.end(), new)
    for match in _LIQUID_OUTPUT.finditer(looked):
        if any(start <= match.start() < end for start, end in covered):
            continue
        expression = " ".join(match.group(1).split())
        relative = _RELATIVE_URL.match(expression)
        if _SITE_ADDRESS.match(expression):
            edits.replace(match.start(), match.end(), "")
        elif relative:
            edits.replace(match.start(), match.end(), "/" + relative.group(1).lstrip("/"))
        else:
            edits.leave(match.start(), "{{ " + expression[:60] + " }}")
    return edits.result()


_MORE = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.M | re.I)


def split_more(text: str) -> tuple[str, str]:
    """(summary, text): what comes before a ``<!--more-->`` line (Hugo's and Jekyll's
    hand-made summary) and the text without that line; no line: ("", text)."""
    found = _MORE.search(text)
    if found is None:
        return "", text
    before = text[: found.start()].strip()
    return before, (text[: found.start()] + text[found.end() :].lstrip("\n")).strip("\n") + "\n"
