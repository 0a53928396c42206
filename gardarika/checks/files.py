"""The editors' check of the files beside the texts: only kinds of file that run nothing.

Pictures and documents in ``images/`` and ``files/`` (or any ``STATIC_PATHS`` folder) are
copied to the site as they are, without the cleaning that texts get
(:mod:`gardarika.render.sanitize`). A web page, a script, an XML document with an XHTML
``<script>`` (RSS, RDF, Atom…), an MHTML archive or an SVG drawing with a script, opened
from the site, would run in the readers' browsers with the site's own rights. A list of
what to forbid always misses one (``.rdf``, ``.mht``, a file without an extension that
a server sends without a type and a browser guesses is HTML), so the rule is a list of
what is allowed, :data:`INERT_TYPES`: pictures, drawings, documents, archives, audio and
video, subtitles and fonts. Anything else is refused, unless the town's settings say
``trust_html: true``.

Every file is judged by **the name it is published under**: the portable name
(:func:`gardarika.fs.portable.portable_name`) that the ``offline_output`` plugin gives it,
not the name in the content folder. ``page.ｈｔｍｌ`` (full-width letters), ``notes.ht ml``
and ``y.свг`` look inert here but are published as ``page.html``, ``notes.html`` and
``y.svg``. A symbolic link inside the town is judged by its own name and by the name
and content of the file it leads to (a link leading out of the town, nowhere or to a
hidden file is reported by :mod:`gardarika.checks.confinement` and not followed here).

The content is looked at too, cheaply, because a server that does not know a type sends
the file without one and browsers then guess from its first bytes (Apache does so, and
Chrome does for a ``file://`` page of a site on a USB stick whose extension the system
does not know):

* SVG drawings are judged by an XML parser (:mod:`gardarika.checks.svg`): no script, no
  event handler, nothing loaded from elsewhere, nothing that cannot be checked;
* a picture, document, archive, sound, video, subtitle or font that begins like a web
  page or XML (``<html``, ``<!DOCTYPE``, ``<?xml``…, as the browsers' sniffing rules
  look for) is refused, and so is a "picture" Pillow cannot read that has ``<script``,
  ``<html``, ``<svg`` or ``<?xml`` in its first kilobyte (a real PNG with HTML in a
  comment is fine: it starts as a PNG, and the build re-encodes it);
* plain text (``.txt``) is not looked into: it is sent and opened as plain text
  everywhere, and browsers do not run it whatever it says.

A name with a server program's extension inside it (``x.php.jpg``) is refused too, and
one with a page's or drawing's inside it (``page.html.srt``, ``map.svg.gz``) unless the
last is a type every server knows (``coat-of-arms.svg.png``, ``page.html.zip``): Apache
takes every part after a dot as a type, a compression or a handler, and uses an inner
type when it does not know the last one. A file that would be
published in the theme's folder (``theme/``) is refused whatever the settings say, and
the thumbnail caches and folder settings that Windows leaves in folders (``Thumbs.db``,
``desktop.ini``) are said not to be published.

Texts in other formats (``.rst``, ``.txt``, ``.docx``… outside the static folders) are
not published as pages: a warning says so, so that an editor does not wait for a page
that never comes. Markdown texts are pages and are checked by the other checks.

The same rule is held inside the build by the ``safe_files`` plugin, on the name
Pelican really writes, which imports :func:`publish_refusal` from here.
"""

from __future__ import annotations

import os
import posixpath
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from gardarika.checks.svg import MAX_BYTES, SVG_SUFFIXES, SvgDanger, svg_dangers, svgz_dangers
from gardarika.config.network import Town
from gardarika.content.documents import SOURCE_SUFFIXES, STATIC_FOLDERS, Document, visible_files
from gardarika.errors import Message, Problem, display_path
from gardarika.fs.confine import hidden_part, is_inside, path_problem
from gardarika.fs.portable import portable_path

