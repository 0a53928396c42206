"""invoke import: a WordPress export brought into a town's folder."""

from __future__ import annotations

from pathlib import Path

from gardarika.cli import main
from gardarika.content.importing.html2md import to_markdown
from gardarika.content.importing.wxr import ExportError, read_export

#: a small WordPress export written for these tests (the format of WordPress 6's
#: Tools → Export, with the https namespace WordPress.com writes)
EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="https://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="https://wordpress.org/export/1.2/">
<channel>
<title>Старый сайт Альфы</title>
<wp:author><wp:author_login>olga</wp:author_login>
  <wp:author_display_name><![CDATA[Ольга Петрова]]></wp:author_display_name></wp:author>
<item>
  <title>Субботник у реки</title>
  <link>https://alpha.example.org/2023/04/subbotnik/</link>
  <dc:creator>olga</dc:creator>
  <content:encoded><![CDATA[Собрались в субботу утром.
Взяли грабли.

[caption id="a1" width="300"]<img src="https://alpha.example.org/files/river.jpg"
alt="Река"> Берег после уборки[/caption]

[gallery ids="1,2,3"]]]></content:encoded>
  <excerpt:encoded><![CDATA[Как мы <em>убирали</em> берег.]]></excerpt:encoded>
  <wp:post_id>11</wp:post_id><wp:post_date>2023-04-22 10:15:00</wp:post_date>
  <wp:post_name>subbotnik-u-reki</wp:post_name><wp:status>publish</wp:status>
  <wp:post_parent>0</wp:post_parent><wp:post_type>post</wp:post_type>
  <wp:post_password></wp:post_password>
  <category domain="category" nicename="news"><![CDATA[Новости]]></category>
  <category domain="category" nicename="town"><![CDATA[Город]]></category>
  <category domain="post_tag" nicename="river"><![CDATA[река]]></category>
  <wp:comment><wp:comment_id>1</wp:comment_id></wp:comment>
  <wp:comment><wp:comment_id>2</wp:comment_id></wp:comment>
</item>
<item>
  <title>Блочный редактор</title><dc:creator>olga</dc:creator>
  <content:encoded><![CDATA[<!-- wp:paragraph -->
<p>Абзац из <strong>блока</strong>.</p>
<!-- /wp:paragraph -->]]></content:encoded>
  <wp:post_id>12</wp:post_id><wp:post_date>2023-05-01 09:00:00</wp:post_date>
  <wp:post_name>blochnyy</wp:post_name><wp:status>draft</wp:status>
  <wp:post_type>post</wp:post_type>
  <category domain="post_tag" nicename="river"><![CDATA[Река]]></category>
  <category domain="post_tag" nicename="river2"><![CDATA[река]]></category>
</item>
<item>
  <title>Закрытая запись</title><content:encoded><![CDATA[Тайна.]]></content:encoded>
  <wp:post_id>13</wp:post_id><wp:post_date>2023-05-02 09:00:00</wp:post_date>
  <wp:post_name>zakrytaya</wp:post_name><wp:status>private</wp:status>
  <wp:post_type>post</wp:post_type>
</item>
<item>
  <title>О нас</title><content:encoded><![CDATA[Мы — жители Альфы.]]></content:encoded>
  <wp:post_id>20</wp:post_id><wp:post_date>2020-01-01 00:00:00</wp:post_date>
  <wp:post_name>o-nas</wp:post_name><wp:status>publish</wp:status>
  <wp:post_parent>0</wp:post_parent><wp:post_type>page</wp:post_type>
</item>
<item>
  <title>Контакты</title><content:encoded><![CDATA[Пишите нам.]]></content:encoded>
  <wp:post_id>21</wp:post_id><wp:post_date>2020-01-02 00:00:00</wp:post_date>
  <wp:post_name>kontakty</wp:post_name><wp:status>publish</wp:status>
  <wp:post_parent>20</wp:post_parent><wp:post_type>page</wp:post_type>
</item>
<item>
  <title>river.jpg</title><wp:post_id>30</wp:post_id><wp:status>inherit</wp:status>
  <wp:post_type>attachment</wp:post_type>
</item>
<item>
  <title>Меню</title><wp:post_id>31</wp:post_id><wp:status>publish</wp:status>
  <wp:post_type>nav_menu_item</wp:post_type>
