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
from collections.abc import Callable

from .embeds import ATTRIBUTES

NBSP = "\u00a0"
#: elements whose content is never typeset
SKIP_ELEMENTS = frozenset({"code", "pre", "kbd", "samp", "var", "script", "style",
                           "textarea", "math", "svg", "xmp", "iframe", "noembed",
                           "noframes", "plaintext", "template"})
#: elements that start a new line of text: quotes start afresh in them (not after ``br``)
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li", "main", "nav", "ol",
    "option", "p", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul", "body", "html", "center", "menu"})

_SHORT = ("без|для|над|под|про|при|изо|обо|ото|вне|что|как|или|где|кто|чем|зато|либо|"
          "тоже|также|перед|через|между|около|после|возле")
_NUMBER = r"\d++(?:[.,]\d++)?+"
#: units that follow a number: 5 кг, 25 °C, 5 %, в 2024 г., XX в.
_UNITS = ("(?:кг|мг|ц|км|см|мм|дм|мкм|га|мл|л|м|т|г|°[CСFК]?|℃|%|‰|₽|руб|коп|тыс|млн|"
          "млрд|трлн|ч|мин|сек|мс|с|чел|шт|экз|кВт|Вт|кВ|мА|Гц|кГц|МГц|ГГц|КБ|МБ|ГБ|ТБ|"
          "Кб|Мб|Гб|дБ|м²|м³|км²|см²|л\\.с\\.|пп?|гг?|вв?|руб|коп|стр|тыс|экз|чел|шт)"
          "(?:\\.|(?![\\w]))")

_SCAN = re.compile(
    # 1. markup: a comment, a doctype, "<?…>", "</ …>", or a tag read as a browser reads it
    r"(?P<tag><!--(?:-?>|.*?(?:--!?>|\Z))|<[!?][^>]*+(?:>|\Z)|</(?![a-zA-Z])[^>]*+(?:>|\Z)"
    rf"|<(?P<close>/?)(?P<name>[a-zA-Z][^ \t\n\r\f/>]*+){ATTRIBUTES}(?:>|\Z))"
    # 2. entities that are quotes or spaces
    r"|(?P<entity>&(?:quot|laquo|raquo|bdquo|ldquo|rdquo|nbsp|#34|#x22|#160|#xa0);)"
    # 3. never touched: addresses, e-mail addresses, file names (from a token's start)
    r"|(?P<keep>(?<![\w.+\-@/])(?:(?i:https?|ftp|file|mailto)://?[^\s<>\"«»]*+"
    r"|(?i:www)\.[^\s<>\"«»]++"
    r"|[\w.+\-]++@[\w\-]++(?:\.[\w\-]++)++"
    r"|[\w\-]++(?:\.[\w\-]++)*?\.[A-Za-z][A-Za-z0-9]{0,5}(?![\w\-])))"
    # 4. quotes
    r"|(?P<quote>[\"«»„“”])"
    # 5. a dash with a space before it, or at the start of a line or after a tag
    r"|(?P<dash>(?:[ \t\u00a0]++|(?<=[\s>;])|^)(?:---?|-|[—–])(?=[\s<]|\Z))"
    # 6. an ellipsis
    r"|(?P<ellipsis>(?<![.?!])\.\.\.(?!\.))"
    # 7. a time, possibly a range of times: 10:00-18:00
    r"|(?P<time>(?<![\w.,:\-–])\d{1,2}:\d\d(?=[^\d:]|\Z))"
    # 8. a number: thousands, ranges, units
    rf"|(?P<number>(?<![\w.,:/–])(?<!\w-){_NUMBER})"
    # 9. Roman numerals: ranges, centuries
    r"|(?P<roman>(?<![\w\-])[IVXLC]++(?=[-–][IVXLC]|[ \u00a0]вв?\.))"
    # 10. № and §
    r"|(?P<sign>[№§][ \t]++(?=\d))"
    # 11. initials before a surname: А. С. Пушкин, А.С. Пушкин
    r"|(?P<initials>(?<![\w.\-])[А-ЯЁ]\.(?:[ \u00a0]?+[А-ЯЁ]\.)?+[ \u00a0]?+"
    r"(?=[А-ЯЁ][а-яё]))"
    # 12. initials after a surname: Пушкин А. С.
    r"|(?P<after>(?<=[а-яё])[ \u00a0][А-ЯЁ]\.(?:[ \u00a0]?+[А-ЯЁ]\.)?+(?!\w))"
    # 13. т. е., т. д., т. п.
    r"|(?P<tabbr>(?<![\w\-])т\.[ \u00a0][едпкн]\.)"
    # 14. abbreviations that keep the next word or number
    r"|(?P<abbr>(?<![\w\-])(?:(?i:стр|рис|табл|тел|гл|см|ср|напр|проф|акад|доц|ред|изд)"
    r"|ул|пр|пл|пер|просп|наб|им|св|обл|пос|дер|г(?=\.[ ][А-ЯЁ])"
    r"|(?:с|д|п|ст|кв|корп|стр)(?=\.[ ]\d))\.[ ](?=\S))"
    # 15. a particle keeps the word before it: придёт ли, если бы
    r"|(?P<particle>(?<=[\w»)])[ ](?i:ли|ль|же|ж|бы|б)(?![\w\-\u2011/])(?P<then>[ ](?=\S))?)"
    # 16. a one- or two-letter word, a short preposition or conjunction keeps the next
    r"|(?P<short>(?<![\w\-\u2011\u00ad'’])(?i:[а-яё]{1,2}|" + _SHORT + r")(?=[ ]\S))",
    re.S)

