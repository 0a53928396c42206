"""Dates from git for texts that give none of their own.

A text without ``Date:`` (and without a date at the start of its file name) gets the
date of its first commit, and one without ``Modified:`` the date of the last commit that
changed it after that (:func:`gardarika.content.gitdates.dates_to_use`: a text committed
once and never changed gets none). The build reads each town's history once, before its
runs start, and hands the map over in the ``GIT_DATES`` setting (path relative to
``PATH`` -> [first, last] commit time, seconds since 1970); without it, or with it empty,
the plugin does nothing.

The dates are put into the text's metadata where Pelican gathers it, after the reader
(``article_generator_context``, ``page_generator_context``), never into what Pelican's
content cache keeps, which knows only the file: a commit that changes no file still
changes dates. Pelican tells that signal the metadata but not the file, so the plugin
notes which file ``Readers.read_file`` is reading (as ``own_folder`` wraps it).

Pages get a modified date only: a page has no date of its own in Gardarika's theme.

Settings read: ``GIT_DATES``, ``PATH``, ``TIMEZONE``.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from pelican import signals

from gardarika.content.gitdates import dates_to_use

#: the file Readers.read_file is reading now, relative to PATH (innermost last)
_READING: list[str] = []


def note_reading(readers: Any) -> None:
    """Wrap this run's ``Readers.read_file`` to note which file it reads."""
    if not readers.settings.get("GIT_DATES"):
        return
    root = os.path.abspath(readers.settings["PATH"])
    read_file = readers.read_file

    def reading(base_path: str, path: str, *args: Any, **kwargs: Any) -> Any:
        full = os.path.abspath(os.path.join(base_path, path))
        _READING.append(os.path.relpath(full, root).replace(os.sep, "/"))
        try:
            return read_file(base_path, path, *args, **kwargs)
        finally:
            _READING.pop()

    readers.read_file = reading


def _apply(generator: Any, metadata: dict[str, Any], dated: bool) -> None:
    dates = generator.settings.get("GIT_DATES")
    if not dates or not _READING:
        return
    committed = dates.get(_READING[-1])
    if not committed:
        return
    own = metadata.get("date")
    own = own if isinstance(own, dt.datetime) else None
    date, modified = dates_to_use(committed, own, generator.settings["TIMEZONE"])
    if dated and date is not None and "date" not in metadata:
        metadata["date"] = date
    if modified is not None and "modified" not in metadata:
        metadata["modified"] = modified


def article_dates(generator: Any, metadata: dict[str, Any]) -> None:
    _apply(generator, metadata, dated=True)


def page_dates(generator: Any, metadata: dict[str, Any]) -> None:
    _apply(generator, metadata, dated=False)


def register() -> None:
    signals.readers_init.connect(note_reading)
    signals.article_generator_context.connect(article_dates)
    signals.page_generator_context.connect(page_dates)
