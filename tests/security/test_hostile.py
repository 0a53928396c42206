"""A hostile town beside the demo towns: the red team's corpus (``tests/data/hostile``).

The corpus is one town's content written to get past the security model, with a
manifest of what a safe system must do with each file (``expected.tsv``: what the
editors' checks say, what a build with the checks switched off does). Three runs:

* the whole hostile town beside the three demo towns in one ``invoke build``, as a
  maintainer would run it: no traceback, the demo towns and the portal published, every
  file that must be refused named in an error, peak memory of the whole run under
  1.5 GB, nothing in the output that can run script;
* the files that must build cleaned, as a town of their own: it builds, and a real
  Chromium opening every page from disk sees no script run and makes no request;
* every file that must be refused, alone, with the editors' checks switched off: the
  build itself refuses it, naming it, and publishes nothing that can run script.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from projects import REPO, write

import gardarika.build.builder
from gardarika.checks.output import check_output

HOSTILE = REPO / "tests" / "data" / "hostile"
DEMO_TOWNS = ("vyborg", "staraya-ladoga", "kargopol")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
PLAIN = "Title: Обычная статья\nDate: 2024-03-01 10:00\n\nОбычный текст.\n"


def manifest(name: str) -> list[dict[str, str]]:
    with open(HOSTILE / name, encoding="utf-8", newline="") as table:
        return [
            row
            for row in csv.DictReader(table, delimiter="\t")
            if row.get("path") or row.get("file")
        ]


ROWS = manifest("expected.tsv")
LINK_ROWS = manifest("expected-links.tsv")


def _project(root: Path, with_demo: bool) -> Path:
    (root / "sites").mkdir(parents=True)
    (root / "content").mkdir()
    (root / "themes").symlink_to(REPO / "themes")
    (root / "plugins").symlink_to(REPO / "plugins")
    if with_demo:
        for town in DEMO_TOWNS:
            shutil.copy(REPO / "sites" / f"{town}.yaml", root / "sites")
            shutil.copytree(REPO / "content" / town, root / "content" / town)
        shutil.copy(REPO / "sites" / "network.yaml", root / "sites")
    shutil.copy(HOSTILE / "sites" / "hostile.yaml", root / "sites")
    return root


def _session_rss(session: int) -> int:
    """Bytes of memory in use by every process of a session (a build and its workers)."""
    total = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:
            total += int(fields[21]) * PAGE_SIZE
    return total


def _run_measured(
    command: list[str], cwd: Path, timeout: float
) -> tuple[subprocess.CompletedProcess[str], int, float]:
    """Run ``command`` in a session of its own; return it, its peak memory (all its
    processes together, sampled) and its seconds."""
    start = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _session_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        output, _ = process.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
        if process.poll() is None:
            os.killpg(process.pid, 9)
    return (
        subprocess.CompletedProcess(command, process.returncode, output, ""),
        peak,
        time.monotonic() - start,
    )


@pytest.fixture(scope="module")
def beside_the_demo(tmp_path_factory: pytest.TempPathFactory):
    root = _project(tmp_path_factory.mktemp("hostile") / "net", with_demo=True)
    town = root / "content" / "hostile"
    shutil.copytree(HOSTILE / "content", town, symlinks=True)
    subprocess.run(
        ["sh", str(HOSTILE / "make-links.sh"), str(town)], check=True, capture_output=True
    )
    shutil.copy(REPO / "tasks.py", root)  # a copy: it builds the folder it is in
    done, peak, seconds = _run_measured(
        [sys.executable, "-m", "invoke", "build", "--jobs", "2"], root, timeout=900
    )
    return root, done, peak, seconds


def test_the_demo_towns_are_published_beside_a_hostile_one(beside_the_demo) -> None:
    root, done, peak, seconds = beside_the_demo
    log = done.stdout
    assert done.returncode == 1, log
    assert "Traceback" not in log and "Error:" not in log.replace("error:", "")
    for town in DEMO_TOWNS:
        assert f"✓ {town}: built" in log, log
        assert (root / "output" / town / "index.html").is_file()
    portal = (root / "output" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{town}/index.html"' in portal for town in DEMO_TOWNS)
    assert "✗ hostile" in log
    assert not (root / "output" / "hostile").exists()
    assert peak < 1.5 * 1024**3, f"peak memory {peak / 1024**2:.0f} MB"
    print(f"\nhostile beside the demo: {seconds:.1f} s, peak {peak / 1024**2:.0f} MB")


#: rows whose name can be matched in the log (a name with a line break cannot)
NAMED = [r for r in ROWS + LINK_ROWS if r["lint"] == "error" and "\\" not in r["path"]]


@pytest.mark.parametrize("row", NAMED, ids=lambda r: r["path"])
def test_each_refused_file_is_named(beside_the_demo, row: dict[str, str]) -> None:
    log = beside_the_demo[1].stdout
    shown = f"content/hostile/{row['path']}"
    assert any(line.startswith(shown) and ": error: " in line for line in log.splitlines()), (
        f"{shown} ({row['why']}) not refused"
    )


def test_nothing_in_the_output_can_run_script(beside_the_demo) -> None:
    root = beside_the_demo[0]
    assert [
        f.format()
        for f in check_output(root / "output")
        if "script" in f.en or "handler" in f.en or "quotes" in f.en
    ] == []


# -- the files that must build cleaned --------------------------------------------------

CLEAN = [r for r in ROWS if r["build"] == "clean" and r["lint"] in ("none", "warning")]


@pytest.fixture(scope="module")
def cleaned_town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _project(tmp_path_factory.mktemp("cleaned") / "net", with_demo=False)
    town = root / "content" / "hostile"
    for row in CLEAN:
        source = HOSTILE / "content" / row["path"]
        (town / row["path"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, town / row["path"])
    write(town / "articles" / "plain.md", PLAIN)
    lines: list[str] = []
    report = gardarika.build.builder.Builder(root, jobs=2, echo=lines.append).build()
    assert report.built == ["hostile"], "\n".join(lines)
    return root / "output"


def test_the_cleaned_files_build_without_anything_able_to_run_script(cleaned_town: Path) -> None:
    assert [
        f.format()
        for f in check_output(cleaned_town)
        if "script" in f.en or "handler" in f.en or "quotes" in f.en
    ] == []


def test_no_script_runs_in_a_real_browser(cleaned_town: Path) -> None:
    """Every page of the cleaned hostile town, opened from disk in Chromium: no dialog
    (every payload calls alert), no error thrown by a script, no request off the disk."""
    from browsing import CHROMIUM, LAUNCH_ARGS

    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("GARDARIKA_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip("Debian's chromium package is not installed")
    prefix = cleaned_town.as_uri() + "/"
    dialogs: list[str] = []
    outside: list[str] = []
    # (404.html anchors its links to the town's web address with <base href>, for a
    # server's "not found" at any depth; it is not a page a reader opens from disk)
    pages = sorted(p for p in cleaned_town.rglob("*.html") if p.name != "404.html")
    assert len(pages) > 20
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        context = browser.new_context()
        context.on(
            "request", lambda r: r.url.startswith((prefix, "data:")) or outside.append(r.url)
        )
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
        for path in pages:
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            # what a reader does: move over links, focus fields, open details
            page.evaluate(
                "() => { for (const e of document.querySelectorAll('*')) {"
                " for (const t of ['mouseover', 'focus', 'click', 'error']) {"
                " if (t === 'click' && e.closest('a, form')) continue;"
                " try { e.dispatchEvent(new Event(t)); } catch (x) {} } } }"
            )
        browser.close()
    assert dialogs == []
    assert outside == []


# -- every file that must be refused, refused by the build itself ------------------------

REFUSE = [r for r in ROWS if r["build"] == "refuse"]


@pytest.mark.parametrize("row", REFUSE, ids=lambda r: r["path"])
def test_the_build_refuses_it_without_the_checks(
    tmp_path: Path, row: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path / "net", with_demo=False)
    town_id = root / "content" / "hostile"
    write(town_id / "articles" / "plain.md", PLAIN)
    source = HOSTILE / "content" / row["path"]
    (town_id / row["path"]).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, town_id / row["path"])
    monkeypatch.setattr(gardarika.build.builder, "lint_town", lambda town, root, **_: [])
    lines: list[str] = []
    report = gardarika.build.builder.Builder(root, jobs=2, echo=lines.append, check=False).build()
    log = "\n".join(lines)
    assert report.failed == ["hostile"], f"{row['path']} ({row['why']}) built:\n{log}"
    assert f"content/hostile/{row['path']}" in log, log
    assert not (root / "output" / "hostile").exists()


# -- the output check itself, on pages and files made by hand ----------------------------


@pytest.mark.parametrize("row", manifest("expected-scanner.tsv"), ids=lambda r: r["file"])
def test_the_output_check_sees_what_a_browser_would_run(row: dict[str, str]) -> None:
    from gardarika.checks.scripts import file_dangers

    path = HOSTILE / "scanner" / row["file"]
    found = file_dangers(path, f"town/{row['file']}")
    assert bool(found) == (row["scan"] == "flag"), f"{row['file']}: {row['why']} {found}"
