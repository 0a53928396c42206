"""Links of imported texts to each other and to the old site's files, made the town's.

A link from one imported text to another (its old address, its path in the old
folder, Pelican's ``{filename}``, Hugo's ``ref``, Jekyll's ``post_url``) becomes
``{filename}/…`` to the text's new file, so it works offline and in every language's
folder. A link to a file of the old site (a picture, a PDF) becomes ``{static}/…`` to a
copy in the town's ``images/`` (pictures) or ``files/`` folder: the file is copied from
the old site's folder, or, for a WordPress export, from the uploads folder given with
``--uploads`` (``wp-content/uploads``). A picture WordPress made smaller
(``photo-300x200.jpg``) that is not there is taken from its original. What cannot be
found stays as it was: a link to another website stays a link, a picture on one is
shown as a link by the build, with a note.

Files are copied only from inside those folders (a link out of them is not followed)
and only if the build would publish them (:func:`gardarika.checks.files.publish_refusal`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from gardarika.build.limits import MAX_FILE_BYTES
from gardarika.checks.files import publish_refusal
from gardarika.content.importing.markup import Converted, Edits
from gardarika.content.markdown import mask_code

PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif")
TEXT_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown", ".rst")
_PLACEHOLDER = re.compile(r"^(?:\{(filename|static|attach)\}|\|(filename|static|attach)\|)")
#: Pelican's other placeholders: a tag's, category's or author's page, the index
_TERM_PLACEHOLDER = re.compile(
    r"^(?:\{(tag|category|author|index)\}|\|(tag|category|author|index)\|)", re.I
)
_RESIZED = re.compile(r"-\d{2,5}x\d{2,5}(?=\.[A-Za-z0-9]+$)")
#: link targets in Markdown (bounded, as the editors' checks read them)
_MARKDOWN_LINKS = (
    # [text](target "title"); an address that is template code may hold spaces
    re.compile(
        r"\]\(\s*(?:<(\{[{%][^\n]{0,2000}?[}%]\}[^>\n]*|[^>\n]{0,2048})>"
        r"|(\{[{%][^\n]{0,2000}?[}%]\}[^)\s]*|[^)\s]{1,2048}))"
    ),
    re.compile(
        r"^[ ]{0,3}\[(?!\^)[^\]\n]{1,500}\]:[ \t]*(?:<([^>\n]{0,2048})>|(\S{1,2048}))", re.M
    ),
    re.compile(r"""\b(?:src|href)\s*=\s*(?:"([^"\n]{0,2048})"|'([^'\n]{0,2048})')""", re.I),
)


@dataclass
class Copy:
    """A file of the old site to be copied into the town."""

    source: Path
    target: str  # relative to the town's folder


