"""End to end: a tiny network built with the real theme and plugins, in worker processes."""

from __future__ import annotations

import hashlib
import multiprocessing
import re
from pathlib import Path

from projects import REPO, broken_links, write

from gardarika.build.builder import Builder


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def html(path: Path) -> str:
    """A page's text with no-break spaces as plain spaces (typography is tested apart)."""
    return path.read_text(encoding="utf-8").replace("\u00a0", " ").replace("&nbsp;", " ")


def test_layout_languages_and_portal(network: Path, build_network) -> None:
    report = build_network(network)
    assert report.ok, report.log
    out = network / "output"
    for path in ("index.html", "alpha/index.html", "alpha/en/index.html", "beta/index.html"):
        assert (out / path).is_file(), path
    assert not (out / "beta" / "en").exists()

    # each language is a full subsite with its own listings
    for sub in ("alpha", "alpha/en"):
        for page in ("archives.html", "categories.html", "tags.html"):
            assert (out / sub / page).is_file(), f"{sub}/{page}"
    assert '<html lang="ru"' in html(out / "alpha/index.html")
    assert '<html lang="en"' in html(out / "alpha/en/index.html")

    # an article in one language only is listed only in that language
    ru_home, en_home = html(out / "alpha/index.html"), html(out / "alpha/en/index.html")
    assert "Объявление только по-русски" in ru_home and "Note for visitors" not in ru_home
    assert "Note for visitors" in en_home and "Объявление только по-русски" not in en_home
    assert "Ярмарка ремёсел" in ru_home and "Craft fair" in en_home

    # the translation shares the original's file name and slug, in its own folder
    ru_article = next(
        p
        for p in (out / "alpha").glob("*.html")
        if "Ярмарка ремёсел" in html(p) and p.name != "index.html" and "archives" not in p.name
    )
    en_article = out / "alpha" / "en" / ru_article.name
    assert en_article.is_file()
    assert f'href="./en/{ru_article.name}"' in html(ru_article)
    assert f'href="./../{ru_article.name}"' in html(en_article)
    assert 'hreflang="en"' in html(ru_article)

    # pictures are written once and linked from both languages; cross-language links work
    assert (out / "alpha/images/potter.png").is_file()
    assert not (out / "alpha/en/images").exists()
    assert 'src="./../images/potter.png"' in html(en_article)
    notice = re.search(r'href="\./\.\./([^"]+)">notice<', html(en_article))
    assert notice and (out / "alpha" / notice.group(1)).is_file()

    # the theme files are written once too
    assert (out / "alpha/theme/css/main.css").is_file()
    assert not (out / "alpha/en/theme").exists()
    assert "../theme/css/main.css" in en_home

    # the portal links every town in each of its languages, in network order, with a
    # page of its own in each of the network's languages
    portal = html(out / "index.html")
    for link in ("alpha/index.html", "alpha/en/index.html", "beta/index.html"):
        assert f'href="{link}"' in portal
    towns = portal[portal.index('class="portal-towns"') :]
    assert towns.index("Бета") < towns.index("Альфа")
    english = html(out / "index-en.html")
    assert "Тестовая сеть" in portal and "Test network" not in portal
    assert "Test network" in english and '<html lang="en"' in english
    assert 'href="index-en.html"' in portal and 'href="index.html"' in english


def test_every_link_is_relative_and_names_a_file(network: Path, build_network) -> None:
    assert build_network(network).ok
    assert broken_links(network / "output") == []


def test_neighbours_and_portal_links_from_town_pages(network: Path, build_network) -> None:
    assert build_network(network).ok
    out = network / "output"
    en_home = html(out / "alpha/en/index.html")
    assert "../../beta/index.html" in en_home  # beta has no English: its Russian home
    assert "../../index-en.html" in en_home  # the portal, in English
    assert "../index.html" in html(out / "alpha/index.html").split('class="network-home"')[1][:40]


def test_each_run_is_its_own_process(network: Path, build_network) -> None:
    from pelican import signals

    before = list(signals.content_written.receivers)
    report = build_network(network)
    assert report.ok
    # the parent never ran Pelican: no plugin or counter is left connected here
    assert list(signals.content_written.receivers) == before
    assert not list(signals.article_generator_pretaxonomy.receivers)


