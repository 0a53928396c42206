"""Offline-first output: links fixed whatever the theme does, remote embeds turned into
links, portable names, and ``invoke check`` catching every kind of problem."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, broken_links, write
from PIL import Image

from gardarika.check import check_output


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
    write(base, read(base).replace("<main", """
<p class="careless"><a href="/">home</a> <a href="{{ SITEURL }}/">here</a>
<a href="/archives.html#y">a</a> <a href="/categories.html?x=1">cats</a>
<a href="https://example.org/">web</a> <a href="#main">top</a>
<img src="/theme/css/main.css?v=1" alt="">
<span style="background: url('/theme/css/main.css')">s</span></p>
<main""", 1))
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
    write(network / "content/alpha/articles/video.md", """
        Title: Видео с праздника
        Date: 2024-06-12 12:00

        Смотрите запись:

        <iframe src="https://www.youtube.com/embed/abc123" width="560"></iframe>

        ![Салют над рекой](https://photos.example.org/salute.jpg)

        <script src="https://cdn.example.org/tracker.js"></script>

        Ссылка на [сайт музея](https://museum.example.org/) остаётся ссылкой.
    """)
    write(network / "content/alpha/articles/video.en.md", """
        Title: Video of the celebration
        Date: 2024-06-12 12:00

        <iframe src="https://www.youtube.com/embed/abc123"></iframe>
    """)
    report = build_network(network)
    assert report.ok, report.log
    log = report.log
    assert "content/alpha/articles/video.md:6: warning: <iframe> loads " \
           "https://www.youtube.com/embed/abc123" in log
    assert "content/alpha/articles/video.md:8: warning: <img>" in log
    assert "content/alpha/articles/video.md:10: warning: <script>" in log
    assert "content/alpha/articles/video.md:6: предупреждение: <iframe>" in log
    assert "content/alpha/articles/video.en.md:4: warning: <iframe>" in log
    page = next(p for p in (network / "output/alpha").glob("*.html")
                if "Видео с праздника</h1>" in read(p))
    html = read(page)
    assert "<iframe" not in html and "tracker.js" not in html
    assert '<a href="https://www.youtube.com/embed/abc123">Видео на другом сайте ' \
           "(www.youtube.com)</a> <small>(нужен интернет)</small>" in html
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
    write(network / "content/alpha/articles/names.md", """
        Title: Имена файлов
        Date: 2024-07-01 09:00
        Tags: con, Nul, ярмарка
        Slug: Моя Страница

        ![Ладога](<{static}/images/Фото Ладоги 1.JPG>)

        [Отчёт](../files/Отчёт 2024.PDF) и <a href="images/Фото Ладоги 1.JPG">фото</a>.
    """)
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
        network: Path, build_network) -> None:
    write(network / "content/alpha/pages/clash.md",
          "Title: Столкновение\nSave_as: en/clash.html\n\nТекст.\n")
    report = build_network(network)
    assert report.failed == ["alpha"]
    assert "content/alpha/pages/clash.md" in report.log and "en/clash.html" in report.log


def broken_output(root: Path) -> Path:
    """An output folder with one of each kind of problem."""
    out = root / "output"
    write(out / "index.html", '<a href="town/index.html">town</a>\n')
    write(out / "town/index.html", """
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
    """)
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
        assert any(f"{where}: " in line and what in line for line in text.splitlines()), \
            (where, what, text)
    assert "example.org/\"" not in text and "a link to another site" not in text
    assert all(f.ru for f in findings)
    lines = {f.line for f in findings if f.file == "town/index.html"}
    assert 6 not in lines  # line 6 is a plain link to another site


def test_check_command(tmp_path: Path, network: Path) -> None:
    def gardarika(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "gardarika", *args], capture_output=True,
                              text=True, timeout=300)

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
    write(base, read(base).replace("</head>", """
<link rel="stylesheet" href="https://fonts.example.org/css?family=Serif">
<script src="https://cdn.example.org/analytics.js"></script>
</head>""", 1))
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
    write(network / "sites/network.yaml", read(network / "sites/network.yaml")
          + "theme: portal-theme\n")
    assert build_network(network).ok
    assert '<a href="beta/index.html">beta</a>' in read(network / "output/index.html")
