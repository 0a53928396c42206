"""CODEOWNERS from the towns' editors, shares of towns for CI, and pulling content from a
town's own repository (local bare repositories stand in for the remote ones)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from projects import write

from gardarika.config.network import load_network
from gardarika.content.pull import pull
from gardarika.publish.owners import codeowners
from gardarika.publish.shards import shard


def gardarika(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gardarika", *args], capture_output=True, text=True, timeout=300
    )


def test_codeowners(network: Path) -> None:
    write(
        network / "sites/alpha.yaml",
        (network / "sites/alpha.yaml").read_text(encoding="utf-8")
        + "editors: ['@maria', '@town/alpha-team', 'ivan@example.org']\n",
    )
    text = codeowners(load_network(network))
    assert "/content/alpha/ @maria @town/alpha-team ivan@example.org\n" in text
    assert "/sites/alpha.yaml @maria @town/alpha-team ivan@example.org\n" in text
    assert "beta" not in text  # no editors listed
    assert gardarika("--root", str(network), "owners").returncode == 0
    assert (network / "CODEOWNERS").read_text(encoding="utf-8") == text


def test_editors_are_checked(network: Path) -> None:
    write(
        network / "sites/alpha.yaml",
        (network / "sites/alpha.yaml").read_text(encoding="utf-8") + "editors: ['maria']\n",
    )
    assert "alpha" in load_network(network).broken


def test_shards_cover_every_town_once() -> None:
    towns = [f"town-{i:02d}" for i in range(11)]
    shares = [shard(towns, f"{k}/3") for k in (1, 2, 3)]
    assert sorted(town for share in shares for town in share) == towns
    assert [len(s) for s in shares] == [4, 4, 3]
    assert shard(list(reversed(towns)), "2/3") == shares[1]  # the same on every machine
    for bad in ("0/3", "4/3", "x"):
        with pytest.raises(ValueError):
            shard(towns, bad)


def test_matrix_and_shard_commands(network: Path) -> None:
    assert json.loads(gardarika("--root", str(network), "matrix").stdout) == ["beta", "alpha"]
    assert json.loads(gardarika("--root", str(network), "matrix", "--shards", "2").stdout) == [
        "1/2",
        "2/2",
    ]
    done = gardarika("--root", str(network), "build", "--shard", "1/2")
    assert done.returncode == 0, done.stdout
    assert (network / "output/alpha/index.html").is_file()  # sorted: alpha is first
    assert not (network / "output/beta").exists()
    assert gardarika("--root", str(network), "build", "--shard", "3/2").returncode == 2
    # the second share on "another machine", then the merged output gets its portal
    assert gardarika("--root", str(network), "build", "--shard", "2/2").returncode == 0
    (network / "output/index.html").unlink()
    merged = gardarika("--root", str(network), "portal")
    assert merged.returncode == 0 and "no problems found" in merged.stdout
    portal = (network / "output/index.html").read_text(encoding="utf-8")
    assert "alpha/index.html" in portal and "beta/index.html" in portal


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def allow_local(network: Path, folder: Path) -> None:
    """The maintainer allows the local repositories in ``folder`` (network.yaml)."""
    with (network / "sites/network.yaml").open("a", encoding="utf-8") as file:
        file.write(f"local_repositories: ['{folder}']\n")


def bare_repository(network: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(source, bare): a repository of one article in ``tmp_path/remotes``, which the
    network allows."""
    source = tmp_path / "gamma-source"
    write(source / "news.md", "Title: Новость\nDate: 2024-01-01\n\nТекст.\n")
    git("init", "-q", "-b", "main", cwd=source)
    git("add", "-A", cwd=source)
    git("commit", "-q", "-m", "first", cwd=source)
    bare = tmp_path / "remotes" / "gamma.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(source), str(bare)], check=True)
    allow_local(network, bare.parent)
    return source, bare


