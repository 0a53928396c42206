"""``Modified:`` as editors write it: a date that cannot be read used to stop the build
with a message about ``Date`` (and the content check said nothing), and one in the
future was shown as "updated" on a day to come."""

from __future__ import annotations

from pathlib import Path

from projects import write

from gardarika.checks.lint import lint_town
from gardarika.config.network import load_network


def problems_of(root: Path, name: str) -> list[object]:
    town = load_network(root).towns["alpha"]
    return [p for p in lint_town(town, root) if p.file == f"content/alpha/articles/{name}"]


def test_a_last_change_that_cannot_be_is_an_error_at_its_line(network: Path) -> None:
    articles = network / "content" / "alpha" / "articles"
    write(articles / "m1.md", "Title: Т\nDate: 2024-05-01 10:00\nModified: 2024-13-45\n\nТекст.\n")
    [problem] = problems_of(network, "m1.md")
    assert problem.severity == "error" and problem.line == 3
    assert "“2024-13-45” cannot be: there is no month 13" in problem.en
    assert "“Modified: 2024-05-01 10:30”, or remove the line" in problem.en
    assert "«2024-13-45» не бывает" in problem.ru and "удалите строку" in problem.ru
    # in YAML front matter, the example is written as YAML's keys are
    write(
        articles / "m1.md",
        "---\ntitle: Т\ndate: 2024-05-01 10:00\nmodified: вчера\n---\n\nТекст.\n",
    )
    [problem] = problems_of(network, "m1.md")
    assert problem.line == 4 and "“вчера” cannot be understood" in problem.en
    assert "“modified: 2024-05-01 10:30”" in problem.en


def test_a_last_change_in_the_future_is_an_error(network: Path) -> None:
    articles = network / "content" / "alpha" / "articles"
    write(articles / "m2.md", "Title: Т\nDate: 2024-05-01 10:00\nModified: 2999-01-01\n\nТекст.\n")
    [problem] = problems_of(network, "m2.md")
    assert problem.severity == "error" and problem.line == 3
    assert problem.en == (
        "the date of the last change 2999-01-01 00:00 is in the future; correct it, or "
        "remove the line."
    )
    assert problem.ru == (
        "дата последнего изменения 2999-01-01 00:00 ещё не наступила; исправьте её или "
        "удалите строку."
    )


def test_a_last_change_before_the_text_is_a_warning_and_a_right_one_says_nothing(
    network: Path,
) -> None:
    articles = network / "content" / "alpha" / "articles"
    write(articles / "m3.md", "Title: Т\nDate: 2024-05-01 10:00\nModified: 2023-01-01\n\nТекст.\n")
    [problem] = problems_of(network, "m3.md")
    assert problem.severity == "warning" and problem.line == 3
    assert "2023-01-01 is before the text's own date 2024-05-01" in problem.en
    write(articles / "m3.md", "Title: Т\nDate: 2024-05-01 10:00\nModified: 2024-06-01\n\nТекст.\n")
    assert problems_of(network, "m3.md") == []
