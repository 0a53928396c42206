"""One language per Pelican run: the subsite of a town in one of its languages.

Gardarika builds each (town, language) in its own Pelican run. Every run reads all of the
town's content, so that links and translations are known, and this plugin then keeps
only the current language's articles and pages for writing and for the listings
(index, categories, tags, archives). The other languages' versions stay attached to each
document as ``translations``, with URLs pointing into their own language's subsite.

Settings read: ``DEFAULT_LANG`` (this run's language) and ``GARDARIKA`` with
``default_lang`` (the town's default language, used for files that do not say theirs)
and ``roots`` (the relative prefix from this subsite's root to each language's root).
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Iterable
from operator import attrgetter
from typing import Any

from pelican import signals
from pelican.utils import order_content

from gardarika.build.splitwrite import WRITTEN_BY_HELPER
from gardarika.render.outputwalk import other_language_folders

logger = logging.getLogger(__name__)


def _config(generator: Any) -> dict[str, Any] | None:
    return generator.settings.get("GARDARIKA")


def default_language(generator: Any, metadata: dict[str, Any]) -> None:
    """A file without ``lang:`` (or a ``.en.md`` suffix) is in the town's default language,
    whichever language this run builds."""
    config = _config(generator)
    if config:
        metadata.setdefault("lang", config["default_lang"])


def _base_name(item: Any) -> tuple[str, str]:
    """``articles/news.en.md`` -> (``articles``, ``news``): the key pairing translations."""
    folder, name = os.path.split(item.source_path)
    stem = os.path.splitext(name)[0]
    suffix = f".{item.lang}"
    if stem.endswith(suffix):
        stem = stem[: -len(suffix)]
    return folder, stem


def pair_by_file_name(items: list[Any], languages: list[str]) -> None:
    """``news.en.md`` without its own ``slug:`` takes the slug of ``news.md``.

    Editors translate a file by copying it with a language suffix; the translated title
    would otherwise give a different slug and the two would not be linked.
    """
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for item in items:
        groups[_base_name(item)].append(item)
    rank = {code: i for i, code in enumerate(languages)}
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda it: rank.get(it.lang, len(rank)))
        original = group[0]
        for item in group[1:]:
            if "slug" not in item.metadata and item.lang != original.lang:
                item.slug = original.slug


def split_languages(
    items: Iterable[Any],
    lang: str,
    roots: dict[str, str],
    translation_id: str | None,
    languages: list[str],
) -> list[Any]:
    """Return the items in ``lang``; link every item to its other-language versions."""
    items = list(items)
    rank = {code: i for i, code in enumerate(languages)}
    groups: dict[Any, list[Any]] = defaultdict(list)
    key = attrgetter(translation_id) if translation_id else id
    for item in items:
        groups[key(item)].append(item)
    mine = []
    for item in items:
        others = [o for o in groups[key(item)] if o is not item and o.lang != item.lang]
        item.translations = sorted(others, key=lambda o: rank.get(o.lang, len(rank)))
        if item.lang == lang:
            mine.append(item)
        elif item.lang in roots:
            # written by its own language's run: link there (a cached item already
            # carries the link of an earlier run: start again from its own URL)
            if getattr(item, "_lang_subsite_url", False):
                del item.override_url
            item.override_url = roots[item.lang] + item.url
            item._lang_subsite_url = True
    return mine


def _report_unknown_languages(items: Iterable[Any], config: dict[str, Any], lang: str) -> None:
    if lang != config["default_lang"]:
        return  # report once per town, from the default language's run
    for item in items:
        if item.lang not in config["roots"]:
            logger.error(
                "%s: the language “%s” is not one of this town's languages (%s); "
                "fix “lang:” or add the language to the town's settings.",
                item.source_path,
                item.lang,
                ", ".join(config["roots"]),
                extra={
                    "gardarika_file": item.source_path,
                    "gardarika_ru": (
                        f"язык «{item.lang}» не входит в языки этого города "
                        f"({', '.join(config['roots'])}); исправьте «lang:» или добавьте язык "
                        "в настройки города."
                    ),
                },
            )


def keep_language(generator: Any, lists: tuple[tuple[str, str], ...], kind: str) -> None:
    """Keep this run's language in each (listed, translations) pair of ``lists``.

    The lists are changed in place: for pages the context already holds them.
    ``kind`` is ``ARTICLE`` or ``PAGE``, for the ``*_TRANSLATION_ID`` and
    ``*_ORDER_BY`` settings.
    """
    config = _config(generator)
    if not config:
        return
    lang = generator.settings["DEFAULT_LANG"]
    languages = list(config["roots"])
    tid = generator.settings.get(f"{kind}_TRANSLATION_ID")
    for listed, translated in lists:
        items = getattr(generator, listed) + getattr(generator, translated)
        _report_unknown_languages(items, config, lang)
        pair_by_file_name(items, languages)
        mine = split_languages(items, lang, config["roots"], tid, languages)
        getattr(generator, listed)[:] = order_content(mine, generator.settings[f"{kind}_ORDER_BY"])
        getattr(generator, translated)[:] = []


def note_term_pages(generator: Any) -> None:
    """Which category, tag and author pages each other language writes (its published
    articles', by their addresses, the same pattern in every language), so that a list
    page's language switch leads to the same list in that language where there is one
    (``TERM_PAGES_ELSEWHERE`` in the templates' context)."""
    config = _config(generator)
    if not config:
        return
    lang = generator.settings["DEFAULT_LANG"]
    default_category = str(generator.settings.get("DEFAULT_CATEGORY", ""))
    pages: dict[str, set[str]] = defaultdict(set)
    for item in [*generator.articles, *generator.translations]:
        other = getattr(item, "lang", None)
        if other == lang or other not in config["roots"]:
            continue
        # a text without a category of its own gets each run's default category, named
        # in the run's language: which one the other language's run gives it is unknown
        category = getattr(item, "category", None)
        terms = [None if str(category) == default_category else category]
        terms += list(getattr(item, "tags", None) or [])
        terms += list(getattr(item, "authors", None) or [])
        pages[other].update(term.url for term in terms if term is not None)
    generator.context["TERM_PAGES_ELSEWHERE"] = {code: frozenset(u) for code, u in pages.items()}


def filter_articles(generator: Any) -> None:
    """Before categories, tags and archives are built: keep this language's articles."""
    note_term_pages(generator)
    keep_language(
        generator,
        (
            ("articles", "translations"),
            ("hidden_articles", "hidden_translations"),
            ("drafts", "drafts_translations"),
        ),
        "ARTICLE",
    )


def filter_pages(generator: Any) -> None:
    """Pages: the same, once the page generator has read them."""
    keep_language(
        generator,
        (
            ("pages", "translations"),
            ("hidden_pages", "hidden_translations"),
            ("draft_pages", "draft_translations"),
        ),
        "PAGE",
    )


def share_static_files(generator: Any) -> None:
    """Only the default language writes pictures and files; the others link to them."""
    config = _config(generator)
    if config and generator.settings["DEFAULT_LANG"] != config["default_lang"]:
        generator.staticfiles[:] = []


def guard_language_folders(path: str, context: dict[str, Any] | None = None) -> None:
    """The default language must not write into another language's folder (``en/``),
    which the other language's run fills at the same time."""
    context = context or {}
    if context.get(WRITTEN_BY_HELPER):
        return  # checked in the helper that wrote it (gardarika.build.splitwrite)
    folders = other_language_folders(context)
    if not folders:
        return
    relative = os.path.relpath(path, context["OUTPUT_PATH"]).replace(os.sep, "/")
    if relative.split("/", 1)[0] in folders:
        item = context.get("article") or context.get("page")
        source = item.source_path if item is not None else relative
        if item is not None:
            source = os.path.relpath(source, context["PATH"])
        lang = relative.split("/", 1)[0]
        logger.error(
            "%s: it is saved as %s, inside the folder of the %s version of the site; change "
            "its “slug” or “save_as”.",
            source,
            relative,
            lang,
            extra={
                "gardarika_file": source,
                "gardarika_ru": (
                    f"файл сохраняется как {relative}, в папку версии сайта на языке {lang}; "
                    "измените его «slug» или «save_as»."
                ),
            },
        )


def register() -> None:
    signals.content_written.connect(guard_language_folders)
    signals.article_generator_context.connect(default_language)
    signals.page_generator_context.connect(default_language)
    signals.article_generator_pretaxonomy.connect(filter_articles)
    signals.page_generator_finalized.connect(filter_pages)
    signals.static_generator_finalized.connect(share_static_files)
