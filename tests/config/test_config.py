"""sites/<town>.yaml and sites/network.yaml: good files load, bad ones explain themselves."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from projects import write

from gardarika.config.network import (
    DEFAULT_THEME,
    DEFAULT_TIMEZONE,
    Town,
    load_network,
    load_network_config,
    load_town,
)
from gardarika.errors import GardarikaError, Problem


def site_file(root: Path, text: str, town: str = "vyborg") -> Path:
    (root / "content" / town).mkdir(parents=True, exist_ok=True)
    return write(root / "sites" / f"{town}.yaml", text)


def problems_of(path: Path, root: Path) -> list[Problem]:
    with pytest.raises(GardarikaError) as caught:
        load_town(path, root)
    return caught.value.problems


def test_minimum_from_design_loads_with_defaults(project: Path) -> None:
    path = site_file(
        project,
        """
        name:
          ru: Выборг
          en: Vyborg
        languages: [ru, en]
    """,
    )
    town = load_town(path, project)
    assert town.id == "vyborg"
    assert town.name == {"ru": "Выборг", "en": "Vyborg"}
    assert town.languages == ("ru", "en")
    assert town.default_language == "ru"
    assert town.theme == DEFAULT_THEME
    assert town.timezone == DEFAULT_TIMEZONE
    assert town.content == project / "content" / "vyborg"
    assert town.description == {} and town.contacts == {} and town.neighbours == ()
    assert town.base_url is None and town.deploy == {} and town.pelican == {}


def test_every_optional_key(project: Path) -> None:
    (project / "content" / "shared" / "vyborg").mkdir(parents=True)
    path = site_file(
        project,
        """
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
    """,
    )
    town = load_town(path, project)
    assert town.languages == ("ru", "en", "fi")
    assert town.description == dict.fromkeys(("ru", "en", "fi"), "Город у залива")
    assert town.timezone == "Europe/Kaliningrad"
    assert town.content == project / "content" / "shared" / "vyborg"
    assert town.contacts["email"] == "info@example.org"
    assert town.contacts["address"]["en"] == "Vyborg, Krepostnaya St."
    assert town.neighbours == ("kargopol",)
    assert town.base_url == "https://vyborg.example.org"
    assert town.deploy["web"]["type"] == "rsync"
    assert town.repository == {"url": "https://example.org/vyborg.git", "branch": "main"}
    assert town.pelican == {"DEFAULT_PAGINATION": 5, "PLUGINS": ["offline_search"]}


def test_missing_required_keys_are_both_reported(project: Path) -> None:
    path = site_file(project, "description: Город\n")
    problems = problems_of(path, project)
    text = "\n".join(p.format() for p in problems)
    assert "“name” is missing" in text and "“languages” is missing" in text
    assert "нет обязательного ключа «name»" in text
    assert all(p.file == "sites/vyborg.yaml" for p in problems)


def test_all_problems_of_a_file_at_once_with_lines(project: Path) -> None:
    path = site_file(
        project,
        """
        name:
          ru: Выборг
        languages: ru, en
        timezone: Mars/Olympus
        neighbors: [kargopol]
        base_url: vyborg.example.org
        theme: no-such-theme
    """,
    )
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


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("name: Выборг\nlanguages: [ru]\n", "name", "one entry per language"),
        ("name: {ru: Выборг}\nlanguages: [ru, en]\n", "name", "no text for en"),
        ("name: {ru: Выборг}\nlanguages: [ru, ru]\n", "languages.1", "listed twice"),
        ("name: {ru: Выборг}\nlanguages: [ru, RU]\n", "languages.1", "not a language code"),
        ("name: {ru: Выборг}\nlanguages: [ru, xq]\n", "languages.1", "unknown language code"),
        ("name: {ru: Выборг}\nlanguages: []\n", "languages", "list of language codes"),
        ("name: {ru: ''}\nlanguages: [ru]\n", "name.ru", "empty"),
        (
            "name: {ru: Выборг}\nlanguages: [ru]\ncontacts: info@example.org\n",
            "contacts",
            "group of",
        ),
        (
            "name: {ru: Выборг}\nlanguages: [ru]\ncontacts: {email: nobody}\n",
            "contacts.email",
            "e-mail",
        ),
        (
            "name: {ru: Выборг}\nlanguages: [ru]\ncontacts: {fax: 1}\n",
            "contacts.fax",
            "unknown key",
        ),
        (
            "name: {ru: Выборг}\nlanguages: [ru]\nneighbours: kargopol\n",
            "neighbours",
            "list of town ids",
        ),
        (
            "name: {ru: Выборг}\nlanguages: [ru]\nneighbours: [vyborg]\n",
            "neighbours",
            "own neighbour",
        ),
        ("name: {ru: Выборг}\nlanguages: [ru]\ncontent: /etc\n", "content", "inside the project"),
        (
            "name: {ru: Выборг}\nlanguages: [ru]\ncontent: content/none\n",
            "content",
            "does not exist",
        ),
        (
            "name: {ru: Выборг}\nlanguages: [ru]\ndeploy: {web: {type: ftp}}\n",
            "deploy.web.type",
            "one of dir, rsync, s3, git",
        ),
        (
            "name: {ru: Выборг}\nlanguages: [ru]\n"
            "deploy: {s3: {type: s3, bucket: b, secret_key: x}}\n",
            "deploy.s3.secret_key",
            "secrets must not be kept",
        ),
        (
            "name: {ru: Выборг}\nlanguages: [ru]\ndeploy: {usb: {type: dir}}\n",
            "deploy.usb",
            "needs “path”",
        ),
        (
            "name: {ru: Выборг}\nlanguages: [ru]\nrepository: {branch: main}\n",
            "repository",
            "“url”",
        ),
        (
            "name: {ru: Выборг}\nlanguages: [ru]\npelican: {SITEURL: x}\n",
            "pelican.SITEURL",
            "base_url",
        ),
        (
            "name: {ru: Выборг}\nlanguages: [ru]\npelican: {default_pagination: 5}\n",
            "pelican.default_pagination",
            "capitals",
        ),
        ("name: {ru: Выборг}\nlanguages: [ru]\ntimezone: 5\n", "timezone", "unknown time zone"),
        ("name: {ru: Выборг}\nlanguages: [ru]\ndescription: [a, b]\n", "description", "text"),
    ],
)
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
    write(
        project / "sites" / "network.yaml",
        """
        name: {ru: Сеть, en: Network}
        order: [b, a]
    """,
    )
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
    site_file(
        project, "name: {ru: Каргополь, en: Kargopol}\nlanguages: [ru, en]\n", town="kargopol"
    )
    site_file(project, "name: [oops]\n", town="staraya-ladoga")
    write(project / "sites" / "network.yaml", "order: [kargopol, vyborg, nowhere]\n")
    network = load_network(project)
    assert list(network.towns) == ["kargopol", "vyborg"]
    assert network.broken == ["staraya-ladoga"]
    assert network.ordered_ids() == ["kargopol", "vyborg"]
    warnings = [p for p in network.problems if p.severity == "warning"]
    assert {p.file for p in warnings} == {"sites/vyborg.yaml", "sites/network.yaml"}
    assert any("atlantis" in p.en and p.line == 3 for p in warnings)
    errors = [p for p in network.problems if p.severity == "error"]
    assert errors and all(p.file == "sites/staraya-ladoga.yaml" for p in errors)


@pytest.mark.parametrize(
    "value, listed, trusted",
    [
        (None, False, False),
        ("false", False, False),
        (None, True, True),
        ("true", True, True),
        ("false", True, False),
    ],
)
def test_trust_html_is_the_maintainers_list(
    project: Path, value: str | None, listed: bool, trusted: bool
) -> None:
    """Raw HTML is kept only for a town ``network.yaml`` lists; the town's own file (its
    editors may change it) can only turn it off again."""
    from gardarika.build.pelican_settings import pelican_settings
    from gardarika.config.network import load_network

    if listed:
        write(project / "sites/network.yaml", "trust_html: [vyborg]\n")
    text = "name: {ru: Выборг}\nlanguages: [ru]\n"
    path = site_file(project, text + (f"trust_html: {value}\n" if value else ""))
    town = load_town(path, project)
    assert town.trust_html is trusted
    assert load_network(project).towns["vyborg"].trust_html is trusted
    settings = pelican_settings(
        load_network(project), town, "ru", project / "out", project / "cache"
    )
    assert settings["SAFE_HTML"] is not trusted
    assert (
        settings["PLUGINS"].index("offline_output")
        < settings["PLUGINS"].index("safe_html")
        < settings["PLUGINS"].index("light_images")
    )


def test_a_town_cannot_trust_its_own_html(project: Path) -> None:
    problem = refused(project, "trust_html: true\n", "trust_html")
    assert "sites/network.yaml" in problem.en and "trust_html: [vyborg]" in problem.en
    assert "администратор сети" in problem.ru


def test_the_trust_html_list_is_checked(project: Path) -> None:
    from gardarika.config.network import load_network

    write(project / "sites/network.yaml", "trust_html: yes\n")
    site_file(project, "name: {ru: Выборг}\nlanguages: [ru]\n")
    problems = load_network(project).problems
    assert any(p.key == "trust_html" and "list of town ids" in p.en for p in problems)
    write(project / "sites/network.yaml", "trust_html: [nowhere]\n")
    problems = load_network(project).problems
    assert any(p.key == "trust_html" and p.severity == "warning" for p in problems)


@pytest.mark.parametrize("value", ['"yes"', "1", "[true]", "да"])
def test_trust_html_must_be_true_or_false(project: Path, value: str) -> None:
    path = site_file(project, f"name: {{ru: Выборг}}\nlanguages: [ru]\ntrust_html: {value}\n")
    problems = problems_of(path, project)
    assert [(p.file, p.key, p.line) for p in problems] == [("sites/vyborg.yaml", "trust_html", 3)]
    assert "“trust_html: true” or “trust_html: false”" in problems[0].en
    assert "«trust_html: true»" in problems[0].ru


def test_safe_html_is_set_by_trust_html_not_passed_through(project: Path) -> None:
    path = site_file(project, "name: {ru: Выборг}\nlanguages: [ru]\npelican: {SAFE_HTML: false}\n")
    problems = problems_of(path, project)
    assert [p.key for p in problems] == ["pelican.SAFE_HTML"]
    assert "trust_html" in problems[0].en


# -- a town's file its editors may edit: each class of hostile value ----------------------

MINIMUM = "name: {ru: Выборг}\nlanguages: [ru]\n"


def refused(project: Path, text: str, key: str) -> Problem:
    """The problem of ``key`` in a vyborg.yaml of ``MINIMUM + text``; every problem of
    the file has its line and both languages."""
    problems = problems_of(site_file(project, MINIMUM + text), project)
    assert all(p.line and p.en and p.ru and p.en != p.ru for p in problems), [
        p.format() for p in problems
    ]
    matching = [p for p in problems if p.key == key]
    assert matching, [p.format() for p in problems]
    return matching[0]


def accepted(project: Path, text: str) -> Town:
    return load_town(site_file(project, MINIMUM + text), project)


def private_themes(project: Path) -> Path:
    """``themes/`` as a folder of the project's own, holding a link to the shared theme."""
    from projects import REPO

    themes = project / "themes"
    themes.unlink()
    themes.mkdir()
    (themes / "gardarika").symlink_to(REPO / "themes" / "gardarika")
    return themes


