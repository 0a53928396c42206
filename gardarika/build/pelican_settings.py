"""Pelican settings for one (town, language) build, derived from the town's YAML.

Nobody writes a ``pelicanconf.py`` per town: everything a town may want is a key in its
YAML, and anything else goes through ``pelican:``. The choices here carry the output
contract (docs/architecture.md):

* ``RELATIVE_URLS`` and URLs that always name a file, so the output works from disk;
* the default language at ``output/<town>/``, every other one at ``output/<town>/<lang>/``,
  each a full Pelican site of its own; pictures and theme files are written once, by the
  default language, and the other languages point one folder up to them;
* a translation has the same URL pattern in every language, so a link to it is just the
  other language's root followed by the translation's URL.
"""

from __future__ import annotations

import re
from pathlib import Path
from posixpath import relpath
from typing import Any

from gardarika.build.pelican_cache import SafeBytecodeCache
from gardarika.config.network import Network, Town
from gardarika.content.documents import FILE_NAME_DATE, STATIC_FOLDERS
from gardarika.content.gitdates import GitDates
from gardarika.content.markdown import markdown_settings
from gardarika.fs.portable import SLUG_SUBSTITUTIONS
from gardarika.render.i18n import language_label, load_translations
from gardarika.render.summary import without_pictures

#: Order matters: plugins on the same signal run in this order. ``own_folder`` comes
#: first, so nothing reads a file outside the content folder, and ``safe_addresses``
#: refuses a document whose address is not a plain relative path before anyone uses
#: it (after ``offline_output`` has made its slug portable), and ``content_limits`` one
#: whose metadata would expand to too much; ``safe_files`` drops a copied file of a kind
#: a browser could run, once ``offline_output`` has given it its final name and before
#: ``light_images`` takes the pictures over. ``safe_html`` cleans the
#: content after ``offline_output`` has turned remote embeds into links (and after
#: typography, which only changes text); ``light_images`` and ``offline_search`` work on
#: the written pages, so they see the cleaned HTML; ``network_news`` takes each article's
#: picture from what ``offline_output``'s final pass noted of its page.
#: (typography after offline_output and safe_html: it sets the text they write too, such
#: as the note that replaces a picture from another website). ``git_dates`` adds the
#: dates git gives a text without its own (the ``GIT_DATES`` setting) as Pelican gathers
#: its metadata, before any plugin sees the article.
GARDARIKA_PLUGINS = [
    "own_folder",
    "front_matter",
    "git_dates",
    "readable_slugs",
    "lang_subsite",
    "ui_i18n",
    "offline_output",
    "safe_addresses",
    "content_limits",
    "safe_files",
    "safe_html",
    "typography",
    "light_images",
    "offline_search",
    "network_news",
]


def subsite_dir(town: Town, lang: str) -> str:
    """The subsite's folder relative to ``output/``: ``vyborg`` or ``vyborg/en``."""
    return town.id if lang == town.default_language else f"{town.id}/{lang}"


def home_path(town: Town, lang: str) -> str:
    """The home page of a town in a language, relative to ``output/``."""
    return f"{subsite_dir(town, lang)}/index.html"


def portal_page(network_languages: tuple[str, ...], lang: str) -> str:
    """The portal's page in ``lang``, relative to ``output/``: ``index.html`` in the
    network's first language (and in a language the portal does not have),
    ``index-<lang>.html`` in the others."""
    if lang in network_languages[1:]:
        return f"index-{lang}.html"
    return "index.html"


def _rel(target: str, start: str) -> str:
    """``target`` relative to folder ``start`` (both relative to output/), as a prefix."""
    path = relpath(target or ".", start or ".")
    return "" if path == "." else path + "/"


def lang_roots(town: Town, lang: str) -> dict[str, str]:
    """From this subsite's root, the prefix leading to each language's root."""
    here = subsite_dir(town, lang)
    return {other: _rel(subsite_dir(town, other), here) for other in town.languages}


