"""Each site reads only its own content folder.

Pelican follows symbolic links while looking for content, and reads a file linked with
``{static}``, ``{attach}`` or ``{filename}`` wherever the link leads, ``..`` included:
``{static}/../../other-town/photo.jpg`` would copy another site's (or the system's)
file into this one. This plugin

* reports every such link in an article or page as an error naming the file and line;
* refuses to read any file whose real place (symbolic links followed) is outside
  ``PATH``: the read fails with the same kind of error instead of copying the file;
* gives every file a time budget in proportion to its size: a text that Markdown (or a
  plugin) would read for minutes, such as thousands of unfinished ``<![CDATA[``, is
  stopped and reported instead of holding up the run.

Settings read: ``PATH``.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from pelican import signals
from pelican.contents import Static

from gardarika.build.budget import TooSlow, budget_for, time_budget, too_deep_error, too_slow_error
from gardarika.build.isolation import report
from gardarika.content.documents import line_containing
from gardarika.errors import ContentError, Message
from gardarika.fs.confine import climbs_out, really_inside

logger = logging.getLogger(__name__)


def report_links_out(instance: Any) -> None:
    """An article or page linking a file above the content folder is an error."""
    if isinstance(instance, Static) or not isinstance(getattr(instance, "_content", None), str):
        return
    source = os.path.relpath(instance.source_path, instance.settings["PATH"])
    for link in sorted(instance.get_static_links()):
        if not climbs_out(link.replace(os.sep, "/")):
            continue
        name = os.path.basename(link)
        logger.error(
            "%s: the link to “%s” leads out of the site's content folder; it is not "
            "followed. Copy the file into the site's folder and link it from there.",
            source,
            link,
            extra={
                "gardarika_file": source,
                "gardarika_line": line_containing(instance.source_path, name),
                "gardarika_ru": f"ссылка на «{link}» ведёт за пределы папки с "
                "материалами сайта и не используется. Скопируйте файл "
                "в папку сайта и ссылайтесь на него там.",
            },
        )


def outside_error(path: str) -> ContentError:
    return ContentError(
        Message(
            f"“{path}” is outside the site's content folder (through “..” or a symbolic "
            "link), so it is not read. Put the file itself into the site's folder.",
            f"«{path}» находится вне папки с материалами сайта (через «..» или символическую "
            "ссылку) и не читается. Положите сам файл в папку сайта.",
        )
    )


def guard_reader(readers: Any) -> None:
    """Wrap this run's ``Readers.read_file`` so it refuses files outside ``PATH``, and
    reads each file within a time budget (:mod:`gardarika.build.budget`), telling the parent
    process (when Gardarika runs it in one) which file it is on."""
    root = readers.settings["PATH"]
    read_file = readers.read_file

    def read_inside(base_path: str, path: str, *args: Any, **kwargs: Any) -> Any:
        full = os.path.join(base_path, path)
        if not really_inside(full, root):
            raise outside_error(path)
        report(os.path.abspath(full))
        try:
            size = os.path.getsize(full)
        except OSError:
            size = 0
        try:
            with time_budget(budget_for(size)):
                return read_file(base_path, path, *args, **kwargs)
        except TooSlow as slow:
            raise too_slow_error(slow.args[0]) from None
        except RecursionError:
            raise too_deep_error() from None

    readers.read_file = read_inside


def register() -> None:
    signals.readers_init.connect(guard_reader)
    signals.content_object_init.connect(report_links_out)
