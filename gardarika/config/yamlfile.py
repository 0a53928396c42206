"""Reading YAML settings files so that every problem can point at a line.

PyYAML's ``safe_load`` forgets where values came from and silently keeps the last of two
equal keys. Editors need ``sites/vyborg.yaml:7`` in a message, and a duplicated key is
almost always a mistake, so we compose the node tree ourselves and remember the line of
every key and list item.

A town's settings file may be edited by the town's editors, and it is read in the
process that builds every town, so reading it must stay cheap whatever it says. YAML
aliases (``*name``) repeat a whole earlier value: ten nested lists of ten aliases are
700 bytes of YAML and ten billion values once expanded ("billion laughs"), and an
alias inside its own anchor makes a value that contains itself, which every check
walking it would follow for ever. So the composer here counts what the document would
be once every alias is expanded, and stops with the line where a limit is passed: too
many aliases, too many values, too much text, too deep a nesting, or an alias inside
its own anchor. Nothing is expanded to find out: each value's expanded size is counted
once and added again at every alias to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from gardarika.errors import Message, Problem

KeyPath = tuple[str | int, ...]

#: a settings file larger than this is not read at all (the demo's are under 2 KB)
MAX_BYTES = 1_000_000
#: aliases (``*name``) one file may use: plenty for sharing a few values, and the same
#: as for front matter (:mod:`gardarika.content.frontmatter`)
MAX_ALIASES = 20
#: values (scalars, lists, mappings) the document may hold once aliases are expanded
MAX_NODES = 100_000
#: characters of text the document may hold once aliases are expanded
MAX_TEXT = 1_000_000
#: lists and mappings inside each other; PyYAML's composer recurses once per level
MAX_DEPTH = 50


class CheckedValues:
    """A loader mixin: a value PyYAML's constructors cannot make (``date: 2024-13-45``,
    ``!!int x``) is a YAML error with the value's place, like any other, instead of a
    bare ``ValueError`` from deep inside PyYAML. Shared by the settings files and the
    front matter of texts."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)  # type: ignore[misc]
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            if isinstance(exc, yaml.YAMLError):
                raise
            kind = str(node.tag).rsplit(":", 1)[-1]
            value = f"“{node.value}”" if isinstance(node, yaml.ScalarNode) else "a value"
            reason = f": {exc}" if type(exc) is ValueError else ""
            raise yaml.constructor.ConstructorError(
                problem=f"{value} is not a valid {kind}{reason}", problem_mark=node.start_mark
            ) from None


class _LimitError(yaml.composer.ComposerError):
    """A limit of this module passed: the reason in both languages, and where."""

    def __init__(self, message: Message, mark: yaml.Mark | None):
        super().__init__(problem=message.en, problem_mark=mark)
        self.message = message


try:  # libyaml's parser, when PyYAML was built with it: five times faster
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - the pure-Python parser does the same, slower
    CParser = None


if CParser is not None:

    class _Base(Composer, CParser, SafeConstructor, Resolver):  # type: ignore[misc]
        """libyaml parses; the composing (where the limits are) stays in Python."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
else:  # pragma: no cover
    _Base = yaml.SafeLoader  # type: ignore[misc]


class _Loader(CheckedValues, _Base):  # type: ignore[valid-type,misc]
    """PyYAML's safe loader with the limits above, checked while composing.

    A value's expanded size is known when its node is complete; an alias adds the
    size of the node it repeats. The limits are checked at every step, so the work
    done before a refusal is bounded by the size of the file, never by the expansion.
    A value the constructors cannot make (``date: 2024-13-45``, ``!!int x``) is a YAML
    error with its place too, not a bare ``ValueError`` from inside PyYAML.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.alias_count = 0
        self.node_count = 0
        self.text_count = 0
        self.depth = 0
        #: expanded (values, characters) of every finished node, by id
        self.sizes: dict[int, tuple[int, int]] = {}
        #: ids of the lists and mappings whose items are being composed: PyYAML
        #: registers an anchor before the items, so an alias to one of these is a cycle
        self.open: set[int] = set()

    def _grow(self, nodes: int, text: int, mark: yaml.Mark | None) -> None:
        self.node_count += nodes
        self.text_count += text
        if self.node_count > MAX_NODES:
            raise _LimitError(
                Message(
                    f"this file holds more than {MAX_NODES} values (an alias “*name” counts "
                    "as the whole value it repeats)",
                    f"в файле больше {MAX_NODES} значений (псевдоним «*имя» считается как всё "
                    "значение, которое он повторяет)",
                ),
                mark,
            )
        if self.text_count > MAX_TEXT:
            raise _LimitError(
                Message(
                    f"this file holds more than {MAX_TEXT} characters of text (an alias "
                    "“*name” counts as the whole value it repeats)",
                    f"в файле больше {MAX_TEXT} знаков текста (псевдоним «*имя» считается как "
                    "всё значение, которое он повторяет)",
                ),
                mark,
            )

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if parent is not None:
            self.open.add(id(parent))
        mark = self.peek_event().start_mark
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                raise _LimitError(
                    Message(
                        f"more than {MAX_ALIASES} aliases (“*name”)",
                        f"больше {MAX_ALIASES} псевдонимов («*имя»)",
                    ),
                    mark,
                )
            node = super().compose_node(parent, index)
            if id(node) in self.open:
                raise _LimitError(
                    Message(
                        "an alias (“*name”) inside the value it names: the value would "
                        "contain itself",
                        "псевдоним («*имя») внутри того значения, которое он называет: "
                        "значение содержало бы само себя",
                    ),
                    mark,
                )
            nodes, text = self.sizes[id(node)]
            self._grow(nodes, text, mark)
            return node
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _LimitError(
                Message(
                    f"lists and groups nested more than {MAX_DEPTH} levels deep",
                    f"списки и группы вложены глубже {MAX_DEPTH} уровней",
                ),
                mark,
            )
        nodes_before, text_before = self.node_count, self.text_count
        node = super().compose_node(parent, index)
        self.open.discard(id(node))
        self.depth -= 1
        self._grow(1, len(node.value) if isinstance(node, yaml.ScalarNode) else 0, mark)
        self.sizes[id(node)] = (self.node_count - nodes_before, self.text_count - text_before)
        return node


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree and the data of one YAML document, within the limits above."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


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


