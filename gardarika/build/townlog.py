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
import fcntl
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from gardarika.fs.files import write_file_atomic

#: the file's name in ``.cache/``
TOWN_LOG = "towns.json"
#: the most of the file that is read (a record is some 100 bytes)
_MAX_BYTES = 16 << 20
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
    """The records of every town. Each change is made to the file as it is then, under
    a lock: two commands recording at once (a build and a check) lose nothing."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._towns: dict[str, dict[str, str | int]] | None = None

    @property
    def towns(self) -> dict[str, dict[str, str | int]]:
        """The records, read when first asked for (a change reads them anew anyway)."""
        if self._towns is None:
            self._towns = self._read()
        return self._towns

    def _read(self) -> dict[str, dict[str, str | int]]:
        towns: dict[str, dict[str, str | int]] = {}
        try:
            with self.path.open("rb") as file:
                saved = json.loads(file.read(_MAX_BYTES))
        except (OSError, ValueError, RecursionError):  # a cache: damaged is "not known"
            return towns
        if isinstance(saved, dict):
            for town, record in saved.items():
                if isinstance(town, str) and isinstance(record, dict):
                    towns[town] = {
                        key: value
                        for key, value in record.items()
                        if (key in _TIMES and isinstance(value, str))
                        or (key == "problems" and type(value) is int and value >= 0)
                    }
        return towns

    @contextlib.contextmanager
    def _changing(self) -> Iterator[None]:
        """Read the file again under the lock, let the caller change it, write it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(self.path.with_name(self.path.name + ".lock"), "a+b")  # noqa: SIM115
        except OSError:  # a cache: if it cannot be written, the history is not known
            yield
            return
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._towns = self._read()
            yield
            self._save()

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
        with self._changing():
            record = self.towns.setdefault(town, {})
            record["built" if ok else "failed"] = _iso(when)

    def checked(
        self, towns: Iterable[str], problems: Mapping[str, int], when: dt.datetime | None = None
    ) -> None:
        """``towns`` were checked just now; ``problems``: what was found in each."""
        stamp = _iso(when)
        with self._changing():
            for town in towns:
                record = self.towns.setdefault(town, {})
                record["checked"] = stamp
                record["problems"] = int(problems.get(town, 0))

    def _save(self) -> None:
        # a cache: if it cannot be written, the towns' history is merely not known
        with contextlib.suppress(OSError):
            data = json.dumps(self.towns, indent=1, sort_keys=True).encode("utf-8")
            write_file_atomic(self.path, data)


def _iso(when: dt.datetime | None) -> str:
    return (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="microseconds")


def _time(value: object) -> dt.datetime | None:
    """An aware time from the file, within years a clock gives (the ends of the calendar
    cannot be shown in every time zone)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None or not 1970 <= parsed.astimezone(dt.UTC).year <= 9000:
            return None
    except (ValueError, OverflowError):
        return None
    return parsed
