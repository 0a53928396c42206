"""The editors' check of the files beside the texts: nothing that runs code.

Pictures and documents in ``images/`` and ``files/`` are copied to the site as they
are, without the cleaning that texts get (:mod:`gardarika.sanitize`). A web page, a
script or an SVG drawing with a script in it, opened from the site, would run in the
readers' browsers with the site's own rights, so they are refused (unless the town's
settings say ``trust_html: true``):

* web pages and scripts (``.html``, ``.htm``, ``.xhtml``, ``.js``, ``.mjs``, ``.swf``…)
  anywhere in the town's content folder — Gardarika's pages are written in Markdown;
* SVG drawings (``.svg``, ``.svgz``) with a script, an event handler, a ``javascript:``
  link, embedded HTML, a DOCTYPE, or anything that would load from elsewhere, and those
  that cannot be read to be checked — judged by an XML parser (:mod:`gardarika.svgcheck`).

Texts in other formats (``.rst``, ``.txt`` outside ``files/``) are not published as
pages: a warning says so, so that an editor does not wait for a page that never comes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .config import SiteConfig
from .documents import Document, visible_files
from .errors import Problem, display_path
from .settings import STATIC_FOLDERS
from .svgcheck import SVG_SUFFIXES, file_dangers

#: files that are code for a browser
ACTIVE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".xht", ".js", ".mjs", ".swf",
                   ".hta", ".xml", ".xsl", ".xslt")
#: texts an editor might expect to become pages, but which only Markdown does here
OTHER_TEXTS = (".rst", ".txt", ".docx", ".doc", ".odt", ".rtf")


def _in_static_folder(path: Path, content: Path) -> bool:
    return path.relative_to(content).parts[0] in STATIC_FOLDERS


def file_problems(content: Path, root: Path, trusted: bool) -> Iterator[Problem]:
    for path in visible_files(content):
        if path.is_symlink():
            continue  # reported by the confinement check
        suffix = path.suffix.lower()
        shown = display_path(path, root)
        if suffix in ACTIVE_SUFFIXES and not trusted:
            yield Problem(
                file=shown,
                en="web pages and scripts cannot be published as files: they would run "
                   "in the readers' browsers. Write the page in Markdown (.md), or put the "
                   "file into a .zip archive for download.",
                ru="веб-страницы и скрипты нельзя публиковать файлами: они выполнялись бы "
                   "в браузерах читателей. Напишите страницу в Markdown (.md) или положите "
                   "файл в архив .zip для скачивания.")
        elif suffix in SVG_SUFFIXES and not trusted:
            try:
                dangers = file_dangers(path)
            except OSError:
                continue
            if dangers:  # the first is enough: the drawing is saved again as a whole
                first = dangers[0]
                yield Problem(file=shown, line=first.line, en=first.en, ru=first.ru)
        elif suffix in OTHER_TEXTS + ACTIVE_SUFFIXES and \
                not _in_static_folder(path, content):
            yield Problem(
                file=shown, severity="warning",
                en=f"only Markdown texts (.md) become pages; this {suffix} file is not "
                   "published. Save the text as .md, or put the file into “files/” to "
                   "offer it for download.",
                ru=f"страницами становятся только тексты Markdown (.md); этот файл {suffix} "
                   "не публикуется. Сохраните текст как .md или положите файл в папку "
                   "«files/», чтобы его можно было скачать.")


def check_files(site: SiteConfig, docs: list[Document], root: Path) -> Iterator[Problem]:
    """Registered in :data:`gardarika.lint.CHECKS`."""
    del docs  # the files beside the texts, not the texts
    if site.content.is_dir():
        yield from file_problems(site.content, root, site.trust_html)
