"""Safe addresses: a page's address is a plain relative path, whatever its source said.

A document's address (``url``, ``save_as``) is printed as it is into ``href="…"`` of
every listing, the menu of every page and the search index. Written by an editor as
``Url: x" onfocus="…`` or ``Url: javascript:…``, it would run script in readers'
browsers, and ``Save_as`` decides where the page is written. The editors' checks
(``gardarika.checks.confinement``) explain such an address with the file and line before the
build; this plugin enforces the same rule (:func:`gardarika.fs.confine.address_problem`)
inside the build, on the address Pelican actually computed (from metadata, settings
patterns, the slug), so no other path — a setting, a plugin, Pelican's defaults — can
get past it: the document is refused with a message naming the file and line, and the
town is not published. The same holds for where a page is written (never over the
site's own pages: ``search.html``, ``theme/``, a language's folder), for the pages of its
categories, tags and authors (each needs a slug), and for ``Template:`` (a page template
of the theme, not a partial or the portal).

Settings read: ``PATH``.
"""

from __future__ import annotations

from typing import Any

from pelican import signals
from pelican.contents import Page, Static

from gardarika.config.templates import template_problem
from gardarika.content.documents import line_containing
from gardarika.errors import ContentError, Message
from gardarika.fs.confine import (
    SITE_FILES,
    SITE_FOLDERS,
    SITE_PAGES,
    address_problem,
    page_file_problem,
)


def _line(instance: Any, key: str, value: str) -> int | None:
    """The line that sets ``key`` (``Url:``, ``url:``) in the source, if written there."""
    source = getattr(instance, "source_path", None)
    if not source or key not in getattr(instance, "metadata", {}):
        return None
    return line_containing(source, value[:60]) if value else None


def _refuse(instance: Any, key: str, value: str, problem: Message) -> None:
    shown = value if len(value) <= 80 else value[:79] + "…"
    raise ContentError(
        Message(
            f"the page's address “{key}: {shown}” {problem.en}. The page is not published.",
            f"адрес страницы «{key}: {shown}» {problem.ru}. Страница не опубликована.",
        ),
        line=_line(instance, key, value),
    )


def _other_languages(settings: dict[str, Any]) -> tuple[str, ...]:
    config = settings.get("GARDARIKA") or {}
    return tuple(
        lang.get("code", "")
        for lang in config.get("languages", [])
        if lang.get("code") != config.get("default_lang")
    )


def check_place(instance: Any) -> None:
    """A page may not be written where the site keeps its own pages: an explicit
    ``save_as`` by the full rule of the editors' checks, the address Pelican computed
    (from the slug, say an article titled “Search”) by the site's own names."""
    others = _other_languages(instance.settings)
    explicit = instance.metadata.get("save_as")
    if isinstance(explicit, str) and explicit:
        problem = page_file_problem(explicit, others)
        if problem:
            _refuse(instance, "save_as", explicit, problem)
    save_as = getattr(instance, "save_as", "")
    parts = save_as.casefold().split("/") if isinstance(save_as, str) else []
    if not parts or not parts[0]:
        return
    taken = parts[0] in (
        *(f for f in SITE_FOLDERS if f not in ("pages", "drafts")),
        *SITE_FILES,
        *others,
    ) or (len(parts) == 1 and parts[0].rsplit(".", 1)[0] in SITE_PAGES)
    if taken:
        _refuse(
            instance,
            "save_as",
            save_as,
            Message(
                f"is where the site keeps its own pages (“{parts[0]}”); give the text a "
                "“Slug:” or another title",
                f"занято служебными страницами сайта («{parts[0]}»); добавьте строку "
                "«Slug:» или измените заголовок",
            ),
        )


def check_terms(instance: Any) -> None:
    """Categories, tags and authors get pages named by their slugs: each must have one."""
    terms = [
        getattr(instance, "category", None),
        *(getattr(instance, "tags", None) or []),
        *(getattr(instance, "authors", None) or []),
    ]
    for term in terms:
        if term is None:
            continue
        slug = getattr(term, "slug", "")
        if not slug or address_problem(slug) is not None:
            name = str(getattr(term, "name", term))
            raise ContentError(
                Message(
                    f"“{name}” cannot be the name of a category, tag or author: it has no "
                    "letter or digit to make its page's address from. Write it in words. The "
                    "page is not published.",
                    f"«{name}» не может быть названием рубрики, метки или автора: в нём нет "
                    "букв или цифр для адреса его страницы. Напишите его словами. Страница не "
                    "опубликована.",
                ),
                line=line_containing(instance.source_path, name[:40]),
            )


def check_template(instance: Any) -> None:
    """``Template:`` names a page template of the theme, not a partial or the portal."""
    name = instance.metadata.get("template")
    if name is None:
        return
    text = str(name)
    problem = template_problem(text, "page" if isinstance(instance, Page) else "article")
    if problem is not None:
        raise ContentError(
            Message(
                f"template: {problem[0]}. Remove the line or name a page template of the theme. "
                "The page is not published.",
                f"template: {problem[1]}. Уберите строку или укажите шаблон страницы темы. "
                "Страница не опубликована.",
            ),
            line=line_containing(instance.source_path, text),
        )


def check_addresses(instance: Any) -> None:
    """Refuse a document whose address is not a plain relative path, that would be
    written over the site's own pages, or whose terms have no address."""
    if isinstance(instance, Static):
        return
    check_template(instance)
    for key in ("url", "save_as"):
        try:
            value = getattr(instance, key)
        except Exception:  # a pattern that cannot be filled in: Pelican says so
            continue
        if not isinstance(value, str) or not value:
            continue
        problem = address_problem(value)
        if problem is not None:
            _refuse(instance, key, value, problem)
    check_place(instance)
    check_terms(instance)


def register() -> None:
    signals.content_object_init.connect(check_addresses)
