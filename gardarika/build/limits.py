"""How much one source file may expand to, and one town's output.

A few hundred kilobytes an editor writes can become gigabytes of pages: YAML anchors
repeat a long text into every field, a summary is printed on every listing page, and
each tag gets a page of its own listing the article. So the metadata of one file is
bounded (its size once anchors are expanded, the number of tags, the length of the
summary), and a town's pages together are bounded in proportion to its source. The
editors' checks report a file over a limit with its line and the limit; the build
enforces the same limits (``plugins/content_limits`` and :func:`output_budget`).

The limits are far above what real content needs: a long report has a dozen tags and a
summary of a few sentences.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gardarika.errors import ContentError, Message

#: characters of metadata one file may hold, every anchor expanded
MAX_METADATA_CHARS = 64 * 1024
#: tags (and authors) of one article
MAX_TAGS = 50
#: characters of a summary written in the metadata
MAX_SUMMARY_CHARS = 5000
#: a town's pages may take this much, plus OUTPUT_PER_SOURCE times its source folder,
#: plus OUTPUT_PER_TEXT for each text (a short article still gets a page of its own and
#: a place in the listings: about 15 KB in the default theme)
OUTPUT_BASE = 64 * 1024 * 1024
OUTPUT_PER_SOURCE = 40
OUTPUT_PER_TEXT = 256 * 1024
#: a town's content folder (what a pull may check out, what a build reads): files and
#: folders in it, bytes of one file, bytes in all. A town's repository is written by its
#: editors, and 300 KB of git objects can check out to a million files or gigabytes
MAX_TOWN_ENTRIES = 25_000
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_TOWN_BYTES = 1024 * 1024 * 1024
#: folders inside folders: a real site has a handful of levels; a thousand would crash
#: every walk of the folder in Python (``os.walk`` calls itself for each level)
MAX_TOWN_DEPTH = 64
#: a deploy target: what the branch of a ``git`` target may hold before the deploy
#: checks it out into its work clone (files and folders, bytes of one file, bytes in
#: all). Not the content bounds: a built site legitimately holds more files than its
#: sources (a page per language, each picture in several sizes, the listings), so these
#: are far above any town's site. But a town's editors may control that branch, and a
#: few hundred kilobytes of git objects check out to billions of files or gigabytes; a
#: branch over them does not look like a site Gardarika deployed and is refused
MAX_TARGET_ENTRIES = 200_000
MAX_TARGET_FILE_BYTES = MAX_FILE_BYTES
MAX_TARGET_BYTES = 4 * 1024 * 1024 * 1024

Found = tuple[str, Message]  # (key, what is wrong)


def expanded_size(value: Any, limit: int) -> int:
    """The characters of ``value`` with every shared part counted each time it is used
    (as YAML anchors make it); counting stops a little past ``limit``."""
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, dict):
            total += len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            total += len(item)
            stack.extend(item)
        else:
            total += len(str(item))
    return total


def _count(value: Any) -> int:
    if isinstance(value, list | tuple):
        return len(value)
    if isinstance(value, str):
        text = value
        return len([t for t in (text.split(";") if ";" in text else text.split(",")) if t.strip()])
    return 1


def metadata_problems(metadata: dict[str, Any]) -> Iterator[Found]:
    """What in one file's metadata is over a limit."""
    size = expanded_size(metadata, MAX_METADATA_CHARS)
    if size > MAX_METADATA_CHARS:
        yield (
            "",
            Message(
                f"the metadata at the top of the file adds up to more than "
                f"{MAX_METADATA_CHARS // 1024} KB of text (YAML anchors “&name”/“*name” "
                "count once for every use); it would be repeated on many pages. Keep the "
                "metadata short and put the text below it.",
                f"метаданные в начале файла занимают больше {MAX_METADATA_CHARS // 1024} КБ "
                "текста (якоря YAML «&имя»/«*имя» считаются при каждом использовании); они "
                "повторялись бы на многих страницах. Сократите метаданные, а текст "
                "перенесите ниже.",
            ),
        )
    for key in ("tags", "authors"):
        value = metadata.get(key)
        if value is not None and _count(value) > MAX_TAGS:
            yield (
                key,
                Message(
                    f"“{key}” lists {_count(value)} names; at most {MAX_TAGS} are "
                    "allowed (each gets a page of its own). Keep the few that readers will "
                    "look for.",
                    f"в «{key}» перечислено {_count(value)} названий, а можно не больше "
                    f"{MAX_TAGS} (у каждого своя страница). Оставьте те, по которым "
                    "читатели будут искать.",
                ),
            )
    summary = metadata.get("summary")
    if isinstance(summary, str) and len(summary) > MAX_SUMMARY_CHARS:
        yield (
            "summary",
            Message(
                f"the summary is {len(summary)} characters long; at most "
                f"{MAX_SUMMARY_CHARS} are allowed (it is shown on every list of articles). "
                "Write a sentence or two; the text itself goes below the metadata.",
                f"краткое описание длиной {len(summary)} знаков, а можно не больше "
                f"{MAX_SUMMARY_CHARS} (оно показывается во всех списках статей). Напишите "
                "одно-два предложения; сам текст — ниже метаданных.",
            ),
        )


