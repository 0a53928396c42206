"""What each written page links to and loads, noted once, where the page is rewritten.

Each page is read once, by one scanner (:func:`gardarika.render.links.html_references`): when
a run makes its links portable (plugin ``offline_output``) the same pass yields the
page's references, and the run notes them with the digest of the page's final bytes
in its cache (``page-links.json.gz``). The page weight (:mod:`gardarika.checks.weight`) and
the offline check (:mod:`gardarika.checks.output`) take a page's references from there instead
of reading it again; a page whose bytes differ from what was noted (changed since, by
anyone) is read as before. (The check's look for anything that could run script reads
every page with a real HTML5 parser of its own on purpose: it is the last security
layer and must not trust what the build noted.)
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

from gardarika.fs.files import write_file_atomic
from gardarika.render.links import Reference

FILE = "page-links.json.gz"
_VERSION = 1

#: output-relative path -> (digest of the page's bytes, its references)
Facts = dict[str, tuple[str, list[Reference]]]


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class Recorder:
    """The references of the pages one run rewrote."""

    def __init__(self) -> None:
        self.pages: dict[str, list[Any]] = {}

    def note(self, rel: str, text: str, refs: list[Reference]) -> None:
        data = text.encode("utf-8", "surrogateescape")
        self.pages[rel] = [
            digest(data),
            [[r.url, r.line, r.element, r.attribute, r.loads] for r in refs],
        ]

    def save(self, cache_path: str) -> None:
        data = json.dumps(
            {"version": _VERSION, "pages": self.pages}, ensure_ascii=False, separators=(",", ":")
        )
        write_file_atomic(
            Path(cache_path) / FILE, gzip.compress(data.encode("utf-8"), compresslevel=3, mtime=0)
        )


def load(cache_path: Path, prefix: str) -> Facts:
    """The pages noted in ``cache_path``, by their path below the output folder
    (``prefix``: the run's folder there). A file that is missing, damaged or of another
    shape gives nothing; an entry of the wrong shape is skipped."""
    try:
        saved = json.loads(gzip.decompress((cache_path / FILE).read_bytes()))
    except (OSError, ValueError, EOFError):
        return {}
    if (
        not isinstance(saved, dict)
        or saved.get("version") != _VERSION
        or not isinstance(saved.get("pages"), dict)
    ):
        return {}
    facts: Facts = {}
    for rel, entry in saved["pages"].items():
        try:
            noted, rows = entry
            refs = [
                Reference(str(url), int(line), str(element), str(attribute), bool(loads))
                for url, line, element, attribute, loads in rows
            ]
        except (TypeError, ValueError):
            continue
        facts[f"{prefix}/{rel}" if rel else prefix] = (str(noted), refs)
    return facts


def references(facts: Facts | None, rel: str, data: bytes) -> list[Reference] | None:
    """The noted references of the page at ``rel`` (below the output folder) whose
    bytes are ``data``, or None when it was not noted as it is now."""
    if not facts:
        return None
    entry = facts.get(rel)
    if entry is None or entry[0] != digest(data):
        return None
    return entry[1]
