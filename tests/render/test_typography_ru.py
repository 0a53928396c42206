"""Cases for the Russian typography engine, :func:`gardarika.render.russian_typography.typeset`.

The cases are data, written from the engine's specification (not from its code), one
YAML file per rule group in ``tests/data/typography_ru/``: ``quotes``, ``dashes``,
``dialogue``, ``ranges``, ``short_words``, ``particles``, ``initials``, ``numbers_units``,
``abbreviations``, ``ellipsis``, ``untouched`` (code, pre, kbd, scripts, comments,
attributes, URLs, e-mails, file names, times, dates and phones), ``html_context`` (rules
across inline tags, block resets, entities) and ``real_text`` (whole paragraphs where many
rules meet). Each file is a YAML list of mappings::

    - in: 'Он сказал: "Привет"'        # an HTML fragment or plain text, as Markdown gives it
      out: 'Он~сказал: «Привет»'       # what typeset() must return
      why: quotes and a short word     # a short note of the rule

In ``out`` a ``~`` stands for the no-break space U+00A0 (the only no-break space the
engine uses); ``in`` never contains ``~``, so the replacement is unambiguous. An ``in``
that must already hold a no-break space spells it ``\\u00a0`` in a double-quoted YAML
string.

Every case is one test, named ``<file>-<n>`` with ``n`` counted from 1 in the file's order
(``quotes-1`` is the first case of ``quotes.yaml``). Further tests check the data itself,
that every expected output is left unchanged when typeset again, and that text the rules
have nothing to look at comes back as it went in.
"""

from __future__ import annotations

import random
from typing import NamedTuple

import pytest
import yaml
from projects import REPO

from gardarika.render.russian_typography import typeset

DATA = REPO / "tests" / "data" / "typography_ru"
NBSP = "\u00a0"
#: the rule groups, one file each
FILES = (
    "quotes",
    "dashes",
    "dialogue",
    "ranges",
    "short_words",
    "particles",
    "initials",
    "numbers_units",
    "abbreviations",
    "ellipsis",
    "untouched",
    "html_context",
    "real_text",
)
MIN_TOTAL = 300
MIN_PER_FILE = 10


class Case(NamedTuple):
    """One expectation: ``source`` typeset must give ``expected`` (``~`` already replaced)."""

    id: str
    source: str
    expected: str
    why: str


def load_file(name: str) -> list[Case]:
    """The cases of ``<name>.yaml``, checked for shape, with ``~`` read as U+00A0."""
    path = DATA / f"{name}.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of cases")
    cases = []
    for n, entry in enumerate(entries, start=1):
        where = f"{path.name}, case {n}"
        if not isinstance(entry, dict) or set(entry) != {"in", "out", "why"}:
            raise ValueError(f"{where}: expected a mapping with in, out and why")
        source, expected, why = entry["in"], entry["out"], entry["why"]
        if not all(isinstance(value, str) for value in (source, expected, why)):
            raise ValueError(f"{where}: in, out and why must be strings")
        if "~" in source:
            raise ValueError(f"{where}: '~' in 'in' (it is the no-break space of 'out')")
        cases.append(Case(f"{name}-{n}", source, expected.replace("~", NBSP), why))
    return cases


CASES: dict[str, list[Case]] = {name: load_file(name) for name in FILES}
ALL_CASES: list[Case] = [case for cases in CASES.values() for case in cases]


def test_every_data_file_is_listed() -> None:
    assert sorted(path.stem for path in DATA.glob("*.yaml")) == sorted(FILES)


def test_enough_cases() -> None:
    assert len(ALL_CASES) >= MIN_TOTAL
    for name, cases in CASES.items():
        assert len(cases) >= MIN_PER_FILE, name


def test_inputs_are_unique_within_a_file() -> None:
    for name, cases in CASES.items():
        sources = [case.source for case in cases]
        assert len(sources) == len(set(sources)), name


def _explain(case: Case, got: str) -> str:
    """The case's note and both texts with the no-break space shown as ``~``."""
    return (
        f"{case.why}\n  got:  {got.replace(NBSP, '~')}\n  want: {case.expected.replace(NBSP, '~')}"
    )


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.id for case in ALL_CASES])
def test_typeset(case: Case) -> None:
    got = typeset(case.source)
    assert got == case.expected, _explain(case, got)


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.id for case in ALL_CASES])
def test_expected_output_is_stable(case: Case) -> None:
    """Already typeset text stays exactly the same (idempotence)."""
    got = typeset(case.expected)
    assert got == case.expected, _explain(case, got)


#: letters and the few signs no rule looks at: no spaces, quotes, dashes, hyphens, dots,
#: digits, signs of units, brackets, tags or entities
_INERT_ALPHABET = (
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
    "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,;"
)


def _inert_texts() -> list[str]:
    texts = [
        "",
        "Гардарика",
        "Выборг,Приозерск;Сортавала",
        "вдоме",
        "ОнжеБы",
        "ЗдравствуйтеУважаемыеЖители",
    ]
    rng = random.Random(20240501)
    for _ in range(30):
        texts.append("".join(rng.choice(_INERT_ALPHABET) for _ in range(rng.randint(1, 60))))
    return texts


@pytest.mark.parametrize("text", _inert_texts())
def test_text_without_anything_to_typeset_is_unchanged(text: str) -> None:
    assert typeset(text) == text
