"""Shared fixtures: a tiny network of towns in a temporary project folder."""

from __future__ import annotations

import html
import inspect
import os
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


#: what a test (or a fixture it uses) calls when it builds a site, starts another
#: program or drives the browser: such a test is ``slow``
_SLOW_CALLS = (
    "Builder(",
    "build_network",
    "build_site",
    "gardarika(",
    "subprocess",
    "chromium",
    "playwright",
    "demo_output",
    "generate_longform",
    "_build(",
    "_with_helpers(",
    "_split_build(",
)


def _is_slow(item: pytest.Item) -> bool:
    if item.get_closest_marker("long") is not None:
        return True
    functions = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info is not None else ():
        functions.extend(d.func for d in defs)
    for function in functions:
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            continue
        if any(call in source for call in _SLOW_CALLS):
            return True
    return False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that build a site, start another program or drive the browser are marked
    ``slow`` (``invoke test --args "-m 'not slow'"`` runs the others, in seconds). The
    few tests that run for minutes (marked ``long``) go first: with the suite spread
    over the cores (``invoke test``), a long test started last would keep one core busy
    alone while the others sit idle."""
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def remove_deep(top: Path) -> None:
    """Remove a folder nested deeper than Python's recursion allows (``shutil.rmtree``
    and pytest's clean-up of old temporary folders call themselves for each level),
    one level at a time; links are removed, never followed."""
    pending = [str(top)]
    while pending:
        folder = pending[-1]
        inner = []
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    inner.append(entry.path)
                else:
                    os.unlink(entry.path)
        if inner:
            pending.extend(inner)
        else:
            os.rmdir(folder)
            pending.pop()


# A 1x1 PNG, so the fixture needs no image library.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


EXTERNAL = ("http://", "https://", "mailto:", "tel:", "data:", "#")


def broken_links(out: Path) -> list[str]:
    """Every href/src in ``out`` that is root-absolute, names a folder or leads nowhere."""
    found = []
    for page in sorted(out.rglob("*.html")):
        for raw in re.findall(r'(?:href|src)="([^"]*)"', page.read_text(encoding="utf-8")):
            url = html.unescape(raw)
            if url.startswith(EXTERNAL):
                continue
            path = url.split("#")[0].split("?")[0]
            if (
                url.startswith("/")
                or not path
                or path.endswith("/")
                or not (page.parent / path).resolve().is_file()
            ):
                found.append(f"{page.relative_to(out)}: {url}")
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder using the repository's themes and plugins, with no towns yet."""
    root = tmp_path / "net"
    (root / "sites").mkdir(parents=True)
    (root / "content").mkdir()
    (root / "themes").symlink_to(REPO / "themes")
    # a folder of its own, so that a test can add a plugin of the network's
    (root / "plugins").mkdir()
    for plugin in (REPO / "plugins").iterdir():
        if not plugin.name.startswith((".", "__")):
            (root / "plugins" / plugin.name).symlink_to(plugin)
    return root


ALPHA_SITE = """
    name:
      ru: Альфа
      en: Alpha
    languages: [ru, en]
    description:
      ru: Городок для тестов.
      en: A town for tests.
    neighbours: [beta]
"""

BETA_SITE = """
    name:
      ru: Бета
    languages: [ru]
"""


def add_alpha(root: Path) -> None:
    """Town ``alpha``: ru + en, a translated article, one article per language only,
    a translated page and a picture."""
    write(root / "sites" / "alpha.yaml", ALPHA_SITE)
    c = root / "content" / "alpha"
    write(
        c / "articles" / "fair.md",
        """
        Title: Ярмарка ремёсел
        Date: 2024-05-05 10:00
        Category: Новости
        Tags: ярмарка, ремёсла

        На ярмарке ![Гончар]({static}/images/potter.png) и [объявление]({filename}notice.md).
    """,
    )
    write(
        c / "articles" / "fair.en.md",
        """
        Title: Craft fair
        Date: 2024-05-05 10:00
        Category: News
        Tags: fair

        At the fair ![Potter]({static}/images/potter.png) and [notice]({filename}notice.md).
    """,
    )
    write(
        c / "articles" / "notice.md",
        """
        Title: Объявление только по-русски
        Date: 2024-05-06 09:00
        Category: Объявления

        Только на русском.
    """,
    )
    write(
        c / "articles" / "visitors.en.md",
        """
        Title: Note for visitors
        Date: 2024-05-07 12:00
        Category: News

        Only in English.
    """,
    )
    write(
        c / "pages" / "about.md",
        """
        Title: О городе

        Про город.
    """,
    )
    write(
        c / "pages" / "about.en.md",
        """
        Title: About the town

        About the town.
    """,
    )
    (c / "images").mkdir(parents=True, exist_ok=True)
    (c / "images" / "potter.png").write_bytes(PNG)


def add_beta(root: Path) -> None:
    """Town ``beta``: Russian only, two articles."""
    write(root / "sites" / "beta.yaml", BETA_SITE)
    for i in range(2):
        write(
            root / "content" / "beta" / f"news-{i}.md",
            f"""
            Title: Новость {i}
            Date: 2024-0{i + 1}-10

            Текст новости {i}.
        """,
        )


@pytest.fixture
def network(project: Path) -> Path:
    """Two towns, alpha (ru, en) and beta (ru only), and a network.yaml."""
    write(
        project / "sites" / "network.yaml",
        """
        name:
          ru: Тестовая сеть
          en: Test network
        order: [beta, alpha]
    """,
    )
    add_alpha(project)
    add_beta(project)
    return project


@pytest.fixture
def build_network() -> Callable[..., object]:
    """Build a project in-process (workers are forked) and return the report."""
    from gardarika.build.builder import Builder

    def run(root: Path, sites: list[str] | None = None, **kwargs: object) -> object:
        lines: list[str] = []
        report = Builder(root, jobs=2, echo=lines.append, **kwargs).build(sites)
        report.log = "\n".join(lines)  # type: ignore[attr-defined]
        return report

    return run


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped demo network, built once per test run into a temporary folder."""
    from gardarika.build.builder import Builder

    out = tmp_path_factory.mktemp("demo") / "output"
    lines: list[str] = []
    report = Builder(REPO, output=out, cache=out.parent / "cache", echo=lines.append).build()
    assert report.ok, "\n".join(lines)
    return out
