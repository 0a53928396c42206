"""Results of pure functions on texts, kept by a digest of their input, and shared
between the processes of one run.

A town's run reads its texts in one process; on a machine with idle cores helper
processes (:mod:`gardarika.prefetch`) read some of them ahead and hand back what they
computed. What a helper hands back is only ever a result kept under the digest of
its input (and of the function's name and arguments), so a result is used only where
the same function meets the same input again: sharing can make a run faster, never
different.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

#: name -> {digest of the input: result}; one process's stores
_STORES: dict[str, dict[str, Any]] = {}
#: inputs shorter than this are computed again rather than hashed and kept
SMALLEST = 512


def store(name: str) -> dict[str, Any]:
    """The store called ``name`` (the same dict for every caller in this process)."""
    return _STORES.setdefault(name, {})


def key(*parts: str) -> str:
    """The digest that keys a result: of every input and argument, in order."""
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def kept(name: str, function: Callable[[str], Any]) -> Callable[[str], Any]:
    """``function`` of one text, with its results for long texts kept in the store
    ``name`` (the function must depend on nothing but its text)."""
    results = store(name)

    def keeping(text: str) -> Any:
        if len(text) < SMALLEST:
            return function(text)
        digest = key(text)
        if digest not in results:
            results[digest] = function(text)
        return results[digest]

    keeping.__name__ = getattr(function, "__name__", name)
    keeping.__doc__ = function.__doc__
    return keeping


def snapshot() -> dict[str, dict[str, Any]]:
    """Every store of this process (to hand to another)."""
    return {name: dict(results) for name, results in _STORES.items()}


def merge(stores: dict[str, dict[str, Any]]) -> None:
    """Take the results another process computed (see :func:`snapshot`)."""
    for name, results in stores.items():
        store(name).update(results)
