"""Each town's last output check, kept between builds."""

from __future__ import annotations

from pathlib import Path

from gardarika.checks.lastcheck import LastChecks
from gardarika.checks.output import Finding
from gardarika.errors import Message


def finding(file: str) -> Finding:
    return Finding(file, 3, Message(f"{file} is broken", f"{file} сломан"))


def test_findings_are_kept_per_town_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "checks.json"
    kept = LastChecks(path)
    assert not kept.known("alpha")
    kept.record(["alpha", "beta"], [finding("alpha/a.html"), finding("index.html")])
    again = LastChecks(path)
    assert again.known("alpha") and again.known("beta") and not again.known("gamma")
    assert again.found(["alpha", "beta"]) == [finding("alpha/a.html")]  # the portal's: not kept
    again.record(["alpha"], [])  # checked again, clean
    again.forget(["beta"])  # rebuilt without the check
    last = LastChecks(path)
    assert last.found(["alpha"]) == [] and last.known("alpha") and not last.known("beta")


def test_a_damaged_file_means_not_checked(tmp_path: Path) -> None:
    path = tmp_path / "checks.json"
    for text in (
        "{",
        "[]",
        '{"alpha": [[1, 2]]}',
        '{"alpha": "x"}',
        '{"alpha": [["a", "1", "e", "r"]]}',
    ):
        path.write_text(text, encoding="utf-8")
        assert not LastChecks(path).known("alpha"), text
    LastChecks(tmp_path / "missing" / "x.json").record(["alpha"], [])  # unwritable: no error
