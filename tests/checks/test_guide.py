"""The editor's guide shows the tools as they are: its example message is what
``invoke lint`` says for the file ``invoke new`` writes, with the date the guide uses."""

from __future__ import annotations

import re
from pathlib import Path

from gardarika.checks.lint import lint_town
from gardarika.config.network import load_network
from gardarika.content.new import new_document

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "editors-guide.md"


def _example(marker: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index(marker) :]
    return re.search(r"```\n(.*?)\n```", section, re.S).group(1)


def test_the_guide_s_example_messages_are_what_the_check_says(network: Path) -> None:
    town_config = load_network(network)
    path = new_document(town_config, "alpha", "Концерт", lang="en")
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^date: .*$", "date: 32.05.2025", text), encoding="utf-8")
    problems = lint_town(load_network(network).towns["alpha"], network)
    (problem,) = [p for p in problems if "32.05.2025" in p.en]
    english, russian = problem.format().split("\n")
    shown = problem.file
    guide_en = _example("### Reading an error message")
    guide_ru = _example("### Как читать сообщение об ошибке")
    assert english.replace(shown, "FILE") == re.sub(r"^\S+?(?=:\d)", "FILE", guide_en)
    assert russian.replace(shown, "FILE") == re.sub(r"^\S+?(?=:\d)", "FILE", guide_ru)
