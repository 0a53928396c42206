"""safe_files on tiny sites with Pelican's ``simple`` theme, after ``offline_output``
(which gives copied files their portable names) and before ``light_images``, as in
Gardarika's order."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

from pelican_site import build_pelican_site
from PIL import Image, PngImagePlugin

PLUGINS = ["offline_output", "safe_files", "light_images"]
#: as Gardarika's settings: the static folders, and no HTML files read as pages
STATIC = 'STATIC_PATHS = ["images", "files"]\nREADERS = {"html": None, "htm": None}\n'
ARTICLE = "Title: T\nDate: 2024-01-01\n\nText.\n"
PAGE = "<!DOCTYPE html>\n<html><body><script>steal()</script></body></html>\n"
XML_SCRIPT = (
    '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title>'
    '<x:script xmlns:x="http://www.w3.org/1999/xhtml">steal()</x:script>'
    "</channel></rss>\n"
)
SVG_SCRIPT = (
    '<svg xmlns="http://www.w3.org/2000/svg">\n<circle r="4"/>\n<script>steal()</script>\n</svg>\n'
)
SVG_PLAIN = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>\n'


def _png(text: str | None = None) -> bytes:
    info = PngImagePlugin.PngInfo()
    if text is not None:
        info.add_text("Comment", text)
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(data, "PNG", pnginfo=info)
    return data.getvalue()


def _links(tmp_path: Path) -> None:
    """The red team's symbolic links inside the town (written before the build)."""
    files = tmp_path / "content/files"
    files.mkdir(parents=True)
    (files / "page.html").symlink_to("page-in-txt.txt")
    (files / "drawing.svg").symlink_to("svg-in-txt.txt")
    (tmp_path / "content/images").mkdir()
    (tmp_path / "content/images/linked.svg").symlink_to("../files/svg-in-txt.txt")


HOSTILE: dict[str, str | bytes] = {
    "t.md": ARTICLE,
    "files/page.ｈｔｍｌ": PAGE,
    "files/notes.ht ml": PAGE,
    "images/fullwidth.ｓｖｇ": SVG_SCRIPT,
    "images/y.свг": SVG_SCRIPT,
    "files/readme": PAGE,
    "files/data.rdf": XML_SCRIPT,
    "files/feed.rss": XML_SCRIPT,
    "files/archive.mht": "MIME-Version: 1.0\nContent-Type: multipart/related\n\n" + PAGE,
    "images/x.png": "<html><script>steal()</script></html>\n",
    "files/page-in-txt.txt": PAGE,
    "files/svg-in-txt.txt": SVG_SCRIPT,
}
#: what each refused file is logged as (its source, relative to the content folder)
REFUSED = [
    "files/page.ｈｔｍｌ",
    "files/notes.ht ml",
    "images/fullwidth.ｓｖｇ",
    "images/y.свг",
    "files/readme",
    "files/data.rdf",
    "files/feed.rss",
    "files/archive.mht",
    "images/x.png",
    "files/page.html",
    "files/drawing.svg",
    "images/linked.svg",
]


def _published(out: Path) -> list[str]:
    """The copied files (not the pages Pelican wrote, nor the theme's)."""
    return sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.relative_to(out).parts[0] in ("images", "files")
    )


def _errors(log: str) -> list[str]:
    return [line.split("ERROR", 1)[1].strip() for line in log.splitlines() if "ERROR" in line]


def test_the_red_teams_files_are_not_published(tmp_path: Path) -> None:
    _links(tmp_path)
    out, log = build_pelican_site(tmp_path, HOSTILE, PLUGINS, extra=STATIC, must_succeed=False)
    errors = _errors(log)
    for source in REFUSED:
        assert any(e.startswith(f"{source}: ") for e in errors), (source, log)
    assert len(errors) == len(REFUSED), log
    # only the two plain texts are published, as texts, under their own names
    assert _published(out) == ["files/page-in-txt.txt", "files/svg-in-txt.txt"]
    shown = "\n".join(errors)
    # “page-2.html”: offline_output keeps “page.html” for the symbolic link of that name
    assert (
        "files/page.ｈｔｍｌ: web pages and scripts cannot be published as files "
        "(this one would be published as “page-2.html”)" in shown
    )
    assert (
        "files/notes.ht ml: web pages and scripts cannot be published as files "
        "(this one would be published as “notes.html”)" in shown
    )
    assert "files/readme: a file without an extension" in shown
    assert "files/feed.rss: a “.rss” file" in shown
    assert "images/x.png: this file is published as a “.png” file but is really a web page" in shown
    assert "files/drawing.svg: this drawing contains “<script>”" in shown
    assert "(“files/drawing.svg” is a symbolic link to “files/svg-in-txt.txt”.)" in shown


