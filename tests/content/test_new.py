"""``invoke new``: a file in the right place with its front matter, never overwriting."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from projects import write

from gardarika.config.network import load_network
from gardarika.content.frontmatter import read_metadata
from gardarika.content.new import new_document
from gardarika.errors import GardarikaError


def gardarika(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gardarika", *args], capture_output=True, text=True, timeout=300
    )


def test_new_article_then_build_shows_it_on_the_home_page(network: Path) -> None:
    done = gardarika(
        "--root", str(network), "new", "--site", "alpha", "--title", "Субботник на набережной"
    )
    assert done.returncode == 0, done.stderr
    path = network / done.stdout.strip()
    assert path == network / "content/alpha/articles/subbotnik-na-naberezhnoy.md"
    metadata, _, _, body = read_metadata(path.read_text(encoding="utf-8"))
    assert metadata["title"] == "Субботник на набережной"
    assert metadata["lang"] == "ru" and metadata["slug"] == "subbotnik-na-naberezhnoy"
    date = dt.datetime.strptime(str(metadata["date"]), "%Y-%m-%d %H:%M")
    now = dt.datetime.now(ZoneInfo("Europe/Moscow")).replace(tzinfo=None)
    assert abs((now - date).total_seconds()) < 120  # now, in the town's time zone
    assert body.strip() == "Напишите здесь текст."
    assert "# Картинка в тексте: ![" in path.read_text(encoding="utf-8")

    built = gardarika("--root", str(network), "build", "--site", "alpha")
    assert built.returncode == 0, built.stdout + built.stderr
    home = (network / "output/alpha/index.html").read_text(encoding="utf-8")
    assert "Субботник на\u00a0набережной" in home
    assert 'href="./subbotnik-na-naberezhnoy.html"' in home

    again = gardarika(
        "--root", str(network), "new", "--site", "alpha", "--title", "Субботник на набережной"
    )
    assert again.returncode == 0, again.stderr
    *note, created = again.stdout.strip().split("\n")
    assert created == "content/alpha/articles/subbotnik-na-naberezhnoy-2.md"
    assert "“subbotnik-na-naberezhnoy” is taken" in note[0]
    assert "content/alpha/articles/subbotnik-na-naberezhnoy.md" in note[0]
    assert read_metadata((network / created).read_text(encoding="utf-8"))[0]["slug"] == (
        "subbotnik-na-naberezhnoy-2"
    )
    rebuilt = gardarika("--root", str(network), "build", "--site", "alpha")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr  # never breaks a town


def test_new_page_translation_and_language(network: Path) -> None:
    network_config = load_network(network)
    page = new_document(network_config, "alpha", "Как нас найти", page=True)
    assert page == network / "content/alpha/pages/kak-nas-nayti.md"
    assert "date" not in read_metadata(page.read_text(encoding="utf-8"))[0]

    english = new_document(
        network_config, "alpha", "How to find us", lang="en", translation_of="kak-nas-nayti"
    )
    assert english == network / "content/alpha/pages/kak-nas-nayti.en.md"
    metadata = read_metadata(english.read_text(encoding="utf-8"))[0]
    assert metadata["slug"] == "kak-nas-nayti" and metadata["translation"] == "yes"

    only_english = new_document(network_config, "alpha", "Visitors' guide", lang="en")
    assert only_english == network / "content/alpha/articles/visitors-guide.en.md"

    with pytest.raises(GardarikaError, match="no article or page with the address"):
        new_document(network_config, "alpha", "Nothing", lang="en", translation_of="nope")
    with pytest.raises(GardarikaError, match="has no language “fi”"):
        new_document(network_config, "alpha", "Uutinen", lang="fi")
    with pytest.raises(GardarikaError, match="there is no town gamma"):
        new_document(network_config, "gamma", "Новость")

    done = gardarika("--root", str(network), "build")
    assert done.returncode == 0, done.stdout
    assert (network / "output/alpha/en/pages/kak-nas-nayti.html").is_file()


@pytest.mark.parametrize(
    ("existing", "title", "expected"),
    [
        # another file with that address in its own "slug:" line
        ("kontsert.md", "Концерт", "kontsert-2"),
        # the site's own pages: an article titled "Search" would replace the search page
        (None, "Search", "search-2"),
        (None, "Tags", "tags-2"),
    ],
)
def test_a_new_text_never_takes_an_address(
    network: Path, existing: str | None, title: str, expected: str
) -> None:
    if existing:
        write(
            network / "content/alpha/articles/other-name.md",
            "Title: Другое\nDate: 2024-01-01\nSlug: kontsert\n\nТекст.\n",
        )
    said: list[str] = []
    path = new_document(load_network(network), "alpha", title, say=said.append)
    assert path.name == f"{expected}.md"
    assert said and f"“{expected}”" in said[0] and f"«{expected}»" in said[0]
    from gardarika.checks.lint import lint_town

    town = load_network(network).towns["alpha"]
    assert not [p for p in lint_town(town, network) if p.severity == "error"]
