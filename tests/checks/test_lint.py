"""Editors' checks: every problem named with file and line, in both languages, errors
stopping the town's build and warnings not — and never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from projects import write

ARTICLE = "content/alpha/articles/{}"

# (file name, content, severity, expected file:line, words of the English message)
CASES = [
    ("no-title.md", "Date: 2024-01-01\n\nТекст.\n", "error", ":1:", "there is no title"),
    (
        "empty-title.md",
        "Title:\nDate: 2024-01-01\n\nТекст.\n",
        "error",
        ":1:",
        "the title is empty",
    ),
    (
        "bad-date.md",
        "Title: Дата\nDate: 32.13.2024\n\nТекст.\n",
        "error",
        ":2:",
        "“32.13.2024” cannot be understood",
    ),
    ("no-date.md", "Title: Без даты\n\nТекст.\n", "error", ":1:", "there is no date"),
    (
        "future.md",
        "Title: Будущее\nDate: 2099-01-01 10:00\n\nТекст.\n",
        "error",
        ":2:",
        "is in the future",
    ),
    (
        "yaml.md",
        "---\ntitle: Собрание: итоги\ndate: 2024-01-01\n---\nТекст.\n",
        "error",
        ":2:",
        "not valid YAML",
    ),
    ("unclosed.md", "---\ntitle: Собрание\n\nТекст.\n", "error", ":1:", "never closed"),
    (
        "lang.md",
        "Title: Язык\nDate: 2024-01-01\nLang: xx\n\nТекст.\n",
        "error",
        ":3:",
        "“xx” is an unknown language code",
    ),
    (
        "german.de.md",
        "Title: Sprache\nDate: 2024-01-01\n\nText.\n",
        "error",
        "german.de.md:",
        "“de” is a language this town's site does not have",
    ),
    (
        "orphan.en.md",
        "Title: Orphan\nDate: 2024-01-01\nSlug: nothing-here\nTranslation: yes\n\nText.\n",
        "error",
        ":4:",
        "marked as a translation",
    ),
    (
        "links.md",
        "Title: Ссылки\nDate: 2024-01-01\n\nПервая строка.\n\n[статья]({filename}missing.md)\n",
        "error",
        ":6:",
        "“{filename}missing.md” leads to no",
    ),
    (
        "picture.md",
        "Title: Картинка\nDate: 2024-01-01\n\n![x]({static}/images/none.jpg)\n",
        "error",
        ":4:",
        "“{static}/images/none.jpg” leads to no file",
    ),
    (
        "relative.md",
        "Title: Файл\nDate: 2024-01-01\n\nСм. [отчёт](../files/none.pdf).\n",
        "error",
        ":4:",
        "“../files/none.pdf” leads to no file",
    ),
    (
        "category.md",
        "Title: Рубрика\nDate: 2024-01-01\nCategory: новости\n\nТекст.\n",
        "warning",
        ":3:",
        "the category “новости” differs from “Новости”",
    ),
    (
        "tag.md",
        "Title: Метка\nDate: 2024-01-01\nTags: Ярмарка\n\nТекст.\n",
        "warning",
        ":3:",
        "the tag “Ярмарка” differs from “ярмарка”",
    ),
    ("empty.md", "Title: Пусто\nDate: 2024-01-01\n\n", "warning", "empty.md:", "empty"),
    (
        "save-dot.md",
        "Title: Точка\nDate: 2024-01-01\nSave_as: .\n\nТекст.\n",
        "error",
        ":3:",
        "“save_as: .” names a folder, not a file",
    ),
    (
        "save-folder.md",
        "Title: Папка\nDate: 2024-01-01\nSave_as: news/\n\nТекст.\n",
        "error",
        ":3:",
        "“save_as: news/” names a folder",
    ),
    (
        "save-tag.md",
        "Title: Метки\nDate: 2024-01-01\nSave_as: tag\n\nТекст.\n",
        "error",
        ":3:",
        "“save_as: tag” is where the site keeps its own pages",
    ),
    (
        "save-lang.md",
        "Title: Язык\nDate: 2024-01-01\nSave_as: en/x.html\n\nТекст.\n",
        "error",
        ":3:",
        "is where the site keeps its own pages (“en”)",
    ),
    (
        "save-search.md",
        "Title: Поиск\nDate: 2024-01-01\nSave_as: search.html\n\nТ.\n",
        "error",
        ":3:",
        "“save_as: search.html” is where",
    ),
    (
        "long-template.md",
        "Title: Шаблон\nDate: 2024-01-01\nTemplate: " + "x" * 300 + "\n\nТекст.\n",
        "error",
        ":3:",
        "the theme has no template",
    ),
    (
        "html-tag.md",
        "Title: Метка\nDate: 2024-01-01\nTags: мост, <script>x()</script>\n\nТ.\n",
        "error",
        ":3:",
        "the tag “<script>x()</script>” contains “<” or “>”",
    ),
    (
        "html-author.md",
        "Title: Автор\nDate: 2024-01-01\nAuthor: <svg onload=x()>\n\nТ.\n",
        "error",
        ":3:",
        "the author “<svg onload=x()>” contains",
    ),
    (
        "emoji-category.md",
        "Title: Рубрика\nDate: 2024-01-01\nCategory: 🙂\n\nТекст.\n",
        "error",
        ":3:",
        "the category “🙂” has no letter or digit",
    ),
    (
        "emoji-tag.md",
        "Title: Метка\nDate: 2024-01-01\nTags: мост; ★\n\nТекст.\n",
        "error",
        ":3:",
        "the tag “★” has no letter or digit",
    ),
]


def _with_second_article(network: Path) -> None:
    # with alpha's articles, "Новости" and "ярмарка" are then used twice each
    write(
        network / "content/alpha/articles/news2.md",
        "Title: Ещё новость\nDate: 2024-02-02\nCategory: Новости\nTags: ярмарка\n\nТекст.\n",
    )


@pytest.mark.parametrize(
    ("name", "text", "severity", "where", "words"), CASES, ids=[c[0] for c in CASES]
)
def test_each_problem_is_reported(
    network: Path, name: str, text: str, severity: str, where: str, words: str
) -> None:
    """Each rule through the checks themselves (``lint_town``, as every build and
    ``invoke lint`` run them): the file, the line, the severity, both languages."""
    from gardarika.checks.lint import lint_town
    from gardarika.config.network import load_network

    _with_second_article(network)
    (network / ARTICLE.format(name)).write_text(text, encoding="utf-8")
    problems = lint_town(load_network(network).towns["alpha"], network)
    found = [
        p
        for p in problems
        if p.file == ARTICLE.format(name)
        and p.severity == severity
        and where in p.format().split("\n")[0]
        and words in p.en
    ]
    assert found, "\n".join(p.format() for p in problems)
    assert all(p.ru and p.ru != p.en for p in found)


@pytest.mark.parametrize("case", ["links.md", "category.md"])
def test_an_error_stops_its_town_and_a_warning_does_not(
    network: Path, build_network, case: str
) -> None:
    """In a build: an error in a town's content keeps the town unpublished (the other
    towns build), a warning does not; both are printed with file:line in both
    languages, never with a traceback."""
    name, text, severity, where, words = next(c for c in CASES if c[0] == case)
    _with_second_article(network)
    (network / ARTICLE.format(name)).write_text(text, encoding="utf-8")
    report = build_network(network)
    lines = [line for line in report.log.splitlines() if line.startswith(ARTICLE.format(name))]
    label, label_ru = ("error", "ошибка") if severity == "error" else ("warning", "предупреждение")
    assert any(where in line and f" {label}: " in line and words in line for line in lines), (
        report.log
    )
    assert any(f" {label_ru}: " in line for line in lines)
    assert "Traceback" not in report.log
    if severity == "error":
        assert report.failed == ["alpha"] and report.built == ["beta"]
    else:
        assert report.ok, report.log


def test_links_in_code_are_not_read_and_links_in_text_are(network: Path) -> None:
    """The checks take code from the one rule Markdown follows (``mask_code``): a fence
    of four backticks holding one of three, inline code of two backticks holding one,
    an indented block; a line indented under a paragraph is text, and its link is
    read."""
    from gardarika.checks.lint import lint_town
    from gardarika.config.network import load_network

    body = (
        "Title: Код\nDate: 2024-01-01\n\nАбзац.\n\n"
        "````\n```\n[a](gone-1.md)\n```\n[b](gone-2.md)\n````\n\n"
        "Смотрите ``[c](gone-3.md) ` ``.\n\n"
        "    [d](gone-4.md)\n\n"
        "Строка абзаца\n    и её продолжение: [e](gone-5.md).\n"
    )
    write(network / ARTICLE.format("code.md"), body)
    said = " ".join(p.en for p in lint_town(load_network(network).towns["alpha"], network))
    assert "gone-5.md" in said
    for hidden in ("gone-1", "gone-2", "gone-3", "gone-4"):
        assert hidden not in said, hidden


def test_a_marked_future_date_is_fine(network: Path, build_network) -> None:
    write(
        network / ARTICLE.format("festival.md"),
        "Title: Фестиваль\nDate: 2099-07-01 10:00\nFuture: yes\n\nТекст.\n",
    )
    assert build_network(network, ["alpha"]).ok


def test_duplicate_addresses(network: Path, build_network) -> None:
    write(network / ARTICLE.format("one.md"), "Title: Концерт\nDate: 2024-01-01\n\nА.\n")
    write(network / ARTICLE.format("two.md"), "Title: Концерт\nDate: 2024-01-02\n\nБ.\n")
    report = build_network(network, ["alpha"])
    assert report.failed == ["alpha"]
    assert (
        "content/alpha/articles/one.md:1: error: the address “kontsert” (ru) is also "
        "used by content/alpha/articles/two.md" in report.log
    )


def gardarika(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gardarika", *args], capture_output=True, text=True, timeout=300
    )


def test_windows_1251_file_and_fix_encoding(network: Path) -> None:
    text = "Title: Концерт хора\nDate: 2024-03-01 18:00\n\nВ субботу выступит хор.\n"
    path = network / ARTICLE.format("concert.md")
    path.write_bytes(text.encode("cp1251"))
    done = gardarika("--root", str(network), "build")
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert (
        "content/alpha/articles/concert.md:1: error: this file is not saved as UTF-8 "
        "(it looks like Windows-1251)"
    ) in done.stdout
    assert "./gardarika.sh fix-encoding content/alpha/articles/concert.md" in done.stdout
    assert "похоже, в кодировке Windows-1251" in done.stdout

    fixed = gardarika("--root", str(network), "fix-encoding", ARTICLE.format("concert.md"))
    assert fixed.returncode == 0, fixed.stderr
    assert "converted from Windows-1251 to UTF-8" in fixed.stdout
    assert path.read_text(encoding="utf-8") == text
    assert path.with_name("concert.md.bak").read_bytes() == text.encode("cp1251")
    again = gardarika("--root", str(network), "fix-encoding", ARTICLE.format("concert.md"))
    assert again.returncode == 0 and "already UTF-8" in again.stdout
    assert not path.with_name("concert.md.bak2").exists()
    assert gardarika("--root", str(network), "build").returncode == 0


def test_koi8_is_recognised_too(tmp_path: Path) -> None:
    from gardarika.content.encoding import guess_encoding

    sample = "Привет из Каргополя: ярмарка, концерт и выставка игрушки.".encode
    assert guess_encoding(sample("koi8_r")) == "koi8_r"
    assert guess_encoding(sample("cp1251")) == "cp1251"
    assert guess_encoding(sample("cp866")) == "cp866"


def test_lint_command(network: Path) -> None:
    clean = gardarika("--root", str(network), "lint")
    assert clean.returncode == 0 and "0 errors, 0 warnings" in clean.stdout
    assert "Проверка материалов: 0 ошибок, 0 предупреждений." in clean.stdout
    write(network / ARTICLE.format("empty.md"), "Title: Пусто\nDate: 2024-01-01\n\n")
    warned = gardarika("--root", str(network), "lint", "--site", "alpha")
    assert warned.returncode == 0 and "0 errors, 1 warning." in warned.stdout
    write(network / ARTICLE.format("no-date.md"), "Title: Без даты\n\nТекст.\n")
    failed = gardarika("--root", str(network), "lint")
    assert failed.returncode == 1 and "no-date.md:1: error" in failed.stdout
    assert gardarika("--root", str(network), "lint", "--site", "beta").returncode == 0


def test_times_are_counted_in_russian_as_russian_counts_them() -> None:
    """A real blog's check said «встречается 2 раз»: the number takes its plural form."""
    from gardarika.checks.lint import _times_ru

    assert [_times_ru(n) for n in (1, 2, 4, 5, 11, 21, 22, 25)] == [
        "1 раз",
        "2 раза",
        "4 раза",
        "5 раз",
        "11 раз",
        "21 раз",
        "22 раза",
        "25 раз",
    ]


