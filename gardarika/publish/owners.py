"""``invoke owners``: a CODEOWNERS file, each town's editors owning its content and
settings.

CODEOWNERS is written from folder names and the editors of the towns' files, and
one line of it is a rule: a name with a space, a new line or a pattern character in it
(``* @evil``) would add rules of its own. So every path written is a plain path inside
``content/`` or ``sites/`` (lower-case Latin letters, digits, ``._-``), every editor an
account or an address of :data:`gardarika.config.network.EDITOR`; a town whose rules cannot be
written so is left out, with a warning.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from gardarika.config.network import (
    TOWN_ID,
    Network,
    editor_problem,
    visible,
)
from gardarika.errors import Message, display_path

#: a path written into CODEOWNERS: nothing a CODEOWNERS parser reads as a pattern, a
#: comment, an escape or the end of the path (no space, ``*?[]!#\``, new line)
SAFE_PATH = re.compile(r"[a-z0-9][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*")


def _town_rules(network: Network, town_id: str) -> tuple[list[str], Message | None]:
    """The CODEOWNERS rules of one town, or why they cannot be written safely."""
    town = network.towns[town_id]
    for editor in town.editors:
        reason = editor_problem(editor)
        if reason:
            return [], reason
    content = display_path(town.content, network.root)
    parts = content.split("/")
    if not SAFE_PATH.fullmatch(content) or parts[0] != "content" or len(parts) < 2:
        shown = visible(content)
        return [], Message(
            f"its content folder “{shown}” is not a folder inside content/ named with "
            "lower-case Latin letters, digits, “.”, “_” and “-”: a rule for it could "
            "claim other towns' files or add rules of its own. Rename the folder (and "
            "“content:” in the town's file).",
            f"его папка материалов «{shown}» — не папка внутри content/ с именем из "
            "строчных латинских букв, цифр, «.», «_» и «-»: правило для неё могло бы "
            "отдать чужие файлы или добавить свои правила. Переименуйте папку (и "
            "«content:» в файле города).",
        )
    settings = display_path(town.file, network.root)
    if not SAFE_PATH.fullmatch(settings) or not re.fullmatch(r"sites/[^/]+\.ya?ml", settings):
        shown = visible(settings)
        return [], Message(
            f"its settings file “{shown}” is not a file in sites/ named like the "
            "town (lower-case Latin letters, digits and “-”).",
            f"его файл настроек «{shown}» — не файл в sites/ с именем города "
            "(строчные латинские буквы, цифры и «-»).",
        )
    owners = " ".join(town.editors)
    return [f"/{content}/ {owners}", f"/{settings} {owners}"], None


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def codeowners(network: Network, warn: Callable[[str], None] | None = None) -> str:
    """A CODEOWNERS file: each town's editors own its content folder and settings file.

    A town whose rules cannot be written safely (a folder or an editor with a space, a
    new line or a pattern character) is left out, and ``warn`` (by default: a line on
    the standard error) is told why, in English and in Russian."""
    warn = warn or _warn
    lines = [
        "# Written by `invoke owners` from the editors listed in sites/*.yaml.",
        "# Each town's editors review changes to its content and settings.",
        "",
    ]
    for town in sorted(network.towns):
        if not network.towns[town].editors:
            continue
        rules, reason = _town_rules(network, town)
        if reason:
            shown = visible(town)
            warn(
                f"{shown}: left out of CODEOWNERS: {reason[0]} / {shown}: не включён в "
                f"CODEOWNERS: {reason[1]}"
            )
            if TOWN_ID.fullmatch(town):
                lines.append(f"# {town}: left out, see the warning of `invoke owners`")
            continue
        lines.extend(rules)
    return "\n".join(lines) + "\n"
