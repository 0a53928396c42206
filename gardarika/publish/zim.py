"""ZIM files of the built network, for Kiwix (``invoke package --zim``).

Offline libraries in schools and villages hand out content as ZIM files, read by the
Kiwix apps and served over local Wi-Fi by ``kiwix-serve``. A package folder (the portal
and the towns' sites, every link relative and naming a file) is written into one ZIM
file as it is: every file an entry at its path, with its MIME type, HTML pages titled
from their ``<title>``, articles and pages marked as front articles (lists of tags,
categories and archives not), the portal as the main page. libzim's own full-text and
title indexes are made in the network's first language (Russian stemming for Russian),
and the metadata Kiwix's library shows is filled in: name, title, description, languages
as ISO 639-3 codes, creator, publisher, date, tags and a 48×48 picture.

The writer is python-libzim. Version 3.2 bundles libzim 8, whose files are opened by
the readers of libzim 8 (Debian 12's ``kiwix-serve`` 3.3 and ``zimcheck`` 3.1) and of
libzim 9 alike; libzim 9's files fail libzim 8's ``zimcheck``. Where python-libzim 3.2
cannot be installed (Python 3.12 and newer), a newer one writes libzim 9 files (see
README.md, "Kiwix").
"""

from __future__ import annotations

import datetime as dt
import html
import io
import mimetypes
import os
import posixpath
import re
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from gardarika.errors import visible
from gardarika.render.links import rewrite_html

#: ISO 639-1 (what the sites use) to ISO 639-3 (what ZIM's Language metadata takes)
ISO_639_3 = {
    "ru": "rus", "en": "eng", "fi": "fin", "uk": "ukr", "be": "bel", "kk": "kaz",
    "et": "est", "lv": "lav", "lt": "lit", "pl": "pol", "de": "deu", "fr": "fra",
    "es": "spa", "it": "ita", "pt": "por", "nl": "nld", "sv": "swe", "no": "nor",
    "nb": "nob", "da": "dan", "cs": "ces", "sk": "slk", "hu": "hun", "ro": "ron",
    "bg": "bul", "sr": "srp", "hr": "hrv", "sl": "slv", "el": "ell", "tr": "tur",
    "hy": "hye", "ka": "kat", "az": "aze", "uz": "uzb", "tt": "tat", "ba": "bak",
    "cv": "chv", "sah": "sah", "krl": "krl", "vep": "vep", "kv": "kpv", "ar": "ara",
    "he": "heb", "zh": "zho", "ja": "jpn", "ko": "kor",
}  # fmt: skip

#: MIME types where Python's table is missing or differs from what browsers expect
_MIME = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "application/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".woff2": "font/woff2",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".md": "text/plain",
    ".ico": "image/x-icon",
}
#: pages that list other pages: no front articles (tag, category, author, archive pages,
#: paginated lists, the search page)
_LIST_FOLDERS = {"tag", "tags", "category", "categories", "author", "authors", "feeds"}
_LIST_NAMES = re.compile(
    r"^(?:index|archives|categories|tags|authors|search|404|index-[a-z]{2,3})"
    r"(?:_\d+)?\.html$|_\d+\.html$"
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)
#: the longest title an entry is given (characters; at most 800 bytes in UTF-8)
TITLE_LIMIT = 200
#: the longest run of a title without a space (bytes of UTF-8)
WORD_LIMIT = 120
#: how much of a file is read at once
_CHUNK = 1 << 20
#: files of a package folder that are no part of the sites
_PACKAGE_FILES = {"README.txt", "ПРОЧТИ.txt", "MANIFEST.sha256"}


@dataclass
class ZimInfo:
    """The metadata of one ZIM file."""

    name: str
    title: str
    description: str
    long_description: str
    languages: list[str]  # ISO 639-1, the first the indexing language
    creator: str
    publisher: str
    main_path: str
    illustration: bytes  # a 48×48 PNG
    tags: list[str] = field(default_factory=list)
    date: dt.date = field(default_factory=dt.date.today)


def iso_639_3(code: str) -> str:
    """The ISO 639-3 code of a site's language (``ru`` → ``rus``); a code that is
    already three letters is taken as it is."""
    code = code.lower().split("-")[0]
    return ISO_639_3.get(code, code if len(code) == 3 else "mul")


def mime_type(path: str) -> str:
    suffix = os.path.splitext(path)[1].lower()
    if path.endswith(".atom.xml"):
        return "application/atom+xml"
    return _MIME.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def page_title(data: bytes, fallback: str) -> str:
    """A page's ``<title>`` as plain text, or ``fallback``."""
    found = _TITLE.search(data[:20000].decode("utf-8", "replace"))
    title = " ".join(html.unescape(found.group(1)).split()) if found else ""
    return title or fallback


