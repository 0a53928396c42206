"""A folder of another static generator's content: Pelican, Hugo or Jekyll.

Which generator made the folder is told by its settings file (``pelicanconf.py``,
``hugo.toml``/``config.toml``…, ``_config.yml``), or, without one, by its content (a
``_posts`` folder, front matter between ``+++`` lines, Pelican's ``Title:`` header).
Each text becomes an :class:`~.items.Item` whose body stays Markdown (reStructuredText,
which Pelican also reads, is converted by Pelican's own reader to HTML first), its
metadata mapped to Gardarika's: title, date, modified, category, tags, authors,
summary, slug, language, and draft or hidden.

What belongs where, as each generator has it:

- **Pelican**: texts under ``content/`` (or the folder itself); ``pages/`` holds
  pages, every other text is an article whose category is its folder's name unless it
  names one; the date may be in the file name (``2012-11-30_title.md``).
- **Hugo**: texts under ``content/``; a text in a section's folder (``post/``,
  ``blog/``…) is an article, one at the top a page; ``_index.md`` (a section's list
  page) and headless bundles are not texts of their own; ``draft: true``, a
  ``publishDate`` in the future and ``expiryDate`` in the past are honoured; files under
  ``static/`` are the site's own files.
- **Jekyll**: ``_posts/YYYY-MM-DD-name.md`` are articles (date and name from the file
  name), ``_drafts/`` drafts, and a Markdown file elsewhere with front matter a page
  (Jekyll publishes none without); folders starting with ``_`` and the usual tool
  folders are not content.

Nothing is read outside the folder: links that lead out of it are not followed, and
only regular files are read, each at most the build's own size limit.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import posixpath
import re
import stat
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gardarika.build.limits import MAX_FILE_BYTES, MAX_TOWN_DEPTH, MAX_TOWN_ENTRIES
from gardarika.content.frontmatter import header_metadata, parse_front_matter, split_front_matter
from gardarika.content.importing.items import Export, ExportError, Item
from gardarika.content.importing.markup import convert_hugo, convert_liquid, split_more
from gardarika.errors import ContentError

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")
TEXT_SUFFIXES = (*MARKDOWN_SUFFIXES, ".rst")
#: Hugo sections whose texts are what a town calls articles (any other section's too)
_HUGO_SETTINGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml")
_JEKYLL_SETTINGS = ("_config.yml", "_config.yaml")
#: folders that are never content (tools, build output, dependencies)
_NEVER = {
    ".git",
    ".github",
    "node_modules",
    "vendor",
    "output",
    "public",
    "_site",
    ".jekyll-cache",
    ".sass-cache",
    "resources",
    "__pycache__",
    "themes",
    "layouts",
    "archetypes",
    "assets",
    "static",
    "theme",
    "plugins",
}
#: Jekyll's folders that hold no texts of their own
_JEKYLL_NEVER = _NEVER - {"assets"}
_TOML_OPENING = re.compile(r"\A\ufeff?\+\+\+[ \t]*\r?\n")
_TOML_CLOSING = re.compile(r"^\+\+\+[ \t]*$", re.M)
_JEKYLL_POST = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_PELICAN_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[_-](.+)$")


def generator_of(folder: Path) -> str | None:
    """``"pelican"``, ``"hugo"`` or ``"jekyll"``: which generator's folder this is."""
    if _regular(folder / "pelicanconf.py") or _regular(folder / "pelican.conf.py"):
        return "pelican"
    if any(_regular(folder / name) for name in _HUGO_SETTINGS):
        return "hugo"
    posts = folder / "_posts"
    if any(_regular(folder / name) for name in _JEKYLL_SETTINGS) or (
        posts.is_dir() and not posts.is_symlink()
    ):
        return "jekyll"
    for path in _walk(folder, _NEVER, limit=2000):
        if path.suffix.lower() not in MARKDOWN_SUFFIXES:
            continue
        head = _read(path, head=400)
        if head is None:
            continue
        if _TOML_OPENING.match(head):
            return "hugo"
        if re.match(r"\ufeff?title:\s*\S", head, re.I):  # Pelican's "Title: …" header
            return "pelican"
    return None


