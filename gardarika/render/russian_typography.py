"""Russian typography of our own, in one pass over an HTML fragment.

One scanner (:data:`_SCAN`) finds, left to right, every place a rule may apply: a tag, a
quote, a dash, a number, a short word, a particle, initials, an abbreviation, an
ellipsis, and the tokens that are never touched (addresses, e-mail addresses, file
names). Between those places the text is copied as it is. Each place is settled by a
small handler that knows the state carried along the text: the last character written
(is this dash at the start of a line? does this quote open or close?) and how deep the
quotes are nested. Nothing is read twice, so the time is linear in the length of the
text; the scanner's alternatives are possessive or start only at a word's start, so no
input makes it backtrack far.

The rules (``tests/data/typography_ru/`` holds the cases, by rule):

- quotes «…» outside, „…“ inside at any depth, from straight quotes, ``&quot;``,
  English quotes and mis-nested guillemets; they open after a space or at a start and
  close after a word or punctuation, carry across inline tags and start afresh in every
  block (paragraph, list item, heading, cell); a straight quote that is neither (``17"``)
  stays;
- an em dash between words, with a no-break space before it; a dialogue dash at the
  start of a paragraph or line, with a no-break space after it; an en dash in ranges of
  numbers, Roman numerals and times (1941–1945, XX–XXI, 10:00–18:00), never in dates,
  phone numbers, times written ``9-00`` or ordinals;
- no-break spaces after one- and two-letter words and short prepositions and
  conjunctions (a hyphenated word is one word), before particles, in initials, between
  a number and its unit, after ``№`` and ``§``, in thousands and after abbreviations;
- ``...`` becomes an ellipsis.

Never touched: tags and attributes, comments, the content of ``code``, ``pre``, ``kbd``,
``samp``, ``var``, ``script``, ``style``, ``textarea``, ``math`` and ``svg``, and in
running text addresses, e-mail addresses, file names, times, dates and phone numbers.
Typesetting typeset text changes nothing. Only U+00A0 is used as a no-break space.
"""

from __future__ import annotations

import re
from typing import ClassVar

from gardarika.render.typesetter import (
    CLOSED,
    ELLIPSIS,
    KEEP,
    MARKUP,
    NBSP,
    NUMBER,
    OPENED,
    OPENS_AFTER,
    RANGE_END,
    TIME,
    Typesetter,
    is_leading_zero,
    same_start,
)

__all__ = ["typeset"]

_SHORT = (
    "без|для|над|под|про|при|изо|обо|ото|вне|что|как|или|где|кто|чем|зато|либо|"
    "тоже|также|перед|через|между|около|после|возле"
)
#: units that follow a number: 5 кг, 25 °C, 5 %, в 2024 г., XX в.
#: (в., вв., гг. only with their dot: without it «в» is a preposition; no «с» for
#: seconds: «из 1222 с трудом» is the preposition)
_UNITS = (
    "(?:(?:кг|мг|ц|км|см|мм|дм|мкм|га|мл|л|м|т|г|°[CСFК]?|℃|%|‰|₽|руб|коп|тыс|млн|"
    "млрд|трлн|ч|мин|сек|мс|чел|шт|экз|кВт|Вт|кВ|мА|Гц|кГц|МГц|ГГц|КБ|МБ|ГБ|ТБ|"
    "Кб|Мб|Гб|дБ|м²|м³|км²|см²|пп?|стр)(?:\\.|(?![\\w]))|(?:л\\.с|гг|вв?)\\.)"
)


def _after(
    words: str, before: str = r"(?<![\w\-\u2011\u00ad'’])", ending: str = "", flags: str = "i"
) -> str:
    """A lookbehind that the text before the current character is one of ``words``
    (``|``-separated) plus ``ending``, as a whole word: one fixed-width lookbehind for
    each length of word, as Python's regular expressions need."""
    by_length: dict[int, list[str]] = {}
    for word in words.split("|"):
        by_length.setdefault(len(word.replace("\\", "")), []).append(word)
    return (
        "(?:"
        + "|".join(
            rf"(?<=(?{flags}:{before}(?:{'|'.join(group)}){ending}))"
            for _, group in sorted(by_length.items())
        )
        + ")"
    )


