"""Which Pelican settings a town may set under ``pelican:`` in ``sites/<town>.yaml``.

Many Pelican settings name folders and files (``OUTPUT_PATH``, ``CACHE_PATH``,
``THEME_TEMPLATES_OVERRIDES``, ``TEMPLATE_PAGES``...) or switch on things that write or
read beside the output (``DELETE_OUTPUT_DIRECTORY``, ``OUTPUT_SOURCES``,
``STATIC_CREATE_LINKS``, ``DOCUTILS_SETTINGS``...). A list of what to forbid would
have to follow every Pelican release, so this is the other way round: an allow-list of
settings that only change how pages look or are grouped, each with the kind of value it
takes, and file names (``*_SAVE_AS``, ``*_URL``, ``STATIC_PATHS``...) accepted only as
relative paths that stay inside the town's content or output folder.

Values are judged for what they do, not only for their type, because a value Pelican
cannot use fails the town's run without naming the setting, and some would publish
what they must not:

* file name patterns use plain ``{fields}`` from :data:`PATTERN_FIELDS`, and
  ``{date:…}`` only with numeric codes; no conversion (``{slug!r}``) and no other
  format (``{date:..}`` is ``..``); the file name they give for sample values is judged
  as an address, a page's ends with ``.html``, a feed's with ``.xml``, and none is
  written into ``theme/`` or another language's folder;
* ``EXTRA_PATH_METADATA`` may move a file, but it keeps its extension (a text file
  never becomes the theme's script or a web page) and stays out of the site's own
  folders and pages; a Markdown text follows the rule of a document's ``save_as``;
* ``STATIC_PATHS`` names folders or files, never the whole content folder;
* orderings, translation ids, date formats, locales and templates take only the
  values Pelican can use: attributes every document has, plain ``strftime`` text,
  locale names (glibc reads a name with a "/" as a file), page templates the theme
  has (not its parts ``_macros``, ``base`` or the network's ``portal``).

:func:`setting_problems` returns, for one setting, where below it something is wrong
and why, in both languages; :mod:`gardarika.config.network` turns them into problems, giving
the town's languages and theme (:class:`Context`).
"""

from __future__ import annotations

import posixpath
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from gardarika.config.templates import template_problem
from gardarika.errors import Message
from gardarika.fs.confine import (
    SITE_FILES,
    SITE_FOLDERS,
    SITE_PAGES,
    address_problem,
    hidden_part,
    page_file_problem,
    path_problem,
)

#: (path below the setting, what is wrong with it)
Found = tuple[tuple[str | int, ...], Message]
Validator = Callable[[Any], Iterator[Found]]


@dataclass(frozen=True)
class Context:
    """What some settings are judged against, decided elsewhere in the town's file.

    ``languages``: the town's languages, default first (a page must not be written into
    another language's folder); ``templates``: the page templates of the town's theme,
    or ``None`` when the theme is unknown (then names are checked but not looked up).
    """

    languages: tuple[str, ...] = ()
    templates: frozenset[str] | None = None

    @property
    def other_languages(self) -> tuple[str, ...]:
        return self.languages[1:]


