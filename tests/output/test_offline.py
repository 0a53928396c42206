"""Offline-first output: links fixed whatever the theme does, remote embeds turned into
links, portable names, and ``invoke check`` catching every kind of problem."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image
from projects import REPO, broken_links, write

from gardarika.checks.output import check_output
from gardarika.render.embeds import replace_remote_embeds
from gardarika.render.links import rewrite_html


def read(path: Path) -> str:
    """A page's text with no-break spaces as plain spaces (typography is tested apart)."""
    return path.read_text(encoding="utf-8").replace("\u00a0", " ").replace("&nbsp;", " ")


def theme_copy(project: Path, name: str) -> Path:
    """A copy of the shared theme as ``themes/<name>/`` of the project, to be altered.

    The fixture's ``themes/`` is a link to the repository's; it becomes a real folder
    holding a link to the shared theme and the copy."""
    themes = project / "themes"
    if themes.is_symlink():
        themes.unlink()
        themes.mkdir()
        (themes / "gardarika").symlink_to(REPO / "themes" / "gardarika")
    shutil.copytree(REPO / "themes" / "gardarika", themes / name)
    return themes / name


def test_links_from_a_careless_theme_are_fixed(network: Path, build_network) -> None:
    rough = theme_copy(network, "rough")
    base = rough / "templates" / "base.html"
    write(
        base,
        read(base).replace(
            "<main",
            """
<p class="careless"><a href="/">home</a> <a href="{{ SITEURL }}/">here</a>
<a href="/archives.html#y">a</a> <a href="/categories.html?x=1">cats</a>
<a href="https://example.org/">web</a> <a href="#main">top</a>
<img src="/theme/css/main.css?v=1" alt="">
<span style="background: url('/theme/css/main.css')">s</span></p>
<main""",
            1,
        ),
    )
    write(rough / "static" / "css" / "extra.css", "a { background: url(/theme/css/main.css) }")
    write(network / "sites/alpha.yaml", read(network / "sites/alpha.yaml") + "theme: rough\n")

    report = build_network(network)
    assert report.ok, report.log
    out = network / "output" / "alpha"
    en_home = read(out / "en" / "index.html")
    assert '<a href="index.html">home</a> <a href="index.html">here</a>' in en_home
    assert '<a href="archives.html#y">a</a> <a href="categories.html?x=1">cats</a>' in en_home
    assert '<a href="https://example.org/">web</a> <a href="#main">top</a>' in en_home
    assert 'src="../theme/css/main.css?v=1"' in en_home  # shared theme files, one level up
    assert "url('../theme/css/main.css')" in en_home
    tag_page = read(next((out / "tag").glob("*.html")))
    assert '<a href="../index.html">home</a> <a href="../index.html">here</a>' in tag_page
    assert read(out / "theme/css/extra.css") == "a { background: url(main.css) }"
    assert check_output(network / "output") == []


def test_remote_embeds_become_links_with_a_note(network: Path, build_network) -> None:
    write(
        network / "content/alpha/articles/video.md",
        """
        Title: Видео с праздника
        Date: 2024-06-12 12:00

        Смотрите запись:

        <iframe src="https://www.youtube.com/embed/abc123" width="560"></iframe>

        ![Салют над рекой](https://photos.example.org/salute.jpg)

        <script src="https://cdn.example.org/tracker.js"></script>

        Ссылка на [сайт музея](https://museum.example.org/) остаётся ссылкой.
    """,
    )
    write(
        network / "content/alpha/articles/video.en.md",
        """
        Title: Video of the celebration
        Date: 2024-06-12 12:00

        <iframe src="https://www.youtube.com/embed/abc123"></iframe>
    """,
    )
    report = build_network(network)
    assert report.ok, report.log
    log = report.log
    assert (
        "content/alpha/articles/video.md:6: warning: <iframe> loads "
        "https://www.youtube.com/embed/abc123" in log
    )
    assert "content/alpha/articles/video.md:8: warning: <img>" in log
    assert "content/alpha/articles/video.md:10: warning: <script>" in log
    assert "content/alpha/articles/video.md:6: предупреждение: <iframe>" in log
    assert "content/alpha/articles/video.en.md:4: warning: <iframe>" in log
    page = next(
        p for p in (network / "output/alpha").glob("*.html") if "Видео с праздника</h1>" in read(p)
    )
    html = read(page)
    assert "<iframe" not in html and "tracker.js" not in html
    assert (
        '<a href="https://www.youtube.com/embed/abc123">Видео на другом сайте '
        "(www.youtube.com)</a> <small>(нужен интернет)</small>" in html
    )
    assert "Изображение на другом сайте: Салют над рекой" in html
    assert 'href="https://museum.example.org/"' in html
    en = read(network / "output/alpha/en" / page.name)
    assert "Video on another website (www.youtube.com)" in en and "(needs the internet)" in en
    assert check_output(network / "output") == []


