"""Imported texts written into a town's folder, as Markdown with YAML front matter.

Articles go to ``articles/<slug>.md``, pages to ``pages/<parent>/…/<slug>.md`` (their
place in the old site's tree). The old address's name is kept as ``slug:`` when it makes
a portable name (else the title's is used), so links to the old site's pages keep
their last part. Writing is idempotent: a file that already holds exactly what the
import would write is left alone ("unchanged"), and a file that holds anything else is
never overwritten ("kept"): it may be an editor's, or an earlier import an editor has
since changed. Two texts that would get one file name get ``-2``, ``-3``…
"""

from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import yaml

from gardarika.build.limits import MAX_TAGS
from gardarika.content.importing.html2md import Leftover, leftovers, to_markdown
from gardarika.content.importing.items import Item
from gardarika.content.slugs import slugify
from gardarika.errors import counted
from gardarika.fs.files import write_file_atomic


@dataclass
class Report:
    """What an import did."""

    written: Counter[str] = field(default_factory=Counter)  # by kind: "article", "page"
    drafts: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # files an editor has: not overwritten
    refused: list[str] = field(default_factory=list)  # would be written outside the town
    #: (file, shortcode) left in a text as it was, with its line
    shortcodes: list[tuple[str, Leftover]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    comments: int = 0

    def lines(self) -> list[str]:
        """The report, English then Russian, with the files to look at."""
        articles = counted(
            self.written["article"], ("article", "articles"), ("статья", "статьи", "статей")
        )
        pages = counted(
            self.written["page"], ("page", "pages"), ("страница", "страницы", "страниц")
        )
        out = [
            f"Imported: {articles.en} and {pages.en} ({self.drafts} of them drafts); "
            f"unchanged since the last import: {self.unchanged}; not overwritten: "
            f"{len(self.kept)}.",
            f"Импортировано: {articles.ru} и {pages.ru} (из них черновиков: {self.drafts}); "
            f"не изменились с прошлого импорта: {self.unchanged}; не перезаписаны: "
            f"{len(self.kept)}.",
        ]
        for file in self.kept:
            out.append(
                f"{file}: not overwritten: the file is there and differs from what the import "
                f"would write (an editor's changes are kept) / не перезаписан: файл уже есть "
                f"и отличается от импортируемого (правки редактора сохранены)"
            )
        for file in self.refused:
            out.append(
                f"{file}: error: not written: its folder is a symbolic link leading out of "
                f"the town's folder / ошибка: не записан: его папка — символическая ссылка "
                f"за пределы папки города"
            )
        for file, left in self.shortcodes:
            out.append(
                f"{file}:{left.line}: warning: the shortcode [{left.name}] of the old site "
                f"was left as text; replace it with Markdown (a picture, a link) / "
                f"предупреждение: шорткод [{left.name}] старого сайта оставлен текстом; "
                f"замените его разметкой Markdown (картинкой, ссылкой)"
            )
        if self.skipped:
            what = ", ".join(f"{name}: {n}" for name, n in sorted(self.skipped.items()))
            out.append(f"Not texts, skipped: {what}. / Не тексты, пропущены: {what}.")
        if self.comments:
            out.append(
                f"Comments are not imported: {self.comments} left out. / Комментарии не "
                f"импортируются: пропущено {self.comments}."
            )
        return out


def _slug(item: Item, number: int) -> str:
    old = slugify(unquote(item.slug)) if item.slug else ""
    return old or slugify(item.title) or f"{item.kind}-{number}"


def _plain_names(names: list[str]) -> list[str]:
    """Names as Gardarika takes them: plain text (no "<", ">" or control characters),
    each once whatever its capitals."""
    seen: dict[str, str] = {}
    for name in names:
        plain = " ".join("".join(c for c in name if c not in "<>" and c.isprintable()).split())
        if plain:
            seen.setdefault(plain.casefold(), plain)
    return list(seen.values())


def document(item: Item, lang: str = "") -> tuple[str, list[Leftover]]:
    """The Markdown file of ``item`` and the shortcodes left in it (their lines counted
    in the whole file); ``lang``: its language when not the town's default."""
    fields: dict[str, object] = {"title": item.title or item.slug or "—"}
    if lang:
        fields["lang"] = lang
    if item.date is not None:
        fields["date"] = f"{item.date:%Y-%m-%d %H:%M}"
    if item.modified is not None and item.date is not None and item.modified > item.date:
        fields["modified"] = f"{item.modified:%Y-%m-%d %H:%M}"
    category = _plain_names([item.category] if item.category else [])
    if category:
        fields["category"] = category[0]
    tags = _plain_names(item.tags)
    if tags:
        # one spelling of each (WordPress's category "Events" and tag "events" are one)
        fields["tags"] = tags[:MAX_TAGS]
    authors = _plain_names(item.authors)
    if authors:
        fields["author"] = ", ".join(authors)
    if item.summary:
        fields["summary"] = to_markdown(item.summary).strip()
    if item.status != "published":
        fields["status"] = item.status
    front = "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000)
    front += "---\n\n"
    body = to_markdown(item.html) if item.html.strip() else ""
    found = [Leftover(left.name, left.line + front.count("\n")) for left in leftovers(body)]
    return front + body, found


def write_items(items: list[Item], content: Path, shown: str, lang: str = "") -> Report:
    """Write ``items`` into the town's folder ``content`` (named ``shown`` in messages);
    ``lang``: the texts' language, written into each when it is not the town's default."""
    report = Report()
    taken: set[str] = set()
    # one spelling of each name across the site: the one used most ("Markup" and
    # "markup" of two posts are one tag)
    spellings: dict[str, Counter[str]] = {}
    for item in items:
        for name in _plain_names([*item.tags, *([item.category] if item.category else [])]):
            spellings.setdefault(name.casefold(), Counter())[name] += 1
    usual = {key: counts.most_common(1)[0][0] for key, counts in spellings.items()}
    for item in items:
        item.tags = [usual.get(name.casefold(), name) for name in _plain_names(item.tags)]
        if item.category:
            item.category = usual.get(item.category.casefold(), item.category)
    for number, item in enumerate(items, start=1):
        slug = _slug(item, number)
        # every part of the path is a slug (letters, digits, "-"): never "..", never "/"
        parents = [part for part in (slugify(unquote(p)) for p in item.parents) if part]
        folder = "articles" if item.kind == "article" else posixpath.join("pages", *parents)
        rel = posixpath.join(folder, f"{slug}.md")
        extra = 2
        while rel in taken:
            rel = posixpath.join(folder, f"{slug}-{extra}.md")
            extra += 1
        taken.add(rel)
        text, found = document(item, lang)
        if item.slug and slugify(unquote(item.slug)):
            # the old address's last part, kept (and a second text's own, with its -2)
            text = text.replace("---\n", f"---\nslug: {posixpath.basename(rel)[:-3]}\n", 1)
            found = [Leftover(left.name, left.line + 1) for left in found]
        path = content / rel
        file = f"{shown}/{rel}"
        if not path.resolve().is_relative_to(content.resolve()):
            # a folder of the town that is a symbolic link leading out of it
            report.refused.append(file)
            continue
        if path.exists():
            try:
                same = path.read_text(encoding="utf-8") == text
            except (OSError, UnicodeDecodeError):
                same = False
            if same:
                report.unchanged += 1
            else:
                report.kept.append(file)
            continue
        write_file_atomic(path, text.encode("utf-8"))
        report.written[item.kind] += 1
        report.drafts += item.status == "draft"
        report.shortcodes.extend((file, left) for left in found)
    return report
