"""The benchmark's synthetic network is deterministic and builds cleanly (the benchmark
itself measures; this only keeps its input honest)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from benchmarks.generate import generate
from benchmarks.run import measure_builds, table


def digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(folder.rglob("*.md")):
        sha.update(path.read_bytes())
    return sha.hexdigest()


def test_generated_network_is_deterministic_and_builds(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", towns=2, articles=5)
    second = generate(tmp_path / "b", towns=2, articles=5)
    assert digest(first / "content") == digest(second / "content")
    assert len(list((first / "content/town-01/articles").glob("*.md"))) == 10
    assert list((first / "content/town-00/images").glob("*.jpg"))
    results = measure_builds(1, 4, 2, tmp_path / "m")
    assert results["cold"]["pages"] > 0 and results["cold"]["files_written"] > 0
    assert results["noop"]["files_written"] == 0
    assert 0 < results["edit_one_article"]["files_written"] < results["cold"]["files_written"]
    # a changed template reaches every page of every town
    assert results["theme_template_changed"]["files_written"] >= results["cold"]["pages"]
    text = table({"builds": results, "search": {
        "articles_per_language": 4, "ru": {"index_bytes": 1000, "browser": None},
        "en": {"index_bytes": 900, "browser": None}}})
    assert "cold build" in text and "no Chromium" in text
