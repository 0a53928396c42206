"""Catalogs, plurals and dates: everything interface-related comes from gettext and CLDR."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from projects import REPO

from gardarika.render.i18n import extract_messages, language_label, load_translations, untranslated

THEME = REPO / "themes" / "gardarika"
LANGS = sorted(p.name for p in (THEME / "translations").iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def pot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return extract_messages(THEME, tmp_path_factory.mktemp("pot") / "messages.pot")


def test_there_are_catalogs_for_russian() -> None:
    assert "ru" in LANGS


@pytest.mark.parametrize("lang", LANGS)
def test_every_template_string_is_translated(pot: Path, lang: str) -> None:
    assert untranslated(THEME, lang, pot) == []


def test_the_check_notices_a_new_untranslated_string(tmp_path: Path) -> None:
    theme = tmp_path / "gardarika"
    shutil.copytree(THEME, theme)
    (theme / "templates" / "extra.html").write_text(
        "<p>{{ _('A brand new string') }}</p>", encoding="utf-8"
    )
    pot = extract_messages(theme, tmp_path / "messages.pot")
    assert untranslated(theme, "ru", pot) == ["A brand new string"]


def test_no_compiled_catalogs_in_the_repository() -> None:
    assert not list(THEME.rglob("*.mo"))


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (1, "статья"),
        (2, "статьи"),
        (4, "статьи"),
        (5, "статей"),
        (11, "статей"),
        (21, "статья"),
        (22, "статьи"),
        (111, "статей"),
    ],
)
def test_russian_plurals(n: int, word: str) -> None:
    ru = load_translations(str(THEME / "translations"), "ru")
    assert ru.ngettext("%(num)d article", "%(num)d articles", n) % {"num": n} == f"{n} {word}"


def test_english_needs_no_catalog() -> None:
    en = load_translations(str(THEME / "translations"), "en")
    assert en.ngettext("%(num)d article", "%(num)d articles", 2) == "%(num)d articles"


def test_dates_come_from_cldr_not_the_system_locale() -> None:
    from ui_i18n import date_filters

    day = dt.datetime(2024, 5, 5, 10, 0)
    # CLDR binds "г." to the year with a narrow no-break space
    assert date_filters("ru")["format_date"](day) == "5 мая 2024\u202fг."
    assert date_filters("ru")["format_date"](day, "LLLL y") == "май 2024"
    assert date_filters("en")["format_date"](day) == "May 5, 2024"
    assert date_filters("fi")["format_date"](day, "LLLL y") == "toukokuu 2024"


def test_language_labels() -> None:
    assert [language_label(c) for c in ("ru", "en", "fi")] == ["Русский", "English", "Suomi"]
