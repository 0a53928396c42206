"""Files beside the texts: no web pages, scripts or scripted drawings; other text
formats are said not to become pages."""

from __future__ import annotations

import gzip
from pathlib import Path

from projects import write, write_files

from gardarika.checks.files import check_files, file_problems
from gardarika.config.network import Town

SVG_PLAIN = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>\n'
SVG_SCRIPTED = (
    '<svg xmlns="http://www.w3.org/2000/svg">\n<circle r="4"/>\n'
    '<circle r="2" onclick="steal()"/>\n</svg>\n'
)
#: a script the old pattern missed: a prefix, in UTF-16
SVG_DISGUISED = (
    '<?xml version="1.0" encoding="UTF-16"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg">\n<circle r="4"/>\n'
    '<s:script xmlns:s="http://www.w3.org/2000/svg">steal()</s:script>\n</svg>\n'
)


def test_pages_scripts_and_scripted_drawings_are_refused(network: Path, build_network) -> None:
    town = network / "content/alpha"
    write(town / "files/map.html", "<p>map</p><script>steal()</script>\n")
    write(town / "files/app.js", "steal();\n")
    write(town / "images/logo.svg", SVG_SCRIPTED)
    write(town / "images/plain.svg", SVG_PLAIN)
    (town / "images/map.svg").write_bytes(SVG_DISGUISED.encode("utf-16"))
    report = build_network(network)
    assert report.failed == ["alpha"] and report.built == ["beta"]
    assert (
        "content/alpha/files/map.html: error: web pages and scripts cannot be "
        "published as files" in report.log
    )
    assert "content/alpha/files/app.js: error:" in report.log
    assert "content/alpha/images/logo.svg:3: error: this drawing contains “onclick=”" in report.log
    assert "content/alpha/images/map.svg:4: error: this drawing contains “<script>”" in report.log
    assert "Inkscape" in report.log and "«Обычный SVG»" in report.log
    assert "plain.svg" not in report.log


def test_drawings_are_reported_with_file_and_line(tmp_path: Path) -> None:
    """Each way past a pattern is named with its line; harmless drawings are not named."""
    content = tmp_path / "content/alpha"
    images = content / "images"
    images.mkdir(parents=True)
    (images / "a-utf16.svg").write_bytes(SVG_DISGUISED.encode("utf-16-le"))
    (images / "b-entity.svg").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x "<script>steal()</script>">]>\n'
        '<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>\n',
        encoding="utf-8",
    )
    (images / "c-packed.svgz").write_bytes(gzip.compress(SVG_SCRIPTED.encode()))
    (images / "d-broken.svg").write_text("<svg>\n<g>\n</svg>\n", encoding="utf-8")
    (images / "e-tracker.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        '<image href="https://example.org/pixel.png"/>\n</svg>\n',
        encoding="utf-8",
    )
    (images / "f-plain.svg").write_text(SVG_PLAIN, encoding="utf-8")
    problems = list(file_problems(content, tmp_path, trusted=False))
    assert [(p.where(), p.severity) for p in problems] == [
        ("content/alpha/images/a-utf16.svg:4", "error"),
        ("content/alpha/images/b-entity.svg:2", "error"),
        ("content/alpha/images/c-packed.svgz:3", "error"),
        ("content/alpha/images/d-broken.svg:3", "error"),
        ("content/alpha/images/e-tracker.svg:2", "error"),
    ]
    utf16, entity, packed, broken, tracker = problems
    assert "“<script>”" in utf16.en and "«<script>»" in utf16.ru
    assert "Save it again without a DOCTYPE" in entity.en and "без DOCTYPE" in entity.ru
    assert "“onclick=”" in packed.en
    assert "cannot be read" in broken.en and "не удаётся прочитать" in broken.ru
    assert "https://example.org/pixel.png" in tracker.en and "без сети" in tracker.ru
    assert list(file_problems(content, tmp_path, trusted=True)) == []


def test_a_trusted_town_may_publish_them(network: Path, build_network) -> None:
    with (network / "sites/network.yaml").open("a", encoding="utf-8") as settings:
        settings.write("trust_html: [alpha]\n")
    write(network / "content/alpha/files/map.html", "<p>map</p>\n")
    write(network / "content/alpha/images/logo.svg", SVG_SCRIPTED)
    report = build_network(network)
    assert report.ok, report.log
    assert (network / "output/alpha/files/map.html").read_text(encoding="utf-8") == "<p>map</p>\n"
    assert (network / "output/alpha/images/logo.svg").is_file()


