"""Building the network: every (town, language) in its own process, towns in parallel.

Data flow: ``sites/`` is loaded and checked (:mod:`gardarika.config.network`); each town's
languages are built by Pelican into a staging folder (:mod:`gardarika.build.worker`), the
default language as the folder itself and every other language beside it; when all of a
town's languages succeeded they are assembled and swapped in place of
``output/<town>/`` (:mod:`gardarika.fs.files`). A town that fails keeps its previous
output untouched, and the others build anyway. Finally the portal is written.

A build holds the project's lock (:mod:`gardarika.fs.lock`) from start to end, so two never
interleave, and it starts by tidying what a killed build may have left: staging folders,
temporary files, and a town folder whose swap was cut short (:meth:`Builder.tidy`).
Every file it writes appears whole, by a rename, and a town's fingerprint is recorded
only once its new output is in place, so a build killed at any moment leaves each town's
output either as it was or complete, and the next build finishes the work.
"""

from __future__ import annotations

import functools
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

# Imported once here, before forking, so the workers start warm (docs/architecture.md).
import jinja2
import markdown.util
import pelican
import pelican.generators
import pelican.readers
import pelican.writers  # noqa: F401

from gardarika import PACKAGE
from gardarika.build.fingerprint import BuildState, code_fingerprint, town_fingerprint
from gardarika.build.guard import install as install_guard
from gardarika.build.guard import python_folders
from gardarika.build.isolation import MEMORY_LIMIT, Outcome, Task, died, run_isolated
from gardarika.build.limits import OutputTooLarge, folder_size, output_budget
from gardarika.build.pelican_log import explain_exception
from gardarika.build.pelican_settings import pelican_settings
from gardarika.build.portal import portal_fingerprint, render_portal
from gardarika.build.townlog import TOWN_LOG, TownLog
from gardarika.build.worker import RunResult, run_pelican
from gardarika.checks.confinement import symlink_problem
from gardarika.checks.lastcheck import LastChecks, town_of
from gardarika.checks.lint import lint_town, not_pulled, size_problems
from gardarika.checks.output import Finding, check_output
from gardarika.checks.output import summary as check_summary
from gardarika.checks.weight import heaviest_pages, weight_line
from gardarika.checks.xmlfiles import bad_xml
from gardarika.config.network import Network, Town, UnknownTown, load_network
from gardarika.content.gitdates import GitDates, town_dates
from gardarika.errors import Message, Problem, display_path
from gardarika.fs.confine import outside_symlinks
from gardarika.fs.files import keep_unchanged_files, recover_leftovers, replace_dir
from gardarika.fs.lock import WAIT_LIMIT, project_lock
from gardarika.render import pagefacts
from gardarika.render.embeds import REMOTE_EMBED_GROUP

# Markdown finds its extensions through the packaging metadata of everything on the
# import path, once per process: done here, every worker inherits the answer
markdown.util.get_installed_extensions()

Printer = Callable[[str], None]
#: how long one (town, language) run may take before it is stopped, in seconds; the
#: 10 000-article town of the limits test needs about two minutes here
TIME_LIMIT = 30 * 60.0
#: problems of one town printed by a build (``invoke lint`` prints them all)
SHOWN_PER_TOWN = 500
#: notes of one group (``Problem.group``) printed per town unless ``--verbose``
SHOWN_PER_GROUP = 5
#: what each group of notes is about, for the line that counts those not shown
PROBLEM_GROUPS = {
    REMOTE_EMBED_GROUP: Message(
        "pictures, videos, frames and other things loaded from other websites, shown as links",
        "картинки, видео, фреймы и другое с других сайтов показаны ссылками",
    ),
}
#: the portal's entry in ``.cache/state.json`` (no town id has a colon)
PORTAL_KEY = ":portal"


@dataclass(frozen=True)
class Job:
    """One Pelican run: a town in one language, written to ``output_path``."""

    town: Town
    lang: str
    output_path: Path
    cache_path: Path


@dataclass
class TownReport:
    town: str
    ok: bool
    pages: int = 0
    problems: list[Problem] = field(default_factory=list)
    changed: int = 0  # output files whose bytes changed
    skipped: bool = False  # nothing it depends on changed since its last build