#: a plugin is named by its folder (or file) in plugins/: one plain name, no dotted path
#: that Python could resolve to a module elsewhere (``content.town.files.x``)
PLUGIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: what a file name pattern may contain between braces: values Gardarika makes safe
PATTERN_FIELDS = frozenset(
    {
        "slug",
        "lang",
        "date",
        "name",
        "number",
        "extension",
        "path",
        "category.slug",
        "author.slug",
        "tag.slug",
        "base_name",
    }
)
#: what ``{date:…}`` may be formatted with: numbers only (no names of months, which
#: depend on the locale, no ``%n`` or ``%t``) and separators of a path
DATE_SPEC = re.compile(r"(?:%[YmdHMSjy]|[-_/.])+")
DATE_CODES = "%Y %m %d %H %M %S %j %y"
#: values a pattern is filled with to see the file names it gives
_SAMPLE: dict[str, Any] = {
    "slug": "a",
    "lang": "ru",
    "date": datetime(2024, 1, 2, 3, 4, 5),
    "name": "index",
    "number": 2,
    "extension": ".html",
    "path": "files/a.txt",
    "base_name": "index",
    "category": SimpleNamespace(slug="a"),
    "author": SimpleNamespace(slug="a"),
    "tag": SimpleNamespace(slug="a"),
}
#: metadata that names where a document or file is written or linked
_ADDRESS_KEYS = ("save_as", "url", "path")
#: Markdown texts: they become pages (``.html``), the other files are copied as they are
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")
#: where a copied file must not land: the site's own folders (pictures and files keep
#: theirs), and its own pages and scripts
_TAKEN_FOLDERS = tuple(f for f in SITE_FOLDERS if f not in ("images", "files"))
_STATUSES = ("published", "hidden", "draft")
LANG_CODE = re.compile(r"^[a-z]{2,3}$")
#: a locale name as glibc takes it (never a path, which glibc would read as a file)
LOCALE_NAME = re.compile(
    r"^(?:|C|POSIX|C\.UTF-8|[a-z]{2,3}(?:_[A-Z]{2})?"
    r"(?:\.[A-Za-z0-9-]{1,20})?(?:@[a-z]{1,20})?)$"
)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(minimum: int = 0, optional: bool = False, maximum: int | None = None) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if optional and value is None:
            return
        if not _is_int(value) or value < minimum:
            yield (
                (),
                Message(
                    f"write a whole number of at least {minimum}.",
                    f"укажите целое число не меньше {minimum}.",
                ),
            )
        elif maximum is not None and value > maximum:
            yield (
                (),
                Message(
                    f"write a whole number from {minimum} to {maximum}.",
                    f"укажите целое число от {minimum} до {maximum}.",
                ),
            )

    return check


def _flag(value: Any) -> Iterator[Found]:
    if not isinstance(value, bool):
        yield (
            (),
            Message("write yes or no (true or false).", "укажите yes или no (true или false)."),
        )


def _text(optional: bool = False) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if optional and value is None:
            return
        if not isinstance(value, str):
            yield ((), Message("write a text here.", "здесь должен быть текст."))

    return check


def _list_of(item: Validator, allow_text: bool = False) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if allow_text and isinstance(value, str):
            yield from item(value)
            return
        if not isinstance(value, list):
            yield ((), Message("write a list, like [a, b].", "укажите список, например [a, b]."))
            return
        for i, element in enumerate(value):
            for where, message in item(element):
                yield ((i, *where), message)

    return check


def _short_list(item: Validator, limit: int) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if isinstance(value, list) and len(value) > limit:
            yield (
                (),
                Message(f"write at most {limit} values.", f"укажите не больше {limit} значений."),
            )
            return
        yield from _list_of(item)(value)

    return check


def _pairs(value: Any) -> Iterator[Found]:
    """``MENUITEMS``, ``LINKS``, ``SOCIAL``: a list of [title, address]."""
    if not isinstance(value, list):
        yield (
            (),
            Message(
                "write a list of [title, address] pairs.", "укажите список пар [название, адрес]."
            ),
        )
        return
    for i, pair in enumerate(value):
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            yield (
                (i,),
                Message("write a pair [title, address].", "укажите пару [название, адрес]."),
            )


def _mapping_of(key: Validator, value_check: Validator) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if not isinstance(value, dict):
            yield (
                (),
                Message(
                    "write a group of “key: value” lines.", "укажите группу строк «ключ: значение»."
                ),
            )
            return
        for name, element in value.items():
            for where, message in key(name):
                yield ((name, *where), message)
            for where, message in value_check(element):
                yield ((name, *where), message)

    return check


def _path_in_folder(what_en: str, what_ru: str, empty: bool = True) -> Validator:
    """A path relative to the town's content or output folder that stays inside it."""

    def check(value: Any) -> Iterator[Found]:
        if not isinstance(value, str):
            yield ((), Message(f"write {what_en} as a text.", f"укажите {what_ru} текстом."))
            return
        if not value and not empty:
            yield ((), Message(f"{what_en} is empty.", f"{what_ru}: пусто."))
            return
        problem = path_problem(value, decode=True)
        if problem:
            yield ((), Message(f"“{value}” {problem.en}.", f"«{value}» {problem.ru}."))
        elif hidden_part(value):
            yield (
                (),
                Message(
                    f"“{value}” names a hidden file or folder (a name starting with a "
                    "dot); hidden files are never read or published. Name a visible one.",
                    f"«{value}» называет скрытый файл или папку (имя с точкой в начале); "
                    "скрытые файлы не читаются и не публикуются. Укажите видимый.",
                ),
            )

    return check


