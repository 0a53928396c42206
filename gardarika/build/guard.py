"""A guard over every file a (town, language) build opens, writes, moves or removes.

The content checks refuse what would lead outside a town's folders before a build
starts, and Pelican itself refuses to write a page outside its output folder. This is
the third line, for anything the first two miss (a new Pelican setting, a plugin bug,
a file swapped for a symbolic link between the check and the build): Python's audit
hooks see every ``open()``, ``os.rename()``, ``os.remove()``... of the process, so
the build process of one town refuses, with a ``PermissionError``, to

* write, move, link or remove anything outside the folders given as writable (its own
  staging folder and its caches), and to create symbolic links at all;
* read a file of the project outside the folders given as readable (its own content,
  the themes, the plugins, Gardarika), such as another town's content or ``sites/``;
* read through a path below its content folder that really leads elsewhere (a symbolic
  link to ``/etc/passwd`` or to another town), or to a hidden file or folder of the
  content (``.git/config`` of a town kept in its own repository, reached through a
  link with an ordinary name): hidden files are never published.

Python's own packaging metadata is readable wherever it lies on the import path
(``gardarika.egg-info/entry_points.txt`` of an editable install in the project folder):
Markdown looks up its extensions there.

Every refusal is also remembered, because Pelican logs and swallows some exceptions,
and becomes a :class:`~gardarika.errors.Problem` of that build, which then fails and
publishes nothing. An audit hook cannot be removed: :func:`install` is meant for the
forked process of one build, which ends with it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gardarika.errors import Problem, display_path
from gardarika.fs.confine import hidden_part, is_inside

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
#: events whose first argument is a path written to (the rest name their own)
_WRITE_EVENTS = frozenset(
    {
        "os.remove",
        "os.rmdir",
        "os.mkdir",
        "os.truncate",
        "os.chmod",
        "os.chown",
        "os.utime",
        "shutil.rmtree",
        "os.chflags",
        "os.lchmod",
        "os.lchown",
    }
)
_EVENTS = _WRITE_EVENTS | {"open", "os.rename", "os.link", "os.symlink"}


def _within(path: str, folder: str) -> bool:
    """:func:`~gardarika.fs.confine.is_inside` for paths that are already absolute and
    normalised (what ``os.path.abspath`` and ``os.path.realpath`` give: no "..", ".",
    doubled or trailing separator), compared by whole components as it does, without
    normalising them again: the guard asks this several times for every file a build
    opens, a tenth of a second per town."""
    if path == folder:
        return True
    return path.startswith(folder if folder.endswith(os.sep) else folder + os.sep)


@dataclass
class Refusal:
    """One thing the guard refused."""

    action: str  # "write", "read" or "link"
    path: str


@dataclass
class Guard:
    """The folders one build may write and read, and what it was refused."""

    project: Path
    content: Path
    writable: list[Path]
    readable: list[Path]
    refusals: list[Refusal] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._folders: dict[str, str] = {}
        self._project = os.path.realpath(self.project)
        self._content_lexical = os.path.abspath(self.content)
        self._content = os.path.realpath(self.content)
        self._writable = [os.path.realpath(p) for p in self.writable]
        self._readable = [os.path.realpath(p) for p in self.readable] + self._writable
        self._import_path = {os.path.realpath(entry or os.curdir) for entry in sys.path}

    # -- the rules ----------------------------------------------------------------------

    def real(self, path: str) -> str:
        """``os.path.realpath(path)``, with the real place of each folder remembered:
        a build opens hundreds of files in a few dozen folders, and resolving every
        component of every path again cost a tenth of a small rebuild. The last
        component is always looked at afresh (a file may be a symbolic link). What this
        guards against is a setting or a plugin that leads elsewhere, not someone
        replacing folders while the build runs: they could change its files anyway."""
        if ".." in path.split(os.sep):  # "link/.." is not undone by abspath: resolve all
            return os.path.realpath(path)
        folder, name = os.path.split(os.path.abspath(path))
        real_folder = self._folders.get(folder)
        if real_folder is None:
            real_folder = self._folders[folder] = os.path.realpath(folder)
        candidate = os.path.join(real_folder, name) if name else real_folder
        return os.path.realpath(candidate) if os.path.islink(candidate) else candidate

    def may_write(self, path: str) -> bool:
        real = self.real(path)
        if any(_within(real, folder) for folder in self._writable):
            return True
        # Python caching compiled modules, and the null device
        return "__pycache__" in (
            os.path.basename(real),
            os.path.basename(os.path.dirname(real)),
        ) or _within(real, "/dev")

    def may_read(self, path: str) -> bool:
        real = self.real(path)
        if _within(os.path.abspath(path), self._content_lexical):
            if not _within(real, self._content):
                return False  # through a symbolic link out of the content folder
            # (real is below the content folder: what follows it is the relative path)
            if hidden_part(real[len(self._content) :].lstrip(os.sep)):
                return False  # .git/config, .secret: never read, so never published
        if _within(real, self._project):
            return any(
                _within(real, folder) for folder in self._readable
            ) or self.is_package_metadata(real)
        return True

    def is_package_metadata(self, real: str) -> bool:
        """``real`` is in (or is) a ``*.egg-info``/``*.dist-info`` entry that lies
        directly in a folder of Python's import path: only packaging metadata."""
        for entry in (real, os.path.dirname(real)):
            if (
                entry.endswith((".egg-info", ".dist-info"))
                and os.path.dirname(entry) in self._import_path
            ):
                return True
        return False

    # -- the audit hook -----------------------------------------------------------------

    def _refuse(self, action: str, path: str) -> None:
        self.refusals.append(Refusal(action, path))
        raise PermissionError(13, "Gardarika: outside this town's folders", path)

    def _check_write(self, path: Any, dir_fd: Any = None) -> None:
        if not isinstance(path, (str, bytes, os.PathLike)):
            return  # a file descriptor: opened (and checked) before
        text = os.fsdecode(path)
        if dir_fd not in (None, -1) and not os.path.isabs(text):
            return  # inside a folder already checked (shutil.rmtree works like this)
        if not self.may_write(text):
            self._refuse("write", os.path.abspath(text))

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event not in _EVENTS:
            return
        if event == "open":
            path, mode, flags = args
            if not isinstance(path, (str, bytes, os.PathLike)):
                return
            text = os.fsdecode(path)
            writing = (
                any(c in mode for c in "wax+")
                if isinstance(mode, str)
                else bool((flags or 0) & _WRITE_FLAGS)
            )
            if writing:
                self._check_write(text)
            elif not self.may_read(text):
                self._refuse("read", os.path.abspath(text))
        elif event == "os.rename":
            self._check_write(args[0], args[2])
            self._check_write(args[1], args[3])
        elif event == "os.link":
            if not self.may_read(os.fsdecode(args[0])):
                self._refuse("read", os.path.abspath(os.fsdecode(args[0])))
            self._check_write(args[1], args[3])
        elif event == "os.symlink":
            self._refuse("link", os.path.abspath(os.fsdecode(args[1])))
        else:
            self._check_write(args[0], args[-1] if len(args) > 1 else None)

    def problems(self) -> list[Problem]:
        """One problem per refused path, named relative to the project."""
        seen: dict[tuple[str, str], None] = {}
        for refusal in self.refusals:
            seen.setdefault((refusal.action, refusal.path), None)
        return [refusal_problem(action, path, self.project, self.content) for action, path in seen]


