"""``invoke verify`` of a ZIM file: is a copy (from a USB stick, a library server) whole
and readable?

With Debian's ``zimcheck`` (package zim-tools) installed, its full check decides
(``zimcheck -A``: integrity, checksum, metadata, main page, internal links…). Without
it, libzim itself checks: the file opens, its checksum is right, it has a main page and
the metadata Kiwix's library needs, and every internal link of every page leads to an
entry of the book (a walk over the pages with the build's own reader of links).
"""

from __future__ import annotations

import hashlib
import posixpath
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gardarika.errors import Message, visible
from gardarika.render.links import html_references, is_external

#: metadata the Kiwix library shows, which a book without it lacks there
REQUIRED_METADATA = ("Name", "Title", "Description", "Language", "Creator", "Publisher", "Date")
#: pages larger than this are not walked for links (they are still checksummed)
MAX_PAGE = 5_000_000
#: the link walk's budget: bytes of pages read plus ``LINK_COST`` per link looked up, at
#: most ``WALK_BUDGET`` plus ``WALK_PER_BYTE`` per byte of the file. Many entries may
#: share one stored page, so a file of a few kilobytes can unpack to gigabytes; a real
#: book stays far below (its pages compress perhaps tenfold)
WALK_BUDGET = 64_000_000
WALK_PER_BYTE = 50
LINK_COST = 50
#: a page read again (its bytes shared with a page parsed already) costs a part of its
#: size: copying and hashing are that much cheaper than parsing
SHARED_READ = 4
#: broken links kept for the report (all are counted)
KEEP_BROKEN = 200
#: zimcheck's time: this many seconds, plus ``ZIMCHECK_PER_MB`` per megabyte, at most an
#: hour (it checks a real book of 1.4 MB in a tenth of a second)
ZIMCHECK_TIME = 10
ZIMCHECK_PER_MB = 5
#: zimcheck's output kept (it lists every problem; the report shows the first ones)
ZIMCHECK_OUTPUT = 1_000_000


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
    seconds = min(3600, ZIMCHECK_TIME + ZIMCHECK_PER_MB * path.stat().st_size / 1e6)
    with tempfile.TemporaryFile() as out:  # on disk: a long report never fills memory
        try:
            done = subprocess.run(
                [zimcheck, "-A", str(path)], stdout=out, stderr=subprocess.STDOUT, timeout=seconds
            )
        except subprocess.TimeoutExpired:
            return ZimVerification(
                tool="zimcheck",
                problems=[
                    Message(
                        f"zimcheck did not finish in {seconds:.0f} s, far longer than a "
                        "book of this size needs: its pages unpack to far more than it "
                        "holds. It was not made by invoke package --zim, or it is damaged; "
                        "make it again.",
                        f"zimcheck не закончил проверку за {seconds:.0f} с, хотя книге "
                        "такого размера нужно гораздо меньше: её страницы распаковываются "
                        "в гораздо больший объём. Она сделана не командой invoke package "
                        "--zim или повреждена; сделайте её заново.",
                    )
                ],
            )
        out.seek(0)
        said = out.read(ZIMCHECK_OUTPUT).decode("utf-8", "replace")
    result = ZimVerification(tool="zimcheck")
    if "Overall Test Status: Pass" not in said or done.returncode:
        lines = [
            line.strip()
            for line in said.splitlines()
            if line.startswith(("[ERROR]", "- ", "(")) or "not found" in line
        ][:20]
        shown = "; ".join(visible(line, 200) for line in lines)
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
    except (RuntimeError, UnicodeDecodeError, MemoryError) as exc:
        raise OSError(f"not a readable ZIM file ({visible(str(exc), 200)})") from None
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
    walk = _Walk(WALK_BUDGET + WALK_PER_BYTE * path.stat().st_size)
    try:
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
        walk.run(archive)
    except (RuntimeError, UnicodeDecodeError, MemoryError) as exc:  # damaged: a cluster
        # libzim cannot unpack (a size it cannot allocate), a path or type not UTF-8
        result.problems.append(
            Message(
                f"a part of it cannot be read ({visible(str(exc), 200)}): the copy is "
                "damaged. Copy the file again.",
                f"часть его не читается ({visible(str(exc), 200)}): копия повреждена. "
                "Скопируйте файл заново.",
            )
        )
        return result
    if walk.broken:
        shown = "; ".join(
            f"{visible(page, 100)} → {visible(link, 100)}" for page, link in walk.broken[:10]
        )
        result.problems.append(
            Message(
                f"{walk.count} links lead to no page of the book ({shown}).",
                f"ссылок, ведущих к отсутствующей в книге странице: {walk.count} ({shown}).",
            )
        )
    if walk.exhausted:
        result.problems.append(
            Message(
                f"its pages unpack to far more than a book of this size holds (the walk "
                f"over its links stopped after {walk.budget // 1_000_000} MB of work, at "
                f"entry {walk.stopped_at} of {archive.entry_count}): it was not made by "
                "invoke package --zim, or it is damaged. Make it again.",
                f"его страницы распаковываются в гораздо больший объём, чем бывает у книги "
                f"такого размера (проверка ссылок остановлена после "
                f"{walk.budget // 1_000_000} МБ работы, на записи {walk.stopped_at} из "
                f"{archive.entry_count}): он сделан не командой invoke package --zim или "
                "повреждён. Сделайте его заново.",
            )
        )
    return result


