"""The news kept of a run (gardarika.render.news): short summaries, the first picture of
a page from what the final pass noted, and files that never stop the portal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gardarika.render import news
from gardarika.render.links import Reference


def ref(url: str, element: str = "img", attribute: str = "src") -> Reference:
    return Reference(url, 1, element, attribute, True)


def test_short_text_cuts_at_a_word() -> None:
    assert news.short_text("  один   два\nтри ") == "один два три"
    long = "слово " * 100
    cut = news.short_text(long, 40)
    assert cut.endswith("…") and len(cut) <= 41 and "слов…" not in cut


def test_first_picture_prefers_its_smallest_size() -> None:
    refs = [
        ref("../theme/css/main.css", "link", "href"),
        ref("../images/a.jpg"),
        ref("../images/a-480w.jpg", attribute="srcset"),
        ref("../images/a-800w.jpg", attribute="srcset"),
        ref("../images/b.jpg"),
    ]
    assert news.first_picture("2024/page.html", refs) == "images/a-480w.jpg"
    assert news.first_picture("page.html", [ref("x.png"), ref("y.png")]) == "x.png"


def test_first_picture_is_only_one_of_ours() -> None:
    assert news.first_picture("p.html", [ref("https://example.org/x.jpg")]) == ""
    assert news.first_picture("p.html", [ref("data:image/png;base64,AAAA")]) == ""
    assert news.first_picture("p.html", [ref("a.html", "a", "href")]) == ""


def test_a_damaged_or_foreign_file_gives_no_news(tmp_path: Path) -> None:
    path = tmp_path / "n.json"
    assert news.load(path) == []
    for text in ("{", "[]", '{"version": 2, "items": []}', '{"version": 1, "items": {}}'):
        path.write_text(text, encoding="utf-8")
        assert news.load(path) == []
    item = news.item("T", "t.html", dt.datetime(2024, 1, 2), "2 января 2024 г.", "S")
    news.save(path, "ru", [item, {"title": 5}])  # an entry of the wrong shape is skipped
    assert news.load(path) == [item]


def test_text_a_feed_could_not_carry_is_dropped() -> None:
    made = news.item("Заголовок\x00\x0b с\ufffe управляющими", "a.html", None, "", "Текст\x1f.")
    assert made["title"] == "Заголовок с управляющими" and made["summary"] == "Текст."
    assert made["date"] == ""