@pytest.mark.parametrize(
    "theme",
    [
        "../content/vyborg/files/t",
        "gardarika/../gardarika",
        ".theme",
        "Gardarika",
        "/etc",
        "themes/gardarika",
        "-x",
    ],
)
def test_theme_is_a_plain_folder_name(project: Path, theme: str) -> None:
    problem = refused(project, f"theme: '{theme}'\n", "theme")
    assert "not the name of a theme" in problem.en and "не название темы" in problem.ru


def test_a_theme_leading_into_content_is_refused(project: Path, tmp_path: Path) -> None:
    """A theme's templates are code: one of its files, or the theme itself, leading by a
    symbolic link into a town's folder (or sites/, output/) would let editors run code."""
    import shutil

    from projects import REPO

    themes = private_themes(project)
    text = project / "content/vyborg/files/theme.txt"
    write(text, "{{ cycler.__init__.__globals__.os.popen('id').read() }}\n")
    (project / "content/vyborg/files/templates").mkdir()
    linked = themes / "linked-template"
    shutil.copytree(REPO / "themes/gardarika", linked)
    (linked / "templates/index.html").unlink()
    (linked / "templates/index.html").symlink_to(text)
    (themes / "linked-folder").symlink_to(project / "content/vyborg/files")
    for name in ("linked-template", "linked-folder"):
        problem = refused(project, f"theme: {name}\n", "theme")
        assert "symbolic link" in problem.en and "символической ссылке" in problem.ru
        assert "content/vyborg/files" in problem.en
    write(project / "sites/network.yaml", "theme: linked-template\n")
    with pytest.raises(GardarikaError) as caught:
        load_network_config(project / "sites/network.yaml", project)
    assert [p.key for p in caught.value.problems] == ["theme"]
    # a theme linked from elsewhere on the machine (Pelican's own) is the maintainer's
    import pelican

    (themes / "simple").symlink_to(Path(pelican.__file__).parent / "themes" / "simple")
    assert accepted(project, "theme: simple\n").theme == "simple"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("content/kargopol", "content/kargopol, the folder of the town “kargopol”"),
        ("content/kargopol/articles", "the folder of the town “kargopol”"),
        ("content", "not a folder inside content/"),
        ("sites", "not a folder inside content/"),
        (".git", "hidden folder"),
        ("content/.drafts", "hidden folder"),
        ("content/../sites", "leads out of the project"),
        ("./content/kargopol/../vyborg", "leads out of the project"),
        ("/etc", "leads out of the project"),
    ],
)
def test_content_is_the_towns_own_folder_in_content(
    project: Path, content: str, words: str
) -> None:
    site_file(project, "name: {ru: Каргополь}\nlanguages: [ru]\n", town="kargopol")
    (project / "content/kargopol/articles").mkdir()
    (project / "content/.drafts").mkdir()
    (project / ".git").mkdir()
    problem = refused(project, f"content: '{content}'\n", "content")
    assert words in problem.en, problem.en
    assert problem.line == 3