def pelican_settings(
    network: Network,
    town: Town,
    lang: str,
    output_path: Path,
    cache_path: Path,
    shared_cache: Path | None = None,
    published: set[str] | None = None,
    git_dates: GitDates | None = None,
) -> dict[str, Any]:
    """The settings dictionary for ``pelican.Pelican`` (before Pelican's own defaults).

    ``cache_path`` is this (town, language)'s own cache; ``shared_cache`` an existing
    folder shared by all runs (compiled templates, processed images). ``published``:
    the towns whose home exists or is being built, the only neighbours linked (all of
    the network's towns when ``None``). ``git_dates``: the dates git gives the town's
    texts (:mod:`gardarika.content.gitdates`), read once by the parent for all of the
    town's runs; none when ``None``."""
    root = network.root
    theme = root / "themes" / town.theme
    # the subsite's web address, when the town is published (feeds need it)
    site_url = None
    if town.base_url:
        site_url = town.base_url if lang == town.default_language else f"{town.base_url}/{lang}"
    gardarika = _theme_values(network, town, lang, site_url, published)
    settings: dict[str, Any] = {
        "PATH": str(town.content),
        "OUTPUT_PATH": str(output_path),
        "CACHE_PATH": str(cache_path),
        "SITENAME": town.name.get(lang) or town.name[town.default_language],
        "SITESUBTITLE": town.description.get(lang, ""),
        "SITEURL": site_url or "",
        "RELATIVE_URLS": True,
        "DEFAULT_LANG": lang,
        "TIMEZONE": town.timezone,
        "THEME": str(theme),
        "PLUGIN_PATHS": [str(root / "plugins")],
        "PLUGINS": list(GARDARIKA_PLUGINS),
        "DELETE_OUTPUT_DIRECTORY": False,
        **_reading(town, lang, gardarika["translations_dir"]),
        **ADDRESSES,
        **_lists(theme),
        **_feeds(site_url),
        "JINJA_ENVIRONMENT": _jinja(shared_cache),
        "JINJA_GLOBALS": {"theme_css": _theme_css(theme)},
        "JINJA_FILTERS": {"without_pictures": without_pictures},
        "MARKDOWN": markdown_settings(),
        # reStructuredText is not Gardarika's format, but Pelican reads .rst files when
        # docutils is installed: never let them include or embed other files
        "DOCUTILS_SETTINGS": {"file_insertion_enabled": False, "raw_enabled": False},
        "GARDARIKA": gardarika,
        "IMAGES_CACHE": str((shared_cache or cache_path) / "images"),
        # raw HTML in content is cleaned unless the town's settings trust it
        "SAFE_HTML": not town.trust_html,
    }
    if lang != town.default_language:
        # Pictures and theme files live once, in the default language's folder.
        settings["STATIC_URL"] = "../{path}"
        settings["THEME_STATIC_DIR"] = "../theme"
        settings["THEME_STATIC_PATHS"] = []
    _take_town_settings(settings, town, root)
    # (plugin git_dates; after the town's settings, which cannot name it anyway)
    settings["GIT_DATES"] = git_dates.setting() if git_dates is not None else {}
    return settings


#: the most of a theme's stylesheet written into a page (the "page not found")
MAX_INLINE_CSS = 64 * 1024


def _theme_css(theme: Path) -> str:
    """The theme's stylesheet, for the "page not found", which a web server shows at any
    depth: a link to the stylesheet, relative to an address that does not exist, would
    find nothing. Empty when it is missing, too large, or could end its ``<style>``."""
    try:
        css = (theme / "static" / "css" / "main.css").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    if len(css) > MAX_INLINE_CSS or "</" in css or "<!--" in css:
        return ""
    return css


def _neighbours(
    network: Network, town: Town, lang: str, published: set[str] | None
) -> list[dict[str, str]]:
    """The neighbouring towns linked from this subsite: those that exist and are
    published, each in this language when it has it, else in its own default."""
    here = subsite_dir(town, lang)
    neighbours = []
    for town_id in town.neighbours:
        other = network.towns.get(town_id)
        if other is None or (published is not None and town_id not in published):
            continue
        other_lang = lang if lang in other.languages else other.default_language
        name_lang = lang if lang in other.name else other.default_language
        neighbours.append(
            {
                "id": town_id,
                "name": other.name[name_lang],
                "lang": name_lang,
                "url": _rel("", here) + home_path(other, other_lang),
            }
        )
    return neighbours


