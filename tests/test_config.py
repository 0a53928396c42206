"""sites/<town>.yaml and sites/network.yaml: good files load, bad ones explain themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from gardarika.config import (
    DEFAULT_THEME,
    DEFAULT_TIMEZONE,
    load_network,
    load_network_config,
    load_site,
)
from gardarika.errors import GardarikaError, Problem


def site_file(root: Path, text: str, town: str = "vyborg") -> Path:
    (root / "content" / town).mkdir(parents=True, exist_ok=True)
    return write(root / "sites" / f"{town}.yaml", text)


def problems_of(path: Path, root: Path) -> list[Problem]:
    with pytest.raises(GardarikaError) as caught:
        load_site(path, root)
    return caught.value.problems


def test_minimum_from_design_loads_with_defaults(project: Path) -> None:
    path = site_file(project, """
        name:
          ru: Выборг
          en: Vyborg
        languages: [ru, en]
    """)
    site = load_site(path, project)
    assert site.id == "vyborg"
    assert site.name == {"ru": "Выборг", "en": "Vyborg"}
    assert site.languages == ("ru", "en")
    assert site.default_language == "ru"
    assert site.theme == DEFAULT_THEME
    assert site.timezone == DEFAULT_TIMEZONE
    assert site.content == project / "content" / "vyborg"
    assert site.description == {} and site.contacts == {} and site.neighbours == ()
    assert site.base_url is None and site.deploy == {} and site.pelican == {}


def test_every_optional_key(project: Path) -> None:
    (project / "content" / "shared" / "vyborg").mkdir(parents=True)
    path = site_file(project, """
        name: {ru: Выборг, en: Vyborg, fi: Viipuri}
        languages: [ru, en, fi]
        description: Город у залива       # one text for every language
        theme: gardarika
        timezone: Europe/Kaliningrad
        content: content/shared/vyborg
        contacts:
          email: info@example.org
          phone: "+7 000 000-00-00"
          address: {ru: "Выборг, ул. Крепостная", en: "Vyborg, Krepostnaya St."}
        neighbours: [kargopol]
        base_url: https://vyborg.example.org/
        deploy:
          web: {type: rsync, host: example.org, path: /var/www/vyborg}
        repository: {url: https://example.org/vyborg.git}
        pelican:
          DEFAULT_PAGINATION: 5
          PLUGINS: [offline_search]
    """)
    site = load_site(path, project)
    assert site.languages == ("ru", "en", "fi")
    assert site.description == dict.fromkeys(("ru", "en", "fi"), "Город у залива")
    assert site.timezone == "Europe/Kaliningrad"
    assert site.content == project / "content" / "shared" / "vyborg"
    assert site.contacts["email"] == "info@example.org"
    assert site.contacts["address"]["en"] == "Vyborg, Krepostnaya St."
    assert site.neighbours == ("kargopol",)
    assert site.base_url == "https://vyborg.example.org"
    assert site.deploy["web"]["type"] == "rsync"
    assert site.repository == {"url": "https://example.org/vyborg.git", "branch": "main"}
    assert site.pelican == {"DEFAULT_PAGINATION": 5, "PLUGINS": ["offline_search"]}


def test_missing_required_keys_are_both_reported(project: Path) -> None:
    path = site_file(project, "description: Город\n")
    problems = problems_of(path, project)
    text = "\n".join(p.format() for p in problems)
    assert "“name” is missing" in text and "“languages” is missing" in text
    assert "нет обязательного ключа «name»" in text
    assert all(p.file == "sites/vyborg.yaml" for p in problems)


def test_all_problems_of_a_file_at_once_with_lines(project: Path) -> None:
    path = site_file(project, """
        name:
          ru: Выборг
        languages: ru, en
        timezone: Mars/Olympus
        neighbors: [kargopol]
        base_url: vyborg.example.org
        theme: no-such-theme
    """)
    problems = problems_of(path, project)
    by_key = {p.key: p for p in problems}
    assert set(by_key) >= {"languages", "timezone", "neighbors", "base_url", "theme"}
    assert by_key["languages"].line == 3
    assert by_key["timezone"].line == 4
    assert by_key["neighbors"].line == 5
    assert "Did you mean “neighbours”?" in by_key["neighbors"].en
    assert "Может быть, имелось в виду «neighbours»?" in by_key["neighbors"].ru
    assert "Mars/Olympus" in by_key["timezone"].en
    assert by_key["base_url"].line == 6
    assert "no-such-theme" in by_key["theme"].en
    assert problems[0].format().startswith("sites/vyborg.yaml:")


@pytest.mark.parametrize(("text", "key", "words"), [
    ("name: Выборг\nlanguages: [ru]\n", "name", "one entry per language"),
    ("name: {ru: Выборг}\nlanguages: [ru, en]\n", "name", "no text for en"),
    ("name: {ru: Выборг}\nlanguages: [ru, ru]\n", "languages.1", "listed twice"),
    ("name: {ru: Выборг}\nlanguages: [ru, RU]\n", "languages.1", "not a language code"),
    ("name: {ru: Выборг}\nlanguages: [ru, xq]\n", "languages.1", "unknown language code"),
    ("name: {ru: Выборг}\nlanguages: []\n", "languages", "list of language codes"),
    ("name: {ru: ''}\nlanguages: [ru]\n", "name.ru", "empty"),
    ("name: {ru: Выборг}\nlanguages: [ru]\ncontacts: info@example.org\n", "contacts",
     "group of"),
    ("name: {ru: Выборг}\nlanguages: [ru]\ncontacts: {email: nobody}\n", "contacts.email",
     "e-mail"),
    ("name: {ru: Выборг}\nlanguages: [ru]\ncontacts: {fax: 1}\n", "contacts.fax",
     "unknown key"),
    ("name: {ru: Выборг}\nlanguages: [ru]\nneighbours: kargopol\n", "neighbours",
     "list of town ids"),
    ("name: {ru: Выборг}\nlanguages: [ru]\nneighbours: [vyborg]\n", "neighbours",
     "own neighbour"),
    ("name: {ru: Выборг}\nlanguages: [ru]\ncontent: /etc\n", "content", "inside the project"),
    ("name: {ru: Выборг}\nlanguages: [ru]\ncontent: content/none\n", "content",
     "does not exist"),
    ("name: {ru: Выборг}\nlanguages: [ru]\ndeploy: {web: {type: ftp}}\n", "deploy.web.type",
     "one of dir, rsync, s3, git"),
    ("name: {ru: Выборг}\nlanguages: [ru]\ndeploy: {s3: {type: s3, bucket: b, secret_key: x}}"
     "\n", "deploy.s3.secret_key", "secrets must not be kept"),
    ("name: {ru: Выборг}\nlanguages: [ru]\ndeploy: {usb: {type: dir}}\n", "deploy.usb",
     "needs “path”"),
    ("name: {ru: Выборг}\nlanguages: [ru]\nrepository: {branch: main}\n", "repository",
     "“url”"),
    ("name: {ru: Выборг}\nlanguages: [ru]\npelican: {SITEURL: x}\n", "pelican.SITEURL",
     "base_url"),
    ("name: {ru: Выборг}\nlanguages: [ru]\npelican: {default_pagination: 5}\n",
     "pelican.default_pagination", "capitals"),
    ("name: {ru: Выборг}\nlanguages: [ru]\ntimezone: 5\n", "timezone", "unknown time zone"),
    ("name: {ru: Выборг}\nlanguages: [ru]\ndescription: [a, b]\n", "description", "text"),
])
def test_wrong_values_name_the_key(project: Path, text: str, key: str, words: str) -> None:
    problems = problems_of(site_file(project, text), project)
    matching = [p for p in problems if p.key == key]
    assert matching, [p.format() for p in problems]
    assert words in matching[0].en
    assert matching[0].ru  # every message has its Russian half
    assert matching[0].line is not None or key in ("content",)


def test_invalid_yaml_gives_the_line(project: Path) -> None:
    path = site_file(project, "name:\n  ru: Выборг\nlanguages: [ru\n\ttheme: x\n")
    [problem] = problems_of(path, project)
    assert problem.line is not None and problem.line >= 3
    assert "not valid YAML" in problem.en and "YAML" in problem.ru


def test_duplicate_key_is_reported(project: Path) -> None:
    path = site_file(project, "name: {ru: Выборг}\nlanguages: [ru]\nlanguages: [ru]\n")
    [problem] = problems_of(path, project)
    assert problem.line == 3 and "written twice" in problem.en and "line 2" in problem.en


def test_file_not_utf8(project: Path) -> None:
    (project / "content" / "vyborg").mkdir(parents=True)
    path = project / "sites" / "vyborg.yaml"
    path.write_bytes("name: {ru: Выборг}\nlanguages: [ru]\n".encode("cp1251"))
    [problem] = problems_of(path, project)
    assert "UTF-8" in problem.en and problem.line == 1


def test_empty_file_and_not_a_mapping(project: Path) -> None:
    assert "empty" in problems_of(site_file(project, ""), project)[0].en
    assert "group of" in problems_of(site_file(project, "- ru\n- en\n"), project)[0].en


def test_bad_file_name(project: Path) -> None:
    path = site_file(project, "name: {ru: Город}\nlanguages: [ru]\n", town="Big_Town")
    problems = problems_of(path, project)
    assert any("cannot be a town id" in p.en for p in problems)


def test_network_file(project: Path) -> None:
    write(project / "sites" / "network.yaml", """
        name: {ru: Сеть, en: Network}
        order: [b, a]
    """)
    config = load_network_config(project / "sites" / "network.yaml", project)
    assert config.name == {"ru": "Сеть", "en": "Network"}
    assert config.order == ("b", "a")
    assert load_network_config(project / "sites" / "missing.yaml", project).name["en"]


def test_network_file_problems(project: Path) -> None:
    write(project / "sites" / "network.yaml", "name: Сеть\norder: a\ncolour: red\n")
    with pytest.raises(GardarikaError) as caught:
        load_network_config(project / "sites" / "network.yaml", project)
    keys = {p.key for p in caught.value.problems}
    assert keys == {"name", "order", "colour"}


def test_load_network_keeps_good_towns_and_lists_broken(project: Path) -> None:
    site_file(project, "name: {ru: Выборг}\nlanguages: [ru]\nneighbours: [atlantis]\n")
    site_file(project, "name: {ru: Каргополь, en: Kargopol}\nlanguages: [ru, en]\n",
              town="kargopol")
    site_file(project, "name: [oops]\n", town="staraya-ladoga")
    write(project / "sites" / "network.yaml", "order: [kargopol, vyborg, nowhere]\n")
    network = load_network(project)
    assert list(network.sites) == ["kargopol", "vyborg"]
    assert network.broken == ["staraya-ladoga"]
    assert network.ordered_ids() == ["kargopol", "vyborg"]
    warnings = [p for p in network.problems if p.severity == "warning"]
    assert {p.file for p in warnings} == {"sites/vyborg.yaml", "sites/network.yaml"}
    assert any("atlantis" in p.en and p.line == 3 for p in warnings)
    errors = [p for p in network.problems if p.severity == "error"]
    assert errors and all(p.file == "sites/staraya-ladoga.yaml" for p in errors)


@pytest.mark.parametrize("value, trusted", [(None, False), ("true", True), ("false", False)])
def test_trust_html_switches_the_cleaning_of_content(project: Path, value: str | None,
                                                     trusted: bool) -> None:
    from gardarika.config import load_network
    from gardarika.settings import pelican_settings

    text = "name: {ru: Выборг}\nlanguages: [ru]\n"
    path = site_file(project, text + (f"trust_html: {value}\n" if value else ""))
    site = load_site(path, project)
    assert site.trust_html is trusted
    settings = pelican_settings(load_network(project), site, "ru", project / "out",
                                project / "cache")
    assert settings["SAFE_HTML"] is not trusted
    assert settings["PLUGINS"].index("offline_output") < settings["PLUGINS"].index(
        "safe_html") < settings["PLUGINS"].index("light_images")


@pytest.mark.parametrize("value", ['"yes"', "1", "[true]", "да"])
def test_trust_html_must_be_true_or_false(project: Path, value: str) -> None:
    path = site_file(project, f"name: {{ru: Выборг}}\nlanguages: [ru]\ntrust_html: {value}\n")
    problems = problems_of(path, project)
    assert [(p.file, p.key, p.line) for p in problems] == [
        ("sites/vyborg.yaml", "trust_html", 3)]
    assert "“trust_html: true” or “trust_html: false”" in problems[0].en
    assert "«trust_html: true»" in problems[0].ru


def test_safe_html_is_set_by_trust_html_not_passed_through(project: Path) -> None:
    path = site_file(project, "name: {ru: Выборг}\nlanguages: [ru]\n"
                              "pelican: {SAFE_HTML: false}\n")
    problems = problems_of(path, project)
    assert [p.key for p in problems] == ["pelican.SAFE_HTML"]
    assert "trust_html" in problems[0].en