def test_content_linked_out_of_content_is_refused(project: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (project / "content/outside").symlink_to(tmp_path / "elsewhere")
    (project / "content/other").symlink_to(project / "sites")
    for name in ("outside", "other"):
        problem = refused(project, f"content: content/{name}\n", "content")
        assert "symbolic link leading out of content/" in problem.en
    # the default folder too: content/vyborg itself a link to another town's folder
    site_file(project, "name: {ru: Бета}\nlanguages: [ru]\n", town="beta")
    (project / "content/vyborg").rmdir()
    (project / "content/vyborg").symlink_to(project / "content/beta")
    problems = problems_of(site_file(project, MINIMUM), project)
    assert any("content/beta, the folder of the town “beta”" in p.en for p in problems), [
        p.format() for p in problems
    ]


def test_two_towns_may_not_share_or_nest_chosen_folders(project: Path) -> None:
    (project / "content/shared/inner").mkdir(parents=True)
    site_file(project, MINIMUM + "content: content/shared\n")
    site_file(
        project, "name: {ru: Бета}\nlanguages: [ru]\ncontent: content/shared/inner\n", town="beta"
    )
    site_file(project, "name: {ru: Гамма}\nlanguages: [ru]\n", town="gamma")
    network = load_network(project)
    assert sorted(network.broken) == ["beta", "vyborg"] and list(network.towns) == ["gamma"]
    errors = {p.file: p for p in network.problems if p.severity == "error"}
    assert "sites/beta.yaml" in errors["sites/vyborg.yaml"].en
    assert "sites/vyborg.yaml" in errors["sites/beta.yaml"].ru
    assert errors["sites/vyborg.yaml"].line == 3


def test_naming_another_towns_folder_warns_that_town(project: Path) -> None:
    site_file(project, "name: {ru: Бета}\nlanguages: [ru]\n", town="beta")
    site_file(project, MINIMUM + "content: content/beta\n")
    network = load_network(project)
    assert network.broken == ["vyborg"] and list(network.towns) == ["beta"]
    [warning] = [p for p in network.problems if p.file == "sites/beta.yaml"]
    assert warning.severity == "warning" and "sites/vyborg.yaml" in warning.en


# -- YAML that expands without end --------------------------------------------------------


def yaml_problem(project: Path, text: str) -> Problem:
    start = time.perf_counter()
    [problem] = problems_of(site_file(project, text), project)
    assert time.perf_counter() - start < 10
    return problem


def test_billion_laughs_is_refused_with_its_line(project: Path) -> None:
    lines = ["name: {ru: Выборг}", "languages: [ru]", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefg"):
        previous = "abcdefg"[i]
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]")
    problem = yaml_problem(project, "\n".join(lines) + "\npelican: {MENUITEMS: *g}\n")
    assert problem.line == 6 and "more than 20 aliases" in problem.en
    assert "псевдонимов" in problem.ru


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        # 20 aliases, but 100 100 values once they are repeated
        (
            "a: &a ["
            + ", ".join(["x"] * 1000)
            + "]\nb: &b ["
            + ", ".join(["*a"] * 10)
            + "]\nc: ["
            + ", ".join(["*b"] * 10)
            + "]\n",
            3,
            "more than 100000 values",
        ),
        (
            "a: &a " + "x" * 60_000 + "\nb: [" + ", ".join(["*a"] * 20) + "]\n",
            2,
            "more than 1000000 characters",
        ),
        ("a: &a [1, *a]\n", 1, "inside the value it names"),
        ("a: &a {b: [*a]}\n", 1, "inside the value it names"),
        ("a: " + "[" * 60 + "]" * 60 + "\n", 1, "nested more than 50 levels"),
    ],
)
def test_yaml_limits(project: Path, text: str, line: int, words: str) -> None:
    problem = yaml_problem(project, "name: {ru: Выборг}\nlanguages: [ru]\n" + text)
    assert problem.line == line + 2 and words in problem.en, problem.format()


def test_values_yaml_cannot_make_and_huge_files(project: Path) -> None:
    problem = yaml_problem(project, "name: {ru: Выборг}\nlanguages: [ru]\nd: 2024-13-45\n")
    assert problem.line == 3 and "2024-13-45" in problem.en
    path = site_file(project, "name: {ru: Выборг}\nlanguages: [ru]\n# " + "x" * 1_100_000)
    [problem] = problems_of(path, project)
    assert "larger than 1000 KB" in problem.en and "КБ" in problem.ru


def test_aliases_within_the_limits_still_work(project: Path) -> None:
    town = accepted(
        project, "pelican:\n  MENUITEMS: &menu [[Музей, 'https://example.org']]\n  LINKS: *menu\n"
    )
    assert town.pelican["LINKS"] == [["Музей", "https://example.org"]]


