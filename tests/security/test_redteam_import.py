"""Red-team cases for ``invoke import`` (WordPress WXR): each asserts the SAFE behaviour."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gardarika.cli import main
from gardarika.content.frontmatter import read_metadata

PY = sys.executable
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Old</title>
"""


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def item(
    post_id: int,
    slug: str = "",
    title: str = "T",
    body: str = "Text.",
    kind: str = "post",
    parent: int = 0,
    date: str = "2023-04-22 10:15:00",
    extra: str = "",
) -> str:
    return (
        f"<item><title>{cdata(title)}</title><content:encoded>{cdata(body)}</content:encoded>"
        f"<wp:post_id>{post_id}</wp:post_id><wp:post_date>{date}</wp:post_date>"
        f"<wp:post_name>{cdata(slug)}</wp:post_name><wp:status>publish</wp:status>"
        f"<wp:post_parent>{parent}</wp:post_parent><wp:post_type>{kind}</wp:post_type>"
        f"{extra}</item>\n"
    )


def export(path: Path, *items: str, head: str = HEAD) -> Path:
    file = path / "export.xml"
    file.write_text(head + "".join(items) + "</channel></rss>\n", encoding="utf-8")
    return file


def run_cli(root: Path, source: Path, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "-m", "gardarika", "--root", str(root), "import", str(source), "--site", "alpha"],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(Path(__file__).resolve().parents[2]),
    )


def run_py(code: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(Path(__file__).resolve().parents[2]),
    )


def md_files(root: Path) -> list[Path]:
    return sorted((root / "content/alpha").rglob("*.md"))


# --- front matter: the slug line is written by hand, not by YAML ------------------------

YAMLISH_SLUGS = ["true", "no", "null", "0x1f", "123", "2023-01-01", "2023-13-45", "1-000"]


@pytest.mark.parametrize("slug", YAMLISH_SLUGS)
def test_a_slug_that_reads_as_yaml_stays_the_same_text(network: Path, slug: str) -> None:
    """``slug: 0x1f`` is the number 31, ``slug: true`` a boolean, ``slug: null`` none and
    ``slug: 2023-13-45`` invalid YAML: the slug must come back as the text the export had."""
    source = export(network, item(1, slug=slug, title="Plain title"))
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    file = network / f"content/alpha/articles/{slug}.md"
    assert file.is_file()
    meta = read_metadata(file.read_text(encoding="utf-8"))[0]
    assert meta.get("slug") == slug, meta


def test_an_imported_yamlish_slug_builds_at_its_old_address(network: Path, build_network) -> None:
    source = export(
        network, item(1, slug="0x1f", title="Hex"), item(2, slug="2023-13-45", title="Bad date")
    )
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    out = network / "output/alpha"
    assert list(out.rglob("0x1f.html")), sorted(p.name for p in out.rglob("*.html"))
    assert not list(out.rglob("31.html"))


# --- front matter: names, title, excerpt never add keys -------------------------------

HOSTILE = "x\n---\nsave_as: ../../evil.html\ntemplate: x\nstatus: published\n---\n#"


def test_hostile_names_title_and_excerpt_smuggle_no_keys(network: Path) -> None:
    cats = (
        f'<category domain="category" nicename="a">{cdata(HOSTILE)}</category>'
        f'<category domain="post_tag" nicename="b">{cdata("t: 1" + chr(10) + "url: x")}'
        "</category>"
        f'<category domain="post_tag" nicename="c">{cdata("- [a, b]: {c}")}</category>'
        f"<dc:creator>{cdata('bob' + chr(10) + 'save_as: y')}</dc:creator>"
        f"<excerpt:encoded>{cdata(HOSTILE + chr(10) + '...' + chr(10) + 'url: z')}"
        "</excerpt:encoded><wp:status>draft</wp:status>"
    )
    source = export(network, item(1, slug="s", title=HOSTILE, body=HOSTILE, extra=cats))
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    text = (network / "content/alpha/articles/s.md").read_text(encoding="utf-8")
    meta = read_metadata(text)[0]
    assert set(meta) <= {"slug", "title", "date", "category", "tags", "author", "summary"}, meta
    assert meta["slug"] == "s" and "save_as" not in meta and "url" not in meta
    assert "status" not in meta or meta["status"] == "published"


