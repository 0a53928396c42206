# SPDX-License-Identifier: AGPL-3.0-or-later
"""The red team's hostile settings files (``tests/data/hostile/settings/``), each a
complete ``sites/hostile.yaml``, read by :func:`gardarika.config.network.load_town` in a project
set up so that the attack would work if the file were accepted: another town's folder,
a fake ``.git``, the town's files for ``EXTRA_PATH_METADATA``, and a "theme" of symbolic
links to a town's text (what ``make-links.sh`` adds).

Every file the corpus's README expects to be refused is refused: each problem names the
file and a line, says what is wrong in English and in Russian, and the problems include
the key the attack is in. The files that must build cleaned are accepted.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from projects import REPO, write

from gardarika.config.network import load_network, load_town
from gardarika.errors import GardarikaError, Problem

HOSTILE = REPO / "tests" / "data" / "hostile"
SETTINGS = sorted((HOSTILE / "settings").glob("*.yaml"))
#: the red team's expectations: file -> "refuse" or "accept"
EXPECTED = dict(
    line.split("\t")[:2]
    for line in (HOSTILE / "expected-settings.tsv").read_text(encoding="utf-8").splitlines()[1:]
    if line.strip()
)

#: the README's "clean": they must load (their texts are escaped by the build)
CLEAN = {"s16-default-category-quote.yaml"}
#: accepted alone, refused beside the town whose place it takes (see
#: test_a_deploy_target_spelt_with_capitals_is_another_towns)
NETWORK_LEVEL = {"s40-deploy-case-twin.yaml"}
#: files the maintainer's own choice makes acceptable (none now: ``trust_html`` moved to
#: network.yaml, see test_trust_html_in_a_towns_file_is_refused)
MAINTAINERS_CHOICE: set[str] = set()

#: for each refused file, keys (or their beginnings) that must be among its problems:
#: the file is refused for the attack it holds, not for something else
ATTACK_KEYS: dict[str, tuple[str | None, ...]] = {
    "s01": ("base_url",),
    "s02": ("pelican.SUMMARY_END_SUFFIX",),
    "s03": ("pelican.PLUGINS.0",),
    "s04": ("pelican.PLUGINS.0",),
    "s05": ("pelican.TEMPLATE_PAGES",),
    "s06": ("theme",),
    "s07": ("content",),
    "s08": ("content", "pelican.STATIC_PATHS.0"),
    "s09": (
        "pelican.EXTRA_PATH_METADATA.files/searchbox.txt.save_as",
        "pelican.EXTRA_PATH_METADATA.files/searchbox.txt.url",
    ),
    "s10": (
        "pelican.EXTRA_PATH_METADATA.files/home.txt.save_as",
        "pelican.EXTRA_PATH_METADATA.files/page-in-txt.txt.save_as",
        "pelican.EXTRA_PATH_METADATA.files/svg-in-txt.txt.save_as",
    ),
    "s11": ("pelican.EXTRA_PATH_METADATA",),
    "s12": ("pelican.ARTICLE_URL", "pelican.PAGE_URL"),
    "s13": ("pelican.ARTICLE_URL", "pelican.TAG_URL"),
    "s14": ("pelican.ARTICLE_SAVE_AS", "pelican.ARTICLE_URL", "pelican.PAGE_SAVE_AS"),
    "s15": (
        "pelican.DEFAULT_METADATA.url",
        "pelican.DEFAULT_METADATA.lang",
        "pelican.DEFAULT_METADATA.template",
        "pelican.DEFAULT_METADATA.category",
    ),
    "s17": ("pelican.MENUITEMS", "pelican.LINKS", "pelican.SOCIAL"),
    "s18": ("pelican.DATE_FORMATS.ru", "pelican.DATE_FORMATS.en", "pelican.DEFAULT_DATE_FORMAT"),
    "s19": ("pelican.ARTICLE_ORDER_BY", "pelican.PAGE_ORDER_BY"),
    "s20": ("pelican.ARTICLE_TRANSLATION_ID", "pelican.PAGE_TRANSLATION_ID"),
    "s21": ("pelican.LOCALE.0", "pelican.LOCALE.1", "pelican.LOCALE.3"),
    "s22": ("pelican.FORMATTED_FIELDS",),
    "s23": (
        "pelican.DIRECT_TEMPLATES.1",
        "pelican.DIRECT_TEMPLATES.2",
        "pelican.DIRECT_TEMPLATES.4",
    ),
    "s24": ("pelican.IMAGES_MAX_WIDTH", "pelican.IMAGES_VARIANTS"),
    "s25": ("pelican.FEED_ALL_ATOM", "pelican.CATEGORY_FEED_ATOM"),
    "s26": ("pelican.STATIC_PATHS.0",),
    "s27": (None,),  # a YAML problem of the whole file, with its line
    "s28": ("deploy.web.host",),
    "s29": ("deploy.web.ssh_options",),
    "s30": ("deploy.other-town.path", "deploy.home.path", "deploy.tmp.path"),
    "s31": ("repository.url", "repository.branch"),
    "s32": ("repository.url",),
    "s33": ("trust_html",),
    "s34": ("pelican.OUTPUT_PATH", "pelican.JINJA_FILTERS", "pelican.CACHE_PATH"),
    "s35": ("pelican.PAGINATION_PATTERNS.1.1", "pelican.PAGINATION_PATTERNS.1.2"),
    "s36": ("timezone", "neighbours"),
    "s37": ("pelican.SLUGIFY_SOURCE",),
    "s38": ("theme",),
    "s39": ("content", "pelican.STATIC_PATHS.0"),
    "s41": ("content",),
}
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def test_every_settings_file_is_classified() -> None:
    names = {path.name for path in SETTINGS}
    assert names == set(EXPECTED)
    refused = {path.name for path in SETTINGS if path.name[:3] in ATTACK_KEYS}
    assert names == refused | CLEAN | MAINTAINERS_CHOICE | NETWORK_LEVEL
    assert refused == {name for name, verdict in EXPECTED.items() if verdict == "refuse"}


@pytest.fixture
def hostile_project(project: Path) -> Path:
    """A project where each attack would work if its settings were accepted."""
    write(project / "sites/vyborg.yaml", "name: {ru: Выборг, en: Vyborg}\nlanguages: [ru, en]\n")
    write(project / "content/vyborg/news.md", "Title: Новость\nDate: 2024-01-01\n\nТекст.\n")
    town = project / "content/hostile"
    for name in (
        "searchbox.txt",
        "home.txt",
        "page-in-txt.txt",
        "svg-in-txt.txt",
        "pwn.py",
        "ssti.txt",
    ):
        write(town / "files" / name, "<script>alert(document.domain)</script>\n")
    write(
        town / "files/theme-template.txt",
        "{{ cycler.__init__.__globals__.os.popen('echo THEME-SSTI-RAN-42').read() }}\n",
    )
    (town / "files/t/templates").mkdir(parents=True)
    for name in ("index", "article", "page", "base"):
        (town / f"files/t/templates/{name}.html").symlink_to("../../theme-template.txt")
    write(town / ".theme/templates/index.html", "{{ 7 * 7 }}\n")
    write(
        project / ".git/config",
        '[remote "origin"]\n\turl = https://editor:TOKEN@git.example.org/network.git\n',
    )
    return project


def _load(project: Path, source: Path) -> Path:
    target = project / "sites/hostile.yaml"
    shutil.copyfile(source, target)
    return target


def _check_problems(problems: list[Problem]) -> None:
    assert problems
    for problem in problems:
        assert problem.file == "sites/hostile.yaml", problem.format()
        assert problem.line is not None, problem.format()
        assert problem.en and problem.ru and problem.en != problem.ru, problem.format()
        assert CYRILLIC.search(problem.ru), problem.format()
        assert problem.severity == "error"


@pytest.mark.parametrize(
    "source", [p for p in SETTINGS if p.name[:3] in ATTACK_KEYS], ids=lambda p: p.name
)
def test_hostile_settings_are_refused_with_line_and_both_languages(
    hostile_project: Path, source: Path
) -> None:
    path = _load(hostile_project, source)
    start = time.perf_counter()
    with pytest.raises(GardarikaError) as caught:
        load_town(path, hostile_project)
    assert time.perf_counter() - start < 10
    problems = caught.value.problems
    _check_problems(problems)
    keys = [p.key for p in problems]
    for expected in ATTACK_KEYS[source.name[:3]]:
        if expected is None:
            assert None in keys, [p.format() for p in problems]
        else:
            assert any(k and k.startswith(expected) for k in keys), (
                expected,
                [p.format() for p in problems],
            )


@pytest.mark.parametrize(
    "source",
    [HOSTILE / "sites/hostile.yaml", *[p for p in SETTINGS if p.name in CLEAN]],
    ids=lambda p: p.name,
)
def test_settings_that_must_build_cleaned_are_accepted(hostile_project: Path, source: Path) -> None:
    town = load_town(_load(hostile_project, source), hostile_project)
    assert town.content == hostile_project / "content/hostile"
    assert town.theme == "gardarika"


def test_trust_html_in_a_towns_file_is_refused(hostile_project: Path) -> None:
    """A town's file may be changed by its editors, so it cannot switch the cleaning off;
    the maintainer's list in network.yaml can."""
    with pytest.raises(GardarikaError) as refused:
        load_town(_load(hostile_project, HOSTILE / "settings/s33-trust-html.yaml"), hostile_project)
    assert [p.key for p in refused.value.problems] == ["trust_html"]
    write(hostile_project / "sites/network.yaml", "trust_html: [hostile]\n")
    town = load_town(
        _load(hostile_project, HOSTILE / "settings/s33-trust-html.yaml"), hostile_project
    )
    assert town.trust_html is True


