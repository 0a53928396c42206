"""The editors' checks of a text's metadata keys and of impossible dates.

A key the build does not know is published as nothing at all, so every one is named,
with the key most likely meant (:mod:`gardarika.content.keys`). A missing title or date
whose key was only misspelt (``Titel:``) is explained at that line, in the syntax the
file uses, instead of asking for a line that would then be there twice.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from pathlib import Path

from gardarika.config.network import Town
from gardarika.content.documents import Document
from gardarika.content.keys import (
    RUSSIAN_KEY_LINE,
    RUSSIAN_NAMES,
    STANDARD_KEYS,
    meant,
    plugin_keys,
    spelled,
)
from gardarika.errors import Message, Problem

#: the keys a check itself asks for when they are missing, by kind of text
REQUIRED = {"article": ("title", "date"), "page": ("title",)}

MONTHS_EN = tuple(calendar.month_name)
#: "в феврале": the month a day is missing from
MONTHS_RU = (
    "",
    "январе",
    "феврале",
    "марте",
    "апреле",
    "мае",
    "июне",
    "июле",
    "августе",
    "сентябре",
    "октябре",
    "ноябре",
    "декабре",
)
_DATE = re.compile(
    r"^\s*(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[ T_]+(?P<hour>\d{1,2}):(?P<minute>\d{1,2})(?::(?P<second>\d{1,2}))?)?"
)


def known_keys(town: Town, root: Path) -> tuple[str, ...]:
    """The keys a text of ``town`` may use: the standard ones, the town's
    ``metadata_keys`` and those its network plugins declare."""
    plugins = town.pelican.get("PLUGINS", []) if isinstance(town.pelican, dict) else []
    names = [p for p in plugins if isinstance(p, str)]
    declared = plugin_keys(root / "plugins", names) if names else set()
    return tuple(dict.fromkeys((*STANDARD_KEYS, *town.metadata_keys, *sorted(declared))))


def unknown_keys(doc: Document, known: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(key, the key meant or None) of each key of ``doc`` the build does not use."""
    return [(key, meant(key, known)) for key in doc.metadata if key not in known]


def _russian_header_key(doc: Document) -> tuple[int, str, str] | None:
    """(line, key as written, key meant) of a header line written with a Russian key:
    Pelican's header ends before it, so it is the first line of the body."""
    if doc.yaml:
        return None
    first = doc.body.lstrip("\n").split("\n", 1)[0]
    match = RUSSIAN_KEY_LINE.match(first)
    if not match:
        return None
    key = match.group("key")
    target = RUSSIAN_NAMES.get(" ".join(key.lower().replace("ё", "е").split()))
    if target is None:
        return None
    line = doc.body_line + len(doc.body) - len(doc.body.lstrip("\n"))
    return line, key, target


def missing_key(doc: Document, key: str, known: tuple[str, ...]) -> Problem | None:
    """When ``doc`` has no ``key`` but a misspelt or Russian one meant it: the error at
    that line, with the key to write instead."""
    right = spelled(key, doc.yaml)
    for written, target in unknown_keys(doc, known):
        if target == key:
            line = doc.line(written)
            wrong = spelled(written, doc.yaml)
            return Problem.at(
                doc.shown,
                Message(
                    f"there is no {key}: “{wrong}” is not a key the build knows, so the "
                    f"line is ignored. Write “{right}” instead.",
                    f"нет ключа «{right}»: «{wrong}» сборка не знает, и строка не "
                    f"учитывается. Напишите вместо этого «{right}».",
                ),
                line,
            )
    russian = _russian_header_key(doc)
    if russian is not None and russian[2] == key:
        line, written, _ = russian
        return Problem.at(
            doc.shown,
            Message(
                f"there is no {key}: the keys of the header are written in English, so "
                f"“{written}:” ends the header and becomes the first line of the text. "
                f"Write “{right}” instead.",
                f"нет ключа «{right}»: ключи заголовочных строк пишутся по-английски, "
                f"поэтому строка «{written}:» не считается ключом и попадает в текст. "
                f"Напишите вместо этого «{right}».",
            ),
            line,
        )
    return None