def test_portable_names_for_pictures_tags_and_slugs(network: Path, build_network) -> None:
    images = network / "content/alpha/images"
    photo = images / "Фото Ладоги 1.JPG"
    Image.effect_noise((64, 48), 50).convert("RGB").save(photo, "JPEG")  # a real photo
    write(network / "content/alpha/files/Отчёт 2024.PDF", "%PDF-1.4 demo")
    write(
        network / "content/alpha/articles/names.md",
        """
        Title: Имена файлов
        Date: 2024-07-01 09:00
        Tags: con, Nul, ярмарка
        Slug: Моя Страница

        ![Ладога](<{static}/images/Фото Ладоги 1.JPG>)

        [Отчёт](../files/Отчёт 2024.PDF) и <a href="images/Фото Ладоги 1.JPG">фото</a>.
    """,
    )
    report = build_network(network)
    assert report.ok, report.log
    out = network / "output/alpha"
    assert (out / "images/foto-ladogi-1.jpg").is_file()
    assert (out / "files/otchyot-2024.pdf").is_file()
    assert photo.is_file() and (network / "content/alpha/files/Отчёт 2024.PDF").is_file()
    assert not (out / "images/Фото Ладоги 1.JPG").exists()
    page = out / "moya-stranitsa.html"
    html = read(page)
    assert 'src="./images/foto-ladogi-1.jpg"' in html
    assert 'href="./files/otchyot-2024.pdf"' in html
    assert 'href="./images/foto-ladogi-1.jpg"' in html
    assert (out / "tag/con_.html").is_file() and (out / "tag/nul_.html").is_file()
    assert not (out / "tag/con.html").exists()
    assert "the slug “Моя Страница” is not a portable file name" in report.log
    assert broken_links(network / "output") == []
    assert check_output(network / "output") == []


def test_default_language_may_not_write_into_another_languages_folder(
    network: Path, build_network
) -> None:
    write(
        network / "content/alpha/pages/clash.md",
        "Title: Столкновение\nSave_as: en/clash.html\n\nТекст.\n",
    )
    report = build_network(network)
    assert report.failed == ["alpha"]
    assert "content/alpha/pages/clash.md" in report.log and "en/clash.html" in report.log


def broken_output(root: Path) -> Path:
    """An output folder with one of each kind of problem."""
    out = root / "output"
    write(out / "index.html", '<a href="town/index.html">town</a>\n')
    write(
        out / "town/index.html",
        """
        <link rel="stylesheet" href="https://cdn.example.org/x.css">
        <a href="missing.html">broken</a>
        <a href="news/">folder</a>
        <a href="/town/index.html">root</a>
        <img src="//images.example.org/a.png" alt="">
        <a href="https://example.org/">a link to another site is fine</a>
        <a href="news">also a folder</a>
        <a href="Фото.jpg">non-portable name</a>
        <a href="../../outside.html">outside</a>
        <iframe src="https://video.example.org/embed/1"></iframe>
    """,
    )
    write(out / "town/news/index.html", "<p>news</p>")
    write(out / "town/style.css", "a { background: url(https://fonts.example.org/f.woff2) }")
    write(out / "town/data.json", '{"url": "/town/news/"}')
    write(out / "town/app.js", 'location.href = "gone/";')
    write(out / "town/Фото.jpg", "x")
    write(out / "town/con.html", "<p></p>")
    write(out / "town" / ("a" * 70 + ".html"), "<p></p>")
    write(out / "town/Case.html", "<p></p>")
    write(out / "town/case.html", "<p></p>")
    write(root / "outside.html", "<p></p>")
    return out


