from pathlib import Path

from pelican_site import build_pelican_site


def test_cyrillic_titles_categories_and_tags(tmp_path: Path) -> None:
    out, _ = build_pelican_site(
        tmp_path,
        {
            "a.md": """
        Title: Щёлково и Подъезд
        Date: 2024-01-01
        Category: Объявления
        Tags: Ёлка

        Текст.
    """
        },
        ["readable_slugs"],
        'CATEGORY_SAVE_AS = "category/{slug}.html"\nTAG_SAVE_AS = "tag/{slug}.html"\n',
    )
    assert (out / "shchyolkovo-i-podyezd.html").is_file()
    assert (out / "category" / "obyavleniya.html").is_file()
    assert (out / "tag" / "yolka.html").is_file()