@dataclass
class Addresses:
    """What each old address of a text or file is in the town (see the module)."""

    #: the old site's content folder (a folder source) and where its own files may be
    roots: list[Path] = field(default_factory=list)
    #: the folder given with --uploads (a WordPress export)
    uploads: Path | None = None
    #: the town's folder (to see what is there already)
    town: Path | None = None
    #: a text's path in the old folder -> its file in the town
    by_source: dict[str, str] = field(default_factory=dict)
    #: a text's old web address (host and path) -> its file in the town
    by_address: dict[str, str] = field(default_factory=dict)
    #: the last part of an old address -> the files in the town with it
    by_name: dict[str, set[str]] = field(default_factory=dict)
    #: the old site's host (links to it are links into it)
    host: str = ""
    #: the old site's address, against which a link into it that leads to no text or
    #: file here is made absolute (it still leads to the old site)
    base: str = ""
    copies: dict[Path, Copy] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)
    #: "tag", "category", "author" -> the names (case-folded) the imported texts have
    terms: dict[str, set[str]] = field(default_factory=dict)

    def add_text(self, target: str, source: str = "", address: str = "", name: str = "") -> None:
        if source:
            self.by_source[posixpath.normpath(source)] = target
        if address:
            self.by_address[_address_key(address)] = target
        for each in {name, _last_part(address)}:
            if each:
                self.by_name.setdefault(each.lower(), set()).add(target)

    def resolve(self, url: str, folder: str = "", markdown: bool = False) -> str | None:
        """The town's address for ``url`` in a text whose old file was in ``folder``
        (relative to the old content folder), or None to leave it as it is. With
        ``markdown`` (a text that was Markdown already), a link into the old site that
        leads to nothing here is made absolute against its address, or ``#`` without
        one: left as it was, it would be a link to no file, which stops the build."""
        found = self._resolve(url, folder)
        if found is not None or not markdown:
            return found
        url = url.strip()
        if _PLACEHOLDER.match(url):
            return "#"  # the old site's file is not in its folder: a link to no file
        term = _TERM_PLACEHOLDER.match(url)
        if term:
            # Pelican's {tag}name, {category}name, {author}name: kept for a name an
            # imported text has (the town makes its page), else a link to no page
            kind = (term.group(1) or term.group(2)).lower()
            name = unquote(url[term.end() :]).split("#")[0].strip().casefold()
            return None if name and name in self.terms.get(kind, set()) else "#"
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path or url.startswith(("{", "|")):
            return None
        if self.base and not posixpath.normpath(parts.path).startswith(".."):
            return urljoin(self.base.rstrip("/") + "/", url.strip().lstrip("/"))
        return "#"

    def _resolve(self, url: str, folder: str) -> str | None:
        url = url.strip()
        if not url or url.startswith(("#", "mailto:", "tel:", "data:")):
            return None
        placeholder = _PLACEHOLDER.match(url)
        if placeholder:
            url = url[placeholder.end() :]
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") or url.startswith("//"):
            host = _host(parts.netloc)
            if self.uploads is not None:
                # a self-hosted WordPress keeps uploads in /wp-content/uploads/, one on
                # WordPress.com at https://<blog>.files.wordpress.com/
                rest = ""
                if "/wp-content/uploads/" in parts.path:
                    rest = parts.path.split("/wp-content/uploads/", 1)[1]
                elif host.endswith(".files.wordpress.com"):
                    rest = parts.path.lstrip("/")
                if rest:
                    found = self._uploaded(unquote(rest))
                    return _with(found, parts.fragment) if found else None
            if not self.host or host != self.host:
                return None
            text = self.by_address.get(_address_key(url))
            if text is not None:
                return _with(f"{{filename}}/{text}", parts.fragment)
            path = unquote(parts.path)
            folder = ""
        elif parts.scheme or parts.netloc:
            return None
        else:
            path = unquote(parts.path)
            if not path:
                return None
        if "/wp-content/uploads/" in path and self.uploads is not None:
            found = self._uploaded(path.split("/wp-content/uploads/", 1)[1])
            return _with(found, parts.fragment) if found else None
        found = self._path(path, folder)
        return _with(found, parts.fragment) if found else None

    def _path(self, path: str, folder: str) -> str | None:
        candidates = []
        if not path.startswith("/"):
            candidates.append(posixpath.normpath(posixpath.join(folder, path)))
        candidates.append(posixpath.normpath(path.lstrip("/")))
        for candidate in candidates:
            if candidate.startswith("..") or candidate in (".", ""):
                continue
            stem = candidate.rstrip("/")
            for text in (stem, *(stem + s for s in TEXT_SUFFIXES), stem + "/index.md"):
                if text in self.by_source:
                    return f"{{filename}}/{self.by_source[text]}"
            if not candidate.lower().endswith(TEXT_SUFFIXES):
                for root in self.roots:
                    copied = self._copy(root, candidate)
                    if copied:
                        return copied
        # an old page's address ("/about/", "2020/04/02/news.html"): its last part, when
        # one text of the town has it
        last = _last_part(path)
        if last and (path.endswith(("/", ".html", ".htm")) or "." not in last):
            found = self.by_name.get(last.lower(), set())
            if len(found) == 1:
                return f"{{filename}}/{next(iter(found))}"
        return None

    def _uploaded(self, rest: str) -> str | None:
        assert self.uploads is not None
        rest = posixpath.normpath(rest)
        if rest.startswith(".."):
            return None
        return self._copy(self.uploads, rest) or (
            self._copy(self.uploads, _RESIZED.sub("", rest)) if _RESIZED.search(rest) else None
        )

    def _copy(self, root: Path, rel: str) -> str | None:
        """``{static}/…`` for the file ``rel`` below ``root``, planned to be copied;
        None when there is no such file there or the build would not publish it."""
        try:
            source = (root / rel).resolve(strict=True)
            inside = source.is_relative_to(root.resolve())
            if not inside or not source.is_file() or source.stat().st_size > MAX_FILE_BYTES:
                return None
        except (OSError, RuntimeError, ValueError):
            return None
        if source in self.copies:
            return f"{{static}}/{self.copies[source].target}"
        folder = "images" if source.suffix.lower() in PICTURE_SUFFIXES else "files"
        name = re.sub(r"[^\w.-]+", "-", source.name).strip("-.") or "file"
        if name.lower().endswith((*TEXT_SUFFIXES, ".html", ".htm")):
            return None  # ("page.md " would be a text of the town once its name is cleaned)
        stem, dot, suffix = name.rpartition(".")
        target = f"{folder}/{name}"
        number = 2
        while target in self.taken or self._differs(target, source):
            target = f"{folder}/{stem or name}-{number}{dot}{suffix if stem else ''}"
            number += 1
        if publish_refusal(target, source) is not None:
            return None
        self.taken.add(target)
        self.copies[source] = Copy(source, target)
        return f"{{static}}/{target}"

    def _differs(self, target: str, source: Path) -> bool:
        """Whether the town has another file at ``target`` (the same bytes: no)."""
        if self.town is None:
            return False
        there = self.town / target
        try:
            return there.exists() and there.read_bytes() != source.read_bytes()
        except OSError:
            return True


