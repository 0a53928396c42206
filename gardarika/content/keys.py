"""The metadata keys of a text: which the build understands, and what a misspelt one meant.

Pelican keeps every key of a text's header, known or not, and uses only the ones it
knows: ``Categroy: Культура`` publishes the article under the default category without
a word. So the editors' checks name every key the build does not use
(:func:`gardarika.checks.lint.check_keys`), with the key most likely meant: one a few
letters away (``Tegs`` → ``Tags``), or the English key for a Russian name
(``Заголовок`` → ``Title``). A town whose theme shows more keys names them in
``metadata_keys:`` of its ``sites/<town>.yaml``; a plugin of the network that reads
keys of its own lists them in a ``METADATA_KEYS`` tuple in its ``__init__.py``.
"""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path

#: the keys the build (Pelican, the theme, the plugins and the checks) uses
STANDARD_KEYS = (
    "title",
    "date",
    "modified",
    "category",
    "tags",
    "author",
    "authors",
    "summary",
    "slug",
    "lang",
    "translation",
    "status",
    "template",
    "save_as",
    "url",
    "future",
)

#: Russian names editors write for the keys (lower case, "ё" as "е")
RUSSIAN_NAMES = {
    "заголовок": "title",
    "название": "title",
    "тема": "title",
    "дата": "date",
    "изменено": "modified",
    "обновлено": "modified",
    "дата изменения": "modified",
    "рубрика": "category",
    "категория": "category",
    "раздел": "category",
    "метки": "tags",
    "метка": "tags",
    "теги": "tags",
    "тэги": "tags",
    "теги статьи": "tags",
    "ключевые слова": "tags",
    "автор": "author",
    "авторы": "authors",
    "описание": "summary",
    "краткое описание": "summary",
    "аннотация": "summary",
    "анонс": "summary",
    "язык": "lang",
    "адрес": "slug",
    "статус": "status",
    "черновик": "status",
    "шаблон": "template",
    "перевод": "translation",
}

#: a line of a header written with a Russian key, which ends Pelican's header (it reads
#: only Latin letters, digits, "_" and "-" in keys)
RUSSIAN_KEY_LINE = re.compile(r"^[ ]{0,3}(?P<key>[А-Яа-яЁё][А-Яа-яЁё -]*?)[ \t]*:")

_DECLARED = "METADATA_KEYS"


def spelled(key: str, yaml: bool) -> str:
    """``key`` as a line of the text starts: ``title:`` in YAML front matter, ``Title:``
    in Pelican's header."""
    return f"{key}:" if yaml else f"{key[:1].upper()}{key[1:]}:"


def meant(key: str, known: tuple[str, ...]) -> str | None:
    """The known key most likely meant by the unknown ``key``, if any."""
    name = " ".join(key.lower().replace("ё", "е").split())
    if name in RUSSIAN_NAMES:
        return RUSSIAN_NAMES[name]
    guess = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    return guess[0] if guess else None


def plugin_keys(plugins_folder: Path, names: list[str]) -> set[str]:
    """The keys the network's plugins ``names`` declare in ``METADATA_KEYS`` (read from
    their source as a literal, never run)."""
    keys: set[str] = set()
    for name in names:
        source = plugins_folder / name / "__init__.py"
        try:
            tree = ast.parse(source.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == _DECLARED for t in targets):
                    try:
                        value = ast.literal_eval(node.value) if node.value else ()
                    except ValueError:
                        continue
                    if isinstance(value, tuple | list | set | frozenset):
                        keys |= {str(v).lower() for v in value if isinstance(v, str)}
    return keys
