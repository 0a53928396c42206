"""The editor's desk driven end to end in Debian's Chromium: a new article with a photo
becomes a file, a photo and a commit in the town's folder and a page of the built site;
editing keeps what the form does not show; another website and a request without the
session's token cannot write; a bundle written for a USB stick is taken by the
maintainer's ``invoke pull --bundle``; the desk fits a phone's screen."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browsing import axe_script, chromium, serious_violations
from desks import serving
from projects import PNG, git, write

from gardarika.desk.history import Editor
from gardarika.desk.server import Desk

EDITOR = "Мария Петрова"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def desk(maintained: Path) -> Iterator[tuple[Desk, str]]:
    """The desk of alpha on a free port of 127.0.0.1, in a network kept in git."""
    app = Desk(root=maintained, town_id="alpha")
    with serving(app) as server:
        yield app, server.url


class Visit:
    """The editor's browser, which opened the desk at its address with the key; it
    records every request, to assert that none leaves the desk."""

    def __init__(self, browser: object, app: Desk, base: str, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(90_000)  # a save builds the town: slow on a busy CI
        self.requests: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.base = base
        self.page.goto(app.start_url(base))
        self.page.wait_for_url(base)

    def outside(self) -> list[str]:
        return [u for u in self.requests if not u.startswith((self.base, "data:"))]

    def close(self) -> None:
        self.context.close()


def test_a_new_article_with_a_photo_is_saved_committed_and_built(
    browser: object, desk: tuple[Desk, str], tmp_path: Path
) -> None:
    app, base = desk
    root = app.root
    photo = tmp_path / "Парк весной.png"
    photo.write_bytes(PNG)
    visit = Visit(browser, app, base)
    page = visit.page
    try:
        page.goto(base)
        assert page.locator("h1").inner_text() == "Материалы"
        page.get_by_role("link", name="Новая статья").click()
        page.get_by_label("Ваше имя").fill(EDITOR)
        page.get_by_label("Заголовок", exact=True).fill("Субботник в парке")
        page.get_by_label("Метки").fill("субботник, парк")
        page.get_by_label("Краткое описание").fill("Приходите все")
        page.get_by_label("Текст", exact=True).fill("В субботу убираем парк.\n\nГрабли дадим.")
        page.get_by_label("Фото", exact=True).set_input_files(str(photo))
        page.get_by_label("Что на фото").fill("Парк весной")
        with page.expect_navigation():
            page.get_by_role("button", name="Сохранить").click()
        assert page.get_by_role("status").inner_text() == "Сохранено."
        assert "/edit?file=articles/subbotnik-v-parke.md" in page.url
        text = (root / "content/alpha/articles/subbotnik-v-parke.md").read_text(encoding="utf-8")
        assert "title: Субботник в парке" in text and "tags: [субботник, парк]" in text
        assert "![Парк весной]({static}/images/park-vesnoy.png)" in text
        assert (root / "content/alpha/images/park-vesnoy.png").read_bytes() == PNG
        shown = git("show", "--name-only", "--format=%an|%s", "HEAD", cwd=root).split()
        assert shown[:2] == ["Мария", "Петрова|Субботник"] or EDITOR in " ".join(shown)
        assert "content/alpha/articles/subbotnik-v-parke.md" in shown
        assert "content/alpha/images/park-vesnoy.png" in shown
        built = (root / "output/alpha/subbotnik-v-parke.html").read_text(encoding="utf-8")
        assert "Субботник в парке" in built and "park-vesnoy" in built
        frame = page.frame_locator("iframe")
        # the real pipeline: typography glues the short word to the next one
        assert frame.locator("h1").inner_text() == "Субботник в\xa0парке"
        assert frame.locator("img").count() == 1
        # the name was asked once
        page.goto(base + "new?kind=article")
        assert page.get_by_label("Ваше имя").count() == 0
        assert visit.outside() == []
    finally:
        visit.close()


def test_editing_keeps_what_the_form_does_not_show(browser: object, desk: tuple[Desk, str]) -> None:
    app, base = desk
    path = write(
        app.root / "content/alpha/articles/old.md",
        """
        ---
        title: Старый заголовок
        date: 2020-05-01 10:00
        x-old-id: 1842  # from the old site
        authors: [Иван]
        ---

        Старый текст.
        """,
    )
    git("add", "-A", cwd=app.root)
    git("commit", "-q", "-m", "old", cwd=app.root)
    app.history().remember_editor(Editor(EDITOR))
    visit = Visit(browser, app, base)
    page = visit.page
    try:
        page.goto(base + "?q=Старый")
        page.get_by_role("link", name="Старый заголовок").click()
        page.get_by_label("Заголовок", exact=True).fill("Новый заголовок")
        page.get_by_label("Черновик").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Сохранить").click()
        assert path.read_text(encoding="utf-8") == (
            "---\ntitle: Новый заголовок\ndate: 2020-05-01 10:00\n"
            "x-old-id: 1842  # from the old site\nauthors: [Иван]\nstatus: draft\n---\n\n"
            "Старый текст.\n"
        )
        assert git("log", "-1", "--format=%an", cwd=app.root).strip() == EDITOR
        # undo brings the old text back, with a commit
        page.goto(base)
        with page.expect_navigation():
            page.get_by_role("button", name="Отменить последнее сохранение").click()
        assert "Старый заголовок" in path.read_text(encoding="utf-8")
        assert visit.outside() == []
    finally:
        visit.close()


def _post(app: Desk, base: str, path: str, headers: dict[str, str], body: str = "") -> int:
    """A POST from a program holding the session's cookie (the editor's browser)."""
    host = base.split("//", 1)[1].rstrip("/")
    port = int(host.rsplit(":", 1)[1])
    headers = {"Cookie": f"{app.cookie_name(port)}={app.key}", **headers}
    connection = http.client.HTTPConnection(host, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        )
        return connection.getresponse().status
    finally:
        connection.close()


def test_only_the_desks_own_page_can_write(browser: object, desk: tuple[Desk, str]) -> None:
    app, base = desk
    host = base.split("//", 1)[1].rstrip("/")
    form = f"token={app.token}&title=Взлом&body=x&kind=article&editor_name=X"
    target = app.root / "content/alpha/articles/vzlom.md"
    assert _post(app, base, "/save", {"Origin": "http://evil.example"}, form) == 403
    assert _post(app, base, "/save", {"Origin": f"http://{host}"}, form.split("&", 1)[1]) == 403
    assert _post(app, base, "/save", {}, form) == 403  # no Origin at all
    assert (
        _post(app, base, "/save", {"Origin": f"http://{host}", "Host": "evil.example"}, form) == 421
    )
    assert not target.exists()

    # a real page of another origin (another port of this computer) posting a form
    class Attacker(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = (
                f'<form id="f" method="post" action="{base}save">'
                f'<input name="token" value="guessed"><input name="title" value="Взлом">'
                '<input name="editor_name" value="X"></form>'
                "<script>document.getElementById('f').submit()</script>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    attacker = ThreadingHTTPServer(("127.0.0.1", 0), Attacker)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    visit = Visit(browser, app, base)
    try:
        responses: list[int] = []
        visit.page.on("response", lambda r: r.url.endswith("/save") and responses.append(r.status))
        with visit.page.expect_navigation(url=f"{base}save"):
            visit.page.goto(f"http://127.0.0.1:{attacker.server_address[1]}/")
        assert responses == [403]  # its cookie is not sent across sites, nor its token
        assert not target.exists()
    finally:
        visit.close()
        attacker.shutdown()
        attacker.server_close()


def test_a_bundle_written_by_the_desk_is_pulled_by_the_maintainer(
    browser: object, maintained: Path, library: Path, tmp_path: Path
) -> None:
    # the maintainer's network, and the library's clone of it, where the desk runs
    network = maintained
    stick = tmp_path / "stick"
    stick.mkdir()
    app = Desk(root=library, town_id="alpha", build=lambda root, town: [])
    with serving(app) as server:
        visit = Visit(browser, app, server.url)
        page = visit.page
        try:
            page.goto(server.url + "new?kind=article")
            page.get_by_label("Ваше имя").fill(EDITOR)
            page.get_by_label("Заголовок", exact=True).fill("Ярмарка мёда")
            page.get_by_label("Текст", exact=True).fill("Мёд и пироги.")
            with page.expect_navigation():
                page.get_by_role("button", name="Сохранить").click()
            page.goto(server.url)
            assert "Не отправлено сохранений: 1" in page.content()
            page.get_by_label("Папка на флешке").fill(str(stick))
            with page.expect_navigation():
                page.get_by_role("button", name="Записать на флешку").click()
            assert "Записано:" in page.get_by_role("status").inner_text()
        finally:
            visit.close()
    [bundle] = list(stick.glob("alpha-*.bundle"))
    done = subprocess.run(
        [sys.executable, "-m", "gardarika", "--root", str(network), "pull", "--bundle", str(stick)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert f"{bundle.name} applied" in done.stdout
    assert "Мёд и пироги." in (network / "content/alpha/articles/yarmarka-myoda.md").read_text(
        encoding="utf-8"
    )
    assert git("log", "-1", "--format=%an", cwd=network).strip() == EDITOR


def test_the_desk_fits_a_phone_and_speaks_english(browser: object, desk: tuple[Desk, str]) -> None:
    app, base = desk
    visit = Visit(browser, app, base, width=360)
    page = visit.page
    try:
        for address in (base, base + "new?kind=article"):
            page.goto(address)
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= 360, (address, wide)
        page.goto(base)
        page.get_by_role("link", name="English").click()
        assert page.locator("h1").inner_text() == "Texts"
        assert page.locator("html").get_attribute("lang") == "en"
        page.get_by_role("link", name="New article").click()
        assert page.get_by_label("Title", exact=True).count() == 1
        assert visit.outside() == []
    finally:
        visit.close()


def test_the_checks_messages_appear_by_their_field_and_a_failed_build_is_said(
    browser: object, desk: tuple[Desk, str]
) -> None:
    app, base = desk
    app.history().remember_editor(Editor(EDITOR))
    visit = Visit(browser, app, base)
    page = visit.page
    try:
        page.goto(base + "new?kind=article")
        page.get_by_label("Заголовок", exact=True).fill("Праздник")
        page.get_by_label("Дата", exact=True).fill("2999-01-01 10:00")
        page.get_by_label("Текст", exact=True).fill("Скоро.")
        with page.expect_navigation():
            page.get_by_role("button", name="Сохранить").click()
        date = page.get_by_label("Дата", exact=True)
        assert date.get_attribute("aria-invalid") == "true"
        described = date.get_attribute("aria-describedby") or ""
        said = " ".join(page.locator(f"#{i}").inner_text() for i in described.split())
        assert "ещё не наступила" in said
        alert = page.get_by_role("alert").inner_text()
        assert "Сайт города не собран" in alert and "prazdnik.md:3: ошибка:" in alert
        assert ": error:" not in alert  # in the desk's language only
        # a wrong date is refused before anything is written
        page.get_by_label("Дата", exact=True).fill("1 января")
        page.get_by_role("button", name="Сохранить").click()
        page.wait_for_selector("#date-problem")
        assert "нужен вид 2026-12-01" in page.locator("#date-problem").inner_text()
        assert "date: 2999-01-01 10:00" in (
            app.root / "content/alpha/articles/prazdnik.md"
        ).read_text(encoding="utf-8")
    finally:
        visit.close()


def test_the_desks_pages_have_no_serious_accessibility_violations(
    browser: object, desk: tuple[Desk, str]
) -> None:
    script = axe_script()
    app, base = desk
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    page.goto(app.start_url(base))
    page.wait_for_url(base)
    try:
        found = []
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            for address in (base, base + "new?kind=article", base + "new?kind=page"):
                page.goto(address)
                found += [f"{width} {address}: {v}" for v in serious_violations(page, script)]
        # a form with problems shown, and the page of a saved text with its preview
        page.goto(base + "new?kind=article")
        page.get_by_label("Ваше имя").fill(EDITOR)
        page.get_by_label("Заголовок", exact=True).fill(" ")  # passes the browser's check
        page.get_by_role("button", name="Сохранить").click()
        page.wait_for_selector("#title-problem")
        found += [f"problems: {v}" for v in serious_violations(page, script)]
        page.get_by_label("Заголовок", exact=True).fill("Доступность")
        with page.expect_navigation():
            page.get_by_role("button", name="Сохранить").click()
        found += [f"saved: {v}" for v in serious_violations(page, script)]
        page.goto(base + "?ui=en")
        found += [f"en: {v}" for v in serious_violations(page, script)]
        assert found == []
    finally:
        context.close()


def test_the_toolbar_a_dropped_photo_and_a_translation(
    browser: object, desk: tuple[Desk, str]
) -> None:
    app, base = desk
    app.build = lambda root, town: []  # no preview needed here
    app.history().remember_editor(Editor(EDITOR))
    visit = Visit(browser, app, base)
    page = visit.page
    try:
        page.goto(base + "new?kind=article")
        page.get_by_label("Заголовок", exact=True).fill("Ярмарка")
        body = page.get_by_label("Текст", exact=True)
        body.fill("мёд")
        body.evaluate("b => b.setSelectionRange(0, 3)")
        page.get_by_role("button", name="Жирный").click()
        assert body.input_value() == "**мёд**"
        # a photo dropped into the text is kept, committed and linked where it fell
        page.evaluate(
            """bytes => {
                const data = new DataTransfer();
                data.items.add(new File([new Uint8Array(bytes)], "Мёд.png",
                                        {type: "image/png"}));
                const body = document.getElementById("body");
                body.setSelectionRange(body.value.length, body.value.length);
                body.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true,
                                                          cancelable: true}));
            }""",
            list(PNG),
        )
        page.wait_for_function("() => document.getElementById('body').value.includes('myod')")
        assert "![Ярмарка]({static}/images/myod.png)" in body.input_value()
        assert (app.root / "content/alpha/images/myod.png").read_bytes() == PNG
        assert "images/myod.png" in git("show", "--name-only", "HEAD", cwd=app.root)
        with page.expect_navigation():
            page.get_by_role("button", name="Сохранить").click()
        # the translation starts from the original, and nothing is written before it
        # is saved; then it shares the address, in the other language's file
        with page.expect_navigation():
            page.get_by_role("button", name="Перевести: en").click()
        assert page.get_by_label("Заголовок", exact=True).input_value() == "Ярмарка"
        assert "**мёд**" in page.get_by_label("Текст", exact=True).input_value()
        assert not (app.root / "content/alpha/articles/yarmarka.en.md").exists()
        page.get_by_label("Заголовок", exact=True).fill("Fair")
        page.get_by_label("Текст", exact=True).fill("**Honey**")
        with page.expect_navigation():
            page.get_by_role("button", name="Сохранить").click()
        assert "/edit?file=articles/yarmarka.en.md" in page.url
        translation = (app.root / "content/alpha/articles/yarmarka.en.md").read_text(
            encoding="utf-8"
        )
        assert "title: Fair" in translation and "slug: yarmarka" in translation
        assert "lang: en" in translation and "**Honey**" in translation
        assert "yarmarka.en.md" in git("show", "--name-only", "HEAD", cwd=app.root)
        assert visit.outside() == []
    finally:
        visit.close()


def test_a_preview_without_saving_builds_the_text_and_changes_nothing(
    browser: object, desk: tuple[Desk, str]
) -> None:
    app, base = desk
    root = app.root
    head = git("rev-parse", "HEAD", cwd=root).strip()
    before = (root / "content/alpha/articles/fair.md").read_text(encoding="utf-8")
    visit = Visit(browser, app, base)
    page = visit.page
    try:
        page.goto(base + "new?kind=article")
        page.get_by_label("Ваше имя").fill(EDITOR)
        page.get_by_label("Заголовок", exact=True).fill("Концерт в парке")
        page.get_by_label("Текст", exact=True).fill("Играет оркестр -- приходите.")
        with page.expect_navigation():
            page.get_by_role("button", name="Просмотр без сохранения").click()
        assert "текст ещё не сохранён" in page.get_by_role("status").inner_text()
        frame = page.frame_locator("iframe")
        assert frame.locator("h1").inner_text() == "Концерт в\xa0парке"
        assert "оркестр\xa0— приходите" in frame.locator(".entry-content").inner_text()
        # the form keeps what was typed; nothing was written, committed or built
        assert page.get_by_label("Заголовок", exact=True).input_value() == "Концерт в парке"
        assert not (root / "content/alpha/articles/koncert-v-parke.md").exists()
        assert git("rev-parse", "HEAD", cwd=root).strip() == head
        assert not (root / "output/alpha/koncert-v-parke.html").exists()
        # an existing text: the preview shows the change, the file stays as it was
        page.goto(base + "edit?file=articles/fair.md")
        page.get_by_label("Заголовок", exact=True).fill("Ярмарка мёда")
        with page.expect_navigation():
            page.get_by_role("button", name="Просмотр без сохранения").click()
        assert page.frame_locator("iframe").locator("h1").inner_text() == "Ярмарка мёда"
        assert (root / "content/alpha/articles/fair.md").read_text(encoding="utf-8") == before
        assert git("status", "--porcelain", "content", cwd=root) == ""
        assert visit.outside() == []
    finally:
        visit.close()