def test_author_login_with_yaml_in_display_name(network: Path) -> None:
    head = HEAD + (
        "<wp:author><wp:author_login>bob</wp:author_login><wp:author_display_name>"
        + cdata("Bob\nsave_as: ../x.html\n---")
        + "</wp:author_display_name></wp:author>\n"
    )
    source = export(network, item(1, slug="a", extra="<dc:creator>bob</dc:creator>"), head=head)
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    meta = read_metadata((network / "content/alpha/articles/a.md").read_text(encoding="utf-8"))[0]
    assert set(meta) == {"slug", "title", "date", "author"}, meta


def test_odd_unicode_in_names_round_trips(network: Path) -> None:
    odd = "A\u2028B\u0085C\ufeffD\u200bE\u202eF"
    source = export(
        network,
        item(
            1,
            slug="u",
            title=odd,
            extra=f'<category domain="post_tag" nicename="x">{cdata(odd)}</category>'
            f"<excerpt:encoded>{cdata(odd)}</excerpt:encoded>",
        ),
    )
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    meta = read_metadata((network / "content/alpha/articles/u.md").read_text(encoding="utf-8"))[0]
    assert set(meta) == {"slug", "title", "date", "tags", "summary"}, meta


# --- paths ----------------------------------------------------------------------------


def test_traversal_slugs_and_parents_stay_in_the_town(network: Path) -> None:
    nasty = ["../../x", "..%2F..%2Fy", "%2e%2e", "/etc/passwd", "C:\\win", "a/../../b", "~"]
    items = [item(100 + i, slug=s, kind="page", parent=99) for i, s in enumerate(nasty)]
    items.append(item(99, slug="..%2F..%2F..", kind="page"))
    source = export(network, *items)
    main(["--root", str(network), "import", str(source), "--site", "alpha"])
    town = (network / "content/alpha").resolve()
    for path in md_files(network):
        assert path.resolve().is_relative_to(town)
        assert ".." not in path.relative_to(town).parts
    assert not list(network.parent.glob("*.md")) and not list(network.glob("*.md"))


def test_a_symlinked_md_file_pointing_outside_is_not_written_through(network: Path) -> None:
    outside = network.parent / "victim.txt"
    outside.write_text("precious", encoding="utf-8")
    articles = network / "content/alpha/articles"
    articles.mkdir(parents=True, exist_ok=True)
    (articles / "p.md").symlink_to(outside)
    (articles / "q.md").symlink_to(network.parent / "created.md")  # dangling
    source = export(network, item(1, slug="p"), item(2, slug="q"))
    code = main(["--root", str(network), "import", str(source), "--site", "alpha"])
    assert outside.read_text(encoding="utf-8") == "precious"
    assert not (network.parent / "created.md").exists()
    assert code != 0


def test_a_long_chain_of_parents_is_no_traceback(network: Path) -> None:
    """300 pages, each the parent of the next, with long slugs: the path is longer than
    the system allows; the import must say so, not crash."""
    slug = "a" * 60
    items = [item(1000 + i, slug=f"{slug}{i}", kind="page", parent=999 + i) for i in range(300)]
    source = export(network, *items)
    done = run_cli(network, source, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]


def test_a_file_where_a_page_folder_must_go_is_no_traceback(network: Path) -> None:
    """The town has a file ``pages/about`` (no .md): a page below "about" needs a folder."""
    pages = network / "content/alpha/pages"
    pages.mkdir(parents=True, exist_ok=True)
    (pages / "about").write_text("x", encoding="utf-8")
    source = export(
        network, item(1, slug="about", kind="page"), item(2, "team", kind="page", parent=1)
    )
    done = run_cli(network, source)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode != 0 or (pages / "about").read_text() == "x"


def test_an_unreadable_export_is_a_message(network: Path) -> None:
    source = export(network, item(1, slug="a"))
    source.chmod(0)
    try:
        if os.access(source, os.R_OK):
            pytest.skip("running as root")
        done = run_cli(network, source)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    finally:
        source.chmod(0o644)


def test_a_town_folder_that_is_not_writable_is_a_message(network: Path) -> None:
    town = network / "content/alpha"
    (town / "articles").mkdir(parents=True, exist_ok=True)
    (town / "articles").chmod(0o500)
    try:
        if os.access(town / "articles", os.W_OK):
            pytest.skip("running as root")
        source = export(network, item(1, slug="a"))
        done = run_cli(network, source)
        assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    finally:
        (town / "articles").chmod(0o755)


# --- addresses and the build ----------------------------------------------------------


def test_a_post_and_a_page_with_one_slug_do_not_break_the_build(
    network: Path, build_network
) -> None:
    """WordPress allows a post and a page named alike (their addresses differ there)."""
    source = export(
        network, item(1, slug="news", title="Post"), item(2, slug="news", title="Page", kind="page")
    )
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


