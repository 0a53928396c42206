"""One rule for what names a page template (``gardarika.config.templates``): a text's
``Template:`` line in the editors' checks and in the build, and the template settings
a town may set, accept and refuse the same names (they had three rules that disagreed:
``Page`` passed the settings check and failed the build, ``archives\\n`` passed the
settings check, ``Template: article`` on a page passed the checks and failed the whole
town without naming the file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pelican.contents import Article, Page

from gardarika.config.pelican_allowed import setting_problems
from gardarika.config.templates import template_problem
from gardarika.errors import ContentError

#: name -> (good for an article, good for a page, good for a page of lists)
NAMES = {
    "archives": (True, True, True),
    "gallery-2": (True, True, True),
    "town_news": (True, True, True),
    "article": (True, False, False),
    "page": (False, True, False),
    "Page": (False, False, False),
    "_macros": (False, False, False),
    "base": (False, False, False),
    "portal": (False, False, False),
    "PORTAL": (False, False, False),
    "archives\n": (False, False, False),
    "page ": (False, False, False),
    "": (False, False, False),
    "../base": (False, False, False),
    "page.html": (False, False, False),
}
KINDS = ("article", "page", None)


@pytest.mark.parametrize(("name", "good"), NAMES.items())
def test_the_rule(name: str, good: tuple[bool, bool, bool]) -> None:
    for kind, fine in zip(KINDS, good, strict=True):
        problem = template_problem(name, kind)
        assert (problem is None) == fine, (name, kind)
        if problem is not None:
            en, ru = problem
            assert "template" in en and "шаблон" in ru


@pytest.mark.parametrize(("name", "good"), NAMES.items())
def test_the_settings_follow_it(name: str, good: tuple[bool, bool, bool]) -> None:
    assert (not setting_problems("DIRECT_TEMPLATES", [name])) == good[2]
    assert (not setting_problems("PAGINATED_TEMPLATES", {name: None})) == good[2]


@pytest.mark.parametrize(("name", "good"), NAMES.items())
def test_the_build_follows_it(name: str, good: tuple[bool, bool, bool], tmp_path: Path) -> None:
    from safe_addresses import check_template  # the plugin (plugins/ is on the path)

    source = tmp_path / "a.md"
    source.write_text(f"Title: A\nTemplate: {name}\n\nText.\n", encoding="utf-8")
    for kind, fine in zip((Article, Page), good[:2], strict=True):
        document = kind.__new__(kind)  # only what the check reads
        document.metadata = {"template": name}
        document.source_path = str(source)
        if fine:
            check_template(document)
        else:
            with pytest.raises(ContentError):
                check_template(document)


@pytest.mark.parametrize(("name", "good"), NAMES.items())
def test_the_editors_checks_follow_it(
    name: str, good: tuple[bool, bool, bool], network: Path
) -> None:
    """The checks say nothing of a name that is a path (the confinement check explains
    that one), and for the rest what the rule says, for an article and for a page (in
    YAML front matter, which keeps a value's spaces); a good name the theme lacks is
    reported as missing, not as a bad name."""
    from gardarika.checks.lint import lint_town
    from gardarika.config.network import load_network

    if "/" in name or "." in name or "\n" in name:
        return  # a path (another check's), or a value no header line can hold
    quoted = name.replace('"', "")
    (network / "content" / "beta" / "news-0.md").write_text(
        f'---\ntitle: Новость\ndate: 2024-01-10\ntemplate: "{quoted}"\n---\n\nТекст.\n',
        encoding="utf-8",
    )
    (network / "content" / "beta" / "pages").mkdir(parents=True, exist_ok=True)
    (network / "content" / "beta" / "pages" / "about.md").write_text(
        f'---\ntitle: О городе\ntemplate: "{quoted}"\n---\n\nТекст.\n', encoding="utf-8"
    )
    problems = lint_town(load_network(network).towns["beta"], network)
    for file, kind, fine in (("news-0.md", "article", good[0]), ("about.md", "page", good[1])):
        said = [p.en for p in problems if p.file.endswith(file) and "emplate" in p.en]
        problem = template_problem(name, kind)
        assert (problem is None) == fine
        if fine:
            assert all("part of" not in en and "lower case" not in en for en in said), said
            assert all("cannot show" not in en for en in said), said
        else:
            assert problem is not None and any(problem[0] in en for en in said), (file, said)
