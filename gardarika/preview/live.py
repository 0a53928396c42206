"""``invoke live --site X``: build a town, serve it on 127.0.0.1, rebuild on every change
and reload the page that is open in the browser.

Like ``invoke serve``, it answers only requests naming 127.0.0.1, localhost or [::1]
(see :func:`gardarika.preview.serve.host_refusal`): a page of another site cannot read the
preview or its status through DNS rebinding.

A content error never leaves a dead server: the page keeps showing the last good build
with a box listing the problems (file, line, what to do), and a town that has never
built shows the problems instead of "not found". The reload script and the box exist
only in the preview's responses; the files in ``output/`` are never changed.

Each rebuild runs ``python -m gardarika build`` in a new process: the preview itself
serves pages from threads, and forking a threaded process is not safe.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from html import escape
from http import HTTPStatus
from pathlib import Path

from gardarika.build.fingerprint import tree_digest
from gardarika.config.network import load_network
from gardarika.preview.serve import PreviewServer, QuietHandler

STATUS_PATH = "/__gardarika__/status"

RELOAD_SCRIPT = """<script>
(function () {
  var version = %d;
  function poll() {
    var request = new XMLHttpRequest();
    request.open("GET", "%s", true);
    request.onload = function () {
      try {
        if (JSON.parse(request.responseText).version !== version) { location.reload(); }
      } catch (e) {}
      setTimeout(poll, 1000);
    };
    request.onerror = function () { setTimeout(poll, 2000); };
    request.send();
  }
  setTimeout(poll, 1000);
})();
</script>"""

BOX_STYLE = (
    "position:fixed;left:0;right:0;top:0;z-index:1000;max-height:60%;overflow:auto;"
    "background:#fff4f2;color:#1a1a1a;border-bottom:4px solid #b00020;"
    "padding:0.75em 1em;font:15px/1.4 system-ui,sans-serif"
)


class LiveState:
    """What the preview knows: a version that changes with every build, and problems."""

    def __init__(self) -> None:
        self.version = 0
        self.problems: list[str] = []
        self.lock = threading.Lock()

    def update(self, problems: list[str]) -> None:
        with self.lock:
            self.version += 1
            self.problems = problems

    def snapshot(self) -> tuple[int, list[str]]:
        with self.lock:
            return self.version, list(self.problems)


def problems_box(problems: list[str]) -> str:
    if not problems:
        return ""
    items = "".join(
        f'<li><pre style="white-space:pre-wrap;margin:0">{escape(p)}</pre></li>' for p in problems
    )
    return (
        f'<div id="gardarika-live-problems" role="alert" style="{BOX_STYLE}">'
        "<strong>Content errors: the site shows the last good version. / Ошибки в "
        "материалах: показан последний удачный вариант сайта.</strong>"
        f"<ul>{items}</ul></div>"
    )


def inject(html: str, state: LiveState) -> str:
    """The page with the problems box and the reload script added before ``</body>``."""
    version, problems = state.snapshot()
    extra = problems_box(problems) + RELOAD_SCRIPT % (version, STATUS_PATH)
    position = html.lower().rfind("</body>")
    return html[:position] + extra + html[position:] if position >= 0 else html + extra


class LiveHandler(QuietHandler):
    """Serves ``output/`` like :mod:`gardarika.preview.serve`, adding the live parts to pages.

    The ``Host`` check of :class:`gardarika.preview.serve.HostCheckedHandler` runs before
    ``do_GET``, so the status (:data:`STATUS_PATH`), the pages with the problems box and
    the "not built" page are all refused to a request naming another host.
    """

    def __init__(self, *args: object, state: LiveState, **kwargs: object) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def _send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == STATUS_PATH:
            version, problems = self.state.snapshot()
            body = json.dumps({"version": version, "problems": problems}).encode()
            self._send(body, "application/json")
            return
        if not self.serves(self.path):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix.lower() in (".html", ".htm") and path.is_file():
            html = path.read_text(encoding="utf-8", errors="replace")
            self._send(inject(html, self.state).encode("utf-8"), "text/html; charset=utf-8")
            return
        if not path.exists() and self.state.snapshot()[1]:
            page = (
                '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Gardarika'
                "</title></head><body><h1>The site could not be built / Сайт не "
                "собран</h1></body></html>"
            )
            self._send(inject(page, self.state).encode("utf-8"), "text/html; charset=utf-8")
            return
        super().do_GET()


def watched_paths(root: Path, town_id: str) -> list[Path]:
    network = load_network(root)
    town = network.towns.get(town_id)
    paths = [root / "sites", root / "plugins"]
    if town is not None:
        paths += [town.content, root / "themes" / town.theme]
    else:
        paths.append(root / "content" / town_id)
    return paths


def fingerprint(paths: list[Path]) -> str:
    """Changes whenever a visible file below ``paths`` is added, removed or modified
    (the build's own way of hashing folders: what it would not read does not count)."""
    return tree_digest(paths)


def build_once(root: Path, town: str) -> list[str]:
    """Build the town in a new process; the problem lines to show (none when it built)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gardarika",
            "--root",
            str(root),
            "build",
            "--site",
            town,
            "--no-check",
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode == 0:
        return []
    lines = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if ": error: " in line or ": ошибка: " in line or line.startswith("There is")
    ]
    return lines or (done.stdout + done.stderr).strip().splitlines()[-10:]


class LivePreview:
    """The server and the watcher; ``start()`` returns at once, ``stop()`` ends both."""

    def __init__(
        self,
        root: Path,
        town: str,
        host: str = "127.0.0.1",
        port: int = 8000,
        interval: float = 0.5,
        say: Callable[[str], None] | None = None,
    ):
        self.root = Path(root).resolve()
        #: where each rebuild's outcome is told too (the terminal of ``invoke live``)
        self.say = say
        self._failed = False
        self.town = town
        self.state = LiveState()
        self.interval = interval
        self.output = self.root / "output"
        self.output.mkdir(exist_ok=True)
        handler = functools.partial(LiveHandler, state=self.state, directory=str(self.output))
        self.server = PreviewServer(host, port, handler)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"{self.server.url}{self.town}/index.html"

    def rebuild(self) -> None:
        problems = build_once(self.root, self.town)
        self.state.update(problems)
        if self.say is None:
            return
        now = time.strftime("%H:%M:%S")
        if problems:
            self.say(
                f"{now} The build of {self.town} failed; the page shows the problems. / "
                f"Сборка {self.town} не удалась; проблемы показаны на странице:"
            )
            for problem in problems:
                self.say(problem)
        elif self._failed:
            self.say(f"{now} Built again, no problems. / Собрано, проблем нет.")
        self._failed = bool(problems)

    def _watch(self, last: str) -> None:
        while not self._stop.wait(self.interval):
            current = fingerprint(watched_paths(self.root, self.town))
            if current != last:
                time.sleep(self.interval)  # let an editor's save finish
                last = fingerprint(watched_paths(self.root, self.town))
                self.rebuild()

    def start(self) -> None:
        # taken before the first build, so that a change made meanwhile is not missed
        first = fingerprint(watched_paths(self.root, self.town))
        self.rebuild()
        for target, args in ((self.server.serve_forever, ()), (self._watch, (first,))):
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)


def run_live(root: Path, town: str, host: str = "127.0.0.1", port: int = 8000) -> int:
    preview = LivePreview(root, town, host, port, say=lambda line: print(line, flush=True))
    print(f"Building {town}… / Сборка {town}…", flush=True)
    preview.start()
    print(
        f"Preview: {preview.url}  (rebuilds on every change; Ctrl+C stops)\n"
        f"Просмотр: {preview.url}  (пересборка при каждом изменении; Ctrl+C — выход)"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
    return 0
