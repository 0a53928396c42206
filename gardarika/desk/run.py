"""Starting the desk: the town checked, a port found, the browser opened."""

from __future__ import annotations

import html
import os
import sys
import tempfile
import webbrowser
from pathlib import Path

from gardarika.config.network import UnknownTown, load_network
from gardarika.desk.history import DeskError
from gardarika.desk.server import Desk, make_desk_server

DEFAULT_PORT = 8765


def run_desk(root: Path, town: str, port: int | None, open_browser: bool = True) -> int:
    network = load_network(root)
    try:
        [town] = network.choose([town])
    except UnknownTown as unknown:
        print(unknown, file=sys.stderr)
        return 2
    desk = Desk(root=Path(root).resolve(), town_id=town)
    try:
        desk.history()  # the town's folder must be in a git repository
    except DeskError as error:
        print(f"{error.message.en}\n{error.message.ru}", file=sys.stderr)
        return 1
    try:
        server = make_desk_server(desk, DEFAULT_PORT if port is None else port)
    except OSError:
        if port is not None:
            print(
                f"Port {port} is taken; choose another with --port. / Порт {port} занят; "
                "выберите другой в --port.",
                file=sys.stderr,
            )
            return 1
        server = make_desk_server(desk, 0)  # any free port
    address = desk.start_url(server.url)
    print(
        f"The editor's desk for {town}: {address}  (Ctrl+C stops)\n"
        f"Редактор города {town}: {address}  (Ctrl+C — выход)",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="gardarika-desk-") as private:
        if open_browser:
            webbrowser.open(_opener(Path(private), address))
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0


def _opener(folder: Path, address: str) -> str:
    """A page only this user can read that leads the browser to ``address``: the key
    never appears in the browser's command line, which every user of the computer can
    list."""
    page = folder / "open.html"
    shown = html.escape(address)
    with os.fdopen(os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(
            f'<!DOCTYPE html><meta charset="utf-8"><meta http-equiv="refresh" '
            f'content="0;url={shown}"><title>Gardarika</title>'
            f'<p><a href="{shown}">Редактор · Editor\'s desk</a></p>'
        )
    return page.as_uri()