def _static_path(value: Any) -> Iterator[Found]:
    """``STATIC_PATHS``: named folders or files, never the whole content folder, which
    would publish every text as written (drafts and hidden pages too)."""
    found = list(_CONTENT_PATH(value))
    yield from found
    if not found and posixpath.normpath(value) in (".", ""):
        yield (
            (),
            Message(
                f"“{value}” is the whole content folder: every text would be "
                "published as written, drafts too. Name the folders of pictures and files, "
                "like [images, files].",
                f"«{value}» — это вся папка материалов: все тексты, и черновики тоже, "
                "публиковались бы как есть. Перечислите папки картинок и файлов, например "
                "[images, files].",
            ),
        )


def _pattern_fields(value: str) -> Iterator[Found]:
    """The ``{fields}`` of a file name pattern: plain names Gardarika makes safe, and
    ``{date:…}`` formatted with numbers only. A conversion (``{slug!r}``) adds quotes,
    a format (``{slug:.>2}``, ``{date:..}``) adds any text at all."""
    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError:
        yield (
            (),
            Message(
                f"“{value}”: the braces “{{ }}” do not match; write fields like {{slug}}.",
                f"«{value}»: фигурные скобки «{{ }}» не парные; пишите поля так: {{slug}}.",
            ),
        )
        return
    fields = "{" + "}, {".join(sorted(PATTERN_FIELDS)) + "}"
    seen = set()
    for _, name, spec, conversion in parsed:
        if name is None or (name, spec, conversion) in seen:
            continue  # a field written twice is explained once
        seen.add((name, spec, conversion))
        if name not in PATTERN_FIELDS:
            yield (
                (),
                Message(
                    f"“{{{name}}}” cannot be used in a file name (its value could "
                    f"contain “/” or “..”); use one of {fields}.",
                    f"«{{{name}}}» нельзя использовать в имени файла (в значении могут быть "
                    f"«/» или «..»); используйте {fields}.",
                ),
            )
        elif conversion is not None:
            yield (
                (),
                Message(
                    f"“{{{name}!{conversion}}}”: a conversion (“!{conversion}”) cannot "
                    f"be used in a file name; write “{{{name}}}”.",
                    f"«{{{name}!{conversion}}}»: преобразование («!{conversion}») нельзя "
                    f"использовать в имени файла; пишите «{{{name}}}».",
                ),
            )
        elif spec and name != "date":
            yield (
                (),
                Message(
                    f"“{{{name}:{spec}}}”: a format after “:” cannot be used with "
                    f"{{{name}}} in a file name; write “{{{name}}}”.",
                    f"«{{{name}:{spec}}}»: формат после «:» нельзя использовать с "
                    f"{{{name}}} в имени файла; пишите «{{{name}}}».",
                ),
            )
        elif name == "date" and not spec:
            yield (
                (),
                Message(
                    "“{date}” alone gives the date with a space and colons "
                    "(2024-01-02 03:04:05); write it with codes, like “{date:%Y-%m-%d}”.",
                    "«{date}» без формата даёт дату с пробелом и двоеточиями "
                    "(2024-01-02 03:04:05); пишите с кодами, например «{date:%Y-%m-%d}».",
                ),
            )
        elif name == "date" and (not DATE_SPEC.fullmatch(spec) or "%" not in spec):
            yield (
                (),
                Message(
                    f"“{{date:{spec}}}”: a date in a file name is written with the "
                    f"codes {DATE_CODES} (at least one) and “-”, “_”, “/”, “.” only, like "
                    "“{date:%Y/%m}”.",
                    f"«{{date:{spec}}}»: дата в имени файла записывается только кодами "
                    f"{DATE_CODES} (хотя бы одним) и знаками «-», «_», «/», «.», например "
                    "«{date:%Y/%m}».",
                ),
            )


def _sample(value: str) -> str:
    """The file name a (valid) pattern gives for sample values."""
    return value.format(**_SAMPLE)