#: pictures: shown by browsers as pictures (and re-encoded by ``light_images``)
PICTURE_TYPES = frozenset(
    {"jpg", "jpeg", "png", "gif", "webp", "avif", "bmp", "tif", "tiff", "ico"}
)
#: SVG drawings: XML that may hold scripts, so each is checked by ``svgcheck``
DRAWING_TYPES = frozenset(suffix.lstrip(".") for suffix in SVG_SUFFIXES)
#: plain text: sent and opened as text everywhere, never run
PLAIN_TEXT_TYPES = frozenset({"txt"})
#: documents that browsers download or show in a viewer of their own (and Markdown
#: sources, published as files only by a town's STATIC_PATHS settings: text)
DOCUMENT_TYPES = frozenset(
    {
        "pdf",
        "csv",
        "md",
        "ics",
        "doc",
        "docx",
        "odt",
        "ods",
        "odp",
        "odg",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "rtf",
        "epub",
        "djvu",
    }
)
ARCHIVE_TYPES = frozenset({"zip", "7z", "rar", "gz", "tgz", "tar", "bz2", "xz"})
MEDIA_TYPES = frozenset(
    {
        "mp3",
        "ogg",
        "oga",
        "opus",
        "wav",
        "flac",
        "m4a",
        "aac",
        "mp4",
        "m4v",
        "webm",
        "ogv",
        "mov",
        "avi",
        "mkv",
    }
)
SUBTITLE_TYPES = frozenset({"vtt", "srt"})
FONT_TYPES = frozenset({"woff", "woff2", "ttf", "otf"})
#: The allow-list: the extensions (lower case, no dot) of the names under which a file
#: may be published as it is. The one list for the editors' checks and the build.
INERT_TYPES = (
    PICTURE_TYPES
    | DRAWING_TYPES
    | PLAIN_TEXT_TYPES
    | DOCUMENT_TYPES
    | ARCHIVE_TYPES
    | MEDIA_TYPES
    | SUBTITLE_TYPES
    | FONT_TYPES
)

#: web pages and scripts: refused with a hint to write the page in Markdown
PAGE_AND_SCRIPT_TYPES = frozenset(
    {"html", "htm", "xhtml", "xht", "shtml", "shtm", "js", "mjs", "swf", "hta", "mht", "mhtml"}
)
#: inside a name (``x.php.jpg``): a server may run the file as a program
SERVER_CODE_TYPES = frozenset(
    {
        "php",
        "php3",
        "php4",
        "php5",
        "php7",
        "php8",
        "phtml",
        "pht",
        "phar",
        "cgi",
        "pl",
        "asp",
        "aspx",
        "jsp",
        "shtml",
        "shtm",
    }
)
#: inside a name (``page.html.srt``, ``map.svg.gz``): a server that does not know the last
#: extension, or takes it as a compression (``.gz``), sends the file as a page or drawing
INNER_DOCUMENT_TYPES = frozenset(
    {
        "html",
        "htm",
        "xhtml",
        "xht",
        "mht",
        "mhtml",
        "hta",
        "svg",
        "svgz",
        "xml",
        "xsl",
        "xslt",
        "rss",
        "rdf",
        "atom",
    }
)
#: types every web server has known for decades: after one of them an inner extension
#: cannot become the file's type (``coat-of-arms.svg.png``, ``page.html.zip``)
UNIVERSAL_TYPES = frozenset({"jpg", "jpeg", "png", "gif", "pdf", "txt", "zip", "7z", "rar", "tar"})
#: texts an editor might expect to become pages, but which only Markdown does here
OTHER_TEXTS = frozenset({"rst", "txt", "docx", "doc", "odt", "rtf"})
#: files that Windows leaves in folders: never published, whatever they hold
SYSTEM_FILES = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini"})
#: the folder of the theme's own files (styles, scripts of every page) in the output
THEME_FOLDER = "theme"

