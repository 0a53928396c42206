"""The network portal: ``output/index.html`` in the network's first language and
``output/index-<lang>.html`` in each other one (a town's id is a folder name, so these
never clash with a town), each with the newest articles of every town in that language,
the towns with their pictures, and a search over every town.

It is rendered with the network theme's ``portal.html`` (plain Jinja2, not Pelican) and
lists only towns whose home page exists, and of their news only articles whose page
exists, so nothing on it is a dead link. A town's news is the ``network-news.json`` its
build wrote into its own output (:mod:`gardarika.render.news`): published with the town,
kept when a build fails, and there in the output of a build sharded over machines or
copied into a package. With a ``base_url``
in ``sites/network.yaml`` the network also gets an Atom feed of all towns' articles in
each language (``output/feeds/network-<lang>.atom.xml``). The theme's static files are
copied to ``output/theme/`` for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import posixpath
import shutil
from collections.abc import Callable
from pathlib import Path

import jinja2

from gardarika.build.fingerprint import code_fingerprint
from gardarika.build.pelican_settings import home_path, subsite_dir
from gardarika.build.pelican_settings import portal_page as portal_file
from gardarika.config.network import Network, Town
from gardarika.fs.files import keep_unchanged_files, replace_dir, write_file_atomic
from gardarika.fs.portable import portable_path
from gardarika.render import news
from gardarika.render.i18n import language_label, load_translations
from gardarika.render.images import variant_name
from gardarika.render.links import make_portable, rewrite_html

#: the network theme's template of the portal (never one of a town's pages)
PORTAL_TEMPLATE = "portal.html"


#: articles on the portal's front page, newest first across the towns, and at most
#: this many of one town
PORTAL_NEWS = 12
PORTAL_NEWS_PER_TOWN = 4
#: entries of a network feed
FEED_ITEMS = 50
#: the width of the small copy of a picture the portal shows (light_images makes it)
SMALL_WIDTH = 480


def portal_page(network: Network, lang: str) -> str:
    """The portal's page in ``lang``, relative to ``output/``."""
    return portal_file(network.config.languages, lang)


def feed_path(lang: str) -> str:
    """The network's feed in ``lang``, relative to ``output/`` (``feeds`` is no town's id)."""
    return f"feeds/network-{lang}.atom.xml"


def _small(output: Path, path: str) -> str:
    """The small copy of the picture at ``path`` (below ``output/``) when the build made
    one, else ``path`` itself; ``""`` when neither exists."""
    if "." in posixpath.basename(path):
        small = variant_name(path, SMALL_WIDTH, "." + path.rsplit(".", 1)[1])
        if (output / small).is_file():
            return small
    return path if (output / path).is_file() else ""


def town_picture(town: Town, output: Path) -> str:
    """The town's ``image`` as published in its site, below ``output/``."""
    if not town.image:
        return ""
    # as published: the build gives every file a portable name
    return _small(output, f"{town.id}/{town.image}") or _small(
        output, f"{town.id}/{portable_path(town.image)}"
    )


def _published(network: Network, output: Path) -> list[Town]:
    return [
        network.towns[t]
        for t in network.ordered_ids()
        if (output / home_path(network.towns[t], network.towns[t].default_language)).exists()
    ]


def town_news(
    network: Network,
    output: Path,
    lang: str,
    limit: int,
    check_pages: bool = True,
    per_town: int | None = None,
) -> list[dict[str, str]]:
    """The newest ``limit`` articles in ``lang`` of the published towns, each with its
    town; addresses below ``output/``. With ``check_pages``, an article whose page is
    not there is left out, and a picture that is not there is dropped. With
    ``per_town``, at most that many of one town, so that one busy town cannot fill the
    list. An article dated more than a day ahead is left out: news is what happened."""
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    items: list[dict[str, str]] = []
    for town in _published(network, output):
        if lang not in town.languages:
            continue
        folder = town.id  # the addresses are from the town's folder
        taken = 0
        for entry in news.load(output / subsite_dir(town, lang) / news.FILE):
            if per_town is not None and taken >= per_town:
                break
            if _later(_date(entry["date"]), ahead):
                continue
            url = posixpath.normpath(f"{folder}/{entry['url']}")
            if not url.startswith(f"{folder}/"):
                continue
            if check_pages and not (output / url).is_file():
                continue
            picture = ""
            if entry["picture"]:
                picture = posixpath.normpath(f"{folder}/{entry['picture']}")
                if not picture.startswith(f"{folder}/"):
                    picture = ""
                elif check_pages:
                    picture = _small(output, picture)
            items.append(
                {
                    **entry,
                    "url": url,
                    "picture": picture,
                    "town": town.id,
                    "town_name": town.name.get(lang) or town.name[town.default_language],
                }
            )
            taken += 1
    return news.newest(items, limit)