class _Walk:
    """The walk over every page's internal links, within a budget of work (bytes of pages
    read, links looked up). Entries that share a stored page (the same bytes) are read
    and parsed once, and looked up once per folder."""

    def __init__(self, budget: int) -> None:
        self.budget, self.spent = budget, 0
        self.broken: list[tuple[str, str]] = []
        self.count = 0  # every broken link, also those not kept
        self.exhausted = False
        self.stopped_at = 0
        self._links: dict[bytes, list[tuple[str, str]]] = {}  # page digest → (url, path)
        self._seen: dict[tuple[bytes, str], list[str]] = {}  # (digest, folder) → broken

    def _spend(self, work: int) -> bool:
        self.spent += work
        self.exhausted = self.spent > self.budget
        return not self.exhausted

    def run(self, archive: object) -> None:
        for number in range(archive.entry_count):  # type: ignore[attr-defined]
            entry = archive._get_entry_by_id(number)  # type: ignore[attr-defined]
            if entry.is_redirect:
                continue
            item = entry.get_item()
            if item.mimetype != "text/html" or item.size > MAX_PAGE:
                continue
            page = entry.path
            # every page read is paid for, also one whose bytes were parsed already:
            # thousands of entries may share one stored page
            if not self._spend(item.size // SHARED_READ):
                self.stopped_at = number + 1
                return
            content = bytes(item.content)
            digest = hashlib.blake2b(content, digest_size=16).digest()
            folder = posixpath.dirname(page)
            if (digest, folder) not in self._seen:
                if digest not in self._links:
                    if not self._spend(len(content)):
                        self.stopped_at = number + 1
                        return
                    self._links[digest] = _internal_links(content.decode("utf-8", "replace"))
                links = self._links[digest]
                if not self._spend(LINK_COST * len(links)):
                    self.stopped_at = number + 1
                    return
                self._seen[(digest, folder)] = [
                    url
                    for url, target in links
                    if not archive.has_entry_by_path(  # type: ignore[attr-defined]
                        posixpath.normpath(posixpath.join(folder, target))
                    )
                ]
            for url in self._seen[(digest, folder)]:
                self.count += 1
                if len(self.broken) < KEEP_BROKEN:
                    self.broken.append((page, url))


def _internal_links(text: str) -> list[tuple[str, str]]:
    """The page's links into the book, each once: (the address as written, its path
    unquoted)."""
    found: dict[tuple[str, str], None] = {}
    for reference, _, _ in html_references(text):
        url = reference.url
        if not url or is_external(url) or url.startswith(("#", "data:", "mailto:", "tel:")):
            continue
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        found[(url, unquote(parts.path))] = None
    return list(found)
