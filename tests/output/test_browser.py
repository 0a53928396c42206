"""A reader's walk through the demo network in a real headless Chromium (Debian's
``chromium`` package, driven by Playwright; no browser is ever downloaded), from disk
over ``file://`` and from a web server under a sub-folder.

Every page must load with its stylesheet applied and its pictures shown, and the browser
must make no request outside the output folder and have no request fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import chromium

from gardarika.preview.serve import make_server

playwright_api = pytest.importorskip("playwright.sync_api")

HEADER_COLOUR = "rgb(18, 53, 91)"  # .site-header in themes/gardarika/static/css/main.css


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


class Walk:
    """A page that records every request and checks every page it lands on."""

    def __init__(self, browser: object, allowed_prefix: str):
        self.context = browser.new_context(viewport={"width": 1024, "height": 800})
        self.page = self.context.new_page()
        self.allowed = allowed_prefix
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", self._failed)
        self.page.on(
            "response",
            lambda r: r.status >= 400 and self.failures.append(f"{r.url} HTTP {r.status}"),
        )
        self.visited: list[str] = []

    def _failed(self, request: object) -> None:
        # a lazy picture that scrolling to a link started and the click's navigation
        # cancelled is no failure (a picture that does not load is found by landed())
        if request.resource_type == "image" and "ERR_ABORTED" in str(request.failure):
            return
        self.failures.append(f"{request.url} {request.failure}")

    def landed(self, url_end: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        assert page.url.endswith(url_end), (page.url, url_end)
        self.visited.append(page.url)
        assert page.locator("h1").count() == 1, page.url
        styled = page.evaluate(
            "() => { const h = document.querySelector('.site-header');"
            " return h ? getComputedStyle(h).backgroundColor : null; }"
        )
        assert styled == HEADER_COLOUR, (page.url, styled)
        broken = page.evaluate(
            "() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
            ".map(i => i.src)"
        )
        assert broken == [], (page.url, broken)

    def click(self, selector: str) -> str:
        link = self.page.locator(selector).first
        href = link.get_attribute("href")
        assert href, selector
        with self.page.expect_navigation():
            link.click()
        return href

    def close(self) -> None:
        self.context.close()


def walk_network(browser: object, start: str, allowed_prefix: str) -> Walk:
    """Portal -> town -> article -> other language -> category -> tag -> page 2 -> portal."""
    walk = Walk(browser, allowed_prefix)
    page = walk.page
    page.goto(start)
    # the portal's pictures load lazily: leaving before they are in would cancel them,
    # which the walk would count as failed requests
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("index.html") and page.locator("h1").count() == 1
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
    walk.visited.append(page.url)

    walk.click('a[href="vyborg/index.html"]')
    walk.landed("/vyborg/index.html")
    assert page.evaluate("document.documentElement.lang") == "ru"

    # the first article that has an English translation
    for index in range(page.locator("article.summary h2 a").count()):
        article = walk.click(f"article.summary >> nth={index} >> h2 a")
        walk.landed("/vyborg/" + article.split("/")[-1])
        if page.locator('link[rel="alternate"][hreflang="en"]').count():
            break
        page.go_back()
        page.wait_for_load_state("load")
    else:
        pytest.fail("no translated article on the first page of vyborg")

    walk.click('nav.languages a[hreflang="en"]')
    walk.landed("/vyborg/en/" + article.split("/")[-1])
    assert page.evaluate("document.documentElement.lang") == "en"

    walk.click('.entry-header .meta a[href*="category/"]')
    walk.landed(".html")
    assert "/vyborg/en/category/" in page.url
    page.go_back()
    page.wait_for_load_state("load")

    walk.click(".entry-footer .tags a")
    walk.landed(".html")
    assert "/vyborg/en/tag/" in page.url

    walk.click('nav.site-nav a[href$="index.html"]')
    walk.landed("/vyborg/en/index.html")
    walk.click(".pagination-next a")
    walk.landed("/vyborg/en/index_2.html")

    # back to the portal, in the page's language
    walk.click(".footer-portal a")
    page.wait_for_load_state("networkidle")  # its lazy pictures, as at the start
    assert page.url == start.removesuffix("index.html") + "index-en.html"
    assert page.locator("h1").count() == 1
    return walk


def assert_stayed_inside(walk: Walk) -> None:
    outside = [
        u for u in walk.requests if not u.startswith(walk.allowed) and not u.startswith("data:")
    ]
    assert outside == []
    assert walk.failures == []
    assert any(u.endswith("/theme/css/main.css") for u in walk.requests)
    assert len(walk.visited) >= 8


def test_walk_from_disk(browser: object, demo_output: Path) -> None:
    prefix = demo_output.as_uri() + "/"
    walk = walk_network(browser, prefix + "index.html", prefix)
    try:
        assert_stayed_inside(walk)
    finally:
        walk.close()


def test_walk_over_http_in_a_sub_folder(browser: object, demo_output: Path, tmp_path: Path) -> None:
    (tmp_path / "some").mkdir()
    # hard-linked, not a symbolic link: the preview refuses links leading out of its folder
    shutil.copytree(demo_output, tmp_path / "some" / "prefix", copy_function=os.link)
    server = make_server(tmp_path, port=0)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    prefix = f"http://127.0.0.1:{port}/some/prefix/"
    try:
        walk = walk_network(browser, prefix + "index.html", prefix)
        try:
            assert_stayed_inside(walk)
        finally:
            walk.close()
    finally:
        server.shutdown()
        server.server_close()


def test_article_screenshot_is_laid_out(browser: object, demo_output: Path, tmp_path: Path) -> None:
    """The stylesheet is applied: a dark header band, a light text column, centred."""
    from PIL import Image

    article = next(
        p
        for p in (demo_output / "vyborg").glob("*.html")
        if "entry-content" in p.read_text(encoding="utf-8")
    )
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.goto(article.as_uri())
    page.wait_for_load_state("load")
    shot = tmp_path / "article.png"  # kept out of git: a temporary folder
    page.screenshot(path=str(shot))
    context.close()
    image = Image.open(shot).convert("RGB")
    assert image.size == (1024, 900)
    header = image.getpixel((5, 5))
    assert header == (18, 53, 91)
    body = image.getpixel((5, 880))
    assert min(body) > 230  # light page background below the header
    # the text column is centred with margins: the far left of the body stays empty
    column = image.crop((0, 400, 120, 880)).getcolors(16)
    assert column is not None and len(column) <= 3
    # and the column holds text: many shades from anti-aliased letters
    assert image.crop((120, 150, 900, 400)).getcolors(20) is None


def test_live_preview_reloads_the_open_page(browser: object, network: Path) -> None:
    from projects import write

    from gardarika.preview.live import LivePreview

    preview = LivePreview(network, "alpha", port=0, interval=0.2)
    preview.start()
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(preview.url)
        page.wait_for_load_state("load")
        assert "Обновлённая новость" not in page.content()
        write(
            network / "content/alpha/articles/update.md",
            "Title: Обновлённая новость\nDate: 2024-10-10 10:00\n\nТекст.\n",
        )
        page.wait_for_function(
            "() => document.body.innerText.replace(/\\u00a0/g, ' ')"
            ".includes('Обновлённая новость')",
            timeout=60_000,
        )
        write(
            network / "content/alpha/articles/update.md",
            "Title: Обновлённая новость\nDate: неизвестно\n\nТекст.\n",
        )
        page.wait_for_selector("#gardarika-live-problems", timeout=60_000)
        assert "update.md:2" in page.inner_text("#gardarika-live-problems")
    finally:
        context.close()
        preview.stop()


def test_search_from_disk_finds_other_word_forms(browser: object, demo_output: Path) -> None:
    """ "субботники" is in no article, but "субботник" and "субботнике" are: both are found,
    the words are marked, a result opens, and nothing is requested outside the output."""
    import re

    articles = {}
    for page in (demo_output / "vyborg").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        if re.search(r"[Сс]убботник", html) and "entry-content" in html:
            articles[page.name] = html
    assert articles and not any("субботники" in html.lower() for html in articles.values())

    prefix = demo_output.as_uri() + "/"
    walk = Walk(browser, prefix)
    page = walk.page
    try:
        page.goto(prefix + "vyborg/index.html")
        page.fill("#site-search-query", "субботники")
        # the box's first results: its index and scripts have loaded (Enter pressed
        # before that cancels their loading, which Chromium reports as a failed request)
        page.wait_for_selector("#site-search-results li")
        with page.expect_navigation():
            page.press("#site-search-query", "Enter")
        assert page.url.endswith(
            "/vyborg/search.html?q=%D1%81%D1%83%D0%B1%D0%B1%D0%BE%D1%82%D0%BD%D0%B8%D0%BA%D0%B8"
        )
        page.wait_for_selector("#search-results li")
        links = page.eval_on_selector_all(
            "#search-results li > a", "links => links.map(a => a.getAttribute('href'))"
        )
        assert set(articles) <= set(links), links
        assert page.locator("#search-results mark").count() >= len(articles)
        assert page.locator(".search-date").count() >= 1
        # typing: a prefix finds results before the word is complete
        page.fill("#search-query", "")
        page.type("#search-query", "суббот", delay=20)
        page.wait_for_function("() => document.querySelectorAll('#search-results li').length >= 2")
        first = page.locator("#search-results li > a").first
        target = first.get_attribute("href")
        with page.expect_navigation():
            first.click()
        walk.landed("/vyborg/" + target)
        outside = [
            u for u in walk.requests if not u.startswith(prefix) and not u.startswith("data:")
        ]
        assert outside == [] and walk.failures == []
    finally:
        walk.close()


def test_the_header_box_shows_results_as_words_are_typed(
    browser: object, demo_output: Path
) -> None:
    """On a page in a sub-folder the header's box loads the town's index only once it is
    used, then lists the first results under the box as the word is typed (a prefix of
    it is enough); a result opens its article, Escape closes the list, and nothing is
    requested outside the output."""
    category = sorted((demo_output / "vyborg" / "category").glob("*.html"))[0]
    prefix = demo_output.as_uri() + "/"
    walk = Walk(browser, prefix)
    page = walk.page
    try:
        page.goto(category.as_uri())
        assert page.evaluate("() => window.GARDARIKA_SEARCH === undefined")
        assert not any(url.endswith("search-index.js") for url in walk.requests)
        assert page.locator("#site-search-results").is_hidden()
        page.type("#site-search-query", "суббот", delay=20)
        page.wait_for_selector("#site-search-results li a")
        assert page.locator("#site-search-results").is_visible()
        assert any(url.endswith("/vyborg/search-index.js") for url in walk.requests)
        assert "Найдено" in page.inner_text("#site-search-results [role=status]")
        hrefs = page.eval_on_selector_all(
            "#site-search-results li a", "links => links.map(a => a.getAttribute('href'))"
        )
        assert hrefs and all(href.startswith("../") for href in hrefs), hrefs
        page.press("#site-search-query", "Escape")
        assert page.locator("#site-search-results").is_hidden()
        page.type("#site-search-query", "н", delay=20)
        page.wait_for_selector("#site-search-results li a")
        page.fill("#site-search-query", "")
        page.type("#site-search-query", "субботник", delay=20)
        page.wait_for_selector("#site-search-results li a")
        target = page.locator("#site-search-results li a").first.get_attribute("href")
        with page.expect_navigation():
            page.locator("#site-search-results li a").first.click()
        walk.landed("/vyborg/" + target.removeprefix("../"))
        outside = [
            u for u in walk.requests if not u.startswith(prefix) and not u.startswith("data:")
        ]
        assert outside == [] and walk.failures == []
    finally:
        walk.close()


def test_without_javascript_there_is_no_search_box_and_one_way_to_the_archives(
    browser: object, demo_output: Path
) -> None:
    """Search needs JavaScript: without it no box is shown that finds nothing (a text
    browser ignores ``hidden``, so there is no form in the page at all), and the header
    does not name the archives twice."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto((demo_output / "vyborg" / "index.html").as_uri())
        assert page.locator("header input, header form").count() == 0
        assert page.locator('header a[href="./archives.html"]').count() == 1
        page.goto((demo_output / "vyborg" / "search.html").as_uri())
        assert page.locator("noscript").count() == 1
        assert page.locator("form").count() == 0
        html = (demo_output / "vyborg" / "search.html").read_text(encoding="utf-8")
        assert "<form" not in html and "<input" not in html
    finally:
        context.close()


