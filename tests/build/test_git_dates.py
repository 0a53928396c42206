"""Dates from git, end to end (issue 23, point 5): a town inside the network's
repository and a town that is its own clone, built by the real builder; an article
without a date shows its first commit's, with the checks' warning, and a changed
article shows when it was last changed."""

from __future__ import annotations

from pathlib import Path

from projects import commit_at, git, write

from gardarika.build.builder import Builder

# 2024-05-01 10:30, 2024-06-01 10:30, 2024-07-01 10:30, 2024-08-01 10:30 (UTC)
T1, T2, T3, T4 = 1714559400, 1717237800, 1719829800, 1722508200


def page(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\u00a0", " ").replace("&nbsp;", " ")


UNDATED = "Title: Без даты\nSlug: undated\n\nСтатья без даты.\n"


def build(root: Path, towns: list[str] | None = None) -> tuple[object, str]:
    lines: list[str] = []
    report = Builder(root, jobs=2, echo=lines.append).build(towns)
    return report, "\n".join(lines)


def test_dates_from_the_network_repository_and_from_a_town_clone(network: Path) -> None:
    git("init", "-q", "-b", "main", cwd=network)
    write(network / ".gitignore", "output/\n.cache/\ncontent/gamma/\n")
    commit_at(network, T1)
    write(network / "content" / "alpha" / "articles" / "undated.md", UNDATED)
    commit_at(network, T2)
    fair = network / "content" / "alpha" / "articles" / "fair.md"
    fair.write_text(fair.read_text(encoding="utf-8") + "\nЕщё строка.\n", encoding="utf-8")
    commit_at(network, T3)

    # gamma: its own clone, as invoke pull makes it
    write(network / "sites" / "gamma.yaml", "name: {ru: Гамма}\nlanguages: [ru]\n")
    gamma = network / "content" / "gamma"
    write(gamma / "undated.md", UNDATED)
    git("init", "-q", "-b", "main", cwd=gamma)
    commit_at(gamma, T1)
    write(gamma / "undated.md", UNDATED + "\nДописано.\n")
    commit_at(gamma, T4)

    report, log = build(network)
    assert report.ok, log  # type: ignore[attr-defined]
    out = network / "output"
    undated = page(out / "alpha" / "undated.html")
    assert '<time datetime="2024-06-01">' in undated and "Обновлено" not in undated
    assert "articles/undated.md:1: warning: there is no date: the date of its first " in log
    assert "commit, 2024-06-01, is used." in log
    assert "используется дата первого коммита этого файла, 2024-06-01" in log
    assert "Date: 2024-06-01 13:30" in log  # the town's time (Europe/Moscow)
    # fair.md has a date of its own, and was changed after it
    fair_page = page(out / "alpha" / "yarmarka-remyosel.html")
    assert '<time datetime="2024-05-05">' in fair_page
    assert 'Обновлено: <time datetime="2024-07-01">' in fair_page
    # the English one was not changed since its first commit
    assert "Updated" not in page(out / "alpha" / "en" / "yarmarka-remyosel.html")
    gamma_page = page(out / "gamma" / "undated.html")
    assert '<time datetime="2024-05-01">' in gamma_page
    assert 'Обновлено: <time datetime="2024-08-01">' in gamma_page

    # nothing changed: nothing built; a commit that changes no file changes the dates
    report, log = build(network)
    assert sorted(report.skipped) == ["alpha", "beta", "gamma"], log  # type: ignore[attr-defined]
    commit_at(gamma, T3, "--amend", "--reset-author")
    report, log = build(network)
    assert report.built == ["gamma"], log  # type: ignore[attr-defined]
    assert 'Обновлено: <time datetime="2024-07-01">' in page(out / "gamma" / "undated.html")


def test_without_git_the_undated_article_is_an_error(network: Path) -> None:
    write(network / "content" / "alpha" / "articles" / "undated.md", UNDATED)
    report, log = build(network, ["alpha"])
    assert report.failed == ["alpha"]  # type: ignore[attr-defined]
    assert "content/alpha/articles/undated.md:1: error: there is no date. Add a line" in log
