"""Shared by the plugins' own tests (kept out of ``plugins/``, where a town could name it
as a plugin): build a tiny site with the ``pelican`` command and
only the given plugins, in a process of its own (plugins connect Pelican's global
signals)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pelican

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
SIMPLE_THEME = Path(pelican.__file__).parent / "themes" / "simple"


def build_pelican_site(
    tmp_path: Path,
    files: dict[str, str | bytes],
    plugins: list[str],
    extra: str = "",
    must_succeed: bool = True,
) -> tuple[Path, str]:
    """Write ``files`` below ``content/``, build, return (output folder, log); the
    build must succeed unless ``must_succeed`` is false."""
    content = tmp_path / "content"
    for name, data in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data).lstrip(), encoding="utf-8")
    conf = tmp_path / "pelicanconf.py"
    conf.write_text(
        textwrap.dedent(f"""
        PATH = {str(content)!r}
        THEME = {str(SIMPLE_THEME)!r}
        PLUGIN_PATHS = [{str(PLUGINS)!r}]
        PLUGINS = {plugins!r}
        SITENAME = "t"
        TIMEZONE = "UTC"
        DEFAULT_LANG = "ru"
        RELATIVE_URLS = True
        CACHE_PATH = {str(tmp_path / "cache")!r}
        ARTICLE_URL = ARTICLE_SAVE_AS = "{{slug}}.html"
        FEED_ALL_ATOM = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
        AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
    """)
        + textwrap.dedent(extra),
        encoding="utf-8",
    )
    out = tmp_path / "output"
    done = subprocess.run(
        [sys.executable, "-m", "pelican", str(content), "-s", str(conf), "-o", str(out)],
        capture_output=True,
        text=True,
        # one message a line: Pelican's log would wrap at 80 columns
        env={**os.environ, "COLUMNS": "1000"},
    )
    assert done.returncode == 0 or not must_succeed, done.stdout + done.stderr
    return out, done.stdout + done.stderr
