"""Security, round 2: each way a hostile editor got past the security model, as a class.

Every class is tested twice where it can be: the editors' checks explain it with the
file and line, and a build with those checks switched off still publishes nothing that
could run script, read or write outside the town, or run code. ``invoke check`` is the
last layer and is tested on output made by hand.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from projects import REPO, write

import gardarika.build.builder
import gardarika.render.sanitize
from gardarika.checks.lint import lint_town
from gardarika.checks.output import check_output
from gardarika.checks.scripts import html_dangers
from gardarika.config.network import load_network, load_town
from gardarika.errors import GardarikaError

ALERT = "alert(1)"


def _article(root: Path, header: str, body: str = "Текст.", name: str = "evil.md") -> Path:
    return write(
        root / "content/alpha/articles" / name,
        f"Title: Злая статья\nDate: 2024-05-05 10:00\n{header}\n\n{body}\n",
    )


def _problems(root: Path, severity: str = "error") -> list[str]:
    town = load_network(root).towns["alpha"]
    return [p.format() for p in lint_town(town, root) if p.severity == severity]


def _output(root: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace")
        for p in (root / "output").rglob("*")
        if p.is_file()
    )


def _script_findings(root: Path) -> list[str]:
    return [
        f.format()
        for f in check_output(root / "output")
        if "script" in f.en or "handler" in f.en or "quotes" in f.en
    ]


@pytest.fixture
def unchecked(network: Path, build_network, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Both towns built once; then the editors' checks are off, as if a hole in them let
    anything through: the build and the output check must hold on their own."""
    assert build_network(network).ok
    monkeypatch.setattr(gardarika.build.builder, "lint_town", lambda town, root, **_: [])
    return network


def _with_settings(monkeypatch: pytest.MonkeyPatch, **changes: object) -> None:
    """Town alpha's settings changed past the settings check (as if it had a hole)."""
    real_load = gardarika.build.builder.load_network

    def load(root: Path):
        network = real_load(root)
        town = network.towns["alpha"]
        pelican = {**town.pelican, **changes.pop("pelican", {})}  # type: ignore[dict-item]
        network.towns["alpha"] = dataclasses.replace(town, pelican=pelican, **changes)
        return network

    monkeypatch.setattr(gardarika.build.builder, "load_network", load)


# -- 1. addresses that break out of attributes or carry a scheme --------------------------

ADDRESSES = [
    'Url: x.html" onfocus="alert(1)" autofocus="',
    "Url: x.html' onmouseover='alert(1)",
    "Url: javascript:alert(1)",
    "Url: JaVaScRiPt:alert(1)//.html",
    "Url: {index}javascript://%0aalert(1)",
    "Save_as: a b onfocus=alert(1).html",
    'Save_as: "x.html><script>alert(1)</script>"',
    "Url: data:text/html,<script>alert(1)</script>",
]


@pytest.mark.parametrize("header", ADDRESSES)
def test_an_address_that_is_not_a_plain_path_is_an_error_with_its_line(
    network: Path, header: str
) -> None:
    _article(network, header)
    errors = [e for e in _problems(network) if "articles/evil.md:3:" in e]
    assert errors, _problems(network)
    assert ": error: " in errors[0] and ": ошибка: " in errors[0]


@pytest.mark.parametrize(
    "header",
    [
        *ADDRESSES,
        "Url: x.html\nSave_as: x.html\nStatus: hidden",
        "Status: hidden\nUrl: javascript:alert(1)",
    ],
)
def test_an_address_cannot_run_script_even_unchecked(
    unchecked: Path, build_network, header: str
) -> None:
    if header.startswith("Url: x.html\n"):  # a hidden page: in no listing, still checked
        header = "Url: javascript:alert(1)\nSave_as: x.html\nStatus: hidden"
    _article(unchecked, header)
    _article(unchecked, "Template: page", "Страница.", name="../pages/evil-page.md")
    report = build_network(unchecked, ["alpha"])
    assert report.failed == ["alpha"], report.log
    assert (
        "articles/evil.md:3: error: the page's address" in report.log
        or "articles/evil.md:4: error: the page's address" in report.log
    ), report.log
    assert "Страница не опубликована" in report.log
    assert ALERT not in _output(unchecked)