_LETTER = "[а-яё]"
#: a space, a tab or a no-break space: what the rules that start at a space start with
_SPACE = r"[ \t\u00a0]"
#: the rules, each starting with one character or class (see the module docstring);
#: those that start with the same one are written as one alternative (same_start)
_SCAN = re.compile(
    MARKUP + "|" + KEEP +
    # entities that are quotes or spaces
    r"|&(?P<entity>)(?:quot|laquo|raquo|bdquo|ldquo|rdquo|nbsp|#34|#x22|#160|#xa0);"
    # quotes
    r"|[\"«»„“”‟](?P<quote>)"
    "|"
    + same_start(
        _SPACE,
        # a dash with spaces before it; or at the start of a line, after a tag or an
        # entity (from the first space of a run only: a long run is read once)
        _SPACE + r"(?P<dash>)(?<![ \t\u00a0]{2})[ \t\u00a0]*+(?:---?|-|[—–])(?=[\s<]|\Z)",
        # a particle keeps the word before it: придёт ли, если бы
        _SPACE + r"(?P<particle>)(?<=[\w»)][ ])(?:ли|ль|же|ж|бы|б)(?![\w\-\u2011/])"
        r"(?P<then>[ ](?=\S))?",
        # a one- or two-letter word, a short preposition or conjunction keeps the next
        # word (from the space after it; two letters in capitals are an abbreviation,
        # not a preposition: ЕС, ПО, ТВ)
        _SPACE
        + r"(?P<short>)(?=\S)(?:"
        + _after(f"{_LETTER}|" + _SHORT, ending=" ")
        + "|"
        + _after("[а-яёА-ЯЁ][а-яё]", ending=" ", flags="")
        + ")",
        # initials after a surname: Пушкин А. С. (after the short words: и~А.~С.~Пушкин)
        _SPACE + r"(?P<after>)(?<=[а-яё][ \u00a0])[А-ЯЁ]\.(?:[ \u00a0]?+[А-ЯЁ]\.)?+(?!\w)",
    )
    + r"|[-—–](?P<bare>)(?<![^\s>;][-—–])(?:(?<=-)--?+)?+(?=[\s<]|\Z)"
    + "|"
    + same_start(
        r"\.",
        ELLIPSIS,
        # т. е., т. д., т. п. (from the dot: the т is written already)
        r"\.(?P<tabbr>)(?<=(?<![\w\-])т\.)[ \u00a0][едпкн]\.",
        # abbreviations that keep the next word or number (from the dot)
        r"\.(?P<abbr>)(?:(?:"
        + _after("стр|рис|табл|тел|гл|см|ср|напр|проф|акад|доц|ред|изд", r"(?<![\w\-])", r"\.")
        + "|"
        + _after("ул|пр|пл|пер|просп|наб|им|св|обл|пос|дер", r"(?<![\w\-])", r"\.", "")
        + r")[ ](?=\S)"
        r"|(?<!\d[ \u00a0]г\.)(?:" + _after("г", r"(?<![\w\-])", r"\.", "") + r")[ ](?=[А-ЯЁ])"
        r"|(?:" + _after("с|д|п|ст|кв|корп|стр", r"(?<![\w\-])", r"\.", "") + r")[ ](?=\d))",
    )
    + "|"
    + same_start(r"\d", TIME, NUMBER)
    # Roman numerals: ranges, centuries
    + r"|[IVXLC](?P<roman>)(?<![\w\-][IVXLC])[IVXLC]*+(?=[-–][IVXLC]|[ \u00a0]вв?\.)"
    # № and §
    r"|[№§](?P<sign>)[ \t]++(?=\d)"
    # initials before a surname: А. С. Пушкин, А.С. Пушкин
    r"|[А-ЯЁ](?P<initials>)(?<![\w.\-][А-ЯЁ])\.(?:[ \u00a0]?+[А-ЯЁ]\.)?+[ \u00a0]?+"
    r"(?=[А-ЯЁ][а-яё])",
    re.S,
)

_GROUPS = re.compile(r"(?:[ \u00a0]\d{3})++")
_UNIT = re.compile(rf"[ \u00a0](?={_UNITS})")
#: a unit after the end of the emphasis around its number: <strong>1946</strong> г.
_UNIT_PAST_TAGS = re.compile(
    rf"((?:</(?:strong|em|b|i|mark|u|s|span)>)++)[ \u00a0](?={_UNITS})", re.I | re.A
)
_ROMAN_RANGE = re.compile(r"[-–]([IVXLC]++)(?![\w\-])")
_LETTERS = re.compile(r"[А-ЯЁ]\.")
_SURNAME = re.compile(r"[ \u00a0]?+[А-ЯЁ][а-яё]")
_ENTITIES = {"&laquo;": "«", "&raquo;": "»", "&bdquo;": "„", "&ldquo;": "“", "&rdquo;": "”"}