</item>
</channel>
</rss>
"""


def _export(tmp_path: Path, text: str = EXPORT) -> Path:
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_wordpress_export_is_read_as_texts(tmp_path: Path) -> None:
    export = read_export(_export(tmp_path))
    assert export.site == "Старый сайт Альфы"
    assert export.skipped == {"attachment": 1, "nav_menu_item": 1} and export.comments == 2
    by_slug = {item.slug: item for item in export.items}
    post = by_slug["subbotnik-u-reki"]
    assert (post.kind, post.status, post.category, post.tags) == (
        "article",
        "published",
        "Новости",
        ["Город", "река"],  # a second category becomes a tag: Pelican has one category
    )
    assert post.authors == ["Ольга Петрова"] and post.date is not None
    assert post.date.strftime("%Y-%m-%d %H:%M") == "2023-04-22 10:15"
    assert by_slug["blochnyy"].status == "draft" and by_slug["zakrytaya"].status == "hidden"
    assert by_slug["kontakty"].kind == "page" and by_slug["kontakty"].parents == ["o-nas"]


def test_wordpress_html_becomes_markdown() -> None:
    text = to_markdown(
        "Первый абзац\nс переносом.\n\nВторой <em>абзац</em>.\n\n"
        "<!-- wp:paragraph --><p>Блок</p><!-- /wp:paragraph -->\n\n"
        '[caption id="x"]<img src="a.jpg" alt="Река"> Подпись[/caption]\n\n'
        '<a href="/about/">О нас</a> и <a href="{filename}/../../../etc/passwd">x</a>',
        "https://old.example.org/2023/04/post/",
    )
    assert "Первый абзац  \nс переносом." in text and "Второй *абзац*." in text
    assert "Блок" in text and "wp:paragraph" not in text
    # the old site's relative addresses lead to the old site (in the town they would lead
    # to no file); a placeholder of the old text is no link of this town
    assert "![Река](https://old.example.org/2023/04/post/a.jpg)" in text
    assert "Подпись" in text and "caption" not in text
    assert "[О нас](https://old.example.org/about/)" in text and "{filename}" not in text
    assert "/etc/passwd" not in text or "https://old.example.org/etc/passwd" in text
    assert to_markdown('<img src="a.jpg" alt="Река">') == "Река\n"  # no base: its words


def test_import_writes_the_town_and_a_second_import_changes_nothing(
    network: Path, build_network, capsys
) -> None:
    source = _export(network)
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    said = capsys.readouterr().out
    assert "Imported: 3 articles and 2 pages (1 of them drafts)" in said
    assert "Импортировано: 3 статьи и 2 страницы" in said
    assert "Comments are not imported: 2 left out." in said
    assert "attachment: 1, nav_menu_item: 1" in said
    content = network / "content/alpha"
    post = (content / "articles/subbotnik-u-reki.md").read_text(encoding="utf-8")
    assert post.startswith("---\nslug: subbotnik-u-reki\ntitle: Субботник у реки\n")
    assert "date: 2023-04-22 10:15\ncategory: Новости\n" in post
    assert "author: Ольга Петрова" in post and "summary: Как мы *убирали* берег." in post
    assert "Собрались в субботу утром.  \nВзяли грабли." in post
    gallery_line = post.split("\n").index('[gallery ids="1,2,3"]') + 1
    assert (
        f"alpha/articles/subbotnik-u-reki.md:{gallery_line}: warning: the shortcode [gallery]"
        in said
    )
    blocks = (content / "articles/blochnyy.md").read_text(encoding="utf-8")
    assert "status: draft" in blocks and blocks.count("Река") + blocks.count("река") == 1
    assert "status: hidden" in (content / "articles/zakrytaya.md").read_text(encoding="utf-8")
    assert (content / "pages/o-nas/kontakty.md").is_file() and (
        content / "pages/o-nas.md"
    ).is_file()
    # the imported town builds, and its output is clean
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    # a second import changes nothing; an editor's changes are never overwritten
    before = {p: p.read_bytes() for p in content.rglob("*.md")}
    edited = content / "pages/o-nas.md"
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\nДобавлено редактором.\n", encoding="utf-8"
    )
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    said = capsys.readouterr().out
    assert (
        "Imported: 0 articles and 0 pages" in said and "unchanged since the last import: 4" in said
    )
    assert "not overwritten: 1" in said and "alpha/pages/o-nas.md: not overwritten" in said
    assert "Добавлено редактором." in edited.read_text(encoding="utf-8")
    assert all(p.read_bytes() == data for p, data in before.items() if p != edited)


def test_a_hostile_or_wrong_file_is_refused_with_a_message(network: Path, capsys) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        "<rss><channel><title>&b;</title></channel></rss>\n"
    )
    for text in (bomb, "<html><body>not an export</body></html>", "not xml at all <"):
        path = _export(network, text)
        try:
            read_export(path)
        except ExportError as err:
            assert err.en and err.ru
        else:
            raise AssertionError(text)
        assert main(["--root", str(network), "import", str(path), "--site", "alpha"]) == 2
        said = capsys.readouterr().err
        assert "export.xml" in said and "WordPress" in said and "Traceback" not in said
    assert main(["--root", str(network), "import", "missing.xml", "--site", "alpha"]) == 2
    assert main(["--root", str(network), "import", str(path), "--site", "nowhere"]) == 2


def test_names_from_the_export_never_lead_out_of_the_towns_folder(network: Path) -> None:
    """Slugs and parents of a hostile export are made slugs: no "..", no "/"; a folder of
    the town that is a symbolic link out of it is not written through."""
    hostile = EXPORT.replace(
        "<wp:post_name>o-nas</wp:post_name>", "<wp:post_name>..</wp:post_name>"
    ).replace(
        "<wp:post_name>subbotnik-u-reki</wp:post_name>",
        "<wp:post_name>../../../../evil</wp:post_name>",
    )
    source = _export(network, hostile)
    outside = network.parent / "outside"
    outside.mkdir()
    (network / "content/alpha/articles").rename(network / "content/alpha/articles-old")
    (network / "content/alpha/articles").symlink_to(outside, target_is_directory=True)
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 1
    assert list(outside.iterdir()) == []
    written = [p.relative_to(network) for p in (network / "content/alpha/pages").rglob("*.md")]
    assert written and all(".." not in p.parts for p in written), written
    assert not (network / "evil.md").exists() and not (network.parent / "evil.md").exists()


def test_texts_get_the_exports_language(network: Path, build_network, capsys) -> None:
    """An English export into a Russian town that has English: each text says
    ``lang: en`` and is built in the English part; into a town without the language the
    texts are the town's own language, and the import says so."""
    english = EXPORT.replace(
        "<title>Старый сайт Альфы</title>", "<title>Old</title>\n<language>en-US</language>"
    )
    source = _export(network, english)
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    post = (network / "content/alpha/articles/subbotnik-u-reki.md").read_text(encoding="utf-8")
    assert "\nlang: en\n" in post
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    assert (network / "output/alpha/en/subbotnik-u-reki.html").is_file()
    capsys.readouterr()
    assert main(["--root", str(network), "import", str(source), "--site", "beta"]) == 0
    said = capsys.readouterr().out
    assert "Texts in “en”, which the town does not have (ru), are imported in “ru”" in said
    assert "\nlang:" not in (network / "content/beta/articles/subbotnik-u-reki.md").read_text(
        encoding="utf-8"
    )


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Новости Альфы</title><link>https://alpha.example.org/</link>
<language>ru</language>
<item><title>Ярмарка на площади</title>
  <link>https://alpha.example.org/2024/06/yarmarka-na-ploshchadi/</link>
  <pubDate>Sat, 01 Jun 2024 09:30:00 +0300</pubDate><dc:creator>Ольга</dc:creator>
  <category>события</category>
  <description>Коротко о ярмарке.</description>
  <content:encoded><![CDATA[<p>Полный текст о <b>ярмарке</b>.</p>
<p><img src="/files/fair.jpg" alt="Ярмарка"></p>]]></content:encoded>
</item>
<item><title>Без даты</title><link>https://alpha.example.org/?p=7</link>
  <description><![CDATA[Только <i>анонс</i>.]]></description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Alpha news</title>
