"""«Просмотр»: a text as the site would show it, before it is saved.

The unsaved text is built with the real theme and the real pipeline (the checks,
typography, pictures, the town's other texts around it) in a copy of the project under
``.cache/desk/<town>/``: its ``sites/``, ``themes/`` and ``plugins/`` and the town's
content folder, made of hard links (a few milliseconds for a town of a thousand files;
copies where links cannot be made), with the edited text written as a new file (never
through a link, so the town's own file is never touched). The copy keeps its build
cache, so a second preview rebuilds little. Nothing of the town, its repository or
``output/`` changes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gardarika.config.network import Town, load_network
from gardarika.content.documents import Document, read_town
from gardarika.content.new import new_document
from gardarika.desk.history import DeskError
from gardarika.errors import Message
from gardarika.fs.confine import really_inside

#: what the copy of the project holds besides the town's content
_SHARED = ("sites", "themes", "plugins")


@dataclass(frozen=True)
class Previewed:
    """Where the preview's page is (below the copy's ``output/``), and what the build
    said when it failed."""

    output: Path
    page: str | None
    problems: list[str]


def inside_town(folder: Path, path: Path) -> None:
    """Refuse ``path`` when its folder leads out of the town's ``folder`` (a symbolic
    link): the desk writes only inside it."""
    if not really_inside(str(path.parent), str(folder)):
        raise DeskError(
            Message(
                f"{path.parent.name}/ leads out of the town's folder (a symbolic link); the "
                "desk writes only inside it. Ask the maintainer.",
                f"{path.parent.name}/ ведёт за пределы папки города (символическая "
                "ссылка); редактор пишет только внутри неё. Обратитесь к администратору.",
            )
        )


def _linked_copy(source: Path, target: Path) -> None:
    """``source`` as hard links at ``target`` (symbolic links copied as links, never
    followed: the build judges them as it would in the town)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst, follow_symlinks=False)
        except OSError:
            shutil.copy2(src, dst, follow_symlinks=False)

    shutil.rmtree(target, ignore_errors=True)
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True, copy_function=link)


def _write_new(path: Path, text: str) -> None:
    """A new file at ``path`` (a hard link there is removed first, not written through)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    with path.open("x", encoding="utf-8", newline="") as out:
        out.write(text)


def preview_path(town: Town, doc: Document) -> str:
    """Where the build writes a text, below ``output/``."""
    lang = "" if doc.lang == town.default_language else f"{doc.lang}/"
    draft = text_state(doc) == "is_draft"
    kind = ("drafts/" if draft else "") + ("pages/" if doc.kind == "page" else "")
    return f"{town.id}/{lang}{kind}{doc.slug}.html"


def text_state(doc: Document) -> str:
    """``published``, ``is_draft`` or ``hidden`` (the desk's words for them)."""
    status = str(doc.metadata.get("status") or "").strip().lower()
    return {"draft": "is_draft", "hidden": "hidden"}.get(status, "published")


def build_preview(
    root: Path,
    town_id: str,
    rel: str | None,
    compose: Callable[[str | None], str],
    new: Callable[[Path], Path],
    build: Callable[[Path, str], list[str]],
) -> Previewed:
    """Build the town with the text ``compose`` makes of the one at ``rel`` (an
    existing text) or, for a new one, of the placeholder ``new`` (given the copy's
    root) writes where a save would put it."""
    root = Path(root)
    network = load_network(root)
    town = network.towns[town_id]
    copy = root / ".cache" / "desk" / town_id
    for name in _SHARED:
        _linked_copy(root / name, copy / name)

    def in_copy(folder: Path) -> Path:
        return copy / Path(os.path.abspath(folder)).relative_to(os.path.abspath(root))

    shutil.rmtree(copy / "content", ignore_errors=True)
    for other in network.towns.values():  # the others' settings need their folders
        if other.id != town_id and other.content.is_relative_to(root):
            in_copy(other.content).mkdir(parents=True, exist_ok=True)
    content = in_copy(town.content)
    _linked_copy(town.content, content)
    path = content / rel if rel is not None else new(copy)
    inside_town(content, path)
    old = path.read_text(encoding="utf-8-sig") if path.is_file() else None
    _write_new(path, compose(old))
    problems = build(copy, town_id)
    copied = load_network(copy).towns[town_id]
    docs, _ = read_town(copied, copy)
    page = next((preview_path(copied, d) for d in docs if d.path == path), None)
    return Previewed(copy / "output", page, problems)


def new_in_copy(
    title: str, lang: str, page: bool, town_id: str, translation_of: str = ""
) -> Callable[[Path], Path]:
    """Where a new text of ``title`` (a translation of the text at ``translation_of``)
    goes in the copy (its free address, as a save would give it); the placeholder file
    made there is replaced by the text."""

    def made(copy: Path) -> Path:
        return new_document(
            load_network(copy),
            town_id,
            title,
            lang=lang,
            page=page,
            translation_of=translation_of or None,
        )

    return made
