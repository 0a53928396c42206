"""Red team, round 6: attacks on the changes of 2026-11-30 (the package split, the
command table, Network.choose, the one template rule, the one code mask), each fixed:
the code mask follows Python-Markdown (code spans end at a blank line, an escaped
backtick opens none, a fence never closed is no code), a template is judged for the
kind of document that names it and as the build reads it, ``check --site`` takes towns
only, a town whose settings have errors is not called missing, and a bad number is an
error, not a traceback. No build is started."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import markdown
import pytest
from projects import REPO

from gardarika.content.markdown import markdown_settings, mask_code

TARGET = "../../other/secret.md"


def _render(text: str) -> str:
    settings = markdown_settings()
    return markdown.markdown(
        text,
        extensions=list(settings["extension_configs"]),
        extension_configs=settings["extension_configs"],
        output_format="html5",
    )


def _project(tmp_path: Path, towns: dict[str, str]) -> Path:
    root = tmp_path / "proj"
    (root / "sites").mkdir(parents=True)
    (root / "themes").symlink_to(REPO / "themes")
    (root / "sites" / "network.yaml").write_text(
        "name:\n  ru: Сеть\n  en: Net\norder: [" + ", ".join(towns) + "]\n", encoding="utf-8"
    )
    for town, extra in towns.items():
        (root / "content" / town / "pages").mkdir(parents=True)
        (root / "content" / town / "articles").mkdir(parents=True)
        (root / "sites" / f"{town}.yaml").write_text(
            "name:\n  ru: Т\nlanguages: [ru]\ndescription:\n  ru: Т.\n"
            "timezone: Europe/Moscow\n" + extra,
            encoding="utf-8",
        )
    return root


# -- 1. the one code mask hides links the build renders (lint regression of c89dc45) ------

RENDERED_BUT_MASKED = {
    # two apostrophes typed as backticks, in different paragraphs: Python-Markdown
    # (like CommonMark) never lets a code span cross a blank line
    "stray backticks in two paragraphs": f"Don`t do this.\n\n[x]({TARGET})\n\nIsn`t it?\n",
    # an escaped backtick is a literal backtick, not the start of code
    "escaped backtick": f"a \\`b [x]({TARGET}) c` d\n",
    # Python-Markdown's fenced_code needs a closing fence, else it is no code block
    "unclosed fence": f"Text\n\n```\n[x]({TARGET})\n",
}


@pytest.mark.parametrize("text", RENDERED_BUT_MASKED.values(), ids=RENDERED_BUT_MASKED.keys())
def test_mask_keeps_links_markdown_renders(text: str) -> None:
    assert f'href="{TARGET}"' in _render(text)  # the build renders the link ...
    assert TARGET in mask_code(text, indented=True)  # ... so the checks must see it


def test_lint_reports_a_link_out_between_stray_backticks(tmp_path: Path) -> None:
    """End to end through lint_town: the confinement error and the broken-link error
    vanish once the text has two backtick apostrophes around the link."""
    from gardarika.checks.lint import lint_town
    from gardarika.config.network import load_network

    root = _project(tmp_path, {"t": ""})
    (root / "content" / "other").mkdir()
    (root / "content" / "other" / "secret.txt").write_text("s", encoding="utf-8")
    (root / "content" / "t" / "articles" / "s.md").write_text(
        "Title: S\nDate: 2024-01-03\n\nDon`t do this.\n\n"
        "[x]({static}/../other/secret.txt) and [y](nosuch.html)\n\nIsn`t it?\n",
        encoding="utf-8",
    )
    town = load_network(root).towns["t"]
    errors = [p.en for p in lint_town(town, root, html=False) if p.severity == "error"]
    assert any("leads out of the town's content folder" in e for e in errors), errors
    assert any("leads to no file" in e for e in errors), errors


# -- 2. the one template rule lets through names the build then fails on, unattributed --


@pytest.mark.parametrize(("kind", "template"), [("pages", "article"), ("articles", "page")])
def test_lint_refuses_a_template_of_the_other_kind(
    tmp_path: Path, kind: str, template: str
) -> None:
    """``Template: article`` on a page (or ``page`` on an article) passes the checks and
    safe_addresses; the build then fails the whole town with "the theme's template
    failed: 'article' is undefined. Fix the template or choose another theme." naming no
    file (reproduced with ``gardarika build``)."""
    from gardarika.checks.lint import lint_town
    from gardarika.config.network import load_network

    root = _project(tmp_path, {"t": ""})
    date = "Date: 2024-01-01\n" if kind == "articles" else ""
    (root / "content" / "t" / kind / "x.md").write_text(
        f"Title: X\n{date}Template: {template}\n\nText.\n", encoding="utf-8"
    )
    town = load_network(root).towns["t"]
    said = [p.en for p in lint_town(town, root, html=False) if "emplate" in p.en]
    assert said, "the checks accept a template the build cannot render for this kind"


def test_direct_templates_refuse_content_templates() -> None:
    """``pelican: {DIRECT_TEMPLATES: [index, article]}`` in sites/<town>.yaml passes the
    settings check; the build fails with "'article' is undefined", naming no setting."""
    from gardarika.config.pelican_allowed import setting_problems

    assert setting_problems("DIRECT_TEMPLATES", ["index", "article"])
    assert setting_problems("DIRECT_TEMPLATES", ["index", "page"])


def test_front_matter_template_with_space_same_verdict(tmp_path: Path) -> None:
    """YAML ``template: "page "``: the checks strip it and say nothing, the build
    (safe_addresses) refuses it and the town is not published."""
    from safe_addresses import check_template

    from gardarika.checks.lint import lint_town
    from gardarika.config.network import load_network
    from gardarika.errors import ContentError

    root = _project(tmp_path, {"t": ""})
    source = root / "content" / "t" / "pages" / "g.md"
    source.write_text('---\ntitle: G\ntemplate: "page "\n---\n\nText.\n', encoding="utf-8")
    town = load_network(root).towns["t"]
    lint_says = [p for p in lint_town(town, root, html=False) if p.severity == "error"]
    try:
        check_template(SimpleNamespace(metadata={"template": "page "}, source_path=str(source)))
        build_refuses = False
    except ContentError:
        build_refuses = True
    assert bool(lint_says) == build_refuses, (lint_says, build_refuses)


# -- 3. commands and towns ---------------------------------------------------------------


def _built(root: Path) -> None:
    town = root / "output" / "t"
    town.mkdir(parents=True)
    (town / "index.html").write_text(
        '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>T</title>'
        '</head><body><a href="news.html">n</a></body></html>',
        encoding="utf-8",
    )
    (town / "news.html").write_text(
        '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>N</title>'
        '</head><body><a href="index.html">i</a></body></html>',
        encoding="utf-8",
    )


def test_check_with_a_town_named_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``check --site t,t`` (the only town command not using Network.choose) walks the
    town twice and fails every file with "these names differ only in case"."""
    from gardarika.cli import _check

    root = _project(tmp_path, {"t": ""})
    _built(root)
    assert _check(root, "t") == 0
    assert _check(root, "t,t") == 0, capsys.readouterr().out


