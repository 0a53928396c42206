"""One Pelican run: a town in one language, in the current (freshly forked) process.

Pelican keeps global state (signals, settings, locale, plugin registrations), so every
(town, language) runs in a process of its own that is thrown away afterwards. The parent
has already imported Pelican, Markdown and Jinja before forking, so each run starts
without paying for those imports again.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gardarika.build.pelican_log import CollectingHandler, explain_exception, problem_from_record
from gardarika.errors import Problem


@dataclass
class RunResult:
    """What one run sends back to the parent (plain data, so it pickles)."""

    town: str
    lang: str
    pages: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def run_pelican(town: str, lang: str, settings: dict[str, Any], content_shown: str) -> RunResult:
    """Run Pelican with ``settings`` and collect its problems; never raises."""
    from pelican import Pelican, signals
    from pelican.settings import read_settings

    from gardarika.build import pelican_cache, prefetch, splitwrite

    pelican_cache.install()  # this process only: it is thrown away after the run
    helpers = int((settings.get("GARDARIKA") or {}).get("helpers", 0))
    prefetcher = prefetch.install(helpers)
    splitter = splitwrite.install(helpers)
    me = os.getpid()
    start = time.perf_counter()
    result = RunResult(town=town, lang=lang)
    handler = CollectingHandler()
    root_logger = logging.getLogger()
    root_logger.handlers[:] = [handler]
    root_logger.setLevel(logging.WARNING)
    written: list[str] = []

    def count_written(path: str, context: Any = None) -> None:
        written.append(path)

    signals.content_written.connect(count_written)
    content_dir = Path(settings["PATH"])
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            Pelican(read_settings(None, override=settings)).run()
    except Exception as exc:
        _helper_leaves(me)
        result.problems.append(explain_exception(exc, content_shown, None))
    finally:
        _helper_leaves(me)
        signals.content_written.disconnect(count_written)
        if prefetcher is not None:
            prefetcher.finish()
        if splitter is not None:
            splitter.stop()
    result.problems.extend(
        problem_from_record(r, content_shown, content_dir) for r in handler.records
    )
    result.pages = len(written)
    result.seconds = time.perf_counter() - start
    return result


def _helper_leaves(run: int) -> None:
    """A helper forked inside the run (``splitwrite``) never comes back here as if it
    were the run: should Pelican's run end in it, it ends there."""
    if os.getpid() != run:
        os._exit(1)
