"""Town and network settings: ``sites/<town>.yaml`` and ``sites/network.yaml``.

The schema is the one in DESIGN.md. Each key is checked on its own and every problem
in a file is collected, so an editor fixes a file in one go instead of one error per run.
A town whose file has problems is left out of the build (and reported); the other towns
still build.

Keys of ``sites/<town>.yaml`` (``name`` and ``languages`` are required):

============  ==========================================================================
name          the town's name, one entry per language: ``{ru: Выборг, en: Vyborg}``
languages     list of language codes; the first is the site's default language
description   short description, a text or one entry per language (default: none)
theme         folder name under ``themes/`` (default ``gardarika``)
timezone      IANA time zone for dates (default ``Europe/Moscow``)
content       folder with the town's Markdown, relative to the project
              (default ``content/<town>``)
contacts      ``email``, ``phone``, ``address`` (text or one entry per language)
neighbours    ids of neighbouring towns of this network, shown on every page
base_url      where the site is published on the web, e.g. ``https://vyborg.example.org``
deploy        named deploy targets: ``{web: {type: rsync, ...}}``; type is one of
              ``dir``, ``rsync``, ``s3``, ``git``; no secrets here
repository    the town's own content repository: ``{url: ..., branch: main}``
editors       the town's editors (``@account`` or e-mail), for ``invoke owners``
trust_html    ``true`` keeps raw HTML in content as written (scripts, forms, frames);
              by default it is cleaned (``plugins/safe_html``) (default ``false``)
pelican       extra Pelican settings passed through (upper-case keys): only those that
              cannot lead outside the town's folders (:mod:`.pelican_passthrough`)
============  ==========================================================================
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from .errors import GardarikaError, Problem, display_path
from .pelican_passthrough import is_allowed, setting_problems
from .yamlfile import YamlDocument, read_yaml

TOWN_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
LANG_CODE = re.compile(r"^[a-z]{2,3}$")
PELICAN_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")
DEPLOY_TYPES = ("dir", "rsync", "s3", "git")
DEPLOY_REQUIRED = {"dir": ("path",), "rsync": ("host", "path"), "s3": ("bucket",),
                   "git": ("repository",)}
SECRET_WORDS = ("password", "passwd", "secret", "token", "private_key", "access_key")
RESERVED_IDS = frozenset({"network", "theme", "con", "nul", "prn", "aux", "index"}
                         | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)})

#: Pelican settings Gardarika derives itself; each maps to the YAML key to use instead.
MANAGED_PELICAN_KEYS: dict[str, str] = {
    "PATH": "content", "OUTPUT_PATH": "", "SITEURL": "base_url", "RELATIVE_URLS": "",
    "DEFAULT_LANG": "languages", "SITENAME": "name", "SITESUBTITLE": "description",
    "TIMEZONE": "timezone", "THEME": "theme", "DELETE_OUTPUT_DIRECTORY": "",
    "PLUGIN_PATHS": "", "THEME_STATIC_DIR": "", "THEME_STATIC_PATHS": "theme",
    "STATIC_URL": "", "CACHE_PATH": "", "FILENAME_METADATA": "", "GARDARIKA": "",
    "ARTICLE_LANG_URL": "", "ARTICLE_LANG_SAVE_AS": "", "PAGE_LANG_URL": "",
    "PAGE_LANG_SAVE_AS": "", "DRAFT_LANG_URL": "", "DRAFT_LANG_SAVE_AS": "",
    "DRAFT_PAGE_LANG_URL": "", "DRAFT_PAGE_LANG_SAVE_AS": "", "SAFE_HTML": "trust_html",
}

DEFAULT_THEME = "gardarika"
DEFAULT_TIMEZONE = "Europe/Moscow"


@dataclass(frozen=True)
class SiteConfig:
    """One town's validated settings."""

    id: str
    file: Path
    name: dict[str, str]
    languages: tuple[str, ...]
    content: Path
    theme: str = DEFAULT_THEME
    timezone: str = DEFAULT_TIMEZONE
    description: dict[str, str] = field(default_factory=dict)
    contacts: dict[str, Any] = field(default_factory=dict)
    neighbours: tuple[str, ...] = ()
    base_url: str | None = None
    deploy: dict[str, dict[str, Any]] = field(default_factory=dict)
    repository: dict[str, str] | None = None
    pelican: dict[str, Any] = field(default_factory=dict)
    editors: tuple[str, ...] = ()
    #: raw HTML in content is kept as written (not cleaned, not reported)
    trust_html: bool = False
    #: the line of each key in the file, for messages found after loading
    key_lines: dict[tuple[str | int, ...], int] = field(default_factory=dict, compare=False,
                                                         repr=False)

    @property
    def default_language(self) -> str:
        return self.languages[0]


