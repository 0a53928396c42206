"""Network news: this run's newest articles, for the network's portal and feeds.

Once the run has written and rewritten its pages, the newest articles of its language
(at most ``gardarika.render.news.MAX_ITEMS``) are written to ``network-news.json`` at
the root of the site: title, date, a short summary as plain text, the address of the
article and of its first picture (the smallest size the build made), relative to the
town's folder (a language's site is a folder inside the default language's) and
portable like the pages' links. The file is published with the site,
so the portal (``gardarika.build.portal``) reads the news of exactly what is published.
The picture is taken from what the final pass noted of the article's page
(``page-links.json.gz`` in ``CACHE_PATH``, plugin ``offline_output``, which must come
before this one), so no page is read again; without ``CACHE_PATH`` there are no pictures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator

from gardarika.render import news, pagefacts
from gardarika.render.links import make_portable
from gardarika.render.searchindex import plain_text

_ARTICLES: list[Any] = []
#: the prefix under which this run's pages are loaded from what the final pass noted
_HERE = "site"


def collect(generators: list[Any]) -> None:
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            _ARTICLES.extend(generator.articles)


def write(pelican: Any) -> None:
    settings = pelican.settings
    lang = settings["DEFAULT_LANG"]
    articles = [a for a in _ARTICLES if getattr(a, "lang", lang) == lang]
    folders = news.folders_of(articles)
    cache = settings.get("CACHE_PATH")
    noted = pagefacts.load(Path(cache), _HERE) if cache else {}
    # addresses from the town's own folder: a language's site is a folder inside the
    # default language's (lang_subsite), whose pictures it shares
    gardarika = settings.get("GARDARIKA") or {}
    inside = f"{lang}/" if gardarika.get("default_lang", lang) != lang else ""
    items = []
    for article in news.newest_contents(articles):
        save_as = str(getattr(article, "save_as", "") or "")
        facts = noted.get(f"{_HERE}/{save_as}")
        url = make_portable(article.url, "", folders.__contains__) or save_as
        picture = news.first_picture(inside + save_as, facts[1]) if facts else ""
        items.append(
            news.item(
                title=plain_text(article.title),
                url=inside + url,
                date=getattr(article, "date", None),
                shown_date=news.shown_date(article, lang),
                summary=plain_text(getattr(article, "summary", "") or ""),
                picture=picture,
            )
        )
    news.save(Path(pelican.output_path) / news.FILE, lang, items)


def register() -> None:
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(write)