def test_check_catches_every_kind_of_problem(tmp_path: Path) -> None:
    out = broken_output(tmp_path)
    findings = check_output(out)
    text = "\n".join(f.format() for f in findings)
    expected = [
        ("town/index.html:1", "loads “https://cdn.example.org/x.css” from another website"),
        ("town/index.html:2", "“missing.html” leads to no file"),
        ("town/index.html:3", "link to a folder “news/”"),
        ("town/index.html:4", "root-absolute link “/town/index.html”"),
        ("town/index.html:5", "loads “//images.example.org/a.png”"),
        ("town/index.html:7", "link to a folder “news”"),
        ("town/index.html:9", "leads outside the output folder"),
        ("town/index.html:10", "<iframe> loads"),
        ("town/style.css:1", "loads “https://fonts.example.org/f.woff2”"),
        ("town/data.json", "root-absolute link “/town/news/”"),
        ("town/app.js:1", "link to a folder “gone/”"),
        ("town/Фото.jpg", "file name: “Фото.jpg” has characters other than"),
        ("town/con.html", "device name reserved by Windows"),
        ("town/" + "a" * 70 + ".html", "longer than 64 characters"),
        ("town/Case.html", "differ only in case: town/Case.html, town/case.html"),
    ]
    for where, what in expected:
        assert any(f"{where}: " in line and what in line for line in text.splitlines()), (
            where,
            what,
            text,
        )
    assert 'example.org/"' not in text and "a link to another site" not in text
    assert all(f.ru for f in findings)
    lines = {f.line for f in findings if f.file == "town/index.html"}
    assert 6 not in lines  # line 6 is a plain link to another site


def test_check_command(tmp_path: Path, network: Path) -> None:
    def gardarika(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gardarika", *args], capture_output=True, text=True, timeout=300
        )

    assert gardarika("--root", str(network), "check").returncode == 2  # nothing built yet
    built = gardarika("--root", str(network), "build")
    assert built.returncode == 0 and "Check: no problems found" in built.stdout
    assert gardarika("--root", str(network), "check", "--site", "alpha").returncode == 0
    write(network / "output/alpha/en/bad.html", '<a href="nowhere/">x</a>')
    bad = gardarika("--root", str(network), "check")
    assert bad.returncode == 1
    assert "alpha/en/bad.html:1: link to a folder “nowhere/”" in bad.stdout
    assert gardarika("--root", str(network), "check", "--site", "beta").returncode == 0
    skipped = gardarika("--root", str(network), "build", "--no-check", "--site", "beta")
    assert skipped.returncode == 0 and "Check:" not in skipped.stdout


def test_remote_loads_of_a_theme_are_dropped(network: Path, build_network) -> None:
    fonts = theme_copy(network, "fonts")
    base = fonts / "templates" / "base.html"
    write(
        base,
        read(base).replace(
            "</head>",
            """
<link rel="stylesheet" href="https://fonts.example.org/css?family=Serif">
<script src="https://cdn.example.org/analytics.js"></script>
</head>""",
            1,
        ),
    )
    write(network / "sites/beta.yaml", read(network / "sites/beta.yaml") + "theme: fonts\n")
    report = build_network(network, ["beta"])
    assert report.ok, report.log
    assert "the theme's <link> loads https://fonts.example.org/css?family=Serif" in report.log
    home = read(network / "output/beta/index.html")
    assert "fonts.example.org" not in home and "analytics.js" not in home
    assert check_output(network / "output") == []


def test_portal_folder_links_are_made_portable(network: Path, build_network) -> None:
    portal = theme_copy(network, "portal-theme")
    template = portal / "templates" / "portal.html"
    write(template, read(template).replace("</body>", '<a href="beta/">beta</a></body>'))
    write(
        network / "sites/network.yaml",
        read(network / "sites/network.yaml") + "theme: portal-theme\n",
    )
    assert build_network(network).ok
    assert '<a href="beta/index.html">beta</a>' in read(network / "output/index.html")


# -- remote candidates of srcset, sources and tracks ---------------------------------------


def _embeds(html: str) -> tuple[str, list[tuple[str, str, str]]]:
    fixed, found = replace_remote_embeds(html, lambda message: message)
    return fixed, [(e.element, e.url, e.action) for e in found]


