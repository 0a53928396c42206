"""Reading a town's texts on more than one core (``gardarika.build.prefetch``): helpers may
make a build faster, never different, and a helper that fails costs only time."""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from pathlib import Path

import pytest

from benchmarks.longform import generate_longform
from gardarika.build import prefetch
from gardarika.build.builder import Builder
from gardarika.build.prefetch import shares


def test_shares_split_by_size() -> None:
    assert shares([10] * 10, 1) == [0]
    assert shares([10] * 10, 2) == [0, 5]
    assert shares([10] * 10, 3) == [0, 4, 7]
    assert shares([100, 1, 1, 1, 1], 2) == [0, 1]  # one large text is the run's alone
    assert shares([], 2) == [0]
    own = shares([1] * 1000, 2, own=0.5)[1]
    assert 320 <= own <= 345, own  # a third for the run, two thirds for the helper


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A long-form town (about 700 KB of Markdown) built by one process alone."""
    project = generate_longform(
        tmp_path_factory.mktemp("alone"), articles=8, sizes_kb=(70, 100), large=0, pictures=1
    )
    report = Builder(project, jobs=1, echo=lambda line: None, check=False).build()
    assert report.ok
    return project, _tree(project / "output")


def _with_helpers(where: Path) -> tuple[Path, list[str]]:
    project = generate_longform(where, articles=8, sizes_kb=(70, 100), large=0, pictures=1)
    lines: list[str] = []
    builder = Builder(project, jobs=2, echo=lines.append, check=False)
    report = builder.build()
    assert report.ok, "\n".join(lines)
    assert builder.helpers == 1  # one run, two cores: one helper
    return project, lines


def test_a_build_with_a_helper_writes_the_same_output(
    alone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_share = prefetch._read_share

    def noting(generator, content_class, files, result, parent, *meeting) -> None:  # helper
        read_share(generator, content_class, files, result, parent, *meeting)
        with open(result, "rb") as handed:
            cached, _ = pickle.load(handed)
        # (a run may write only into its own folders: the mark goes beside its result)
        with (Path(result).parent / "helped").open("a", encoding="utf-8") as note:
            note.write(f"{len(cached)}\n")

    monkeypatch.setattr(prefetch, "_read_share", noting)
    project, _ = _with_helpers(tmp_path / "p")
    # the helper ran and handed its share back (how many texts it read before the run
    # met it depends on the machine's load: none on a busy machine; where they meet is
    # tested on its own below)
    [marks] = list((project / ".cache").rglob("helped"))
    assert int(marks.read_text().split()[0]) >= 0
    assert _tree(project / "output") == alone[1]
    assert not list((project / ".cache").rglob(".prefetch-*"))  # results cleaned up


def test_the_run_and_the_helper_meet_where_they_do() -> None:
    """The run claims texts from the first on, the helper from the last back; once one
    has a text, the other does not start it, and the run knows when it has reached the
    helper's texts."""
    meeting = prefetch._Meeting(10)
    assert meeting.helper_claims(9) and meeting.helper_claims(8)
    assert not meeting.run_reaches(0) and not meeting.run_reaches(7)
    assert not meeting.helper_claims(7)  # the run's now
    assert meeting.run_reaches(8)  # the helper's: take what it read
    late = prefetch._Meeting(10)
    assert late.helper_claims(9)
    late.stop()
    assert not late.helper_claims(8)  # asked to stop: ends after its text


def test_a_slow_run_leaves_more_texts_to_its_helper(
    alone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shares are not fixed: when the run is slower than the helper (here by 0.4 s
    a text), the helper reads on past the middle until the two meet."""
    read_share = prefetch._read_share
    preread = prefetch.Prefetcher.preread

    def noting(generator, content_class, files, result, parent, *meeting) -> None:  # helper
        read_share(generator, content_class, files, result, parent, *meeting)
        with open(result, "rb") as handed:
            cached, _ = pickle.load(handed)
        with (Path(result).parent / "helped").open("a", encoding="utf-8") as note:
            note.write(f"{len(cached)} {len(files)}\n")

    def slowly(self, *args) -> None:  # in the run only
        preread(self, *args)
        time.sleep(0.4)

    monkeypatch.setattr(prefetch, "_read_share", noting)
    monkeypatch.setattr(prefetch.Prefetcher, "preread", slowly)
    project, _ = _with_helpers(tmp_path / "p")
    [marks] = list((project / ".cache").rglob("helped"))
    read, texts = map(int, marks.read_text().split()[:2])
    assert read >= texts * 3 // 4, (read, texts)
    assert _tree(project / "output") == alone[1]


def test_helpers_that_cannot_start_cost_nothing(
    alone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No fork (a process limit, no memory): the run reads every text itself; nothing
    escapes into Pelican's reading of the text, which would fail it."""

    def no_fork(self, *args) -> None:
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(prefetch.Prefetcher, "_start", no_fork)
    project, lines = _with_helpers(tmp_path / "p")
    assert _tree(project / "output") == alone[1]
    assert not any("could not be read" in line for line in lines)


@pytest.mark.parametrize("failure", ["crash", "hang", "garbage"])
def test_a_failing_helper_costs_only_time(
    alone, tmp_path: Path, failure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(generator, content_class, files, result, parent, *meeting) -> None:
        if failure == "crash":
            os._exit(3)
        if failure == "hang":
            import time

            time.sleep(600)
        Path(result).write_bytes(b"not a pickle")

    monkeypatch.setattr(prefetch, "_read_share", failing)
    monkeypatch.setattr(prefetch, "PATIENCE_SECONDS", 2.0)
    project, _ = _with_helpers(tmp_path / "p")
    assert _tree(project / "output") == alone[1]
    assert not list((project / ".cache").rglob(".prefetch-*"))


def test_the_warm_up_before_forking_loads_markdowns_extensions_once() -> None:
    """The run does Markdown's first-time work (extensions, their patterns, the emoji
    table) before it forks its reading helpers; odd settings only skip it."""
    from gardarika.build.prefetch import warm_up
    from gardarika.content import markdown as md_config

    md_config._emoji_index.cache_clear()
    warm_up({"MARKDOWN": md_config.markdown_settings()})
    assert md_config._emoji_index.cache_info().currsize == 1
    warm_up({"MARKDOWN": {"extensions": ["no.such.extension"]}})
    warm_up({})
