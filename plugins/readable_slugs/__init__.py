"""Readable Latin slugs for Cyrillic titles, categories, tags and authors.

Pelican turns ``Объявления`` into a slug with ``unidecode``'s letter table
(``ob"iavleniia``, then ``obiavleniia``). This plugin makes every slug Pelican derives go
through the Wikipedia romanisation of the ``iuliia`` library first (``obyavleniya``,
``Щёлково`` -> ``shchyolkovo``), so addresses read the way place names are written on
maps. An explicit ``slug:`` in a file still wins.

Pelican has no hook for its slug function, and its modules import it by name, so the
plugin replaces that name in ``pelican.contents`` and ``pelican.urlwrappers``. This
changes the whole process: it suits a build that runs each site in a process of its own
(as Gardarika does), and it is why the plugin is opt-in.
"""

from __future__ import annotations

from typing import Any

import pelican.contents
import pelican.urlwrappers
from pelican.utils import slugify as pelican_slugify

from gardarika.content.transliteration import transliterate


def slugify(
    value: str, regex_subs: Any = (), preserve_case: bool = False, use_unicode: bool = False
) -> str:
    """Pelican's slugify, with Cyrillic romanised by the Wikipedia scheme first."""
    if not use_unicode:
        value = transliterate(value)
    return pelican_slugify(
        value, regex_subs=regex_subs, preserve_case=preserve_case, use_unicode=use_unicode
    )


def register() -> None:
    pelican.contents.slugify = slugify
    pelican.urlwrappers.slugify = slugify
