"""The editor's guide shows the tools as they are: its example message is what
``invoke lint`` says for the file ``invoke new`` writes, with the date the guide uses."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from projects import REPO

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


def _blocks(kind: str) -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return [
        "\n".join(line[3:] if line.startswith("   ") else line for line in block.split("\n"))
        for block in re.findall(rf"```{kind}\n(.*?)\n\s*```", text, re.S)
    ]


def test_the_guide_s_examples_pass_the_check(network: Path) -> None:
    """The front matter the guide shows (as ``invoke new`` writes it, and with the
    category and tags lines switched on as it says) and its Markdown examples, with the
    photos put where it says, pass ``lint``."""
    fronts, pictures = _blocks("yaml"), _blocks("markdown")
    assert fronts and pictures
    images = network / "content/alpha/images"
    for name in re.findall(r"\{static\}/images/([\w.-]+)", "\n".join(pictures)):
        shutil.copy(REPO / "content/vyborg/images/castle-sunset.jpg", images / name)
    article = network / "content/alpha/articles/guide.md"
    for front in fronts:
        for text in (front, front.replace("# category:", "category:").replace("# tags:", "tags:")):
            article.write_text(
                text + "\nТекст статьи.\n\n" + "\n\n".join(pictures) + "\n", encoding="utf-8"
            )
            town = load_network(network).towns["alpha"]
            found = [p for p in lint_town(town, network) if p.file.endswith("guide.md")]
            assert not found, "\n".join(p.format() for p in found)