def test_the_search_page_has_one_search_box(browser: object, demo_output: Path) -> None:
    page = browser.new_page()
    try:
        page.goto((demo_output / "vyborg" / "search.html").as_uri())
        page.wait_for_selector("#search-query")
        assert page.locator("input[type=search]").count() == 1
        assert page.locator("#site-search").count() == 0
    finally:
        page.close()


def test_on_a_phone_the_title_is_on_the_first_screen(browser: object, demo_output: Path) -> None:
    """On a 375 px phone the header filled half the first screen (the title started near
    400 px): the article's title must start within the top 300 px."""
    context = browser.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    try:
        for town in ("vyborg", "staraya-ladoga", "kargopol"):
            article = next(
                p
                for p in sorted((demo_output / town).glob("*.html"))
                if "entry-content" in p.read_text(encoding="utf-8")
            )
            page.goto(article.as_uri())
            box = page.locator("main h1").first.bounding_box()
            assert box is not None and box["y"] < 300, (town, box)
    finally:
        context.close()


def test_print_shows_the_text_and_the_addresses_of_its_links(
    browser: object, demo_output: Path
) -> None:
    """On paper: no search box or menus, a readable subtitle, and each link of the text
    followed by its address (a printed link is otherwise lost)."""
    page = browser.new_page()
    try:
        article = next(
            p
            for p in sorted((demo_output / "vyborg").glob("*.html"))
            if 'href="https://ru.wikipedia.org' in p.read_text(encoding="utf-8")
        )
        page.goto(article.as_uri())
        page.emulate_media(media="print")
        assert page.locator("#site-search").evaluate("e => getComputedStyle(e).display") == ("none")
        colour = page.locator(".site-subtitle").evaluate("e => getComputedStyle(e).color")
        assert colour == "rgb(0, 0, 0)"
        link = page.locator('.entry-content a[href^="https://ru.wikipedia.org"]').first
        after = link.evaluate("e => getComputedStyle(e, '::after').content")
        assert "https://ru.wikipedia.org/wiki/" in after
    finally:
        page.close()


def test_walk_from_a_package(browser: object, demo_output: Path, tmp_path: Path) -> None:
    """The folder `invoke package` makes for a USB stick passes the same walk."""
    import datetime as dt

    from projects import REPO

    from gardarika.publish.manifest import verify
    from gardarika.publish.package import package

    result = package(REPO, today=dt.date(2026, 11, 28), dist=tmp_path / "dist", output=demo_output)
    assert verify(result.folder).ok
    prefix = result.folder.as_uri() + "/"
    walk = walk_network(browser, prefix + "index.html", prefix)
    try:
        assert_stayed_inside(walk)
    finally:
        walk.close()