def test_the_search_index_and_listings_escape_and_hold_addresses(
    unchecked: Path, build_network
) -> None:
    """An address can reach the index and the listings only as a plain path."""
    _article(unchecked, "Url: news/fair-2024.html\nSave_as: news/fair-2024.html")
    report = build_network(unchecked, ["alpha"])
    assert report.ok, report.log
    index = (unchecked / "output/alpha/search-index.js").read_text(encoding="utf-8")
    assert '"news/fair-2024.html"' in index
    assert _script_findings(unchecked) == []


# -- 2. Pelican's placeholders keep the scheme of what follows them ----------------------

PLACEHOLDER_LINKS = [
    "[x]({index}javascript://%0aalert(1))",
    '<a href="{index}javascript://%0aalert(1)">x</a>',
    '<a href="{tag}javascript:alert(1)">x</a>',
    '<a href="{category}java&#x09;script:alert(1)">x</a>',
    '<a href="|filename|javascript:alert(1)">x</a>',
    '<img src="{static}data:text/html,alert(1)" alt="x">',
]


@pytest.mark.parametrize("body", PLACEHOLDER_LINKS)
def test_placeholders_followed_by_a_scheme_are_removed_and_reported(
    network: Path, build_network, body: str
) -> None:
    _article(network, "", body)
    warnings = [w for w in _problems(network, "warning") if "evil.md:5:" in w]
    assert warnings and ("javascript:" in warnings[0] or "data:" in warnings[0]), warnings
    build_network(network, ["alpha"])  # ({filename}/{static} to no file: an error too)
    assert ALERT not in _output(network)