@dataclass
class TownSize:
    """What :func:`measure_town` found: counting stops at the first limit passed."""

    entries: int = 0
    bytes: int = 0
    #: the first file over :data:`MAX_FILE_BYTES` (relative to the content folder)
    too_big: str | None = None
    too_big_bytes: int = 0
    #: the first entry that is neither a file, a folder nor a link (a named pipe, a
    #: device): reading it would wait for ever or read without end
    special: str | None = None
    #: the first folder deeper than :data:`MAX_TOWN_DEPTH`
    too_deep: str | None = None

    @property
    def over(self) -> bool:
        return (
            self.too_big is not None
            or self.special is not None
            or self.too_deep is not None
            or self.entries > MAX_TOWN_ENTRIES
            or self.bytes > MAX_TOWN_BYTES
        )


def measure_town(content: Path) -> TownSize:
    """Files, folders and bytes of a town's content folder as the build reads it,
    ``.git`` left out; the walk stops as soon as a limit is passed, so a folder of a
    million files costs no more than one just over the limit.

    Pelican follows links, so this does too, where the checks let a link be: a folder
    link is walked when it leads to a folder inside the town that is not one of its own
    parents (those are refused by the checks as loops), so a few links to links to a
    folder ("a symlink bomb") count as all the copies Pelican would read. Other links
    count as one entry each. The walk keeps its own list of folders to visit (Python's
    ``os.walk`` calls itself for each level, and 1 000 nested folders would crash the
    build) and stops at :data:`MAX_TOWN_DEPTH` levels."""
    size = TownSize()
    top = os.path.realpath(content)
    pending: list[tuple[str, int]] = [(str(content), 0)]
    while pending and not size.over:
        folder, depth = pending.pop()
        if depth > MAX_TOWN_DEPTH:
            size.too_deep = os.path.relpath(folder, content)
            break
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda entry: entry.name)
        except OSError:
            continue
        here = os.path.realpath(folder)
        for entry in entries:
            if depth == 0 and entry.name == ".git":
                continue
            size.entries += 1
            try:
                is_folder = entry.is_dir()  # a link to a folder counts as one
            except OSError:
                is_folder = False
            if is_folder:
                if _walked(entry.path, here, top):
                    pending.append((entry.path, depth + 1))
                continue
            _count_file(size, entry.path, content, top)
    return size


def _count_file(size: TownSize, path: str, content: Path, top: str) -> None:
    try:
        # a link leading out of the town is refused by the checks, never read
        follow = not os.path.islink(path) or _inside(os.path.realpath(path), top)
        info = os.stat(path, follow_symlinks=follow)
    except OSError:
        return
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        size.special = size.special or os.path.relpath(path, content)
    size.bytes += info.st_size
    if info.st_size > MAX_FILE_BYTES and size.too_big is None:
        size.too_big = os.path.relpath(path, content)
        size.too_big_bytes = info.st_size


