"""The editors' check of the files beside the texts: nothing that runs code.

Pictures and documents in ``images/`` and ``files/`` are copied to the site as they
are, without the cleaning that texts get (:mod:`gardarika.sanitize`). A web page, a
script or an SVG drawing with a script in it, opened from the site, would run in the
readers' browsers with the site's own rights, so they are refused (unless the town's
settings say ``trust_html: true``):

* web pages and scripts (``.html``, ``.htm``, ``.xhtml``, ``.js``, ``.mjs``, ``.swf``…)
  anywhere in the town's content folder — Gardarika's pages are written in Markdown;
* SVG drawings with a script, an event handler, a ``javascript:`` link or embedded HTML.

Texts in other formats (``.rst``, ``.txt`` outside ``files/``) are not published as
pages: a warning says so, so that an editor does not wait for a page that never comes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .config import SiteConfig
from .documents import Document, visible_files
from .errors import Problem, display_path
from .settings import STATIC_FOLDERS

#: files that are code for a browser
ACTIVE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".xht", ".js", ".mjs", ".swf",
                   ".hta", ".xml", ".xsl", ".xslt")
#: what makes an SVG drawing run code
SVG_ACTIVE = re.compile(r"<\s*script|<\s*foreignObject|<\s*iframe|<\s*embed|<\s*object"
                        r"|\son[a-z]+\s*=|javascript\s*:|<\s*handler", re.IGNORECASE)
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
        elif suffix == ".svg" and not trusted:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            match = SVG_ACTIVE.search(text)
            if match:
                line = text.count("\n", 0, match.start()) + 1
                yield Problem(
                    file=shown, line=line,
                    en=f"this drawing contains “{match.group(0).strip()}”, which would run "
                       "in the readers' browsers. Save it again without scripts (in "
                       "Inkscape: “Plain SVG”), or as a PNG picture.",
                    ru=f"в рисунке есть «{match.group(0).strip()}» — это выполнялось бы в "
                       "браузерах читателей. Сохраните его без скриптов (в Inkscape: "
                       "«Обычный SVG») или картинкой PNG.")
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
