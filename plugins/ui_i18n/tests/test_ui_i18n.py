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
