# SPDX-License-Identifier: AGPL-3.0-or-later
"""``invoke pull`` of a hostile town repository (issue #22): a few hundred kilobytes of git
objects that would check out to gigabytes or to millions of files, links leading out of
the town's folder, submodules, hooks, a server that never answers.

The repositories are real bare repositories made in ``tmp_path`` with git's plumbing
(``hash-object``, ``mktree``, ``commit-tree``), so that nothing hostile is ever checked
out while making them. Each is allowed by ``local_repositories`` in ``network.yaml``, as
a maintainer would allow a local repository.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from projects import write

from gardarika.build.limits import MAX_FILE_BYTES, MAX_TOWN_BYTES, MAX_TOWN_ENTRIES
from gardarika.config.network import load_network
from gardarika.content.pull import pull

MB = 1024 * 1024
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def git(*args: str, cwd: Path, data: bytes | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, input=data, capture_output=True, env=ENV, check=True, timeout=120
    )
    return done.stdout.decode().strip()


def zeros(bare: Path, size: int) -> str:
    """A blob of ``size`` zero bytes, written (compressed) without a file of that size."""
    proc = subprocess.Popen(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=bare,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    chunk = bytes(MB)
    left = size
    while left:
        proc.stdin.write(chunk[: min(left, MB)])
        left -= min(left, MB)
    proc.stdin.close()
    oid = proc.stdout.read().decode().strip()
    assert proc.wait() == 0
    return oid


def blob(bare: Path, data: bytes) -> str:
    return git("hash-object", "-w", "--stdin", cwd=bare, data=data)


def tree(bare: Path, entries: list[tuple[str, str, str]]) -> str:
    """A tree of (mode, object, name) entries."""
    kinds = {"040000": "tree", "160000": "commit"}
    lines = "".join(
        f"{mode} {kinds.get(mode, 'blob')} {oid}\t{name}\n" for mode, oid, name in entries
    )
    return git("mktree", "--missing", cwd=bare, data=lines.encode())


def commit(bare: Path, root_tree: str, parent: str | None = None) -> str:
    """A commit of ``root_tree`` on ``main`` (after ``parent``)."""
    sha = git("commit-tree", root_tree, *(["-p", parent] if parent else []), "-m", "c", cwd=bare)
    git("update-ref", "refs/heads/main", sha, cwd=bare)
    return sha


def news(bare: Path) -> tuple[str, str, str]:
    return (
        "100644",
        blob(bare, "Title: Новость\nDate: 2024-01-01\n\nТекст.\n".encode()),
        "news.md",
    )


def bomb(bare: Path, levels: int, width: int = 10) -> str:
    """Nested trees over one blob: ``width ** levels`` files from a few kilobytes."""
    oid = blob(bare, b"x")
    mode = "100644"
    for _ in range(levels):
        oid = tree(bare, [(mode, oid, f"d{i}") for i in range(width)])
        mode = "040000"
    return oid


@pytest.fixture
def remote(network: Path, tmp_path: Path) -> Path:
    """Town gamma with a repository (an empty bare one, with nothing on main yet) in a
    folder the network allows; ``content/gamma`` exists and is empty."""
    remotes = tmp_path / "remotes"
    bare = remotes / "gamma.git"
    bare.mkdir(parents=True)
    git("init", "-q", "--bare", "-b", "main", cwd=bare)
    with (network / "sites/network.yaml").open("a", encoding="utf-8") as file:
        file.write(f"local_repositories: ['{remotes}']\n")
    write(
        network / "sites/gamma.yaml",
        f"""
        name: {{ru: Гамма}}
        languages: [ru]
        repository: {{url: '{bare}', branch: main}}
    """,
    )
    (network / "content/gamma").mkdir()
    return bare


def left_behind(network: Path) -> list[str]:
    """What a pull left in content/gamma and beside it (its temporary folder)."""
    content = network / "content"
    return sorted(
        [p.name for p in content.iterdir() if p.name.startswith(".")]
        + [p.name for p in (content / "gamma").iterdir()]
    )


def tree_state(folder: Path) -> list[tuple[str, int]]:
    return sorted(
        (str(p.relative_to(folder)), p.lstat().st_size)
        for p in folder.rglob("*")
        if ".git" not in p.relative_to(folder).parts
    )


def refused(network: Path, *words: str) -> str:
    had_copy = (network / "content/gamma/.git").is_dir()
    started = time.monotonic()
    ok, message = pull(load_network(network), "gamma")
    assert not ok, message
    assert time.monotonic() - started < 120
    for word in words:
        assert word in message, message
    if had_copy:
        assert "last good copy is kept" in message and "последняя удачная копия" in message
    else:  # a first clone refused: nothing to keep, and the report says the town waits
        assert "There is no copy yet" in message and "Копии ещё нет" in message, message
    return message


# -- what a repository may check out -------------------------------------------------------


def test_one_big_blob_referenced_many_times_is_never_checked_out(
    network: Path, remote: Path
) -> None:
    """336 KB of git objects that check out to 4.7 GB: a 100 MB blob 50 times."""
    big = zeros(remote, 100 * MB)
    commit(
        remote,
        tree(remote, [news(remote)] + [("100644", big, f"video-{i:02d}.mp4") for i in range(50)]),
    )
    message = refused(network, f"{MAX_FILE_BYTES // MB} MB", "video-00.mp4", "100 MB")
    assert "МБ" in message
    assert left_behind(network) == []


def test_files_each_within_bounds_but_too_many_bytes_together(network: Path, remote: Path) -> None:
    each = 60 * MB
    assert each <= MAX_FILE_BYTES and 20 * each > MAX_TOWN_BYTES
    big = zeros(remote, each)
    commit(remote, tree(remote, [("100644", big, f"part-{i:02d}.bin") for i in range(20)]))
    refused(network, f"{MAX_TOWN_BYTES // MB} MB", "part-", "60 MB")
    assert left_behind(network) == []


def test_a_git_bomb_of_100000_files_is_never_checked_out(network: Path, remote: Path) -> None:
    """Five levels of ten trees over one blob: a few kilobytes, 111 110 entries."""
    commit(remote, tree(remote, [news(remote), ("040000", bomb(remote, 5), "bomb")]))
    refused(network, str(MAX_TOWN_ENTRIES), "files and folders")
    assert left_behind(network) == []


def test_folders_nested_too_deep_are_never_checked_out(network: Path, remote: Path) -> None:
    """1 500 nested folders (a 3 KB path git stores happily) would crash every walk of
    the content folder in Python."""
    oid, mode = news(remote)[1], "100644"
    name = "deep.md"
    for _ in range(1500):
        oid = tree(remote, [(mode, oid, name)])
        mode, name = "040000", "a"
    commit(remote, tree(remote, [news(remote), ("040000", oid, "a")]))
    refused(network, "more than 64 levels deep")
    assert left_behind(network) == []


def test_a_git_bomb_of_ten_billion_files_is_stopped_at_once(network: Path, remote: Path) -> None:
    """Ten levels: git lists entries without end; the listing is stopped at the limit."""
    commit(remote, tree(remote, [("040000", bomb(remote, 10), "bomb")]))
    started = time.monotonic()
    refused(network, str(MAX_TOWN_ENTRIES))
    assert time.monotonic() - started < 30
    assert left_behind(network) == []


def test_an_update_over_the_limits_keeps_the_working_tree(network: Path, remote: Path) -> None:
    first = commit(remote, tree(remote, [news(remote)]))
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    folder = network / "content/gamma"
    before = tree_state(folder)
    head = git("rev-parse", "HEAD", cwd=folder)
    assert head == first and [name for name, _ in before] == ["news.md"]

    commit(remote, tree(remote, [news(remote), ("040000", bomb(remote, 6), "bomb")]), first)
    refused(network, str(MAX_TOWN_ENTRIES))
    assert tree_state(folder) == before
    assert git("rev-parse", "HEAD", cwd=folder) == head
    assert git("status", "--porcelain", cwd=folder) == ""

    commit(
        remote, tree(remote, [news(remote), ("100644", zeros(remote, 100 * MB), "film.mkv")]), first
    )
    refused(network, "film.mkv", f"{MAX_FILE_BYTES // MB} MB")
    assert tree_state(folder) == before and git("rev-parse", "HEAD", cwd=folder) == head


def test_a_repository_within_the_limits_is_checked_out(network: Path, remote: Path) -> None:
    big = zeros(remote, 2 * MB)
    commit(
        remote,
        tree(
            remote,
            [news(remote), ("100644", big, "photo.jpg"), ("040000", bomb(remote, 2), "folder")],
        ),
    )
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    folder = network / "content/gamma"
    assert (folder / "photo.jpg").stat().st_size == 2 * MB
    assert len(list((folder / "folder").rglob("*"))) == 110
    assert not [p for p in (network / "content").iterdir() if p.name.startswith(".")]


# -- what is checked out is what was counted ----------------------------------------------

#: every conversion a town's .gitattributes can ask of a checkout, a macro included:
#: ``$Id$`` grows to 47 bytes, line ends double, UTF-32 is four times the text
CONVERSIONS = (
    b"[attr]boom ident text eol=crlf working-tree-encoding=UTF-32\n"
    b"*.txt boom\n"
    b"*.md ident text eol=crlf\n"
    b"*.csv working-tree-encoding=UTF-32\n"
    b"*.log crlf ident\n"
)
CONVERTED = ("ids.txt", "ids.md", "ids.csv", "ids.log")


@pytest.mark.parametrize("update", [False, True])
def test_a_towns_gitattributes_never_change_what_is_checked_out(
    network: Path, remote: Path, update: bool
) -> None:
    """Counted by ls-tree, a 1 MB blob of ``$Id$`` would check out to some 50 MB with
    the conversions of the town's .gitattributes (a 64 MB one to 3 GB): every file is
    checked out byte for byte, at the first clone and at an update, also when the clone
    was made before (without ``.git/info/attributes``)."""
    folder = network / "content/gamma"
    first = None
    if update:
        first = commit(remote, tree(remote, [news(remote)]))
        ok, message = pull(load_network(network), "gamma")
        assert ok, message
        shutil.rmtree(folder / ".git/info")  # a clone of an earlier Gardarika
    data = b"$Id$\n" * (MB // 5)
    oid = blob(remote, data)
    commit(
        remote,
        tree(
            remote,
            [news(remote), ("100644", blob(remote, CONVERSIONS), ".gitattributes")]
            + [("100644", oid, name) for name in CONVERTED],
        ),
        first,
    )
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    for name in CONVERTED:
        assert (folder / name).stat().st_size == len(data), name
        assert (folder / name).read_bytes() == data, name
    assert (folder / ".gitattributes").read_bytes() == CONVERSIONS
    assert git("status", "--porcelain", cwd=folder) == ""


# -- links and submodules ------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "../../sites/network.yaml",
        "/etc/passwd",
        "x/../../../alpha/pages/about.md",
        "../../gamma-2",
        "",
    ],
)
def test_a_link_leading_out_of_the_folder_is_refused(
    network: Path, remote: Path, target: str
) -> None:
    link = blob(remote, target.encode())
    images = tree(remote, [("120000", link, "photo.jpg")])
    commit(remote, tree(remote, [news(remote), ("040000", images, "images")]))
    refused(network, "images/photo.jpg", "symbolic link", "символическая ссылка")
    assert left_behind(network) == []


def test_a_link_through_another_link_is_refused(network: Path, remote: Path) -> None:
    """``here -> .`` stays in the folder, and so does ``here/here/../../x`` read as
    written; followed, it is ``content/gamma/../../x``, the project's."""
    commit(
        remote,
        tree(
            remote,
            [
                news(remote),
                ("120000", blob(remote, b"."), "here"),
                ("120000", blob(remote, b"here/here/../../sites/network.yaml"), "esc"),
            ],
        ),
    )
    refused(network, "esc", "symbolic link")
    assert left_behind(network) == []