def test_counts_are_said_in_each_language_s_plural() -> None:
    from gardarika.errors import counted

    nouns = (("error", "errors"), ("ошибка", "ошибки", "ошибок"))
    assert [counted(n, *nouns) for n in (0, 1, 2, 5, 11, 21, 22)] == [
        ("0 errors", "0 ошибок"),
        ("1 error", "1 ошибка"),
        ("2 errors", "2 ошибки"),
        ("5 errors", "5 ошибок"),
        ("11 errors", "11 ошибок"),
        ("21 errors", "21 ошибка"),
        ("22 errors", "22 ошибки"),
    ]


def test_pelicans_older_link_syntax_is_read_as_pelican_reads_it(
    network: Path, build_network
) -> None:
    """``|filename|other.md`` and ``|static|picture.png`` (Pelican's older form of
    ``{filename}``, still in real blogs) lead where Pelican takes them; one that leads out
    of the town's folder is refused as ``{static}`` is."""
    from gardarika.checks.lint import lint_town
    from gardarika.config.network import load_network

    write(
        network / ARTICLE.format("legacy.md"),
        "Title: Старые ссылки\nDate: 2024-01-01\n\n"
        "[Ярмарка](|filename|fair.md) и ![картинка](|static|../images/potter.png)\n",
    )
    said = [p.en for p in lint_town(load_network(network).towns["alpha"], network)]
    assert not any("leads to no file" in text for text in said), said
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    page = next(
        p
        for p in (network / "output/alpha").glob("*.html")
        if "Старые ссылки</h1>" in p.read_text("utf-8")
    )
    html = page.read_text(encoding="utf-8")
    assert 'href="./yarmarka-remyosel.html"' in html and "images/potter.png" in html
    write(
        network / ARTICLE.format("legacy.md"),
        "Title: Старые ссылки\nDate: 2024-01-01\n\n![чужая](|static|../../../beta/images/x.png)\n",
    )
    said = [p.en for p in lint_town(load_network(network).towns["alpha"], network)]
    assert any("leads out of the town's content folder" in text for text in said), said