@dataclass
class BuildReport:
    """The outcome of one ``build`` call, for the summary line and the exit code."""

    towns: list[TownReport] = field(default_factory=list)
    config_problems: list[Problem] = field(default_factory=list)
    #: what ``invoke check`` found in the output of the towns built
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def built(self) -> list[str]:
        return [t.town for t in self.towns if t.ok and not t.skipped]

    @property
    def skipped(self) -> list[str]:
        return [t.town for t in self.towns if t.skipped]

    @property
    def failed(self) -> list[str]:
        return [t.town for t in self.towns if not t.ok]

    @property
    def pages(self) -> int:
        return sum(t.pages for t in self.towns)

    @property
    def ok(self) -> bool:
        return (
            not self.failed
            and not self.findings
            and not any(p.severity == "error" for p in self.config_problems)
        )


class BuildError(Exception):
    """The build cannot start at all (e.g. an unknown ``--site``)."""


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Builder:
    """Builds towns of one project into ``output`` (see the module docstring)."""

    def __init__(
        self,
        root: Path,
        output: Path | None = None,
        cache: Path | None = None,
        jobs: int | None = None,
        echo: Printer = print,
        check: bool = True,
        skip_unchanged: bool = True,
        wait: bool = True,
        wait_limit: float = WAIT_LIMIT,
        time_limit: float = TIME_LIMIT,
        memory_limit: int | None = MEMORY_LIMIT,
        verbose: bool = False,
    ):
        self.root = Path(root).resolve()
        self.output = Path(output or self.root / "output").resolve()
        self.cache = Path(cache or self.root / ".cache").resolve()
        self.jobs = max(1, jobs or default_jobs())
        self.helpers = 0
        #: towns whose checks found errors (read by the builds forked after that)
        self.lint_failed: set[str] = set()
        self.echo = echo
        self.check = check
        self.published: set[str] | None = None
        self.skip_unchanged = skip_unchanged
        self.wait = wait
        self.wait_limit = wait_limit
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        self.verbose = verbose
        self.state = BuildState(self.cache / "state.json")
        self.fingerprints: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        #: the dates git gives each town's texts, read once per build in this process
        #: (before the checks and runs are forked, which use the same)
        self.git_dates: dict[str, GitDates] = {}

    # -- planning ---------------------------------------------------------------------

    def select(self, network: Network, names: Iterable[str] | None) -> list[str]:
        """Town ids to build, in portal order (towns whose settings have errors too: they
        are reported); an unknown name stops the build before anything is done."""
        try:
            return network.choose(names, broken=True)
        except UnknownTown as unknown:
            raise BuildError(str(unknown)) from None

    def code(self, theme: str) -> str:
        """:func:`code_fingerprint` of ``theme``, taken once per build."""
        if theme not in self.codes:
            self.codes[theme] = code_fingerprint(self.root, theme)
        return self.codes[theme]

    def dates(self, town: Town) -> GitDates:
        """The dates git gives ``town``'s texts (:mod:`gardarika.content.gitdates`: one
        ``git log`` when its repository's ``HEAD`` moved, else from ``.cache``), taken
        once per build."""
        if town.id not in self.git_dates:
            self.git_dates[town.id] = town_dates(town.content, self.root, self.cache, town.id)
        return self.git_dates[town.id]

    def stage_dir(self, town: str) -> Path:
        return self.cache / "stage" / town

    def jobs_for(self, town: Town) -> list[Job]:
        stage = self.stage_dir(town.id)
        code = self.code(town.theme)[:16]
        # the other languages are written inside the default one's folder, as published
        return [
            Job(
                town=town,
                lang=lang,
                output_path=stage / "site"
                if lang == town.default_language
                else stage / "site" / lang,
                # a content cache per code version: new rules never meet old cached pages
                cache_path=self.cache / "pelican" / town.id / lang / code,
            )
            for lang in town.languages
        ]

    # -- running ----------------------------------------------------------------------

    def _run_job(self, network: Network, job: Job) -> RunResult:
        """One (town, language) build, in its own process (see
        :meth:`check_and_build`)."""
        if job.town.id in self.lint_failed:  # its town is not published: nothing to do
            return RunResult(town=job.town.id, lang=job.lang)
        settings = pelican_settings(
            network,
            job.town,
            job.lang,
            job.output_path,
            job.cache_path,
            shared_cache=self.cache,
            published=self.published,
            git_dates=self.git_dates.get(job.town.id),
        )
        # the pages this run may write, in proportion to the town's source
        settings["GARDARIKA"]["output_budget"] = output_budget(job.town.content)
        # cores no other run of this build uses read texts ahead (gardarika.build.prefetch)
        settings["GARDARIKA"]["helpers"] = self.helpers
        shown = display_path(job.town.content, self.root)
        writable = self.writable(job)
        for folder in writable:
            folder.mkdir(parents=True, exist_ok=True)
        # from here on this process may touch only its town's folders (see guard.py)
        guard = install_guard(self.root, job.town.content, writable, self.readable(job))
        try:
            result = run_pelican(job.town.id, job.lang, settings, shown)
        except MemoryError:
            raise  # the isolation reports it, with the file being read
        except BaseException as exc:  # the parent must always hear back
            result = RunResult(
                town=job.town.id,
                lang=job.lang,
                problems=[
                    Problem(
                        file=shown,
                        en=f"the build stopped: {exc!r}",
                        ru=f"сборка прервалась: {exc!r}",
                    )
                ],
            )
        result.problems.extend(guard.problems())
        return result

    def writable(self, job: Job) -> list[Path]:
        """What one run may write: its town's staging folder and its caches."""
        return [
            self.stage_dir(job.town.id),
            job.cache_path,
            self.cache / "jinja",
            self.cache / "images",
        ]

    def readable(self, job: Job) -> list[Path]:
        """What one run may read inside the project, besides what it may write."""
        return [
            job.town.content,
            self.root / "themes",
            self.root / "plugins",
            PACKAGE,
            *python_folders(self.root),
        ]

    def check_and_build(
        self, network: Network, towns: list[Town], jobs: list[Job], report: BuildReport
    ) -> None:
        """The editors' checks of ``towns`` and their builds, side by side: each in a
        process of its own, at most ``self.jobs`` at a time, the checks first. A town is
        settled once its checks and all its languages are done: with errors in its
        checks nothing of it is published (its build's pages are thrown away, the
        previous output stays); otherwise its build is published as before. A build
        that starts after its town's checks failed does not run at all. Builds are safe
        to run on unchecked content: they enforce every rule themselves."""
        checked: dict[str, list[Problem]] = {}
        results: dict[str, list[RunResult]] = {town.id: [] for town in towns}
        lines: dict[str, list[str]] = {town.id: [] for town in towns}
        waiting = {town.id: 1 + len(town.languages) for town in towns}
        self.lint_failed = set()

        def done(outcome: Outcome) -> None:
            key = outcome.task.key
            if isinstance(key, Job):
                town = key.town
                result = self._job_result(outcome, key)
                results[town.id].append(result)
                if not outcome.cancelled:  # (stopped when its town's checks failed)
                    lines[town.id].append(
                        f"  {town.id}/{key.lang}: "
                        f"{'ok' if result.ok else 'FAILED'}, {result.pages} "
                        f"pages, {result.seconds:.1f} s"
                    )
            else:
                town = key
                checked[town.id] = self.checks_found(outcome)
                if any(p.severity == "error" for p in checked[town.id]):
                    self.lint_failed.add(town.id)  # its builds not started yet never run
            waiting[town.id] -= 1
            if waiting[town.id] == 0:
                report.towns.append(
                    self._settle(town, checked[town.id], results[town.id], lines[town.id])
                )

        # cores left over when there are fewer runs than cores help read (prefetch.py)
        self.helpers = max(0, self.jobs // max(1, len(jobs)) - 1)
        tasks = [self.check_task(town, html=False) for town in towns]
        tasks += [
            Task(
                name=f"gardarika-{job.town.id}-{job.lang}",
                key=job,
                run=functools.partial(self._run_job, network, job),
                # once, before the first run is forked (after the checks are: they
                # need none of it and run meanwhile)
                prepare=warm_up_runs,
            )
            for job in jobs
        ]
        run_isolated(
            tasks,
            self.jobs,
            self.time_limit,
            done,
            self.memory_limit,
            # a town whose checks failed is not published: its builds still running
            # are stopped, and their cores go to the other towns
            unwanted=lambda task: (
                isinstance(task.key, Job) and task.key.town.id in self.lint_failed
            ),
        )

    def _job_result(self, outcome: Outcome, job: Job) -> RunResult:
        """What a (town, language) run gave: its result; nothing, when it was stopped
        because its town's checks failed; or the problem of a run that was stopped
        (time, memory) or crashed."""
        town = job.town
        if outcome.cancelled:
            return RunResult(town=town.id, lang=job.lang)
        if outcome.finished:
            return outcome.result
        return RunResult(
            town=town.id,
            lang=job.lang,
            seconds=outcome.seconds,
            problems=[
                self.stopped(
                    outcome,
                    town,
                    f"the build of {town.id}/{job.lang}",
                    f"сборка {town.id}/{job.lang}",
                )
            ],
        )

    def _settle(
        self,
        town: Town,
        problems: list[Problem],
        results: list[RunResult],
        lines: list[str],
    ) -> TownReport:
        """A town whose checks and runs are all done: with errors in its checks nothing
        of it is published; else its runs' lines are said and it is finished."""
        town_id = town.id
        self.show(town_id, problems)
        if any(p.severity == "error" for p in problems):
            self.echo(
                f"✗ {town_id}: not built, its content has errors (see above); the "
                f"previous output/{town_id}/ is kept / не собран: ошибки в материалах "
                f"(см. выше); прежний output/{town_id}/ сохранён"
            )
            shutil.rmtree(self.stage_dir(town_id), ignore_errors=True)
            TownLog(self.cache / TOWN_LOG).built(town_id, False)
            return TownReport(town=town_id, ok=False, problems=problems)
        for line in lines:
            self.echo(line)
        return self.finish_town(town, results)

    def lint_towns(self, towns: list[Town], html: bool = True) -> dict[str, list[Problem]]:
        """The editors' checks of ``towns``, each town in a process of its own: a file
        that crashes or hangs the checks fails its own town, named in the message.
        Without ``html`` (before building them) what the build removes from the HTML is
        left to the build to report: each text's Markdown is converted once."""
        found: dict[str, list[Problem]] = {}

        def done(outcome: Outcome) -> None:
            found[outcome.task.key.id] = self.checks_found(outcome)

        run_isolated(
            [self.check_task(town, html) for town in towns],
            self.jobs,
            self.time_limit,
            done,
            self.memory_limit,
        )
        return found

    def check_task(self, town: Town, html: bool) -> Task:
        """The editors' checks of one town, as a task for :func:`run_isolated`."""
        return Task(
            name=f"gardarika-check-{town.id}",
            key=town,
            run=functools.partial(lint_town, town, self.root, html=html, dates=self.dates(town)),
        )

    def checks_found(self, outcome: Outcome) -> list[Problem]:
        """What a town's checks found, or why they gave no answer."""
        town = outcome.task.key
        return (
            outcome.result
            if outcome.finished
            else [
                self.stopped(
                    outcome, town, f"the checks of {town.id}", f"проверка материалов {town.id}"
                )
            ]
        )

    def stopped(self, outcome: Outcome, town: Town, what_en: str, what_ru: str) -> Problem:
        """Why a town's process gave no result, at the file it was reading if known."""
        if outcome.at and os.path.isabs(outcome.at):
            outcome.at = display_path(Path(outcome.at), self.root)
        return stopped_problem(
            outcome,
            display_path(town.content, self.root),
            what_en,
            what_ru,
            self.time_limit,
            self.memory_limit,
        )

    def publish(self, town: Town) -> int:
        """Swap the finished staging folder in place of ``output/<town>/``, keeping the
        files whose bytes did not change; return how many files changed."""
        stage = self.stage_dir(town.id)
        changed = keep_unchanged_files(stage / "site", self.output / town.id)
        replace_dir(stage / "site", self.output / town.id)
        shutil.rmtree(stage, ignore_errors=True)  # a kill before this: see tidy()
        return changed

    def tidy(self) -> None:
        """Clear what a build killed half-way left behind (call it under the lock).

        Staging folders and temporary files (also those of a run's helpers) are thrown
        away; a town folder that the two-rename swap (systems without ``renameat2``)
        left missing is put back from its ``.<town>.old-…`` copy, the previous complete
        output.
        """
        shutil.rmtree(self.cache / "stage", ignore_errors=True)
        for name in recover_leftovers(self.output):
            self.echo(
                f"output/{name}/ was put back as it was before an interrupted build "
                f"/ output/{name}/ восстановлен после прерванной сборки"
            )
        for folder in (self.cache, *self.cache.glob("pelican/*/*/*")):
            recover_leftovers(folder)
        # what a run's helpers hand back through (gardarika.build.prefetch, splitwrite), left
        # by a run stopped while it waited for them
        handed = [
            path
            for pattern in (".prefetch-*", ".helper-*", ".splitwrite-*")
            for path in self.cache.glob(f"pelican/*/*/*/{pattern}")
        ]
        for leftover in (
            *self.cache.glob("jinja/*.tmp"),
            *self.cache.glob("images/*/.*"),
            *handed,
        ):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)

    def build(self, names: Iterable[str] | None = None) -> BuildReport:
        """Build the towns ``names`` (all when empty) under the project's lock; raises
        :class:`LockBusy` when another command holds it and waiting is off or too long."""
        with project_lock(self.cache, "build", wait=self.wait, limit=self.wait_limit):
            start = time.perf_counter()  # the time spent waiting is not the build's
            self.tidy()
            report = self._build(names)
        report.seconds = time.perf_counter() - start
        self.echo(summary_line(report))
        return report

    def _build(self, names: Iterable[str] | None) -> BuildReport:
        """The steps of a build: choose the towns, find those to build, check and build
        them, write the portal, then report on the output."""
        network = load_network(self.root)
        report = BuildReport(config_problems=list(network.problems))
        for problem in network.problems:
            self.echo(problem.format())
        town_ids = self.select(network, names)
        for town_id in town_ids:
            if town_id in network.broken:
                self.echo(
                    f"✗ {town_id}: not built, its settings file has errors (see above) / "
                    "не собран: ошибки в файле настроек (см. выше)"
                )
                report.towns.append(TownReport(town=town_id, ok=False))
        # neighbours are linked only when their site exists or is being built now
        self.published = {t for t in town_ids if t in network.towns} | {
            t for t in network.towns if (self.output / t / "index.html").exists()
        }
        self.state = BuildState(self.cache / "state.json")
        self.fingerprints = {}
        self.codes = {}
        self.git_dates = {}
        to_check = self._changed_towns(network, town_ids, report)
        (self.cache / "jinja").mkdir(parents=True, exist_ok=True)
        all_jobs: list[Job] = []
        for town in to_check:
            shutil.rmtree(self.stage_dir(town.id), ignore_errors=True)
            all_jobs.extend(self.jobs_for(town))
        for job in all_jobs:
            drop_other_versions(job.cache_path)
        self.check_and_build(network, to_check, all_jobs, report)
        # always: a town added, renamed or removed changes the portal (unchanged bytes
        # are not written again)
        report.config_problems.extend(self.write_portal(network))
        self._report_output(network, all_jobs, report)
        return report

    def _changed_towns(
        self, network: Network, town_ids: list[str], report: BuildReport
    ) -> list[Town]:
        """The towns to check and build: not too large (reported), and changed since
        their last build (the others are reported as skipped)."""
        to_check: list[Town] = []
        for town_id in town_ids:
            if town_id not in network.towns:
                continue
            town = network.towns[town_id]
            missing = not_pulled(town, self.root)
            if missing:
                self.show(town_id, missing)
                self.echo(
                    f"✗ {town_id}: not built, its content is not pulled yet (see above) / "
                    "не собран: его материалы ещё не получены (см. выше)"
                )
                report.towns.append(TownReport(town=town_id, ok=False, problems=missing))
                TownLog(self.cache / TOWN_LOG).built(town_id, False)
                continue
            # a folder of a million files is refused before anything walks all of it
            too_large = size_problems(town, self.root)
            if too_large:
                self.show(town_id, too_large)
                self.echo(
                    f"✗ {town_id}: not built, its content folder is too large (see "
                    f"above); the previous output/{town_id}/ is kept / не собран: папка "
                    f"материалов слишком велика (см. выше); прежний output/{town_id}/ "
                    "сохранён"
                )
                report.towns.append(TownReport(town=town_id, ok=False, problems=too_large))
                TownLog(self.cache / TOWN_LOG).built(town_id, False)
                continue
            fingerprint = town_fingerprint(
                network,
                town,
                self.published,
                self.code(town.theme),
                dates=self.dates(town).digest,
            )
            self.fingerprints[town_id] = fingerprint
            if (
                self.skip_unchanged
                and self.state.unchanged(town_id, fingerprint)
                and (self.output / town_id / "index.html").exists()
            ):
                report.towns.append(TownReport(town=town_id, ok=True, skipped=True))
                continue
            to_check.append(town)
        return to_check

    def _report_output(self, network: Network, jobs: list[Job], report: BuildReport) -> None:
        """Each built town's heaviest page, and (unless told not to) the output check of
        the built towns, from what each run noted of the pages it wrote (no page is read
        for links again), and of towns whose output has no kept check result; the kept
        findings of the other towns are said again (:mod:`gardarika.checks.lastcheck`), so
        that the summary and the exit code cover the whole output."""
        facts: pagefacts.Facts = {}
        built = set(report.built)
        for job in jobs:
            if job.town.id in built:
                folder = (
                    job.town.id
                    if job.lang == job.town.default_language
                    else f"{job.town.id}/{job.lang}"
                )
                facts.update(pagefacts.load(job.cache_path, folder))
        for weight in heaviest_pages(self.output, report.built, self.cache / "weights.json", facts):
            self.echo(weight_line(weight))
        kept = LastChecks(self.cache / "checks.json")
        if not self.check:
            kept.forget(report.built)  # changed unchecked: the next check looks again
            return
        check_start = time.perf_counter()
        # the towns rebuilt now, and those whose output has no kept check result
        published = [t for t in network.towns if (self.output / t / "index.html").is_file()]
        checked = sorted({*report.built, *(t for t in published if not kept.known(t))})
        report.findings = check_output(
            self.output,
            checked,
            {town_id for town_id, town in network.towns.items() if town.trust_html},
            facts,
        )
        kept.record(checked, report.findings)
        for finding in report.findings:
            self.echo(finding.format())
        # the other towns' output is as their last check found it
        earlier = kept.found(t for t in published if t not in checked)
        if earlier:
            towns = ", ".join(sorted({town_of(f) for f in earlier}))
            self.echo(
                f"Found by an earlier check and still there (towns not rebuilt now: "
                f"{towns}) / найдено прежней проверкой и всё ещё есть (города, не "
                f"пересобранные сейчас: {towns}):"
            )
            for finding in earlier:
                self.echo(finding.format())
        report.findings = [*report.findings, *earlier]
        self.echo(check_summary(report.findings, time.perf_counter() - check_start))

    def write_portal(self, network: Network) -> list[Problem]:
        """Render the portal, unless nothing it is made of changed since it was last
        rendered; a broken portal template is reported, not raised."""
        fingerprint = portal_fingerprint(network, self.output, self.code(network.config.theme))
        if (
            self.state.unchanged(PORTAL_KEY, fingerprint)
            and (self.output / "index.html").is_file()
            and (self.output / "theme").is_dir()
        ):
            return []
        try:
            render_portal(network, self.output)
        except (jinja2.TemplateError, OSError) as exc:
            problem = explain_exception(exc, f"themes/{network.config.theme}", None)
            self.echo(problem.format())
            self.state.record(PORTAL_KEY, None)
            return [problem]
        self.state.record(PORTAL_KEY, fingerprint)
        return []

    def over_budget(self, town: Town) -> list[Problem]:
        """The whole new site (pictures, feeds and the search index too, which are not
        counted while pages are written) within its languages' output budget."""
        budget = output_budget(town.content) * len(town.languages)
        if folder_size(self.stage_dir(town.id) / "site") <= budget:
            return []
        error = OutputTooLarge(budget)
        return [error.problem(display_path(town.content, self.root))]

    def show(self, town: str, problems: list[Problem]) -> None:
        """Print a town's problems, errors first, at most :data:`SHOWN_PER_TOWN`: one
        town with thousands of files cannot bury the others' messages. Of each group of
        notes that can come by the hundred (``Problem.group``) the first
        :data:`SHOWN_PER_GROUP` are shown and the rest counted, unless ``verbose``."""
        folded: dict[str, int] = {}
        if not self.verbose:
            kept: list[Problem] = []
            for problem in problems:
                group = problem.group
                if group and problem.severity != "error":
                    folded[group] = folded.get(group, 0) + 1
                    if folded[group] > SHOWN_PER_GROUP:
                        continue
                kept.append(problem)
            problems = kept
            folded = {g: n - SHOWN_PER_GROUP for g, n in folded.items() if n > SHOWN_PER_GROUP}
        errors = [p for p in problems if p.severity == "error"]
        shown = (errors + [p for p in problems if p.severity != "error"])[:SHOWN_PER_TOWN]
        for problem in sorted(shown, key=lambda p: (p.file, p.line or 0)):
            self.echo(problem.format())
        for group, count in sorted(folded.items()):
            what = PROBLEM_GROUPS.get(group, Message("notes like these", "таких замечаний"))
            self.echo(
                f"{town}: {count} more {what.en} (the first {SHOWN_PER_GROUP} are above); "
                f"“./gardarika.sh build --site {town} --force --verbose” lists them all / "
                f"ещё {count}: {what.ru} (первые {SHOWN_PER_GROUP} — выше); все покажет "
                f"«./gardarika.sh build --site {town} --force --verbose»"
            )
        more = len(problems) - len(shown)
        if more:
            self.echo(
                f"{town}: {more} more problems not shown; “invoke lint --site {town}” "
                f"lists them all / ещё проблем: {more}; все покажет «invoke lint "
                f"--site {town}»"
            )

    def finish_town(self, town: Town, results: list[RunResult]) -> TownReport:
        """Settle a town whose runs are done: the last look at its staged site, then
        publish it (or keep the previous one), say so, and record its fingerprint."""
        problems = _unique(p for r in results for p in r.problems)
        problems.extend(self._last_look(town))
        self.show(town.id, problems)
        ok = all(r.ok for r in results) and not any(p.severity == "error" for p in problems)
        changed = 0
        if ok:
            changed, assembly = self._put_in_place(town)
            problems.extend(assembly)
            ok = not assembly
        if not ok:
            shutil.rmtree(self.stage_dir(town.id), ignore_errors=True)
            self.echo(
                f"✗ {town.id}: build failed; the previous output/{town.id}/ is kept "
                f"/ сборка не удалась; прежний output/{town.id}/ сохранён"
            )
        else:
            self.echo(
                f"✓ {town.id}: built, {changed} files changed / собран, изменено файлов: {changed}"
            )
        # only now, with the new output in place: killed before this line, the next
        # build finds the old fingerprint and builds the town again
        self.state.record(town.id, self.fingerprints.get(town.id) if ok else None)
        TownLog(self.cache / TOWN_LOG).built(town.id, ok)
        return TownReport(
            town=town.id,
            ok=ok,
            pages=sum(r.pages for r in results),
            problems=problems,
            changed=changed if ok else 0,
        )

    def _last_look(self, town: Town) -> list[Problem]:
        """What keeps a staged site from being published: a link leading outside the
        town, the whole site over its budget, a feed that is not XML."""
        staged = self.stage_dir(town.id) / "site"
        problems = [
            symlink_problem(link, os.path.relpath(link.path, self.root))
            for link in outside_symlinks(staged)
        ]
        problems.extend(self.over_budget(town))
        # every feed really XML: one odd character in a title breaks it for every reader
        problems.extend(
            Problem.at(
                display_path(self.output / town.id / bad.path, self.root), bad.message, bad.line
            )
            for bad in bad_xml(staged)
        )
        return problems

    def _put_in_place(self, town: Town) -> tuple[int, list[Problem]]:
        """Publish the staged site: the files changed, or why it could not be done."""
        try:
            return self.publish(town), []
        except OSError as exc:
            problem = Problem(
                file=display_path(self.output / town.id, self.root),
                en=f"the new site could not be put in place ({exc.strerror}: "
                f"{exc.filename}). Check that the folder is writable and the disk "
                "is not full.",
                ru=f"не удалось записать новый сайт ({exc.strerror}: {exc.filename}). "
                "Проверьте, что в папку можно писать и диск не заполнен.",
            )
            self.echo(problem.format())
            return 0, [problem]


