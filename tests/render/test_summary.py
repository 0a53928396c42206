"""Summaries in lists of articles leave the text's pictures to the article."""

from __future__ import annotations

from gardarika.render.summary import without_pictures


def test_pictures_are_left_out_of_a_made_summary() -> None:
    html = (
        '<p>Начало <img src="images/a.jpg" alt="A"> текста.</p>'
        '<figure><img src="images/b.jpg"><figcaption>Подпись</figcaption></figure>'
        '<picture><source srcset="c.webp"><img src="c.jpg"></picture><p>Конец.</p>'
    )
    assert without_pictures(html) == "<p>Начало  текста.</p><p>Конец.</p>"


def test_a_summary_without_pictures_is_unchanged() -> None:
    html = "<p>Текст <em>без</em> картинок <!-- <img src=x> --></p>"
    assert without_pictures(html) == html


def test_an_unclosed_figure_is_left_as_it_is() -> None:
    html = "<figure><img src=a.jpg><p>x"
    assert without_pictures(html) == "<figure><p>x"