# -- deploy targets and the content repository --------------------------------------------


@pytest.mark.parametrize(
    ("target", "key", "words"),
    [
        (
            "{type: rsync, host: '-oProxyCommand=touch /tmp/x', path: /srv/www}",
            "host",
            "not a host name",
        ),
        ("{type: rsync, host: 'a b', path: /srv/www}", "host", "not a host name"),
        (
            "{type: rsync, host: h.example.org, path: /srv/www, user: '-oX'}",
            "user",
            "not a login name",
        ),
        ("{type: rsync, host: h.example.org, path: /srv/www, port: 70000}", "port", "1 to 65535"),
        ("{type: rsync, host: h.example.org, path: /srv/www, port: '22'}", "port", "1 to 65535"),
        (
            "{type: rsync, host: h.example.org, path: '/srv/www; touch x'}",
            "path",
            "not a web folder",
        ),
        ("{type: rsync, host: h.example.org, path: '-e sh'}", "path", "not a web folder"),
        ("{type: rsync, host: h.example.org, path: ~/.ssh}", "path", "not a web folder"),
        ("{type: rsync, host: h.example.org, path: /srv/../etc}", "path", "not a web folder"),
        (
            "{type: rsync, host: h.example.org, path: /srv/www, identity: '-oX'}",
            "identity",
            "not a key file",
        ),
        (
            "{type: rsync, host: h.example.org, path: /srv/www, identity: sites/key}",
            "identity",
            "not a key file",
        ),
        (
            "{type: rsync, host: h.example.org, path: /srv/www, ssh_options: [-oBatchMode=yes]}",
            "ssh_options",
            "~/.ssh/config",
        ),
        ("{type: rsync, host: h.example.org, path: /srv/www, proxy: x}", "proxy", "unknown key"),
        ("{type: dir, path: output/beta}", "path", "inside the project"),
        ("{type: dir, path: '{root}/output/beta'}", "path", "in the project"),
        ("{type: dir, path: '{root}/plugins/x'}", "path", "in the project"),
        ("{type: dir, path: '{parent}'}", "path", "contains it"),
        ("{type: dir, path: '~'}", "path", "home folder"),
        ("{type: dir, path: ~/.config/autostart}", "path", "hidden folder"),
        ("{type: dir, path: /tmp/gardarika-deploy}", "path", "every user"),
        ("{type: dir, path: /usr/local/bin}", "path", "system"),
        ("{type: dir, path: '-rf'}", "path", "not a folder"),
        (
            "{type: git, repository: '--upload-pack=touch /tmp/x;'}",
            "repository",
            "not a repository address",
        ),
        ("{type: git, repository: 'ext::sh -c x'}", "repository", "not a repository address"),
        ("{type: git, repository: 'fd::3'}", "repository", "transport helper"),
        (
            "{type: git, repository: 'https://x.org/a.git', branch: '.'}",
            "branch",
            "not a branch name",
        ),
        ("{type: git, repository: '{root}/.git'}", "repository", "lies in the project"),
        ("{type: s3, bucket: 'a b'}", "bucket", "not a bucket name"),
        (
            "{type: s3, bucket: towns, endpoint: 'javascript:x'}",
            "endpoint",
            "not a storage address",
        ),
    ],
)
def test_deploy_values_that_could_run_or_write_anywhere(
    project: Path, target: str, key: str, words: str
) -> None:
    text = target.replace("{root}", str(project)).replace("{parent}", str(project.parent))
    problem = refused(project, f"deploy:\n  web: {text}\n", f"deploy.web.{key}")
    assert words in problem.en, problem.en
    assert problem.line == 4


def test_deploy_target_names_are_plain(project: Path) -> None:
    problem = refused(
        project, "deploy:\n  ../../x: {type: dir, path: /srv/www}\n", "deploy.../../x"
    )
    assert "cannot name a deploy target" in problem.en


def test_good_deploy_targets_pass(project: Path, tmp_path: Path) -> None:
    town = accepted(
        project,
        f"""deploy:
  usb: {{type: dir, path: {tmp_path / "stick"}}}
  home: {{type: dir, path: ~/www/vyborg}}
  web: {{type: rsync, host: deploy.example.org, user: vyborg, port: 2222, path: ~/www,
        identity: ~/.ssh/vyborg_deploy}}
  v6: {{type: rsync, host: '[2001:db8::1]', path: /var/www/vyborg}}
  pages: {{type: git, repository: 'git@git.example.org:vyborg/site.git', branch: gh-pages}}
  cloud: {{type: s3, bucket: towns, prefix: vyborg, endpoint: 'http://127.0.0.1:9000',
          region: us-east-1, profile: vyborg}}
""",
    )
    assert set(town.deploy) == {"usb", "home", "web", "v6", "pages", "cloud"}


@pytest.mark.parametrize(
    ("repository", "key", "words"),
    [
        ("{url: '--upload-pack=touch /tmp/x;', branch: main}", "url", "not a repository address"),
        ("{url: 'ext::sh -c touch% /tmp/x'}", "url", "not a repository address"),
        ("{url: 'ssh://-oProxyCommand=x/y'}", "url", "does not name a server"),
        ("{url: 'http://example.org/v.git'}", "url", "not a transport"),
        ("{url: 'file://{root}'}", "url", "lies in the project"),
        ("{url: 'https://example.org/v.git', branch: '.'}", "branch", "not a branch name"),
        ("{url: 'https://example.org/v.git', branch: '--orphan'}", "branch", "not a branch name"),
        ("{url: 'https://example.org/v.git', branch: 'a..b'}", "branch", "not a branch name"),
    ],
)
def test_repository_values_are_addresses_and_branch_names(
    project: Path, repository: str, key: str, words: str
) -> None:
    problem = refused(
        project, f"repository: {repository.replace('{root}', str(project))}\n", f"repository.{key}"
    )
    assert words in problem.en, problem.en


