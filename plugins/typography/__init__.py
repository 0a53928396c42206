"""Typography by each document's language: titles, summaries and text.

Russian gets «ёлочки» with nested „лапки“, em dashes with a no-break space before them,
no-break spaces after short words and before particles, en dashes in number ranges,
numbers bound to units and ``№``; English gets curly quotes and dashes;
other languages polytypo's rules. ``code``, ``pre``, ``kbd``, scripts, styles,
attributes and URLs are never touched. The rules live in ``gardarika.render.typography`` and
the modules it names.

With Gardarika's ``GARDARIKA`` setting, documents in other languages than the one being
built are left alone: they are not written by this run. Results are kept in
``CACHE_PATH/typography.json`` (when content caching is on), so an unchanged text is not
typeset again when its town is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.contents import Static

from gardarika.build import memo
from gardarika.fs.files import write_file_atomic
from gardarika.render.typography import for_language

#: input digest -> typeset text, for this run (one process per town and language, and
#: its helpers: see gardarika.build.prefetch)
_CACHE: dict[str, str] = memo.store("typography")
_USED: set[str] = set()
_STATE = {"path": None, "loaded": False}


def _cache_file(settings: dict[str, Any]) -> str | None:
    if not settings.get("CACHE_CONTENT") or not settings.get("CACHE_PATH"):
        return None
    return os.path.join(settings["CACHE_PATH"], "typography.json")


def _load(settings: dict[str, Any]) -> None:
    if _STATE["loaded"]:
        return
    _STATE["loaded"] = True
    _STATE["path"] = _cache_file(settings)
    if _STATE["path"] and os.path.exists(_STATE["path"]):
        try:
            with open(_STATE["path"], encoding="utf-8") as cached:
                saved = json.load(cached)
        except (OSError, ValueError):
            return
        # a file of another shape is ignored as a whole, never trusted in part
        if isinstance(saved, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in saved.items()
        ):
            _CACHE.update(saved)


def _typeset(lang: str, text: str) -> str:
    """The typeset ``text``, from the cache when it was typeset before. A text is noted
    as used only once its result is in the cache: typesetting can be interrupted (the
    file's time budget raises ``TooSlow`` from inside it), and an interrupted text has
    no result to keep."""
    key = hashlib.sha1(f"{lang}\0{text}".encode()).hexdigest()
    if key not in _CACHE:
        _CACHE[key] = for_language(lang)(text)
    _USED.add(key)
    return _CACHE[key]


def apply(instance: Any) -> None:
    if isinstance(instance, Static):
        return
    settings = instance.settings
    lang = getattr(instance, "lang", None) or settings.get("DEFAULT_LANG", "en")
    if settings.get("GARDARIKA") and lang != settings.get("DEFAULT_LANG"):
        return
    _load(settings)
    for attribute in ("_content", "_summary"):
        value = getattr(instance, attribute, None)
        if isinstance(value, str) and value:
            setattr(instance, attribute, _typeset(lang, value))
    title = getattr(instance, "title", None)
    if isinstance(title, str) and title:
        instance.title = _typeset(lang, title)


def save(pelican: Any) -> None:
    """Keep what this run used (so texts that are gone drop out of the cache)."""
    path = _STATE["path"]
    if not path:
        return
    # only results there are (never a KeyError that would show as an unnamed error);
    # written whole, then renamed: a build killed meanwhile leaves the old file
    kept = {key: _CACHE[key] for key in _USED if key in _CACHE}
    write_file_atomic(Path(path), json.dumps(kept, ensure_ascii=False).encode("utf-8"))


def register() -> None:
    signals.content_object_init.connect(apply)
    signals.finalized.connect(save)