<entry><title>Concert in the park</title>
  <link rel="alternate" href="https://alpha.example.org/news/concert.html"/>
  <id>tag:alpha,2024:1</id><updated>2024-07-02T18:00:00Z</updated>
  <author><name>Olga</name></author><category term="music"/>
  <content type="html">&lt;p&gt;An evening of &lt;em&gt;music&lt;/em&gt;.&lt;/p&gt;</content>
</entry></feed>
"""


def test_rss_and_atom_feeds_become_articles(network: Path, build_network, capsys) -> None:
    """A site that offers no export offers a feed: each entry becomes an article (the
    full text where the feed has it), dated, tagged, with its old address's name; one
    without a date is a draft, and the report says how to publish it."""
    rss = network / "news.rss"
    rss.write_text(RSS, encoding="utf-8")
    assert main(["--root", str(network), "import", str(rss), "--site", "alpha"]) == 0
    said = capsys.readouterr().out
    assert "Imported: 2 articles and 0 pages (1 of them drafts)" in said
    assert "1 of the drafts had no date" in said
    articles = network / "content/alpha/articles"
    fair = (articles / "yarmarka-na-ploshchadi.md").read_text(encoding="utf-8")
    assert "date: 2024-06-01 06:30" in fair or "date: 2024-06-01 09:30" in fair
    assert "- события" in fair and "author: Ольга" in fair
    assert "Полный текст о **ярмарке**." in fair
    assert "![Ярмарка](https://alpha.example.org/files/fair.jpg)" in fair
    undated = next(p for p in articles.glob("*.md") if "Без даты" in p.read_text("utf-8"))
    assert "status: draft" in undated.read_text(encoding="utf-8")
    atom = network / "news.atom"
    atom.write_text(ATOM, encoding="utf-8")
    assert main(["--root", str(network), "import", str(atom), "--site", "alpha"]) == 0
    concert = (articles / "concert.md").read_text(encoding="utf-8")
    assert "title: Concert in the park" in concert and "An evening of *music*." in concert
    assert "\nlang: en\n" not in concert  # an Atom feed without a language: the town's
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
