"""WordPress export files (WXR: "WordPress eXtended RSS", Tools → Export in WordPress).

The file is read with an XML parser that refuses entity declarations (defusedxml): an
export file is data from elsewhere, and a "billion laughs" file must not take the
machine. Posts become articles and pages become pages, each with its category, tags,
author, excerpt and place among the pages; drafts, pending and scheduled ("future")
posts and password-protected ones become drafts, private ones hidden texts; what is
neither (attachments, menu items, trash, blocks, other plugins' types) is skipped and
counted. Comments are not imported; they are counted. WordPress writes its element
names in versions 1.0 to 1.2 of its namespace, over http or https: elements are found by
the end of their namespace and their name.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse

from gardarika.content.importing.items import Export, ExportError, Item

#: WordPress's statuses, as Gardarika's
_STATUS = {
    "publish": "published",
    "draft": "draft",
    "pending": "draft",
    "future": "draft",
    "private": "hidden",
}
#: the post types that are texts
_KINDS = {"post": "article", "page": "page"}


def is_wordpress_export(path: Path) -> bool:
    """Whether ``path`` is a WordPress export rather than a feed (its namespace)."""
    try:
        with path.open("rb") as file:
            head = file.read(8192)
    except OSError:
        return False
    return b"wordpress.org/export" in head


def _name(element: ET.Element) -> tuple[str, str]:
    """("wp", "post_id"), ("content", "encoded"), ("", "title")…: the kind of namespace
    and the local name of an element."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag.startswith("{"):
        return "", tag
    uri, _, local = tag[1:].partition("}")
    if "wordpress.org/export" in uri:
        return ("excerpt" if uri.rstrip("/").endswith("excerpt") else "wp"), local
    if "purl.org/rss/1.0/modules/content" in uri:
        return "content", local
    if "purl.org/dc/elements" in uri:
        return "dc", local
    return "other", local


def _text(element: ET.Element | None) -> str:
    return (element.text or "") if element is not None else ""


def _date(text: str) -> dt.datetime | None:
    """WordPress's "2018-10-20 20:03:48" (the site's local time); none for its
    "0000-00-00 00:00:00" of a draft never given a date."""
    try:
        date = dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return date if date.year > 1 else None


def read_export(path: Path) -> Export:
    """Every text of the WordPress export ``path``."""
    try:
        root = parse(str(path), forbid_dtd=True).getroot()
    except (ET.ParseError, DefusedXmlException, OSError, ValueError, LookupError) as exc:
        raise ExportError(
            f"{path.name} cannot be read as a WordPress export ({exc}).",
            f"{path.name} не удаётся прочитать как выгрузку WordPress ({exc}).",
        ) from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ExportError(
            f"{path.name} is no WordPress export (an RSS file with a <channel>); make one "
            "in WordPress with Tools → Export → All content.",
            f"{path.name} — не выгрузка WordPress (файл RSS с <channel>); сделайте её в "
            "WordPress: Инструменты → Экспорт → Всё содержимое.",
        )
    site = _text(channel.find("title")).strip()
    # authors by login, as posts name them (dc:creator), shown by their display name
    names: dict[str, str] = {}
    for child in channel:
        if _name(child) == ("wp", "author"):
            fields = {_name(f): _text(f).strip() for f in child}
            login = fields.get(("wp", "author_login"), "")
            if login:
                names[login] = fields.get(("wp", "author_display_name"), "") or login
    raw: list[tuple[int, dict[tuple[str, str], ET.Element], ET.Element]] = []
    for number, element in enumerate(channel.findall("item"), start=1):
        fields: dict[tuple[str, str], ET.Element] = {}
        for child in element:
            fields.setdefault(_name(child), child)
        raw.append((number, fields, element))
    language = _text(channel.find("language")).strip().lower().replace("_", "-").split("-")[0]
    export = Export(site=site, items=[], language=language if language.isalpha() else "")
    # the blog's own address (the channel's link is often the same), whatever the
    # export format's version in the namespace
    blog = [_text(c).strip() for c in channel if _name(c) == ("wp", "base_blog_url")]
    export.address = (blog[0] if blog else "") or _text(channel.find("link")).strip()
    # a page's place in the tree: the slugs of the pages above it
    slugs: dict[str, tuple[str, str]] = {}
    for _, fields, _ in raw:
        post_id = _text(fields.get(("wp", "post_id"))).strip()
        slugs[post_id] = (
            _text(fields.get(("wp", "post_name"))).strip(),
            _text(fields.get(("wp", "post_parent"))).strip(),
        )
    for number, fields, element in raw:
        post_type = _text(fields.get(("wp", "post_type"))).strip() or "post"
        status = _text(fields.get(("wp", "status"))).strip() or "publish"
        comments = sum(1 for child in element if _name(child) == ("wp", "comment"))
        export.comments += comments
        kind = _KINDS.get(post_type)
        if kind is None or status not in _STATUS:
            export.skipped[post_type if kind is None else status] += 1
            continue
        post_id = _text(fields.get(("wp", "post_id"))).strip()
        categories: list[str] = []
        tags: list[str] = []
        for child in element:
            if _name(child) != ("", "category"):
                continue
            name = " ".join(_text(child).split())
            if not name:
                continue
            if child.get("domain") == "category":
                categories.append(name)
            elif child.get("domain") == "post_tag":
                tags.append(name)
        password = bool(_text(fields.get(("wp", "post_password"))).strip())
        export.items.append(
            Item(
                kind=kind,
                title=" ".join(_text(fields.get(("", "title"))).split()),
                slug=_text(fields.get(("wp", "post_name"))).strip(),
                html=_text(fields.get(("content", "encoded"))),
                date=_date(_text(fields.get(("wp", "post_date")))),
                modified=_date(_text(fields.get(("wp", "post_modified")))),
                status="draft" if password else _STATUS[status],
                # one category per text, as Pelican has (the rest become tags);
                # WordPress's "Uncategorized" is no category
                category=next((c for c in categories if c != "Uncategorized"), None),
                tags=[*[c for c in categories if c != "Uncategorized"][1:], *tags],
                authors=[
                    names.get(login, login)
                    for login in [_text(fields.get(("dc", "creator"))).strip()]
                    if login
                ],
                summary=_text(fields.get(("excerpt", "encoded"))).strip(),
                parents=_parents(post_id, slugs) if kind == "page" else [],
                origin=f"{path.name}, item {number} ({post_type} {post_id})",
                link=_text(fields.get(("", "link"))).strip(),
                comments=comments,
                password=password,
            )
        )
    return export


def _parents(post_id: str, slugs: dict[str, tuple[str, str]]) -> list[str]:
    """The slugs of the pages above ``post_id``, the highest first (a loop is cut)."""
    chain: list[str] = []
    seen = {post_id}
    parent = slugs.get(post_id, ("", "0"))[1]
    while parent and parent != "0" and parent not in seen and parent in slugs:
        seen.add(parent)
        slug, parent_of_parent = slugs[parent]
        if slug:
            chain.insert(0, slug)
        parent = parent_of_parent
    return chain