def _walk(folder: Path, never: set[str], limit: int = MAX_TOWN_ENTRIES) -> Iterator[Path]:
    """Regular files below ``folder`` in a stable order, never into a link, a hidden
    folder or one of ``never``, never deeper than a town may be; at most ``limit``
    entries (files and folders) looked at. (A stack, not ``os.walk``, which calls itself
    for each level.)"""
    seen = 0
    stack: list[tuple[Path, int]] = [(folder, 0)]
    while stack:
        current, depth = stack.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            continue
        folders = []
        for entry in entries:
            seen += 1
            if seen > limit:
                return
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in never and depth + 1 < MAX_TOWN_DEPTH:
                        folders.append((Path(entry.path), depth + 1))
                elif entry.is_file(follow_symlinks=False):
                    yield Path(entry.path)
            except OSError:
                continue
        stack.extend(reversed(folders))


def _read(path: Path, head: int = 0) -> str | None:
    """The text of ``path`` (UTF-8), or None: not a regular file of its own (a link, a
    pipe, a device), too large, unreadable, not UTF-8. With ``head``, only its first
    ``head`` characters."""
    try:
        status = os.lstat(path)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_FILE_BYTES:
            return None
        with open(path, "rb", opener=_no_follow) as source:
            if head:  # (a character cut at the end of what is read is not an error)
                decoder = codecs.getincrementaldecoder("utf-8-sig")()
                return decoder.decode(source.read(head * 4), final=False)[:head]
            data = source.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return None
        return data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _no_follow(path: str, flags: int) -> int:
    """Open without following a link or waiting on a pipe swapped in meanwhile."""
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))


def _regular(path: Path) -> bool:
    """Whether ``path`` is a regular file itself (not a link to one)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _front(text: str) -> tuple[dict[str, Any] | None, str, int, str]:
    """(front matter, body, first line of the body, kind) of a text: YAML (``---``),
    TOML (``+++``) or Pelican's ``Key: value`` header; None when it has none."""
    toml = _TOML_OPENING.match(text)
    if toml:
        closing = _TOML_CLOSING.search(text, toml.end())
        if closing is None:
            raise ValueError("the front matter opened with “+++” is never closed")
        data = tomllib.loads(text[toml.end() : closing.start()])
        body_line = text.count("\n", 0, closing.end()) + 2
        return data, text[closing.end() :].lstrip("\r\n"), body_line, "toml"
    front, body, body_line = split_front_matter(text)
    if front is not None:
        data = parse_front_matter(front)
        return (data if isinstance(data, dict) else {}), body, body_line, "yaml"
    meta, _, body_line = header_metadata(text)
    if meta:
        body = "\n".join(text.split("\n")[body_line - 1 :])
        return dict(meta), body, body_line, "header"
    return None, text, 1, ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return " ".join(str(value).split())


