"""ZIM files for Kiwix (``invoke package --zim``, ``--zim-per-town``): checked by Debian's
own Kiwix tools (``zimcheck`` of zim-tools, ``kiwix-serve`` of kiwix-tools) and read back
with libzim: the metadata Kiwix's library shows, the main page, front articles, MIME
types, the full-text index in Russian, and links that stay inside the book."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest

libzim_reader = pytest.importorskip("libzim.reader")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("GARDARIKA_REQUIRE_KIWIX"):
        pytest.fail(f"{name} is missing: install Debian's zim-tools and kiwix-tools")
    pytest.skip(f"{name} is not installed (Debian's zim-tools and kiwix-tools)")
    return ""


@pytest.fixture(scope="module")
def zims(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The test network built and packaged with a ZIM of the whole and of each town."""
    import datetime as dt

    from projects import REPO, add_alpha, add_beta, write

    from gardarika.build.builder import Builder
    from gardarika.publish.package import package

    root = tmp_path_factory.mktemp("zim") / "net"
    (root / "sites").mkdir(parents=True)
    (root / "themes").symlink_to(REPO / "themes")
    (root / "plugins").symlink_to(REPO / "plugins")
    write(root / "sites" / "network.yaml", "name:\n  ru: Тестовая сеть\n  en: Test network\n")
    add_alpha(root)
    add_beta(root)
    with (root / "sites" / "beta.yaml").open("a", encoding="utf-8") as conf:
        conf.write("neighbours: [alpha]\n")
    lines: list[str] = []
    assert Builder(root, jobs=2, echo=lines.append).build().ok, "\n".join(lines)
    result = package(
        root, make_zim=True, zim_per_town=True, today=dt.date(2026, 12, 1), dist=root / "dist"
    )
    by_name = {"all": result.zims[0]}
    for path in result.zims[1:]:
        by_name[path.stem.split("2026-12-01-")[1]] = path
    assert set(by_name) == {"all", "alpha", "beta"}, result.zims
    return by_name


def test_zimcheck_passes_every_file(zims: dict[str, Path]) -> None:
    zimcheck = _tool("zimcheck")
    for path in zims.values():
        done = subprocess.run(
            [zimcheck, "-A", str(path)], capture_output=True, text=True, timeout=300
        )
        assert "Overall Test Status: Pass" in done.stdout + done.stderr, done.stdout[-3000:]


def test_the_metadata_kiwix_shows(zims: dict[str, Path]) -> None:
    from PIL import Image

    archive = libzim_reader.Archive(str(zims["all"]))
    meta = {key: bytes(archive.get_metadata(key)) for key in archive.metadata_keys}
    assert meta["Language"] == b"rus,eng"
    assert meta["Name"] == b"test-network_mul_all"
    title = meta["Title"].decode()
    assert title == "Тестовая сеть" and len(title) <= 30
    assert 0 < len(meta["Description"].decode()) <= 80
    assert meta["Date"] == b"2026-12-01"
    assert meta["Creator"] and meta["Publisher"] and meta["LongDescription"]
    assert b"_ftindex:yes" in meta["Tags"]
    with Image.open(io.BytesIO(meta["Illustration_48x48@1"])) as picture:
        assert picture.format == "PNG" and picture.size == (48, 48)
    assert archive.main_entry.get_item().path == "index.html"
    town = libzim_reader.Archive(str(zims["beta"]))
    assert town.main_entry.get_item().path == "beta/index.html"
    assert bytes(town.get_metadata("Language")) == b"rus"