def _file_pattern(
    value: Any,
    suffixes: tuple[str, ...] = (),
    keep_path: bool = False,
    context: Context | None = None,
) -> Iterator[Found]:
    """``*_SAVE_AS``/``*_URL``/feeds: a relative pattern with safe fields, or off.

    ``suffixes``: what the file name must end with (a file written: ``.html`` for a
    page, ``.xml`` for a feed), so that a feed or a page cannot be written as a script
    or over another kind of file; ``keep_path``: the pattern must end with ``{path}``
    (a copied file keeps its own name and extension). A file written is never put into
    the theme's folder or another language's folder (``context``).
    """
    if value is None or value is False or value == "":
        return
    if not isinstance(value, str):
        yield ((), Message("write the file name as a text.", "укажите имя файла текстом."))
        return
    problem = address_problem(value, pattern=True)
    if problem:
        yield ((), Message(f"“{value}” {problem.en}.", f"«{value}» {problem.ru}."))
        return
    found = list(_pattern_fields(value))
    yield from found
    if found:
        return
    try:
        example = _sample(value)
    except (ValueError, KeyError, AttributeError, IndexError, TypeError):
        yield (
            (),
            Message(
                f"“{value}” cannot be filled in; write fields like {{slug}}.",
                f"«{value}» не удаётся заполнить; пишите поля так: {{slug}}.",
            ),
        )
        return
    problem = address_problem(example)
    if problem:
        yield (
            (),
            Message(
                f"“{value}” gives file names like “{example}”, which {problem.en}.",
                f"«{value}» даёт имена файлов вроде «{example}», а это {problem.ru}.",
            ),
        )
        return
    if keep_path and not value.endswith("{path}"):
        yield (
            (),
            Message(
                f"“{value}” must end with {{path}}, so that every file keeps its own "
                "name and extension, like “static/{path}”.",
                f"«{value}» должно оканчиваться на {{path}}, чтобы каждый файл сохранил своё "
                "имя и расширение, например «static/{path}».",
            ),
        )
    if suffixes and not example.lower().endswith(suffixes):
        yield (
            (),
            Message(
                f"“{value}” must name a file ending with {' or '.join(suffixes)}, like "
                f"“{example.rsplit('.', 1)[0]}{suffixes[0]}”.",
                f"«{value}» должно называть файл, оканчивающийся на {' или '.join(suffixes)}, "
                f"например «{example.rsplit('.', 1)[0]}{suffixes[0]}».",
            ),
        )
    if suffixes or keep_path:
        first = posixpath.normpath(example).split("/")[0]
        others = context.other_languages if context else ()
        if first == "theme" or first in others:
            yield (
                (),
                Message(
                    f"“{value}” writes into “{first}/”, the folder of the theme's files "
                    "or of another language's site. Choose another folder.",
                    f"«{value}» записывает в «{first}/» — папку файлов темы или сайта на "
                    "другом языке. Выберите другую папку.",
                ),
            )


def _file_setting(key: str, context: Context) -> Validator:
    """The rule for a file name setting, by what kind of file it names."""
    if key.endswith(("FEED_ATOM", "FEED_RSS")):
        suffixes: tuple[str, ...] = (".xml", ".atom", ".rss")
    elif key == "SEARCH_INDEX_SAVE_AS":
        suffixes = (".js",)
    elif key == "STATIC_SAVE_AS":
        return lambda value: _file_pattern(value, keep_path=True, context=context)
    elif key.endswith("_SAVE_AS"):
        suffixes = (".html",)
    else:  # *_URL: where links lead, nothing is written
        suffixes = ()
    return lambda value: _file_pattern(value, suffixes, context=context)


def _template_name(value: Any, kind: str | None = None) -> Iterator[Found]:
    problem = template_problem(value, kind)
    if problem is not None:
        yield (
            (),
            Message(
                f"{problem[0]}; name a page template of the theme, like “archives”.",
                f"{problem[1]}; укажите шаблон страницы темы, например «archives».",
            ),
        )


def _direct_templates(context: Context) -> Validator:
    """``DIRECT_TEMPLATES``: page templates of the town's theme; Pelican stops the run
    without naming the setting when one is missing or is only a part of pages."""

    def one(value: Any) -> Iterator[Found]:
        found = list(_template_name(value))
        yield from found
        if found or context.templates is None or value in context.templates:
            return
        known = ", ".join(sorted(context.templates))
        yield (
            (),
            Message(
                f"the theme has no page template “{value}” (it has: {known}).",
                f"в теме нет шаблона страницы «{value}» (есть: {known}).",
            ),
        )

    return _list_of(one)