def test_a_link_inside_the_folder_and_a_submodule_are_fine(network: Path, remote: Path) -> None:
    images = tree(remote, [("120000", blob(remote, b"../news.md"), "same.md")])
    other = "0123456789abcdef0123456789abcdef01234567"
    commit(
        remote,
        tree(remote, [news(remote), ("040000", images, "images"), ("160000", other, "theme-sub")]),
    )
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    assert "theme-sub" in message and "not fetched" in message and "не загружается" in message
    folder = network / "content/gamma"
    assert (folder / "images/same.md").is_symlink()
    assert not any((folder / "theme-sub").iterdir())


# -- git runs nothing of the town's, and never waits without end ---------------------------


def test_hooks_and_fsmonitor_never_run(
    network: Path, remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    templates = tmp_path / "templates"
    for hook in ("post-checkout", "post-merge", "reference-transaction", "pre-auto-gc"):
        script = write(templates / "hooks" / hook, f"#!/bin/sh\necho {hook} >> '{marker}'\n")
        script.chmod(0o755)
    config = write(tmp_path / "gitconfig", f"[init]\n\ttemplateDir = {templates}\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    first = commit(remote, tree(remote, [news(remote)]))
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    assert not marker.exists(), marker.read_text()

    folder = network / "content/gamma"
    fsmonitor = write(tmp_path / "fsmonitor.sh", f"#!/bin/sh\necho fsmonitor >> '{marker}'\n")
    fsmonitor.chmod(0o755)
    subprocess.run(["git", "config", "core.fsmonitor", str(fsmonitor)], cwd=folder, check=True)
    commit(
        remote, tree(remote, [news(remote), ("100644", blob(remote, b"more"), "more.md")]), first
    )
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    assert (folder / "more.md").is_file()
    assert not marker.exists(), marker.read_text()


@pytest.mark.parametrize("trusted", [True, False])
def test_a_server_that_never_answers_is_given_up(
    network: Path, remote: Path, monkeypatch: pytest.MonkeyPatch, trusted: bool
) -> None:
    """With the maintainer's credentials (the town opted in, so 127.0.0.1 is allowed)
    and without (the address check switched off)."""
    import dataclasses

    import gardarika.content.pull

    monkeypatch.setattr(gardarika.content.pull, "GIT_TIMEOUT", 3)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    config = load_network(network)
    if trusted:
        config.config = dataclasses.replace(config.config, pull_with_credentials=("gamma",))
    else:
        monkeypatch.setattr(gardarika.content.pull, "repository_problem", lambda *_: None)
    silent = {"url": f"git://127.0.0.1:{server.getsockname()[1]}/gamma.git", "branch": "main"}
    config.towns["gamma"] = dataclasses.replace(config.towns["gamma"], repository=silent)
    result: list[tuple[bool, str]] = []
    worker = threading.Thread(target=lambda: result.append(pull(config, "gamma")), daemon=True)
    try:
        worker.start()
        worker.join(60)
        assert not worker.is_alive(), "pull waited for the server without end"
    finally:
        server.close()
    ok, message = result[0]
    assert not ok and "3 s" in message, message
    assert left_behind(network) == []


# -- whose credentials: none of the maintainer's, unless the town is opted in ------------

#: stands in for ssh: records how it was called and with what, then serves the
#: repository from this machine as an ssh server would (the command is the last argument)
FAKE_SSH = """#!/bin/sh
{{
  printf 'argv:'; for arg; do printf ' [%s]' "$arg"; done; echo
  echo "SSH_AUTH_SOCK=${{SSH_AUTH_SOCK-unset}}"
  echo "GIT_ASKPASS=${{GIT_ASKPASS-unset}}"
  echo "SSH_ASKPASS=${{SSH_ASKPASS-unset}}"
  echo "HOME=$HOME"
  echo "HOME holds: $(ls -A "$HOME" | tr '\\n' ' ')"
}} >> '{log}'
for last; do :; done
exec sh -c "$last"
"""


@pytest.fixture
def maintainer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The maintainer's home folder, with an ssh key named in the git settings, a
    credential helper, a ~/.netrc, an ssh agent and ask-pass programs; ``ssh`` on the
    PATH is :data:`FAKE_SSH`, which logs to ``ssh.log`` in that folder."""
    home = tmp_path / "maintainer"
    marker = home / "helper-ran"
    helper = write(
        home / "bin/credential-helper",
        f"#!/bin/sh\necho \"$1\" >> '{marker}'\n"
        "echo username=maintainer\necho password=helper-secret\n",
    )
    helper.chmod(0o755)
    write(
        home / ".gitconfig",
        f"""
        [core]
        \tsshCommand = ssh -i {home}/.ssh/id_maintainer
        [credential]
        \thelper = {helper}
    """,
    )
    write(home / ".netrc", "machine 127.0.0.1 login maintainer password netrc-secret\n")
    (home / ".netrc").chmod(0o600)
    write(home / ".ssh/id_maintainer", "not really a key\n")
    bin_folder = tmp_path / "bin"
    ssh = write(bin_folder / "ssh", FAKE_SSH.format(log=home / "ssh.log"))
    ssh.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "agent.sock"))
    monkeypatch.setenv("GIT_ASKPASS", "/bin/echo")
    monkeypatch.setenv("SSH_ASKPASS", "/bin/echo")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        "GIT_CONFIG_GLOBAL",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSH_VARIANT",
        "XDG_CONFIG_HOME",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


def _ssh_town(network: Path, remote: Path, host: str, trusted: bool) -> None:
    write(
        network / "sites/gamma.yaml",
        f"""
        name: {{ru: Гамма}}
        languages: [ru]
        repository: {{url: 'git@{host}:{remote}', branch: main}}
    """,
    )
    if trusted:
        with (network / "sites/network.yaml").open("a", encoding="utf-8") as file:
            file.write("pull_with_credentials: [gamma]\n")


@pytest.mark.parametrize("cloned", [False, True])
def test_a_pull_offers_none_of_the_maintainers_ssh_credentials(
    network: Path, remote: Path, maintainer: Path, cloned: bool
) -> None:
    """``git@github.com:maintainer/private.git`` in a town's file must not clone what
    only the maintainer may read: ssh runs without the maintainer's settings, keys,
    agent or ask-pass program (and still serves a repository anyone may read)."""
    first = commit(remote, tree(remote, [news(remote)]))
    _ssh_town(network, remote, "git.example.org", trusted=False)
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    if cloned:
        (maintainer / "ssh.log").unlink()
        commit(remote, tree(remote, [news(remote), ("100644", blob(remote, b"m"), "m.md")]), first)
        ok, message = pull(load_network(network), "gamma")
        assert ok and (network / "content/gamma/m.md").is_file(), message
    log = (maintainer / "ssh.log").read_text(encoding="utf-8")
    calls = [line for line in log.splitlines() if line.startswith("argv:")]
    assert len(calls) == 1, log
    for option in (
        "[-F] [/dev/null]",
        "[IdentitiesOnly=yes]",
        "[IdentityFile=none]",
        "[IdentityAgent=none]",
        "[BatchMode=yes]",
        "[git@git.example.org]",
    ):
        assert option in calls[0], log
    assert "[-i]" not in log and "id_maintainer" not in log
    for line in ("SSH_AUTH_SOCK=unset", "GIT_ASKPASS=unset", "SSH_ASKPASS=unset", "HOME holds: \n"):
        assert line in log + "\n", log
    assert f"HOME={maintainer}\n" not in log
    assert not (maintainer / "helper-ran").exists()


def test_an_opted_in_town_pulls_with_the_maintainers_ssh(
    network: Path, remote: Path, maintainer: Path
) -> None:
    """A town listed under ``pull_with_credentials`` is pulled as before: with the
    maintainer's git settings (their ssh key), agent and home, even from localhost."""
    commit(remote, tree(remote, [news(remote)]))
    _ssh_town(network, remote, "localhost", trusted=True)
    ok, message = pull(load_network(network), "gamma")
    assert ok, message
    log = (maintainer / "ssh.log").read_text(encoding="utf-8")
    assert f"[-i] [{maintainer}/.ssh/id_maintainer]" in log and "[git@localhost]" in log
    assert "[/dev/null]" not in log and "IdentityFile=none" not in log
    assert f"SSH_AUTH_SOCK={maintainer.parent / 'agent.sock'}" in log
    assert f"HOME={maintainer}\n" in log


class _Asking(http.server.BaseHTTPRequestHandler):
    """A server asking every request for a password; it notes what it was sent."""

    seen: list[str | None]

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("Authorization"))
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="private"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_credential_helpers_and_netrc_are_never_used(
    network: Path, remote: Path, maintainer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real git against a server that asks for a password: the maintainer's credential
    helper (in ~/.gitconfig) and ~/.netrc are never used for a town not opted in, and
    are for an opted-in one (so the test would see them). Credential helpers run only
    for http(s): plain http on 127.0.0.1 stands in for an https server, with the address
    check and the transport list (https, ssh, git) switched off."""
    import dataclasses

    import gardarika.content.pull

    monkeypatch.setattr(gardarika.content.pull, "REMOTE_PROTOCOLS", "http:https:ssh:git")
    monkeypatch.setattr(gardarika.content.pull, "repository_problem", lambda *_: None)
    seen: list[str | None] = []
    handler = type("Handler", (_Asking,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = load_network(network)
        url = f"http://127.0.0.1:{server.server_address[1]}/private.git"
        config.towns["gamma"] = dataclasses.replace(
            config.towns["gamma"], repository={"url": url, "branch": "main"}
        )
        ok, message = pull(config, "gamma")
        assert not ok, message
        assert seen and seen == [None] * len(seen), seen  # asked, and sent nothing
        assert not (maintainer / "helper-ran").exists()

        config.config = dataclasses.replace(config.config, pull_with_credentials=("gamma",))
        ok, message = pull(config, "gamma")
        assert not ok, message
        assert (maintainer / "helper-ran").read_text().split()[0] == "get"
        assert any(seen), seen
    finally:
        server.shutdown()
        server.server_close()
    assert left_behind(network) == []


def test_the_commands_carry_no_credential(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What git is run with, without the maintainer's credentials and with them."""
    from gardarika.content.pull import _Git

    for name, value in (
        ("SSH_AUTH_SOCK", "/agent"),
        ("GIT_ASKPASS", "/askpass"),
        ("SSH_ASKPASS", "/askpass"),
        ("GIT_SSH_COMMAND", "ssh -i key"),
        ("GIT_SSH", "/ssh"),
        ("XDG_CONFIG_HOME", "/config"),
        ("GIT_SSL_KEY", "/key.pem"),
        ("GIT_SSL_CERT", "/cert.pem"),
        ("KRB5CCNAME", "FILE:/tmp/krb5cc_1000"),
        ("HOME", "/home/m"),
    ):
        monkeypatch.setenv(name, value)
    anonymous = _Git(local=False, home=tmp_path)
    for remote in (True, False):
        env = anonymous.env(isolated=not remote)
        assert env["HOME"] == str(tmp_path)
        assert env["GIT_CONFIG_GLOBAL"] == os.devnull and env["GIT_CONFIG_NOSYSTEM"] == "1"
        assert env["GIT_SSH_COMMAND"].startswith("ssh -F /dev/null ")
        assert "/tmp/krb5cc_1000" not in env["KRB5CCNAME"]
        for name in (
            "SSH_AUTH_SOCK",
            "GIT_ASKPASS",
            "SSH_ASKPASS",
            "GIT_SSH",
            "XDG_CONFIG_HOME",
            "GIT_SSL_KEY",
            "GIT_SSL_CERT",
        ):
            assert name not in env
    command = anonymous.command("fetch")
    for setting in ("credential.helper=", "core.askPass=", "http.emptyAuth=false"):
        assert command[command.index(setting) - 1] == "-c"
    trusted = _Git(local=False)
    env = trusted.env(isolated=False)
    assert env["SSH_AUTH_SOCK"] == "/agent" and env["GIT_SSH_COMMAND"] == "ssh -i key"
    assert env["HOME"] == "/home/m" and "GIT_CONFIG_GLOBAL" not in env
    assert "credential.helper=" not in trusted.command("fetch")


@pytest.mark.parametrize(
    "url",
    [
        "git@localhost:{bare}",
        "ssh://127.0.0.1{bare}",
        "git://[::1]/gamma.git",
        "https://10.0.0.7/gamma.git",
        "git://169.254.169.254/gamma.git",
        "git@127.1:{bare}",
    ],
)
def test_a_server_of_this_machines_network_is_refused_by_pull_too(
    network: Path, remote: Path, maintainer: Path, url: str
) -> None:
    """Refused by the settings check and by pull again when handed such an address;
    accepted by the check once the town is opted in."""
    import dataclasses

    commit(remote, tree(remote, [news(remote)]))
    url = url.format(bare=remote)
    write(
        network / "sites/gamma.yaml",
        f"""
        name: {{ru: Гамма}}
        languages: [ru]
        repository: {{url: '{url}', branch: main}}
    """,
    )
    loaded = load_network(network)
    assert "gamma" in loaded.broken
    write(network / "sites/gamma.yaml", "name: {ru: Гамма}\nlanguages: [ru]\n")
    loaded = load_network(network)
    loaded.towns["gamma"] = dataclasses.replace(
        loaded.towns["gamma"], repository={"url": url, "branch": "main"}
    )
    ok, message = pull(loaded, "gamma")
    assert not ok and "sites/gamma.yaml" in message, message
    assert "pull_with_credentials" in message and "local_repositories" in message
    assert not (maintainer / "ssh.log").exists()
    assert left_behind(network) == []
    with (network / "sites/network.yaml").open("a", encoding="utf-8") as file:
        file.write("pull_with_credentials: [gamma]\n")
    write(
        network / "sites/gamma.yaml",
        f"""
        name: {{ru: Гамма}}
        languages: [ru]
        repository: {{url: '{url}', branch: main}}
    """,
    )
    assert "gamma" in load_network(network).towns
