"""A town can neither read nor write outside its content folder and its output folder.

Each vector is tested twice where it can be: the content check (``invoke lint``, run
before every build) must report it with the file, line and both languages, and a build
with that check switched off must still not read or write outside (the own_folder
plugin, Pelican's own checks and the build guard of ``gardarika/build/guard.py``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import pytest
from projects import write

import gardarika.build.builder
from gardarika.checks.lint import lint_town
from gardarika.config.network import load_network, load_town
from gardarika.errors import GardarikaError
from gardarika.fs.confine import link_leaves_folder, outside_symlinks, path_problem

SECRET = "TOP-SECRET-OUTSIDE"


# -- the shared rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "../x.html",
        "a/../../x",
        "/etc/x",
        "C:\\x",
        "c:/x",
        "\\\\server\\share",
        "a\\b",
        "a\x00b",
        "a\nb",
        "~/x",
        "..",
    ],
)
def test_unsafe_paths_are_refused(value: str) -> None:
    assert path_problem(value) is not None


def test_encoded_parent_folders_count_in_urls() -> None:
    assert path_problem("%2e%2e/x.html") is None  # a file name: taken literally
    assert path_problem("%2e%2e/x.html", decode=True) is not None
    assert path_problem("&#46;&#46;/x.html", decode=True) is not None


@pytest.mark.parametrize(
    "value", ["news/today.html", "a..b.html", "{slug}.html", "x", "pages/{slug}.html"]
)
def test_ordinary_paths_pass(value: str) -> None:
    assert path_problem(value, decode=True) is None


@pytest.mark.parametrize(
    "target,folder,leaves",
    [
        ("{static}../../other-town/x.jpg", "articles", True),
        ("{static}/../other-town/x.jpg", "articles", True),
        ("{filename}/../../../etc/passwd", "", True),
        ("{attach}../../x.jpg", "articles", True),
        ("{static}%2e%2e/%2e%2e/x.jpg", "articles", True),
        ("{static}&#46;&#46;/&#46;&#46;/x.jpg", "articles", True),
        ("{static}..\\..\\x.jpg", "articles", True),
        ("../../../../etc/passwd", "articles", True),
        ("../images/a.jpg", "articles", False),
        ("{static}/images/a.jpg", "articles", False),
        ("{static}../images/a.jpg", "articles", False),
        ("https://example.org/../x", "articles", False),
        ("/images/a.jpg", "articles", False),
        ("#top", "", False),
    ],
)
def test_links_leaving_the_folder(target: str, folder: str, leaves: bool) -> None:
    assert link_leaves_folder(target, folder) is leaves


# -- the content check -------------------------------------------------------------------


def _article(network: Path, header: str, body: str = "Текст.") -> Path:
    return write(
        network / "content/alpha/articles/evil.md",
        f"Title: Злая статья\nDate: 2024-05-05 10:00\n{header}\n\n{body}\n",
    )


def _errors(network: Path) -> list[str]:
    town = load_network(network).towns["alpha"]
    return [p.format() for p in lint_town(town, network) if p.severity == "error"]


@pytest.mark.parametrize(
    "header",
    [
        "Save_as: ../../beta/index.html",
        "Save_as: /etc/evil.html",
        "Save_as: C:\\evil.html",
        "Save_as: \\\\server\\share\\x.html",
        "Save_as: news\\..\\..\\x.html",
        "URL: ../../beta/index.html",
        "URL: %2e%2e/%2e%2e/beta/index.html",
        "Slug: ../../beta/index",
        "Status: ../draft",
        "Template: ../../../etc/passwd",
        "Template: /etc/passwd",
    ],
)
def test_metadata_leading_out_is_an_error_with_its_line(network: Path, header: str) -> None:
    _article(network, header)
    errors = [e for e in _errors(network) if "articles/evil.md:3:" in e]
    assert len(errors) == 1, _errors(network)
    assert ": error: " in errors[0] and ": ошибка: " in errors[0]


def test_control_characters_in_a_file_name_are_an_error(network: Path) -> None:
    write(
        network / "content/alpha/articles/evil.md",
        '---\ntitle: Злая\ndate: 2024-05-05 10:00\nsave_as: "x\\0y.html"\n---\n\nТекст.\n',
    )
    errors = _errors(network)
    assert any("evil.md:4:" in e and "control character" in e for e in errors), errors


def test_a_language_with_path_characters_is_an_error(network: Path) -> None:
    _article(network, "Lang: ../../beta")
    assert any("evil.md:3:" in e for e in _errors(network))


@pytest.mark.parametrize(
    "link",
    [
        "{static}../../beta/news-0.md",
        "{static}/../beta/news-0.md",
        "{filename}/../../../etc/passwd",
        "{attach}../../beta/news-0.md",
        "../../../../etc/passwd",
        "{static}%2e%2e/%2e%2e/beta/news-0.md",
    ],
)
def test_links_out_of_the_town_are_an_error_with_their_line(network: Path, link: str) -> None:
    _article(network, "", f"Первая строка.\n\n![x]({link})")
    errors = [e for e in _errors(network) if "articles/evil.md" in e]
    assert len(errors) == 1, errors  # one problem, not also "leads to no file"
    assert "evil.md:7:" in errors[0] and "out of the town's content folder" in errors[0]
    assert "за пределы папки" in errors[0]


def test_ordinary_links_still_pass(network: Path) -> None:
    _article(
        network,
        "Save_as: special/evil.html\nTemplate: article",
        "![a]({static}/images/potter.png) ![b](../images/potter.png) [c]({filename}fair.md)",
    )
    assert _errors(network) == []


def _symlinks(network: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    content = network / "content/alpha"
    (content / "images" / "deep" / "deeper").mkdir(parents=True)
    (content / "images" / "deep" / "deeper" / "stolen.png").symlink_to(secret)
    (content / "images" / "other-town").symlink_to(
        network / "content/beta", target_is_directory=True
    )
    (content / "files").mkdir()
    (content / "files" / "gone.pdf").symlink_to(tmp_path / "nothing-here.pdf")
    (content / "articles" / "loop").symlink_to(content, target_is_directory=True)
    (content / "articles" / "stolen.md").symlink_to(network / "content/beta/news-0.md")
    (content / "images" / "same.png").symlink_to(content / "images" / "potter.png")


def test_symbolic_links_out_of_the_town_are_errors(network: Path, tmp_path: Path) -> None:
    _symlinks(network, tmp_path)
    reasons = {link.path.name: link.reason for link in outside_symlinks(network / "content/alpha")}
    assert reasons == {
        "stolen.png": "outside",
        "other-town": "outside",
        "gone.pdf": "dangling",
        "loop": "loop",
        "stolen.md": "outside",
    }
    errors = "\n".join(_errors(network))
    for name in (
        "images/deep/deeper/stolen.png",
        "images/other-town",
        "files/gone.pdf",
        "articles/loop",
        "articles/stolen.md",
    ):
        assert f"content/alpha/{name}: error: " in errors, errors
        assert f"content/alpha/{name}: ошибка: " in errors
    assert "same.png" not in errors  # a link inside the folder is fine
    assert "Новость 0" not in errors  # the linked article was never read


# -- pelican: in sites/<town>.yaml -------------------------------------------------------

REFUSED_SETTINGS = [
    "OUTPUT_PATH: /tmp/x",
    "PATH: /etc",
    "CACHE_PATH: ../x",
    "THEME: /etc",
    "PLUGIN_PATHS: [/tmp]",
    "DELETE_OUTPUT_DIRECTORY: true",
    "OUTPUT_SOURCES: true",
    "STATIC_CREATE_LINKS: true",
    "JINJA_ENVIRONMENT: {extensions: [x]}",
    "THEME_TEMPLATES_OVERRIDES: [/etc]",
    "DOCUTILS_SETTINGS: {file_insertion_enabled: true}",
    "READERS: {txt: x}",
    "IGNORE_FILES: []",
    "MARKDOWN: {extensions: [x]}",
    "STATIC_PATHS: [../beta]",
    "STATIC_PATHS: [/etc]",
    "ARTICLE_PATHS: ['..']",
    "PAGE_PATHS: ['C:\\\\x']",
    "ARTICLE_SAVE_AS: ../../beta/{slug}.html",
    "ARTICLE_SAVE_AS: /etc/{slug}.html",
    "ARTICLE_URL: '%2e%2e/{slug}.html'",
    "ARTICLE_SAVE_AS: '{category}/{slug}.html'",
    "TAG_SAVE_AS: '..\\\\{slug}.html'",
    "CATEGORY_FEED_ATOM: ../feeds/{slug}.xml",
    "SEARCH_INDEX_SAVE_AS: ../../x.js",
    "EXTRA_PATH_METADATA: {'../beta/news-0.md': {path: x.html}}",
    "EXTRA_PATH_METADATA: {'images/potter.png': {save_as: ../../x.png}}",
    "DEFAULT_METADATA: {save_as: /etc/x}",
    "TEMPLATE_PAGES: {'../../etc/passwd': x.html}",
    "TEMPLATE_PAGES: {'a.html': ../../x.html}",
    "DIRECT_TEMPLATES: [../../etc/passwd]",
    "PAGINATION_PATTERNS: [[1, '{name}.html', '../{name}.html']]",
    "PLUGINS: [../../evil]",
    "PLUGINS: [/tmp/evil]",
]


@pytest.mark.parametrize("setting", REFUSED_SETTINGS)
def test_settings_leading_out_are_refused(project: Path, setting: str) -> None:
    (project / "content/vyborg").mkdir(parents=True)
    path = write(
        project / "sites/vyborg.yaml",
        f"name: {{ru: Выборг}}\nlanguages: [ru]\npelican:\n  {setting}\n",
    )
    with pytest.raises(GardarikaError) as caught:
        load_town(path, project)
    problems = caught.value.problems
    assert problems and all(p.file == "sites/vyborg.yaml" for p in problems)
    assert all(p.key and p.key.startswith("pelican.") and p.line for p in problems)
    assert all(p.en and p.ru for p in problems)


def test_harmless_settings_pass(project: Path) -> None:
    (project / "content/vyborg").mkdir(parents=True)
    path = write(
        project / "sites/vyborg.yaml",
        """
        name: {ru: Выборг}
        languages: [ru]
        pelican:
          DEFAULT_PAGINATION: 5
          PLUGINS: [offline_search]
          ARTICLE_SAVE_AS: "news/{date:%Y}/{slug}.html"
          STATIC_PATHS: [images, files, extra/robots.txt]
          EXTRA_PATH_METADATA: {extra/robots.txt: {path: robots.txt}}
          MENUITEMS: [[Музей, "https://example.org"]]
          DISPLAY_PAGES_ON_MENU: false
          SEARCH_INDEX_SAVE_AS: ""
    """,
    )
    assert load_town(path, project).pelican["DEFAULT_PAGINATION"] == 5


# -- builds with the content check switched off ------------------------------------------


def _tree(root: Path) -> dict[str, str]:
    """Every file of the project but the building town's own output, the caches and the
    portal's pages (made again from the towns' news, which the building town's changes)."""
    found = {}
    for folder, dirs, files in os.walk(root):
        rel = os.path.relpath(folder, root)
        dirs[:] = [
            d
            for d in dirs
            if os.path.join(rel, d)
            not in (
                os.path.join(".", ".cache"),
                os.path.join(".", "themes"),
                os.path.join(".", "plugins"),
                os.path.join("output", "alpha"),
            )
        ]
        for name in files:
            path = Path(folder) / name
            if rel == "output" and name.startswith("index") and name.endswith(".html"):
                continue
            found[str(path.relative_to(root))] = (
                hashlib.sha256(path.read_bytes()).hexdigest() if not path.is_symlink() else "link"
            )
    return found


