"""``invoke new``: start an article, a page or a translation in the right place.

The file gets YAML front matter filled in — title, date (now, in the town's time zone),
language, address (slug) — and a line of placeholder text, so an editor only writes.
An existing file is never overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from gardarika.config.network import Network
from gardarika.content.documents import Document, read_town
from gardarika.content.slugs import slugify
from gardarika.errors import GardarikaError, Problem, display_path
from gardarika.fs.confine import SITE_PAGES, really_inside

PLACEHOLDER = {"ru": "Напишите здесь текст.", "en": "Write the text here."}
#: hints kept as YAML comments in the front matter, so they are never published
HINTS = {
    "ru": "# Картинка в тексте: ![Что на картинке]({static}/images/имя-файла.jpg)\n",
    "en": "# A picture in the text: ![What it shows]({static}/images/file-name.jpg)\n",
}


def _refuse(en: str, ru: str, file: str = "invoke new") -> GardarikaError:
    return GardarikaError([Problem(file=file, en=en, ru=ru)])


#: an article's lines for its category and tags, commented out for the editor to fill in
TERMS = "# category: Новости\n# tags: праздник, парк\n"


def _front_matter(fields: dict[str, str], comments: str = "") -> str:
    """The YAML front matter of ``fields`` (in their order), with ``comments`` (YAML
    comment lines, never published) before its closing line."""
    values = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000)
    return "---\n" + values + comments + "---\n"


def _find_original(
    docs: list[Document], slug: str, lang: str, page: bool | None
) -> Document | None:
    for doc in docs:
        if doc.slug == slug and doc.lang != lang and (page is None or (doc.kind == "page") == page):
            return doc
    return None


#: how many numbered addresses (``name-2``, ``name-3``…) are tried for a new text
MAX_NUMBERED = 1000


def _free_address(
    wanted: str,
    kind: str,
    lang: str,
    docs: list[Document],
    file_for: Callable[[str], Path],
    root: Path,
) -> tuple[str, str | None]:
    """The first address of ``wanted``, ``wanted-2``, ``wanted-3``… that no text of the
    same kind and language has, that is not one of the site's own pages (for an article)
    and whose file does not exist; and what took ``wanted``, if anything."""
    taken = {doc.slug: doc.shown for doc in docs if doc.kind == kind and doc.lang == lang}
    reserved = SITE_PAGES if kind == "article" else frozenset()

    def user(slug: str) -> str | None:
        if slug in taken:
            return taken[slug]
        if slug in reserved:
            return "the site's own page / служебная страница сайта"
        if file_for(slug).exists():
            return display_path(file_for(slug), root)
        return None

    first = user(wanted)
    if first is None:
        return wanted, None
    for number in range(2, MAX_NUMBERED):
        suffix = f"-{number}"
        slug = wanted[: 58 - len(suffix)].rstrip("-") + suffix
        if user(slug) is None:
            return slug, first
    raise _refuse(
        f"the address “{wanted}” and its numbered variants are all taken; choose another title.",
        f"адрес «{wanted}» и его варианты с номерами заняты; выберите другой заголовок.",
    )


def new_document(
    network: Network,
    town_id: str,
    title: str,
    lang: str | None = None,
    page: bool = False,
    translation_of: str | None = None,
    now: dt.datetime | None = None,
    say: Callable[[str], None] | None = None,
) -> Path:
    """Create the Markdown file and return its path; raise :class:`GardarikaError`.
    A new text never takes an address another text has: it gets the next free one
    (``name-2``), which ``say`` is told."""
    town = network.towns[network.choose([town_id])[0]]  # UnknownTown when there is none
    lang = lang or town.default_language
    if lang not in town.languages:
        raise _refuse(
            f"the town has no language “{lang}” (it has {', '.join(town.languages)}).",
            f"у города нет языка «{lang}» (есть: {', '.join(town.languages)}).",
        )
    if not title.strip():
        raise _refuse('give the title with --title "...".', 'укажите заголовок: --title "...".')
    now = now or dt.datetime.now(ZoneInfo(town.timezone))
    fields: dict[str, str] = {"title": title.strip()}
    if translation_of:
        docs, _ = read_town(town, network.root)
        original = _find_original(docs, translation_of, lang, page or None)
        if original is None:
            raise _refuse(
                f"there is no article or page with the address “{translation_of}” in another "
                "language to translate.",
                f"материала с адресом «{translation_of}» на другом языке, который можно "
                "перевести, нет.",
            )
        path = original.path.parent / f"{original.base[1]}.{lang}.md"
        is_page = original.kind == "page"
        if not is_page:
            date = original.metadata.get("date")
            fields["date"] = str(date) if date else f"{now:%Y-%m-%d %H:%M}"
        fields.update(lang=lang, slug=translation_of, translation="yes")
    else:
        folder = town.content / ("pages" if page else "articles")

        def file_for(slug: str) -> Path:
            return folder / f"{slug if lang == town.default_language else f'{slug}.{lang}'}.md"

        docs, _ = read_town(town, network.root)
        wanted = slugify(title) or "new"
        slug, taken_by = _free_address(
            wanted, "page" if page else "article", lang, docs, file_for, network.root
        )
        if taken_by is not None and say is not None:
            say(
                f"The address “{wanted}” is taken ({taken_by}), so the new text gets "
                f"“{slug}”. / Адрес «{wanted}» занят ({taken_by}), поэтому новый текст "
                f"получает адрес «{slug}»."
            )
        path = file_for(slug)
        is_page = page
        if not page:
            fields["date"] = f"{now:%Y-%m-%d %H:%M}"
        fields.update(lang=lang, slug=slug)
    if path.exists():
        shown = display_path(path, network.root)
        raise _refuse(
            "this file already exists; it is not overwritten. Choose another title.",
            "такой файл уже есть, он не будет перезаписан. Выберите другой заголовок.",
            file=shown,
        )
    folder = path.parent
    while not folder.exists() and folder != town.content:
        folder = folder.parent
    if not really_inside(str(folder), str(town.content)):
        raise _refuse(
            f"{display_path(folder, network.root)} leads out of the town's folder (a symbolic "
            "link); a new text is written only inside it.",
            f"{display_path(folder, network.root)} ведёт за пределы папки города "
            "(символическая ссылка); новый текст пишется только внутри неё.",
        )
    comments = ("" if is_page else TERMS) + HINTS.get(lang, HINTS["en"])
    text = _front_matter(fields, comments)
    text += "\n" + PLACEHOLDER.get(lang, PLACEHOLDER["en"]) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:
        out.write(text)
    return path
