"""Maintainer's tasks: ``invoke build``, ``check``, ``clean``, ``serve``, ``test``, ``i18n-*``.

Thin wrappers over :mod:`gardarika`; the project folder is the one holding this file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
WAIT_HELP = "wait for a build that is running (--no-wait: fail at once, exit code 1)"


def _done(code: int) -> None:
    """End the task with the command's exit code (0: nothing to do)."""
    if code:
        raise Exit(code=code)


@task(
    help={
        "site": "town id (or several, comma-separated); default: every town",
        "jobs": "parallel builds; default: the number of CPU cores",
        "check": "check the output afterwards (--no-check to skip)",
        "shard": "build only the share K/N of the towns, for parallel CI jobs",
        "force": "rebuild towns even when nothing they use has changed",
        "wait": WAIT_HELP,
        "time-limit": "stop a town's checks, or its build in one language, after this "
        "many minutes (default 30)",
        "memory-limit": "the memory (MB) one town's checks or build in one language may "
        "reserve (default 1024)",
    }
)
def build(
    c,
    site=None,
    jobs=None,
    check=True,
    shard=None,
    force=False,
    wait=True,
    time_limit=None,
    memory_limit=None,
):
    """Build the network (or one town) into output/, then check it."""
    from gardarika.cli import build as run_build

    _done(
        run_build(
            ROOT,
            site,
            int(jobs) if jobs else None,
            check,
            shard,
            force,
            wait,
            float(time_limit) if time_limit else None,
            float(memory_limit) if memory_limit else None,
        )
    )


@task(
    name="check",
    help={"site": "town id (or several, comma-separated); default: all", "wait": WAIT_HELP},
)
def check_output(c, site=None, wait=True):
    """Check output/ for broken, folder or root-absolute links, remote loads, bad names."""
    from gardarika.cli import check as run_check

    _done(run_check(ROOT, site, wait))


@task(help={"wait": WAIT_HELP})
def clean(c, wait=True):
    """Remove build products: output/ and .cache/."""
    from gardarika.cli import clean as run_clean

    _done(run_clean(ROOT, wait))


@task(help={"port": "port on 127.0.0.1 (default 8000)", "host": "address to bind"})
def serve(c, port=8000, host="127.0.0.1"):
    """Preview output/ at http://127.0.0.1:8000/index.html."""
    from gardarika.serve import serve as run_serve

    run_serve(ROOT / "output", host, int(port))


@task(help={"args": 'extra arguments for pytest, e.g. "-k config -x"'})
def test(c, args=""):
    """Run the test suite (pytest), spread over every core (pytest-xdist)."""
    c.run(f"{sys.executable} -m pytest -n auto --dist worksteal {args}", pty=False)


@task(name="i18n-extract", help={"theme": "theme folder name (default gardarika)"})
def i18n_extract(c, theme="gardarika"):
    """Collect the theme's interface strings into translations/messages.pot."""
    from gardarika.i18n import extract_messages

    print(extract_messages(ROOT / "themes" / theme))


@task(name="i18n-update", help={"theme": "theme folder name (default gardarika)"})
def i18n_update(c, theme="gardarika"):
    """Re-extract the strings and merge them into every translations/<lang>/.../messages.po."""
    from gardarika.i18n import untranslated, update_catalogs

    theme_dir = ROOT / "themes" / theme
    for po in update_catalogs(theme_dir):
        lang = po.parents[1].name
        missing = untranslated(theme_dir, lang, theme_dir / "translations" / "messages.pot")
        print(
            f"{po.relative_to(ROOT)}: {len(missing)} to translate"
            + "".join(f"\n  {m}" for m in missing)
        )


@task(help={"site": "town id (or several, comma-separated); default: every town"})
def lint(c, site=None):
    """Check the towns' content: titles, dates, languages, links, encodings…"""
    from gardarika.cli import lint as run_lint

    _done(run_lint(ROOT, site))


