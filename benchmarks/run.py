"""``invoke bench``: build a synthetic network and measure, in one run on the same content.

Measured: Gardarika's cold build, no-op rebuild and rebuild after editing one article
(time, peak memory, files written); plain Pelican building the same towns one after
another and Hugo building the same articles (``benchmarks/others.py``); for a town of
500 articles per language, the size of each search index and, in headless Chromium, how
long the search page takes to load its index and to answer its first query. The targets
of the performance issue are listed as met or missed, with the numbers. Also the
long-form Russian town against plain Pelican (``longform.py``), typesetting alone, in
MB/s and at four times the length, and dates from git on 1000 texts (``gitdates.py``).
Results are
printed as a table and written as JSON to ``benchmarks/results/``.
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .generate import REPO, generate
from .gitdates import measure_git_dates
from .longform import TOWN, edit_one_paragraph, generate_longform

RESULTS = REPO / "benchmarks" / "results"
QUERIES = {"ru": "праздники", "en": "festivals"}


def compile_bytecode() -> None:
    """Compile Gardarika's Python code and plugins to bytecode before anything is timed.

    Pelican, Markdown and the other libraries are measured with their bytecode, which
    pip wrote when it installed them. Gardarika is installed editable (``pip install
    -e .``), so Python writes its bytecode on first use, and never where
    ``PYTHONDONTWRITEBYTECODE`` is set (as on some CI and container images): every
    command would then compile over a hundred modules from source, 0.2-0.3 s that no
    maintainer's installed copy pays. Measuring that would measure the machine's
    settings, not the builder."""
    import compileall

    for folder in (REPO / "gardarika", REPO / "plugins"):
        compileall.compile_dir(str(folder), quiet=1)


def _files(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def _build(project: Path, jobs: int | None) -> dict[str, Any]:
    """One ``gardarika build`` command, as a maintainer runs it (a new process: Python's
    start and every import count, as they do for the ``pelican`` and ``hugo`` commands it
    is compared with); the output check after the build is left out, as Pelican has
    none."""
    before = _files(project / "output") if (project / "output").exists() else {}
    command = [sys.executable, "-m", "gardarika", "--root", str(project), "build", "--no-check"]
    if jobs:
        command += ["--jobs", str(jobs)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=project)
    seconds = time.perf_counter() - start
    after = _files(project / "output")
    written = sum(1 for path, mtime in after.items() if before.get(path) != mtime)
    pages = re.search(r"pages written: (\d+)", done.stdout)
    if done.returncode or pages is None:
        raise RuntimeError("benchmark build failed:\n" + (done.stdout + done.stderr)[-3000:])
    return {"seconds": round(seconds, 3), "files_written": written, "pages": int(pages.group(1))}


def measure_builds(
    towns: int, articles: int, jobs: int | None, work: Path, others: bool = False
) -> dict[str, Any]:
    """Gardarika's cold, no-op and one-edit builds; with ``others``, plain Pelican's and
    Hugo's builds of the same content too."""
    project = generate(work / "network", towns, articles)
    cold = _build(project, jobs)
    noop = _build(project, jobs)
    edited = project / "content" / "town-00" / "articles" / "article-0000.md"
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\nОдна новая строка.\n", encoding="utf-8"
    )
    edit = _build(project, jobs)
    edit["town_files"] = sum(1 for p in (project / "output" / "town-00").rglob("*") if p.is_file())
    template = project / "themes" / "gardarika" / "templates" / "base.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace(
            "</footer>", "<!-- changed by the benchmark --></footer>", 1
        ),
        encoding="utf-8",
    )
    theme = _build(project, jobs)
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    )
    result = {
        "towns": towns,
        "articles_per_language": articles,
        "cold": cold,
        "noop": noop,
        "edit_one_article": edit,
        "theme_template_changed": theme,
        "peak_memory_mb": round(peak_kb / 1024, 1),
    }
    from .portal import measure_portal

    result["portal"] = measure_portal(project)
    if others:
        from .others import hugo_build, pelican_sequential

        result["pelican"] = pelican_sequential(project, work / "pelican")
        result["hugo"] = hugo_build(project, work / "hugo")
    return result


#: plain Pelican as ``pelican-quickstart`` leaves it: its own theme, no plugins (set
#: explicitly: an installed pelican-i18n-subsites loads itself when PLUGINS is unset)
PLAIN_CONF = """\
PATH = {content!r}
OUTPUT_PATH = {output!r}
SITENAME = "Long-form"
TIMEZONE = "Europe/Moscow"
DEFAULT_LANG = "ru"
STATIC_PATHS = ["images"]
PLUGINS = []
"""


