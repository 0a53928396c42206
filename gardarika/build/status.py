"""``invoke towns``: the state of every town of the network, in one table (or JSON).

For each town: its languages; where its content comes from (a folder of the network's
repository, or a repository of its own with its branch); the last commit that changed
its content (date, author, subject), read from git; when it was last built
successfully (and whether a build failed since), and what its last output check found
(:mod:`gardarika.build.townlog`); and the size of its output.

Git runs as :func:`gardarika.content.pull.pull` runs it on what it fetched: without
hooks, the file-system monitor, the user's or the system's git settings, a terminal,
or variables pointing it at another repository, within a time limit. A town's own clone
is read through its ``.git`` folder only when that is a real folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gardarika.build.limits import folder_size
from gardarika.build.townlog import TOWN_LOG, TownEvents, TownLog
from gardarika.config.network import Network, Town
from gardarika.errors import display_path, visible

#: what ``git log`` prints of a commit: hash, committer time, author, subject
_FORMAT = "%H%x00%ct%x00%an%x00%s"
#: characters of a commit's subject and author in the table (JSON has them whole)
_SUBJECT, _AUTHOR = 40, 20
#: files and folders of a town's output counted at most (the output's own bound)
MAX_ENTRIES = 200_000
#: what JSON leaves as it is but a terminal acts on or shows otherwise: 8-bit controls,
#: bidirectional overrides and marks, zero-width characters, line separators
_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


@dataclass(frozen=True)
class Commit:
    hash: str
    date: dt.datetime
    author: str
    subject: str


@dataclass(frozen=True)
class TownStatus:
    town: Town
    #: "network" (a folder of the network's repository) or "own" (its own repository)
    kind: str
    folder: str  # the content folder, as shown
    present: bool  # the content folder is there (a town of its own: pulled)
    commit: Commit | None
    events: TownEvents
    output_bytes: int | None  # None: never built

    def as_json(self) -> dict[str, Any]:
        repository = self.town.repository or {}
        return {
            "town": self.town.id,
            "name": self.town.name,
            "languages": list(self.town.languages),
            "source": {
                "kind": self.kind,
                "folder": self.folder,
                "present": self.present,
                "url": repository.get("url"),
                "branch": repository.get("branch"),
            },
            "last_commit": None
            if self.commit is None
            else {
                "hash": self.commit.hash,
                "date": self.commit.date.isoformat(),
                "author": self.commit.author,
                "subject": self.commit.subject,
            },
            "last_build": {
                "succeeded": _iso(self.events.built),
                "failed": _iso(self.events.failed),
                "failed_since": self.events.failed_since,
            },
            "last_check": None
            if self.events.checked is None
            else {"date": _iso(self.events.checked), "problems": self.events.problems},
            "output_bytes": self.output_bytes,
        }


def as_json(data: object) -> str:
    """``data`` as JSON for scripts, safe to print: every character that is not plainly
    visible is written as an escape (the same data for a program reading it)."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return _UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def town_statuses(network: Network, towns: list[str], jobs: int = 4) -> list[TownStatus]:
    """The state of each of ``towns``, in that order (git is asked for several at once)."""
    log = TownLog(network.root / ".cache" / TOWN_LOG)
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(towns) or 1))) as pool:
        return list(pool.map(lambda t: _status(network, network.towns[t], log), towns))


def _status(network: Network, town: Town, log: TownLog) -> TownStatus:
    own = town.repository is not None
    present = os.path.isdir(town.content)
    return TownStatus(
        town=town,
        kind="own" if own else "network",
        folder=display_path(town.content, network.root),
        present=present,
        commit=_last_commit(network.root, town) if present else None,
        events=log.get(town.id),
        output_bytes=_size(network.root / "output" / town.id),
    )


