"""The shared theme on the built demo network: structure, languages, feeds, 404."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markupsafe import escape
from pagetext import text_in
from projects import REPO, write

from gardarika.config.network import load_network

DEMO = load_network(REPO)
THEME = REPO / "themes" / "gardarika"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
PELICAN_THEME_WORDS = ("Proudly powered", "Translations:", "Published:", "Pelican")


def ui_strings() -> list[str]:
    """The literal parts of every msgid of the theme, e.g. "Page", "of"."""
    from babel.messages.pofile import read_po

    with (THEME / "translations" / "messages.pot").open("rb") as pot:
        catalog = read_po(pot)
    parts = set()
    for message in catalog:
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            for part in re.split(r"%\([a-z_]+\)[sd]", msgid or ""):
                part = part.strip(" :.,()—")
                if len(part) >= 4:
                    parts.add(part)
    return sorted(parts)


def pages_by_language(out: Path) -> dict[str, list[Path]]:
    """Every built page of every demo town, by the language of its subsite."""
    result: dict[str, list[Path]] = {}
    for town_id, town in DEMO.towns.items():
        for page in (out / town_id).rglob("*.html"):
            rel = page.relative_to(out / town_id).parts
            lang = (
                rel[0] if len(rel) > 1 and rel[0] in town.languages[1:] else town.default_language
            )
            result.setdefault(lang, []).append(page)
    return result


def read(path: Path) -> str:
    """A page's text with no-break spaces as plain spaces (typography is tested apart)."""
    return path.read_text(encoding="utf-8").replace("\u00a0", " ").replace("&nbsp;", " ")


def test_pot_is_up_to_date(tmp_path: Path) -> None:
    from gardarika.render.i18n import extract_messages

    fresh = extract_messages(THEME, tmp_path / "messages.pot")
    ids = [line for line in read(fresh).splitlines() if line.startswith("msgid")]
    assert ids == [
        line
        for line in read(THEME / "translations" / "messages.pot").splitlines()
        if line.startswith("msgid")
    ], "run: invoke i18n-update"


@pytest.mark.parametrize("lang", ["ru", "fi"])
def test_no_english_interface_text_on_other_language_pages(demo_output: Path, lang: str) -> None:
    strings = [*ui_strings(), *PELICAN_THEME_WORDS]
    patterns = [re.compile(rf"(?<![\w-]){re.escape(s)}(?![\w-])") for s in strings]
    pages = pages_by_language(demo_output)[lang]
    assert len(pages) > 20
    found = []
    for page in pages:
        text = text_in(read(page), lang)
        found += [
            f"{page.relative_to(demo_output)}: {p.pattern}" for p in patterns if p.search(text)
        ]
    assert found == []


def test_no_russian_text_on_english_pages(demo_output: Path) -> None:
    pages = pages_by_language(demo_output)["en"]
    assert len(pages) > 50
    found = []
    for page in pages:
        for line in text_in(read(page), "en").splitlines():
            if CYRILLIC.search(line):
                found.append(f"{page.relative_to(demo_output)}: {line}")
    assert found == []


def test_every_page_has_the_theme_structure(demo_output: Path) -> None:
    for lang, pages in pages_by_language(demo_output).items():
        for page in pages:
            html = read(page)
            where = page.relative_to(demo_output)
            assert f'<html lang="{lang}">' in html, where
            for tag in ("<header", "<nav", "<main", "<footer"):
                assert tag in html, f"{where}: {tag}"
            assert html.count("<h1") == 1, where
            assert 'class="skip-link" href="#main"' in html and 'id="main"' in html, where
            portal = r'<p class="footer-portal">.*href="[./]*index(-[a-z]{2,3})?\.html"'
            assert re.search(portal, html), where


def test_town_details_appear_on_pages(demo_output: Path) -> None:
    town = DEMO.towns["vyborg"]
    home = read(demo_output / "vyborg" / "en" / "index.html")
    # as text in the page: escaped ("residents&#39; notes")
    assert str(escape(town.description["en"])) in home
    assert town.contacts["email"] in home and town.contacts["address"]["en"] in home
    for town_id in town.neighbours:
        assert DEMO.towns[town_id].name["en"] in home


def test_language_switch_links(demo_output: Path) -> None:
    checked = 0
    for lang, pages in pages_by_language(demo_output).items():
        for page in pages:
            nav = re.search(r'<nav class="languages".*?</nav>', read(page), re.S)
            assert nav, page
            for href, code in re.findall(r'<a href="([^"]+)" lang="([a-z]+)"', nav.group(0)):
                target = (page.parent / href).resolve()
                assert target.is_file(), f"{page}: {href}"
                # the translation when there is one, otherwise that language's home
                twin = _twin(demo_output, page, lang, code)
                expected = twin if twin and twin.is_file() else None
                if expected is not None:
                    assert target == expected.resolve(), f"{page}: {href}"
                checked += 1
    assert checked > 500


