"""Safe HTML: raw HTML in articles and pages is cleaned before it reaches a page.

An editor may paste any HTML into Markdown; a pasted snippet can run scripts, send what
readers type to another website, or redirect the page. Every article's and page's text,
summary and title is cleaned with nh3 by the policy of ``gardarika.render.sanitize``: no
``<script>``, event handlers, ``javascript:``/``data:`` addresses, frames, objects,
forms, inline SVG, page-head elements or ``style`` that loads anything; text formatting,
tables, footnotes, pictures, local audio and video, ids, classes and Pelican's
``{static}``/``{filename}`` links stay. The theme's own templates are not touched: only
content is cleaned.

It cleans twice, because Pelican changes the HTML after reading it:

1. when a document is read, on the HTML the Markdown reader produced, after
   ``offline_output`` has turned remote embeds into links (so a YouTube frame becomes
   a link, not a silent gap). Within Gardarika each removal is reported here with the
   file and line, as the editors' checks (``invoke lint``) report it, by the run that
   writes the document (its language's): a build's checks leave this to the build, so
   that each text's Markdown is converted once; run by plain Pelican, this plugin logs
   one warning per document;
2. on the final HTML of the text and the summary, after Pelican has replaced its
   ``{static}``/``{index}``/``{tag}``… placeholders and added ``SUMMARY_END_SUFFIX``.
   Whatever the source syntax, what a page prints has been through the cleaner last.
   This is the layer that holds; nothing is reported from it, since the first one has
   already explained everything an editor can fix.

The text, the summary and the title are therefore the HTML a theme may print as it is
(``{{ article.content|safe }}``); with Jinja's autoescaping on, everything else is
escaped. Themes that do not escape (Pelican's own) print the names of categories, tags
and authors as they are: then ``<`` and ``>`` in a name are escaped here.

Settings read: ``SAFE_HTML`` (default ``True``; ``False`` keeps content as written, which
Gardarika sets for a town with ``trust_html: true``), ``JINJA_ENVIRONMENT``.
"""

from __future__ import annotations

import contextlib
import html
import importlib.metadata
import logging
import os
from collections.abc import Callable
from typing import Any

from pelican import contents, signals
from pelican.contents import Static

from gardarika.build import memo
from gardarika.checks.rawhtml import locate, may_need_cleaning
from gardarika.content.frontmatter import read_metadata
from gardarika.errors import ContentError
from gardarika.render.sanitize import clean, has_controls, removals, without_controls

logger = logging.getLogger(__name__)


def _same_text(text: str, cleaned: str) -> bool:
    """Whether the cleaning kept ``text`` whole: the same characters once entities are
    read (the cleaner writes ``&quot;`` in text as ``"``). Then nothing was removed and
    the (slower) search for removals is not needed."""
    return text == cleaned or html.unescape(text) == html.unescape(cleaned)


def _report_lines(instance: Any, html: str, cleaned: str | None = None) -> None:
    """Within Gardarika: each removal from the text, its summary and its title, at its
    line of the source file, in both languages (what ``invoke lint`` says)."""
    settings = instance.settings
    if (getattr(instance, "lang", None) or settings.get("DEFAULT_LANG")) != settings.get(
        "DEFAULT_LANG"
    ):
        return  # written, and reported, by the run of its own language
    in_text = [] if cleaned is not None and _same_text(html, cleaned) else removals(html)
    title = getattr(instance, "title", None)
    in_title = removals(title) if isinstance(title, str) and "<" in title else []
    summary = getattr(instance, "_summary", None)
    in_summary = removals(summary) if isinstance(summary, str) else []
    if not (in_text or in_title or in_summary):
        return  # nothing to place at a line: the source need not be read
    source = getattr(instance, "source_path", None)
    try:
        with open(source, encoding="utf-8-sig") as file:
            metadata, lines, body_line, body = read_metadata(file.read())
    except (OSError, TypeError, UnicodeDecodeError, ContentError):
        return  # then it could not have been read at all: Pelican says so
    found = locate(body, body_line, in_text) if may_need_cleaning(body) else []
    found += [(lines.get("title", 1), r) for r in in_title]
    if "summary" in metadata:
        found += [(lines.get("summary", 1), r) for r in in_summary]
    for line, removal in found:
        en, ru = removal.message()
        logger.warning(
            "%s: %s",
            source,
            en,
            extra={"gardarika_file": source, "gardarika_line": line, "gardarika_ru": ru},
        )


def _report(instance: Any, html: str, cleaned: str | None = None) -> None:
    """Outside Gardarika, one warning per document; within, one per removal."""
    if instance.settings.get("GARDARIKA"):
        _report_lines(instance, html, cleaned)
        return
    found = removals(html)
    if not found:
        return
    base = instance.settings.get("PATH", "")
    source = os.path.relpath(instance.source_path, base) if base else instance.source_path
    what = "; ".join(removal.message()[0] for removal in found)
    logger.warning("%s: unsafe HTML removed: %s", source, what)


