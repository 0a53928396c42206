"""``invoke desk --site TOWN``: the editor's desk, a small web app on 127.0.0.1.

Pages are made on the server (Jinja, autoescaped) and work without JavaScript; a small
script adds the toolbar and dropping a photo into the text. Nothing is loaded from the
internet.

**Who may write.** The desk listens on 127.0.0.1 only and answers only requests whose
``Host`` names this computer (:class:`~gardarika.preview.serve.HostCheckedHandler`): a web
page that has its name lead to 127.0.0.1 (DNS rebinding) is refused before anything
runs. Every request that changes something is a POST carrying the session's secret
token (made at start, in the desk's own pages only) *and* an ``Origin`` that is the
desk's own address; another website can neither read the token nor send that
``Origin``. The desk's pages may not be framed, and the built site it previews is
served sandboxed (``Content-Security-Policy: sandbox``), so a script in a text can
neither run in the desk's origin nor read its token.

**Where it writes.** Only into the town's folder: a text the town already has (by its
place in the town's list of texts, never by a path the request names) or a new one
(:func:`gardarika.content.new.new_document` finds its free address), and photos into
``images/`` under a portable name, after the checks the build applies to published
files. Each save is a commit (:mod:`gardarika.desk.history`), then the town is built
for the preview and the editors' checks run; their messages appear next to the field or
the line of the text they concern.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import functools
import hmac
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

import jinja2

from gardarika.checks.files import is_picture, publish_refusal
from gardarika.config.network import Network, Town, load_network
from gardarika.content.documents import Document, read_town
from gardarika.content.new import new_document
from gardarika.content.slugs import slugify
from gardarika.desk.history import DeskError, Editor, TownHistory, town_history
from gardarika.desk.preview import (
    build_preview,
    inside_town,
    new_in_copy,
    preview_path,
    text_state,
)
from gardarika.desk.texts import Form, form_of, with_form
from gardarika.desk.words import LANGUAGES, word
from gardarika.errors import GardarikaError, Message, Problem
from gardarika.preview.live import build_once
from gardarika.preview.serve import LOOPBACK_NAMES, PreviewServer, QuietHandler, host_name

HERE = Path(__file__).parent
#: bytes a request may send (a text and a few photos)
MAX_REQUEST = 40 * 1024 * 1024
#: bytes of one photo
MAX_PHOTO = 20 * 1024 * 1024
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", re.ASCII)
#: characters no field may hold (the text itself may hold tabs and line ends)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: parts a form may send (its fields and a few photos)
MAX_PARTS = 64
#: the desk's own files, served from memory by name
STATIC = {
    "desk.css": "text/css; charset=utf-8",
    "desk.js": "text/javascript; charset=utf-8",
}
#: the fields of the form, as the form names them
FIELDS = ("title", "date", "category", "tags", "summary", "body")
_SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; frame-src 'self'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'; object-src 'none'",
    ),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" even
    # for the desk's own forms, which the Origin check must then refuse
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)


@dataclass
class Desk:
    """What the desk keeps while it runs."""

    root: Path
    town_id: str
    #: the session's secret: every state-changing request carries it
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    #: the key of the address the desk opens (``/?key=…``), exchanged for a cookie:
    #: without it no page is answered, so another user of this computer, or any of its
    #: programs, reaches neither the texts nor the token
    key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    #: what the desk said after an action, by a random id in the address it redirects
    #: to (an address cannot make the desk say anything else)
    notices: dict[str, str] = field(default_factory=dict)
    #: one save (commit, build) at a time
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: the editors' checks' last findings, by the text's path in the town
    problems: dict[str, list[Problem]] = field(default_factory=dict)
    #: builds the town for the preview (a new process); the lines of its problems
    build: Callable[[Path, str], list[str]] = build_once
    #: what the last build for the preview said when it failed
    build_problems: list[str] = field(default_factory=list)
    #: the output of the last unsaved preview (a copy of the project's, see
    #: :mod:`gardarika.desk.preview`)
    preview_output: Path | None = None

    def network(self) -> Network:
        return load_network(self.root)

    def town(self, network: Network | None = None) -> Town:
        network = network or self.network()
        if self.town_id not in network.towns:
            raise DeskError(
                Message(
                    f"The town {self.town_id} cannot be read now: run “invoke check” to see why.",
                    f"Город {self.town_id} сейчас не читается: «invoke check» покажет почему.",
                )
            )
        return network.towns[self.town_id]

    def history(self, town: Town | None = None) -> TownHistory:
        """The git of the town's folder (``town``: its settings, when already read)."""
        return town_history((town or self.town()).content, self.town_id)

    def start_url(self, base: str) -> str:
        """The address that opens the desk (``base`` is the server's own)."""
        return f"{base}?key={self.key}"

    def cookie_name(self, port: int) -> str:
        # a cookie belongs to a host, not to a port: two desks side by side must not
        # replace each other's
        return f"gardarika_desk_{port}"

    def notice(self, text: str) -> str:
        """Keep ``text`` for the next page; the id to put in its address."""
        ident = secrets.token_urlsafe(8)
        self.notices[ident] = text
        while len(self.notices) > 20:
            del self.notices[next(iter(self.notices))]
        return ident


