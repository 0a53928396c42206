"""invoke import of another generator's folder (Hugo, Jekyll, Pelican), links between the
imported texts, and a WordPress site's uploads folder. The sites here are written for
these tests in each generator's own format; the import was also tried on real ones
(Hugo's basic example site, the Poole theme for Jekyll, Pelican's sample content and
WordPress's theme unit test data), which are not kept here."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image
from projects import write_files as _write

from gardarika.cli import main
from gardarika.content.importing.folders import generator_of, read_folder
from gardarika.content.importing.markup import convert_hugo, convert_liquid, split_more
from tests.content.test_import import EXPORT, _export


def _picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 90, 150)).save(buffer, "JPEG")
    return buffer.getvalue()


HUGO = {
    "hugo.toml": 'baseURL = "https://old.example.org/"\ntitle = "Old town"\n',
    "content/_index.md": '+++\ntitle = "Home"\n+++\n\nThe list of everything.\n',
    "content/our-history.md": '+++\ntitle = "Our history"\ndate = 2020-01-05\n+++\n\nWho we are.\n',
    "content/posts/autumn-fair.md": """+++
title = "The autumn fair"
date = 2021-09-18T10:00:00+03:00
tags = ["fair", "market"]
categories = ["News"]
+++

Stalls on the square from early morning.
<!--more-->

{{< youtube abc123XYZ >}}

{{< figure src="/images/square.jpg" title="The square at nine" >}}

{{< highlight python >}}
print("{{< not a shortcode >}}")
{{< /highlight >}}

Read [the next one]({{< ref "posts/concert.md" >}}) too, and [our history](/our-history/).

{{< chart data="sales" >}}
""",
    "content/posts/concert.md": """---
title: An evening concert
date: 2021-09-20
draft: true
---

Music in the park.
""",
    "content/posts/later.md": '+++\ntitle = "Later"\ndate = 2021-01-01\n'
    "publishDate = 2999-01-01\n+++\n\nNot yet.\n",
    "content/team/index.md": "+++\nheadless = true\n+++\n",
    "content/team/anna.md": '+++\ntitle = "Anna"\n+++\n\nA resource of the bundle.\n',
    "static/images/square.jpg": _picture(),
    "layouts/index.html": "<html>{{ .Content }}</html>",
}


def test_a_hugo_site_is_imported_with_its_shortcodes_pictures_and_links(
    network: Path, build_network, capsys
) -> None:
    source = _write(network.parent / "hugo-site", HUGO)
    assert generator_of(source) == "hugo"
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    said = capsys.readouterr().out
    town = network / "content" / "alpha"
    fair = (town / "articles" / "autumn-fair.md").read_text(encoding="utf-8")
    assert "title: The autumn fair" in fair
    assert "date: 2021-09-18 10:00" in fair
    assert "category: News" in fair and "- fair" in fair and "- market" in fair
    assert "summary: Stalls on the square from early morning." in fair
    assert "<!--more-->" not in fair
    assert "[YouTube](<https://www.youtube.com/watch?v=abc123XYZ>)" in fair
    assert "![The square at nine]({static}/images/square.jpg)" in fair
    assert (town / "images" / "square.jpg").read_bytes() == HUGO["static/images/square.jpg"]
    # the code of a highlight block is code: a shortcode in it is text
    assert '```python\nprint("{{< not a shortcode >}}")\n```' in fair
    assert "[the next one]({filename}/articles/concert.md)" in fair
    assert "[our history]({filename}/pages/our-history.md)" in fair
    line = fair.split("\n").index('{{< chart data="sales" >}}') + 1
    assert f"content/alpha/articles/autumn-fair.md:{line}: warning:" in said
    assert "{{< chart >}}" in said
    assert "status: draft" in (town / "articles" / "concert.md").read_text(encoding="utf-8")
    assert "status: draft" in (town / "articles" / "later.md").read_text(encoding="utf-8")
    assert "title: Our history" in (town / "pages" / "our-history.md").read_text(encoding="utf-8")
    # a section's list page and a headless bundle are no texts of their own
    assert not list(town.rglob("_index*")) and not list(town.rglob("anna*"))
    assert "a section's list page (Hugo's _index.md): 1" in said
    assert "inside a headless bundle (Hugo does not publish it): 1" in said
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    assert main(["--root", str(network), "check", "--site", "alpha"]) == 0
    page = (network / "output" / "alpha" / "autumn-fair.html").read_text(encoding="utf-8")
    assert "images/square.jpg" in page
    # a second import changes nothing and says so
    capsys.readouterr()
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    again = capsys.readouterr().out
    assert "Imported: 0 articles and 0 pages" in again
    assert "unchanged since the last import: 4; not overwritten: 0" in again


JEKYLL = {
    "_config.yml": 'title: Old town\nurl: "https://old.example.org"\nbaseurl: "/blog"\n',
    "_posts/2021-05-01-spring-fair.md": """---