def escape_names(instance: Any) -> None:
    """Categories, tags and authors are plain text. A theme with autoescaping shows them
    as such; one without (Pelican's ``simple``) prints them as they are, so there
    ``<`` and ``>`` in a name (refused by Gardarika's checks) are escaped here."""
    if (instance.settings.get("JINJA_ENVIRONMENT") or {}).get("autoescape"):
        return
    terms = [
        getattr(instance, "category", None),
        *(getattr(instance, "tags", None) or []),
        *(getattr(instance, "authors", None) or []),
    ]
    for term in terms:
        name = getattr(term, "name", None)
        if isinstance(name, str) and ("<" in name or ">" in name):
            term.name = html.escape(name, quote=False)


def _cleaning(instance: Any) -> bool:
    return not isinstance(instance, Static) and bool(instance.settings.get("SAFE_HTML", True))


def drop_controls(instance: Any) -> None:
    """Invisible control characters go from the title and the names of categories, tags
    and authors, whatever ``SAFE_HTML`` says: nobody sees them, and the feeds (XML) could
    not be written with them."""
    title = getattr(instance, "title", None)
    if isinstance(title, str) and has_controls(title):
        instance.title = without_controls(title)
    terms = [
        getattr(instance, "category", None),
        *(getattr(instance, "tags", None) or []),
        *(getattr(instance, "authors", None) or []),
    ]
    for term in terms:
        name = getattr(term, "name", None)
        if isinstance(name, str) and has_controls(name):
            term.name = without_controls(name)


def sanitize(instance: Any) -> None:
    """Clean the text, the summary and the title as read (the first pass)."""
    if isinstance(instance, Static):
        return
    escape_names(instance)  # whatever SAFE_HTML says: a name is never HTML
    drop_controls(instance)
    if not _cleaning(instance):
        return
    content = getattr(instance, "_content", None)
    if isinstance(content, str) and content:
        cleaned = clean(content)
        _report(instance, content, cleaned)
        instance._content = cleaned
    summary = getattr(instance, "_summary", None)
    if isinstance(summary, str) and summary:
        instance._summary = clean(summary)
    title = getattr(instance, "title", None)
    if isinstance(title, str) and ("<" in title or "&" in title or ">" in title):
        instance.title = clean(title)  # (without these there is no markup to clean)


Render = Callable[[Any, str], str]


def cleaned_last(render: Render, name: str) -> Render:
    """``render`` (Pelican's ``get_content`` or ``get_summary``) with its result passed
    through the cleaner: the second pass, on the final HTML. Pelican memoizes the
    method, so the same string comes back for the same document and address; the
    cleaned form is kept beside it instead of cleaning again on every use."""

    def final(self: Any, siteurl: str) -> str:
        text = render(self, siteurl)
        if not isinstance(text, str) or not text or not _cleaning(self):
            return text
        if name == "get_content" and text == getattr(self, "_content", None):
            return text  # no placeholder was filled in: the first pass's HTML is final
        kept = self.__dict__.setdefault("_safe_html_final", {})
        key = (name, siteurl)
        if key in kept and kept[key][0] is text:
            return kept[key][1]
        result = clean(text)
        kept[key] = (text, result)
        return result

    final.__name__ = final.__qualname__ = name
    final.__doc__ = getattr(render, "__doc__", None)
    final.safe_html_final = True  # type: ignore[attr-defined]
    return final


def wrap_content_class() -> None:
    """Make Pelican's content class clean its final HTML (once per process)."""
    for name in ("get_content", "get_summary"):
        # the class's own attribute (Pelican's memoizing wrapper), called with the
        # document as its first argument
        method = contents.Content.__dict__[name]
        if not getattr(method, "safe_html_final", False):
            setattr(contents.Content, name, cleaned_last(method, name))


#: the cleaning's results kept between runs (by the digest of the HTML cleaned)
_KEPT = ("sanitize.clean", "sanitize.removals")
_FILE = "cleaning.pickle"


def _kept_file(settings: dict[str, Any]) -> str | None:
    """Where the results are kept: beside Pelican's cache (a folder per version of
    Gardarika's code), named by nh3's version, which decides what cleaning gives."""
    if not settings.get("CACHE_CONTENT") or not settings.get("CACHE_PATH"):
        return None
    try:
        version = importlib.metadata.version("nh3")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return os.path.join(settings["CACHE_PATH"], _FILE.replace(".", f"-{version}.", 1))


def load_kept(pelican: Any) -> None:
    """An unchanged text is not cleaned (nor scanned for its report) again."""
    path = _kept_file(pelican.settings)
    if path and pelican.settings.get("LOAD_CONTENT_CACHE"):
        memo.load(_KEPT, path)


def save_kept(pelican: Any) -> None:
    path = _kept_file(pelican.settings)
    if path:
        with contextlib.suppress(OSError):  # only time is lost: the next run cleans
            memo.save(_KEPT, path)


def register() -> None:
    wrap_content_class()
    signals.initialized.connect(load_kept)
    signals.content_object_init.connect(sanitize)
    signals.finalized.connect(save_kept)