def test_other_text_formats_are_said_not_to_become_pages(network: Path, build_network) -> None:
    write(network / "content/beta/history.rst", "History\n#######\n\n:date: 2024-01-01\n")
    write(network / "content/beta/notes.txt", "Notes\n")
    write(network / "content/beta/files/rules.txt", "Rules for download\n")
    report = build_network(network)
    assert report.ok, report.log
    assert "content/beta/history.rst: warning: only Markdown texts (.md) become pages" in report.log
    assert "content/beta/notes.txt: warning:" in report.log
    assert "rules.txt" not in report.log  # offered for download, as it should be
    assert (network / "output/beta/files/rules.txt").is_file()
    pages = "".join(
        p.read_text(encoding="utf-8") for p in (network / "output/beta").rglob("*.html")
    )
    assert "History" not in pages


# --- the allow-list, judged by the name each file is published under -----------------

PAGE = "<!DOCTYPE html>\n<html><body><script>steal()</script></body></html>\n"
#: RSS and RDF are XML: a browser shows them as XML documents, and runs an XHTML script
XML_SCRIPT = (
    '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title>'
    '<x:script xmlns:x="http://www.w3.org/1999/xhtml">steal()</x:script>'
    "</channel></rss>\n"
)
SVG_SCRIPT = (
    '<svg xmlns="http://www.w3.org/2000/svg">\n<circle r="4"/>\n<script>steal()</script>\n</svg>\n'
)


def _png(text: str | None = None) -> bytes:
    """A real 8 × 8 PNG, with ``text`` in a comment chunk if given (a polyglot)."""
    import io

    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    if text is not None:
        info.add_text("Comment", text)
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(data, "PNG", pnginfo=info)
    return data.getvalue()


