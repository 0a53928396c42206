"""One command at a time in a project: a lock on ``.cache/build.lock``.

Two builds at once would empty each other's staging folders and swap half-built towns
in. Every command that writes ``output/`` or ``.cache/`` (build, clean, portal) takes
the lock alone; commands that read ``output/`` over some time and need it to stay one
version (check, package, deploy) share it with each other but not with a writer.

It is an ``flock`` on the file: the system releases it when its holder ends, however it
ends (even ``kill -9``), so a stale lock never has to be removed by hand. The holder
writes its process id and command into the file, so that a second command can say what
it is waiting for. Where ``fcntl`` does not exist (Windows) there is no lock: commands
run as before, and running two at once is up to the user.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "build.lock"
#: how long a command waits for the one holding the lock before giving up
WAIT_LIMIT = 600.0
_POLL = 0.1
_RECORD = 80  # bytes of "pid command time" kept in the lock file


class LockBusy(Exception):
    """Another command holds the lock and this one will not (or no longer) wait."""


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def holder(path: Path) -> str:
    """Who holds (or last held) the lock, as ``command, pid N, HH:MM:SS`` (empty
    when unknown)."""
    try:
        fields = path.read_text(encoding="utf-8", errors="replace").split()
    except OSError:
        return ""
    if len(fields) >= 3 and fields[0].isdigit():
        return f"{fields[1]}, pid {fields[0]}, {fields[2]}"
    return ""


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g}"


@contextmanager
def project_lock(
    cache: Path,
    command: str,
    *,
    shared: bool = False,
    wait: bool = True,
    limit: float = WAIT_LIMIT,
    echo: Callable[[str], None] = _stderr,
) -> Iterator[None]:
    """Hold the project's lock (in the folder ``cache``) for the ``with`` block.

    ``shared`` for commands that only read ``output/``. When another command holds it,
    wait at most ``limit`` seconds, saying so once through ``echo``; with ``wait=False``
    raise :class:`LockBusy` at once.
    """
    if fcntl is None:  # Windows: no locking
        yield
        return
    path = Path(cache) / LOCK_NAME
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    deadline = time.monotonic() + limit
    waited = False
    while True:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    pass
                who = holder(path) or "pid ?"
                if not wait:
                    raise LockBusy(
                        f"Another Gardarika command ({who}) is using output/ and .cache/ "
                        "in this folder. Run this one again when it has finished (or "
                        "without --no-wait, to wait for it).\n"
                        f"В этой папке уже работает другая команда Gardarika ({who}) с "
                        "output/ и .cache/. Запустите эту, когда та закончится (или без "
                        "--no-wait, чтобы подождать)."
                    )
                if time.monotonic() >= deadline:
                    raise LockBusy(
                        f"Another Gardarika command ({who}) has been using output/ and "
                        f".cache/ for more than {_minutes(limit)} minutes; this one gave "
                        "up waiting. Wait for it to finish, or stop it if it hangs, then "
                        "run this one again.\n"
                        f"Другая команда Gardarika ({who}) работает с output/ и .cache/ "
                        f"дольше {_minutes(limit)} мин.; эта перестала ждать. Дождитесь её "
                        "окончания или остановите её, если она зависла, и запустите эту "
                        "снова."
                    )
                if not waited:
                    waited = True
                    echo(
                        f"Another Gardarika command ({who}) is using output/ and .cache/ "
                        f"in this folder; waiting for it to finish (at most "
                        f"{_minutes(limit)} minutes)…\n"
                        f"В этой папке уже работает другая команда Gardarika ({who}); "
                        f"ждём, пока она закончится (не больше {_minutes(limit)} мин.)…"
                    )
                time.sleep(_POLL)
            # ``clean`` may have removed the file meanwhile: a lock on a removed file
            # protects nothing, so start again with the file that is there now
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
        except BaseException:
            os.close(fd)
            raise
        break
    try:
        record = f"{os.getpid()} {command} {time.strftime('%H:%M:%S')}\n"
        os.pwrite(fd, record.encode().ljust(_RECORD, b" "), 0)
        if waited:
            echo(
                "The other command has finished; going on. / Другая команда закончилась; "
                "продолжаем."
            )
        yield
    finally:
        sys.stdout.flush()  # what was printed under the lock comes before the next one
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