def test_a_date_at_the_start_of_the_file_name_is_the_texts_date(
    network: Path, build_network
) -> None:
    """Pelican takes ``2012-11-30_title.md``'s date from its name when the text has no
    ``Date:`` (FILENAME_METADATA); the checks agree; a name's "date" that is no day of
    every year is no date."""
    from gardarika.checks.lint import lint_town
    from gardarika.config.network import load_network

    write(network / ARTICLE.format("2012-11-30_vstrecha.md"), "Title: Встреча\n\nТекст.\n")
    write(
        network / ARTICLE.format("2013-01-05_own.md"),
        "Title: Своя дата\nDate: 2014-02-03 10:00\n\nТекст.\n",
    )
    said = [p.en for p in lint_town(load_network(network).towns["alpha"], network)]
    assert not any("date" in text for text in said), said
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    out = network / "output/alpha"
    meeting = next(p for p in out.glob("*.html") if "Встреча</h1>" in p.read_text("utf-8"))
    assert 'datetime="2012-11-30"' in meeting.read_text(encoding="utf-8")
    own = next(p for p in out.glob("*.html") if "Своя дата</h1>" in p.read_text("utf-8"))
    assert 'datetime="2014-02-03"' in own.read_text(encoding="utf-8")  # its Date: wins
    # a name whose "date" is no day of every year gives no date (Pelican would stop the
    # build at it even beside a Date:)
    write(network / ARTICLE.format("2012-02-31_x.md"), "Title: Нет такого дня\n\nТекст.\n")
    write(
        network / ARTICLE.format("2023-13-45.md"),
        "Title: Странное имя\nDate: 2024-01-01\n\nТекст.\n",
    )
    said = lint_town(load_network(network).towns["alpha"], network)
    [error] = [p for p in said if p.file.endswith("2012-02-31_x.md")]
    assert "there is no date" in error.en
    assert not [p for p in said if p.file.endswith("2023-13-45.md") and p.severity == "error"]
    assert build_network(network, ["alpha"]).towns[0].ok is False  # (the dateless one)
    (network / ARTICLE.format("2012-02-31_x.md")).unlink()
    assert build_network(network, ["alpha"]).ok
