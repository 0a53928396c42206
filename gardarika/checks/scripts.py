"""The last look at the output: is there anything in it that can run script?

Content is cleaned when it is read and again when its final HTML is made
(``plugins/safe_html``), addresses are held to plain paths (``plugins/safe_addresses``),
templates escape what they print, and files beside the texts are checked before the
build. This module does not trust any of that: ``invoke check`` reads every built file
of a town that does not trust its editors' HTML and reports, with the file and line,

* in HTML: event-handler attributes (``on…``), attribute names with quotes in them (an
  address or title that broke out of its quotes), ``javascript:``/``vbscript:``/
  ``data:`` addresses (only the empty ``data:,`` icon the theme uses to stop browsers
  asking for ``favicon.ico`` is allowed), scripts written into the page instead of
  loaded from a file of the site, ``<style>`` and ``style`` that run code, and SVG
  animations that set handlers or addresses;
* SVG drawings that can run script (:mod:`gardarika.checks.svg`, a real XML parser);
* the search index (``search-index.js``): every entry's address must be a plain
  relative path, since the search page turns it into a link;
* any other script file outside the theme's folder (content may not publish scripts).

HTML is read with an HTML5 parser (Lexbor, through ``selectolax``), not with patterns:
what counts is how a browser splits a tag into attributes. It is fast enough to read
every page of a large network in a fraction of its build.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from gardarika.checks.files import INERT_TYPES
from gardarika.checks.svg import file_dangers as svg_file_dangers
from gardarika.errors import Message, visible
from gardarika.fs.confine import address_problem
from gardarika.render.news import FILE as NEWS_FILE
from gardarika.render.news import MAX_FILE_BYTES as NEWS_MAX_BYTES
from gardarika.render.tags import Page

#: attributes whose value is an address the browser may follow or load
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "poster",
        "data",
        "cite",
        "background",
        "longdesc",
        "codebase",
        "classid",
        "lowsrc",
        "dynsrc",
        "manifest",
        "ping",
        "xlink:href",
        "srcdoc",
        "profile",
        "icon",
        "archive",
        "usemap",
    }
)
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})
#: SVG animation attributes whose value may be set into an address
ANIMATION_VALUES = frozenset({"to", "from", "by", "values"})
ANIMATION_ELEMENTS = frozenset({"set", "animate", "animatemotion", "animatetransform"})
DANGEROUS_SCHEMES = ("javascript", "vbscript", "data", "livescript", "mocha")
#: browsers drop these from addresses before reading the scheme
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_CSS_CODE = re.compile(r"expression\(|javascript:|vbscript:|-moz-binding|behavior:", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
#: what the theme's "page not found" may anchor its links to: the town's own web address
WEB_ADDRESS = re.compile(r"^https?://[a-z0-9]", re.I)
REFRESH = re.compile(r"^[\s\x0c]*[0-9.]*[\s\x0c]*[;,]?[\s\x0c]*(?:url[\s\x0c]*=[\s\x0c]*)?", re.I)
#: attributes that hold no address, no code and no markup: skipped at once
HARMLESS_ATTRIBUTES = frozenset(
    {
        "class",
        "id",
        "lang",
        "hreflang",
        "rel",
        "title",
        "dir",
        "role",
        "alt",
        "width",
        "height",
        "loading",
        "decoding",
        "datetime",
        "type",
        "name",
        "tabindex",
        "sizes",
        "media",
        "charset",
        "http-equiv",
        "translate",
        "hidden",
        "autocomplete",
        "for",
        "colspan",
        "rowspan",
        "scope",
        "start",
        "reversed",
        "checked",
        "disabled",
        "open",
        "controls",
        "aria-current",
        "aria-label",
        "aria-labelledby",
        "aria-hidden",
        "aria-live",
        "aria-describedby",
        "property",
        "itemprop",
        "headers",
        "abbr",
        "span",
        "align",
        "valign",
        "kind",
        "srclang",
        "label",
        "default",
        "muted",
        "loop",
        "playsinline",
        "preload",
    }
)
#: what an attribute's name never holds unless a value broke out of its quotes
_ODD_NAME = re.compile(r"[\"'<>`=]")
#: elements that run plug-ins or other documents: never in a page of ours
PLUGIN_ELEMENTS = frozenset({"object", "embed", "applet"})
#: the scripts a page may load: the theme's and the search index
_THEME_SCRIPT = re.compile(
    r"^(?:\.\./|\./)*(?:[a-z0-9_.-]+/)*(?:theme/js/[a-z0-9_.-]+\.js"
    r"|search-index\.js)$"
)


def _theme_script(url: str) -> bool:
    return bool(_THEME_SCRIPT.match(url.strip()))


#: the only data: address the theme writes (an empty icon: no request for favicon.ico)
EMPTY_ICON = "data:,"


@dataclass(frozen=True)
class Danger:
    """Something in a built file that could run script, with its line (0: unknown)."""

    line: int
    message: Message

    @property
    def en(self) -> str:
        return self.message.en

    @property
    def ru(self) -> str:
        return self.message.ru


def url_scheme(value: str) -> str | None:
    """The scheme a browser would read in ``value`` (lower case), or ``None``."""
    text = _IGNORED.sub("", value)
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", text)
    return match.group(1).lower() if match else None


def dangerous_url(value: str) -> bool:
    return url_scheme(value) in DANGEROUS_SCHEMES


def _css_runs_code(css: str) -> bool:
    return bool(_CSS_CODE.search(re.sub(r"\s+", "", _CSS_COMMENT.sub("", css))))


def _tag_dangers(tag: str, attributes: dict[str, str | None]) -> Iterator[tuple[str, Message]]:
    """(where to look for it in the source, English, Russian) for each danger of one
    element."""
    values = (
        {name.lower(): value or "" for name, value in attributes.items()}
        if tag in ("link", "meta", "script")
        else {}
    )
    for raw_name, raw_value in attributes.items():
        name, value = raw_name.lower(), raw_value or ""
        if name in HARMLESS_ATTRIBUTES:
            continue  # most attributes of a page: nothing to look at
        if _ODD_NAME.search(name) or name.startswith("/"):
            yield (
                raw_name,
                Message(
                    f"<{tag}> has an attribute named “{raw_name[:40]}”: a value "
                    "broke out of its quotes",
                    f"у <{tag}> есть атрибут «{raw_name[:40]}»: значение вышло за кавычки",
                ),
            )
        elif name.startswith("on"):
            yield (
                raw_name,
                Message(
                    f"<{tag}> has the event handler {raw_name}=",
                    f"у <{tag}> есть обработчик событий {raw_name}=",
                ),
            )
        elif name in URL_ATTRIBUTES and dangerous_url(value):
            if not (
                value.strip() == EMPTY_ICON
                and tag == "link"
                and "icon" in values.get("rel", "").lower().split()
            ):
                yield _url(tag, raw_name, value)
        elif name in SRCSET_ATTRIBUTES and any(
            dangerous_url(part.strip().split(" ")[0]) for part in value.split(",") if part.strip()
        ):
            yield _url(tag, raw_name, value)
        elif name == "content" and values.get("http-equiv", "").lower() == "refresh":
            # as browsers read it: a number, then optionally ";" or ",", "url=", quotes
            target = REFRESH.sub("", value)
            if dangerous_url(target.strip("'\" ")):
                yield _url(tag, raw_name, value)
        elif (
            name in ANIMATION_VALUES
            and tag in ANIMATION_ELEMENTS
            and any(dangerous_url(v) for v in value.split(";"))
        ):
            yield _url(tag, raw_name, value)
        elif (
            name == "attributename"
            and tag in ANIMATION_ELEMENTS
            and (value.lower().startswith("on") or value.lower().endswith("href"))
        ):
            yield (
                value,
                Message(
                    f"<{tag}> changes the attribute {value}", f"<{tag}> меняет атрибут {value}"
                ),
            )
        elif name == "style" and _css_runs_code(value):
            yield (
                value[:30],
                Message(f"the style= of <{tag}> runs code", f"style= у <{tag}> запускает код"),
            )
        elif name == "srcdoc" and value.strip():
            # a page written into the attribute: judged as a page of its own
            for _, (en, ru) in _element_dangers(value):
                yield (raw_name, Message(f"<{tag}> srcdoc=: {en}", f"<{tag}> srcdoc=: {ru}"))
    for source in ("src", "href", "xlink:href"):
        if tag == "script" and source in values and not _theme_script(values[source]):
            shown = values[source][:60]
            yield (
                source,
                Message(
                    f"<script> loads “{shown}”, which is not a script of the theme",
                    f"<script> загружает «{shown}» — это не скрипт темы",
                ),
            )
    if tag in PLUGIN_ELEMENTS:
        yield (
            f"<{tag}",
            Message(
                f"<{tag}> embeds a plug-in or another document",
                f"<{tag}> встраивает модуль или другой документ",
            ),
        )


def _url(tag: str, name: str, value: str) -> tuple[str, Message]:
    shown = re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group(0))[1:-1], value)
    shown = shown if len(shown) <= 60 else shown[:59] + "…"
    return (
        name,
        Message(
            f"<{tag}> {name}=“{shown}” can run script",
            f"<{tag}> {name}=«{shown}» может запустить скрипт",
        ),
    )


@lru_cache(maxsize=4)
def parse_html(text: str) -> LexborHTMLParser:
    """``text`` parsed by Lexbor; the output check reads each page for scripts and for
    remote loads (:mod:`gardarika.checks.loads`), and parses it once for both. The tree
    is only read, never changed."""
    return LexborHTMLParser(text)


def _element_dangers(html: str, base_allowed: bool = False) -> Iterator[tuple[str, Message]]:
    tree = parse_html(html)
    root = tree.root
    if root is None:
        return
    for node in root.traverse(include_text=False):
        tag = (node.tag or "").lower()
        if tag.startswith("-"):  # comments and other non-elements
            continue
        yield from _tag_dangers(tag, node.attributes)
        if tag == "base":
            href = (node.attributes.get("href") or "").strip()
            if not (base_allowed and WEB_ADDRESS.match(href)):
                yield (
                    "<base",
                    Message(
                        f"<base href=“{href[:60]}”> changes where every link and "
                        "script of the page leads",
                        f"<base href=«{href[:60]}»> меняет, куда ведут все ссылки и "
                        "скрипты страницы",
                    ),
                )
        if tag == "script":
            if node.text(deep=True).strip():
                yield (
                    "<script",
                    Message(
                        "a script is written into the page; scripts may only "
                        "come from the theme's files",
                        "в страницу вписан скрипт; скрипты могут быть только в файлах темы",
                    ),
                )
        elif tag == "style" and _css_runs_code(node.text(deep=True)):
            yield ("<style", Message("a <style> block runs code", "блок <style> запускает код"))
        elif tag == "template":
            # a template's content is kept apart from the page; read it as a page too
            inner = node.html or ""
            inner = inner[inner.find(">") + 1 : inner.rfind("<")]
            if inner.strip():
                yield from _element_dangers(inner)


def line_of(text: str, needle: str, start: int) -> tuple[int, int]:
    """The line of the first ``needle`` in ``text`` from ``start`` (and where it is)."""
    found = text.find(needle, start)
    if found < 0:
        found = text.find(needle)
    if found < 0:
        return 0, start
    return text.count("\n", 0, found) + 1, found


_NOSCRIPT = frozenset({"noscript"})


def as_scripting_browser(text: str) -> str:
    """``text`` as a browser with scripts on reads it: the content of each
    ``<noscript>`` up to its end tag is plain text (blanked here, lines kept), so markup
    in it that Lexbor (which parses as if scripts were off) sees inside an attribute,
    such as ``<noscript><p title="</noscript><img onerror=…>">``, is where a browser sees
    it. The elements are found by the build's tag reader, as a browser's tokenizer finds
    them: a ``<noscript>`` in a comment or in an attribute's value is none, and its text
    ends at ``</noscript`` followed by a space, ``/`` or ``>``."""
    if "<noscript" not in text.lower():
        return text
    page = Page(text, _NOSCRIPT)
    out: list[str] = []
    last = 0
    for raw in page.texts:
        if raw.name != "noscript" or raw.start < last:
            continue
        out.append(text[last : raw.start])
        out.append(re.sub(r"[^\n]", " ", text[raw.start : raw.end]))
        last = raw.end
    out.append(text[last:])
    return "".join(out)


def html_dangers(text: str, base_allowed: bool = False) -> list[Danger]:
    """Everything in an HTML page that could run script.

    The page is parsed by Lexbor (``selectolax``), an HTML5 parser that splits tags and
    attributes exactly as browsers do; a broken-out quote shows up as the attribute a
    browser would see. Lexbor parses as a browser with scripts off, so a page with a
    ``<noscript>`` is also read as a browser with scripts on reads it, and what either
    reading finds counts. Lexbor does not keep positions, so the line is where the
    offending text first occurs in the file. ``base_allowed``: the page is the theme's
    "page not found", which anchors its links to the town's web address with
    ``<base href>`` (any other ``<base>`` is a danger)."""
    found: dict[Danger, None] = {}
    readings = [text]
    if "<noscript" in text.lower():
        readings.append(as_scripting_browser(text))
    for reading in readings:
        position = 0
        for needle, message in _element_dangers(reading, base_allowed):
            line, position = line_of(reading, needle, position)
            found.setdefault(Danger(line, message), None)
    return list(found)


_INDEX = re.compile(r"^\s*window\.GARDARIKA_SEARCH\s*=\s*(?P<data>.*?);?\s*$", re.S)


def news_dangers(text: str) -> list[Danger]:
    """A town's news for the portal (:mod:`gardarika.render.news`) that is not the plain
    data the build writes, or that links anything but a plain path inside the site."""
    try:
        data = json.loads(text) if len(text) <= NEWS_MAX_BYTES else None
    except (ValueError, RecursionError):
        data = None
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and all(isinstance(v, str) for v in item.values()) for item in items
    ):
        return [
            Danger(
                1,
                Message(
                    "the town's news for the portal is not plain data",
                    "новости города для портала — не просто данные",
                ),
            )
        ]
    found = []
    for number, item in enumerate(items):
        for key in ("url", "picture"):
            url = item.get(key, "")
            if url and (address_problem(url) is not None or dangerous_url(url)):
                found.append(
                    Danger(
                        1,
                        Message(
                            f"the news entry {number} links “{visible(url, 60)}”, which "
                            "is not a path inside the site",
                            f"новость {number} ведёт на «{visible(url, 60)}» — это не путь "
                            "внутри сайта",
                        ),
                    )
                )
    return found


def index_dangers(text: str) -> list[Danger]:
    """A search index whose data is not what ``searchindex`` writes, or whose entries
    link anything but a plain path inside the site."""
    match = _INDEX.match(text)
    try:
        data = json.loads(match.group("data")) if match else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("docs"), list):
        return [
            Danger(
                1,
                Message(
                    "the search index is not plain data (window.GARDARIKA_SEARCH = {…})",
                    "поисковый индекс — не просто данные (window.GARDARIKA_SEARCH = {…})",
                ),
            )
        ]
    found = []
    for number, doc in enumerate(data["docs"]):
        url = doc[0] if isinstance(doc, list) and doc and isinstance(doc[0], str) else None
        if url is None or address_problem(url) is not None or dangerous_url(url):
            shown = visible(str(url), 60)
            found.append(
                Danger(
                    1,
                    Message(
                        f"the search index's entry {number} links “{shown}”, "
                        "which is not a path inside the site",
                        f"запись {number} поискового индекса ведёт на «{shown}» — "
                        "это не путь внутри сайта",
                    ),
                )
            )
    return found


def svg_dangers(path: Path) -> list[Danger]:
    """What :mod:`gardarika.checks.svg` finds in a built drawing (read within its limit)."""
    return [Danger(d.line or 0, d.message) for d in svg_file_dangers(path)]


#: kinds of built files a browser cannot run: the harmless kinds of files beside the
#: texts, and the theme's stylesheets; pages, drawings and scripts are read above
_SHOWN_AS_IS = INERT_TYPES | {"css"}


def _decoded(data: bytes) -> str:
    """A page's text as a browser decodes it: a byte order mark wins over everything."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    return data.decode("utf-8", errors="replace")