def test_remote_srcset_candidates_go_and_local_ones_stay() -> None:
    assert _embeds('<img src="a.png" srcset="https://evil.example/a.png 1x, b.png 2x">') == (
        '<img src="a.png" srcset="b.png 2x">',
        [("img", "https://evil.example/a.png", "srcset")],
    )
    # nothing local left: the attribute goes, the picture's own src stays
    assert _embeds('<img src="a.png" srcset="//evil.example/a.png 1x" alt="">') == (
        '<img src="a.png" alt="">',
        [("img", "//evil.example/a.png", "srcset")],
    )
    # a <source> with only remote candidates goes entirely; a mixed one keeps the local
    assert _embeds(
        '<picture><source srcset="https://evil.example/t.png"><img src="a.png"></picture>'
    ) == (
        '<picture><img src="a.png"></picture>',
        [("source", "https://evil.example/t.png", "drop")],
    )
    assert (
        _embeds('<picture><source srcset="//e.example/t.png 1x, t.png 2x" media="(x)">')[0]
        == '<picture><source srcset="t.png 2x" media="(x)">'
    )
    # a remote src is turned into a link, as before
    fixed, found = _embeds('<img src="https://evil.example/b.png" srcset="b.png 2x" alt="B">')
    assert fixed.startswith('<span class="external-embed"><a href="https://evil.example/b.png">')
    assert found == [("img", "https://evil.example/b.png", "link")]
    # imagesrcset of a preload, data: URLs with their commas, the first of repeated srcset
    assert _embeds(
        '<link rel="preload" as="image" href="a.png" imagesrcset="//e.example/a 2x">'
    ) == ("", [("link", "//e.example/a", "drop")])
    assert (
        _embeds('<img src="a.png" srcset="data:image/png;base64,AA,BB 1x, //e.example/x 2x">')[0]
        == '<img src="a.png" srcset="data:image/png;base64,AA,BB 1x">'
    )
    assert (
        _embeds('<img src="a.png" srcset="a.png" srcset="//e.example/x">')[0]
        == '<img src="a.png" srcset="a.png">'
    )


def test_players_with_any_remote_part_become_links() -> None:
    for html in (
        '<video controls poster="https://e.example/p.png"><source src="v.mp4"></video>',
        '<video><source src="v.mp4"><track src="https://e.example/s.vtt"></video>',
        '<audio><source src="a.mp3"><source src="//e.example/a.mp3"></audio>',
    ):
        fixed, found = _embeds(html + "after")
        assert fixed.startswith('<span class="external-embed">') and fixed.endswith(
            "</span>after"
        ), html
        assert [action for _, _, action in found] == ["link"]
    # how browsers read addresses: backslashes, tabs, a quote inside a name
    for html in (
        '<img src="\\\\e.example\\a.png">',
        '<img src="/\\e.example/a.png">',
        '<img src="/&#9;/e.example/a.png">',
        '<img alt=x"y src=//e.example/a>',
        "<a title='<img alt=\"'>x</a><img src=//e.example/a>",
    ):
        assert "external-embed" in _embeds(html)[0], html
    # a comment loads nothing and is left alone
    assert _embeds('<!-- <img src="//e.example/a"> -->')[1] == []


def test_remote_srcset_is_dropped_and_reported_in_content_and_theme(
    network: Path, build_network
) -> None:
    picture = '<img src="{static}/images/potter.png">'
    write(
        network / "content/alpha/articles/srcset.md",
        f"""
        Title: Картинки
        Date: 2024-06-12 12:00

        <img src="{{static}}/images/potter.png" srcset="https://evil.example/a.png 1x">

        <picture><source srcset="https://evil.example/t.png">{picture}</picture>
    """,
    )
    theme = theme_copy(network, "srcset")
    base = theme / "templates" / "base.html"
    write(
        base,
        read(base).replace(
            "<main",
            '<img src="/theme/css/main.css" srcset="https://cdn.example.org/x.png 2x" alt=""><main',
            1,
        ),
    )
    write(network / "sites/alpha.yaml", read(network / "sites/alpha.yaml") + "theme: srcset\n")
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    log = report.log
    assert (
        "content/alpha/articles/srcset.md:4: warning: <img> loads "
        "https://evil.example/a.png from another website" in log
    )
    assert (
        "content/alpha/articles/srcset.md:4: предупреждение: <img> загружает "
        "https://evil.example/a.png" in log
    )
    assert (
        "content/alpha/articles/srcset.md:6: warning: <source> loads "
        "https://evil.example/t.png" in log
    )
    assert "the theme's <img> loads https://cdn.example.org/x.png" in log
    for page in (network / "output").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "evil.example" not in text and "cdn.example.org" not in text, page
    assert check_output(network / "output") == []


# -- the final pass: linear, and blamed on the page it is at -------------------------------

SIZE = 200_000


def _page(body: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><title>Players // a page</title></head><body>"
        f"{body}</body></html>"
    )


