"""Red team: the editor's desk (``invoke desk --site TOWN``, gardarika.desk).

Each test starts a real desk on 127.0.0.1 (no site build: ``build`` does nothing) and
talks to it with plain HTTP, as a browser, another website or another program on the
same computer could. The tests that fail show a confirmed problem (the docstring names
the attack, its effect and a severity); the others pin down refusals that matter.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from desks import serving
from projects import PNG, git

from gardarika.content.documents import read_town
from gardarika.content.frontmatter import read_metadata
from gardarika.desk.server import Desk

EDITOR = "Мария Петрова"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Running:
    app: Desk
    port: int

    @property
    def root(self) -> Path:
        return self.app.root

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        origin: str | None = "",
        timeout: float = 20,
        cookie: bool = True,
    ) -> Answer:
        sent = {"Host": f"127.0.0.1:{self.port}"}
        if cookie:  # the editor's browser, which opened the desk's address with its key
            sent["Cookie"] = f"{self.app.cookie_name(self.port)}={self.app.key}"
        if origin is not None:
            sent["Origin"] = origin or self.origin
        sent.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return Answer(
                response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
            )
        finally:
            connection.close()

    def post(
        self, path: str, origin: str | None = "", cookie: bool = True, **fields: str
    ) -> Answer:
        fields.setdefault("token", self.app.token)
        body = urlencode(fields).encode()
        return self.request(
            "POST",
            path,
            body,
            {"Content-Type": "application/x-www-form-urlencoded"},
            origin=origin,
            cookie=cookie,
        )

    def post_multipart(
        self, path: str, fields: dict[str, str], files: list[tuple[str, str, bytes]]
    ) -> Answer:
        boundary = "----redteamdesk"
        chunks = []
        for name, value in fields.items():
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + value.encode()
                + b"\r\n"
            )
        for name, filename, data in files:
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + data
                + b"\r\n"
            )
        chunks.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST",
            path,
            b"".join(chunks),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )


@pytest.fixture
def desk(maintained: Path) -> Iterator[Running]:
    app = Desk(root=maintained, town_id="alpha", build=lambda root, town: [])
    with serving(app) as server:
        yield Running(app, server.server_address[1])


def fair_form(**changes: str) -> dict[str, str]:
    """The form of alpha's ``articles/fair.md`` (a Pelican ``Key: value`` header)."""
    fields = {
        "file": "articles/fair.md",
        "kind": "article",
        "lang": "ru",
        "title": "Ярмарка ремёсел",
        "date": "2024-05-05 10:00",
        "category": "Новости",
        "tags": "ярмарка, ремёсла",
        "summary": "",
        "body": "На ярмарке.",
        "editor_name": EDITOR,
    }
    fields.update(changes)
    return fields


def head(root: Path) -> str:
    return git("rev-parse", "HEAD", cwd=root).strip()


# -- confirmed problems (these fail now) -----------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_tag_with_a_line_break_cannot_add_lines_to_a_pelican_header(
    desk: Running, newline: str
) -> None:
    """Attack: header injection through the «Метки» (tags) field. ``_values`` joins the
    title, date, category and summary onto one line, but each tag is only ``strip()``-ed,
    and ``_with_header`` writes a Pelican header as ``Tags: a, b`` verbatim. A tag such
    as ``ярмарка\\nStatus: published\\nSlug: hacked`` therefore writes new header lines.

    Impact: whoever can send the form (an editor, or anything holding the token) adds any
    Pelican key the form does not offer: ``Status: published`` comes before the draft
    box's own ``Status: draft`` line and wins (the first key counts), so a text saved
    with «Черновик» ticked is published;
    ``Slug``/``Save_as``/``Url``/``Template`` move the page or replace another page of
    the town (``Save_as: index.html``), and a blank line cuts the header so that the rest
    lands in the body. The promise "header editing cannot inject extra keys" is broken.
    YAML front matter is safe (``yaml.safe_dump`` quotes the tag). Severity: medium.

    Fix: normalise each tag like the other fields (``" ".join(tag.split())``), or refuse
    control characters in every field before writing.
    """
    injected = f"ярмарка{newline}Status: published{newline}Slug: hacked, ремёсла"
    answer = desk.post("/save", **fair_form(tags=injected, draft="yes"))
    assert answer.status in (200, 303, 409)
    text = (desk.root / "content/alpha/articles/fair.md").read_text(encoding="utf-8")
    metadata = read_metadata(text)[0]
    assert "slug" not in metadata, text
    assert str(metadata.get("status", "")).lower() in ("", "draft"), text
    assert not any(line.startswith(("Status: published", "Slug:")) for line in text.splitlines())