def test_pull_clones_updates_and_keeps_the_last_good_copy(network: Path, tmp_path: Path) -> None:
    # the town's editors keep their content in their own repository
    source, bare = bare_repository(network, tmp_path)
    write(
        network / "sites/gamma.yaml",
        f"""
        name: {{ru: Гамма}}
        languages: [ru]
        repository: {{url: {bare}, branch: main}}
    """,
    )
    network_config = load_network(network)
    # content/gamma does not exist yet (a fresh clone of the network): pull makes it
    assert "gamma" in network_config.towns and not network_config.problems
    ok, message = pull(network_config, "gamma")
    assert ok, message
    assert (network / "content/gamma/news.md").is_file()

    write(source / "more.md", "Title: Ещё\nDate: 2024-01-02\n\nТекст.\n")
    git("add", "-A", cwd=source)
    git("commit", "-q", "-m", "second", cwd=source)
    git("push", "-q", str(bare), "main", cwd=source)
    done = gardarika("--root", str(network), "pull", "--site", "gamma")
    assert done.returncode == 0 and (network / "content/gamma/more.md").is_file()

    bare.rename(tmp_path / "gone.git")  # the remote is unreachable
    done = gardarika("--root", str(network), "pull")
    assert done.returncode == 1 and "last good copy is kept" in done.stdout, done.stdout
    assert "[FAILED] gamma:" in done.stdout and "[ОШИБКА] gamma:" in done.stdout
    assert "Kept their last good copy: gamma." in done.stdout
    assert (network / "content/gamma/more.md").is_file()
    assert gardarika("--root", str(network), "build", "--site", "gamma").returncode == 0


def test_pull_with_a_relative_root(network: Path, tmp_path: Path) -> None:
    """``--root .`` from the project: git runs in the town's folder, where a relative
    ``--git-dir`` would name another folder (every clone failed: "the branch names no
    commit")."""
    source, bare = bare_repository(network, tmp_path)
    write(
        network / "sites/gamma.yaml",
        f"""
        name: {{ru: Гамма}}
        languages: [ru]
        repository: {{url: {bare}, branch: main}}
    """,
    )
    (network / "content/gamma").mkdir()

    def pull_here() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gardarika", "--root", ".", "pull"],
            cwd=network,
            capture_output=True,
            text=True,
            timeout=300,
        )

    done = pull_here()
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr
    assert "gamma: content/gamma cloned from" in done.stdout, done.stdout
    assert (network / "content/gamma/news.md").is_file()
    write(source / "more.md", "Title: Ещё\nDate: 2024-01-02\n\nТекст.\n")
    git("add", "-A", cwd=source)
    git("commit", "-q", "-m", "second", cwd=source)
    git("push", "-q", str(bare), "main", cwd=source)
    done = pull_here()
    assert "[updated] gamma: content/gamma updated from" in done.stdout, done.stdout
    assert ": 1 new commit." in done.stdout and "1 новый коммит" in done.stdout
    done = pull_here()
    assert "[unchanged] gamma:" in done.stdout and "nothing new" in done.stdout, done.stdout
    assert (network / "content/gamma/more.md").is_file()
    assert not [p for p in (network / "content").iterdir() if p.name.startswith(".")]


def _clone_town(network: Path, tmp_path: Path) -> Path:
    """Town gamma, kept as a clone of its own repository; returns the bare remote."""
    _, bare = bare_repository(network, tmp_path)
    write(
        network / "sites/gamma.yaml",
        f"""
        name: {{ru: Гамма}}
        languages: [ru]
        repository: {{url: {bare}, branch: main}}
    """,
    )
    (network / "content/gamma").mkdir()
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    return bare


@pytest.mark.parametrize(
    "url",
    [
        "--upload-pack=touch {marker};",
        "ext::sh -c touch% {marker}",
        "-oProxyCommand=touch {marker}:x",
    ],
)
@pytest.mark.parametrize("cloned", [True, False])
def test_pull_cannot_run_a_command(
    network: Path, tmp_path: Path, monkeypatch, url: str, cloned: bool
) -> None:
    """A hostile address refused by the settings check is refused again by pull; and
    even with both checks switched off, git takes it as an address (after ``--``, only
    the allowed transports), never as an option or a command."""
    import dataclasses

    import gardarika.content.pull

    marker = tmp_path / "ran"
    if cloned:
        _clone_town(network, tmp_path)
    else:
        write(network / "sites/gamma.yaml", "name: {ru: Гамма}\nlanguages: [ru]\n")
        (network / "content/gamma").mkdir()
    config = load_network(network)
    hostile = {"url": url.replace("{marker}", str(marker)), "branch": "main"}
    config.towns["gamma"] = dataclasses.replace(config.towns["gamma"], repository=hostile)
    ok, message = pull(config, "gamma")
    assert not ok and "sites/gamma.yaml" in message and not marker.exists()
    monkeypatch.setattr(gardarika.content.pull, "repository_problem", lambda *_: None)
    monkeypatch.setattr(gardarika.content.pull, "branch_problem", lambda *_: None)
    ok, message = pull(config, "gamma")
    assert not ok, message
    assert not marker.exists()
    if cloned:  # the last good copy is kept
        assert (network / "content/gamma/news.md").is_file()


