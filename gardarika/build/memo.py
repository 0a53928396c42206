"""Results of pure functions on texts, kept by a digest of their input, and shared
between the processes of one run.

A town's run reads its texts in one process; on a machine with idle cores helper
processes (:mod:`gardarika.build.prefetch`) read some of them ahead and hand back what they
computed. What a helper hands back is only ever a result kept under the digest of
its input (and of the function's name and arguments), so a result is used only where
the same function meets the same input again: sharing can make a run faster, never
different.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gardarika.fs.files import write_file_atomic

_VERSION = 1

#: name -> {digest of the input: result}; one process's stores
_STORES: dict[str, dict[str, Any]] = {}
#: name -> the digests asked for in this process (what a saved store keeps)
_ASKED: dict[str, set[str]] = {}
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
    asked = _ASKED.setdefault(name, set())

    def keeping(text: str) -> Any:
        if len(text) < SMALLEST:
            return function(text)
        digest = key(text)
        asked.add(digest)
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


def load(names: tuple[str, ...], path: str) -> None:
    """Take the stores ``names`` saved by an earlier run in ``path`` (a missing,
    damaged or odd file is ignored as a whole)."""
    try:
        with open(path, "rb") as source:
            saved = pickle.load(source)
    except Exception:  # missing, cut short, from another version: start afresh
        return
    if not isinstance(saved, dict) or saved.get("version") != _VERSION:
        return
    for name in names:
        results = saved.get(name)
        if isinstance(results, dict):
            store(name).update(results)


def save(names: tuple[str, ...], path: str) -> None:
    """Keep for the next run the results of ``names`` asked for in this run (only
    those: what no text asks for any more is dropped)."""
    data = {"version": _VERSION}
    for name in names:
        results = store(name)
        data[name] = {k: results[k] for k in _ASKED.get(name, ()) if k in results}
    write_file_atomic(Path(path), pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def asked_now() -> dict[str, set[str]]:
    """What this process has asked for so far (see :func:`asked_since`)."""
    return {name: set(asked) for name, asked in _ASKED.items()}


def asked_since(before: dict[str, set[str]]) -> dict[str, dict[str, Any]]:
    """The results this process asked for since ``before`` (:func:`asked_now`), to
    hand to the process that saves the stores (see :func:`take`)."""
    handed: dict[str, dict[str, Any]] = {}
    for name, asked in _ASKED.items():
        results = _STORES.get(name, {})
        new = asked.difference(before.get(name, ()))
        handed[name] = {k: results[k] for k in new if k in results}
    return handed


def take(handed: dict[str, dict[str, Any]]) -> None:
    """Take results another process asked for (:func:`asked_since`) as asked for here
    too: they are kept when the stores are saved."""
    if not isinstance(handed, dict):
        return
    for name, results in handed.items():
        if isinstance(name, str) and isinstance(results, dict):
            store(name).update(results)
            _ASKED.setdefault(name, set()).update(results)
