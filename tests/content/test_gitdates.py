"""Dates from git (issue 23, point 5): each text's first and last commit, read by one
``git log`` per town and cached. Real git, repositories made here, every commit with a
fixed author and committer date."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from projects import commit_at, git, new_repo, write

from gardarika.content import gitdates
from gardarika.content.gitdates import NO_DATES, dates_to_use, town_dates

T1, T2, T3, T4 = 1714559400, 1717237800, 1719829800, 1722508200  # 2024-05-01 10:30 UTC …


def text(title: str) -> str:
    return f"Title: {title}\n\nText of {title}.\n"


class Started:
    """The commands started while it counts."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    @property
    def git_logs(self) -> int:
        return sum(1 for c in self.commands if "log" in c)


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[Started]:
    seen = Started()
    original = subprocess.Popen

    class Counting(original):  # type: ignore[misc, valid-type]
        def __init__(self, args: list[str], *rest: object, **kwargs: object) -> None:
            seen.commands.append(list(args))
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Counting)
    yield seen


def test_first_and_last_commit_of_each_text(tmp_path: Path) -> None:
    town = new_repo(tmp_path / "town")
    write(town / "a.md", text("A"))
    write(town / "images" / "logo.txt", "not a text of the site")
    commit_at(town, T1)
    write(town / "a.md", text("A, changed"))
    write(town / "news" / "b.md", text("B"))
    commit_at(town, T2)
    commit_at(town, T3, message="a commit that changes nothing")
    dates = town_dates(town, tmp_path, None, "town")
    assert dates.files == {"a.md": (T1, T2), "news/b.md": (T2, T2)}
    assert not dates.shallow and dates.problem is None


def test_a_moved_text_keeps_its_dates_and_a_deleted_one_starts_anew(tmp_path: Path) -> None:
    town = new_repo(tmp_path / "town")
    write(town / "old name.md", text("Moved") + "A long enough text to be found again.\n" * 5)
    write(town / "gone.md", text("Gone"))
    write(town / "again.md", text("Again"))
    commit_at(town, T1)
    (town / "news").mkdir()
    git("mv", "old name.md", "news/new name.md", cwd=town)
    git("rm", "-q", "gone.md", "again.md", cwd=town)
    commit_at(town, T2, message="moved and deleted")
    write(town / "again.md", text("Added again, another text"))
    commit_at(town, T3)
    path = town / "news" / "new name.md"
    path.write_text(path.read_text(encoding="utf-8") + "One more line.\n", encoding="utf-8")
    git("mv", "news/new name.md", "news/renamed.md", cwd=town)
    commit_at(town, T4, message="moved and changed")
    dates = town_dates(town, tmp_path, None, "town")
    assert dates.files == {"news/renamed.md": (T1, T4), "again.md": (T3, T3)}


def test_paths_with_any_characters(tmp_path: Path) -> None:
    town = new_repo(tmp_path / "town")
    names = [
        "с пробелом.md",
        "новости/ёжик в тумане.md",
        "line\nbreak.md",
        "\nstarts with a new line.md",
        "1700000000 grafted.md",
        "tab\there.md",
        'quote"and\\slash.md',
    ]
    for name in names:
        write(town / name, text(name))
    commit_at(town, T1)
    write(town / "line\nbreak.md", text("changed"))
    commit_at(town, T2)
    dates = town_dates(town, tmp_path, None, "town")
    assert dates.files == {name: (T1, T2 if name == "line\nbreak.md" else T1) for name in names}


def test_a_shallow_clone_invents_no_first_commit(tmp_path: Path) -> None:
    work = new_repo(tmp_path / "work")
    write(work / "old.md", text("Old"))
    commit_at(work, T1)
    write(work / "middle.md", text("Middle"))
    commit_at(work, T2)
    write(work / "old.md", text("Old, changed"))
    write(work / "new.md", text("New"))
    commit_at(work, T3)
    clone = tmp_path / "clone"
    git("clone", "-q", "--depth", "2", f"file://{work}", str(clone), cwd=tmp_path)
    dates = town_dates(clone, tmp_path, None, "clone")
    # the cut (the second commit) shows every file there as added: old.md's first
    # commit is unknown, middle.md's last change too; new.md came after the cut
    assert dates.files == {"old.md": (None, T3), "new.md": (T3, T3)}
    assert dates.shallow