def _pelican_runs(project: Path, work: Path, plain: bool = False, once_only: bool = False) -> Any:
    """One ``pelican`` command on the long-form town: cold, no-op, and after one
    paragraph of one article is edited. With ``plain``, Pelican as it comes (its own
    theme, no plugins: no typography, search index, cleaning or offline links); else
    with Gardarika's theme, plugins and settings (``others.py``). With ``once_only``,
    the cold build alone (its seconds)."""
    from .others import CONF

    conf = work / "longform-conf.py"  # not pelican.py: that name would shadow Pelican
    work.mkdir(parents=True, exist_ok=True)
    (work / "shared" / "jinja").mkdir(parents=True, exist_ok=True)
    if plain:
        conf.write_text(
            PLAIN_CONF.format(content=str(project / "content" / TOWN), output=str(work / "output")),
            encoding="utf-8",
        )
    else:
        conf.write_text(
            CONF.format(
                repo=str(REPO),
                root=str(project),
                town=TOWN,
                lang="ru",
                output=str(work / "output"),
                cache=str(work / "cache"),
                shared=str(work / "shared"),
            ),
            encoding="utf-8",
        )

    def once() -> dict[str, float]:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pelican", "-s", str(conf), "-q"], capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(
                "pelican failed on the long-form town: " + (done.stderr + done.stdout)[-800:]
            )
        return {"seconds": round(time.perf_counter() - start, 3)}

    cold = once()
    if once_only:
        return cold["seconds"]
    noop = once()
    edit_one_paragraph(project, "Pelican")
    return {"cold": cold, "noop": noop, "edit_one_paragraph": once()}


def corpus_project(corpus: Path, target: Path) -> Path:
    """A project of one Russian town whose content is a copy of ``corpus``: a folder of
    Markdown articles (a real blog, say; Pelican's ``Key: value`` header or YAML front
    matter), with ``pages/`` and pictures where it has them. The one-edit build edits
    the second article, as for the generated town."""
    project = generate_longform(target, articles=0, pictures=0)
    content = project / "content" / TOWN
    shutil.rmtree(content)
    shutil.copytree(
        corpus, content, symlinks=False, ignore=shutil.ignore_patterns(".*", "*.py", "*.pyc")
    )
    articles = content / "articles"
    if not articles.is_dir():  # articles at the top: move them where the edit looks
        articles.mkdir()
        for source in sorted(content.glob("*.md")):
            source.rename(articles / source.name)
    for source in content.rglob("*.md"):
        _pelican_header(source)
    return project


def _pelican_header(path: Path) -> None:
    """YAML front matter (Hugo, Jekyll) as Pelican's ``Key: value`` lines, so that plain
    Pelican reads the same articles as Gardarika."""
    import yaml

    text = path.read_text(encoding="utf-8-sig")
    if not text.startswith("---\n") or "\n---" not in text[3:]:
        return
    front, _, body = text[4:].partition("\n---")
    try:
        meta = yaml.safe_load(front) or {}
    except yaml.YAMLError:
        return
    if not isinstance(meta, dict):
        return
    lines = []
    for key in ("title", "date", "category", "tags", "slug", "summary"):
        value = meta.get(key)
        if value is None and key == "category" and meta.get("categories"):
            value = meta["categories"]
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value not in (None, ""):
            lines.append(f"{key.capitalize()}: {' '.join(str(value).split())}")
    path.write_text(
        "\n".join(lines) + "\n\n" + body.partition("\n")[2].lstrip("\n"), encoding="utf-8"
    )


#: cold builds of the long-form town, each tool's taken in turns: the median is reported
#: (one build on a shared machine varies by 10-30 %, enough to move a ratio past a target)
COLD_RUNS = 3


