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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import yaml

from gardarika.build.limits import MAX_SUMMARY_CHARS, MAX_TAGS
from gardarika.content.importing.addresses import Addresses, rewrite_markdown
from gardarika.content.importing.html2md import Leftover, TooDeep, leftovers, to_markdown
from gardarika.content.importing.items import Item
from gardarika.content.importing.markup import convert_hugo, convert_liquid
from gardarika.content.slugs import slugify
from gardarika.errors import counted
from gardarika.fs.confine import SITE_PAGES
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
    copied: int = 0  # pictures and files of the old site copied in

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
        if self.copied:
            out.append(
                f"Pictures and files of the old site copied in: {self.copied}. / "
                f"Скопировано картинок и файлов старого сайта: {self.copied}."
            )
        for file, left in self.shortcodes:
            code = left.name if left.name.startswith("{") else f"[{left.name}]"
            if left.link:
                out.append(
                    f"{file}:{left.line}: warning: the link to “{left.name}” leads to "
                    f"nothing that was imported; it now leads nowhere (#): give it the right "
                    f"address or remove the link / предупреждение: ссылка на «{left.name}» "
                    f"не ведёт ни к чему импортированному; теперь она никуда не ведёт (#): "
                    f"укажите верный адрес или уберите ссылку"
                )
                continue
            if left.name.startswith("{"):  # Hugo's or Liquid's
                out.append(
                    f"{file}:{left.line}: warning: the old site's template code {code} was "
                    f"left as text; replace it with Markdown (a picture, a link) or remove it "
                    f"/ предупреждение: код шаблона старого сайта {code} оставлен текстом; "
                    f"замените его разметкой Markdown (картинкой, ссылкой) или удалите"
                )
                continue
            out.append(
                f"{file}:{left.line}: warning: the shortcode {code} of the old site "
                f"was left as text; replace it with Markdown (a picture, a link) / "
                f"предупреждение: шорткод {code} старого сайта оставлен текстом; "
                f"замените его разметкой Markdown (картинкой, ссылкой)"
            )
        if self.skipped:
            what = ", ".join(f"{name}: {n}" for name, n in sorted(self.skipped.items()))
            what_ru = ", ".join(
                f"{SKIPPED_RU.get(name, name)}: {n}" for name, n in sorted(self.skipped.items())
            )
            out.append(f"Not imported: {what}. / Не импортированы: {what_ru}.")
        if self.comments:
            out.append(
                f"Comments are not imported: {self.comments} left out. / Комментарии не "
                f"импортируются: пропущено {self.comments}."
            )
        return out


#: the reasons a folder's file is not imported, in Russian (WordPress's are post types)
SKIPPED_RU = {
    "not readable as UTF-8 text, or too large": "не читается как текст UTF-8 или слишком велик",
    "its front matter cannot be read": "не читаются метаданные",
    "no front matter (Jekyll does not publish it)": "нет метаданных (Jekyll такое не публикует)",
    "a headless bundle (Hugo does not publish it)": "headless-набор (Hugo такое не публикует)",
    "inside a headless bundle (Hugo does not publish it)": (
        "внутри headless-набора (Hugo такое не публикует)"
    ),
    "a section's list page (Hugo's _index.md)": "страница-список раздела (_index.md Hugo)",
    "not a page (a tool's or the theme's file)": "не страница (файл программы или темы)",
    "reStructuredText that docutils cannot read": "reStructuredText, который не читается",
    "reStructuredText outside a Pelican site": "reStructuredText не на сайте Pelican",
    "no text of its own (a template made its page)": "нет своего текста (страницу делал шаблон)",
}

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
    slug = old or slugify(item.title) or f"{item.kind}-{number}"
    # ("tags", "search", "index"… are the site's own pages: the build refuses them)
    return f"{slug}-1" if slug in SITE_PAGES else slug


def _plain_names(names: list[str]) -> list[str]:
    """Names as Gardarika takes them: plain text (no "<", ">" or control characters),
    each once whatever its capitals."""
    seen: dict[str, str] = {}
    for name in names:
        plain = " ".join("".join(c for c in name if c not in "<>" and c.isprintable()).split())
        plain = _bounded(plain)
        if plain and slugify(plain):  # ("!!!" or "/" make no address: the build refuses them)
            seen.setdefault(plain.casefold(), plain)
    return list(seen.values())


def _bounded(name: str, limit: int = MAX_NAME) -> str:
    """A name cut to ``limit`` characters, after a whole word where there is one."""
    if len(name) <= limit:
        return name
    cut = name[:limit].rsplit(" ", 1)[0]
    return cut if len(cut) >= limit // 2 else name[:limit]


def document(
    item: Item,
    lang: str = "",
    slug: str = "",
    resolve: Callable[[str], str | None] | None = None,
) -> tuple[str, list[Leftover]]:
    """The Markdown file of ``item`` and the template code left in it (its lines counted
    in the whole file); ``lang``: its language when not the town's default; ``slug``:
    the address's name to keep; ``resolve``: the town's address of a link (see
    :class:`~.addresses.Addresses`). Raises ``html2md.TooDeep``."""
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
    summary = item.summary_markdown.strip()
    if summary and resolve is not None:
        summary = rewrite_markdown(summary, resolve).text
    if item.summary and not summary:
        summary = to_markdown(item.summary, item.link, resolve).strip()
    if summary and len(summary) <= MAX_SUMMARY_CHARS:  # (a longer one: the build makes its own)
        fields["summary"] = summary
    if item.status != "published":
        fields["status"] = item.status
    front = "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000)
    front += "---\n\n"
    if item.markdown is not None:
        body = item.markdown.strip("\n") + "\n" if item.markdown.strip() else ""
        links: list[Leftover] = []
        if resolve is not None:
            rewritten = rewrite_markdown(body, resolve)
            body, links = rewritten.text, rewritten.leftovers
        left = {"hugo": convert_hugo, "jekyll": convert_liquid}.get(item.template)
        found_in_body = (left(body).leftovers if left else []) + links
        found_in_body.sort(key=lambda each: each.line)
    else:
        body = to_markdown(item.html, item.link, resolve) if item.html.strip() else ""
        found_in_body = leftovers(body)
    found = [
        Leftover(each.name, each.line + front.count("\n"), each.link) for each in found_in_body
    ]
    return front + body, found


