"""Content limits: what one source file may expand to, and what one run may write.

A few hundred kilobytes of Markdown can become gigabytes of pages: YAML anchors repeat a
long text into every field, a summary is printed on every listing page, every tag gets a
page listing the article. Gardarika's editors' checks report a file over the limits of
``gardarika.build.limits`` with its line; this plugin holds the same limits inside the build:

* a document whose metadata is over a limit (expanded size, tags, summary) is refused
  with the file and line and is not published;
* the pages written by the run are counted, and past ``GARDARIKA["output_budget"]``
  bytes (set by Gardarika in proportion to the town's source) the run stops with a
  message, instead of filling the disk.

Settings read: ``GARDARIKA`` (``output_budget``).
"""

from __future__ import annotations

import os
from typing import Any

from pelican import signals
from pelican.contents import Static

from gardarika.build.limits import OutputTooLarge, metadata_problems
from gardarika.content.documents import line_containing
from gardarika.errors import ContentError, Message


def check_metadata(instance: Any) -> None:
    """Refuse a document whose metadata is over a limit."""
    if isinstance(instance, Static):
        return
    for key, (en, ru) in metadata_problems(getattr(instance, "metadata", {}) or {}):
        line = line_containing(instance.source_path, f"{key}:") if key else None
        raise ContentError(
            Message(f"{en} The page is not published.", f"{ru} Страница не опубликована."),
            line=line,
        )


class _Written:
    """Bytes of pages written so far by this run (one process: one run)."""

    total = 0


def count_output(path: str, context: Any = None) -> None:
    settings = (context or {}).get("GARDARIKA") if isinstance(context, dict) else None
    budget = (settings or {}).get("output_budget")
    if not budget:
        return
    try:
        _Written.total += os.path.getsize(path)
    except OSError:
        return
    if _Written.total > budget:
        raise OutputTooLarge(budget)


def register() -> None:
    signals.content_object_init.connect(check_metadata)
    signals.content_written.connect(count_output)