def measure_longform(
    jobs: int | None,
    work: Path,
    articles: int = 40,
    pelican: bool = True,
    corpus: Path | None = None,
    cold_runs: int = COLD_RUNS,
) -> dict[str, Any]:
    """The long-form Russian town (``longform.py``, or a copy of ``corpus``):
    Gardarika's cold, no-op and one-edit builds, then plain Pelican's on the same
    content (the target's measure), and Pelican's with Gardarika's theme and plugins
    (what the orchestration adds). The cold builds of Gardarika and plain Pelican are
    made ``cold_runs`` times in turns, from nothing each time, and their medians
    compared; every try is kept in the result."""
    project = (
        corpus_project(corpus, work / "longform")
        if corpus
        else generate_longform(work / "longform", articles)
    )
    sources = sorted((project / "content" / TOWN / "articles").glob("*.md"))
    colds: dict[str, list[float]] = {"gardarika": [], "pelican": []}
    for attempt in range(max(1, cold_runs) if pelican else 1):
        for folder in (project / "output", project / ".cache"):
            shutil.rmtree(folder, ignore_errors=True)
        cold = _build(project, jobs)
        colds["gardarika"].append(cold["seconds"])
        if pelican and attempt < cold_runs - 1:
            plain = work / "longform-plain"
            shutil.rmtree(plain, ignore_errors=True)
            colds["pelican"].append(_pelican_runs(project, plain, plain=True, once_only=True))
    cold["seconds"] = statistics.median(colds["gardarika"])
    noop = _build(project, jobs)
    edit_one_paragraph(project, "Gardarika")
    edit = _build(project, jobs)
    result: dict[str, Any] = {
        "corpus": str(corpus) if corpus else "",
        "articles": len(sources),
        "markdown_bytes": sum(p.stat().st_size for p in sources),
        "largest_kb": max(p.stat().st_size for p in sources) // 1024,
        "gardarika": {"cold": cold, "noop": noop, "edit_one_paragraph": edit},
        "cold_tries": colds,
    }
    if pelican:
        # the last cold try of plain Pelican is the one its no-op and edit follow
        shutil.rmtree(work / "longform-plain", ignore_errors=True)
        result["pelican"] = _pelican_runs(project, work / "longform-plain", plain=True)
        colds["pelican"].append(result["pelican"]["cold"]["seconds"])
        result["pelican"]["cold"]["seconds"] = statistics.median(colds["pelican"])
        result["pelican_with_plugins"] = _pelican_runs(project, work / "longform-pelican")
        result["ratio"] = {
            key: round(
                result["gardarika"][key]["seconds"] / max(result["pelican"][key]["seconds"], 1e-3),
                2,
            )
            for key in ("cold", "noop", "edit_one_paragraph")
        }
    return result


def measure_typesetting(seed: int = 15, target_bytes: int = 1_000_000) -> dict[str, Any]:
    """Russian and English typesetting alone, in MB of HTML per second on one core, on
    the long-form generator's text as the build converts it (quotes, dialogue, dashes,
    numbers, addresses, tables), at 1× and 4× the length: linear means 4× the text in
    under 5× the time."""
    import random

    from gardarika.checks.rawhtml import to_html
    from gardarika.render.typography import english, russian

    from .longform import _Writer

    writer = _Writer(random.Random(seed))
    blocks: list[str] = []
    while sum(len(b) for b in blocks) < target_bytes // 2:
        blocks += [
            writer.paragraph(),
            writer.dialogue(),
            writer.bullets(),
            writer.quote(),
            writer.table(),
            writer.numbered(),
        ]
    html = to_html("\n\n".join(blocks))
    result: dict[str, Any] = {}
    for lang, typeset in (("ru", russian), ("en", english)):
        times = {}
        for factor in (1, 4):
            text = html * factor
            best = float("inf")
            # the best of five: one try on a shared machine varies by a third, enough
            # to make a linear pass look super-linear or the other way round
            for _ in range(5):
                start = time.process_time()
                typeset(text)
                best = min(best, time.process_time() - start)
            times[factor] = best
        size = len(html.encode("utf-8"))
        result[lang] = {
            "bytes": size,
            "seconds": round(times[1], 3),
            "mb_per_second": round(size / times[1] / 1e6, 2),
            "four_times_ratio": round(times[4] / times[1], 2),
        }
    return result


