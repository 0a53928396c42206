"""front_matter: YAML metadata between ``---`` lines, on a tiny site run by ``pelican``."""

from __future__ import annotations

from pathlib import Path

import pytest
from pelican_site import build_pelican_site

from front_matter import parse_front_matter, split_front_matter
from gardarika.errors import ContentError


def test_split() -> None:
    front, body, start = split_front_matter("---\ntitle: A\n---\n\nBody\n")
    assert front == "title: A\n" and body == "Body\n" and start == 4
    assert split_front_matter("Title: A\n\nBody")[0] is None


def test_unclosed_front_matter() -> None:
    with pytest.raises(ContentError) as caught:
        split_front_matter("---\ntitle: A\n\nBody\n")
    assert caught.value.line == 1 and "never closed" in caught.value.message.en


def test_yaml_error_line_counts_the_opening_dashes() -> None:
    with pytest.raises(ContentError) as caught:
        parse_front_matter("title: ok\ndate: 2024-01-01\ntags: [a, b\n")
    assert caught.value.line is not None and caught.value.line >= 4
    assert "YAML" in caught.value.message.en and caught.value.message.ru


def test_not_a_mapping() -> None:
    with pytest.raises(ContentError):
        parse_front_matter("- a\n- b\n")


def test_pelican_reads_front_matter_and_plain_headers(tmp_path: Path) -> None:
    out, _ = build_pelican_site(
        tmp_path,
        {
            "yaml.md": """
            ---
            title: "Ярмарка: ремёсла"
            date: 2024-05-05 10:00
            category: Новости
            tags:
              - ярмарка
              - ремёсла
            summary: Кратко о **ярмарке**.
            ---
            Key: not metadata

            Текст статьи.
        """,
            "plain.md": "Title: Обычная\nDate: 2024-05-06\n\nТекст.\n",
        },
        ["front_matter"],
        'TAG_SAVE_AS = "tag/{slug}.html"\n',
    )
    page = out / "iarmarka-remiosla.html"
    text = page.read_text(encoding="utf-8")
    assert "Ярмарка: ремёсла" in text
    assert "Key: not metadata" in text and "Текст статьи." in text
    assert "2024" in text
    assert {p.name for p in (out / "tag").iterdir()} >= {"iarmarka.html", "remiosla.html"}
    assert (out / "obychnaia.html").is_file()