def test_check_site_is_a_town_not_a_path(tmp_path: Path) -> None:
    """``check --site ..`` checks the project folder (and ``--site /`` the whole disk):
    the value is joined to output/ unchecked."""
    from gardarika.cli import _check

    root = _project(tmp_path, {"t": ""})
    _built(root)
    assert _check(root, "..") == 2


def test_a_broken_town_is_not_called_missing(tmp_path: Path) -> None:
    """lint/deploy/pull/package --site u, with sites/u.yaml present but with an error,
    say "there is no town u (no sites/u.yaml)"."""
    from gardarika.config.network import UnknownTown, load_network

    root = _project(tmp_path, {"t": "", "u": "bogus_key: 1\n"})
    network = load_network(root)
    assert "u" in network.broken
    with pytest.raises(UnknownTown) as raised:
        network.choose(["u"])
    assert "no sites/u.yaml" not in str(raised.value), str(raised.value)


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ({"jobs": "x"}, "invoke build --jobs x"),  # invoke passes text, typed late
        ({"memory_limit": "nan"}, "gardarika build --memory-limit nan"),
    ],
)
def test_bad_numbers_are_an_error_not_a_traceback(tmp_path: Path, given: dict, why: str) -> None:
    """A bad number gives a ValueError traceback (argparse's own type check only covers
    the command line, and float() accepts nan/inf/-1)."""
    from gardarika.commands import BY_NAME

    root = _project(tmp_path, {"t": ""})
    try:
        code = BY_NAME["build"].run(root, {"no_such": None, **given, "check": False})
    except ValueError as exc:
        pytest.fail(f"{why}: traceback {exc!r}")
    assert code == 2
