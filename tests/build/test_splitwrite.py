"""Writing and rewriting a town's pages on two cores (``gardarika.build.splitwrite``, the
split pass of ``offline_output``, pictures made from both ends): helpers may make a
build faster, never different, and a helper that fails costs only time."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import offline_output
import pytest
from pelican.writers import FileOverwriteFailedError, Writer

from benchmarks.longform import generate_longform
from gardarika.build import splitwrite
from gardarika.build.builder import Builder
from gardarika.build.prefetch import Handing


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _project(where: Path) -> Path:
    return generate_longform(where, articles=12, sizes_kb=(8, 20), large=0, pictures=3)


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], int]:
    """The town built by one process alone: its output and its page count."""
    project = _project(tmp_path_factory.mktemp("alone"))
    report = Builder(project, jobs=1, echo=lambda line: None, check=False).build()
    assert report.ok
    return _tree(project / "output"), report.pages


@pytest.fixture
def small_splits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split even this small town (the builds fork from this process: they see it)."""
    monkeypatch.setattr(splitwrite, "SMALLEST_RUN", 2)
    monkeypatch.setattr(offline_output, "SMALLEST_SPLIT", 2)


def _split_build(where: Path) -> tuple[Path, Any, list[str]]:
    project = _project(where)
    lines: list[str] = []
    builder = Builder(project, jobs=2, echo=lines.append, check=False)
    report = builder.build()
    assert builder.helpers == 1  # one run, two cores: one helper
    return project, report, lines


def _leftovers(project: Path) -> list[Path]:
    return [
        p
        for pattern in (".splitwrite-*", ".helper-*", "*.rewritten")
        for p in (
            *project.joinpath(".cache").rglob(pattern),
            *project.joinpath("output").rglob(pattern),
        )
    ]


def test_a_split_build_writes_the_same_output(
    alone, small_splits, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hand_back = splitwrite.Splitter._hand_back
    run = offline_output._Pass.run

    def noting_writes(self) -> None:  # in the helper (a run writes only in its folders)
        with (Path(self.result).parent / "wrote").open("a", encoding="utf-8") as note:
            note.write(f"{len({n for n, _, _ in self.opened})}\n")
        hand_back(self)

    def noting_rewrites(self, pages, noted, aside=False):
        if aside:  # the helper's share
            with (Path(self.settings["CACHE_PATH"]) / "rewrote").open("a") as note:
                note.write(f"{len(pages)}\n")
        return run(self, pages, noted, aside)

    monkeypatch.setattr(splitwrite.Splitter, "_hand_back", noting_writes)
    monkeypatch.setattr(offline_output._Pass, "run", noting_rewrites)
    project, report, lines = _split_build(tmp_path / "p")
    assert report.ok, "\n".join(lines)
    [wrote] = list((project / ".cache").rglob("wrote"))
    [rewrote] = list((project / ".cache").rglob("rewrote"))
    assert int(wrote.read_text()) >= 10  # the helper rendered pages
    assert int(rewrote.read_text()) >= 10  # and rewrote pages
    assert _tree(project / "output") == alone[0]
    assert report.pages == alone[1]  # the helper's pages are counted
    assert not _leftovers(project)


@pytest.mark.parametrize(
    ("pages", "size", "shared"),
    [(10_000, 1, True), (10_000, 10**9, False), (2, 10**9, True)],
    ids=["few-long-pages", "small-town", "many-pages"],
)
def test_the_final_pass_is_shared_by_pages_or_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pages: int, size: int, shared: bool
) -> None:
    """A few long pages are worth a helper as much as many short ones; a town small in
    both is rewritten by its run alone (a helper would cost more than it saves)."""
    monkeypatch.setattr(offline_output, "SMALLEST_SPLIT", pages)
    monkeypatch.setattr(offline_output, "SMALLEST_SPLIT_BYTES", size)
    run = offline_output._Pass.run

    def noting_rewrites(self, pages, noted, aside=False):
        if aside:
            with (Path(self.settings["CACHE_PATH"]) / "rewrote").open("a") as note:
                note.write(f"{len(pages)}\n")
        return run(self, pages, noted, aside)

    monkeypatch.setattr(offline_output._Pass, "run", noting_rewrites)
    project, report, lines = _split_build(tmp_path / "p")
    assert report.ok, "\n".join(lines)
    assert bool(list((project / ".cache").rglob("rewrote"))) == shared


