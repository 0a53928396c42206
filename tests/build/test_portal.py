"""The network's portal (issue 20): the newest articles of every town, a page per
language, the towns with their pictures, the network's feeds; made again when a town's
news change, and only of what is published."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from projects import write

from gardarika.errors import GardarikaError
from gardarika.render import news


def html(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def links(page: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', page)


def news_section(page: str) -> str:
    start = page.index('class="portal-news"')
    return page[start : page.index("</section>", start)]


def test_the_newest_articles_of_every_town_in_each_language(network: Path, build_network) -> None:
    assert build_network(network).ok
    out = network / "output"
    ru = news_section(html(out / "index.html"))
    # beta's news (Russian only) and alpha's Russian articles, newest first
    titles = re.findall(r'<p class="news-title"><a href="([^"]+)">([^<]+)<', ru)
    assert {t for _, t in titles} >= {"Ярмарка ремёсел", "Объявление только по-русски"}
    assert any(u.startswith("beta/") for u, _ in titles)
    assert any(u.startswith("alpha/") for u, _ in titles)
    dates = re.findall(r'<time datetime="([^"]+)"', ru)
    assert dates == sorted(dates, reverse=True)
    for url, _ in titles:
        assert (out / url).is_file(), url
    assert "Тестовая сеть" not in ru and "Альфа" in ru  # each item names its town
    # the English page: alpha's English articles only (beta has no English)
    en = news_section(html(out / "index-en.html"))
    english = re.findall(r'<p class="news-title"><a href="([^"]+)">([^<]+)<', en)
    assert {t for _, t in english} == {"Craft fair", "Note for visitors"}
    assert all(u.startswith("alpha/en/") for u, _ in english)
    # the fair has a picture: its small copy (or itself) in alpha's shared images
    picture = re.search(r'<img src="(alpha/images/potter[^"]*)"', html(out / "index-en.html"))
    assert picture and (out / picture.group(1)).is_file()


def test_a_town_that_never_built_is_not_on_the_portal(network: Path, build_network) -> None:
    write(network / "content" / "beta" / "broken.md", "Title: Сломано\nDate: не дата\n\nТекст.")
    report = build_network(network)
    assert not report.ok
    page = html(network / "output" / "index.html")
    assert "beta/" not in page and "alpha/index.html" in page


def test_a_failed_build_keeps_the_towns_last_news(network: Path, build_network) -> None:
    assert build_network(network).ok
    before = news_section(html(network / "output" / "index.html"))
    write(network / "content" / "beta" / "broken.md", "Title: Сломано\nDate: не дата\n\nТекст.")
    assert not build_network(network).ok
    assert news_section(html(network / "output" / "index.html")) == before


def test_one_town_changed_remakes_the_portal_with_its_news(network: Path, build_network) -> None:
    assert build_network(network).ok
    out = network / "output"
    page = out / "index.html"
    os.utime(page, (1, 1))
    assert build_network(network).ok  # nothing changed: the portal is not written again
    assert page.stat().st_mtime == 1
    write(
        network / "content" / "beta" / "news-9.md",
        "Title: Совсем свежая новость\nDate: 2026-01-15 10:00\n\nТекст новости.",
    )
    report = build_network(network)
    assert report.ok, report.log
    assert "beta" in report.built and "alpha" not in report.built
    first = re.search(r'<p class="news-title"><a href="([^"]+)">([^<]+)<', html(page))
    assert first and first.group(2) == "Совсем свежая новость"
    assert (out / first.group(1)).is_file()


def test_a_portal_page_per_language_with_a_switch(network: Path, build_network) -> None:
    assert build_network(network).ok
    out = network / "output"
    ru, en = html(out / "index.html"), html(out / "index-en.html")
    assert '<html lang="ru"' in ru and '<html lang="en"' in en
    assert ru.count("<h1") == 1 and en.count("<h1") == 1
    assert '<a href="index-en.html" lang="en" hreflang="en">' in ru
    assert '<a href="index.html" lang="ru" hreflang="ru">' in en
    # a town without English is linked in its own language from the English page
    assert re.search(r'href="beta/index.html" hreflang="ru" lang="ru"', en)
    # the network's search over every town, loaded only when the box is used
    box = re.search(r'data-towns="([^"]+)"', ru)
    assert box
    towns = json.loads(box.group(1).replace("&#34;", '"'))
    assert [t[1] for t in towns] == ["beta/search-index.js", "alpha/search-index.js"]
    assert [
        t[1]
        for t in json.loads(re.search(r'data-towns="([^"]+)"', en).group(1).replace("&#34;", '"'))
    ] == ["alpha/en/search-index.js"]
    for town in towns:
        assert (out / town[1]).is_file()
    assert "search-index.js" not in ru.split('data-towns="')[0]  # not loaded up front


def test_every_town_page_links_back_to_the_portal_in_its_language(
    network: Path, build_network
) -> None:
    assert build_network(network).ok
    out = network / "output"
    en = html(out / "alpha" / "en" / "index.html")
    bar = en[en.index('class="network-bar"') : en.index('class="site-header"')]
    assert 'href="./../../index-en.html"' in bar or 'href="../../index-en.html"' in bar
    assert "Test network" in bar
    ru = html(out / "beta" / "index.html")
    bar = ru[ru.index('class="network-bar"') : ru.index('class="site-header"')]
    assert re.search(r'href="(\./)?\.\./index\.html"', bar)


def test_feeds_of_the_whole_network_with_a_base_url(network: Path, build_network) -> None:
    assert build_network(network).ok
    out = network / "output"
    assert not (out / "feeds").exists()  # no base_url: nowhere to point a feed at
    with (network / "sites" / "network.yaml").open("a", encoding="utf-8") as conf:
        conf.write("base_url: https://towns.example.org/net/\n")
    assert build_network(network).ok
    feed = out / "feeds" / "network-ru.atom.xml"
    root = SafeET.parse(feed).getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    titles = [e.find("a:title", ns).text for e in entries]
    assert "Бета: Новость 1" in titles and "Альфа: Ярмарка ремёсел" in titles
    for entry in entries:
        link = entry.find("a:link", ns).get("href")
        assert link.startswith("https://towns.example.org/net/")
        assert (out / link.removeprefix("https://towns.example.org/net/")).is_file()
    en = SafeET.parse(out / "feeds" / "network-en.atom.xml").getroot()
    assert {e.find("a:title", ns).text for e in en.findall("a:entry", ns)} == {
        "Alpha: Craft fair",
        "Alpha: Note for visitors",
    }
    assert 'href="feeds/network-ru.atom.xml"' in html(out / "index.html")
    # the base_url taken away: the feeds go too
    conf = network / "sites" / "network.yaml"
    conf.write_text(conf.read_text(encoding="utf-8").replace("base_url", "#"), encoding="utf-8")
    assert build_network(network).ok
    assert not feed.exists()


def test_a_towns_picture_on_the_portal(network: Path, build_network) -> None:
    with (network / "sites" / "alpha.yaml").open("a", encoding="utf-8") as conf:
        conf.write("image: images/potter.png\n")
    assert build_network(network).ok
    towns = html(network / "output" / "index.html").split('class="portal-towns"')[1]
    picture = re.search(r'<img src="(alpha/images/potter[^"]*)"', towns)
    assert picture and (network / "output" / picture.group(1)).is_file()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("../beta/x.png", "not a picture in the town's folder"),
        ("/etc/x.png", "not a picture in the town's folder"),
        ("images/.hidden.png", "not a picture in the town's folder"),
        ("images/notes.txt", "not a picture in the town's folder"),
        ("images/missing.png", "is not in the town's folder"),
    ],
)
def test_a_towns_picture_must_be_one_of_its_files(network: Path, value: str, says: str) -> None:
    from gardarika.config.network import load_town

    with (network / "sites" / "alpha.yaml").open("a", encoding="utf-8") as conf:
        conf.write(f"image: {value!r}\n")
    with pytest.raises(GardarikaError) as caught:
        load_town(network / "sites" / "alpha.yaml", network)
    problems = caught.value.problems
    assert any(says in p.en and p.line for p in problems), [p.en for p in problems]
    assert all(p.ru for p in problems)


def test_news_that_leads_outside_the_town_is_not_shown(network: Path, build_network) -> None:
    """Even a news file changed after the build (by anyone) links only inside its town."""
    assert build_network(network).ok
    out = network / "output"
    path = out / "beta" / news.FILE
    items = news.load(path)
    items[0]["url"] = "../alpha/index.html"
    items[1]["picture"] = "../alpha/images/potter.png"
    news.save(path, "ru", items)
    from gardarika.build.portal import town_news
    from gardarika.config.network import load_network

    shown = town_news(load_network(network), out, "ru", 50)
    assert all(i["url"].startswith(("alpha/", "beta/")) for i in shown)
    assert not any(i["url"] == "alpha/index.html" for i in shown)
    assert not any(i["picture"].startswith("alpha/") and i["town"] == "beta" for i in shown)


def test_one_busy_town_cannot_fill_the_front_page(network: Path, build_network) -> None:
    for day in range(1, 10):
        write(
            network / "content" / "alpha" / "articles" / f"busy-{day}.md",
            f"Title: Занятая новость {day}\nDate: 2026-02-0{day} 10:00\n\nТекст {day}.",
        )
    assert build_network(network).ok
    items = news_section(html(network / "output" / "index.html"))
    towns = re.findall(r'<p class="news-title"><a href="(\w+)/', items)
    assert towns.count("alpha") == 4 and "beta" in towns


def test_news_dated_ahead_is_not_news(network: Path, build_network) -> None:
    assert build_network(network).ok
    from gardarika.build.portal import town_news
    from gardarika.config.network import load_network

    out = network / "output"
    path = out / "beta" / news.FILE
    items = news.load(path)
    items[0]["date"] = "2999-01-01T00:00:00+00:00"
    items[1]["date"] = "0001-01-01T00:00:00+23:59"
    news.save(path, "ru", items)
    shown = [i["title"] for i in town_news(load_network(network), out, "ru", 50)]
    assert items[0]["title"] not in shown
