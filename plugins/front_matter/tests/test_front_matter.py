"""front_matter: YAML metadata between ``---`` lines, on a tiny site run by ``pelican``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pelican
import pytest

from front_matter import parse_front_matter, split_front_matter
from gardarika.errors import ContentError

PLUGINS = Path(__file__).resolve().parents[2]
SIMPLE_THEME = Path(pelican.__file__).parent / "themes" / "simple"


def test_split() -> None:
    front, body, start = split_front_matter("---\ntitle: A\n---\n\nBody\n")
    assert front == "title: A\n" and body == "Body\n" and start == 4
    assert split_front_matter("Title: A\n\nBody")[0] is None


def test_unclosed_front_matter() -> None:
    with pytest.raises(ContentError) as caught:
        split_front_matter("---\ntitle: A\n\nBody\n")
    assert caught.value.line == 1 and "never closed" in caught.value.en


def test_yaml_error_line_counts_the_opening_dashes() -> None:
    with pytest.raises(ContentError) as caught:
        parse_front_matter("title: ok\ndate: 2024-01-01\ntags: [a, b\n")
    assert caught.value.line is not None and caught.value.line >= 4
    assert "YAML" in caught.value.en and caught.value.ru


def test_not_a_mapping() -> None:
    with pytest.raises(ContentError):
        parse_front_matter("- a\n- b\n")


def test_pelican_reads_front_matter_and_plain_headers(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "yaml.md").write_text(textwrap.dedent("""\
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
        """), encoding="utf-8")
    (content / "plain.md").write_text("Title: Обычная\nDate: 2024-05-06\n\nТекст.\n",
                                      encoding="utf-8")
    conf = tmp_path / "conf.py"
    conf.write_text(textwrap.dedent(f"""
        PATH = {str(content)!r}
        THEME = {str(SIMPLE_THEME)!r}
        PLUGIN_PATHS = [{str(PLUGINS)!r}]
        PLUGINS = ["front_matter"]
        SITENAME = "t"
        TIMEZONE = "UTC"
        ARTICLE_URL = ARTICLE_SAVE_AS = "{{slug}}.html"
        TAG_SAVE_AS = "tag/{{slug}}.html"
        FEED_ALL_ATOM = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
        AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
    """), encoding="utf-8")
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "pelican", str(content), "-s", str(conf), "-o",
                    str(out), "-q"], check=True)
    page = out / "iarmarka-remiosla.html"
    text = page.read_text(encoding="utf-8")
    assert "Ярмарка: ремёсла" in text
    assert "Key: not metadata" in text and "Текст статьи." in text
    assert "2024" in text
    assert {p.name for p in (out / "tag").iterdir()} >= {"iarmarka.html", "remiosla.html"}
    assert (out / "obychnaia.html").is_file()