def test_an_early_year_date_keeps_the_build_working(network: Path, build_network) -> None:
    source = export(network, item(1, slug="old", date="0002-03-04 05:06:07"))
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    text = (network / "content/alpha/articles/old.md").read_text(encoding="utf-8")
    meta = read_metadata(text)[0]
    assert str(meta.get("date", "")).startswith(("0002-03-04", "2-03-04")), text
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


def test_a_hostile_body_builds_clean(network: Path, build_network) -> None:
    body = (
        "&lt;script&gt;alert(1)&lt;/script&gt;\n\n"
        '<a href="javascript:alert(2)">x</a> [y](javascript:alert(3))\n\n'
        '<img src="https://e.example/x.png" onerror=alert(4)>\n\n'
        "{{ config }} {% include '/etc/passwd' %}\n\n"
        "---\nsave_as: evil.html\n---\n"
    )
    source = export(network, item(1, slug="h", title="H", body=body))
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    pages = list((network / "output/alpha").rglob("h.html"))
    assert pages
    html = pages[0].read_text(encoding="utf-8")
    assert "<script>alert" not in html and "javascript:" not in html and "onerror" not in html
    assert "root:" not in html
    assert not list((network / "output").rglob("evil.html"))


@pytest.mark.parametrize(
    "body",
    [
        '<img src="x">',
        '<a href="/about/">About</a>',
        '<img src="/wp-content/uploads/2020/01/a.jpg">',
        '<a href="{filename}/../../../../etc/passwd">p</a>',
    ],
)
def test_links_of_an_imported_post_never_fail_the_towns_build(
    network: Path, build_network, body: str
) -> None:
    """The export's links are the old site's: relative ones (or hostile ones) must not
    make the whole town's build fail; the import should rewrite, drop or warn instead."""
    source = export(network, item(1, slug="h", title="H", body=body))
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


def test_many_tags_and_very_long_names_keep_the_build_working(network: Path, build_network) -> None:
    long = "Ж" * 3000
    cats = f'<category domain="category" nicename="c">{cdata(long)}</category>' + "".join(
        f'<category domain="post_tag" nicename="t{i}">{cdata(long + str(i))}</category>'
        for i in range(50)
    )
    source = export(network, item(1, slug="l", title=long, extra=cats))
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


# --- hangs and crashes in the converter -----------------------------------------------

N = 200_000

REDOS = {
    "captions_unclosed": f"'[caption]' * {N // 9}",
    "caption_no_bracket": f"'[caption ' * {N // 9}",
    "embeds_unclosed": f"'[embed]' * {N // 7}",
    "comments_unclosed": f"'<!--' * {N // 4}",
    "shortcode_no_close": f"'[a ' * {N // 3}",
    "shortcode_link_lookahead": f"'[a ]' + 'x' * 10 + '[a ' * {N // 3}",
    "caption_with_many_a": f"'[caption]<img src=x>' + '<a ' * {N // 3} + '[/caption]'",
    "caption_many_img": f"'[caption]' + '<img ' * {N // 5} + '[/caption]'",
    "spaces_between_newlines": f"'x\\n' + ' ' * {N} + 'y'",
    "many_block_starts": f"' ' * {N} + '<'",
}


