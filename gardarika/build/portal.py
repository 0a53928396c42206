"""The network portal, ``output/index.html``: every town, in every language.

It is rendered with the network theme's ``portal.html`` (plain Jinja2, not Pelican) and
lists only towns whose home page exists, so a town that has never built successfully is
not a dead link. The theme's static files are copied to ``output/theme/`` for it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import jinja2

from gardarika.build.fingerprint import code_fingerprint
from gardarika.build.pelican_settings import home_path
from gardarika.config.network import Network
from gardarika.fs.files import keep_unchanged_files, replace_dir, write_file_atomic
from gardarika.render.i18n import language_label, load_translations
from gardarika.render.links import make_portable, rewrite_html

#: the network theme's template of the portal (never one of a town's pages)
PORTAL_TEMPLATE = "portal.html"


def portal_context(network: Network, output: Path) -> dict[str, object]:
    """Plain data for ``portal.html`` (relative links only)."""
    town_ids = []
    for town_id in network.ordered_ids():
        town = network.towns[town_id]
        if not (output / home_path(town, town.default_language)).exists():
            continue
        town_ids.append(
            {
                "id": town_id,
                "name": town.name,
                "description": town.description,
                "default_lang": town.default_language,
                "languages": [
                    {"code": code, "label": language_label(code), "url": home_path(town, code)}
                    for code in town.languages
                    if (output / home_path(town, code)).exists()
                ],
            }
        )
    return {
        "network": {"name": network.config.name, "description": network.config.description},
        "portal_languages": list(network.config.languages),
        "towns": town_ids,
    }


def portal_fingerprint(network: Network, output: Path, code: str | None = None) -> str:
    """What the portal is made of: the settings of the network and of every town, which
    towns and languages have a home page, the theme and Gardarika's code. While it stays
    the same (and the portal is in place) the portal need not be made again. ``code``
    is :func:`code_fingerprint` of the network's theme when the caller has it."""
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
    return digest.hexdigest()


def render_portal(network: Network, output: Path) -> Path:
    """Write ``output/index.html`` (and the theme files it uses); return its path."""
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
    context: dict[str, object | Callable[[str, str], str]] = {
        **portal_context(network, output),
        "t": t,
        "css": css,
    }
    html = env.get_template(PORTAL_TEMPLATE).render(**context)
    # the same rule as for the towns' pages: relative links that name a file
    html = rewrite_html(
        html, lambda url: make_portable(url, "", lambda path: (output / path).is_dir())
    )
    target = output / "index.html"
    data = html.encode("utf-8")
    if not target.is_file() or target.read_bytes() != data:  # unchanged: keep its time
        write_file_atomic(target, data)
    return target
