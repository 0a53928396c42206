"""Walking one Pelican run's output: the files it wrote, not another language's.

The default language's run writes the town's root folder while the other languages'
runs fill ``en/``, ``fi/`` … inside it at the same time, so passes over the output skip
those folders.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def other_language_folders(settings: dict[str, Any]) -> set[str]:
    """Folders of other languages inside this run's output (only the default language's
    run has any)."""
    config = settings.get("GARDARIKA") or {}
    if not config or settings.get("DEFAULT_LANG") != config.get("default_lang"):
        return set()
    return {lang for lang, root in config.get("roots", {}).items() if root}


def walk_output(
    output: Path, settings: dict[str, Any], suffixes: tuple[str, ...]
) -> Iterator[tuple[str, Path]]:
    """(folder relative to ``output``, file) for each file of this run with a suffix."""
    skip = other_language_folders(settings)
    for folder, dirs, files in os.walk(output):
        rel_dir = os.path.relpath(folder, output).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        if not rel_dir:
            dirs[:] = [d for d in dirs if d not in skip]
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(suffixes):
                yield rel_dir, Path(folder) / name