# -- the texts of the town ----------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One text in the desk's list."""

    rel: str
    kind: str
    title: str
    date: str
    lang: str
    state: str
    slug: str
    translations: tuple[tuple[str, str], ...] = ()  # (language, rel)


def _date(doc: Document) -> str:
    value = doc.metadata.get("date")
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M" if hasattr(value, "hour") else "%Y-%m-%d")
    return str(value or "").strip()


def entries(docs: list[Document], query: str = "") -> list[Entry]:
    """The texts, newest first (pages after articles), each with its translations."""
    groups: dict[tuple[str, str], list[Document]] = {}
    for doc in docs:
        groups.setdefault((doc.kind, doc.slug), []).append(doc)
    made = []
    wanted = query.casefold().split()
    for doc in docs:
        title = str(doc.metadata.get("title") or "").strip() or doc.rel
        if wanted and not all(w in title.casefold() for w in wanted):
            continue
        others = tuple((o.lang, o.rel) for o in groups[(doc.kind, doc.slug)] if o is not doc)
        made.append(
            Entry(doc.rel, doc.kind, title, _date(doc), doc.lang, text_state(doc), doc.slug, others)
        )
    articles = sorted((e for e in made if e.kind == "article"), key=lambda e: e.date, reverse=True)
    pages = sorted((e for e in made if e.kind != "article"), key=lambda e: e.title.casefold())
    return articles + pages


def _text_of(town: Town, root: Path, rel: str) -> Document | None:
    """The town's text at ``rel`` — looked up in the town's own list of texts, so that
    no path a request names is ever opened."""
    docs, _ = read_town(town, root)
    for doc in docs:
        if doc.rel == rel:
            return doc
    return None


# -- photos ---------------------------------------------------------------------------


