"""The quick scan (gardarika.content.quickscan): Markdown's patterns are skipped only
where they cannot match, so the HTML is the same with and without it."""

from __future__ import annotations

import re

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gardarika.content.markdown import markdown_settings
from gardarika.content.quickscan import BLOCK, INLINE, Guarded

QUICK = "gardarika.content.quickscan"


def _markdown(quick: bool) -> markdown.Markdown:
    config = dict(markdown_settings()["extension_configs"])
    if not quick:
        config.pop(QUICK)
    return markdown.Markdown(
        extensions=list(config), extension_configs=config, output_format="html5"
    )


FAST = _markdown(quick=True)
PLAIN = _markdown(quick=False)


def _both(text: str) -> tuple[tuple[str, str], tuple[str, str]]:
    fast = FAST.reset().convert(text), getattr(FAST, "toc", "")
    plain = PLAIN.reset().convert(text), getattr(PLAIN, "toc", "")
    return fast, plain


def test_it_is_the_last_extension_and_guards_every_listed_pattern() -> None:
    """Every pattern of the table is guarded in the Markdown the build uses: should an
    update of Markdown or pymdown-extensions change an expression, this names it (the
    build stays right, only slower) so that the table is brought up to date."""
    assert list(markdown_settings()["extension_configs"])[-1] == QUICK
    unguarded = [
        name
        for name in INLINE
        if name in FAST.inlinePatterns
        and not isinstance(FAST.inlinePatterns[name].compiled_re, Guarded)
    ]
    unguarded += [
        name
        for name, (attribute, _, _) in BLOCK.items()
        if not isinstance(getattr(FAST.parser.blockprocessors[name], attribute), Guarded)
    ]
    assert unguarded == []
    assert sorted(INLINE) == sorted(n for n in INLINE if n in FAST.inlinePatterns)


MARKUP = "`\\[]!<>&*_~=:^ \n#-+.()\"'/@x1?"


@pytest.mark.parametrize("name", sorted(INLINE))
@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=MARKUP, max_size=40))
def test_each_inline_pattern_needs_what_its_guard_looks_for(name: str, text: str) -> None:
    """A pattern never matches a text without one of its needles (checked on the
    expression itself, over texts of markup characters)."""
    pattern, needles = INLINE[name]
    if any(needle in text for needle in needles):
        return
    assert re.compile(pattern).search(text) is None


@pytest.mark.parametrize("name", sorted(BLOCK))
@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=MARKUP, max_size=40))
def test_each_block_pattern_needs_what_its_guard_looks_for(name: str, text: str) -> None:
    _, pattern, needles = BLOCK[name]
    if any(needle in text for needle in needles):
        return
    assert re.compile(pattern).search(text) is None


CASES = [
    "plain prose, no markup at all",
    "a `code` span and ``double `tick` code``",
    "escaped \\`not code\\` and \\\\`code after two backslashes`",
    "\\\\\\`three backslashes then a tick`",
    "a [link](https://example.org) and ![picture](a.png) and ![ref][r]\n\n[r]: b.png",
    "not a picture: \\![x](y) and !x[z]",
    "[shortref] and [another][] here\n\n[shortref]: https://example.org\n[another]: /x",
    "footnote[^1] here.\n\n[^1]: The note.",
    "<https://example.org/a_b> and <someone@example.org> and <b>bold</b>",
    "&copy; &#169; &#xA9; & alone &amp;",
    "line with two spaces  \nnext line",
    "*em* **strong** _under_ __both__ ***all*** snake_case_word",
    "~~struck~~ ==marked== a=b ~tilde",
    ":smile: :not-an-emoji: 10:30:45",
    "!!! note\n    A note.\n\n    Its second paragraph.",
    '!!! warning "Title"\n    Body\n\nAfter.',
    '??? note "Open me"\n    Hidden.\n\n???+ tip\n    Open.',
    "- item\n\n    !!! note\n        In a list.",
    "text with ! and ? and !! and ?? only",
    "# Heading\n\n## Sub `code` heading\n\n[TOC]",
    "| a | b |\n|---|---|\n| `x` | [y](z) |",
    "```\nfenced `code` [not](link)\n```\n\n    indented *code*",
]


@pytest.mark.parametrize("text", CASES)
def test_the_same_html_on_markup_of_every_kind(text: str) -> None:
    fast, plain = _both(text)
    assert fast == plain


PIECES = [
    "`",
    "``",
    "\\",
    "\\\\",
    "[",
    "]",
    "![",
    "(",
    ")",
    "<",
    ">",
    "&",
    ";",
    "*",
    "_",
    "~",
    "=",
    ":",
    "^",
    "!!! ",
    "??? ",
    "  \n",
    "\n",
    "\n\n",
    "    ",
    "word",
    "слово",
    " ",
    "http://x.org",
    "a@b.org",
    "#",
    "note",
    '"t"',
    "1.",
    "-",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_the_same_html_on_generated_markup(pieces: list[str]) -> None:
    fast, plain = _both("".join(pieces))
    assert fast == plain
