"""Safe files: a file copied to the site as it is must be of a kind that runs nothing.

Pictures, documents and other files beside the texts are copied to the output without
any cleaning. Opened from the site, a web page, a script, an XML document with an XHTML
``<script>``, an MHTML archive or an SVG drawing with a script would run in the readers'
browsers with the site's rights. The editors' checks (``gardarika.checks.files``) explain
the rule with the file before the build; this plugin holds the same rule
(:func:`gardarika.checks.files.publish_refusal`, with its allow-list
:data:`gardarika.checks.files.INERT_TYPES`) inside the build, on the name each file is
really written under: after ``offline_output`` has given it its portable name
(``page.ｈｔｍｌ`` becomes ``page.html``), whatever put it there (a static folder, a
``{static}`` link, ``EXTRA_PATH_METADATA``, a symbolic link). A refused file is logged as
an error naming it, so the town is not published, and it is not written either.

Refused, whatever the settings say: a name that is not a plain relative path, a hidden
name (``.htaccess``, which servers take as their settings) and a place among the theme's
files (``theme/``: the styles and scripts of every page). Refused unless ``SAFE_HTML`` is
false (a town with ``trust_html: true``): a type that is not on the allow-list, or a
name with a server program's, page's or drawing's extension inside it (``x.php.jpg``);
an SVG drawing with a script or anything else ``gardarika.checks.svg`` refuses; a
picture, document or other allowed file that is really a web page (it begins like one,
or is a "picture" Pillow cannot read with ``<script``, ``<html``, ``<svg`` or ``<?xml``
near its beginning). The thumbnail caches and folder settings Windows leaves in folders
(``Thumbs.db``, ``desktop.ini``) are left out with a warning.

It must run after ``offline_output`` (which renames the files on the same signal) and
before ``light_images`` (which takes the pictures out of the list of files to copy and
writes them itself).

Settings read: ``PATH``, ``SAFE_HTML`` (default ``True``), ``THEME_STATIC_DIR``.
"""

from __future__ import annotations

import logging
import os
import posixpath
from pathlib import Path
from typing import Any

from pelican import signals

from gardarika.checks.files import THEME_FOLDER, publish_refusal

logger = logging.getLogger(__name__)


def theme_folders(settings: dict[str, Any]) -> tuple[str, ...]:
    """Where the theme's files are written in this run's output (``theme`` always, so a
    language whose theme lives one folder up keeps the name free too)."""
    own = posixpath.normpath(str(settings.get("THEME_STATIC_DIR", THEME_FOLDER)))
    return tuple(
        dict.fromkeys(
            [THEME_FOLDER] + ([own] if own not in (".", "") and not own.startswith("..") else [])
        )
    )


def refuse_unsafe_files(generator: Any) -> None:
    """Judge every static file by its final ``save_as``; drop and report those refused."""
    settings = generator.settings
    content = settings["PATH"]
    trusted = not settings.get("SAFE_HTML", True)
    themes = theme_folders(settings)
    statics = generator.context["static_content"]
    dropped = set()
    for key, static in list(statics.items()):
        source_path = os.path.join(content, static.source_path)
        refusal = publish_refusal(static.save_as, Path(source_path), trusted, themes)
        if refusal is None:
            continue
        source = os.path.relpath(source_path, content)
        en, ru = refusal.en, refusal.ru
        if os.path.islink(source_path):  # the log shows it at the file it leads to
            target = os.path.relpath(os.path.realpath(source_path), os.path.realpath(content))
            en += f" (“{source}” is a symbolic link to “{target}”.)"
            ru += f" («{source}» — символическая ссылка на «{target}».)"
        level = logging.WARNING if refusal.severity == "warning" else logging.ERROR
        logger.log(
            level,
            "%s: %s",
            source,
            en,
            extra={"gardarika_file": source, "gardarika_line": refusal.line, "gardarika_ru": ru},
        )
        # out of the files to copy, and out of those a later plugin or a {static} link
        # could find (Pelican then says the link leads to no file)
        del statics[key]
        dropped.add(id(static))
    if dropped:
        generator.staticfiles[:] = [s for s in generator.staticfiles if id(s) not in dropped]


def register() -> None:
    signals.static_generator_finalized.connect(refuse_unsafe_files)
