"""Is an SVG drawing safe to publish? Judged by a real XML parser, not by a pattern.

An SVG file opened from the site is a document with the site's own rights: a script in
it runs in the readers' browsers, and an address in it can make them load things from
anywhere. A regular expression cannot tell what a browser will see (a prefix such as
``<s:script>``, a file in UTF-16, an entity that expands to ``<script>``), so the drawing
is read here the way a browser reads it and every element and attribute is judged by
its local name, whatever its prefix, after entities and character references are
decoded. What is refused, and why, is in :class:`SvgDanger`; what is checked:

* a DOCTYPE of any kind (entities could hide anything; none is ever expanded);
* processing instructions (``<?xml-stylesheet?>`` can load XSLT, which runs script);
* elements that run or embed code (``script``, ``foreignObject``, ``handler``,
  ``iframe``, ``embed``, ``object``…) and any element in the XHTML or MathML namespace;
* ``on…`` attributes (event handlers) in any namespace;
* addresses (``href``, ``xlink:href``, ``src``, ``xml:base``…) with a scheme or leading
  to another host, except links of ``<a>`` to web pages and e-mail addresses (a link
  loads nothing until it is followed, like a link in a page) and pictures embedded as
  ``data:image/png`` and the like in ``<image>`` (Inkscape's "embed images"; a bitmap
  runs nothing and loads nothing);
* animations (``set``, ``animate``…) of event handlers or addresses, and animated
  values holding an address with a scheme;
* CSS that loads something (``@import``, ``url(…)`` with a scheme or ``//``), in
  ``<style>``, ``style=`` and presentation attributes (``fill="url(#gradient)"`` is fine);
* encodings browsers may read differently from Python (only UTF-8, UTF-16 and a few
  ASCII-compatible one-byte encodings are accepted);
* files that are not well-formed XML or over :data:`MAX_BYTES` (what cannot be checked
  is not published), and ``.svgz`` files whose content unpacks to more than that.

The parser is the standard library's expat (``pyexpat``), used directly rather than
through ``defusedxml``: defusedxml's protection for this use is to refuse the DTD, which
is done here at the very first ``<!DOCTYPE`` before any declaration is read; expat used
directly also gives the line of every event, namespace-resolved names, processing
instructions (ElementTree drops them) and incremental parsing without building a tree,
and needs no new dependency. Expat decodes UTF-8, UTF-16 (with a BOM or detected from
the first bytes, as browsers do) and one-byte encodings through Python's codecs.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.parsers import expat

from gardarika.errors import Message

#: the largest drawing checked (and, for ``.svgz``, the largest it may unpack to)
MAX_BYTES = 10 * 1024 * 1024
#: file name endings of drawings (``.svgz`` is gzip-compressed SVG)
SVG_SUFFIXES = (".svg", ".svgz")
#: at most this many dangers are collected; one is enough to refuse the file
MAX_DANGERS = 100
#: expat is given the bytes in pieces of this size, so it can stop early
CHUNK = 1024 * 1024

# kinds of danger, each with its own explanation
RUNS = "runs"  # would run code in the readers' browsers
LOADS = "loads"  # would fetch something from elsewhere when shown
DOCTYPE = "doctype"  # a document type declaration
INSTRUCTION = "instruction"  # a processing instruction
ENCODING = "encoding"  # an encoding we do not trust browsers to read alike
UNREADABLE = "unreadable"  # not well-formed XML, or a broken .svgz
TOO_BIG = "too-big"  # over MAX_BYTES

XHTML = "http://www.w3.org/1999/xhtml"
MATHML = "http://www.w3.org/1998/Math/MathML"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
#: namespaces whose every element a browser treats as a web page's (with scripts)
FOREIGN = (XHTML, MATHML)
#: elements that run or embed code (local names, lower case)
ACTIVE_ELEMENTS = frozenset(
    {
        "script",
        "foreignobject",
        "handler",
        "listener",
        "iframe",
        "frame",
        "frameset",
        "embed",
        "object",
        "applet",
        "portal",
        "fencedframe",
    }
)
#: elements that animate another element's attribute
ANIMATIONS = frozenset(
    {"set", "animate", "animatemotion", "animatetransform", "animatecolor", "discard"}
)
#: attributes that must not be animated (besides ``on…``)
UNANIMATABLE = frozenset({"href", "src", "base"})
#: attributes holding one address (local names)
ADDRESS_ATTRIBUTES = frozenset({"href", "src", "base", "poster"})
#: attributes holding several addresses
ADDRESS_LISTS = frozenset({"srcset", "ping"})
#: schemes an ``<a>`` may link to: following a link is the reader's choice
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
#: elements that show a picture, which may be embedded as a bitmap data: address
PICTURE_ELEMENTS = frozenset({"image", "feimage"})
EMBEDDED_BITMAP = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp|avif|bmp)[;,]")
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "data"})
#: encodings browsers and expat read alike (ASCII-compatible or UTF-16); labels as the
#: XML declaration writes them, lower case, ``_`` as ``-``
SAFE_ENCODINGS = frozenset(
    {
        "utf-8",
        "utf-16",
        "utf-16le",
        "utf-16be",
        "us-ascii",
        "ascii",
        "iso-8859-1",
        "latin1",
        "iso-8859-5",
        "iso-8859-15",
        "windows-1251",
        "cp1251",
        "windows-1252",
        "cp1252",
        "koi8-r",
        "koi8-u",
    }
)

SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*")
#: one escape of CSS: up to six hex digits and one space, or any other character
CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n]?|(.)|\Z)", re.DOTALL)
#: CSS functions whose arguments are fetched (and their ``-webkit-`` spellings)
CSS_FETCH = ("url", "src", "image-set", "image", "cross-fade")
#: in CSS without escapes, what may load something; without it there is nothing to split
CSS_SUSPECT = re.compile(r"(?:url|src|image|image-set|cross-fade|expression)\(|@import")
#: ``url(#gradient)``, which fetches nothing and is in most styles of real drawings
CSS_FRAGMENT_URL = re.compile(r"url\(#[\w\-.]*\)")
_ESCAPE = r"\\(?:[0-9a-fA-F]{1,6}[ \t\n]?|[^\n0-9a-fA-F])"
_NAME_START = r"(?:[A-Za-z_\u0080-\U0010ffff]|" + _ESCAPE + ")"
_NAME = rf"(?>(?:-?{_NAME_START}|--)(?:[\w\-\u0080-\U0010ffff]|{_ESCAPE})*+)"
_STRING = (
    r'(?:"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+(?:"|(?=\n)|\Z)'
    r"|'[^'\\\n]*+(?:\\.[^'\\\n]*+)*+(?:'|(?=\n)|\Z))"
)
#: a string that cannot hold a scheme or ``//`` (no ``:``, no ``\``, no ``//``)
_PLAIN_STRING = (
    r'(?:"[^"\\\n:/]*+(?:/(?![/\t])[^"\\\n:/]*+)*+"'
    r"|'[^'\\\n:/]*+(?:/(?![/\t])[^'\\\n:/]*+)*+')"
)
#: what can be skipped at once: anything but names before "(", at-keywords, parentheses
#: and ``;{}``; never the start of a name, so that ``\75 rl(`` is read whole
_SKIP = (
    r"/\*.*?(?:\*/|\Z)|" + _NAME + r"(?!\()"
    r"|[^\"'/@()\\;{}A-Za-z_\u0080-\U0010ffff\-]++|/(?!\*)|-(?!-|" + _NAME_START + ")"
    r"|\\(?=\n|\Z)|@(?!-?" + _NAME_START + "|--)"
)
_TOKENS = (
    rf"|@(?P<at>{_NAME})|(?P<function>{_NAME})(?P<call>\(+)|(?P<open>\(+)"
    rf"|(?P<close>\)+)|(?P<end>[;{{}}]+)|(?P<string>{_STRING})|."
)


@cache
def css_token(fetching: bool) -> re.Pattern[str]:
    """CSS split as browsers split it (CSS Syntax 3), outside any fetching function,
    and inside one (``fetching``), where a string that could be an address elsewhere
    is a token. Compiled when first needed: each takes longer to compile (about 30 ms)
    than most builds spend on CSS, and every command imports this module."""
    strings = _PLAIN_STRING if fetching else _STRING
    return re.compile(rf"(?P<skip>(?:{_SKIP}|{strings})++){_TOKENS}", re.DOTALL)


#: ``url(`` followed by a string is a function like any other, not a ``url(…)`` token
CSS_QUOTE_NEXT = re.compile(r"[ \t\n]*+[\"']")
#: the rest of an unquoted ``url(…)`` (a browser reads it whole, comments and all)
#: the address after ``@import``: a string or ``url(…)`` (anything else, such as a
#: comment first, is not read and the ``@import`` counts as harm)
CSS_IMPORT_ADDRESS = re.compile(
    r"""[ \t\n]*+(?:url\([ \t\n]*+["']?|["'])(?P<address>(?:\\.|[^"'()\\ \t\n])++)""",
    re.DOTALL | re.IGNORECASE,
)
CSS_URL_REST = re.compile(r"[^)\\]*+(?:\\.[^)\\]*+)*+\)?", re.DOTALL)
NETWORK_PATH = ("//", "\\\\", "/\\", "\\/")
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class SvgDanger:
    """One reason not to publish a drawing: where (``line``, ``None`` for the whole
    file), what was found there (``found``, as short as the markup allows) and which
    kind of harm it does (``kind``), so each caller can explain it the same way."""

    line: int | None
    found: str
    kind: str

    @property
    def what(self) -> str:
        """The same as ``found``, for callers that name it so."""
        return self.found

    @property
    def message(self) -> Message:
        """What is wrong and what to do, for editors."""
        return Message(self.en, self.ru)

    @property
    def en(self) -> str:
        """What is wrong and what to do, for editors, in English."""
        found = self.found
        if self.kind == DOCTYPE:
            return (
                f"this drawing starts with a document type declaration (“{found}”), "
                "which can hide anything inside the drawing. Save it again without a "
                "DOCTYPE (in Inkscape: “Save as…” → “Plain SVG”), or delete it in a "
                "text editor, from “<!DOCTYPE” to its closing “>”."
            )
        if self.kind == INSTRUCTION:
            return (
                f"this drawing contains the instruction “{found}”, which can make the "
                "browser load and run a program. Delete it, or save the drawing again "
                "as “Plain SVG” (in Inkscape), or as a PNG picture."
            )
        if self.kind == LOADS:
            return (
                f"this drawing contains “{found}”, which would load something from "
                "elsewhere when the drawing is shown; a drawing must be complete in "
                "itself and work offline. Embed what it shows in the drawing (in "
                "Inkscape: Extensions → Images → Embed Images) and save it as “Plain "
                "SVG”, or save the drawing as a PNG picture."
            )
        if self.kind == ENCODING:
            return (
                f"this drawing is written in the encoding “{found}”, which browsers may "
                "read differently. Save it again in UTF-8 (Inkscape always does), or "
                "as a PNG picture."
            )
        if self.kind == UNREADABLE:
            return (
                f"this drawing cannot be read ({found}), so it cannot be checked and "
                "is not published. Open it in Inkscape and save it again as “Plain "
                "SVG”, or save it as a PNG picture."
            )
        if self.kind == TOO_BIG:
            return (
                f"this drawing is too big to check ({found}). Simplify it (in "
                "Inkscape: Path → Simplify, or fewer embedded pictures), or save it as "
                "a PNG or JPEG picture."
            )
        return (
            f"this drawing contains “{found}”, which would run in the readers' "
            "browsers. Save it again without scripts (in Inkscape: “Plain SVG”), or "
            "as a PNG picture."
        )

    @property
    def ru(self) -> str:
        """The same in Russian."""
        found = self.found
        if self.kind == DOCTYPE:
            return (
                f"рисунок начинается с объявления типа документа («{found}»), в "
                "котором можно спрятать что угодно. Сохраните его заново без DOCTYPE "
                "(в Inkscape: «Сохранить как…» → «Обычный SVG») или удалите его в "
                "текстовом редакторе — от «<!DOCTYPE» до закрывающей «>»."
            )
        if self.kind == INSTRUCTION:
            return (
                f"в рисунке есть инструкция «{found}» — по ней браузер может загрузить "
                "и выполнить программу. Удалите её или сохраните рисунок заново как "
                "«Обычный SVG» (в Inkscape) или картинкой PNG."
            )
        if self.kind == LOADS:
            return (
                f"в рисунке есть «{found}» — при показе рисунка это загружало бы "
                "что-то со стороны, а рисунок должен быть самодостаточным и работать "
                "без сети. Встройте показываемое в сам рисунок (в Inkscape: "
                "Расширения → Изображения → Внедрить изображения) и сохраните его как "
                "«Обычный SVG» или сохраните рисунок картинкой PNG."
            )
        if self.kind == ENCODING:
            return (
                f"рисунок записан в кодировке «{found}», которую браузеры могут "
                "прочитать по-другому. Сохраните его заново в UTF-8 (Inkscape всегда "
                "так сохраняет) или картинкой PNG."
            )
        if self.kind == UNREADABLE:
            return (
                f"рисунок не удаётся прочитать ({found}), поэтому его нельзя проверить "
                "и он не публикуется. Откройте его в Inkscape и сохраните заново как "
                "«Обычный SVG» или сохраните картинкой PNG."
            )
        if self.kind == TOO_BIG:
            return (
                f"рисунок слишком велик для проверки ({found}). Упростите его (в "
                "Inkscape: Контур → Упростить, или меньше встроенных картинок) или "
                "сохраните картинкой PNG или JPEG."
            )
        return (
            f"в рисунке есть «{found}» — это выполнялось бы в браузерах читателей. "
            "Сохраните его без скриптов (в Inkscape: «Обычный SVG») или картинкой PNG."
        )


class _Stop(Exception):
    """Raised from a parser handler to stop reading: nothing after it needs judging."""


def _shown(value: str, limit: int = 40) -> str:
    """A value as it can be quoted in a message: one line, short, nothing invisible."""
    value = "".join(c if c.isprintable() else " " for c in value).strip()
    return value if len(value) <= limit else value[:limit] + "…"


def browser_address(value: str) -> str:
    """An address the way a browser's URL parser sees it before looking for a scheme:
    leading and trailing spaces and control characters stripped, tabs and newlines
    anywhere removed (``java&#x09;script:`` is ``javascript:``)."""
    value = value.strip("".join(map(chr, range(0x21))))
    return value.replace("\t", "").replace("\n", "").replace("\r", "")


def address_scheme(value: str) -> str | None:
    """The scheme of an address (lower case), or ``None`` for a relative one.

    Stricter than a browser: any ``:`` before the first ``/``, ``?`` or ``#`` counts as
    a scheme, even when a browser would read the address as a relative path, so that no
    spelling of a scheme slips through as "relative"."""
    address = browser_address(value)
    end = min((i for i in (address.find(c) for c in "/?#") if i >= 0), default=len(address))
    colon = address.find(":", 0, end)
    return address[:colon].lower() if colon >= 0 else None


def address_harm(value: str, element: str) -> str | None:
    """``RUNS``, ``LOADS`` or ``None`` for an address in an element (local name, lower
    case): same-document fragments and relative files are fine everywhere, links of
    ``<a>`` to web pages and e-mail, and bitmaps embedded in pictures, too."""
    address = browser_address(value)
    scheme = address_scheme(address)
    if scheme is None:
        if address.startswith(NETWORK_PATH) and element != "a":
            return LOADS  # "//host/file" is on another host, whatever the scheme
        return None
    if element == "a" and scheme in LINK_SCHEMES:
        return None
    if element in PICTURE_ELEMENTS and EMBEDDED_BITMAP.match(address.lower()):
        return None
    if scheme in SCRIPT_SCHEMES or not SCHEME.fullmatch(scheme):
        return RUNS
    return LOADS


def _css_decoded(text: str) -> str:
    """A CSS name or string with its escapes decoded (``u\\72l`` is ``url``)."""

    def decode(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code < 0xE000 else "\ufffd"
        return match.group(2) if match.group(2) not in (None, "\n") else ""

    return CSS_ESCAPE.sub(decode, text)


def _fetches_elsewhere(value: str) -> bool:
    """Does a fetched CSS address have a scheme or lead to another host?"""
    address = browser_address(value)
    return ":" in address or any(mark in address for mark in NETWORK_PATH)


def css_harm(css: str, sheet: bool, fetches: Callable[[str], bool] | None = None) -> str | None:
    """What in a piece of CSS loads something (``@import``, ``url(https://…)``), or
    ``None``. ``sheet`` is for a style sheet or ``style=`` (where ``@import`` and
    ``expression(`` mean something), not a single value such as ``fill="url(#a)"``.
    ``fetches(address)``: whether loading that address is the harm (default: any address
    with a scheme or of another host, as for a drawing); ``@import`` counts only when its
    address does too, unless that is the default.

    CSS is split into tokens the way browsers do (strings with their escapes, comments,
    ``url(`` read whole), since a pattern over the text can be fooled by a ``)`` in a
    string or an escaped letter; what is inside ``url()``, ``image-set()``… is judged.
    Runs of what cannot matter are skipped by one match, so hostile CSS stays linear."""
    if "\\" not in css and not CSS_SUSPECT.search(CSS_FRAGMENT_URL.sub("", css.lower())):
        return None  # sound: taking out a url(#id) cannot hide a call or an @import
    judged = fetches or _fetches_elsewhere
    css = css.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    depth = 0  # open parentheses
    fetching: list[tuple[str, int]] = []  # open fetching functions, with their depth
    namespace_rule = False  # in ``@namespace …;``, whose url() only names a namespace
    position = 0
    while position < len(css):
        token = css_token(bool(fetching)).match(css, position)
        assert token is not None  # the last alternative matches any character
        position = token.end()
        if token["skip"] is not None:
            continue
        if token["at"] is not None:
            name = _css_decoded(token["at"][-256:]).lower()
            if sheet and name == "import":
                if fetches is None:
                    return "@import"
                imported = CSS_IMPORT_ADDRESS.match(css, position)
                address = _css_decoded(imported.group("address")) if imported else ""
                if not address or judged(address):
                    return f"@import {_shown(browser_address(address))}".rstrip()
            namespace_rule = name == "namespace"
        elif token["function"] is not None:
            name = _css_decoded(token["function"][-256:]).lower()  # the end decides
            if sheet and name.endswith("expression"):
                return "expression("
            opened = len(token["call"])
            if name == "url" and not CSS_QUOTE_NEXT.match(css, position - opened + 1):
                rest = CSS_URL_REST.match(css, position - opened + 1)
                assert rest is not None
                position = rest.end()
                value = _css_decoded(rest.group(0).removesuffix(")"))
                if not namespace_rule and judged(value):
                    return f"url({_shown(browser_address(value))})"
                continue
            if name.endswith(CSS_FETCH):
                fetching.append((name, depth + 1))
            depth += opened
        elif token["open"] is not None:
            depth += len(token["open"])
        elif token["close"] is not None:
            depth = max(0, depth - len(token["close"]))
            while fetching and fetching[-1][1] > depth:
                fetching.pop()
        elif token["end"] is not None:
            namespace_rule = False
        elif token["string"] is not None and fetching and not namespace_rule:
            raw = token["string"]
            value = _css_decoded(raw[1:-1] if len(raw) > 1 and raw[-1] == raw[0] else raw[1:])
            if judged(value):
                return f"{fetching[-1][0]}({_shown(_css_decoded(raw))})"
    return None


def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) of a name as expat reports it with ``" "`` between."""
    namespace, _, local = name.rpartition(" ")
    return namespace, local


def _attribute_shown(namespace: str, local: str) -> str:
    prefix = {XLINK: "xlink:", XML: "xml:"}.get(namespace, "")
    return prefix + local


class _Judge:
    """Expat handlers that note every danger with its line (state for one parse)."""

    def __init__(self, parser: expat.XMLParserType, bom: str | None) -> None:
        self.parser = parser
        self.bom = bom
        self.dangers: list[SvgDanger] = []
        self.depth = 0
        self.style_depth = 0  # depth of the <style> being read, 0 outside
        self.style_line = 0
        self.style_text: list[str] = []

    def note(self, found: str, kind: str, line: int | None = None) -> None:
        self.dangers.append(SvgDanger(line or self.parser.CurrentLineNumber, found, kind))
        if len(self.dangers) >= MAX_DANGERS:
            raise _Stop

    def declaration(self, version: str, encoding: str | None, standalone: int) -> None:
        """Called before expat switches to the declared encoding, so a refused one is
        never decoded."""
        del version, standalone
        if encoding is None:
            return
        label = encoding.strip().lower().replace("_", "-")
        wrong_family = (self.bom == "utf-8" and label != "utf-8") or (
            self.bom == "utf-16" and not label.startswith("utf-16")
        )
        if label not in SAFE_ENCODINGS or wrong_family:
            self.note(_shown(encoding), ENCODING)
            raise _Stop

    def doctype(self, name: str, *rest: object) -> None:
        """Refused before expat reads a single declaration of it."""
        del rest
        self.note(f"<!DOCTYPE {_shown(name)}", DOCTYPE)
        raise _Stop

    def instruction(self, target: str, data: str) -> None:
        del data
        self.note(f"<?{_shown(target)} …?>", INSTRUCTION)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        namespace, local = _local(name)
        element = local.lower()
        if namespace in FOREIGN:
            self.note(f'<{_shown(local)} xmlns="{namespace}">', RUNS)
        elif element in ACTIVE_ELEMENTS:
            self.note(f"<{_shown(local)}>", RUNS)
        if element == "style" and not self.style_depth:
            self.style_depth, self.style_line = self.depth, self.parser.CurrentLineNumber
        for key, value in attributes.items():
            self.attribute(element, local, key, value)
        if element in ANIMATIONS:
            self.animation(local, attributes)

    def attribute(self, element: str, tag: str, key: str, value: str) -> None:
        namespace, local = _local(key)
        name = local.lower()
        shown = _attribute_shown(namespace, local)
        if name.startswith("on"):
            self.note(f"{_shown(shown)}=", RUNS)
        elif name in ADDRESS_ATTRIBUTES or name in ADDRESS_LISTS:
            # xml:base counts as an address of no <a>: it moves every address below it
            context = "" if name == "base" else element
            parts = re.split(r"[\s,]+", value) if name in ADDRESS_LISTS else [value]
            for part in parts:
                harm = address_harm(part, context)
                if harm:
                    self.note(f'{_shown(shown, 20)}="{_shown(browser_address(part))}"', harm)
                    break
        else:
            found = css_harm(value, sheet=name == "style")
            if found:
                self.note(f"<{_shown(tag, 20)} {_shown(shown, 20)}=…{found}…>", LOADS)

    def animation(self, tag: str, attributes: dict[str, str]) -> None:
        """``<set attributeName="onclick" to="…">`` is an event handler written another
        way, and an animated address is an address."""
        target = next((v for k, v in attributes.items() if _local(k)[1] == "attributeName"), "")
        animated = target.strip().rpartition(":")[2].lower()
        if animated.startswith("on") or animated in UNANIMATABLE:
            self.note(f'<{tag} attributeName="{_shown(target)}">', RUNS)
            return
        for key, value in attributes.items():
            local = _local(key)[1]
            if local not in ("to", "from", "by", "values"):
                continue
            for part in value.split(";"):
                if address_scheme(part) is not None:
                    self.note(f'<{tag} {local}="{_shown(browser_address(part))}">', RUNS)
                    return

    def end(self, name: str) -> None:
        del name
        if self.depth == self.style_depth:
            found = css_harm("".join(self.style_text), sheet=True)
            if found:
                self.note(f"<style>…{found}…</style>", LOADS, self.style_line)
            self.style_depth, self.style_text = 0, []
        self.depth -= 1

    def text(self, data: str) -> None:
        if self.style_depth:
            self.style_text.append(data)


def _bom(data: bytes) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return None


def _megabytes(size: int) -> str:
    return f"over {size // (1024 * 1024)} MB"


def svg_dangers(data: bytes) -> list[SvgDanger]:
    """Everything in the bytes of an SVG file that keeps it from being published, in
    the order found (at most :data:`MAX_DANGERS`); an empty list means it is safe.

    Gzip-compressed bytes (a ``.svgz`` file; XML never starts with their first byte) are
    unpacked and checked as :func:`svgz_dangers` does, so callers need not look at the
    file's name. Pure: reads nothing but ``data``, never raises for any input. The
    DOCTYPE, a refused encoding and a well-formedness error end the reading, as there is
    nothing sure to judge after them."""
    if len(data) > MAX_BYTES:
        return [SvgDanger(None, _megabytes(MAX_BYTES), TOO_BIG)]
    if data.startswith(GZIP_MAGIC):
        return svgz_dangers(data)
    return _parsed_dangers(data)


def _parsed_dangers(data: bytes) -> list[SvgDanger]:
    """:func:`svg_dangers` of XML bytes (never unpacked again: a gzip file may unpack to
    itself)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    judge = _Judge(parser, _bom(data))
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.XmlDeclHandler = judge.declaration
    parser.StartDoctypeDeclHandler = judge.doctype
    parser.ProcessingInstructionHandler = judge.instruction
    parser.StartElementHandler = judge.start
    parser.EndElementHandler = judge.end
    parser.CharacterDataHandler = judge.text
    view = memoryview(data)
    try:
        for offset in range(0, len(data), CHUNK):
            parser.Parse(view[offset : offset + CHUNK], False)
        parser.Parse(b"", True)
    except _Stop:
        pass
    except expat.ExpatError as error:
        judge.dangers.append(
            SvgDanger(error.lineno or None, expat.ErrorString(error.code), UNREADABLE)
        )
    except (ValueError, LookupError) as error:  # e.g. a multi-byte encoding expat lacks
        judge.dangers.append(SvgDanger(parser.CurrentLineNumber or None, str(error), UNREADABLE))
    return judge.dangers


def gunzip(data: bytes, limit: int = MAX_BYTES) -> bytes | None:
    """The content of gzip ``data`` (all its members, as ``gzip -d`` gives), or ``None``
    when it would be over ``limit`` bytes: never more than ``limit + 1`` bytes are made,
    so a gzip bomb costs no memory. Raises :class:`zlib.error` for broken data."""
    out = bytearray()
    unpack = zlib.decompressobj(16 + zlib.MAX_WBITS)
    rest = data
    while True:
        piece = unpack.decompress(rest, limit + 1 - len(out))
        out += piece
        if len(out) > limit:
            return None
        if unpack.eof:
            rest = unpack.unused_data
            if not rest:
                return bytes(out)
            unpack = zlib.decompressobj(16 + zlib.MAX_WBITS)  # another member
            continue
        rest = unpack.unconsumed_tail
        if not piece and not rest:
            raise zlib.error("the compressed data ends too early")


def svgz_dangers(data: bytes) -> list[SvgDanger]:
    """:func:`svg_dangers` of a ``.svgz`` file (gzip-compressed SVG, which browsers show
    as SVG): unpacked to at most :data:`MAX_BYTES`, else refused as too big."""
    try:
        content = gunzip(data)
    except zlib.error as error:
        return [SvgDanger(None, f"not a gzip-compressed SVG: {error}", UNREADABLE)]
    if content is None:
        return [SvgDanger(None, f"{_megabytes(MAX_BYTES)} when unpacked", TOO_BIG)]
    return _parsed_dangers(content)


def file_dangers(path: Path) -> list[SvgDanger]:
    """:func:`svg_dangers` (or :func:`svgz_dangers` for ``.svgz``) of a file, reading at
    most :data:`MAX_BYTES` + 1 bytes of it. Raises :class:`OSError` if it cannot be read."""
    with Path(path).open("rb") as file:
        data = file.read(MAX_BYTES + 1)
    if Path(path).suffix.lower() == ".svgz" and len(data) <= MAX_BYTES:
        return svgz_dangers(data)  # even if it is not gzip: then it is unreadable
    return svg_dangers(data)