def _output_text(root: Path) -> str:
    text = []
    for path in (root / "output").rglob("*"):
        if path.is_file():
            text.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(text)


@pytest.fixture
def built(network: Path, build_network, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Both towns built once; then the content check is off for the next builds."""
    assert build_network(network).ok
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    monkeypatch.setattr(gardarika.build.builder, "lint_town", lambda town, root, **_: [])
    return network


def _assert_confined(network: Path, before: dict[str, str], report: object) -> None:
    assert _tree(network) == before, report.log  # type: ignore[attr-defined]
    assert SECRET not in _output_text(network)
    assert not list(network.parent.glob("evil*")) and not (network / "evil.html").exists()
    stage = network / ".cache/stage"
    assert not stage.exists() or not any(stage.iterdir())


@pytest.mark.parametrize(
    "body",
    [
        "![x]({static}/../../secret.txt)",
        "![x]({static}../../../secret.txt)",
        "![x]({attach}../../../secret.txt)",
        "[x]({filename}/../../secret.txt)",
        "![x]({static}/../beta/news-0.md)",
        "![x](../../../secret.txt)",
    ],
)
def test_links_cannot_read_outside_even_unchecked(built: Path, build_network, body: str) -> None:
    _article(built, "", body)
    before = _tree(built)
    report = build_network(built, ["alpha"])
    _assert_confined(built, before, report)
    if "static" in body or "attach" in body:
        assert report.failed == ["alpha"], report.log


@pytest.mark.parametrize(
    "header",
    [
        "Save_as: ../../beta/index.html",
        "Save_as: ../../../evil.html",
        "Save_as: ../site-evil/x.html",
        "Save_as: /tmp/evil.html",
        "Slug: ../../../evil",
        "Template: ../../../../secret",
    ],
)
def test_metadata_cannot_write_outside_even_unchecked(
    built: Path, build_network, header: str
) -> None:
    _article(built, header, "![x]({attach}../images/potter.png)")
    before = _tree(built)
    report = build_network(built, ["alpha"])
    _assert_confined(built, before, report)


def test_symbolic_links_cannot_be_read_even_unchecked(
    built: Path, build_network, tmp_path: Path
) -> None:
    content = built / "content/alpha"
    (content / "images" / "stolen.png").symlink_to(tmp_path / "secret.txt")
    (content / "files").mkdir()
    (content / "files" / "other").symlink_to(built / "content/beta", target_is_directory=True)
    (content / "articles" / "stolen.md").symlink_to(tmp_path / "secret.txt")
    before = _tree(built)
    report = build_network(built, ["alpha"])
    assert report.failed == ["alpha"], report.log
    _assert_confined(built, before, report)
    assert "content/alpha" in report.log and "outside" in report.log


@pytest.mark.parametrize(
    "settings",
    [
        {"OUTPUT_PATH": "{root}/output/beta"},
        {"OUTPUT_PATH": "{root}"},
        {"CACHE_PATH": "{root}/output/beta"},
        {"ARTICLE_SAVE_AS": "../../beta/{slug}.html"},
        {"ARTICLE_SAVE_AS": "../../../evil-{slug}.html"},
        {"THEME_STATIC_DIR": "../../../evil-theme"},
        {"STATIC_PATHS": ["../beta"]},
        {"TEMPLATE_PAGES": {"../beta/news-0.md": "stolen.html"}},
        # (an absolute TEMPLATE_PAGES source outside the project is refused by the settings
        # check alone: the build guard restricts reads inside the project and through the
        # content folder, not every read of the system)
        {"OUTPUT_SOURCES": True, "OUTPUT_SOURCES_EXTENSION": "/../../../../evil.txt"},
        {"STATIC_CREATE_LINKS": True},
        {"SEARCH_INDEX_SAVE_AS": "../../beta/search-index.js"},
    ],
)
def test_pelican_settings_cannot_lead_outside_even_unchecked(
    built: Path, build_network, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: dict
) -> None:
    values = {
        k: v.replace("{root}", str(built)) if isinstance(v, str) else v for k, v in settings.items()
    }
    real_load = gardarika.build.builder.load_network

    def load_unchecked(root: Path):
        network = real_load(root)
        town = network.towns["alpha"]
        network.towns["alpha"] = dataclasses.replace(town, pelican={**town.pelican, **values})
        return network

    monkeypatch.setattr(gardarika.build.builder, "load_network", load_unchecked)
    before = _tree(built)
    report = build_network(built, ["alpha"], skip_unchanged=False)
    _assert_confined(built, before, report)


def test_guard_resolves_paths_as_the_system_does(tmp_path: Path) -> None:
    from gardarika.build.guard import Guard

    (tmp_path / "content" / "sub").mkdir(parents=True)
    (tmp_path / "elsewhere" / "deep").mkdir(parents=True)
    (tmp_path / "content" / "link").symlink_to(tmp_path / "elsewhere" / "deep")
    (tmp_path / "content" / "file-link").symlink_to(tmp_path / "elsewhere" / "x.txt")
    guard = Guard(project=tmp_path, content=tmp_path / "content", writable=[], readable=[])
    for rel in [
        "content/sub/a.md",
        "content/link/b.md",
        "content/link/../c.md",
        "content/file-link",
        "content/sub/../link/d",
        "content/sub/",
        "content",
        "content/missing/e.md",
    ]:
        path = str(tmp_path / rel)
        for _ in range(2):  # the second time from the remembered folders
            assert guard.real(path) == os.path.realpath(path), rel