def stopped_problem(
    outcome: Outcome,
    content_shown: str,
    what_en: str,
    what_ru: str,
    time_limit: float,
    memory_limit: int | None,
) -> Problem:
    """The problem of a town's process that gave no result (killed at the time limit,
    out of memory, crashed), named at the file it was reading when that is known."""
    file = outcome.at or content_shown
    reading_en = f" while reading {outcome.at}" if outcome.at else ""
    reading_ru = f" при чтении {outcome.at}" if outcome.at else ""
    if outcome.timed_out:
        minutes = f"{time_limit / 60:g}"
        return Problem(
            file=file,
            en=f"{what_en} took longer than {minutes} minutes{reading_en} and was stopped; "
            "the previous site is kept. Look at the files changed last: a very large "
            "or unusual file can make it work without end. (The limit: "
            "“--time-limit”.)",
            ru=f"{what_ru} шла дольше {minutes} мин{reading_ru} и была остановлена; "
            "прежний сайт сохранён. Посмотрите на последние изменённые файлы: очень "
            "большой или необычный файл может заставить сборку работать без конца. "
            "(Предел задаёт «--time-limit».)",
        )
    if outcome.out_of_memory or (died(outcome) and outcome.exit_code == -9):
        limit = f"{(memory_limit or 0) / 1024 / 1024:.0f} MB" if memory_limit else "all"
        return Problem(
            file=file,
            en=f"{what_en} needed more than {limit} of memory{reading_en} and was "
            "stopped; the previous site is kept. A file that expands to very much "
            "(a huge picture, a text repeated by YAML anchors) can do this: make it "
            "smaller. (The limit: “--memory-limit”.)",
            ru=f"{what_ru} потребовала больше {limit} памяти{reading_ru} и была "
            "остановлена; прежний сайт сохранён. Так бывает с файлом, который "
            "разворачивается во что-то огромное (очень большая картинка, текст, "
            "размноженный якорями YAML): уменьшите его. (Предел задаёт "
            "«--memory-limit».)",
        )
    if outcome.error:
        return Problem(
            file=file,
            en=f"{what_en} stopped{reading_en}: {outcome.error}",
            ru=f"{what_ru} прервалась{reading_ru}: {outcome.error}",
        )
    return Problem(
        file=file,
        en=f"{what_en} stopped unexpectedly{reading_en} (exit code {outcome.exit_code}); "
        "the previous site is kept.",
        ru=f"{what_ru} неожиданно завершилась{reading_ru} (код {outcome.exit_code}); "
        "прежний сайт сохранён.",
    )


