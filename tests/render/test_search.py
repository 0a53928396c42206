"""The search index: stems of titles and texts, shipped as a script file per language."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gardarika.render.searchindex import (
    SearchDocument,
    build_index,
    index_script,
    load_stems,
    normalize,
    plain_text,
    save_stems,
    stems,
)


def load(script: str) -> dict:
    match = re.fullmatch(r"window\.GARDARIKA_SEARCH=(.*);\n", script, re.S)
    assert match
    return json.loads(match.group(1))


def test_stems_fold_case_and_yo() -> None:
    assert stems("Субботники, СУББОТНИК и субботника", "ru") == [
        "субботник",
        "субботник",
        "и",
        "субботник",
    ]
    assert stems("Ёлка", "ru") == stems("елка", "ru")
    assert stems("Volunteers volunteering", "en") == ["volunt", "volunt"]
    assert stems("Hyvää päivää", "fi") == ["hyvää", "päivää"]  # folded, not stemmed
    assert normalize("Ёж") == "еж"


def test_stems_are_remembered_between_runs(tmp_path: Path, monkeypatch) -> None:
    from gardarika.render import searchindex

    cache = str(tmp_path / "cache" / "search-stems.json")
    monkeypatch.setattr(searchindex, "_STEMMED", {})
    monkeypatch.setattr(searchindex, "_OF_WRITTEN", {})
    assert stems("праздники", "ru") == ["праздник"]
    save_stems(cache, "ru")
    saved = json.loads(Path(cache).read_text(encoding="utf-8"))
    assert saved["ru"] == {"праздники": "праздник"}
    # a later run takes the saved stems instead of stemming again
    saved["ru"]["праздники"] = "remembered"
    Path(cache).write_text(json.dumps(saved), encoding="utf-8")
    monkeypatch.setattr(searchindex, "_STEMMED", {})
    monkeypatch.setattr(searchindex, "_OF_WRITTEN", {})
    load_stems(cache, "ru")
    assert stems("праздники", "ru") == ["remembered"]
    # stems of another stemmer version, or a damaged file, are not used
    saved["stemmer"] = "0.0-other"
    Path(cache).write_text(json.dumps(saved), encoding="utf-8")
    monkeypatch.setattr(searchindex, "_STEMMED", {})
    monkeypatch.setattr(searchindex, "_OF_WRITTEN", {})
    load_stems(cache, "ru")
    Path(cache).write_text("{not json", encoding="utf-8")
    load_stems(cache, "ru")
    assert stems("праздники", "ru") == ["праздник"]


def test_plain_text() -> None:
    html = (
        "<p>Первый&nbsp;абзац</p><p>Второй <b>абзац</b></p><script>var x;</script>"
        "<ul><li>раз</li><li>два</li></ul>"
    )
    assert plain_text(html) == "Первый абзац Второй абзац раз два"


def test_index_layout_and_script() -> None:
    docs = [
        SearchDocument("a.html", "Субботник в парке", "5 мая 2024 г.", "Текст о парке."),
        SearchDocument("b.html", "Концерт", "", "Парк, парк и ещё раз парк </script>"),
    ]
    index = load(index_script(build_index(docs, "ru")))
    assert index["lang"] == "ru"
    assert index["docs"][0] == ["a.html", "Субботник в парке", "5 мая 2024 г.", "Текст о парке."]
    assert index["title"]["субботник"] == [0]
    assert index["body"]["парк"] == [0, 1, 1, 3]  # doc, count, doc, count
    assert "</script>" not in index_script(build_index(docs, "ru"))


def test_every_language_gets_its_index(network: Path, build_network) -> None:
    assert build_network(network).ok
    out = network / "output"
    ru = load((out / "alpha/search-index.js").read_text(encoding="utf-8"))
    en = load((out / "alpha/en/search-index.js").read_text(encoding="utf-8"))
    ru_titles = {doc[1] for doc in ru["docs"]}
    en_titles = {doc[1] for doc in en["docs"]}
    assert "Ярмарка ремёсел" in ru_titles and "Note for visitors" not in ru_titles
    assert "Note for visitors" in en_titles and "Craft fair" in en_titles
    assert "ярмарк" in ru["title"]
    fair = next(doc for doc in ru["docs"] if doc[1] == "Ярмарка ремёсел")
    assert (out / "alpha" / fair[0]).is_file()
    assert "мая 2024" in fair[2]
    about = next(doc for doc in en["docs"] if doc[0].startswith("pages/"))
    assert (out / "alpha/en" / about[0]).is_file()
    assert (out / "alpha/search.html").is_file() and (out / "alpha/en/search.html").is_file()
    home = (out / "alpha/index.html").read_text(encoding="utf-8")
    assert 'id="site-search"' in home and 'data-action="./search.html"' in home
    # the box is the script's to make (search needs it): no link that names the archives
    # a second time beside the menu's
    assert home.split('id="site-search"')[1].split(">", 1)[1].startswith("</div>")
    assert home.count('href="./archives.html"') == 1


def test_the_index_names_files_as_the_pages_links_do(network: Path, build_network) -> None:
    """A text saved as a folder's index.html (``Url: override/``) is linked by the pages
    as ``override/index.html``; its search result leads to the same file."""
    from projects import write

    write(
        network / "content/alpha/articles/override.md",
        """
        Title: Особый адрес
        Date: 2024-03-01 10:00
        Url: override/
        Save_as: override/index.html

        Текст со словом колокольня.
        """,
    )
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    out = network / "output" / "alpha"
    index = load((out / "search-index.js").read_text(encoding="utf-8"))
    doc = next(doc for doc in index["docs"] if doc[1] == "Особый адрес")
    assert doc[0] == "override/index.html" and (out / doc[0]).is_file()
    assert 'href="./override/index.html"' in (out / "index.html").read_text(encoding="utf-8")
    assert all(
        not d[0].endswith("/") and (out / d[0].split("#")[0]).is_file() for d in index["docs"]
    )