#: how much of a file's beginning is looked at
HEAD_BYTES = 1024
#: how a web page or XML document begins (after white space), as browsers sniff it
_MARKUP_START = re.compile(rb"<(?:[!?/][A-Za-z-]{0,12}|[A-Za-z][A-Za-z0-9-]{0,12})")
#: what a "picture" Pillow cannot read must not hold near its beginning
_MARKUP_INSIDE = re.compile(rb"<script|<html|<svg|<\?xml", re.IGNORECASE)
#: the white space the browsers' sniffing rules skip
_SNIFF_SPACE = b"\t\n\x0c\r "


@dataclass(frozen=True)
class Refusal:
    """Why a file must not be published under a name, for editors in both languages;
    ``severity`` "warning" means it is left out quietly (a system file)."""

    message: Message
    line: int | None = None
    severity: str = "error"

    @property
    def en(self) -> str:
        return self.message.en

    @property
    def ru(self) -> str:
        return self.message.ru


def extension(published: str) -> str:
    """The type of a published path: the last name's part after its last dot, or ``""``."""
    name = published.rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _quoted(text: str, limit: int = 60) -> str:
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _in_theme(published: str, theme_dirs: Iterable[str]) -> bool:
    folded = published.casefold()
    return any(
        folded == d.casefold() or folded.startswith(d.casefold() + "/") for d in theme_dirs if d
    )


def _type_refusal(published: str) -> Refusal | None:
    """The file's type is not on the allow-list, or its name hides another type."""
    name = published.rsplit("/", 1)[-1]
    ext = extension(published)
    if ext in PAGE_AND_SCRIPT_TYPES:
        return Refusal(
            Message(
                f"web pages and scripts cannot be published as files (this one would be "
                f"published as “{_quoted(name)}”): they would run in the readers' browsers. "
                "Write the page in Markdown (.md), or put the file into a .zip archive for "
                "download.",
                f"веб-страницы и скрипты нельзя публиковать файлами (этот был бы "
                f"опубликован как «{_quoted(name)}»): они выполнялись бы в браузерах "
                "читателей. Напишите страницу в Markdown (.md) или положите файл в архив "
                ".zip для скачивания.",
            )
        )
    if ext not in INERT_TYPES:
        kind_en = f"a “.{ext}” file" if ext else "a file without an extension"
        kind_ru = f"файл «.{ext}»" if ext else "файл без расширения"
        return Refusal(
            Message(
                f"{kind_en} (published as “{_quoted(name)}”) cannot be published as it is: "
                "a browser could open it as a web page or a program, with the site's "
                "rights. Only pictures, drawings, documents (PDF, text, office files), "
                "archives, audio, video, subtitles and fonts are published as they are. "
                "Put the file into a .zip archive to offer it for download, or save a "
                "document as PDF.",
                f"{kind_ru} (имя при публикации «{_quoted(name)}») нельзя опубликовать как "
                "есть: браузер может открыть его как веб-страницу или программу, с правами "
                "сайта. Как есть публикуются только картинки, рисунки, документы (PDF, "
                "текст, офисные файлы), архивы, звук, видео, субтитры и шрифты. Положите "
                "файл в архив .zip, чтобы его можно было скачать, или сохраните документ "
                "в PDF.",
            )
        )
    inner = name.lower().split(".")[1:-1]
    for part in inner:
        if part in SERVER_CODE_TYPES or (
            part in INNER_DOCUMENT_TYPES and ext not in UNIVERSAL_TYPES
        ):
            return Refusal(
                Message(
                    f"the name “{_quoted(name)}” has “.{part}” inside it: some web servers "
                    "take every part of a name after a dot as the file's type, and would "
                    f"send this file as a web page or run it as a program. Rename it "
                    f"without “.{part}”.",
                    f"в имени «{_quoted(name)}» есть «.{part}»: некоторые веб-серверы "
                    "считают типом файла каждую часть имени после точки и отдали бы этот "
                    "файл как веб-страницу или запустили бы как программу. Переименуйте "
                    f"его без «.{part}».",
                )
            )
    return None