def _town(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    return write_files(tmp_path / "content/alpha", files)


def _problems(
    content: Path, root: Path, trusted: bool = False, **kwargs: object
) -> dict[str, object]:
    found = {}
    for problem in file_problems(content, root, trusted=trusted, **kwargs):
        assert problem.file.startswith("content/alpha/")
        assert problem.en and problem.ru and problem.en != problem.ru
        found[problem.file.removeprefix("content/alpha/")] = problem
    return found


def test_names_that_become_active_when_published_are_refused(tmp_path: Path) -> None:
    """The red team's names: inert in the content folder, a page or drawing once
    portable names fold them (full-width letters, a space, Cyrillic)."""
    content = _town(
        tmp_path,
        {
            "files/page.ｈｔｍｌ": PAGE,
            "files/notes.ht ml": PAGE,
            "images/fullwidth.ｓｖｇ": SVG_SCRIPT,
            "images/y.свг": SVG_SCRIPT,
            "images/plain.свг": SVG_PLAIN,  # published as plain.svg, a harmless drawing
        },
    )
    found = _problems(content, tmp_path)
    assert sorted(found) == [
        "files/notes.ht ml",
        "files/page.ｈｔｍｌ",
        "images/fullwidth.ｓｖｇ",
        "images/y.свг",
    ]
    page = found["files/page.ｈｔｍｌ"]
    assert page.severity == "error"
    assert "published as “page.html”" in page.en and "«page.html»" in page.ru
    assert "Markdown" in page.en and "архив .zip" in page.ru
    assert "“notes.html”" in found["files/notes.ht ml"].en
    drawing = found["images/y.свг"]
    assert drawing.line == 3 and "“<script>”" in drawing.en and "Inkscape" in drawing.en
    assert found["images/fullwidth.ｓｖｇ"].line == 3


def test_symbolic_links_are_judged_by_both_names_and_the_content(tmp_path: Path) -> None:
    content = _town(
        tmp_path,
        {
            "files/page-in-txt.txt": PAGE,  # plain text: published as text, fine
            "files/svg-in-txt.txt": SVG_SCRIPT,
            "files/feed.rss": XML_SCRIPT,
            "images/ok.png": _png(),
        },
    )
    (content / "files/page.html").symlink_to("page-in-txt.txt")
    (content / "files/drawing.svg").symlink_to("svg-in-txt.txt")
    (content / "images/linked.svg").symlink_to("../files/svg-in-txt.txt")
    (content / "files/feed.txt").symlink_to("feed.rss")  # inert name, active file
    (content / "images/same.png").symlink_to("ok.png")  # fine
    (content / "files/passwd.txt").symlink_to("/etc/passwd")  # the confinement check's
    found = _problems(content, tmp_path)
    assert sorted(found) == [
        "files/drawing.svg",
        "files/feed.rss",
        "files/feed.txt",
        "files/page.html",
        "images/linked.svg",
    ]
    page = found["files/page.html"]
    assert "web pages and scripts" in page.en
    assert "symbolic link to “files/page-in-txt.txt”" in page.en
    assert "символическая ссылка на «files/page-in-txt.txt»" in page.ru
    drawing = found["files/drawing.svg"]
    assert drawing.line == 3 and "“<script>”" in drawing.en
    assert "“files/svg-in-txt.txt”" in drawing.en
    assert "“<script>”" in found["images/linked.svg"].en
    feed = found["files/feed.txt"]
    assert feed.en.startswith("this symbolic link leads to “files/feed.rss”; a “.rss” file")
    assert "ведёт на «files/feed.rss»" in feed.ru


def test_types_not_on_the_list_are_refused(tmp_path: Path) -> None:
    content = _town(
        tmp_path,
        {
            "files/readme": PAGE,
            "files/data.rdf": XML_SCRIPT.replace("rss", "rdf:RDF"),
            "files/feed.rss": XML_SCRIPT,
            "files/archive.mht": "MIME-Version: 1.0\nContent-Type: multipart/related\n\n" + PAGE,
            "files/book.fb2": XML_SCRIPT,
            "files/track.gpx": XML_SCRIPT,
        },
    )
    found = _problems(content, tmp_path)
    assert sorted(found) == [
        "files/archive.mht",
        "files/book.fb2",
        "files/data.rdf",
        "files/feed.rss",
        "files/readme",
        "files/track.gpx",
    ]
    readme = found["files/readme"]
    assert readme.en.startswith(
        "a file without an extension (published as “readme”) cannot be published as it is"
    )
    assert ".zip archive" in readme.en and "PDF" in readme.en
    assert readme.ru.startswith("файл без расширения")
    assert found["files/feed.rss"].en.startswith("a “.rss” file")
    assert "файл «.rdf»" in found["files/data.rdf"].ru
    assert "web pages" in found["files/archive.mht"].en


def test_a_file_that_is_really_a_web_page_is_refused(tmp_path: Path) -> None:
    """A browser that gets a file without a type guesses it from the first bytes: a
    "picture" or "document" that begins like a page is one."""
    content = _town(
        tmp_path,
        {
            "images/x.png": "<html><script>steal()</script></html>\n",
            "images/late.gif": "GIF8 not really\n<script>steal()</script>\n",
            "files/report.pdf": "\ufeff  \n<!DOCTYPE html><script>steal()</script>\n",
            "files/films.srt": "<html><script>steal()</script>\n",
            "files/utf16.csv": "<html><script>steal()</script>".encode("utf-16"),
            # fine: a real picture with HTML in a comment starts as a PNG (and the build
            # re-encodes it); plain text is sent as text everywhere; a damaged picture
            # without markup is the image check's warning, not this one's
            "images/polyglot.png": _png("<html><script>steal()</script></html>"),
            "files/page-in-txt.txt": PAGE,
            "images/broken.jpg": b"\xff\xd8\xff\xe0 cut short",
        },
    )
    found = _problems(content, tmp_path)
    assert sorted(found) == [
        "files/films.srt",
        "files/report.pdf",
        "files/utf16.csv",
        "images/late.gif",
        "images/x.png",
    ]
    picture = found["images/x.png"]
    assert "begins with “<html”" in picture.en and "«<html»" in picture.ru
    assert "begins with “<!DOCTYPE”" in found["files/report.pdf"].en
    late = found["images/late.gif"]
    assert "named as a picture (.gif)" in late.en and "“<script”" in late.en
    assert "фоторедакторе" in late.ru


def test_ordinary_files_pass(tmp_path: Path) -> None:
    content = _town(
        tmp_path,
        {
            "images/photo.png": _png(),
            "images/Фото 1.PNG": _png(),
            "images/coat-of-arms.svg.png": _png(),  # Wikimedia's thumbnails
            "images/plain.svg": SVG_PLAIN,
            "images/plain.svgz": gzip.compress(SVG_PLAIN.encode()),
            "files/report.pdf": b"%PDF-1.4\n%%EOF\n",
            "files/photos.zip": b"PK\x05\x06" + bytes(18),
            "files/page.html.zip": b"PK\x05\x06" + bytes(18),
            "files/rules.txt": "Rules\n",
            "files/table.csv": "a,b\n1,2\n",
            "files/film.vtt": "WEBVTT\n",
            "files/song.mp3": b"ID3\x04\x00",
            "articles/news.md": "Title: News\n\n<script>steal()</script>\n",  # a page
        },
    )
    assert _problems(content, tmp_path) == {}


def test_a_page_or_program_extension_inside_a_name_is_refused(tmp_path: Path) -> None:
    """Apache takes every part after a dot as a type or a handler."""
    content = _town(
        tmp_path,
        {
            "images/shell.php.jpg": _png(),
            "files/film.html.srt": "1\n00:00:01,000 --> 00:00:02,000\n",
            "files/map.svg.gz": gzip.compress(SVG_PLAIN.encode()),
            # after a type every server knows, an inner one is harmless
            "images/coat-of-arms.svg.png": _png(),
            "files/page.html.zip": b"PK\x05\x06" + bytes(18),
        },
    )
    found = _problems(content, tmp_path)
    assert sorted(found) == ["files/film.html.srt", "files/map.svg.gz", "images/shell.php.jpg"]
    assert "has “.php” inside it" in found["images/shell.php.jpg"].en
    assert "без «.html»" in found["files/film.html.srt"].ru


def test_trusted_towns_and_what_is_refused_even_then(tmp_path: Path) -> None:
    content = _town(
        tmp_path,
        {
            "files/readme": PAGE,
            "files/page.ｈｔｍｌ": PAGE,
            "images/x.png": PAGE,
            "theme/js/searchbox.js": "steal();\n",
            "images/Thumbs.db": b"\xd0\xcf\x11\xe0",
        },
    )
    # STATIC_PATHS [""]: the whole folder is published, theme/ too
    trusted = _problems(content, tmp_path, trusted=True, static_paths=[""])
    assert sorted(trusted) == ["images/Thumbs.db", "theme/js/searchbox.js"]
    theme = trusted["theme/js/searchbox.js"]
    assert theme.severity == "error" and "among the theme's own files" in theme.en
    assert "файлов темы" in theme.ru
    thumbs = trusted["images/Thumbs.db"]
    assert thumbs.severity == "warning" and "Delete it" in thumbs.en
    untrusted = _problems(content, tmp_path, static_paths=[""])
    assert sorted(untrusted) == [
        "files/page.ｈｔｍｌ",
        "files/readme",
        "images/Thumbs.db",
        "images/x.png",
        "theme/js/searchbox.js",
    ]


def test_outside_the_static_folders(tmp_path: Path) -> None:
    """Texts in other formats there are said not to become pages (a warning); web pages
    and files of other kinds are refused, since a {static} link would publish them."""
    content = _town(
        tmp_path,
        {
            "articles/history.rst": "History\n",
            "articles/notes.txt": "Notes\n",
            "articles/page.html": PAGE,
            "articles/readme": PAGE,
            "articles/photo.png": _png(),
        },
    )
    found = _problems(content, tmp_path)
    assert {name: p.severity for name, p in found.items()} == {
        "articles/history.rst": "warning",
        "articles/notes.txt": "warning",
        "articles/page.html": "error",
        "articles/readme": "error",
    }
    assert "only Markdown texts (.md) become pages" in found["articles/history.rst"].en
    trusted = _problems(content, tmp_path, trusted=True)
    assert {name: p.severity for name, p in trusted.items()} == {
        "articles/history.rst": "warning",
        "articles/notes.txt": "warning",
        "articles/page.html": "warning",
    }


def test_the_towns_static_paths_are_used(tmp_path: Path) -> None:
    """With ``STATIC_PATHS: [""]`` every folder is published as it is: a text in another
    format there is a file to publish, judged as one, not a page that never comes."""
    content = _town(tmp_path, {"articles/history.rst": "History\n"})

    def town(**pelican: object) -> Town:
        return Town(
            id="alpha",
            file=tmp_path / "sites/alpha.yaml",
            name={"ru": "А"},
            languages=("ru",),
            content=content,
            pelican=pelican,
        )

    (default,) = check_files(town(), [], tmp_path)
    assert default.severity == "warning"
    (everything,) = check_files(town(STATIC_PATHS=[""]), [], tmp_path)
    assert everything.severity == "error" and "a “.rst” file" in everything.en
