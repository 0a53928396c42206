"""What a reader sees (and hears) on a built page, with the language of each piece."""

from __future__ import annotations

from html.parser import HTMLParser

from gardarika.render.sanitize import VOID_TAGS

SPOKEN_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
HIDDEN_ELEMENTS = {"script", "style", "template"}
VOID_ELEMENTS = VOID_TAGS  # the HTML standard's, as the cleaning knows them


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.hidden = 0
        self.pieces: list[tuple[str, str]] = []

    def lang(self) -> str:
        for _, lang in reversed(self.stack):
            if lang:
                return lang
        return ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in HIDDEN_ELEMENTS:
            self.hidden += 1
        lang = values.get("lang")
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, lang))
        piece_lang = lang or self.lang()
        if tag == "meta" or self.hidden:
            return
        for name in SPOKEN_ATTRIBUTES:
            if values.get(name):
                self.pieces.append((values[name] or "", piece_lang))

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_ELEMENTS:
            self.hidden = max(0, self.hidden - 1)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.pieces.append((data.strip(), self.lang()))


def text_pieces(html: str) -> list[tuple[str, str]]:
    """(text, language) for every piece of visible or spoken text of a page."""
    walker = _Walker()
    walker.feed(html)
    return walker.pieces


def text_in(html: str, lang: str) -> str:
    """All the text of a page that is (declared to be) in ``lang``, joined by newlines."""
    return "\n".join(text for text, piece_lang in text_pieces(html) if piece_lang == lang)
