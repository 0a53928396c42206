"""Work on every written page done in one pass over it.

Several plugins change the pages a run has written: ``offline_output`` makes their
links portable, ``light_images`` describes their pictures. Each used to read and write
every page itself. A plugin with such work registers here a function that, given the
run, returns what to do to one page (``(folder, text, page) -> text``, where ``page`` is
the text as :func:`gardarika.render.tags.read` read it), or None when it has nothing to
do; ``offline_output`` applies every one of them in its own pass over each page, before
it rewrites the links (and notes them, see :mod:`gardarika.render.pagefacts`). The page
is read once for all of them, and again only after one of them changed it.
Without ``offline_output`` a plugin does its work itself, as before: it can tell by
:func:`taken`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gardarika.render.tags import Page

PageChange = Callable[[str, str, Page], str]
Prepare = Callable[[Any], PageChange | None]

_REGISTERED: list[Prepare] = []
_TAKEN: set[Prepare] = set()


def register(prepare: Prepare) -> None:
    """Offer ``prepare(pelican)`` to the pass over the pages (once per process)."""
    if prepare not in _REGISTERED:
        _REGISTERED.append(prepare)


def prepared(pelican: Any) -> list[PageChange]:
    """For the pass: what each registered plugin does to a page of this run."""
    changes = []
    for prepare in _REGISTERED:
        _TAKEN.add(prepare)
        change = prepare(pelican)
        if change is not None:
            changes.append(change)
    return changes


def taken(prepare: Prepare) -> bool:
    """Whether the pass over the pages did (or does) ``prepare``'s work in this run."""
    return prepare in _TAKEN