@pytest.mark.parametrize("body", PLACEHOLDER_LINKS)
def test_the_final_html_is_cleaned_after_placeholders(
    unchecked: Path, build_network, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    """The first cleaning as it was (any address starting with "{" passed): the second,
    on the HTML after Pelican replaced its placeholders, still removes the script."""
    real = gardarika.render.sanitize.url_allowed
    monkeypatch.setattr(
        gardarika.render.sanitize,
        "url_allowed",
        lambda value: value.lstrip().startswith(("{", "|")) or real(value),
    )
    _article(unchecked, "", body)
    report = build_network(unchecked, ["alpha"])
    # ({static}data:… is also taken by Pelican for a file to copy, which safe_files
    # refuses: the town fails instead, which is as safe)
    assert report.ok or "{static}" in body, report.log
    assert ALERT not in _output(unchecked)
    assert _script_findings(unchecked) == []


# -- 4. town settings: base_url, free text ----------------------------------------------


@pytest.mark.parametrize(
    "setting",
    [
        'base_url: "https://x.org/\\"><script>alert(1)</script>"',
        "base_url: https://x.org/a b",
        "base_url: 'javascript://x.org/%0aalert(1)'",
        "pelican:\n  SUMMARY_END_SUFFIX: '<img src=x onerror=alert(1)>'",
        "pelican:\n  MENUITEMS: [[Home, 'javascript:alert(1)']]",
        "pelican:\n  LINKS: [[Home, ' JaVaScRiPt:alert(1)']]",
        "pelican:\n  ARTICLE_URL: '{slug}.html\" onfocus=\"alert(1)'",
        "pelican:\n  DEFAULT_METADATA: {url: 'javascript:alert(1)'}",
        "pelican:\n  TEMPLATE_PAGES: {files/page.txt: page.html}",
        "pelican:\n  PLUGINS: [content.vyborg.files.pwn]",
        "pelican:\n  PLUGINS: [no_such_plugin]",
        "pelican:\n  SLUGIFY_SOURCE: '__class__'",
        "pelican:\n  IMAGES_VARIANTS: [100, 200, 300, 400, 500, 600, 700, 800]",
        "pelican:\n  IMAGES_MAX_WIDTH: 100000",
    ],
)
def test_settings_that_could_inject_markup_or_code_are_refused(project: Path, setting: str) -> None:
    (project / "content/vyborg").mkdir(parents=True)
    path = write(
        project / "sites/vyborg.yaml", f"name: {{ru: Выборг}}\nlanguages: [ru]\n{setting}\n"
    )
    with pytest.raises(GardarikaError) as caught:
        load_town(path, project)
    problems = caught.value.problems
    assert problems and all(p.file == "sites/vyborg.yaml" and p.line for p in problems)
    assert all(p.en and p.ru for p in problems)


def test_settings_text_is_escaped_even_unchecked(
    unchecked: Path, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_settings(
        monkeypatch,
        base_url='https://x.org/"><script>alert(1)</script>',
        description={"ru": "<script>alert(1)</script>", "en": "<b onclick=alert(1)>x</b>"},
        name={"ru": 'Альфа"><svg onload=alert(1)>', "en": "Alpha"},
        pelican={
            "SUMMARY_END_SUFFIX": "<img src=x onerror=alert(1)>",
            "SUMMARY_MAX_LENGTH": 3,
            "DEFAULT_CATEGORY": "<i onclick=alert(1)>c</i>",
            "MENUITEMS": [["m", "javascript:alert(1)"]],
        },
    )
    report = build_network(unchecked, ["alpha"], skip_unchanged=False)
    assert report.built == ["alpha"], report.log
    assert _script_findings(unchecked) == []
    text = _output(unchecked)
    assert "<script>alert(1)" not in text and "onerror=alert" not in text
    assert "<svg onload" not in text and "<i onclick" not in text


# -- 9. nothing from a town's folder is imported or rendered as a template ---------------


def test_plugins_and_template_pages_from_content_never_run(
    unchecked: Path, build_network, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    files = unchecked / "content/alpha/files"
    write(files / "pwn.py", f"open({str(marker)!r}, 'w').write('x')\ndef register():\n    pass\n")
    write(files / "__init__.py", "")
    write(
        files / "page.txt",
        f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}\n",
    )
    monkeypatch.syspath_prepend(str(unchecked))
    monkeypatch.syspath_prepend(str(unchecked / "content"))
    _with_settings(
        monkeypatch,
        pelican={
            "PLUGINS": ["content.alpha.files.pwn", "alpha.files.pwn", "files.pwn"],
            "TEMPLATE_PAGES": {"files/page.txt": "page.html"},
        },
    )
    report = build_network(unchecked, ["alpha"], skip_unchanged=False)
    assert not marker.exists(), report.log
    assert not (unchecked / "output/alpha/page.html").exists()


# -- 10. hidden files are never published, reached directly or through a link -----------

SECRET = "url = https://secret-token@example.org/town.git"


def _git_config_link(root: Path) -> Path:
    content = root / "content/alpha"
    write(content / ".git/config", f"[remote]\n{SECRET}\n")
    (content / "files").mkdir(exist_ok=True)
    link = content / "files" / "config.txt"
    link.symlink_to(Path("..") / ".git" / "config")
    (content / "images" / "hidden").symlink_to(Path("..") / ".git", target_is_directory=True)
    return link


def test_a_link_to_a_hidden_file_is_an_error(network: Path) -> None:
    _git_config_link(network)
    errors = _problems(network)
    assert any("files/config.txt" in e and "hidden" in e for e in errors), errors
    assert any("images/hidden" in e and "hidden" in e for e in errors), errors


def test_a_hidden_file_is_not_published_even_unchecked(unchecked: Path, build_network) -> None:
    _git_config_link(unchecked)
    write(
        unchecked / "content/alpha/articles/link.md",
        "Title: Ссылка\nDate: 2024-05-05\n\n[c]({static}/files/config.txt)\n",
    )
    report = build_network(unchecked, ["alpha"])
    assert SECRET not in _output(unchecked)
    assert report.failed == ["alpha"], report.log


# -- 12. a plain new town's first build from an editable install -------------------------


def test_a_new_town_builds_with_package_metadata_in_the_project(tmp_path: Path) -> None:
    """``pip install -e .`` leaves ``gardarika.egg-info`` in the project folder, which
    invoke puts on Python's path: Markdown reads its entry points from there."""
    root = tmp_path / "project"
    (root / "sites").mkdir(parents=True)
    for name in ("themes", "plugins", "tasks.py"):
        (root / name).symlink_to(REPO / name)
    meta = root / "localpkg.egg-info"
    write(meta / "PKG-INFO", "Metadata-Version: 2.1\nName: localpkg\nVersion: 1\n")
    write(meta / "entry_points.txt", "[markdown.extensions]\nnothing = nothing:Nothing\n")
    write(root / "sites/plain.yaml", "name: {ru: Простой, en: Plain}\nlanguages: [ru, en]\n")
    write(root / "content/plain/a.md", "Title: Привет\nDate: 2024-01-01\n\nПросто текст.\n")
    # a fresh interpreter, as invoke starts it: nothing warmed up before the build
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); "
            "from gardarika.cli import build; sys.exit(build(__import__('pathlib').Path("
            "sys.argv[1]), None, 1, False, None, False, True, None))",
            str(root),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / "output/plain/index.html").is_file()
    assert "egg-info" not in done.stdout


