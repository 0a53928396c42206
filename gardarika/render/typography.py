"""Typography by language: «ёлочки», no-break spaces and dashes for Russian, curly
quotes for English.

Russian is typeset by our own engine (:mod:`gardarika.render.russian_typography`): one pass
over the text, linear in its length, with the rules listed there and their cases in
``tests/data/typography_ru/``.
English by another (:mod:`gardarika.render.english_typography`) on the same footing (see
:mod:`gardarika.render.typesetter`); other languages go through the maintained
``polytypo`` library, which leaves ``code``, ``pre``, ``kbd``, scripts, styles and
attributes alone.

Time: polytypo pairs quotes in time that grows with the square of the number of quote
pairs (its ``_assign_depths`` compares every pair with every other), so 40 KB of
``"'"'…`` take about 20 seconds. Typesetting runs while a file is read, inside that
file's time budget (:mod:`gardarika.build.budget`), so such a text is stopped and named; for
that, the budget's :class:`~gardarika.build.budget.TooSlow` (and ``MemoryError``,
``RecursionError``) must never be swallowed here, even when polytypo wraps them in its
own error.
"""

from __future__ import annotations

from collections.abc import Callable

from gardarika.build.budget import TooSlow
from gardarika.render import english_typography, russian_typography

#: what polytypo may wrap in its own error but must reach the time budget's handler
PASS_THROUGH = (TooSlow, MemoryError, RecursionError)


def russian(html: str) -> str:
    """Russian typography for an HTML fragment (a title, a summary, a whole article)."""
    return russian_typography.typeset(html)


def english(html: str) -> str:
    """English typography for an HTML fragment: curly quotes, dashes, ellipses, and no
    lonely last word in headings and paragraphs."""
    return english_typography.typeset(html)


def generic(lang: str) -> Callable[[str], str]:
    """polytypo's rules for any other language it knows (``fi`` -> ``fi-FI``); a language
    it does not know is left as it is.

    polytypo turns any error while it parses HTML into its own, so a budget running out
    there (or memory, or recursion) would look like a text it cannot parse: those are let
    through, above all the time budget's :class:`~gardarika.build.budget.TooSlow`, which
    must reach the reader of the file. A text it really cannot parse (odd raw HTML such
    as ``<![foo[``) is left as it is: typography is polish, and must never cost a town
    its build."""
    # imported on first use: polytypo takes 0.06 s to import, which the Russian and
    # English runs (most of them) never need
    from polytypo import transform
    from polytypo.errors import PolytypoError

    def apply(html: str) -> str:
        try:
            return transform(html, locale=lang, mode="html", narrow_nbsp="nbsp")
        except PolytypoError as error:
            cause = error.__cause__
            if isinstance(cause, PASS_THROUGH):
                raise cause from None
            return html  # a language it does not know, or a text it cannot parse

    return apply


def for_language(lang: str) -> Callable[[str], str]:
    """The typography function for a document in ``lang``."""
    if lang == "ru":
        return russian
    if lang == "en":
        return english
    return generic(lang)