def _last_commit(root: Path, town: Town) -> Commit | None:
    """The last commit that changed the town's content: in its own clone, or in the
    network's repository (``None`` where there is no git or no commit)."""
    from gardarika.content.gitdates import repository_of
    from gardarika.content.pull import _Git

    repo = repository_of(town.content, root)
    if repo is None:
        return None
    done = _Git(local=True, read_only=True).run(
        "--literal-pathspecs",
        "log",
        "-1",
        f"--format={_FORMAT}",
        "HEAD",
        "--",
        *([repo.prefix] if repo.prefix else []),
        git_dir=repo.git_dir,
        work_tree=repo.top,
    )
    parts = done.stdout.strip("\n").split("\0")
    if done.returncode or len(parts) != 4 or not parts[1].isdigit():
        return None
    when = dt.datetime.fromtimestamp(int(parts[1]), dt.UTC)
    return Commit(parts[0], when, parts[2], parts[3])


def _size(folder: Path) -> int | None:
    """Bytes of every file below ``folder``, no link followed (the town's folder itself
    neither: the build never makes it a link), within :data:`MAX_ENTRIES` files and
    folders; ``None``: no folder, a link, or more than that (not a town's output)."""
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return None
    except OSError:
        return None
    try:
        return folder_size(folder, MAX_ENTRIES)
    except ValueError:
        return None


def _iso(when: dt.datetime | None) -> str | None:
    return None if when is None else when.isoformat()


# -- the table ----------------------------------------------------------------------------


def _local(when: dt.datetime | None) -> str:
    return "—" if when is None else when.astimezone().strftime("%Y-%m-%d %H:%M")


def _bytes(size: int | None) -> str:
    if size is None:
        return "—"
    for unit, step in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= step:
            return f"{size / step:.1f} {unit}"
    return f"{size} B"


def _cut(text: str, limit: int) -> str:
    text = visible(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row(status: TownStatus) -> list[str]:
    town = status.town
    if status.kind == "own":
        repository = town.repository or {}
        source = f"{visible(repository.get('url', ''))} ({visible(repository.get('branch', ''))})"
        if not status.present:
            source += " ✗"
    else:
        source = visible(status.folder)
    commit = (
        "—"
        if status.commit is None
        else f"{_local(status.commit.date)} {_cut(status.commit.author, _AUTHOR)}: "
        f"{_cut(status.commit.subject, _SUBJECT)}"
    )
    events = status.events
    built = _local(events.built) + (" ✗" if events.failed_since else "")
    if events.checked is None:
        checked = "—"
    else:
        checked = f"{_local(events.checked)} " + (
            "✓" if not events.problems else f"✗ {events.problems}"
        )
    return [
        town.id,
        ",".join(town.languages),
        source,
        commit,
        built,
        checked,
        _bytes(status.output_bytes),
    ]


#: the table's columns, in both languages
HEADERS = (
    ("town", "город"),
    ("languages", "языки"),
    ("content", "материалы"),
    ("last commit", "последний коммит"),
    ("built", "собран"),
    ("checked", "проверен"),
    ("output", "объём"),
)

LEGEND = (
    "content: a folder of this repository, or the town's own repository (branch), ✗ not "
    "pulled yet; built: the last successful build, ✗ a build failed since; checked: the "
    "last output check, ✓ no problems, ✗ N problems; — not known (never, or after "
    "invoke clean).\n"
    "материалы: папка этого репозитория или собственный репозиторий города (ветка), ✗ "
    "ещё не получены; собран: последняя удачная сборка, ✗ после неё сборка не удалась; "
    "проверен: последняя проверка результата, ✓ без ошибок, ✗ N ошибок; — неизвестно "
    "(не было или после invoke clean)."
)


def table(statuses: list[TownStatus]) -> str:
    """The towns as a plain-text table, its header in both languages, then a legend."""
    rows = [[en for en, _ in HEADERS], [ru for _, ru in HEADERS]]
    rows += [_row(status) for status in statuses]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(2, "  ".join("-" * width for width in widths))
    return "\n".join(lines) + "\n\n" + LEGEND