def test_pull_updates_with_fetch_and_fast_forward(network: Path, tmp_path: Path) -> None:
    bare = _clone_town(network, tmp_path)
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(bare), str(other)], check=True)
    write(other / "more.md", "Title: Ещё\nDate: 2024-01-02\n\nТекст.\n")
    git("add", "-A", cwd=other)
    git("commit", "-q", "-m", "second", cwd=other)
    git("push", "-q", "origin", "main", cwd=other)
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    assert (network / "content/gamma/more.md").is_file()


# -- hostile settings against real git (issue #22) -----------------------------------------

#: (url, branch) a town's editors might write; {bare} is the town's real repository,
#: {marker} a file that appears if git ever runs a command
HOSTILE_REPOSITORIES = [
    ("{bare}", "--upload-pack=touch {marker}"),
    ("--upload-pack=touch {marker}", "main"),
    ("-u touch {marker} {bare}", "main"),
    ("ext::sh -c touch% {marker}", "main"),
    ("{bare}", "x --upload-pack=touch {marker}"),
    ("{bare}", "main --upload-pack=touch {marker}"),
]


@pytest.mark.parametrize(("url", "branch"), HOSTILE_REPOSITORIES)
@pytest.mark.parametrize("cloned", [True, False])
def test_real_git_never_runs_a_command_from_the_settings(
    network: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    branch: str,
    cloned: bool,
) -> None:
    """With a real bare repository: the settings check refuses the values (the town is
    not pulled at all), pull refuses them again when handed a Town built around
    that check, and git takes them as an address or a branch even with both checks
    switched off. The marker never appears."""
    import dataclasses

    from gardarika.content import pull as network_ops

    marker = tmp_path / "ran"
    bare = _clone_town(network, tmp_path) if cloned else bare_repository(network, tmp_path)[1]
    if not cloned:
        (network / "content/gamma").mkdir()
    hostile = {
        "url": url.format(bare=bare, marker=marker),
        "branch": branch.format(bare=bare, marker=marker),
    }
    good = load_network(network).towns["gamma"] if cloned else None
    write(
        network / "sites/gamma.yaml",
        f"""
        name: {{ru: Гамма}}
        languages: [ru]
        repository: {{url: '{hostile["url"]}', branch: '{hostile["branch"]}'}}
    """,
    )
    loaded = load_network(network)
    assert "gamma" in loaded.broken
    assert any(
        p.key and p.key.startswith("repository.") and p.ru
        for p in loaded.problems
        if p.file == "sites/gamma.yaml"
    )
    for args in (("pull",), ("pull", "--site", "gamma")):
        gardarika("--root", str(network), *args)
        assert not marker.exists()

    if good is None:
        write(network / "sites/gamma.yaml", "name: {ru: Гамма}\nlanguages: [ru]\n")
        loaded = load_network(network)
        good = loaded.towns["gamma"]
    loaded.towns["gamma"] = dataclasses.replace(good, repository=hostile)
    ok, message = pull(loaded, "gamma")
    assert not ok and "sites/gamma.yaml" in message and not marker.exists(), message
    monkeypatch.setattr(network_ops, "repository_problem", lambda *_: None)
    monkeypatch.setattr(network_ops, "branch_problem", lambda *_: None)
    ok, message = pull(loaded, "gamma")
    assert not ok, message
    assert not marker.exists()
    names = sorted(p.name for p in (network / "content/gamma").iterdir())
    assert names == ([".git", "news.md"] if cloned else [])


def _project_repository(network: Path) -> str:
    """The project itself is a git repository; returns a picture of its state."""
    git("init", "-q", "-b", "main", cwd=network)
    git("add", "-A", cwd=network)
    git("commit", "-q", "-m", "network", cwd=network)
    return _project_state(network)


