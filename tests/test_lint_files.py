"""Files beside the texts: no web pages, scripts or scripted drawings; other text
formats are said not to become pages."""

from __future__ import annotations

import gzip
from pathlib import Path

from conftest import write

from gardarika.lint_files import file_problems

SVG_PLAIN = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>\n'
SVG_SCRIPTED = ('<svg xmlns="http://www.w3.org/2000/svg">\n<circle r="4"/>\n'
                '<circle r="2" onclick="steal()"/>\n</svg>\n')
#: a script the old pattern missed: a prefix, in UTF-16
SVG_DISGUISED = ('<?xml version="1.0" encoding="UTF-16"?>\n'
                 '<svg xmlns="http://www.w3.org/2000/svg">\n<circle r="4"/>\n'
                 '<s:script xmlns:s="http://www.w3.org/2000/svg">steal()</s:script>\n</svg>\n')


def test_pages_scripts_and_scripted_drawings_are_refused(network: Path,
                                                         build_network) -> None:
    town = network / "content/alpha"
    write(town / "files/map.html", "<p>map</p><script>steal()</script>\n")
    write(town / "files/app.js", "steal();\n")
    write(town / "images/logo.svg", SVG_SCRIPTED)
    write(town / "images/plain.svg", SVG_PLAIN)
    (town / "images/map.svg").write_bytes(SVG_DISGUISED.encode("utf-16"))
    report = build_network(network)
    assert report.failed == ["alpha"] and report.built == ["beta"]
    assert "content/alpha/files/map.html: error: web pages and scripts cannot be " \
           "published as files" in report.log
    assert "content/alpha/files/app.js: error:" in report.log
    assert "content/alpha/images/logo.svg:3: error: this drawing contains " \
           "“onclick=”" in report.log
    assert "content/alpha/images/map.svg:4: error: this drawing contains “<script>”" \
        in report.log
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
        '<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>\n', encoding="utf-8")
    (images / "c-packed.svgz").write_bytes(gzip.compress(SVG_SCRIPTED.encode()))
    (images / "d-broken.svg").write_text("<svg>\n<g>\n</svg>\n", encoding="utf-8")
    (images / "e-tracker.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        '<image href="https://example.org/pixel.png"/>\n</svg>\n', encoding="utf-8")
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
    with (network / "sites/alpha.yaml").open("a", encoding="utf-8") as settings:
        settings.write("trust_html: true\n")
    write(network / "content/alpha/files/map.html", "<p>map</p>\n")
    write(network / "content/alpha/images/logo.svg", SVG_SCRIPTED)
    report = build_network(network)
    assert report.ok, report.log
    assert (network / "output/alpha/files/map.html").read_text(encoding="utf-8") == \
        "<p>map</p>\n"
    assert (network / "output/alpha/images/logo.svg").is_file()


def test_other_text_formats_are_said_not_to_become_pages(network: Path,
                                                        build_network) -> None:
    write(network / "content/beta/history.rst", "History\n#######\n\n:date: 2024-01-01\n")
    write(network / "content/beta/notes.txt", "Notes\n")
    write(network / "content/beta/files/rules.txt", "Rules for download\n")
    report = build_network(network)
    assert report.ok, report.log
    assert "content/beta/history.rst: warning: only Markdown texts (.md) become pages" \
        in report.log
    assert "content/beta/notes.txt: warning:" in report.log
    assert "rules.txt" not in report.log  # offered for download, as it should be
    assert (network / "output/beta/files/rules.txt").is_file()
    pages = "".join(p.read_text(encoding="utf-8")
                    for p in (network / "output/beta").rglob("*.html"))
    assert "History" not in pages