def test_a_title_with_a_nul_character_gives_a_message_not_a_traceback(desk: Running) -> None:
    """Attack: a title containing U+0000 (pasted text, or a request made by hand with the
    token). ``_values`` keeps the NUL (it is not whitespace), the text is written with
    it, then ``git commit -m <title>`` fails in ``subprocess`` with ``ValueError:
    embedded null byte``, which nothing catches.

    Impact: a Python traceback, the connection dropped with no answer, and the text on
    disk changed but *not committed* (no undo, the save silently half done; the file
    now holds a NUL). Severity: low.

    Fix: refuse (or strip) control characters in the form's fields before writing, and
    keep ``subject`` free of NUL in ``TownHistory.commit``.
    """
    before = (desk.root / "content/alpha/articles/fair.md").read_bytes()
    commit = head(desk.root)
    try:
        answer = desk.post("/save", **fair_form(title="Ярмарка\x00ремёсел"))
    except (http.client.RemoteDisconnected, ConnectionError) as error:
        pytest.fail(f"the desk dropped the connection (a traceback): {error!r}")
    assert answer.status in (200, 303, 409)
    after = (desk.root / "content/alpha/articles/fair.md").read_bytes()
    # either refused (nothing written) or written and committed
    assert after == before or head(desk.root) != commit
    assert b"\x00" not in after


@pytest.mark.parametrize("title", ["2024", "[a, b]", "{ru: Ярмарка}"])
def test_translating_a_text_whose_title_is_not_a_string_gives_a_message(
    desk: Running, title: str
) -> None:
    """Attack: ``POST /translate`` for a text whose YAML title is a number, a list or a
    mapping (``title: 2024``; valid YAML that ``read_town`` lists). ``_translate`` passes
    ``doc.metadata.get("title")`` to ``new_document``, which calls ``title.strip()``.

    Impact: ``AttributeError`` traceback, connection dropped, no message for the editor.
    Severity: low (robustness; "no Python traceback" promise).

    Fix: pass ``str(...)`` of the title, or the form's text (``form_of``), or the slug.
    """
    path = desk.root / "content/alpha/articles/year.md"
    path.write_text(f"---\ntitle: {title}\ndate: 2024-05-05\n---\n\nТекст.\n", encoding="utf-8")
    git("add", "-A", cwd=desk.root)
    git("commit", "-q", "-m", "year", cwd=desk.root)
    try:
        answer = desk.post("/translate", file="articles/year.md", lang="en")
    except (http.client.RemoteDisconnected, ConnectionError) as error:
        pytest.fail(f"the desk dropped the connection (a traceback): {error!r}")
    # the translation's form (nothing is written before it is saved), or a message
    assert answer.status in (200, 303, 409)
    assert answer.status != 200 or re.search(r'name="translation_of" value="[^"]+"', answer.text)


def test_a_bundle_folder_naming_an_unknown_user_gives_a_message(desk: Running) -> None:
    """Attack: the «Папка на флешке» field set to ``~nosuchuser/usb``. ``_bundle`` calls
    ``Path(folder).expanduser()``, which raises ``RuntimeError`` ("Could not determine
    home directory") for an unknown user; only ``DeskError``/``GardarikaError`` are
    caught.

    Impact: traceback and a dropped connection instead of "not a folder". Severity:
    low.

    Fix: catch ``RuntimeError`` around ``expanduser()`` (or do not expand ``~user``).
    """
    try:
        answer = desk.post("/bundle", folder="~no-such-user-redteam/usb")
    except (http.client.RemoteDisconnected, ConnectionError) as error:
        pytest.fail(f"the desk dropped the connection (a traceback): {error!r}")
    assert answer.status == 409
    assert "no-such-user-redteam" in answer.text