def _project_state(network: Path) -> str:
    state = subprocess.run(
        "git rev-parse HEAD && git for-each-ref && git log --all --oneline && "
        "git count-objects && ls -a .git",
        shell=True,
        cwd=network,
        capture_output=True,
        text=True,
        check=True,
    )
    return state.stdout


@pytest.mark.parametrize("content", [".", "sites", "content", "gitfile"])
def test_pull_never_touches_the_projects_own_repository(
    network: Path, tmp_path: Path, content: str
) -> None:
    """A town's content folder is its own folder under content/: never the project (whose
    .git a fetch would write into), sites/ or content/ itself, nor a folder whose .git
    file points at the project's repository. Refused by the settings check, and by pull
    again when handed such a folder."""
    import dataclasses

    _, bare = bare_repository(network, tmp_path)
    (network / "content/gamma").mkdir()
    before = _project_repository(network)
    if content == "gitfile":
        (network / "content/gamma/.git").write_text(f"gitdir: {network / '.git'}\n")
        content = "content/gamma"
        before = _project_state(network)
    write(
        network / "sites/gamma.yaml",
        f"""
        name: {{ru: Гамма}}
        languages: [ru]
        content: '{content}'
        repository: {{url: '{bare}', branch: main}}
    """,
    )
    loaded = load_network(network)
    if content != "content/gamma":
        assert "gamma" in loaded.broken
        assert any(p.key == "content" for p in loaded.problems if p.file == "sites/gamma.yaml")
        done = gardarika("--root", str(network), "pull")  # named, not pulled: a failure
        assert done.returncode == 1 and "[FAILED] gamma: sites/gamma.yaml has errors" in done.stdout
        assert _project_state(network) == before
        write(
            network / "sites/gamma.yaml",
            f"""
            name: {{ru: Гамма}}
            languages: [ru]
            repository: {{url: '{bare}', branch: main}}
        """,
        )
        loaded = load_network(network)
        town = loaded.towns["gamma"]
        loaded.towns["gamma"] = dataclasses.replace(town, content=network.joinpath(content))
    ok, message = pull(loaded, "gamma")
    assert not ok, message
    assert "/" in message and "не" in message
    assert _project_state(network) == before
    assert not (network / ".git/FETCH_HEAD").exists()


@pytest.mark.parametrize("scheme", ["", "file://"])
def test_a_local_repository_must_be_allowed_by_the_maintainer(
    network: Path, tmp_path: Path, scheme: str
) -> None:
    """A local folder or file:// address is pulled only from a folder the maintainer
    lists in network.yaml (``local_repositories``): otherwise a town could publish any
    repository of the machine. Refused by the settings check and by pull again."""
    import dataclasses

    _, private = bare_repository(network, tmp_path)
    write(network / "sites/network.yaml", "order: [beta, alpha]\n")  # nothing allowed
    (network / "content/gamma").mkdir()
    write(
        network / "sites/gamma.yaml",
        f"""
        name: {{ru: Гамма}}
        languages: [ru]
        repository: {{url: '{scheme}{private}', branch: main}}
    """,
    )
    loaded = load_network(network)
    assert "gamma" in loaded.broken
    problem = next(p for p in loaded.problems if p.key == "repository.url")
    assert "local_repositories" in problem.en and "local_repositories" in problem.ru
    write(network / "sites/gamma.yaml", "name: {ru: Гамма}\nlanguages: [ru]\n")
    loaded = load_network(network)
    loaded.towns["gamma"] = dataclasses.replace(
        loaded.towns["gamma"], repository={"url": f"{scheme}{private}", "branch": "main"}
    )
    ok, message = pull(loaded, "gamma")
    assert not ok and "local_repositories" in message, message
    assert not any((network / "content/gamma").iterdir())

    allow_local(network, private.parent)
    write(
        network / "sites/gamma.yaml",
        f"""
        name: {{ru: Гамма}}
        languages: [ru]
        repository: {{url: '{scheme}{private}', branch: main}}
    """,
    )
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    assert (network / "content/gamma/news.md").is_file()


def test_pull_without_any_repository_says_so(network: Path) -> None:
    done = gardarika("--root", str(network), "pull")
    assert done.returncode == 0
    assert "nothing to pull" in done.stdout and "получать нечего" in done.stdout
