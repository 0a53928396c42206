"""Dates from git on a town of 1000 texts: the one ``git log`` that reads them, and the
cached map that an unchanged town uses instead (:mod:`gardarika.content.gitdates`).

The town is a repository of its own made here: 1000 Markdown texts in 50 folders, added
in 10 commits of 100 texts, then 40 commits each changing 25 of them, every commit with
a fixed date, so every run measures the same history."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

TEXTS = 1000
#: commits after the ones that add the texts, each changing this many of them
CHANGES, CHANGED = 40, 25


def _git(*args: str, cwd: Path, when: int = 0) -> None:
    stamp = f"@{1714559400 + when * 3600} +0000"
    subprocess.run(
        ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
        },
    )


def make_town(folder: Path) -> Path:
    folder.mkdir(parents=True)
    _git("init", "-q", "-b", "main", cwd=folder)
    commit = 0
    for start in range(0, TEXTS, 100):
        for number in range(start, start + 100):
            path = folder / f"news/{number % 50:02d}/article-{number}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"Title: Статья {number}\n\nТекст.\n", encoding="utf-8")
        commit += 1
        _git("add", "-A", cwd=folder)
        _git("commit", "-q", "-m", f"texts from {start}", cwd=folder, when=commit)
    for change in range(CHANGES):
        for step in range(CHANGED):
            number = (change * 97 + step * 31) % TEXTS
            path = folder / f"news/{number % 50:02d}/article-{number}.md"
            path.write_text(path.read_text(encoding="utf-8") + f"Правка {change}.\n", "utf-8")
        commit += 1
        _git("commit", "-q", "-am", f"change {change}", cwd=folder, when=commit)
    return folder


def measure_git_dates(work: Path) -> dict[str, Any]:
    """Seconds for the town's dates read with ``git log`` (the best of three, no cache)
    and from the cache, and how many texts got dates."""
    from gardarika.content.gitdates import town_dates

    town = make_town(work / "gitdates-town")
    cold = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        dates = town_dates(town, work, None, "town")
        cold = min(cold, time.perf_counter() - start)
    cache = work / "gitdates-cache"
    town_dates(town, work, cache, "town")
    start = time.perf_counter()
    cached = town_dates(town, work, cache, "town")
    warm = time.perf_counter() - start
    assert cached == dates
    return {
        "texts": len(dates.files),
        "commits": TEXTS // 100 + CHANGES,
        "git_log_seconds": round(cold, 4),
        "cached_seconds": round(warm, 4),
    }
