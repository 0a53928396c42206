"""Dates from git: when each text of a town was first committed, and last changed.

An article without ``Date:`` (and without a date at the start of its file name) is dated
by the first commit that added it, and one without ``Modified:`` by the last commit that
changed it, so that editors need not write dates git already knows. The checks say so,
as a warning, since a date written in the text is the one the editor controls.

Where the history is read: a town whose content folder is its own clone (``.git`` a
folder of its own, as ``invoke pull`` makes it) is read whole; a town inside the
network's repository is read as ``git log -- content/<town>``. Anything else (no
repository, a ``.git`` that is a link or a ``gitdir:`` file, no git installed, an empty
repository) means no dates from git, and the build is what it was without them.

**One pass, cached.** The whole history of the folder is read by one ``git log`` (never
one per file), newest commit first, and turned into a map: path -> (first, last)
commit's author time. The map is kept in ``.cache/gitdates/<town>.json`` under a key
made of the repository's ``HEAD`` (read from the ``.git`` folder without running git
when it is a plain branch or commit), its ``shallow`` list and the folder, so an
unchanged town runs no git at all. Its digest is part of the town's fingerprint
(:mod:`gardarika.build.fingerprint`): a commit that changes no file still changes dates.

**What counts.** The author date: when the change was written, which a rebase or a
cherry-pick leaves alone. Only what is committed counts: an edit not yet committed keeps
the dates of the last commit until it is committed (a build of one commit is the same
whenever and wherever it runs), and a file never committed has no dates from git. A
file moved or renamed (``git mv``, found by git's rename detection) keeps its history;
moving it changes neither date. A file deleted and added again starts anew. The first
commit of a file already there at a shallow clone's cut is unknown: it gets no date
from git (and no last date, when only the cut names it).

**Safety.** The repository, and in a town's own clone the history, are its editors'
choice. Git runs as :mod:`gardarika.content.pull` runs it for a local command (its
:class:`~gardarika.content.pull._Git`): hooks and file-system monitor off, no user's or
system's settings, nothing in the environment pointing it at another repository, no
terminal, no pager, no replace refs, literal paths; its output is read with ``-z`` as
it comes (:func:`~gardarika.content.pull.stream_records`), each record at most
:data:`MAX_RECORD` bytes, at most :data:`MAX_PATHS` paths in all and within
:data:`GIT_SECONDS`; past a limit the town has no dates from git, and the checks say why.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gardarika.content.documents import SOURCE_SUFFIXES
from gardarika.content.pull import _Git, own_git_dir, stream_records
from gardarika.errors import Message, visible
from gardarika.fs.files import write_file_atomic

#: the layout of the cached map; another value makes every town read its history again
VERSION = 1
#: seconds one town's ``git log`` may take
GIT_SECONDS = 120.0
#: bytes of one record of ``git log -z`` (a path longer than any file system takes)
MAX_RECORD = 16 * 1024
#: paths of texts the history may name (those of today and of the past); a history of
#: more is not read (a town has at most 25 000 files)
MAX_PATHS = 200_000
#: the cache's folder, below the build's cache
CACHE_FOLDER = "gitdates"
#: the most read of a small file of the ``.git`` folder (``HEAD``, a ref, ``shallow``)
_SMALL = 1 << 20
#: the most read of ``packed-refs``
_PACKED = 16 << 20
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REF = re.compile(r"refs/(?:[A-Za-z0-9_][A-Za-z0-9._+@-]*/)*[A-Za-z0-9_][A-Za-z0-9._+@-]*")
#: a date git may give that Python can show (years 1970 to 9999)
_LATEST = 253402300799
#: no decoration but git's own "grafted" (a shallow clone's cut): no ref is shown
_NO_REFS = "--decorate-refs=refs/gardarika/no-such-ref"
_TEXT_SUFFIXES = tuple(s.encode() for s in SOURCE_SUFFIXES)


@dataclass(frozen=True)
class GitDates:
    """The dates git gives a town's texts."""

    #: path relative to the content folder (``/`` between folders) -> (author time of
    #: the first commit, or ``None`` when a shallow clone's cut hides it; author time of
    #: the last commit that changed it), in seconds since 1970
    files: Mapping[str, tuple[int | None, int]] = field(default_factory=dict)
    #: the history is cut short (a shallow clone): some first commits are unknown
    shallow: bool = False
    #: why the history could not be read, when it could not (said by the checks)
    problem: Message | None = None
    #: the problem stays until the repository's HEAD moves (too long, too large): it is
    #: kept in the cache, so that each build does not read the history again
    lasting: bool = False

    def of(self, rel: str) -> tuple[int | None, int] | None:
        return self.files.get(rel)

    @property
    def digest(self) -> str:
        """What the dates are, as a digest for the town's fingerprint ("" for none)."""
        if not self.files and not self.shallow:
            return ""
        data = json.dumps([sorted(self.files.items()), self.shallow], ensure_ascii=True)
        return hashlib.sha256(data.encode()).hexdigest()

    def setting(self) -> dict[str, list[int | None]]:
        """The map as Pelican's ``GIT_DATES`` setting, and as cached (plain data)."""
        return {rel: [first, last] for rel, (first, last) in self.files.items()}


