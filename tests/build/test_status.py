"""``invoke towns`` (issue 23, point 4): one table of the network's towns, and JSON for
scripts. A network kept in a real git repository, one town in a repository of its own
(a real bare repository), real builds and checks."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from projects import commit_all, git, write

from gardarika.build.townlog import TownLog

#: commits with fixed dates and authors (git's own variables)
WHEN = {
    "GIT_AUTHOR_NAME": "Мария Иванова",
    "GIT_AUTHOR_EMAIL": "maria@example.org",
    "GIT_AUTHOR_DATE": "2024-05-01T10:30:00+00:00",
    "GIT_COMMITTER_DATE": "2024-05-01T10:30:00+00:00",
}


def gardarika(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gardarika", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def towns(network: Path, tmp_path: Path) -> Path:
    """alpha and beta in the network's repository (beta changed last by Maria), and
    gamma in a repository of its own, not pulled yet."""
    commit_all(network)
    write(network / "content/beta/extra.md", "Title: Ещё\nDate: 2024-04-01\n\nТекст.\n")
    git("add", "-A", cwd=network)
    git("commit", "-q", "-m", "Новость о ярмарке", cwd=network, env=WHEN)
    remotes = tmp_path / "remotes"
    work = remotes / "gamma-work"
    write(work / "news.md", "Title: Новость\nDate: 2024-01-01\n\nТекст.\n")
    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    git(
        "commit",
        "-q",
        "-m",
        "First news of gamma",
        cwd=work,
        env={**WHEN, "GIT_AUTHOR_NAME": "Pyotr", "GIT_COMMITTER_DATE": "2024-06-02T08:00:00Z"},
    )
    git("clone", "-q", "--bare", str(work), str(remotes / "gamma.git"), cwd=remotes)
    with (network / "sites/network.yaml").open("a", encoding="utf-8") as file:
        file.write(f"local_repositories: ['{remotes}']\n")
    write(
        network / "sites/gamma.yaml",
        f"name: {{ru: Гамма}}\nlanguages: [ru]\n"
        f"repository: {{url: '{remotes / 'gamma.git'}', branch: main}}\n",
    )
    return network


def test_the_table_and_the_json_tell_each_towns_state(towns: Path) -> None:
    before = gardarika(towns, "towns", "--json")
    assert before.returncode == 0, before.stderr
    data = {row["town"]: row for row in json.loads(before.stdout)["towns"]}
    assert list(data) == ["beta", "alpha", "gamma"]  # the network's order
    gamma = data["gamma"]
    assert gamma["source"]["kind"] == "own" and gamma["source"]["present"] is False
    assert gamma["source"]["branch"] == "main" and gamma["last_commit"] is None
    assert gamma["output_bytes"] is None and gamma["last_build"]["succeeded"] is None
    beta = data["beta"]
    assert beta["source"] == {
        "kind": "network",
        "folder": "content/beta",
        "present": True,
        "url": None,
        "branch": None,
    }
    assert beta["last_commit"]["author"] == "Мария Иванова"
    assert beta["last_commit"]["subject"] == "Новость о ярмарке"
    assert beta["last_commit"]["date"] == "2024-05-01T10:30:00+00:00"
    assert data["alpha"]["last_commit"]["subject"] == "network"  # not changed since
    assert data["alpha"]["languages"] == ["ru", "en"]

    assert gardarika(towns, "pull").returncode == 0
    assert gardarika(towns, "build").returncode == 0
    after = {
        row["town"]: row for row in json.loads(gardarika(towns, "towns", "--json").stdout)["towns"]
    }
    for town in ("alpha", "beta", "gamma"):
        row = after[town]
        assert row["last_build"]["succeeded"] and not row["last_build"]["failed_since"]
        assert row["last_check"]["problems"] == 0
        total = sum(p.stat().st_size for p in (towns / "output" / town).rglob("*") if p.is_file())
        assert row["output_bytes"] == total > 0
    gamma = after["gamma"]
    assert gamma["source"]["present"] is True
    assert gamma["last_commit"]["author"] == "Pyotr"
    assert gamma["last_commit"]["date"] == "2024-06-02T08:00:00+00:00"

    shown = gardarika(towns, "towns")
    assert shown.returncode == 0
    lines = shown.stdout.splitlines()
    assert lines[0].split()[:2] == ["town", "languages"] and lines[1].startswith("город")
    beta_row = next(line for line in lines if line.startswith("beta "))
    assert "content/beta" in beta_row and "Мария Иванова: Новость о ярмарке" in beta_row
    assert "✓" in beta_row and "KB" in beta_row
    gamma_row = next(line for line in lines if line.startswith("gamma "))
    assert "gamma.git (main)" in gamma_row and "Pyotr: First news of gamma" in gamma_row
    assert "материалы" in shown.stdout and "not pulled yet" in shown.stdout


def test_a_failed_build_and_a_check_with_problems_show(towns: Path) -> None:
    assert gardarika(towns, "build", "--site", "alpha").returncode == 0
    # a text the build refuses: the build fails and the previous output is kept
    write(towns / "content/alpha/broken.md", "Title: Сломано\nDate: 2024-13-45\n\nТекст.\n")
    assert gardarika(towns, "build", "--site", "alpha").returncode == 1
    row = json.loads(gardarika(towns, "towns", "--json", "--site", "alpha").stdout)["towns"][0]
    assert row["last_build"]["failed_since"] is True and row["last_build"]["succeeded"]
    line = next(
        line
        for line in gardarika(towns, "towns", "--site", "alpha").stdout.splitlines()
        if line.startswith("alpha ")
    )
    assert re.search(r"\d\d:\d\d ✗  +\d{4}-\d\d-\d\d \d\d:\d\d ✓", line), line
    # gamma is not pulled: its build fails, it is told, and the table says why
    assert gardarika(towns, "build", "--site", "gamma").returncode == 1
    gamma = json.loads(gardarika(towns, "towns", "--json", "--site", "gamma").stdout)["towns"][0]
    assert gamma["last_build"]["failed"] and gamma["last_build"]["failed_since"]
    assert gardarika(towns, "towns", "--site", "nowhere").returncode == 2


def test_the_log_keeps_problems_and_ignores_damage(tmp_path: Path) -> None:
    path = tmp_path / "towns.json"
    log = TownLog(path)
    first = dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC)
    log.built("a", True, first)
    log.built("a", False, first + dt.timedelta(hours=1))
    log.checked(["a", "b"], {"a": 3}, first + dt.timedelta(hours=2))
    again = TownLog(path)
    assert again.get("a").built == first and again.get("a").failed_since
    assert again.get("a").problems == 3 and again.get("b").problems == 0
    assert again.get("c").built is None and again.get("c").problems is None
    log.built("a", True, first + dt.timedelta(hours=3))
    assert not TownLog(path).get("a").failed_since
    for damaged in ("[1, 2]", "{", '{"a": {"built": "yesterday", "problems": -1}}'):
        path.write_text(damaged, encoding="utf-8")
        events = TownLog(path).get("a")
        assert events.built is None and events.problems is None
