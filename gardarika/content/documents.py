"""A town's content files as the editors' checks see them: language, kind, metadata with
line numbers, body and the slug the build will give them.

The rules mirror the build: the language comes from ``lang:`` or a ``name.en.md`` suffix,
otherwise it is the town's default; a file under ``pages/`` is a page; a translation
``name.en.md`` without its own ``slug:`` shares the slug of ``name.md``.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from gardarika.build.budget import TooSlow, budget_for, time_budget, too_deep_error, too_slow_error
from gardarika.build.isolation import report
from gardarika.config.network import Town
from gardarika.content.encoding import describe, guess_encoding
from gardarika.content.frontmatter import OPENING, read_metadata
from gardarika.content.slugs import fallback_slug, slugify
from gardarika.errors import ContentError, Problem, display_path
from gardarika.fs.confine import really_inside
from gardarika.fs.portable import portable_name

SOURCE_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")
_SUFFIX = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2,3})$")
#: a date at the start of a file name (``2012-11-30_title.md``), which Pelican's
#: ``FILENAME_METADATA`` takes for a text with no ``Date:`` of its own. Only days that
#: exist in every year match: Pelican reads the name's date even when the text has a
#: ``Date:``, and one it cannot read ("2023-13-45", "2023-02-29") would stop the build
FILE_NAME_DATE = (
    r"(?P<date>\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8])))(?!\d)"
)
_NAME_DATE = re.compile(FILE_NAME_DATE)


def date_in_name(rel: str) -> str | None:
    """The date a text's file name starts with (``2012-11-30``), if any."""
    found = _NAME_DATE.match(rel.rsplit("/", 1)[-1])
    return found.group("date") if found else None


#: the folders of a town's content published as they are (pictures, documents)
STATIC_FOLDERS = ("images", "files")


@dataclass
class Document:
    path: Path
    shown: str  # how messages name it: content/vyborg/articles/a.md
    rel: str  # relative to the town's content folder
    kind: str  # "article" or "page"
    lang: str
    metadata: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int
    base: tuple[str, str]  # (folder, name without language): pairs translations
    suffix_lang: str | None = None  # a language written in the file name, if any
    #: the metadata is YAML front matter between "---" lines (else Pelican's header)
    yaml: bool = False
    slug: str = field(default="")
    #: what the build removes from its HTML, with lines (computed once by the checks)
    removals: list[tuple[int, Any]] | None = None
    #: (line, target) of its links and pictures (found once, see checks.textlinks)
    links: list[tuple[int, str]] | None = None
    #: author times of its first commit and of its last, from
    #: :mod:`gardarika.content.gitdates` (``None`` for one hidden by a shallow clone's
    #: cut); ``None``: git gives none
    committed: tuple[int | None, int | None] | None = None

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)


def is_language_code(code: str) -> bool:
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def _split_language(stem: str, languages: tuple[str, ...]) -> tuple[str, str | None]:
    match = _SUFFIX.match(stem)
    if match and (match.group("lang") in languages or is_language_code(match.group("lang"))):
        return match.group("stem"), match.group("lang")
    return stem, None


def visible_files(folder: Path) -> Iterator[Path]:
    """Every file below ``folder`` in name order, leaving out hidden files and folders
    (``.git``, ``.drafts``), which the build does not publish either."""
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        yield from (Path(current) / f for f in sorted(files) if not f.startswith("."))


def source_files(folder: Path) -> list[Path]:
    """The Markdown files of a folder, without following symbolic links out of it (those
    are reported by :mod:`gardarika.checks.confinement`, never read)."""
    return [
        path
        for path in visible_files(folder)
        if path.name.lower().endswith(SOURCE_SUFFIXES) and really_inside(path, folder)
    ]


def line_containing(source: str | Path, needle: str) -> int | None:
    """The number of the first line of ``source`` that contains ``needle`` (for plugins,
    which see a document's text but not where each piece was written)."""
    try:
        with open(source, encoding="utf-8-sig") as text:
            for number, line in enumerate(text, 1):
                if needle in line:
                    return number
    except (OSError, UnicodeDecodeError):
        return None
    return None


