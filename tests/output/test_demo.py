"""The demo network that ships with the repository builds completely and meets its brief:
three towns, ru + en (one town with a third language), at least 10 articles and 3 pages in
Russian per town, most translated, some not (both ways), pictures linked from articles."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from projects import REPO, broken_links

from gardarika.config.network import load_network
from gardarika.render.typography import for_language

DEMO = load_network(REPO)


def language_of(path: Path, languages: tuple[str, ...]) -> str:
    parts = path.name.split(".")
    return parts[-2] if len(parts) > 2 and parts[-2] in languages else languages[0]


def test_demo_settings_are_valid() -> None:
    assert not DEMO.problems and not DEMO.broken
    assert len(DEMO.towns) >= 3
    assert any(len(s.languages) > 2 or s.languages == ("ru",) for s in DEMO.towns.values())
    assert all(s.default_language == "ru" for s in DEMO.towns.values())


@pytest.mark.parametrize("town_id", sorted(DEMO.towns))
def test_demo_town_content(town_id: str) -> None:
    town = DEMO.towns[town_id]
    articles = [p for p in town.content.rglob("*.md") if "pages" not in p.parts]
    pages = list((town.content / "pages").glob("*.md"))
    by_lang = {
        lang: {p.name.split(".")[0] for p in articles if language_of(p, town.languages) == lang}
        for lang in town.languages
    }
    assert len(by_lang["ru"]) >= 10
    assert len([p for p in pages if language_of(p, town.languages) == "ru"]) >= 3
    if "en" in town.languages:
        translated = by_lang["ru"] & by_lang["en"]
        assert len(translated) > len(by_lang["ru"]) / 2  # most are translated
        assert by_lang["ru"] - by_lang["en"]  # some Russian only
        assert by_lang["en"] - by_lang["ru"]  # some English only
    pictures = [p for p in (town.content / "images").iterdir() if p.is_file()]
    assert len(pictures) >= 4
    texts = "\n".join(p.read_text(encoding="utf-8") for p in articles)
    for picture in pictures:
        assert f"images/{picture.name}" in texts, f"{picture.name} is not used"
    assert re.search(r"^Category: ", texts, re.M) and re.search(r"^Tags: ", texts, re.M)


@pytest.mark.parametrize("town_id", sorted(DEMO.towns))
def test_demo_town_output(demo_output: Path, town_id: str) -> None:
    town = DEMO.towns[town_id]
    for lang in town.languages:
        sub = (
            demo_output / town_id if lang == town.default_language else demo_output / town_id / lang
        )
        index = sub / "index.html"
        assert index.is_file()
        assert f'<html lang="{lang}"' in index.read_text(encoding="utf-8")
        assert (sub / "archives.html").is_file() and (sub / "categories.html").is_file()
        # (titles are HTML: a no-break space may be written as a character or &nbsp;)
        archive = unescape((sub / "archives.html").read_text(encoding="utf-8"))
        typeset = for_language(lang)
        titles = [
            re.search(r"^Title:\s*(.+)$", p.read_text(encoding="utf-8"), re.M).group(1)
            for p in town.content.rglob("*.md")
            if "pages" not in p.parts and language_of(p, town.languages) == lang
        ]
        for title in titles:
            assert unescape(typeset(title))[:20] in archive, f"{town_id}/{lang}: {title}"
    assert list((demo_output / town_id / "images").iterdir())


def test_demo_portal(demo_output: Path) -> None:
    portal = (demo_output / "index.html").read_text(encoding="utf-8")
    for town_id, town in DEMO.towns.items():
        assert f'href="{town_id}/index.html"' in portal
        if "en" in town.languages:
            assert f'href="{town_id}/en/index.html"' in portal
        assert town.name["ru"] in portal


def test_demo_links_all_resolve(demo_output: Path) -> None:
    assert broken_links(demo_output) == []


def test_demo_passes_the_offline_check(demo_output: Path) -> None:
    from gardarika.checks.output import check_output

    assert check_output(demo_output) == []


def test_demo_russian_pages_show_russian_typography(demo_output: Path) -> None:
    checked = 0
    for town in DEMO.towns:
        for page in (demo_output / town).glob("*.html"):
            html = page.read_text(encoding="utf-8")
            body = re.search(
                r'<h1>(.*?)</h1>.*?<div class="entry-content">(.*?)</div>\s*'
                r"(?:<footer|</article)",
                html,
                re.S,
            )
            if body is None:
                continue
            # the text itself: attributes (alt, title) are left as written
            text = unescape(re.sub(r"<[^>]+>", "", body.group(1) + body.group(2)))
            where = f"{town}/{page.name}"
            assert '"' not in text and "--" not in text and " - " not in text, where
            assert not re.search(r"(?<![\w-])[а-яё]{1,2} ", text, re.I), (
                where,
                re.search(r".{20}(?<![\w-])[а-яё]{1,2} .{20}", text, re.I),
            )
            assert not re.search(r"\w —", text), where  # a dash never starts a line
            checked += 1
    assert checked >= 30
