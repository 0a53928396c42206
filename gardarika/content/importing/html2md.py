"""A text's HTML from an old site as Markdown (markdownify), and what could not be.

WordPress keeps a post as it was typed: the classic editor's paragraphs are blank lines,
not ``<p>`` (WordPress adds those when it shows the post), the block editor wraps each
block in ``<!-- wp:… -->`` comments, and shortcodes (``[caption]``, ``[gallery]``,
``[embed]``) stand for markup a plugin makes. Here paragraphs get their ``<p>`` as
WordPress would give them, comments go, ``[caption]`` becomes its picture with the
caption below it and ``[embed]`` its address (the build links pasted addresses); any
other shortcode is kept as text and reported, with the line of the text it is on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from markdownify import MarkdownConverter

#: elements that start a block of their own: a chunk starting with one is no paragraph
_BLOCK = re.compile(
    r"^\s*<(?:p|div|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tr|td|th|figure|"
    r"figcaption|hr|dl|dt|dd|address|section|article|aside|header|footer|nav|form|"
    r"fieldset|details|summary|iframe|video|audio|object|embed|style|script)\b",
    re.I,
)
_PARAGRAPHS = re.compile(r"\n\s*\n")
#: a shortcode: [name …] or [/name], not a Markdown link's text ([caption](…), [a][1]);
#: its attributes are bounded, so that a text full of "[" is read in linear time
_SHORTCODE = re.compile(
    r"\[(/?)([a-z][a-z0-9_-]{0,40})(?=[\s\]/])[^\]\n\[]{0,500}\](?![(\[])", re.I
)
_OPENING = {
    "caption": re.compile(r"\[(?:wp_)?caption\b[^\]\n\[]{0,500}\]", re.I),
    "embed": re.compile(r"\[embed\b[^\]\n\[]{0,500}\]", re.I),
}
_CLOSING = {
    "caption": re.compile(r"\[/(?:wp_)?caption\]", re.I),
    "embed": re.compile(r"\[/embed\]", re.I),
}
#: shortcodes of WordPress itself and of common plugins: reported when left in a text
KNOWN_SHORTCODES = frozenset(
    {
        "gallery",
        "audio",
        "video",
        "playlist",
        "embed",
        "caption",
        "wp_caption",
        "contact-form",
        "contact-form-7",
        "gravityform",
        "su_button",
        "vc_row",
        "vc_column",
        "vc_column_text",
        "et_pb_section",
        "fusion_builder_container",
        "tweet",
        "youtube",
        "soundcloud",
    }
)


class _Converter(MarkdownConverter):
    """markdownify, with every address made one the town can keep: relative ones (into
    the old site) absolute against ``base``, or the link dropped when there is no base;
    Pelican's ``{filename}`` placeholders of the old text are no links of this town."""

    def __init__(
        self, base: str = "", resolve: Callable[[str], str | None] | None = None, **options: object
    ) -> None:
        super().__init__(**options)
        self.base = base
        self.resolve = resolve

    def _address(self, url: str) -> str:
        url = url.strip()
        if not url or url.startswith("#"):
            return url
        if self.resolve is not None:
            found = self.resolve(url)  # another imported text, a file copied in
            if found is not None:
                return found
        if url.startswith(("{", "|")):
            url = url.split("}", 1)[-1].split("|")[-1]  # an old placeholder: its path
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "mailto"):
            return url
        if parts.scheme or not self.base:
            return ""
        absolute = urljoin(self.base, url)
        return absolute if urlsplit(absolute).scheme in ("http", "https") else ""

    def convert_a(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        href = self._address(el.get("href") or "")
        if not href:
            return text
        el["href"] = href
        return super().convert_a(el, text, parent_tags)

    def convert_img(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        src = self._address(el.get("src") or "")
        if not src:
            return el.get("alt") or ""
        el["src"] = src
        return super().convert_img(el, text, parent_tags)


@dataclass
class Leftover:
    """A shortcode left in a text as it was: its name and the line of the text. With
    ``link``, template code that was a link's address: the link now leads nowhere."""

    name: str
    line: int
    link: bool = False


def autop(html: str) -> str:
    """Paragraphs of the classic editor (blank lines) as ``<p>``, single line breaks in
    them as ``<br>``, as WordPress shows a post; blocks that are elements stay."""
    chunks = [c.strip("\n") for c in _PARAGRAPHS.split(html.replace("\r\n", "\n"))]
    out = []
    for chunk in chunks:
        if not chunk.strip():
            continue
        if _BLOCK.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.strip().replace("\n", "<br>\n") + "</p>")
    return "\n\n".join(out)


def _without_comments(html: str) -> str:
    """``html`` without its comments (``<!-- wp:paragraph -->``…), in one pass: a comment
    never closed runs to the end, as in a browser."""
    out = []
    position = 0
    while (start := html.find("<!--", position)) >= 0:
        out.append(html[position:start])
        end = html.find("-->", start + 4)
        if end < 0:
            return "".join(out)
        position = end + 3
    out.append(html[position:])
    return "".join(out)


def _pairs(html: str, kind: str, replace: Callable[[str], str]) -> str:
    """Each ``[kind …]inner[/kind]`` of ``html`` replaced by ``replace(inner)``, in one
    pass (an opening never closed stays as it is, with the rest of the text)."""
    out = []
    position = 0
    opening, closing = _OPENING[kind], _CLOSING[kind]
    while (start := opening.search(html, position)) is not None:
        end = closing.search(html, start.end())
        if end is None:
            break
        out.append(html[position : start.start()])
        out.append(replace(html[start.end() : end.start()]))
        position = end.end()
    out.append(html[position:])
    return "".join(out)


_LINK_OPENING = re.compile(r"<a\b[^>]*>\s*", re.I)
_PICTURE = re.compile(r"<img\b[^>]*>", re.I)


def _caption(inner: str) -> str:
    first = inner.lower().find("<img")  # the caption's picture: the first <img> (linear)
    picture = _PICTURE.match(inner, first) if first >= 0 else None
    if picture is None:
        return inner
    text = (inner[: picture.start()] + inner[picture.end() :]).strip()
    # (a link around the picture stays around it)
    text = re.sub(r"^</a>\s*", "", text)
    before = inner[: picture.start()]
    # the link just before the picture, if any (its start found from the end: linear)
    last = max(before.rfind("<a"), before.rfind("<A"))
    opened = _LINK_OPENING.fullmatch(before, last) if last >= 0 else None
    image = (opened.group(0) if opened else "") + picture.group(0) + ("</a>" if opened else "")
    return f"<figure>{image}<figcaption>{text}</figcaption></figure>" if text else image


def leftovers(text: str) -> list[Leftover]:
    """The shortcodes still in ``text`` (Markdown), each with its line."""
    found = []
    line, counted_to = 1, 0  # lines counted as the matches go: linear however many
    for match in _SHORTCODE.finditer(text):
        if match.group(1):
            continue  # an end tag: its start was reported
        name = match.group(2).lower()
        if name in KNOWN_SHORTCODES or "=" in match.group(0) or match.group(0).endswith("/]"):
            line += text.count("\n", counted_to, match.start())
            counted_to = match.start()
            found.append(Leftover(name, line))
    return found


class TooDeep(ValueError):
    """HTML nested too deep to convert (markdownify recurses once per level)."""


def to_markdown(
    html: str, base: str = "", resolve: Callable[[str], str | None] | None = None
) -> str:
    """``html`` (a post as WordPress keeps it) as Markdown; ``base``: the post's old
    address, against which its relative links are made absolute (they led into the old
    site; in the town they would lead to no file); ``resolve``: the town's address of a
    link, when it leads to another imported text or a file copied in (see
    :mod:`.addresses`). Raises :class:`TooDeep`."""
    html = _without_comments(html)
    html = _pairs(html, "caption", _caption)
    html = _pairs(html, "embed", lambda inner: "\n\n" + inner.strip() + "\n\n")
    html = autop(html)
    try:
        text = _Converter(
            base=base,
            resolve=resolve,
            heading_style="ATX",
            bullets="-",
            strip=["script", "style"],
            escape_underscores=False,
            escape_asterisks=True,
        ).convert(html)
    except RecursionError:
        raise TooDeep("nested too deep") from None
    # markdownify leaves runs of blank lines (and spaces) where blocks met; two spaces
    # at a line's end are a line break (<br>) and stay
    text = "\n".join(
        "" if not line.strip() else line.rstrip() + ("  " if line.endswith("  ") else "")
        for line in text.strip("\n").split("\n")
    )
    return re.sub(r"\n{3,}", "\n\n", text) + "\n"
