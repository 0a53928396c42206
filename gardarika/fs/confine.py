"""The path rules that keep a town inside its own folders.

A town's content may read only below its content folder and its build may write only
below its own output. Three kinds of input could lead elsewhere, and each is checked
here, with one wording shared by the content checks, the settings checks and the build:

* a file name written in metadata or a setting (``save_as``, ``url``, ``slug``,
  ``*_SAVE_AS``, ``STATIC_PATHS``...): :func:`path_problem` refuses ``..``, absolute
  paths (``/etc/x``, ``C:\\x``, ``\\\\server``), backslashes and control characters;
  an address of a page (``url``, ``save_as``, ``*_URL``, ``*_SAVE_AS``) must moreover be
  written with a strict set of characters (:func:`address_problem`): it is printed into
  ``href="…"`` of every listing and into the search index, so a quote, a space, a
  ``<`` or a scheme (``javascript:``) in it could run script in readers' browsers;
* a link in the text (``{static}``, ``{filename}``, ``{attach}`` or a plain relative
  one): :func:`link_leaves_folder` tells whether it climbs above the content folder,
  also when written with ``%2e%2e`` or ``&#46;&#46;``;
* a symbolic link inside the content folder: :func:`outside_symlinks` lists those that
  lead outside it, that lead nowhere, or that loop back to a folder above them.

These are pure functions (the symbolic links apart, which must look at the disk); the
checks that turn them into problems for editors live in :mod:`gardarika.checks.confinement`
and :mod:`gardarika.config.network`, and the guard that holds during a build in
:mod:`gardarika.build.guard`.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from gardarika.errors import Message
from gardarika.fs.portable import name_problems
from gardarika.urls import split_url

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")
#: ``{static}x``, and Pelican's older ``|static|x`` (either bracket on either side)
_PLACEHOLDER = re.compile(r"^[{|](filename|static|attach)[}|](.*)$", re.S)


CONTROL = Message(
    "contains an invisible control character", "содержит невидимый управляющий символ"
)
BACKSLASH = Message(
    "contains a backslash “\\”; separate folders with “/”",
    "содержит обратную косую черту «\\»; разделяйте папки знаком «/»",
)
ABSOLUTE = Message(
    "is an absolute path (it starts at the root of a disk or a "
    "network share); write a path inside the site, like "
    "“news/today.html”",
    "— абсолютный путь (от корня диска или сетевой папки); укажите "
    "путь внутри сайта, например «news/today.html»",
)
PARENT = Message(
    "climbs out of the site's folder with “..”; write a path inside "
    "the site, like “news/today.html”",
    "выходит из папки сайта через «..»; укажите путь внутри сайта, например «news/today.html»",
)


SCHEME = Message(
    "is not a path inside the site: it starts with a scheme such as "
    "“javascript:” or “http:”. Write a path inside the site, like "
    "“news/today.html”; link other websites in the text",
    "— не путь внутри сайта: он начинается со схемы вроде «javascript:» "
    "или «http:». Укажите путь внутри сайта, например «news/today.html»; "
    "ссылки на другие сайты ставьте в тексте",
)

#: what an address of a page may be written with: lower-case Latin letters, digits, "-",
#: "_", ".", "~" and "/" as the separator of folders (the output is lower-case, so that
#: no two files differ only in case on a stick or a CD)
ADDRESS = re.compile(r"[a-z0-9._~/-]*")
HIDDEN = Message(
    "names a hidden file or folder (a name starting with a dot, like "
    "“.htaccess”); web servers treat such files as their own settings. "
    "Choose a name that starts with a letter or digit",
    "называет скрытый файл или папку (имя с точкой в начале, например "
    "«.htaccess»); веб-серверы читают такие файлы как свои настройки. "
    "Выберите имя, которое начинается с буквы или цифры",
)
_ADDRESS_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*:")
_FIELD = re.compile(r"\{[^{}]*\}")


def _characters(bad: str) -> Message:
    shown = repr(bad)[1:-1] if not bad.isprintable() or bad.isspace() else bad
    return Message(
        f"contains “{shown}”; an address may use only lower-case Latin letters, digits, "
        "“-”, “_”, “.” and “/” (for example “news/fair-2024.html”)",
        f"содержит «{shown}»; в адресе можно использовать только строчные латинские буквы, "
        "цифры, «-», «_», «.» и «/» (например, «news/fair-2024.html»)",
    )


def address_problem(value: str, pattern: bool = False) -> Message | None:
    """Why ``value`` cannot be the address of a page (``url``, ``save_as``), or ``None``.

    On top of :func:`path_problem`, an address is written with :data:`ADDRESS`
    characters only and has no scheme. ``pattern``: a Pelican file name pattern
    (``ARTICLE_URL``), whose ``{fields}`` are judged elsewhere and left out here.
    """
    problem = path_problem(value, decode=True)
    if problem is not None:
        return problem
    text = _FIELD.sub("", value) if pattern else value
    if _ADDRESS_SCHEME.match(text):
        return SCHEME
    bad = ADDRESS.sub("", text)
    if bad:
        return _characters(bad[0])
    if any(part.startswith(".") and part != "." for part in value.split("/")):
        return HIDDEN
    return None


#: folders and files every site writes itself, which no page may take
SITE_FOLDERS = (
    "tag",
    "category",
    "author",
    "archives",
    "theme",
    "images",
    "files",
    "drafts",
    "pages",
    "feeds",
)
SITE_FILES = ("search-index.js",)
#: pages every language's site writes beside its articles (``{slug}.html``)
SITE_PAGES = ("index", "tags", "categories", "authors", "archives", "404", "search")


def page_file_problem(value: str, other_languages: tuple[str, ...]) -> Message | None:
    """Why ``save_as`` (already a plain address) cannot be the file of a page, or
    ``None``: it must name an ``.html`` file of its own, not a folder and not a place
    where the site keeps its own pages (compared without regard to case, as on a stick
    or a CD)."""
    if value.endswith("/") or posixpath.normpath(value) in (".", ""):
        return Message(
            "names a folder, not a file. Write a file name, like “news/fair.html”.",
            "называет папку, а не файл. Укажите имя файла, например «news/fair.html».",
        )
    parts = posixpath.normpath(value).casefold().split("/")
    # a listing's later pages are "index_2.html", "tags_3.html"…
    stem = re.sub(r"_[0-9]+$", "", parts[0].rsplit(".", 1)[0])
    taken = parts[0] in (*SITE_FOLDERS, *SITE_FILES, *other_languages) or (
        len(parts) == 1 and stem in SITE_PAGES
    )
    if taken:
        return Message(
            f"is where the site keeps its own pages (“{parts[0]}”). Choose another name.",
            f"занято служебными страницами сайта («{parts[0]}»). Выберите другое имя.",
        )
    if not parts[-1].endswith(".html"):
        return Message(
            "is not the name of a web page: a page's file name ends with “.html”, like "
            "“news/fair.html”.",
            "— не имя веб-страницы: имя файла страницы "
            "оканчивается на «.html», например «news/fair.html».",
        )
    unportable = name_problems(value)
    if unportable:
        en, ru = unportable[0]
        return Message(
            f"cannot be a file on a USB stick or a CD: {en}. Choose another name.",
            f"не годится для файла на флешке или диске: {ru}. Выберите другое имя.",
        )
    return None


def path_problem(value: str, decode: bool = False) -> Message | None:
    """Why ``value`` cannot be a relative path inside a folder, or ``None`` if it can.

    ``decode``: the value is a URL, so ``%2e%2e`` counts as ``..`` (a browser reads it so).
    """
    variants = [value]
    if decode:
        variants += [unquote(value), unquote(html.unescape(value))]
    for text in variants:
        if _CONTROL.search(text):
            return CONTROL
    for text in variants:
        if "\\" in text:
            return BACKSLASH
    for text in variants:
        if text.startswith(("/", "~")) or _DRIVE.match(text):
            return ABSOLUTE
    for text in variants:
        if ".." in text.split("/"):
            return PARENT
    return None


def climbs_out(path: str) -> bool:
    """``path`` (relative, ``/``-separated) ends up above the folder it starts in."""
    normal = posixpath.normpath(path)
    return normal == ".." or normal.startswith("../") or normal.startswith("/")


def link_leaves_folder(target: str, document_folder: str) -> bool:
    """Whether a link written in a document leads above the town's content folder.

    ``document_folder`` is the document's folder relative to the content folder
    (``articles``, or ``""``). ``{static}/x`` and ``{filename}/x`` start at the content
    folder, ``{static}x`` and plain relative links at the document's folder. Links to
    other websites, anchors and root-absolute plain links (``/x``, which the build reads
    as inside the site) never leave. Every spelling Pelican would try is judged:
    as written, URL-decoded, HTML-unescaped, and with backslashes as separators.
    """
    target = target.strip()
    placeholder = _PLACEHOLDER.match(target)
    if placeholder:
        raw = placeholder.group(2)
    else:
        parts = split_url(target)
        if (
            parts.scheme
            or parts.netloc
            or target.startswith(("#", "//", "{"))
            or re.match(r"^[a-zA-Z][\w+.-]*:", target)
        ):
            return False
        raw = target
    spellings = {raw, unquote(raw), html.unescape(raw), unquote(html.unescape(raw))}
    spellings |= {s.replace("\\", "/") for s in spellings}
    for spelling in spellings:
        path = split_url(spelling).path if "?" in spelling or "#" in spelling else spelling
        if not path:
            continue
        if path.startswith("/"):
            if not placeholder:
                continue
            if climbs_out(path.lstrip("/")):
                return True
        elif climbs_out(posixpath.join(document_folder or ".", path)):
            return True
    return False


def hidden_part(relative: str) -> bool:
    """A relative path goes through a hidden file or folder (``.git/config``)."""
    return any(
        part.startswith(".") and part not in (".", "..")
        for part in relative.replace(os.sep, "/").split("/")
    )


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """``path`` is ``folder`` or below it, both taken as they are (no symlinks resolved).

    Compared by whole path components, unlike a string prefix: ``/out/alpha-2`` is not
    inside ``/out/alpha``.
    """
    path = os.path.abspath(path)
    folder = os.path.abspath(folder)
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # different drives
        return False


def really_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """``path`` is below ``folder`` once every symbolic link in both is followed."""
    return is_inside(os.path.realpath(path), os.path.realpath(folder))


@dataclass(frozen=True)
class OutsideLink:
    """A symbolic link in a town's folder that leads out of it (or nowhere)."""

    path: Path  # the link itself, as found below the folder
    target: str  # what the link says
    reason: str  # "outside", "dangling", "loop" or "hidden"