def _plugin_name(value: Any) -> Iterator[Found]:
    if not isinstance(value, str) or not PLUGIN_NAME.match(value):
        yield (
            (),
            Message(
                f"“{value}” is not a plugin name; write the name of a folder in "
                "plugins/, like “extra_plugin”.",
                f"«{value}» — не имя модуля; укажите имя папки из plugins/, например "
                "«extra_plugin».",
            ),
        )


def _metadata(
    value: Any, source: str | None = None, context: Context | None = None
) -> Iterator[Found]:
    """Metadata given by settings: ``DEFAULT_METADATA`` (``source`` is ``None``: every
    document) or one entry of ``EXTRA_PATH_METADATA`` (``source``: the file or folder
    it applies to). The same rules as in a document, and a copied file keeps its kind."""
    context = context or Context()
    if not isinstance(value, dict):
        yield (
            (),
            Message(
                "write a group of “key: value” lines.", "укажите группу строк «ключ: значение»."
            ),
        )
        return
    for key, element in value.items():
        name = str(key).lower()
        if name in _ADDRESS_KEYS or name == "slug":
            if name == "save_as" and element == "":
                continue  # "do not write it"
            if source is None:
                yield (
                    (key,),
                    Message(
                        f"“{key}” here would give every document the same "
                        "address; write it in the document, or for one file under "
                        "EXTRA_PATH_METADATA.",
                        f"«{key}» здесь дал бы всем документам один и тот же адрес; "
                        "укажите его в самом документе или для одного файла в "
                        "EXTRA_PATH_METADATA.",
                    ),
                )
                continue
            check = (
                _address(element, name)
                if name == "slug"
                else _target(element, name, source, context)
            )
            for where, message in check:
                yield ((key, *where), message)
        elif name == "template":
            # a file's own template: an article's or a page's (the build says which)
            for where, message in _template_name(element, "document"):
                yield ((key, *where), message)
        elif name == "lang":
            if (
                not isinstance(element, str)
                or not LANG_CODE.match(element)
                or (context.languages and element not in context.languages)
            ):
                shown = ", ".join(context.languages) or "ru, en"
                yield (
                    (key,),
                    Message(
                        f"“{element}” is not one of the town's languages ({shown}).",
                        f"«{element}» — не один из языков города ({shown}).",
                    ),
                )
        elif name == "status":
            for where, message in _one_of(*_STATUSES)(element):
                yield ((key, *where), message)
        elif name in ("category", "author", "authors", "tags", "title", "summary"):
            for where, message in _name_text(element):
                yield ((key, *where), message)


def _address(value: Any, key: str) -> Iterator[Found]:
    """A ``url``/``save_as``/``slug`` given by settings: the same rule as in a document."""
    if not isinstance(value, str):
        yield ((), Message("write the value as a text.", "укажите значение текстом."))
        return
    problem = address_problem(value) if key in _ADDRESS_KEYS else path_problem(value)
    if problem:
        yield ((), Message(f"“{value}” {problem.en}.", f"«{value}» {problem.ru}."))


def _target(value: Any, key: str, source: str, context: Context) -> Iterator[Found]:
    """Where ``EXTRA_PATH_METADATA`` sends the file ``source`` (``save_as``, ``url``,
    ``path``). A Markdown text becomes a page and follows the rule of a document's
    ``save_as``; any other file keeps its extension, so that a text file cannot become
    the site's script or a web page, and stays out of the site's own folders and pages.
    """
    found = list(_address(value, key))
    yield from found
    if found:
        return
    src = posixpath.splitext(source.lower())[1]
    if src in MARKDOWN_SUFFIXES:
        if key != "path":
            problem = page_file_problem(value, context.other_languages)
            if problem:
                yield ((), Message(f"“{value}” {problem[0]}", f"«{value}» {problem[1]}"))
        return
    normal = posixpath.normpath(value)
    ext = posixpath.splitext(normal.lower())[1]
    if ext != src:
        shown = src or "no extension"
        shown_ru = src or "без расширения"
        like = f"files/{posixpath.splitext(posixpath.basename(normal))[0]}{src}"
        yield (
            (),
            Message(
                f"“{value}” changes the kind of “{source}” ({shown}): a file keeps its "
                f"extension when it is moved, like “{like}”.",
                f"«{value}» меняет тип файла «{source}» ({shown_ru}): при переносе файл "
                f"сохраняет расширение, например «{like}».",
            ),
        )
        return
    parts = normal.casefold().split("/")
    taken = parts[0] in (*_TAKEN_FOLDERS, *context.other_languages) or (
        len(parts) == 1 and (parts[0] in SITE_FILES or parts[0].rsplit(".", 1)[0] in SITE_PAGES)
    )
    if taken:
        yield (
            (),
            Message(
                f"“{value}” is where the site keeps its own pages and files "
                f"(“{parts[0]}”). Choose another name, like “files/{parts[-1]}”.",
                f"«{value}» — место служебных страниц и файлов сайта («{parts[0]}»). "
                f"Выберите другое имя, например «files/{parts[-1]}».",
            ),
        )


