"""Typography by each document's language: titles, summaries and text.

Russian gets «ёлочки» with nested „лапки“, em dashes with a no-break space before them,
no-break spaces after short words and before particles, en dashes in number ranges,
numbers bound to units and ``№``; English gets curly quotes and dashes (typogrify);
other languages polytypo's rules. ``code``, ``pre``, ``kbd``, scripts, styles,
attributes and URLs are never touched. The rules live in ``gardarika.typography``.

With Gardarika's ``GARDARIKA`` setting, documents in other languages than the one being
built are left alone: they are not written by this run.
"""

from __future__ import annotations

from typing import Any

from pelican import signals
from pelican.contents import Static

from gardarika.typography import for_language


def apply(instance: Any) -> None:
    if isinstance(instance, Static):
        return
    settings = instance.settings
    lang = getattr(instance, "lang", None) or settings.get("DEFAULT_LANG", "en")
    if settings.get("GARDARIKA") and lang != settings.get("DEFAULT_LANG"):
        return
    typeset = for_language(lang)
    for attribute in ("_content", "_summary"):
        value = getattr(instance, attribute, None)
        if isinstance(value, str) and value:
            setattr(instance, attribute, typeset(value))
    title = getattr(instance, "title", None)
    if isinstance(title, str) and title:
        instance.title = typeset(title)


def register() -> None:
    signals.content_object_init.connect(apply)
