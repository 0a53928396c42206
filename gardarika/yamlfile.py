"""Reading YAML settings files so that every problem can point at a line.

PyYAML's ``safe_load`` forgets where values came from and silently keeps the last of two
equal keys. Editors need ``sites/vyborg.yaml:7`` in a message, and a duplicated key is
almost always a mistake, so we compose the node tree ourselves and remember the line of
every key and list item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem

KeyPath = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """The data of one YAML file with the line (1-based) of every key and list item."""

    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, *path: str | int) -> int | None:
        """The line of ``path``, or of its nearest parent we know, or ``None``."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


def _walk(node: yaml.Node, path: KeyPath, doc: YamlDocument, problems: list[Problem],
          file: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(Problem(
                    file=file, line=line, key=".".join(map(str, (*path, key))),
                    en=f"this key is written twice (first on line {seen[key]}); "
                       "keep only one of them.",
                    ru=f"этот ключ записан дважды (впервые в строке {seen[key]}); "
                       "оставьте только один.",
                ))
            seen.setdefault(key, line)
            doc.lines.setdefault((*path, key), line)
            _walk(value_node, (*path, key), doc, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            doc.lines[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), doc, problems, file)


def read_yaml(path: Path, shown_as: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse ``path``; return the document (``None`` if unusable) and the problems found.

    ``shown_as`` is the name used for the file in messages (usually relative to the
    project, like ``sites/vyborg.yaml``).
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, [Problem(
            file=shown_as,
            en=f"cannot read this file ({exc.strerror}). Check that it exists and is readable.",
            ru=f"не удаётся прочитать файл ({exc.strerror}). Проверьте, что он есть и доступен.",
        )]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(
            file=shown_as, line=line,
            en="this file is not saved as UTF-8 text. Open it in a text editor and save it "
               "with the encoding UTF-8.",
            ru="файл сохранён не в кодировке UTF-8. Откройте его в текстовом редакторе и "
               "сохраните в кодировке UTF-8.",
        )]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(
            file=shown_as, line=mark.line + 1 if mark else None,
            en=f"this is not valid YAML ({reason}). Check the indentation (spaces, not tabs) "
               "and that every key is followed by a colon and a space.",
            ru=f"это не правильный YAML ({reason}). Проверьте отступы (пробелы, а не "
               "табуляция) и что после каждого ключа стоят двоеточие и пробел.",
        )]
    doc = YamlDocument(data=data)
    problems: list[Problem] = []
    if node is not None:
        _walk(node, (), doc, problems, shown_as)
    return doc, problems