def _nested(opening: str, closing: str, size: int) -> str:
    return opening * (size // (len(opening) + len(closing))) + closing * (
        size // (len(opening) + len(closing))
    )


def _repeated(unit: str, size: int) -> str:
    return unit * (size // len(unit))


PATHOLOGICAL = {
    "nested <video>": lambda n: _page(_nested("<video>", "</video>", n)),
    "nested <video>, a remote source inside": lambda n: _page(
        _nested("<video>", "</video>", n) + '<source src="//e.example/v.mp4"></video>'
    ),
    "unclosed <video>": lambda n: _page(_repeated("<video>", n)),
    "nested <iframe>": lambda n: _page(_nested('<iframe src="a.html">', "</iframe>", n)),
    "unclosed <iframe>": lambda n: _page(_repeated('<iframe src="a.html">', n)),
    "nested <picture>, remote sources": lambda n: _page(
        _nested('<picture><source srcset="//e.example/a.png">', "</picture>", n)
    ),
    "nested remote <audio>": lambda n: _page(
        _nested('<audio src="//e.example/a.mp3">', "</audio>", n)
    ),
    "unclosed <audio>": lambda n: _page(_repeated("<audio controls>", n)),
    "<video> never ending": lambda n: _page(_repeated("<video x ", n)),
}


def _final_pass(html: str) -> None:
    """What ``fix_output`` does to an HTML page, but reading and writing it."""
    replace_remote_embeds(rewrite_html(html, lambda url: url), lambda message: message)


def _seconds(*pages: str) -> list[float]:
    """Processor time of the final pass over each page, the best of three runs taken in
    turn (so that a busy moment of the machine weighs on all alike), without the garbage
    collector's pauses (as ``timeit`` measures)."""
    best = [float("inf")] * len(pages)
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            for i, html in enumerate(pages):
                start = time.process_time()
                _final_pass(html)
                best[i] = min(best[i], time.process_time() - start)
    finally:
        gc.enable()
    return best


def test_the_final_pass_is_linear_on_nested_and_unclosed_players() -> None:
    """a68: 2000 nested <video> took the final pass, outside any file's time budget, 54 s
    for a 56 KB text. Compared with an ordinary page of the same size (so that the test
    does not depend on the machine's speed), a pathological 200 KB page takes at most 20
    times as long (it took 40 to 50 times as long when quadratic), and four times the
    size takes less than eight times as long (linear: four; quadratic: sixteen)."""
    ordinary = _page(
        _repeated(
            '<p>Text of the article, <a href="news.html">a link</a>, '
            '<img src="images/a.png" alt="a"> and more words.</p>\n',
            SIZE,
        )
    )
    for name, make in PATHOLOGICAL.items():
        baseline, quarter, full = _seconds(ordinary, make(SIZE // 4), make(SIZE))
        slack = baseline / 10  # for cases that take next to nothing
        assert full < 20 * baseline, (name, full, baseline)
        assert full < 8 * quarter + slack, (name, quarter, full)


def _fake_run(output: Path) -> SimpleNamespace:
    return SimpleNamespace(
        output_path=str(output),
        settings={"DEFAULT_LANG": "ru", "THEME": str(REPO / "themes" / "gardarika")},
    )


def test_the_final_pass_names_each_page_it_works_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import offline_output

    write(tmp_path / "index.html", '<a href="/news/">news</a>')
    write(tmp_path / "news" / "index.html", '<img src="https://e.example/a.png" alt="a">')
    write(tmp_path / "theme" / "main.css", "a { color: red }")
    named: list[str] = []
    monkeypatch.setattr(offline_output, "report", named.append)
    offline_output.fix_output(_fake_run(tmp_path), {})
    assert named == [
        str(tmp_path / "index.html"),
        str(tmp_path / "news" / "index.html"),
        str(tmp_path / "theme" / "main.css"),
        "",
    ]  # "": no page any more
    assert 'href="news/index.html"' in read(tmp_path / "index.html")
    assert "external-embed" in read(tmp_path / "news" / "index.html")


def test_a_final_pass_stopped_at_the_time_limit_is_blamed_on_its_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import offline_output

    from gardarika.build.isolation import Task, run_isolated

    write(tmp_path / "a.html", "<p>fine</p>")
    write(tmp_path / "tag" / "slow.html", "<p>SLOW</p>")
    real = offline_output.replace_remote_embeds

    def slow_on_one_page(html: str, gettext, page=None):
        if "SLOW" in html:
            time.sleep(60)
        return real(html, gettext, page)

    monkeypatch.setattr(offline_output, "replace_remote_embeds", slow_on_one_page)
    outcomes = []
    task = Task("final-pass", run=lambda: offline_output.fix_output(_fake_run(tmp_path), {}))
    run_isolated([task], 1, 2.0, outcomes.append, memory_limit=None)
    [outcome] = outcomes
    assert outcome.timed_out and outcome.at == str(tmp_path / "tag" / "slow.html")


@pytest.mark.parametrize("rel", ["preconnect", "dns-prefetch", "prerender", "stylesheet"])
def test_a_link_that_contacts_another_website_is_one_rule(rel: str, tmp_path: Path) -> None:
    """One list of what loads (``render/links.py``): a ``<link rel=preconnect>`` (or
    ``dns-prefetch``, ``prerender``) tells another website who reads the page, so the
    output check reports it like a remote stylesheet, and the content's pass over
    remote embeds drops it; the two read the same list."""
    from gardarika.render.embeds import LINK_RELS, replace_remote_embeds
    from gardarika.render.links import LOADING_LINK_RELS

    assert LINK_RELS == LOADING_LINK_RELS
    page = f'<p>Текст</p>\n<link rel="{rel}" href="https://cdn.example.org/">'
    write(tmp_path / "out/town/index.html", page)
    findings = check_output(tmp_path / "out")
    assert any("from another website" in f.en for f in findings), findings
    cleaned, _ = replace_remote_embeds(page, lambda text: text)
    assert "cdn.example.org" not in cleaned


def test_names_used_only_by_hidden_or_draft_articles_are_not_links(
    network: Path, build_network
) -> None:
    """Pelican makes tag, category and author pages from published articles only: a
    hidden article's (or a draft's) tag, category or author that no published article
    has is shown as text, not as a link to a page that does not exist."""
    write(
        network / "content/alpha/articles/hidden.md",
        """
        Title: Скрытая статья
        Date: 2024-01-01 10:00
        Status: hidden
        Category: Тайная рубрика
        Tags: только-скрытая, общая
        Author: Невидимка

        Текст.
        """,
    )
    write(
        network / "content/alpha/articles/draft.md",
        """
        Title: Черновик
        Date: 2024-01-02 10:00
        Status: draft
        Tags: только-черновик
        Author: Черновой автор

        Текст.
        """,
    )
    write(
        network / "content/alpha/articles/shown.md",
        """
        Title: Обычная статья
        Date: 2024-01-03 10:00
        Tags: общая

        Текст.
        """,
    )
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    assert check_output(network / "output") == []
    out = network / "output" / "alpha"
    hidden = next(p for p in out.glob("*.html") if "Скрытая статья</h1>" in p.read_text("utf-8"))
    html = hidden.read_text(encoding="utf-8")
    assert "только-скрытая" in html and "Тайная рубрика" in html and "Невидимка" in html
    assert 'href="./tag/obshchaya.html"' in html  # a published article has it: its page exists
    for name in ("только-скрытая", "Тайная рубрика", "Невидимка"):
        assert f">{name}</a>" not in html, name
    assert not (out / "tag/tolko-skrytaya.html").exists()


def test_notes_on_pictures_from_other_websites_are_counted_after_the_first_five(
    network: Path, build_network
) -> None:
    """A real blog has hundreds of pictures on other websites: a build notes the first
    five of a town with their file and line and counts the rest; ``--verbose`` lists
    every one."""
    pictures = "\n\n".join(f"![Фото {n}](https://example.org/photo-{n}.jpg)" for n in range(8))
    write(
        network / "content/alpha/articles/photos.md",
        f"Title: Фотографии\nDate: 2024-03-01 10:00\n\n{pictures}\n",
    )
    short = build_network(network, ["alpha"])
    assert short.ok, short.log
    noted = [n for n in range(8) if f"https://example.org/photo-{n}.jpg from another" in short.log]
    assert noted == [0, 1, 2, 3, 4], short.log
    assert "alpha: 3 more pictures, videos, frames" in short.log
    assert "ещё 3: картинки, видео, фреймы" in short.log
    assert "--site alpha --force --verbose" in short.log
    every = build_network(network, ["alpha"], skip_unchanged=False, verbose=True)
    assert all(f"photo-{n}.jpg from another" in every.log for n in range(8)), every.log
    assert "more pictures" not in every.log
