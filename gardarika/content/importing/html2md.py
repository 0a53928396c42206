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
from dataclasses import dataclass

from markdownify import markdownify

#: elements that start a block of their own: a chunk starting with one is no paragraph
_BLOCK = re.compile(
    r"^\s*<(?:p|div|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tr|td|th|figure|"
    r"figcaption|hr|dl|dt|dd|address|section|article|aside|header|footer|nav|form|"
    r"fieldset|details|summary|iframe|video|audio|object|embed|style|script)\b",
    re.I,
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_PARAGRAPHS = re.compile(r"\n\s*\n")
#: a shortcode: [name …] or [/name], not a Markdown link's text ([caption](…), [a][1])
_SHORTCODE = re.compile(r"\[(/?)([a-z][a-z0-9_-]*)(?=[\s\]/])[^\]\n]*\](?![(\[])", re.I)
_CAPTION = re.compile(r"\[(?:wp_)?caption\b[^\]]*\](.*?)\[/(?:wp_)?caption\]", re.S | re.I)
_EMBED = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.S | re.I)
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


@dataclass
class Leftover:
    """A shortcode left in a text as it was: its name and the line of the text."""

    name: str
    line: int


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


def _caption(match: re.Match[str]) -> str:
    inner = match.group(1)
    picture = re.search(r"<img\b[^>]*>", inner, re.I)
    if picture is None:
        return inner
    text = (inner[: picture.start()] + inner[picture.end() :]).strip()
    # (a link around the picture stays around it)
    text = re.sub(r"^</a>\s*", "", text)
    before = inner[: picture.start()]
    opened = re.search(r"<a\b[^>]*>\s*$", before, re.I)
    image = (opened.group(0) if opened else "") + picture.group(0) + ("</a>" if opened else "")
    return f"<figure>{image}<figcaption>{text}</figcaption></figure>" if text else image


def leftovers(text: str) -> list[Leftover]:
    """The shortcodes still in ``text`` (Markdown), each with its line."""
    found = []
    for match in _SHORTCODE.finditer(text):
        if match.group(1):
            continue  # an end tag: its start was reported
        name = match.group(2).lower()
        if name in KNOWN_SHORTCODES or "=" in match.group(0) or match.group(0).endswith("/]"):
            found.append(Leftover(name, text.count("\n", 0, match.start()) + 1))
    return found


def to_markdown(html: str) -> str:
    """``html`` (a post as WordPress keeps it) as Markdown."""
    html = _COMMENT.sub("", html)
    html = _CAPTION.sub(_caption, html)
    html = _EMBED.sub(lambda m: "\n\n" + m.group(1).strip() + "\n\n", html)
    html = autop(html)
    text = markdownify(
        html,
        heading_style="ATX",
        bullets="-",
        strip=["script", "style"],
        escape_underscores=False,
        escape_asterisks=True,
    )
    # markdownify leaves runs of blank lines (and spaces) where blocks met; two spaces
    # at a line's end are a line break (<br>) and stay
    text = "\n".join(
        "" if not line.strip() else line.rstrip() + ("  " if line.endswith("  ") else "")
        for line in text.strip("\n").split("\n")
    )
    return re.sub(r"\n{3,}", "\n\n", text) + "\n"
