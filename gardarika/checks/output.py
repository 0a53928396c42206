"""``invoke check``: does the output work from a USB stick, and is it safe to open?

Walks ``output/`` (or some towns of it) and reports, with the page, line and link:
internal references that lead to no file, links to folders and root-absolute links
(both break when opened from disk), anything loaded from another website, and file
names that FAT32, Joliet or a case-insensitive disk would not take. A page's links are
the ones the build noted as it rewrote the page (:mod:`gardarika.render.pagefacts`), when the
page is still as noted; otherwise they are found with the same one-pass scanner.

It also reports anything that could run script in readers' browsers
(:mod:`gardarika.checks.scripts`, with real HTML and XML parsers): the last of the security
layers, which holds whatever got past the others. Towns whose settings say
``trust_html: true`` may publish scripts and are not checked for them.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from gardarika.checks.loads import remote_loads
from gardarika.checks.scripts import file_dangers
from gardarika.checks.svg import css_harm
from gardarika.errors import Message, counted
from gardarika.fs.portable import case_collisions, name_problems
from gardarika.render import pagefacts
from gardarika.render.embeds import is_remote
from gardarika.render.links import (
    Reference,
    css_references,
    html_references,
    is_external,
    is_internal,
    js_references,
    json_references,
)
from gardarika.render.pagefacts import Facts
from gardarika.urls import split_url

TEXT_FILES = {".html", ".htm", ".css", ".js", ".json"}


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in the output: where it is and what it is."""

    file: str
    line: int
    message: Message

    @property
    def en(self) -> str:
        return self.message.en

    @property
    def ru(self) -> str:
        return self.message.ru

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.en}\n{where}: {self.ru}"


def _references(path: Path, text: str, noted: list[Reference] | None = None) -> Iterator[Reference]:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        if noted is not None:  # noted by the build as the page is now (pagefacts.py)
            yield from noted
            return
        yield from (ref for ref, _, _ in html_references(text))
    elif suffix == ".css":
        yield from (ref for ref, _, _ in css_references(text))
    elif suffix == ".js":
        yield from (ref for ref, _, _ in js_references(text))
    elif suffix == ".json":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # not data: news_dangers reports the file
            return
        for _, url in json_references(data):
            yield Reference(url, 0, "json", "string", False)


class Tree:
    """What exists below the output folder, looked up by ``/``-separated relative path.

    Asking the file system for every link (over 10 000 in a large town) is the slow part
    of a check, so the files are listed once; paths outside what was listed (another
    town, say) are asked for as before."""

    def __init__(self, output: Path, listed: Iterable[str], scopes: Iterable[str]):
        self.output = output
        self.files = set(listed)
        self.dirs = {posixpath.dirname(f) for f in self.files}
        for folder in list(self.dirs):
            while folder:
                folder = posixpath.dirname(folder)
                self.dirs.add(folder)
        self.scopes = tuple(scopes)

    def _listed(self, path: str) -> bool:
        return not self.scopes or path.split("/", 1)[0] in self.scopes

    def is_file(self, path: str) -> bool:
        return path in self.files if self._listed(path) else (self.output / path).is_file()

    def is_dir(self, path: str) -> bool:
        return path in self.dirs if self._listed(path) else (self.output / path).is_dir()


#: a page's own word on its encoding, in the first 1024 bytes a browser looks at
_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)


def _not_utf8(data: bytes) -> Message | None:
    """Why a page would not be read as the UTF-8 the check reads, if it would not: a
    UTF-16 byte order mark, another encoding named in its ``<meta charset>``, or the
    escape character with which ISO-2022 encodings hide markup from a UTF-8 reader."""
    declared = _CHARSET.search(data[:1024])
    name = declared.group(1).decode("ascii", "replace").lower() if declared else "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or name not in ("utf-8", "utf8"):
        shown = "UTF-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else name
        return Message(
            f"the page is not in UTF-8 (it says {shown}): a browser would read it otherwise "
            "than the check does; the site's pages are UTF-8",
            f"страница не в UTF-8 (указано {shown}): браузер прочитал бы её иначе, чем "
            "проверка; страницы сайта пишутся в UTF-8",
        )
    if b"\x1b" in data:
        return Message(
            "the page holds the escape character (ESC), with which other encodings hide "
            "markup; remove it from the theme or the text",
            "в странице есть управляющий знак ESC, которым другие кодировки прячут "
            "разметку; уберите его из темы или текста",
        )
    return None


def remote_load(element: str, url: str) -> Message:
    """What is said of a page's ``<element>`` that loads ``url`` from another website."""
    return Message(
        f"<{element}> loads “{url}” from another website; offline it is missing",
        f"<{element}> загружает «{url}» с другого сайта; без интернета его не будет",
    )


