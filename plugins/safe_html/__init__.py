"""Safe HTML: raw HTML in articles and pages is cleaned before it reaches a page.

An editor may paste any HTML into Markdown; a pasted snippet can run scripts, send what
readers type to another website, or redirect the page. Every article's and page's text
and summary (and a title with tags in it) is cleaned with nh3 by the policy of
``gardarika.sanitize``: no ``<script>``, event handlers, ``javascript:``/``data:``
addresses, frames, objects, forms, inline SVG, page-head elements or ``style`` that loads
anything; text formatting, tables, footnotes, pictures, local audio and video, ids,
classes and Pelican's ``{static}``/``{filename}`` links stay. The theme's own templates
are not touched: only content is cleaned.

It runs on the HTML the Markdown reader produced, after ``offline_output`` has turned
remote embeds into links (so a YouTube frame becomes a link, not a silent gap) and
before Pelican resolves ``{static}`` links, which happens when the page is written.
Within Gardarika each removal is reported by the editors' checks (``gardarika.lint``)
with the file and line; run by plain Pelican, this plugin logs one warning per document.

The names of categories, tags and authors are plain text: ``<`` and ``>`` in them are
escaped, so a theme printing them as they are shows them instead of running them.

Settings read: ``SAFE_HTML`` (default ``True``; ``False`` keeps content as written, which
Gardarika sets for a town with ``trust_html: true``).
"""

from __future__ import annotations

import html
import logging
import os
from typing import Any

from pelican import signals
from pelican.contents import Static

from gardarika.sanitize import clean, removals

logger = logging.getLogger(__name__)


def _report(instance: Any, html: str) -> None:
    """Outside Gardarika (whose lint reports each removal with its line), one warning."""
    if instance.settings.get("GARDARIKA"):
        return
    found = removals(html)
    if not found:
        return
    base = instance.settings.get("PATH", "")
    source = os.path.relpath(instance.source_path, base) if base else instance.source_path
    what = "; ".join(removal.message()[0] for removal in found)
    logger.warning("%s: unsafe HTML removed: %s", source, what)


def escape_names(instance: Any) -> None:
    """Categories, tags and authors are plain text, but themes print their names as they
    are: ``<`` and ``>`` in one (refused by Gardarika's checks) are shown, not run."""
    terms = [getattr(instance, "category", None), *(getattr(instance, "tags", None) or []),
             *(getattr(instance, "authors", None) or [])]
    for term in terms:
        name = getattr(term, "name", None)
        if isinstance(name, str) and ("<" in name or ">" in name):
            term.name = html.escape(name, quote=False)


def sanitize(instance: Any) -> None:
    """Clean the text, the summary and a title that has tags in it."""
    if isinstance(instance, Static):
        return
    escape_names(instance)  # whatever SAFE_HTML says: a name is never HTML
    if not instance.settings.get("SAFE_HTML", True):
        return
    content = getattr(instance, "_content", None)
    if isinstance(content, str) and content:
        _report(instance, content)
        instance._content = clean(content)
    summary = getattr(instance, "_summary", None)
    if isinstance(summary, str) and summary:
        instance._summary = clean(summary)
    title = getattr(instance, "title", None)
    if isinstance(title, str) and "<" in title:
        instance.title = clean(title)


def register() -> None:
    signals.content_object_init.connect(sanitize)