def _walked(path: str, here: str, top: str) -> bool:
    """A folder the build reads as part of the town: a real folder, or a link to a
    folder inside the town that is not ``here`` or one of its parents."""
    if not os.path.islink(path):
        return True
    real = os.path.realpath(path)
    return _inside(real, top) and not _inside(here, real)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def size_problem(size: TownSize) -> Found | None:
    """The message for a town's content folder over a limit, as (file, English,
    Russian); the file is relative to the content folder ("" for the folder)."""
    mb = 1024 * 1024
    if size.too_deep is not None:
        return (
            size.too_deep,
            Message(
                f"folders are nested more than {MAX_TOWN_DEPTH} levels deep here, so the "
                "town is not built. A site needs a few levels: move the files up and "
                "remove the empty folders.",
                f"здесь папки вложены друг в друга глубже {MAX_TOWN_DEPTH} уровней, поэтому "
                "сайт города не собран. Сайту достаточно нескольких уровней: переместите "
                "файлы выше и удалите пустые папки.",
            ),
        )
    if size.special is not None:
        return (
            size.special,
            Message(
                "this is not an ordinary file but a special one (a named pipe or a device), "
                "which the build cannot read, so the town is not built. Remove it.",
                "это не обычный файл, а особый (именованный канал или устройство); сборка "
                "не может его прочитать, поэтому сайт города не собран. Удалите его.",
            ),
        )
    if size.too_big is not None:
        return (
            size.too_big,
            Message(
                f"this file is {size.too_big_bytes // mb} MB; at most "
                f"{MAX_FILE_BYTES // mb} MB are allowed for one file, so the town is not "
                "built. Make it smaller (a picture can be saved at a smaller size, a long "
                "video belongs on a video site) or remove it.",
                f"этот файл занимает {size.too_big_bytes // mb} МБ, а один файл может "
                f"занимать не больше {MAX_FILE_BYTES // mb} МБ, поэтому сайт города не "
                "собран. Уменьшите его (картинку можно сохранить меньшего размера, длинное "
                "видео лучше разместить на видеосайте) или удалите.",
            ),
        )
    if size.entries > MAX_TOWN_ENTRIES:
        return (
            "",
            Message(
                f"the content folder holds more than {MAX_TOWN_ENTRIES} files and folders, "
                "so the town is not built. Far more than a town's site needs: look for a "
                "folder copied many times or files added by mistake, and remove them.",
                f"в папке материалов больше {MAX_TOWN_ENTRIES} файлов и папок, поэтому сайт "
                "города не собран. Это гораздо больше, чем нужно сайту города: поищите "
                "папку, скопированную много раз, или файлы, добавленные по ошибке, и "
                "удалите их.",
            ),
        )
    if size.bytes > MAX_TOWN_BYTES:
        return (
            "",
            Message(
                f"the content folder holds more than {MAX_TOWN_BYTES // mb} MB, so the town "
                "is not built. Remove large files that readers do not need, or make the "
                "pictures smaller.",
                f"в папке материалов больше {MAX_TOWN_BYTES // mb} МБ, поэтому сайт города "
                "не собран. Удалите большие файлы, которые не нужны читателям, или "
                "уменьшите картинки.",
            ),
        )
    return None


def source_size(content: Path) -> tuple[int, int]:
    """(bytes, texts) of a town's content folder (visible files; links not followed)."""
    total = texts = 0
    for folder, dirs, files in os.walk(content):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
            texts += name.lower().endswith((".md", ".markdown", ".mkd", ".mdown"))
    return total, texts


def output_budget(content: Path) -> int:
    """The bytes one (town, language) build may write."""
    size, texts = source_size(content)
    return OUTPUT_BASE + OUTPUT_PER_SOURCE * size + OUTPUT_PER_TEXT * texts


def folder_size(folder: Path, max_entries: int = 0) -> int:
    """Bytes of every file below ``folder`` (links not followed); with ``max_entries``,
    ``ValueError`` once it holds more files and folders than that."""
    total = entries = 0
    for current, dirs, files in os.walk(folder):
        entries += len(dirs) + len(files)
        if max_entries and entries > max_entries:
            raise ValueError(f"more than {max_entries} files and folders")
        for name in files:
            try:
                total += os.lstat(os.path.join(current, name)).st_size
            except OSError:
                continue
    return total


class OutputTooLarge(ContentError):
    """A build wrote more pages than its town's budget."""

    def __init__(self, budget: int):
        mb = budget // 1024 // 1024
        super().__init__(
            Message(
                f"the town's pages add up to more than {mb} MB, far more than its texts and "
                "files could need, so the build was stopped and the town is not published. "
                "Usually one file expands to very much: thousands of tags, a huge summary, "
                "metadata repeated with YAML anchors. Look at the files changed last.",
                f"страницы города занимают больше {mb} МБ — гораздо больше, чем нужно его "
                "текстам и файлам, поэтому сборка остановлена и сайт города не опубликован. "
                "Обычно это один файл, который разворачивается в огромный объём: тысячи меток, "
                "огромное краткое описание, метаданные, размноженные якорями YAML. Посмотрите "
                "на последние изменённые файлы.",
            )
        )