def test_two_towns_deploying_to_one_place(project: Path, tmp_path: Path) -> None:
    """A target writing where another town's does is not used; when only one of the
    two names its town (…/vyborg), that one stays, else neither does."""
    from gardarika.publish.deploy import make_target

    site_file(
        project,
        MINIMUM + "deploy:\n"
        f"  usb: {{type: dir, path: {tmp_path}/www/vyborg}}\n"
        "  web: {type: rsync, host: h.example.org, path: /srv/www}\n"
        "  own: {type: rsync, host: h.example.org, path: ~/www}\n",
    )
    site_file(
        project,
        "name: {ru: Бета}\nlanguages: [ru]\ndeploy:\n"
        f"  stolen: {{type: dir, path: {tmp_path}/www}}\n"
        "  shared: {type: rsync, host: h.example.org, path: /srv/www/x}\n"
        "  own: {type: rsync, host: h.example.org, user: beta, path: ~/www}\n",
        town="beta",
    )
    network = load_network(project)
    assert set(network.towns) == {"vyborg", "beta"}  # both still build
    warnings = {(p.file, p.key) for p in network.problems if p.severity == "warning"}
    assert warnings == {
        ("sites/beta.yaml", "deploy.stolen"),
        ("sites/beta.yaml", "deploy.shared"),
        ("sites/vyborg.yaml", "deploy.web"),
    }
    for town, name, other in (
        ("beta", "stolen", "sites/vyborg.yaml (deploy.usb)"),
        ("beta", "shared", "sites/vyborg.yaml (deploy.web)"),
        ("vyborg", "web", "sites/beta.yaml (deploy.shared)"),
    ):
        with pytest.raises(GardarikaError) as caught:
            make_target(town, name, network.towns[town].deploy[name], project)
        assert other in caught.value.problems[0].en
    assert "_refused" not in network.towns["vyborg"].deploy["usb"]
    assert "_refused" not in network.towns["beta"].deploy["own"]  # another login's ~/www
    assert not (tmp_path / "www").exists()


# -- pelican: values that fail the run or escape ------------------------------------------


@pytest.mark.parametrize(
    ("setting", "key", "words"),
    [
        (
            "ARTICLE_SAVE_AS: '{date:..}/{date:..}/x-{slug}.html'",
            "pelican.ARTICLE_SAVE_AS",
            "“{date:..}”: a date in a file name",
        ),
        (
            "ARTICLE_SAVE_AS: '{date:.}{date:.}/x-{slug}.html'",
            "pelican.ARTICLE_SAVE_AS",
            "“{date:.}”: a date in a file name",
        ),
        ("ARTICLE_SAVE_AS: '{date:%Y/}../x-{slug}.html'", "pelican.ARTICLE_SAVE_AS", "climbs out"),
        ("ARTICLE_URL: '{slug!r}.html'", "pelican.ARTICLE_URL", "conversion"),
        ("ARTICLE_URL: '{date:%n}{slug}.html'", "pelican.ARTICLE_URL", "codes %Y"),
        ("PAGE_SAVE_AS: '{slug:.>2}/x.html'", "pelican.PAGE_SAVE_AS", "with {slug}"),
        ("ARTICLE_SAVE_AS: '{date}/{slug}.html'", "pelican.ARTICLE_SAVE_AS", "alone"),
        (
            "ARTICLE_SAVE_AS: '{date.__class__}/{slug}.html'",
            "pelican.ARTICLE_SAVE_AS",
            "cannot be used",
        ),
        ("ARTICLE_SAVE_AS: '{slug}.js'", "pelican.ARTICLE_SAVE_AS", "ending with .html"),
        ("ARTICLE_SAVE_AS: 'theme/{slug}.html'", "pelican.ARTICLE_SAVE_AS", "theme"),
        ("CATEGORY_FEED_ATOM: index.html", "pelican.CATEGORY_FEED_ATOM", ".xml"),
        ("SEARCH_INDEX_SAVE_AS: theme/js/searchbox.js", "pelican.SEARCH_INDEX_SAVE_AS", "theme"),
        ("STATIC_SAVE_AS: '{path}.html'", "pelican.STATIC_SAVE_AS", "end with {path}"),
        (
            "PAGINATION_PATTERNS: [[2, '{name}{number:..>4}{extension}', '{name}.html']]",
            "pelican.PAGINATION_PATTERNS.0.1",
            "with {number}",
        ),
        ("DATE_FORMATS: {ru: ['xx_XX.UTF-8', '%d']}", "pelican.DATE_FORMATS.ru", "not a list"),
        ("DATE_FORMATS: {en: '<b>%d</b>'}", "pelican.DATE_FORMATS.en", "without “<”"),
        ("DEFAULT_DATE_FORMAT: '%Y<img src=x>'", "pelican.DEFAULT_DATE_FORMAT", "without “<”"),
        ("ARTICLE_ORDER_BY: metadata", "pelican.ARTICLE_ORDER_BY", "basename"),
        ("PAGE_ORDER_BY: reversed-settings", "pelican.PAGE_ORDER_BY", "reversed-"),
        ("ARTICLE_TRANSLATION_ID: __class__", "pelican.ARTICLE_TRANSLATION_ID", "slug or title"),
        ("PAGE_TRANSLATION_ID: basename", "pelican.PAGE_TRANSLATION_ID", "slug or title"),
        ("DIRECT_TEMPLATES: [index, _macros]", "pelican.DIRECT_TEMPLATES.1", "a part of"),
        ("DIRECT_TEMPLATES: [base]", "pelican.DIRECT_TEMPLATES.0", "a part of"),
        ("DIRECT_TEMPLATES: [portal]", "pelican.DIRECT_TEMPLATES.0", "portal"),
        ("DIRECT_TEMPLATES: [gallery]", "pelican.DIRECT_TEMPLATES.0", "no page template"),
        ("PAGINATED_TEMPLATES: {_listing: 1}", "pelican.PAGINATED_TEMPLATES._listing", "a part of"),
        ("LOCALE: [/tmp/locale]", "pelican.LOCALE.0", "not a locale name"),
        ("LOCALE: ../../etc", "pelican.LOCALE", "not a locale name"),
        (
            "EXTRA_PATH_METADATA: {files/a.txt: {save_as: theme/js/searchbox.js}}",
            "pelican.EXTRA_PATH_METADATA.files/a.txt.save_as",
            "keeps its extension",
        ),
        (
            "EXTRA_PATH_METADATA: {files/a.txt: {save_as: index.html}}",
            "pelican.EXTRA_PATH_METADATA.files/a.txt.save_as",
            "keeps its extension",
        ),
        (
            "EXTRA_PATH_METADATA: {files/a.txt: {url: a.svg}}",
            "pelican.EXTRA_PATH_METADATA.files/a.txt.url",
            "keeps its extension",
        ),
        (
            "EXTRA_PATH_METADATA: {files/a.txt: {path: ../../x.txt}}",
            "pelican.EXTRA_PATH_METADATA.files/a.txt.path",
            "climbs out",
        ),
        (
            "EXTRA_PATH_METADATA: {files/a.txt: {save_as: .htaccess}}",
            "pelican.EXTRA_PATH_METADATA.files/a.txt.save_as",
            "hidden",
        ),
        (
            "EXTRA_PATH_METADATA: {files/a.js: {save_as: theme/js/searchbox.js}}",
            "pelican.EXTRA_PATH_METADATA.files/a.js.save_as",
            "site keeps its own",
        ),
        (
            "EXTRA_PATH_METADATA: {files/a.txt: {save_as: tag/a.txt}}",
            "pelican.EXTRA_PATH_METADATA.files/a.txt.save_as",
            "site keeps its own",
        ),
        (
            "EXTRA_PATH_METADATA: {files/index.txt: {save_as: index.txt}}",
            "pelican.EXTRA_PATH_METADATA.files/index.txt.save_as",
            "site keeps its own",
        ),
        (
            "EXTRA_PATH_METADATA: {pages/home.md: {save_as: index.html}}",
            "pelican.EXTRA_PATH_METADATA.pages/home.md.save_as",
            "site keeps its own",
        ),
        (
            "EXTRA_PATH_METADATA: {.stash/a.txt: {save_as: a.txt}}",
            "pelican.EXTRA_PATH_METADATA..stash/a.txt",
            "hidden",
        ),
        ("STATIC_PATHS: ['']", "pelican.STATIC_PATHS.0", "whole content folder"),
        ("STATIC_PATHS: ['.']", "pelican.STATIC_PATHS.0", "whole content folder"),
        (
            "DEFAULT_METADATA: {save_as: index.html}",
            "pelican.DEFAULT_METADATA.save_as",
            "same address",
        ),
        ("DEFAULT_METADATA: {lang: 'en\" x=\"'}", "pelican.DEFAULT_METADATA.lang", "languages"),
        ("DEFAULT_METADATA: {status: secret}", "pelican.DEFAULT_METADATA.status", "published"),
    ],
)
def test_pelican_values_that_fail_or_escape_are_refused(
    project: Path, setting: str, key: str, words: str
) -> None:
    problem = refused(project, f"pelican:\n  {setting}\n", key)
    assert words in problem.en, problem.en