def check_reference(ref: Reference, page: str, tree: Tree) -> Message | None:
    """What is wrong with one reference of ``page`` (relative to the output), if anything."""
    url = ref.url.strip()
    if is_external(url):
        return remote_load(ref.element, url) if ref.loads else None
    if not is_internal(url):
        return None
    path = split_url(url).path
    if not path:
        return None
    if path.startswith("/"):
        return Message(
            f"root-absolute link “{url}”: from a disk it points at the disk's root",
            f"ссылка от корня «{url}»: с диска она ведёт в корень диска",
        )
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(path)))
    outside = target == ".." or target.startswith("../")
    if (
        path.endswith("/")
        or posixpath.basename(path) in (".", "..")
        or (not outside and tree.is_dir(target))
    ):
        return Message(
            f"link to a folder “{url}”: from a disk it shows a file listing; link "
            "the folder's index.html",
            f"ссылка на папку «{url}»: с диска откроется список файлов; укажите "
            "index.html этой папки",
        )
    if ref.element in ("js", "json"):
        return None  # relative to the page that uses the script, not to the script
    if outside:
        return Message(
            f"“{url}” leads outside the output folder",
            f"«{url}» ведёт за пределы папки с сайтом",
        )
    if not tree.is_file(target):
        return Message(f"“{url}” leads to no file", f"«{url}» ведёт к несуществующему файлу")
    return None


def _walk(folders: Iterable[Path]) -> Iterator[Path]:
    for folder in folders:
        if folder.is_file():
            yield folder
            continue
        for current, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                yield Path(current) / name


#: distinct (link, folder) answers a check keeps at once
JUDGED_LIMIT = 200_000


def check_output(
    output: Path,
    towns: Iterable[str] | None = None,
    trusted: Iterable[str] = (),
    facts: Facts | None = None,
) -> list[Finding]:
    """Every problem found in ``output`` (only the given towns and the portal, if given).
    ``trusted``: towns with ``trust_html``, whose scripts are not findings. ``facts``:
    the references the build noted for the pages it wrote (:mod:`gardarika.render.pagefacts`),
    used for a page whose bytes are still the ones noted."""
    output = Path(output)
    if towns is None:
        scope = [output]
    else:
        scope = [output / t for t in towns if (output / t).exists()]
        # and the portal: its pages, its theme and the network's feeds
        scope += [
            p for p in (output / "index.html", output / "theme", output / "feeds") if p.exists()
        ]
        scope += sorted(output.glob("index-*.html"))
    findings: list[Finding] = []
    paths = list(_walk(scope))
    shown = [path.relative_to(output).as_posix() for path in paths]
    tree = Tree(
        output, shown, [] if towns is None else [p.relative_to(output).as_posix() for p in scope]
    )
    trusted = set(trusted)
    judged: dict[tuple[str, str, bool, str], Message | None] = {}
    for path, rel in zip(paths, shown, strict=True):
        findings.extend(
            Finding(rel, 0, Message(f"file name: {en}", f"имя файла: {ru}"))
            for en, ru in name_problems(rel)
        )
        if rel.split("/", 1)[0] not in trusted:
            findings.extend(
                Finding(
                    rel,
                    d.line,
                    Message(
                        f"{d.message.en}; remove it from the source (see the editors' checks, "
                        "invoke lint)",
                        f"{d.message.ru}; уберите это из исходного файла (см. "
                        "проверку материалов, invoke lint)",
                    ),
                )
                for d in file_dangers(path, rel)
            )
        if path.suffix.lower() not in TEXT_FILES:
            continue
        data = path.read_bytes()
        text = data.decode("utf-8", errors="replace")
        folder = posixpath.dirname(rel)
        remote: set[str] = set()  # what the references showed loading from elsewhere
        for ref in _references(path, text, pagefacts.references(facts, rel, data)):
            # pages of one folder share most links (menus, listings, the theme): each is
            # judged once per folder (the answer depends on nothing else)
            key = (ref.url, ref.element, ref.loads, folder)
            if len(judged) > JUDGED_LIMIT:  # a site of millions of distinct links
                judged.clear()
            problem = (
                judged[key]
                if key in judged
                else judged.setdefault(key, check_reference(ref, rel, tree))
            )
            if problem:
                findings.append(Finding(rel, ref.line, problem))
                if ref.loads and is_external(ref.url.strip()):
                    remote.add(ref.url.strip())
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):  # and what a browser's parser sees
            findings.extend(
                Finding(rel, load.line, remote_load(load.element, load.url))
                for load in remote_loads(text, base_allowed=path.name.lower() == "404.html")
                if load.url not in remote
                and not ("(" in load.url and any(url in load.url for url in remote))
            )
            wrong = _not_utf8(data)
            if wrong is not None:
                findings.append(Finding(rel, 0, wrong))
        elif suffix == ".css" and not remote:  # read as a browser's CSS tokenizer reads it
            harm = css_harm(text, sheet=True, fetches=is_remote)
            if harm is not None:
                findings.append(Finding(rel, 0, remote_load("css", harm)))
    for group in case_collisions(shown):
        findings.append(
            Finding(
                group[0],
                0,
                Message(
                    f"these names differ only in case: {', '.join(group)}",
                    f"эти имена различаются только регистром букв: {', '.join(group)}",
                ),
            )
        )
    return sorted(set(findings))


def summary(findings: list[Finding], seconds: float) -> str:
    if not findings:
        return (
            f"Check: no problems found ({seconds:.1f} s).\n"
            f"Проверка: проблем не найдено ({seconds:.1f} с)."
        )
    found = counted(len(findings), ("problem", "problems"), ("проблема", "проблемы", "проблем"))
    return (
        f"Check: {found.en} found ({seconds:.1f} s).\n"
        f"Проверка: найдено {found.ru} ({seconds:.1f} с)."
    )
