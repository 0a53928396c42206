"""Which Pelican settings a town may set under ``pelican:`` in ``sites/<town>.yaml``.

Many Pelican settings name folders and files (``OUTPUT_PATH``, ``CACHE_PATH``,
``THEME_TEMPLATES_OVERRIDES``, ``TEMPLATE_PAGES``...) or switch on things that write or
read beside the output (``DELETE_OUTPUT_DIRECTORY``, ``OUTPUT_SOURCES``,
``STATIC_CREATE_LINKS``, ``DOCUTILS_SETTINGS``...). A list of what to forbid would
have to follow every Pelican release, so this is the other way round: an allow-list of
settings that only change how pages look or are grouped, each with the kind of value it
takes, and file names (``*_SAVE_AS``, ``*_URL``, ``STATIC_PATHS``...) accepted only as
relative paths that stay inside the town's content or output folder.

:func:`setting_problems` returns, for one setting, where below it something is wrong
and why, in both languages; :mod:`gardarika.config` turns them into problems.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from .confine import path_problem

#: (path below the setting, English, Russian)
Found = tuple[tuple[str | int, ...], str, str]
Validator = Callable[[Any], Iterator[Found]]

_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_TEMPLATE = re.compile(r"^[A-Za-z0-9_-]+$")
_FIELD = re.compile(r"\{([^{}:!]*)")
#: what a file name pattern may contain between braces: values Gardarika makes safe
PATTERN_FIELDS = frozenset({"slug", "lang", "date", "name", "number", "extension", "path",
                            "category.slug", "author.slug", "tag.slug", "base_name"})
_PATH_KEYS = ("save_as", "url", "slug", "status")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(minimum: int = 0, optional: bool = False) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if optional and value is None:
            return
        if not _is_int(value) or value < minimum:
            yield ((), f"write a whole number of at least {minimum}.",
                   f"укажите целое число не меньше {minimum}.")
    return check


def _flag(value: Any) -> Iterator[Found]:
    if not isinstance(value, bool):
        yield ((), "write yes or no (true or false).", "укажите yes или no (true или false).")


def _text(optional: bool = False) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if optional and value is None:
            return
        if not isinstance(value, str):
            yield ((), "write a text here.", "здесь должен быть текст.")
    return check


def _list_of(item: Validator, allow_text: bool = False) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if allow_text and isinstance(value, str):
            yield from item(value)
            return
        if not isinstance(value, list):
            yield ((), "write a list, like [a, b].", "укажите список, например [a, b].")
            return
        for i, element in enumerate(value):
            for where, en, ru in item(element):
                yield ((i, *where), en, ru)
    return check


def _pairs(value: Any) -> Iterator[Found]:
    """``MENUITEMS``, ``LINKS``, ``SOCIAL``: a list of [title, address]."""
    if not isinstance(value, list):
        yield ((), "write a list of [title, address] pairs.",
               "укажите список пар [название, адрес].")
        return
    for i, pair in enumerate(value):
        if not (isinstance(pair, list) and len(pair) == 2
                and all(isinstance(p, str) for p in pair)):
            yield ((i,), "write a pair [title, address].", "укажите пару [название, адрес].")


def _mapping_of(key: Validator, value_check: Validator) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if not isinstance(value, dict):
            yield ((), "write a group of “key: value” lines.",
                   "укажите группу строк «ключ: значение».")
            return
        for name, element in value.items():
            for where, en, ru in key(name):
                yield ((name, *where), en, ru)
            for where, en, ru in value_check(element):
                yield ((name, *where), en, ru)
    return check


def _path_in_folder(what_en: str, what_ru: str, empty: bool = True) -> Validator:
    """A path relative to the town's content or output folder that stays inside it."""
    def check(value: Any) -> Iterator[Found]:
        if not isinstance(value, str):
            yield ((), f"write {what_en} as a text.", f"укажите {what_ru} текстом.")
            return
        if not value and not empty:
            yield ((), f"{what_en} is empty.", f"{what_ru}: пусто.")
            return
        problem = path_problem(value, decode=True)
        if problem:
            yield ((), f"“{value}” {problem.en}.", f"«{value}» {problem.ru}.")
    return check


def _file_pattern(value: Any) -> Iterator[Found]:
    """``*_SAVE_AS``/``*_URL``/feeds: a relative pattern with safe fields, or off."""
    if value is None or value is False or value == "":
        return
    yield from _path_in_folder("the file name", "имя файла")(value)
    if not isinstance(value, str):
        return
    for field in _FIELD.findall(value):
        if field not in PATTERN_FIELDS:
            yield ((), f"“{{{field}}}” cannot be used in a file name (its value could "
                   f"contain “/” or “..”); use one of {{{'}, {'.join(sorted(PATTERN_FIELDS))}}}.",
                   f"«{{{field}}}» нельзя использовать в имени файла (в значении могут быть "
                   f"«/» или «..»); используйте {{{'}, {'.join(sorted(PATTERN_FIELDS))}}}.")


def _template_name(value: Any) -> Iterator[Found]:
    if not isinstance(value, str) or not _TEMPLATE.match(value):
        yield ((), f"“{value}” is not a template name; write the name of a template of the "
               "theme without folder or extension, like “archives”.",
               f"«{value}» — не имя шаблона; укажите имя шаблона темы без папки и "
               "расширения, например «archives».")


