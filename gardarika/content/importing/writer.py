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

from gardarika.build.limits import MAX_SUMMARY_CHARS, MAX_TAGS
from gardarika.content.importing.html2md import Leftover, TooDeep, leftovers, to_markdown
from gardarika.content.importing.items import Item
from gardarika.content.slugs import slugify
from gardarika.errors import counted
from gardarika.fs.files import write_file_atomic


@dataclass
class Report:
    """What an import did."""

    written: Counter[str] = field(default_factory=Counter)  # by kind: "article", "page"
    drafts: int = 0
    undated: int = 0  # articles with no date: imported as drafts
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # files an editor has: not overwritten
    #: texts not written, each with why (English, Russian)
    refused: list[tuple[str, tuple[str, str]]] = field(default_factory=list)
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
        if self.undated:
            out.append(
                f"{self.undated} of the drafts had no date: give each a “date:” and take "
                f"out “status: draft” to publish it. / У {self.undated} черновиков не было "
                f"даты: чтобы опубликовать, укажите «date:» и уберите «status: draft»."
            )
        for file in self.kept:
            out.append(
                f"{file}: not overwritten: the file is there and differs from what the import "
                f"would write (an editor's changes are kept) / не перезаписан: файл уже есть "
                f"и отличается от импортируемого (правки редактора сохранены)"
            )
        for file, (why, why_ru) in self.refused:
            out.append(f"{file}: error: not written: {why} / ошибка: не записан: {why_ru}")
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


#: the longest name (tag, category, author) written: longer ones are cut
MAX_NAME = 100
#: the deepest folder of pages written
MAX_DEPTH = 5
_OUTSIDE = (
    "its folder is a symbolic link leading out of the town's folder",
    "его папка — символическая ссылка за пределы папки города",
)
_TOO_DEEP = (
    "its HTML is nested too deep to convert (thousands of levels)",
    "его HTML вложен слишком глубоко для перевода (тысячи уровней)",
)


def _unwritable(exc: OSError) -> tuple[str, str]:
    reason = exc.strerror or type(exc).__name__
    return (
        f"the file cannot be written there ({reason}); is there a file where its folder must be?",
        f"файл нельзя записать туда ({reason}); нет ли файла на месте его папки?",
    )


def _slug(item: Item, number: int) -> str:
    old = slugify(unquote(item.slug)) if item.slug else ""
    return old or slugify(item.title) or f"{item.kind}-{number}"


def _plain_names(names: list[str]) -> list[str]:
    """Names as Gardarika takes them: plain text (no "<", ">" or control characters),
    each once whatever its capitals."""
    seen: dict[str, str] = {}
    for name in names:
        plain = " ".join("".join(c for c in name if c not in "<>" and c.isprintable()).split())
        plain = _bounded(plain)
        if plain:
            seen.setdefault(plain.casefold(), plain)
    return list(seen.values())


def _bounded(name: str, limit: int = MAX_NAME) -> str:
    """A name cut to ``limit`` characters, after a whole word where there is one."""
    if len(name) <= limit:
        return name
    cut = name[:limit].rsplit(" ", 1)[0]
    return cut if len(cut) >= limit // 2 else name[:limit]


def document(item: Item, lang: str = "", slug: str = "") -> tuple[str, list[Leftover]]:
    """The Markdown file of ``item`` and the shortcodes left in it (their lines counted
    in the whole file); ``lang``: its language when not the town's default; ``slug``:
    the address's name to keep. Raises ``html2md.TooDeep``."""
    fields: dict[str, object] = {}
    if slug:
        fields["slug"] = slug  # (through YAML: "0x1f" or "2023-01-01" stay text)
    fields["title"] = item.title or item.slug or "—"
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
        summary = to_markdown(item.summary, item.link).strip()
        if len(summary) <= MAX_SUMMARY_CHARS:  # (a longer one: the build makes its own)
            fields["summary"] = summary
    if item.status != "published":
        fields["status"] = item.status
    front = "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000)
    front += "---\n\n"
    body = to_markdown(item.html, item.link) if item.html.strip() else ""
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
        parents = parents[-MAX_DEPTH:]  # (a deeper tree keeps its lowest levels)
        folder = "articles" if item.kind == "article" else posixpath.join("pages", *parents)
        rel = posixpath.join(folder, f"{slug}.md")
        extra = 2
        while rel in taken:
            rel = posixpath.join(folder, f"{slug}-{extra}.md")
            extra += 1
        taken.add(rel)
        # the old address's last part, kept (and a second text's own, with its -2)
        kept_slug = (
            posixpath.basename(rel)[:-3] if item.slug and slugify(unquote(item.slug)) else ""
        )
        file = f"{shown}/{rel}"
        # an article needs a date to be published: one without is kept as a draft
        undated = item.kind == "article" and item.date is None and item.status == "published"
        if undated:
            item.status = "draft"
        try:
            text, found = document(item, lang, kept_slug)
        except TooDeep:
            report.refused.append((file, _TOO_DEEP))
            continue
        path = content / rel
        try:
            inside = path.resolve().is_relative_to(content.resolve())
        except (OSError, RuntimeError):
            inside = False
        if not inside:
            # a folder of the town that is a symbolic link leading out of it
            report.refused.append((file, _OUTSIDE))
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
        try:
            write_file_atomic(path, text.encode("utf-8"))
        except OSError as exc:  # a file where a folder must go, a name too long…
            report.refused.append((file, _unwritable(exc)))
            continue
        report.written[item.kind] += 1
        report.drafts += item.status == "draft"
        report.undated += undated
        report.shortcodes.extend((file, left) for left in found)
    return report