def name_refusal(
    published: str, trusted: bool = False, theme_dirs: Iterable[str] = (THEME_FOLDER,)
) -> Refusal | None:
    """Why a file must not be published at ``published`` (a ``/``-separated path in the
    site) whatever it holds, or ``None``.

    Not a plain relative path, a hidden name (``.htaccess``: servers read it as their
    settings) and a place among the theme's files are refused even for a town with
    ``trust_html`` (``trusted``): they are about the server and the maintainer's theme,
    not about HTML. A type that is not on :data:`INERT_TYPES` is refused otherwise.
    """
    problem = path_problem(published)
    if problem is not None:
        return Refusal(
            Message(
                f"the file would be published as “{_quoted(published)}”, which "
                f"{problem.en}. It is not published.",
                f"файл был бы опубликован как «{_quoted(published)}», а этот путь "
                f"{problem.ru}. Файл не опубликован.",
            )
        )
    if hidden_part(published):
        return Refusal(
            Message(
                f"the file would be published as “{_quoted(published)}”, a hidden file: web "
                "servers take such files (.htaccess) as their own settings, and they are "
                "never part of a site. Give it a name that does not start with a dot.",
                f"файл был бы опубликован как «{_quoted(published)}» — скрытый файл: "
                "веб-серверы считают такие файлы (.htaccess) своими настройками, и в сайт "
                "они не входят. Дайте ему имя, которое не начинается с точки.",
            )
        )
    if _in_theme(published, theme_dirs):
        return Refusal(
            Message(
                f"the file would be published as “{_quoted(published)}”, among the theme's "
                "own files (the styles and scripts of every page). Put it in images/ or "
                "files/ instead.",
                f"файл был бы опубликован как «{_quoted(published)}» — среди файлов темы "
                "(стилей и скриптов каждой страницы). Положите его в папку images/ или "
                "files/.",
            )
        )
    name = published.rsplit("/", 1)[-1]
    if name.lower() in SYSTEM_FILES:
        return Refusal(
            Message(
                f"“{name}” is a file Windows makes by itself (thumbnails or folder "
                "settings); it is not published. Delete it.",
                f"«{name}» — файл, который Windows создаёт сама (миниатюры или настройки "
                "папки); он не публикуется. Удалите его.",
            ),
            severity="warning",
        )
    return None if trusted else _type_refusal(published)


def _head(path: Path) -> bytes:
    with Path(path).open("rb") as file:
        return file.read(HEAD_BYTES)


def _markup_start(head: bytes) -> str | None:
    """How ``head`` begins (``<!DOCTYPE``, ``<?xml``, ``<html``…), if a browser guessing
    the type would take it for a web page or XML: after a byte order mark and white
    space, in UTF-8 or UTF-16."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        head = head[2:].decode(codec, errors="ignore").encode("utf-8", errors="ignore")
    elif head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    found = _MARKUP_START.match(head.lstrip(_SNIFF_SPACE))
    return found.group().decode("ascii") if found else None


def is_picture(path: Path) -> bool:
    """Pillow recognises the file as a picture of any format it knows, from its header
    alone (one too large to decode is still a picture; the image checks refuse it)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path):
                return True
    except Image.DecompressionBombError:
        return True
    except Exception:  # whatever a damaged or foreign file makes a format reader raise
        return False


def _drawing_refusal(path: Path, ext: str) -> Refusal | None:
    with Path(path).open("rb") as file:
        data = file.read(MAX_BYTES + 1)
    packed = ext == "svgz" and len(data) <= MAX_BYTES
    dangers: list[SvgDanger] = svgz_dangers(data) if packed else svg_dangers(data)
    if not dangers:
        return None
    first = dangers[0]  # one is enough: the drawing is saved again as a whole
    return Refusal(first.message, line=first.line)


