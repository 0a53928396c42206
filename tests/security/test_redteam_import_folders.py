"""Red-team cases for ``invoke import FOLDER`` (Pelican, Hugo, Jekyll folders): each
asserts the SAFE behaviour, so a failing test is a finding."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from projects import remove_deep
from projects import write_files as _write

from gardarika.cli import main
from gardarika.content.importing.addresses import rewrite_markdown
from gardarika.content.importing.markup import convert_hugo, convert_liquid
from tests.content.test_import_folders import _picture

PY = sys.executable
REPO = Path(__file__).resolve().parents[2]


def _import(network: Path, source: Path, *extra: str) -> int:
    return main(["--root", str(network), "import", str(source), "--site", "alpha", *extra])


def _run_cli(network: Path, source: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "-m", "gardarika", "--root", str(network), "import", str(source), "--site", "alpha"],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(REPO),
    )


def _town(network: Path) -> Path:
    return network / "content" / "alpha"


def _all_text(folder: Path) -> str:
    out = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            out.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


PELICAN_CONF = "SITEURL = 'https://old.example.org'\n"


# --- reading outside the source folder -----------------------------------------------


def test_a_hugo_static_folder_that_is_a_link_out_is_not_copied_from(network: Path) -> None:
    outside = _write(network.parent / "outside", {"secret.txt": "TOP-SECRET-STATIC"})
    site = _write(
        network.parent / "hugo",
        {
            "hugo.toml": "",
            "content/posts/a.md": '+++\ntitle = "A"\ndate = 2020-01-01\n+++\n\n'
            "[s](/secret.txt) ![p](/secret.txt)\n",
        },
    )
    (site / "static").symlink_to(outside, target_is_directory=True)
    _import(network, site)
    assert "TOP-SECRET-STATIC" not in _all_text(_town(network))


def test_a_linked_subfolder_is_not_copied_from(network: Path) -> None:
    outside = _write(network.parent / "outside", {"secret.txt": "TOP-SECRET-SUB"})
    site = _write(
        network.parent / "jekyll",
        {
            "_config.yml": "title: x\n",
            "_posts/2020-01-01-a.md": "---\ntitle: A\n---\n\n[s](/img/secret.txt) "
            "[t](img/secret.txt) [u](../outside/secret.txt)\n",
        },
    )
    (site / "img").symlink_to(outside, target_is_directory=True)
    (site / "direct.txt").symlink_to(outside / "secret.txt")
    (site / "_posts" / "b.md").write_text("---\ntitle: B\n---\n\n[d](/direct.txt)\n")
    _import(network, site)
    assert "TOP-SECRET-SUB" not in _all_text(_town(network))


@pytest.mark.parametrize(
    "target",
    [
        "{static}/../../outside/secret.txt",
        "{static}/../outside/secret.txt",
        "|static|/../../outside/secret.txt",
        "{attach}/../outside/secret.txt",
        "/../outside/secret.txt",
        "%2e%2e/outside/secret.txt",
        "..%2Foutside%2Fsecret.txt",
        "file:///{outside}/secret.txt",
        "{outside}/secret.txt",
        "//{outside}/secret.txt",
        "a%00b",
    ],
)
def test_placeholders_and_paths_never_reach_outside(network: Path, target: str) -> None:
    outside = _write(network.parent / "outside", {"secret.txt": "TOP-SECRET-PATH"})
    target = target.replace("{outside}", str(outside).lstrip("/"))
    site = _write(
        network.parent / "pel",
        {
            "pelicanconf.py": PELICAN_CONF,
            "content/news/2020-01-01_a.md": f"Title: A\n\n[s]({target}) ![p]({target})\n",
        },
    )
    _import(network, site)
    assert "TOP-SECRET-PATH" not in _all_text(_town(network))


def test_a_settings_file_that_is_a_link_out_is_not_read(network: Path) -> None:
    """``pelicanconf.py`` a link to a file outside: its SITEURL must not be used."""
    outside = _write(
        network.parent / "outside", {"conf.py": "SITEURL = 'https://leaked-secret.example'\n"}
    )
    site = _write(
        network.parent / "pel",
        {"content/news/2020-01-01_a.md": "Title: A\nDate: 2020-01-01\n\n[x](/nothing/here/)\n"},
    )
    (site / "pelicanconf.py").symlink_to(outside / "conf.py")
    _import(network, site)
    assert "leaked-secret" not in _all_text(_town(network))


def test_a_hugo_settings_file_that_is_a_link_out_is_not_read(network: Path) -> None:
    outside = _write(
        network.parent / "outside", {"hugo.toml": 'baseURL = "https://leaked-hugo.example/"\n'}
    )
    site = _write(
        network.parent / "hugo",
        {"content/posts/a.md": '+++\ntitle = "A"\ndate = 2020-01-01\n+++\n\n[x](/nothing/)\n'},
    )
    (site / "hugo.toml").symlink_to(outside / "hugo.toml")
    _import(network, site)
    assert "leaked-hugo" not in _all_text(_town(network))


def test_a_fifo_as_publishconf_does_not_hang_the_import(network: Path) -> None:
    site = _write(
        network.parent / "pel",
        {"pelicanconf.py": PELICAN_CONF, "content/a.md": "Title: A\nDate: 2020-01-01\n\nx\n"},
    )
    os.mkfifo(site / "publishconf.py")
    try:
        done = _run_cli(network, site, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("the import hangs reading a FIFO named publishconf.py")
    assert "Traceback" not in done.stderr


def test_hidden_files_of_the_old_site_are_not_copied(network: Path) -> None:
    """Jekyll, Hugo and Pelican never publish dot files; a link to one must not copy it."""
    site = _write(
        network.parent / "jekyll",
        {
            "_config.yml": "title: x\n",
            ".env": "API_KEY=TOP-SECRET-ENV\n",
            ".git/config": "[remote]\nurl = https://user:TOP-SECRET-GIT@example.org\n",
            "_posts/2020-01-01-a.md": "---\ntitle: A\n---\n\n[e](/.env) [g](/.git/config)\n",
        },
    )
    _import(network, site)
    text = _all_text(_town(network))
    assert "TOP-SECRET-ENV" not in text and "TOP-SECRET-GIT" not in text


def test_settings_files_of_the_old_site_are_not_copied(network: Path) -> None:
    site = _write(
        network.parent / "pel",
        {
            "pelicanconf.py": PELICAN_CONF + "PASSWORD = 'TOP-SECRET-CONF'\n",
            "content/a.md": "Title: A\nDate: 2020-01-01\n\n[c]({static}/../pelicanconf.py)\n",
        },
    )
    _import(network, site)
    assert "TOP-SECRET-CONF" not in _all_text(_town(network))


# --- writing outside the town, overwriting ----------------------------------------------


def test_a_linked_images_folder_of_the_town_is_not_written_through(network: Path) -> None:
    victim = network.parent / "victim"
    victim.mkdir()
    town = _town(network)
    town.mkdir(parents=True, exist_ok=True)
    for name in ("images", "files"):
        if (town / name).exists():
            shutil.rmtree(town / name)
        (town / name).symlink_to(victim, target_is_directory=True)
    site = _write(
        network.parent / "hugo",
        {
            "hugo.toml": "",
            "static/p.jpg": _picture(),
            "static/doc.pdf": b"%PDF-1.4\n",
            "content/posts/a.md": '+++\ntitle = "A"\n+++\n\n![p](/p.jpg) [d](/doc.pdf)\n',
        },
    )
    _import(network, site)
    assert list(victim.iterdir()) == []


def test_hostile_slugs_names_and_parents_stay_in_the_town(network: Path) -> None:
    files = {
        "_config.yml": "title: x\n",
        "_posts/2020-01-01-a.md": "---\ntitle: A\nslug: ../../../../escape\n---\nx\n",
        "_posts/2020-01-02-b.md": "---\ntitle: B\npermalink: /../../../escape2/\n---\nx\n",
        "_posts/2020-01-03-c.md": "---\ntitle: ../../escape3\nslug: /etc/passwd\n---\nx\n",
        "..weird/..x.md": "---\ntitle: W\n---\nx\n",
        "a/b/c/d/e/f/g/h/i.md": "---\ntitle: Deep\n---\nx\n",
    }
    site = _write(network.parent / "jekyll", files)
    before = set(network.parent.rglob("*"))
    _import(network, site)
    town = _town(network).resolve()
    for path in set(network.parent.rglob("*")) - before:
        assert path.resolve().is_relative_to(town), path
    assert not list(network.parent.glob("escape*"))


def test_an_editors_different_file_is_never_overwritten(network: Path) -> None:
    town = _town(network)
    (town / "articles").mkdir(parents=True, exist_ok=True)
    (town / "images").mkdir(parents=True, exist_ok=True)
    (town / "articles" / "a.md").write_text("EDITOR-ARTICLE", encoding="utf-8")
    (town / "images" / "p.jpg").write_bytes(b"EDITOR-PICTURE")
    site = _write(
        network.parent / "hugo",
        {
            "hugo.toml": "",
            "static/p.jpg": _picture(),
            "content/posts/a.md": '+++\ntitle = "A"\n+++\n\n![p](/p.jpg)\n',
        },
    )
    _import(network, site)
    _import(network, site)
    assert (town / "articles" / "a.md").read_text(encoding="utf-8") == "EDITOR-ARTICLE"
    assert (town / "images" / "p.jpg").read_bytes() == b"EDITOR-PICTURE"
    assert (town / "images" / "p-2.jpg").is_file()


def test_the_town_folder_itself_as_source_is_no_traceback(network: Path) -> None:
    town = _town(network)
    before = {p: p.read_bytes() for p in town.rglob("*") if p.is_file()}
    done = _run_cli(network, town)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    for path, data in before.items():
        assert path.read_bytes() == data


def test_the_project_root_as_source_is_no_traceback(network: Path, build_network) -> None:
    before = {p: p.read_bytes() for p in _town(network).rglob("*") if p.is_file()}
    done = _run_cli(network, network)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    for path, data in before.items():
        assert path.read_bytes() == data
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


# --- copies must pass the publish rules -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("evil.html", b"<html><script>alert(1)</script></html>"),
        ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        (".htaccess", b"Options +ExecCGI\n"),
        ("x.htaccess", b"Options +ExecCGI\n"),
        ("evil.svg ", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("evil.html.", b"<html><script>alert(1)</script></html>"),
        ("evil.php", b"<?php system($_GET['c']); ?>"),
        ("-.htaccess", b"Options +ExecCGI\n"),
    ],
)
def test_copies_obey_the_publish_rules(network: Path, build_network, name: str, data) -> None:
    from urllib.parse import quote

    site = _write(
        network.parent / "hugo",
        {
            "hugo.toml": "",
            f"static/{name}": data,
            "content/posts/a.md": f'+++\ntitle = "A"\ndate = 2020-01-01\n+++\n\n'
            f"[x](/{quote(name)}) ![y](/{quote(name)})\n",
        },
    )
    _import(network, site)
    for path in _town(network).rglob("*"):
        if path.is_file():
            assert b"alert(1)" not in path.read_bytes() and b"ExecCGI" not in path.read_bytes()
            assert b"system(" not in path.read_bytes()
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


def test_a_copied_file_never_becomes_a_text_of_the_town(network: Path, build_network) -> None:
    """``evil.md `` (a trailing space) or ``evil.md.`` is not a text by its suffix, but its
    cleaned name is: copied into files/ it would be read as a Markdown page."""
    site = _write(
        network.parent / "hugo",
        {
            "hugo.toml": "",
            "static/evil.md ": "---\ntitle: [unclosed\n---\nINJECTED-PAGE\n",
            "static/evil2.md.": "---\nsave_as: ../../evil.html\n---\nINJECTED-PAGE\n",
            "content/posts/a.md": '+++\ntitle = "A"\ndate = 2020-01-01\n+++\n\n'
            "[x](/evil.md%20) [y](/evil2.md.)\n",
        },
    )
    _import(network, site)
    assert not [p for p in _town(network).rglob("*") if p.is_file() and "evil" in p.name]
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


# --- no traceback -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "+++\ntitle = [unclosed\n+++\nx\n",
        "+++\ntitle = 'A'\n",
        '+++\ntitle = "A"\ndate = 10:00:00\nslug = {a = 1}\ntags = [[1, 2], {x = 3}]\n+++\nx\n',
        '+++\ntitle = "A"\ndate = 9999-12-31T23:59:59+14:00\n+++\nx\n',
        '+++\ntitle = "A"\ndate = 0001-01-01\nlastmod = 0001-01-01T00:00:00-12:00\n+++\nx\n',
        "---\ntitle: [a\n---\nx\n",
        "---\n- a\n- b\n---\nx\n",
        "---\n!!python/object/apply:os.system ['echo PWNED']\n---\nx\n",
        "---\n&a [*a]\n---\nx\n",
        "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ntags: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n---\nx\n",
        "---\ntitle: 1\ndate: 2020-13-45\ntags: {a: b}\ncategories: 5\nauthor: null\n"
        "slug: [1, 2]\nurl: 5\ndraft: [true]\nlang: 7\nsummary: [x]\n---\nx\n",
        "---\n" + "[" * 5000 + "\n---\nx\n",
        "---\ntitle: " + "{a: " * 3000 + "\n---\nx\n",
        "---\ntitle: A\ndate: 2020-01-01\n---\n\x00\x01\x1b[31mred\x7f\u202e\ufffe\n",
        "\ufeff+++\ntitle = 'BOM'\n+++\nx\n",
        "+++\r\ntitle = 'CRLF'\r\n+++\r\nx\r\n",
    ],
)
def test_hostile_front_matter_is_no_traceback(network: Path, build_network, text: str) -> None:
    site = _write(network.parent / "hugo", {"hugo.toml": "", "content/posts/a.md": text})
    code = _import(network, site)
    assert code in (0, 1)
    assert "PWNED" not in _all_text(_town(network))
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


def test_binary_and_odd_encodings_are_no_traceback(network: Path, build_network) -> None:
    site = _write(
        network.parent / "pel",
        {
            "pelicanconf.py": PELICAN_CONF,
            "content/bin.md": os.urandom(4096),
            "content/latin1.md": "Title: Caf\xe9\n\nx\n".encode("latin-1"),
            "content/utf16.md": "Title: U\n\nx\n".encode("utf-16"),
            "content/bin.rst": os.urandom(2048),
            "content/ok.md": "Title: Ok\nDate: 2020-01-01\n\nfine\n",
        },
    )
    assert _import(network, site) in (0, 1)
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


def test_bad_settings_files_are_no_traceback(network: Path) -> None:
    for name, text in [
        ("hugo.toml", "baseURL = [unclosed\n"),
        ("config.toml", b"\xff\xfe\x00binary"),
        ("_config.yml", "url: [unclosed\n"),
        ("_config.yml", "- a list\n- not a mapping\n"),
        ("_config.yml", "url: {a: 1}\nbaseurl: [1]\n"),
        ("hugo.toml", "baseURL = 5\n"),
    ]:
        site = network.parent / f"s-{name}-{len(str(text))}"
        _write(
            site,
            {
                name: text,
                "_posts/2020-01-01-a.md": "---\ntitle: A\n---\nx\n",
                "content/posts/a.md": "+++\ntitle='A'\n+++\nx\n",
            },
        )
        done = _run_cli(network, site)
        assert "Traceback" not in done.stderr, (name, done.stderr[-2000:])


def _deep(site: Path, levels: int = 1200) -> None:
    here = os.getcwd()
    try:
        os.chdir(site)
        for _ in range(levels):
            os.mkdir("d")
            os.chdir("d")
        Path("deep.md").write_text("+++\ntitle='Deep'\n+++\nx\n", encoding="utf-8")
    finally:
        os.chdir(here)


def _undeep(site: Path) -> None:
    """Remove the deep tree without recursion (pytest's own cleanup would crash)."""
    remove_deep(site / "d")


@pytest.mark.parametrize("settings", [{"hugo.toml": ""}, {}])
def test_deeply_nested_source_folders_are_no_traceback(network: Path, settings) -> None:
    site = _write(network.parent / "deep", {"x.txt": "x", **settings})
    _deep(site)
    try:
        done = _run_cli(network, site)
    finally:
        _undeep(site)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]