def _walk(
    node: yaml.Node, path: KeyPath, doc: YamlDocument, problems: list[Problem], file: str
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        file=file,
                        line=line,
                        key=".".join(map(str, (*path, key))),
                        en=f"this key is written twice (first on line {seen[key]}); "
                        "keep only one of them.",
                        ru=f"этот ключ записан дважды (впервые в строке {seen[key]}); "
                        "оставьте только один.",
                    )
                )
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
        with Path(path).open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, [
            Problem(
                file=shown_as,
                en=f"cannot read this file ({exc.strerror}). Check that it exists and is readable.",
                ru=f"не удаётся прочитать файл ({exc.strerror}). Проверьте, что он есть "
                "и доступен.",
            )
        ]
    if len(raw) > MAX_BYTES:
        return None, [
            Problem(
                file=shown_as,
                en=f"this file is larger than {MAX_BYTES // 1000} KB; a settings file needs a "
                "few lines. Remove what does not belong in it.",
                ru=f"файл больше {MAX_BYTES // 1000} КБ; файлу настроек хватает нескольких "
                "строк. Уберите из него лишнее.",
            )
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Problem(
                file=shown_as,
                line=line,
                en="this file is not saved as UTF-8 text. Open it in a text editor and save it "
                "with the encoding UTF-8.",
                ru="файл сохранён не в кодировке UTF-8. Откройте его в текстовом редакторе и "
                "сохраните в кодировке UTF-8.",
            )
        ]
    try:
        node, data = _parse(text)
    except RecursionError:  # nesting inside one flow value ("[[[[…") the parser follows
        return None, [
            Problem(
                file=shown_as,
                en=f"values are nested too deeply (more than {MAX_DEPTH} levels). Write one "
                "“key: value” per line, lists as [a, b].",
                ru=f"значения вложены слишком глубоко (больше {MAX_DEPTH} уровней). Пишите по "
                "одной паре «ключ: значение» в строке, списки — как [a, b].",
            )
        ]
    except _LimitError as exc:
        mark = exc.problem_mark
        return None, [
            Problem(
                file=shown_as,
                line=mark.line + 1 if mark else None,
                en=f"{exc.message.en}. A settings file needs no more: write the values out, with "
                "fewer aliases and less nesting.",
                ru=f"{exc.message.ru}. Файлу настроек столько не нужно: запишите значения явно, с "
                "меньшим числом псевдонимов и вложений.",
            )
        ]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [
            Problem(
                file=shown_as,
                line=mark.line + 1 if mark else None,
                en=f"this is not valid YAML ({reason}). Check the indentation (spaces, not tabs) "
                "and that every key is followed by a colon and a space.",
                ru=f"это не правильный YAML ({reason}). Проверьте отступы (пробелы, а не "
                "табуляция) и что после каждого ключа стоят двоеточие и пробел.",
            )
        ]
    doc = YamlDocument(data=data)
    problems: list[Problem] = []
    if node is not None:
        _walk(node, (), doc, problems, shown_as)
    return doc, problems