_THOUSANDS = re.compile(r"(?:[ \u00a0]\d{3})++(?![\d])")
_RANGE = re.compile(r"-((?:0|[1-9]\d*+)(?:[.,]\d++)?+)(?![\w\-–]|[.,]\d)")
_UNIT = re.compile(rf"[ \u00a0](?={_UNITS})")
_TIME_RANGE = re.compile(r"[-–](\d{1,2}:\d\d)(?![\d:\-–])")
_ROMAN_RANGE = re.compile(r"[-–]([IVXLC]++)(?![\w\-])")
_END_TAGS: dict[str, re.Pattern[str]] = {}

#: characters after which a quote opens
_OPENS_AFTER = frozenset(" \t\n\r\f\u00a0([{«„—–-/\x01")
_OPEN = "\x01"   # the last thing written was an opening quote
_CLOSE = "\x02"  # … a closing quote
_WORD = "a"      # … something like a word (an element that is not typeset)


def _end_of(name: str, html: str, start: int) -> int:
    """Where the element ``name`` opened just before ``start`` ends (its end tag's
    start), counting elements of the same name nested in it; the end of ``html`` if it
    never ends. Linear: every tag of that name is seen once."""
    pattern = _END_TAGS.get(name)
    if pattern is None:
        pattern = _END_TAGS[name] = re.compile(
            rf"<(/?){re.escape(name)}(?=[ \t\n\r\f/>]|\Z)", re.I)
    if name == "plaintext":
        return len(html)
    depth = 1
    for match in pattern.finditer(html, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.start()
    return len(html)


class _Typesetter:
    """The state of one pass: what was written and how deep the quotes are."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.out: list[str] = []
        self.last = "\n"  # a start counts as the start of a line
        self.depth = 0

    def write(self, text: str) -> None:
        if text:
            self.out.append(text)
            self.last = text[-1]

    # -- handlers: each writes what replaces its match and says where to go on -------

    def tag(self, match: re.Match[str]) -> int:
        self.out.append(match.group(0))
        name = (match.group("name") or "").lower()
        end = match.end()
        if not name or match.group("close"):
            if name in _BLOCKS:
                self.block(name)
            return end
        if name in SKIP_ELEMENTS and not match.group(0).endswith("/>"):
            skipped = _end_of(name, self.html, end)
            self.out.append(self.html[end:skipped])
            self.last = _WORD
            return skipped
        if name == "br":
            self.last = "\n"
        elif name in _BLOCKS:
            self.block(name)
        return end

    def block(self, name: str) -> None:
        self.last = "\n"
        if name != "hr":
            self.depth = 0

    def entity(self, match: re.Match[str]) -> int:
        text = match.group(0).lower()
        if text in ("&nbsp;", "&#160;", "&#xa0;"):
            self.write(NBSP)
            return match.end()
        char = {"&laquo;": "«", "&raquo;": "»", "&bdquo;": "„", "&ldquo;": "“",
                "&rdquo;": "”"}.get(text, '"')
        return self.quote_char(char, match.group(0), match.end())

    def keep(self, match: re.Match[str]) -> int:
        self.write(match.group(0))
        return match.end()

    def quote(self, match: re.Match[str]) -> int:
        return self.quote_char(match.group(0), match.group(0), match.end())

    def quote_char(self, char: str, source: str, end: int) -> int:
        after = self.html[end:end + 1]
        if char in "«„":
            opens = True
        elif char in "»”":
            opens = False
        elif self.last in _OPENS_AFTER:
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
            self.last = _OPEN
        elif self.depth:
            self.depth -= 1
            self.out.append("»" if self.depth == 0 else "“")
            self.last = _CLOSE
        else:
            self.write(source)
        return end

    def dash(self, match: re.Match[str]) -> int:
        text = match.group(0)
        dash = text.lstrip(" \t\u00a0")
        spaced = len(dash) < len(text) or self.last.isspace()
        end = match.end()
        if self.last == "\n":
            # a dialogue line: the dash keeps the word after it
            self.out.append("—")
            self.last = "—"
            if self.html[end:end + 1] in (" ", NBSP):
                self.write(NBSP)
                end += 1
            return end
        if not spaced or self.last in (_OPEN, "(", "[", "{"):
            self.write(text)
            return end
        if self.last == NBSP and len(dash) == len(text):
            self.write("—")  # the no-break space is written already
        else:
            self.write(NBSP + "—")
        return end

    def ellipsis(self, match: re.Match[str]) -> int:
        self.write("…")
        return match.end()

    def time(self, match: re.Match[str]) -> int:
        end = match.end()
        self.write(match.group(0))
        if (later := _TIME_RANGE.match(self.html, end)) is not None:
            self.write("–" + later.group(1))
            end = later.end()
        return end

    def number(self, match: re.Match[str]) -> int:
        html = self.html
        text = match.group(0)
        end = match.end()
        if len(text) <= 3 and text.isdigit() and (group := _THOUSANDS.match(html, end)):
            text += group.group(0).replace(" ", NBSP)
            end = group.end()
        elif (later := _RANGE.match(html, end)) is not None and not (
                text.startswith("0") and len(text) > 1 and text[1].isdigit()):
            text += "–" + later.group(1)
            end = later.end()
        if _UNIT.match(html, end):
            text += NBSP
            end += 1
        self.write(text)
        return end

    def roman(self, match: re.Match[str]) -> int:
        text = match.group(0)
        end = match.end()
        if (later := _ROMAN_RANGE.match(self.html, end)) is not None:
            text += "–" + later.group(1)
            end = later.end()
        if self.html[end:end + 1] == " " and _UNIT.match(self.html, end):
            text += NBSP
            end += 1
        self.write(text)
        return end

    def spaced(self, match: re.Match[str]) -> int:
        """Every space in the match becomes a no-break space; a missing space after
        initials run together is added (А.С.Пушкин)."""
        text = match.group(0)
        self.write(text.replace(" ", NBSP))
        return match.end()

    def initials(self, match: re.Match[str]) -> int:
        letters = re.findall(r"[А-ЯЁ]\.", match.group(0))
        self.write(NBSP.join(letters) + NBSP)
        return match.end()

    def after(self, match: re.Match[str]) -> int:
        # only after a surname: a word that starts with a capital letter
        html = self.html
        start = match.start()
        word = start
        while word > 0 and html[word - 1].isalpha():
            word -= 1
        if not html[word].isupper():
            self.write(match.group(0))
            return match.end()
        letters = re.findall(r"[А-ЯЁ]\.", match.group(0))
        self.write(NBSP + NBSP.join(letters))
        return match.end()

    def short(self, match: re.Match[str]) -> int:
        self.write(match.group(0) + NBSP)
        return match.end() + 1

    def run(self) -> str:
        html = self.html
        handlers = self.handlers
        position = 0
        for_group = _GROUP_OF
        search = _SCAN.search
        out = self.out
        while (match := search(html, position)) is not None:
            start = match.start()
            if start > position:
                gap = html[position:start]
                out.append(gap)
                self.last = gap[-1]
            position = handlers[for_group[match.lastindex or 0]](match)
            if position <= start:  # never stand still
                out.append(html[start])
                position = start + 1
        if position < len(html):
            out.append(html[position:])
        return "".join(out)

    @property
    def handlers(self) -> dict[str, Callable[[re.Match[str]], int]]:
        return {"tag": self.tag, "entity": self.entity, "keep": self.keep,
                "quote": self.quote, "dash": self.dash, "ellipsis": self.ellipsis,
                "time": self.time, "number": self.number, "roman": self.roman,
                "sign": self.spaced, "initials": self.initials, "after": self.after,
                "tabbr": self.spaced, "abbr": self.spaced, "particle": self.spaced,
                "short": self.short}


def _outer_group(index: int) -> str:
    """The top-level named group a group number belongs to (``lastindex`` names the
    last group that matched, which may be one nested inside it)."""
    for name, number in sorted(_SCAN.groupindex.items(), key=lambda item: item[1],
                               reverse=True):
        if number <= index and name in _TOP:
            return name
    return "tag"


_TOP = ("tag", "entity", "keep", "quote", "dash", "ellipsis", "time", "number", "roman",
        "sign", "initials", "after", "tabbr", "abbr", "particle", "short")
_GROUP_OF = {index: _outer_group(index) for index in range(_SCAN.groups + 1)}


def typeset(html: str) -> str:
    """Russian typography for an HTML fragment (a title, a summary, a whole text)."""
    return _Typesetter(html).run()
