"""A build killed at any moment never leaves a town's published folder half-written.

The main test kills real builds (``python -m gardarika build`` in their own process
group, workers included) with SIGKILL after seeded random delays spread over a build's
duration, and checks that each ``output/<town>/`` is then byte for byte either the
previous successful build or the complete new one, and that the next build finishes
the work. The others check the pieces: damaged caches, leftovers of the two-rename swap
used where ``renameat2`` is missing, the order in which a town's state is recorded.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from projects import REPO, write

from gardarika.fs import files as fsutil
from gardarika.fs.files import recover_leftovers, replace_dir, write_file_atomic

SEED = 20240510
KILLS = 20
FILES = 150
TOWNS = ("alpha", "beta")


def tree(folder: Path) -> dict[str, str]:
    """sha256 of every file below ``folder`` (hidden ones included), by relative path."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def snapshot(output: Path) -> dict[str, dict[str, str]]:
    """Each town's tree, and the portal's (``index.html`` and ``theme/``)."""
    shot = {town: tree(output / town) for town in TOWNS if (output / town).is_dir()}
    shot["portal"] = {
        **{"index.html": tree(output).get("index.html", "")},
        **tree(output / "theme"),
    }
    return shot


def set_version(root: Path, version: str) -> None:
    """Change an article of each town (and a page of alpha): content version ``version``."""
    write(
        root / "content" / "alpha" / "articles" / "fair.md",
        f"""
        Title: Ярмарка ремёсел
        Date: 2024-05-05 10:00
        Category: Новости
        Tags: ярмарка, ремёсла

        На ярмарке ![Гончар]({{static}}/images/potter.png), версия {version}.
    """,
    )
    write(
        root / "content" / "alpha" / "pages" / "about.en.md",
        f"""
        Title: About the town

        About the town, version {version}.
    """,
    )
    write(
        root / "content" / "beta" / "news-0.md",
        f"""
        Title: Новость {version}
        Date: 2024-01-10

        Текст новости, версия {version}.
    """,
    )


def add_files(root: Path, count: int = FILES) -> None:
    """Files to copy and compare, so that a town's output is more than a few pages and
    putting it in place takes a while, as in a real town."""
    for town in TOWNS:
        for number in range(count):
            path = root / "content" / town / "files" / f"leaflet-{number}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"{town} {number}\n".encode() * 400)