def _plugin_name(value: Any) -> Iterator[Found]:
    if not isinstance(value, str) or not _MODULE.match(value):
        yield ((), f"“{value}” is not a plugin name; write the name of a folder in "
               "plugins/, like “extra_plugin”.",
               f"«{value}» — не имя модуля; укажите имя папки из plugins/, например "
               "«extra_plugin».")


def _metadata(value: Any) -> Iterator[Found]:
    """Metadata given by settings (``DEFAULT_METADATA``, ``EXTRA_PATH_METADATA``)."""
    if not isinstance(value, dict):
        yield ((), "write a group of “key: value” lines.",
               "укажите группу строк «ключ: значение».")
        return
    for key, element in value.items():
        if str(key).lower() in _PATH_KEYS:
            checker = _path_in_folder("the value", "значение")
            if str(key).lower() == "save_as" and element == "":
                continue
            for where, en, ru in checker(element):
                yield ((key, *where), en, ru)
        elif str(key).lower() == "template":
            for where, en, ru in _template_name(element):
                yield ((key, *where), en, ru)


def _pagination_patterns(value: Any) -> Iterator[Found]:
    if not isinstance(value, list):
        yield ((), "write a list of [number, address, file name].",
               "укажите список [номер, адрес, имя файла].")
        return
    for i, entry in enumerate(value):
        if not (isinstance(entry, list) and len(entry) == 3 and _is_int(entry[0])):
            yield ((i,), "write [number, address, file name].",
                   "укажите [номер, адрес, имя файла].")
            continue
        for j in (1, 2):
            for where, en, ru in _file_pattern(entry[j]):
                yield ((i, j, *where), en, ru)


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
    "SUMMARY_END_SUFFIX": _ANY_TEXT,
    "DEFAULT_DATE_FORMAT": _ANY_TEXT,
    "DATE_FORMATS": _mapping_of(_ANY_TEXT, _list_of(_ANY_TEXT, allow_text=True)),
    "LOCALE": _list_of(_ANY_TEXT, allow_text=True),
    "DEFAULT_CATEGORY": _ANY_TEXT,
    "ARTICLE_ORDER_BY": _ANY_TEXT,
    "PAGE_ORDER_BY": _ANY_TEXT,
    "ARTICLE_TRANSLATION_ID": _text(optional=True),
    "PAGE_TRANSLATION_ID": _text(optional=True),
    "SLUGIFY_SOURCE": _ANY_TEXT,
    "FORMATTED_FIELDS": _list_of(_ANY_TEXT),
    "DISPLAY_PAGES_ON_MENU": _flag,
    "DISPLAY_CATEGORIES_ON_MENU": _flag,
    "NEWEST_FIRST_ARCHIVES": _flag,
    "REVERSE_CATEGORY_ORDER": _flag,
    "USE_FOLDER_AS_CATEGORY": _flag,
    "STATIC_EXCLUDE_SOURCES": _flag,
    "MENUITEMS": _pairs,
    "LINKS": _pairs,
    "SOCIAL": _pairs,
    "FEED_MAX_ITEMS": _number(1, optional=True),
    "IMAGES_MAX_WIDTH": _number(1),
    "IMAGES_MAX_HEIGHT": _number(1),
    "IMAGES_QUALITY": _number(1),
    "IMAGES_MAX_BYTES": _number(1),
    "IMAGES_VARIANTS": _list_of(_number(1)),
    "ARTICLE_PATHS": _list_of(_CONTENT_PATH),
    "PAGE_PATHS": _list_of(_CONTENT_PATH),
    "STATIC_PATHS": _list_of(_CONTENT_PATH),
    "ARTICLE_EXCLUDES": _list_of(_CONTENT_PATH),
    "PAGE_EXCLUDES": _list_of(_CONTENT_PATH),
    "STATIC_EXCLUDES": _list_of(_CONTENT_PATH),
    "DIRECT_TEMPLATES": _list_of(_template_name),
    "TEMPLATE_PAGES": _mapping_of(_path_in_folder("the template", "шаблон", empty=False),
                                  _path_in_folder("the file name", "имя файла",
                                                  empty=False)),
    "DEFAULT_METADATA": _metadata,
    "EXTRA_PATH_METADATA": _mapping_of(_path_in_folder("the file", "файл", empty=False),
                                       _metadata),
    "PLUGINS": _list_of(_plugin_name),
}
#: file names and addresses: ``ARTICLE_SAVE_AS``, ``TAG_URL``, ``CATEGORY_FEED_ATOM``...
_FILE_SETTING = re.compile(r"^[A-Z][A-Z0-9_]*(_SAVE_AS|_URL|FEED_ATOM|FEED_RSS)$")


def is_allowed(key: str) -> bool:
    return key in ALLOWED or bool(_FILE_SETTING.match(key))


def setting_problems(key: str, value: Any) -> list[Found]:
    """What is wrong with ``key: value`` (an allowed key; see :func:`is_allowed`)."""
    check = ALLOWED.get(key, _file_pattern)
    return list(check(value))
