"""Large inputs: handled — built, or refused with a message naming the file — without
running out of memory.

* a 20 MB Markdown file: refused by the checks, with its size, the limit and what to do
  (Python-Markdown would take minutes over it);
* a title of 10 000 characters: built, with a warning (the address is cut to a portable
  length);
* a folder of 5 000 pictures and a town of 10 000 articles: built.

Memory is asserted from ``getrusage(RUSAGE_CHILDREN)``: the peak resident size of the
forked Pelican workers, which includes what they share with this test process. Towns
are one-language and articles tiny, so that the biggest case stays within CI's budget.
"""

from __future__ import annotations

import resource
from pathlib import Path

import pytest
from projects import PNG, write

from gardarika.content.documents import MAX_SOURCE_BYTES

#: well under what a small CI machine or an editor's old PC has
MEMORY_LIMIT_MB = 1024


def one_language_town(project: Path, town: str = "big") -> Path:
    write(project / "sites" / f"{town}.yaml", "name:\n  ru: Большой\nlanguages: [ru]\n")
    content = project / "content" / town
    content.mkdir(parents=True)
    return content


def workers_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KB on Linux


def test_a_20_mb_markdown_file_is_refused_with_size_and_limit(project: Path, build_network) -> None:
    content = one_language_town(project)
    write(content / "ok.md", "Title: Обычная\nDate: 2024-01-01\n\nТекст.\n")
    paragraph = "Очень длинный отчёт, вставленный целиком. " * 20 + "\n\n"
    with (content / "dump.md").open("w", encoding="utf-8") as out:
        out.write("Title: Выгрузка\nDate: 2024-01-01\n\n")
        while out.tell() < 20 * 1024 * 1024:
            out.write(paragraph * 100)
        out.truncate(20 * 1024 * 1024)
    report = build_network(project)
    assert report.failed == ["big"]
    assert (
        "content/big/dump.md: error: this text is 20.0 MB; a text file may be at most "
        f"{MAX_SOURCE_BYTES // 1024 // 1024} MB" in report.log
    )
    assert "Split it into several articles" in report.log
    assert "content/big/ok.md" not in report.log
    assert not (project / "output" / "big").exists()


def test_a_long_report_under_the_limit_is_built(project: Path, build_network) -> None:
    content = one_language_town(project)
    text = (
        "Title: Большой отчёт\nDate: 2024-01-01\n\n"
        + "Абзац длинного отчёта с цифрами 1941–1945.\n\n" * 5_000
    )
    assert 256 * 1024 < len(text.encode()) < MAX_SOURCE_BYTES
    write(content / "report.md", text)
    report = build_network(project)
    assert report.ok, report.log
    assert workers_peak_mb() < MEMORY_LIMIT_MB


def test_a_title_of_10_000_characters_builds_with_a_warning(project: Path, build_network) -> None:
    content = one_language_town(project)
    title = ("Очень длинный заголовок " * 500)[:10_000]
    write(content / "long.md", f"Title: {title}\nDate: 2024-01-01\n\nТекст.\n")
    report = build_network(project)
    assert report.ok, report.log
    assert "content/big/long.md:1: warning: the title is 10000 characters long" in report.log
    pages = [p for p in (project / "output" / "big").glob("ochen-*.html")]
    assert len(pages) == 1 and len(pages[0].name) <= 64
    assert title.strip() in pages[0].read_text(encoding="utf-8")


@pytest.mark.long
def test_a_folder_of_5000_pictures_is_built(project: Path, build_network) -> None:
    content = one_language_town(project)
    images = content / "images"
    images.mkdir()
    for i in range(5000):
        (images / f"Фото {i}.PNG").write_bytes(PNG)
    write(
        content / "album.md",
        "Title: Альбом\nDate: 2024-01-01\n\n"
        "![Первое]({static}/images/Фото 0.PNG) ![Последнее](images/Фото 4999.PNG)\n",
    )
    report = build_network(project)
    assert report.ok, report.log
    out = project / "output" / "big" / "images"
    assert len([p for p in out.iterdir() if p.name.startswith("foto-")]) >= 5000
    album = (project / "output" / "big" / "albom.html").read_text(encoding="utf-8")
    assert "images/foto-0.png" in album and "images/foto-4999.png" in album
    assert workers_peak_mb() < MEMORY_LIMIT_MB


@pytest.mark.long
def test_a_town_of_10_000_articles_is_built_within_memory(project: Path, build_network) -> None:
    content = one_language_town(project)
    for i in range(10_000):
        (content / f"a{i}.md").write_text(
            f"Title: Заметка {i}\nDate: 2024-01-{i % 28 + 1:02d} 10:{i % 60:02d}\n"
            f"Category: Рубрика {i % 7}\nTags: метка{i % 40}\n\nТекст заметки {i}.\n",
            encoding="utf-8",
        )
    report = build_network(project)
    assert report.ok, report.log
    out = project / "output" / "big"
    assert (out / "zametka-9999.html").is_file()
    assert (out / "index_1000.html").is_file()  # ten to a page
    assert workers_peak_mb() < MEMORY_LIMIT_MB
