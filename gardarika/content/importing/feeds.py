"""RSS and Atom feeds: what hosted site builders and blogs offer when they offer no export.

A feed holds a site's latest posts: each entry becomes an article with its title, date,
categories as tags, author and HTML (the full text where the feed has it, else its
summary), and its address is kept so that the old site's relative links lead there.
The file is first read by an XML parser that refuses entity declarations (defusedxml),
then by feedparser, which knows every feed dialect; feedparser's own cleaning is off
(the build cleans the text, and reports what it removes).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from gardarika.content.importing.items import Export, ExportError, Item

#: the largest feed read (a real feed is a few megabytes at most)
MAX_BYTES = 50 * 1024 * 1024


def _refused(path: Path, en: str, ru: str) -> ExportError:
    return ExportError(
        f"{path.name} cannot be read as a WordPress export or an RSS or Atom feed ({en}). "
        "Make the export in WordPress with Tools → Export, or save the site's feed.",
        f"{path.name} не удаётся прочитать ни как выгрузку WordPress, ни как ленту RSS или "
        f"Atom ({ru}). Сделайте выгрузку в WordPress (Инструменты → Экспорт) или "
        "сохраните ленту сайта.",
    )


def _date(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return dt.datetime(*value[:6])
            except (TypeError, ValueError):
                continue
    return None


def _slug(link: str) -> str:
    """The last part of an entry's address (``…/2021/07/balham-fair/`` → ``balham-fair``),
    as its name in the town, when it is one."""
    path = unquote(urlsplit(link).path).rstrip("/")
    name = posixpath.basename(path)
    for suffix in (".html", ".htm", ".php"):
        name = name.removesuffix(suffix)
    return name if name and not name.isdigit() else ""


def read_feed(path: Path) -> Export:
    """Every entry of the RSS or Atom feed ``path``, as articles."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _refused(path, "it is larger than 50 MB", "он больше 50 МБ")
        data = path.read_bytes()
        root = fromstring(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, OSError, ValueError, LookupError) as exc:
        raise _refused(path, str(exc), str(exc)) from None
    local = root.tag.rsplit("}", 1)[-1] if isinstance(root.tag, str) else ""
    if local not in ("rss", "feed", "RDF"):
        raise _refused(path, "it is neither RSS nor Atom", "это не RSS и не Atom")
    import feedparser

    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=True)
    feed = parsed.get("feed", {})
    language = str(feed.get("language") or "").strip().lower().replace("_", "-").split("-")[0]
    export = Export(
        site=" ".join(str(feed.get("title") or "").split()),
        items=[],
        language=language if language.isalpha() else "",
        address=str(feed.get("link") or ""),
    )
    for number, entry in enumerate(parsed.get("entries", []), start=1):
        contents = entry.get("content") or []
        html = str(contents[0].get("value", "")) if contents else str(entry.get("summary", ""))
        link = str(entry.get("link") or "")
        tags = [str(tag.get("term") or "").strip() for tag in entry.get("tags") or []]
        author = str(entry.get("author") or "").strip()
        export.items.append(
            Item(
                kind="article",
                title=" ".join(str(entry.get("title") or "").split()),
                slug=_slug(link),
                html=html,
                date=_date(entry),
                tags=[t for t in tags if t],
                authors=[author] if author else [],
                origin=f"{path.name}, entry {number}",
                link=link if urlsplit(link).scheme in ("http", "https") else "",
            )
        )
    return export
