"""What every source of ``invoke import`` is read into."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Item:
    """One text of the site being imported."""

    kind: str  # "article" or "page"
    title: str
    slug: str
    html: str  # the body as the old site stored it
    date: dt.datetime | None = None
    modified: dt.datetime | None = None
    #: "published", "draft" (drafts, pending and future posts) or "hidden" (private)
    status: str = "published"
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    summary: str = ""  # HTML
    #: the slugs of the pages above this one (a page's place in the site's tree)
    parents: list[str] = field(default_factory=list)
    #: where it is in the source, for messages: "export.xml, item 12 (post 1241)"
    origin: str = ""
    #: the old address, kept so that links to it can be found later
    link: str = ""
    comments: int = 0
    password: bool = False  # a password-protected post: imported as a draft
