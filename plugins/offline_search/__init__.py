"""Offline search: a search index per language, as a plain script file.

After Pelican has read the site, the articles and pages of this run's language are
indexed by ``gardarika.render.searchindex`` and written to ``search-index.js`` at the root of
the site; the theme's ``search.html`` page loads it with a ``<script>`` tag, together
with ``theme/js/stemmer.js`` and ``theme/js/search.js``. No fetch, no WebAssembly, no
worker: it works from a USB stick.

Settings: ``SEARCH_INDEX_SAVE_AS`` (default ``search-index.js``; empty turns it off).
With Pelican's ``CACHE_CONTENT`` on, the stems of the words are remembered in
``CACHE_PATH/search-stems.json`` for the next run (stemming is the slow part). When
Gardarika gives the run a helper (an idle core, see ``gardarika.build.prefetch``), the index
is written by the helper while the run writes the pages.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator

from gardarika.build.prefetch import Beside, helpers_of
from gardarika.render.links import make_portable
from gardarika.render.news import folders_of, shown_date
from gardarika.render.searchindex import (
    SearchDocument,
    build_index,
    index_script,
    load_stems,
    plain_text,
    save_stems,
)

_DOCUMENTS: list[Any] = []


def _index_path(settings: dict[str, Any], output_path: str) -> str | None:
    save_as = settings.get("SEARCH_INDEX_SAVE_AS", "search-index.js")
    return os.path.join(output_path, save_as) if save_as else None


def _write(settings: dict[str, Any], path: str) -> None:
    lang = settings["DEFAULT_LANG"]
    folders = folders_of(_DOCUMENTS)
    documents = [
        SearchDocument(
            # the rule the pages' links follow (offline_output): an address names a file,
            # "override/" is "override/index.html"
            url=make_portable(item.url, "", folders.__contains__) or "index.html",
            title=plain_text(item.title),
            date=shown_date(item, lang),
            text=plain_text(item.content),
        )
        for item in _DOCUMENTS
        if getattr(item, "lang", lang) == lang
    ]
    # stemming is the slow part: stems are remembered beside Pelican's content cache
    stem_cache = (
        os.path.join(settings["CACHE_PATH"], "search-stems.json")
        if settings.get("CACHE_CONTENT") and settings.get("CACHE_PATH")
        else None
    )
    if stem_cache and settings.get("LOAD_CONTENT_CACHE"):
        load_stems(stem_cache, lang)
    index = build_index(documents, lang)
    if stem_cache:
        save_stems(stem_cache, lang)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        out.write(index_script(index))


#: the index being written beside the pages by a helper, and where (outside the output,
#: so that the run never reads it half-written; see collect)
_BESIDE: list[tuple[Beside, str]] = []


def collect(generators: list[Any]) -> None:
    """Remember this run's articles and pages (already only this language's); on a
    core no other run uses, a helper writes the index while the run writes the pages."""
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            _DOCUMENTS.extend(generator.articles)
        elif isinstance(generator, PagesGenerator):
            _DOCUMENTS.extend(generator.pages)
    if not generators:
        return
    settings = generators[0].settings
    if (
        helpers_of(settings) > 0
        and settings.get("CACHE_PATH")
        and _index_path(settings, generators[0].output_path)
    ):
        ahead = os.path.join(settings["CACHE_PATH"], "search-index.next")
        _BESIDE.append((Beside(lambda: _write(settings, ahead)), ahead))


def write_index(pelican: Any) -> None:
    path = _index_path(pelican.settings, pelican.output_path)
    if path is None:
        return
    if _BESIDE:
        helper, ahead = _BESIDE.pop()
        if helper.wait():
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                shutil.move(ahead, path)  # written by the helper
                return
            except OSError:
                pass  # written here instead
    _write(pelican.settings, path)


def register() -> None:
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(write_index)
