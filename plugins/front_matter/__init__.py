"""YAML front matter for Markdown files, beside Pelican's ``Key: value`` header.

Editors coming from Jekyll, Hugo or Obsidian write their metadata as YAML between two
``---`` lines. This plugin reads such files with a real YAML parser, so lists
(``tags: [ярмарка, ремёсла]`` or one ``- item`` per line), quoted titles with colons and
dates all work; files without front matter are read by Pelican's Markdown reader as
before. A malformed front matter is an error naming the line, never a silently dropped
article.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml
from markdown import Markdown
from pelican import signals
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from gardarika.errors import ContentError

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
            line=1,
            en="the front matter that starts with “---” on line 1 is never closed: add a "
               "line with “---” after the last metadata line.",
            ru="блок метаданных, начатый строкой «---» в строке 1, не закрыт: добавьте "
               "строку «---» после последней строки метаданных.")
    front = text[opening.end():closing.start()]
    body_start = text.count("\n", 0, closing.end()) + 2
    return front, text[closing.end():].lstrip("\r\n"), body_start


def parse_front_matter(front: str) -> dict[str, Any]:
    """The metadata mapping; YAML errors carry the line in the file (``---`` is line 1)."""
    try:
        data = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or "not valid YAML"
        raise ContentError(
            line=mark.line + 2 if mark else 1,
            en=f"the metadata between the “---” lines is not valid YAML ({reason}). Write "
               "one “key: value” per line; put a title containing “: ” in quotes.",
            ru=f"метаданные между строками «---» записаны с ошибкой ({reason}). Пишите по "
               "одной паре «ключ: значение» в строке; заголовок с «: » возьмите в кавычки."
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(
            line=2,
            en="the metadata between the “---” lines must be “key: value” lines.",
            ru="между строками «---» должны быть строки вида «ключ: значение».")
    return data


def _plain(value: Any) -> Any:
    """YAML values as Pelican's metadata processors expect them (text or lists of text)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(_plain(v)) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


class FrontMatterMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, also understanding YAML front matter."""

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        with pelican_open(source_path) as text:
            front, body, _ = split_front_matter(text)
        if front is None:
            return super().read(source_path)
        data = parse_front_matter(front)
        self._source_path = source_path
        self._md = Markdown(**self.settings["MARKDOWN"])
        self._md.preprocessors.deregister("meta")  # the body has no header of its own
        content = self._md.convert(body)
        formatted = {f.lower() for f in self.settings["FORMATTED_FIELDS"]}
        metadata: dict[str, Any] = {}
        for key, value in data.items():
            name = str(key).lower()
            plain = _plain(value)
            if name in formatted:
                self._md.reset()
                plain = self._md.convert("\n".join(plain) if isinstance(plain, list)
                                         else plain)
            elif isinstance(plain, list) and name not in ("tags", "authors"):
                plain = ", ".join(plain)
            metadata[name] = self.process_metadata(name, plain)
        return content, metadata


def use_reader(readers: Any) -> None:
    for ext in FrontMatterMarkdownReader.file_extensions:
        if readers.reader_classes.get(ext) in (None, MarkdownReader):
            readers.reader_classes[ext] = FrontMatterMarkdownReader


def register() -> None:
    signals.readers_init.connect(use_reader)
