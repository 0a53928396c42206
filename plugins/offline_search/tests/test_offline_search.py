import json
from pathlib import Path

from pelican_site import build_pelican_site


def test_index_script_for_the_site(tmp_path: Path) -> None:
    out, _ = build_pelican_site(
        tmp_path,
        {
            "a.md": "Title: Субботник в парке\nDate: 2024-04-20\nSlug: a\n\nВолонтёры убирали.\n",
        },
        ["offline_search"],
    )
    script = (out / "search-index.js").read_text(encoding="utf-8")
    assert script.startswith("window.GARDARIKA_SEARCH=")
    index = json.loads(script[len("window.GARDARIKA_SEARCH=") :].rstrip().rstrip(";"))
    assert index["docs"][0][:2] == ["a.html", "Субботник в парке"]
    assert index["title"]["субботник"] == [0] and "волонтер" in index["body"]
