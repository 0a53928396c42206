"""The benchmark's synthetic network is deterministic and builds cleanly (the benchmark
itself measures; this only keeps its input honest)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from benchmarks.generate import generate
from benchmarks.longform import TOWN as TOWN_NAME
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
    text = table(
        {
            "builds": results,
            "search": {
                "articles_per_language": 4,
                "ru": {"index_bytes": 1000, "browser": None},
                "en": {"index_bytes": 900, "browser": None},
            },
        }
    )
    assert "cold build" in text and "no Chromium" in text


def test_longform_town_is_deterministic_has_the_material_and_builds(tmp_path: Path) -> None:
    from benchmarks.longform import TOWN, edit_one_paragraph, generate_longform
    from benchmarks.run import _build, _pelican_runs, longform_table, targets

    def small(where: Path) -> Path:
        return generate_longform(where, articles=3, sizes_kb=(6, 10), large=1, pictures=2)

    first, second = small(tmp_path / "a"), small(tmp_path / "b")
    assert digest(first / "content") == digest(second / "content")
    assert digest(
        generate_longform(
            tmp_path / "c", articles=3, sizes_kb=(6, 10), large=1, pictures=2, seed=16
        )
        / "content"
    ) != digest(first / "content")
    articles = sorted((first / "content" / TOWN / "articles").glob("*.md"))
    assert len(articles) == 3
    assert all(6 * 1024 <= path.stat().st_size <= 13 * 1024 for path in articles)
    # the default corpus: 40 articles of 20–120 KB, some over 90 KB, about 3 MB
    text = "\n".join(path.read_text(encoding="utf-8") for path in articles)
    assert text.count('"') >= 4 and 'в "' in text  # straight and nested quotes
    assert "«" in text and "&quot;" in text
    assert re.search(r"^(— |- )\S.*, (—|-) ", text, re.M)  # dialogue
    assert re.search(r"\w - \w", text)  # a hyphen typed as a dash
    assert re.search(r"\b1[89]\d\d-(1[89]|20)\d\d\b", text)  # a year range
    assert re.search(r"\b\d{1,2}-00\b", text) and re.search(r"\b\d{1,2}:\d\d\b", text)
    assert "https://" in text and "](https://" in text and "mailto:" in text
    assert re.search(r"\b[а-яё_-]+-?\d+\.(pdf|xlsx|docx|odt)\b", text)
    assert "№" in text and "§" in text and "..." in text and "`" in text
    assert re.search(r"^\d\. ", text, re.M) and "\n> " in text and "\n## " in text
    assert "|---|" in text  # a table (in every third article, the first included)
    assert "{static}/images/archive-" in text
    assert list((first / "content" / TOWN / "images").glob("*.jpg"))

    cold = _build(first, 2)
    assert cold["pages"] > 0 and cold["files_written"] > 0
    assert _build(first, 2)["files_written"] == 0
    before = text
    edit_one_paragraph(first, "test")
    after = "\n".join(path.read_text(encoding="utf-8") for path in articles)
    assert after != before and after.count("Абзац исправлен редактором (test)") == 1
    assert _build(first, 2)["files_written"] > 0
    # Pelican runs on the same content with the settings of ``others.py``, and plain
    pelican = _pelican_runs(first, tmp_path / "pelican")
    assert set(pelican) == {"cold", "noop", "edit_one_paragraph"}
    assert list((tmp_path / "pelican" / "output").glob("*.html"))
    plain = _pelican_runs(first, tmp_path / "plain", plain=True)
    assert set(plain) == {"cold", "noop", "edit_one_paragraph"}
    pages = list((tmp_path / "plain" / "output").glob("*.html"))
    assert pages and not any(
        "gardarika" in p.read_text(encoding="utf-8").lower() for p in pages
    )  # Pelican's own theme, none of ours
    fake = {
        "articles": 3,
        "markdown_bytes": 30_000,
        "largest_kb": 10,
        "gardarika": {key: {"seconds": 3.0} for key in ("cold", "noop", "edit_one_paragraph")},
        "pelican": {key: {"seconds": 1.0} for key in ("cold", "noop", "edit_one_paragraph")},
        "ratio": {"cold": 3.0, "noop": 3.0, "edit_one_paragraph": 3.0},
    }
    assert "plain Pelican" in "\n".join(longform_table(fake))
    rows = targets(
        {
            "cold": {"seconds": 1},
            "noop": {"seconds": 1},
            "edit_one_article": {"seconds": 0.1, "files_written": 1, "town_files": 100},
            "peak_memory_mb": 10,
        },
        fake,
    )
    assert (
        "long-form town: cold build at most 1.5 × plain Pelican",
        False,
        "3.00 s vs 1.00 s = 3.00×",
    ) in rows


def test_typesetting_is_measured_on_long_form_text() -> None:
    """The bench line for typesetting: MB/s on the long-form generator's HTML and the
    time at four times the length; a target row for each language."""
    from benchmarks.run import measure_typesetting, targets

    result = measure_typesetting(target_bytes=60_000)
    for lang in ("ru", "en"):
        entry = result[lang]
        assert entry["bytes"] > 20_000 and entry["mb_per_second"] > 0
        assert entry["four_times_ratio"] > 1  # four times the text does take longer
    slow = {
        "ru": {"mb_per_second": 0.5, "four_times_ratio": 4.0},
        "en": {"mb_per_second": 3.0, "four_times_ratio": 9.0},
    }
    rows = {
        name: met
        for name, met, _ in targets(
            {
                "cold": {"seconds": 1},
                "noop": {"seconds": 1},
                "edit_one_article": {"seconds": 0.1, "files_written": 1, "town_files": 100},
                "peak_memory_mb": 10,
            },
            None,
            slow,
        )
    }
    assert rows["ru typesetting at least 1 MB/s and linear (4× text, < 5× time)"] is False
    assert rows["en typesetting at least 1 MB/s and linear (4× text, < 5× time)"] is False


def test_a_real_corpus_becomes_the_long_form_town(tmp_path: Path) -> None:
    """``invoke bench --corpus DIR``: articles with YAML front matter (Hugo, Jekyll) at
    the top of a folder become the town's articles with Pelican's header lines, so that
    plain Pelican reads the same texts."""
    from benchmarks.run import corpus_project

    corpus = tmp_path / "blog"
    (corpus / "images").mkdir(parents=True)
    (corpus / "images" / "a.txt").write_text("x", encoding="utf-8")
    for n in range(3):
        (corpus / f"post-{n}.md").write_text(
            f'---\ntitle: "Запись {n}"\ndate: 2024-0{n + 1}-01\ntags: [a, b]\n'
            f"categories: [Заметки]\n---\n\nТекст записи {n}.\n",
            encoding="utf-8",
        )
    project = corpus_project(corpus, tmp_path / "project")
    articles = sorted((project / "content" / TOWN_NAME / "articles").glob("*.md"))
    assert [p.name for p in articles] == ["post-0.md", "post-1.md", "post-2.md"]
    assert articles[0].read_text(encoding="utf-8") == (
        "Title: Запись 0\nDate: 2024-01-01\nCategory: Заметки\nTags: a, b\n\nТекст записи 0.\n"
    )
    assert (project / "content" / TOWN_NAME / "images" / "a.txt").exists()


def test_the_long_form_cold_builds_are_compared_by_their_medians(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cold builds of Gardarika and plain Pelican made in turns, each from nothing; the
    medians are compared and every try is shown."""
    import statistics

    import benchmarks.run as run
    from benchmarks.longform import generate_longform

    monkeypatch.setattr(
        run,
        "generate_longform",
        lambda target, articles: generate_longform(
            target, articles=3, sizes_kb=(6, 10), large=1, pictures=1
        ),
    )
    result = run.measure_longform(2, tmp_path, cold_runs=3)
    tries = result["cold_tries"]
    assert len(tries["gardarika"]) == 3 and len(tries["pelican"]) == 3
    assert result["gardarika"]["cold"]["seconds"] == statistics.median(tries["gardarika"])
    assert result["pelican"]["cold"]["seconds"] == statistics.median(tries["pelican"])
    assert result["gardarika"]["cold"]["pages"] > 0  # each try a whole build
    assert "median" in "\n".join(run.longform_table(result))