@dataclass(frozen=True)
class NetworkConfig:
    """Network-wide settings from ``sites/network.yaml`` (all optional)."""

    name: dict[str, str] = field(
        default_factory=lambda: {"ru": "Гардарика", "en": "Gardarika"})
    description: dict[str, str] = field(default_factory=dict)
    order: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("ru", "en")
    theme: str = DEFAULT_THEME


@dataclass
class Network:
    """Everything under ``sites/``: the network, the valid towns, and what was wrong."""

    root: Path
    config: NetworkConfig
    sites: dict[str, SiteConfig]
    problems: list[Problem]
    #: town ids whose settings file has errors (they are not built)
    broken: list[str]

    def ordered_ids(self) -> list[str]:
        """Town ids in portal order: ``order`` from network.yaml first, then by id."""
        first = [t for t in self.config.order if t in self.sites]
        return first + sorted(t for t in self.sites if t not in first)


class _Checker:
    """Collects the problems of one YAML file while its keys are read."""

    def __init__(self, doc: YamlDocument, shown_as: str):
        self.doc = doc
        self.file = shown_as
        self.problems: list[Problem] = []

    def add(self, path: tuple[str | int, ...], en: str, ru: str) -> None:
        self.problems.append(Problem(
            file=self.file, line=self.doc.line(*path),
            key=".".join(str(p) for p in path) or None, en=en, ru=ru))

    def text(self, path: tuple[str | int, ...], value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.add(path, "this must be a text.", "здесь должен быть текст.")
            return None
        text = str(value).strip()
        if not text:
            self.add(path, "this text is empty; write something or remove the key.",
                     "текст пустой; впишите его или удалите ключ.")
            return None
        return text

    def texts(self, path: tuple[str, ...], value: Any, languages: tuple[str, ...],
              required: bool) -> dict[str, str]:
        """A text per language: either ``{ru: ..., en: ...}`` or one text for all."""
        if isinstance(value, dict):
            result: dict[str, str] = {}
            for lang, text in value.items():
                if lang not in languages:
                    self.add((*path, lang),
                             f"“{lang}” is not one of this file's languages "
                             f"({', '.join(languages)}); fix the code or add the language.",
                             f"«{lang}» нет в списке языков этого файла "
                             f"({', '.join(languages)}); исправьте код или добавьте язык.")
                    continue
                checked = self.text((*path, lang), text)
                if checked:
                    result[lang] = checked
            missing = [lang for lang in languages if lang not in value]
            if required and missing:
                self.add(path,
                         f"no text for {', '.join(missing)}; add a line "
                         f"“  {missing[0]}: …” under “{path[-1]}”.",
                         f"нет текста для {', '.join(missing)}; добавьте строку "
                         f"«  {missing[0]}: …» под «{path[-1]}».")
            return result
        if required:
            self.add(path,
                     "write one entry per language, for example:  ru: Выборг  /  en: Vyborg "
                     "(each on its own line, indented).",
                     "укажите по строке на каждый язык, например:  ru: Выборг  /  "
                     "en: Vyborg (каждая на своей строке, с отступом).")
            return {}
        text = self.text(path, value)
        return dict.fromkeys(languages, text) if text else {}

    def mapping(self, path: tuple[str, ...], value: Any) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(path, "this must be a group of “key: value” lines, indented below it.",
                     "здесь должна быть группа строк «ключ: значение» с отступом.")
            return None
        return value

    def unknown_keys(self, path: tuple[str, ...], data: dict[str, Any],
                     known: tuple[str, ...]) -> None:
        for key in data:
            if key in known:
                continue
            guess = difflib.get_close_matches(str(key), known, n=1)
            hint_en = f" Did you mean “{guess[0]}”?" if guess else ""
            hint_ru = f" Может быть, имелось в виду «{guess[0]}»?" if guess else ""
            self.add((*path, key),
                     f"unknown key.{hint_en} Known keys: {', '.join(known)}.",
                     f"неизвестный ключ.{hint_ru} Допустимые ключи: {', '.join(known)}.")


def _languages(check: _Checker, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        check.add(("languages",),
                  "write a list of language codes, default first, e.g. “languages: [ru, en]”.",
                  "укажите список кодов языков, основной первым, например "
                  "«languages: [ru, en]».")
        return ()
    result: list[str] = []
    for i, code in enumerate(value):
        if not isinstance(code, str) or not LANG_CODE.match(code):
            check.add(("languages", i),
                      f"“{code}” is not a language code; use two lower-case letters such as "
                      "ru, en or fi.",
                      f"«{code}» — не код языка; используйте две строчные латинские буквы, "
                      "например ru, en или fi.")
            continue
        try:
            Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            check.add(("languages", i), f"unknown language code “{code}”.",
                      f"неизвестный код языка «{code}».")
            continue
        if code in result:
            check.add(("languages", i), f"“{code}” is listed twice; keep it once.",
                      f"«{code}» указан дважды; оставьте один раз.")
            continue
        result.append(code)
    return tuple(result)


def _timezone(check: _Checker, value: Any) -> str:
    text = check.text(("timezone",), value)
    if text is None:
        return DEFAULT_TIMEZONE
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        check.add(("timezone",),
                  f"unknown time zone “{text}”; use a name like Europe/Moscow or "
                  "Asia/Yekaterinburg.",
                  f"неизвестный часовой пояс «{text}»; укажите название вроде Europe/Moscow "
                  "или Asia/Yekaterinburg.")
        return DEFAULT_TIMEZONE
    return text


def _theme(check: _Checker, value: Any, root: Path, key: str = "theme") -> str:
    text = check.text((key,), value)
    if text is None:
        return DEFAULT_THEME
    if not (root / "themes" / text / "templates").is_dir():
        known = sorted(p.name for p in (root / "themes").glob("*") if (p / "templates").is_dir())
        check.add((key,),
                  f"there is no theme “{text}” in themes/ (available: {', '.join(known)}).",
                  f"в папке themes/ нет темы «{text}» (есть: {', '.join(known)}).")
        return DEFAULT_THEME
    return text


def _content(check: _Checker, value: Any, root: Path, town: str) -> Path:
    if value is None:
        folder = root / "content" / town
        if not folder.is_dir():
            check.add((), f"the content folder content/{town}/ does not exist; create it "
                          "(or set “content:” to the town's folder).",
                      f"папки с материалами content/{town}/ нет; создайте её (или укажите "
                      "папку в ключе «content:»).")
        return folder
    text = check.text(("content",), value)
    if text is None:
        return root / "content" / town
    folder = Path(text)
    if folder.is_absolute() or ".." in folder.parts:
        check.add(("content",), "use a folder inside the project, like content/vyborg.",
                  "укажите папку внутри проекта, например content/vyborg.")
        return root / "content" / town
    folder = root / folder
    if not folder.is_dir():
        check.add(("content",), f"the folder {text} does not exist.",
                  f"папки {text} нет.")
    return folder


def _contacts(check: _Checker, value: Any, languages: tuple[str, ...]) -> dict[str, Any]:
    data = check.mapping(("contacts",), value)
    if data is None:
        return {}
    check.unknown_keys(("contacts",), data, ("email", "phone", "address"))
    result: dict[str, Any] = {}
    for key in ("email", "phone"):
        if key in data:
            text = check.text(("contacts", key), data[key])
            if text:
                result[key] = text
    if "email" in result and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", result["email"]):
        check.add(("contacts", "email"), f"“{result['email']}” does not look like an e-mail "
                  "address.", f"«{result['email']}» не похоже на адрес электронной почты.")
    if "address" in data:
        result["address"] = check.texts(("contacts", "address"), data["address"],
                                        languages, required=False)
    return result


def _neighbours(check: _Checker, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        check.add(("neighbours",), "write a list of town ids, e.g. “neighbours: [kargopol]”.",
                  "укажите список названий файлов городов, например «neighbours: [kargopol]».")
        return ()
    result = []
    for i, town in enumerate(value):
        if not isinstance(town, str) or not TOWN_ID.match(town):
            check.add(("neighbours", i), f"“{town}” is not a town id (the name of a file in "
                      "sites/ without .yaml).", f"«{town}» — не название города (имя файла "
                      "в sites/ без .yaml).")
        else:
            result.append(town)
    return tuple(result)


#: a web address written plainly: http(s), a host name (letters, digits, "-", ".", or
#: an IDN in its xn-- form), an optional port and a path of safe characters. It is
#: printed into every feed and into the 404 page's <base href>, so nothing that could
#: close the attribute or name another scheme may be in it.
BASE_URL = re.compile(r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
                      r"(?:/[A-Za-z0-9._~%/-]*)?$")


def _base_url(check: _Checker, value: Any) -> str | None:
    text = check.text(("base_url",), value)
    if text and not BASE_URL.match(text):
        check.add(("base_url",), f"“{text}” is not a web address; write it like "
                  "https://vyborg.example.org", f"«{text}» — не веб-адрес; пишите так: "
                  "https://vyborg.example.org")
        return None
    return text.rstrip("/") if text else None


def _deploy(check: _Checker, value: Any) -> dict[str, dict[str, Any]]:
    data = check.mapping(("deploy",), value)
    if data is None:
        return {}
    result: dict[str, dict[str, Any]] = {}
    for name, target in data.items():
        target_map = check.mapping(("deploy", name), target)
        if target_map is None:
            continue
        kind = target_map.get("type")
        if kind not in DEPLOY_TYPES:
            check.add(("deploy", name, "type"),
                      f"“type” must be one of {', '.join(DEPLOY_TYPES)}.",
                      f"«type» должен быть одним из: {', '.join(DEPLOY_TYPES)}.")
            continue
        for key in DEPLOY_REQUIRED[kind]:
            if not str(target_map.get(key) or "").strip():
                check.add(("deploy", name),
                          f"a “{kind}” target needs “{key}”.",
                          f"для публикации типа «{kind}» нужен ключ «{key}».")
        for key in target_map:
            if any(word in str(key).lower() for word in SECRET_WORDS):
                check.add(("deploy", name, key),
                          "secrets must not be kept in sites/*.yaml (it is in git); put them "
                          "in the environment or in a file outside the repository.",
                          "секреты нельзя хранить в sites/*.yaml (он в git); задайте их в "
                          "переменных окружения или в файле вне репозитория.")
        result[str(name)] = dict(target_map)
    return result


def _repository(check: _Checker, value: Any) -> dict[str, str] | None:
    data = check.mapping(("repository",), value)
    if data is None:
        return None
    check.unknown_keys(("repository",), data, ("url", "branch"))
    url = check.text(("repository", "url"), data.get("url")) if "url" in data else None
    if url is None:
        check.add(("repository",), "“url” of the content repository is missing.",
                  "не указан «url» репозитория с материалами.")
        return None
    branch = check.text(("repository", "branch"), data.get("branch", "main")) or "main"
    return {"url": url, "branch": branch}


def _editors(check: _Checker, value: Any) -> tuple[str, ...]:
    """Code-hosting accounts (``@name``, ``@org/team``) or e-mail addresses."""
    if not isinstance(value, list):
        check.add(("editors",), "write a list, e.g. “editors: ['@maria', 'ivan@example.org']”.",
                  "укажите список, например «editors: ['@maria', 'ivan@example.org']».")
        return ()
    result = []
    for i, editor in enumerate(value):
        text = str(editor).strip() if isinstance(editor, str) else ""
        if not re.match(r"^(@[\w.-]+(/[\w.-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$", text):
            check.add(("editors", i), f"“{editor}” is neither an account like @maria nor an "
                      "e-mail address.", f"«{editor}» — не учётная запись вида @maria и не "
                      "адрес электронной почты.")
        else:
            result.append(text)
    return tuple(result)


def _flag(check: _Checker, key: str, value: Any) -> bool:
    """A yes/no key: only YAML's ``true`` or ``false`` (a quoted "yes" is a text)."""
    if not isinstance(value, bool):
        check.add((key,), f"write “{key}: true” or “{key}: false”.",
                  f"напишите «{key}: true» или «{key}: false».")
        return False
    return value


def _plugins_exist(check: _Checker, names: Any, root: Path) -> bool:
    """Every name under ``PLUGINS`` is a plugin of the network: a folder or a module in
    ``plugins/``. Nothing else is ever imported, whatever Python's path holds."""
    ok = True
    for i, name in enumerate(names if isinstance(names, list) else []):
        folder = root / "plugins"
        if (folder / name / "__init__.py").is_file() or (folder / f"{name}.py").is_file():
            continue
        ok = False
        known = sorted(p.name for p in folder.iterdir() if (p / "__init__.py").is_file()) \
            if folder.is_dir() else []
        check.add(("pelican", "PLUGINS", i),
                  f"there is no plugin “{name}” in plugins/ (there are: "
                  f"{', '.join(known) or 'none'}). A town can use only the network's plugins.",
                  f"в plugins/ нет модуля «{name}» (есть: {', '.join(known) or 'нет'}). Город "
                  "может подключать только модули сети.")
    return ok


def _pelican(check: _Checker, value: Any, root: Path) -> dict[str, Any]:
    data = check.mapping(("pelican",), value)
    if data is None:
        return {}
    result = {}
    for key, setting in data.items():
        if not isinstance(key, str) or not PELICAN_KEY.match(key):
            check.add(("pelican", key), "Pelican settings are written in capitals, like "
                      "DEFAULT_PAGINATION.", "настройки Pelican пишутся заглавными буквами, "
                      "например DEFAULT_PAGINATION.")
        elif key in MANAGED_PELICAN_KEYS:
            instead = MANAGED_PELICAN_KEYS[key]
            hint_en = f" Use the key “{instead}” of this file." if instead else ""
            hint_ru = f" Используйте ключ «{instead}» этого файла." if instead else ""
            check.add(("pelican", key), f"Gardarika sets {key} itself.{hint_en}",
                      f"Gardarika задаёт {key} сама.{hint_ru}")
        elif not is_allowed(key):
            check.add(("pelican", key),
                      f"{key} cannot be set in a town's file: it could make the build read "
                      "or write files outside the town's folders, or it is not supported. "
                      "The settings allowed under “pelican:” are listed in the README.",
                      f"{key} нельзя задавать в файле города: эта настройка может заставить "
                      "сборку читать или писать файлы вне папок города или не "
                      "поддерживается. Допустимые в «pelican:» настройки перечислены в "
                      "README.")
        else:
            found = setting_problems(key, setting)
            for where, en, ru in found:
                check.add(("pelican", key, *where), en, ru)
            if key == "PLUGINS" and not found and not _plugins_exist(check, setting, root):
                continue
            if not found:
                result[key] = setting
    return result


def _read_mapping(path: Path, shown: str, problems: list[Problem], if_empty: Problem | None
                  ) -> tuple[_Checker, dict[str, Any]] | None:
    """Parse a settings file whose top level must be a mapping.

    Returns the checker (holding ``problems`` and those found so far) with the mapping,
    or ``None`` for an empty file when ``if_empty`` is ``None``; raises
    :class:`GardarikaError` when there is nothing to check further.
    """
    doc, found = read_yaml(path, shown)
    problems = [*problems, *found]
    if doc is None:
        raise GardarikaError(problems)
    if doc.data is None:
        if if_empty is None and not problems:
            return None
        raise GardarikaError([*problems, *([if_empty] if if_empty else [])])
    check = _Checker(doc, shown)
    check.problems.extend(problems)
    data = check.mapping((), doc.data)
    if data is None:
        raise GardarikaError(check.problems)
    return check, data


SITE_KEYS = ("name", "languages", "description", "theme", "timezone", "content", "contacts",
             "neighbours", "base_url", "deploy", "repository", "pelican", "editors",
             "trust_html")


def load_site(path: Path, root: Path) -> SiteConfig:
    """Read and check one town's settings file; raise :class:`GardarikaError` listing
    every problem in it."""
    path = Path(path)
    shown = display_path(path, root)
    town = path.stem
    name_problems = []
    if not TOWN_ID.match(town) or town in RESERVED_IDS:
        name_problems.append(Problem(
            file=shown,
            en=f"the file name “{path.name}” cannot be a town id: use lower-case Latin "
               "letters, digits and “-”, like staraya-ladoga.yaml.",
            ru=f"имя файла «{path.name}» не годится: используйте строчные латинские буквы, "
               "цифры и «-», например staraya-ladoga.yaml."))
    check, data = _read_mapping(path, shown, name_problems, if_empty=Problem(
        file=shown, en="the file is empty; it needs at least “name” and “languages”.",
        ru="файл пустой; в нём должны быть хотя бы «name» и «languages»."))
    check.unknown_keys((), data, SITE_KEYS)
    for key in ("name", "languages"):
        if key not in data:
            check.add((), f"the required key “{key}” is missing.",
                      f"нет обязательного ключа «{key}».")
    languages = _languages(check, data["languages"]) if "languages" in data else ()
    name = check.texts(("name",), data["name"], languages, required=True) \
        if "name" in data and languages else {}

    optional: dict[str, Callable[[Any], Any]] = {
        "description": lambda v: check.texts(("description",), v, languages, False),
        "theme": lambda v: _theme(check, v, root),
        "timezone": lambda v: _timezone(check, v),
        "contacts": lambda v: _contacts(check, v, languages),
        "neighbours": lambda v: _neighbours(check, v),
        "base_url": lambda v: _base_url(check, v),
        "deploy": lambda v: _deploy(check, v),
        "repository": lambda v: _repository(check, v),
        "pelican": lambda v: _pelican(check, v, root),
        "editors": lambda v: _editors(check, v),
        "trust_html": lambda v: _flag(check, "trust_html", v),
    }
    values = {key: read(data[key]) for key, read in optional.items() if key in data}
    content = _content(check, data.get("content"), root, town)
    if "neighbours" in values and town in values["neighbours"]:
        check.add(("neighbours",), "a town cannot be its own neighbour.",
                  "город не может быть соседом самому себе.")
    if check.problems:
        raise GardarikaError(check.problems)
    return SiteConfig(id=town, file=path, name=name, languages=languages, content=content,
                      key_lines=dict(check.doc.lines), **values)


NETWORK_KEYS = ("name", "description", "order", "languages", "theme")


def load_network_config(path: Path, root: Path) -> NetworkConfig:
    """Read ``sites/network.yaml``; a missing file means all defaults."""
    if not path.exists():
        return NetworkConfig()
    read = _read_mapping(path, display_path(path, root), [], if_empty=None)
    if read is None:
        return NetworkConfig()
    check, data = read
    check.unknown_keys((), data, NETWORK_KEYS)
    languages: tuple[str, ...] = ("ru", "en")
    if "languages" in data:
        languages = _languages(check, data["languages"]) or languages
    values: dict[str, Any] = {"languages": languages}
    if "name" in data:
        values["name"] = check.texts(("name",), data["name"], languages, required=True)
    if "description" in data:
        values["description"] = check.texts(("description",), data["description"],
                                             languages, required=False)
    if "order" in data:
        if isinstance(data["order"], list):
            values["order"] = _neighbours(check, data["order"])
        else:
            check.add(("order",), "write a list of town ids, e.g. “order: [vyborg, kargopol]”.",
                      "укажите список городов, например «order: [vyborg, kargopol]».")
    if "theme" in data:
        values["theme"] = _theme(check, data["theme"], root)
    if check.problems:
        raise GardarikaError(check.problems)
    return NetworkConfig(**values)


def load_network(root: Path) -> Network:
    """Load ``sites/``: every town file and ``network.yaml``.

    Problems do not stop loading: a broken town is listed in ``broken`` with its problems
    so the caller can build the others and still report (and fail on) the broken ones.
    """
    root = Path(root)
    sites_dir = root / "sites"
    problems: list[Problem] = []
    try:
        network = load_network_config(sites_dir / "network.yaml", root)
    except GardarikaError as err:
        problems.extend(err.problems)
        network = NetworkConfig()
    sites: dict[str, SiteConfig] = {}
    broken: list[str] = []
    files = sorted(p for p in sites_dir.glob("*.y*ml") if p.stem != "network")
    for path in files:
        if path.suffix not in (".yaml", ".yml"):
            continue
        try:
            site = load_site(path, root)
        except GardarikaError as err:
            problems.extend(err.problems)
            broken.append(path.stem)
            continue
        if site.id in sites:
            problems.append(Problem(
                file=display_path(path, root),
                en=f"there is another settings file for “{site.id}”; keep only one.",
                ru=f"для «{site.id}» есть ещё один файл настроек; оставьте один."))
            broken.append(site.id)
            continue
        sites[site.id] = site
    known = set(sites) | set(broken)
    for site in sites.values():
        for i, town in enumerate(site.neighbours):
            if town not in known:
                problems.append(Problem(
                    file=display_path(site.file, root), key=f"neighbours.{i}",
                    line=site.key_lines.get(("neighbours", i)), severity="warning",
                    en=f"there is no town “{town}” in sites/; it is left out of the "
                       "neighbours list.",
                    ru=f"города «{town}» нет в sites/; он не показан среди соседей."))
    for town in network.order:
        if town not in known:
            problems.append(Problem(
                file="sites/network.yaml", key="order", severity="warning",
                en=f"there is no town “{town}” in sites/.",
                ru=f"города «{town}» нет в sites/."))
    return Network(root=root, config=network, sites=sites, problems=problems, broken=broken)