def outside_symlinks(folder: Path, skip: tuple[str, ...] = (".git",)) -> list[OutsideLink]:
    """Every symbolic link below ``folder`` that does not stay inside it.

    A link to a file or folder inside ``folder`` is fine; one leading outside (another
    town, ``/etc``), one leading nowhere, one leading to a hidden file or folder inside
    (``.git/config`` of a town that is its own clone: hidden files are never published)
    and a folder link back to one of its own parent folders (which would make Pelican
    walk for ever) are listed. Links are not followed while walking, so a linked folder
    is judged once, as a whole.
    """
    folder = Path(folder)
    real_folder = os.path.realpath(folder)
    found: list[OutsideLink] = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        for name in sorted(dirs) + sorted(files):
            path = Path(current) / name
            if not path.is_symlink():
                continue
            target = os.readlink(path)
            real = os.path.realpath(path)
            if not os.path.exists(real):
                found.append(OutsideLink(path, target, "dangling"))
            elif not is_inside(real, real_folder):
                found.append(OutsideLink(path, target, "outside"))
            elif hidden_part(os.path.relpath(real, real_folder)):
                found.append(OutsideLink(path, target, "hidden"))
            elif os.path.isdir(real) and is_inside(os.path.realpath(current), real):
                found.append(OutsideLink(path, target, "loop"))
    return sorted(found, key=lambda link: str(link.path))
