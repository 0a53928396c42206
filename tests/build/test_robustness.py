"""Regular tests for the bugs the generated documents of ``test_fuzz.py`` found: each one
an input an editor could really write, and the plain answer it now gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import write

from gardarika.content.frontmatter import front_matter_lines, parse_front_matter, read_metadata
from gardarika.content.slugs import fallback_slug
from gardarika.errors import ContentError

ARTICLE = "content/alpha/articles/{}"


@pytest.mark.parametrize(
    ("front", "line", "words"),
    [
        (
            "title: Итоги\ndate: 2024-13-45\n",
            3,
            "“2024-13-45” is not a valid timestamp: month must be in 1..12",
        ),
        ("title: Итоги\nnumber: !!int x\n", 3, "“x” is not a valid int"),
        ("when: !!timestamp nonsense\n", 2, "“nonsense” is not a valid timestamp"),
        ("title: " + "[" * 5000 + "\n", 2, "nested more than 50 brackets deep"),
    ],
)
def test_yaml_values_that_cannot_be_made_are_errors_with_their_line(
    front: str, line: int, words: str
) -> None:
    # PyYAML raises a bare ValueError (or RecursionError) for these, not a YAMLError
    with pytest.raises(ContentError) as caught:
        parse_front_matter(front)
    assert caught.value.line == line
    assert words in caught.value.message.en


def test_deep_block_nesting_is_an_error_not_a_recursion_error() -> None:
    front = "tags: " + "- " * 3000 + "x\n"
    with pytest.raises(ContentError):
        parse_front_matter(front)
    assert front_matter_lines(front) == {}  # the line finder gives up quietly
    with pytest.raises(ContentError):
        read_metadata(f"---\n{front}---\nТекст.\n")


def test_fallback_slug_is_the_file_name_without_language() -> None:
    assert fallback_slug("novosti.en.md", "en") == "novosti"
    assert fallback_slug("Новости.md", "ru") == "novosti"
    assert fallback_slug("🙂.md", "ru") == ""


def test_bad_yaml_date_fails_the_build_naming_file_and_line(network: Path, build_network) -> None:
    write(
        network / ARTICLE.format("fair-2.md"),
        "---\ntitle: Ярмарка\ndate: 2024-13-45\n---\nТекст.\n",
    )
    report = build_network(network)
    assert report.failed == ["alpha"]
    assert (
        f"{ARTICLE.format('fair-2.md')}:3: error: the metadata between the “---” lines "
        "is not valid YAML (“2024-13-45” is not a valid timestamp" in report.log
    )
    assert "Traceback" not in report.log


def test_title_without_letters_takes_the_file_name_as_address(network: Path, build_network) -> None:
    # Pelican made the slug "" and wrote the article as a hidden ".html", and the offline
    # pass then stopped with a KeyError
    write(network / ARTICLE.format("smiles.md"), "Title: 🙂🙂🙂\nDate: 2024-05-08\n\nТекст.\n")
    report = build_network(network)
    assert report.ok, report.log
    out = network / "output" / "alpha"
    assert (out / "smiles.html").is_file()
    assert "🙂🙂🙂" in (out / "smiles.html").read_text(encoding="utf-8")
    assert not (out / ".html").exists()


def test_title_and_file_name_without_letters_is_an_error(network: Path, build_network) -> None:
    write(network / ARTICLE.format("🙂.md"), "Title: 🙂\nDate: 2024-05-08\n\nТекст.\n")
    report = build_network(network)
    assert report.failed == ["alpha"]
    assert (
        f"{ARTICLE.format('🙂.md')}:1: error: neither the title nor the file name has "
        "a letter or digit" in report.log
    )


def test_a_key_written_twice_is_a_warning_at_the_file(network: Path, build_network) -> None:
    write(
        network / ARTICLE.format("twice.md"),
        "Title: Дважды\nDate: 2024-05-08\nTags: a\nTags: b\n\nТекст.\n",
    )
    report = build_network(network)
    assert report.ok, report.log
    assert (
        f"{ARTICLE.format('twice.md')}: warning: “tags” is written more than once at "
        "the top of the file; only the first is used." in report.log
    )
    assert "content/alpha: warning" not in report.log  # not at the town's folder
    assert str(network) not in report.log  # nor with the absolute path


@pytest.mark.parametrize("key", ["Translation", "Title", "Lang", "Template"])
def test_a_single_valued_key_written_twice_counts_once(
    network: Path, build_network, key: str
) -> None:
    # Pelican turned these into lists and then failed on them ('list' has no 'lower')
    first = {"Translation": "no", "Title": "Дважды", "Lang": "ru", "Template": "article"}
    second = {"Translation": "yes", "Title": "Второй", "Lang": "en", "Template": "page"}
    lines = {"Title": "Дважды", "Date": "2024-05-08"}
    header = "".join(f"{k}: {v}\n" for k, v in lines.items() if k != key)
    write(
        network / ARTICLE.format("twice.md"),
        f"{header}{key}: {first[key]}\n{key}: {second[key]}\n\nТекст.\n",
    )
    report = build_network(network)
    assert report.ok, report.log
    assert (
        f"{ARTICLE.format('twice.md')}: warning: “{key.lower()}” is written more than "
        "once" in report.log
    )
    page = (network / "output/alpha/dvazhdy.html").read_text(encoding="utf-8")
    assert "Дважды" in page and "Второй" not in page


@pytest.mark.parametrize("line", ["Lang:", "Lang:   ", "---\nlang: ''\n---"])
def test_an_empty_language_is_the_default_one(network: Path, build_network, line: str) -> None:
    # the checks took it for the default language, the build for a language named ""
    if line.startswith("---"):
        text = line.replace("\n---", "\ntitle: Пустой язык\ndate: 2024-05-08\n---") + "\nТекст.\n"
    else:
        text = f"Title: Пустой язык\nDate: 2024-05-08\n{line}\n\nТекст.\n"
    write(network / ARTICLE.format("nolang.md"), text)
    report = build_network(network)
    assert report.ok, report.log
    assert (network / "output/alpha/pustoy-yazyk.html").is_file()


def test_a_plugin_naming_a_file_by_its_absolute_path_is_shown_relative(tmp_path: Path) -> None:
    import logging

    from gardarika.build.pelican_log import problem_from_record

    content = tmp_path / "content" / "alpha"
    write(content / "news.md", "x\n")
    record = logging.LogRecord(
        "p", logging.ERROR, __file__, 1, "%s: bad", (str(content / "news.md"),), None
    )
    record.gardarika_file = str(content / "news.md")
    assert problem_from_record(record, "content/alpha", content).file == "content/alpha/news.md"


def test_nested_aliases_are_refused_before_they_expand() -> None:
    # a "billion laughs": a few hundred bytes of YAML, and the build hung turning the
    # title into text
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcde", "bcdef", strict=True)
    )
    laughs += "title: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
    with pytest.raises(ContentError) as caught:
        parse_front_matter(laughs)
    assert "more than 20 aliases" in caught.value.message.en
    assert caught.value.line == 5  # the 21st alias: 4th line of YAML, 5th of the file
    # a few aliases, as someone might use them, still work
    assert parse_front_matter("a: &a [x]\nb: [*a, *a]\n") == {"a": ["x"], "b": [["x"], ["x"]]}


def test_tag_pages_and_numbered_tags_do_not_collide(network: Path, build_network) -> None:
    # page 2 of tag "t3" was written as tag/t32.html, over the page of tag "t32"
    for i in range(12):
        write(
            network / ARTICLE.format(f"t3-{i}.md"),
            f"Title: Три {i}\nDate: 2024-03-{i + 1:02d}\nTags: t3\n\nТекст.\n",
        )
    write(
        network / ARTICLE.format("t32.md"),
        "Title: Тридцать два\nDate: 2024-04-01\nTags: t32\n\nТекст.\n",
    )
    report = build_network(network)
    assert report.ok, report.log
    tags = network / "output" / "alpha" / "tag"
    assert "Тридцать два" in (tags / "t32.html").read_text(encoding="utf-8")
    assert "Три 0" in (tags / "t3_2.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("title", ["Search", "Tags", "Index", "404"])
def test_an_article_named_like_a_site_page_is_an_error(
    network: Path, build_network, title: str
) -> None:
    write(network / ARTICLE.format("special.md"), f"Title: {title}\nDate: 2024-05-08\n\nX.\n")
    report = build_network(network)
    assert report.failed == ["alpha"]
    slug = title.lower()
    assert (
        f"{ARTICLE.format('special.md')}:1: error: the address “{slug}” is the site's "
        f"own {slug} page" in report.log
    )


def test_a_template_the_theme_does_not_have_is_named_at_its_file(
    network: Path, build_network
) -> None:
    # Pelican stopped the run with "unable to load 'gallery.html'", naming no file
    write(
        network / ARTICLE.format("gallery.md"),
        "Title: Галерея\nDate: 2024-05-08\nTemplate: gallery\n\nФото.\n",
    )
    report = build_network(network)
    assert report.failed == ["alpha"]
    assert (
        f"{ARTICLE.format('gallery.md')}:3: error: the theme has no template “gallery”"
        in report.log
    )
    write(
        network / ARTICLE.format("gallery.md"),
        "Title: Галерея\nDate: 2024-05-08\nTemplate: article\n\nФото.\n",
    )
    assert build_network(network).ok