@task(
    help={
        "site": "town id",
        "title": "the title, in quotes",
        "lang": "language (default: the town's default language)",
        "page": "make a page instead of an article",
        "translation_of": "the slug of the article or page this translates",
    }
)
def new(c, site, title, lang=None, page=False, translation_of=None):
    """Start a new article, page or translation; prints the file's path."""
    from gardarika.cli import new as run_new

    _done(run_new(ROOT, site, title, lang, page, translation_of))


@task(name="fix-encoding", help={"file": "the file to convert, e.g. content/x/articles/a.md"})
def fix_encoding(c, file):
    """Convert a file saved in Windows-1251 (or KOI8-R, DOS) to UTF-8, keeping a backup."""
    from gardarika.cli import fix_encoding as run_fix

    _done(run_fix(ROOT, file))


@task(
    help={
        "site": "town id",
        "port": "port on 127.0.0.1 (default 8000)",
        "host": "address to bind (default 127.0.0.1)",
    }
)
def live(c, site, port=8000, host="127.0.0.1"):
    """Preview a town: build, serve, rebuild on every change and reload the open page."""
    from gardarika.live import run_live

    run_live(ROOT, site, host, int(port))


@task(
    help={
        "towns": "towns in the synthetic network (default 20)",
        "articles": "articles per town and language (default 100)",
        "search_articles": "articles per language of the search town (default 500)",
        "jobs": "parallel builds; default: the number of CPU cores",
    }
)
def bench(c, towns=20, articles=100, search_articles=500, jobs=None, corpus=None):
    """Benchmark builds and search on a synthetic network; JSON in benchmarks/results/.
    --corpus DIR: a folder of real Markdown articles for the long-form town."""
    from pathlib import Path

    from benchmarks.run import run

    run(
        int(towns),
        int(articles),
        int(search_articles),
        int(jobs) if jobs else None,
        corpus=Path(corpus).resolve() if corpus else None,
    )


@task(
    name="package",
    help={
        "sites": "town ids, comma-separated (default: every built town)",
        "zip": "also write a zip file",
        "iso": "also write an ISO image",
        "capacity": "cd, dvd or a size such as 4G: refuse anything larger",
        "wait": WAIT_HELP,
    },
)
def package_task(c, sites=None, zip=False, iso=False, capacity=None, wait=True):
    """Make dist/<network>-<date>/ for a USB stick or CD (with --zip, --iso)."""
    from gardarika.cli import package as run_package

    _done(run_package(ROOT, sites, zip, iso, capacity, wait))


@task(help={"path": "a copied package: folder, zip file or ISO image"})
def verify(c, path):
    """Check a copied package against its MANIFEST.sha256."""
    from gardarika.cli import verify as run_verify

    _done(run_verify(path))


@task(
    help={
        "site": "town id (or several, comma-separated); default: towns with targets",
        "target": "only this target of the town's settings",
        "wait": WAIT_HELP,
    }
)
def deploy(c, site=None, target=None, wait=True):
    """Publish built towns to the targets in their settings, sending only changes."""
    from gardarika.cli import deploy as run_deploy

    _done(run_deploy(ROOT, site, target, wait))


@task
def owners(c):
    """Write CODEOWNERS: each town's editors own its content folder and settings."""
    from gardarika.cli import owners as run_owners

    run_owners(ROOT)


@task(help={"shards": "print the shares 1/N … N/N instead of the town ids"})
def matrix(c, shards=None):
    """Print the towns as JSON, for a CI system's parallel build jobs."""
    from gardarika.cli import matrix as run_matrix

    run_matrix(ROOT, int(shards) if shards else None)


@task(help={"site": "town id (or several, comma-separated); default: towns with a repository"})
def pull(c, site=None):
    """Clone or update the content of towns kept in their own git repositories."""
    from gardarika.cli import pull as run_pull

    _done(run_pull(ROOT, site))


@task(help={"wait": WAIT_HELP})
def portal(c, wait=True):
    """Write the portal over output/ as it is (merged CI shards), then check output/."""
    from gardarika.cli import portal as run_portal

    _done(run_portal(ROOT, wait))