def _with(target: str, fragment: str) -> str:
    return target + (f"#{fragment}" if fragment else "")


def _host(netloc: str) -> str:
    """A host as addresses are compared: in lower case, without ``www.``."""
    return netloc.lower().removeprefix("www.")


def _address_key(url: str) -> str:
    parts = urlsplit(url.strip())
    host = _host(parts.netloc)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, parts.query, ""))


def _last_part(address: str) -> str:
    path = urlsplit(address).path if "://" in address else address
    last = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    for suffix in (".html", ".htm"):
        if last.lower().endswith(suffix):
            last = last[: -len(suffix)]
    return last


def host_of(address: str) -> str:
    """The host of the old site's address, as :meth:`Addresses.resolve` compares it."""
    return _host(urlsplit(address.strip()).netloc)


#: template code of the old site in a link's address (its value is unknown here)
_TEMPLATE_CODE = re.compile(r"\{\{|\{%|\{<")


def rewrite_markdown(text: str, resolve: Callable[[str], str | None]) -> Converted:
    """``text`` (Markdown) with each link and picture target outside code passed through
    ``resolve`` (which gives the new target or None to keep it). A target that was the
    old site's template code (``{{ site.github.repo }}``) and that ``resolve`` keeps
    becomes ``#``, a link that leads nowhere, as the build would refuse a link to no
    file; each ``#`` that ``resolve`` or this gave in place of another address is
    reported with its line (``Leftover.link``)."""
    looked = mask_code(text, indented=True)
    edits = Edits(text)
    for pattern in _MARKDOWN_LINKS:
        for match in pattern.finditer(looked):
            group = next(g for g in (1, 2) if match.group(g) is not None)
            start, end = match.span(group)
            old = text[start:end]
            new = resolve(old)
            if new is None and _TEMPLATE_CODE.search(old):
                new = "#"
            if new is not None:
                angle = pattern is _MARKDOWN_LINKS[0] and group == 2 and " " in new
                note = " ".join(old.split())[:80] if new == "#" and old != "#" else ""
                edits.replace(start, end, f"<{new}>" if angle else new, note)
    return edits.result()
