"""Editors' checks of metadata keys and dates (issue 17, items 1–3): a misspelt key is
named with the key meant, a title or date lost to a misspelling is explained at its
line in the file's own syntax, an impossible date is called impossible."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import write

from gardarika.checks.lint import lint_town
from gardarika.checks.metadata import impossible_date
from gardarika.config.network import load_network
from gardarika.content.keys import meant

ARTICLE = "content/alpha/articles/{}"


def _problems(network: Path, name: str, text: str) -> list:
    (network / ARTICLE.format(name)).write_text(text, encoding="utf-8")
    town = load_network(network).towns["alpha"]
    return [p for p in lint_town(town, network) if p.file == ARTICLE.format(name)]


def _one(problems: list, words: str):
    found = [p for p in problems if words in p.en]
    assert len(found) == 1, "\n".join(p.format() for p in problems)
    assert found[0].ru and found[0].ru != found[0].en
    return found[0]


@pytest.mark.parametrize(
    ("line", "written", "right"),
    [
        ("Categroy: Культура", "Categroy:", "Category:"),
        ("Tegs: хор, концерт", "Tegs:", "Tags:"),
        ("Autor: Мария Иванова", "Autor:", "Author:"),
        ("Sumary: Коротко", "Sumary:", "Summary:"),
    ],
)
def test_a_misspelt_key_is_named_with_the_key_meant(
    network: Path, line: str, written: str, right: str
) -> None:
    text = f"Title: Концерт\nDate: 2024-05-01 10:30\n{line}\n\nТекст.\n"
    problem = _one(_problems(network, "a.md", text), f"“{written}” is not a key")
    assert problem.severity == "warning" and problem.line == 3
    assert f"Did you mean “{right}”?" in problem.en
    assert f"«{right}»" in problem.ru


def test_in_yaml_the_key_meant_is_written_as_yaml(network: Path) -> None:
    text = "---\ntitle: Концерт\ndate: 2024-05-01 10:30\ncategroy: Культура\n---\nТекст.\n"
    problem = _one(_problems(network, "a.md", text), "“categroy:” is not a key")
    assert problem.line == 4 and "Did you mean “category:”?" in problem.en


def test_an_unknown_key_without_a_likely_meaning_lists_the_keys(network: Path) -> None:
    text = "Title: Концерт\nDate: 2024-05-01 10:30\nVenue: Дом культуры\n\nТекст.\n"
    problem = _one(_problems(network, "a.md", text), "“Venue:” is not a key")
    assert "Category:" in problem.en and "metadata_keys:" in problem.en


def test_keys_the_town_declares_are_not_reported(network: Path) -> None:
    site = network / "sites" / "alpha.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "metadata_keys: [venue]\n", "utf-8")
    text = "Title: Концерт\nDate: 2024-05-01 10:30\nVenue: Дом культуры\n\nТекст.\n"
    assert not _problems(network, "a.md", text)


def test_keys_a_network_plugin_declares_are_not_reported(network: Path) -> None:
    write(network / "plugins" / "events" / "__init__.py", 'METADATA_KEYS = ("venue",)\n')
    site = network / "sites" / "alpha.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "pelican:\n  PLUGINS: [events]\n", "utf-8")
    text = "Title: Концерт\nDate: 2024-05-01 10:30\nVenue: Дом культуры\n\nТекст.\n"
    assert not [p for p in _problems(network, "a.md", text) if "Venue" in p.en]


def test_a_settings_value_that_is_not_a_key_name_is_an_error(network: Path) -> None:
    site = network / "sites" / "alpha.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "metadata_keys: ['a b']\n", "utf-8")
    network_problems = load_network(network).problems
    assert any("metadata_keys" in (p.key or "") for p in network_problems)


def test_a_misspelt_title_in_yaml_is_explained_at_its_line(network: Path) -> None:
    """What ``invoke new`` writes, with its title key misspelt: the error names the
    key at its line and asks for ``title:``, not for a ``Title:`` first line."""
    text = "---\ntitel: Концерт\ndate: 2024-05-01 10:30\nlang: ru\n---\nТекст.\n"
    problems = _problems(network, "a.md", text)
    problem = _one(problems, "there is no title")
    assert problem.severity == "error" and problem.line == 2
    assert "“titel:” is not a key" in problem.en and "Write “title:” instead" in problem.en
    assert not [p for p in problems if "is not a key the build knows, so this line" in p.en]
    assert not [p for p in problems if "date" in p.en]


def test_a_missing_title_in_yaml_asks_for_a_yaml_line(network: Path) -> None:
    problem = _one(_problems(network, "a.md", "---\ndate: 2024-05-01\n---\nТекст.\n"), "title")
    assert "“title: Субботник в парке” between the “---” lines" in problem.en


def test_a_russian_header_key_is_explained(network: Path) -> None:
    text = "Заголовок: Концерт\n\nТекст.\n"
    problems = _problems(network, "a.md", text)
    problem = _one(problems, "there is no title")
    assert problem.line == 1 and "“Заголовок:”" in problem.en and "“Title:”" in problem.en


def test_a_russian_yaml_key_is_meant_as_its_english_key(network: Path) -> None:
    text = "---\ntitle: Концерт\ndate: 2024-05-01 10:30\nрубрика: Культура\n---\nТекст.\n"
    problem = _one(_problems(network, "a.md", text), "“рубрика:” is not a key")
    assert "Did you mean “category:”?" in problem.en


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2024-02-31", "February 2024 has no day 31: it has 29 days"),
        ("2023-02-29 10:00", "February 2023 has no day 29"),
        ("2024-13-01", "there is no month 13"),
        ("2024-04-31", "April 2024 has no day 31"),
        ("2024-05-01 25:00", "there is no hour 25"),
        ("2024-05-01 10:75", "there is no minute 75"),
    ],
)
def test_an_impossible_date_is_called_impossible(network: Path, value: str, words: str) -> None:
    text = f"Title: Концерт\nDate: {value}\n\nТекст.\n"
    problem = _one(_problems(network, "a.md", text), words)
    assert problem.severity == "error" and problem.line == 2
    assert "cannot be understood" not in problem.en


def test_impossible_dates_in_russian() -> None:
    said = impossible_date("2024-02-31")
    assert said is not None and said.ru == "в феврале 2024 года нет 31-го числа: в нём 29 дней."
    assert impossible_date("2024-05-01 10:30") is None
    assert impossible_date("1 мая") is None


def test_what_a_key_most_likely_means() -> None:
    known = ("title", "date", "category", "tags")
    assert meant("Titel", known) == "title"
    assert meant("Категория", known) == "category"
    assert meant("ТЕГИ", known) == "tags"
    assert meant("venue", known) is None


@pytest.mark.parametrize(
    ("status", "meant"),
    [("черновик", "draft"), ("private", "hidden"), ("publish", "published"), ("Готово", None)],
)
def test_a_status_pelican_does_not_know_is_an_error_with_the_one_meant(
    network: Path, status: str, meant: str | None
) -> None:
    """Pelican stops the build at an unknown status with an English message; the checks
    say it first, at its line, with the status meant (WordPress's and Russian words)."""
    from gardarika.checks.lint import lint_town
    from gardarika.config.network import load_network

    write(
        network / "content/alpha/articles/status.md",
        f"Title: Статус\nDate: 2024-01-01\nStatus: {status}\n\nТекст.\n",
    )
    write(
        network / "content/alpha/articles/fine.md",
        "Title: Скрытая\nDate: 2024-01-01\nStatus: Hidden\n\nТекст.\n",
    )
    found = [
        p for p in lint_town(load_network(network).towns["alpha"], network) if "status" in p.en
    ]
    [problem] = found
    assert problem.file.endswith("status.md") and problem.line == 3
    assert problem.severity == "error" and f"“{status}”" in problem.en
    assert f"«{status}»" in problem.ru
    if meant:
        assert f"Write “Status: {meant}”" in problem.en
    else:
        assert "“Status: published”" in problem.en and "“Status: draft”" in problem.en