def test_the_final_name_is_judged_whatever_gave_it(tmp_path: Path) -> None:
    """``EXTRA_PATH_METADATA`` can publish an inert file under any name: a page, a
    hidden server file, the theme's script; the last two are refused even for a trusted
    town. (Without ``offline_output`` here, which would rename ``.htaccess``.)"""
    extra = STATIC + (
        "EXTRA_PATH_METADATA = {\n"
        "    'files/home.txt': {'save_as': 'files/home.html'},\n"
        "    'files/access.txt': {'save_as': '.htaccess'},\n"
        "    'files/searchbox.txt': {'save_as': 'theme/js/searchbox.js'},\n"
        "    'files/upper.txt': {'save_as': 'Theme/js/x.txt'},\n"
        "}\n"
    )
    files: dict[str, str | bytes] = {
        "t.md": ARTICLE,
        "files/home.txt": PAGE,
        "files/access.txt": "Options +ExecCGI\n",
        "files/searchbox.txt": "steal();\n",
        "files/upper.txt": "x\n",
    }
    for trusted in (False, True):
        town = tmp_path / str(trusted)
        town.mkdir()
        out, log = build_pelican_site(
            town,
            files,
            ["safe_files"],
            extra=extra + f"SAFE_HTML = {not trusted}\n",
            must_succeed=False,
        )
        errors = "\n".join(_errors(log))
        assert (
            "files/access.txt: the file would be published as “.htaccess”, a hidden file" in errors
        )
        assert (
            "files/searchbox.txt: the file would be published as "
            "“theme/js/searchbox.js”, among the theme's own files" in errors
        )
        assert "files/upper.txt: the file would be published as “Theme/js/x.txt”" in errors
        assert not (out / ".htaccess").exists() and not (out / "Theme").exists()
        searchbox = out / "theme/js/searchbox.js"
        assert not searchbox.exists() or "steal" not in searchbox.read_text(encoding="utf-8")
        if trusted:
            assert "home.txt" not in errors
            assert (out / "files/home.html").read_text(encoding="utf-8") == PAGE
        else:
            assert "files/home.txt: web pages and scripts" in errors
            assert not (out / "files/home.html").exists()


def test_ordinary_files_are_published(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "t.md": "Title: T\nDate: 2024-01-01\n\n![p]({static}images/photo.png) "
        "[r]({static}files/report.pdf)\n",
        "images/photo.png": _png(),
        "images/Фото 1.PNG": _png(),
        "images/polyglot.png": _png("<html><script>steal()</script></html>"),
        "images/plain.svg": SVG_PLAIN,
        "images/plain.svgz": gzip.compress(SVG_PLAIN.encode()),
        "files/report.pdf": b"%PDF-1.4\n%%EOF\n",
        "files/photos.zip": b"PK\x05\x06" + bytes(18),
        "files/rules.txt": "Rules\n",
        "files/song.mp3": b"ID3\x04\x00",
    }
    out, log = build_pelican_site(tmp_path, files, PLUGINS, extra=STATIC)
    assert "ERROR" not in log and "safe_files" not in log, log
    assert _published(out) == [
        "files/photos.zip",
        "files/report.pdf",
        "files/rules.txt",
        "files/song.mp3",
        "images/foto-1.png",
        "images/photo.png",
        "images/plain.svg",
        "images/plain.svgz",
        "images/polyglot.png",
    ]
    # the polyglot is re-encoded by light_images: the comment is gone
    assert b"steal" not in (out / "images/polyglot.png").read_bytes()


def test_a_trusted_town_publishes_them(tmp_path: Path) -> None:
    _links(tmp_path)
    out, log = build_pelican_site(tmp_path, HOSTILE, PLUGINS, extra=STATIC + "SAFE_HTML = False\n")
    # (only the "picture" that is a web page is refused, by light_images, whatever the
    # town trusts: a picture it cannot read is never copied as it is)
    errors = [line for line in log.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "images/x.png: this picture cannot be read" in errors[0], log
    published = _published(out)
    for name in (
        "files/page.html",
        "files/notes.html",
        "images/fullwidth.svg",
        "images/y.svg",
        "files/readme",
        "files/data.rdf",
        "files/feed.rss",
        "files/archive.mht",
        "files/drawing.svg",
        "images/linked.svg",
    ):
        assert name in published, (name, published)
    assert "steal()" in (out / "files/page.html").read_text(encoding="utf-8")


def test_windows_leftovers_are_left_out_with_a_warning(tmp_path: Path) -> None:
    out, log = build_pelican_site(
        tmp_path,
        {"t.md": ARTICLE, "images/Thumbs.db": b"\xd0\xcf\x11", "images/photo.png": _png()},
        PLUGINS,
        extra=STATIC,
    )
    assert "ERROR" not in log
    assert "images/Thumbs.db: “thumbs.db” is a file Windows makes by itself" in log
    assert _published(out) == ["images/photo.png"]
    assert os.path.isfile(tmp_path / "content/images/Thumbs.db")  # the source stays