def check_keys(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """A warning for each key the build does not use (those a missing title or date is
    explained with are left to that error)."""
    known = known_keys(town, root)
    for doc in docs:
        required = REQUIRED.get(doc.kind, ())
        for key, target in unknown_keys(doc, known):
            if target in required and target not in doc.metadata:
                continue  # explained by the missing key's error
            wrong = spelled(key, doc.yaml)
            if target is not None:
                right = spelled(target, doc.yaml)
                hint = Message(
                    f" Did you mean “{right}”?", f" Может быть, имелось в виду «{right}»?"
                )
            else:
                shown = ", ".join(spelled(k, doc.yaml) for k in known)
                hint = Message(
                    f" The keys the build uses: {shown}. A key the town's theme shows is "
                    f"named in metadata_keys: of sites/{town.id}.yaml.",
                    f" Сборка понимает ключи: {shown}. Ключ, который показывает тема "
                    f"города, указывается в metadata_keys: файла sites/{town.id}.yaml.",
                )
            yield Problem.at(
                doc.shown,
                Message(
                    f"“{wrong}” is not a key the build knows, so this line is ignored." + hint.en,
                    f"ключ «{wrong}» сборка не знает, и эта строка не учитывается." + hint.ru,
                ),
                doc.line(key),
                severity="warning",
            )


def impossible_date(value: object) -> Message | None:
    """Why a date written as year-month-day (and time) cannot exist, if that is what is
    wrong with it: a month 13, a February 30th, an hour 25."""
    match = _DATE.match(str(value))
    if not match:
        return None
    year, month, day = (int(match.group(k)) for k in ("year", "month", "day"))
    if not 1 <= month <= 12:
        return Message(
            f"there is no month {month}: months are numbered 1 to 12 (year-month-day).",
            f"месяца {month} не бывает: месяцы нумеруются от 1 до 12 (год-месяц-день).",
        )
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return Message(
            f"{MONTHS_EN[month]} {year} has no day {day}: it has {last} days.",
            f"в {MONTHS_RU[month]} {year} года нет {day}-го числа: в нём "
            f"{last} {'день' if last == 31 else 'дней'}.",
        )
    hour, minute = match.group("hour"), match.group("minute")
    if hour is not None and int(hour) > 23:
        return Message(
            f"there is no hour {int(hour)}: a day has hours 0 to 23 (midnight is 00:00).",
            f"часа {int(hour)} не бывает: в сутках часы от 0 до 23 (полночь — 00:00).",
        )
    if minute is not None and int(minute) > 59:
        return Message(
            f"there is no minute {int(minute)}: an hour has minutes 0 to 59.",
            f"минуты {int(minute)} не бывает: в часе минуты от 0 до 59.",
        )
    return None


#: the statuses Pelican knows (any case); a text with another is not built at all
STATUSES = ("published", "hidden", "draft", "skip")
#: statuses written in Russian or as WordPress names them, and the one meant
_STATUS_MEANT = {
    "опубликовано": "published",
    "опубликована": "published",
    "опубликован": "published",
    "publish": "published",
    "черновик": "draft",
    "pending": "draft",
    "future": "draft",
    "скрыто": "hidden",
    "скрытая": "hidden",
    "скрытый": "hidden",
    "скрыт": "hidden",
    "private": "hidden",
}
_STATUS_WHAT = {
    "published": Message("shown in the lists", "видна в списках"),
    "hidden": Message("a page of its own, in no list", "своя страница, но не в списках"),
    "draft": Message("not published", "не публикуется"),
    "skip": Message("not built at all", "не собирается вовсе"),
}


def check_status(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """A status Pelican does not know stops the town's build with an English error:
    said here, at its line, with the status meant."""
    for doc in docs:
        if "status" not in doc.metadata:
            continue
        value = str(doc.metadata["status"]).strip()
        if value.lower() in STATUSES or any(c in value for c in "/\\"):
            continue  # (a path: the confinement check says why it cannot be)
        key = spelled("status", doc.yaml)
        meant = _STATUS_MEANT.get(value.lower())
        if meant is not None:
            what = _STATUS_WHAT[meant]
            message = Message(
                f"the status “{value}” is not one the build knows (published, hidden, "
                f"draft). Write “{key} {meant}” ({what.en}).",
                f"статус «{value}» сборка не знает (бывают published, hidden, draft). "
                f"Напишите «{key} {meant}» ({what.ru}).",
            )
        else:
            message = Message(
                f"the status “{value}” is not one the build knows. Write “{key} published” "
                f"(shown in the lists), “{key} hidden” "
                f"(a page of its own, in no list) or “{key} draft” (not published).",
                f"статус «{value}» сборка не знает. "
                f"Напишите «{key} published» (видна в списках), «{key} hidden» (своя "
                f"страница, но не в списках) или «{key} draft» (не публикуется).",
            )
        yield Problem.at(doc.shown, message, doc.line("status"))
