"""The editors' check that keeps a town's content inside its own folder.

Registered in :data:`gardarika.checks.lint.CHECKS`, so it runs with ``invoke lint`` and before
every build. It reports, each with the file (and line) and what to do:

* metadata naming a file or address (``save_as``, ``url``, ``slug``, ``status``) with
  ``..``, an absolute path, a backslash or a control character; a ``url`` or
  ``save_as`` with a scheme or with characters other than Latin letters, digits,
  ``-_.~/`` (:func:`~gardarika.fs.confine.address_problem`); and a ``template`` that is not
  the plain name of a theme template;
* links and pictures (``{static}``, ``{filename}``, ``{attach}``, plain relative) that
  climb above the town's content folder;
* symbolic links inside the content folder that lead outside it, nowhere, or round in
  a loop (the build would otherwise read another town's or the system's files).

Categories, tags and authors are not checked here: they become file names only through
Pelican's slug function, which keeps letters, digits and ``-`` alone.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path

from gardarika.checks.textlinks import links_in
from gardarika.config.network import Town
from gardarika.content.documents import Document
from gardarika.errors import Problem, display_path
from gardarika.fs.confine import (
    OutsideLink,
    address_problem,
    link_leaves_folder,
    outside_symlinks,
    path_problem,
)

#: metadata whose value Pelican uses as (part of) a file name or an address
PATH_KEYS = ("save_as", "url", "slug", "status")
#: of those, the ones printed as they are into links and the search index
ADDRESS_KEYS = ("save_as", "url")
_TEMPLATE = re.compile(r"^[A-Za-z0-9_-]+$")


def _metadata_problems(doc: Document) -> Iterator[Problem]:
    for key in PATH_KEYS:
        value = doc.metadata.get(key)
        if value is None:
            continue
        text = str(value)
        problem = (
            address_problem(text.strip()) if key in ADDRESS_KEYS else path_problem(text.strip())
        )
        if problem is None:
            continue
        yield Problem(
            file=doc.shown,
            line=doc.line(key),
            en=f"“{key}: {text.strip()}” {problem.en}.",
            ru=f"«{key}: {text.strip()}» {problem.ru}.",
        )
    if "template" in doc.metadata:
        name = str(doc.metadata["template"]).strip()
        if not _TEMPLATE.match(name):
            yield Problem(
                file=doc.shown,
                line=doc.line("template"),
                en=f"“template: {name}” is not a template name. Write the name of a "
                "template of the theme without folder or extension, like “page”.",
                ru=f"«template: {name}» — не имя шаблона. Укажите имя шаблона темы без "
                "папки и расширения, например «page».",
            )


def _link_problems(doc: Document) -> Iterator[Problem]:
    folder = posixpath.dirname(doc.rel)
    for line, target in links_in(doc):
        if link_leaves_folder(target, folder):
            yield Problem(
                file=doc.shown,
                line=line,
                en=f"the link “{target}” leads out of the town's content folder; a "
                "town's pages may use only its own files. Copy the file into the "
                "town's folder (e.g. images/) and link it as "
                "“{static}/images/name.jpg”; link another website by its full address.",
                ru=f"ссылка «{target}» ведёт за пределы папки с материалами города; "
                "страницы города могут использовать только его собственные файлы. "
                "Скопируйте файл в папку города (например, images/) и сошлитесь на "
                "него так: «{static}/images/имя.jpg»; другой сайт указывайте полным "
                "адресом.",
            )


def symlink_problem(link: OutsideLink, shown: str) -> Problem:
    """The problem of one symbolic link, named as ``shown``."""
    if link.reason == "dangling":
        en = (
            f"this is a symbolic link to “{link.target}”, which does not exist. Remove "
            "the link, or put the file itself here."
        )
        ru = (
            f"это символическая ссылка на «{link.target}», которого нет. Удалите ссылку "
            "или положите сюда сам файл."
        )
    elif link.reason == "hidden":
        en = (
            f"this is a symbolic link to “{link.target}”, a hidden file or folder (its "
            "name starts with a dot, like .git). Hidden files are never published: "
            "they hold the repository's settings and history. Remove the link."
        )
        ru = (
            f"это символическая ссылка на «{link.target}» — скрытый файл или папку (имя "
            "начинается с точки, например .git). Скрытые файлы никогда не публикуются: "
            "в них настройки и история хранилища. Удалите ссылку."
        )
    elif link.reason == "loop":
        en = (
            f"this is a symbolic link to “{link.target}”, a folder that contains the "
            "link itself, so the folder would never end. Remove the link."
        )
        ru = (
            f"это символическая ссылка на «{link.target}» — папку, в которой лежит "
            "сама ссылка, и папка получается бесконечной. Удалите ссылку."
        )
    else:
        en = (
            f"this is a symbolic link to “{link.target}”, outside the town's content "
            "folder; a town's site may use only its own files. Put a copy of the file "
            "here instead of the link."
        )
        ru = (
            f"это символическая ссылка на «{link.target}», за пределами папки с "
            "материалами города; сайт города может использовать только свои файлы. "
            "Положите сюда копию файла вместо ссылки."
        )
    return Problem(file=shown, en=en, ru=ru)


def symlink_problems(content: Path, root: Path) -> Iterator[Problem]:
    """Problems of the symbolic links below a town's content folder."""
    shown_folder = display_path(content, root)
    for link in outside_symlinks(content):
        rel = os.path.relpath(link.path, content).replace(os.sep, "/")
        yield symlink_problem(link, f"{shown_folder}/{rel}")


def check_confinement(town: Town, docs: list[Document], root: Path) -> Iterator[Problem]:
    """Everything in a town's content that would read or write outside its folders."""
    yield from symlink_problems(town.content, root)
    for doc in docs:
        yield from _metadata_problems(doc)
        yield from _link_problems(doc)
