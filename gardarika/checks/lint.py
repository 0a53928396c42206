"""Editors' checks (``invoke lint``, and the start of every build).

Each problem names the file and line, says what is wrong and how to fix it, in English and
Russian. Errors stop that town's build (its published site stays as it was); warnings are
shown and the build goes on. What is checked:

errors   a file that is not UTF-8 (with the likely encoding and the command to convert
         it); malformed YAML front matter; a missing or empty title; a missing or
         unreadable date (an article without one takes the date of its first commit,
         when git knows it: :mod:`gardarika.content.gitdates`), or a date in the future
         not marked ``future: yes``; a
         language the town does not have; two documents with the same address; a file
         marked as a translation with no original; a link or picture that leads to no
         file (``{filename}``, ``{static}`` or a relative path); a category, tag or
         author with ``<``/``>`` or without a letter or digit; a file beside the texts
         of a kind a browser could run, or a scripted SVG (:mod:`gardarika.checks.files`);
         a picture over 50 megapixels (:mod:`gardarika.checks.pictures`); anything that
         would read or write outside the town's folders (:mod:`gardarika.checks.confinement`);
         metadata over the limits of :mod:`gardarika.build.limits` (too many tags, a huge
         summary, anchors); a content folder over the bounds of a town (files and
         folders, bytes of one file, bytes in all), checked first, before any file is
         read
warnings an article dated by its first commit, or a town whose commits' dates could
         not be read; a category or tag written differently from an existing one only
         in capitals or spaces; an empty text; a picture that cannot be read; raw HTML
         that the build removes (scripts, event handlers, javascript: links, frames, forms…: see
         ``gardarika.render.sanitize``), unless the town's settings say ``trust_html: true``
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from pelican.utils import get_date

from gardarika.build.budget import TooSlow, budget_for, time_budget, too_deep_error, too_slow_error
from gardarika.build.isolation import report
from gardarika.build.limits import measure_town, metadata_problems, size_problem
from gardarika.checks.confinement import check_confinement
from gardarika.checks.files import check_files
from gardarika.checks.metadata import (
    check_keys,
    check_status,
    impossible_date,
    known_keys,
    missing_key,
)
from gardarika.checks.pictures import check_images
from gardarika.checks.rawhtml import (
    locate,
    may_need_cleaning,
    may_nest_too_deep,
    removals_in,
    to_html,
)
from gardarika.checks.textlinks import links_in
from gardarika.config.network import Town
from gardarika.config.templates import PLAIN_NAME, template_problem
from gardarika.content.documents import Document, date_in_name, is_language_code, read_town
from gardarika.content.gitdates import GitDates, dates_to_use, town_dates
from gardarika.content.keys import spelled
from gardarika.content.slugs import slugify
from gardarika.errors import Message, Problem, counted, display_path, visible
from gardarika.fs.confine import SITE_PAGES, address_problem, link_leaves_folder, page_file_problem
from gardarika.render.sanitize import Removal, has_controls, removals
from gardarika.urls import split_url

Check = Callable[[Town, list[Document], Path], Iterator[Problem]]
TRUE = ("yes", "true", "1", "да")


def _error(doc: Document, line: int | None, message: Message) -> Problem:
    return Problem.at(doc.shown, message, line)


def _warning(doc: Document, line: int | None, message: Message) -> Problem:
    return Problem.at(doc.shown, message, line, severity="warning")


def _add_line(doc: Document, example: str) -> Message:
    """Where to add the line ``example`` (``title: …``), in the syntax ``doc`` uses."""
    if doc.yaml:
        return Message(
            f"Add a line like “{example}” between the “---” lines at the top.",
            f"Добавьте между строками «---» вверху строку, например, «{example}».",
        )
    return Message(
        f"Add a line like “{example[:1].upper()}{example[1:]}” at the top.",
        f"Добавьте вверху строку, например, «{example[:1].upper()}{example[1:]}».",
    )


def check_titles(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    known = known_keys(town, root)
    for doc in docs:
        if "title" not in doc.metadata:
            misspelt = missing_key(doc, "title", known)
            if misspelt is not None:
                yield misspelt
                continue
            add = _add_line(doc, "title: Субботник в парке")
            yield _error(
                doc, 1, Message(f"there is no title. {add.en}", f"нет заголовка. {add.ru}")
            )
        elif not str(doc.metadata["title"] or "").strip():
            key = spelled("title", doc.yaml)
            yield _error(
                doc,
                doc.line("title"),
                Message(
                    f"the title is empty; write it after “{key}”.",
                    f"заголовок пустой; напишите его после «{key}».",
                ),
            )


#: longer titles still build (the address is cut to a portable length) but fill every
#: listing, tab and search result; an editor most likely pasted the text into the title
LONG_TITLE = 200


def check_title_length(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    for doc in docs:
        title = " ".join(str(doc.metadata.get("title") or "").split())
        if len(title) > LONG_TITLE:
            yield _warning(
                doc,
                doc.line("title"),
                Message(
                    f"the title is {len(title)} characters long; it is shown in every "
                    f"list and tab, so keep it under {LONG_TITLE}. Did the text go into "
                    "the title? Put it below the metadata, after a blank line.",
                    f"заголовок длиной {len(title)} знаков; он виден во всех списках и "
                    f"вкладках, поэтому пусть будет короче {LONG_TITLE}. Может быть, "
                    "текст попал в заголовок? Перенесите его ниже, после пустой строки.",
                ),
            )


def _parse_date(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value or "").strip()
    if not text:
        raise ValueError("empty")
    return get_date(text.replace("_", " "))


def check_dates(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    zone = ZoneInfo(town.timezone)
    now = dt.datetime.now(zone)
    known = known_keys(town, root)
    for doc in docs:
        if doc.kind != "article" or str(doc.metadata.get("status", "")).lower() == "draft":
            continue
        in_name = date_in_name(doc.rel)
        if "date" not in doc.metadata and in_name is None:
            misspelt = missing_key(doc, "date", known)
            if misspelt is not None:
                yield misspelt
                continue
            yield _committed_date(doc, town.timezone, now)
            continue
        if "date" not in doc.metadata:  # the date the file name starts with, as Pelican
            value = in_name
            try:
                date = _parse_date(value)
            except (ValueError, OverflowError, TypeError):
                impossible = impossible_date(value)
                yield _error(
                    doc,
                    1,
                    Message(
                        f"the file name starts with the date “{value}”, which cannot be"
                        + (f": {impossible.en}" if impossible else ".")
                        + " Correct the name, or give the text a date of its own: "
                        + _add_line(doc, "date: 2024-05-01 10:30").en,
                        f"имя файла начинается с даты «{value}», а её не бывает"
                        + (f": {impossible.ru}" if impossible else ".")
                        + " Исправьте имя или укажите дату в самом тексте: "
                        + _add_line(doc, "date: 2024-05-01 10:30").ru,
                    ),
                )
                continue
        else:
            value = doc.metadata["date"]
            try:
                date = _parse_date(value)
            except (ValueError, OverflowError, TypeError):
                example = spelled("date", doc.yaml) + " 2024-05-01 10:30"
                impossible = impossible_date(value)
                yield _error(
                    doc,
                    doc.line("date"),
                    Message(
                        f"the date “{value}” cannot be: {impossible.en}"
                        if impossible
                        else f"the date “{value}” cannot be understood. Write it as year-month-"
                        f"day and time: “{example}”.",
                        f"даты «{value}» не бывает: {impossible.ru}"
                        if impossible
                        else f"дату «{value}» не удаётся понять. Пишите год-месяц-день и время: "
                        f"«{example}».",
                    ),
                )
                continue
        if date.tzinfo is None:
            date = date.replace(tzinfo=zone)
        marked = str(doc.metadata.get("future", "")).strip().lower() in TRUE
        if date > now + dt.timedelta(minutes=5) and not marked:
            yield _error(
                doc,
                doc.line("date"),
                Message(
                    f"the date {date:%Y-%m-%d %H:%M} is in the future. If it is a typo, "
                    "correct it; if the article really belongs to that day, add a line "
                    "“Future: yes”.",
                    f"дата {date:%Y-%m-%d %H:%M} ещё не наступила. Если это опечатка, "
                    "исправьте её; если статья и правда относится к этому дню, добавьте "
                    "строку «Future: yes».",
                ),
            )


def check_modified(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """``Modified:`` as editors write it: a date the build can read (it stopped the build
    with a message about ``Date``), not in the future (the page would say "updated" on a
    day to come), and not before the text's own date (a warning: probably a typo)."""
    zone = ZoneInfo(town.timezone)
    now = dt.datetime.now(zone)
    for doc in docs:
        if "modified" not in doc.metadata:
            continue
        value = doc.metadata["modified"]
        key = spelled("modified", doc.yaml)
        try:
            modified = _parse_date(value)
        except (ValueError, OverflowError, TypeError):
            impossible = impossible_date(value)
            yield _error(
                doc,
                doc.line("modified"),
                Message(
                    f"the date of the last change “{value}” cannot be"
                    + (f": {impossible.en}" if impossible else " understood.")
                    + f" Write it as year-month-day and time: “{key} 2024-05-01 10:30”, or "
                    "remove the line.",
                    f"даты последнего изменения «{value}» не бывает"
                    + (f": {impossible.ru}" if impossible else ", или её не удаётся понять.")
                    + f" Пишите год-месяц-день и время: «{key} 2024-05-01 10:30» — или "
                    "удалите строку.",
                ),
            )
            continue
        if modified.tzinfo is None:
            modified = modified.replace(tzinfo=zone)
        if modified > now + dt.timedelta(minutes=5):
            yield _error(
                doc,
                doc.line("modified"),
                Message(
                    f"the date of the last change {modified:%Y-%m-%d %H:%M} is in the "
                    "future; correct it, or remove the line.",
                    f"дата последнего изменения {modified:%Y-%m-%d %H:%M} ещё не "
                    "наступила; исправьте её или удалите строку.",
                ),
            )
            continue
        try:
            date = _parse_date(doc.metadata["date"]) if "date" in doc.metadata else None
        except (ValueError, OverflowError, TypeError):
            date = None  # said by check_dates
        if date is not None:
            date = date if date.tzinfo is not None else date.replace(tzinfo=zone)
            if modified < date:
                yield _warning(
                    doc,
                    doc.line("modified"),
                    Message(
                        f"the date of the last change {modified:%Y-%m-%d} is before the "
                        f"text's own date {date:%Y-%m-%d}; is one of them a typo?",
                        f"дата последнего изменения {modified:%Y-%m-%d} раньше даты самого "
                        f"текста {date:%Y-%m-%d}; может быть, одна из них с опечаткой?",
                    ),
                )


