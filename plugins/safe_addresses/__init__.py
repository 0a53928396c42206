"""Safe addresses: a page's address is a plain relative path, whatever its source said.

A document's address (``url``, ``save_as``) is printed as it is into ``href="…"`` of
every listing, the menu of every page and the search index. Written by an editor as
``Url: x" onfocus="…`` or ``Url: javascript:…``, it would run script in readers'
browsers, and ``Save_as`` decides where the page is written. The editors' checks
(``gardarika.lint_confine``) explain such an address with the file and line before the
build; this plugin enforces the same rule (:func:`gardarika.confine.address_problem`)
inside the build, on the address Pelican actually computed (from metadata, settings
patterns, the slug), so no other path — a setting, a plugin, Pelican's defaults — can
get past it: the document is refused with a message naming the file and line, and the
town is not published.

Settings read: ``PATH``.
"""

from __future__ import annotations

from typing import Any

from pelican import signals
from pelican.contents import Static

from gardarika.confine import address_problem
from gardarika.documents import line_containing
from gardarika.errors import ContentError


def _line(instance: Any, key: str, value: str) -> int | None:
    """The line that sets ``key`` (``Url:``, ``url:``) in the source, if written there."""
    source = getattr(instance, "source_path", None)
    if not source or key not in getattr(instance, "metadata", {}):
        return None
    return line_containing(source, value[:60]) if value else None


def check_addresses(instance: Any) -> None:
    """Refuse a document whose address is not a plain relative path."""
    if isinstance(instance, Static):
        return
    for key in ("url", "save_as"):
        try:
            value = getattr(instance, key)
        except Exception:  # a pattern that cannot be filled in: Pelican says so
            continue
        if not isinstance(value, str) or not value:
            continue
        problem = address_problem(value)
        if problem is None:
            continue
        shown = value if len(value) <= 80 else value[:79] + "…"
        raise ContentError(
            f"the page's address “{key}: {shown}” {problem.en}. The page is not "
            "published.",
            f"адрес страницы «{key}: {shown}» {problem.ru}. Страница не опубликована.",
            _line(instance, key, value))


def register() -> None:
    signals.content_object_init.connect(check_addresses)