def test_broken_town_keeps_old_output_and_others_build(network: Path, build_network) -> None:
    assert build_network(network).ok
    out = network / "output"
    old_alpha = tree_digest(out / "alpha")
    # an article saved in Windows-1251 by an old editor
    bad = network / "content/alpha/articles/concert.md"
    bad.write_bytes("Title: Концерт\nDate: 2024-06-01\n\nХор.\n".encode("cp1251"))
    write(network / "content/beta/news-9.md", "Title: Новое\nDate: 2024-09-09\n\nЕщё.\n")

    report = build_network(network)
    assert not report.ok
    assert report.failed == ["alpha"] and report.built == ["beta"]
    assert "content/alpha/articles/concert.md:1" in report.log
    assert "UTF-8" in report.log and "кодировке" in report.log
    assert tree_digest(out / "alpha") == old_alpha
    assert "Новое" in html(out / "beta/index.html")
    assert not (network / ".cache/stage/alpha").exists()


def test_a_town_whose_checks_fail_is_not_published_though_its_build_ran(
    network: Path, build_network
) -> None:
    """The checks and the builds run side by side: an error only the checks see (a link
    to no file) still keeps the town's new pages from being published."""
    assert build_network(network).ok
    out = network / "output"
    old_alpha = tree_digest(out / "alpha")
    write(
        network / "content/alpha/articles/links.md",
        "Title: Ссылки\nDate: 2024-07-01\n\nСм. [отчёт](nowhere/report.md).\n",
    )
    report = build_network(network)
    assert report.failed == ["alpha"], report.log
    assert "content/alpha/articles/links.md:4: error:" in report.log
    assert "not built, its content has errors" in report.log
    assert tree_digest(out / "alpha") == old_alpha
    assert not (network / ".cache/stage/alpha").exists()


def test_hidden_files_and_folders_are_not_built(network: Path, build_network) -> None:
    # the editors' checks skip them too, so they must not be published unchecked
    write(network / "content/beta/.drafts/draft.md", "Title: Черновик\nDate: 2024-03-01\n\nx\n")
    write(network / "content/beta/.hidden.md", "Title: Скрытый\nDate: 2024-03-02\n\nx\n")
    write(network / "content/beta/.git/objects/notes.md", "not an article\n")
    report = build_network(network)
    assert report.ok, report.log
    pages = "".join(
        p.read_text(encoding="utf-8") for p in (network / "output/beta").rglob("*.html")
    )
    assert "Новость 0" in pages
    assert "Черновик" not in pages and "Скрытый" not in pages and "not an article" not in pages


def test_article_without_date_fails_its_town(network: Path, build_network) -> None:
    write(network / "content/beta/undated.md", "Title: Без даты\n\nТекст.\n")
    report = build_network(network)
    assert report.failed == ["beta"]
    assert "content/beta/undated.md:1: error: there is no date" in report.log


def test_broken_settings_file_others_still_build(network: Path, build_network) -> None:
    write(network / "sites/beta.yaml", "name: {ru: Бета}\nlanguages: [ru]\ncolour: red\n")
    report = build_network(network)
    assert not report.ok
    assert report.failed == ["beta"] and report.built == ["alpha"]
    assert "sites/beta.yaml:3" in report.log and "colour" in report.log
    assert (network / "output/alpha/en/index.html").is_file()


def test_site_option_builds_only_that_town(network: Path, build_network) -> None:
    report = build_network(network, ["beta"])
    assert report.ok and report.built == ["beta"]
    assert (network / "output/beta/index.html").is_file()
    assert not (network / "output/alpha").exists()
    assert "beta/index.html" in html(network / "output/index.html")


def test_unknown_site_option(network: Path) -> None:
    import pytest

    from gardarika.build.builder import BuildError

    with pytest.raises(BuildError, match=r"no sites/gamma\.yaml"):
        Builder(network, echo=lambda _: None).build(["gamma"])


def test_pelican_passthrough_and_pagination(network: Path, build_network) -> None:
    write(
        network / "sites/beta.yaml",
        """
        name: {ru: Бета}
        languages: [ru]
        pelican:
          DEFAULT_PAGINATION: 1
    """,
    )
    assert build_network(network, ["beta"]).ok
    out = network / "output/beta"
    assert (out / "index.html").is_file() and (out / "index_2.html").is_file()
    assert 'href="./index_2.html"' in html(out / "index.html")


