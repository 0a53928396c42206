from pathlib import Path

from pelican_site import build_pelican_site


def test_gettext_and_dates_without_a_system_locale(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates" / "article.html").write_text(
        "<p>{{ _('Published') }}: {{ article.date|format_date('long') }}</p>", encoding="utf-8"
    )
    po = theme / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Published"\nmsgstr "Опубликовано"\n',
        encoding="utf-8",
    )
    out, _ = build_pelican_site(
        tmp_path,
        {"a.md": "Title: A\nDate: 2024-05-05\nSlug: a\n\nT\n"},
        ["ui_i18n"],
        f"THEME = {str(theme)!r}\n"
        "THEME_TEMPLATES_OVERRIDES = []\n"
        "DIRECT_TEMPLATES = []\n"
        "JINJA_ENVIRONMENT = {'extensions': ['jinja2.ext.i18n']}\n",
    )
    assert (out / "a.html").read_text(encoding="utf-8") == "<p>Опубликовано: 5 мая 2024\u202fг.</p>"


def test_categories_authors_and_tags_in_russian_order(tmp_path: Path) -> None:
    """Pelican orders them by transliterated slug («вечер», ``vecher``, after «туризм»,
    ``turizm``); a Russian page lists them as the alphabet does."""
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates" / "index.html").write_text(
        "{% for c, _ in categories %}{{ c }};{% endfor %}|"
        "{% for a, _ in authors %}{{ a }};{% endfor %}|"
        "{% for t, _ in tags|collate(attribute='0') %}{{ t }};{% endfor %}",
        encoding="utf-8",
    )
    texts = {
        f"{n}.md": f"Title: {n}\nDate: 2024-05-0{n}\nSlug: s{n}\nCategory: {category}\n"
        f"Author: {author}\nTags: {tags}\n\nT\n"
        for n, (category, author, tags) in enumerate(
            [
                ("туризм", "Юрий", "школа, Ёлка"),
                ("вечер", "Анна", "Соборная площадь, ель"),
                ("Zoo", "Ян", "2024, apple"),
            ],
            1,
        )
    }
    out, _ = build_pelican_site(
        tmp_path,
        texts,
        ["ui_i18n"],
        f"THEME = {str(theme)!r}\nDEFAULT_LANG = 'ru'\nDIRECT_TEMPLATES = ['index']\n"
        "THEME_TEMPLATES_OVERRIDES = []\n",
    )
    categories, authors, tags = (out / "index.html").read_text(encoding="utf-8").split("|")
    assert categories == "вечер;туризм;Zoo;"
    assert authors == "Анна;Юрий;Ян;"
    assert tags == "2024;Ёлка;ель;Соборная площадь;школа;apple;"