def test_rst_that_docutils_chokes_on_is_no_traceback(network: Path, build_network) -> None:
    site = _write(
        network.parent / "pel",
        {
            "pelicanconf.py": PELICAN_CONF,
            "content/a.rst": "A\n=\n\n:date: 2020-01-01\n\n.. include:: /etc/passwd\n",
            "content/b.rst": "B\n=\n\n:date: 2020-01-01\n\n.. raw:: html\n   :file: /etc/passwd\n",
            "content/c.rst": "C\n=\n\n:date: 2020-01-01\n\n.. csv-table::\n   :file: /etc/passwd\n",
            "content/d.rst": "D\n=\n\n:date: not a date\n:tags: " + "x," * 2000 + "\n\ntext\n",
            "content/e.rst": "E\n=\n\n" + "  " * 2000 + "* deep\n",
            "content/f.rst": (
                "F\n=\n\n:date: 2020-01-01\n\n.. raw:: html\n\n   <script>alert(1)</script>\n"
            ),
        },
    )
    done = _run_cli(network, site)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    text = _all_text(_town(network))
    assert "root:x:0:0" not in text
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


# --- the town still builds -------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>\n",
        '<iframe src="https://evil.example"></iframe>\n',
        "[x](javascript:alert(1)) [y](file:///etc/passwd) [z](data:text/html,hi)\n",
        "[x]({filename}/missing.md) ![y]({static}/missing.jpg) [z](|filename|/no.md)\n",
        "[x]({filename}/../../../../etc/passwd) [y]({static}/../../secret)\n",
        "[x]({index}) [y]({tag}nope) [z]({category}nope) [w]({author}nope)\n",
        "![a](<{{< x >}}>) [b]({{ site.x }}) [c]({% link x %})\n",
        "[a](<{static}/missing.jpg>)\n",
        "[ref]: {filename}/missing.md\n\n[x][ref]\n",
        '<a href="{filename}/missing.md">x</a> <img src="{static}/missing.jpg">\n',
        "<img src='/missing/pic.jpg'> <a href='../../up.html'>u</a>\n",
        "[x](mailto:) [y](tel:) [z](#) [w](?q=1)\n",
        "\x00\x1b\u202e\n",
    ],
)
def test_a_hostile_markdown_body_never_stops_the_build(
    network: Path, build_network, body: str
) -> None:
    site = _write(
        network.parent / "pel",
        {
            "pelicanconf.py": PELICAN_CONF,
            "content/news/2020-01-01_a.md": f"Title: A\nDate: 2020-01-01\n\n{body}",
        },
    )
    assert _import(network, site) in (0, 1)
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