def _extra_path_metadata(context: Context) -> Validator:
    """``EXTRA_PATH_METADATA``: a file or folder of the town, and its metadata."""

    def check(value: Any) -> Iterator[Found]:
        if not isinstance(value, dict):
            yield (
                (),
                Message(
                    "write a group of “key: value” lines.", "укажите группу строк «ключ: значение»."
                ),
            )
            return
        for name, element in value.items():
            found = list(_path_in_folder("the file", "файл", empty=False)(name))
            for where, message in found:
                yield ((name, *where), message)
            if found:
                continue
            for where, message in _metadata(element, str(name), context):
                yield ((name, *where), message)

    return check


def _date_format(value: Any) -> Iterator[Found]:
    """A date format (``DEFAULT_DATE_FORMAT``, ``DATE_FORMATS``): plain ``strftime``
    text. Pelican would take a ``[locale, format]`` pair as a locale to switch to."""
    if not isinstance(value, str) or not value.strip():
        yield (
            (),
            Message(
                "write the date format as one text, like “%d.%m.%Y” (not a list).",
                "укажите формат даты одним текстом, например «%d.%m.%Y» (не списком).",
            ),
        )
        return
    if len(value) > 100 or any(c in value for c in "<>&\"'") or not value.isprintable():
        yield (
            (),
            Message(
                "write the date format as plain text of at most 100 characters, without "
                "“<”, “>”, “&” and quotes, like “%d.%m.%Y”.",
                "укажите формат даты простым текстом не длиннее 100 знаков, без «<», «>», "
                "«&» и кавычек, например «%d.%m.%Y».",
            ),
        )
        return
    try:
        datetime(2024, 1, 2, 3, 4, 5).strftime(value)
    except (ValueError, UnicodeError):
        yield (
            (),
            Message(
                f"“{value}” is not a date format; write one like “%d.%m.%Y”.",
                f"«{value}» — не формат даты; укажите, например, «%d.%m.%Y».",
            ),
        )


def _lang_key(value: Any) -> Iterator[Found]:
    if not isinstance(value, str) or not LANG_CODE.match(value):
        yield (
            (),
            Message(
                f"“{value}” is not a language code; write one like ru or en.",
                f"«{value}» — не код языка; укажите, например, ru или en.",
            ),
        )


def _locale(value: Any) -> Iterator[Found]:
    """A locale name: glibc reads a name with a “/” as a file to load."""
    if not isinstance(value, str) or not LOCALE_NAME.match(value):
        yield (
            (),
            Message(
                f"“{value}” is not a locale name; write one like “ru_RU.UTF-8” (or "
                "leave LOCALE out: dates are written in each page's language anyway).",
                f"«{value}» — не название локали; укажите, например, «ru_RU.UTF-8» (или "
                "уберите LOCALE: даты и так пишутся на языке страницы).",
            ),
        )


def _plain_text(value: Any) -> Iterator[Found]:
    """Text Pelican puts into pages as HTML (``SUMMARY_END_SUFFIX``): no markup."""
    if not isinstance(value, str):
        yield ((), Message("write a text here.", "здесь должен быть текст."))
    elif any(c in value for c in "<>&\"'"):
        yield (
            (),
            Message(
                "write plain text without “<”, “>”, “&” and quotes; it is put into pages as it is.",
                "пишите простой текст без «<», «>», «&» и кавычек: он попадает на страницы "
                "как есть.",
            ),
        )


