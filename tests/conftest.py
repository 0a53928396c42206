"""Shared fixtures: a tiny network of towns in a temporary project folder."""

from __future__ import annotations

import inspect
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from projects import (
    REPO,
    add_alpha,
    add_beta,
    commit_all,
    write,
)

#: what a test (or a fixture it uses) calls when it builds a site, starts another
#: program or drives the browser: such a test is ``slow``
_SLOW_CALLS = (
    "Builder(",
    "build_network",
    "build_pelican_site",
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
    ``slow`` (``invoke test --args "-m 'not slow'"`` runs the others in a minute or two). The
    few tests that run for minutes (marked ``long``) go first: with the suite spread
    over the cores (``invoke test``), a long test started last would keep one core busy
    alone while the others sit idle."""
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


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

    def run(root: Path, towns: list[str] | None = None, **kwargs: object) -> object:
        lines: list[str] = []
        report = Builder(root, jobs=2, echo=lines.append, **kwargs).build(towns)
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


@pytest.fixture
def maintained(network: Path) -> Path:
    """The maintainer's copy of the network: a git repository with one commit."""
    return commit_all(network)


@pytest.fixture
def library(maintained: Path, tmp_path: Path) -> Path:
    """The town library's copy: a clone of the network (its upstream is the maintainer's)."""
    copy = tmp_path / "library"
    subprocess.run(["git", "clone", "-q", str(maintained), str(copy)], check=True)
    return copy