def refusal_problem(action: str, path: str, project: Path, content: Path) -> Problem:
    shown = (
        display_path(Path(path), project)
        if not Path(path).is_symlink()
        else os.path.relpath(path, project)
    )
    folder = display_path(content, project)
    if action == "read":
        return Problem(
            file=shown,
            en=f"the build of {folder} tried to read this file, which is outside the "
            "town's content folder (through “..” or a symbolic link), and was stopped. "
            "Use only the town's own files.",
            ru=f"сборка {folder} попыталась прочитать этот файл вне папки с материалами "
            "города (через «..» или символическую ссылку) и была остановлена. "
            "Используйте только файлы самого города.",
        )
    return Problem(
        file=shown,
        en=f"the build of {folder} tried to {'link' if action == 'link' else 'write'} "
        "this file outside the town's own output folder, and was stopped; nothing "
        "was published. Check “save_as”, “url” and “slug” in the town's files and "
        "the “pelican:” settings of the town.",
        ru=f"сборка {folder} попыталась {'создать ссылку' if action == 'link' else 'записать'}"
        " этот файл вне собственной папки города и была остановлена; ничего не "
        "опубликовано. Проверьте «save_as», «url» и «slug» в файлах города и "
        "настройки «pelican:» города.",
    )


def install(
    project: Path, content: Path, writable: Iterable[Path], readable: Iterable[Path]
) -> Guard:
    """Start guarding this process (for good: call it only in a build's own process)."""
    guard = Guard(
        project=Path(project),
        content=Path(content),
        writable=list(writable),
        readable=list(readable),
    )
    sys.addaudithook(guard.hook)
    return guard


def python_folders(project: Path) -> list[Path]:
    """Folders Python imports from, except the project itself (when it is on the path,
    as in a checkout, its own code is given by name instead)."""
    real_project = os.path.realpath(project)
    found = []
    for entry in sys.path:
        real = os.path.realpath(entry or os.curdir)
        if not is_inside(real_project, real):
            found.append(Path(real))
    return found