def targets(
    builds: dict[str, Any],
    longform: dict[str, Any] | None = None,
    typesetting: dict[str, Any] | None = None,
    git_dates: dict[str, Any] | None = None,
) -> list[tuple[str, bool, str]]:
    """(target, met, the numbers) for each target of the performance issue."""
    cold, noop = builds["cold"]["seconds"], builds["noop"]["seconds"]
    edit = builds["edit_one_article"]
    rows = [
        ("no-op rebuild under 1 s", noop < 1, f"{noop:.2f} s"),
        (
            "one edit under 15% of the cold build",
            edit["seconds"] < 0.15 * cold,
            f"{edit['seconds']:.2f} s = {100 * edit['seconds'] / cold:.0f}% of {cold:.2f} s",
        ),
        (
            "one edit rewrites under 5% of the town's files",
            edit["files_written"] < 0.05 * edit["town_files"],
            f"{edit['files_written']} of {edit['town_files']} = "
            f"{100 * edit['files_written'] / edit['town_files']:.1f}%",
        ),
        (
            "peak memory under 1 GB",
            builds["peak_memory_mb"] < 1024,
            f"{builds['peak_memory_mb']:.0f} MB",
        ),
    ]
    pelican = builds.get("pelican")
    if pelican:
        ratio = cold / pelican["cold_seconds"]
        rows.append(
            (
                "cold build at most 0.5 × plain Pelican",
                ratio <= 0.5,
                f"{cold:.2f} s vs {pelican['cold_seconds']:.2f} s = {ratio:.2f}×",
            )
        )
    hugo = builds.get("hugo")
    if hugo:
        rows.append(
            (
                "one edit faster than Hugo's full build",
                edit["seconds"] < hugo["seconds"],
                f"{edit['seconds']:.2f} s vs Hugo {hugo['seconds']:.2f} s",
            )
        )
    if longform and longform.get("pelican"):
        ours, theirs = (
            longform["gardarika"]["cold"]["seconds"],
            longform["pelican"]["cold"]["seconds"],
        )
        rows.append(
            (
                "long-form town: cold build at most 1.5 × plain Pelican",
                longform["ratio"]["cold"] <= 1.5,
                f"{ours:.2f} s vs {theirs:.2f} s = {longform['ratio']['cold']:.2f}×",
            )
        )
    if longform and hugo:
        ours = longform["gardarika"]["edit_one_paragraph"]["seconds"]
        rows.append(
            (
                "long-form town: one edit faster than Hugo's full build",
                ours < hugo["seconds"],
                f"{ours:.2f} s vs Hugo {hugo['seconds']:.2f} s",
            )
        )
    portal = builds.get("portal")
    if portal:
        rows.append(
            (
                "the portal made again, after one town changed, well under 1 s",
                portal["remake_seconds"] < 0.5,
                f"{portal['remake_seconds']:.2f} s",
            )
        )
        for lang, entry in portal.items():
            if isinstance(entry, dict) and entry.get("browser"):
                first = entry["browser"]["first_results_ms"]
                rows.append(
                    (
                        f"{lang} portal search: first results in Chromium under 300 ms",
                        0 <= first < 300,
                        f"{first:.0f} ms, loading {entry['index_bytes'] / 1e6:.2f} MB",
                    )
                )
    for lang, entry in (typesetting or {}).items():
        rows.append(
            (
                f"{lang} typesetting at least 1 MB/s and linear (4× text, < 5× time)",
                entry["mb_per_second"] >= 1 and entry["four_times_ratio"] < 5,
                f"{entry['mb_per_second']:.2f} MB/s, 4× text took "
                f"{entry['four_times_ratio']:.2f}× the time",
            )
        )
    if git_dates:
        rows.append(
            (
                f"dates from git, {git_dates['texts']} texts in {git_dates['commits']} "
                "commits: one git log under 1 s, cached under 50 ms",
                git_dates["git_log_seconds"] < 1 and git_dates["cached_seconds"] < 0.05,
                f"{git_dates['git_log_seconds']:.3f} s, cached "
                f"{1000 * git_dates['cached_seconds']:.1f} ms",
            )
        )
    return rows


def _chromium_times(page_file: Path, query: str) -> dict[str, float] | None:
    from .browser import chromium

    with chromium() as browser:
        if browser is None:
            return None
        page = browser.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        load_ms = page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n.loadEventStart - n.startTime; }"
        )
        query_ms = page.evaluate(
            "q => { const t = performance.now(); const r = window.GardarikaSearch.search(q,"
            " false); return [performance.now() - t, r.results.length]; }",
            query,
        )
    return {
        "page_load_ms": round(load_ms, 1),
        "first_query_ms": round(query_ms[0], 1),
        "results": query_ms[1],
    }


def measure_search(articles: int, jobs: int | None, work: Path) -> dict[str, Any]:
    project = generate(work / "search", 1, articles, seed=2)
    _build(project, jobs)
    town = project / "output" / "town-00"
    result: dict[str, Any] = {"articles_per_language": articles}
    for lang, folder in (("ru", town), ("en", town / "en")):
        index = folder / "search-index.js"
        result[lang] = {
            "index_bytes": index.stat().st_size,
            "browser": _chromium_times(folder / "search.html", QUERIES[lang]),
        }
    return result


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.2f} MB"


