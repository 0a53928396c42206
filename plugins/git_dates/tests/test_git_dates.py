import re
from pathlib import Path

from pelican_site import build_pelican_site

# 2024-05-01 10:30, 2024-06-01 10:30 and 2024-07-01 10:30 UTC
T1, T2, T3 = 1714559400, 1717237800, 1719829800
FILES = {
    "undated.md": "Title: Undated\nSlug: undated\n\nText.\n",
    "changed.md": "Title: Changed\nSlug: changed\n\nText.\n",
    "own.md": "Title: Own\nSlug: own\nDate: 2024-01-02 08:00\n"
    "Modified: 2024-01-03 08:00\n\nText.\n",
    "2024-03-04-named.md": "Title: Named\nSlug: named\n\nText.\n",
    "uncommitted.md": "Title: Uncommitted\nSlug: uncommitted\nDate: 2024-02-02\n\nText.\n",
}
GIT_DATES = {
    "undated.md": [T1, T1],
    "changed.md": [T1, T2],
    "own.md": [T1, T3],
    "2024-03-04-named.md": [T1, T2],
}
EXTRA = f"""
    FILENAME_METADATA = r"(?P<date>\\d{{4}}-\\d{{2}}-\\d{{2}})?.*"
    GIT_DATES = {GIT_DATES!r}
"""


def times(page: Path) -> list[str]:
    return re.findall(r'<time[^>]*datetime="([^"]+)"', page.read_text(encoding="utf-8"))


def test_texts_without_dates_take_them_from_git(tmp_path: Path) -> None:
    out, _ = build_pelican_site(tmp_path, FILES, ["git_dates"], extra=EXTRA)
    assert times(out / "undated.html") == ["2024-05-01T10:30:00+00:00"]
    assert times(out / "changed.html") == [
        "2024-05-01T10:30:00+00:00",
        "2024-06-01T10:30:00+00:00",
    ]
    # dates written in the text, or in its file name, win
    assert times(out / "own.html") == ["2024-01-02T08:00:00+00:00", "2024-01-03T08:00:00+00:00"]
    assert times(out / "named.html") == [
        "2024-03-04T00:00:00+00:00",
        "2024-06-01T10:30:00+00:00",
    ]
    assert times(out / "uncommitted.html") == ["2024-02-02T00:00:00+00:00"]


def test_without_the_setting_nothing_changes(tmp_path: Path) -> None:
    files = {name: text for name, text in FILES.items() if name != "undated.md"}
    files["changed.md"] = files["changed.md"].replace("Slug:", "Date: 2024-01-01\nSlug:")
    out, _ = build_pelican_site(tmp_path, files, ["git_dates"])
    assert times(out / "changed.html") == ["2024-01-01T00:00:00+00:00"]
    assert times(out / "named.html") == ["2024-03-04T00:00:00+00:00"]