def test_a_town_inside_the_network_repository(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "net")
    write(root / "content" / "alpha" / "a.md", text("A"))
    write(root / "content" / "alphabet" / "b.md", text("B"))
    write(root / "sites" / "alpha.yaml", "name: {ru: Альфа}\nlanguages: [ru]\n")
    commit_at(root, T1)
    write(root / "content" / "alphabet" / "b.md", text("B, changed"))
    write(root / "sites" / "alpha.yaml", "name: {ru: Альфа!}\nlanguages: [ru]\n")
    commit_at(root, T2)
    write(root / "content" / "alpha" / "a.md", text("A, changed"))
    commit_at(root, T3)
    assert town_dates(root / "content" / "alpha", root, None, "alpha").files == {"a.md": (T1, T3)}
    assert town_dates(root / "content" / "alphabet", root, None, "alphabet").files == {
        "b.md": (T1, T2)
    }


def test_a_town_that_is_its_own_clone_inside_the_network(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "net")
    write(root / "sites" / "own.yaml", "name: {ru: Своя}\nlanguages: [ru]\n")
    commit_at(root, T1)
    own = new_repo(root / "content" / "own")
    write(own / "a.md", text("A"))
    commit_at(own, T2)
    write(own / "a.md", text("A, changed"))
    commit_at(own, T3)
    assert town_dates(own, root, None, "own").files == {"a.md": (T2, T3)}


