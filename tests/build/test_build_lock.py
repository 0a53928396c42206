"""Two commands on one project never interleave: the lock on ``.cache/build.lock``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from projects import REPO

from gardarika.fs.lock import LockBusy, project_lock

WAITING = "is using output/ and .cache/ in this folder; waiting for it to finish"


def gardarika(root: Path, *args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gardarika", "--root", str(root), *args],
        cwd=REPO,
        text=True,
        **kwargs,
    )  # type: ignore[call-overload]


def until(condition, process: subprocess.Popen[str] | None = None, limit: float = 60) -> None:
    """Wait for ``condition()`` (a generous limit, only so that a bug cannot hang the
    suite)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert process is None or process.poll() is None, "the command ended early"
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.05)


def test_a_build_waits_while_the_lock_is_held_then_builds(network: Path, tmp_path: Path) -> None:
    log = tmp_path / "build.log"
    with project_lock(network / ".cache", "test"):
        with log.open("w") as out:
            build = gardarika(network, "build", "--jobs", "2", stdout=out, stderr=subprocess.STDOUT)
        until(lambda: WAITING in log.read_text(), build)
        text = log.read_text()
        # it names what it waits for, in both languages, and has not started
        assert f"(test, pid {os.getpid()}, " in text
        assert "ждём, пока она закончится" in text
        assert not (network / "output").exists()
        assert build.poll() is None
    assert build.wait(timeout=120) == 0, log.read_text()
    text = log.read_text()
    assert "The other command has finished; going on." in text
    assert text.index("going on") < text.index("alpha/ru: ok")
    assert (network / "output" / "alpha" / "index.html").is_file()


def test_two_builds_at_once_run_one_after_the_other(network: Path, tmp_path: Path) -> None:
    """Both builds are started while the lock is held, so both wait; when it is
    released one builds and the other still waits for it. Their output goes, line by
    line as written (unbuffered, appended), into one file: every Pelican run of one
    build and its summary come before any Pelican run of the other."""
    log = tmp_path / "both.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with project_lock(network / ".cache", "test"):
        with log.open("ab") as out:
            builds = [
                gardarika(
                    network, "build", "--jobs", "2", "--force", stdout=out, stderr=out, env=env
                )
                for _ in range(2)
            ]
        until(lambda: log.read_text().count(WAITING) == 2)
    for build in builds:
        assert build.wait(timeout=120) == 0, log.read_text()
    events = re.findall(r"(?:alpha/ru|alpha/en|beta/ru): ok|Towns built: 2", log.read_text())
    runs = sorted(["alpha/ru: ok", "alpha/en: ok", "beta/ru: ok"])
    first, second = events[:4], events[4:]
    assert sorted(first[:3]) == runs and first[3] == "Towns built: 2", events
    assert sorted(second[:3]) == runs and second[3:] == ["Towns built: 2"], events


def test_no_wait_fails_at_once_while_the_lock_is_held(network: Path) -> None:
    (network / ".cache").mkdir()
    with project_lock(network / ".cache", "build"):
        for command in (["build"], ["clean"], ["portal"]):
            done = subprocess.run(
                [sys.executable, "-m", "gardarika", "--root", str(network), *command, "--no-wait"],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 1, done.stdout + done.stderr
            assert f"Another Gardarika command (build, pid {os.getpid()}, " in done.stderr
            assert "или без --no-wait, чтобы подождать" in done.stderr
            assert "Traceback" not in done.stderr
        assert not (network / "output").exists()
        assert (network / ".cache").is_dir()  # clean did not remove it
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gardarika",
            "--root",
            str(network),
            "build",
            "--no-wait",
            "--jobs",
            "2",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_waiting_has_a_limit(tmp_path: Path) -> None:
    messages: list[str] = []
    # another open file of the same lock: flock tells them apart even in one process
    with (
        project_lock(tmp_path, "build"),
        pytest.raises(LockBusy, match=r"for more than 0\.005 minutes"),
        project_lock(tmp_path, "build", limit=0.3, echo=messages.append),
    ):
        pass
    assert len(messages) == 1 and "at most 0.005 minutes" in messages[0]


def test_readers_share_the_lock_and_a_writer_waits_for_them(tmp_path: Path) -> None:
    with (
        project_lock(tmp_path, "package", shared=True),
        project_lock(tmp_path, "deploy", shared=True, wait=False),
        pytest.raises(LockBusy),
        project_lock(tmp_path, "build", wait=False),
    ):
        pass
    with (
        project_lock(tmp_path, "build", wait=False),
        pytest.raises(LockBusy),
        project_lock(tmp_path, "check", shared=True, wait=False),
    ):
        pass


def test_a_lock_file_removed_by_clean_does_not_let_two_in(tmp_path: Path) -> None:
    """``clean`` removes .cache/ with the lock file in it: a command that was waiting
    on the removed file must not go ahead beside one that locked the new file."""
    cache = tmp_path / ".cache"
    entered = threading.Event()

    def waiter() -> None:
        with project_lock(cache, "build", echo=lambda text: None):
            entered.set()

    with project_lock(cache, "clean"):
        thread = threading.Thread(target=waiter)
        thread.start()
        until(lambda: thread.is_alive() and (cache / "build.lock").exists())
        time.sleep(0.3)  # the waiter is now waiting on this very file
        shutil.rmtree(cache)
        holder = project_lock(cache, "build")  # a new build, on a new lock file
        holder.__enter__()
    time.sleep(0.5)  # the removed file is free now; the waiter must not enter
    assert not entered.is_set()
    holder.__exit__(None, None, None)
    thread.join(timeout=10)
    assert entered.is_set()


def test_without_fcntl_commands_run_unlocked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no flock: the lock is skipped rather than stopping every command."""
    from gardarika.fs import lock

    monkeypatch.setattr(lock, "fcntl", None)
    with project_lock(tmp_path, "build", wait=False), project_lock(tmp_path, "build", wait=False):
        pass
    assert not (tmp_path / "build.lock").exists()
