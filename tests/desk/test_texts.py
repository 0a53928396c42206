"""The desk's form written back into a text changes only what the form shows: the rest
of the header (unknown keys, comments, order, style, the key's spelling) stays."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gardarika.content.frontmatter import read_metadata
from gardarika.desk.texts import Form, form_of, with_form

YAML_TEXT = """\
---
title: Субботник в парке
date: 2026-04-20 10:00
# category: Новости
tags:
  - субботник
  - парк
author: Мария
x-old-id: 1842   # from the old site
status: published
---

Приходите **все**.

- грабли
- перчатки
"""

HEADER_TEXT = """\
Title: Ярмарка
Date: 2026-05-01
Modified: 2026-05-02
Category: Новости
Tags: ярмарка, мёд
Summary: Ярмарка у реки,
    с мёдом и пирогами.
Authors: Иван

Текст про ярмарку.
"""


def test_an_unchanged_form_leaves_the_text_as_it_was() -> None:
    assert with_form(YAML_TEXT, form_of(YAML_TEXT)) == YAML_TEXT
    form = form_of(HEADER_TEXT)
    assert form.summary == "Ярмарка у реки, с мёдом и пирогами."
    assert with_form(HEADER_TEXT, form) == HEADER_TEXT
    # a changed summary is written on one line
    changed = with_form(HEADER_TEXT, replace(form, summary=form.summary + " И квас."))
    assert "Summary: Ярмарка у реки, с мёдом и пирогами. И квас.\nAuthors: Иван\n" in changed


def test_the_form_reads_the_fields() -> None:
    form = form_of(YAML_TEXT)
    assert (form.title, form.date, form.category, form.tags) == (
        "Субботник в парке",
        "2026-04-20 10:00",
        "",
        "субботник, парк",
    )
    assert not form.draft and form.body.startswith("Приходите **все**.")
    assert form_of(HEADER_TEXT).date == "2026-05-01"


def test_changed_fields_change_only_their_lines_in_yaml() -> None:
    form = replace(
        form_of(YAML_TEXT),
        title="Субботник: итоги",
        tags="субботник, осень, парк",
        category="Новости",
        body="Спасибо всем!\r\n",
    )
    text = with_form(YAML_TEXT, form)
    assert text.splitlines() == [
        "---",
        "title: 'Субботник: итоги'",
        "date: 2026-04-20 10:00",
        "# category: Новости",
        "tags: [субботник, осень, парк]",
        "author: Мария",
        "x-old-id: 1842   # from the old site",
        "status: published",
        "category: Новости",
        "---",
        "",
        "Спасибо всем!",
    ]
    metadata, *_ = read_metadata(text)
    assert metadata["title"] == "Субботник: итоги" and metadata["x-old-id"] == 1842


def test_changed_fields_change_only_their_lines_in_a_pelican_header() -> None:
    form = replace(form_of(HEADER_TEXT), title="Большая ярмарка", summary="", draft=True)
    text = with_form(HEADER_TEXT, form)
    assert text.splitlines()[:8] == [
        "Title: Большая ярмарка",
        "Date: 2026-05-01",
        "Modified: 2026-05-02",
        "Category: Новости",
        "Tags: ярмарка, мёд",
        "Authors: Иван",
        "Status: draft",
        "",
    ]
    assert form_of(text).draft


@pytest.mark.parametrize("status", ["published", "hidden"])
def test_the_draft_box_keeps_another_status(status: str) -> None:
    text = YAML_TEXT.replace("status: published", f"status: {status}")
    assert f"status: {status}" in with_form(text, form_of(text))
    drafted = with_form(text, replace(form_of(text), draft=True))
    assert "status: draft" in drafted and status not in drafted
    back = with_form(drafted, replace(form_of(drafted), draft=False))
    assert "status:" not in back  # a draft made public is simply published


def test_a_new_text_gets_yaml_front_matter() -> None:
    form = Form(
        title="Новость",
        date="2026-11-30 12:00",
        tags="школа",
        summary="Коротко: о главном",
        body="Текст.",
    )
    text = with_form(None, form)
    assert text == (
        "---\ntitle: Новость\ndate: 2026-11-30 12:00\ntags: [школа]\n"
        "summary: 'Коротко: о главном'\n---\n\nТекст.\n"
    )
    assert form_of(text) == form


def test_a_text_without_a_header_gets_one() -> None:
    text = with_form("Просто текст.\n", replace(form_of("Просто текст.\n"), title="Текст"))
    assert text == "---\ntitle: Текст\n---\n\nПросто текст.\n"


def test_a_repeated_header_key_and_its_lines_are_kept() -> None:
    text = "Title: Один\nTags: a,\n    b\nTags: c\n    d\n\nТело.\n"
    changed = with_form(text, replace(form_of(text), title="Два"))
    assert changed == "Title: Два\nTags: a,\n    b\nTags: c\n    d\n\nТело.\n"


def test_block_values_are_replaced_whole() -> None:
    text = "---\nsummary: >\n  Длинное\n  описание\ntitle: Т\n---\nТело\n"
    changed = with_form(text, replace(form_of(text), summary="Короче"))
    assert changed == "---\nsummary: Короче\ntitle: Т\n---\n\nТело\n"