def test_pelican_values_that_are_fine(project: Path) -> None:
    town = accepted(
        project,
        """pelican:
  ARTICLE_SAVE_AS: 'news/{date:%Y}/{date:%m-%d}/{slug}.html'
  ARTICLE_URL: 'news/{date:%Y}/{date:%m-%d}/{slug}.html'
  CATEGORY_FEED_ATOM: 'feeds/{slug}.atom.xml'
  PAGINATION_PATTERNS: [[1, '{name}{extension}', '{name}{extension}'],
                        [2, '{name}_{number}{extension}', '{name}_{number}{extension}']]
  DATE_FORMATS: {ru: '%d.%m.%Y'}
  DEFAULT_DATE_FORMAT: '%d %B %Y'
  ARTICLE_ORDER_BY: reversed-date
  PAGE_ORDER_BY: title
  ARTICLE_TRANSLATION_ID: slug
  PAGE_TRANSLATION_ID: null
  DIRECT_TEMPLATES: [index, archives, tags, search]
  PAGINATED_TEMPLATES: {index: 5, tag: null}
  LOCALE: [ru_RU.UTF-8, '']
  STATIC_PATHS: [images, files, extra]
  ARTICLE_PATHS: ['']
  EXTRA_PATH_METADATA:
    extra/robots.txt: {path: robots.txt}
    files/Report.PDF: {save_as: files/report-2024.pdf}
    pages/home.md: {save_as: welcome.html, template: page}
  DEFAULT_METADATA: {status: hidden, save_as: ''}
""",
    )
    assert town.pelican["PAGE_ORDER_BY"] == "title"


# -- issue #22: local repositories, a content folder of its own, editors ------------------


@pytest.mark.parametrize("url", ["{remotes}/vyborg.git", "file://{remotes}/vyborg.git"])
def test_a_local_repository_needs_the_maintainers_permission(
    project: Path, tmp_path: Path, url: str
) -> None:
    """A folder of this machine is a repository only in a folder the maintainer lists
    in network.yaml (``local_repositories``); without it a town could publish any
    repository the building machine can read."""
    remotes = tmp_path / "remotes"
    (remotes / "vyborg.git").mkdir(parents=True)
    text = f"repository: {{url: '{url.format(remotes=remotes)}'}}\n"
    problem = refused(project, text, "repository.url")
    assert "local_repositories" in problem.en and "local_repositories" in problem.ru
    assert "sites/network.yaml" in problem.en

    write(project / "sites/network.yaml", f"local_repositories: ['{remotes}']\n")
    assert accepted(project, text).repository == {
        "url": url.format(remotes=remotes),
        "branch": "main",
    }
    assert "vyborg" in load_network(project).towns
    # only inside the folder listed: not beside it, not climbing out, not through a link
    (tmp_path / "remotes-2").mkdir()
    (tmp_path / "private").mkdir()
    (remotes / "link").symlink_to(tmp_path / "private")
    for other in (f"{remotes}-2/vyborg.git", f"{remotes}/../private", f"{remotes}/link/vyborg.git"):
        prefix = "file://" if url.startswith("file:") else ""
        problem = refused(project, f"repository: {{url: '{prefix}{other}'}}\n", "repository.url")
        assert "local_repositories" in problem.en or "“..”" in problem.en, problem.en


@pytest.mark.parametrize(
    "url",
    [
        "ssh://evil.example#@127.0.0.1:2222/x",
        "ssh://evil.example?@127.0.0.1/x",
        "ssh://u:p%40127.0.0.1%2F@evil.example/x",
        "https://a@b@git.example.org/x.git",
        "https://git.example.org:99999/x.git",
        "https://git.example.org/x.git?y=1",
        "git://evil.example#@10.0.0.5/x",
        "ssh://user:secret@git.example.org/x.git",
    ],
)
def test_a_server_address_is_read_as_git_and_ssh_read_it(project: Path, url: str) -> None:
    """A URL parser ends the host at “?” or “#”, git at the first “/”, and ssh takes
    what follows the last “@”: ``evil.example#@127.0.0.1`` reached this machine while
    the check saw evil.example. Only plain addresses are accepted, for every town."""
    write(project / "sites/network.yaml", "pull_with_credentials: [vyborg]\n")
    problem = refused(project, f"repository: {{url: '{url}'}}\n", "repository.url")
    assert "plainly" in problem.en and "простым образом" in problem.ru