#: said after "there is no date" when a shallow clone hides the first commits
_SHALLOW = Message(
    " This copy of the git repository has only the latest part of its history (a "
    "“shallow clone”), so the date of the file's first commit is not known here.",
    " В этой копии репозитория git есть только последняя часть истории («неглубокий "
    "клон»), поэтому дата первого коммита этого файла здесь неизвестна.",
)


def _committed_date(doc: Document, timezone: str, now: dt.datetime) -> Problem:
    """An article without a date: dated by its first commit (a warning), or an error
    when git does not know it, or gives a date in the future."""
    published, _ = dates_to_use(doc.committed, None, timezone)
    if published is None:
        add = _add_line(doc, "date: 2024-05-01 10:30")
        shallow = _SHALLOW if doc.committed is not None else Message("", "")
        return _error(
            doc,
            1,
            Message(f"there is no date. {add.en}{shallow.en}", f"нет даты. {add.ru}{shallow.ru}"),
        )
    day, stamp = f"{published:%Y-%m-%d}", f"{published:%Y-%m-%d %H:%M}"
    add = _add_line(doc, f"date: {stamp}")
    lower = Message(add.en[:1].lower() + add.en[1:], add.ru[:1].lower() + add.ru[1:])
    if published > now + dt.timedelta(minutes=5):
        return _error(
            doc,
            1,
            Message(
                f"there is no date, and the date of its first commit, {stamp}, is in the "
                "future (the clock of the computer it was committed on was wrong?). "
                f"{add.en}",
                f"нет даты, а дата первого коммита этого файла, {stamp}, ещё не наступила "
                f"(на компьютере, где его сделали, неверно шли часы?). {add.ru}",
            ),
        )
    return _warning(
        doc,
        1,
        Message(
            f"there is no date: the date of its first commit, {day}, is used. To write "
            f"the date in the text itself, {lower.en}",
            f"нет даты: используется дата первого коммита этого файла, {day}. Чтобы "
            f"указать дату в самом тексте, {lower.ru}",
        ),
    )


