"""Red team: the network portal (issue 20).

What was attacked: the news each town's run publishes (``network-news.json``, plugin
``network_news``), the portal's pages (``output/index.html``, ``index-<lang>.html``),
the towns' pictures (``image:`` in ``sites/<town>.yaml``), the network search
(``networksearch.js`` with its ``data-towns``), the network's Atom feeds and the output
check's rule for the news files. Editors are not trusted: they write Markdown and their
town's settings. A news file in ``output/`` is also treated as hostile (hand-edited,
copied from another build or damaged).

Every test asserts the safe behaviour. The tests under "problems found" failed when this
round found them (nine problems: markup in the feeds' summaries, control characters and
lone surrogates that stopped the portal or made a feed unreadable, deeply nested or giant
news files, double-escaped town names in the search, a picture address leading into
another town, raw control characters in the check's messages) and pass since the fixes;
the others are cases checked and found safe.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import subprocess
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

import defusedxml.ElementTree as SafeET
import pytest
from projects import PNG, REPO, add_alpha, add_beta, write
from selectolax.lexbor import LexborHTMLParser

from gardarika.build.portal import render_portal, town_news
from gardarika.checks.output import check_output
from gardarika.checks.scripts import news_dangers
from gardarika.config.network import load_network, load_town
from gardarika.errors import GardarikaError
from gardarika.render import news

ATOM = {"a": "http://www.w3.org/2005/Atom"}
BASE = "https://towns.example.org/net"
#: the only script a portal page may load
PORTAL_SCRIPTS = {"theme/js/networksearch.js"}
#: the elements the portal's template writes; anything else came from a text
PORTAL_TAGS = {
    "-text",
    "html",
    "head",
    "body",
    "meta",
    "title",
    "link",
    "style",
    "script",
    "a",
    "nav",
    "ul",
    "li",
    "span",
    "div",
    "p",
    "h1",
    "h2",
    "section",
    "main",
    "header",
    "footer",
    "img",
    "time",
}


# --- a network to attack -----------------------------------------------------------------


def _new_network(root: Path) -> Path:
    """The same two towns as the ``network`` fixture (alpha ru+en, beta ru)."""
    (root / "sites").mkdir(parents=True)
    (root / "content").mkdir()
    (root / "themes").symlink_to(REPO / "themes")
    (root / "plugins").mkdir()
    for plugin in (REPO / "plugins").iterdir():
        if not plugin.name.startswith((".", "__")):
            (root / "plugins" / plugin.name).symlink_to(plugin)
    write(
        root / "sites" / "network.yaml",
        """
        name:
          ru: Тестовая сеть
          en: Test network
        order: [beta, alpha]
        """,
    )
    add_alpha(root)
    add_beta(root)
    return root


def _build(root: Path, towns: list[str] | None = None) -> object:
    from gardarika.build.builder import Builder

    lines: list[str] = []
    report = Builder(root, jobs=2, echo=lines.append).build(towns)
    report.log = "\n".join(lines)  # type: ignore[attr-defined]
    return report


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two towns built once for the tests that only change the output afterwards."""
    root = _new_network(tmp_path_factory.mktemp("portal") / "net")
    report = _build(root)
    assert report.ok, report.log  # type: ignore[attr-defined]
    return root


@pytest.fixture
def site(built_once: Path, tmp_path: Path) -> Path:
    """A copy of the built network of its own (its links to the themes kept as links)."""
    copy = tmp_path / "net"
    shutil.copytree(built_once, copy, symlinks=True)
    return copy


def _add_base_url(root: Path, url: str = BASE) -> None:
    with (root / "sites" / "network.yaml").open("a", encoding="utf-8") as conf:
        conf.write(f"base_url: {url}\n")


def _portal(root: Path) -> Path:
    render_portal(load_network(root), root / "output")
    return root / "output" / "index.html"


def _item(**changes: str) -> dict[str, str]:
    """A valid news entry of beta (its first article), changed as given."""
    entry = {
        "title": "Новость",
        "url": "novost-0.html",
        "date": "2024-01-10T00:00:00+03:00",
        "shown_date": "10 января 2024 г.",
        "summary": "Текст.",
        "picture": "",
    }
    entry.update(changes)
    return entry


