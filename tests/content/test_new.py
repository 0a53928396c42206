"""``invoke new``: a file in the right place with its front matter, never overwriting."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

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
    assert again.returncode == 1 and "already exists" in again.stderr
    assert "Traceback" not in again.stderr


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