def not_utf8_problem(path: Path, shown: str, data: bytes, error: UnicodeDecodeError) -> Problem:
    line = data[: error.start].count(b"\n") + 1
    encoding = describe(guess_encoding(data))
    return Problem(
        file=shown,
        line=line,
        en=f"this file is not saved as UTF-8 (it looks like {encoding}), so its letters "
        f"cannot be read. Convert it with: ./gardarika.sh fix-encoding {shown}  (a backup is "
        "kept), or save it again in your editor with the encoding UTF-8.",
        ru=f"файл сохранён не в UTF-8 (похоже, в кодировке {encoding}), и буквы в нём не "
        f"читаются. Преобразуйте его командой: ./gardarika.sh fix-encoding {shown}  (копия "
        "сохранится), или сохраните заново в редакторе в кодировке UTF-8.",
    )


#: the largest text file a build takes. Real articles are a few kilobytes and a long
#: report a few hundred; Python-Markdown needs minutes for tens of megabytes, so a bigger
#: file (a pasted database dump, a book) is refused at once with what to do instead.
MAX_SOURCE_BYTES = 2 * 1024 * 1024


def too_large_problem(shown: str, size: int) -> Problem:
    mb, limit = size / 1024 / 1024, MAX_SOURCE_BYTES // 1024 // 1024
    return Problem(
        file=shown,
        en=f"this text is {mb:.1f} MB; a text file may be at most {limit} MB (a longer "
        "one would take minutes to build). Split it into several articles, or put the "
        "material in files/ as a PDF or other file and link to it.",
        ru=f"этот текст весит {mb:.1f} МБ, а текстовый файл может быть не больше {limit} МБ "
        "(больший собирался бы минутами). Разделите его на несколько статей или положите "
        "материал в папку files/ (PDF или другой файл) и дайте на него ссылку.",
    )


def read_document(path: Path, town: Town, root: Path) -> Document | Problem:
    """One content file as a :class:`Document`, or the problem that stops reading it."""
    shown = display_path(path, root)
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        return too_large_problem(shown, size)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return not_utf8_problem(path, shown, data, error)
    try:
        metadata, lines, body_line, body = read_metadata(text)
    except ContentError as error:
        return error.problem(shown)
    rel = path.relative_to(town.content).as_posix()
    folder, name = posixpath.split(rel)
    stem, suffix_lang = _split_language(name.rsplit(".", 1)[0], town.languages)
    lang = str(metadata.get("lang") or "").strip() or suffix_lang or town.default_language
    kind = "page" if rel.split("/", 1)[0] == "pages" else "article"
    return Document(
        path=path,
        shown=shown,
        rel=rel,
        kind=kind,
        lang=lang,
        metadata=metadata,
        lines=lines,
        body=body,
        body_line=body_line,
        base=(folder, stem),
        suffix_lang=suffix_lang,
        yaml=OPENING.match(text) is not None,
    )


def read_guarded(path: Path, town: Town, root: Path) -> Document | Problem:
    """:func:`read_document` within a time budget, telling the parent process which file
    it reads (a file that kills the process is then named in the message)."""
    shown = display_path(path, root)
    report(shown)
    try:
        with time_budget(budget_for(path.stat().st_size)):
            return read_document(path, town, root)
    except TooSlow as slow:
        error = too_slow_error(slow.args[0])
    except RecursionError:
        error = too_deep_error()
    return error.problem(shown)


def assign_slugs(documents: list[Document], languages: tuple[str, ...]) -> None:
    """The slug the build gives each document (explicit, paired, or from the title)."""
    for doc in documents:
        explicit = str(doc.metadata.get("slug") or "").strip()
        title = str(doc.metadata.get("title") or "").strip()
        doc.slug = (
            portable_name(explicit)
            if explicit
            else slugify(title) or fallback_slug(doc.path.name, doc.lang)
        )
    rank = {code: i for i, code in enumerate(languages)}
    groups: dict[tuple[str, tuple[str, str]], list[Document]] = defaultdict(list)
    for doc in documents:
        groups[(doc.kind, doc.base)].append(doc)
    for group in groups.values():
        group.sort(key=lambda d: rank.get(d.lang, len(rank)))
        original = group[0]
        for doc in group[1:]:
            if not doc.metadata.get("slug") and doc.lang != original.lang:
                doc.slug = original.slug


def read_town(town: Town, root: Path) -> tuple[list[Document], list[Problem]]:
    """Every content file of a town: the readable ones and the problems of the others."""
    documents: list[Document] = []
    problems: list[Problem] = []
    for path in source_files(town.content):
        result = read_guarded(path, town, root)
        if isinstance(result, Problem):
            problems.append(result)
        else:
            documents.append(result)
    assign_slugs(documents, town.languages)
    return documents, problems