@pytest.mark.parametrize("failure", ["crash", "hang", "garbage"])
def test_a_failing_page_writer_costs_only_time(
    alone, small_splits, tmp_path: Path, failure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(self) -> None:
        if failure == "crash":
            os._exit(3)
        if failure == "hang":
            time.sleep(600)
        Path(self.result).write_bytes(b"not a pickle")
        os._exit(0)

    monkeypatch.setattr(splitwrite.Splitter, "_hand_back", failing)
    monkeypatch.setattr(splitwrite, "PATIENCE_SECONDS", 2.0)
    project, report, lines = _split_build(tmp_path / "p")
    assert report.ok, "\n".join(lines)
    assert _tree(project / "output") == alone[0]
    assert report.pages == alone[1]
    assert not _leftovers(project)


@pytest.mark.parametrize("failure", ["crash", "half-way", "garbage"])
def test_a_failing_page_rewriter_costs_only_time(
    alone, small_splits, tmp_path: Path, failure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = offline_output._Pass.run

    def failing(self, pages, noted, aside=False):
        if not aside:
            return run(self, pages, noted, aside)
        if failure == "crash":
            os._exit(3)
        if failure == "half-way":  # some pages written beside, then it dies
            run(self, pages[: len(pages) // 2], noted, aside)
            os._exit(3)
        return ["not", "what", "a", "helper", "hands", "back"]

    monkeypatch.setattr(offline_output._Pass, "run", failing)
    project, report, lines = _split_build(tmp_path / "p")
    assert report.ok, "\n".join(lines)
    assert _tree(project / "output") == alone[0]
    assert not _leftovers(project)


def test_pictures_made_from_both_ends_are_the_same(
    alone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helper makes the pictures from the last back; the run takes them from the
    cache it shares, and the output is the same."""
    project, report, lines = _split_build(tmp_path / "p")
    assert report.ok, "\n".join(lines)
    assert _tree(project / "output") == alone[0]


# -- the rule for a file written twice, over both shares ---------------------------


class _FakeWriter:
    def __init__(self) -> None:
        self._written_files: set[str] = set()
        self._overridden_files: set[str] = set()


def _splitter(calls: int) -> tuple[splitwrite.Splitter, list[int]]:
    splitter = splitwrite.Splitter(helpers=1)
    splitter.writer = _FakeWriter()
    splitter.context = {"GARDARIKA": {}}
    splitter.calls = [splitwrite._Call("write_file", (f"call-{n}",), {}) for n in range(calls)]
    return splitter, []


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls the run renders again (Pelican's writer replaced by a note)."""
    again: list[str] = []

    def write_file(writer, name, *args, **kwargs) -> None:
        again.append(name)

    monkeypatch.setattr(Writer, "write_file", write_file)
    return again


def test_a_file_written_by_both_without_override_fails_as_in_pelican(rendered) -> None:
    splitter, _ = _splitter(4)
    splitter.opened = [(0, "out/a.html", False), (2, "out/same.html", False)]
    with pytest.raises(FileOverwriteFailedError, match=r"same\.html"):
        splitter._settle([(1, "out/b.html", False), (3, "out/same.html", False)])


def test_an_override_wins_whichever_share_wrote_it(rendered) -> None:
    """A page saved over the index (``override``) is the one kept, as in Pelican: the
    run renders that call again, so the file is its page whoever wrote last."""
    splitter, _ = _splitter(4)
    splitter.opened = [(0, "out/index.html", False)]
    splitter._settle([(1, "out/index.html", True), (3, "out/other.html", False)])
    assert rendered == ["call-1"]
    assert splitter.writer._overridden_files == {"out/index.html"}
    assert splitter.writer._written_files == {"out/index.html", "out/other.html"}


def test_two_overrides_of_one_file_fail_as_in_pelican(rendered) -> None:
    splitter, _ = _splitter(4)
    splitter.opened = [(2, "out/index.html", True)]
    with pytest.raises(FileOverwriteFailedError, match="second time"):
        splitter._settle([(1, "out/index.html", True)])


def test_the_helpers_pages_are_counted_but_not_checked_again(
    rendered, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pelican import signals

    told: list[tuple[str, Any]] = []

    def listen(path: str, context: Any = None) -> None:
        told.append((path, context))

    signals.content_written.connect(listen)
    try:
        splitter, _ = _splitter(4)
        splitter.context = {"GARDARIKA": {"output_budget": 10}}
        splitter.opened = [(0, "out/a.html", False)]
        splitter._settle([(1, "out/b.html", False), (1, "out/b2.html", False)])
    finally:
        signals.content_written.disconnect(listen)
    assert [path for path, _ in told] == ["out/b.html", "out/b2.html"]
    context = told[0][1]
    assert context["GARDARIKA"] == {"output_budget": 10}  # the budget counts them
    assert context[splitwrite.WRITTEN_BY_HELPER] is True
    assert rendered == []  # no file of both: nothing rendered again


def test_a_helper_hands_back_its_result_and_what_it_logged(tmp_path: Path) -> None:
    def work() -> int:
        logging.getLogger("gardarika.test").warning("seen in the helper %s", SimpleNamespace())
        return 42

    value, records = Handing(work, str(tmp_path)).result()
    assert value == 42
    [record] = records
    assert record.getMessage().startswith("seen in the helper namespace")
    assert not list(tmp_path.iterdir())  # its file is gone


def test_a_build_still_running_when_its_towns_checks_fail_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A town whose checks fail is not published: a build of it already running beside
    the checks (one that would take minutes, like a hostile town's) is stopped at once
    instead of holding a core, and nothing of it is published."""
    from gardarika.build import builder as build_module

    project = _project(tmp_path / "p")
    broken = sorted((project / "content").glob("*/articles/*.md"))[0]
    broken.write_text(broken.read_text(encoding="utf-8") + "\n[x]({filename}nowhere.md)\n")
    run_job = build_module.Builder._run_job

    def slow(self, network, job):  # in the build's process
        time.sleep(120)
        return run_job(self, network, job)

    monkeypatch.setattr(build_module.Builder, "_run_job", slow)
    lines: list[str] = []
    start = time.monotonic()
    report = Builder(project, jobs=2, echo=lines.append, check=False).build()
    assert time.monotonic() - start < 60, "\n".join(lines)
    assert not report.ok and not report.built
    assert any("not built, its content has errors" in line for line in lines)
    assert not (project / "output" / "dolgorechye").exists()


def test_the_theme_templates_are_compiled_once_before_the_helper_is_forked(
    tmp_path: Path,
) -> None:
    """The run compiles every template of the theme before it forks its page writer
    (so the two share them); a template with an error is left to be reported where it
    is used; Pelican's own templates (``!simple/…``) and the portal's are not
    compiled."""
    from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader, PrefixLoader

    (tmp_path / "base.html").write_text("<p>{% block x %}{% endblock %}</p>", encoding="utf-8")
    (tmp_path / "article.html").write_text(
        '{% extends "base.html" %}{% block x %}{{ 1 + 1 }}{% endblock %}', encoding="utf-8"
    )
    (tmp_path / "broken.html").write_text("{% if %}", encoding="utf-8")
    (tmp_path / "portal.html").write_text("{{ 1 }}", encoding="utf-8")
    environment = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(str(tmp_path)),
                PrefixLoader({"!simple": DictLoader({"index.html": "{% if %}"})}, "/"),
            ]
        ),
        cache_size=100,
    )
    compiled: list[str] = []
    loader = environment.loader
    assert loader is not None
    original = loader.load

    def loading(env: Any, name: str, globals: Any = None) -> Any:
        compiled.append(name)
        return original(env, name, globals)

    loader.load = loading  # type: ignore[method-assign]
    splitwrite.compile_templates(environment.get_template("article.html"))
    assert {"base.html", "broken.html"} <= set(compiled)
    assert not any(name.startswith("!") or name == "portal.html" for name in compiled)
    compiled.clear()
    # the run's (and the forked helper's) renders find them compiled
    assert environment.get_template("article.html").render() == "<p>2</p>"
    assert compiled == []
    splitwrite.compile_templates(object())  # no environment: nothing to do