def _name_text(value: Any) -> Iterator[Found]:
    """A name or title given by settings (a category, tags): text, or a list of texts,
    without markup, as in a document (where markup in these names is refused)."""
    for i, text in enumerate(value if isinstance(value, list) else [value]):
        where = (i,) if isinstance(value, list) else ()
        if not isinstance(text, str):
            yield (where, Message("write a text here.", "здесь должен быть текст."))
        elif any(c in text for c in "<>&") or not text.isprintable():
            yield (
                where,
                Message(
                    f"“{text}” contains markup (“<”, “>”, “&”) or an invisible "
                    "character; write plain text.",
                    f"«{text}» содержит разметку («<», «>», "
                    "«&») или невидимый символ; пишите простой текст.",
                ),
            )


def _one_of(*choices: str) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if value not in choices:
            yield (
                (),
                Message(
                    f"write one of: {', '.join(choices)}.",
                    f"укажите одно из: {', '.join(choices)}.",
                ),
            )

    return check


#: what an ordering may name: what every document has and can be compared, optionally
#: "reversed-" (another attribute fails the run, or compares documents with None)
ORDER_KEYS = ("date", "title", "slug", "basename", "modified")


def _order(value: Any) -> Iterator[Found]:
    name = (
        value[len("reversed-") :]
        if isinstance(value, str) and value.startswith("reversed-")
        else value
    )
    if name not in ORDER_KEYS:
        choices = ", ".join(ORDER_KEYS)
        yield (
            (),
            Message(
                f"write what to sort by: one of {choices}, optionally with “reversed-” "
                "before it, like “reversed-date”.",
                f"укажите, по чему сортировать: одно из {choices}, можно с «reversed-» "
                "впереди, например «reversed-date».",
            ),
        )


#: what pairs a document with its translations: a value every document has
TRANSLATION_KEYS = ("slug", "title")


def _translation_id(value: Any) -> Iterator[Found]:
    if value is None or value is False or value == "":
        return  # translations are not paired by Pelican
    if value not in TRANSLATION_KEYS:
        yield (
            (),
            Message(
                f"write {' or '.join(TRANSLATION_KEYS)} (or leave it empty to pair no "
                "translations).",
                f"укажите {' или '.join(TRANSLATION_KEYS)} (или оставьте "
                "пустым, чтобы не связывать переводы).",
            ),
        )


#: addresses a menu or a list of links may hold: another website, e-mail, phone, or a
#: path inside the site
_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def _link_pairs(value: Any) -> Iterator[Found]:
    """``MENUITEMS``, ``LINKS``, ``SOCIAL``: [title, address], the address a web, mail or
    phone address, or a path inside the site (never ``javascript:`` or ``data:``)."""
    found = list(_pairs(value))
    yield from found
    if found:
        return
    for i, (_, address) in enumerate(value):
        text = address.strip()
        if text.lower().startswith(_LINK_SCHEMES) and not any(
            c.isspace() or c in "\"'<>`" or not c.isprintable() for c in text
        ):
            continue
        problem = address_problem(text)
        if problem:
            yield (
                (i, 1),
                Message(
                    f"“{address}” is neither a web, e-mail or phone address nor a "
                    f"path inside the site: it {problem.en}.",
                    f"«{address}» — не адрес сайта, почты или телефона и не путь внутри "
                    f"сайта: оно {problem.ru}.",
                ),
            )


def _pagination_patterns(value: Any) -> Iterator[Found]:
    if not isinstance(value, list):
        yield (
            (),
            Message(
                "write a list of [number, address, file name].",
                "укажите список [номер, адрес, имя файла].",
            ),
        )
        return
    for i, entry in enumerate(value):
        if not (isinstance(entry, list) and len(entry) == 3 and _is_int(entry[0])):
            yield (
                (i,),
                Message(
                    "write [number, address, file name].", "укажите [номер, адрес, имя файла]."
                ),
            )
            continue
        if entry[0] < 1:
            yield ((i, 0), Message("the page number starts at 1.", "номер страницы — от 1."))
        for j, suffixes in ((1, ()), (2, (".html",))):
            for where, message in _file_pattern(entry[j], suffixes):
                yield ((i, j, *where), message)


_ANY_TEXT = _text()
_CONTENT_PATH = _path_in_folder("the folder", "папку")

