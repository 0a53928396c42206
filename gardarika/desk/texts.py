"""A text as the desk's form shows it, and the form written back into the text.

The form has the fields an editor needs (title, date, category, tags, summary, draft,
the text itself). Writing it back changes only those: every other line of the header
stays as it was — keys the form does not show, comments, the order, the style (YAML
front matter between ``---`` lines or Pelican's ``Key: value`` lines, the key's own
spelling ``Title``/``title``). A value the editor emptied loses its line; a new one is
added at the end of the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from markdown.extensions.meta import META_MORE_RE, META_RE

from gardarika.content.frontmatter import (
    OPENING,
    markdown_lines,
    read_metadata,
    split_front_matter,
)
from gardarika.desk.history import DeskError
from gardarika.errors import ContentError, Message

#: the header keys the form shows, in the order a new header gets them
FORM_KEYS = ("title", "date", "category", "tags", "summary", "status")
_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?")


@dataclass
class Form:
    """What the desk's form shows and sends back."""

    title: str = ""
    date: str = ""
    category: str = ""
    tags: str = ""  # as typed: "праздник, парк"
    summary: str = ""
    draft: bool = False
    body: str = ""

    def tag_list(self) -> list[str]:
        # each on one line: a line break in a tag would add a line to the header
        return [" ".join(t.split()) for t in self.tags.split(",") if t.strip()]


def one_line(value: Any) -> str:
    """A metadata value as the form shows it: one line of text (a YAML value may be a
    number, a date or a list)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(one_line(v) for v in value)
    return " ".join(str(value).split())


def form_of(text: str) -> Form:
    """The form of a text; raises :class:`~gardarika.errors.ContentError` for a header
    the build could not read either."""
    metadata, _, _, body = read_metadata(text)
    date = metadata.get("date")
    shown_date = date.strftime("%Y-%m-%d %H:%M") if hasattr(date, "strftime") else one_line(date)
    if shown_date.endswith(" 00:00") and not hasattr(date, "hour"):
        shown_date = shown_date[:-6]
    return Form(
        title=one_line(metadata.get("title")),
        date=shown_date,
        category=one_line(metadata.get("category")),
        tags=one_line(metadata.get("tags")),
        summary=one_line(metadata.get("summary")),
        draft=one_line(metadata.get("status")).lower() == "draft",
        body=body.strip("\n"),
    )


def _values(form: Form, status: str) -> dict[str, Any]:
    """What each of the form's keys should say (``None``: no line); ``status`` is what
    the text said, kept unless the draft box changes it."""
    if form.draft:
        status_value: str | None = "draft"
    else:
        status_value = None if status.lower() == "draft" else (status or None)
    one_line = {
        "title": " ".join(form.title.split()),
        "date": " ".join(form.date.split()),
        "category": " ".join(form.category.split()),
        "summary": " ".join(form.summary.split()),
    }
    values: dict[str, Any] = {k: v or None for k, v in one_line.items()}
    values["tags"] = form.tag_list() or None
    values["status"] = status_value
    return values


def _yaml_line(key: str, value: Any, as_list: bool) -> str:
    if key.lower() == "date" and isinstance(value, str) and _PLAIN_DATE.fullmatch(value):
        return f"{key}: {value}\n"
    if isinstance(value, list) and not as_list:
        value = ", ".join(value)
    if isinstance(value, list):
        inner = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6)
        return f"{key}: {inner.strip()}\n"
    return yaml.safe_dump(
        {key: value}, allow_unicode=True, sort_keys=False, width=10**6, default_flow_style=False
    )


def _yaml_spans(front: str) -> dict[str, tuple[int, int, str, bool]]:
    """Top-level key (lower case) -> (first line, line after the last, key as
    written, value is a list), lines counted in ``front``."""
    node = yaml.compose(front, Loader=yaml.SafeLoader)
    spans: dict[str, tuple[int, int, str, bool]] = {}
    if not isinstance(node, yaml.MappingNode):
        return spans
    for key, value in node.value:
        end = value.end_mark
        last = end.line + (1 if end.column > 0 else 0)
        spans.setdefault(
            str(key.value).lower(),
            (
                key.start_mark.line,
                max(last, key.start_mark.line + 1),
                str(key.value),
                isinstance(value, yaml.SequenceNode),
            ),
        )
    return spans


def _with_yaml(front: str, form: Form, status: str, before: dict[str, Any]) -> str:
    lines = front.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    spans = _yaml_spans(front)
    values = _values(form, status)
    replaced: dict[int, tuple[int, str]] = {}
    added: list[str] = []
    for key in FORM_KEYS:
        value = values[key]
        if key in spans and value == before.get(key):
            continue  # unchanged: the line stays as written
        if key in spans:
            first, after, written, as_list = spans[key]
            text = "" if value is None else _yaml_line(written, value, as_list)
            replaced[first] = (after, text)
        elif value is not None:
            added.append(_yaml_line(key, value, True))
    out: list[str] = []
    number = 0
    while number < len(lines):
        if number in replaced:
            after, text = replaced[number]
            out.append(text)
            number = after
            continue
        out.append(lines[number])
        number += 1
    header = "".join(out) + "".join(added)
    if not header and not front:
        return _body(form)  # nothing to say in a header: none is made
    body = _body(form)
    return "---\n" + header + "---\n" + ("\n" + body if body.strip() else "")


def _with_header(text: str, form: Form, status: str, before: dict[str, Any]) -> str:
    """Pelican's ``Key: value`` header, edited line by line."""
    lines = markdown_lines(text)
    header_end = len(lines)
    for number, line in enumerate(lines):
        if not line.strip():
            header_end = number
            break
    spans: dict[str, tuple[int, int, str]] = {}
    key = None  # the key whose lines these are; None for a repeated key (kept as is)
    started = False
    for number in range(header_end):
        match = META_RE.match(lines[number])
        if match:
            started = True
            key = match.group("key").strip().lower()
            if key in spans:
                key = None
            else:
                spans[key] = (number, number + 1, match.group("key").strip())
        elif started and META_MORE_RE.match(lines[number]):
            if key is not None:
                first, _, written = spans[key]
                spans[key] = (first, number + 1, written)
        else:
            header_end = number  # the header ends where Markdown's reader stops
            break
    values = _values(form, status)
    replaced: dict[int, tuple[int, str]] = {}
    added: list[str] = []
    for name in FORM_KEYS:
        value = values[name]
        shown = ", ".join(value) if isinstance(value, list) else value
        if name in spans and value == before.get(name):
            continue  # unchanged: the lines stay as written
        if name in spans:
            first, after, written = spans[name]
            replaced[first] = (after, "" if value is None else f"{written}: {shown}\n")
        elif value is not None:
            added.append(f"{name.capitalize()}: {shown}\n")
    out: list[str] = []
    number = 0
    while number < header_end:
        if number in replaced:
            after, line = replaced[number]
            out.append(line)
            number = after
            continue
        out.append(lines[number] + "\n")
        number += 1
    body = _body(form)
    return "".join(out) + "".join(added) + ("\n" + body if body.strip() else "")