@functools.cache
def warm_up_runs() -> None:
    """What every run would otherwise do on its own, done once in this process before
    the first is forked: the modules Gardarika's plugins use imported, and Markdown's
    extensions imported with their patterns compiled
    (:func:`gardarika.build.prefetch.warm_up`). A build of 20 towns in two languages forks
    40 runs; each would spend about 0.1 s on this. Done once per process (cached)."""
    import gardarika.build.splitwrite
    import gardarika.render.collation
    import gardarika.render.outputwalk
    import gardarika.render.pagepass
    import gardarika.render.searchindex
    import gardarika.render.typography  # noqa: F401
    from gardarika.build import prefetch
    from gardarika.content.markdown import markdown_settings

    prefetch.warm_up({"MARKDOWN": markdown_settings()})


def drop_other_versions(cache_path: Path) -> None:
    """Remove the content caches that earlier versions of the code left beside
    ``cache_path`` (``.cache/pelican/<town>/<lang>/<code>``): they are never read again
    and would pile up with every update."""
    try:
        siblings = [p for p in cache_path.parent.iterdir() if p.name != cache_path.name]
    except OSError:
        return
    for old in siblings:
        shutil.rmtree(old, ignore_errors=True)


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    """Every language's run reads all files: report each problem once."""
    seen: dict[Problem, None] = {}
    for problem in problems:
        seen.setdefault(problem, None)
    return list(seen)


def summary_line(report: BuildReport) -> str:
    failed = report.failed
    changed = sum(t.changed for t in report.towns)
    return (
        f"Towns built: {len(report.built)}, unchanged: {len(report.skipped)}, failed: "
        f"{len(failed)}{' (' + ', '.join(failed) + ')' if failed else ''}; "
        f"pages written: {report.pages}, files changed: {changed}; "
        f"{report.seconds:.1f} s\n"
        f"Собрано городов: {len(report.built)}, без изменений: {len(report.skipped)}, с "
        f"ошибками: {len(failed)}; записано страниц: {report.pages}, изменено файлов: "
        f"{changed}; {report.seconds:.1f} с"
    )