def save_photo(town: Town, filename: str, data: bytes) -> str:
    """Keep an uploaded photo in the town's ``images/`` under a portable name (a new
    one when the name is taken); its path in the town (``images/park.jpg``)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in PHOTO_SUFFIXES:
        raise DeskError(
            Message(
                "Only photos and pictures can be added here: JPEG, PNG, GIF or WebP.",
                "Сюда можно добавить только фото и картинки: JPEG, PNG, GIF или WebP.",
            )
        )
    if len(data) > MAX_PHOTO:
        raise DeskError(
            Message(
                f"The photo is larger than {MAX_PHOTO // 1024 // 1024} MB; make it smaller "
                "in a photo editor first.",
                f"Фото больше {MAX_PHOTO // 1024 // 1024} МБ; сначала уменьшите его в "
                "фоторедакторе.",
            )
        )
    stem = slugify(Path(filename).stem)[:40].strip("-") or "photo"
    folder = town.content / "images"
    inside_town(town.content, folder / "x")
    folder.mkdir(parents=True, exist_ok=True)
    inside_town(town.content, folder / "x")
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".upload-", delete=False) as out:
        out.write(data)
    upload = Path(out.name)
    try:
        refusal = publish_refusal(f"images/{stem}{suffix}", upload)
        if refusal is not None or not is_picture(upload):
            raise DeskError(
                refusal.message
                if refusal is not None
                else Message(
                    "This file is not a photo that can be read. Save it again as JPEG or PNG.",
                    "Этот файл не читается как фото. Сохраните его заново как JPEG или PNG.",
                )
            )
        for number in range(1, 1000):
            name = f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}"
            try:
                os.link(upload, folder / name)  # never replaces a photo
            except FileExistsError:
                continue
            return f"images/{name}"
    finally:
        upload.unlink(missing_ok=True)
    raise DeskError(Message("Too many photos of this name.", "Слишком много фото с этим именем."))


def photo_markdown(rel: str, alt: str) -> str:
    alt = " ".join(alt.replace("[", "").replace("]", "").split()) or "Фото"
    return f"![{alt}]({{static}}/{rel})"


# -- reading requests ---------------------------------------------------------------


@dataclass
class Posted:
    fields: dict[str, str]
    files: list[tuple[str, bytes]]  # (file name, data) of "photo" fields


def parse_post(content_type: str, body: bytes) -> Posted:
    """A form's fields (form-encoded or multipart) and its photo files."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        return Posted({k: v[0] for k, v in values.items()}, [])
    if not content_type.startswith("multipart/form-data"):
        return Posted({}, [])
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, str] = {}
    files: list[tuple[str, bytes]] = []
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            if data:
                files.append((filename, data))
        else:
            fields.setdefault(name, data.decode("utf-8", "replace"))
    return Posted(fields, files)


# -- the handler --------------------------------------------------------------------


