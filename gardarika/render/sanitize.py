"""What raw HTML in content may contain: one policy for the build and the editors' checks.

A town's site is written by many hands and read from USB sticks in libraries and
schools. Markdown lets an editor paste any HTML, and a pasted snippet can run scripts,
send readers' typing to another website, redirect the page or hide a tracker. So the
HTML of every article and page is cleaned by nh3 (the ``safe_html`` plugin) with the
policy below, and ``gardarika.checks.lint`` explains each removal to the editor, with the file
and line, before the build. Both use this module, so what is reported is what is removed.

The policy, in short:

* kept: text formatting, headings, lists, tables, quotes, pictures (``srcset``,
  ``sizes``, ``loading``, ``width``, ``height``), figures, local audio and video with
  their sources and subtitles, details, abbreviations, footnotes, the markup of
  Markdown's extensions; ``id``, ``class``, ``title``, ``lang``, ``dir``, ``role``,
  ``aria-*`` everywhere; web, e-mail, phone and relative links, ``#fragments`` and
  Pelican's ``{static}``/``{filename}`` placeholders;
* removed with everything inside: ``<script>``, ``<style>``, ``<iframe>``,
  ``<object>``, ``<embed>``, ``<form>`` and its fields, inline ``<svg>``/``<math>``, and
  the page head's ``<base>``, ``<meta>``, ``<link>``, ``<title>``. Forms are not allowed
  at all: a static site has no server, so a form could only send what readers type to
  another website; link to the form instead. Only task-list check boxes stay;
* removed, text kept: any other element (``<font>``, ``<marquee>``…);
* attributes removed: event handlers (``on…``), anything not listed for its element,
  links and sources other than http(s), mailto, tel and relative ones (``javascript:``,
  ``data:``, ``vbscript:``…), and a ``style`` that loads something (``url()``,
  ``@import``) or runs code (``expression()``).

HTML comments are dropped too (they are invisible anyway), and are not reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html import unescape as html_unescape
from html.parser import HTMLParser

import nh3

from gardarika.build import memo
from gardarika.errors import Message
from gardarika.urls import split_url

#: elements kept (with the attributes below)
ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "address",
        "article",
        "aside",
        "audio",
        "b",
        "bdi",
        "bdo",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "data",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "i",
        "img",
        "input",
        "ins",
        "kbd",
        "label",
        "li",
        "mark",
        "meter",
        "ol",
        "p",
        "picture",
        "pre",
        "progress",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "section",
        "small",
        "source",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "track",
        "u",
        "ul",
        "var",
        "video",
        "wbr",
    }
)

#: elements removed together with everything inside them, by the reason given
DROPPED_WITH_CONTENT: dict[str, str] = {
    "script": "script",
    "noscript": "script",
    "template": "script",
    "style": "style",
    "iframe": "frame",
    "frame": "frame",
    "frameset": "frame",
    "noframes": "frame",
    "object": "frame",
    "embed": "frame",
    "applet": "frame",
    "noembed": "frame",
    "portal": "frame",
    "fencedframe": "frame",
    "form": "form",
    "button": "form",
    "select": "form",
    "textarea": "form",
    "datalist": "form",
    "fieldset": "form",
    "output": "form",
    "svg": "drawing",
    "math": "drawing",
    "base": "head",
    "meta": "head",
    "link": "head",
    "title": "head",
}

#: elements without an end tag (nothing inside them to drop)
VOID_TAGS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)

#: attributes allowed on every element (plus any ``aria-…``)
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "role", "style", "translate"})
ARIA_PREFIX = "aria-"

ATTRIBUTES: dict[str, frozenset[str]] = {
    tag: frozenset(names)
    for tag, names in {
        "a": {"href", "hreflang", "rel", "rev", "name", "type", "target", "download"},
        "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding"},
        "source": {"src", "srcset", "sizes", "type", "media", "width", "height"},
        "track": {"src", "kind", "srclang", "label", "default"},
        "audio": {"src", "controls", "loop", "muted", "preload"},
        "video": {
            "src",
            "controls",
            "loop",
            "muted",
            "preload",
            "poster",
            "width",
            "height",
            "playsinline",
        },
        "td": {"colspan", "rowspan", "headers", "align", "valign"},
        "th": {"colspan", "rowspan", "headers", "scope", "abbr", "align", "valign"},
        "col": {"span", "width", "align"},
        "colgroup": {"span", "width", "align"},
        "ol": {"start", "reversed", "type"},
        "ul": {"type"},
        "li": {"value"},
        "blockquote": {"cite"},
        "q": {"cite"},
        "del": {"cite", "datetime"},
        "ins": {"cite", "datetime"},
        "time": {"datetime"},
        "data": {"value"},
        "details": {"open"},
        "input": {"type", "checked", "disabled"},
        "label": {"for"},
        "meter": {"value", "min", "max", "low", "high", "optimum"},
        "progress": {"value", "max"},
    }.items()
}

#: attributes holding a URL (``srcset`` holds several)
URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite", "srcset"})
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

#: what a ``style`` may not contain (after removing spaces and comments, lower-case)
_STYLE_FORBIDDEN = re.compile(
    r"url\(|image-set\(|image\(|@import|expression\(|"
    r"javascript:|vbscript:|behavior:|-moz-binding|\\"
)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
#: browsers ignore tabs and line breaks inside URLs, and spaces and controls around them
_URL_IGNORED = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


@dataclass(frozen=True)
class Removal:
    """One thing the policy removes: an element (``attribute`` is ``None``) or an
    attribute of an element, with the reason (a key of :data:`MESSAGES`)."""

    element: str
    reason: str
    attribute: str | None = None
    value: str | None = None

    def message(self) -> Message:
        """What was removed and why, in English and Russian."""
        en, ru = MESSAGES[self.reason]
        values = {
            "tag": f"<{self.element}>",
            "attr": self.attribute or "",
            "value": _short(self.value or ""),
        }
        return Message(en.format(**values), ru.format(**values))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_ASK = Message(
    "ask the network maintainer if this town really needs it (trust_html)",
    "если городу это действительно нужно, обратитесь к администратору сети (trust_html)",
)

MESSAGES: dict[str, Message] = {
    "script": Message(
        "a {tag} was removed: pages may not run scripts from content; " + _ASK[0] + ".",
        "{tag} удалён: страницы не могут запускать программы из текста; " + _ASK[1] + ".",
    ),
    "handler": Message(
        "the attribute {attr}= of {tag} was removed: pages may not run scripts from "
        "content; " + _ASK[0] + ".",
        "атрибут {attr}= у {tag} удалён: страницы не могут запускать программы из текста; "
        + _ASK[1]
        + ".",
    ),
    "url": Message(
        "the address “{value}” in {attr}= of {tag} was removed: only web (http, https), "
        "e-mail (mailto:), phone (tel:) and relative addresses are allowed, others such "
        "as javascript: or data: can run code or hide content. Link to a web page or a "
        "file of the site instead.",
        "адрес «{value}» в {attr}= у {tag} удалён: разрешены только адреса сайтов (http, "
        "https), почты (mailto:), телефонов (tel:) и относительные; другие, например "
        "javascript: или data:, могут запускать программы или скрывать содержимое. "
        "Сошлитесь на веб-страницу или файл сайта.",
    ),
    "style": Message(
        "a {tag} block was removed: the look of pages comes from the theme; use a class "
        "({{: .name}}) or ask the network maintainer to add it to the theme.",
        "блок {tag} удалён: оформление страниц задаёт тема; используйте класс "
        "({{: .name}}) или попросите администратора сети добавить его в тему.",
    ),
    "style-attr": Message(
        "the style= of {tag} was removed: it loads something (url(), @import) or runs "
        "code; pictures are inserted with ![text]({{static}}/images/name.jpg).",
        "style= у {tag} удалён: он что-то загружает (url(), @import) или запускает код; "
        "картинки вставляются так: ![текст]({{static}}/images/name.jpg).",
    ),
    "frame": Message(
        "an {tag} was removed with its contents: content may not embed other pages, "
        "players or plug-ins; put a link to it instead.",
        "{tag} удалён вместе с содержимым: в текст нельзя встраивать другие страницы, "
        "проигрыватели и модули; поставьте вместо этого ссылку.",
    ),
    "form": Message(
        "a {tag} was removed with its contents: a static site has no server to receive a "
        "form, so it could only send what readers type to another website; put a link to "
        "the form instead.",
        "{tag} удалён вместе с содержимым: у статического сайта нет сервера, который "
        "принял бы форму, и она могла бы только отправить введённое читателями на другой "
        "сайт; поставьте вместо неё ссылку на форму.",
    ),
    "input": Message(
        "an {tag} field was removed: a static site has no server to receive what readers "
        "type (only task-list check boxes are kept); put a link to the form instead.",
        "поле {tag} удалено: у статического сайта нет сервера, который принял бы "
        "введённое читателями (остаются только флажки списков задач); поставьте ссылку "
        "на форму.",
    ),
    "drawing": Message(
        "an inline {tag} was removed with its contents: it can carry scripts; save it as "
        "a file and insert it as a picture: ![text]({{static}}/images/name.svg).",
        "встроенный {tag} удалён вместе с содержимым: он может содержать программы; "
        "сохраните его файлом и вставьте как картинку: ![текст]({{static}}/images/name.svg).",
    ),
    "head": Message(
        "a {tag} was removed: it belongs to the page head, which the theme writes, and "
        "could redirect readers or change where links lead.",
        "{tag} удалён: он относится к заголовку страницы, который пишет тема, и мог бы "
        "перенаправить читателей или изменить, куда ведут ссылки.",
    ),
    "tag": Message(
        "the tag {tag} is not allowed and was removed; its text is kept.",
        "тег {tag} не разрешён и удалён; его текст сохранён.",
    ),
    "attribute": Message(
        "the attribute {attr}= of {tag} is not allowed and was removed.",
        "атрибут {attr}= у {tag} не разрешён и удалён.",
    ),
}


def normal_url(value: str) -> str:
    """A URL as a browser reads it: without tabs and line breaks, trimmed."""
    return _URL_IGNORED.sub("", value).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b"
        "\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16"
        "\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )


#: Pelican's link placeholders (``{static}/a.jpg``, the old ``|filename|a.md``)
PLACEHOLDERS = frozenset({"filename", "static", "attach", "index", "category", "tag", "author"})
_PLACEHOLDER = re.compile(r"^[{|](\w+)[}|](.*)$", re.S)


def url_allowed(value: str) -> bool:
    """A web, e-mail, phone or relative address.

    A Pelican placeholder (``{static}/images/a.jpg``, ``{index}``, ``{tag}name``) counts
    as relative only when what follows it is a plain relative path: Pelican keeps the
    scheme of what follows, so ``{index}javascript://%0a…`` would become a
    ``javascript:`` link in the page."""
    url = normal_url(value)
    placeholder = _PLACEHOLDER.match(url)
    if placeholder and placeholder.group(1) in PLACEHOLDERS:
        rest = normal_url(placeholder.group(2))
        return (
            _SCHEME.match(rest) is None
            and not rest.startswith("//")
            and ":" not in rest.split("/", 1)[0]
        )
    match = _SCHEME.match(url)
    if match is None:
        return True
    scheme = match.group(1).lower()
    if scheme not in ALLOWED_SCHEMES:
        return False
    return scheme not in ("http", "https") or _web_address_parses(url)


def _web_address_parses(url: str) -> bool:
    """Whether a web address is one a browser (and nh3, which drops the others without
    a word) can read: a host without spaces or stray ``%``, a port that exists."""
    try:
        parts = split_url(url)
        parts.port  # noqa: B018 (raises for a port out of range)
    except ValueError:
        return False
    host = parts.hostname or ""
    return bool(host) and not any(c.isspace() or c in "%<>\\^`{|}" for c in host)


def srcset_allowed(value: str) -> bool:
    """Every candidate of a ``srcset`` is an allowed address."""
    candidates = [part.strip().split()[0] for part in value.split(",") if part.strip()]
    return all(url_allowed(url) for url in candidates)


def style_allowed(value: str) -> bool:
    """A ``style`` that only sets properties: nothing loaded, no code."""
    text = re.sub(r"\s+", "", _CSS_COMMENT.sub("", value)).lower()
    return _STYLE_FORBIDDEN.search(text) is None


def attribute_removal(tag: str, name: str, value: str) -> Removal | None:
    """Why the policy removes attribute ``name="value"`` of a kept ``tag``, if it does."""
    tag, name = tag.lower(), name.lower()
    if name.startswith("on"):
        return Removal(tag, "handler", name, value)
    if not (
        name in GLOBAL_ATTRIBUTES or name.startswith(ARIA_PREFIX) or name in ATTRIBUTES.get(tag, ())
    ):
        return Removal(tag, "attribute", name, value)
    if name == "srcset":
        return None if srcset_allowed(value) else Removal(tag, "url", name, value)
    if name in URL_ATTRIBUTES:
        return None if url_allowed(value) else Removal(tag, "url", name, value)
    if name == "style" and not style_allowed(value):
        return Removal(tag, "style-attr", name, value)
    return None


def element_removal(tag: str, attrs: dict[str, str]) -> Removal | None:
    """Why the policy removes element ``tag`` (with its attributes), if it does."""
    tag = tag.lower()
    if tag in DROPPED_WITH_CONTENT:
        return Removal(tag, DROPPED_WITH_CONTENT[tag])
    if tag not in ALLOWED_TAGS:
        return Removal(tag, "tag")
    if tag == "input" and (attrs.get("type") or "").lower() != "checkbox":
        return Removal(tag, "input")
    return None


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    return None if attribute_removal(tag, name, value) else value


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={
            "*": set(GLOBAL_ATTRIBUTES),
            **{tag: set(names) for tag, names in ATTRIBUTES.items()},
        },
        generic_attribute_prefixes={ARIA_PREFIX},
        attribute_filter=_attribute_filter,
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


#: an ``<input>`` as nh3 writes it (attribute values always in double quotes)
_INPUT = re.compile(r'<input\b((?:[^>"]|"[^"]*")*)>', re.I)
_CHECKBOX = re.compile(r'\stype="checkbox"', re.I)


#: invisible control characters (tab, line feed and carriage return apart), the two
#: "noncharacters" U+FFFE and U+FFFF and lone surrogates: nothing a reader sees, and XML
#: (the feeds) does not allow them at all; a form feed is a space
_CONTROLS = {
    **{
        c: None
        for c in (
            *range(0x00, 0x09),
            0x0B,
            *range(0x0E, 0x20),
            *range(0xD800, 0xE000),
            0xFFFE,
            0xFFFF,
        )
    },
    0x0C: " ",
}


_ANY_CONTROL = re.compile(
    "[" + "".join(f"\\U{c:08x}" if c > 0xFFFF else f"\\u{c:04x}" for c in sorted(_CONTROLS)) + "]"
)


def without_controls(text: str) -> str:
    """``text`` without invisible control characters (see :data:`_CONTROLS`)."""
    return text.translate(_CONTROLS) if _ANY_CONTROL.search(text) else text


def has_controls(text: str) -> bool:
    return _ANY_CONTROL.search(text) is not None


def clean(html: str) -> str:
    """``html`` with everything the policy forbids removed."""
    return _clean_kept(html)


def _clean(html: str) -> str:
    cleaned = _cleaner().clean(without_controls(html))
    if "<input" in cleaned:
        # nh3 cannot drop an element by an attribute's value: fields other than
        # check boxes go here, on its normalised output
        cleaned = _INPUT.sub(lambda m: m.group(0) if _CHECKBOX.search(m.group(1)) else "", cleaned)
    return cleaned


class _Scanner(HTMLParser):
    """Walks HTML and notes what :func:`clean` removes, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.removals: list[Removal] = []
        self.dropped: list[str] = []  # open elements removed with their contents

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, void=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, void=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], void: bool) -> None:
        if self.dropped:
            if tag == self.dropped[-1] and not void:
                self.dropped.append(tag)
            return
        values = {name: value or "" for name, value in attrs}
        removal = element_removal(tag, values)
        if removal is not None:
            self.removals.append(removal)
            if tag in DROPPED_WITH_CONTENT and not void and tag not in VOID_TAGS:
                self.dropped.append(tag)
            return
        seen = set()
        for name, value in attrs:
            if name in seen:  # a repeated attribute is ignored by browsers and nh3
                continue
            seen.add(name)
            found = attribute_removal(tag, name, value or "")
            if found is not None:
                self.removals.append(found)

    def handle_endtag(self, tag: str) -> None:
        if self.dropped and tag == self.dropped[-1]:
            self.dropped.pop()