@pytest.mark.parametrize("name", sorted(REDOS))
def test_html2md_is_fast_on_pathological_input(name: str) -> None:
    code = f"""
    import time
    from gardarika.content.importing.html2md import to_markdown, leftovers
    t = time.time()
    text = to_markdown({REDOS[name]})
    leftovers(text)
    print(time.time() - t)
    """
    try:
        done = run_py(code, timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: to_markdown did not finish in 15 s")
    assert done.returncode == 0, done.stderr[-2000:]


def test_leftovers_is_fast_on_markdown_full_of_brackets() -> None:
    code = f"""
    from gardarika.content.importing.html2md import leftovers
    leftovers('[a ' * {N})
    leftovers('[a ]' * {N // 4} + '(')
    """
    try:
        done = run_py(code, timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail("leftovers did not finish in 15 s")
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize("tag", ["div", "blockquote", "ul><li", "b", "table><tr><td"])
def test_deeply_nested_html_is_no_traceback(network: Path, tag: str) -> None:
    closing = "".join(f"</{t}>" for t in reversed(tag.split("><")))
    body = f"<{tag}>" * 5000 + "deep" + closing * 5000
    source = export(network, item(1, slug="deep", body=body))
    try:
        done = run_cli(network, source, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("import of deeply nested HTML hung")
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr, done.stderr[
        -1500:
    ]


def test_deeply_nested_excerpt_is_no_traceback(network: Path) -> None:
    excerpt = "<em>" * 5000 + "x" + "</em>" * 5000
    source = export(
        network, item(1, slug="ex", extra=f"<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>")
    )
    done = run_cli(network, source, timeout=30)
    assert "Traceback" not in done.stderr, done.stderr[-1500:]


def test_deeply_nested_xml_is_no_traceback(network: Path) -> None:
    deep = "<x>" * 100_000 + "</x>" * 100_000
    source = export(network, item(1, slug="a", extra=deep))
    done = run_cli(network, source, timeout=30)
    assert "Traceback" not in done.stderr, done.stderr[-1500:]


# --- the XML itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?><!DOCTYPE rss SYSTEM "file:///etc/passwd"><rss><channel/></rss>',
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<rss><channel><title>&x;</title></channel></rss>",
        '<?xml version="1.0" encoding="x-unknown"?><rss/>',
        '<?xml version="1.0" encoding="utf-16"?><rss/>',
        "<rss><channel><item><title>\x01</title></item></channel></rss>",
        "<rss><channel><item><title>&#1;</title></item></channel></rss>",
        "\ufeff\ufeff<rss/>",
        "",
        "<rss><channel>" + "<item>" * 3,
        '<?xml version="1.0"?><?xml-stylesheet href="file:///etc/passwd"?>'
        '<rss xmlns:xi="http://www.w3.org/2001/XInclude"><channel>'
        '<xi:include href="/etc/passwd" parse="text"/></channel></rss>',
        "<rss><channel><item><wp:post_id>1</wp:post_id></item></channel></rss>",
    ],
)
def test_broken_or_hostile_xml_is_a_message(network: Path, text: str) -> None:
    file = network / "export.xml"
    file.write_text(text, encoding="utf-8")
    done = run_cli(network, file)
    assert "Traceback" not in done.stderr, done.stderr[-1500:]
    assert "root:" not in done.stdout + done.stderr
    assert done.returncode in (0, 2)


def test_invalid_utf8_bytes_are_a_message(network: Path) -> None:
    file = network / "export.xml"
    file.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?><rss><channel><title>\xff\xfe'
        b"</title></channel></rss>"
    )
    done = run_cli(network, file)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-1500:]


def test_an_export_that_is_a_directory_or_device_is_a_message(network: Path) -> None:
    """A folder is a source only when it is a Pelican, Hugo or Jekyll site."""
    (network / "not-a-site").mkdir()
    (network / "not-a-site" / "notes.txt").write_text("hello", encoding="utf-8")
    for target in (network / "not-a-site", Path("/dev/zero")):
        done = run_cli(network, target)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-1500:]


def test_a_page_parent_loop_is_cut(network: Path) -> None:
    source = export(
        network,
        item(1, slug="a", kind="page", parent=2),
        item(2, slug="b", kind="page", parent=3),
        item(3, slug="c", kind="page", parent=1),
    )
    done = run_cli(network, source)
    assert done.returncode == 0, done.stderr[-1500:]
    assert len(md_files(network)) >= 3


def test_a_non_numeric_or_huge_post_id_is_fine(network: Path) -> None:
    source = export(
        network,
        item(1, slug="a").replace("<wp:post_id>1<", "<wp:post_id>../x<"),
        item(2, slug="b").replace("<wp:post_id>2<", "<wp:post_id>" + "9" * 5000 + "<"),
    )
    done = run_cli(network, source)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-1500:]


def test_an_imported_text_never_takes_an_existing_texts_address(
    network: Path, build_network
) -> None:
    """The town has articles/fair.md (slug "fair"); an export's page named "fair" goes to
    pages/fair.md: the town must still build, and the editor's article keep its address."""
    source = export(network, item(1, slug="fair", title="Imposter", kind="page"))
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    found = sorted((network / "output/alpha").rglob("fair*.html"))
    assert found, sorted(
        str(p.relative_to(network)) for p in (network / "output/alpha").rglob("*.html")
    )
    html = found[0].read_text(encoding="utf-8")
    assert "Imposter" not in html


def test_a_huge_excerpt_keeps_the_build_working(network: Path, build_network) -> None:
    excerpt = "Слово " * 15000
    source = export(
        network, item(1, slug="big", extra=f"<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>")
    )
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
