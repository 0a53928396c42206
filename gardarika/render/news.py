"""A run's news for the network: its newest articles as plain data, for the portal's
list of what is new in every town and the network's feeds.

Each run (a town in one language) writes its newest articles to ``network-news.json``
at the root of its site (plugin ``network_news``), published with the town; the portal
is made from the files of the published towns. Everything in an item is plain text or
an address relative to the town's folder (never with ``..``: the output check refuses
it), made portable as the pages' links are; the portal's template escapes it like any
text.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gardarika.fs.files import write_file_atomic
from gardarika.render.links import Reference, is_external

#: the newest articles kept of each run: the portal shows fewer, the feed at most this
MAX_ITEMS = 30
#: characters of an article's summary kept (cut at a word)
SUMMARY_CHARS = 240
FILE = "network-news.json"
_VERSION = 1


#: characters XML 1.0 does not allow: one of them would make a feed unreadable
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def short_text(text: str, limit: int = SUMMARY_CHARS) -> str:
    """``text`` with its spaces made single, cut at the last word before ``limit``
    characters (an ellipsis then marks the cut)."""
    text = " ".join(_NOT_XML.sub("", text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:—–-") + "…"


def first_picture(page: str, references: Iterable[Reference]) -> str:
    """The first picture of a written page (``page``: its path in the site), as a path
    in the site: the smallest of its sizes when the build made several (the first
    candidate of its ``srcset``), else its ``src``; ``""`` when it has none of ours."""
    chosen = ""
    for reference in references:
        if reference.element != "img":
            if chosen:
                break
            continue
        if reference.attribute == "src":
            if chosen:
                break  # the next picture: the first had no smaller sizes
            chosen = reference.url
        elif reference.attribute == "srcset" and chosen:
            chosen = reference.url  # the smallest size of the same picture
            break
    if not chosen or is_external(chosen) or chosen.startswith(("data:", "/", "#")):
        return ""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), chosen.split("#")[0]))
    return "" if path.startswith("/") else path


def shown_date(content: Any, lang: str) -> str:
    """A text's date as its pages show it, in ``lang`` (Babel's long format)."""
    date = getattr(content, "date", None)
    if date is None:
        return ""
    try:
        from babel.dates import format_date

        return format_date(date, format="long", locale=lang)
    except Exception:  # a language Babel does not know
        return date.strftime("%Y-%m-%d")


def folders_of(contents: Iterable[Any]) -> set[str]:
    """Every folder the texts are saved in, relative to the site's root (for the rule
    the pages' links follow: an address names a file, ``news/`` is ``news/index.html``)."""
    folders: set[str] = set()
    for content in contents:
        folder = posixpath.dirname(str(getattr(content, "save_as", "") or ""))
        while folder and folder not in folders:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    return folders


def item(
    title: str,
    url: str,
    date: Any,
    shown_date: str,
    summary: str,
    picture: str = "",
) -> dict[str, str]:
    """One article as the portal and the feeds take it (all plain text)."""
    return {
        "title": short_text(title, 500),
        "url": url,
        "date": date.isoformat() if date is not None else "",
        "shown_date": shown_date,
        "summary": short_text(summary),
        "picture": picture,
    }


def newest(items: list[dict[str, str]], limit: int = MAX_ITEMS) -> list[dict[str, str]]:
    """The newest ``limit`` items, newest first (undated ones last)."""
    return sorted(items, key=lambda i: i["date"], reverse=True)[:limit]


def newest_contents(contents: Iterable[Any], limit: int = MAX_ITEMS) -> list[Any]:
    """The newest ``limit`` texts (by their ``date``), newest first; undated ones last."""
    dated = [c for c in contents if getattr(c, "date", None) is not None]
    undated = [c for c in contents if getattr(c, "date", None) is None]
    return (sorted(dated, key=lambda c: c.date, reverse=True) + undated)[:limit]


def save(path: Path, lang: str, items: list[dict[str, str]]) -> None:
    data = {"version": _VERSION, "lang": lang, "items": items}
    write_file_atomic(path, json.dumps(data, ensure_ascii=False, indent=0).encode("utf-8"))


_FIELDS = ("title", "url", "date", "shown_date", "summary", "picture")


def load(path: Path) -> list[dict[str, str]]:
    """The items of a news file; none when it is missing, damaged or of another
    version (the portal is then made without that town's news, never stopped)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        return []
    items = data.get("items")
    if not isinstance(items, list):
        return []
    return [
        {key: entry[key] for key in _FIELDS}
        for entry in items[:MAX_ITEMS]
        if isinstance(entry, dict) and all(isinstance(entry.get(key), str) for key in _FIELDS)
    ]
