"""Writing a town's pages on two cores.

Pelican renders its pages one after another in one process, and for a town of a few
thousand pages (articles, tag and category listings, archives) rendering the theme is
a large share of the build. When the run has a helper (a core no other run of this
build uses, see :mod:`gardarika.build.prefetch`), the run forks one as it writes its first
page. Both then go through Pelican's writing in step, calling the writer in the same
order; the run renders the calls with even numbers, the helper those with odd numbers
(every page of a paginated listing is rendered by whoever has its call). Feeds are
written by the run alone.

When the pages are written (Pelican's ``page_writer_finalized``), the helper hands back
what it did and stops: each file it opened for writing (with Pelican's ``override``
flag), what it logged, and the results it kept in :mod:`gardarika.build.memo`. The run takes
them as if it had written those pages itself: it says what the helper logged, counts
the helper's pages (page count, output budget) and applies Pelican's rule for a file
written twice over the calls of both, in their order, so that a clash fails the build
exactly as it would have, and the page that Pelican would have kept is the one kept.

Nothing the helper does can change the result, only its speed: a helper that fails,
dies or takes too long is ignored and the run renders the helper's calls itself, in
order, with the usual messages.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from gardarika.build import memo
from gardarika.build.portal import PORTAL_TEMPLATE
from gardarika.build.prefetch import (
    PATIENCE_SECONDS,
    _become_helper,
    _Collected,
    _ended_well,
    _handed_back,
    _stop,
    say,
)

#: fewer texts than this are written faster than a helper starts
SMALLEST_RUN = 30

#: the key of the context with which the run tells ``content_written`` about a page the
#: helper wrote: the checks that look at the page itself were made in the helper
WRITTEN_BY_HELPER = "GARDARIKA_WRITTEN_BY_HELPER"

# Pelican's messages for a file written twice (pelican.writers.Writer._open_w)
_TWICE_OVERRIDDEN = 'Failed to overwrite "{}" a second time (was previously overwritten)'
_ALREADY_WRITTEN = (
    'Failed to overwrite "{}" as Pelican has already written to it previously '
    "(set `override=True` if intended)"
)


@dataclass
class _Call:
    method: str  # "write_file" or "write_feed"
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


def args_template(call: _Call) -> Any:
    """The template of a ``write_file`` call (its second argument)."""
    return call.args[1] if len(call.args) > 1 else call.kwargs.get("template")


def compile_templates(template: Any) -> None:
    """Compile the theme's templates before the helper is forked, so that the run and
    the helper share them instead of each compiling them (a tenth of a second or more);
    Jinja would compile each on its first use."""
    compile_theme(getattr(template, "environment", None))


def compile_theme(environment: Any) -> None:
    """Compile the theme's templates in ``environment`` (with a bytecode cache, Jinja
    also keeps them there, where any run's environment loads them instead of compiling
    them). Pelican's own templates (``!simple/…``, ``!theme/…``) are left to their first
    use, and the portal's is no town's page."""
    if environment is None:
        return
    try:
        names = environment.list_templates(extensions=["html"])
    except Exception:
        return
    for name in names:
        if not name.startswith("!") and name != PORTAL_TEMPLATE:
            with contextlib.suppress(Exception):  # an error is reported where it is used
                environment.get_template(name)


@dataclass
class Splitter:
    """The state of one run's split writing (one per run: the run is a process)."""

    helpers: int
    calls: list[_Call] = field(default_factory=list)
    #: (call number, file, override) for every file this process opened for writing
    opened: list[tuple[int, str, bool]] = field(default_factory=list)
    #: "undecided", "alone" (no split), "run", "helper", "done"
    mode: str = "undecided"
    pid: int = 0  # the helper's, in the run
    result: str = ""  # where the helper hands back what it did
    started: float = 0.0
    context: dict[str, Any] | None = None
    writer: Any = None
    log: _Collected | None = None
    asked: dict[str, set[str]] = field(default_factory=dict)
    current: int = -1  # the number of the call being written

    # -- the writer's calls -------------------------------------------------------

    def call(self, writer: Any, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """One call of the writer, done here or left to the other process."""
        from pelican.writers import Writer

        number = len(self.calls)
        self.calls.append(_Call(method, args, kwargs))
        if self.mode == "undecided" and method == "write_file":
            self.context = args[2] if len(args) > 2 else kwargs.get("context")
            self._start(writer)
        if self.mode == "helper" and (number % 2 == 0 or method == "write_feed"):
            return None  # the run's
        if self.mode == "run" and number % 2 == 1 and method == "write_file":
            return None  # the helper's: taken at join()
        self.current = number
        return getattr(Writer, method)(writer, *args, **kwargs)

    def note_open(self, path: str, override: bool) -> None:
        self.opened.append((self.current, path, override))

    # -- starting -------------------------------------------------------------------

    def _start(self, writer: Any) -> None:
        self.mode = "alone"
        context = self.context or {}
        texts = len(context.get("articles") or ()) + len(context.get("pages") or ())
        if self.helpers < 1 or not hasattr(os, "fork") or texts < SMALLEST_RUN:
            return
        folder = writer.settings.get("CACHE_PATH") or tempfile.gettempdir()
        try:
            os.makedirs(folder, exist_ok=True)
            handle, self.result = tempfile.mkstemp(prefix=".splitwrite-", dir=folder)
            os.close(handle)
            parent = os.getpid()
            compile_templates(args_template(self.calls[-1]))
            self.asked = memo.asked_now()
            self.started = time.monotonic()
            pid = os.fork()
        except OSError:
            return
        if pid:
            self.pid, self.mode = pid, "run"
            return
        # the helper: it stops at join(); should anything make it leave Pelican's run
        # instead, the worker ends it (worker.run_pelican checks its own process id)
        self.mode = "helper"
        self.opened = []  # what the run wrote before (its feeds) is the run's to hand on
        self.log = _Collected()
        _become_helper(parent, self.log)

    # -- joining ------------------------------------------------------------------

    def join(self, *_: Any, **__: Any) -> None:
        """When Pelican has written the pages: the helper hands back and stops; the
        run takes what it handed back, or renders the helper's calls itself."""
        if self.mode == "helper":
            self._hand_back()
        if self.mode != "run":
            return
        self.mode = "done"
        handed = self._wait()
        if handed is None:
            self._write_helpers_calls()
            return
        opened, records, results = handed
        say(records)
        memo.take(results)
        self._settle(opened)

    def _hand_back(self) -> None:
        code = 1
        try:
            records = self.log.records if self.log else []
            data = (self.opened, records, memo.asked_since(self.asked))
            with open(self.result, "wb") as out:
                pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        except BaseException:
            code = 1
        finally:
            os._exit(code)

    def _wait(self) -> tuple[Any, Any, Any] | None:
        """What the helper handed back; None if it failed, died or took too long."""
        waited = time.monotonic() - self.started
        try:
            ended_well = _ended_well(self.pid, time.monotonic() + waited + PATIENCE_SECONDS)
        except OSError:
            ended_well = False
        self.pid = 0
        handed = _handed_back(self.result, ended_well)
        if (
            isinstance(handed, tuple)
            and len(handed) == 3
            and isinstance(handed[0], list)
            and isinstance(handed[1], list)
        ):
            return handed
        return None

    def _write_helpers_calls(self) -> None:
        """The helper gave nothing: write its calls here, in order."""
        from pelican.writers import Writer

        for number, call in enumerate(self.calls):
            if number % 2 == 1 and call.method == "write_file":
                self.current = number
                Writer.write_file(self.writer, *call.args, **call.kwargs)

    def _settle(self, opened: list[tuple[int, str, bool]]) -> None:
        """Take the files the helper wrote as written here."""
        from pelican import signals
        from pelican.writers import FileOverwriteFailedError, Writer

        writer = self.writer
        mine = {path for _, path, _ in self.opened}
        theirs = {path for _, path, _ in opened}
        both = mine & theirs
        if both:
            # Pelican's rule over the calls of both, in their order: a clash fails as
            # it would have; else the call whose file Pelican would keep writes it again
            written: set[str] = set()
            overridden: set[str] = set()
            keeper: dict[str, int] = {}
            for number, path, override in sorted(self.opened + opened, key=lambda o: o[0]):
                if path in overridden:
                    if override:
                        raise FileOverwriteFailedError(_TWICE_OVERRIDDEN.format(path))
                    continue
                if path in written and not override:
                    raise FileOverwriteFailedError(_ALREADY_WRITTEN.format(path))
                if override:
                    overridden.add(path)
                written.add(path)
                keeper[path] = number
            again = sorted({keeper[path] for path in both})
            saved = writer._written_files, writer._overridden_files
            try:
                with signals.content_written.muted():
                    for number in again:
                        writer._written_files, writer._overridden_files = set(), set()
                        call = self.calls[number]
                        self.current = number
                        Writer.write_file(writer, *call.args, **call.kwargs)
            finally:
                writer._written_files, writer._overridden_files = saved
        for _, path, override in opened:
            if override:
                writer._overridden_files.add(path)
            writer._written_files.add(path)
        told = {"GARDARIKA": (self.context or {}).get("GARDARIKA"), WRITTEN_BY_HELPER: True}
        for path in dict.fromkeys(path for _, path, _ in opened):
            signals.content_written.send(path, context=told)

    def stop(self) -> None:
        """Stop a helper that is still running (the run failed, or is done with it)."""
        if self.pid:
            _stop(self.pid)
            self.pid = 0
            with contextlib.suppress(OSError):
                os.unlink(self.result)


def writer_class(splitter: Splitter) -> type:
    """Pelican's writer, with its calls going through ``splitter``."""
    from pelican.writers import Writer

    class SplitWriter(Writer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            splitter.writer = self

        def write_file(self, *args: Any, **kwargs: Any) -> Any:
            return splitter.call(self, "write_file", args, kwargs)

        def write_feed(self, *args: Any, **kwargs: Any) -> Any:
            return splitter.call(self, "write_feed", args, kwargs)

        def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
            splitter.note_open(filename, override)
            return super()._open_w(filename, encoding, override)

    return SplitWriter


def install(helpers: int) -> Splitter | None:
    """Have this process's Pelican write through a :class:`Splitter` (call in the
    run's own process, before Pelican starts, so that the helper stops before any
    plugin hears that the pages are written)."""
    if helpers < 1 or not hasattr(os, "fork"):
        return None
    from pelican import signals

    splitter = Splitter(helpers)
    cls = writer_class(splitter)

    def get_writer(pelican: Any) -> type:
        return cls

    signals.get_writer.connect(get_writer, weak=False)
    signals.page_writer_finalized.connect(splitter.join, weak=False)
    return splitter