def _names(value: Any) -> list[str]:
    """A list of names from a YAML/TOML list, or a text with commas (Pelican) or spaces
    (Jekyll's ``tags: a b``) between them."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [_text(v) for v in value if _text(v)]
    text = _text(value)
    parts = text.split(",") if "," in text else [text]
    return [p.strip() for p in parts if p.strip()]


def _date(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = _text(value)
    if not text:
        return None
    text = text.replace("T", " ").rstrip("Z")
    text = re.sub(r"\s*(?:[+-]\d{2}:?\d{2}|UTC|GMT)$", "", text)
    for form in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(text.split(".")[0], form)
        except ValueError:
            continue
    return None


def _true(value: Any) -> bool:
    return value is True or _text(value).lower() in ("true", "yes", "1")


class _Reader:
    """Reads one folder into an :class:`Export`."""

    def __init__(self, folder: Path, generator: str) -> None:
        self.folder = folder
        self.generator = generator
        self.export = Export(site="", items=[])
        self.now = dt.datetime.now()

    def item(self, path: Path, kind: str, rel: str) -> Item | None:
        """The text at ``path`` as an item, or None (noted in ``skipped``)."""
        text = _read(path)
        if text is None:
            self.export.skipped["not readable as UTF-8 text, or too large"] += 1
            return None
        if path.suffix.lower() == ".rst":
            return self.rst_item(path, kind, rel)
        try:
            meta, body, _, _ = _front(text)
        except (ValueError, ContentError, RecursionError):
            self.export.skipped["its front matter cannot be read"] += 1
            return None
        if meta is None:
            if self.generator == "jekyll":
                self.export.skipped["no front matter (Jekyll does not publish it)"] += 1
                return None
            meta = {}
        meta = {str(k).lower(): v for k, v in meta.items()}
        if not body.strip() and kind == "page":
            self.export.skipped["no text of its own (a template made its page)"] += 1
            return None
        if self.generator != "pelican":  # (Pelican has no template code in texts)
            body = (convert_hugo if self.generator == "hugo" else convert_liquid)(body).text
        summary, body = split_more(body)
        item = Item(
            kind=kind,
            title=_text(meta.get("title")),
            slug="",
            html="",
            markdown=body,
            origin=rel,
            source=rel,
        )
        item.template = self.generator if self.generator != "pelican" else ""
        self.metadata(item, meta, path)
        if not item.summary_markdown and summary:
            item.summary_markdown = summary
        return item

    def rst_item(self, path: Path, kind: str, rel: str) -> Item | None:
        """A reStructuredText text (Pelican), read by Pelican's own reader."""
        from pelican.readers import RstReader
        from pelican.settings import DEFAULT_CONFIG

        settings = dict(DEFAULT_CONFIG)
        settings["FORMATTED_FIELDS"] = []
        # as in the build: ".. include:: /etc/passwd" and raw HTML or files read by
        # "raw", "csv-table" and the like are refused, never put into a text
        settings["DOCUTILS_SETTINGS"] = {"file_insertion_enabled": False, "raw_enabled": False}
        try:
            html, meta = RstReader(settings).read(str(path))
        except Exception:  # docutils stops on a text it cannot read: that text is skipped
            self.export.skipped["reStructuredText that docutils cannot read"] += 1
            return None
        item = Item(kind=kind, title="", slug="", html=html, origin=rel, source=rel)
        plain = {
            str(k).lower(): (v if isinstance(v, (str, list, dt.datetime)) else str(v))
            for k, v in meta.items()
        }
        if "tags" in meta:
            plain["tags"] = [str(t) for t in meta["tags"]]
        if "authors" in meta:
            plain["authors"] = [str(a) for a in meta["authors"]]
        self.metadata(item, plain, path)
        return item

    def metadata(self, item: Item, meta: dict[str, Any], path: Path) -> None:
        """Map ``meta`` (keys in lower case) onto ``item``."""
        stem = path.stem
        name = stem.rsplit(".", 1)[0] if re.search(r"\.[a-z]{2,3}$", stem) else stem
        if path.stem != name and not meta.get("lang"):
            meta["lang"] = path.stem.rsplit(".", 1)[1]  # "about.en.md" (Hugo, Gardarika)
        date = _date(meta.get("date"))
        if self.generator == "jekyll":
            post = _JEKYLL_POST.match(name)
            if post:
                date = date or _date("-".join(post.groups()[:3]))
                name = post.group(4)
        elif self.generator == "pelican":
            dated = _PELICAN_DATE.match(name)
            if dated:
                date = date or _date("-".join(dated.groups()[:3]))
                name = dated.group(4)
        if name in ("index", "_index"):
            name = path.parent.name  # a page bundle: the folder is its name
        item.title = item.title or _text(meta.get("title")) or name.replace("-", " ")
        item.date = date
        item.modified = _date(meta.get("modified") or meta.get("lastmod") or meta.get("updated"))
        slug = _text(meta.get("slug"))
        for key in ("url", "permalink"):
            if not slug and meta.get(key):
                slug = [p for p in _text(meta[key]).split("/") if p and "." not in p][-1:] or ""
                slug = slug[0] if slug else ""
        # Pelican names a text after its title (SLUGIFY_SOURCE), Hugo and Jekyll after
        # its file: an empty slug is made from the title by the writer
        item.slug = slug or ("" if self.generator == "pelican" else name)
        categories = _names(meta.get("categories")) or _names(meta.get("category"))
        if self.generator == "jekyll" and isinstance(meta.get("categories"), str):
            categories = meta["categories"].split()
        if not categories and self.generator == "pelican" and item.kind == "article":
            folder = Path(item.source).parent.name
            categories = [folder] if folder not in ("", ".", "posts", "articles") else []
        item.category = categories[0] if categories else None
        tags = _names(meta.get("tags"))
        if self.generator == "jekyll" and isinstance(meta.get("tags"), str):
            tags = meta["tags"].split()
        item.tags = [*categories[1:], *tags, *_names(meta.get("series"))]
        item.authors = _names(meta.get("authors")) or _names(meta.get("author"))
        summary = meta.get("summary") or meta.get("description") or meta.get("excerpt")
        item.summary_markdown = _text(summary) if isinstance(summary, str) else ""
        item.lang = _text(meta.get("lang") or meta.get("language")).lower()[:3]
        status = _text(meta.get("status")).lower()
        if _true(meta.get("draft")) or status == "draft" or meta.get("published") is False:
            item.status = "draft"
        elif status == "hidden" or _true(meta.get("private")):
            item.status = "hidden"
        publish = _date(meta.get("publishdate"))
        if publish is not None and publish > self.now:
            item.status = "draft"
        expiry = _date(meta.get("expirydate"))
        if expiry is not None and expiry < self.now:
            item.status = "hidden"
        if item.date is not None and item.date > self.now and item.kind == "article":
            item.status = "draft"  # a future post: Pelican, Hugo and Jekyll hold it back

    def headless(self, paths: list[Path], content: Path) -> set[str]:
        """The folders of Hugo's headless bundles (an ``index.md`` with ``headless:
        true``): nothing in them is published on its own."""
        folders = set()
        for path in paths:
            if self.generator != "hugo" or path.name.lower() not in ("index.md", "index.markdown"):
                continue
            try:
                meta = _front(_read(path) or "")[0] or {}
            except (ValueError, ContentError, RecursionError):
                continue
            if _true({str(k).lower(): v for k, v in meta.items()}.get("headless")):
                folders.add(path.parent.relative_to(content).as_posix())
        return folders

    def read(self) -> Export:
        content = self.content_root()
        paths = list(_walk(content, _JEKYLL_NEVER if self.generator == "jekyll" else _NEVER))
        headless = self.headless(paths, content)
        for path in paths:
            rel = path.relative_to(content).as_posix()
            if path.suffix.lower() not in TEXT_SUFFIXES:
                continue
            folder = posixpath.dirname(rel)
            if any(folder == h or folder.startswith(h + "/") for h in headless):
                if path.name.lower().startswith("index."):
                    self.export.skipped["a headless bundle (Hugo does not publish it)"] += 1
                else:
                    self.export.skipped["inside a headless bundle (Hugo does not publish it)"] += 1
                continue
            if path.suffix.lower() == ".rst" and self.generator != "pelican":
                self.export.skipped["reStructuredText outside a Pelican site"] += 1
                continue
            kind = self.kind(rel)
            if kind is None:
                continue
            item = self.item(path, kind, rel)
            if item is not None:
                if kind == "page":
                    item.parents = self.parents(rel)
                self.export.items.append(item)
        self.export.site = self.folder.name
        return self.export

    def roots(self) -> list[Path]:
        """Where the old site's own files (pictures, PDFs) may be copied from."""
        content = self.content_root()
        static = self.folder / "static"
        if self.generator == "hugo" and static.is_dir() and not static.is_symlink():
            return [content, static]
        return [content]

    def content_root(self) -> Path:
        inner = self.folder / "content"
        if self.generator in ("pelican", "hugo") and inner.is_dir() and not inner.is_symlink():
            return inner
        return self.folder

    def kind(self, rel: str) -> str | None:
        """ "article", "page", or None (not a text of its own; counted in skipped)."""
        parts = rel.split("/")
        name = parts[-1].lower()
        if self.generator == "hugo":
            if name.startswith("_index."):
                self.export.skipped["a section's list page (Hugo's _index.md)"] += 1
                return None
            return "article" if len(parts) > 1 and not self._bundle_page(parts) else "page"
        if self.generator == "jekyll":
            if parts[0] == "_posts":
                return "article"
            if parts[0] == "_drafts":
                return "draft-article"
            if any(p.startswith("_") for p in parts[:-1]) or name.startswith("readme"):
                self.export.skipped["not a page (a tool's or the theme's file)"] += 1
                return None
            return "page"
        # Pelican
        return "page" if parts[0] == "pages" else "article"

    def _bundle_page(self, parts: list[str]) -> bool:
        """A Hugo page bundle at the top (``about/index.md``): a page."""
        return len(parts) == 2 and parts[1].lower().startswith("index.")

    def parents(self, rel: str) -> list[str]:
        parts = rel.split("/")[:-1]
        if self.generator == "pelican" and parts[:1] == ["pages"]:
            parts = parts[1:]
        if self.generator == "hugo" and parts and rel.split("/")[-1].lower().startswith("index."):
            parts = parts[:-1]
        return parts


