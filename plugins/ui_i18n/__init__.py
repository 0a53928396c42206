"""Interface text, dates and alphabetical order in the page's language, without any
system locale.

Themes write their interface strings as ``{{ _('Read more') }}``; this plugin compiles the
theme's ``translations/<lang>/LC_MESSAGES/messages.po`` with Babel when the site is built
(no compiled ``.mo`` files in git) and installs it into Pelican's Jinja environment. Dates
go through Babel's CLDR data (``{{ article.date|format_date('long') }}`` gives
"5 мая 2024 г."), because build machines rarely have a ``ru_RU`` locale.

Categories and authors are listed in the alphabetical order of the run's language
(:mod:`gardarika.render.collation`), not by their transliterated slugs, and templates get
a ``collate`` filter for the lists they order themselves
(``{{ tags|collate(attribute='0') }}``).

Settings read: ``DEFAULT_LANG`` (the language of this run) and
``GARDARIKA['translations_dir']`` (defaults to the theme's ``translations`` folder).
"""

from __future__ import annotations

import functools
import os
from datetime import date, datetime
from typing import Any

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from pelican import signals

from gardarika.render.collation import collated, sort_key
from gardarika.render.i18n import load_translations


def date_filters(lang: str) -> dict[str, Any]:
    """Jinja filters that format dates with CLDR data for ``lang``."""

    @functools.lru_cache(maxsize=4096)
    def day(value: date, format: str) -> str:
        return babel_format_date(value, format=format, locale=lang)

    def format_date(value: date | datetime, format: str = "long") -> str:
        # a listing shows the same days again and again: each is formatted once (by
        # its day: a date format shows no time of day)
        if isinstance(value, datetime):
            value = value.date()
        return (
            day(value, format)
            if isinstance(format, str)
            else babel_format_date(value, format=format, locale=lang)
        )

    def format_datetime(value: datetime, format: str = "long") -> str:
        return babel_format_datetime(value, format=format, locale=lang)

    return {"format_date": format_date, "format_datetime": format_datetime}


def collate_filter(lang: str) -> Any:
    """The ``collate`` filter: ``items`` in the order of ``lang``, by ``attribute`` of each
    (an index such as ``'0'``, or a name) when given, as Jinja's ``sort`` takes it."""

    def collate(items: Any, attribute: str | None = None, reverse: bool = False) -> list[Any]:
        def name(item: Any) -> str:
            if attribute is None:
                return str(item)
            if attribute.isdigit():
                return str(item[int(attribute)])
            return str(getattr(item, attribute, ""))

        return collated(items, lang, name, reverse=reverse)

    return collate


def order_terms(generator: Any) -> None:
    """Categories and authors in the alphabetical order of the run's language (the
    lists the templates get are these same lists, sorted in place)."""
    lang = generator.settings["DEFAULT_LANG"]
    reverse = bool(generator.settings.get("REVERSE_CATEGORY_ORDER"))
    for attribute, backwards in (("categories", reverse), ("authors", False)):
        terms = getattr(generator, attribute, None)
        if isinstance(terms, list):
            terms.sort(key=lambda pair: sort_key(str(pair[0]), lang), reverse=backwards)


def install(generator: Any) -> None:
    env = getattr(generator, "env", None)
    if env is None:
        return
    settings = generator.settings
    lang = settings["DEFAULT_LANG"]
    directory = (settings.get("GARDARIKA") or {}).get("translations_dir") or os.path.join(
        settings["THEME"], "translations"
    )
    if not hasattr(env, "install_gettext_translations"):
        env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(load_translations(directory, lang), newstyle=True)
    env.filters.update(date_filters(lang))
    env.filters["collate"] = collate_filter(lang)


def register() -> None:
    signals.generator_init.connect(install)
    signals.article_generator_finalized.connect(order_terms)