#: setting -> what it takes. Only these may be set from a town's file.
ALLOWED: dict[str, Validator] = {
    "DEFAULT_PAGINATION": lambda v: iter(()) if v is False else _number(1)(v),
    "DEFAULT_ORPHANS": _number(0),
    "PAGINATED_TEMPLATES": _mapping_of(_template_name, _number(1, optional=True)),
    "PAGINATION_PATTERNS": _pagination_patterns,
    "SUMMARY_MAX_LENGTH": _number(0, optional=True),
    "SUMMARY_MAX_PARAGRAPHS": _number(1, optional=True),
    "SUMMARY_END_SUFFIX": _plain_text,
    "DEFAULT_DATE_FORMAT": _date_format,
    "DATE_FORMATS": _mapping_of(_lang_key, _date_format),
    "LOCALE": _list_of(_locale, allow_text=True),
    "DEFAULT_CATEGORY": _ANY_TEXT,
    "ARTICLE_ORDER_BY": _order,
    "PAGE_ORDER_BY": _order,
    "ARTICLE_TRANSLATION_ID": _translation_id,
    "PAGE_TRANSLATION_ID": _translation_id,
    "SLUGIFY_SOURCE": _one_of("title", "basename"),
    "FORMATTED_FIELDS": _list_of(_one_of("summary", "title", "description")),
    "DISPLAY_PAGES_ON_MENU": _flag,
    "DISPLAY_CATEGORIES_ON_MENU": _flag,
    "NEWEST_FIRST_ARCHIVES": _flag,
    "REVERSE_CATEGORY_ORDER": _flag,
    "USE_FOLDER_AS_CATEGORY": _flag,
    "STATIC_EXCLUDE_SOURCES": _flag,
    "MENUITEMS": _link_pairs,
    "LINKS": _link_pairs,
    "SOCIAL": _link_pairs,
    "FEED_MAX_ITEMS": _number(1, optional=True),
    # pictures: sizes a screen can show, so one picture cannot become a huge file
    "IMAGES_MAX_WIDTH": _number(1, maximum=4000),
    "IMAGES_MAX_HEIGHT": _number(1, maximum=4000),
    "IMAGES_QUALITY": _number(1, maximum=100),
    "IMAGES_MAX_BYTES": _number(1, maximum=5_000_000),
    "IMAGES_VARIANTS": _short_list(_number(1, maximum=4000), 6),
    "ARTICLE_PATHS": _list_of(_CONTENT_PATH),
    "PAGE_PATHS": _list_of(_CONTENT_PATH),
    "STATIC_PATHS": _list_of(_static_path),
    "ARTICLE_EXCLUDES": _list_of(_CONTENT_PATH),
    "PAGE_EXCLUDES": _list_of(_CONTENT_PATH),
    "STATIC_EXCLUDES": _list_of(_CONTENT_PATH),
    "DIRECT_TEMPLATES": _direct_templates(Context()),
    "DEFAULT_METADATA": _metadata,
    "EXTRA_PATH_METADATA": _extra_path_metadata(Context()),
    "PLUGINS": _list_of(_plugin_name),
}
#: settings whose rule depends on the rest of the town's file (see :class:`Context`)
CONTEXTUAL: dict[str, Callable[[Context], Validator]] = {
    "DIRECT_TEMPLATES": _direct_templates,
    "DEFAULT_METADATA": lambda context: lambda value: _metadata(value, None, context),
    "EXTRA_PATH_METADATA": _extra_path_metadata,
}
#: file names and addresses: ``ARTICLE_SAVE_AS``, ``TAG_URL``, ``CATEGORY_FEED_ATOM``...
_FILE_SETTING = re.compile(r"^[A-Z][A-Z0-9_]*(_SAVE_AS|_URL|FEED_ATOM|FEED_RSS)$")


def is_allowed(key: str) -> bool:
    return key in ALLOWED or bool(_FILE_SETTING.match(key))


def setting_problems(key: str, value: Any, context: Context | None = None) -> list[Found]:
    """What is wrong with ``key: value`` (an allowed key; see :func:`is_allowed`).

    ``context``: the town's languages and theme, for the settings whose rule depends on
    them; without it they are checked as far as can be without.
    """
    context = context or Context()
    if key in CONTEXTUAL:
        check = CONTEXTUAL[key](context)
    else:
        check = ALLOWED.get(key) or _file_setting(key, context)
    return list(check(value))
