"""Each town's last output check, kept between builds (``.cache/checks.json``).

A build checks the towns it rebuilt; a town it left alone keeps the output, and the
problems, it had. So that a build's summary and exit code cover the whole output, not
only what it rebuilt, the findings of each town's last check are kept, and a later
build reports those of the towns it did not check again (a town with no kept result,
whose output was never checked or was rebuilt without the check, is checked again).
The portal (``output/index.html``, ``output/theme/``) is checked by every build.

The file is a cache: anything unreadable in it counts as "not checked", never as
"clean".
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from pathlib import Path

from gardarika.build.townlog import TOWN_LOG, TownLog
from gardarika.checks.output import Finding
from gardarika.errors import Message
from gardarika.fs.files import write_file_atomic


def town_of(finding: Finding) -> str:
    """The town a finding is in: the first folder of its file (``vyborg/a.html``)."""
    return finding.file.split("/", 1)[0]


class LastChecks:
    """What the last check found in each town (an empty list: nothing)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.towns: dict[str, list[Finding]] = {}
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(saved, dict):
            return
        for town, rows in saved.items():
            findings = _findings(rows)
            if isinstance(town, str) and findings is not None:
                self.towns[town] = findings

    def known(self, town: str) -> bool:
        return town in self.towns

    def record(self, towns: Iterable[str], findings: Iterable[Finding]) -> None:
        """``towns`` were just checked and ``findings`` is what was found in them."""
        checked = set(towns)
        for town in checked:
            self.towns[town] = []
        for finding in findings:
            if town_of(finding) in checked:
                self.towns[town_of(finding)].append(finding)
        self._save()
        TownLog(self.path.parent / TOWN_LOG).checked(
            checked, {town: len(self.towns[town]) for town in checked}
        )

    def forget(self, towns: Iterable[str]) -> None:
        """``towns`` changed without a check: their last result no longer holds."""
        for town in towns:
            self.towns.pop(town, None)
        self._save()

    def found(self, towns: Iterable[str]) -> list[Finding]:
        """The kept findings of ``towns``, in order."""
        return [finding for town in sorted(set(towns)) for finding in self.towns.get(town, [])]

    def _save(self) -> None:
        data = {
            town: [[f.file, f.line, f.message.en, f.message.ru] for f in findings]
            for town, findings in sorted(self.towns.items())
        }
        # a cache: if it cannot be written, the next build checks those towns again
        with contextlib.suppress(OSError):
            write_file_atomic(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _findings(rows: object) -> list[Finding] | None:
    if not isinstance(rows, list):
        return None
    findings = []
    for row in rows:
        if not (
            isinstance(row, list)
            and len(row) == 4
            and isinstance(row[0], str)
            and isinstance(row[1], int)
            and isinstance(row[2], str)
            and isinstance(row[3], str)
        ):
            return None
        findings.append(Finding(row[0], row[1], Message(row[2], row[3])))
    return findings
