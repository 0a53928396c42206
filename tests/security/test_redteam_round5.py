"""Red-team round 5: pages written and rewritten on two cores (gardarika.build.splitwrite,
the split pass of offline_output, pictures made from both ends).

Every attack compares a build with a helper (``jobs=2``: one run, one idle core) with
the same project built by one process alone (``jobs=1``): helpers may make a build
faster, never different. The thresholds are lowered so that a small town splits (the
builds fork from this process, so they see the monkeypatches)."""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from pathlib import Path
from typing import Any

import offline_output
import pytest

from benchmarks.longform import TOWN, generate_longform
from gardarika.build import splitwrite
from gardarika.build.builder import Builder
from gardarika.build.prefetch import say


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def small_splits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(splitwrite, "SMALLEST_RUN", 2)
    monkeypatch.setattr(offline_output, "SMALLEST_SPLIT", 2)


def _project(where: Path) -> Path:
    return generate_longform(where, articles=12, sizes_kb=(8, 20), large=0, pictures=3)


def _build(project: Path, jobs: int, **kwargs: Any) -> tuple[Any, list[str], Builder]:
    lines: list[str] = []
    builder = Builder(project, jobs=jobs, echo=lines.append, check=False, **kwargs)
    report = builder.build()
    return report, lines, builder


def _problems(lines: list[str]) -> list[str]:
    """The problems a build printed (its timing lines left out)."""
    return [
        line
        for line in lines
        if ("warning:" in line or "error:" in line) and not line.startswith("  ")
    ]


def _both(
    tmp_path: Path, change
) -> tuple[tuple[Any, list[str], Path], tuple[Any, list[str], Path]]:
    """The same project (changed by ``change``) built alone and with a helper."""
    results = []
    for jobs in (1, 2):
        project = _project(tmp_path / f"jobs{jobs}")
        change(project)
        report, lines, builder = _build(project, jobs)
        assert builder.helpers == jobs - 1
        results.append((report, lines, project))
    return results[0], results[1]


# -- 1. a town with base_url (feeds) --------------------------------------------------


def _with_base_url(project: Path) -> None:
    (project / "sites" / f"{TOWN}.yaml").write_text(
        "name:\n  ru: Долгоречье\nlanguages: [ru]\nbase_url: https://dolgorechye.example.org\n",
        encoding="utf-8",
    )


def test_a_town_with_feeds_builds_with_a_helper(small_splits, tmp_path: Path) -> None:
    """Attack: an ordinary town that sets ``base_url`` (so Pelican writes its Atom
    feeds), built on two cores.

    What happened: the feeds are written by the run *before* the first page, so they
    are in ``Splitter.opened`` when the helper is forked; the helper inherits that list
    and hands the feeds back as if it had opened them too. ``_settle`` then sees
    ``feeds/all.atom.xml`` (and every category feed) "written by both" without
    ``override`` and raises ``FileOverwriteFailedError``: the town FAILS ("Failed to
    overwrite .../feeds/all.atom.xml as Pelican has already written to it"), with 19
    pages instead of 38. Built alone, it is fine.

    Expected: the same output and page count as the build without a helper (the helper
    should hand back only what it opened after the fork).

    Severity: high - every town with a base_url and at least SMALLEST_RUN texts fails to
    build on a machine with an idle core."""
    (alone, alone_lines, p1), (split, split_lines, p2) = _both(tmp_path, _with_base_url)
    assert alone.ok, "\n".join(alone_lines)
    assert split.ok, "\n".join(split_lines)
    assert split.pages == alone.pages
    assert _tree(p2 / "output") == _tree(p1 / "output")


# -- 2. a warning said in both processes ------------------------------------------------


def _attach_in_first_paragraph(project: Path) -> None:
    articles = sorted((project / "content" / TOWN / "articles").glob("*.md"))
    article = articles[0]
    folder = article.parent / "att"
    folder.mkdir()
    shutil.copy(project / "content" / TOWN / "images" / "archive-0.jpg", folder / "pic.jpg")
    head, _, body = article.read_text(encoding="utf-8").partition("\n\n")
    article.unlink()
    (folder / article.name).write_text(
        head + "\n\n![Фото]({attach}pic.jpg)\n\n" + body, encoding="utf-8"
    )


def test_a_warning_said_by_the_run_and_the_helper_does_not_fail_the_town(
    small_splits, tmp_path: Path
) -> None:
    """Attack: one article whose first paragraph shows a picture linked with
    ``{attach}`` (an ordinary editor's text; Pelican warns at render time that the
    picture cannot be relocated, since its location was already referenced).

    What happened: the summary (first paragraph) is rendered on the listings by the
    run, the article's page by the helper; both log the same warning. The run replays
    the helper's records with ``logger.handle(record)`` (prefetch.say), and Pelican's
    loggers are ``FatalLogger``s whose LimitFilter *raises* ``FilteredMessage`` for a
    message already said (Pelican's own ``_log`` catches it; ``handle`` does not). The
    exception escapes from ``page_writer_finalized``: the town FAILS with "this file
    could not be read: FilteredMessage", half its pages unwritten. Built alone it is
    fine (the repeated warning is silently dropped). The same happens when the two
    processes together pass Pelican's limit of 5 warnings of a group (``limit_msg``).

    Expected: the same outcome, output and warnings as the build without a helper.
    ``say`` should go through the logger's filters without letting FilteredMessage out
    (e.g. ``if logger.filter(record)`` in try/except FilteredMessage, then
    ``callHandlers``).

    Severity: high - a single {attach} picture fails a town on any machine with an
    idle core; the pass over the pages (offline_output) replays through the same
    ``say``."""
    (alone, alone_lines, p1), (split, split_lines, p2) = _both(tmp_path, _attach_in_first_paragraph)
    assert alone.ok, "\n".join(alone_lines)
    assert split.ok, "\n".join(split_lines)
    assert not any("FilteredMessage" in line for line in split_lines)
    assert split.pages == alone.pages
    assert sorted(_problems(split_lines)) == sorted(_problems(alone_lines))
    assert _tree(p2 / "output") == _tree(p1 / "output")


