"""Bilingual messages: a :class:`Message` says something in English and Russian; a
:class:`Problem` says it of a file (and line). What the rules return (a template name's
problem, a removal by the cleaning, a refused path) is a Message."""

from __future__ import annotations

from gardarika.config.templates import template_problem
from gardarika.errors import Message, Problem
from gardarika.fs.confine import BACKSLASH
from gardarika.render.sanitize import Removal


def test_a_message_is_a_pair_with_names() -> None:
    message = Message("no title", "нет заголовка")
    en, ru = message
    assert (en, ru) == (message.en, message.ru) == ("no title", "нет заголовка")


def test_a_problem_says_a_message_of_a_place() -> None:
    problem = Problem.at("content/a.md", Message("no title", "нет заголовка"), line=3)
    assert problem.message == Message("no title", "нет заголовка")
    assert problem.format() == (
        "content/a.md:3: error: no title\ncontent/a.md:3: ошибка: нет заголовка"
    )
    warning = Problem.at("content/a.md", Message("short", "коротко"), severity="warning")
    assert warning.format().startswith("content/a.md: warning: short")


def test_the_rules_say_messages() -> None:
    said = [
        template_problem("base", "page"),
        Removal("script", "script").message(),
        BACKSLASH,
    ]
    for message in said:
        assert isinstance(message, Message) and message.en and message.ru
        assert message.en != message.ru
