"""The desk's git: each save a commit, undo, send by network or on a USB stick.

An editor never types a git command: the desk commits what it wrote (the text and its
photos, nothing else: ``git commit --only``, so what the maintainer may have staged stays
staged and out of the commit) with the editor's name, reverts the last save on «Отменить»,
pushes when the repository has an upstream branch, and writes a git bundle of the saves
the network does not have yet, for the maintainer's ``invoke pull --bundle``
(:mod:`gardarika.content.bundles`).

The repository is the town's own (``content/<town>/`` is a clone) or the network's (the
town's folder is inside it). What the desk remembers (the editor's name, its saves) is
kept in that repository's git folder, ``gardarika-desk.json``: never committed, never
removed by ``invoke clean``, and it goes with the copy it describes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gardarika.content.bundles import BUNDLE_REF, SUFFIX
from gardarika.content.pull import REPOSITORY_VARIABLES
from gardarika.errors import Message
from gardarika.fs.confine import is_inside

#: seconds a local git command may take; a push may take longer on a slow line
LOCAL_SECONDS = 60
PUSH_SECONDS = 120
#: the desk's memory in the repository's git folder
STATE_FILE = "gardarika-desk.json"
#: the saves remembered for «Отменить»
MAX_REMEMBERED = 50
_COMMIT = re.compile(r"[0-9a-f]{40,64}")


class DeskError(Exception):
    """Something the desk could not do, said in both languages for the editor."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.en)
        self.message = message


@dataclass(frozen=True)
class Editor:
    """Who saves: the name (and e-mail, if given) the commits carry."""

    name: str
    email: str = ""

    def problem(self) -> Message | None:
        name, email = self.name.strip(), self.email.strip()
        if not name or len(name) > 100 or any(c in name for c in "<>\n\r\0"):
            return Message(
                "Give your name (up to 100 letters, no “<” or “>”): it is written with every save.",
                "Укажите своё имя (до 100 знаков, без «<» и «>»): оно записывается при "
                "каждом сохранении.",
            )
        if email and not re.fullmatch(r"[^\s<>@]{1,64}@[^\s<>@]{1,190}", email):
            return Message(
                "The e-mail address is not one: write it as name@example.org, or leave it empty.",
                "Адрес почты записан неверно: напишите его как name@example.org или "
                "оставьте поле пустым.",
            )
        return None


def _git_environment(editor: Editor | None = None, town: str = "") -> dict[str, str]:
    # nothing in the environment points git at another repository than the town's
    env = {k: v for k, v in os.environ.items() if k not in REPOSITORY_VARIABLES}
    # paths are paths, never patterns (a text named "[ab]*.md" stages nothing else)
    env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_LITERAL_PATHSPECS="1")
    if editor is not None:
        email = editor.email.strip() or f"{town or 'editor'}@desk.invalid"
        env.update(
            GIT_AUTHOR_NAME=editor.name.strip(),
            GIT_AUTHOR_EMAIL=email,
            GIT_COMMITTER_NAME=editor.name.strip(),
            GIT_COMMITTER_EMAIL=email,
        )
    return env