def longform_table(longform: dict[str, Any]) -> list[str]:
    rows = [
        f"Long-form town{' (' + longform['corpus'] + ')' if longform.get('corpus') else ''}: "
        f"{longform['articles']} Russian articles, "
        f"{_mb(longform['markdown_bytes'])} of Markdown (largest {longform['largest_kb']} KB)",
        "                        Gardarika     plain Pelican   ratio   Pelican with "
        "Gardarika's plugins",
    ]
    pelican = longform.get("pelican")
    plugged = longform.get("pelican_with_plugins")
    for key, label in (
        ("cold", "cold build"),
        ("noop", "no-op rebuild"),
        ("edit_one_paragraph", "one paragraph edited"),
    ):
        ours = longform["gardarika"][key]["seconds"]
        theirs = (
            f"{pelican[key]['seconds']:8.2f} s   {longform['ratio'][key]:6.2f}×"
            if pelican
            else "       -"
        )
        if plugged:
            theirs += f"   {plugged[key]['seconds']:8.2f} s"
        rows.append(f"  {label:<21} {ours:8.2f} s    {theirs}")
    tries = longform.get("cold_tries") or {}
    if len(tries.get("gardarika", ())) > 1:
        rows.append(
            "  (cold: the median of builds made in turns; Gardarika "
            + ", ".join(f"{t:.2f}" for t in tries["gardarika"])
            + " s; plain Pelican "
            + ", ".join(f"{t:.2f}" for t in tries.get("pelican", ()))
            + " s)"
        )
    return rows


def table(results: dict[str, Any]) -> str:
    builds = results["builds"]
    rows = [
        f"Network: {builds['towns']} towns × {builds['articles_per_language']} articles × "
        "2 languages",
        f"  cold build            {builds['cold']['seconds']:8.2f} s  "
        f"{builds['cold']['files_written']:6d} files written",
        f"  no-op rebuild         {builds['noop']['seconds']:8.2f} s  "
        f"{builds['noop']['files_written']:6d} files written",
        f"  one article edited    {builds['edit_one_article']['seconds']:8.2f} s  "
        f"{builds['edit_one_article']['files_written']:6d} files written",
        f"  a template changed    {builds['theme_template_changed']['seconds']:8.2f} s  "
        f"{builds['theme_template_changed']['files_written']:6d} files written",
        f"  peak memory           {builds['peak_memory_mb']:8.1f} MB",
    ]
    if builds.get("pelican"):
        pelican = builds["pelican"]
        rows.append(
            f"Plain Pelican, {pelican['runs']} runs one after another: cold "
            f"{pelican['cold_seconds']:.2f} s, again {pelican['noop_seconds']:.2f} s "
            f"(Gardarika: {pelican['cold_seconds'] / builds['cold']['seconds']:.1f}× "
            "faster cold)"
        )
    if builds.get("hugo"):
        hugo = builds["hugo"]
        rows.append(
            f"Hugo, minimal templates: {hugo['seconds']:.2f} s for "
            f"{hugo['articles']} articles ({hugo['pages']} pages)"
        )
    if builds.get("portal"):
        from .portal import portal_lines

        rows += portal_lines(builds["portal"])
    longform = results.get("longform")
    if longform:
        rows += longform_table(longform)
    rows += [
        "Targets:",
        *(
            f"  [{'met' if met else 'MISSED'}] {name}: {numbers}"
            for name, met, numbers in targets(
                builds, longform, results.get("typesetting"), results.get("git_dates")
            )
        ),
        f"Search: one town × {results['search']['articles_per_language']} articles per language",
    ]
    for lang in ("ru", "en"):
        entry = results["search"][lang]
        browser = entry["browser"]
        timing = (
            f"page load {browser['page_load_ms']:.0f} ms, first query "
            f"{browser['first_query_ms']:.1f} ms ({browser['results']} results)"
            if browser
            else "no Chromium: browser timings not measured"
        )
        rows.append(f"  {lang}: index {_mb(entry['index_bytes'])}; {timing}")
    return "\n".join(rows)


def run(
    towns: int = 20,
    articles: int = 100,
    search_articles: int = 500,
    jobs: int | None = None,
    longform_articles: int = 40,
    corpus: Path | None = None,
) -> dict[str, Any]:
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="gardarika-bench-") as tmp:
        work = Path(tmp)
        results = {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "system": platform.platform(),
            },
            "builds": measure_builds(towns, articles, jobs, work, others=True),
            "search": measure_search(search_articles, jobs, work),
            "longform": measure_longform(jobs, work, longform_articles, corpus=corpus),
            "typesetting": measure_typesetting(),
            "git_dates": measure_git_dates(work),
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(results))
    print(f"Results: {path.relative_to(REPO)}")
    return results


def bench(
    towns: int = 20,
    articles: int = 100,
    search_articles: int = 500,
    jobs: int | None = None,
    corpus: str | None = None,
) -> int:
    """``invoke bench``: :func:`run` with the command's options (see gardarika.commands)."""
    run(towns, articles, search_articles, jobs, corpus=Path(corpus).resolve() if corpus else None)
    return 0