def test_replaying_a_helpers_repeated_warning_does_not_raise() -> None:
    """Attack (unit): what a helper logged is said again by the run (``prefetch.say``)
    after the run said the same warning itself.

    What happened: ``say`` raises ``pelican.log.FilteredMessage`` (Pelican's
    ``FatalLogger.filter`` raises for a filtered record; only ``Logger._log`` catches
    it). Everything that replays a helper's log (splitwrite's join, offline_output's
    split pass) fails the run on a repeated warning.

    Expected: the repeated record is dropped as Pelican drops it, nothing raised.

    Severity: high (the cause of the test above)."""
    import pelican.log  # noqa: F401  (installs Pelican's logger class, as in a run)

    logger = logging.getLogger("pelican.contents")
    message = f"red-team round 5: said twice {time.time()}"
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep(level=logging.WARNING)
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers[:] = [keep]
    try:
        logger.warning(message)  # said by the run
        helper_record = logging.LogRecord(
            "pelican.contents", logging.WARNING, __file__, 1, message, None, None
        )
        say([helper_record])  # the helper said it too
    finally:
        root.handlers[:] = saved
    assert [r.getMessage() for r in records] == [message]


# -- 3. what a run stopped at its time limit leaves ------------------------------------


def test_a_run_stopped_while_waiting_for_its_page_writer_leaves_nothing(
    small_splits, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attack: the town's run is stopped at its time limit while it waits for its page
    writer (a slow or stuck helper), then the town is built again.

    What happened: the run's ``.splitwrite-*`` result file (made with mkstemp in the
    run's CACHE_PATH before the fork) is never removed: the run is killed, and the
    builder's ``tidy()`` only clears the stage, jinja and image temporaries, so every
    such build adds a file to ``.cache/pelican/<town>/<lang>/`` for good (the same for
    ``.helper-*`` of the split pass and ``.prefetch-*``).

    Expected: the next build (which tidies what a killed build left) leaves no
    ``.splitwrite-*``/``.helper-*`` file in the cache.

    Severity: low (a small file per killed build; no wrong output)."""

    def stuck(self) -> None:
        time.sleep(600)

    monkeypatch.setattr(splitwrite.Splitter, "_hand_back", stuck)
    project = _project(tmp_path / "p")
    report, lines, builder = _build(project, 2, time_limit=6)
    assert builder.helpers == 1
    assert not report.ok  # stopped at its time limit
    monkeypatch.setattr(splitwrite.Splitter, "_hand_back", lambda self: None)
    monkeypatch.setattr(splitwrite, "SMALLEST_RUN", 10_000)  # no helper this time
    report, lines, _ = _build(project, 2)
    assert report.ok, "\n".join(lines)
    left = [
        p.relative_to(project).as_posix()
        for pattern in (".splitwrite-*", ".helper-*")
        for p in (project / ".cache").rglob(pattern)
    ]
    assert not left, left


# -- 4. the stemmer the index is made with ----------------------------------------------


def test_the_declared_pystemmer_stems_as_the_browser_does() -> None:
    """Attack: install the project with the oldest PyStemmer its dependencies allow
    (``PyStemmer>=2.2``, e.g. a pinned or cached 2.2.0.3 wheel).

    What happened: snowballstemmer hands every word to PyStemmer when it is
    installed; PyStemmer 2.2 is Snowball 2.2, whose English stemmer differs from
    Snowball 3 (snowballstemmer>=3.0 and themes/gardarika/static/js/stemmer.js, which
    stems the reader's query): with the 2.2.0.3 wheel, 40 of 10 272 words of this
    repository's texts and the Snowball sample stem differently, e.g. "added" -> "ad"
    (official and browser: "add"), "erred" -> "er", "emergency" -> "emerg" (vs
    "emergenc"). The index then holds stems no query produces: English searches for
    those words find nothing. (Russian is the same in both.)

    Expected: the dependency asks for a PyStemmer of the same Snowball generation as
    snowballstemmer>=3.0 (PyStemmer>=3.0), or the index checks that the stemmer in use
    gives the official stems.

    Severity: medium-low (English search only, only with an old PyStemmer)."""
    import re
    import tomllib

    from projects import REPO

    deps = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    [spec] = [d for d in deps if d.lower().startswith("pystemmer")]
    floor = re.search(r">=\s*([0-9]+)", spec)
    assert floor is not None and int(floor.group(1)) >= 3, spec