class _Russian(Typesetter):
    scan = _SCAN
    #: a short word keeps the next one: the space after it becomes a no-break space
    constant: ClassVar[dict[str, str]] = {"short": NBSP}
    #: where the last run of digit groups that is no number ends (see number)
    groups_end = 0
    rules = (
        "entity",
        "quote",
        "dash",
        "bare",
        "ellipsis",
        "time",
        "number",
        "roman",
        "sign",
        "initials",
        "tabbr",
        "abbr",
        "particle",
        "short",
        "after",
    )

    def entity(self, match: re.Match[str]) -> int:
        text = match.group(0).lower()
        if text in ("&nbsp;", "&#160;", "&#xa0;"):
            self.write(NBSP)
            return match.end()
        return self.quote_char(_ENTITIES.get(text, '"'), match.group(0), match.end())

    def quote(self, match: re.Match[str]) -> int:
        return self.quote_char(match.group(0), match.group(0), match.end())

    def quote_char(self, char: str, source: str, end: int) -> int:
        """«…» outside, „…“ inside at any depth. « and „ open, » and ” close; a
        straight quote (or “, which opens in English but closes in Russian) opens after
        a space or at a start and closes after a word or punctuation."""
        after = self.html[end : end + 1]
        if char in "«„":
            opens = True
        elif char in "»”‟":
            opens = False
        elif self.last in OPENS_AFTER:
            # after a space: opens, unless it stands alone between spaces
            if not after or after.isspace():
                if self.depth == 0:
                    self.write(source)
                    return end
                opens = False
            else:
                opens = True
        elif self.depth:
            opens = False
        elif after.isalnum() and not self.last.isdigit():
            opens = True  # сказал:"Да"
        else:
            self.write(source)  # an inch mark, or a quote that closes nothing
            return end
        if opens:
            self.out.append("«" if self.depth == 0 else "„")
            self.depth += 1
            self.last = OPENED
        elif self.depth:
            self.depth -= 1
            self.out.append("»" if self.depth == 0 else "“")
            self.last = CLOSED
        else:
            self.write(source)
        return end

    def dash(self, match: re.Match[str]) -> int:
        """A dialogue dash at a line's start keeps the word after it; a dash between
        words keeps the word before it; a hyphen touching a word stays a hyphen."""
        text = match.group(0)
        dash = text.lstrip(" \t\u00a0")
        spaced = len(dash) < len(text) or self.last.isspace()
        end = match.end()
        if self.last == "\n":
            self.out.append("—")
            self.last = "—"
            if self.html[end : end + 1] in (" ", NBSP):
                self.write(NBSP)
                end += 1
            return end
        if not spaced or self.last in (OPENED, "(", "[", "{"):
            self.write(text)
            return end
        if self.last == NBSP and len(dash) == len(text):
            self.write("—")  # the no-break space is written already
        else:
            self.write(NBSP + "—")
        return end

    bare = dash

    def number(self, match: re.Match[str]) -> int:
        """Thousands (10 000), a range (1941–1945, not 2024-05-01 nor 9-00), a unit."""
        html = self.html
        text = match.group(0)
        end = match.end()
        group = None
        if len(text) <= 3 and text.isdigit() and end >= self.groups_end:
            group = _GROUPS.match(html, end)
            if group is not None and html[group.end() : group.end() + 1].isdigit():
                # 123 456 7890 is no number with thousands, nor is any part of it: the
                # groups after this one are not tried again
                self.groups_end, group = group.end(), None
        if group is not None:
            text += group.group(0).replace(" ", NBSP)
            end = group.end()
        elif not is_leading_zero(text) and (later := RANGE_END.match(html, end)) is not None:
            text += "–" + later.group(1)
            end = later.end()
        if _UNIT.match(html, end):
            text += NBSP
            end += 1
        elif (past := _UNIT_PAST_TAGS.match(html, end)) is not None:
            text += past.group(1) + NBSP  # (only end tags of inline elements)
            end = past.end()
        self.write(text)
        return end

    def roman(self, match: re.Match[str]) -> int:
        """XX–XXI, XX~в."""
        text = match.group(0)
        end = match.end()
        if (later := _ROMAN_RANGE.match(self.html, end)) is not None:
            text += "–" + later.group(1)
            end = later.end()
        if _UNIT.match(self.html, end):
            text += NBSP
            end += 1
        self.write(text)
        return end

    def spaced(self, match: re.Match[str]) -> int:
        """Every space in the match becomes a no-break space."""
        self.write(match.group(0).replace(" ", NBSP))
        return match.end()

    sign = tabbr = abbr = particle = spaced

    def initials(self, match: re.Match[str]) -> int:
        """А.~С.~Пушкин, also from А.С.Пушкин."""
        self.write(NBSP.join(_LETTERS.findall(match.group(0))) + NBSP)
        return match.end()

    def after(self, match: re.Match[str]) -> int:
        """Пушкин~А.~С.: initials after a word that starts with a capital letter, unless
        a surname follows them (Опера А.~Н.~Римского-Корсакова): then, as after any
        other word, only the space is written here and the initials are read again."""
        html = self.html
        start = match.start()
        word = start
        while word > 0 and html[word - 1].isalpha():
            word -= 1
        if html[word].isupper() and not _SURNAME.match(html, match.end()):
            self.write(NBSP + NBSP.join(_LETTERS.findall(match.group(0))))
            return match.end()
        self.write(html[start])
        return start + 1


def typeset(html: str) -> str:
    """Russian typography for an HTML fragment (a title, a summary, a whole text)."""
    return _Russian(html).run()