def _twin(out: Path, page: Path, lang: str, code: str) -> Path | None:
    """The same article or page in language ``code`` (same file name, other subsite)."""
    town_id = page.relative_to(out).parts[0]
    town = DEMO.towns[town_id]
    root = out / town_id if lang == town.default_language else out / town_id / lang
    rel = page.relative_to(root)
    if rel.parts[0] in ("category", "tag", "author") and len(rel.parts) == 2:
        twin = (out / town_id if code == town.default_language else out / town_id / code) / rel
        return twin if twin.is_file() else None  # where that language has the same term
    if rel.parts[0] not in ("pages",) and len(rel.parts) != 1:
        return None  # other listings (archives by year…) have no twins
    other = out / town_id if code == town.default_language else out / town_id / code
    if rel.name in ("archives.html", "categories.html", "tags.html", "authors.html", "search.html"):
        return other / rel  # the site's own pages exist in every language
    if rel.name.startswith(("index", "archives", "categories", "tags", "authors", "404", "search")):
        return None
    return other / rel


def test_russian_dates_and_plurals_in_pages(demo_output: Path) -> None:
    categories = read(demo_output / "kargopol" / "categories.html")
    assert re.search(r"\(\d+ (статья|статьи|статей)\)", categories)
    archives = read(demo_output / "kargopol" / "archives.html")
    months = "Январь|Февраль|Март|Апрель|Май|Июнь|Июль|Август|Сентябрь|Октябрь|Ноябрь|Декабрь"
    assert re.search(rf"<h3>(<a [^>]*>)?({months}) 20\d\d", archives)
    assert re.search(
        r"\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|"
        r"сентября|октября|ноября|декабря) 20\d\d",
        archives,
    )


def test_no_feeds_without_base_url(demo_output: Path) -> None:
    assert not list(demo_output.rglob("*.xml"))
    assert "application/atom+xml" not in read(demo_output / "kargopol" / "index.html")


def test_feeds_with_base_url_are_absolute(network: Path, build_network) -> None:
    write(
        network / "sites/alpha.yaml",
        read(network / "sites/alpha.yaml") + "base_url: https://alpha.example.org/\n",
    )
    report = build_network(network)
    assert report.ok, report.log
    out = network / "output" / "alpha"
    atom = "{http://www.w3.org/2005/Atom}"
    for sub, base in (
        (out, "https://alpha.example.org"),
        (out / "en", "https://alpha.example.org/en"),
    ):
        feed = ET.parse(sub / "feeds" / "all.atom.xml").getroot()
        self_link = [x.get("href") for x in feed.iter(f"{atom}link") if x.get("rel") == "self"]
        assert self_link == [f"{base}/feeds/all.atom.xml"]
        entries = [e.find(f"{atom}link").get("href") for e in feed.iter(f"{atom}entry")]
        assert entries
        for href in entries:
            assert href.startswith(base + "/")
            assert (sub / href[len(base) + 1 :]).is_file()
        home = read(sub / "index.html")
        assert 'type="application/atom+xml" href="./feeds/all.atom.xml"' in home
        assert list((sub / "feeds").glob("category-*.atom.xml"))
    # the pages themselves keep relative links
    assert 'href="./index.html"' in read(out / "en" / "index.html")
    # the 404 page, shown at any depth by a web server, anchors its links to the site
    not_found = read(out / "en" / "404.html")
    assert '<base href="https://alpha.example.org/en/">' in not_found
    assert not_found.index("<base") < not_found.index("stylesheet")
    # without a web address its styles are in the page: a link relative to a missing
    # address (/beta/tag/old.html) would find no stylesheet
    beta_not_found = read(network / "output/beta/404.html")
    assert "<base" not in beta_not_found and 'rel="stylesheet"' not in beta_not_found
    css = (REPO / "themes/gardarika/static/css/main.css").read_text(encoding="utf-8")
    assert f"<style>{css}</style>" in beta_not_found


def test_build_works_with_only_the_c_locale(network: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "LANG": "C", "HOME": str(network)}
    done = subprocess.run(
        [sys.executable, "-m", "gardarika", "--root", str(network), "build"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    article = next(
        p for p in (network / "output/alpha").glob("*.html") if "Ярмарка ремёсел</h1>" in read(p)
    )
    assert "5 мая 2024" in read(article)
    assert "May 5, 2024" in read(network / "output/alpha/en" / article.name)


def test_a_made_summary_leaves_the_pictures_to_the_article(network: Path, build_network) -> None:
    """An article without ``Summary:`` used to carry its full-width photo into the home
    page's list (the home became the heaviest page)."""
    shutil.copy(
        REPO / "content/vyborg/images/castle-sunset.jpg",
        network / "content/alpha/images/castle.jpg",
    )
    write(
        network / "content/alpha/articles/photo.md",
        "Title: Закат над замком\nDate: 2024-10-10 10:00\n\n"
        "![Замок на закате]({static}/images/castle.jpg)\n\nВечером над замком.\n",
    )
    report = build_network(network)
    assert report.ok, report.log
    home = read(network / "output/alpha/index.html")
    photo = home[home.index("Закат над") : home.index("Вечером")]
    assert "<img" not in photo and "<figure" not in photo
    assert "<img" in read(network / "output/alpha/zakat-nad-zamkom.html")
