"""Reading the metadata at the top of a Markdown file, with the line of every key.

Two forms are accepted, as the README says: YAML front matter between ``---`` lines, and
Pelican's (Python-Markdown's) ``Key: value`` header that ends at the first blank line.
The build's reader (the ``front_matter`` plugin) and the editors' checks (``lint``) both
use this module, so they agree on what a file says and where.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from markdown.extensions.meta import META_MORE_RE, META_RE

from gardarika.config.yamlfile import CheckedValues
from gardarika.errors import ContentError, Message

OPENING = re.compile(r"\A---[ \t]*\r?\n")
CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter or ``None``, body, line number where the body starts)."""
    opening = OPENING.match(text)
    if not opening:
        return None, text, 1
    closing = CLOSING.search(text, opening.end())
    if not closing:
        raise ContentError(
            Message(
                "the front matter that starts with “---” on line 1 is never closed: add a "
                "line with “---” after the last metadata line.",
                "блок метаданных, начатый строкой «---» в строке 1, не закрыт: добавьте "
                "строку «---» после последней строки метаданных.",
            ),
            line=1,
        )
    front = text[opening.end() : closing.start()]
    body_start = text.count("\n", 0, closing.end()) + 2
    return front, text[closing.end() :].lstrip("\r\n"), body_start


class _Loader(CheckedValues, yaml.SafeLoader):
    """PyYAML's safe loader, with a value its constructors cannot make reported as a YAML
    error with its place (:class:`~gardarika.config.yamlfile.CheckedValues`), and a bound on
    aliases."""

    #: aliases (``*name``) a front matter may use: enough for any metadata, too few for
    #: a "billion laughs" of nested aliases that is tiny as YAML and endless as text
    MAX_ALIASES = 20

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            self.aliases = getattr(self, "aliases", 0) + 1
            if self.aliases > self.MAX_ALIASES:
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    problem=f"more than {self.MAX_ALIASES} aliases (“*name”)",
                    problem_mark=event.start_mark,
                )
        return super().compose_node(parent, index)


#: deeper nesting than any metadata needs; PyYAML's recursion would hit Python's limit
MAX_DEPTH = 50
_OPENERS = re.compile(r"[\[{]")


def _too_deep(front: str) -> bool:
    """A cheap over-estimate of flow nesting (``[[[[…``), checked before parsing."""
    depth = deepest = 0
    for char in front:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest > MAX_DEPTH


def parse_front_matter(front: str) -> dict[str, Any]:
    """The metadata mapping; YAML errors carry the line in the file (``---`` is line 1)."""
    if _OPENERS.search(front) and _too_deep(front):
        raise ContentError(
            Message(
                f"the metadata between the “---” lines is nested more than {MAX_DEPTH} "
                "brackets deep. Write one “key: value” per line, lists as [a, b].",
                f"метаданные между строками «---» вложены глубже {MAX_DEPTH} скобок. Пишите "
                "по одной паре «ключ: значение» в строке, списки — как [a, b].",
            ),
            line=2,
        )
    try:
        data = yaml.load(front, Loader=_Loader)
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or "not valid YAML"
        raise ContentError(
            Message(
                f"the metadata between the “---” lines is not valid YAML ({reason}). Write "
                "one “key: value” per line; put a title containing “: ” in quotes.",
                f"метаданные между строками «---» записаны с ошибкой ({reason}). Пишите по "
                "одной паре «ключ: значение» в строке; заголовок с «: » возьмите в кавычки.",
            ),
            line=mark.line + 2 if mark else 1,
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(
            Message(
                "the metadata between the “---” lines must be “key: value” lines.",
                "между строками «---» должны быть строки вида «ключ: значение».",
            ),
            line=2,
        )
    return data


def markdown_lines(text: str) -> list[str]:
    """``text`` split into lines exactly as Python-Markdown splits it: at line feeds,
    after turning ``\r\n`` and ``\r`` into them. ``str.splitlines`` would also split at
    form feeds, ``U+0085`` and ``U+2028``, where Markdown sees one line: an editor (or an
    attacker) could then make the checks and the build read different headers."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def header_metadata(text: str) -> tuple[dict[str, str], dict[str, int], int]:
    """Pelican's ``Key: value`` header: (metadata, line of each key, first body line).

    Keys are lower-cased; a value continued on indented lines is joined with spaces.
    """
    metadata: dict[str, str] = {}
    lines: dict[str, int] = {}
    key = None
    number = 0
    for number, line in enumerate(markdown_lines(text), 1):
        if not line.strip():
            return metadata, lines, number + 1
        match = META_RE.match(line)
        if match:
            key = match.group("key").lower().strip()
            metadata.setdefault(key, match.group("value").strip())
            lines.setdefault(key, number)
            continue
        more = META_MORE_RE.match(line)
        if more and key:
            metadata[key] = f"{metadata[key]} {more.group('value').strip()}".strip()
            continue
        return metadata, lines, number
    return metadata, lines, number + 1


def front_matter_lines(front: str) -> dict[str, int]:
    """The line (in the file, ``---`` being line 1) of each top-level key of the YAML."""
    try:
        node = yaml.compose(front, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value).lower(): k.start_mark.line + 2 for k, _ in node.value}


def read_metadata(text: str) -> tuple[dict[str, Any], dict[str, int], int, str]:
    """(metadata, line of each key, first line of the body, body) of a Markdown file.

    Raises :class:`ContentError` for front matter that is unclosed or not valid YAML.
    """
    front, body, body_line = split_front_matter(text)
    if front is not None:
        data = {str(k).lower(): v for k, v in parse_front_matter(front).items()}
        return data, front_matter_lines(front), body_line, body
    metadata, lines, body_line = header_metadata(text)
    body = "\n".join(markdown_lines(text)[body_line - 1 :])
    return metadata, lines, body_line, body