@dataclass(frozen=True)
class TownHistory:
    """The git repository that holds one town's folder."""

    town: str
    #: the town's content folder (absolute)
    folder: Path
    #: the work tree's top folder: ``folder`` itself, or the network's
    top: Path
    git_dir: Path

    @property
    def own(self) -> bool:
        return self.top == self.folder

    def git(
        self,
        *args: str,
        editor: Editor | None = None,
        seconds: float = LOCAL_SECONDS,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run git in the town's repository (no hooks: a save never waits on a
        program of the repository's)."""
        command = ["git", "-c", f"core.hooksPath={os.devnull}", "-c", "core.quotePath=false"]
        try:
            done = subprocess.run(
                [*command, *args],
                cwd=self.top,
                env=_git_environment(editor, self.town),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=seconds,
                check=False,
            )
        except subprocess.TimeoutExpired:
            done = subprocess.CompletedProcess(args, 124, "", f"no answer within {seconds:g} s")
        except OSError as err:
            done = subprocess.CompletedProcess(args, 127, "", str(err))
        if check and done.returncode:
            said = " ".join(done.stderr.split())[:300] or f"git exited with {done.returncode}"
            raise DeskError(
                Message(f"git could not do it: {said}", f"git не смог это сделать: {said}")
            )
        return done

    # -- what the desk remembers ------------------------------------------------------

    def _state_path(self) -> Path:
        return self.git_dir / STATE_FILE

    def state(self) -> dict:
        try:
            data = json.loads(self._state_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _remember(self, **changes: object) -> None:
        data = self.state()
        data.update(changes)
        path = self._state_path()
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".desk-", delete=False
        ) as out:
            json.dump(data, out, ensure_ascii=False, indent=1)
        os.replace(out.name, path)

    def editor(self) -> Editor | None:
        """The editor's name, once given on this copy."""
        data = self.state().get("editor")
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            editor = Editor(data["name"], str(data.get("email") or ""))
            return None if editor.problem() else editor
        return None

    def remember_editor(self, editor: Editor) -> None:
        problem = editor.problem()
        if problem:
            raise DeskError(problem)
        self._remember(editor={"name": editor.name.strip(), "email": editor.email.strip()})

    def _saves(self) -> list[str]:
        saves = self.state().get("saves", {})
        mine = saves.get(self.town, []) if isinstance(saves, dict) else []
        return [c for c in mine if isinstance(c, str) and _COMMIT.fullmatch(c)]

    def _set_saves(self, mine: list[str]) -> None:
        saves = self.state().get("saves", {})
        saves = saves if isinstance(saves, dict) else {}
        saves[self.town] = mine[-MAX_REMEMBERED:]
        self._remember(saves=saves)

    # -- saving -----------------------------------------------------------------------

    def _relative(self, path: Path) -> str:
        absolute = Path(os.path.realpath(Path(path).parent)) / Path(path).name
        if not is_inside(str(absolute), str(self.folder)) or absolute == self.folder:
            raise DeskError(
                Message(
                    f"{path} is outside the town's folder; the desk writes only there.",
                    f"{path} вне папки города; редактор пишет только туда.",
                )
            )
        return absolute.relative_to(self.top).as_posix()

    def commit(self, paths: list[Path], subject: str, editor: Editor) -> str | None:
        """Commit exactly ``paths`` (files of the town, new or changed or removed) with
        ``editor``'s name; the new commit, or ``None`` when nothing changed."""
        problem = editor.problem()
        if problem:
            raise DeskError(problem)
        relative = [self._relative(p) for p in paths]
        present = [r for r, p in zip(relative, paths, strict=True) if os.path.lexists(p)]
        if present:
            self.git("add", "--", *present)
        changed = self.git("status", "--porcelain", "-z", "--", *relative).stdout
        if not changed.strip("\0"):
            return None
        subject = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", subject).split())[:200]
        subject = subject or "Gardarika desk"
        self.git("commit", "--only", "-q", "-m", subject, "--", *relative, editor=editor)
        commit = self.git("rev-parse", "HEAD").stdout.strip()
        self._set_saves([*self._saves(), commit])
        return commit

    def can_undo(self) -> bool:
        return bool(self._saves())

    def undo(self, editor: Editor) -> str:
        """Revert the desk's last save (a new commit, so that a push or a bundle carries
        the undoing too); the commit it made."""
        saves = self._saves()
        if not saves:
            raise DeskError(
                Message("There is no save to undo.", "Нет сохранения, которое можно отменить.")
            )
        last = saves[-1]
        done = self.git("revert", "--no-edit", last, editor=editor, check=False)
        if done.returncode:
            self.git("revert", "--abort", check=False)
            raise DeskError(
                Message(
                    "The last save cannot be undone: its files were changed again since. "
                    "Edit them back by hand.",
                    "Последнее сохранение нельзя отменить: его файлы с тех пор снова "
                    "изменены. Исправьте их вручную.",
                )
            )
        self._set_saves(saves[:-1])
        return self.git("rev-parse", "HEAD").stdout.strip()

    # -- sending ----------------------------------------------------------------------

    def upstream(self) -> str | None:
        """The branch a push goes to (``origin/main``), if the repository has one."""
        done = self.git(
            "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", check=False
        )
        name = done.stdout.strip()
        return name if done.returncode == 0 and name else None

    def unsent(self) -> int | None:
        """Commits neither the upstream branch nor the last bundle written has; ``None``
        when there is neither (nothing tells what the network has)."""
        bases = [b for b in (self._base(), self._bundled()) if b]
        if not bases:
            return None
        done = self.git("rev-list", "--count", "HEAD", *(f"^{b}" for b in bases), check=False)
        return int(done.stdout.strip()) if done.returncode == 0 else None

    def _bundled(self) -> str | None:
        """The commit the last bundle of this copy carried, if it still exists."""
        bundled = self.state().get("bundled", {})
        commit = bundled.get(self.town) if isinstance(bundled, dict) else None
        if not isinstance(commit, str) or not _COMMIT.fullmatch(commit):
            return None
        known = self.git("cat-file", "-e", f"{commit}^{{commit}}", check=False)
        return commit if known.returncode == 0 else None

    def _base(self) -> str | None:
        """What the receiving side surely has: the upstream branch as last fetched."""
        upstream = self.upstream()
        if upstream:
            return upstream
        return None

    def push(self) -> Message:
        """Push to the upstream branch; says what happened (no connection included)."""
        upstream = self.upstream()
        if upstream is None:
            raise DeskError(
                Message(
                    "This copy has no server to send to; write the saves to a USB stick instead.",
                    "У этой копии нет сервера для отправки; запишите изменения на флешку.",
                )
            )
        done = self.git("push", "-q", seconds=PUSH_SECONDS, check=False)
        if done.returncode:
            said = " ".join(done.stderr.split())[:300]
            offline = any(
                word in said.lower()
                for word in ("could not resolve", "unable to access", "timed out", "no answer")
            )
            if offline:
                raise DeskError(
                    Message(
                        f"No connection to the server ({said}). Try later, or write the "
                        "saves to a USB stick.",
                        f"Нет связи с сервером ({said}). Попробуйте позже или запишите "
                        "изменения на флешку.",
                    )
                )
            raise DeskError(
                Message(
                    f"The server did not take the saves ({said}). Ask the maintainer.",
                    f"Сервер не принял изменения ({said}). Обратитесь к администратору сети.",
                )
            )
        return Message("Sent to the server.", "Отправлено на сервер.")

    def write_bundle(self, folder: Path, now: dt.datetime | None = None) -> Path:
        """Write the saves the network lacks into ``folder`` (a USB stick) as
        ``<town>-<date>-<time>.bundle``; the file written."""
        folder = Path(folder)
        if not folder.is_dir():
            raise DeskError(
                Message(
                    f"{folder} is not a folder: choose the USB stick's folder.",
                    f"{folder} — не папка: выберите папку на флешке.",
                )
            )
        base = self._base()
        if (
            base is not None
            and self.git("rev-list", "--count", "HEAD", f"^{base}").stdout.strip() == "0"
        ):
            raise DeskError(
                Message(
                    "Every save is already on the server; there is nothing to write.",
                    "Все сохранения уже на сервере; записывать нечего.",
                )
            )
        now = now or dt.datetime.now()
        ref = f"{BUNDLE_REF}{self.town}"
        self.git("update-ref", ref, "HEAD")
        stem = f"{self.town}-{now:%Y%m%d-%H%M%S}"
        partial = folder / f".{stem}.part"
        try:
            self.git("bundle", "create", "-q", str(partial), ref, *([f"^{base}"] if base else []))
            # numbered, so that two bundles of one second neither overwrite one another
            # nor sort out of order (``invoke pull --bundle`` takes a folder's by name)
            for number in range(1, 100):
                target = folder / f"{stem}-{number:02d}{SUFFIX}"
                try:
                    os.link(partial, target)  # never replaces a file
                except FileExistsError:
                    continue
                bundled = self.state().get("bundled", {})
                bundled = bundled if isinstance(bundled, dict) else {}
                bundled[self.town] = self.git("rev-parse", ref).stdout.strip()
                self._remember(bundled=bundled)
                return target
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        raise DeskError(
            Message(
                "The folder already has too many bundles of this minute; wait a moment.",
                "В папке уже слишком много пакетов за эту минуту; подождите немного.",
            )
        )


def town_history(folder: Path, town: str) -> TownHistory:
    """The repository of a town's folder; :class:`DeskError` when it is in none."""
    folder = Path(os.path.abspath(folder))
    probe = TownHistory(town, folder, folder, folder / ".git")
    done = probe.git("rev-parse", "--show-toplevel", "--absolute-git-dir", check=False)
    lines = done.stdout.splitlines()
    if done.returncode or len(lines) != 2:
        raise DeskError(
            Message(
                f"{folder} is not in a git repository, so saves cannot be kept. Ask the "
                "maintainer to set it up (git clone).",
                f"{folder} не в репозитории git, поэтому сохранения негде хранить. "
                "Попросите администратора сети настроить его (git clone).",
            )
        )
    top = Path(os.path.realpath(lines[0]))
    real = Path(os.path.realpath(folder))
    return TownHistory(town, real, top, Path(lines[1]))