@pytest.mark.parametrize(
    "summary",
    [
        "[x]({filename}/missing.md)",
        "![y]({static}/missing.jpg)",
        "[z](/nothing/here/) ![w](pic.jpg)",
        "{{< youtube >}} [q]({{ site.x }})",
        '<a href="{filename}/missing.md">x</a>',
    ],
)
def test_a_hostile_summary_never_stops_the_build(
    network: Path, build_network, summary: str
) -> None:
    site = _write(
        network.parent / "hugo",
        {
            "hugo.toml": "",
            "content/posts/a.md": '+++\ntitle = "A"\ndate = 2020-01-01\n+++\n\n'
            f"{summary}\n\n<!--more-->\n\nRest.\n",
            "content/posts/b.md": "---\ntitle: B\ndate: 2020-01-01\n"
            f"summary: '{summary}'\n---\n\nRest.\n",
        },
    )
    assert _import(network, site) in (0, 1)
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


def test_an_rst_link_to_a_missing_file_never_stops_the_build(network: Path, build_network) -> None:
    site = _write(
        network.parent / "pel",
        {
            "pelicanconf.py": PELICAN_CONF,
            "content/a.rst": "A\n=\n\n:date: 2020-01-01\n\n"
            "`x <{filename}/missing.rst>`_ and `y <{static}/../../secret.txt>`_\n\n"
            ".. image:: {static}/missing.png\n",
        },
    )
    assert _import(network, site) in (0, 1)
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


