"""What every source of ``invoke import`` is read into."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


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
    #: the body as Markdown, for a source that has it (another generator's files): then
    #: ``html`` is not used
    markdown: str | None = None
    #: the summary as Markdown (a source's ``summary:``, or what came before ``<!--more-->``)
    summary_markdown: str = ""
    #: its language, when the source says ("" for the town's default)
    lang: str = ""
    #: its path in the source folder ("post/news.md"), for links from other texts
    source: str = ""
    #: the generator whose template code its Markdown may hold ("hugo", "jekyll")
    template: str = ""


class ExportError(Exception):
    """The file is no WordPress export that can be read (its reason in both languages)."""

    def __init__(self, en: str, ru: str) -> None:
        super().__init__(en)
        self.en, self.ru = en, ru


@dataclass
class Export:
    """What one export file holds."""

    site: str
    items: list[Item]
    #: the site's language as the export gives it ("en" of "en-US"), if any
    language: str = ""
    #: skipped items by reason ("attachment", "nav_menu_item", "trash"…)
    skipped: Counter[str] = field(default_factory=Counter)
    comments: int = 0
    #: the old site's web address, if known (links to it are links into it)
    address: str = ""
    #: for a folder: the generator that made it ("pelican", "hugo", "jekyll")
    generator: str = ""
    #: for a folder: its content folder (texts' paths are relative to it)
    folder: Path | None = None
    #: for a folder: where its own files (pictures, PDFs) may be copied from
    roots: list[Path] = field(default_factory=list)
