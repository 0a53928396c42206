"""Security, round 3: what a town's own repository can put in its content folder.

A town's editors control its repository's whole history, so its content folder may hold
anything git can check out: a "git bomb" (a few hundred bytes of nested trees that check
out to tens of thousands of copies of one file), a circle of symbolic links, gigabytes.
Each is refused with a plain message while the other towns build in the same run, and
the work it costs the build is bounded. The bombs here are real git repositories made
with git's own commands and checked out by git.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from projects import REPO, remove_deep, write

import gardarika.build.limits
from gardarika.build.fingerprint import town_fingerprint
from gardarika.checks.lint import lint_town
from gardarika.config.network import load_network

ARTICLE = "Title: Одно и то же\nDate: 2024-05-05 10:00\n\nКопия.\n"


def _git(*args: str, cwd: Path, data: bytes | None = None) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        input=data,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode().strip()


def git_bomb(repo: Path, width: int, depth: int) -> None:
    """A repository whose one commit checks out to ``width ** depth`` copies of one
    article: a tree of ``width`` copies, a tree of ``width`` such trees, and so on."""
    repo.mkdir(parents=True)
    _git("init", "-q", "-b", "main", cwd=repo)
    entry = _git("hash-object", "-w", "--stdin", cwd=repo, data=ARTICLE.encode())
    mode, kind = "100644", "blob"
    for level in range(depth):
        listing = "".join(
            f"{mode} {kind} {entry}\t{'d' if level else 'a'}{i}{'' if level else '.md'}\n"
            for i in range(width)
        )
        entry = _git("mktree", cwd=repo, data=listing.encode())
        mode, kind = "040000", "tree"
    commit = _git("commit-tree", entry, "-m", "bomb", cwd=repo)
    _git("update-ref", "refs/heads/main", commit, cwd=repo)


def _town(root: Path, town: str) -> Path:
    write(root / "sites" / f"{town}.yaml", f"name: {{ru: {town}}}\nlanguages: [ru]\n")
    folder = root / "content" / town
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _gardarika(root: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gardarika", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


def test_a_circle_of_links_does_not_hang_the_fingerprint(network: Path) -> None:
    folder = network / "content/alpha"
    for name in "abc":
        (folder / name).symlink_to(".")
    network_ = load_network(network)
    start = time.perf_counter()
    first = town_fingerprint(network_, network_.towns["alpha"], [])
    assert time.perf_counter() - start < 5
    (folder / "d").symlink_to(".")  # a new link changes the fingerprint
    assert town_fingerprint(network_, network_.towns["alpha"], []) != first


def test_the_checks_name_each_shared_address_briefly(network: Path) -> None:
    """3 000 copies of one article: 3 000 errors, each naming a few others, not 3 000
    lists of 3 000 names (which cost 11 GB for 10 000 copies)."""
    folder = network / "content/alpha/articles/copies"
    folder.mkdir(parents=True)
    for i in range(3000):
        (folder / f"c{i:04}.md").write_text(ARTICLE, encoding="utf-8")
    town = load_network(network).towns["alpha"]
    shared = [p for p in lint_town(town, network) if "is also used by" in p.en]
    assert len(shared) == 3000
    longest = max(shared, key=lambda p: len(p.en))
    assert len(longest.en) < 600, longest.en
    assert "and 2996 more" in longest.en and "и ещё 2996" in longest.ru


def test_too_many_files_are_refused_before_anything_is_read(network: Path, monkeypatch) -> None:
    monkeypatch.setattr(gardarika.build.limits, "MAX_TOWN_ENTRIES", 50)
    for i in range(60):
        write(network / f"content/alpha/articles/many/{i}.md", ARTICLE)
    problems = lint_town(load_network(network).towns["alpha"], network)
    assert len(problems) == 1, problems
    assert problems[0].file == "content/alpha"
    assert "more than 50 files and folders" in problems[0].en
    assert "больше 50 файлов и папок" in problems[0].ru


def test_links_to_links_count_every_copy_the_build_would_read(network: Path, monkeypatch) -> None:
    """Ten links to a folder of ten links to a folder of ten articles: 1 000 articles
    for Pelican, which follows links, in 30 entries on disk."""
    monkeypatch.setattr(gardarika.build.limits, "MAX_TOWN_ENTRIES", 500)
    base = network / "content/alpha/articles"
    for i in range(10):
        write(base / "l0" / f"{i}.md", ARTICLE)
    for level in (1, 2):
        (base / f"l{level}").mkdir()
        for i in range(10):
            (base / f"l{level}" / f"x{i}").symlink_to(f"../l{level - 1}")
    size = gardarika.build.limits.measure_town(network / "content/alpha")
    assert size.over and size.entries > 500


def test_one_file_too_large_is_named(network: Path) -> None:
    big = network / "content/alpha/files/film.mp4"
    big.parent.mkdir(parents=True, exist_ok=True)
    with big.open("wb") as file:  # sparse: no disk used
        file.truncate(gardarika.build.limits.MAX_FILE_BYTES + 1)
    problems = lint_town(load_network(network).towns["alpha"], network)
    assert [p.file for p in problems] == ["content/alpha/files/film.mp4"]
    assert "at most 64 MB" in problems[0].en and "не больше 64 МБ" in problems[0].ru


def test_bomb_loop_and_filler_fail_alone_in_one_build(network: Path, tmp_path: Path) -> None:
    """Three hostile towns beside the two good ones, one ``build``: each hostile town is
    refused with its reason, quickly, and the good towns are published."""
    git_bomb(tmp_path / "bomb.git", width=30, depth=3)  # 27 000 copies
    bomb = network / "content" / "bomb"
    _git("clone", "-q", str(tmp_path / "bomb.git"), str(bomb), cwd=tmp_path)
    _town(network, "bomb")
    assert sum(len(files) for _, _, files in os.walk(bomb)) > 27_000
    loop = _town(network, "loop")
    write(loop / "articles/one.md", ARTICLE)
    for name in "abc":
        (loop / name).symlink_to(".")
    filler = _town(network, "filler")
    for i in range(20):  # 20 × 60 MB, sparse: over the bytes a town may hold
        with (filler / f"part{i}.bin").open("wb") as file:
            file.truncate(60 * 1024 * 1024)
    start = time.perf_counter()
    done = _gardarika(network, "build", "--jobs", "2", timeout=600)
    seconds = time.perf_counter() - start
    log = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Traceback" not in log
    assert "content/bomb: error: the content folder holds more than 25000 files" in log
    assert "content/filler: error: the content folder holds more than 1024 MB" in log
    assert "content/loop/a" in log and "✗ loop" in log
    for good in ("alpha", "beta"):
        assert f"✓ {good}: built" in log, log
        assert (network / "output" / good / "index.html").is_file()
    for bad in ("bomb", "loop", "filler"):
        assert not (network / "output" / bad).exists()
    assert seconds < 300, seconds


def test_a_named_pipe_is_refused_without_waiting_on_it(network: Path) -> None:
    """Reading a named pipe waits for a writer for ever: the whole network's checks
    stalled until the time limit. It is refused before anything reads it."""
    for name in ("fifo.md", "images/pic.jpg"):
        path = network / "content/alpha" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)
        problems = lint_town(load_network(network).towns["alpha"], network)
        assert [p.file for p in problems] == [f"content/alpha/{name}"], problems
        assert "named pipe" in problems[0].en and "именованный канал" in problems[0].ru
        path.unlink()
    os.mkfifo(network / "content/alpha/fifo.md")
    done = _gardarika(network, "build", "--jobs", "2", timeout=120)
    assert "✓ beta: built" in done.stdout and "✗ alpha" in done.stdout, done.stdout


def test_folders_nested_a_thousand_deep_fail_their_town_alone(network: Path) -> None:
    """Python's os.walk calls itself for each level: 1 500 nested folders crashed the
    whole build (no town built) before the depth was bounded."""
    deep = network / "content/beta"
    for _ in range(1500):  # one level at a time: os.makedirs calls itself too
        deep = deep / "a"
        deep.mkdir()
    write(deep / "deep.md", ARTICLE)
    try:
        problems = lint_town(load_network(network).towns["beta"], network)
        assert len(problems) == 1 and "more than 64 levels deep" in problems[0].en, problems
        assert problems[0].file.startswith("content/beta/a/a/")
        done = _gardarika(network, "build", "--jobs", "2", timeout=300)
        assert "Traceback" not in done.stdout + done.stderr
        assert "✓ alpha: built" in done.stdout and "✗ beta" in done.stdout, done.stdout
    finally:
        remove_deep(network / "content/beta/a")