def is_front(path: str, data: bytes) -> bool:
    """An article or a page of a town (not a list of them, not the portal)."""
    parts = path.split("/")
    if len(parts) < 2 or any(part in _LIST_FOLDERS for part in parts[:-1]):
        return False
    if _LIST_NAMES.search(parts[-1]):
        return False
    return b'class="entry-content' in data


def _files(folder: Path) -> Iterator[tuple[str, Path]]:
    """Every file of the package folder that goes into the book; raises ``OSError`` for
    what a book cannot hold (a name that is no UTF-8, a pipe or a device: reading one
    would wait for ever)."""
    for base, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(base) / name
            rel = path.relative_to(folder).as_posix()
            if rel in _PACKAGE_FILES or name.startswith(".") or path.is_symlink():
                continue
            try:
                rel.encode("utf-8")
            except UnicodeEncodeError:
                raise OSError(f"{visible(rel)}: the name is not UTF-8 text") from None
            if not stat.S_ISREG(path.lstat().st_mode):
                raise OSError(f"{visible(rel)}: not a regular file")
            yield rel, path


def _open_regular(path: Path) -> int:
    """A file descriptor of ``path`` for reading, refusing what is no regular file
    without waiting (a pipe put there since it was listed would block ``open``)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{visible(str(path.name))}: not a regular file")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read(path: Path) -> bytes:
    with os.fdopen(_open_regular(path), "rb") as file:
        return file.read()


def _index_title(title: str) -> str:
    """``title`` as libzim may index it: at most :data:`TITLE_LIMIT` characters, and no
    run without a space longer than :data:`WORD_LIMIT` bytes (libzim 8's index refuses
    a term of more than 245 bytes, such as a row of emoji, and corrupts its memory on a
    title of about 4 KB)."""
    words = []
    for word in short(title, TITLE_LIMIT).split(" "):
        if len(word.encode("utf-8")) > WORD_LIMIT:
            word = word.encode("utf-8")[: WORD_LIMIT - 3].decode("utf-8", "ignore") + "…"
        words.append(word)
    return " ".join(words)


def short(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters: cut at a word, or inside a
    word that is longer than half of that."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.rfind(" ") > limit // 2:  # at a word, unless that word is most of the text
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:—–-") + "…"


def _shorter(title: str) -> str:
    """A name like “Gardarika — a network of town websites” as Kiwix's short title
    wants it (30 characters at most): the part before the dash."""
    if len(title) > 30:
        for dash in (" — ", " – ", " - ", ": "):
            first = title.split(dash)[0].strip()
            if dash in title and first:
                return first
    return title


def illustration(picture: Path | None, initial: str) -> bytes:
    """A 48×48 PNG: the picture cut to a square and made small, or, without one, the
    initial of the name on the theme's dark blue."""
    from PIL import Image, ImageDraw, ImageFont, ImageOps

    image = None
    if picture is not None and picture.is_file():
        try:
            with Image.open(picture) as source:
                source.draft("RGB", (96, 96))
                image = ImageOps.fit(source.convert("RGB"), (48, 48), Image.Resampling.LANCZOS)
        except (OSError, ValueError, Image.DecompressionBombError):
            image = None
    if image is None:
        image = Image.new("RGB", (48, 48), (18, 53, 91))
        draw = ImageDraw.Draw(image)
        font = ImageFont.load_default(size=30) if hasattr(ImageFont, "load_default") else None
        draw.text((24, 25), initial[:1].upper() or "G", fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _plain_up(url: str) -> str:
    """``./../x`` as ``../x``: the same address, but libzim 8's ``zimcheck`` resolves the
    first wrongly (as ``a/../x`` from ``a/b/``) and would call the link broken."""
    while url.startswith("./../"):
        url = url[2:]
    return url


def zim_page(data: bytes, page: str = "", elsewhere: Callable[[str], str] | None = None) -> bytes:
    """A page (at ``page`` in the book) as it goes into the ZIM file: its addresses as
    the pages have them, only ``./../`` written ``../`` (every reader resolves both
    alike); with ``elsewhere``, a link to a path the book does not hold is given the
    address ``elsewhere`` says: a web address, or a path in the book."""
    if b"./../" not in data and elsewhere is None:
        return data
    here = posixpath.dirname(page) or "."

    def fix(url: str) -> str:
        url = _plain_up(url)
        if elsewhere is None or "://" in url or url.startswith(("#", "mailto:", "tel:", "data:")):
            return url
        target = posixpath.normpath(posixpath.join(here, url.split("#")[0].split("?")[0]))
        instead = elsewhere(target)
        if not instead:
            return url
        parts = urlsplit(url)  # the query and the fragment go with the new address
        tail = (f"?{parts.query}" if parts.query else "") + (
            f"#{parts.fragment}" if parts.fragment else ""
        )
        if "://" in instead:
            return instead + ("" if "#" in instead or "?" in instead else tail)
        return posixpath.relpath(instead, here) + tail

    text = data.decode("utf-8", "surrogateescape")
    return rewrite_html(text, fix).encode("utf-8", "surrogateescape")


def write_zim(
    folder: Path, target: Path, info: ZimInfo, outside: Callable[[str], str] | None = None
) -> Path:
    """Write every file of ``folder`` (a package folder) into the ZIM file ``target``,
    made beside it and then renamed; return ``target``. ``outside``: for a path that a
    page links and the folder does not hold, the address to give instead (``""``: as
    it is)."""
    files = list(_files(folder))  # walked once: the same list is linked and written
    paths = {rel for rel, _ in files}

    def elsewhere(path: str) -> str:
        return "" if path in paths or outside is None else outside(path)

    from libzim.writer import Blob, ContentProvider, Creator, Hint, Item, StringProvider

    failures: list[str] = []

    class _File(ContentProvider):
        """A file, read when libzim wants it, in one of libzim's own threads: an error
        raised there would kill the process (libzim cannot carry it back), so none is.
        A file that cannot be read, or no longer has the size it had, is recorded and
        its place filled with zeros; the ZIM file is then thrown away (below)."""

        def __init__(self, source: Path, rel: str, size: int) -> None:
            super().__init__()
            self.source, self.rel, self.size = source, rel, size

        def get_size(self) -> int:
            return self.size

        def gen_blob(self) -> Iterator[Blob]:
            left = self.size
            try:
                with os.fdopen(_open_regular(self.source), "rb") as file:
                    while left:
                        chunk = file.read(min(left, _CHUNK))
                        if not chunk:
                            break
                        left -= len(chunk)
                        yield Blob(chunk)
                    if left or file.read(1):
                        failures.append(f"{self.rel}: changed while it was read")
            except OSError as error:
                failures.append(f"{self.rel}: {error.strerror or error}")
            while left > 0:
                yield Blob(b"\0" * min(left, _CHUNK))
                left -= _CHUNK

    class _Entry(Item):
        def __init__(
            self, path: str, source: Path, title: str, front: bool, data: bytes | None
        ) -> None:
            super().__init__()
            self.path, self.source, self.front = path, source, front
            self.title = _index_title(title)
            self.data = data  # a page's bytes as they go in; other files are read there
            # the size is taken here, in the main thread: an error here is raised as usual
            self.size = source.stat().st_size if data is None else len(data)

        def get_path(self) -> str:
            return self.path

        def get_title(self) -> str:
            return self.title

        def get_mimetype(self) -> str:
            return mime_type(self.path)

        def get_contentprovider(self) -> ContentProvider:
            if self.data is not None:
                return StringProvider(self.data)
            return _File(self.source, self.path, self.size)

        def get_hints(self) -> dict[Hint, int]:
            return {Hint.FRONT_ARTICLE: self.front, Hint.COMPRESS: True}

    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    creator = Creator(str(tmp)).config_indexing(True, iso_639_3(info.languages[0]))
    try:
        with creator:
            creator.set_mainpath(info.main_path)
            for key, value in (
                ("Name", info.name),
                ("Title", short(_shorter(info.title), 30)),
                ("Description", short(info.description, 80)),
                ("LongDescription", short(info.long_description, 4000)),
                ("Language", ",".join(dict.fromkeys(iso_639_3(c) for c in info.languages))),
                ("Creator", short(info.creator, 200)),
                ("Publisher", short(info.publisher, 200)),
                ("Date", info.date.isoformat()),
                ("Tags", ";".join(info.tags)),
                ("Scraper", "Gardarika"),
            ):
                if value:
                    creator.add_metadata(key, value)
            creator.add_illustration(48, info.illustration)
            for rel, path in files:
                if rel.endswith((".html", ".htm")):
                    data = _read(path)
                    front = is_front(rel, data)
                    page = zim_page(data, rel, elsewhere if outside else None)
                    entry = _Entry(rel, path, page_title(data, rel), front, page)
                else:
                    entry = _Entry(rel, path, rel, False, None)
                try:
                    creator.add_item(entry)
                except RuntimeError as error:  # libzim's, with no word of which file
                    last = (str(error).strip().splitlines() or ["?"])[-1]
                    raise OSError(f"{visible(rel)}: libzim refused it ({visible(last)})") from None
        if failures:
            shown = "; ".join(failures[:5]) + (" …" if len(failures) > 5 else "")
            raise OSError(f"{len(failures)} file(s) could not be read: {shown}")
        os.replace(tmp, target)
    except BaseException:
        for left in tmp.parent.glob(f"{tmp.name}*"):  # libzim's indexes beside it too
            if left.is_dir():
                shutil.rmtree(left, ignore_errors=True)
            else:
                left.unlink(missing_ok=True)
        raise
    return target
