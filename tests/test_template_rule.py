"""One rule for what names a page template (``gardarika.config.templates``): a text's
``Template:`` line in the editors' checks and in the build, and the template settings
a town may set, accept and refuse the same names (they had three rules that disagreed:
``Page`` passed the settings check and failed the build, ``archives\\n`` passed the
settings check)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from gardarika.config.pelican_allowed import setting_problems
from gardarika.config.templates import template_problem
from gardarika.errors import ContentError

NAMES = {
    "page": True,
    "archives": True,
    "gallery-2": True,
    "town_news": True,
    "Page": False,
    "_macros": False,
    "base": False,
    "portal": False,
    "PORTAL": False,
    "archives\n": False,
    "": False,
    "../base": False,
    "page.html": False,
}


@pytest.mark.parametrize(("name", "good"), NAMES.items())
def test_the_rule(name: str, good: bool) -> None:
    problem = template_problem(name)
    assert (problem is None) == good
    if problem is not None:
        en, ru = problem
        assert "template" in en and "шаблон" in ru


@pytest.mark.parametrize(("name", "good"), NAMES.items())
def test_the_settings_follow_it(name: str, good: bool) -> None:
    assert (not setting_problems("DIRECT_TEMPLATES", [name])) == good
    assert (not setting_problems("PAGINATED_TEMPLATES", {name: None})) == good


@pytest.mark.parametrize(("name", "good"), NAMES.items())
def test_the_build_follows_it(name: str, good: bool, tmp_path: Path) -> None:
    from safe_addresses import check_template  # the plugin (plugins/ is on the path)

    source = tmp_path / "a.md"
    source.write_text(f"Title: A\nTemplate: {name}\n\nText.\n", encoding="utf-8")
    document = SimpleNamespace(metadata={"template": name}, source_path=str(source))
    if good:
        check_template(document)
    else:
        with pytest.raises(ContentError):
            check_template(document)


@pytest.mark.parametrize(("name", "good"), NAMES.items())
def test_the_editors_checks_follow_it(name: str, good: bool, network: Path) -> None:
    """The checks say nothing of a name that is a path (the confinement check explains
    that one), and for the rest what the rule says; a good name that the theme lacks is
    reported as missing, not as a bad name."""
    from gardarika.checks.lint import lint_town
    from gardarika.config.network import load_network

    article = network / "content" / "beta" / "news-0.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Title:", f"Template: {name.strip()}\nTitle:", 1))
    site = load_network(network).sites["beta"]
    said = [p.en for p in lint_town(site, network) if "emplate" in p.en]
    if not name.strip() or "/" in name or "." in name or name != name.strip():
        return  # not a plain name: another check's (or no template, or no such line)
    problem = template_problem(name)
    if good:
        assert problem is None
        assert all("part of" not in en and "lower case" not in en for en in said), said
    else:
        assert problem is not None and any(problem[0] in en for en in said), said
