"""Which names are page templates of a theme: one rule for a text's ``Template:`` line
(the editors' checks and the build) and for the ``DIRECT_TEMPLATES`` and
``PAGINATED_TEMPLATES`` settings a town may set.

A page template is a file ``templates/<name>.html`` of the theme, named in lower case
(theme files are, and a disk that tells case apart would not find ``Page``). Parts of
pages (``_macros``, ``base``) and the network's portal are templates too, but Pelican
fails on them as a page without saying which file or setting asked for them.
"""

from __future__ import annotations

import re

from gardarika.errors import Message

#: templates that are parts of the theme's pages or the network's portal
PARTIAL_TEMPLATES = ("base", "portal")
#: a name without folder or extension (what is not is a path: see gardarika.fs.confine)
PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]+")


#: the templates that show one document of a kind (they need that document)
DOCUMENT_TEMPLATES = frozenset({"article", "page"})
_EN = {"article": "an article", "page": "a page", None: "a page of lists"}
_RU = {"article": "статью", "page": "страницу", None: "страницу списков"}


def template_problem(name: object, kind: str | None = None) -> Message | None:
    """None when ``name`` can be a page template of a theme for a document of ``kind``
    (``article`` or ``page``; ``document`` when it may be either, and the build judges
    it for the document), or, without a kind, for a page of lists (the
    ``DIRECT_TEMPLATES`` and ``PAGINATED_TEMPLATES`` settings); else what is wrong, in
    English and Russian (the caller adds where it was written and what to do)."""
    if not isinstance(name, str) or not PLAIN_NAME.fullmatch(name):
        return Message(
            f"“{name}” is not a template name: a template is named without folder or "
            "extension, like “page”",
            f"«{name}» — не имя шаблона: шаблон называют без папки и расширения, например «page»",
        )
    if name.startswith("_") or name.lower() in PARTIAL_TEMPLATES:
        return Message(
            f"“{name}” is a part of the theme's pages (or the network's portal), not a "
            "page template of its own",
            f"«{name}» — часть страниц темы (или портал сети), а не отдельный шаблон страницы",
        )
    if name != name.lower():
        return Message(
            f"“{name}”: template names are written in lower case (“{name.lower()}”)",
            f"«{name}»: имена шаблонов пишут строчными буквами («{name.lower()}»)",
        )
    if name in DOCUMENT_TEMPLATES and name != kind and kind != "document":
        return Message(
            f"“{name}” is the template that shows {_EN[name]}; it cannot show {_EN[kind]}",
            f"«{name}» — шаблон, который показывает {_RU[name]}; им нельзя показать {_RU[kind]}",
        )
    return None