def _theme_values(
    network: Network,
    town: Town,
    lang: str,
    site_url: str | None,
    published: set[str] | None,
) -> dict[str, Any]:
    """What the theme and the plugins know of the town (the ``GARDARIKA`` setting)."""
    root = network.root
    here = subsite_dir(town, lang)
    roots = lang_roots(town, lang)
    contacts = {k: v for k, v in town.contacts.items() if k != "address"}
    if town.contacts.get("address", {}).get(lang):
        contacts["address"] = town.contacts["address"][lang]
    network_name = network.config.name
    return {
        "town": town.id,
        "lang": lang,
        "default_lang": town.default_language,
        "languages": [
            {
                "code": code,
                "label": language_label(code),
                "root": roots[code],
                "current": code == lang,
            }
            for code in town.languages
        ],
        "roots": roots,
        "portal": _rel("", here) + portal_page(network.config.languages, lang),
        "network_name": network_name.get(lang)
        or network_name.get("en")
        or next(iter(network_name.values()), ""),
        "description": town.description.get(lang, ""),
        "contacts": contacts,
        "neighbours": _neighbours(network, town, lang, published),
        "translations_dir": str(root / "themes" / town.theme / "translations"),
        "site_url": site_url or "",
    }


def _reading(town: Town, lang: str, translations: str) -> dict[str, Any]:
    """How the town's texts are found, read and cached."""
    langs = "|".join(re.escape(code) for code in town.languages)
    return {
        # Pelican's content cache: unchanged files are not parsed again. Its "generator"
        # layer would keep whole pages, but they would keep resolving {static} links
        # against the run that cached them, so the reader's output is cached instead.
        "CACHE_CONTENT": True,
        "LOAD_CONTENT_CACHE": True,
        "CONTENT_CACHING_LAYER": "reader",
        # written plain: compressing a long-form town's cache at gzip's highest level
        # took longer than reading the texts it spares
        "GZIP_CACHE": False,
        "TYPOGRIFY": False,
        # attach exceptions to Pelican's error records, so the cause reaches the editor
        "DEBUG": True,
        # language from a file name suffix: news.en.md is the English version of news.md;
        # a date the name starts with (2012-11-30_news.md) for a text without Date:
        "FILENAME_METADATA": rf"^(?:{FILE_NAME_DATE}[-_ .]*)?.*?(?:\.(?P<lang>{langs}))?$",
        # slugs that are portable file names (no device names, not too long)
        **{
            f"{kind}_REGEX_SUBSTITUTIONS": SLUG_SUBSTITUTIONS
            for kind in ("SLUG", "CATEGORY", "TAG", "AUTHOR")
        },
        "ARTICLE_PATHS": [""],
        # hidden files and folders (.git of a town kept in its own repository, editors'
        # .drafts) are neither built nor walked; Pelican's own "**/.*" needs a "/"
        "IGNORE_FILES": [".*", "**/.*"],
        # texts are Markdown only (the content conventions): an .html or .rst file is
        # neither read as a page nor checked by the editors' checks, which say so
        # (gardarika.checks.files)
        "READERS": {"html": None, "htm": None, "rst": None},
        # the folder an article sits in is the editor's filing, not a category
        "USE_FOLDER_AS_CATEGORY": False,
        "DEFAULT_CATEGORY": load_translations(translations, lang).gettext("Miscellaneous"),
        "PAGE_PATHS": ["pages"],
        "STATIC_PATHS": list(STATIC_FOLDERS),
    }


def _same(url: str, *kinds: str) -> dict[str, str]:
    """``url`` as the address and the file name of each kind, in each language."""
    return {
        f"{kind}{variant}": url
        for kind in kinds
        for variant in ("_URL", "_SAVE_AS", "_LANG_URL", "_LANG_SAVE_AS")
    }


#: every page's address names a file (offline, a folder would show a listing), and a
#: translation's address is the same in every language's folder
ADDRESSES: dict[str, str] = {
    **_same("{slug}.html", "ARTICLE"),
    **_same("pages/{slug}.html", "PAGE"),
    **_same("drafts/{slug}.html", "DRAFT"),
    **_same("drafts/pages/{slug}.html", "DRAFT_PAGE"),
    "CATEGORY_URL": "category/{slug}.html",
    "CATEGORY_SAVE_AS": "category/{slug}.html",
    "TAG_URL": "tag/{slug}.html",
    "TAG_SAVE_AS": "tag/{slug}.html",
    "AUTHOR_URL": "author/{slug}.html",
    "AUTHOR_SAVE_AS": "author/{slug}.html",
    "ARCHIVES_SAVE_AS": "archives.html",
    "YEAR_ARCHIVE_URL": "archives/{date:%Y}.html",
    "YEAR_ARCHIVE_SAVE_AS": "archives/{date:%Y}.html",
    "MONTH_ARCHIVE_URL": "archives/{date:%Y}-{date:%m}.html",
    "MONTH_ARCHIVE_SAVE_AS": "archives/{date:%Y}-{date:%m}.html",
    "INDEX_SAVE_AS": "index.html",
}


