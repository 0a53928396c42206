"""Reading a town's texts on more than one core.

Pelican reads a town's texts one after another in one process, and reading (Markdown,
cleaning, typography) is most of a long-form town's build. When the machine has cores
that no other run of this build uses, the run forks helpers as it starts reading:
each helper reads texts exactly as the run would (Pelican's reader, every plugin).
The run reads from the first text on; the first helper from the last text back, until
the two meet, wherever that is (a text that is slower than its size says, or another
process on the machine, moves the meeting, never leaves a core waiting for long). With
more helpers, the others read fixed shares (split by size) after the first helper's.
A helper hands back what Pelican's reader cache keeps for each text and the results
kept by :mod:`gardarika.build.memo`; the run takes them when it reaches the helper's texts,
so its own reading of those texts finds everything computed.

Nothing a helper does can change the result, only its speed: what it hands back is
keyed by file (with the file's time, as Pelican's cache checks) or by the digest of an
input. A helper that fails, takes too long or dies is ignored and the run reads its
share itself, with the usual messages. Each text is read within its time budget in
the helper too; a helper never talks to the build's parent process, and stops when
its run is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import mmap
import os
import pickle
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pelican.cache import FileDataCacher

from gardarika.build import isolation, memo

#: how long a run waits for a helper beyond the time its own share took
PATIENCE_SECONDS = 60.0


class _Meeting:
    """Where the run and the helper reading back towards it meet: three numbers in
    memory both processes share (each read and written whole). ``claimed``: the
    lowest index the helper has started reading; ``reached``: the run has started
    every text below it; ``stop``: the run asks the helper to end after its text.

    Each checks the other's number before a text, so they cannot miss each other by
    more than one text, which both then read (the same result twice, never a wrong
    one)."""

    def __init__(self, end: int) -> None:
        self._memory = mmap.mmap(-1, 3 * ctypes.sizeof(ctypes.c_int32))
        self._claimed = ctypes.c_int32.from_buffer(self._memory, 0)
        self._reached = ctypes.c_int32.from_buffer(self._memory, 4)
        self._stop = ctypes.c_int32.from_buffer(self._memory, 8)
        self._claimed.value = end

    def run_reaches(self, index: int) -> bool:
        """In the run, before reading text ``index``: note it, and tell whether the
        helper has started it (then the run takes the helper's results first)."""
        self._reached.value = index + 1
        return self._claimed.value <= index

    def stop(self) -> None:
        self._stop.value = 1

    def helper_claims(self, index: int) -> bool:
        """In the helper, before reading text ``index``: whether it is still free (the
        run has not reached it, nor asked the helper to stop); if so, it is claimed."""
        if self._stop.value or index < self._reached.value:
            return False
        self._claimed.value = index
        return True


@dataclass
class _Helper:
    pid: int
    result: str
    first: int  # index of its first file in the reading order
    files: list[str] = field(default_factory=list)
    taken: bool = False
    #: for the helper reading back towards the run: where they meet
    meeting: _Meeting | None = None


@dataclass
class _Plan:
    helpers: list[_Helper]
    reads: int = 0
    started: float = field(default_factory=time.monotonic)


def shares(sizes: list[int], parts: int, own: float = 1.0) -> list[int]:
    """The start index of each of ``parts`` consecutive shares of ``sizes``: the first
    (the run's own) ``own`` times as large as each of the others, which are equal."""
    total = sum(sizes)
    unit = total / (own + parts - 1) if parts > 1 else total
    bounds = [own * unit + k * unit for k in range(parts - 1)]
    starts = [0]
    done = 0
    for index, size in enumerate(sizes):
        if len(starts) < parts and done >= bounds[len(starts) - 1]:
            starts.append(index)
        done += size
    return starts


def _die_with(parent: int) -> None:
    """Have the kernel stop this helper when its run's process dies (a run stopped at
    its time limit must leave nothing running); Linux only, else checked between texts."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _become_helper(parent: int, log: logging.Handler) -> None:
    """In a freshly forked helper: die with the run, and :func:`_quiet`."""
    _die_with(parent)
    _quiet(log)


def _quiet(log: logging.Handler) -> None:
    """In a helper: tell the build's parent nothing (it hears from the run only) and
    log into ``log`` alone."""
    isolation.silence()
    logging.getLogger().handlers[:] = [log]


def _ended_well(pid: int, deadline: float) -> bool:
    """Whether the helper ``pid`` ended, and ended well, by ``deadline``; one still
    running then is stopped."""
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status) == 0
        time.sleep(0.005)
    _stop(pid)
    return False


def _stop(pid: int) -> None:
    """Stop the helper ``pid``, done or not, and reap it."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)


def _handed_back(path: str, ended_well: bool) -> Any:
    """What a helper that ended well pickled into ``path``; None when it did not, or
    the file is missing or damaged. The file is removed either way."""
    try:
        if ended_well:
            with open(path, "rb") as source:
                return pickle.load(source)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
        pass
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    return None


class _ReaderLog(logging.Handler):
    """In a helper: what Pelican's reader logs about a text (a metadata key written
    twice, say). Pelican says it only when it reads the text; the run takes the text
    from the cache, so the helper hands these back to be said by the run."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.reading = False
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if self.reading:
            self.records.append(_portable(record))


def _portable(record: logging.LogRecord) -> logging.LogRecord:
    """``record`` as plain data that pickles (its arguments as text, no traceback)."""
    args = record.args
    if isinstance(args, tuple):
        record.args = tuple(a if isinstance(a, (str, int, float)) else str(a) for a in args)
    elif args is not None:
        record.args = None
        record.msg = record.getMessage()
    record.msg = str(record.msg)
    record.exc_info = None
    return record


def _compile_theme_aside(generator: Any) -> None:
    """In the first helper, before it reads: the theme's templates compiled into the
    build's shared bytecode cache, so that the run, which would compile them when it
    starts writing (after all reading), loads them ready-made instead. The helper reads
    that much less of the run's share (they meet where they meet), so the compiling
    leaves the run's path. Without a bytecode cache nothing is done: the result would
    stay in this process."""
    environment = getattr(generator, "env", None)
    if getattr(environment, "bytecode_cache", None) is None:
        return
    from gardarika.build.splitwrite import compile_theme

    with contextlib.suppress(Exception):  # only time is at stake
        compile_theme(environment)


def _read_share(
    generator: Any,
    content_class: Any,
    files: list[str],
    result: str,
    parent: int,
    meeting: _Meeting | None = None,
) -> None:
    """In the helper: read ``files`` as the run would and write what was computed: for
    each text, the stamp its file had before it was read (an edit saved meanwhile makes
    the run read it again), what Pelican's reader cache keeps, and what the reader
    logged. With a ``meeting`` (``files`` then start at the run's first text), from the
    last text back until the run is met."""
    log = _ReaderLog()
    _quiet(log)
    readers = generator.readers
    for reader in set(readers.readers.values()):
        read = reader.read

        def reading(path: Any, _read: Any = read) -> Any:
            log.reading = True
            try:
                return _read(path)
            finally:
                log.reading = False

        with contextlib.suppress(AttributeError, TypeError):
            reader.read = reading
    cached: dict[str, Any] = {}
    order = range(len(files) - 1, -1, -1) if meeting is not None else range(len(files))
    for index in order:
        name = files[index]
        if os.getppid() != parent:
            break  # the run is gone
        if meeting is not None and not meeting.helper_claims(index):
            break  # the run has come this far: the rest is its own
        path = os.path.abspath(os.path.join(generator.path, name))
        stamp = readers._get_file_stamp(path)
        log.records = []
        try:
            readers.read_file(
                base_path=generator.path,
                path=name,
                content_class=content_class,
                context=generator.context,
            )
        except BaseException:  # the run reads it again and says what is wrong
            continue
        data = readers.get_cached_data(path, None)
        if data is not None:
            cached[path] = (stamp, data, log.records)
    with open(result, "wb") as out:
        pickle.dump((cached, memo.snapshot()), out, protocol=pickle.HIGHEST_PROTOCOL)


#: a text that makes Markdown's extensions do their first-time work (see warm_up)
_WARM_UP_TEXT = (
    "# Title\n\nText with *emphasis*, ~~strike~~, ==mark==, :smile:, "
    "https://example.org and a [link](https://example.org).\n\n"
    "- [x] item\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n!!! note\n    Note.\n"
)


def warm_up(settings: dict[str, Any]) -> None:
    """What every process that reads texts does once, done once before the helpers
    are forked so that they share it instead of each doing it again: Markdown's
    extensions are imported, their patterns compiled (Python keeps them per process)
    and their tables loaded. Nothing here is needed for the result."""
    from markdown import Markdown

    config = dict(settings.get("MARKDOWN") or {})
    config.setdefault("extensions", list(config.get("extension_configs") or ()))
    with contextlib.suppress(Exception):
        Markdown(**config).convert(_WARM_UP_TEXT)


class Prefetcher:
    """Forks ``helpers`` helpers when a generator starts reading (its first
    ``*_preread`` signal) and takes their results as the run reaches their shares."""

    def __init__(self, helpers: int) -> None:
        self.helpers = helpers
        self.plans: dict[int, _Plan] = {}

    def preread(
        self, generator: Any, paths_setting: str, excludes_setting: str, content_class: Any
    ) -> None:
        """Called before each text is read (this runs inside Pelican's reading of the
        text: nothing may escape from here, or the text would fail)."""
        plan = self.plans.get(id(generator))
        try:
            if plan is None:
                plan = self.plans[id(generator)] = _Plan(helpers=[])
                plan = self.plans[id(generator)] = self._start(
                    generator, paths_setting, excludes_setting, content_class
                )
            for helper in plan.helpers:
                if helper.taken:
                    continue
                if (
                    helper.meeting.run_reaches(plan.reads)
                    if helper.meeting is not None
                    else plan.reads >= helper.first
                ):
                    self._take(generator, plan, helper)
        except Exception:  # no fork, no child: the run reads every text itself
            logging.getLogger(__name__).debug("reading ahead stopped", exc_info=True)
        if plan is not None:
            plan.reads += 1

    def _start(
        self, generator: Any, paths_setting: str, excludes_setting: str, content_class: Any
    ) -> _Plan:
        settings = generator.settings
        files = list(
            generator.get_files(settings[paths_setting], exclude=settings[excludes_setting])
        )
        readers = generator.readers
        sizes = []
        for name in files:
            path = os.path.abspath(os.path.join(generator.path, name))
            fresh = readers.get_cached_data(path, None) is not None
            try:
                sizes.append(0 if fresh else os.path.getsize(path))
            except OSError:
                sizes.append(0)
        plan = _Plan(helpers=[])
        if self.helpers < 1 or sum(sizes) < 256 * 1024:
            return plan  # little to read: helpers would cost more than they save
        # the run and the first helper share the first two shares, meeting where they
        # do; any further helper reads a fixed share of its own
        starts = shares(sizes, self.helpers + 1)
        starts = [0, *starts[2:]]
        folder = settings.get("CACHE_PATH") or tempfile.gettempdir()
        os.makedirs(folder, exist_ok=True)
        warm_up(settings)
        parent = os.getpid()
        for number, first in enumerate(starts):
            end = starts[number + 1] if number + 1 < len(starts) else len(files)
            share = files[first:end]
            if not share:
                continue
            meeting = _Meeting(len(share)) if number == 0 else None
            handle, result = tempfile.mkstemp(prefix=".prefetch-", dir=folder)
            os.close(handle)
            pid = os.fork()
            if pid == 0:  # the helper
                code = 1
                try:
                    _die_with(parent)
                    if number == 0:
                        _compile_theme_aside(generator)
                    _read_share(generator, content_class, share, result, parent, meeting)
                    code = 0
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            plan.helpers.append(
                _Helper(pid=pid, result=result, first=first, files=share, meeting=meeting)
            )
        return plan

    def _take(self, generator: Any, plan: _Plan, helper: _Helper) -> None:
        """Wait for ``helper`` (not for ever) and take what it computed."""
        helper.taken = True
        if helper.meeting is not None:
            helper.meeting.stop()  # the text it reads now is its last
        waited = time.monotonic() - plan.started
        ended_well = _ended_well(helper.pid, time.monotonic() + waited + PATIENCE_SECONDS)
        handed = _handed_back(helper.result, ended_well)
        if handed is None:
            return  # the run reads the share itself
        try:
            cached, stores = handed
            readers = generator.readers
            for path, (stamp, data, records) in cached.items():
                # with the stamp the file had when the helper read it (not now)
                FileDataCacher.cache_data(readers, path, (stamp, data))
                say(records)
            memo.merge(stores)
        except (OSError, AttributeError, ValueError, TypeError):
            pass  # not what a helper hands back: the run reads the share itself

    def finish(self) -> None:
        """Stop and forget helpers whose shares were never reached."""
        for plan in self.plans.values():
            for helper in plan.helpers:
                if not helper.taken:
                    _stop(helper.pid)
                    with contextlib.suppress(OSError):
                        os.unlink(helper.result)
        self.plans.clear()


class Beside:
    """``work`` done in a forked helper while the run goes on (on a core no other run
    uses). :meth:`wait` says whether it was done there; if not (it failed, took too
    long or died), the run does it itself."""

    def __init__(self, work: Callable[[], None]) -> None:
        self.started = time.monotonic()
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:  # the helper
            code = 1
            try:
                _become_helper(parent, logging.NullHandler())
                work()
                code = 0
            except BaseException:
                code = 1
            finally:
                os._exit(code)

    def wait(self, patience: float | None = None) -> bool:
        patience = PATIENCE_SECONDS if patience is None else patience
        return _ended_well(self.pid, time.monotonic() + patience)

    def stop(self) -> None:
        """Stop the helper, done or not (what it did is not needed any more)."""
        _stop(self.pid)


class _Collected(logging.Handler):
    """In a helper: every warning and error, to be said by the run."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(_portable(record))


class Handing(Beside):
    """``work()`` done in a forked helper, its result (plain data) and what it logged
    handed back through a file in ``folder``: :meth:`result` gives them, or None when
    the helper failed, died or took too long (the run then does the work itself)."""

    def __init__(self, work: Callable[[], Any], folder: str) -> None:
        handle, self.path = tempfile.mkstemp(prefix=".helper-", dir=folder)
        os.close(handle)

        def hand_back() -> None:
            log = _Collected()
            logging.getLogger().handlers[:] = [log]
            value = work()
            with open(self.path, "wb") as out:
                pickle.dump((value, log.records), out, protocol=pickle.HIGHEST_PROTOCOL)

        super().__init__(hand_back)

    def result(self, patience: float | None = None) -> tuple[Any, list[logging.LogRecord]] | None:
        handed = _handed_back(self.path, self.wait(patience))
        if isinstance(handed, tuple) and len(handed) == 2 and isinstance(handed[1], list):
            return handed
        return None


def say(records: list[logging.LogRecord]) -> None:
    """Say in this process what a helper logged, through the same filters as what the
    run logs itself: Pelican's drop a message said before (or past its limit) by
    raising, which only its own logging call expects; here such a record is dropped."""
    try:
        from pelican.log import FilteredMessage
    except ImportError:  # pragma: no cover - a Pelican without it filters quietly
        FilteredMessage = ()
    for record in records:
        logger = logging.getLogger(record.name)
        if logger.disabled:
            continue
        try:
            passed = logger.filter(record)
        except FilteredMessage:
            continue
        if passed:
            logger.callHandlers(record)


def helpers_of(settings: dict[str, Any]) -> int:
    """How many helpers this run may fork (cores no other run of the build uses)."""
    try:
        return max(0, int((settings.get("GARDARIKA") or {}).get("helpers", 0)))
    except (TypeError, ValueError):
        return 0


def install(helpers: int) -> Prefetcher | None:
    """Connect a :class:`Prefetcher` with ``helpers`` helpers to this process's
    Pelican (call in the run's own process, before Pelican starts)."""
    if helpers < 1 or not hasattr(os, "fork"):
        return None
    from pelican import signals
    from pelican.contents import Article, Page

    prefetcher = Prefetcher(helpers)

    def articles(generator: Any) -> None:
        prefetcher.preread(generator, "ARTICLE_PATHS", "ARTICLE_EXCLUDES", Article)

    def pages(generator: Any) -> None:
        prefetcher.preread(generator, "PAGE_PATHS", "PAGE_EXCLUDES", Page)

    signals.article_generator_preread.connect(articles, weak=False)
    signals.page_generator_preread.connect(pages, weak=False)
    return prefetcher