def _put_news(root: Path, items: list[dict[str, str]], town: str = "beta") -> Path:
    path = root / "output" / town / news.FILE
    path.write_text(
        json.dumps({"version": 1, "lang": "ru", "items": items}, ensure_ascii=True),
        encoding="utf-8",
    )
    return path


# --- what a safe page looks like ---------------------------------------------------------


def _inside(out: Path, page: Path, url: str) -> bool:
    """``url`` found in ``page`` is a relative address of an existing file in ``out``."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("/", "\\")) or "\\" in url:
        return False
    if not parts.path:
        return url.startswith("#")
    target = Path(os.path.normpath(page.parent / unquote(parts.path)))
    return target.is_relative_to(out.resolve()) and target.is_file()


def _safe_page(out: Path, page: Path, tags: set[str] | None = PORTAL_TAGS) -> LexborHTMLParser:
    """Parse ``page`` as a browser does; fail on any element or attribute a text could
    have brought in, and on any link that leaves ``output/`` or leads nowhere."""
    out = out.resolve()
    page = page.resolve()
    tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
    for node in tree.root.traverse(include_text=False):
        if tags is not None:
            assert node.tag in tags, f"{page.name}: unexpected <{node.tag}>"
        attributes = node.attributes
        assert not [k for k in attributes if k.lower().startswith("on")], node.html
        if node.tag == "script":
            assert attributes.get("src") in PORTAL_SCRIPTS, node.html
            assert not (node.text(deep=True) or "").strip(), node.html
        for key in ("href", "src"):
            value = attributes.get(key)
            if value is not None and not (node.tag == "link" and value.startswith("data:,")):
                assert _inside(out, page, value), f"{page.name}: {node.tag} {key}={value!r}"
    return tree


def _feed(out: Path, lang: str = "ru") -> object:
    return SafeET.parse(out / "feeds" / f"network-{lang}.atom.xml").getroot()


def _no_control(text: str) -> bool:
    return not any(unicodedata.category(c) in ("Cc", "Cs") for c in text if c not in "\n\t")


# --- safe: what editors write --------------------------------------------------------------

HOSTILE_TITLE = (
    "Тревога &lt;script&gt;alert(1)&lt;/script&gt; \"кавычки\" 'апостроф' "
    "&lt;/title&gt;&lt;!-- ]]&gt; \u2028конец"
)
HOSTILE_SUMMARY = "&lt;img src=x onerror=alert(1)&gt; &lt;/p&gt;&lt;script&gt;x&lt;/script&gt;"


def test_markup_in_an_articles_title_and_summary_stays_text(network: Path, build_network) -> None:
    write(
        network / "content" / "alpha" / "articles" / "alarm.md",
        f"Title: {HOSTILE_TITLE}\nDate: 2025-02-01 10:00\nSummary: {HOSTILE_SUMMARY}\n\nТекст.\n",
    )
    report = build_network(network)
    assert report.ok, report.log
    out = network / "output"
    tree = _safe_page(out, out / "index.html")
    titles = [a.text(deep=True) for a in tree.css(".news-title a")]
    assert any("<script>alert(1)</script>" in t and "<!--" in t for t in titles), titles
    summaries = [p.text(deep=True) for p in tree.css(".news-summary")]
    assert any("<img src=x onerror=alert(1)>" in s for s in summaries), summaries
    _safe_page(out, out / "index-en.html")
    # the news file is plain data: texts without control characters, plain paths
    data = json.loads((out / "alpha" / news.FILE).read_text(encoding="utf-8"))
    for entry in data["items"]:
        assert all(isinstance(v, str) and _no_control(v) for v in entry.values())
        assert "\u2028" not in entry["title"]
    assert not [f for f in report.findings if "network-news" in f.file or "index" in f.file]


def test_markup_in_town_names_and_descriptions_stays_text(network: Path, build_network) -> None:
    alpha_name = 'Альфа <b>&amp;</b> "q" </script><!--'
    beta_name = "Бета <img src=x onerror=alert(1)> </a><a href=javascript:alert(1)>"
    write(
        network / "sites" / "alpha.yaml",
        f"""
        name:
          ru: {json.dumps(alpha_name)}
          en: "A & B <i>x</i>"
        languages: [ru, en]
        description:
          ru: "<script>alert(1)</script> &lt; <style>*{{}}</style>"
          en: "desc"
        neighbours: [beta]
        """,
    )
    write(
        network / "sites" / "beta.yaml",
        f"name:\n  ru: {json.dumps(beta_name)}\nlanguages: [ru]\nneighbours: [alpha]\n",
    )
    report = build_network(network)
    assert report.ok, report.log
    out = network / "output"
    _safe_page(out, out / "index-en.html")
    tree = _safe_page(out, out / "index.html")
    names = [a.text(deep=True) for a in tree.css(".town-name a")]
    assert names == [beta_name, alpha_name]
    assert [p.text(deep=True) for p in tree.css(".town-description")] == [
        "<script>alert(1)</script> &lt; <style>*{}</style>"
    ]
    # the search box's list of towns stays one attribute holding JSON
    box = tree.css_first("#network-search")
    assert box is not None and len(list(box.traverse(include_text=False))) == 1
    assert [t[1] for t in json.loads(box.attributes["data-towns"])] == [
        "beta/search-index.js",
        "alpha/search-index.js",
    ]
    # the other town's pages: beta's name in alpha's line back to the network
    page = out / "alpha" / "index.html"
    bar = LexborHTMLParser(page.read_text(encoding="utf-8")).css_first("nav.network-bar")
    assert bar is not None
    assert {n.tag for n in bar.traverse(include_text=False)} <= {
        "nav",
        "div",
        "a",
        "span",
        "details",
        "summary",
        "ul",
        "li",
    }
    assert [a.text(deep=True) for a in bar.css("details a")] == [beta_name]
    for a in bar.css("a"):
        assert _inside(out, page, a.attributes["href"]), a.html


def test_long_titles_and_summaries_are_cut_in_the_news(network: Path, build_network) -> None:
    write(
        network / "content" / "alpha" / "articles" / "long.md",
        "Title: "
        + "Длинное слово " * 200
        + "\nDate: 2025-02-02 10:00\nSummary: "
        + "слово " * 700
        + "\n\nТекст.\n",
    )
    assert build_network(network).ok
    items = news.load(network / "output" / "alpha" / news.FILE)
    assert all(
        len(i["title"]) <= 501 and len(i["summary"]) <= news.SUMMARY_CHARS + 1 for i in items
    )
    assert (network / "output" / "index.html").stat().st_size < 100_000


def test_drafts_and_hidden_articles_are_not_on_the_portal(network: Path, build_network) -> None:
    folder = network / "content" / "alpha" / "articles"
    write(folder / "d.md", "Title: Тайный черновик\nDate: 2025-01-01\nStatus: draft\n\nТайна.\n")
    write(folder / "h.md", "Title: Скрытая статья\nDate: 2025-01-02\nStatus: hidden\n\nТайна.\n")
    assert build_network(network).ok
    out = network / "output"
    for path in (out / "index.html", out / "alpha" / news.FILE):
        text = path.read_text(encoding="utf-8")
        assert "Тайный" not in text and "Скрытая" not in text


# --- safe: a hostile or damaged news file in the output ---------------------------------------

HOSTILE_ADDRESSES = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://evil.example/x.html",
    "//evil.example/x.html",
    "\\\\evil.example\\x.html",
    "/beta/novost-0.html",
    "/etc/passwd",
    "../alpha/index.html",
    "%2e%2e/alpha/index.html",
    "novost-0.html/../../alpha/index.html",
    "theme/../../alpha/yarmarka-remyosel.html",
    'novost-0.html#"><script>alert(1)</script>',
    "novost-0.html?<b>",
    "",
    ".",
    "..",
]


def test_a_hostile_news_file_links_only_inside_its_town(site: Path) -> None:
    items = [_item(title=f"Вред {n}", url=a, picture=a) for n, a in enumerate(HOSTILE_ADDRESSES)]
    _put_news(site, [*items, _item(title="Честная", picture="novost-0.html")])
    out = site / "output"
    tree = _safe_page(out, _portal(site))
    shown = {a.text(deep=True): a.attributes["href"] for a in tree.css(".news-title a")}
    beta = {t: u for t, u in shown.items() if t.startswith(("Вред", "Честная"))}
    assert "Честная" in beta and all(u.startswith("beta/") for u in beta.values()), beta
    for entry in town_news(load_network(site), out, "ru", 100):
        assert entry["url"].startswith(f"{entry['town']}/"), entry
        assert not entry["picture"] or entry["picture"].startswith(f"{entry['town']}/"), entry
    # the output check names the file, and finds nothing wrong with the portal
    findings = check_output(out, ["beta"])
    assert [f for f in findings if f.file == f"beta/{news.FILE}"]
    assert not [f for f in findings if f.file.startswith("index")]


DAMAGED = {
    "empty": b"",
    "null": b"null",
    "a list": b"[]",
    "items not a list": b'{"version": 1, "items": {"url": "javascript:x"}}',
    "numbers": json.dumps({"version": 1, "items": [_item(title=1)]}).encode(),  # type: ignore[arg-type]
    "nested": json.dumps({"version": 1, "items": [_item(url=["x"])]}).encode(),  # type: ignore[arg-type]
    "missing fields": b'{"version": 1, "items": [{"title": "x", "url": "novost-0.html"}]}',
    "strings for items": b'{"version": 1, "items": ["novost-0.html"]}',
    "another version": json.dumps({"version": 99, "items": [_item()]}).encode(),
    "not UTF-8": b"\xff\xfe\x00{\x00",
    "NaN": b'{"version": 1, "items": [{"title": NaN}]}',
    "a huge number": b'{"version": 1, "items": [{"title": ' + b"9" * 6000 + b"}]}",
    "cut short": json.dumps({"version": 1, "items": [_item()]}).encode()[:40],
}


@pytest.mark.parametrize("data", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_news_file_only_leaves_that_towns_news_out(site: Path, data: bytes) -> None:
    (site / "output" / "beta" / news.FILE).write_bytes(data)
    _add_base_url(site)
    out = site / "output"
    tree = _safe_page(out, _portal(site))
    titles = [a.text(deep=True) for a in tree.css(".news-title a")]
    assert "Ярмарка ремёсел" in titles  # the other town's news is still there
    assert not [t for t in titles if t.startswith("Новость")]
    _feed(out)
    findings = check_output(out, ["beta"])  # no traceback
    assert not [f for f in findings if f.file.startswith("index")]


def test_a_news_file_that_is_a_folder_is_passed_over(site: Path) -> None:
    path = site / "output" / "beta" / news.FILE
    path.unlink()
    path.mkdir()
    assert "Ярмарка ремёсел" in _portal(site).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "data", [b"[]", b'{"items": [{"url": 1}]}', b"\xff", b'{"items": [{"u": {"a": 1}}]}']
)
def test_the_output_check_calls_a_news_file_that_is_not_plain_data_so(data: bytes) -> None:
    found = news_dangers(data.decode("utf-8", errors="replace"))
    assert len(found) == 1 and "not plain data" in found[0].message.en


@pytest.mark.parametrize(
    "date",
    [
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        "0001-01-01",
        "9999-12-31T23:59:59",
        "2024-01-01T00:00:00+23:59",
        "2024-W01",
        "not a date <b>",
        "",
    ],
)
def test_odd_dates_in_a_news_file_keep_the_portal_and_the_feed(site: Path, date: str) -> None:
    _put_news(site, [_item(date=date, title="Странная дата")])
    _add_base_url(site)
    out = site / "output"
    _safe_page(out, _portal(site))
    root = _feed(out)
    titles = [e.find("a:title", ATOM).text for e in root.findall("a:entry", ATOM)]
    # an article dated years ahead is not news (nor one at the calendar's far edge)
    assert ("Бета: Странная дата" in titles) is (not date.startswith("9999"))


def test_the_feed_of_hostile_titles_and_names_is_well_formed(network: Path, build_network) -> None:
    write(
        network / "sites" / "beta.yaml",
        'name:\n  ru: "Бета & <Co> ]]> \\u2028"\nlanguages: [ru]\n',
    )
    write(
        network / "content" / "beta" / "odd.md",
        "Title: Тэги &lt;b&gt; и ]]&gt; и &amp; \u2028 и \u0085\nDate: 2025-03-01\n\n"
        "Текст &lt;/summary&gt;&lt;entry&gt;.\n",
    )
    _add_base_url(network, "https://towns.example.org/net/")
    assert build_network(network).ok
    root = _feed(network / "output")
    titles = [e.find("a:title", ATOM).text for e in root.findall("a:entry", ATOM)]
    assert any(t.startswith("Бета & <Co> ]]>") and "<b>" in t for t in titles), titles
    assert len(root.findall("a:entry", ATOM)) == 5
    for entry in root.findall("a:entry", ATOM):
        link = entry.find("a:link", ATOM).get("href")
        assert link.startswith("https://towns.example.org/net/")
        assert (network / "output" / link.removeprefix("https://towns.example.org/net/")).is_file()


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        'https://towns.example.org/"><script>alert(1)</script>',
        "https://towns.example.org/?q=<b>",
        "file:///etc/",
        "https://towns.example.org/#x",
        "https://user:secret@towns.example.org/",
        "https://towns.example.org/a b",
    ],
)
def test_a_network_base_url_that_is_no_plain_address_makes_no_feed(site: Path, value: str) -> None:
    _add_base_url(site, json.dumps(value))
    network = load_network(site)
    assert network.config.base_url is None
    render_portal(network, site / "output")
    assert not (site / "output" / "feeds").exists()


def test_many_towns_on_one_portal(site: Path) -> None:
    """150 towns, each with a full news file and a search index: 12 news, every town
    once, every link inside the output."""
    out = site / "output"
    for number in range(150):
        town = f"t{number:03d}"
        write(
            site / "sites" / f"{town}.yaml",
            f'name:\n  ru: "Город {number} <b>"\nlanguages: [ru]\n',
        )
        (site / "content" / town).mkdir()
        (out / town).mkdir()
        (out / town / "index.html").write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
        (out / town / "search-index.js").write_text(
            'window.GARDARIKA_SEARCH={"lang":"ru","docs":[],"title":{},"body":{}};',
            encoding="utf-8",
        )
        _put_news(
            site,
            [_item(url="index.html", date=f"2025-01-{d + 1:02d}T00:00:00") for d in range(30)],
            town,
        )
    tree = _safe_page(out, _portal(site))
    assert len(tree.css(".news-item")) == 12
    assert len(tree.css(".town")) == 152
    towns = json.loads(tree.css_first("#network-search").attributes["data-towns"])
    assert len(towns) == 152 and all((out / t[1]).is_file() for t in towns)


# --- safe: the town's picture -------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["images/Фото Города.PNG", "images/%2e%2e/%2e%2e/up.png", "images/a#b?.png"]
)
def test_a_towns_picture_with_an_odd_name_stays_in_its_town(
    network: Path, build_network, name: str
) -> None:
    picture = network / "content" / "alpha" / name
    picture.parent.mkdir(parents=True, exist_ok=True)
    picture.write_bytes(PNG)
    with (network / "sites" / "alpha.yaml").open("a", encoding="utf-8") as conf:
        conf.write(f"image: {json.dumps(name)}\n")
    assert build_network(network).ok
    out = network / "output"
    tree = _safe_page(out, out / "index.html")
    sources = [img.attributes["src"] for img in tree.css(".portal-towns img")]
    assert len(sources) == 1 and sources[0].startswith("alpha/images/"), sources
    assert ".." not in sources[0] and "%" not in sources[0]


@pytest.mark.parametrize("where", ["outside", "other town"])
def test_a_towns_picture_that_is_a_link_out_of_its_folder_is_not_published(
    network: Path, build_network, tmp_path: Path, where: str
) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG + b"SECRET-PORTAL-PICTURE")
    if where == "other town":
        secret = network / "content" / "beta" / "images" / "secret.png"
        secret.parent.mkdir(parents=True)
        secret.write_bytes(PNG + b"SECRET-PORTAL-PICTURE")
    (network / "content" / "alpha" / "images" / "town.png").symlink_to(secret)
    with (network / "sites" / "alpha.yaml").open("a", encoding="utf-8") as conf:
        conf.write("image: images/town.png\n")
    build_network(network)  # alpha is refused; the build does not stop
    out = network / "output"
    tree = _safe_page(out, out / "index.html")
    assert not [i for i in tree.css(".portal-towns img") if "alpha/" in i.attributes["src"]]
    for path in out.rglob("*"):
        if path.is_file() and not path.is_symlink():
            if "beta/images/secret" in path.as_posix():
                continue  # beta's own file, published by beta
            assert b"SECRET-PORTAL-PICTURE" not in path.read_bytes(), path


def test_a_towns_picture_that_is_no_picture_is_not_shown(network: Path, build_network) -> None:
    (network / "content" / "alpha" / "images" / "fake.png").write_bytes(
        b"<script>alert(1)</script>"
    )
    with (network / "sites" / "alpha.yaml").open("a", encoding="utf-8") as conf:
        conf.write("image: images/fake.png\n")
    report = build_network(network)
    assert "alpha" not in report.built
    out = network / "output"
    _safe_page(out, out / "index.html")
    assert not list(out.rglob("fake*"))


@pytest.mark.parametrize(
    "value",
    [
        "images/../../beta/images/x.png",
        "../beta/news-0.png",
        "images\\potter.png",
        "/etc/x.png",
        "~/x.png",
        "//evil.example/x.png",
        "https://evil.example/x.png",
        "data:image/png;base64,AAAA.png",
        "javascript:alert(1)//.png",
        "images/x\u202egnp.png",
        "images/potter.png\x00",
        "images/potter.svg",
        "images/potter.png.html",
        "images/.potter.png",
        "images/" + "a" * 300 + ".png",
        ["images/potter.png"],
        {"ru": "images/potter.png"},
    ],
)
def test_an_image_value_that_is_not_a_picture_of_the_town_is_refused(
    network: Path, value: object
) -> None:
    with (network / "sites" / "alpha.yaml").open("a", encoding="utf-8") as conf:
        conf.write(f"image: {json.dumps(value)}\n")
    with pytest.raises(GardarikaError) as caught:
        load_town(network / "sites" / "alpha.yaml", network)
    assert any(p.line for p in caught.value.problems)


# --- safe: the output check over the portal ---------------------------------------------------


def test_the_output_check_reads_every_portal_page(site: Path) -> None:
    _add_base_url(site)
    _portal(site)
    out = site / "output"
    with (out / "index-en.html").open("a", encoding="utf-8") as page:
        page.write('<script src="https://evil.example/x.js"></script>')
    with (out / "index.html").open("a", encoding="utf-8") as page:
        page.write('<img src="https://evil.example/x.png">')
    found = {f.file for f in check_output(out, ["beta"])}
    assert {"index.html", "index-en.html"} <= found


# --- safe: the network search in the browser's place ---------------------------------------

_HARNESS = r"""
var fs = require("fs"), path = require("path"), vm = require("vm");
var out = process.argv[2], page = process.argv[3], query = process.argv[4];
var box = JSON.parse(process.argv[5]);
function Node(tag) {
  this.tagName = tag; this.attributes = {}; this.children = []; this.own = ""; this.raw = null;
}
Node.prototype.setAttribute = function (k, v) { this.attributes[k] = String(v); };
Node.prototype.getAttribute = function (k) {
  return this.attributes.hasOwnProperty(k) ? this.attributes[k] : null;
};
Node.prototype.appendChild = function (c) {
  this.children.push(c);
  if (c.tagName === "script") { load(c); }
  return c;
};
Node.prototype.removeChild = function (c) { this.children.splice(this.children.indexOf(c), 1); };
Object.defineProperty(Node.prototype, "firstChild", {
  get: function () { return this.children[0] || null; } });
