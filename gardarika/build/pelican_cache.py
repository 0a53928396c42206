"""Pelican's content cache, made safe against a build killed while writing it.

Pelican pickles its cache straight into its final file, and on the next run an
unreadable file (a gzip stream or pickle cut short) raises ``EOFError``, which Pelican
does not expect: the town would fail at every build until someone deleted ``.cache/``.
In the worker process (one per town and language, thrown away afterwards) the cache is
therefore written to a temporary file and renamed into place, and a file that cannot be
read, for whatever reason, is ignored like a missing one: the run rebuilds it. The same
goes for Jinja's compiled templates (:class:`SafeBytecodeCache`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
from pathlib import Path
from typing import Any

from jinja2.bccache import Bucket, FileSystemBytecodeCache
from pelican.cache import FileDataCacher

from gardarika.fs.files import temporary_beside

logger = logging.getLogger(__name__)

_ORIGINAL_INIT = FileDataCacher.__init__


def _read(cacher: FileDataCacher) -> dict[Any, Any]:
    """The cache in ``cacher``'s file, or an empty one when it is missing or damaged."""
    try:
        with cacher._cache_open(cacher._cache_path, "rb") as source:
            data = pickle.load(source)
    except Exception:  # missing, cut short, from another Pelican: start afresh
        return {}
    return data if isinstance(data, dict) else {}


def _init(
    self: FileDataCacher,
    settings: dict[str, Any],
    cache_name: str,
    caching_policy: bool,
    load_policy: bool,
) -> None:
    _ORIGINAL_INIT(self, settings, cache_name, caching_policy, False)
    if load_policy:
        self._cache = _read(self)


def _save(self: FileDataCacher) -> None:
    if not self._cache_data_policy:
        return
    tmp = temporary_beside(Path(self._cache_path))
    try:
        tmp.parent.mkdir(parents=True, exist_ok=True)
        with self._cache_open(tmp, "wb") as out:
            pickle.dump(self._cache, out)
        os.replace(tmp, self._cache_path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as err:
        logger.warning("Could not save cache %s\n ... %s", self._cache_path, err)
        with contextlib.suppress(OSError):
            tmp.unlink()


def install() -> None:
    """Use the safe loading and saving in this process (call it in the worker only)."""
    FileDataCacher.__init__ = _init  # type: ignore[method-assign]
    FileDataCacher.save_cache = _save  # type: ignore[method-assign]


class SafeBytecodeCache(FileSystemBytecodeCache):
    """Jinja's compiled templates, where a damaged file is compiled again instead of
    stopping the build (Jinja already writes them whole, then renames them).

    Jinja keys its cache by template name and file only, but how a template compiles
    depends on the environment too: with autoescaping off, ``{{ x }}`` compiles to plain
    output. ``flavour`` (the options that change the compiled code) is part of the key,
    so a template compiled without escaping is never reused by an escaping build."""

    def __init__(self, directory: str, flavour: str = "") -> None:
        super().__init__(directory)
        self.flavour = flavour

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.flavour}\0{name}", filename)

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # cut short or scrambled: compile the template afresh
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        # a full disk or a missing folder: only the cache is lost
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)