def test_hostile_settings_beside_other_towns_leave_them_built(hostile_project: Path) -> None:
    """A hostile file naming another town's folder is refused for itself only; the
    other town is loaded, and its file gets a warning naming the hostile one."""
    _load(hostile_project, HOSTILE / "settings/s07-content-other-town.yaml")
    network = load_network(hostile_project)
    assert "vyborg" in network.towns and network.broken == ["hostile"]
    warning = [p for p in network.problems if p.file == "sites/vyborg.yaml"]
    assert [p.severity for p in warning] == ["warning"]
    assert "sites/hostile.yaml" in warning[0].en and "sites/hostile.yaml" in warning[0].ru
    error = [p for p in network.problems if p.file == "sites/hostile.yaml"]
    assert error and "sites/vyborg.yaml" in error[0].en


def test_every_hostile_settings_file_at_once_keeps_the_network(hostile_project: Path) -> None:
    """All the corpus's files as towns of one network: no traceback, the refused ones
    are broken, the clean ones and vyborg load."""
    for source in SETTINGS:
        shutil.copyfile(source, hostile_project / "sites" / f"h{source.name[1:3]}.yaml")
        (hostile_project / "content" / f"h{source.name[1:3]}").mkdir(exist_ok=True)
    network = load_network(hostile_project)
    assert "vyborg" in network.towns
    assert set(network.towns) == {"vyborg", "h16", "h40"}
    assert all(p.line is not None for p in network.problems if p.file not in ("sites/vyborg.yaml",))


def test_a_deploy_target_spelt_with_capitals_is_another_towns(hostile_project: Path) -> None:
    """On a stick /media/stick/Vyborg is /media/stick/vyborg: the hostile town's target
    is refused (vyborg's names its own town), vyborg's is kept."""
    write(
        hostile_project / "sites/vyborg.yaml",
        "name: {ru: Выборг, en: Vyborg}\nlanguages: [ru, en]\n"
        "deploy:\n  stick: {type: dir, path: /media/stick/vyborg}\n",
    )
    _load(hostile_project, HOSTILE / "settings/s40-deploy-case-twin.yaml")
    network = load_network(hostile_project)
    warnings = [p for p in network.problems if p.severity == "warning"]
    assert [p.file for p in warnings] == ["sites/hostile.yaml"], [
        p.format() for p in network.problems
    ]
    assert "sites/vyborg.yaml" in warnings[0].en