def portal_context(network: Network, output: Path, lang: str | None = None) -> dict[str, object]:
    """Plain data for ``portal.html`` in ``lang`` (the network's first language when
    none is given); relative links only."""
    langs = list(network.config.languages)
    lang = lang or langs[0]
    towns = []
    for town in _published(network, output):
        languages = [
            {"code": code, "label": language_label(code), "url": home_path(town, code)}
            for code in town.languages
            if (output / home_path(town, code)).exists()
        ]
        towns.append(
            {
                "id": town.id,
                "name": town.name,
                "description": town.description,
                "default_lang": town.default_language,
                "languages": languages,
                "picture": town_picture(town, output),
                "search": [
                    {
                        "lang": code,
                        "index": f"{subsite_dir(town, code)}/search-index.js",
                        "root": f"{subsite_dir(town, code)}/",
                    }
                    for code in town.languages
                    if (output / subsite_dir(town, code) / "search-index.js").is_file()
                ],
            }
        )
    base = network.config.base_url
    return {
        "network": {"name": network.config.name, "description": network.config.description},
        "portal_languages": langs,
        "lang": lang,
        "pages": {code: portal_page(network, code) for code in langs},
        "towns": towns,
        "news": town_news(network, output, lang, PORTAL_NEWS, per_town=PORTAL_NEWS_PER_TOWN),
        "feed": feed_path(lang) if base else "",
    }


def portal_fingerprint(network: Network, output: Path, code: str | None = None) -> str:
    """What the portal is made of: the settings of the network and of every town, which
    towns and languages have a home page, the towns' news, the theme and
    Gardarika's code. While it stays the same (and the portal is in place) the portal
    need not be made again. ``code`` is :func:`code_fingerprint` of the network's theme
    when the caller has it."""
    code = code or code_fingerprint(network.root, network.config.theme)
    digest = hashlib.sha256(code.encode())
    for path in sorted((network.root / "sites").glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for town_id in network.ordered_ids():
        town = network.towns[town_id]
        digest.update(
            json.dumps(
                [town_id, [(output / home_path(town, code)).exists() for code in town.languages]]
            ).encode()
        )
        for lang in town.languages:
            try:
                digest.update((output / subsite_dir(town, lang) / news.FILE).read_bytes())
            except OSError:
                digest.update(b"-")
    return digest.hexdigest()


def render_portal(network: Network, output: Path) -> Path:
    """Write the portal's page in every language of the network (and the theme files
    they use), and with a ``base_url`` the network's feeds; return the path of
    ``output/index.html``."""
    theme = network.root / "themes" / network.config.theme
    translations_dir = str(theme / "translations")

    def t(lang: str, msgid: str) -> str:
        return load_translations(translations_dir, lang).gettext(msgid)

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(theme / "templates")),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    css: str | None = None
    static = theme / "static"
    if static.is_dir():
        staging = output / ".theme.new"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(static, staging)
        keep_unchanged_files(staging, output / "theme")
        replace_dir(staging, output / "theme")
        if (output / "theme" / "css" / "main.css").exists():
            css = "theme/css/main.css"
    template = env.get_template(PORTAL_TEMPLATE)
    written: set[str] = set()
    for lang in network.config.languages:
        context: dict[str, object | Callable[[str, str], str]] = {
            **portal_context(network, output, lang),
            "t": t,
            "css": css,
        }
        page = template.render(**context)
        # the same rule as for the towns' pages: relative links that name a file
        page = rewrite_html(
            page, lambda url: make_portable(url, "", lambda path: (output / path).is_dir())
        )
        name = portal_page(network, lang)
        _write_if_changed(output / name, page.encode("utf-8", "replace"))
        written.add(name)
        if network.config.base_url:
            feed = network_feed(network, output, lang, t(lang, "News of every town"))
            (output / "feeds").mkdir(exist_ok=True)
            _write_if_changed(output / feed_path(lang), feed)
            written.add(feed_path(lang))
    # the pages and feeds of languages (or a base_url) the network no longer has
    for stale in (*output.glob("index-*.html"), *output.glob("feeds/network-*.atom.xml")):
        if stale.relative_to(output).as_posix() not in written:
            stale.unlink(missing_ok=True)
    return output / "index.html"


def _write_if_changed(target: Path, data: bytes) -> None:
    if not target.is_file() or target.read_bytes() != data:  # unchanged: keep its time
        write_file_atomic(target, data)


def _later(date: dt.datetime | None, than: dt.datetime) -> bool:
    try:
        return date is not None and date > than
    except (OverflowError, ValueError):  # a date at the calendar's edge: not news
        return True


def _date(value: str) -> dt.datetime | None:
    try:
        date = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return date if date.tzinfo else date.replace(tzinfo=dt.UTC)


def network_feed(network: Network, output: Path, lang: str, subtitle: str) -> bytes:
    """The Atom feed of the newest articles of every town in ``lang``: addresses on the
    network's ``base_url``, the towns' names in the entries' titles."""
    from feedgenerator import Atom1Feed

    base = (network.config.base_url or "").rstrip("/") + "/"
    name = network.config.name.get(lang) or next(iter(network.config.name.values()))
    items = town_news(network, output, lang, FEED_ITEMS)
    dates = [d for d in (_date(i["date"]) for i in items) if d is not None]
    feed = Atom1Feed(
        title=name,
        link=base + portal_page(network, lang),
        description=subtitle,
        feed_url=base + feed_path(lang),
        language=lang,
        feed_guid=base + feed_path(lang),
    )
    for entry in items:
        link = base + entry["url"]
        feed.add_item(
            title=news.short_text(f"{entry['town_name']}: {entry['title']}", 600),
            link=link,
            unique_id=link,
            # an Atom summary is HTML to a feed reader: the plain text is escaped for it
            description=html.escape(entry["summary"], quote=False),
            pubdate=_date(entry["date"]),
            updateddate=_date(entry["date"]),
        )
    latest = max(dates) if dates else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    feed.latest_post_date = lambda: latest  # type: ignore[method-assign]
    return feed.writeString("utf-8").encode("utf-8")
