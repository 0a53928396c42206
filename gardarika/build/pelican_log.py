"""Turning what Pelican logs and raises into problems an editor can act on.

Pelican reports a file it cannot read with ``logger.exception`` and then quietly leaves
the article out. For a town network that is a silent loss, so a build collects Pelican's
warnings and errors, explains the common ones in plain words (both languages), and fails
the town on any error.
"""

from __future__ import annotations

import logging
import posixpath
from dataclasses import replace
from pathlib import Path

import jinja2

from gardarika.build.budget import too_deep_error
from gardarika.errors import ContentError, Problem


def _line_of_offset(path: Path, offset: int) -> int | None:
    try:
        return path.read_bytes()[:offset].count(b"\n") + 1
    except OSError:
        return None


def explain_exception(exc: BaseException, shown: str, source: Path | None) -> Problem:
    """A problem for ``exc`` raised while reading the file shown as ``shown``."""
    if isinstance(exc, ContentError):
        return exc.problem(shown)
    if isinstance(exc, UnicodeDecodeError):
        line = _line_of_offset(source, exc.start) if source else None
        return Problem(
            file=shown,
            line=line,
            en="this file is not saved as UTF-8 text, so its letters cannot be read. Open it "
            "in a text editor and save it again with the encoding “UTF-8”.",
            ru="файл сохранён не в кодировке UTF-8, и буквы в нём не читаются. Откройте его "
            "в текстовом редакторе и сохраните заново в кодировке «UTF-8».",
        )
    if isinstance(exc, MemoryError):
        return Problem(
            file=shown,
            en="reading this file needed more memory than one town's build may use, so "
            "the town is not published. Something in it expands to very much (a huge "
            "picture, text repeated by YAML anchors, thousands of tags): make it "
            "smaller.",
            ru="для чтения этого файла понадобилось больше памяти, чем может занять "
            "сборка одного города, поэтому сайт города не опубликован. Что-то в нём "
            "разворачивается в огромный объём (очень большая картинка, текст, "
            "размноженный якорями YAML, тысячи меток): уменьшите это.",
        )
    if isinstance(exc, RecursionError):
        error = too_deep_error()
        return error.problem(shown)
    if isinstance(exc, jinja2.TemplateError):
        lineno = getattr(exc, "lineno", None)
        name = getattr(exc, "filename", None) or getattr(exc, "name", None) or shown
        return Problem(
            file=str(name),
            line=lineno,
            en=f"the theme's template failed: {exc}. Fix the template or choose another theme.",
            ru=f"ошибка в шаблоне темы: {exc}. Исправьте шаблон или выберите другую тему.",
        )
    text = str(exc) or type(exc).__name__
    if isinstance(exc, ValueError) and "date" in text.lower():
        return Problem(
            file=shown,
            en=f"the date cannot be understood ({text}). Write it like “Date: 2024-05-01 10:30”.",
            ru=f"дату не удаётся понять ({text}). Пишите её так: «Date: 2024-05-01 10:30».",
        )
    return Problem(
        file=shown,
        en=f"this file could not be read: {text}",
        ru=f"этот файл не удалось прочитать: {text}",
    )


def _in_content(content_shown: str, source: str) -> str:
    """``content/beta`` + ``./news.md`` -> ``content/beta/news.md``."""
    return posixpath.normpath(f"{content_shown}/{source}")


def problem_from_record(
    record: logging.LogRecord, content_shown: str, content_dir: Path
) -> Problem:
    """A problem for one of Pelican's (or our plugins') warning or error records."""
    severity = "error" if record.levelno >= logging.ERROR else "warning"
    own_file = getattr(record, "gardarika_file", None)
    if own_file:
        # plugins may name the file by its absolute path or relative to the content
        own_file = _source_in(str(own_file), content_dir) or str(own_file)
        return Problem(
            file=_in_content(content_shown, own_file),
            severity=severity,
            line=getattr(record, "gardarika_line", None),
            en=record.getMessage().split(": ", 1)[-1],
            ru=getattr(record, "gardarika_ru", record.getMessage()),
            group=getattr(record, "gardarika_group", None),
        )
    template = str(record.msg)
    args = record.args if isinstance(record.args, tuple) else ()
    if template.startswith("Could not process") and args:
        source = str(args[0])
        shown = _in_content(content_shown, source)
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            return replace(explain_exception(exc, shown, content_dir / source), severity=severity)
        return Problem(
            file=shown,
            severity=severity,
            en="this file could not be read.",
            ru="этот файл не удалось прочитать.",
        )
    if template.startswith("Skipping %s: could not find information about") and len(args) >= 2:
        source, prop = str(args[0]), str(args[1])
        header = prop.capitalize()
        return Problem(
            file=_in_content(content_shown, source),
            severity=severity,
            en=f"the “{prop}” is missing, so the file was not published. Add a line like "
            f"“{header}: …” at the top of the file.",
            ru=f"не указано «{prop}», поэтому файл не опубликован. Добавьте в начало файла "
            f"строку «{header}: …».",
        )
    if template.startswith("Duplicate definition of") and len(args) >= 2:
        source = _source_in(str(args[1]), content_dir)
        if source is not None:
            key = str(args[0])
            return Problem(
                file=_in_content(content_shown, source),
                severity=severity,
                en=f"“{key}” is written more than once at the top of the file; only the "
                "first is used. Remove the others.",
                ru=f"«{key}» указано в начале файла несколько раз; используется только "
                "первое. Уберите лишние.",
            )
    message = record.getMessage()
    # any other message about one of the town's files is shown at that file
    for arg in args:
        source = _source_in(str(arg), content_dir)
        if source is not None:
            shown = _in_content(content_shown, source)
            message = message.replace(str(arg), shown)
            return Problem(
                file=shown, severity=severity, en=message, ru=f"сообщение Pelican: {message}"
            )
    return Problem(
        file=content_shown, severity=severity, en=message, ru=f"сообщение Pelican: {message}"
    )


def _source_in(path: str, content_dir: Path) -> str | None:
    """``path`` relative to the content folder when it is a file in there, else None."""
    if not path or "\n" in path or len(path) > 4096:
        return None
    try:
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = content_dir / candidate
        rel = candidate.resolve().relative_to(content_dir.resolve())
        return rel.as_posix() if candidate.is_file() else None
    except (OSError, ValueError):
        return None


class CollectingHandler(logging.Handler):
    """Keeps warning and error records instead of printing them."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