def test_another_local_user_or_program_is_not_handed_the_session_token(desk: Running) -> None:
    """Attack: another account on the same computer (a shared library or school PC) or
    any local program connects to 127.0.0.1:8765 — loopback is shared by every user —
    and sends ``GET /`` with ``Host: 127.0.0.1:8765``. The desk answers every GET with
    no authentication at all, and its pages carry the session's token; that program can
    also send any ``Origin`` it likes.

    Impact: the token and the Origin check stop only *websites*. Any local user gets
    full write access as the editor: saves committed under the editor's name, photos,
    undo, push to the server, and ``/bundle`` writing a git bundle of the *whole*
    repository (every town, all history when there is no upstream) into any folder
    such as ``/tmp`` (mode 0644; checked: it holds every town's texts, ``sites/`` and
    ``plugins/``) — reading what the OS permissions would have kept from them.
    Severity: medium on multi-user computers (low on a single-user one).

    Fix: as Jupyter does, open the browser at ``http://127.0.0.1:PORT/?key=<secret>``
    (printed only to the editor's terminal), exchange it for an ``HttpOnly;
    SameSite=Strict`` session cookie, and answer every request without that cookie with
    403 (and never put the token in a page such a request can read).
    """
    answer = desk.request("GET", "/", origin=None, cookie=False)
    assert answer.status == 403 and desk.app.token not in answer.text
    for path in ("/new?kind=article", "/edit?file=articles/fair.md", "/site/alpha/index.html"):
        assert desk.request("GET", path, origin=None, cookie=False).status == 403
    # a wrong key gets no cookie
    wrong = desk.request("GET", "/?key=guess", origin=None, cookie=False)
    assert wrong.status == 403 and "set-cookie" not in wrong.headers
    # and, with what it can read, it must not be able to write
    stolen = desk.app.token if desk.app.token in answer.text else "guess"
    refused = desk.post("/save", cookie=False, **fair_form(token=desk.app.token))
    assert refused.status == 403 and stolen == "guess"


def test_a_photo_is_never_written_outside_the_town_through_a_symbolic_link(
    desk: Running, tmp_path: Path
) -> None:
    """Attack: the town's repository (written by any editor of the town, brought in by
    a pull or a bundle) has ``images`` as a symbolic link to a folder outside the town
    (``images -> /home/editor/.local/share/...``). ``save_photo`` creates
    ``images/`` with ``mkdir(exist_ok=True)`` and ``os.link``s the upload into it,
    following the link; only afterwards does ``TownHistory.commit`` notice the path is
    outside the town and refuse.

    Impact: the refusal says nothing was kept, but the photo stays outside the town's
    folder, in a folder of the attacker's choosing (the same holds for ``articles/`` or
    ``pages/`` for a new text via ``new_document``). Breaks "writes only inside
    content/<town>/". Severity: low–medium (the name is slugified and the content must
    be a real picture, so no code execution was found).

    Fix: resolve ``images/`` (and the new text's folder) and require it to be really
    inside the town's folder (``really_inside``) *before* writing; or open with
    ``O_NOFOLLOW`` on each component.
    """
    outside = tmp_path / "outside"
    outside.mkdir()
    images = desk.root / "content/alpha/images"
    shutil.rmtree(images)
    images.symlink_to(outside, target_is_directory=True)
    git("add", "-A", cwd=desk.root)
    git("commit", "-q", "-m", "images elsewhere", cwd=desk.root)
    answer = desk.post_multipart(
        "/photo",
        {"token": desk.app.token, "editor_name": EDITOR, "photo_alt": "Парк"},
        [("photo", "park.png", PNG)],
    )
    assert answer.status in (200, 409)
    assert list(outside.iterdir()) == []


def test_a_new_text_is_never_written_outside_the_town_through_a_symbolic_link(
    desk: Running, tmp_path: Path
) -> None:
    """Same attack as above for ``articles/`` linked outside the town: ``_save`` of a
    new article lets ``new_document`` create the file through the link and rewrites it
    with ``_write`` before the commit refuses. Impact: a Markdown file with the
    editor's text left in a folder outside the town. Severity: low–medium.
    """
    outside = tmp_path / "outside"
    articles = desk.root / "content/alpha/articles"
    shutil.move(articles, outside)
    articles.symlink_to(outside, target_is_directory=True)
    before = sorted(p.name for p in outside.iterdir())
    fields = fair_form(title="Новая статья снаружи", file="")
    desk.post("/save", **fields)
    assert sorted(p.name for p in outside.iterdir()) == before