@pytest.mark.parametrize(
    "slug",
    [
        "index",
        "404",
        "tags",
        "categories",
        "archives",
        "authors",
        "feeds",
        "sitemap",
        "search",
        "robots",
        "theme",
        "images",
        "files",
        "en",
        "ru",
        "drafts",
        "tag",
        "page",
    ],
)
def test_a_reserved_slug_never_stops_the_build(network: Path, build_network, slug: str) -> None:
    site = _write(
        network.parent / "hugo",
        {
            "hugo.toml": "",
            "content/posts/a.md": f'+++\ntitle = "A"\ndate = 2020-01-01\nslug = "{slug}"\n+++\nx\n',
            f"content/{slug}.md": f'+++\ntitle = "P"\nslug = "{slug}"\n+++\npage\n',
        },
    )
    assert _import(network, site) in (0, 1)
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


def test_odd_names_and_languages_never_stop_the_build(network: Path, build_network) -> None:
    site = _write(
        network.parent / "hugo",
        {
            "hugo.toml": "",
            "content/posts/a.md": '+++\ntitle = "!!!"\ndate = 2020-01-01\n'
            'tags = ["!!!", "???", "..", "/", "", " ", "a/b", "<script>"]\n'
            'categories = ["..", "%"]\nauthors = ["!!!", ".."]\n+++\nx\n',
            "content/posts/b.en.md": '+++\ntitle = "Only English"\ndate = 2020-01-01\n+++\nx\n',
            "content/posts/c.xx.md": '+++\ntitle = "Unknown"\ndate = 2020-01-01\n+++\nx\n',
            "content/posts/d.md": '+++\ntitle = "'
            + "Long " * 400
            + '"\ndate = 2020-01-01\n+++\nx\n',
            "content/posts/e.md": '+++\ntitle = "E"\ndate = 2020-01-01\nauthors = ['
            + ", ".join(f'"Author number {i} ' + "x" * 90 + '"' for i in range(200))
            + "]\n+++\nx\n",
            "content/posts/f.md": '+++\ntitle = "F"\ndate = 2020-01-01\nslug = "'
            + "я" * 300
            + '"\n+++\nx\n',
            "content/posts/g.md": '+++\ntitle = "G"\ndate = 2020-01-01\nlang = "ru"\n'
            'slug = "a"\n+++\nx\n',
            "content/posts/h.md": '+++\ntitle = "H"\ndate = 2020-01-01\nslug = "a"\n+++\nx\n',
        },
    )
    assert _import(network, site) in (0, 1)
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


