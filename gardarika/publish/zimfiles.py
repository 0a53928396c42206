"""The network's and each town's ZIM files: what Kiwix's library shows of them (name,
title, description, languages, picture) taken from the settings, and the files written
by :mod:`gardarika.publish.zim`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gardarika.build.portal import town_picture
from gardarika.config.network import Network, Town
from gardarika.content.slugs import slugify
from gardarika.publish.zim import ZimInfo, illustration, write_zim

#: what Kiwix's library filters by (its conventions for tags), and our own
TAGS = [
    "_category:other",
    "_ftindex:yes",
    "_pictures:yes",
    "_videos:no",
    "_details:yes",
    "gardarika",
]


def _first(texts: dict[str, str], languages: tuple[str, ...]) -> str:
    for lang in languages:
        if texts.get(lang):
            return texts[lang]
    return next(iter(texts.values()), "")


def _slug(network: Network) -> str:
    name = network.config.name.get("en") or _first(network.config.name, network.config.languages)
    return slugify(name.split("—")[0]) or "gardarika"


def _langs(languages: tuple[str, ...]) -> str:
    return languages[0] if len(languages) == 1 else "mul"


def _picture(town: Town, folder: Path) -> Path | None:
    """The town's picture as its site publishes it (processed and bounded by the build,
    its small copy when there is one), in the package ``folder``."""
    published = town_picture(town, folder)
    return folder / published if published else None


def network_zim(
    network: Network, towns: list[str], folder: Path, target: Path, today: dt.date
) -> Path:
    """One ZIM of the package folder: the portal is its main page."""
    langs = network.config.languages
    title = _first(network.config.name, langs)
    names = ", ".join(_first(network.towns[t].name, langs) for t in towns)
    description = _first(network.config.description, langs) or names
    picture = next(
        (_picture(network.towns[t], folder) for t in towns if network.towns[t].image), None
    )
    return write_zim(
        folder,
        target,
        ZimInfo(
            name=f"{_slug(network)}_{_langs(langs)}_all",
            title=title,
            description=description,
            long_description=f"{description} {names}." if description != names else names,
            languages=list(langs),
            creator=title,
            publisher=title,
            main_path="index.html",
            illustration=illustration(picture, title),
            tags=TAGS,
            date=today,
        ),
    )


def town_zim(network: Network, town_id: str, folder: Path, target: Path, today: dt.date) -> Path:
    """One town's ZIM (its package folder, with a portal of just that town): its home
    page in its default language is the main page. Its links to other towns (the
    neighbours) lead to their web address when they have one, else to the book's
    portal: nothing in the book points at a page it does not hold."""
    town = network.towns[town_id]

    def outside(path: str) -> str:
        other = network.towns.get(path.split("/", 1)[0])
        if other is None or other.id == town_id:
            return ""
        if other.base_url and "/" in path:
            return other.base_url.rstrip("/") + "/" + path.split("/", 1)[1]
        return "index.html"

    title = _first(town.name, town.languages)
    network_name = _first(network.config.name, network.config.languages)
    description = _first(town.description, town.languages) or f"{title}: {network_name}"
    return write_zim(
        folder,
        target,
        ZimInfo(
            name=f"{_slug(network)}_{town_id}_{_langs(town.languages)}",
            title=title,
            description=description,
            long_description=f"{description} ({network_name})",
            languages=list(town.languages),
            creator=title,
            publisher=network_name,
            main_path=f"{town_id}/index.html",
            illustration=illustration(_picture(town, folder), title),
            tags=TAGS,
            date=today,
        ),
        outside=outside,
    )