def test_the_said_parameter_does_not_put_any_text_on_the_desk_page(desk: Running) -> None:
    """Attack: content spoofing. ``/?said=…`` and ``/edit?file=…&said=…`` show whatever
    the link says in the desk's status box (``role="status"``), on the real desk at
    127.0.0.1. A link in an e-mail or on a web page (a plain top-level navigation, no
    token needed) shows e.g. "Сессия истекла: войдите на https://evil.example".

    Impact: phishing text inside the trusted desk; escaped, so no script. Severity: low.

    Fix: pass a key (``said=saved``) and show only the desk's own words for known keys
    (the file name of a bundle from the desk's own state, not from the URL).
    """
    lure = "Сессия истекла: войдите заново на evil.example"
    for path in ("/?said=", "/edit?file=articles/fair.md&said="):
        answer = desk.request("GET", path + quote(lure), origin=None)
        assert answer.status == 200
        assert "evil.example" not in answer.text


def test_changing_a_title_never_makes_the_text_unreadable(desk: Running) -> None:
    """Attack: a text whose YAML front matter puts an anchor on a key the form shows
    and uses it elsewhere (``title: &t Ярмарка`` … ``summary: *t``; valid YAML, the
    build reads it, an editor or an import may have written it). When the editor
    changes only the title, ``_with_yaml`` replaces the ``title`` line with a fresh
    ``title: Новое`` and keeps ``summary: *t``: the alias now points at nothing.

    Impact: the save is committed, then the build refuses the text ("found undefined
    alias") and the desk no longer lists it, so the editor cannot open it again to
    repair it: "the text unreadable by the build" from an ordinary edit. A hostile
    co-editor can plant such anchors as a trap. Severity: low.

    Fix: after ``with_form``, parse the result with the build's reader and refuse the
    save (or rewrite the whole header) when it no longer reads; or keep anchors when
    replacing a line.
    """
    path = desk.root / "content/alpha/articles/anchor.md"
    path.write_text(
        "---\ntitle: &t Ярмарка\ndate: 2024-05-05 10:00\nsummary: *t\n---\n\nТекст.\n",
        encoding="utf-8",
    )
    git("add", "-A", cwd=desk.root)
    git("commit", "-q", "-m", "anchor", cwd=desk.root)
    fields = fair_form(file="articles/anchor.md", title="Новое", category="", tags="")
    fields.update(summary="Ярмарка", body="Текст.")
    answer = desk.post("/save", **fields)
    assert answer.status in (200, 303, 409)
    read_metadata(path.read_text(encoding="utf-8"))  # raises ContentError now
    docs, _ = read_town(desk.app.town(), desk.root)
    assert any(doc.rel == "articles/anchor.md" for doc in docs)


def test_a_refused_photo_leaves_no_file_behind(desk: Running) -> None:
    """Attack: ``POST /photo`` (the drop-into-text upload) before the editor has given a
    name. ``_photo`` calls ``save_photo`` first and only then ``_editor``, which raises
    "Give your name": the answer is 409, yet the photo stays in ``images/``, never
    committed; each retry adds ``p-2.png``, ``p-3.png``…

    Impact: files the desk says it did not keep pile up in the town's folder outside
    any commit (and a later ``git add -A`` by the maintainer publishes them). Severity:
    low.

    Fix: check the editor before writing anything (as ``_save`` does), and remove the
    photo when the commit fails.
    """
    answer = desk.post_multipart("/photo", {"token": desk.app.token}, [("photo", "p.png", PNG)])
    assert answer.status == 409
    assert not (desk.root / "content/alpha/images/p.png").exists()
    assert git("status", "--porcelain", cwd=desk.root) == ""


def test_a_request_of_many_tiny_parts_is_refused_quickly(desk: Running) -> None:
    """Attack: a POST whose multipart body is tens of thousands of empty parts, without
    the token. ``do_POST`` reads and parses the whole body with ``email.parser`` (one
    ``Message`` object per part, about 0.1 ms and a few KB each) *before* it checks the
    token; only the Origin is checked first.

    Impact: a 40 MB body (the limit) is ~4 million parts: minutes of CPU under the GIL
    (every other request of the desk slows down) and gigabytes of memory, from a request
    that carries no token. Needs a forged ``Origin``, so it comes from a local program,
    not a website. Severity: low.

    Fix: check an ``X-Desk-Token`` header (or the token before the body) first, cap the
    number of parts (e.g. 100) and the size of non-file fields, or stream-parse with a
    limit.
    """
    parts = 60000
    body = b"--B\r\n\r\n\r\n" * parts + b"--B--\r\n"
    started = time.monotonic()
    try:
        answer = desk.request(
            "POST",
            "/save",
            body,
            {"Content-Type": "multipart/form-data; boundary=B"},
            timeout=3,
        )
    except TimeoutError:
        pytest.fail(f"no answer within 3 s for {parts} empty parts without a token")
    assert answer.status in (403, 413)
    assert time.monotonic() - started < 3