def test_no_repository_no_commit_no_git(
    tmp_path: Path, started: Started, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    write(plain / "a.md", text("A"))
    assert town_dates(plain, tmp_path, tmp_path / "cache", "plain") is NO_DATES
    empty = new_repo(tmp_path / "empty")
    write(empty / "a.md", text("A"))
    assert town_dates(empty, tmp_path, tmp_path / "cache", "empty") is NO_DATES
    town = new_repo(tmp_path / "town")
    write(town / "a.md", text("A"))
    commit_at(town, T1)
    started.commands.clear()
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    assert town_dates(town, tmp_path, tmp_path / "cache", "town") is NO_DATES
    assert not (tmp_path / "cache" / "gitdates" / "town.json").exists()


def test_a_git_file_or_link_in_the_town_folder_is_not_followed(tmp_path: Path) -> None:
    other = new_repo(tmp_path / "other")
    write(other / "a.md", text("A"))
    commit_at(other, T1)
    town = tmp_path / "town"
    write(town / "a.md", text("A"))
    (town / ".git").write_text(f"gitdir: {other / '.git'}\n", encoding="utf-8")
    assert town_dates(town, tmp_path, None, "town") is NO_DATES
    (town / ".git").unlink()
    (town / ".git").symlink_to(other / ".git")
    assert town_dates(town, tmp_path, None, "town") is NO_DATES


def test_the_environment_and_the_repository_settings_change_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    town = new_repo(tmp_path / "town")
    write(town / "a.md", text("A"))
    commit_at(town, T1)
    git("mv", "a.md", "b.md", cwd=town)
    commit_at(town, T2)
    marker = tmp_path / "hook-ran"
    for key, value in (
        ("log.showSignature", "true"),
        ("log.showRoot", "false"),
        ("color.ui", "always"),
        ("diff.renames", "false"),
        ("log.decorate", "full"),
        ("format.pretty", "oneline"),
        ("core.pager", f"touch {marker}; cat"),
        ("core.fsmonitor", f"touch {marker}; true"),
        ("core.hooksPath", str(tmp_path)),
    ):
        git("config", key, value, cwd=town)
    git("branch", "grafted", cwd=town)
    other = new_repo(tmp_path / "other")
    write(other / "z.md", text("Z"))
    commit_at(other, T3)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    dates = town_dates(town, tmp_path, None, "town")
    assert dates.files == {"b.md": (T1, T1)} and not dates.shallow
    assert not marker.exists()


def test_cached_until_head_moves(tmp_path: Path, started: Started) -> None:
    town = new_repo(tmp_path / "town")
    write(town / "a.md", text("A"))
    commit_at(town, T1)
    cache = tmp_path / "cache"
    started.commands.clear()
    first = town_dates(town, tmp_path, cache, "town")
    assert started.git_logs == 1
    again = town_dates(town, tmp_path, cache, "town")
    assert again == first and started.git_logs == 1
    assert len(started.commands) == 1  # HEAD read from .git, without git
    # the same files committed again with another date: a commit that changes no file
    git(
        "commit",
        "-q",
        "--amend",
        "--reset-author",
        "-m",
        "again",
        cwd=town,
        env={"GIT_AUTHOR_DATE": f"@{T2} +0000", "GIT_COMMITTER_DATE": f"@{T2} +0000"},
    )
    changed = town_dates(town, tmp_path, cache, "town")
    assert started.git_logs == 2
    assert changed.files == {"a.md": (T2, T2)} and changed.digest != first.digest
    # packed refs and a detached HEAD are read as well
    git("pack-refs", "--all", cwd=town)
    assert town_dates(town, tmp_path, cache, "town") == changed
    git("checkout", "-q", "--detach", cwd=town)
    assert town_dates(town, tmp_path, cache, "town") == changed
    assert started.git_logs == 2


def test_a_thousand_texts_take_one_git_process(tmp_path: Path, started: Started) -> None:
    town = new_repo(tmp_path / "town")
    for number in range(1000):
        write(town / f"news/{number // 100}/article-{number}.md", text(str(number)))
    commit_at(town, T1)
    for number in range(0, 1000, 3):
        write(town / f"news/{number // 100}/article-{number}.md", text(f"{number}, changed"))
    commit_at(town, T2)
    started.commands.clear()
    dates = town_dates(town, tmp_path, tmp_path / "cache", "town")
    assert len(started.commands) == 1 and started.git_logs == 1
    assert len(dates.files) == 1000
    assert dates.files["news/0/article-3.md"] == (T1, T2)
    assert dates.files["news/0/article-4.md"] == (T1, T1)
    assert town_dates(town, tmp_path, tmp_path / "cache", "town") == dates
    assert len(started.commands) == 1


def test_a_history_of_too_many_paths_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    town = new_repo(tmp_path / "town")
    for number in range(20):
        write(town / f"a{number}.md", text(str(number)))
    commit_at(town, T1)
    monkeypatch.setattr(gitdates, "MAX_PATHS", 10)
    dates = town_dates(town, tmp_path, tmp_path / "cache", "town")
    assert dates.files == {} and dates.problem is not None
    assert "more than 10 files" in dates.problem.en
    # kept for this HEAD: the next build does not read the whole history again
    assert (tmp_path / "cache" / "gitdates" / "town.json").exists()
    again = town_dates(town, tmp_path, tmp_path / "cache", "town")
    assert again.problem == dates.problem and again.files == {}


ZONE = "Europe/Moscow"


def local(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, gitdates.ZoneInfo(ZONE))


def test_which_dates_a_text_gets() -> None:
    # no date of its own: the first commit; modified only when changed later
    assert dates_to_use((T1, T1), None, ZONE) == (local(T1), None)
    assert dates_to_use((T1, T2), None, ZONE) == (local(T1), local(T2))
    # a date of its own: kept; modified when changed after both it and the first commit
    own = dt.datetime(2024, 1, 1, 9, 0)
    assert dates_to_use((T1, T1), own, ZONE) == (None, None)
    assert dates_to_use((T1, T2), own, ZONE) == (None, local(T2))
    assert dates_to_use((T1, T2), dt.datetime(2024, 12, 1), ZONE) == (None, None)
    # a shallow clone's cut: no first date; a change after the cut is a change
    assert dates_to_use((None, T2), None, ZONE) == (None, local(T2))
    assert dates_to_use(None, None, ZONE) == (None, None)


def test_every_git_run_is_isolated(tmp_path: Path, started: Started) -> None:
    town = new_repo(tmp_path / "town")
    write(town / "a.md", text("A"))
    commit_at(town, T1)
    started.commands.clear()
    town_dates(town, tmp_path, None, "town")
    (command,) = started.commands
    assert f"core.hooksPath={os.devnull}" in command and "core.fsmonitor=false" in command
    assert "--no-pager" in command and "-z" in command