class DeskHandler(QuietHandler):
    """The desk's pages, its actions, its files and the preview of the built site."""

    server_version = "GardarikaDesk"
    #: seconds a connection may stay silent (a stalled client holds no thread for long)
    timeout = 60

    def __init__(self, *args: Any, desk: Desk, templates: jinja2.Environment, **kwargs: Any):
        self.desk = desk
        self.templates = templates
        super().__init__(*args, **kwargs)

    # -- answering ------------------------------------------------------------------

    def end_headers(self) -> None:
        if not getattr(self, "_previewing", False):
            for name, value in _SECURITY_HEADERS:
                self.send_header(name, value)
        super().end_headers()

    def _send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, where: str) -> None:
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _ui(self) -> str:
        cookie = self.headers.get("Cookie", "")
        found = re.search(r"(?:^|;\s*)desk_lang=(ru|en)\b", cookie)
        return found.group(1) if found else "ru"

    def _page(self, template: str, status: HTTPStatus = HTTPStatus.OK, **context: Any) -> None:
        ui = self._ui()
        town = context.pop("town", None)
        names = town.name if town is not None else {}
        body = self.templates.get_template(template).render(
            ui=ui,
            t=lambda key, **values: word(key, ui, **values),
            token=self.desk.token,
            town=town,
            town_name=names.get(ui) or next(iter(names.values()), self.desk.town_id),
            **context,
        )
        self._send(body.encode("utf-8"), "text/html; charset=utf-8", status)

    def _refuse_plain(self, status: HTTPStatus, en: str, ru: str) -> None:
        body = f"{ru}\n{en}\n".encode()
        self._send(body, "text/plain; charset=utf-8", status)

    # -- GET --------------------------------------------------------------------------

    def _session(self) -> bool:
        """The request carries the desk's session cookie."""
        name = self.desk.cookie_name(self.server.server_address[1])
        for header in self.headers.get_all("Cookie") or []:
            for pair in header.split(";"):
                key, _, value = pair.strip().partition("=")
                if key == name and hmac.compare_digest(value.encode(), self.desk.key.encode()):
                    return True
        return False

    def _refuse_stranger(self) -> None:
        self._refuse_plain(
            HTTPStatus.FORBIDDEN,
            "Open the desk at the address it printed when it started (it holds a key); "
            "this one is not enough.",
            "Откройте редактор по адресу, который он напечатал при запуске (в нём есть "
            "ключ); этого адреса недостаточно.",
        )

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        given = query.get("key", "")
        if given and url.path == "/":
            if not hmac.compare_digest(given.encode(), self.desk.key.encode()):
                self._refuse_stranger()
                return
            # a page, not a redirect: the browser came from elsewhere (the opener file,
            # a click in a terminal), and a strict cookie goes only with a request this
            # site itself starts
            body = (
                '<!DOCTYPE html><html lang="ru"><meta charset="utf-8">'
                '<link rel="icon" href="data:,"><meta http-equiv="refresh" content="0;url=/">'
                "<title>Редактор</title>"
                '<p><a href="/">Редактор · Editor\'s desk</a></p></html>'
            ).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header(
                "Set-Cookie",
                f"{self.desk.cookie_name(self.server.server_address[1])}={self.desk.key}; "
                "Path=/; SameSite=Strict; HttpOnly",
            )
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if not self._session():
            self._refuse_stranger()
            return
        if url.path.startswith("/site/"):
            self._preview_file("/site")
            return
        if url.path.startswith("/draft-site/"):
            if self.desk.preview_output is None:
                self._refuse_plain(HTTPStatus.NOT_FOUND, "Not found.", "Не найдено.")
                return
            self.directory = str(self.desk.preview_output)
            self._preview_file("/draft-site")
            return
        if url.path.startswith("/static/"):
            self._static(url.path[len("/static/") :])
            return
        if "ui" in query and query["ui"] in LANGUAGES:
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header(
                "Set-Cookie", f"desk_lang={query['ui']}; Path=/; SameSite=Strict; HttpOnly"
            )
            self.send_header("Location", url.path if url.path in ("/new", "/edit") else "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            if url.path == "/":
                self._list(query.get("q", ""), self.desk.notices.get(query.get("said", ""), ""))
            elif url.path == "/new":
                self._form_new(query.get("kind", "article"), query.get("lang", ""))
            elif url.path == "/edit":
                self._form_edit(
                    query.get("file", ""), self.desk.notices.get(query.get("said", ""), "")
                )
            else:
                self._refuse_plain(HTTPStatus.NOT_FOUND, "Not found.", "Не найдено.")
        except DeskError as error:
            self._page("message.html", HTTPStatus.CONFLICT, message=error.message)
        except (OSError, GardarikaError) as error:
            self._page("message.html", HTTPStatus.CONFLICT, message=_said_of(error))

    do_HEAD = do_GET

    def _static(self, name: str) -> None:
        if name not in STATIC:
            self._refuse_plain(HTTPStatus.NOT_FOUND, "Not found.", "Не найдено.")
            return
        self._send((HERE / "static" / name).read_bytes(), STATIC[name])

    def _preview_file(self, prefix: str) -> None:
        """A file of ``output/``, sandboxed: its scripts (if the town allows any) run
        in no origin at all, never in the desk's."""
        self._previewing = True
        self.path = self.path[len(prefix) :]
        if "//" in self.path or "\\" in self.path:  # no address another site could take
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return
        super().do_GET()

    def send_head(self):  # type: ignore[no-untyped-def]
        if getattr(self, "_previewing", False):
            return super().send_head()
        return None

    def send_response(self, code: int, message: str | None = None) -> None:
        super().send_response(code, message)
        if getattr(self, "_previewing", False):
            self.send_header("Content-Security-Policy", "sandbox; frame-ancestors 'self'")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Cache-Control", "no-store")

    def _list(self, query: str, said: str) -> None:
        network = self.desk.network()
        town = self.desk.town(network)
        docs, problems = read_town(town, network.root)
        history = self.desk.history(town)
        self._page(
            "list.html",
            town=town,
            entries=entries(docs, query),
            query=query,
            unreadable=problems,
            said=said,
            can_undo=history.can_undo(),
            upstream=history.upstream(),
            unsent=history.unsent(),
        )

    def _form_new(self, kind: str, lang: str) -> None:
        town = self.desk.town()
        lang = lang if lang in town.languages else town.default_language
        now = dt.datetime.now(ZoneInfo(town.timezone))
        form = Form(date="" if kind == "page" else f"{now:%Y-%m-%d %H:%M}")
        self._form_page(town, None, form, "page" if kind == "page" else "article", lang)

    def _form_edit(self, rel: str, said: str) -> None:
        network = self.desk.network()
        town = self.desk.town(network)
        doc = _text_of(town, network.root, rel)
        if doc is None:
            self._refuse_plain(
                HTTPStatus.NOT_FOUND, "The town has no such text.", "Такого материала у города нет."
            )
            return
        form = form_of(doc.path.read_text(encoding="utf-8-sig"))
        self._form_page(town, doc, form, doc.kind, doc.lang, said=said)

    def _form_page(
        self,
        town: Town,
        doc: Document | None,
        form: Form,
        kind: str,
        lang: str,
        errors: dict[str, str] | None = None,
        said: str = "",
        status: HTTPStatus = HTTPStatus.OK,
        given: Editor | None = None,
        preview: str | None = None,
        build_problems: list[str] | None = None,
        checked: bool = True,
        unsaved: bool = False,
        translation_of: str = "",
    ) -> None:
        """The form; ``preview`` and ``build_problems`` those of an unsaved preview
        (else the last save's), ``checked``: the checks' findings of the last save
        still describe the text shown."""
        problems = self.desk.problems.get(doc.rel, []) if doc and checked else []
        by_field: dict[str, list[Problem]] = {}
        in_text: list[tuple[int | None, Problem]] = []
        # a problem names its key, or its line: a header line is the key written on it
        keys_at = {line: key for key, line in doc.lines.items()} if doc else {}
        for problem in problems:
            key = problem.key or keys_at.get(problem.line or 0)
            if key == "tag":
                key = "tags"
            if key in FIELDS and key != "body":
                by_field.setdefault(key, []).append(problem)
            elif problem.line is not None and doc is not None and problem.line >= doc.body_line:
                in_text.append((problem.line - doc.body_line + 1, problem))
            else:
                in_text.append((None, problem))
        if preview is None and doc is not None and build_problems is None:
            path = preview_path(town, doc)
            if (self.desk.root / "output" / path).is_file():
                preview = "/site/" + quote(path)
        history = self.desk.history(town)
        self._page(
            "edit.html",
            status=status,
            town=town,
            doc=doc,
            form=form,
            kind=kind,
            lang=lang,
            errors=errors or {},
            by_field=by_field,
            in_text=in_text,
            said=said,
            preview=preview,
            editor=history.editor(),
            given=given or Editor(""),
            unsaved=unsaved,
            translation_of=translation_of,
            build_problems=_in_language(
                self.desk.build_problems if build_problems is None else build_problems,
                self._ui(),
            ),
            other_languages=[code for code in town.languages if code != lang],
        )

    # -- POST -------------------------------------------------------------------------

    def _origin_refusal(self) -> str | None:
        """Why this request may not change anything: not from the desk's own page."""
        origin = self.headers.get_all("Origin") or []
        hosts = self.headers.get_all("Host") or []
        if len(origin) != 1 or len(hosts) != 1:
            return "no Origin"
        parts = urlsplit(origin[0])
        name = host_name(hosts[0])
        port = self.server.server_address[1]
        if (
            parts.scheme != "http"
            or name not in LOOPBACK_NAMES
            or parts.netloc.lower() != hosts[0].strip().lower()
            or parts.port != port
            or parts.path not in ("", "/")
        ):
            return "another origin"
        return None

    def do_POST(self) -> None:
        if not self._session():
            self.close_connection = True
            self._refuse_stranger()
            return
        if self.path.startswith(("/site/", "/draft-site/")):
            self._refuse_plain(HTTPStatus.METHOD_NOT_ALLOWED, "Read only.", "Только чтение.")
            return
        refusal = self._origin_refusal()
        if refusal is not None:
            self._refuse_plain(
                HTTPStatus.FORBIDDEN,
                "Refused: this request does not come from the desk's own page. Nothing "
                "was changed.",
                "Отказано: запрос пришёл не со страницы редактора. Ничего не изменено.",
            )
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_REQUEST:
            self.close_connection = True
            self._refuse_plain(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"Too much at once: send at most {MAX_REQUEST // 1024 // 1024} MB.",
                f"Слишком много за раз: не больше {MAX_REQUEST // 1024 // 1024} МБ.",
            )
            return
        body = self.rfile.read(length)
        content_type = self.headers.get("Content-Type", "")
        boundary = re.search(r"boundary=\"?([^\";]{1,70})", content_type)
        if boundary and body.count(b"--" + boundary.group(1).encode("latin-1")) > MAX_PARTS + 1:
            self._refuse_plain(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"Too many parts: a form sends at most {MAX_PARTS}.",
                f"Слишком много частей: форма отправляет не больше {MAX_PARTS}.",
            )
            return
        posted = parse_post(content_type, body)
        token = posted.fields.get("token") or self.headers.get("X-Desk-Token", "")
        if not hmac.compare_digest(token.encode(), self.desk.token.encode()):
            self._refuse_plain(
                HTTPStatus.FORBIDDEN,
                "Refused: the page is out of date (the desk was restarted). Open the "
                "desk's address again; nothing was changed.",
                "Отказано: страница устарела (редактор перезапущен). Откройте адрес "
                "редактора заново; ничего не изменено.",
            )
            return
        actions = {
            "/save": self._save,
            "/preview": self._preview,
            "/photo": self._photo,
            "/undo": self._undo,
            "/push": self._push,
            "/bundle": self._bundle,
            "/translate": self._translate,
        }
        action = actions.get(urlsplit(self.path).path)
        if action is None:
            self._refuse_plain(HTTPStatus.NOT_FOUND, "Not found.", "Не найдено.")
            return
        with self.desk.lock:
            try:
                action(posted)
            except DeskError as error:
                self._page("message.html", HTTPStatus.CONFLICT, message=error.message)
            except (OSError, GardarikaError) as error:
                self._page("message.html", HTTPStatus.CONFLICT, message=_said_of(error))

    def _said(self, key: str, **values: object) -> str:
        """The id under which the desk's words ``key`` wait for the next page."""
        return self.desk.notice(word(key, self._ui(), **values))

    def _editor(self, history: TownHistory, posted: Posted, remember: bool = True) -> Editor:
        """Who saves: the name given in the form (remembered, unless ``remember`` is
        false) or the one given before."""
        editor = history.editor()
        given = posted.fields.get("editor_name", "").strip()
        if given:
            editor = Editor(given, posted.fields.get("editor_email", "").strip())
            problem = editor.problem()
            if problem:
                raise DeskError(problem)
            if remember:
                history.remember_editor(editor)
        if editor is None:
            raise DeskError(
                Message(
                    "Give your name in the form: it is written with every save.",
                    "Укажите своё имя в форме: оно записывается при каждом сохранении.",
                )
            )
        return editor

    def _read_form(self, posted: Posted) -> _Sent:
        """The form as sent, with the text it edits and what is wrong in its fields."""
        network = self.desk.network()
        town = self.desk.town(network)
        values = posted.fields
        kind = "page" if values.get("kind") == "page" else "article"
        lang = values.get("lang", "")
        lang = lang if lang in town.languages else town.default_language
        form = Form(
            title=values.get("title", ""),
            date=values.get("date", ""),
            category=values.get("category", ""),
            tags=values.get("tags", ""),
            summary=values.get("summary", ""),
            draft=values.get("draft") == "yes",
            body=values.get("body", ""),
        )
        rel = values.get("file", "")
        doc = _text_of(town, network.root, rel) if rel else None
        if rel and doc is None:
            raise DeskError(
                Message(
                    "This text is no longer in the town (moved or removed); copy your "
                    "text before leaving the page.",
                    "Этого материала у города больше нет (перемещён или удалён); "
                    "скопируйте свой текст, прежде чем уйти со страницы.",
                )
            )
        ui = self._ui()
        errors: dict[str, str] = {}
        for name in (*FIELDS, "editor_name", "editor_email"):
            if _CONTROL.search(values.get(name, "")):
                errors[name] = word("control", ui)
        if not form.title.strip() and "title" not in errors:
            errors["title"] = word("title_missing", ui)
        if form.date.strip() and not _DATE.fullmatch(form.date.strip()):
            errors["date"] = word("date_wrong", ui)
        given = Editor(values.get("editor_name", ""), values.get("editor_email", ""))
        translation_of = values.get("translation_of", "") if doc is None else ""
        return _Sent(network, town, form, kind, lang, doc, errors, given, translation_of)

    def _preview(self, posted: Posted) -> None:
        """«Просмотр»: the form's text built in a copy of the project, nothing saved."""
        sent = self._read_form(posted)
        town, form, doc = sent.town, sent.form, sent.doc
        if sent.errors:
            self._form_page(
                town, doc, form, sent.kind, sent.lang, errors=sent.errors, given=sent.given
            )
            return
        previewed = build_preview(
            self.desk.root,
            town.id,
            doc.rel if doc is not None else None,
            lambda old: with_form(old, form),
            new_in_copy(form.title, sent.lang, sent.kind == "page", town.id, sent.translation_of),
            self.desk.build,
        )
        self.desk.preview_output = previewed.output
        self._form_page(
            town,
            doc,
            form,
            sent.kind,
            sent.lang,
            given=sent.given,
            said=word("previewed", self._ui()),
            preview=f"/draft-site/{quote(previewed.page)}" if previewed.page else None,
            build_problems=previewed.problems,
            checked=False,
            unsaved=True,
            translation_of=sent.translation_of,
        )

    def _save(self, posted: Posted) -> None:
        sent = self._read_form(posted)
        network, town, form, kind, lang, doc = (
            sent.network,
            sent.town,
            sent.form,
            sent.kind,
            sent.lang,
            sent.doc,
        )
        values = posted.fields
        ui = self._ui()
        errors = sent.errors
        history = self.desk.history(town)
        try:
            editor = self._editor(history, posted, remember=False)  # once the save is made
        except DeskError as error:
            errors["editor_name"] = error.message.ru if ui == "ru" else error.message.en
            editor = None
        if errors or editor is None:
            self._form_page(
                town,
                doc,
                form,
                kind,
                lang,
                errors=errors,
                given=sent.given,
                translation_of=sent.translation_of,
            )
            return
        made: list[Path] = []  # removed again if the save stops before its commit
        try:
            photos = []
            for name, data in posted.files:
                photos.append(save_photo(town, name, data))
                made.append(town.content / photos[-1])
            if photos:
                alt = values.get("photo_alt", "") or form.title
                form.body = (
                    form.body.rstrip("\n")
                    + "\n\n"
                    + "\n\n".join(photo_markdown(p, alt) for p in photos)
                )
            if doc is None:
                folder = town.content / ("pages" if kind == "page" else "articles")
                inside_town(town.content, folder / "x")
                path = new_document(
                    network,
                    town.id,
                    form.title,
                    lang=lang,
                    page=kind == "page",
                    translation_of=sent.translation_of or None,
                )
                made.append(path)
                old = path.read_text(encoding="utf-8")
            else:
                path = doc.path
                old = path.read_text(encoding="utf-8-sig")
            text = with_form(old, form)
            inside_town(town.content, path)
            _write(path, text)
        except (DeskError, GardarikaError, OSError):
            for leftover in made:
                leftover.unlink(missing_ok=True)
            raise
        rel = path.relative_to(town.content).as_posix()
        commit = history.commit(
            [path, *(town.content / p for p in photos)], form.title.strip(), editor
        )
        if history.editor() != editor:
            history.remember_editor(editor)
        self._check_and_build(town, rel)
        said = "saved" if commit or doc is None else "unchanged"
        self._redirect(f"/edit?file={quote(rel)}&said={self._said(said)}")

    def _check_and_build(self, town: Town, rel: str) -> None:
        from gardarika.checks.lint import lint_town

        self.desk.build_problems = self.desk.build(self.desk.root, town.id)
        network = self.desk.network()
        town = self.desk.town(network)
        found = lint_town(town, network.root)
        shown = f"{Path(town.content).relative_to(network.root).as_posix()}/{rel}"
        self.desk.problems[rel] = [p for p in found if p.file == shown]

    def _photo(self, posted: Posted) -> None:
        """A photo dropped into the text (by the page's script): saved, and its Markdown
        returned for the script to insert."""
        town = self.desk.town()
        if not posted.files:
            raise DeskError(Message("No photo was sent.", "Фото не отправлено."))
        history = self.desk.history()
        editor = self._editor(history, posted)  # before anything is written
        name, data = posted.files[0]
        rel = save_photo(town, name, data)
        history.commit([town.content / rel], f"Фото {Path(rel).name}", editor)
        markdown = photo_markdown(rel, posted.fields.get("photo_alt", ""))
        self._send(markdown.encode("utf-8"), "text/plain; charset=utf-8")

    def _undo(self, posted: Posted) -> None:
        history = self.desk.history()
        editor = self._editor(history, posted)
        history.undo(editor)
        self.desk.build_problems = self.desk.build(self.desk.root, self.desk.town_id)
        self._redirect(f"/?said={self._said('undone')}")

    def _push(self, posted: Posted) -> None:
        said = self.desk.history().push()
        self._redirect(f"/?said={self.desk.notice(said.ru if self._ui() == 'ru' else said.en)}")

    def _bundle(self, posted: Posted) -> None:
        folder = posted.fields.get("folder", "").strip()
        if not folder:
            raise DeskError(Message("Choose the USB stick's folder.", "Укажите папку на флешке."))
        try:
            where = Path(folder).expanduser()
        except RuntimeError:  # ~name of no user of this computer
            where = Path(folder)
        written = self.desk.history().write_bundle(where)
        self._redirect(f"/?said={self._said('bundle_written', file=str(written))}")

    def _translate(self, posted: Posted) -> None:
        network = self.desk.network()
        town = self.desk.town(network)
        doc = _text_of(town, network.root, posted.fields.get("file", ""))
        lang = posted.fields.get("lang", "")
        if doc is None or lang not in town.languages or lang == doc.lang:
            raise DeskError(Message("Nothing to translate.", "Переводить нечего."))
        docs, _ = read_town(town, network.root)
        for other in docs:
            if other.kind == doc.kind and other.slug == doc.slug and other.lang == lang:
                self._redirect(f"/edit?file={quote(other.rel)}")
                return
        # nothing is written until the translation is saved: the form starts with the
        # original's title and text, to be translated in place
        original = form_of(doc.path.read_text(encoding="utf-8-sig"))
        form = Form(
            title=original.title or doc.slug,
            date=original.date,
            category=original.category,
            tags=original.tags,
            summary=original.summary,
            draft=original.draft,
            body=original.body,
        )
        self._form_page(town, None, form, doc.kind, lang, translation_of=doc.slug)


def _in_language(lines: list[str], ui: str) -> list[str]:
    """The build's message lines in the desk's language (it says each in both)."""
    marker = ": ошибка: " if ui == "ru" else ": error: "
    other = ": error: " if ui == "ru" else ": ошибка: "
    if any(marker in line for line in lines):
        return [line for line in lines if other not in line]
    return lines


def _said_of(error: OSError | GardarikaError) -> Message:
    """What to tell the editor of an error that stopped an action (the file system's,
    or one of Gardarika's own refusals)."""
    if isinstance(error, GardarikaError) and error.problems:
        return error.problems[0].message
    said = str(error.strerror if isinstance(error, OSError) and error.strerror else error)
    return Message(
        f"This could not be done ({said}). Nothing was lost: try again, or ask the maintainer.",
        f"Не получилось ({said}). Ничего не потеряно: попробуйте ещё раз или обратитесь "
        "к администратору сети.",
    )


@dataclass
class _Sent:
    """A form as it was sent."""

    network: Network
    town: Town
    form: Form
    kind: str
    lang: str
    doc: Document | None
    errors: dict[str, str]
    given: Editor
    #: the address of the text a new one translates
    translation_of: str = ""


def _write(path: Path, text: str) -> None:
    """Write a text whole or not at all."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", dir=path.parent, prefix=".desk-", delete=False
    ) as out:
        out.write(text)
    try:
        os.chmod(out.name, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(out.name, path)
    finally:
        Path(out.name).unlink(missing_ok=True)


def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def make_desk_server(desk: Desk, port: int = 8765) -> PreviewServer:
    """The desk's server on 127.0.0.1 (``port`` 0: any free one)."""
    handler = functools.partial(
        DeskHandler,
        desk=desk,
        templates=templates(),
        directory=str((desk.root / "output").resolve()),
    )
    (desk.root / "output").mkdir(exist_ok=True)
    return PreviewServer("127.0.0.1", port, handler)