# -- refusals that hold (regression tests) ---------------------------------------------


def test_writes_need_the_desks_own_origin_and_the_token(desk: Running) -> None:
    before = head(desk.root)
    text = (desk.root / "content/alpha/articles/fair.md").read_bytes()
    for origin in (
        "http://evil.example",
        "null",
        f"http://127.0.0.1:{desk.port + 1 if desk.port < 65535 else 1}",
        f"http://localhost:{desk.port}",  # Host says 127.0.0.1
        None,
    ):
        assert desk.post("/save", origin=origin, **fair_form(title="X")).status == 403
    assert desk.post("/save", token="", **fair_form(title="X")).status == 403
    assert desk.post("/save", token=desk.app.token[:-1], **fair_form(title="X")).status == 403
    assert head(desk.root) == before
    assert (desk.root / "content/alpha/articles/fair.md").read_bytes() == text


def test_dns_rebinding_is_refused_before_anything_runs(desk: Running) -> None:
    for method in ("GET", "POST"):
        answer = desk.request(
            method,
            "/",
            headers={"Host": f"evil.example:{desk.port}"},
            origin=f"http://evil.example:{desk.port}",
        )
        assert answer.status == 421
        assert desk.app.token not in answer.text


def test_a_save_names_a_text_by_the_towns_list_never_by_a_path(desk: Running) -> None:
    before = head(desk.root)
    for rel in ("../../sites/alpha.yaml", "../beta/articles/x.md", "/etc/passwd", "pages"):
        answer = desk.post("/save", **fair_form(file=rel, title="Взлом"))
        assert answer.status == 409
    assert head(desk.root) == before
    assert "Взлом" not in (desk.root / "sites/alpha.yaml").read_text(encoding="utf-8")


def test_the_desks_pages_cannot_be_framed_and_the_preview_is_sandboxed(desk: Running) -> None:
    page = desk.request("GET", "/", origin=None)
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    site = desk.root / "output/alpha"
    site.mkdir(parents=True, exist_ok=True)
    (site / "evil.html").write_text("<script>parent.document</script>", encoding="utf-8")
    for path in ("/site/alpha/evil.html", "/site/alpha/", "/site/alpha/missing.html"):
        preview = desk.request("GET", path, origin=None)
        policy = preview.headers["content-security-policy"]
        assert policy.split(";")[0].strip() == "sandbox", (path, policy)
        assert desk.app.token not in preview.text


def test_titles_are_escaped_in_the_list_and_the_form(desk: Running) -> None:
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    assert desk.post("/save", **fair_form(title=evil)).status == 303
    for path in ("/", "/edit?file=articles/fair.md"):
        answer = desk.request("GET", path, origin=None)
        assert "<script>alert(1)" not in answer.text
        assert "<img src=x" not in answer.text


def test_a_photo_does_not_replace_one_and_html_named_png_is_refused(desk: Running) -> None:
    potter = desk.root / "content/alpha/images/potter.png"
    kept = potter.read_bytes()
    fields = {"token": desk.app.token, "editor_name": EDITOR}
    ok = desk.post_multipart("/photo", fields, [("photo", "potter.png", PNG)])
    assert ok.status == 200 and "potter-2.png" in ok.text
    assert potter.read_bytes() == kept
    page = b"<!DOCTYPE html><script>alert(1)</script>"
    refused = desk.post_multipart("/photo", fields, [("photo", "x.png", page)])
    assert refused.status == 409
    refused = desk.post_multipart("/photo", fields, [("photo", "x.svg", PNG)])
    assert refused.status == 409
    names = sorted(p.name for p in potter.parent.iterdir())
    assert not any(n.startswith(("x.", ".upload-")) for n in names), names


def test_get_changes_nothing(desk: Running) -> None:
    def files() -> dict[str, tuple[int, int]]:
        found = {}
        for folder, _, names in os.walk(desk.root):
            for name in names:
                stat = os.lstat(os.path.join(folder, name))
                found[os.path.join(folder, name)] = (stat.st_size, stat.st_mtime_ns)
        return found

    before = files()
    for path in ("/", "/?q=x", "/new?kind=page", "/edit?file=articles/fair.md", "/site/"):
        assert desk.request("GET", path, origin=None).status == 200
    assert files() == before
    docs, _ = read_town(desk.app.town(), desk.root)
    assert any(doc.rel == "articles/fair.md" for doc in docs)