def _folder_of(item: Item) -> str:
    return posixpath.dirname(item.source) if item.source else ""


def write_items(
    items: list[Item],
    content: Path,
    shown: str,
    lang: str = "",
    addresses: Addresses | None = None,
    default: str = "",
) -> Report:
    """Write ``items`` into the town's folder ``content`` (named ``shown`` in messages);
    ``lang``: the texts' language, written into each when it is not the town's default
    (an item's own ``lang`` wins); ``addresses``: where links between the texts and to
    the old site's files lead in the town (the files are copied in); ``default``: the
    town's default language (a text in it needs no ``lang:`` unless the export's is
    another)."""
    report = Report()
    addresses = addresses if addresses is not None else Addresses()
    addresses.town = content
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
        # the names the town will have pages for ({tag}name links to them are kept)
        for kind, names in (
            ("tag", item.tags),
            ("category", _plain_names([item.category] if item.category else [])),
            ("author", _plain_names(item.authors)),
        ):
            addresses.terms.setdefault(kind, set()).update(name.casefold() for name in names)
    # first every text's file, so that links between them can be made
    planned: list[tuple[Item, str, str, str]] = []
    for number, item in enumerate(items, start=1):
        slug = _slug(item, number)
        # every part of the path is a slug (letters, digits, "-"): never "..", never "/"
        parents = [part for part in (slugify(unquote(p)) for p in item.parents) if part]
        parents = parents[-MAX_DEPTH:]  # (a deeper tree keeps its lowest levels)
        folder = "articles" if item.kind == "article" else posixpath.join("pages", *parents)
        own_lang = item.lang if item.lang not in ("", lang or default) else ""
        # a translation shares its original's slug, in a file named for its language
        suffix = f".{own_lang}.md" if own_lang else ".md"
        rel = posixpath.join(folder, f"{slug}{suffix}")
        extra = 2
        while rel in taken:
            rel = posixpath.join(folder, f"{slug}-{extra}{suffix}")
            extra += 1
        taken.add(rel)
        # the old address's last part, kept (and a second text's own, with its -2)
        # and the name given when the title would make another (a second text of the
        # same title, a title that is a page of the site's own)
        stem = posixpath.basename(rel)[: -len(suffix)]
        kept_slug = (
            stem
            if (item.slug and slugify(unquote(item.slug))) or stem != slugify(item.title)
            else ""
        )
        planned.append((item, rel, kept_slug, own_lang or lang))
        addresses.add_text(rel, source=item.source, address=item.link, name=item.slug)
    for item, rel, kept_slug, text_lang in planned:
        file = f"{shown}/{rel}"
        # an article needs a date to be published: one without is kept as a draft
        undated = item.kind == "article" and item.date is None and item.status == "published"
        if undated:
            item.status = "draft"
        folder = _folder_of(item)
        try:
            text, found = document(
                item,
                text_lang,
                kept_slug,
                lambda url, f=folder, m=item.markdown is not None: addresses.resolve(url, f, m),
            )
        except TooDeep:
            report.refused.append((file, _TOO_DEEP))
            continue
        outcome = _write(content, rel, text.encode("utf-8"))
        if isinstance(outcome, tuple):
            report.refused.append((file, outcome))
        elif outcome == "unchanged":
            report.unchanged += 1
        elif outcome == "kept":
            report.kept.append(file)
        else:
            report.written[item.kind] += 1
            report.drafts += item.status == "draft"
            report.undated += undated
            report.shortcodes.extend((file, left) for left in found)
    for copy in addresses.copies.values():
        try:
            data = copy.source.read_bytes()
        except OSError as exc:
            report.refused.append((f"{shown}/{copy.target}", _unwritable(exc)))
            continue
        outcome = _write(content, copy.target, data)
        if isinstance(outcome, tuple):
            report.refused.append((f"{shown}/{copy.target}", outcome))
        elif outcome == "written":
            report.copied += 1
    return report


def _write(content: Path, rel: str, data: bytes) -> str | tuple[str, str]:
    """Write ``data`` at ``rel`` in the town's folder, never over a different file:
    "written", "unchanged" (the same bytes are there), "kept" (others are), or why not
    (English, Russian)."""
    path = content / rel
    try:
        inside = path.resolve().is_relative_to(content.resolve())
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        # a folder of the town that is a symbolic link leading out of it
        return _OUTSIDE
    if path.exists() or path.is_symlink():
        try:
            same = not path.is_symlink() and path.read_bytes() == data
        except OSError:
            same = False
        return "unchanged" if same else "kept"
    try:
        write_file_atomic(path, data)
    except OSError as exc:  # a file where a folder must go, a name too long…
        return _unwritable(exc)
    return "written"