Object.defineProperty(Node.prototype, "textContent", {
  get: function () {
    return this.children.map(function (c) { return c.textContent; }).join("") + this.own;
  },
  set: function (v) { this.children = []; this.own = String(v); } });
Object.defineProperty(Node.prototype, "innerHTML", {
  set: function (v) { this.raw = String(v); this.children = []; } });
function Text(t) { this.tagName = "#text"; this.textContent = t; this.children = []; }
var element = new Node("div");
Object.keys(box).forEach(function (k) { element.setAttribute(k, box[k]); });
var document = {
  body: new Node("body"),
  getElementById: function (id) { return id === "network-search" ? element : null; },
  createElement: function (t) { return new Node(t); },
  createTextNode: function (t) { return new Text(t); }
};
var context = { document: document, JSON: JSON, Math: Math,
  setTimeout: function (f) { f(); }, clearTimeout: function () {} };
context.window = context;
vm.createContext(context);
var loaded = [];
function load(script) {
  var src = script.getAttribute("src");
  var file = path.resolve(path.dirname(path.join(out, page)), src);
  loaded.push(src);
  if (file.indexOf(path.resolve(out) + path.sep) !== 0) { script.onerror(); return; }
  var code;
  try { code = fs.readFileSync(file, "utf8"); } catch (e) { script.onerror(); return; }
  vm.runInContext(code, context, { filename: file });
  script.onload();
}
vm.runInContext(fs.readFileSync(path.join(out, "theme/js/networksearch.js"), "utf8"), context);
var form = element.children[0], input = form.children[1], panel = element.children[1];
input.value = query;
form.onsubmit({ preventDefault: function () {} });
var results = panel.children[1].children.map(function (li) {
  return { tags: li.children.map(function (c) { return c.tagName; }),
    href: li.children[0].getAttribute("href"),
    attributes: Object.keys(li.children[0].attributes),
    title: li.children[0].textContent, town: li.children[1].textContent,
    snippet: li.children[2] ? li.children[2].raw : null };
});
process.stdout.write(JSON.stringify({ loaded: loaded, results: results }));
"""


def _search(out: Path, page: str, query: str) -> dict[str, object]:
    """Run the portal's networksearch.js under Node with a stand-in for the page: what it
    loaded and the results it showed (each result's elements, text and raw HTML)."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("Node.js is not installed")
    tree = LexborHTMLParser((out / page).read_text(encoding="utf-8"))
    box = tree.css_first("#network-search")
    assert box is not None
    harness = out.parent / "harness.js"
    harness.write_text(_HARNESS, encoding="utf-8")
    result = subprocess.run(
        [node, str(harness), str(out), page, query, json.dumps(dict(box.attributes))],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_network_search_shows_hostile_texts_as_text(network: Path, build_network) -> None:
    write(
        network / "content" / "alpha" / "articles" / "alarm.md",
        "Title: Ловушка &lt;img src=x onerror=alert(1)&gt;\nDate: 2025-02-01 10:00\n\n"
        "Ловушка &lt;script&gt;alert(2)&lt;/script&gt; &lt;b onclick=x&gt;текст.\n",
    )
    assert build_network(network).ok
    found = _search(network / "output", "index.html", "ловушка")
    assert found["loaded"][:2] == ["theme/js/stemmer.js", "theme/js/searchengine.js"]
    assert all(not posixpath.isabs(s) and ".." not in s.split("/") for s in found["loaded"])
    results = found["results"]
    assert results, found
    for result in results:
        assert result["tags"][:2] == ["a", "span"] and result["attributes"] == ["href"]
        assert _inside(network / "output", network / "output" / "index.html", result["href"])
        snippet = (result["snippet"] or "").replace("<mark>", "").replace("</mark>", "")
        assert "<" not in snippet and ">" not in snippet, result["snippet"]
    assert any("<img src=x onerror=alert(1)>" in r["title"] for r in results)


# --- problems found (and fixed) ---------------------------------------------------


def test_a_summary_in_the_network_feed_is_text_not_markup(network: Path, build_network) -> None:
    write(
        network / "content" / "alpha" / "articles" / "alarm.md",
        f"Title: Тревога\nDate: 2025-02-01 10:00\nSummary: {HOSTILE_SUMMARY}\n\nТекст.\n",
    )
    _add_base_url(network)
    assert build_network(network).ok
    for entry in _feed(network / "output").findall("a:entry", ATOM):
        summary = entry.find("a:summary", ATOM)
        if summary is None or summary.get("type", "text") == "text":
            continue
        # type="html" (or xhtml): a reader shows what a browser builds from it
        shown = LexborHTMLParser(f"<body>{summary.text or ''}</body>")
        assert not shown.css("img, script"), summary.text


@pytest.mark.parametrize("escape", ["\\x01", "\\x1b", "\\uffff"])
def test_a_town_name_with_a_character_xml_refuses_keeps_the_feed(
    network: Path, build_network, escape: str
) -> None:
    write(network / "sites" / "beta.yaml", f'name:\n  ru: "Бета{escape}"\nlanguages: [ru]\n')
    _add_base_url(network)
    try:
        report = build_network(network)
    except Exception as exc:  # the whole network's build stops
        pytest.fail(f"the build raised {exc!r}")
    if any("name" in (p.key or "") for p in report.config_problems):
        return  # refused as a name: also safe
    _feed(network / "output")


def test_control_characters_in_a_news_file_keep_the_feed(site: Path) -> None:
    _put_news(site, [_item(title="Новость\x0b", summary="Текст\x01")])
    _add_base_url(site)
    _portal(site)
    _feed(site / "output")


def test_a_lone_surrogate_in_a_news_file_keeps_the_portal(site: Path) -> None:
    _put_news(site, [_item(title="Новость \ud800")])  # written as the escape \\ud800
    page = _portal(site)
    assert "Ярмарка ремёсел" in page.read_text(encoding="utf-8")


DEEP = "[" * 100_000 + "]" * 100_000


def test_a_deeply_nested_news_file_keeps_the_portal(site: Path) -> None:
    (site / "output" / "beta" / news.FILE).write_text(
        '{"version": 1, "items": ' + DEEP + "}", encoding="utf-8"
    )
    page = _portal(site)
    assert "Ярмарка ремёсел" in page.read_text(encoding="utf-8")


def test_a_deeply_nested_news_file_is_reported_by_the_output_check(site: Path) -> None:
    (site / "output" / "beta" / news.FILE).write_text(DEEP, encoding="utf-8")
    findings = check_output(site / "output", ["beta"])
    assert [f for f in findings if f.file == f"beta/{news.FILE}"]


def test_the_network_search_labels_a_town_with_its_own_name(network: Path, build_network) -> None:
    name = 'Бета & <Ко> "1"'
    write(network / "sites" / "beta.yaml", f"name:\n  ru: {json.dumps(name)}\nlanguages: [ru]\n")
    assert build_network(network).ok
    tree = LexborHTMLParser((network / "output" / "index.html").read_text(encoding="utf-8"))
    towns = json.loads(tree.css_first("#network-search").attributes["data-towns"])
    assert towns[0][0] == name


def test_a_srcset_into_another_town_does_not_fail_the_town(network: Path, build_network) -> None:
    write(
        network / "content" / "alpha" / "articles" / "pic.md",
        "Title: Картинка\nDate: 2025-03-02 10:00\n\n"
        '<img src="images/potter.png" srcset="../beta/index.html 1x" alt="x">\n',
    )
    report = build_network(network)
    assert not [f for f in report.findings if f.file.endswith(news.FILE)], report.log
    for entry in news.load(network / "output" / "alpha" / news.FILE):
        assert not entry["picture"].startswith("..")


def test_giant_texts_in_a_news_file_are_cut_on_the_portal(site: Path) -> None:
    _put_news(site, [_item(title="Я" * 200_000, summary="слово " * 100_000)] * 3)
    page = _portal(site)
    assert page.stat().st_size < 200_000


def test_the_output_checks_message_shows_no_control_characters() -> None:
    url = "\x1b]0;owned\x07\x1b[2Jjavascript:alert(1)"
    text = json.dumps({"version": 1, "items": [_item(url=url)]})
    found = news_dangers(text)
    assert found
    assert all(_no_control(d.message.en) and _no_control(d.message.ru) for d in found)