def _body(form: Form) -> str:
    body = form.body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return body + "\n"


def with_form(text: str | None, form: Form) -> str:
    """``text`` (``None`` for a new one) with the form's fields and body; refused
    (:class:`~gardarika.desk.history.DeskError`) when the result would not read back
    as the form says: a header the form cannot edit safely (YAML anchors) is never
    broken."""
    written = _with_form(text, form)
    try:
        metadata, *_ = read_metadata(written)
    except ContentError:
        metadata = None
    if metadata is None or one_line(metadata.get("title")) != one_line(form.title):
        raise DeskError(
            Message(
                "The desk cannot change this text's header safely (it uses YAML that "
                "the form would break, such as “&” anchors). Ask the maintainer to "
                "simplify it; nothing was written.",
                "Редактор не может безопасно изменить заголовочную часть этого текста "
                "(в ней YAML, который форма испортила бы, например якоря «&»). "
                "Попросите администратора упростить её; ничего не записано.",
            )
        )
    return written


def _with_form(text: str | None, form: Form) -> str:
    if text is None or not text.strip():
        return _with_yaml("", form, "", {})
    metadata, _, _, _ = read_metadata(text)
    status = one_line(metadata.get("status"))
    before = _values(form_of(text), status)
    if OPENING.match(text):
        front, _, _ = split_front_matter(text)
        return _with_yaml(front or "", form, status, before)
    if not metadata:  # no header at all: the form's fields become front matter
        return _with_yaml("", form, status, {})
    return _with_header(text, form, status, before)