layout: post
title: "Spring fair: the first one"
categories: news events
tags: [fair, spring]
---

A picture: ![stalls]({{ site.baseurl }}/assets/stalls.jpg)

{% highlight ruby %}
puts "{{ not output }}"
{% endhighlight %}

See also [the next post]({% post_url 2021-05-02-after-the-fair %}), the
[feed]({{ '/feed.xml' | relative_url }}) and [the code]({{ site.github.repo }}).

Updated {{ site.time | date: "%Y" }}.
""",
    "_posts/2021-05-02-after-the-fair.md": "---\ntitle: After the fair\n---\n\nTidy.\n",
    "_drafts/ideas.md": "---\ntitle: Ideas\n---\n\nSome day.\n",
    "about.md": "---\nlayout: page\ntitle: About\n---\n\nA small town.\n",
    "README.md": "# The theme\n\nNo front matter: Jekyll does not publish it.\n",
    "_layouts/post.html": "<html>{{ content }}</html>",
    "assets/stalls.jpg": _picture(),
}


def test_a_jekyll_site_is_imported_and_builds_clean(network: Path, build_network, capsys) -> None:
    source = _write(network.parent / "jekyll-site", JEKYLL)
    assert generator_of(source) == "jekyll"
    assert main(["--root", str(network), "import", str(source), "--site", "beta"]) == 0
    said = capsys.readouterr().out
    town = network / "content" / "beta"
    fair = (town / "articles" / "spring-fair.md").read_text(encoding="utf-8")
    assert "title: 'Spring fair: the first one'" in fair
    assert "date: 2021-05-01 00:00" in fair
    assert "category: news" in fair and "- events" in fair and "- spring" in fair
    assert "![stalls]({static}/images/stalls.jpg)" in fair
    assert (town / "images" / "stalls.jpg").is_file()
    assert '```ruby\nputs "{{ not output }}"\n```' in fair
    assert "[the next post]({filename}/articles/after-the-fair.md)" in fair
    # a link into the old site that leads to nothing imported goes to the old site
    assert "[feed](https://old.example.org/blog/feed.xml)" in fair
    # a link whose address is template code leads nowhere, and the editor is told
    assert "[the code](#)" in fair
    assert "the link to “{{ site.github.repo }}” leads to nothing" in said
    assert '{{ site.time | date: "%Y" }}' in said
    assert "status: draft" in (town / "articles" / "ideas.md").read_text(encoding="utf-8")
    assert (town / "pages" / "about.md").is_file()
    assert not (town / "pages" / "readme.md").exists()
    assert "not a page (a tool's or the theme's file): 1" in said
    report = build_network(network, ["beta"])
    assert report.ok, report.log
    assert main(["--root", str(network), "check", "--site", "beta"]) == 0


PELICAN = {
    "pelicanconf.py": "AUTHOR = 'Old'\nSITEURL = 'https://old.example.org'\nPATH = 'content'\n",
    "content/pages/about.md": "Title: About us\n\nThe society of local history.\n",
    "content/history/2019-03-04_old-mill.md": """Title: The old mill
Tags: mill, river
Authors: Ivan, Maria
Summary: How the mill worked.

The mill on the river ([about us]({filename}/pages/about.md)).

![The mill]({static}/images/mill.jpg)
![Missing]({static}/../../secret.jpg)
""",
    "content/history/old-mill-en.md": """Title: The old mill (English)
Slug: the-old-mill
Lang: en
Date: 2019-03-04

In English.
""",
    "content/notes.rst": """A note in reStructuredText
##########################

:date: 2020-02-02 10:00
:tags: notes
:category: misc

