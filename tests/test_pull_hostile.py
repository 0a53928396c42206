# SPDX-License-Identifier: AGPL-3.0-or-later
"""``invoke pull`` of a hostile town repository (issue #22): a few hundred kilobytes of git
objects that would check out to gigabytes or to millions of files, links leading out of
the town's folder, submodules, hooks, a server that never answers.

The repositories are real bare repositories made in ``tmp_path`` with git's plumbing
(``hash-object``, ``mktree``, ``commit-tree``), so that nothing hostile is ever checked
out while making them. Each is allowed by ``local_repositories`` in ``network.yaml``, as
a maintainer would allow a local repository.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import write

from gardarika.config import load_network
from gardarika.limits import MAX_FILE_BYTES, MAX_TOWN_BYTES, MAX_TOWN_ENTRIES
from gardarika.network_ops import pull

MB = 1024 * 1024
ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(*args: str, cwd: Path, data: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True,
                          env=ENV, check=True, timeout=120)
    return done.stdout.decode().strip()


def zeros(bare: Path, size: int) -> str:
    """A blob of ``size`` zero bytes, written (compressed) without a file of that size."""
    proc = subprocess.Popen(["git", "hash-object", "-w", "--stdin"], cwd=bare,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    chunk = bytes(MB)
    left = size
    while left:
        proc.stdin.write(chunk[:min(left, MB)])
        left -= min(left, MB)
    proc.stdin.close()
    oid = proc.stdout.read().decode().strip()
    assert proc.wait() == 0
    return oid


def blob(bare: Path, data: bytes) -> str:
    return git("hash-object", "-w", "--stdin", cwd=bare, data=data)


def tree(bare: Path, entries: list[tuple[str, str, str]]) -> str:
    """A tree of (mode, object, name) entries."""
    kinds = {"040000": "tree", "160000": "commit"}
    lines = "".join(f"{mode} {kinds.get(mode, 'blob')} {oid}\t{name}\n"
                    for mode, oid, name in entries)
    return git("mktree", "--missing", cwd=bare, data=lines.encode())


def commit(bare: Path, root_tree: str, parent: str | None = None) -> str:
    """A commit of ``root_tree`` on ``main`` (after ``parent``)."""
    sha = git("commit-tree", root_tree, *(["-p", parent] if parent else []), "-m", "c",
              cwd=bare)
    git("update-ref", "refs/heads/main", sha, cwd=bare)
    return sha


def news(bare: Path) -> tuple[str, str, str]:
    return ("100644", blob(bare, "Title: Новость\nDate: 2024-01-01\n\nТекст.\n".encode()),
            "news.md")


def bomb(bare: Path, levels: int, width: int = 10) -> str:
    """Nested trees over one blob: ``width ** levels`` files from a few kilobytes."""
    oid = blob(bare, b"x")
    mode = "100644"
    for _ in range(levels):
        oid = tree(bare, [(mode, oid, f"d{i}") for i in range(width)])
        mode = "040000"
    return oid


@pytest.fixture
def remote(network: Path, tmp_path: Path) -> Path:
    """Town gamma with a repository (an empty bare one, with nothing on main yet) in a
    folder the network allows; ``content/gamma`` exists and is empty."""
    remotes = tmp_path / "remotes"
    bare = remotes / "gamma.git"
    bare.mkdir(parents=True)
    git("init", "-q", "--bare", "-b", "main", cwd=bare)
    with (network / "sites/network.yaml").open("a", encoding="utf-8") as file:
        file.write(f"local_repositories: ['{remotes}']\n")
    write(network / "sites/gamma.yaml", f"""
        name: {{ru: Гамма}}
        languages: [ru]
        repository: {{url: '{bare}', branch: main}}
    """)
    (network / "content/gamma").mkdir()
    return bare


def left_behind(network: Path) -> list[str]:
    """What a pull left in content/gamma and beside it (its temporary folder)."""
    content = network / "content"
    return sorted([p.name for p in content.iterdir() if p.name.startswith(".")]
                  + [p.name for p in (content / "gamma").iterdir()])


def tree_state(folder: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(folder)), p.lstat().st_size)
                  for p in folder.rglob("*") if ".git" not in p.relative_to(folder).parts)


def refused(network: Path, *words: str) -> str:
    started = time.monotonic()
    ok, message = pull(load_network(network), "gamma")
    assert not ok, message
    assert time.monotonic() - started < 120
    for word in words:
        assert word in message, message
    assert "last good copy is kept" in message and "последняя удачная копия" in message
    return message


# -- what a repository may check out -------------------------------------------------------

def test_one_big_blob_referenced_many_times_is_never_checked_out(network: Path,
                                                                 remote: Path) -> None:
    """336 KB of git objects that check out to 4.7 GB: a 100 MB blob 50 times."""
    big = zeros(remote, 100 * MB)
    commit(remote, tree(remote, [news(remote)] + [("100644", big, f"video-{i:02d}.mp4")
                                                  for i in range(50)]))
    message = refused(network, f"{MAX_FILE_BYTES // MB} MB", "video-00.mp4", "100 MB")
    assert "МБ" in message
    assert left_behind(network) == []


def test_files_each_within_bounds_but_too_many_bytes_together(network: Path,
                                                              remote: Path) -> None:
    each = 60 * MB
    assert each <= MAX_FILE_BYTES and 20 * each > MAX_TOWN_BYTES
    big = zeros(remote, each)
    commit(remote, tree(remote, [("100644", big, f"part-{i:02d}.bin") for i in range(20)]))
    refused(network, f"{MAX_TOWN_BYTES // MB} MB", "part-", "60 MB")
    assert left_behind(network) == []


def test_a_git_bomb_of_100000_files_is_never_checked_out(network: Path,
                                                         remote: Path) -> None:
    """Five levels of ten trees over one blob: a few kilobytes, 111 110 entries."""
    commit(remote, tree(remote, [news(remote), ("040000", bomb(remote, 5), "bomb")]))
    refused(network, str(MAX_TOWN_ENTRIES), "files and folders")
    assert left_behind(network) == []


def test_a_git_bomb_of_ten_billion_files_is_stopped_at_once(network: Path,
                                                           remote: Path) -> None:
    """Ten levels: git lists entries without end; the listing is stopped at the limit."""
    commit(remote, tree(remote, [("040000", bomb(remote, 10), "bomb")]))
    started = time.monotonic()
    refused(network, str(MAX_TOWN_ENTRIES))
    assert time.monotonic() - started < 30
    assert left_behind(network) == []


def test_an_update_over_the_limits_keeps_the_working_tree(network: Path,
                                                          remote: Path) -> None:
    first = commit(remote, tree(remote, [news(remote)]))
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    folder = network / "content/gamma"
    before = tree_state(folder)
    head = git("rev-parse", "HEAD", cwd=folder)
    assert head == first and [name for name, _ in before] == ["news.md"]

    commit(remote, tree(remote, [news(remote), ("040000", bomb(remote, 6), "bomb")]), first)
    refused(network, str(MAX_TOWN_ENTRIES))
    assert tree_state(folder) == before
    assert git("rev-parse", "HEAD", cwd=folder) == head
    assert git("status", "--porcelain", cwd=folder) == ""

    commit(remote, tree(remote, [news(remote), ("100644", zeros(remote, 100 * MB),
                                                "film.mkv")]), first)
    refused(network, "film.mkv", f"{MAX_FILE_BYTES // MB} MB")
    assert tree_state(folder) == before and git("rev-parse", "HEAD", cwd=folder) == head


def test_a_repository_within_the_limits_is_checked_out(network: Path, remote: Path) -> None:
    big = zeros(remote, 2 * MB)
    commit(remote, tree(remote, [news(remote), ("100644", big, "photo.jpg"),
                                 ("040000", bomb(remote, 2), "folder")]))
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    folder = network / "content/gamma"
    assert (folder / "photo.jpg").stat().st_size == 2 * MB
    assert len(list((folder / "folder").rglob("*"))) == 110
    assert not [p for p in (network / "content").iterdir() if p.name.startswith(".")]


# -- links and submodules ------------------------------------------------------------------

@pytest.mark.parametrize("target", ["../../sites/network.yaml", "/etc/passwd",
                                    "x/../../../alpha/pages/about.md", "../../gamma-2", ""])
def test_a_link_leading_out_of_the_folder_is_refused(network: Path, remote: Path,
                                                     target: str) -> None:
    link = blob(remote, target.encode())
    images = tree(remote, [("120000", link, "photo.jpg")])
    commit(remote, tree(remote, [news(remote), ("040000", images, "images")]))
    refused(network, "images/photo.jpg", "symbolic link", "символическая ссылка")
    assert left_behind(network) == []


def test_a_link_through_another_link_is_refused(network: Path, remote: Path) -> None:
    """``here -> .`` stays in the folder, and so does ``here/here/../../x`` read as
    written; followed, it is ``content/gamma/../../x``, the project's."""
    commit(remote, tree(remote, [
        news(remote), ("120000", blob(remote, b"."), "here"),
        ("120000", blob(remote, b"here/here/../../sites/network.yaml"), "esc")]))
    refused(network, "esc", "symbolic link")
    assert left_behind(network) == []


