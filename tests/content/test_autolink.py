"""Links made from pasted addresses (``gardarika.content.autolink``), as editors expect them and
as magiclink made them before, without its cost."""

from __future__ import annotations

import time

import markdown
import pytest

from gardarika.content.markdown import markdown_settings


def convert(text: str) -> str:
    config = dict(markdown_settings()["extension_configs"])
    config.pop("markdown.extensions.meta")  # a first line "x: y" would be metadata
    return markdown.Markdown(
        extensions=list(config), extension_configs=config, output_format="html5"
    ).convert(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Адрес https://example.org/program сам.",
            '<p>Адрес <a href="https://example.org/program">'
            "https://example.org/program</a> сам.</p>",
        ),
        (
            "Сайт www.example.org, почта",
            '<p>Сайт <a href="http://www.example.org">www.example.org</a>, почта</p>',
        ),
        (
            "Пишите: a.b+c@example.org.",
            '<p>Пишите: <a href="mailto:a.b+c@example.org">a.b+c@example.org</a>.</p>',
        ),
        (
            "(см. https://example.org/a_(b))",
            '<p>(см. <a href="https://example.org/a_(b)">https://example.org/a_(b)</a>)</p>',
        ),
        (
            "Архив: http://files.example.org/old/!",
            '<p>Архив: <a href="http://files.example.org/old/">http://files.example.org/old/</a>!</p>',
        ),
        (
            "**жирно https://b.org/x** и *www.e.org*",
            '<p><strong>жирно <a href="https://b.org/x">https://b.org/x</a></strong> и '
            '<em><a href="http://www.e.org">www.e.org</a></em></p>',
        ),
        (
            "x https://a.org/?q=1&r=2 y",
            '<p>x <a href="https://a.org/?q=1&amp;r=2">https://a.org/?q=1&amp;r=2</a> y</p>',
        ),
    ],
)
def test_pasted_addresses_become_links(text: str, expected: str) -> None:
    assert convert(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Код `https://x.org` не трогаем",
        "[ссылка](https://y.org) уже ссылка",
        "    https://indented.example.org код",
        "```\nhttps://fenced.example.org\n```",
        "Только http:// и ничего",
        "javascript:alert(1) не адрес; vbscript:x тоже; data:text/html,x тоже",
        "Склеено:https://a.org и слово1https://b.org",
        "Архив ftp://files.example.org/old/ (ссылкой его сделать нельзя)",
        "имя@домен без точки и a@b",
    ],
)
def test_what_is_not_an_address_stays_text(text: str) -> None:
    html = convert("Начало.\n\n" + text)
    assert html.count("<a ") == text.count("]("), html  # only the link written as one


def test_linking_is_linear_whatever_is_repeated() -> None:
    for unit in ("https://a.org/" + ")", "x@y.z ", "https://a.org ", "www.a.b ", "((", "@."):
        times = []
        for count in (4_000, 16_000):
            tries = []
            for _ in range(3):  # the best of three: a pause of the machine is no measure
                start = time.process_time()
                convert("Текст " + unit * count)
                tries.append(time.process_time() - start)
            times.append(min(tries))
        assert times[1] < 8 * times[0] + 0.05, (unit, times)