def check_languages(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    known = ", ".join(town.languages)
    for doc in docs:
        wrong = [c for c in (doc.lang, doc.suffix_lang) if c and c not in town.languages]
        if not wrong:
            continue
        code = wrong[0]
        line = doc.line("lang") if "lang" in doc.metadata else None
        what_en = (
            "an unknown language code"
            if not is_language_code(str(code))
            else "a language this town's site does not have"
        )
        what_ru = (
            "неизвестный код языка"
            if not is_language_code(str(code))
            else "язык, которого нет на сайте этого города"
        )
        yield _error(
            doc,
            line,
            Message(
                f"“{code}” is {what_en} (the town has: {known}). Use one of these, or add "
                "the language to the town's settings file.",
                f"«{code}» — {what_ru} (у города есть: {known}). Укажите один из них или "
                "добавьте язык в файл настроек города.",
            ),
        )


def check_duplicate_slugs(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    groups: dict[tuple[str, str, str], list[Document]] = defaultdict(list)
    for doc in docs:
        if doc.slug:
            groups[(doc.kind, doc.lang, doc.slug)].append(doc)
    for (_, lang, slug), group in groups.items():
        if len(group) < 2:
            continue
        for number, doc in enumerate(group):
            others, others_ru = _others(group, number)
            yield _error(
                doc,
                doc.line("slug") if "slug" in doc.metadata else doc.line("title"),
                Message(
                    f"the address “{slug}” ({lang}) is also used by {others}. Give one of "
                    "them another title or a line “Slug: other-name”.",
                    f"адрес «{slug}» ({lang}) уже занят: {others_ru}. Измените заголовок "
                    "одного из них или добавьте строку «Slug: drugoe-imya».",
                ),
            )


#: files named in one message about a shared address: a folder of 10 000 copies gets
#: 10 000 short messages, not 10 000 lists of 10 000 names
NAMED_OTHERS = 3


def _others(group: list[Document], number: int) -> Message:
    """The files of ``group`` other than its ``number``-th, in English and Russian, at
    most :data:`NAMED_OTHERS` of them named (the first ones, which the editor meets
    first in the list) and the rest counted."""
    named = [d.shown for i, d in enumerate(group[: NAMED_OTHERS + 1]) if i != number]
    named = named[:NAMED_OTHERS]
    more = len(group) - 1 - len(named)
    listed = ", ".join(named)
    return Message(
        listed + (f" and {more} more" if more else ""),
        listed + (f" и ещё {more}" if more else ""),
    )


def check_addresses(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """A title and a file name with no letter or digit (``🙂.md`` titled ``🙂``) give
    no address to write the page at."""
    for doc in docs:
        if doc.slug or "title" not in doc.metadata:
            continue
        yield _error(
            doc,
            doc.line("title"),
            Message(
                "neither the title nor the file name has a letter or digit to make "
                "the page's address from. Add a line like “Slug: novosti” or rename "
                "the file.",
                "ни в заголовке, ни в имени файла нет букв или цифр, из которых "
                "получился бы адрес страницы. Добавьте строку, например, "
                "«Slug: novosti» или переименуйте файл.",
            ),
        )


def check_reserved_addresses(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """An article titled “Search” or “Tags” would be written over the site's own page."""
    for doc in docs:
        if doc.kind != "article" or doc.slug not in SITE_PAGES:
            continue
        yield _error(
            doc,
            doc.line("slug") if "slug" in doc.metadata else doc.line("title"),
            Message(
                f"the address “{doc.slug}” is the site's own {doc.slug} page. Give the "
                f"article a line like “Slug: {doc.slug}-1” or another title.",
                f"адрес «{doc.slug}» занят служебной страницей сайта. Добавьте строку, "
                f"например, «Slug: {doc.slug}-1» или измените заголовок.",
            ),
        )


def check_save_as(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """``save_as`` must name a file of its own: a folder, or a name the site's own pages
    use, would fail the build (or overwrite them) without naming the document."""
    for doc in docs:
        value = str(doc.metadata.get("save_as") or "").strip()
        if not value or address_problem(value) is not None:
            continue  # empty: "do not write it" (Pelican); escapes: check_confinement
        others = tuple(lang for lang in town.languages if lang != town.default_language)
        problem = page_file_problem(value, others)
        if problem:
            yield _error(
                doc,
                doc.line("save_as"),
                Message(f"“save_as: {value}” {problem[0]}", f"«save_as: {value}» {problem[1]}"),
            )


def check_templates(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """``Template: gallery`` must name one of the theme's templates; Pelican would stop
    the whole run without saying which file asked for it."""
    folder = root / "themes" / town.theme / "templates"
    for doc in docs:
        if "template" not in doc.metadata:
            continue
        # as the build reads it (a YAML value keeps its spaces)
        name = str(doc.metadata["template"] or "")
        if not PLAIN_NAME.fullmatch(name) and ("/" in name or "." in name):
            continue  # a path: check_confinement explains that one
        problem = template_problem(name, doc.kind)
        if problem is not None:
            yield _error(
                doc,
                doc.line("template"),
                Message(
                    f"{problem[0]}. Remove the “Template:” line or name a page template.",
                    f"{problem[1]}. Уберите строку «Template:» или укажите шаблон страницы.",
                ),
            )
            continue
        try:
            if (folder / f"{name}.html").is_file():
                continue
        except OSError:  # a name too long for a file name: no such template either
            pass
        known = ", ".join(sorted(p.stem for p in folder.glob("*.html"))) or "none"
        yield _error(
            doc,
            doc.line("template"),
            Message(
                f"the theme has no template “{name}” (it has: {known}). Remove the "
                "“Template:” line or name one of these.",
                f"в теме нет шаблона «{name}» (есть: {known}). Уберите строку "
                "«Template:» или укажите один из них.",
            ),
        )


def check_translations(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    languages: dict[tuple[str, str], set[str]] = defaultdict(set)
    for doc in docs:
        languages[(doc.kind, doc.slug)].add(doc.lang)
    for doc in docs:
        if str(doc.metadata.get("translation", "")).strip().lower() not in TRUE:
            continue
        if not languages[(doc.kind, doc.slug)] - {doc.lang}:
            yield _error(
                doc,
                doc.line("translation"),
                Message(
                    f"this is marked as a translation, but there is no {doc.kind} with "
                    f"the address “{doc.slug}” in another language. Check the “Slug:” "
                    "line, or remove “Translation: yes” if it has no original.",
                    f"файл отмечен как перевод, но материала с адресом «{doc.slug}» на "
                    "другом языке нет. Проверьте строку «Slug:» или уберите "
                    "«Translation: yes», если оригинала нет.",
                ),
            )


#: Pelican's placeholders, also in its older form (``|filename|other.md``: Pelican reads
#: either bracket on either side)
_PLACEHOLDER = re.compile(r"^[{|](filename|static|attach|index|category|tag|author)[}|](.*)$")


def _exists(target: str, doc: Document, content: Path) -> bool:
    placeholder = _PLACEHOLDER.match(target)
    kind = placeholder.group(1) if placeholder else None
    if kind in ("index", "category", "tag", "author"):
        return True
    path = unquote(split_url(placeholder.group(2) if placeholder else target).path)
    if not path:
        return True
    folder = posixpath.dirname(doc.rel)
    candidates = (
        [path.lstrip("/")]
        if path.startswith("/")
        else [posixpath.join(folder, path), *([] if placeholder else [path])]
    )
    for candidate in candidates:
        candidate = posixpath.normpath(candidate)
        if not candidate.startswith("..") and (content / candidate).is_file():
            return True
    return False


def check_links(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    for doc in docs:
        for line, target in links_in(doc):
            parts = split_url(target)
            internal = target.startswith(("{", "|")) or not (
                parts.scheme
                or target.startswith(("#", "//"))
                or re.match(r"^[a-zA-Z][\w+.-]*:", target)
            )
            if (
                not internal
                or _exists(target, doc, town.content)
                or link_leaves_folder(target, posixpath.dirname(doc.rel))
            ):
                continue  # (a link out of the town's folder: check_confinement says so)
            yield _error(
                doc,
                line,
                Message(
                    f"the link “{target}” leads to no file. Check the file name and "
                    "folder (a picture usually is “{static}/images/name.jpg”, another "
                    "article “{filename}name.md”).",
                    f"ссылка «{target}» ведёт к несуществующему файлу. Проверьте имя "
                    "файла и папку (картинка обычно — «{static}/images/имя.jpg», другая "
                    "статья — «{filename}имя.md»).",
                ),
            )


def _terms(doc: Document, key: str) -> list[str]:
    value = doc.metadata.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value)
    return (
        [t.strip() for t in (text.split(";") if ";" in text else text.split(",")) if t.strip()]
        if key in ("tags", "authors")
        else [text.strip()]
        if text.strip()
        else []
    )


def _normal(term: str) -> str:
    return " ".join(term.split()).casefold().replace("ё", "е")


def check_term_spellings(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    for key, word in (
        ("category", Message("category", "рубрика")),
        ("tags", Message("tag", "метка")),
    ):
        spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        where: dict[tuple[str, str, str], list[Document]] = defaultdict(list)
        for doc in docs:
            for term in _terms(doc, key):
                spellings[(doc.lang, _normal(term))][term] += 1
                where[(doc.lang, _normal(term), term)].append(doc)
        for (lang, normal), counts in spellings.items():
            if len(counts) < 2:
                continue
            usual, uses = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            for term in counts:
                if term == usual:
                    continue
                for doc in where[(lang, normal, term)]:
                    yield _warning(
                        doc,
                        doc.line(key),
                        Message(
                            f"the {word.en} “{term}” differs from “{usual}” (used {uses} times) "
                            "only in capital letters or spaces; write it the same way.",
                            f"{word.ru} «{term}» отличается от «{usual}» (встречается "
                            f"{_times_ru(uses)}) "
                            "только заглавными буквами или пробелами; пишите одинаково.",
                        ),
                    )


def _times_ru(count: int) -> str:
    """«2 раза», «5 раз», «21 раз» by the plural rules of Russian (:func:`counted`)."""
    return counted(count, ("time", "times"), ("раз", "раза", "раз")).ru


TERMS = (
    ("category", Message("category", "рубрика")),
    ("tags", Message("tag", "метка")),
    ("author", Message("author", "автор")),
    ("authors", Message("author", "автор")),
)


def check_term_names(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """Categories, tags and authors are plain words: each gets a page named after it,
    and the theme shows the name as it is (markup in it would run in readers'
    browsers, and a name without letters would make a hidden file ``.html``)."""
    for doc in docs:
        for key, word in TERMS:
            for term in _terms(doc, key):
                if "<" in term or ">" in term:
                    yield _error(
                        doc,
                        doc.line(key),
                        Message(
                            f"the {word.en} “{term}” contains “<” or “>”; names are "
                            "plain text, without HTML. Write it in plain words.",
                            f"{word.ru} «{term}» содержит «<» или «>»; названия — "
                            "простой текст, без HTML. Уберите эти знаки.",
                        ),
                    )
                elif not slugify(term):
                    yield _error(
                        doc,
                        doc.line(key),
                        Message(
                            f"the {word.en} “{term}” has no letter or digit, so its "
                            "page cannot get an address. Write it in words.",
                            f"{word.ru} «{term}» не содержит ни букв, ни цифр, поэтому "
                            "странице с этим названием не дать адрес. Напишите "
                            "название словами.",
                        ),
                    )


def check_bodies(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    for doc in docs:
        if not doc.body.strip():
            yield _warning(
                doc,
                doc.body_line,
                Message(
                    "the text is empty: the page will show only its title.",
                    "текст пустой: на странице будет только заголовок.",
                ),
            )


def _html_removals(doc: Document) -> list[tuple[int, Removal]]:
    """(line, removal) of everything the build removes from the text, its title and its
    summary (a summary is Markdown, a title plain text)."""
    found = locate(doc.body, doc.body_line, removals_in(doc.body))
    title = str(doc.metadata.get("title") or "")
    if "<" in title:
        found += [(doc.line("title"), r) for r in removals(title)]
    summary = doc.metadata.get("summary")
    if isinstance(summary, str) and summary.strip():
        found += [(doc.line("summary"), r) for r in removals(to_html(summary))]
    return found


def check_html(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    if town.trust_html:
        return
    for doc in docs:
        if doc.removals is None:
            doc.removals = _html_removals(doc)
        for line, removal in doc.removals:
            yield _warning(doc, line, removal.message())


def check_controls(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """Invisible control characters in the metadata or the text: removed by the build,
    said here so that the editor knows where they are."""
    for doc in docs:
        for key, value in doc.metadata.items():
            if has_controls(str(value)):
                yield _warning(
                    doc,
                    doc.line(key),
                    Message(
                        f"“{key}” contains invisible control characters (pasted from "
                        "a terminal or an old program?); the build removes them.",
                        f"в «{key}» есть невидимые управляющие символы (вставлено из "
                        "терминала или старой программы?); сборка их удаляет.",
                    ),
                )
        if has_controls(doc.body):
            first = next(i for i, c in enumerate(doc.body) if has_controls(c))
            yield _warning(
                doc,
                doc.body_line + doc.body.count("\n", 0, first),
                Message(
                    "the text contains invisible control characters (pasted from a "
                    "terminal or an old program?); the build removes them.",
                    "в тексте есть невидимые управляющие символы (вставлено из "
                    "терминала или старой программы?); сборка их удаляет.",
                ),
            )


def check_limits(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """What one file may expand to (:mod:`gardarika.build.limits`)."""
    for doc in docs:
        for key, message in metadata_problems(doc.metadata):
            yield _error(doc, doc.line(key) if key else 1, message)


CHECKS: tuple[Check, ...] = (
    check_keys,
    check_status,
    check_titles,
    check_title_length,
    check_dates,
    check_modified,
    check_languages,
    check_duplicate_slugs,
    check_addresses,
    check_reserved_addresses,
    check_save_as,
    check_templates,
    check_translations,
    check_links,
    check_term_spellings,
    check_term_names,
    check_bodies,
    check_html,
    check_confinement,
    check_files,
    check_images,
    check_limits,
    check_controls,
)


def prepare(
    town: Town, docs: list[Document], problems: list[Problem], html: bool = True
) -> list[Document]:
    """Convert each text's Markdown once, within its time budget and telling the parent
    process which text it is on: a text Markdown reads for ever, or that nests too
    deeply, is reported and left out of the other checks. Without ``html`` (a build's
    checks: the build converts every text anyway, and reports what it removes), only a
    text that may nest too deeply is converted."""
    ready = []
    for doc in docs:
        report(doc.shown)
        try:
            with time_budget(budget_for(len(doc.body.encode("utf-8")))):
                converted = html and not town.trust_html
                if converted:
                    doc.removals = _html_removals(doc)
                if may_nest_too_deep(doc.body) and not (converted and may_need_cleaning(doc.body)):
                    to_html(doc.body)  # not converted above: would the build manage?
        except TooSlow as slow:
            error = too_slow_error(slow.args[0], doc.body_line)
        except RecursionError:
            error = too_deep_error(doc.body_line)
        else:
            ready.append(doc)
            continue
        problems.append(error.problem(doc.shown))
    return ready


def not_pulled(town: Town, root: Path) -> list[Problem]:
    """A town kept in its own repository whose clone is not there yet (a fresh clone of
    the network has none: ``invoke pull`` makes it)."""
    if town.repository is None or os.path.isdir(town.content):
        return []
    shown = display_path(town.content, root)
    url = visible(town.repository["url"])
    return [
        Problem.at(
            shown,
            Message(
                f"the town's content is not here yet: it comes from its own repository "
                f"{url}. Run “invoke pull” (or “invoke pull --site {town.id}”) to clone it.",
                f"материалов города здесь ещё нет: они хранятся в его собственном "
                f"репозитории {url}. Выполните «invoke pull» (или «invoke pull --site "
                f"{town.id}»), чтобы их получить.",
            ),
        )
    ]


def size_problems(town: Town, root: Path) -> list[Problem]:
    """The town's content folder over a bound of :mod:`gardarika.build.limits` (a "git bomb"
    of 100 000 copies, a folder of gigabytes): then nothing else is read."""
    missing = not_pulled(town, root)
    if missing:
        return missing
    try:
        found = size_problem(measure_town(town.content))
    except (OSError, RecursionError, ValueError) as exc:  # whatever it is, the town alone
        found = (
            "",
            Message(
                f"its content folder could not be read ({exc!r}), so the town is not built.",
                f"папку материалов не удалось прочитать ({exc!r}), поэтому сайт города не собран.",
            ),
        )
    if found is None:
        return []
    file, message = found
    shown = display_path(town.content, root)
    return [Problem.at(f"{shown}/{file}" if file else shown, message)]


def _git_problem(town: Town, root: Path, problem: Message) -> Problem:
    """Why the dates of the town's commits are not used (a warning: texts with dates of
    their own build as before)."""
    return Problem.at(
        display_path(town.content, root),
        Message(
            f"the dates of its commits are not used: {problem.en} Articles without a date "
            "of their own are not dated by their first commit.",
            f"даты коммитов не используются: {problem.ru} Статьи без своей даты не "
            "получают дату первого коммита.",
        ),
        severity="warning",
    )


def lint_town(
    town: Town, root: Path, html: bool = True, dates: GitDates | None = None
) -> list[Problem]:
    """Every problem in a town's content, errors and warnings, in file and line order.
    Without ``html`` (before a build), what the build removes from each text's HTML is
    left for the build to report (plugin ``safe_html``): the Markdown of every text is
    then converted once, by the build. ``dates``: the dates git gives the town's texts,
    as the build uses them (read here, through ``.cache/gitdates``, when not given)."""
    too_large = size_problems(town, root)
    if too_large:
        return too_large
    if dates is None:
        dates = town_dates(town.content, root, root / ".cache", town.id)
    docs, problems = read_town(town, root)
    for doc in docs:
        # in a shallow clone, a file it gives no dates may be older than its cut
        doc.committed = dates.of(doc.rel) or ((None, None) if dates.shallow else None)
    if dates.problem is not None:
        problems.append(_git_problem(town, root, dates.problem))
    docs = prepare(town, docs, problems, html)
    for check in CHECKS:
        if html or check is not check_html:
            problems.extend(check(town, docs, root))
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.severity, p.en))