def test_a_link_inside_the_folder_and_a_submodule_are_fine(network: Path,
                                                           remote: Path) -> None:
    images = tree(remote, [("120000", blob(remote, b"../news.md"), "same.md")])
    other = "0123456789abcdef0123456789abcdef01234567"
    commit(remote, tree(remote, [news(remote), ("040000", images, "images"),
                                 ("160000", other, "theme-sub")]))
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    assert "theme-sub" in message and "not fetched" in message and "не загружается" in message
    folder = network / "content/gamma"
    assert (folder / "images/same.md").is_symlink()
    assert not any((folder / "theme-sub").iterdir())


# -- git runs nothing of the town's, and never waits without end ---------------------------

def test_hooks_and_fsmonitor_never_run(network: Path, remote: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "ran"
    templates = tmp_path / "templates"
    for hook in ("post-checkout", "post-merge", "reference-transaction", "pre-auto-gc"):
        script = write(templates / "hooks" / hook, f"#!/bin/sh\necho {hook} >> '{marker}'\n")
        script.chmod(0o755)
    config = write(tmp_path / "gitconfig", f"[init]\n\ttemplateDir = {templates}\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    first = commit(remote, tree(remote, [news(remote)]))
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    assert not marker.exists(), marker.read_text()

    folder = network / "content/gamma"
    fsmonitor = write(tmp_path / "fsmonitor.sh", f"#!/bin/sh\necho fsmonitor >> '{marker}'\n")
    fsmonitor.chmod(0o755)
    subprocess.run(["git", "config", "core.fsmonitor", str(fsmonitor)], cwd=folder,
                   check=True)
    commit(remote, tree(remote, [news(remote), ("100644", blob(remote, b"more"), "more.md")]),
           first)
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    assert (folder / "more.md").is_file()
    assert not marker.exists(), marker.read_text()


def test_a_server_that_never_answers_is_given_up(network: Path, remote: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    import gardarika.network_ops

    monkeypatch.setattr(gardarika.network_ops, "GIT_TIMEOUT", 3)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    config = load_network(network)
    silent = {"url": f"git://127.0.0.1:{server.getsockname()[1]}/gamma.git",
              "branch": "main"}
    config.sites["gamma"] = dataclasses.replace(config.sites["gamma"], repository=silent)
    result: list[tuple[bool, str]] = []
    worker = threading.Thread(target=lambda: result.append(pull(config, "gamma")),
                              daemon=True)
    try:
        worker.start()
        worker.join(60)
        assert not worker.is_alive(), "pull waited for the server without end"
    finally:
        server.close()
    ok, message = result[0]
    assert not ok and "3 s" in message, message
    assert left_behind(network) == []