def start_build(root: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "gardarika", "--root", str(root), "build", "--jobs", "2"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # its own process group: the forked workers go with it


def started(root: Path, process: subprocess.Popen[bytes]) -> None:
    """Wait until ``process`` holds the project's lock (it writes its pid into the lock
    file): what it does before, starting Python and importing Pelican, writes nothing."""
    lock = root / ".cache" / "build.lock"
    while process.poll() is None:
        try:
            if lock.read_text().split()[:1] == [str(process.pid)]:
                return
        except (OSError, IndexError):
            pass
        time.sleep(0.002)


def build(root: Path) -> float:
    """A normal build, which must succeed; returns how long it took from taking the lock
    to the end."""
    process = start_build(root)
    started(root, process)
    start = time.monotonic()
    assert process.wait(timeout=120) == 0
    return time.monotonic() - start


def leftovers(root: Path) -> list[str]:
    """Temporary things a build leaves only when it is killed."""
    found = [p.name for p in (root / "output").iterdir() if p.name.startswith(".")]
    stage = root / ".cache" / "stage"
    found += [p.name for p in stage.iterdir()] if stage.is_dir() else []
    found += [p.name for p in (root / ".cache").rglob("*") if ".tmp" in p.name]
    return found


@pytest.mark.long
def test_killed_builds_leave_each_town_old_or_new(network: Path, build_network) -> None:
    add_files(network)
    references: dict[str, dict[str, dict[str, str]]] = {}
    for version in ("A", "B"):
        set_version(network, version)
        duration = build(network)  # the second: a build of changed content, as killed
        references[version] = snapshot(network / "output")
    assert references["A"]["alpha"] != references["B"]["alpha"]
    assert references["A"]["beta"] != references["B"]["beta"]

    rng = random.Random(SEED)
    published = "B"
    outcomes = {"old": 0, "new": 0}
    for attempt in range(KILLS):
        new = "A" if published == "B" else "B"
        set_version(network, new)
        delay = rng.uniform(0, duration)
        process = start_build(network)
        started(network, process)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

        state = snapshot(network / "output")
        where = f"kill {attempt + 1} after {delay:.2f} s of {duration:.2f} s"
        for part, files in state.items():
            old, complete = references[published][part], references[new][part]
            assert files in (old, complete), f"{where}: {part} is neither version"
            outcomes["old" if files == old and old != complete else "new"] += 1

        # the next build (in this process, sparing a Python start) finishes the work:
        # the new version everywhere, nothing left over
        report = build_network(network)
        assert report.ok, f"{where}\n{report.log}"
        assert snapshot(network / "output") == references[new], where
        assert leftovers(network) == [], where
        published = new
    print(f"after the kills: {outcomes}")


def test_damaged_caches_are_rebuilt_not_trusted(network: Path, build_network) -> None:
    assert build_network(network).ok
    expected = snapshot(network / "output")
    cache = network / ".cache"
    damaged = []
    for path in sorted(cache.rglob("*")):
        if not path.is_file() or path.name == "build.lock":
            continue
        data = path.read_bytes()
        if path.suffix == ".json" and path.parent.parent.name != "images":
            # cut short, or whole but of another shape than the reader expects
            path.write_bytes(data[: len(data) // 2] if len(damaged) % 2 else b'["odd", 1]')
        else:
            path.write_bytes(data[: len(data) // 2])  # pickles, gzip, bytecode, pictures
        damaged.append(path.relative_to(cache).as_posix())
    kinds = {name.split("/")[0] for name in damaged}
    assert {"pelican", "jinja", "images", "state.json", "weights.json"} <= kinds, kinds
    assert any(name.endswith("-Readers") for name in damaged)
    assert any(name.endswith("typography.json") for name in damaged)
    assert any(name.endswith("search-stems.json") for name in damaged)

    report = build_network(network)
    assert report.ok, report.log
    # state.json was damaged, so no town counts as up to date: both are built again
    assert sorted(report.built) == ["alpha", "beta"], report.log
    assert snapshot(network / "output") == expected
    # and the caches written by that build are whole again: the next one uses them
    (network / "content" / "beta" / "news-1.md").touch()
    report = build_network(network)
    assert report.ok and report.built == ["beta"], report.log
    assert snapshot(network / "output") == expected


def test_a_town_whose_swap_was_cut_short_is_put_back(network: Path, build_network) -> None:
    """Without renameat2 a town is swapped with two renames; a kill between them leaves
    no output/<town>/, only .<town>.old-<id>/ holding the previous output."""
    assert build_network(network).ok
    output = network / "output"
    before = tree(output / "alpha")
    os.rename(output / "alpha", output / ".alpha.old-0123abcd")
    (output / ".beta.old-89abcdef").mkdir()  # beta's swap had completed
    (output / ".index.html.tmp-00ff00ff").write_text("half")

    report = build_network(network)
    assert report.ok, report.log
    assert "output/alpha/ was put back" in report.log
    assert sorted(report.skipped) == ["alpha", "beta"]  # nothing changed: none rebuilt
    assert tree(output / "alpha") == before
    assert sorted(p.name for p in output.iterdir() if p.name.startswith(".")) == []


def test_two_rename_swap_and_its_recovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fsutil, "_renameat2_exchange", lambda a, b: False)
    target, new = tmp_path / "out" / "town", tmp_path / "stage" / "site"
    write(target / "index.html", "old")
    write(new / "index.html", "new")
    replace_dir(new, target)
    assert (target / "index.html").read_text() == "new" and not new.exists()
    assert [p.name for p in target.parent.iterdir()] == ["town"]

    # killed between the two renames: the old folder comes back, odd names stay alone
    os.rename(target, target.with_name(".town.old-deadbeef"))
    (target.parent / ".notes").mkdir()
    assert recover_leftovers(target.parent) == ["town"]
    assert (target / "index.html").read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == [".notes", "town"]


def test_swap_across_file_systems_never_shows_a_partial_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A staging folder on another file system is copied beside the target first, then
    renamed: a copy made in place would be visible half-done."""
    target, new = tmp_path / "out" / "town", tmp_path / "stage" / "site"
    write(new / "a" / "page.html", "new")
    target.parent.mkdir()
    real_device = fsutil._device
    monkeypatch.setattr(fsutil, "_device", lambda path: real_device(path) + (path == new))

    copies: list[str] = []
    real_copytree = shutil.copytree

    def spy(src: Path, dst: Path, *args: object, **kwargs: object) -> object:
        copies.append(Path(dst).name)  # the folder copied, then its sub-folders
        return real_copytree(src, dst, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fsutil.shutil, "copytree", spy)
    replace_dir(new, target)
    assert copies[0].startswith(".town.new-")
    assert (target / "a" / "page.html").read_text() == "new" and not new.exists()
    assert [p.name for p in target.parent.iterdir()] == ["town"]


def test_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    write_file_atomic(target, b"{}")
    write_file_atomic(target, b'{"a": "b"}')
    assert target.read_bytes() == b'{"a": "b"}'
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def shows(folder: Path, text: str) -> bool:
    return any(text in page.read_text(encoding="utf-8") for page in folder.rglob("*.html"))


class Killed(BaseException):
    """Stands for SIGKILL at one exact moment of an in-process build."""


def test_state_is_recorded_only_after_the_new_output_is_in_place(
    network: Path, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after staging but before the swap: the next build must not take the
    towns for up to date (their output is the old one) but build them again."""
    from gardarika.build import builder as build_module

    assert build_network(network).ok
    set_version(network, "Zeta")

    def killed(new: Path, target: Path) -> None:
        raise Killed

    monkeypatch.setattr(build_module, "replace_dir", killed)
    with pytest.raises(Killed):
        build_network(network)
    monkeypatch.undo()
    assert not shows(network / "output" / "alpha", "Zeta")
    assert not shows(network / "output" / "beta", "Zeta")

    report = build_network(network)
    assert report.ok, report.log
    assert sorted(report.built) == ["alpha", "beta"], report.log
    assert shows(network / "output" / "alpha", "Zeta")
    assert shows(network / "output" / "beta", "Zeta")


def test_a_template_cache_that_cannot_be_written_is_only_lost(tmp_path: Path) -> None:
    import jinja2

    from gardarika.build.pelican_cache import SafeBytecodeCache

    missing = tmp_path / "no-such-folder"  # as on a full disk: writing fails
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"t.html": "{{ 1 + 1 }}"}),
        bytecode_cache=SafeBytecodeCache(str(missing)),
    )
    assert env.get_template("t.html").render() == "2"
    assert not missing.exists()