NO_DATES = GitDates()


def moment(seconds: int, timezone: str) -> dt.datetime | None:
    """A commit's time in the town's time zone (``None`` if it cannot be shown)."""
    try:
        return dt.datetime.fromtimestamp(seconds, ZoneInfo(timezone))
    except (OverflowError, OSError, ValueError):
        return None


def dates_to_use(
    committed: tuple[int | None, int | None] | list[int | None] | None,
    date: dt.datetime | None,
    timezone: str,
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The (date, modified) git gives a text whose own ``Date`` is ``date`` (``None``
    when it has none, nor one in its file name): the date of its first commit; and,
    when a later commit changed it after that date, the last one. A text committed once
    and never changed gets no modified date: an archive imported in one commit is not
    "updated" on the day of the import. (Both ``None`` where git gives nothing.)"""
    if not committed:
        return None, None
    first, last = committed
    published = None if date is not None or first is None else moment(first, timezone)
    since = date or published
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=ZoneInfo(timezone))
    changed = moment(last, timezone) if last is not None else None
    later = first is None or (last is not None and last > first)
    if changed is None or not later or (since is not None and changed <= since):
        changed = None
    # a commit dated ahead (a wrong clock, or on purpose) updates nothing yet
    if changed is not None and changed > dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
        changed = None
    return published, changed


# -- which repository ---------------------------------------------------------------------


@dataclass(frozen=True)
class Repository:
    """Where a town's history is: run git in ``top``; ``prefix`` leads from there to the
    content folder ("" for a town that is its own clone)."""

    top: Path
    git_dir: Path | None
    prefix: str


def repository_of(folder: Path, root: Path) -> Repository | None:
    """Where the history of the content folder ``folder`` of the network at ``root`` is
    (its own clone, or the network's repository), or ``None`` where there is none to
    read: the one rule for every command that reads a town's history."""
    folder = Path(os.path.abspath(folder))
    dot_git = folder / ".git"
    if os.path.lexists(dot_git):
        # a town's own clone, as invoke pull makes it; a link, a "gitdir:" file or a
        # "commondir" would point git at another repository (pull refuses them too)
        own = own_git_dir(folder)
        return Repository(folder, own, "") if own is not None else None
    top = Path(os.path.abspath(root))
    if not os.path.lexists(top / ".git"):
        return None
    real_top, real_folder = os.path.realpath(top), os.path.realpath(folder)
    prefix = os.path.relpath(real_folder, real_top).replace(os.sep, "/")
    if prefix == "." or prefix.startswith("../") or prefix == "..":
        return None
    git_dir = top / ".git"
    return Repository(
        top, git_dir if git_dir.is_dir() and not git_dir.is_symlink() else None, prefix
    )


def _small(path: Path, limit: int = _SMALL) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(limit)


def _read_head(git_dir: Path) -> str | None:
    """The commit ``HEAD`` names, read from the ``.git`` folder when it is a plain one
    (a commit, or a branch in a loose ref or in ``packed-refs``); ``None`` otherwise, and
    git is asked."""
    try:
        head = _small(git_dir / "HEAD", 4096).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if _COMMIT.fullmatch(head):
        return head
    if not head.startswith("ref: "):
        return None
    ref = head[5:].strip()
    if not _REF.fullmatch(ref) or ".." in ref or "/." in ref:
        return None
    try:
        value = _small(git_dir / ref, 4096).decode("ascii").strip()
    except FileNotFoundError:
        value = None
    except (OSError, UnicodeDecodeError):
        return None
    if value is not None:
        return value if _COMMIT.fullmatch(value) else None
    try:
        packed = _small(git_dir / "packed-refs", _PACKED + 1)
    except OSError:
        return None
    if len(packed) > _PACKED:
        return None
    wanted = b" " + ref.encode()
    for line in packed.splitlines():
        if line.endswith(wanted):
            commit = line[: -len(wanted)].decode("ascii", "replace")
            return commit if _COMMIT.fullmatch(commit) else None
    return None


def _head_and_shallow(repo: Repository, git: _Git) -> tuple[str, bytes] | None:
    """``HEAD``'s commit and the ``shallow`` list (``b""`` for a full clone), or
    ``None`` when there is no commit (or no git)."""
    head = _read_head(repo.git_dir) if repo.git_dir is not None else None
    if head is not None and repo.git_dir is not None:
        return head, _shallow_list(repo.git_dir / "shallow")
    try:
        done = git.run(
            "rev-parse",
            "--git-path",
            "shallow",
            "--verify",
            "-q",
            "HEAD^{commit}",
            git_dir=repo.git_dir,
            work_tree=repo.top,
        )
    except OSError:  # no git installed
        return None
    lines = done.stdout.splitlines()
    if done.returncode or len(lines) != 2 or not _COMMIT.fullmatch(lines[1].strip()):
        return None
    return lines[1].strip(), _shallow_list(repo.top / lines[0].strip())


def _shallow_list(path: Path) -> bytes:
    try:
        return _small(path)
    except OSError:
        return b""


# -- reading the history ------------------------------------------------------------------


def _is_text(path: bytes) -> bool:
    return path.lower().endswith(_TEXT_SUFFIXES)


class _History:
    """The records of ``git log -z --name-status --format=%x00%x00%at %D``, newest
    commit first, as they come: each commit is two empty records (no path is empty)
    followed by ``<author time> <decorations>``, then its changes, each a status
    (``M``, ``A``, ``D``, ``T``, ``R<score>``, ``C<score>``; the first one after a new
    line) and one path, or two for a rename or copy (old, new)."""

    def __init__(self) -> None:
        #: path -> [first, last] author time; first ``None``: before a shallow cut
        self.files: dict[bytes, list[int | None]] = {}
        #: paths whose history is complete (added here), or that are gone: older
        #: commits naming them speak of another file of the same name
        self.closed: set[bytes] = set()
        #: an older name -> the name the file has now (it was moved)
        self.alias: dict[bytes, bytes] = {}
        self.shallow = False
        self._empty = 0
        self._time: int | None = None
        self._cut = False
        self._status = b""
        self._paths: list[bytes] = []
        self._wanted = 0

    def add(self, record: bytes) -> Message | None:
        if not record:
            self._empty += 1
            return None
        if self._empty >= 2:
            self._empty = 0
            self._header(record)
            return None
        self._empty = 0
        if not self._wanted:
            status = record[1:] if record.startswith(b"\n") else record
            self._status = status
            self._paths = []
            self._wanted = 2 if status[:1] in (b"R", b"C") else 1
            return None
        self._paths.append(record)
        self._wanted -= 1
        if not self._wanted:
            self._change(self._status, self._paths)
        if len(self.files) + len(self.closed) + len(self.alias) > MAX_PATHS:
            return Message(
                f"its history names more than {MAX_PATHS} files.",
                f"в его истории больше {MAX_PATHS} файлов.",
            )
        return None

    def _header(self, record: bytes) -> None:
        when, _, decorations = record.partition(b" ")
        try:
            seconds = int(when)
        except ValueError:
            seconds = -1
        self._time = seconds if 0 <= seconds <= _LATEST else None
        # a shallow clone's cut (or a graft): git shows it as a first commit adding
        # every file there, which says nothing of when they were added
        self._cut = b"grafted" in (d.strip() for d in decorations.split(b","))
        self.shallow = self.shallow or self._cut
        self._wanted = 0

    def _change(self, status: bytes, paths: list[bytes]) -> None:
        kind = status[:1]
        if kind == b"R":
            self._moved(paths[0], paths[1], status[1:])
        elif kind == b"C":
            self._touched(paths[1], added=True)
        elif kind == b"D":
            # deleted here: older commits speak of another file of that name (one
            # gone, or added again later: its history starts after this)
            name = self.alias.get(paths[0], paths[0])
            if _is_text(name):
                self.closed.add(name)
        else:
            self._touched(paths[0], added=kind == b"A")

    def _touched(self, path: bytes, added: bool) -> None:
        name = self.alias.get(path, path)
        if name in self.closed or not _is_text(name):
            return
        if self._cut:
            if name in self.files:
                self.files[name][0] = None
            self.closed.add(name)
            return
        if self._time is None:
            return
        dates = self.files.get(name)
        if dates is None:
            self.files[name] = [self._time, self._time]
        else:
            dates[0] = self._time
        if added:
            self.closed.add(name)

    def _moved(self, old: bytes, new: bytes, score: bytes) -> None:
        name = self.alias.get(new, new)
        if name in self.closed or not _is_text(name):
            return
        if score != b"100":  # moved and changed: a change of the text
            self._touched(new, added=False)
        self.alias[old] = name

    def result(self, prefix: str) -> dict[str, tuple[int | None, int]]:
        """Each text's (first, last), by its path relative to the content folder."""
        lead = (prefix.rstrip("/") + "/").encode() if prefix else b""
        found: dict[str, tuple[int | None, int]] = {}
        for path, (first, last) in self.files.items():
            if last is None or not path.startswith(lead):
                continue
            found[os.fsdecode(path[len(lead) :])] = (first, last)
        return found


def _log(repo: Repository, git: _Git) -> GitDates | None:
    """One ``git log`` of the folder's whole history (``None``: git is not installed)."""
    history = _History()
    command = git.command(
        "--no-pager",
        "--no-replace-objects",
        "--literal-pathspecs",
        "log",
        "--date-order",
        # the first commit (and a shallow clone's cut) lists what it added, whatever
        # log.showRoot says
        "--root",
        "--no-color",
        "--no-show-signature",
        "--no-notes",
        "--no-mailmap",
        "--no-abbrev",
        "--format=%x00%x00%at %D",
        _NO_REFS,
        "--name-status",
        "-z",
        # a text moved (and changed) keeps its dates; looking for changed ones compares
        # contents pair by pair, so a commit that adds and removes more than 100 texts
        # gets its pure moves only (found by the contents' ids), not seconds of work
        "--find-renames",
        "-l100",
        "HEAD",
        "--",
        *([repo.prefix] if repo.prefix else []),
        git_dir=repo.git_dir,
    )
    try:
        ended = stream_records(
            command,
            git.env(isolated=True),
            repo.top,
            GIT_SECONDS,
            MAX_RECORD,
            history.add,
        )
    except OSError:  # no git installed
        return None
    problem = ended.problem
    if ended.too_long:
        problem = Message(
            "its history holds a path longer than any file system takes.",
            "в его истории есть путь длиннее, чем допускает любая файловая система.",
        )
    elif ended.timed_out:
        problem = Message(
            f"reading its history took more than {GIT_SECONDS:.0f} s.",
            f"чтение его истории заняло больше {GIT_SECONDS:.0f} с.",
        )
    elif ended.failure is not None:
        said = visible(ended.failure, limit=300)
        problem = Message(f"git could not read it ({said}).", f"git не смог её прочитать ({said}).")
    if problem is not None:
        # a history too long or too large stays so until HEAD moves: kept in the cache
        # (git's own failure is not: it may be passing)
        return GitDates(problem=problem, lasting=ended.failure is None)
    return GitDates(files=history.result(repo.prefix), shallow=history.shallow)


# -- the cache ----------------------------------------------------------------------------


def _cache_key(repo: Repository, head: str, shallow: bytes) -> str:
    data = json.dumps(
        [VERSION, os.path.realpath(repo.top), repo.prefix, head],
        ensure_ascii=True,
    ).encode()
    return hashlib.sha256(data + b"\0" + shallow).hexdigest()


def _cached(path: Path, key: str) -> GitDates | None:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("key") != key:
        return None
    problem = saved.get("problem")
    if problem is not None:
        if not (
            isinstance(problem, list)
            and len(problem) == 2
            and all(isinstance(t, str) for t in problem)
        ):
            return None
        return GitDates(problem=Message(*problem), lasting=True)
    files = saved.get("files")
    if not isinstance(files, dict):
        return None
    dates: dict[str, tuple[int | None, int]] = {}
    for rel, value in files.items():
        if not (
            isinstance(value, list)
            and len(value) == 2
            and (value[0] is None or type(value[0]) is int)
            and type(value[1]) is int
        ):
            return None
        dates[rel] = (value[0], value[1])
    return GitDates(files=dates, shallow=saved.get("shallow") is True)


def _save(path: Path, key: str, dates: GitDates) -> None:
    data: dict[str, Any] = {"key": key, "shallow": dates.shallow, "files": dates.setting()}
    if dates.problem is not None:
        data["problem"] = list(dates.problem)
    # only time is at stake: the next build reads the history again
    with contextlib.suppress(OSError):
        write_file_atomic(path, json.dumps(data, ensure_ascii=True).encode("ascii"))


def town_dates(folder: Path, root: Path, cache: Path | None, name: str) -> GitDates:
    """The dates git gives the texts of the content folder ``folder`` of the network at
    ``root`` (:data:`NO_DATES` outside a repository), from ``cache/gitdates/<name>.json``
    when the repository's ``HEAD`` is the one it was computed for."""
    if not os.path.isdir(folder):  # a town not pulled yet
        return NO_DATES
    repo = repository_of(folder, root)
    if repo is None:
        return NO_DATES
    git = _Git(local=True, read_only=True)
    found = _head_and_shallow(repo, git)
    if found is None:
        return NO_DATES
    key = _cache_key(repo, *found)
    saved = None if cache is None else Path(cache) / CACHE_FOLDER / f"{name}.json"
    if saved is not None:
        dates = _cached(saved, key)
        if dates is not None:
            return dates
    dates = _log(repo, git)
    if dates is None:
        return NO_DATES
    if saved is not None and (dates.problem is None or dates.lasting):
        _save(saved, key, dates)
    return dates
