"""Things embedded from other websites become plain links.

A video player, a picture or a script from another site shows as an empty box on a USB
stick in a village library, and it tells that site who is reading. So a remote
``<img>``, ``<iframe>``, ``<video>``, ``<audio>``, ``<object>`` or ``<embed>`` becomes a
link to it with a short note in the page's language, and a remote ``<script>`` or
stylesheet is dropped. Each replacement is returned so the build can report it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape
from urllib.parse import urlsplit

from .links import is_external

Gettext = Callable[[str], str]

#: element -> attribute holding what it loads
EMBEDS = {"img": "src", "iframe": "src", "video": "src", "audio": "src", "object": "data",
          "embed": "src", "script": "src", "link": "href", "frame": "src"}
CONTAINERS = {"iframe", "video", "audio", "object", "script", "frame"}
_START = re.compile(r"<(?P<name>img|iframe|video|audio|object|embed|script|link|frame)\b"
                    r"(?P<attrs>(?:\"[^\"]*\"|'[^']*'|[^'\">])*)>", re.I)
_ATTR = re.compile(r"""([^\s"'=<>`/]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")


@dataclass(frozen=True)
class Embed:
    """One remote thing that was replaced: what it was, where it pointed, where it stood."""

    element: str
    url: str
    offset: int


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): unescape(next(g for g in m.groups()[1:] if g is not None))
            for m in _ATTR.finditer(text)}


def _remote_url(name: str, attrs: dict[str, str], inner: str) -> str | None:
    url = attrs.get(EMBEDS[name], "")
    if not url and name in ("video", "audio"):
        source = re.search(r"<source\b[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]+)", inner, re.I)
        url = unescape(source.group(1)) if source else ""
    if name == "link" and not set(attrs.get("rel", "").lower().split()) & {
            "stylesheet", "icon", "preload", "prefetch", "modulepreload", "import"}:
        return None
    return url if url and is_external(url) else None


def _label(name: str, url: str, attrs: dict[str, str], _: Gettext) -> str:
    host = urlsplit(url if not url.startswith("//") else "https:" + url).hostname or url
    if name == "img":
        text = attrs.get("alt") or attrs.get("title") or host
        return _("Picture on another website: %(text)s") % {"text": text}
    if name == "video" or (name == "iframe" and re.search(
            r"youtube|youtu\.be|vimeo|rutube|vk\.com/video|vkvideo|dzen", host)):
        return _("Video on another website (%(site)s)") % {"site": host}
    if name == "audio":
        return _("Sound recording on another website (%(site)s)") % {"site": host}
    return _("Content on another website (%(site)s)") % {"site": host}


def replace_remote_embeds(html: str, gettext: Gettext) -> tuple[str, list[Embed]]:
    """``html`` with remote embeds turned into links (scripts and styles dropped)."""
    found: list[Embed] = []
    out: list[str] = []
    last = 0
    position = 0
    while True:
        match = _START.search(html, position)
        if not match:
            break
        name = match.group("name").lower()
        end = match.end()
        inner = ""
        if name in CONTAINERS and not match.group(0).endswith("/>"):
            close = re.compile(rf"</{name}\s*>", re.I).search(html, end)
            if close:
                inner, end = html[match.end():close.start()], close.end()
        attrs = _attrs(match.group("attrs"))
        url = _remote_url(name, attrs, inner)
        if url is None:
            position = match.end()
            continue
        found.append(Embed(name, url, match.start()))
        out.append(html[last:match.start()])
        if name not in ("script", "link"):
            label = escape(_label(name, url, attrs, gettext))
            note = escape(gettext("needs the internet"))
            out.append(f'<span class="external-embed"><a href="{escape(url)}">{label}</a>'
                       f' <small>({note})</small></span>')
        last = position = end
    if not found:
        return html, []
    out.append(html[last:])
    return "".join(out), found