@pytest.mark.parametrize("url", ["{remotes}/site.git", "file://{remotes}/site.git"])
def test_a_git_deploy_target_on_this_machine_needs_the_maintainers_permission(
    project: Path, tmp_path: Path, url: str
) -> None:
    """A deploy pushes as the maintainer: into a local repository only where
    ``local_repositories`` allows, never into any repository the machine can write."""
    remotes = tmp_path / "remotes"
    (remotes / "site.git").mkdir(parents=True)
    text = (
        f"deploy:\n  pages: {{type: git, repository: '{url.format(remotes=remotes)}'"
        ", branch: gh-pages}\n"
    )
    problem = refused(project, text, "deploy.pages.repository")
    assert "local_repositories" in problem.en and "deploy" in problem.en
    write(project / "sites/network.yaml", f"local_repositories: ['{remotes}']\n")
    assert accepted(project, text).deploy["pages"]["repository"] == url.format(remotes=remotes)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("srv/git", "absolute"),
        ("'{root}/remotes'", "in the project"),
        ("/", "in the project"),
        ("'{parent}'", "in the project"),
        ("/srv/../etc/git", "“..”"),
        ("'-srv'", "absolute"),
        ("{a: b}", "list"),
        ("/srv/git", "list"),
        ("[5]", "absolute"),
    ],
)
def test_local_repositories_are_checked(project: Path, value: str, words: str) -> None:
    text = value.replace("{root}", str(project)).replace("{parent}", str(project.parent))
    if "list" not in words:
        text = f"[{text}]"
    write(project / "sites/network.yaml", f"local_repositories: {text}\n")
    with pytest.raises(GardarikaError) as caught:
        load_network_config(project / "sites/network.yaml", project)
    problems = caught.value.problems
    assert [p.key for p in problems] in (["local_repositories"], ["local_repositories.0"])
    assert words in problems[0].en and problems[0].ru and problems[0].line == 1, problems[0].en


def test_local_repositories_are_read(project: Path, tmp_path: Path) -> None:
    write(project / "sites/network.yaml", f"local_repositories: ['{tmp_path}/a/', /srv/git]\n")
    config = load_network_config(project / "sites/network.yaml", project)
    assert config.local_repositories == (str(tmp_path / "a"), "/srv/git")


@pytest.mark.parametrize("content", [".", "sites", "content", "./content", "content/"])
def test_a_town_with_a_repository_has_a_folder_of_its_own(project: Path, content: str) -> None:
    """``invoke pull`` clones into the town's content folder: never the project's own
    folder (its .git), sites/ or the whole of content/."""
    problem = refused(
        project,
        f"content: '{content}'\nrepository: {{url: 'https://example.org/v.git'}}\n",
        "content",
    )
    assert "not a folder inside content/" in problem.en, problem.en


@pytest.mark.parametrize(
    "editor",
    [
        "@ok\\n* @evil",
        "@a b",
        "*",
        "@evil[x]",
        "x@y.z#c",
        "!@x",
        "\\\\#x",
        "@мария",
        "a*@example.org",
        "@",
        "@-x",
        "ivan@example.org @evil",
        "@maria/",
        "@a?b",
    ],
)
def test_editors_are_plain_accounts_or_addresses(project: Path, editor: str) -> None:
    problem = refused(project, f'editors: ["@good", "{editor}"]\n', "editors.1")
    assert "@maria" in problem.en and problem.ru


def test_good_editors_pass(project: Path) -> None:
    town = accepted(
        project,
        "editors: ['@maria', '@gardarika/vyborg-editors', "
        "'@group/sub/team', 'ivan.petrov+site@mail.example.org', "
        "'Anna_K@example.org']\n",
    )
    assert town.editors == (
        "@maria",
        "@gardarika/vyborg-editors",
        "@group/sub/team",
        "ivan.petrov+site@mail.example.org",
        "Anna_K@example.org",
    )


# -- a pull uses no credentials of the maintainer: no server of this machine's network ----

INTERNAL_REPOSITORIES = [
    "git@localhost:/srv/git/private.git",
    "git@LocalHost:private.git",
    "ssh://git@localhost/srv/git/private.git",
    "https://localhost:8443/private.git",
    "git://git.localhost/private.git",
    "https://127.0.0.1/private.git",
    "git@127.0.0.1:private.git",
    "ssh://[::1]/private.git",
    "git@127.0.0.2:private.git",
    "git://[::ffff:127.0.0.1]/private.git",
    "git@127.1:private.git",
    "https://2130706433/private.git",
    "git://0x7f000001/private.git",
    "git@0177.0.0.1:private.git",
    "https://0.0.0.0/private.git",
    "https://10.1.2.3/private.git",
    "git@192.168.0.10:private.git",
    "ssh://172.16.0.1/private.git",
    "git://169.254.169.254/latest.git",
    "https://100.64.0.1/private.git",
    "https://[fd00::1]/private.git",
    "https://[fe80::1]/private.git",
    "git@224.0.0.1:private.git",
    "https://240.0.0.1/private.git",
    "git@ip6-localhost:private.git",
]


@pytest.mark.parametrize("url", INTERNAL_REPOSITORIES)
def test_a_repository_on_this_machines_network_needs_the_maintainers_opt_in(
    project: Path, url: str
) -> None:
    """``invoke pull`` runs git without the maintainer's credentials; a server of this
    machine or of its private network (which may trust the machine by its address, or
    serve what only it may read) is named only by a town the maintainer lists under
    ``pull_with_credentials``."""
    text = f"repository: {{url: '{url}'}}\n"
    problem = refused(project, text, "repository.url")
    for words in ("pull_with_credentials", "local_repositories", "sites/network.yaml"):
        assert words in problem.en and words in problem.ru, problem.en
    write(project / "sites/network.yaml", "pull_with_credentials: [kargopol]\n")
    refused(project, text, "repository.url")  # another town is opted in, not this one
    write(project / "sites/network.yaml", "pull_with_credentials: [kargopol, vyborg]\n")
    assert accepted(project, text).repository == {"url": url, "branch": "main"}
    assert "vyborg" in load_network(project).towns


