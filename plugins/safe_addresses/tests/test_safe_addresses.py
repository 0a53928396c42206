"""safe_addresses on tiny sites with Pelican's ``simple`` theme."""

from __future__ import annotations

from pathlib import Path

import pytest
from pelican_site import build_pelican_site

HEADER = "Title: T\nDate: 2024-01-01\n"


@pytest.mark.parametrize(
    "line",
    [
        'Url: x.html" onfocus="steal()" autofocus="',
        "Url: javascript:steal()",
        "Url: JaVaScRiPt:steal()",
        "Save_as: a b.html",
        "Url: {index}javascript://%0asteal()",
        "Url: <script>steal()</script>.html",
    ],
)
def test_an_address_that_is_not_a_plain_path_is_refused(tmp_path: Path, line: str) -> None:
    out, log = build_pelican_site(
        tmp_path,
        {"t.md": f"{HEADER}{line}\n\nText.\n", "ok.md": "Title: Ok\nDate: 2024-01-01\n\nFine.\n"},
        ["safe_addresses"],
        must_succeed=False,
    )
    pages = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert "steal()" not in pages and "<script>steal" not in pages
    assert "Could not process ./t.md" in log
    assert (out / "ok.html").is_file()  # the other documents are built


def test_a_pattern_from_the_settings_is_held_too(tmp_path: Path) -> None:
    out, log = build_pelican_site(
        tmp_path,
        {"t.md": f"{HEADER}\nText.\n"},
        ["safe_addresses"],
        extra="ARTICLE_URL = '{slug}.html\" onmouseover=\"steal()'\n",
        must_succeed=False,
    )
    pages = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert "onmouseover" not in pages and "Could not process ./t.md" in log


def test_ordinary_addresses_are_left_alone(tmp_path: Path) -> None:
    out, log = build_pelican_site(
        tmp_path,
        {
            "t.md": f"{HEADER}Url: news/fair-2024.html\nSave_as: news/fair-2024.html\n\nText.\n",
            "u.md": "Title: U\nDate: 2024-01-01\nUrl: override/\nSave_as: override/index.html\n\n"
            "Text.\n",
        },
        ["safe_addresses"],
    )
    assert (out / "news" / "fair-2024.html").is_file()
    assert (out / "override" / "index.html").is_file()
    assert "is not published" not in log
