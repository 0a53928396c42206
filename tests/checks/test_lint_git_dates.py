"""The editors' checks and dates from git (issue 23, point 5): an article without a date
is dated by its first commit, with a warning in both languages naming the file, the
date and the line to write; without it (a file not committed, a shallow clone's cut) it
is the error it always was."""

from __future__ import annotations

from pathlib import Path

from projects import commit_at, git, write

from gardarika.checks.lint import lint_town
from gardarika.config.network import load_network

# 2024-05-01 10:30 and 2024-06-01 10:30 UTC
T1, T2 = 1714559400, 1717237800
UNDATED = "content/alpha/articles/undated.md"


def undated_problems(root: Path) -> list[object]:
    town = load_network(root).towns["alpha"]
    return [p for p in lint_town(town, root) if p.file == UNDATED]


def test_dated_by_its_first_commit_with_a_warning(network: Path) -> None:
    alpha = network / "content" / "alpha"
    git("init", "-q", "-b", "main", cwd=alpha)
    write(alpha / "articles" / "undated.md", "Title: Без даты\n\nТекст.\n")
    commit_at(alpha, T1)
    write(alpha / "articles" / "undated.md", "Title: Без даты\n\nТекст, дописан.\n")
    commit_at(alpha, T2)
    [problem] = undated_problems(network)
    assert problem.severity == "warning" and problem.line == 1
    assert problem.en == (
        "there is no date: the date of its first commit, 2024-05-01, is used. To write "
        "the date in the text itself, add a line like “Date: 2024-05-01 13:30” at the top."
    )
    assert problem.ru == (
        "нет даты: используется дата первого коммита этого файла, 2024-05-01. Чтобы "
        "указать дату в самом тексте, добавьте вверху строку, например, «Date: "
        "2024-05-01 13:30»."
    )
    # a file not committed yet has no date from git
    write(alpha / "articles" / "new.md", "Title: Новая\n\nТекст.\n")
    town = load_network(network).towns["alpha"]
    [new] = [p for p in lint_town(town, network) if p.file.endswith("new.md")]
    assert new.severity == "error" and new.en.startswith("there is no date. Add a line")


def test_a_shallow_clone_gives_no_date_and_says_why(network: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    write(work / "articles" / "undated.md", "Title: Без даты\n\nТекст.\n")
    git("init", "-q", "-b", "main", cwd=work)
    commit_at(work, T1)
    write(work / "articles" / "other.md", "Title: Другая\nDate: 2024-06-01\n\nТекст.\n")
    commit_at(work, T2)
    alpha = network / "content" / "alpha"
    for path in sorted(alpha.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    alpha.rmdir()
    git("clone", "-q", "--depth", "1", f"file://{work}", str(alpha), cwd=tmp_path)
    [problem] = undated_problems(network)
    assert problem.severity == "error"
    assert problem.en.startswith("there is no date. Add a line")
    assert "(a “shallow clone”)" in problem.en and "«неглубокий клон»" in problem.ru


def test_a_first_commit_dated_in_the_future_is_not_used(network: Path) -> None:
    alpha = network / "content" / "alpha"
    git("init", "-q", "-b", "main", cwd=alpha)
    write(alpha / "articles" / "undated.md", "Title: Без даты\n\nТекст.\n")
    commit_at(alpha, 4102444800)  # 2100-01-01
    [problem] = undated_problems(network)
    assert problem.severity == "error"
    assert "the date of its first commit, 2100-01-01 03:00, is in the future" in problem.en
