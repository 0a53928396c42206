"""The unsaved preview builds in a copy of the project made of links and never writes
into the town, its repository or ``output/`` — not even through a symbolic link."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from gardarika.desk.history import DeskError
from gardarika.desk.preview import build_preview, new_in_copy


def _seen(calls: list[Path]) -> Callable[[Path, str], list[str]]:
    def build(copy: Path, town: str) -> list[str]:
        calls.append(copy)
        return []

    return build


def test_the_preview_builds_a_copy_and_leaves_the_town_alone(network: Path) -> None:
    fair = network / "content/alpha/articles/fair.md"
    before = fair.read_bytes()
    calls: list[Path] = []
    made = build_preview(
        network,
        "alpha",
        "articles/fair.md",
        lambda old: (old or "").replace("Ярмарка", "Рынок"),
        new_in_copy("x", "ru", False, "alpha"),
        _seen(calls),
    )
    [copy] = calls
    assert copy == network / ".cache/desk/alpha"
    assert "Рынок" in (copy / "content/alpha/articles/fair.md").read_text(encoding="utf-8")
    assert fair.read_bytes() == before  # written as a new file, not through the link
    assert (copy / "content/beta").is_dir()  # the other towns' settings still read
    assert made.output == copy / "output" and made.page == "alpha/rynok-remyosel.html"  # its title
    # a new text gets the address a save would give it, in the copy only
    build_preview(
        network,
        "alpha",
        None,
        lambda old: "Title: Новое\n\nТекст.\n",
        new_in_copy("Новое", "ru", False, "alpha"),
        _seen(calls),
    )
    assert (copy / "content/alpha/articles/novoye.md").is_file()
    assert not (network / "content/alpha/articles/novoye.md").exists()


def test_the_preview_never_writes_through_a_link_out_of_the_town(
    network: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text("Title: X\n\nx\n", encoding="utf-8")
    os.symlink(outside, network / "content/alpha/linked")
    with pytest.raises(DeskError, match="leads out of the town"):
        build_preview(
            network,
            "alpha",
            "linked/x.md",
            lambda old: "Title: Y\n\ny\n",
            new_in_copy("x", "ru", False, "alpha"),
            _seen([]),
        )
    assert (outside / "x.md").read_text(encoding="utf-8") == "Title: X\n\nx\n"