def test_the_machines_own_name_is_this_machine(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Debian resolves the machine's own name to 127.0.1.1 through /etc/hosts."""
    import socket

    monkeypatch.setattr(socket, "gethostname", lambda: "builder.example.net")
    for url in ("git@builder:vyborg.git", "https://builder.example.net/vyborg.git"):
        refused(project, f"repository: {{url: '{url}'}}\n", "repository.url")
    assert accepted(project, "repository: {url: 'https://builder2.example.net/v.git'}\n")


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/vyborg/site.git",
        "git@github.com:vyborg/site.git",
        "ssh://git@git.example.org:2222/vyborg.git",
        "git://140.82.112.3/vyborg.git",
        "https://[2a00:1450:4010:c05::65]/vyborg.git",
        "git@localhost-git.example.org:v.git",
        "https://mylocalhost.example.org/v.git",
        "git@deadbeef.example.org:v.git",
    ],
)
def test_a_public_server_needs_no_opt_in(project: Path, url: str) -> None:
    assert accepted(project, f"repository: {{url: '{url}'}}\n").repository == {
        "url": url,
        "branch": "main",
    }


def test_a_git_deploy_target_may_still_be_on_this_machines_network(project: Path) -> None:
    """A deploy pushes with the maintainer's credentials by design; only a pull is
    refused internal servers."""
    town = accepted(
        project,
        "deploy:\n  pages: {type: git, repository: "
        "'git@127.0.0.1:vyborg/site.git', branch: gh-pages}\n",
    )
    assert town.deploy["pages"]["repository"] == "git@127.0.0.1:vyborg/site.git"


def test_pull_with_credentials_is_read(project: Path) -> None:
    write(project / "sites/network.yaml", "pull_with_credentials: [vyborg, staraya-ladoga]\n")
    config = load_network_config(project / "sites/network.yaml", project)
    assert config.pull_with_credentials == ("vyborg", "staraya-ladoga")
    assert load_network_config(project / "sites/missing.yaml", project).pull_with_credentials == ()


@pytest.mark.parametrize(
    ("value", "key", "words"),
    [
        ("vyborg", "pull_with_credentials", "list of town ids"),
        ("{vyborg: true}", "pull_with_credentials", "list of town ids"),
        ("[Vyborg]", "pull_with_credentials.0", "not a town id"),
        ("['../vyborg']", "pull_with_credentials.0", "not a town id"),
        ("[vyborg, 5]", "pull_with_credentials.1", "not a town id"),
    ],
)
def test_pull_with_credentials_is_checked(project: Path, value: str, key: str, words: str) -> None:
    write(project / "sites/network.yaml", f"pull_with_credentials: {value}\n")
    with pytest.raises(GardarikaError) as caught:
        load_network_config(project / "sites/network.yaml", project)
    problems = caught.value.problems
    assert [p.key for p in problems] == [key]
    assert words in problems[0].en and problems[0].ru and problems[0].line == 1, problems[0].en


def test_pull_with_credentials_naming_no_town_is_a_warning(project: Path) -> None:
    site_file(project, MINIMUM + "repository: {url: 'git@localhost:vyborg.git'}\n")
    write(project / "sites/network.yaml", "pull_with_credentials: [vyborg, atlantis]\n")
    network = load_network(project)
    assert "vyborg" in network.towns
    assert [(p.file, p.key, p.severity, "atlantis" in p.en) for p in network.problems] == [
        ("sites/network.yaml", "pull_with_credentials", "warning", True)
    ]


def test_order_problems_name_the_order_key(project: Path) -> None:
    write(project / "sites/network.yaml", "order: [vyborg, Kargopol]\n")
    with pytest.raises(GardarikaError) as caught:
        load_network_config(project / "sites/network.yaml", project)
    assert [p.key for p in caught.value.problems] == ["order.1"]


def test_a_language_the_theme_has_no_interface_for_is_a_warning(project: Path) -> None:
    """French pages would get French dates and an English interface: the settings file
    gets a warning at that language, once, saying how to add the translation."""
    site_file(project, "name: {ru: Выборг, en: Vyborg, fr: Vyborg}\nlanguages: [ru, en, fr]\n")
    network = load_network(project)
    assert "vyborg" in network.towns
    [warning] = network.problems
    assert (warning.file, warning.key, warning.line, warning.severity) == (
        "sites/vyborg.yaml",
        "languages.2",
        2,
        "warning",
    )
    assert "“fr”" in warning.en and "themes/gardarika/translations/fr/LC_MESSAGES" in warning.en
    assert "перевода интерфейса на «fr»" in warning.ru
    site_file(project, "name: {ru: Выборг, fi: Viipuri}\nlanguages: [ru, fi]\n")
    assert load_network(project).problems == []  # the theme speaks Russian and Finnish


def test_template_pages_are_refused_with_the_reason(project: Path) -> None:
    """Pelican's sample settings have TEMPLATE_PAGES: a template read from the content
    folder would run as code in the build; the refusal says so and what to do."""
    problem = refused(
        project,
        "pelican:\n  TEMPLATE_PAGES: {src/books.html: books.html}\n",
        "pelican.TEMPLATE_PAGES",
    )
    assert "runs as code" in problem.en and "themes/<theme>/templates/" in problem.en
    assert "выполняется как программа" in problem.ru


def test_pelicans_sample_robots_txt_is_published_as_its_settings_say(
    project: Path, build_network
) -> None:
    """Pelican's sample site publishes extra/robots.txt as robots.txt (STATIC_PATHS and
    EXTRA_PATH_METADATA): no warning that it is not published, and it is."""
    from gardarika.checks.lint import lint_town

    site_file(
        project,
        MINIMUM
        + "pelican:\n  STATIC_PATHS: [images, extra/robots.txt]\n"
        + "  EXTRA_PATH_METADATA: {extra/robots.txt: {path: robots.txt}}\n",
    )
    write(project / "content/vyborg/extra/robots.txt", "User-agent: *\nDisallow:\n")
    write(project / "content/vyborg/a.md", "Title: А\nDate: 2024-01-01\n\nТекст.\n")
    assert lint_town(load_network(project).towns["vyborg"], project) == []
    report = build_network(project)
    assert report.ok, report.log
    assert (
        (project / "output/vyborg/robots.txt").read_text(encoding="utf-8").startswith("User-agent")
    )
