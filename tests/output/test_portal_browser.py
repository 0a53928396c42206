"""The network's portal in a real headless Chromium (Debian's ``chromium``), opened
from disk over ``file://``: the newest articles of several towns, one search over every
town, the way back from a town, and nothing requested outside the output folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import axe_script, chromium, serious_violations

pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


class Visit:
    """A page that records every request and every failure."""

    def __init__(self, browser: object, output: Path, width: int = 1024):
        self.prefix = output.as_uri() + "/"
        self.context = browser.new_context(viewport={"width": width, "height": 800})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", self._failed)
        self.page.on("pageerror", lambda e: self.failures.append(f"script error: {e}"))

    def _failed(self, request: object) -> None:
        # a lazy picture a click's navigation cancelled is no failure
        if request.resource_type == "image" and "ERR_ABORTED" in str(request.failure):
            return
        self.failures.append(f"{request.url} {request.failure}")

    def outside(self) -> list[str]:
        return [u for u in self.requests if not u.startswith((self.prefix, "data:"))]

    def close(self) -> None:
        self.context.close()


def test_the_portal_shows_the_newest_articles_of_several_towns(
    browser: object, demo_output: Path
) -> None:
    visit = Visit(browser, demo_output)
    page = visit.page
    try:
        page.goto(visit.prefix + "index.html")
        items = page.locator(".news-item")
        assert items.count() >= 6
        towns = set(
            page.eval_on_selector_all(
                ".news-item .news-meta", "ps => ps.map(p => p.textContent.split(' · ')[0].trim())"
            )
        )
        assert {"Выборг", "Старая Ладога", "Каргополь"} <= towns
        broken = page.evaluate(
            "() => [...document.images].filter(i => i.loading !== 'lazy' || i.complete)"
            ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        assert broken == []
        first = page.locator(".news-item .news-title a").first
        href = first.get_attribute("href")
        with page.expect_navigation():
            first.click()
        assert page.url == visit.prefix + href
        assert page.locator("main h1").count() == 1
        # and back to the portal from the town's page
        with page.expect_navigation():
            page.locator(".network-bar .network-home").click()
        assert page.url == visit.prefix + "index.html"
        assert visit.outside() == [] and visit.failures == []
    finally:
        visit.close()


@pytest.mark.parametrize(
    ("start", "query", "towns"),
    [
        ("index.html", "ярмарки", {"staraya-ladoga", "vyborg"}),
        ("index-en.html", "fairs", {"staraya-ladoga", "vyborg"}),
    ],
)
def test_one_search_finds_articles_of_two_towns_from_disk(
    browser: object, demo_output: Path, start: str, query: str, towns: set[str]
) -> None:
    """The index of every town is loaded only when the box is used, another form of the
    word is found, each result names its town, and a result opens its page."""
    visit = Visit(browser, demo_output)
    page = visit.page
    try:
        page.goto(visit.prefix + start)
        assert not any("search-index.js" in u for u in visit.requests)  # not up front
        page.fill("#network-search-query", query)
        page.wait_for_selector("#network-search-results li")
        hrefs = page.eval_on_selector_all(
            "#network-search-results li > a", "links => links.map(a => a.getAttribute('href'))"
        )
        found = {href.split("/", 1)[0] for href in hrefs}
        assert towns <= found, hrefs
        assert page.locator("#network-search-results .search-town").count() == len(hrefs)
        assert page.locator("#network-search-results mark").count() >= 1
        for href in hrefs:
            assert (demo_output / href).is_file(), href
        with page.expect_navigation():
            page.locator("#network-search-results li > a").first.click()
        assert page.url == visit.prefix + hrefs[0]
        assert visit.outside() == [] and visit.failures == []
    finally:
        visit.close()


def test_on_a_phone_the_network_line_leaves_the_article_on_the_first_screen(
    browser: object, demo_output: Path
) -> None:
    visit = Visit(browser, demo_output, width=375)
    page = visit.page
    try:
        article = next(
            p
            for p in sorted((demo_output / "vyborg").glob("*.html"))
            if "entry-content" in p.read_text(encoding="utf-8")
        )
        page.goto(article.as_uri())
        bar = page.locator(".network-bar").bounding_box()
        assert bar is not None and bar["height"] < 60, bar
        # the neighbours open over the page, on demand
        page.locator(".network-neighbours summary").click()
        neighbour = page.locator(".network-neighbours li a").first
        assert neighbour.is_visible()
        assert page.locator("main h1").first.bounding_box()["y"] < 300
    finally:
        visit.close()


@pytest.mark.parametrize("start", ["index.html", "index-en.html"])
def test_the_portal_has_no_serious_accessibility_problem(
    browser: object, demo_output: Path, start: str
) -> None:
    script = axe_script()
    visit = Visit(browser, demo_output)
    page = visit.page
    try:
        page.goto(visit.prefix + start)
        assert serious_violations(page, script) == []
        page.fill("#network-search-query", "ярмарка" if start == "index.html" else "fair")
        page.wait_for_selector("#network-search-results li")
        assert serious_violations(page, script) == []
    finally:
        visit.close()