def file_dangers(path: Path, rel: str) -> list[Danger]:
    """What in the built file ``path`` (``rel``: its path below ``output/``) could run
    script; a file of a kind a browser could run but that has no business in the output
    (an XML page, a file without a kind) counts as such too."""
    name = path.name.lower()
    parts = rel.split("/")
    kind = name.rsplit(".", 1)[-1] if "." in name.strip(".") else ""
    if name.startswith("."):
        return [
            Danger(
                0,
                Message(
                    "a hidden file (a web server reads such files as its own settings)",
                    "скрытый файл (веб-сервер читает такие файлы как свои настройки)",
                ),
            )
        ]
    if kind in ("html", "htm"):
        return html_dangers(_decoded(path.read_bytes()), base_allowed=name == "404.html")
    if kind in ("svg", "svgz"):
        return svg_dangers(path)
    if name == "search-index.js":
        return index_dangers(path.read_text(encoding="utf-8", errors="replace"))
    if name == NEWS_FILE:
        return news_dangers(path.read_text(encoding="utf-8", errors="replace"))
    in_theme = parts[0] == "theme" or (len(parts) > 2 and parts[1] == "theme")
    if kind == "js" and in_theme:
        return []
    if kind == "xml" and "feeds" in parts[:-1]:
        return []  # the feeds Pelican writes, with escaped texts
    if kind in _SHOWN_AS_IS:
        return []
    return [
        Danger(
            0,
            Message(
                f"a file of a kind a browser could run or guess (“.{kind}”)"
                if kind
                else "a file without a kind, which a browser could take for a page",
                f"файл такого вида, что браузер может его выполнить (“.{kind}”)"
                if kind
                else "файл без расширения, который браузер может принять за страницу",
            ),
        )
    ]
