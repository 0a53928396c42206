"""What a town's build depends on, as one digest, to skip towns that have not changed.

A town is rebuilt when any of these changed: its content files, the dates git gives
them (:mod:`gardarika.content.gitdates`), its settings file, the
network's settings and its neighbours' settings (their names and homes appear on its
pages), which neighbours are published, its theme, the shared plugins, and Gardarika
itself (its code and version). Files are compared by path, size and modification time,
as make, Hugo and rsync do: reading every byte of a large network would cost more than
the build it saves.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from gardarika import PACKAGE, __version__
from gardarika.build.limits import MAX_TOWN_DEPTH
from gardarika.config.network import Network, Town
from gardarika.fs.files import write_file_atomic


def tree_digest(paths: Iterable[Path]) -> str:
    """One digest of every visible file below ``paths`` (their names, sizes, times and
    links): it changes whenever one is added, removed or modified. The one way folders
    are hashed: for a town's fingerprint here, and for the live preview's watch."""
    digest = hashlib.sha256()
    for base in paths:
        _tree(digest, base)
    return digest.hexdigest()


def _tree(digest: hashlib._Hash, base: Path, follow: bool = False) -> None:
    """Add every visible file below ``base`` to ``digest``, never deeper than a town
    may be (Python's ``os.walk`` calls itself for each level).

    A town's folder (``follow`` false) is walked without following links (``a -> .``
    would make the walk endless): a link counts by what it says, plus its target's size
    and time when that is a file; a linked folder inside the town is walked where it
    really lies, and one leading outside is refused by the checks anyway. The code
    (``follow``: a theme may be a link to a shared one) is followed, each real folder
    once."""
    if base.is_file():
        stat = base.stat()
        digest.update(
            f"{base}|{stat.st_size}|{stat.st_mtime_ns}\n".encode(errors="surrogateescape")
        )
        return
    seen: set[str] = set()
    top = str(base).count(os.sep)
    for folder, dirs, files in os.walk(base, followlinks=follow):
        if folder.count(os.sep) - top >= MAX_TOWN_DEPTH:
            digest.update(f"{folder}|deeper\n".encode(errors="surrogateescape"))
            dirs[:] = []  # deeper than a town may be: the checks refuse it
        if follow:
            real = os.path.realpath(folder)
            if real in seen:
                dirs[:] = []
                continue
            seen.add(real)
        links = [] if follow else sorted(d for d in dirs if os.path.islink(os.path.join(folder, d)))
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and d != "__pycache__" and d not in links
        )
        for name in links:
            path = os.path.join(folder, name)
            digest.update(f"{path}|->{_readlink(path)}\n".encode(errors="surrogateescape"))
        for name in sorted(files):
            if name.startswith(".") or name.endswith((".pyc", ".bak")):
                continue
            path = Path(folder) / name
            try:
                stat = path.stat()
            except OSError:  # a link leading nowhere (or round in a circle)
                digest.update(f"{path}|->{_readlink(str(path))}\n".encode(errors="surrogateescape"))
                continue
            link = f"|->{_readlink(str(path))}" if path.is_symlink() else ""
            digest.update(
                f"{path}|{stat.st_size}|{stat.st_mtime_ns}{link}\n".encode(errors="surrogateescape")
            )


def _readlink(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def code_fingerprint(root: Path, theme: str) -> str:
    """Gardarika, the plugins and the theme: what every page of a town is made with."""
    digest = hashlib.sha256(__version__.encode())
    for base in (PACKAGE, root / "plugins", root / "themes" / theme):
        _tree(digest, base, follow=True)
    return digest.hexdigest()


def town_fingerprint(
    network: Network,
    town: Town,
    published: Iterable[str],
    code: str | None = None,
    dates: str = "",
) -> str:
    """The town's digest; ``code`` is :func:`code_fingerprint` of its theme when the
    caller has it already (it is the same for every town of a theme); ``dates`` the
    digest of the dates git gives its texts (:attr:`gardarika.content.gitdates.GitDates.digest`):
    a commit that changes no file still changes them."""
    code = code or code_fingerprint(network.root, town.theme)
    digest = hashlib.sha256(code.encode())
    _tree(digest, town.content)
    if dates:
        digest.update(f"git dates {dates}\n".encode())
    for path in (
        town.file,
        network.root / "sites" / "network.yaml",
        *(network.towns[t].file for t in town.neighbours if t in network.towns),
    ):
        if path.exists():
            digest.update(path.read_bytes())
    digest.update(json.dumps(sorted(t for t in town.neighbours if t in set(published))).encode())
    return digest.hexdigest()


class BuildState:
    """The fingerprint of each town's last successful build (``.cache/state.json``).

    A town's fingerprint is recorded only after its new output has been swapped in
    (see :meth:`gardarika.build.builder.Builder.finish_town`): a build killed before that leaves
    the old fingerprint, which no longer matches the content, so the next build does the
    town again instead of keeping its old output.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = None
        # anything odd means "no town is known to be up to date": they are all rebuilt
        self.towns: dict[str, str] = (
            saved
            if isinstance(saved, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in saved.items())
            else {}
        )

    def unchanged(self, town: str, fingerprint: str) -> bool:
        return self.towns.get(town) == fingerprint

    def record(self, town: str, fingerprint: str | None) -> None:
        if fingerprint is None:
            self.towns.pop(town, None)
        else:
            self.towns[town] = fingerprint
        write_file_atomic(
            self.path, json.dumps(self.towns, indent=1, sort_keys=True).encode("utf-8")
        )