def test_pages_titles_types_and_front_articles(zims: dict[str, Path]) -> None:
    from libzim.suggestion import SuggestionSearcher

    archive = libzim_reader.Archive(str(zims["all"]))
    fair = next(
        path
        for path in (f"alpha/{p}" for p in ("yarmarka-remyosel.html",))
        if archive.has_entry_by_path(path)
    )
    item = archive.get_entry_by_path(fair).get_item()
    assert item.mimetype == "text/html" and "Ярмарка ремёсел" in item.title
    css = archive.get_entry_by_path("alpha/theme/css/main.css").get_item()
    assert css.mimetype == "text/css"
    assert archive.get_entry_by_path("alpha/images/potter.png").get_item().mimetype == "image/png"
    # the title index (Kiwix's suggestions) holds articles, not the lists of tags
    suggested = list(SuggestionSearcher(archive).suggest("Ярмарка").getResults(0, 20))
    assert fair in suggested
    assert not any("/tag/" in path or "/category/" in path for path in suggested)


def test_files_go_in_byte_for_byte(zims: dict[str, Path]) -> None:
    """Every file that is no page (stylesheets, scripts, pictures, feeds) is in the book
    exactly as in the package folder: libzim reads it in its own thread, in pieces."""
    folder = next(p for p in zims["all"].parent.iterdir() if p.is_dir())
    archive = libzim_reader.Archive(str(zims["all"]))
    compared = 0
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir() or rel.endswith(".html") or not archive.has_entry_by_path(rel):
            continue
        item = archive.get_entry_by_path(rel).get_item()
        assert bytes(item.content) == path.read_bytes(), rel
        compared += 1
    assert compared > 20


def test_short_texts_are_cut_at_a_word_unless_the_word_is_most_of_it() -> None:
    from gardarika.publish.zim import short

    assert short("Ярмарка  ремёсел\nв\tАльфе", 200) == "Ярмарка ремёсел в Альфе"
    assert short("один два три четыре", 12) == "один два…"
    cut = short("Заголовок " + "д" * 2100, 200)
    assert len(cut) == 200 and cut.startswith("Заголовок ддд") and cut.endswith("…")


def test_titles_go_to_the_index_with_no_word_too_long_for_it() -> None:
    from gardarika.publish.zim import WORD_LIMIT, _index_title

    assert _index_title("Ярмарка ремёсел в Альфе") == "Ярмарка ремёсел в Альфе"
    for title in ("🎉" * 70, "—" * 100, "\ufffd" * 90, "Заголовок " + "д" * 2100):
        indexed = _index_title(title)
        assert indexed and len(indexed) <= 200
        assert all(len(word.encode()) <= WORD_LIMIT for word in indexed.split(" ")), title[:9]


def test_full_text_search_finds_another_form_of_a_russian_word(zims: dict[str, Path]) -> None:
    from libzim.search import Query, Searcher

    archive = libzim_reader.Archive(str(zims["all"]))
    assert archive.has_fulltext_index
    found = list(Searcher(archive).search(Query().set_query("ярмарки")).getResults(0, 20))
    assert "alpha/yarmarka-remyosel.html" in found


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]+)"', html)