def removals(html: str) -> list[Removal]:
    """Everything :func:`clean` removes from ``html``, in document order."""
    return list(_removals_kept(html))


#: where a tag starts that is not one of the bare tags Markdown writes most (<p>, </li>…)
_NOT_BARE = re.compile(
    r"<(?!/?(?:p|em|strong|li|ul|ol|h[1-6]|blockquote|tr|td|th|thead|"
    r"tbody|table|code|pre|br|hr|sup|sub|dl|dt|dd|del|mark|s)>)"
)
#: a tag as Markdown writes it: a lower-case name, attributes in double quotes with no
#: markup in them
_SIMPLE_TAG = re.compile(
    r'<(/?)([a-z][a-z0-9]*+)((?:[ ][a-z][a-z0-9-]*+(?:="[^"<>]*+")?)*+)'
    r"[ ]?/?>"
)
_SIMPLE_ATTRIBUTE = re.compile(r'([a-z][a-z0-9-]*+)(?:="([^"]*+)")?')


def _surely_nothing_removed(html: str) -> bool:
    """Whether ``html`` is plainly what Markdown writes, with nothing the policy removes:
    every tag simple, of an allowed element, with allowed attributes. Anything else
    (a comment, an odd tag, a removal) is left to the full scan."""
    for start in _NOT_BARE.finditer(html):
        tag = _SIMPLE_TAG.match(html, start.start())
        if tag is None:
            return False
        if tag.group(1):
            continue
        name = tag.group(2)
        if name == "input" or element_removal(name, {}) is not None:
            return False
        for attribute in _SIMPLE_ATTRIBUTE.finditer(tag.group(3)):
            value = attribute.group(2) or ""
            if attribute_removal(
                name, attribute.group(1), html_unescape(value) if "&" in value else value
            ):
                return False
    return True


def _removals(html: str) -> list[Removal]:
    if "<" not in html or _surely_nothing_removed(html):
        return []
    scanner = _Scanner()
    try:
        scanner.feed(html)
        scanner.close()
    except (AssertionError, ValueError, IndexError):
        # Python's parser gives up on some odd markup (``<![x[``, an unknown marked
        # section) that nh3 simply drops: what was found up to there is reported, and
        # the text is still cleaned as always
        pass
    return scanner.removals


#: a text's results are kept for the run (and shared by its helper processes)
_clean_kept = memo.kept("sanitize.clean", _clean)
_removals_kept = memo.kept("sanitize.removals", _removals)
