"""Finding and rewriting the URLs in HTML, CSS, JSON and JavaScript output.

Pages must work opened from disk: every internal reference is relative and names a file
(``news.html``, ``category/index.html``), never a folder (``./``, ``news/``) and never
root-absolute (``/theme/main.css``), and nothing is loaded from another website. This
module is the one place that knows where URLs sit in the files we write; the
``offline_output`` plugin uses it to fix the output and ``gardarika.checks.output`` to verify it.

The HTML is not re-serialised: only attribute values and CSS ``url()`` values are
replaced, so everything else in a page stays byte for byte as the theme wrote it.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from html import escape, unescape
from urllib.parse import unquote, urlunsplit

from gardarika.render.tags import Page, srcset
from gardarika.urls import split_url

#: attributes that hold a URL, by element (``*``: any element)
URL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "*": (
        "href",
        "src",
        "poster",
        "background",
        "cite",
        "longdesc",
        "action",
        "formaction",
        "data",
        "xlink:href",
    ),
}
SRCSET_ATTRIBUTES = ("srcset", "imagesrcset")

#: elements whose URL makes the browser load something (not just a link to follow)
#: element -> the attributes with what it loads when the page is shown, the main one
#: first (the one list: the output check and :mod:`gardarika.render.embeds` read it)
RESOURCE_ELEMENTS: dict[str, tuple[str, ...]] = {
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "script": ("src", "href", "xlink:href"),  # href: an SVG script
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src", "srcset"),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"),
}
#: attributes that load their address on whatever element holds them (``background``
#: of ``<body>``, ``<table>``, ``<td>``… in the browsers' old rules)
LOADING_ANYWHERE = frozenset({"background"})
#: ``<link rel=...>`` kinds that load something, or open a connection to the address's
#: website, when the page is shown (the one list: the output check counts them as
#: loads, :mod:`gardarika.render.embeds` drops remote ones from content)
LOADING_LINK_RELS = frozenset(
    {
        "stylesheet",
        "icon",
        "shortcut",
        "apple-touch-icon",
        "preload",
        "prefetch",
        "modulepreload",
        "manifest",
        "mask-icon",
        "import",
        "preconnect",
        "dns-prefetch",
        "prerender",
        "compression-dictionary",
    }
)

_CSS_URL = re.compile(
    r"""url\(\s*(?P<q>['"]?)(?P<url>[^'")]*?)(?P=q)\s*\)"""
    r"""|@import\s+(?P<iq>['"])(?P<iurl>[^'"]+)(?P=iq)""",
    re.I,
)
_JS_STRING = re.compile(r"""(?P<q>["'])(?P<s>[\w.~/-]+(?:[?#][^"'\s<>]*)?)(?P=q)""")

UrlFixer = Callable[[str], str]


@dataclass(frozen=True)
class Reference:
    """One URL found in a file."""

    url: str
    line: int
    element: str  # the tag name, "css", "json" or "js"
    attribute: str  # the attribute, or the kind of reference
    loads: bool  # the browser fetches it to show the page (not a link to follow)
    escaped: bool = False  # written with HTML character references (an attribute value)


def is_external(url: str) -> bool:
    """Another website (``https://…``, ``//cdn…``), not a file of ours."""
    parts = split_url(url.strip())
    return url.strip().startswith("//") or parts.scheme in ("http", "https", "ftp", "ws", "wss")


def is_internal(url: str) -> bool:
    """A reference to a file of this output (not another site, not mailto: or data:)."""
    url = url.strip()
    if not url or url.startswith("#") or url.startswith("//"):
        return False
    return not split_url(url).scheme and not re.match(r"^[a-zA-Z][\w+.-]*:", url)


def make_portable(url: str, page_dir: str, is_dir: Callable[[str], bool]) -> str:
    """``url`` found in a file in ``page_dir`` (a folder relative to the site root), as a
    relative reference that names a file. ``is_dir(path)`` tells whether a site-relative
    path is a folder. ``?query`` and ``#anchor`` are kept; other URLs are unchanged."""
    stripped = url.strip()
    if not is_internal(stripped):
        return url
    parts = split_url(stripped)
    path = parts.path
    if not path:
        return url  # "?page=2" or "" refer to the current page
    here = page_dir or "."
    absolute = path.startswith("/")
    site_path = posixpath.normpath(path.lstrip("/") if absolute else posixpath.join(here, path))
    names_folder = (
        path.endswith("/")
        or posixpath.basename(path) in ("", ".", "..")
        or is_dir(unquote(site_path))
    )
    if absolute:
        path = posixpath.relpath(site_path, here)
    if names_folder:
        path = path.rstrip("/")
        path = "index.html" if path in ("", ".") else f"{path}/index.html"
    return urlunsplit(("", "", path, parts.query, parts.fragment))


class Lines:
    """Line numbers of offsets in ``text``, best asked for in increasing order (each
    newline is counted once, not once per question; an earlier offset counts again)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.line = 1

    def at(self, offset: int) -> int:
        if offset < self.offset:  # asked out of order: count from the start again
            self.offset, self.line = 0, 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _loads(tag: str, attr: str, attrs: dict[str, str]) -> bool:
    if attr in RESOURCE_ELEMENTS.get(tag, ()) or attr in LOADING_ANYWHERE:
        return True
    if tag == "link" and attr == "href":
        rels = set(attrs.get("rel", "").lower().split())
        return bool(rels & LOADING_LINK_RELS)
    return False


#: the attributes :func:`html_references` looks at; every other one (class, id, alt…, most
#: of a page) is passed over without working out its line or value
_REFERENCE_ATTRIBUTES = frozenset((*URL_ATTRIBUTES["*"], *SRCSET_ATTRIBUTES, "style", "content"))


_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"\s]+)", re.I)


def html_references(html: str, page: Page | None = None) -> Iterator[tuple[Reference, int, int]]:
    """Every URL of an HTML document with its position, in the order of the page,
    including CSS ``url()`` in ``<style>`` blocks and ``style`` attributes, and path-like
    strings in inline scripts. ``page``: the document as :mod:`gardarika.render.tags`
    read it, when it already was."""
    if page is None:
        page = Page(html)
    found: list[tuple[int, int, str, str, str, bool, bool]] = []
    for tag in page.tags:
        name = tag.name
        for attribute in tag.attributes:
            attr = attribute.name
            if attr not in _REFERENCE_ATTRIBUTES or attribute.value_start < 0:
                continue
            raw, start = attribute.raw, attribute.value_start
            if attr == "content":
                if name != "meta" or tag.attrs.get("http-equiv", "").lower() != "refresh":
                    continue
                refresh = _REFRESH_URL.search(raw)
                if refresh:
                    url, offset = refresh.group(1), refresh.start(1)
                    found.append(
                        (start + offset, start + offset + len(url), url, name, attr, False, True)
                    )
            elif attr in SRCSET_ATTRIBUTES:
                for candidate in srcset(raw):
                    found.append(
                        (
                            start + candidate.start,
                            start + candidate.end,
                            candidate.url,
                            name,
                            attr,
                            True,
                            True,
                        )
                    )
            elif attr == "style":
                for ref, s, e in css_references(raw):
                    found.append((start + s, start + e, ref.url, name, "style", True, False))
            else:
                loads = _loads(name, attr, tag.attrs if name == "link" else {})
                found.append((start, attribute.value_end, raw, name, attr, loads, True))
    for text in page.texts:
        if text.name == "style":
            refs = css_references(html[text.start : text.end])
        elif text.name == "script":
            refs = js_references(html[text.start : text.end])
        else:
            continue
        for ref, s, e in refs:
            start = text.start + s
            found.append(
                (start, text.start + e, ref.url, ref.element, ref.attribute, ref.loads, False)
            )
    found.sort(key=lambda item: (item[0], item[1]))  # stable: a tag's reading comes first
    lines = Lines(html)
    last = (-1, -1)
    for start, end, url, element, attr, loads, escaped in found:
        if (start, end) == last:
            continue  # one place read both as a tag and as a script's string
        last = (start, end)
        value = unescape(url) if escaped and "&" in url else url
        yield Reference(value, lines.at(start), element, attr, loads, escaped), start, end


def css_references(css: str) -> Iterator[tuple[Reference, int, int]]:
    """``url(...)`` and ``@import "..."`` of a stylesheet (they all load something)."""
    lines = Lines(css)
    for match in _CSS_URL.finditer(css):
        group = "url" if match.group("url") is not None else "iurl"
        url = match.group(group)
        if url:
            kind = "url()" if group == "url" else "@import"
            yield (
                Reference(url, lines.at(match.start(group)), "css", kind, True),
                match.start(group),
                match.end(group),
            )


def js_references(js: str) -> Iterator[tuple[Reference, int, int]]:
    """String literals in a script that are page links (``"/news/"``, ``"../a.html"``)."""
    lines = Lines(js)
    for match in _JS_STRING.finditer(js):
        url = match.group("s")
        if looks_like_page_link(url):
            yield (
                Reference(url, lines.at(match.start("s")), "js", "string", False),
                match.start("s"),
                match.end("s"),
            )


_PAGE_LINK = re.compile(r"(?:/|\./|\.\./)?[^\s<>\"'?#]*(?:\.html|/)(?:[?#][^\s<>\"']*)?")


def looks_like_page_link(text: str) -> bool:
    """``news.html``, ``/news/``, ``../a/b.html#x``: a string that links to a page."""
    return len(text) > 1 and bool(_PAGE_LINK.fullmatch(text)) and not text.startswith("//")


def json_references(data: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(JSON path, value) of every string in a JSON document that links to a page."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from json_references(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from json_references(value, f"{path}[{i}]")
    elif isinstance(data, str) and looks_like_page_link(data):
        yield path, data


def replace_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with each (start, end, new) span replaced, in order; a span that starts
    inside one already replaced is passed over."""
    out, last = [], 0
    for start, end, new in sorted(spans):
        if start < last:
            continue  # within what was already replaced
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out)


def _rewrite(
    text: str,
    refs: Iterator[tuple[Reference, int, int]],
    fix: UrlFixer,
    noted: list[Reference] | None = None,
) -> str:
    """``text`` with each reference passed through ``fix``; into ``noted``, when given,
    each reference as the result has it."""
    spans = []
    for ref, start, end in refs:
        new = fix(ref.url)
        if new != ref.url:
            spans.append((start, end, escape(new) if ref.escaped else new))
        if noted is not None:
            noted.append(replace(ref, url=new) if new != ref.url else ref)
    return replace_spans(text, spans) if spans else text


def rewrite_html(html: str, fix: UrlFixer) -> str:
    """``html`` with every URL passed through ``fix`` (unchanged where ``fix`` keeps it)."""
    return _rewrite(html, html_references(html), fix)


def rewrite_html_noting(
    html: str, fix: UrlFixer, page: Page | None = None
) -> tuple[str, list[Reference]]:
    """:func:`rewrite_html`, and the references of the result (what
    :func:`html_references` would find in it) from the same single pass. ``page``:
    ``html`` as :func:`gardarika.render.tags.read` read it, when it already was."""
    found: list[Reference] = []
    return _rewrite(html, html_references(html, page), fix, found), found


def rewrite_css(css: str, fix: UrlFixer) -> str:
    return _rewrite(css, css_references(css), fix)


def rewrite_js(js: str, fix: UrlFixer) -> str:
    return _rewrite(js, js_references(js), fix)


def rewrite_json(text: str, fix: UrlFixer) -> str:
    """JSON with its page-link strings fixed; text that is not JSON is returned as it is."""
    try:
        data = json.loads(text)
    except ValueError:
        return text

    def walk(value: object) -> object:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and looks_like_page_link(value):
            return fix(value)
        return value

    fixed = walk(data)
    if fixed == data:
        return text
    return json.dumps(fixed, ensure_ascii=False, separators=(",", ":"))