def test_a_page_under_parents_without_pages_builds(network: Path, build_network) -> None:
    site = _write(
        network.parent / "jekyll",
        {
            "_config.yml": "title: x\n",
            "docs/guide/intro.md": "---\ntitle: Intro\n---\nx\n",
            "docs/guide/index.md": "---\ntitle: Guide\n---\ny\n",
            "docs/index.md": "---\ntitle: Docs\n---\nz\n",
            "a/b/c/d/e/f/g/h/deep.md": "---\ntitle: Deep\n---\nz\n",
            "index.md": "---\ntitle: Home\n---\nhome\n",
        },
    )
    assert _import(network, site) in (0, 1)
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


def test_importing_twice_is_idempotent(network: Path) -> None:
    site = _write(
        network.parent / "hugo",
        {
            "hugo.toml": 'baseURL = "https://old.example.org/"\n',
            "static/p.jpg": _picture(),
            "content/posts/a.md": '+++\ntitle = "A"\ndate = 2020-01-01\n+++\n\n![p](/p.jpg)\n',
            "content/posts/b.md": '+++\ntitle = "A"\ndate = 2020-01-01\n+++\n\n![p](/p.jpg)\n',
        },
    )
    _import(network, site)
    first = {p: p.read_bytes() for p in _town(network).rglob("*") if p.is_file()}
    _import(network, site)
    second = {p: p.read_bytes() for p in _town(network).rglob("*") if p.is_file()}
    assert first == second