def test_the_guard_reads_package_metadata_only_on_the_import_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gardarika.build.guard import Guard

    for folder in ("pkg.egg-info", "content/alpha/x.egg-info", "content/beta/y.dist-info"):
        write(tmp_path / folder / "entry_points.txt", "[x]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    guard = Guard(
        project=tmp_path,
        content=tmp_path / "content/alpha",
        writable=[],
        readable=[tmp_path / "content/alpha"],
    )
    assert guard.may_read(str(tmp_path / "pkg.egg-info/entry_points.txt"))
    assert not guard.may_read(str(tmp_path / "content/beta/y.dist-info/entry_points.txt"))


# -- the last layer: invoke check finds anything that can run script ---------------------


def test_check_reports_script_in_the_output_with_file_and_line(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write(
        out / "town/index.html",
        "<!DOCTYPE html>\n<html><body>\n"
        '<a href="x.html" onfocus="alert(1)" autofocus>x</a>\n'
        '<a href="java&#x09;script:alert(1)">y</a>\n</body></html>\n',
    )
    write(
        out / "town/search-index.js",
        'window.GARDARIKA_SEARCH={"docs":[["javascript:alert(1)","t","",""]]};\n',
    )
    write(
        out / "town/images/d.svg",
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    )
    write(out / "trusted/index.html", "<html><body><script>go()</script></body></html>\n")
    findings = check_output(out, trusted={"trusted"})
    where = sorted(f"{f.file}:{f.line}" for f in findings)
    assert "town/index.html:3" in where and "town/index.html:4" in where
    assert any(w.startswith("town/search-index.js") for w in where)
    assert any(w.startswith("town/images/d.svg") for w in where)
    assert not any(w.startswith("trusted/") for w in where)
    assert all(f.en and f.ru for f in findings)


@pytest.mark.parametrize(
    "html",
    [
        '<p title="a" x"=y>t</p>',
        "<img src=x onerror=alert(1)>",
        '<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>',
        '<meta http-equiv="refresh" content="0; url=javascript:alert(1)">',
        '<iframe src=" vbscript:x"></iframe>',
        "<object data='data:text/html,x'></object>",
        "<script>alert(1)</script>",
        "<p style='width:expression(alert(1))'>t</p>",
        "<template><img src=x onerror=alert(1)></template>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>',
        '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
        '<script src="files/notes.txt"></script>',
        "<embed src=files/x.swf>",
        '<svg><set attributeName="xlink:href" to="javascript:alert(1)"/></svg>',
        '<a href="&#x6A;avascript:alert(1)">x</a>',
    ],
)
def test_script_capable_html_is_found(html: str) -> None:
    assert html_dangers(f"<html><body>{html}</body></html>")


def test_the_theme_output_is_clean(demo_output: Path) -> None:
    assert [f for f in check_output(demo_output) if "script" in f.en] == []


# -- 5. one town's checks cannot stop or hold up the others ------------------------------


def _beta_text(root: Path, body: str) -> Path:
    return write(root / "content/beta/bad.md", f"Title: Плохо\nDate: 2024-02-02\n\n{body}\n")


def test_markdown_recursing_without_end_fails_its_town_only(network: Path, build_network) -> None:
    _beta_text(network, "*" * 2000 + "слово" + "*" * 2000)
    report = build_network(network)
    assert report.failed == ["beta"] and "alpha" in report.built, report.log
    assert "content/beta/bad.md:4: error: this text is nested too deeply" in report.log
    assert "Traceback" not in report.log and "RecursionError" not in report.log


def test_markdown_recursing_without_end_is_refused_even_unchecked(
    unchecked: Path, build_network
) -> None:
    write(
        unchecked / "content/alpha/articles/bad.md",
        "Title: Плохо\nDate: 2024-02-02\n\n" + "*" * 2000 + "слово" + "*" * 2000 + "\n",
    )
    report = build_network(unchecked, ["alpha"])
    assert report.failed == ["alpha"], report.log
    assert "content/alpha/articles/bad.md: error: this text is nested too deeply" in report.log
    assert "Traceback" not in report.log and "RecursionError" not in report.log


@pytest.mark.parametrize("body", ["<![CDATA[ " * 1500, "[[" * 2500])
def test_a_text_markdown_reads_for_minutes_is_stopped_with_its_name(
    network: Path, build_network, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    """Unfinished CDATA sections are seen by the checks (the text has markup to clean),
    thousands of [[ only by the build: each has a time budget per file."""
    import gardarika.build.budget

    monkeypatch.setattr(gardarika.build.budget, "BASE_SECONDS", 1.0)
    monkeypatch.setattr(gardarika.build.budget, "SECONDS_PER_MB", 0.0)
    _beta_text(network, body)
    report = build_network(network)
    assert report.failed == ["beta"] and "alpha" in report.built, report.log
    assert "content/beta/bad.md" in report.log and "takes longer than 1 seconds" in report.log
    assert "читается дольше 1 секунд" in report.log


def test_checks_that_crash_fail_their_town_with_the_file(
    network: Path, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = gardarika.build.builder.lint_town

    def crash_on_beta(town, root, **_):
        if town.id == "beta":
            from gardarika.build.isolation import report

            report("content/beta/news-1.md")
            os._exit(7)
        return real(town, root)

    monkeypatch.setattr(gardarika.build.builder, "lint_town", crash_on_beta)
    report = build_network(network)
    assert report.failed == ["beta"] and "alpha" in report.built, report.log
    assert (
        "content/beta/news-1.md: error: the checks of beta stopped unexpectedly while "
        "reading content/beta/news-1.md (exit code 7)" in report.log
    )


def test_checks_that_hang_are_stopped_at_the_time_limit(
    network: Path, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    real = gardarika.build.builder.lint_town
    monkeypatch.setattr(
        gardarika.build.builder,
        "lint_town",
        lambda town, root, **_: time.sleep(600) if town.id == "beta" else real(town, root),
    )
    report = build_network(network, time_limit=2)
    assert report.failed == ["beta"] and "alpha" in report.built, report.log
    assert "the checks of beta took longer than" in report.log


def test_invoke_lint_survives_a_town_whose_checks_crash(network: Path) -> None:
    _beta_text(network, "<b>Жирный</b> " + "*" * 3000 + "слово" + "*" * 3000)
    done = subprocess.run(
        [sys.executable, "-m", "gardarika", "lint"],
        cwd=network,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "content/beta/bad.md:4: error: this text is nested too deeply" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


# -- 8. a memory ceiling on every process of a town --------------------------------------


def test_a_town_asking_for_too_much_memory_fails_alone(
    network: Path, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = gardarika.build.builder.lint_town

    def greedy_on_beta(town, root, **_):
        if town.id == "beta":
            from gardarika.build.isolation import report

            report("content/beta/news-0.md")
            hoard = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB
            return [len(hoard)]
        return real(town, root)

    monkeypatch.setattr(gardarika.build.builder, "lint_town", greedy_on_beta)
    report = build_network(network, memory_limit=512 * 1024 * 1024)
    assert report.failed == ["beta"] and "alpha" in report.built, report.log
    assert (
        "content/beta/news-0.md: error: the checks of beta needed more than 512 MB of "
        "memory while reading content/beta/news-0.md" in report.log
    )


def test_a_build_process_is_held_to_the_memory_ceiling(network: Path, build_network) -> None:
    write(
        network / "plugins/greedy.py",
        "from pelican import signals\n\n\n"
        "def grab(instance):\n"
        "    instance.hoard = [bytearray(64 * 1024 * 1024) for _ in range(64)]\n\n\n"
        "def register():\n    signals.content_object_init.connect(grab)\n",
    )
    write(
        network / "sites/beta.yaml",
        "name: {ru: Бета}\nlanguages: [ru]\npelican:\n  PLUGINS: [greedy]\n",
    )
    report = build_network(network, memory_limit=512 * 1024 * 1024)
    assert report.failed == ["beta"] and "alpha" in report.built, report.log
    assert "content/beta/news-0.md: error: reading this file needed more memory" in report.log


# -- 6. what one source file can expand to ------------------------------------------------

ANCHORS = (
    "---\ntitle: Якоря\ndate: 2024-05-05\nsummary: &s "
    + "Длинный текст. " * 300
    + "\ndescription: ["
    + ", ".join(["*s"] * 19)
    + "]\n---\n\nТекст.\n"
)
AMPLIFIERS = {
    "tags": (
        "Title: Метки\nDate: 2024-05-05\nTags: "
        + ", ".join(f"метка{i}" for i in range(200))
        + "\n\nТекст.\n",
        3,
    ),
    "summary": (
        "Title: Описание\nDate: 2024-05-05\nSummary: " + "очень " * 2000 + "\n\nТекст.\n",
        3,
    ),
    "anchors": (ANCHORS, 1),
}


@pytest.mark.parametrize("kind", AMPLIFIERS)
def test_a_file_that_expands_to_much_is_an_error_with_its_line(network: Path, kind: str) -> None:
    text, line = AMPLIFIERS[kind]
    write(network / "content/alpha/articles/big.md", text)
    errors = [e for e in _problems(network) if "articles/big.md" in e]
    assert errors and f"articles/big.md:{line}: error:" in errors[0], _problems(network)


@pytest.mark.parametrize("kind", AMPLIFIERS)
def test_a_file_that_expands_to_much_is_refused_even_unchecked(
    unchecked: Path, build_network, kind: str
) -> None:
    write(unchecked / "content/alpha/articles/big.md", AMPLIFIERS[kind][0])
    report = build_network(unchecked, ["alpha"])
    assert report.failed == ["alpha"], report.log
    assert "content/alpha/articles/big.md" in report.log
    assert not (unchecked / "output/alpha/tag/metka199.html").exists()


def test_a_town_writing_more_than_its_budget_is_stopped(
    unchecked: Path, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gardarika.build.limits

    monkeypatch.setattr(gardarika.build.limits, "OUTPUT_BASE", 20_000)
    monkeypatch.setattr(gardarika.build.limits, "OUTPUT_PER_SOURCE", 0)
    monkeypatch.setattr(gardarika.build.limits, "OUTPUT_PER_TEXT", 0)
    report = build_network(unchecked, ["alpha"], skip_unchanged=False)
    assert report.failed == ["alpha"], report.log
    assert "content/alpha: error: the town's pages add up to more than 0 MB" in report.log


# -- beyond the list: what the red team found next ----------------------------------------

PLACES = [
    "Save_as: .htaccess",
    "Save_as: files/.htaccess",
    "Save_as: Index.html",
    "Save_as: Theme/js/searchbox.js",
    "Save_as: news/x.js",
    "Save_as: search.html",
    "Save_as: theme/css/main.css",
    "Save_as: en/index.html",
    "Url: .hidden/x.html",
    "Template: portal",
    "Template: _macros",
    "Template: base",
]


@pytest.mark.parametrize("header", PLACES)
def test_a_page_cannot_take_the_sites_own_places(network: Path, header: str) -> None:
    _article(network, header)
    assert any("articles/evil.md:3: error:" in e for e in _problems(network)), _problems(network)


@pytest.mark.parametrize("header", [*PLACES, "Slug: search", "Category: ???", "Tags: мост, ★★"])
def test_a_page_cannot_take_the_sites_own_places_even_unchecked(
    unchecked: Path, build_network, header: str
) -> None:
    search = (unchecked / "output/alpha/search.html").read_bytes()
    _article(unchecked, header)
    report = build_network(unchecked, ["alpha"])
    assert report.failed == ["alpha"], report.log
    assert "content/alpha/articles/evil.md" in report.log
    assert (unchecked / "output/alpha/search.html").read_bytes() == search
    assert not list((unchecked / "output/alpha").rglob(".*"))


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\x0c", "\x0b"])
def test_the_checks_and_the_build_read_the_same_header(
    network: Path, build_network, separator: str
) -> None:
    """Markdown splits lines at line feeds only; the checks must not see a line break
    where the build sees none (or the other way round)."""
    write(
        network / "content/alpha/articles/evil.md",
        f"Title: Злая\nDate: 2024-05-05{separator}Save_as: search.html\n"
        f"Template: portal\n\nТекст.\n",
    )
    errors = _problems(network)
    assert any("evil.md:2:" in e and "date" in e for e in errors), errors
    search = (build_network(network, ["alpha"]), network / "output/alpha/search.html")[1]
    assert not search.exists() or "Злая" not in search.read_text(encoding="utf-8")


def test_one_town_cannot_flood_the_build_log(
    network: Path, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gardarika.build.builder, "SHOWN_PER_TOWN", 5)
    for i in range(12):
        write(network / f"content/beta/empty-{i:02}.md", f"Title: Пусто {i}\nDate: 2024-01-01\n\n")
    _beta_text(network, "Текст.\n\n[x]({filename}missing.md)")
    report = build_network(network)
    lines = [line for line in report.log.splitlines() if line.startswith("content/beta/")]
    assert len(lines) == 10, report.log  # five problems, two lines each
    assert any("bad.md" in line and ": error: " in line for line in lines)  # errors first
    assert "beta: 8 more problems not shown; “invoke lint --site beta” lists them all" in report.log


def test_pictures_count_in_the_towns_budget(
    unchecked: Path, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pictures are written by light_images, not as pages: the whole new site is
    measured before it is published."""
    import random

    from PIL import Image

    import gardarika.build.limits

    noise = random.Random(1).randbytes(900 * 900 * 3)
    Image.frombytes("RGB", (900, 900), noise).save(
        unchecked / "content/alpha/images/noise.jpg", quality=95
    )
    _article(unchecked, "", "![шум]({static}/images/noise.jpg)")
    assert build_network(unchecked, ["alpha"]).ok
    out = unchecked / "output/alpha"
    sizes = {p: p.stat().st_size for p in out.rglob("*") if p.is_file()}
    pictures = sum(size for p, size in sizes.items() if "images" in p.parts)
    others = sum(sizes.values()) - pictures
    pages = [
        sum(
            size
            for p, size in sizes.items()
            if p.suffix == ".html" and ("en" in p.relative_to(out).parts) == english
        )
        for english in (0, 1)
    ]
    base = others // 2 + 2_000  # all but the pictures fit the town's budget
    assert max(pages) < base and pictures > 4_000 + 2 * 2_000
    monkeypatch.setattr(gardarika.build.limits, "OUTPUT_BASE", base)
    monkeypatch.setattr(gardarika.build.limits, "OUTPUT_PER_SOURCE", 0)
    monkeypatch.setattr(gardarika.build.limits, "OUTPUT_PER_TEXT", 0)
    report = build_network(unchecked, ["alpha"], skip_unchanged=False)
    assert report.failed == ["alpha"], report.log
    assert "content/alpha: error: the town's pages add up to more than" in report.log


def test_control_characters_are_said_and_removed(network: Path, build_network) -> None:
    """They would stop the feeds (XML) without naming the file; nobody sees them."""
    write(
        network / "sites/alpha.yaml",
        "name: {ru: Альфа, en: Alpha}\nlanguages: [ru, en]\nbase_url: https://alpha.example.org\n",
    )
    write(
        network / "content/alpha/articles/ctl.md",
        "Title: Управляющие\x01 символы\x1b[31m\nDate: 2024-03-01 10:00\n"
        "Tags: мост\x07\nSummary: a\x00b\n\nТекст\x0c с\x08 ними.\n",
    )
    warnings = [w for w in _problems(network, "warning") if "ctl.md" in w]
    assert any("ctl.md:1:" in w and "control characters" in w for w in warnings), warnings
    assert any("ctl.md:6:" in w for w in warnings), warnings
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    text = "".join(
        p.read_text(encoding="utf-8")
        for p in (network / "output").rglob("*")
        if p.suffix in (".html", ".xml", ".js")
    )
    assert "Управляющие символы" in text
    assert not any(c in text for c in "\x00\x01\x07\x08\x1b")
    assert (network / "output/alpha/feeds/all.atom.xml").is_file()


# -- round 3: every XML the build writes is XML --------------------------------------------

NONCHARACTER_TITLE = "Title: Мост\ufffe через\uffff реку\nDate: 2024-03-01 10:00\n\nТекст.\n"


def _with_feeds(root: Path) -> None:
    write(
        root / "sites/alpha.yaml",
        "name: {ru: Альфа, en: Alpha}\nlanguages: [ru, en]\nbase_url: https://alpha.example.org\n",
    )


def test_a_title_with_a_noncharacter_makes_valid_feeds(network: Path, build_network) -> None:
    from xml.dom.minidom import parse

    _with_feeds(network)
    write(network / "content/alpha/articles/fffe.md", NONCHARACTER_TITLE)
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    feeds = list((network / "output/alpha").rglob("*.xml"))
    assert feeds
    for feed in feeds:
        parse(str(feed))  # raises on a character XML does not allow
    assert "Мост через реку" in (network / "output/alpha/feeds/all.atom.xml").read_text(
        encoding="utf-8"
    )


def test_a_feed_that_is_not_xml_fails_the_town(
    network: Path, build_network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever path an odd character takes (here: the cleaning let it through), the
    build reads every feed back and refuses to publish one that is not XML."""
    _with_feeds(network)
    assert build_network(network).ok
    monkeypatch.setattr(gardarika.render.sanitize, "_CONTROLS", {})
    write(network / "content/alpha/articles/fffe.md", NONCHARACTER_TITLE)
    report = build_network(network, ["alpha"])
    assert report.failed == ["alpha"], report.log
    assert "output/alpha/feeds/all.atom.xml:" in report.log
    assert "is not valid XML" in report.log and "не правильный XML" in report.log
    assert "Мост" not in (network / "output/alpha/feeds/all.atom.xml").read_text(
        encoding="utf-8"
    )  # the previous feed is kept


# -- round 3: a file is judged by the name it is published under -----------------------------

FOLDED_NAMES = ["x.ｈｔｍｌ", "y.свг", "z.ｊｓ", "w.ĥtm", "v.ＳＶＧ", "u.ℌtml", "m.jš"]


def test_names_that_fold_into_scripts_are_refused_by_the_build(
    unchecked: Path, build_network
) -> None:
    """Full-width, Cyrillic and accented extensions become .html, .svg, .js once the
    portable names fold them: the build (checks off) judges the published name."""
    page = "<html><body><script>alert(1)</script></body></html>\n"
    drawing = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n'
    for name in FOLDED_NAMES:
        write(
            unchecked / "content/alpha/files" / name,
            drawing if name[2:].lower() in ("свг", "ｓｖｇ") else page,
        )
    report = build_network(unchecked, ["alpha"], skip_unchanged=False)
    published = {p.name.lower() for p in (unchecked / "output/alpha").rglob("*")}
    for name in ("x.html", "y.svg", "z.js", "w.htm", "v.svg", "u.html", "m.js"):
        assert name not in published, (name, report.log)
    assert ALERT not in _output(unchecked)
