"""When each town was last built and checked, and how it went (``.cache/towns.json``),
for ``invoke towns``.

The build records each town it settles (a success, or a failure that kept the previous
output); the output check records each town it checked, with the number of problems it
found. The file is a cache like the rest of ``.cache/``: ``invoke clean`` removes it,
and anything unreadable in it counts as "not known", never as a success.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gardarika.fs.files import write_file_atomic

#: the file's name in ``.cache/``
TOWN_LOG = "towns.json"
#: the keys a town's record may have, each an ISO time or a count
_TIMES = ("built", "failed", "checked")


@dataclass(frozen=True)
class TownEvents:
    """What is known of one town's last builds and check."""

    built: dt.datetime | None = None  # the last successful build
    failed: dt.datetime | None = None  # the last failed build
    checked: dt.datetime | None = None  # the last output check
    problems: int | None = None  # what that check found

    @property
    def failed_since(self) -> bool:
        """The last build failed: the output is older than the content."""
        return self.failed is not None and (self.built is None or self.failed > self.built)


class TownLog:
    """The records of every town, read once and written after each change."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.towns: dict[str, dict[str, str | int]] = {}
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(saved, dict):
            for town, record in saved.items():
                if isinstance(town, str) and isinstance(record, dict):
                    self.towns[town] = {
                        key: value
                        for key, value in record.items()
                        if (key in _TIMES and isinstance(value, str))
                        or (key == "problems" and type(value) is int and value >= 0)
                    }

    def get(self, town: str) -> TownEvents:
        record = self.towns.get(town, {})
        return TownEvents(
            built=_time(record.get("built")),
            failed=_time(record.get("failed")),
            checked=_time(record.get("checked")),
            problems=record.get("problems") if _time(record.get("checked")) else None,  # type: ignore[arg-type]
        )

    def built(self, town: str, ok: bool, when: dt.datetime | None = None) -> None:
        """``town``'s build ended (``ok``: its new output is in place)."""
        record = self.towns.setdefault(town, {})
        record["built" if ok else "failed"] = _iso(when)
        self._save()

    def checked(
        self, towns: Iterable[str], problems: Mapping[str, int], when: dt.datetime | None = None
    ) -> None:
        """``towns`` were checked just now; ``problems``: what was found in each."""
        stamp = _iso(when)
        for town in towns:
            record = self.towns.setdefault(town, {})
            record["checked"] = stamp
            record["problems"] = int(problems.get(town, 0))
        self._save()

    def _save(self) -> None:
        # a cache: if it cannot be written, the towns' history is merely not known
        with contextlib.suppress(OSError):
            data = json.dumps(self.towns, indent=1, sort_keys=True).encode("utf-8")
            write_file_atomic(self.path, data)


def _iso(when: dt.datetime | None) -> str:
    return (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")


def _time(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
