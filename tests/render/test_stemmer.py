"""The in-browser stemmer (themes/gardarika/static/js/stemmer.js) against Python's
snowballstemmer, which builds the search index: both must give the official Snowball stems
of a sample of the Snowball test vocabularies (tests/data/snowball/), and the same stems as
each other for the folded words the search really stems."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import snowballstemmer
from projects import REPO

DATA = REPO / "tests" / "data"
STEMMER_JS = REPO / "themes" / "gardarika" / "static" / "js" / "stemmer.js"
LANGUAGES = {"ru": "russian", "en": "english"}


def sample(lang: str) -> list[tuple[str, str]]:
    """(word, official stem) pairs of the sample for a language code."""
    path = DATA / "snowball" / f"{LANGUAGES[lang]}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(word, stem) for word, stem in (line.split("\t") for line in lines)]


def normalize(word: str) -> str:
    """The search's folding, as the index does it before stemming."""
    return word.lower().replace("ё", "е")


def python_stems(lang: str, words: list[str]) -> list[str]:
    return snowballstemmer.stemmer(LANGUAGES[lang]).stemWords(words)


def run_node(request: dict[str, list[str]]) -> dict[str, list[str]]:
    """stemmer.js run once by node on {lang or "normalize": words} (see stem_with_node.js)."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("GARDARIKA_REQUIRE_NODE"):
            pytest.fail("node is not installed, and GARDARIKA_REQUIRE_NODE is set")
        pytest.skip("node is not installed")
    result = subprocess.run(
        [node, str(DATA / "stem_with_node.js"), str(STEMMER_JS)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_sample_is_large_and_varied(lang: str) -> None:
    pairs = sample(lang)
    assert len(pairs) >= 500
    assert len({word[0] for word, _ in pairs}) >= 20  # from across the alphabet
    if lang == "ru":
        assert sum("ё" in word for word, _ in pairs) >= 100


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_python_gives_official_stems(lang: str) -> None:
    pairs = sample(lang)
    stems = python_stems(lang, [word for word, _ in pairs])
    wrong = [
        (word, official, got)
        for (word, official), got in zip(pairs, stems, strict=True)
        if got != official
    ]
    assert wrong == []


def test_javascript_stems_as_python() -> None:
    # Each sample as it is (ё kept), then folded as the search folds a word.
    words = {}
    for lang in LANGUAGES:
        raw = [word for word, _ in sample(lang)]
        words[lang] = raw + sorted({normalize(word) for word in raw} - set(raw))
    assert any("ё" in word for word in words["ru"])
    extra = ["Ёлка", "ЕЩЁ", "Running", "ÉTÉ"]
    words["normalize"] = words["ru"] + words["en"] + extra
    words["fi"] = ["talossa", "running", "ёлки"]  # no stemmer: the word as it is

    got = run_node(words)

    for lang in LANGUAGES:
        expected = python_stems(lang, words[lang])
        wrong = [
            (word, want, have)
            for word, want, have in zip(words[lang], expected, got[lang], strict=True)
            if want != have
        ]
        assert wrong == [], f"{lang}: {len(wrong)} of {len(expected)} differ"
    assert got["normalize"] == [normalize(word) for word in words["normalize"]]
    assert got["fi"] == words["fi"]


def test_the_index_stems_with_snowball_compiled_from_c() -> None:
    """PyStemmer (a dependency) does the index's stemming: the same algorithms as the
    pure-Python snowballstemmer (the samples above hold for it), about twenty times as
    fast, which a town of a thousand long articles feels."""
    import Stemmer

    from gardarika.render import searchindex

    assert isinstance(searchindex._stemmer("ru"), Stemmer.Stemmer)
    assert "pystemmer-" in searchindex._STEMMER_VERSION
