"""network_news: a run's newest articles as plain data, on a tiny site run by Pelican
with the plugins it follows (offline_output notes each page's pictures)."""

from __future__ import annotations

import json
from pathlib import Path

from pelican_site import build_pelican_site

from gardarika.render import news

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _news(tmp_path: Path, files: dict[str, str | bytes]) -> list[dict[str, str]]:
    out, _ = build_pelican_site(tmp_path, files, ["offline_output", "network_news"])
    data = json.loads((out / news.FILE).read_text(encoding="utf-8"))
    assert data["lang"] == "ru" and data["version"] == 1
    return data["items"]


def test_newest_first_as_plain_text_with_the_first_picture(tmp_path: Path) -> None:
    items = _news(
        tmp_path,
        {
            "old.md": "Title: Старая <em>новость</em>\nDate: 2023-01-05\nSlug: old\n\n"
            "Текст *старой* новости.\n",
            "new.md": "Title: Новая новость\nDate: 2024-06-01 10:00\nSlug: new\n"
            "Summary: Кратко о <b>главном</b>.\n\n"
            "Начало.\n\n![Мост]({static}/images/bridge.png)\n\n![Второй]({static}/images/b.png)\n",
            "images/bridge.png": PNG,
            "images/b.png": PNG,
        },
    )
    assert [i["url"] for i in items] == ["new.html", "old.html"]
    newest, oldest = items
    assert newest["title"] == "Новая новость" and oldest["title"] == "Старая новость"
    assert newest["summary"] == "Кратко о главном."  # plain text, no markup
    assert newest["date"].startswith("2024-06-01T10:00")
    assert newest["shown_date"].replace("\u202f", " ") == "1 июня 2024 г."
    assert newest["picture"] == "images/bridge.png"  # the first one
    assert oldest["picture"] == ""


def test_at_most_the_newest_kept(tmp_path: Path) -> None:
    files = {
        f"a{n:02}.md": f"Title: Новость {n}\nDate: 2024-01-{n % 28 + 1:02} 0{n % 10}:00\n"
        f"Slug: a{n:02}\n\nТекст.\n"
        for n in range(news.MAX_ITEMS + 5)
    }
    items = _news(tmp_path, files)
    assert len(items) == news.MAX_ITEMS
    assert [i["date"] for i in items] == sorted((i["date"] for i in items), reverse=True)