def content_refusal(published: str, source: Path) -> Refusal | None:
    """Why the file at ``source`` must not be published under ``published`` (an allowed
    name) because of what it holds, or ``None``. Raises :class:`OSError` if it cannot
    be read."""
    ext = extension(published)
    if ext in PLAIN_TEXT_TYPES or ext not in INERT_TYPES:
        return None
    if ext in DRAWING_TYPES:
        return _drawing_refusal(source, ext)
    head = _head(source)
    start = _markup_start(head)
    if start is not None:
        return Refusal(
            Message(
                f"this file is published as a “.{ext}” file but is really a web page or an "
                f"XML document (it begins with “{start}”): a server or browser that guesses "
                "the type from the content would open it as a page and run its scripts. "
                "Save the real file again from the program that made it (a document as "
                "PDF), or put it into a .zip archive for download.",
                f"файл публикуется как «.{ext}», но на самом деле это веб-страница или "
                f"документ XML (он начинается с «{start}»): сервер или браузер, который "
                "определяет тип по содержимому, открыл бы его как страницу и выполнил бы "
                "её скрипты. Сохраните настоящий файл заново из программы, в которой он "
                "сделан (документ — в PDF), или положите его в архив .zip для скачивания.",
            )
        )
    found = _MARKUP_INSIDE.search(head) if ext in PICTURE_TYPES else None
    if found is not None and not is_picture(source):
        what = found.group().decode("ascii")
        return Refusal(
            Message(
                f"this file is named as a picture (.{ext}) but is not one that can be read, "
                f"and it holds “{what}” near its beginning: a browser that guesses the type "
                "from the content could open it as a web page and run it. Open the picture "
                "in a photo editor and save it again as JPEG or PNG, or delete the file.",
                f"файл назван картинкой (.{ext}), но прочитать его как картинку нельзя, а в "
                f"его начале есть «{what}»: браузер, который определяет тип по содержимому, "
                "мог бы открыть его как веб-страницу и выполнить. Откройте картинку в "
                "фоторедакторе и сохраните заново как JPEG или PNG или удалите файл.",
            )
        )
    return None


def publish_refusal(
    published: str, source: Path, trusted: bool = False, theme_dirs: Iterable[str] = (THEME_FOLDER,)
) -> Refusal | None:
    """Why the file at ``source`` must not be published at ``published``: its name
    (:func:`name_refusal`), then, unless ``trusted``, what it holds
    (:func:`content_refusal`). A file that cannot be read is not refused here: copying
    it fails with its own message."""
    refusal = name_refusal(published, trusted, theme_dirs)
    if refusal is not None or trusted:
        return refusal
    try:
        return content_refusal(published, source)
    except OSError:
        return None


def _is_text_source(name: str) -> bool:
    """A Markdown text: a page, checked by the other checks (not published as a file)."""
    return name.lower().endswith(SOURCE_SUFFIXES)


def _in_static(rel: str, static_paths: tuple[str, ...]) -> bool:
    return any(p in ("", ".") or rel == p or rel.startswith(p + "/") for p in static_paths)


def _link_target(path: Path, real_content: str) -> str | None:
    """Where a symbolic link leads, relative to the content folder, when that is a
    visible file inside it (else the confinement check reports the link)."""
    real = os.path.realpath(path)
    if not is_inside(real, real_content) or not os.path.isfile(real):
        return None
    rel = Path(os.path.relpath(real, real_content)).as_posix()
    return None if hidden_part(rel) else rel


def _not_a_page(suffix: str) -> Message:
    return Message(
        f"only Markdown texts (.md) become pages; this .{suffix} file is not "
        "published. Save the text as .md, or put the file into “files/” to offer it "
        "for download.",
        f"страницами становятся только тексты Markdown (.md); этот файл .{suffix} не "
        "публикуется. Сохраните текст как .md или положите файл в папку «files/», "
        "чтобы его можно было скачать.",
    )


def _with_link(refusal: Refusal, target: str | None) -> Refusal:
    if target is None:
        return refusal
    return Refusal(
        Message(
            f"{refusal.en} (This is a symbolic link to “{target}”.)",
            f"{refusal.ru} (Это символическая ссылка на «{target}».)",
        ),
        line=refusal.line,
        severity=refusal.severity,
    )