# --- time --------------------------------------------------------------------------------

UNITS = [
    "{{<",
    "{{< x",
    "{%",
    "{% x",
    "{{",
    "](",
    "[a](<",
    "`",
    "``",
    "```\n",
    "{{< x >}}",
    "{% x %}{% endx %}",
    "{% endx %}",
    "{%x%}{%x%}{%endx%}",
    "{{< x >}}{{< /x >}}",
    "{{< /x >}}",
    '{{< x a="',
    "[a]({{ ",
    'src="',
    "<!--more-->\n",
    "+++\n",
    "---\n",
    "{%raw%}",
    "{% highlight x %}",
    "{{< highlight x >}}",
    "[",
    "]: ",
    "\n[a]: <",
]


@pytest.mark.parametrize("unit", UNITS)
def test_hostile_text_takes_linear_time(unit: str) -> None:
    def run(text: str) -> float:
        start = time.process_time()
        convert_hugo(text)
        convert_liquid(text)
        rewrite_markdown(text, lambda url: None)
        return time.process_time() - start

    small = run(unit * (50_000 // len(unit)))
    large = run(unit * (200_000 // len(unit)))
    assert large < max(small * 8, 1.0), (unit, small, large)


def test_liquid_end_tags_take_linear_time() -> None:
    text = "{%a%}{%enda%}" * 8000 + "{%enda%}" * 8000
    start = time.process_time()
    convert_liquid(text)
    assert time.process_time() - start < 2.0


@pytest.mark.parametrize("unit", ["{{<a", "{%a", '{{< x a="', "](", "[a](<"])
def test_a_hostile_text_imports_quickly(network: Path, unit: str) -> None:
    site = _write(
        network.parent / "hugo",
        {
            "_config.yml": "title: x\n",
            "_posts/2020-01-01-a.md": "---\ntitle: A\n---\n\n" + unit * (200_000 // len(unit)),
        },
    )
    start = time.monotonic()
    _import(network, site)
    assert time.monotonic() - start < 10


def test_toml_nested_too_deep_is_a_skipped_text_not_a_traceback(network: Path) -> None:
    """tomllib reads nested arrays by calling itself: 100 000 levels are a RecursionError
    (a ValueError subclass is what it raises for bad TOML, not this)."""
    deep = "a = " + "[" * 100_000 + "]" * 100_000 + "\n"
    site = _write(
        network.parent / "deep-toml",
        {
            "hugo.toml": deep,
            "content/posts/ok.md": '+++\ntitle = "Fine"\ndate = 2020-01-01\n+++\n\nText.\n',
            "content/posts/deep.md": "+++\n" + deep + "+++\n\nText.\n",
        },
    )
    done = _run_cli(network, site)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-800:]
    assert "its front matter cannot be read: 1" in done.stdout
    assert (network / "content/alpha/articles/ok.md").is_file()
