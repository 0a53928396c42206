"""Links made from addresses pasted into a text (a Markdown extension).

An editor pastes ``https://example.org/program``, ``www.example.org`` or
``name@example.org`` into a sentence and expects a link. After Markdown has read the
inline markup, one pass over the text of every element (not links, code or
preformatted text) finds such addresses with one regular expression and makes each a
link: ``http`` and ``https`` addresses as written, ``www.`` ones with ``http://``
before them, e-mail addresses with ``mailto:`` (no other scheme: pages may link only
to those, see :mod:`gardarika.render.sanitize`). Punctuation that ends the
sentence (``.``, ``,``, ``)`` without its ``(``…) is not part of the address.

This does what ``pymdownx.magiclink`` did for Gardarika, in a fraction of the time:
magiclink runs two complex patterns through Markdown's inline machinery over every
piece of text again after each match, which cost a long text a third of its Markdown
time. No other scheme is ever linked (never ``javascript:``, nor ``ftp:``, which the
cleaning would take out of the link again).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

#: elements whose text is never made into links
_SKIP = frozenset(
    {"a", "code", "pre", "kbd", "samp", "var", "script", "style", "textarea", "button"}
)
#: an address from its start: not inside a word, a path or another address. Markdown's
#: placeholders (\x02…\x03) and markup never belong to one.
_ADDRESS = re.compile(
    r"(?<![\w/@.+\-:])(?:"
    r"(?P<url>[Hh][Tt][Tt][Pp][Ss]?://[^\s<>\"'«»`\x02\x03]++)"
    r"|(?P<www>[Ww][Ww][Ww]\.[\w\-]++\.[^\s<>\"'«»`\x02\x03]++)"
    r"|(?P<mail>[\w.+\-]++@[\w\-]++(?:\.[\w\-]++)++))"
)
_TRAILING = ".,:;!?*_~"
_PAIRS = {")": "(", "]": "["}


def _trimmed(address: str) -> str:
    """``address`` without the punctuation after it that belongs to the sentence (each
    bracket counted once: linear however many there are)."""
    closing = {c: address.count(c) for c in _PAIRS}
    opening = {c: address.count(o) for c, o in _PAIRS.items()}
    end = len(address)
    while end:
        last = address[end - 1]
        if last in _TRAILING:
            end -= 1
        elif last in _PAIRS and closing[last] > opening[last]:
            closing[last] -= 1
            end -= 1
        else:
            break
    return address[:end]


def _pieces(text: str) -> list[str | etree.Element]:
    """``text`` as text and links, in order; just ``[text]`` when it has no address."""
    pieces: list[str | etree.Element] = []
    position = 0
    for match in _ADDRESS.finditer(text):
        if match.start() < position:
            continue
        address = match.group(0)
        if match.group("mail"):
            address = address.rstrip(".")
            if "." not in address.rsplit("@", 1)[1]:
                continue
            href = f"mailto:{address}"
        elif match.group("www"):
            address = _trimmed(address)
            href = f"http://{address}"
        else:
            address = _trimmed(address)
            href = address
            if address.endswith("/") and address.count("/") == 2:
                continue  # "https://" alone
        link = etree.Element("a", {"href": href})
        link.text = AtomicString(address)
        pieces.append(text[position : match.start()])
        pieces.append(link)
        position = match.start() + len(address)
    if not pieces:
        return [text]
    pieces.append(text[position:])
    return pieces


def _may_hold_address(text: str | None) -> bool:
    return (
        bool(text)
        and not isinstance(text, AtomicString)
        and ("://" in text or "@" in text or "www." in text or "WWW." in text)
    )  # type: ignore[operator]


class _Linker(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        self._element(root)

    def _element(self, element: etree.Element) -> None:
        if element.tag in _SKIP:
            return
        children = list(element)
        inserted = 0  # links put in before the child at hand
        if _may_hold_address(element.text):
            pieces = _pieces(element.text)  # type: ignore[arg-type]
            if len(pieces) > 1:
                element.text = pieces[0]  # type: ignore[assignment]
                inserted += self._insert(element, 0, pieces[1:])
        for number, child in enumerate(children):
            self._element(child)
            if _may_hold_address(child.tail):
                pieces = _pieces(child.tail)  # type: ignore[arg-type]
                if len(pieces) > 1:
                    child.tail = pieces[0]  # type: ignore[assignment]
                    inserted += self._insert(element, number + inserted + 1, pieces[1:])

    @staticmethod
    def _insert(parent: etree.Element, index: int, pieces: list[str | etree.Element]) -> int:
        """Put links (each followed by the text after it) into ``parent`` at ``index``;
        how many were put in."""
        count = 0
        for piece in pieces:
            if isinstance(piece, str):
                parent[index - 1].tail = piece
            else:
                parent.insert(index, piece)
                index += 1
                count += 1
        return count


class AutolinkExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # after the inline markup (20), before the output is tidied (10)
        md.treeprocessors.register(_Linker(md), "gardarika_autolink", 15)


def makeExtension(**kwargs: Any) -> AutolinkExtension:
    return AutolinkExtension(**kwargs)
