"""front_matter keeps one Markdown instance per process and resets it between files:
each file reads exactly as with a fresh instance, nothing of one file reaches the next,
and an instance that a file left half-way is not used again."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from markdown import Markdown
from pelican.settings import DEFAULT_CONFIG

import front_matter
from gardarika.content.markdown import markdown_settings

#: files read one after another: each defines something (a reference, a footnote, an
#: abbreviation, a header, a table of contents) that must not reach the ones after it
FILES = [
    "Title: One\nSummary: A *summary* with [a link][ref]\n\nText [ref] and a note[^n].\n\n"
    "[ref]: https://example.org/one\n[^n]: The note.\n\n*[HTML]: Hyper Text\n\nHTML here.",
    "Title: Two\n\nNo [ref] here, no note[^n], HTML is plain.\n\n## Heading\n\n[TOC]",
    "---\ntitle: Three\ntags: [a, b]\nsummary: '**Bold** summary'\n---\n\n## Heading\n\n"
    "Same heading id as before? [ref]",
    "No header at all: Title: not metadata\n\n!!! note\n    A note.",
    'Title: Five\nTitle: Twice\n\n??? note "Open"\n    Hidden.\n\n| a |\n|---|\n| 1 |',
    "Title: Six\n\nFinal text with a [ref] and ~~strike~~ ==mark== :smile:",
    # no summary (whose reading resets the instance anyway): only the reset between
    # files keeps these definitions out of the next file
    "Title: Seven\n\nText.\n\n[r7]: https://example.org/seven\n[^m]: Note seven.\n\n"
    "*[ABBR]: Seven letters",
    "Title: Eight\n\nUses [r7], a note[^m] and ABBR.",
]


def _settings() -> dict[str, Any]:
    settings = copy.deepcopy(DEFAULT_CONFIG)
    settings["MARKDOWN"] = markdown_settings()
    return settings


class _Fresh(front_matter.FrontMatterMarkdownReader):
    """Pelican's way: a new instance for every file."""

    def markdown(self) -> Markdown:
        return Markdown(**self.settings["MARKDOWN"])

    def done(self, md: Markdown) -> None:
        pass


@pytest.fixture(autouse=True)
def _forget() -> None:
    front_matter._SHARED.clear()


def _read_all(reader: Any, folder: Path, order: list[int]) -> list[Any]:
    results = []
    for number in order:
        path = folder / f"file{number}.md"
        path.write_text(FILES[number], encoding="utf-8")
        results.append(reader.read(str(path)))
    return results


@pytest.mark.parametrize("order", [list(range(len(FILES))), list(range(len(FILES)))[::-1]])
def test_each_file_reads_as_with_a_fresh_instance(tmp_path: Path, order: list[int]) -> None:
    shared = _read_all(front_matter.FrontMatterMarkdownReader(_settings()), tmp_path, order * 2)
    fresh = _read_all(_Fresh(_settings()), tmp_path, order * 2)
    assert shared == fresh
    # and the first file's reference, note and abbreviation stayed in the first file
    second = dict(zip(order * 2, shared, strict=True))[1][0]
    assert "example.org/one" not in second and "<abbr" not in second
    assert "fnref" not in second


def test_nothing_of_one_file_reaches_the_next(tmp_path: Path) -> None:
    reader = front_matter.FrontMatterMarkdownReader(_settings())
    seven, eight = _read_all(reader, tmp_path, [6, 7])
    assert "Note seven" in seven[0]  # its own note is there
    assert "example.org/seven" not in eight[0]
    assert "<abbr" not in eight[0] and "fnref" not in eight[0]
    assert eight == _read_all(_Fresh(_settings()), tmp_path, [7])[0]


def test_the_instance_is_kept_and_the_header_is_read_every_time(tmp_path: Path) -> None:
    reader = front_matter.FrontMatterMarkdownReader(_settings())
    results = _read_all(reader, tmp_path, [0, 1, 2, 1])
    first = front_matter._SHARED["md"]
    results += _read_all(reader, tmp_path, [4])
    assert front_matter._SHARED["md"] is first
    assert [r[1].get("title") for r in results] == ["One", "Two", "Three", "Two", "Five"]


def test_an_instance_left_half_way_is_made_anew(tmp_path: Path, monkeypatch) -> None:
    reader = front_matter.FrontMatterMarkdownReader(_settings())
    _read_all(reader, tmp_path, [0])
    first = front_matter._SHARED["md"]

    def fail(self: Markdown, text: str) -> str:
        self.parser.state.append("looselist")  # as a conversion stopped half-way leaves it
        raise RecursionError("nested too deep")

    monkeypatch.setattr(Markdown, "convert", fail)
    with pytest.raises(RecursionError):
        _read_all(reader, tmp_path, [1])
    monkeypatch.undo()
    assert "md" not in front_matter._SHARED
    again = _read_all(reader, tmp_path, [1])
    assert front_matter._SHARED["md"] is not first
    assert again == _read_all(_Fresh(_settings()), tmp_path, [1])


def test_other_settings_get_their_own_instance(tmp_path: Path) -> None:
    _read_all(front_matter.FrontMatterMarkdownReader(_settings()), tmp_path, [0])
    first = front_matter._SHARED["md"]
    _read_all(front_matter.FrontMatterMarkdownReader(_settings()), tmp_path, [0])
    assert front_matter._SHARED["md"] is not first