def test_third_language_and_plain_pelican_theme(project: Path, build_network) -> None:
    """Languages are per town; a town may use Pelican's own simple theme."""
    import pelican

    simple = Path(pelican.__file__).parent / "themes" / "simple"
    themes = project / "themes"
    themes.unlink()
    themes.mkdir()
    (themes / "gardarika").symlink_to(REPO / "themes/gardarika")
    (themes / "simple").symlink_to(simple)
    write(
        project / "sites/gamma.yaml",
        """
        name: {fi: Viipuri, ru: Выборг, en: Vyborg}
        languages: [fi, ru, en]
        theme: simple
    """,
    )
    write(project / "content/gamma/uutinen.md", "Title: Uutinen\nDate: 2024-01-01\n\nTeksti.\n")
    write(project / "content/gamma/uutinen.ru.md", "Title: Новость\nDate: 2024-01-01\n\nТекст.\n")
    report = build_network(project)
    assert report.ok, report.log
    out = project / "output/gamma"
    assert "Uutinen" in html(out / "index.html")
    assert "Новость" in html(out / "ru/index.html")
    assert "Новость" not in html(out / "en/index.html")


def test_yaml_front_matter_and_its_errors(network: Path, build_network) -> None:
    write(
        network / "content/beta/front.md",
        """
        ---
        title: "Собрание: повестка"
        date: 2024-03-03 18:00
        tags: [собрание, жители]
        ---
        Текст.
    """,
    )
    report = build_network(network, ["beta"])
    assert report.ok, report.log
    assert "Собрание: повестка" in html(network / "output/beta/index.html")

    write(
        network / "content/beta/front.md",
        """
        ---
        title: Собрание: повестка
        date: 2024-03-03 18:00
        ---
        Текст.
    """,
    )
    report = build_network(network, ["beta"])
    assert report.failed == ["beta"]
    assert "content/beta/front.md:2:" in report.log
    assert "не валидный" not in report.log and "кавычки" in report.log


def give_beta_plugin(network: Path, monkeypatch, name: str, imports: str, on_register: str) -> None:
    """Town beta's builds load a plugin ``name`` of the network that runs
    ``on_register``."""
    write(
        network / "plugins" / f"{name}.py", f"{imports}\n\n\ndef register():\n    {on_register}\n"
    )
    write(
        network / "sites/beta.yaml",
        f"""
        name: {{ru: Бета}}
        languages: [ru]
        pelican:
          PLUGINS: [{name}]
    """,
    )


def test_a_crashing_build_process_is_isolated(network: Path, build_network, monkeypatch) -> None:
    """A worker that dies outright (as on a segfault) fails its town only."""
    assert build_network(network).ok
    old_beta = tree_digest(network / "output/beta")
    give_beta_plugin(network, monkeypatch, "sudden_death", "import os", "os._exit(3)")
    report = build_network(network)
    assert report.failed == ["beta"] and report.built == ["alpha"]
    assert "exit code 3" in report.log and "код 3" in report.log
    assert tree_digest(network / "output/beta") == old_beta


def test_a_run_that_never_ends_is_stopped_at_the_time_limit(
    network: Path, build_network, monkeypatch
) -> None:
    """A file that makes Pelican work without end must not hold up the network."""
    assert build_network(network).ok
    old_beta = tree_digest(network / "output/beta")
    give_beta_plugin(network, monkeypatch, "endless", "import time", "time.sleep(600)")
    report = build_network(network, time_limit=3)
    assert report.failed == ["beta"] and report.built == ["alpha"], report.log
    assert (
        "content/beta: error: the build of beta/ru took longer than 0.05 minutes and "
        "was stopped" in report.log
    )
    assert "шла дольше 0.05 мин" in report.log
    assert tree_digest(network / "output/beta") == old_beta
    assert not [p for p in multiprocessing.active_children() if "beta" in p.name]


def test_one_town_alone_links_only_neighbours_that_exist(network: Path, build_network) -> None:
    report = build_network(network, ["alpha"])
    assert report.ok, report.log
    assert "beta/index.html" not in html(network / "output/alpha/index.html")
    assert build_network(network, ["beta"]).ok
    assert build_network(network, ["alpha"]).ok
    assert "../beta/index.html" in html(network / "output/alpha/index.html")


