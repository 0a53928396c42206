"""The search index of one town in one language, shipped as a plain script file.

Browsers refuse ``fetch`` and WebAssembly for pages opened from disk, so the index is a
``<script>`` that sets ``window.GARDARIKA_SEARCH``. Words are folded to lower case with
``ё`` as ``е`` and reduced to their Snowball stems (Russian, English; other languages
only folded), exactly as ``themes/gardarika/static/js/stemmer.js`` does for a query.

Layout, kept small for a CD and a slow link::

    {"lang": "ru",
     "docs": [[url, title, date, text], ...],      # text: the start of the page's text
     "title": {stem: [doc, ...]},                   # stems of titles
     "body": {stem: [doc, count, doc, count, ...]}} # stems of texts, with counts
"""

from __future__ import annotations

import importlib.metadata
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from html import unescape
from pathlib import Path

import snowballstemmer

from gardarika.fs.files import write_file_atomic
from gardarika.render.typesetter import MARKUP_RE, RAW_TEXT, end_of, opens, tag_name

STEMMERS = {"ru": "russian", "en": "english"}
#: letters and digits of the Latin, Greek and Cyrillic scripts: the same class as in
#: themes/gardarika/static/js/search.js, so that page and query split words alike
WORD = re.compile(
    "[0-9A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6"
    "\u00f8-\u024f\u0370-\u03ff\u0400-\u052f]+"
)
TEXT_KEPT = 1500  # characters of each page's text kept for result snippets


@dataclass(frozen=True)
class SearchDocument:
    url: str  # relative to the subsite's root
    title: str  # plain text
    date: str  # shown as it is ("5 мая 2024 г."), may be empty
    text: str  # plain text of the page


def normalize(word: str) -> str:
    return word.lower().replace("ё", "е")


@cache
def _stemmer(lang: str) -> object | None:
    name = STEMMERS.get(lang)
    return snowballstemmer.stemmer(name) if name else None


#: stems already computed, per language: a town's pages share most of their words, so
#: each distinct word is stemmed once per run instead of at every occurrence
_STEMMED: dict[str, dict[str, str]] = {}
#: per language, each word as written -> its stem (this process only): a long text
#: repeats its words, and each distinct one is folded and looked up once
_OF_WRITTEN: dict[str, dict[str, str]] = {}


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "none"


#: which stemmer made the remembered stems: snowballstemmer hands the work to
#: PyStemmer (the same algorithms compiled from C, about 20 times faster) when it is
#: installed; stems from another version are made again
_STEMMER_VERSION = f"{_version('snowballstemmer')}+pystemmer-{_version('PyStemmer')}"


def load_stems(path: str, lang: str) -> None:
    """Take the stems remembered by an earlier run (a missing or odd file is ignored:
    every entry must map a word to a word, or none is taken)."""
    try:
        with open(path, encoding="utf-8") as source:
            saved = json.load(source)
    except (OSError, ValueError):
        return
    if not isinstance(saved, dict) or saved.get("stemmer") != _STEMMER_VERSION:
        return
    known = saved.get(lang)
    if isinstance(known, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in known.items()
    ):
        _STEMMED.setdefault(lang, {}).update(known)
        _OF_WRITTEN.pop(lang, None)  # looked up again in what was taken


def save_stems(path: str, lang: str) -> None:
    """Remember this run's stems for the next run (written whole, then renamed)."""
    data = json.dumps(
        {"stemmer": _STEMMER_VERSION, lang: _STEMMED.get(lang, {})}, ensure_ascii=False
    )
    write_file_atomic(Path(path), data.encode("utf-8"))


def stems(text: str, lang: str) -> list[str]:
    """The stems of every word of ``text`` (folded, stemmed when the language has one)."""
    words = WORD.findall(text)
    written = _OF_WRITTEN.setdefault(lang, {})
    new = set(words).difference(written)
    if new:
        stemmer = _stemmer(lang)
        known = _STEMMED.setdefault(lang, {})
        for word in new:
            folded = normalize(word)
            if stemmer is not None and folded not in known:
                known[folded] = stemmer.stemWord(folded)
            written[word] = known[folded] if stemmer is not None else folded
    return [written[word] for word in words]


#: elements whose content is not text a reader reads
_NOT_TEXT = frozenset({"script", "style", "template"})
#: elements that end a word where they start
_BREAKS = frozenset(
    {
        "p",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "div",
        "blockquote",
        "dt",
        "dd",
        "figcaption",
        "pre",
        "hr",
    }
)


def plain_text(html: str) -> str:
    """The readable text of an HTML fragment, spaces collapsed: one pass over it, tags
    read as a browser reads them (quoted ``>`` inside attributes included)."""
    if not html:
        return ""
    parts: list[str] = []
    position = 0
    search = MARKUP_RE.search
    while (match := search(html, position)) is not None:
        parts.append(html[position : match.start()])
        position = match.end()
        name = tag_name(match)
        if not name:
            continue
        if name in _BREAKS:
            parts.append(" ")
        elif (name in _NOT_TEXT or name in RAW_TEXT) and opens(match, name):
            position = end_of(name, html, position)
    parts.append(html[position:])
    return " ".join(unescape("".join(parts)).replace("\u00a0", " ").split())


def build_index(documents: Iterable[SearchDocument], lang: str) -> dict[str, object]:
    docs: list[list[str]] = []
    title_postings: dict[str, list[int]] = {}
    body_postings: dict[str, list[int]] = {}
    for number, doc in enumerate(documents):
        docs.append([doc.url, doc.title, doc.date, doc.text[:TEXT_KEPT]])
        for stem in sorted(set(stems(doc.title, lang))):
            title_postings.setdefault(stem, []).append(number)
        for stem, count in sorted(Counter(stems(doc.text, lang)).items()):
            body_postings.setdefault(stem, []).extend((number, count))
    return {"lang": lang, "docs": docs, "title": title_postings, "body": body_postings}


def index_script(index: dict[str, object]) -> str:
    """The index as a script: ``window.GARDARIKA_SEARCH = {...};``."""
    data = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    # "</script" may not appear inside a script, even in a string
    data = data.replace("</", "<\\/")
    return f"window.GARDARIKA_SEARCH={data};\n"