def _lists(theme: Path) -> dict[str, Any]:
    """The pages of lists and how they are cut into pages."""
    return {
        # the theme's optional pages: "page not found" and search
        "DIRECT_TEMPLATES": [
            "index",
            "tags",
            "categories",
            "authors",
            "archives",
            *[
                name
                for name in ("404", "search")
                if (theme / "templates" / f"{name}.html").exists()
            ],
        ],
        "DEFAULT_PAGINATION": 10,
        "PAGINATION_PATTERNS": [
            (1, "{name}{extension}", "{name}{extension}"),
            # "_": slugs never contain one, so page 2 of tag "t3" (t3_2.html) cannot
            # collide with tag "t32", nor index_2.html with an article "index2"
            (2, "{name}_{number}{extension}", "{name}_{number}{extension}"),
        ],
    }


def _feeds(site_url: str | None) -> dict[str, Any]:
    """A feed needs absolute URLs: only a town with a base_url gets feeds (of all its
    articles and of each category). Pages keep relative links (RELATIVE_URLS);
    SITEURL is used by the feeds alone."""
    return {
        "FEED_ALL_ATOM": "feeds/all.atom.xml" if site_url else None,
        "CATEGORY_FEED_ATOM": "feeds/category-{slug}.atom.xml" if site_url else None,
        "FEED_DOMAIN": site_url or "",
        **{
            name: None
            for name in (
                "FEED_ALL_RSS",
                "CATEGORY_FEED_RSS",
                "TRANSLATION_FEED_ATOM",
                "TRANSLATION_FEED_RSS",
                "AUTHOR_FEED_ATOM",
                "AUTHOR_FEED_RSS",
                "TAG_FEED_ATOM",
                "TAG_FEED_RSS",
                "FEED_ATOM",
                "FEED_RSS",
            )
        },
    }


def _jinja(shared_cache: Path | None) -> dict[str, Any]:
    """The templates' environment."""
    return {
        "extensions": ["jinja2.ext.i18n"],
        "trim_blocks": True,
        "lstrip_blocks": True,
        # every value a template prints is escaped unless it is HTML the build itself
        # cleaned (safe_html marks it): a title, address or setting can never close an
        # attribute or open a tag
        "autoescape": True,
        # templates compiled once for all towns and languages, not once per run
        **(
            {"bytecode_cache": SafeBytecodeCache(str(shared_cache / "jinja"), flavour="autoescape")}
            if shared_cache
            else {}
        ),
    }


def _take_town_settings(settings: dict[str, Any], town: Town, root: Path) -> None:
    """The town's own ``pelican:`` settings over ours (the settings check allowed each),
    and what is held whatever they say."""
    extra = dict(town.pelican)
    extra_plugins = extra.pop("PLUGINS", [])
    settings.update(extra)
    # the settings check allows only the network's own plugins; held again here, since a
    # name Pelican does not find in PLUGIN_PATHS is imported from anywhere on the path
    settings["PLUGINS"] = [
        *GARDARIKA_PLUGINS,
        *[p for p in extra_plugins if p not in GARDARIKA_PLUGINS and _network_plugin(root, p)],
    ]
    # Pelican renders TEMPLATE_PAGES from the content folder: a town's file would be a
    # template with the power of code. Theme templates go in DIRECT_TEMPLATES instead.
    settings["TEMPLATE_PAGES"] = {}


def _network_plugin(root: Path, name: str) -> bool:
    """``name`` is a plugin in the network's ``plugins/`` folder (a plain name)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(name)):
        return False
    folder = root / "plugins"
    return (folder / name / "__init__.py").is_file() or (folder / f"{name}.py").is_file()