def test_rebuild_after_an_edit_uses_the_cache_and_keeps_links(network: Path, build_network) -> None:
    """Pelican's content cache (items read in an earlier run) must not bend links."""
    assert build_network(network).ok
    before = tree_digest(network / "output/alpha")
    notice = network / "content/alpha/articles/notice.md"
    notice.write_text(notice.read_text(encoding="utf-8") + "\nЕщё строка.\n", encoding="utf-8")
    report = build_network(network)
    assert report.ok, report.log
    assert report.skipped == ["beta"] and report.built == ["alpha"]
    assert broken_links(network / "output") == []
    # built again from the content cache: the same pages
    digest = tree_digest(network / "output/alpha")
    assert build_network(network, skip_unchanged=False).ok
    assert tree_digest(network / "output/alpha") == digest
    after = tree_digest(network / "output/alpha")
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed and len(changed) < len(after) / 4
    assert {"index.html", "search-index.js"} & changed


def test_content_caches_of_older_code_are_removed(network: Path, build_network) -> None:
    assert build_network(network).ok
    lang_folder = network / ".cache/pelican/alpha/ru"
    [current] = list(lang_folder.iterdir())
    (lang_folder / "0123456789abcdef").mkdir()  # left by an earlier version of the code
    (lang_folder / "0123456789abcdef" / "cache").write_bytes(b"old")
    assert build_network(network, skip_unchanged=False).ok
    assert [p.name for p in lang_folder.iterdir()] == [current.name]


def test_unchanged_town_is_skipped_and_files_keep_their_times(network: Path, build_network) -> None:
    assert build_network(network).ok
    times = {p: p.stat().st_mtime_ns for p in (network / "output").rglob("*") if p.is_file()}
    again = build_network(network)
    assert again.ok and sorted(again.skipped) == ["alpha", "beta"] and again.built == []
    assert {p: p.stat().st_mtime_ns for p in times} == times
    # a change of the theme's code rebuilds, but unchanged bytes keep their file times
    report = build_network(network, skip_unchanged=False)
    assert report.ok and sorted(report.built) == ["alpha", "beta"]
    assert {p: p.stat().st_mtime_ns for p in times} == times


def test_portal_is_made_again_only_when_what_it_shows_changed(
    network: Path, build_network, monkeypatch
) -> None:
    import gardarika.build.builder

    assert build_network(network).ok
    made: list[Path] = []
    real_render = gardarika.build.builder.render_portal
    monkeypatch.setattr(
        gardarika.build.builder,
        "render_portal",
        lambda net, out: made.append(out) or real_render(net, out),
    )
    assert build_network(network).ok and made == []  # nothing changed
    write(network / "sites/beta.yaml", "name:\n  ru: Бета-Новая\nlanguages: [ru]\n")
    assert build_network(network).ok and len(made) == 1
    assert "Бета-Новая" in html(network / "output/index.html")
    (network / "output/index.html").unlink()  # gone from the output: made again
    assert build_network(network).ok and len(made) == 2
    assert (network / "output/index.html").is_file()


def test_a_build_reports_problems_still_in_towns_it_did_not_rebuild(
    network: Path, build_network
) -> None:
    """The check after a build covers the whole output: a town the build leaves alone
    keeps the problems its last check found (``.cache/checks.json``), and they count in
    the summary and the exit code; a town whose output was never checked (built with
    ``--no-check``) is checked again, even when it is not rebuilt."""
    from gardarika.cli import main

    first = build_network(network)
    assert first.ok, first.log
    home = network / "output" / "alpha" / "index.html"
    linked = next(
        p
        for p in (network / "output" / "alpha").glob("*.html")
        if p.name != "index.html" and p.name in home.read_text("utf-8")
    )
    linked.unlink()  # the output of alpha is now broken (as its last check will say)
    assert main(["--root", str(network), "check"]) == 1
    again = build_network(network)  # nothing changed: nothing is rebuilt
    assert all(t.skipped for t in again.towns), again.log
    assert not again.ok and again.findings, again.log
    assert any(f.file.startswith("alpha/") for f in again.findings)
    assert "Found by an earlier check and still there (towns not rebuilt now: alpha)" in again.log
    assert "найдено прежней проверкой" in again.log
    assert main(["--root", str(network), "build"]) == 1
    # rebuilt without the check, then left alone: its output is looked at again
    assert build_network(network, ["alpha"], skip_unchanged=False, check=False).ok
    linked.unlink()
    unchecked = build_network(network)
    assert all(t.skipped for t in unchecked.towns), unchecked.log
    assert not unchecked.ok and any(f.file.startswith("alpha/") for f in unchecked.findings)
    assert "Found by an earlier check" not in unchecked.log  # checked now, not kept
    # mended by a rebuild: clean again, and so is the next build that rebuilds nothing
    assert build_network(network, ["alpha"], skip_unchanged=False).ok
    assert build_network(network).ok