_PELICAN_SITEURL = re.compile(r"""^SITEURL\s*=\s*['"](https?://[^'"\s]+)['"]""", re.M)
_PELICAN_LANG = re.compile(r"""^DEFAULT_LANG\s*=\s*['"]([A-Za-z]{2,3})(?:[-_][^'"]*)?['"]""", re.M)


def _language(value: Any) -> str:
    """ "en" of "en-US" or "en_GB"; "" when it is no language code."""
    code = re.split(r"[-_]", _text(value).lower())[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else ""


def site_settings(folder: Path, generator: str) -> tuple[str, str]:
    """The old site's web address and language as its settings give them ("" if they do
    not): Hugo's ``baseURL`` and ``languageCode``, Jekyll's ``url``, ``baseurl`` and
    ``lang``, Pelican's ``SITEURL`` and ``DEFAULT_LANG`` (read as text: Pelican's
    settings are Python, never run here)."""
    try:
        if generator == "hugo":
            for name in _HUGO_SETTINGS:
                path = folder / name
                if _regular(path) and name.endswith(".toml"):
                    data = tomllib.loads(_read(path) or "")
                    language = data.get("languageCode") or data.get("defaultContentLanguage")
                    return str(data.get("baseURL") or data.get("baseurl") or ""), _language(
                        language
                    )
        if generator == "jekyll":
            for name in _JEKYLL_SETTINGS:
                path = folder / name
                if _regular(path):
                    data = parse_front_matter(_read(path) or "") or {}
                    url, sub = str(data.get("url") or ""), str(data.get("baseurl") or "")
                    address = url.rstrip("/") + "/" + sub.strip("/") if url else ""
                    return address, _language(data.get("lang") or data.get("locale"))
        if generator == "pelican":
            address = language = ""
            for name in ("publishconf.py", "pelicanconf.py", "pelican.conf.py"):
                text = _read(folder / name) or ""
                found = _PELICAN_SITEURL.search(text)
                address = address or (found.group(1) if found else "")
                lang = _PELICAN_LANG.search(text)
                language = language or (lang.group(1).lower() if lang else "")
            return address, language
    except (ValueError, ContentError, RecursionError, OSError, AttributeError):
        return "", ""
    return "", ""


def read_folder(folder: Path) -> Export:
    """The texts of another generator's site in ``folder`` (see the module). Raises
    :class:`ExportError` when it is none that is known."""
    generator = generator_of(folder)
    if generator is None:
        raise ExportError(
            f"{folder} is no Pelican, Hugo or Jekyll site: none of their settings files "
            "(pelicanconf.py, hugo.toml or config.toml, _config.yml) and no texts with "
            "their front matter were found",
            f"{folder} — не сайт Pelican, Hugo или Jekyll: нет ни их файлов настроек "
            "(pelicanconf.py, hugo.toml или config.toml, _config.yml), ни текстов с их "
            "метаданными",
        )
    reader = _Reader(folder, generator)
    export = reader.read()
    for item in export.items:
        if item.kind == "draft-article":
            item.kind, item.status = "article", "draft"
    export.generator = generator
    export.address, export.language = site_settings(folder, generator)
    address = export.address
    if address and not address.startswith(("http://", "https://")):
        export.address = ""
    export.folder = reader.content_root()
    export.roots = reader.roots()
    export.skipped = Counter(export.skipped)
    return export