def _judge(
    path: Path, published: str, target: str | None, trusted: bool, in_static: bool
) -> Refusal | None:
    """The first reason not to publish one file of the town, if any. A symbolic link
    (``target``: where it leads) is judged by its own published name, by the type of the
    file it leads to, and by that file's content as either type."""
    ext = extension(published)
    if not in_static and (ext in OTHER_TEXTS or (trusted and ext in PAGE_AND_SCRIPT_TYPES)):
        refusal = name_refusal(published, trusted=True)
        if refusal is None:
            en, ru = _not_a_page(ext)
            refusal = Refusal(Message(en, ru), severity="warning")
        return _with_link(refusal, target)
    refusal = name_refusal(published, trusted)
    if refusal is not None or trusted:
        return None if refusal is None else _with_link(refusal, target)
    names = [published]
    if target is not None and not _is_text_source(target):
        target_name = portable_path(target).rsplit("/", 1)[-1]
        refusal = _type_refusal(target_name)
        if refusal is not None:
            return Refusal(
                Message(
                    f"this symbolic link leads to “{target}”; {refusal.en}",
                    f"эта символическая ссылка ведёт на «{target}»; {refusal.ru}",
                )
            )
        names.append(target_name)
    for name in dict.fromkeys(names):
        try:
            refusal = content_refusal(name, path)
        except OSError:
            return None  # vanished or unreadable: the build says so when it copies it
        if refusal is not None:
            return _with_link(refusal, target)
    return None


#: backups that editors' tools leave beside a text (``invoke fix-encoding`` makes .bak)
BACKUP_SUFFIXES = (".bak", ".orig", ".old", "~", ".swp", ".tmp")


def file_problems(
    content: Path, root: Path, trusted: bool, static_paths: Iterable[str] = STATIC_FOLDERS
) -> Iterator[Problem]:
    """The problems of the files beside the texts of one town's ``content`` folder, in
    name order; ``static_paths`` are the town's ``STATIC_PATHS`` (published as they
    are), ``trusted`` its ``trust_html``."""
    shown_folder = display_path(content, root)
    real_content = os.path.realpath(content)
    statics = tuple(
        posixpath.normpath(str(p)).strip("/") if str(p).strip() else "" for p in static_paths
    )
    for path in visible_files(content):
        rel = path.relative_to(content).as_posix()
        if _is_text_source(path.name):
            continue  # a page: checked by the other checks
        target = None
        if path.is_symlink():
            target = _link_target(path, real_content)
            if target is None:
                continue  # reported by the confinement check, never followed
        in_static = _in_static(rel, statics)
        refusal = _judge(path, portable_path(rel), target, trusted, in_static)
        if refusal is None:
            continue
        en, ru, severity = refusal.en, refusal.ru, refusal.severity
        if not in_static and severity == "error" and path.name.lower().endswith(BACKUP_SUFFIXES):
            # a backup beside a text (fix-encoding leaves FILE.bak) is copied only if a
            # text links it, and then the build refuses it (plugins/safe_files): it must
            # not stop the town
            severity = "warning"
            en += (
                " It is outside the folders published as they are, so it is published "
                "only if a text links it, and then the build refuses it."
            )
            ru += (
                " Он лежит вне папок, которые публикуются как есть, поэтому попадёт на "
                "сайт, только если на него сошлётся текст, и тогда сборка его отклонит."
            )
        # shown by its own path: resolving it would name the target of a link instead
        yield Problem(
            file=f"{shown_folder}/{rel}", line=refusal.line, en=en, ru=ru, severity=severity
        )


def check_files(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """Registered in :data:`gardarika.checks.lint.CHECKS`."""
    del docs  # the files beside the texts, not the texts
    if town.content.is_dir():
        static_paths = town.pelican.get("STATIC_PATHS", STATIC_FOLDERS)
        yield from file_problems(town.content, root, town.trust_html, static_paths)
