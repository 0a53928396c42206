"""``invoke verify`` of a ZIM file: is a copy (from a USB stick, a library server) whole
and readable?

With Debian's ``zimcheck`` (package zim-tools) installed, its full check decides
(``zimcheck -A``: integrity, checksum, metadata, main page, internal links…). Without
it, libzim itself checks: the file opens, its checksum is right, it has a main page and
the metadata Kiwix's library needs, and every internal link of every page leads to an
entry of the book (a walk over the pages with the build's own reader of links).
"""

from __future__ import annotations

import posixpath
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gardarika.errors import Message, visible
from gardarika.render.links import html_references, is_external

#: metadata the Kiwix library shows, which a book without it lacks there
REQUIRED_METADATA = ("Name", "Title", "Description", "Language", "Creator", "Publisher", "Date")
#: pages larger than this are not walked for links (they are still checksummed)
MAX_PAGE = 5_000_000


@dataclass
class ZimVerification:
    tool: str  # "zimcheck" or "libzim"
    problems: list[Message] = field(default_factory=list)
    entries: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_zim(path: Path, use_zimcheck: bool = True) -> ZimVerification:
    """Check the ZIM file at ``path``; raises ``OSError`` when it cannot be read at all."""
    if not path.is_file():  # a folder, a FIFO or a device would block the readers
        raise OSError("not a regular file")
    zimcheck = shutil.which("zimcheck") if use_zimcheck else None
    if zimcheck:
        return _with_zimcheck(zimcheck, path)
    return _with_libzim(path)


def _with_zimcheck(zimcheck: str, path: Path) -> ZimVerification:
    done = subprocess.run(
        [zimcheck, "-A", str(path)], capture_output=True, text=True, errors="replace", timeout=3600
    )
    result = ZimVerification(tool="zimcheck")
    if "Overall Test Status: Pass" not in done.stdout + done.stderr or done.returncode:
        said = [
            line.strip()
            for line in (done.stdout + done.stderr).splitlines()
            if line.startswith(("[ERROR]", "- ", "(")) or "not found" in line
        ][:20]
        shown = "; ".join(visible(line, 200) for line in said)
        result.problems.append(
            Message(
                f"zimcheck finds problems in it: {shown or 'see “zimcheck -A”'}. Copy the "
                "file again or make it again (invoke package --zim).",
                f"zimcheck находит в нём ошибки: {shown or 'см. «zimcheck -A»'}. Скопируйте "
                "файл заново или сделайте его снова (invoke package --zim).",
            )
        )
    return result


def _with_libzim(path: Path) -> ZimVerification:
    from libzim.reader import Archive

    try:
        archive = Archive(str(path))
    except RuntimeError as exc:
        raise OSError(f"not a readable ZIM file ({exc})") from None
    result = ZimVerification(tool="libzim", entries=archive.entry_count)
    if not archive.has_checksum or not archive.check():
        result.problems.append(
            Message(
                "its checksum does not match its content: the copy is damaged. Copy the "
                "file again.",
                "его контрольная сумма не сходится с содержимым: копия повреждена. "
                "Скопируйте файл заново.",
            )
        )
        return result
    if not archive.has_main_entry:
        result.problems.append(Message("it has no main page.", "в нём нет главной страницы."))
    missing = [key for key in REQUIRED_METADATA if key not in archive.metadata_keys]
    if missing:
        result.problems.append(
            Message(
                f"Kiwix's library needs its metadata {', '.join(missing)}.",
                f"библиотеке Kiwix нужны его метаданные {', '.join(missing)}.",
            )
        )
    try:
        broken = _broken_links(archive)
    except RuntimeError as exc:  # a cluster libzim cannot read
        result.problems.append(
            Message(
                f"a part of it cannot be read ({visible(str(exc), 200)}): the copy is "
                "damaged. Copy the file again.",
                f"часть его не читается ({visible(str(exc), 200)}): копия повреждена. "
                "Скопируйте файл заново.",
            )
        )
        return result
    if broken:
        shown = "; ".join(
            f"{visible(page, 100)} → {visible(link, 100)}" for page, link in broken[:10]
        )
        result.problems.append(
            Message(
                f"{len(broken)} links lead to no page of the book ({shown}).",
                f"ссылок, ведущих к отсутствующей в книге странице: {len(broken)} ({shown}).",
            )
        )
    return result


def _broken_links(archive: object) -> list[tuple[str, str]]:
    broken = []
    for number in range(archive.entry_count):  # type: ignore[attr-defined]
        entry = archive._get_entry_by_id(number)  # type: ignore[attr-defined]
        if entry.is_redirect:
            continue
        item = entry.get_item()
        if item.mimetype != "text/html" or item.size > MAX_PAGE:
            continue
        page = entry.path
        text = bytes(item.content).decode("utf-8", "replace")
        for reference, _, _ in html_references(text):
            url = reference.url
            if not url or is_external(url) or url.startswith(("#", "data:", "mailto:", "tel:")):
                continue
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(page), unquote(parts.path))
            )
            if not archive.has_entry_by_path(target):  # type: ignore[attr-defined]
                broken.append((page, url))
    return broken
