"""Maintainer's tasks: ``invoke build``, ``invoke clean``, ``invoke serve``, ``invoke test``.

Thin wrappers over :mod:`gardarika`; the project folder is the one holding this file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent


@task(help={"site": "town id (or several, comma-separated); default: every town",
            "jobs": "parallel builds; default: the number of CPU cores"})
def build(c, site=None, jobs=None):
    """Build the network (or one town) into output/."""
    from gardarika.cli import build as run_build

    code = run_build(ROOT, site, int(jobs) if jobs else None)
    if code:
        raise Exit(code=code)


@task
def clean(c):
    """Remove build products: output/ and .cache/."""
    from gardarika.cli import clean as run_clean

    run_clean(ROOT)


@task(help={"port": "port on 127.0.0.1 (default 8000)", "host": "address to bind"})
def serve(c, port=8000, host="127.0.0.1"):
    """Preview output/ at http://127.0.0.1:8000/index.html."""
    from gardarika.serve import serve as run_serve

    run_serve(ROOT / "output", host, int(port))


@task(help={"args": "extra arguments for pytest, e.g. \"-k config -x\""})
def test(c, args=""):
    """Run the test suite (pytest)."""
    c.run(f"{sys.executable} -m pytest {args}", pty=False)