def test_a_towns_book_links_only_what_it_holds(zims: dict[str, Path]) -> None:
    """beta's neighbour alpha is not in beta's book: its links lead to the book's
    portal instead (alpha has no web address to lead to)."""
    archive = libzim_reader.Archive(str(zims["beta"]))
    page = bytes(archive.get_entry_by_path("beta/index.html").get_item().content).decode()
    assert "alpha/" not in page
    for link in _links(page):
        if "://" in link or link.startswith(("#", "mailto:", "tel:", "data:")):
            continue
        target = urlsplit(urljoin("https://x/beta/index.html", link)).path.lstrip("/")
        assert archive.has_entry_by_path(target), link


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(zims: dict[str, Path]) -> Iterator[str]:
    kiwix = _tool("kiwix-serve")
    port = _free_port()
    process = subprocess.Popen(
        [kiwix, "--address", "127.0.0.1", "--port", str(port), str(zims["all"])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_kiwix_serve_serves_the_book_with_no_broken_internal_link(served: str) -> None:
    # where kiwix-serve serves the book: its catalog says
    _, catalog = _get(f"{served}/catalog/search")
    found = re.search(r'<link type="text/html" href="([^"]+)"', catalog)
    assert found, catalog[:2000]
    book = urljoin(served + "/", found.group(1).rstrip("/") + "/")
    start = book + "index.html"
    seen, queue, broken = set(), [start], []
    while queue and len(seen) < 400:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        status, text = _get(url)
        if status != 200:
            broken.append(url)
            continue
        if not url.endswith(".html"):
            continue
        for link in _links(text):
            target = urljoin(url, link).split("#")[0]
            if target.startswith(book):
                queue.append(target)
    assert broken == [] and len(seen) > 20


def test_kiwix_serve_finds_a_russian_article_by_another_form_of_its_word(served: str) -> None:
    status, page = _get(f"{served}/search?pattern={quote('ярмарки')}")
    assert status == 200 and "yarmarka-remyosel.html" in page


@pytest.mark.parametrize("tool", ["zimcheck", "libzim"])
def test_verify_accepts_a_whole_copy_and_refuses_a_damaged_one(
    zims: dict[str, Path], tmp_path: Path, tool: str
) -> None:
    from gardarika.publish.zimverify import verify_zim

    if tool == "zimcheck":
        _tool("zimcheck")
    whole = verify_zim(zims["all"], use_zimcheck=tool == "zimcheck")
    assert whole.ok and whole.tool == tool, [p.en for p in whole.problems]
    damaged = tmp_path / "damaged.zim"
    data = bytearray(zims["all"].read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
    damaged.write_bytes(bytes(data))
    try:
        found = verify_zim(damaged, use_zimcheck=tool == "zimcheck")
    except OSError:
        return  # not even readable: as damaged as it gets
    assert not found.ok
    assert all(p.en and p.ru for p in found.problems)


def test_verify_walks_the_links_without_zimcheck(tmp_path: Path) -> None:
    from gardarika.publish.zim import ZimInfo, illustration, write_zim
    from gardarika.publish.zimverify import verify_zim

    folder = tmp_path / "book"
    (folder / "a").mkdir(parents=True)
    (folder / "index.html").write_text(
        '<!DOCTYPE html><title>Home</title><a href="a/page.html">ok</a>'
        '<a href="a/missing.html">gone</a><a href="https://example.org/x">web</a>',
        encoding="utf-8",
    )
    (folder / "a" / "page.html").write_text(
        '<!DOCTYPE html><title>Page</title><a href="../index.html">home</a>', encoding="utf-8"
    )
    info = ZimInfo(
        "t_ru_all", "T", "D", "L", ["ru"], "c", "p", "index.html", illustration(None, "T")
    )
    book = write_zim(folder, tmp_path / "t.zim", info)
    found = verify_zim(book, use_zimcheck=False)
    assert len(found.problems) == 1
    assert "a/missing.html" in found.problems[0].en and "1 links" in found.problems[0].en


def test_invoke_verify_of_a_zim_file(zims: dict[str, Path], tmp_path: Path) -> None:
    from gardarika.cli import main

    assert main(["verify", str(zims["beta"])]) == 0
    not_zim = tmp_path / "x.zim"
    not_zim.write_bytes(b"not a zim file at all")
    assert main(["verify", str(not_zim)]) in (1, 2)


def test_what_the_red_team_round_found_is_mended(tmp_path: Path) -> None:
    """A title whose first part is empty, a query and fragment on a link to a
    neighbour, a file that is no regular file, long links in messages."""
    import stat as stat_module

    from gardarika.publish.zim import _shorter, zim_page
    from gardarika.publish.zimverify import verify_zim

    assert _shorter(": " + "x" * 40) != ""
    page = zim_page(
        b'<a href="../alpha/a.html?x=1#top">n</a>',
        "beta/index.html",
        lambda path: "index.html" if path.startswith("alpha/") else "",
    )
    assert b'href="../index.html?x=1#top"' in page
    fifo = tmp_path / "x.zim"
    os.mkfifo(fifo)
    assert stat_module.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(OSError):
        verify_zim(fifo)
