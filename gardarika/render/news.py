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


#: what a picture of the portal may be (a drawing too: the output check has cleared it)
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", ".svg")


def first_picture(page: str, references: Iterable[Reference]) -> str:
    """The first picture of a written page (``page``: its path in the town's folder), as
    a path in the town's folder: the smallest of its sizes when the build made several
    (the first candidate of its ``srcset``), else its ``src``; ``""`` when it has none.
    The theme's own pictures, pictures of other websites or of another town, and
    anything that is not a plain picture file are no article's picture."""
    candidates: list[list[str]] = []  # each picture: its src, then its srcset candidates
    for reference in references:
        if reference.element != "img":
            continue
        if reference.attribute == "src":
            candidates.append([reference.url])
        elif reference.attribute == "srcset" and candidates:
            candidates[-1].append(reference.url)
    for picture in candidates:
        found = [_in_town(page, url) for url in picture]
        if not found[0]:
            continue  # the theme's, another website's: look at the next picture
        smaller = [path for path in found[1:2] if path]
        return smaller[0] if smaller else found[0]
    return ""


def _in_town(page: str, url: str) -> str:
    """``url`` (written in the page at ``page``) as a picture's path in the town's folder,
    or ``""``."""
    if not url or is_external(url) or url.startswith(("data:", "/", "#")) or "?" in url:
        return ""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), url.split("#")[0]))
    if path.startswith(("..", "/", "theme/")) or not path.lower().endswith(PICTURE_SUFFIXES):
        return ""
    return path


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


#: the largest news file read: a run writes a few dozen kilobytes
MAX_FILE_BYTES = 1_000_000


def load(path: Path) -> list[dict[str, str]]:
    """The items of a news file; none when it is missing, too large, damaged or of
    another version (the portal is then made without that town's news, never stopped).
    Its texts are made safe for a page and a feed again (the file is in the output, where
    anyone may have changed it): cut to length, without characters XML refuses; an
    address or date holding such a character is dropped."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        return []
    items = data.get("items")
    if not isinstance(items, list):
        return []
    kept = []
    for entry in items[:MAX_ITEMS]:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in _FIELDS):
            continue
        kept.append(
            {
                "title": short_text(entry["title"], 500),
                "summary": short_text(entry["summary"]),
                "shown_date": short_text(entry["shown_date"], 60),
                **{
                    key: "" if _NOT_XML.search(entry[key]) else entry[key][:1000]
                    for key in ("url", "date", "picture")
                },
            }
        )
    return kept
