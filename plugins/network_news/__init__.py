"""Network news: this run's newest articles, for the network's portal and feeds.

Once the run has written and rewritten its pages, the newest articles of its language
(at most ``gardarika.render.news.MAX_ITEMS``) are written to ``network-news.json`` in
the run's cache folder: title, date, a short summary as plain text, the address of the
article and of its first picture (the smallest size the build made), relative to the
site's root and portable like the pages' links. The picture is taken from what the
final pass noted of the article's page (``page-links.json.gz``, plugin
``offline_output``, which must come before this one), so no page is read again.
Gardarika's builder keeps the file as the town's news once the town is published.

Settings: ``CACHE_PATH`` (without it nothing is written).
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
    if not settings.get("CACHE_PATH"):
        return
    lang = settings["DEFAULT_LANG"]
    articles = [a for a in _ARTICLES if getattr(a, "lang", lang) == lang]
    folders = news.folders_of(articles)
    noted = pagefacts.load(Path(settings["CACHE_PATH"]), _HERE)
    items = []
    for article in news.newest_contents(articles):
        save_as = str(getattr(article, "save_as", "") or "")
        facts = noted.get(f"{_HERE}/{save_as}")
        items.append(
            news.item(
                title=plain_text(article.title),
                url=make_portable(article.url, "", folders.__contains__) or save_as,
                date=getattr(article, "date", None),
                shown_date=news.shown_date(article, lang),
                summary=plain_text(getattr(article, "summary", "") or ""),
                picture=news.first_picture(save_as, facts[1]) if facts else "",
            )
        )
    news.save(Path(settings["CACHE_PATH"]) / news.FILE, lang, items)


def register() -> None:
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(write)
