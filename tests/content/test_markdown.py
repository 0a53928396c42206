"""Markdown as editors of community news expect it, and readable slugs and heading ids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from projects import write

from gardarika.content.slugs import slugify, toc_slugify


def test_readable_slugs() -> None:
    assert slugify("Щёлково") == "shchyolkovo"
    assert slugify("Объявления") == "obyavleniya"
    assert slugify("Старая Ладога: история") == "staraya-ladoga-istoriya"
    assert toc_slugify("Что изменится?", "-") == "chto-izmenitsya"


def test_markdown_extensions_and_slugs(network: Path, build_network) -> None:
    write(
        network / "content/alpha/articles/features.md",
        """
        Title: Щёлково: всё о празднике
        Date: 2024-09-01 10:00
        Category: Объявления
        Tags: Ёлка, Подъезд

        [TOC]

        ## Программа праздника

        | Время | Событие |
        |-------|---------|
        | 10:00 | Открытие |

        !!! note "Важно"
            Вход свободный.

        ??? info "Подробнее"
            Скрытый текст.

        Сноска[^1] и ==выделение== и ~~зачёркнуто~~ :smile:

        Ярмарка
        :   Торговые ряды на площади.

        Абзац с классом.
        {: .wide }

        - [x] купить билеты
        - [ ] прийти

        Адрес https://example.org/program сам становится ссылкой.

        [^1]: Текст сноски.
    """,
    )
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    out = network / "output/alpha"
    page = out / "shchyolkovo-vsyo-o-prazdnike.html"
    html = page.read_text(encoding="utf-8")
    assert '<div class="toc">' in html and 'href="#programma-prazdnika"' in html
    assert '<h2 id="programma-prazdnika">' in html
    assert "<table>" in html and "<td>10:00</td>" in html
    assert '<div class="admonition note">' in html
    assert "<details" in html and "<summary>Подробнее</summary>" in html
    assert 'class="footnote"' in html and "<mark>" in html and "<del>" in html
    assert "😄" in html and "<img" not in html.split('class="entry-content"')[1].split(
        "</article>"
    )[0].replace('class="emoji"', "")
    assert "<dl>" in html and "<dt>Ярмарка</dt>" in html
    assert '<p class="wide">' in html
    assert 'type="checkbox"' in html
    assert '<a href="https://example.org/program">' in html
    assert (out / "category/obyavleniya.html").is_file()
    assert (out / "tag/yolka.html").is_file() and (out / "tag/podyezd.html").is_file()
    assert not re.search(r'src="https?://', html)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Экран 13\\" и \\@имя', '<p>Экран 13" и @имя</p>'),
        ("\\<script> и \\& и \\$5", "<p>&lt;script&gt; и &amp; и $5</p>"),
        ("Путь C:\\Users\\\\name", "<p>Путь C:\\Users\\name</p>"),
    ],
)
def test_a_backslash_escapes_any_punctuation_as_in_commonmark(text: str, expected: str) -> None:
    """A real blog written for Hugo had ``\\"`` in its titles and text: the backslash
    showed. The escaped character is text, never markup."""
    import markdown

    from gardarika.content.markdown import markdown_settings

    config = dict(markdown_settings()["extension_configs"])
    html = markdown.Markdown(
        extensions=list(config), extension_configs=config, output_format="html5"
    ).convert(text)
    assert html == expected


def test_emoji_shortcodes_use_one_read_only_table_per_process() -> None:
    """:smile: becomes the character; the table is made once and never copied (pymdownx's
    own index deep-copies 20 000 entries for every Markdown instance) nor changed."""
    from markdown import Markdown

    from gardarika.content.markdown import emoji_index, markdown_settings

    settings = markdown_settings()
    convert = Markdown(extensions=list(settings["extension_configs"]), **settings).convert
    assert convert("Привет :smile: и :+1: :no_such_emoji:") == (
        "<p>Привет 😄 и 👍 :no_such_emoji:</p>"
    )
    first, second = emoji_index({}, None), emoji_index({}, None)
    assert first["emoji"] is second["emoji"] and first["aliases"] is second["aliases"]
    with pytest.raises(TypeError):
        first["emoji"]["smile"] = {}  # type: ignore[index]
