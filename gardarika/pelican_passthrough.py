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

from .confine import address_problem, path_problem

#: (path below the setting, English, Russian)
Found = tuple[tuple[str | int, ...], str, str]
Validator = Callable[[Any], Iterator[Found]]

#: a plugin is named by its folder (or file) in plugins/: one plain name, no dotted path
#: that Python could resolve to a module elsewhere (``content.town.files.x``)
PLUGIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TEMPLATE = re.compile(r"^[A-Za-z0-9_-]+$")
_FIELD = re.compile(r"\{([^{}:!]*)")
#: what a file name pattern may contain between braces: values Gardarika makes safe
PATTERN_FIELDS = frozenset({"slug", "lang", "date", "name", "number", "extension", "path",
                            "category.slug", "author.slug", "tag.slug", "base_name"})
_PATH_KEYS = ("save_as", "url", "slug", "status")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(minimum: int = 0, optional: bool = False, maximum: int | None = None
            ) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if optional and value is None:
            return
        if not _is_int(value) or value < minimum:
            yield ((), f"write a whole number of at least {minimum}.",
                   f"укажите целое число не меньше {minimum}.")
        elif maximum is not None and value > maximum:
            yield ((), f"write a whole number from {minimum} to {maximum}.",
                   f"укажите целое число от {minimum} до {maximum}.")
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


def _short_list(item: Validator, limit: int) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if isinstance(value, list) and len(value) > limit:
            yield ((), f"write at most {limit} values.", f"укажите не больше {limit} значений.")
            return
        yield from _list_of(item)(value)
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
    if not isinstance(value, str):
        yield ((), "write the file name as a text.", "укажите имя файла текстом.")
        return
    problem = address_problem(value, pattern=True)
    if problem:
        yield ((), f"“{value}” {problem.en}.", f"«{value}» {problem.ru}.")
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
    if not isinstance(value, str) or not PLUGIN_NAME.match(value):
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
            if str(key).lower() == "save_as" and element == "":
                continue
            for where, en, ru in _address(element, str(key).lower()):
                yield ((key, *where), en, ru)
        elif str(key).lower() == "template":
            for where, en, ru in _template_name(element):
                yield ((key, *where), en, ru)


def _address(value: Any, key: str) -> Iterator[Found]:
    """A ``url``/``save_as`` given by settings: the same rule as in a document."""
    if not isinstance(value, str):
        yield ((), "write the value as a text.", "укажите значение текстом.")
        return
    problem = address_problem(value) if key in ("url", "save_as") else path_problem(value)
    if problem:
        yield ((), f"“{value}” {problem.en}.", f"«{value}» {problem.ru}.")


def _plain_text(value: Any) -> Iterator[Found]:
    """Text Pelican puts into pages as HTML (``SUMMARY_END_SUFFIX``): no markup."""
    if not isinstance(value, str):
        yield ((), "write a text here.", "здесь должен быть текст.")
    elif any(c in value for c in "<>&\"\'"):
        yield ((), "write plain text without “<”, “>”, “&” and quotes; it is put into "
               "pages as it is.", "пишите простой текст без «<», «>», «&» и кавычек: он "
               "попадает на страницы как есть.")


def _one_of(*choices: str) -> Validator:
    def check(value: Any) -> Iterator[Found]:
        if value not in choices:
            yield ((), f"write one of: {', '.join(choices)}.",
                   f"укажите одно из: {', '.join(choices)}.")
    return check


#: what an ordering may name: an attribute, optionally "reversed-"
_ORDER = re.compile(r"^(reversed-)?[a-z_]{1,40}$")


def _order(value: Any) -> Iterator[Found]:
    if not isinstance(value, str) or not _ORDER.match(value):
        yield ((), "write the name of what to sort by, like “date” or “reversed-date”.",
               "укажите, по чему сортировать, например «date» или «reversed-date».")


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
                c.isspace() or c in "\"'<>`" or not c.isprintable() for c in text):
            continue
        problem = address_problem(text)
        if problem:
            yield ((i, 1), f"“{address}” is neither a web, e-mail or phone address nor a "
                   f"path inside the site: it {problem.en}.",
                   f"«{address}» — не адрес сайта, почты или телефона и не путь внутри "
                   f"сайта: оно {problem.ru}.")


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
    "SUMMARY_END_SUFFIX": _plain_text,
    "DEFAULT_DATE_FORMAT": _ANY_TEXT,
    "DATE_FORMATS": _mapping_of(_ANY_TEXT, _list_of(_ANY_TEXT, allow_text=True)),
    "LOCALE": _list_of(_ANY_TEXT, allow_text=True),
    "DEFAULT_CATEGORY": _ANY_TEXT,
    "ARTICLE_ORDER_BY": _order,
    "PAGE_ORDER_BY": _order,
    "ARTICLE_TRANSLATION_ID": _text(optional=True),
    "PAGE_TRANSLATION_ID": _text(optional=True),
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
    "STATIC_PATHS": _list_of(_CONTENT_PATH),
    "ARTICLE_EXCLUDES": _list_of(_CONTENT_PATH),
    "PAGE_EXCLUDES": _list_of(_CONTENT_PATH),
    "STATIC_EXCLUDES": _list_of(_CONTENT_PATH),
    "DIRECT_TEMPLATES": _list_of(_template_name),
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
