"""Every command, once: its name, what it does, its options and what they mean.

The command line (``python -m gardarika``, :mod:`gardarika.cli`) and the maintainer's
``invoke`` tasks (``tasks.py``) are both made from :data:`COMMANDS`: a command or an
option is added, renamed or explained here and nowhere else, so the two cannot drift.

A command names the function that does its work as ``"module:function"``; the module is
imported only when the command runs (listing the commands stays fast). The function
takes the project folder first (unless the command works on no project) and then each
option by its name.
"""

from __future__ import annotations

import importlib
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: the help of ``--no-wait``, shared by every command that takes the project's lock
_WAIT = (
    "wait for a build that is running, at most 10 minutes (the default); --no-wait fails "
    "at once, with exit code 1"
)
#: the help of ``--site`` for commands that take several towns
_TOWNS = "town id, or several separated by commas (default: every town)"


def count(text: str) -> int:
    """A whole number, 1 or more (parallel jobs, shares)."""
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a whole number / не целое число") from None
    if value < 1:
        raise ValueError(f"{value}: at least 1 / не меньше 1")
    return value


def amount(text: str) -> float:
    """A number above 0 (minutes, megabytes)."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a number / не число") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{text}: a number above 0 / число больше 0")
    return value


def port(text: str) -> int:
    """A TCP port: 1 to 65535."""
    value = count(text)
    if value > 65535:
        raise ValueError(f"{value}: a port is 1 to 65535 / порт — от 1 до 65535")
    return value


@dataclass(frozen=True)
class Option:
    """One option of a command: ``name`` is its Python name (``time_limit`` is written
    ``--time-limit``)."""

    name: str
    help: str
    type: Callable[[str], Any] = str
    default: Any = None
    #: a yes/no switch: ``--force`` when off by default, ``--no-check`` when on
    flag: bool = False
    required: bool = False
    #: given without its name (``verify dist/x``)
    positional: bool = False
    metavar: str | None = None

    def __post_init__(self) -> None:
        if self.flag and self.default is None:
            object.__setattr__(self, "default", False)  # a switch is off unless said

    @property
    def dashed(self) -> str:
        return self.name.replace("_", "-")

    def value(self, given: Any) -> Any:
        """``given`` (a string from a command line, or already typed) as this option's
        type; None stays None."""
        if given is None or self.flag:
            return given
        return self.type(str(given)) if self.type is not str else given


@dataclass(frozen=True)
class Command:
    """One command: ``summary`` is its one-line help, ``doc`` a longer one (defaults to
    the summary), ``target`` the function that does the work."""

    name: str
    summary: str
    target: str
    options: tuple[Option, ...] = ()
    doc: str = ""
    #: works on a project folder (the function takes it first)
    project: bool = True
    #: offered by ``python -m gardarika`` too (else only as an ``invoke`` task)
    cli: bool = True

    @property
    def description(self) -> str:
        return self.doc or self.summary

    def run(self, root: Path | None, given: dict[str, Any]) -> int:
        """Do the command with the options ``given`` (by name; missing ones take their
        default); the exit code (2, with a message, when an option's value is wrong)."""
        missing = [o for o in self.options if o.required and given.get(o.name) is None]
        if missing:
            print(_missing(self.name, missing[0], root), file=sys.stderr)
            return 2
        module, _, name = self.target.partition(":")
        function = getattr(importlib.import_module(module), name)
        values = {}
        for option in self.options:
            try:
                values[option.name] = option.value(given.get(option.name, option.default))
            except ValueError as wrong:
                print(f"--{option.dashed}: {wrong}", file=sys.stderr)
                return 2
        code = function(root, **values) if self.project else function(**values)
        return int(code or 0)


def _towns(root: Path | None) -> list[str]:
    """The towns of the project, by their files in ``sites/`` (for a message)."""
    if root is None:
        return []
    return sorted(p.stem for p in (root / "sites").glob("*.yaml") if p.stem != "network")


def _missing(command: str, option: Option, root: Path | None) -> str:
    """What is said when a command is given without an option it needs."""
    example = option.metavar or option.name.upper()
    towns = _towns(root) if option.name == "site" else []
    listed_en = f" The towns: {', '.join(towns)}." if towns else ""
    listed_ru = f" Города: {', '.join(towns)}." if towns else ""
    return (
        f"{command}: give --{option.dashed} {example} ({option.help}).{listed_en}\n"
        f"{command}: укажите --{option.dashed} "
        f"{'ГОРОД' if option.name == 'site' else example}.{listed_ru}"
    )


def _site(required: bool = False, several: bool = True) -> Option:
    return Option(
        "site",
        _TOWNS if several else "town id",
        required=required,
        metavar="TOWN[,TOWN…]" if several else "TOWN",
    )


_NO_WAIT = Option("wait", _WAIT, default=True, flag=True)
_PORT = Option("port", "port to listen on (default 8000)", type=port, default=8000)
_HOST = Option(
    "host", "address to listen on (default 127.0.0.1, this computer only)", default="127.0.0.1"
)
_THEME = Option("theme", "theme folder name (default gardarika)", default="gardarika")

COMMANDS: tuple[Command, ...] = (
    Command(
        "build",
        "build the network (or some towns) into output/, then check it",
        "gardarika.cli:build",
        (
            _site(),
            Option("jobs", "parallel builds (default: the number of CPU cores)", type=count),
            Option(
                "check",
                "check the output afterwards (the default); --no-check skips the check",
                default=True,
                flag=True,
            ),
            Option(
                "shard",
                "build only the share K/N of the towns, for parallel CI jobs",
                metavar="K/N",
            ),
            Option("force", "rebuild towns even when nothing they use has changed", flag=True),
            Option(
                "verbose",
                "show every note (a build shows the first five of each kind per town, "
                "e.g. pictures from other websites, and counts the rest)",
                flag=True,
            ),
            _NO_WAIT,
            Option(
                "time_limit",
                "stop a town's checks, or its build in one language, after this many "
                "minutes (default 30)",
                type=amount,
                metavar="MINUTES",
            ),
            Option(
                "memory_limit",
                "the memory (MB) one town's checks or build in one language may reserve "
                "(default 1024)",
                type=amount,
                metavar="MB",
            ),
        ),
    ),
    Command(
        "check",
        "check output/ for broken, folder or root-absolute links, remote loads, bad names",
        "gardarika.cli:check",
        (_site(), _NO_WAIT),
    ),
    Command(
        "lint",
        "check the towns' content: titles, dates, languages, links, encodings…",
        "gardarika.cli:lint",
        (_site(),),
    ),
    Command(
        "new",
        "start a new article, page or translation; prints the file's path",
        "gardarika.cli:new",
        (
            _site(required=True, several=False),
            Option("title", "the title, in quotes", required=True),
            Option("lang", "language (default: the town's default language)"),
            Option("page", "make a page instead of an article", flag=True),
            Option("translation_of", "the slug of the article or page this translates"),
        ),
    ),
    Command(
        "import",
        "bring an existing site into a town's folder (a WordPress export, an RSS/Atom feed, "
        "or a folder of Pelican, Hugo or Jekyll content)",
        "gardarika.cli:import_site",
        (
            Option(
                "source",
                "the WordPress export (.xml), the feed (RSS or Atom) file, or the site's folder",
                positional=True,
            ),
            _site(required=True, several=False),
            Option(
                "uploads",
                "a WordPress site's uploads folder (wp-content/uploads): its pictures are "
                "copied in",
            ),
            Option(
                "lang",
                "the texts' language (one of the town's), when the source does not say it or "
                "says it wrong",
            ),
        ),
    ),
    Command(
        "fix-encoding",
        "convert a file saved in Windows-1251 (or KOI8-R, DOS) to UTF-8, keeping a backup",
        "gardarika.cli:fix_encoding",
        (Option("file", "the file to convert, e.g. content/x/articles/a.md", positional=True),),
    ),
    Command(
        "live",
        "preview a town: build, serve, rebuild on every change and reload the open page",
        "gardarika.cli:live",
        (_site(required=True, several=False), _PORT, _HOST),
    ),
    Command(
        "desk",
        "the editor's desk: write, preview, add photos and publish a town's texts in a browser",
        "gardarika.cli:desk",
        (
            _site(required=True, several=False),
            Option(
                "port",
                "port to listen on (default 8765, or a free one when it is taken)",
                type=port,
            ),
            Option("no_browser", "do not open the desk in the browser", flag=True),
        ),
        doc=(
            "the editor's desk on 127.0.0.1: list, write and edit the town's texts, add "
            "photos, preview with the real theme; each save is a commit; send by network "
            "or write a bundle to a USB stick for invoke pull --bundle"
        ),
    ),
    Command(
        "serve",
        "preview output/ at http://127.0.0.1:8000/index.html",
        "gardarika.cli:serve",
        (_PORT, _HOST),
    ),
    Command(
        "clean",
        "remove the build products: output/ and .cache/",
        "gardarika.cli:clean",
        (_NO_WAIT,),
    ),
    Command(
        "package",
        "make dist/<network>-<date>/ for a USB stick or CD (with --zip, --iso, --zim)",
        "gardarika.cli:package",
        (
            Option("site", "town id, or several separated by commas (default: every built town)"),
            Option("zip", "also write a zip file", flag=True),
            Option("iso", "also write an ISO image", flag=True),
            Option("zim", "also write a ZIM file of the package for Kiwix", flag=True),
            Option("zim_per_town", "also write a ZIM file of each town for Kiwix", flag=True),
            Option("capacity", "cd, dvd or a size such as 4G: refuse anything larger"),
            _NO_WAIT,
        ),
    ),
    Command(
        "verify",
        "check a copied package against its MANIFEST.sha256, or a ZIM file",
        "gardarika.cli:verify",
        (
            Option(
                "path",
                "a copied package (folder, zip file or ISO image) or a ZIM file",
                positional=True,
            ),
        ),
        project=False,
    ),
    Command(
        "deploy",
        "publish built towns to the targets in their settings, sending only changes",
        "gardarika.cli:deploy",
        (
            Option(
                "site",
                "town id, or several separated by commas (default: every town with deploy targets)",
            ),
            Option("target", "only this target of the town's settings"),
            _NO_WAIT,
        ),
    ),
    Command(
        "pull",
        "clone or update the content of towns kept in their own git repositories",
        "gardarika.cli:pull",
        (
            Option(
                "site",
                "town id, or several separated by commas (default: every town with a repository)",
            ),
            Option(
                "bundle",
                "apply a town's saves brought on a USB stick: a .bundle file written by the "
                "editor's desk, or a folder of them (instead of pulling from repositories)",
                metavar="FILE",
            ),
            Option(
                "shard",
                "pull only the share K/N of the towns (as invoke build --shard), for parallel "
                "CI jobs",
                metavar="K/N",
            ),
            Option("jobs", "towns pulled at the same time (default 4)", type=count, default=4),
            Option(
                "timeout",
                "seconds one town's pull may take; then it is stopped and the town keeps its "
                "last good copy (default 600)",
                type=amount,
                metavar="SECONDS",
            ),
        ),
        doc="clone or update the content of towns kept in their own git repositories: "
        "several towns at once, each within a time limit; a town that fails keeps its last "
        "good copy. Every town is reported (cloned, updated, unchanged, failed) and the "
        "exit code is 1 when any failed",
    ),
    Command(
        "towns",
        "show every town's state: languages, content source, last commit, last build "
        "and check, output size",
        "gardarika.cli:towns",
        (
            _site(),
            Option("json", "print JSON for scripts instead of the table", flag=True),
        ),
    ),
    Command(
        "portal",
        "write the portal over output/ as it is (merged CI shards), then check output/",
        "gardarika.cli:portal",
        (_NO_WAIT,),
    ),
    Command(
        "owners",
        "write CODEOWNERS: each town's editors own its content folder and settings",
        "gardarika.cli:owners",
    ),
    Command(
        "matrix",
        "print the towns as JSON, for a CI system's parallel build jobs",
        "gardarika.cli:matrix",
        (
            Option(
                "shards",
                "print the shares 1/N … N/N instead of the town ids",
                type=count,
                metavar="N",
            ),
        ),
    ),
    Command(
        "i18n-extract",
        "collect the theme's interface strings into translations/messages.pot",
        "gardarika.cli:i18n_extract",
        (_THEME,),
    ),
    Command(
        "i18n-update",
        "re-extract the strings and merge them into every translations/<lang>/…/messages.po",
        "gardarika.cli:i18n_update",
        (_THEME,),
    ),
    Command(
        "test",
        "run the test suite (pytest), spread over every core (pytest-xdist)",
        "gardarika.cli:run_tests",
        (Option("args", 'extra arguments for pytest, e.g. "-k config -x"', default=""),),
        cli=False,
    ),
    Command(
        "bench",
        "benchmark builds and search on a synthetic network; JSON in benchmarks/results/",
        "benchmarks.run:bench",
        (
            Option("towns", "towns in the synthetic network (default 20)", type=count, default=20),
            Option(
                "articles", "articles per town and language (default 100)", type=count, default=100
            ),
            Option(
                "search_articles",
                "articles per language of the search town (default 500)",
                type=count,
                default=500,
            ),
            Option("jobs", "parallel builds (default: the number of CPU cores)", type=count),
            Option(
                "corpus", "a folder of real Markdown articles for the long-form town", metavar="DIR"
            ),
        ),
        project=False,
        cli=False,
    ),
)

#: the commands by name
BY_NAME = {command.name: command for command in COMMANDS}
