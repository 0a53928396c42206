# SPDX-License-Identifier: AGPL-3.0-or-later
"""``invoke owners`` (issue #22): CODEOWNERS is written from folder names and editors'
accounts, and a line of it is a rule (``* @evil-takeover`` would own everything). Only
paths of plain characters and accounts or e-mail addresses of plain characters are
written; a town whose rule cannot be written safely is left out with a warning."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
from projects import write

from gardarika.config.network import load_network
from gardarika.publish.owners import codeowners

#: what a rule written by ``invoke owners`` looks like
RULE = re.compile(
    r"/(?:content|sites)/[a-z0-9._/-]+ (?:@[A-Za-z0-9][A-Za-z0-9._/-]*|"
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+)(?: \S+)*"
)

HOSTILE_FOLDERS = ["a*", "#x", "x\n* @evil", "b c", "[ab]", "!neg", "x\\y", "q?", "t\t@evil", "Ж"]


def rules(text: str) -> list[str]:
    return [line for line in text.split("\n") if line and not line.startswith("#")]


def gardarika(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gardarika", *args], capture_output=True, text=True, timeout=300
    )


def test_hostile_folder_names_never_make_a_rule(
    network: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    editors = "editors: ['@maria', 'ivan@example.org']\n"
    with (network / "sites/alpha.yaml").open("a", encoding="utf-8") as file:
        file.write(editors)
    (network / "content/shared/safe-1.x").mkdir(parents=True)
    write(
        network / "sites/safe.yaml",
        "name: {ru: Сейф}\nlanguages: [ru]\n"
        "content: content/shared/safe-1.x\neditors: ['@gardarika/safe-team']\n",
    )
    for i, name in enumerate(HOSTILE_FOLDERS):
        (network / "content" / name).mkdir()
        quoted = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
        write(
            network / f"sites/h{i}.yaml",
            f'name: {{ru: Х}}\nlanguages: [ru]\ncontent: "content/{quoted}"\n{editors}',
        )
    loaded = load_network(network)
    capsys.readouterr()
    text = codeowners(loaded)
    assert rules(text) == [
        "/content/alpha/ @maria ivan@example.org",
        "/sites/alpha.yaml @maria ivan@example.org",
        "/content/shared/safe-1.x/ @gardarika/safe-team",
        "/sites/safe.yaml @gardarika/safe-team",
    ]
    assert "evil" not in text
    assert all(RULE.fullmatch(rule) for rule in rules(text))
    # every hostile town that loaded is named in a warning, in both languages
    warned = capsys.readouterr().err
    for town in (t for t in loaded.towns if t.startswith("h")):
        assert f"{town}:" in warned
    assert "left out" in warned and "не включён" in warned

    done = gardarika("--root", str(network), "owners")
    assert done.returncode == 0, done.stderr
    assert (network / "CODEOWNERS").read_text(encoding="utf-8") == text
    assert "left out" in done.stderr and "не включён" in done.stderr
    left_out = sum(1 for t in loaded.towns if t.startswith("h"))
    assert "left out (see above)" in done.stdout and f"не включено: {left_out}" in done.stdout


@pytest.mark.parametrize(
    "editors",
    [
        ["@ok\n* @evil"],
        ["@a b"],
        ["*"],
        ["@evil[x]"],
        ["x@y.z#c"],
        ["@ok", "* @evil"],
        ["!@x"],
        ["\\#x"],
        ["@мария"],
        ["a*@example.org"],
        ["@ok\r\n"],
        ["@"],
        ["@-x"],
        ["ivan@example.org @evil"],
        [" @ok"],
    ],
)
def test_hostile_editors_leave_the_town_out(
    network: Path, editors: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Editors built around the settings check (tests/test_config.py: it refuses them)."""
    with (network / "sites/beta.yaml").open("a", encoding="utf-8") as file:
        file.write("editors: ['@beta-team']\n")
    loaded = load_network(network)
    loaded.towns["alpha"] = dataclasses.replace(loaded.towns["alpha"], editors=tuple(editors))
    capsys.readouterr()
    text = codeowners(loaded)
    assert rules(text) == ["/content/beta/ @beta-team", "/sites/beta.yaml @beta-team"]
    warned = capsys.readouterr().err
    assert "alpha:" in warned and "left out" in warned and "не включён" in warned


@pytest.mark.parametrize(
    "where",
    ["content", ".", "sites", "content/x\n* @evil", "content/a*", "content/#x", "sites/alpha.yaml"],
)
def test_a_folder_built_around_the_checks_is_left_out(
    network: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``content: content`` (refused by the settings check) would make a rule
    ``/content/`` owning every town; a folder outside content/ or with a hostile name
    makes no rule either, even when a Town is built around the check."""
    with (network / "sites/beta.yaml").open("a", encoding="utf-8") as file:
        file.write("editors: ['@beta-team']\n")
    loaded = load_network(network)
    town = loaded.towns["alpha"]
    loaded.towns["alpha"] = dataclasses.replace(
        town, editors=("@alpha-team",), content=network / where
    )
    capsys.readouterr()
    text = codeowners(loaded)
    assert rules(text) == ["/content/beta/ @beta-team", "/sites/beta.yaml @beta-team"]
    assert "alpha:" in capsys.readouterr().err


def test_a_settings_file_with_a_hostile_name_is_left_out(
    network: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loaded = load_network(network)
    town = loaded.towns["alpha"]
    loaded.towns["alpha"] = dataclasses.replace(
        town, editors=("@alpha-team",), file=network / "sites/x\n* @evil.yaml"
    )
    capsys.readouterr()
    assert rules(codeowners(loaded)) == []
    assert "alpha:" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["content", ".", "sites"])
def test_content_claiming_every_town_is_refused_by_the_settings(
    network: Path, content: str
) -> None:
    with (network / "sites/alpha.yaml").open("a", encoding="utf-8") as file:
        file.write(f"content: '{content}'\neditors: ['@alpha-team']\n")
    loaded = load_network(network)
    assert "alpha" in loaded.broken
    assert any(p.key == "content" for p in loaded.problems if p.file == "sites/alpha.yaml")
    assert "alpha" not in codeowners(loaded)


def test_safe_rules_are_one_line_each(network: Path) -> None:
    with (network / "sites/alpha.yaml").open("a", encoding="utf-8") as file:
        file.write("editors: ['@maria', '@town/alpha-team', 'ivan.petrov+site@example.org']\n")
    text = codeowners(load_network(network))
    assert rules(text) == [
        "/content/alpha/ @maria @town/alpha-team ivan.petrov+site@example.org",
        "/sites/alpha.yaml @maria @town/alpha-team ivan.petrov+site@example.org",
    ]
    assert all(RULE.fullmatch(rule) for rule in rules(text))
