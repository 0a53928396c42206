"""A time budget for reading one file, so that one text cannot hold up its whole town.

Python-Markdown is super-linear on some inputs that an editor can write in a few
kilobytes: unfinished ``<![CDATA[`` sections, thousands of ``[[`` or ``[a](``, and more
(30 KB of them take minutes, 300 KB would take days). Listing such inputs one by one
would never be complete, so every text gets a budget proportional to its size, far
above what an ordinary text of that size needs (Markdown reads a 2 MB text in about ten
seconds here): a file that takes longer is reported as such, with its name and what to
do, and its town is not published. The town's whole run is also bounded
(:mod:`gardarika.build.isolation`).

The budget uses ``SIGALRM``, so it holds only in a process's main thread on Unix; run
elsewhere, the code inside simply runs without one.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator

from gardarika.errors import ContentError, Message

#: seconds every file may take, plus seconds per megabyte of it
BASE_SECONDS = 20.0
SECONDS_PER_MB = 60.0


class TooSlow(Exception):
    """Raised inside a :func:`time_budget` block that ran out of time."""


def budget_for(size: int) -> float:
    """The seconds a file of ``size`` bytes may take to be read."""
    return BASE_SECONDS + SECONDS_PER_MB * size / (1024 * 1024)


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise :class:`TooSlow` in the block once ``seconds`` have passed."""
    if not _can_alarm() or seconds <= 0:
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise TooSlow(seconds)

    previous = signal.signal(signal.SIGALRM, expired)
    start = time.monotonic()
    left, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if left:  # an outer budget was running: give it back what is left of it
            remaining = left - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(0.001, remaining), interval)


def too_slow_error(seconds: float, line: int | None = None) -> ContentError:
    """What an editor is told about a text that took longer than its budget."""
    return ContentError(
        Message(
            f"this text takes longer than {seconds:.0f} seconds to read, far more than a text "
            "of its size needs; it was stopped and the town is not published. It probably "
            "holds something read very slowly: many unfinished “<![CDATA[”, “[[”, “[text](” "
            "or “<tag” in a row, or thousands of quotation marks (pasted code or data?). Put "
            "code between lines of three backticks ```, or remove what is repeated.",
            f"этот текст читается дольше {seconds:.0f} секунд — гораздо дольше, чем нужно "
            "тексту такого размера; чтение остановлено, сайт города не опубликован. Скорее "
            "всего, в нём много незаконченных «<![CDATA[», «[[», «[текст](» или «<тег» подряд "
            "или тысячи кавычек (вставлен код или данные?). Заключите код между строками из "
            "трёх обратных кавычек ``` или уберите повторы.",
        ),
        line=line,
    )


def too_deep_error(line: int | None = None) -> ContentError:
    """What an editor is told about a text nested too deeply for Markdown to read."""
    return ContentError(
        Message(
            "this text is nested too deeply for Markdown to read (for example thousands of "
            "“*”, “_”, “>” or “[” in a row), so the town is not published. Remove what is "
            "repeated, or put it between lines of three backticks ``` if it is code.",
            "в этом тексте слишком глубокая вложенность, Markdown не может его прочитать "
            "(например, тысячи «*», «_», «>» или «[» подряд), поэтому сайт города не "
            "опубликован. Уберите повторы или заключите их между строками из трёх обратных "
            "кавычек ```, если это код.",
        ),
        line=line,
    )