Some *emphasis* and `a link <{filename}/pages/about.md>`_.
""",
    "content/images/mill.jpg": _picture(),
}


def test_a_pelican_site_is_imported_with_translations_and_its_rst(
    network: Path, build_network, capsys
) -> None:
    source = _write(network.parent / "pelican-site", PELICAN)
    (network.parent / "secret.jpg").write_bytes(_picture())
    assert generator_of(source) == "pelican"
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    capsys.readouterr()
    town = network / "content" / "alpha"
    mill = (town / "articles" / "the-old-mill.md").read_text(encoding="utf-8")
    assert "date: 2019-03-04 00:00" in mill  # from the file name
    assert "category: history" in mill  # from the folder
    assert "author: Ivan, Maria" in mill
    assert "[about us]({filename}/pages/about-us.md)" in mill
    assert "({static}/images/mill.jpg)" in mill
    # nothing is copied from outside the site's folder
    assert not (town / "images" / "secret.jpg").exists()
    # its translation shares its slug, in a file named for its language
    english = (town / "articles" / "the-old-mill.en.md").read_text(encoding="utf-8")
    assert "slug: the-old-mill" in english and "lang: en" in english
    note = (town / "articles" / "a-note-in-restructuredtext.md").read_text(encoding="utf-8")
    assert "*emphasis*" in note and "({filename}/pages/" in note
    assert "category: misc" in note
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


def test_a_folder_that_is_no_site_is_a_message(network: Path, capsys) -> None:
    folder = _write(network.parent / "plain", {"notes.txt": "hello", "a/b.md": "# Just text\n"})
    assert generator_of(folder) is None
    assert main(["--root", str(network), "import", str(folder), "--site", "alpha"]) == 2
    assert "no Pelican, Hugo or Jekyll site" in capsys.readouterr().err


def test_wordpress_uploads_and_links_between_posts(network: Path, build_network, capsys) -> None:
    linked = EXPORT.replace(
        "<title>Старый сайт Альфы</title>",
        "<title>Старый сайт Альфы</title>\n"
        "<wp:base_blog_url>https://alpha.example.org</wp:base_blog_url>",
    ).replace(
        "Взяли грабли.",
        'Взяли грабли. <a href="https://alpha.example.org/2023/04/subbotnik/#end">Ещё раз</a>\n'
        '<img src="https://alpha.example.org/wp-content/uploads/2023/04/rake-300x200.jpg" '
        'alt="Грабли">',
    )
    source = _export(network, linked)
    uploads = _write(network.parent / "uploads", {"2023/04/rake.jpg": _picture()})
    assert (
        main(
            [
                "--root",
                str(network),
                "import",
                str(source),
                "--site",
                "alpha",
                "--uploads",
                str(uploads),
            ]
        )
        == 0
    )
    said = capsys.readouterr().out
    post = (network / "content/alpha/articles/subbotnik-u-reki.md").read_text(encoding="utf-8")
    assert "[Ещё раз]({filename}/articles/subbotnik-u-reki.md#end)" in post
    # the smaller copy WordPress made is not there: its original is taken
    assert "![Грабли]({static}/images/rake.jpg)" in post
    assert (network / "content/alpha/images/rake.jpg").is_file()
    assert "copied in: 1" in said
    report = build_network(network, ["alpha"])
    assert report.ok, report.log


def test_an_unknown_uploads_folder_is_a_message(network: Path, capsys) -> None:
    source = _export(network, EXPORT)
    code = main(
        ["--root", str(network), "import", str(source), "--site", "alpha", "--uploads", "nope"]
    )
    assert code == 2 and "There is no folder nope" in capsys.readouterr().err


def test_template_code_is_found_in_time_proportional_to_the_text() -> None:
    """Texts full of openings that never close: each pattern is bounded, so four times
    the text takes about four times as long, never its square."""
    for unit in ("{{< ", "{% ", "{{ ", "{{< x >}}", "{% highlight %}", "[a]({{ "):
        small, large = unit * 5000, unit * 20000
        times = []
        for text in (small, large):
            start = time.process_time()
            convert_hugo(text)
            convert_liquid(text)
            times.append(time.process_time() - start)
        assert times[1] < max(times[0] * 12, 0.5), (unit, times)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{< vimeo 123 >}}", "[Vimeo](<https://vimeo.com/123>)"),
        (
            '{{< tweet user="town" id="42" >}}',
            "[@town](<https://twitter.com/town/status/42>)",
        ),
        ("{{< gist anna 9f8e >}}", "[Gist](<https://gist.github.com/anna/9f8e>)"),
        ("`{{< youtube x >}}` stays code", "`{{< youtube x >}}` stays code"),
    ],
)
def test_hugo_shortcodes_with_a_markdown_equivalent(text: str, expected: str) -> None:
    assert convert_hugo(text).text == expected


def test_the_more_line_makes_the_summary() -> None:
    summary, text = split_more("First part.\n\n<!--more-->\n\nThe rest.\n")
    assert summary == "First part." and "more" not in text and "The rest." in text
    assert split_more("No divider.\n") == ("", "No divider.\n")


def test_a_folder_reads_no_file_through_a_link(tmp_path: Path) -> None:
    outside = _write(tmp_path / "outside", {"secret.md": '+++\ntitle = "Secret"\n+++\n\nX\n'})
    site = _write(tmp_path / "site", {"hugo.toml": "", "content/posts/a.md": "+++\n+++\nA\n"})
    (site / "content" / "posts" / "link.md").symlink_to(outside / "secret.md")
    (site / "content" / "linked").symlink_to(outside, target_is_directory=True)
    export = read_folder(site)
    assert [item.source for item in export.items] == ["posts/a.md"]


def test_the_sites_language_is_the_texts_language(network: Path, build_network) -> None:
    """An English Pelican site (DEFAULT_LANG) into a Russian town with English: its texts
    are English; its Russian translation shares the slug, in a file named for Russian."""
    source = _write(
        network.parent / "english-site",
        {
            "pelicanconf.py": "DEFAULT_LANG = 'en'\n",
            "content/bridge.md": "Title: The new bridge\nDate: 2022-06-01\n\nOpened today.\n",
            "content/bridge-ru.md": (
                "Title: Новый мост\nDate: 2022-06-01\nSlug: the-new-bridge\nLang: ru\n\n"
                "Открыт сегодня.\n"
            ),
        },
    )
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    town = network / "content" / "alpha" / "articles"
    english = (town / "the-new-bridge.md").read_text(encoding="utf-8")
    russian = (town / "the-new-bridge.ru.md").read_text(encoding="utf-8")
    assert "lang: en" in english and "lang: ru" in russian
    assert "slug: the-new-bridge" in russian
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    assert (network / "output/alpha/en/the-new-bridge.html").is_file()
    assert (network / "output/alpha/the-new-bridge.html").is_file()


def test_a_source_that_does_not_say_its_language_is_said_and_lang_sets_it(
    network: Path, capsys
) -> None:
    source = _write(
        network.parent / "no-language",
        {
            "pelicanconf.py": "AUTHOR = 'x'\n",
            "content/news.md": "Title: News\nDate: 2021-01-01\n\nHi.\n",
        },
    )
    assert main(["--root", str(network), "import", str(source), "--site", "beta"]) == 0
    assert "The source does not say its language" in capsys.readouterr().out
    assert "lang:" not in (network / "content/beta/articles/news.md").read_text(encoding="utf-8")
    (network / "content/beta/articles/news.md").unlink()
    code = main(["--root", str(network), "import", str(source), "--site", "alpha", "--lang", "en"])
    assert code == 0 and "does not say" not in capsys.readouterr().out
    assert "lang: en" in (network / "content/alpha/articles/news.md").read_text(encoding="utf-8")
    code = main(["--root", str(network), "import", str(source), "--site", "beta", "--lang", "en"])
    assert code == 2 and "--lang en: the town has ru" in capsys.readouterr().err


def test_a_text_in_a_language_the_town_lacks_goes_to_the_exports(network: Path, capsys) -> None:
    source = _write(
        network.parent / "fr-site",
        {
            "pelicanconf.py": "DEFAULT_LANG = 'en'\n",
            "content/a.md": "Title: A\nDate: 2021-01-01\n\nHi.\n",
            "content/a-fr.md": "Title: A fr\nDate: 2021-01-01\nSlug: a\nLang: fr\n\nSalut.\n",
        },
    )
    assert main(["--root", str(network), "import", str(source), "--site", "alpha"]) == 0
    assert "Texts in “fr”, which the town does not have (ru, en), are imported in “en”" in (
        capsys.readouterr().out
    )


def test_a_text_that_is_not_utf8_does_not_stop_telling_the_generator(tmp_path: Path) -> None:
    """A folder with no settings file is told by its texts' heads; one that is not UTF-8
    is passed over (it was a traceback: its text was None)."""
    site = _write(
        tmp_path / "site",
        {
            "a-old.md": "Title: Стар\n".encode("cp1251"),
            "b.md": '+++\ntitle = "B"\n+++\n\nText.\n',
        },
    )
    assert generator_of(site) == "hugo"
