"""Problems reported to editors and maintainers.

Editors are not programmers: every problem names the file (and the line when we know
it), says what is wrong and what to do, in English and in Russian. A traceback is never
the answer to bad input, so everything that can go wrong with a file is turned into a
:class:`Problem` and collected, and all problems of a file are shown at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple


class Message(NamedTuple):
    """Something said to people, in English and in Russian, not yet tied to a place (a
    :class:`Problem` adds the file and line). It is a pair, so ``en, ru = message``
    reads it too. Every text the code hands on in both languages is one: a rule's
    reason, a check's finding (``checks.output.Finding``, ``checks.files.Refusal``,
    ``checks.scripts.Danger`` carry one), a :class:`ContentError`."""

    en: str
    ru: str


def counted(count: int, en: tuple[str, str], ru: tuple[str, str, str]) -> Message:
    """``count`` with its noun in each language's plural rules (CLDR, through Babel):
    ``counted(2, ("error", "errors"), ("ошибка", "ошибки", "ошибок"))`` is "2 errors" and
    «2 ошибки»; 1 is "1 error" and «1 ошибка», 5 and 11 «5 ошибок», 21 «21 ошибка»."""
    from babel.core import Locale

    form = Locale("ru").plural_form(count)
    russian = {"one": ru[0], "few": ru[1]}.get(form, ru[2])
    return Message(f"{count} {en[0] if count == 1 else en[1]}", f"{count} {russian}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, explained in both languages."""

    file: str
    en: str
    ru: str
    line: int | None = None
    key: str | None = None
    severity: str = "error"
    #: problems of one kind that may come by the hundred in a town (pictures from other
    #: websites): a build shows the first few of each group and counts the rest
    group: str | None = None

    @classmethod
    def at(
        cls, file: str, message: Message, line: int | None = None, severity: str = "error"
    ) -> Problem:
        """``message`` said of ``file`` (at ``line``)."""
        return cls(file=file, en=message.en, ru=message.ru, line=line, severity=severity)

    @property
    def message(self) -> Message:
        return Message(self.en, self.ru)

    def where(self) -> str:
        """``file:line`` (or just ``file``) the way editors and editors' tools expect it."""
        return f"{self.file}:{self.line}" if self.line else self.file

    def format(self) -> str:
        """Two lines: English first, Russian below, both starting with the place."""
        key = f"{self.key}: " if self.key else ""
        label = "warning" if self.severity == "warning" else "error"
        label_ru = "предупреждение" if self.severity == "warning" else "ошибка"
        return (
            f"{self.where()}: {label}: {key}{self.en}\n{self.where()}: {label_ru}: {key}{self.ru}"
        )


class GardarikaError(Exception):
    """An error that carries problems meant for people, not a traceback."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


def visible(text: str, limit: int = 200) -> str:
    """``text`` for a message: invisible characters (a new line, a tab, a terminal's
    escape) written as escapes, at most ``limit`` characters."""
    shown = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as short as it can be shown: relative to the project when inside it."""
    path = Path(path)
    if root is not None:
        try:
            return path.resolve().relative_to(_resolved(str(root))).as_posix()
        except ValueError:
            pass
    return path.as_posix()


@lru_cache(maxsize=64)
def _resolved(root: str) -> Path:
    """The project's folder resolved once (every message of a check names a file in it)."""
    return Path(root).resolve()


class ContentError(ValueError):
    """A problem in a content file found while reading it (raised inside Pelican runs).

    Pelican catches exceptions from readers and logs them; the build turns this one into
    a :class:`Problem` with the line and the message as they are (:meth:`problem`).
    """

    def __init__(self, message: Message, line: int | None = None):
        super().__init__(f"line {line}: {message.en}" if line else message.en)
        self.message = message
        self.line = line

    def problem(self, file: str) -> Problem:
        """What it says, said of ``file``."""
        return Problem.at(file, self.message, self.line)
