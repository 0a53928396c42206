"""Incremental deploys against real local peers: a folder, a moto S3 server on localhost
and a bare git repository. A second deploy after a one-article change sends only the
files whose bytes changed; an interrupted deploy leaves a working site and is completed
by the next one."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from projects import broken_links, write

from gardarika.publish.deploy import (
    MANIFEST,
    DirTarget,
    GitTarget,
    S3Target,
    deploy_folder,
    local_manifest,
)


def gardarika(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gardarika", *args], capture_output=True, text=True, timeout=300
    )


def edit_one_article(network: Path) -> None:
    path = network / "content/alpha/articles/notice.md"
    path.write_text(
        path.read_text(encoding="utf-8") + "\nДобавлена одна строка.\n", encoding="utf-8"
    )


def changed_between(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name, digest in after.items() if before.get(name) != digest}


def test_dir_target(network: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    write(
        network / "sites/alpha.yaml",
        (network / "sites/alpha.yaml").read_text(encoding="utf-8")
        + f"deploy:\n  usb:\n    type: dir\n    path: {stick}\n",
    )
    assert gardarika("--root", str(network), "build").returncode == 0
    first = gardarika("--root", str(network), "deploy")
    assert first.returncode == 0, first.stderr
    output = network / "output/alpha"
    before = local_manifest(output)
    assert local_manifest(stick) == {**before, MANIFEST: local_manifest(stick)[MANIFEST]}
    assert f"alpha → usb: {len(before)} files sent, 0 deleted, 0 unchanged" in first.stdout

    edit_one_article(network)
    (network / "content/alpha/articles/visitors.en.md").unlink()
    assert gardarika("--root", str(network), "build").returncode == 0
    after = local_manifest(output)
    second = gardarika("--root", str(network), "deploy", "--site", "alpha", "--target", "usb")
    assert second.returncode == 0, second.stderr
    changed = changed_between(before, after)
    gone = set(before) - set(after)
    assert 0 < len(changed) < len(after) / 2 and gone
    assert f"{len(changed)} files sent, {len(gone)} deleted" in second.stdout
    assert {n: d for n, d in local_manifest(stick).items() if n != MANIFEST} == after
    assert json.loads((stick / MANIFEST).read_text(encoding="utf-8")) == after


def test_interrupted_deploy_keeps_a_working_site(
    network: Path, build_network, tmp_path: Path, monkeypatch
) -> None:
    assert build_network(network, ["alpha"]).ok
    output = network / "output/alpha"
    target = DirTarget(tmp_path / "web")
    deploy_folder(output, target, "web")
    old = local_manifest(tmp_path / "web")

    edit_one_article(network)
    write(
        network / "content/alpha/articles/new.md",
        "Title: Новая статья\nDate: 2024-06-01 10:00\n\nТекст.\n",
    )
    assert build_network(network, ["alpha"]).ok
    sent = []
    real_put = DirTarget.put

    def failing_put(self: DirTarget, name: str, source: Path) -> None:
        if len(sent) == 3:
            raise OSError("the connection dropped")
        sent.append(name)
        real_put(self, name, source)

    monkeypatch.setattr(DirTarget, "put", failing_put)
    with pytest.raises(OSError):
        deploy_folder(output, target, "web")
    web = tmp_path / "web"
    # the old manifest is still there, and every page the old home links to still exists
    assert json.loads((web / MANIFEST).read_text(encoding="utf-8")) == {
        n: d for n, d in old.items() if n != MANIFEST
    }
    assert all((web / name).exists() for name in old)
    # the pages not replaced yet are the old site: everything they link to is still there
    # (the portal and the neighbours lie outside this town's folder)
    assert "index.html" not in sent
    old_pages = [
        entry
        for entry in broken_links(web)
        if entry.split(": ")[0] not in sent
        and (web / entry.split(": ")[0])
        .parent.joinpath(entry.split(": ", 1)[1])
        .resolve()
        .is_relative_to(web.resolve())
    ]
    assert old_pages == []
    monkeypatch.undo()
    result = deploy_folder(output, target, "web")
    needed = changed_between(old, local_manifest(output))
    assert needed - set(sent) <= set(result.sent)  # the next deploy completes the work
    assert {n: d for n, d in local_manifest(web).items() if n != MANIFEST} == local_manifest(output)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_server(monkeypatch):
    from moto.server import ThreadedMotoServer

    for key, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(key, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_s3_target(network: Path, s3_server: str) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    s3.create_bucket(Bucket="towns")
    write(
        network / "sites/alpha.yaml",
        (network / "sites/alpha.yaml").read_text(encoding="utf-8")
        + f"deploy:\n  cloud:\n    type: s3\n    bucket: towns\n"
        f"    prefix: alpha\n    endpoint: {s3_server}\n    region: us-east-1\n",
    )
    assert gardarika("--root", str(network), "build").returncode == 0
    env_done = subprocess.run(
        [sys.executable, "-m", "gardarika", "--root", str(network), "deploy"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert env_done.returncode == 0, env_done.stderr
    output = network / "output/alpha"
    before = local_manifest(output)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="towns")["Contents"]}
    assert keys == {f"alpha/{n}" for n in before} | {f"alpha/{MANIFEST}"}
    head = s3.head_object(Bucket="towns", Key="alpha/index.html")
    assert head["ContentType"] == "text/html; charset=utf-8"

    edit_one_article(network)
    assert gardarika("--root", str(network), "build").returncode == 0
    after = local_manifest(output)
    result = deploy_folder(output, S3Target("towns", "alpha", s3_server, "us-east-1"), "cloud")
    assert set(result.sent) == changed_between(before, after)
    assert len(result.sent) < len(after) / 2
    body = s3.get_object(Bucket="towns", Key="alpha/index.html")["Body"].read()
    assert body == (output / "index.html").read_bytes()


def test_git_target(network: Path, build_network, tmp_path: Path) -> None:
    bare = tmp_path / "pages.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    assert build_network(network, ["alpha"]).ok
    output = network / "output/alpha"
    before = local_manifest(output)
    first = deploy_folder(output, GitTarget(str(bare), "gh-pages", tmp_path / "w1"), "pages")
    assert len(first.sent) == len(before)

    edit_one_article(network)
    assert build_network(network, ["alpha"]).ok
    after = local_manifest(output)
    second = deploy_folder(output, GitTarget(str(bare), "gh-pages", tmp_path / "w2"), "pages")
    assert set(second.sent) == changed_between(before, after)

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "-b", "gh-pages", str(bare), str(clone)], check=True)
    assert {
        n: d
        for n, d in local_manifest(clone).items()
        if n != MANIFEST and not n.startswith(".git/")
    } == after
    log = subprocess.run(
        ["git", "log", "--format=%s", "--name-only", "-1"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert set(log[2:]) - {""} == changed_between(before, after) | {MANIFEST}


@pytest.fixture
def sshd(tmp_path: Path):
    """sshd on 127.0.0.1 with a throw-away host key and user key (Debian's
    openssh-server and rsync, installed by .ci/run)."""
    import os
    import shutil
    import time

    if not (shutil.which("rsync") and os.path.exists("/usr/sbin/sshd")):
        if os.environ.get("GARDARIKA_REQUIRE_SSHD"):
            pytest.fail("openssh-server and rsync are needed")
        pytest.skip("openssh-server or rsync is not installed")
    keys = tmp_path / "ssh"
    keys.mkdir()
    for name in ("host", "user"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True
        )
    (keys / "authorized_keys").write_text((keys / "user.pub").read_text())
    port = free_port()
    config = keys / "sshd_config"
    config.write_text(f"""
Port {port}
ListenAddress 127.0.0.1
HostKey {keys / "host"}
AuthorizedKeysFile {keys / "authorized_keys"}
PidFile {keys / "sshd.pid"}
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
""")
    Path("/run/sshd").mkdir(exist_ok=True)
    server = subprocess.Popen(
        ["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE
    )
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    options = [
        "-o",
        f"UserKnownHostsFile={keys / 'known_hosts'}",
        "-o",
        "StrictHostKeyChecking=accept-new",
    ]
    yield {"port": port, "identity": str(keys / "user"), "options": options}
    server.terminate()
    server.wait(timeout=10)


def test_rsync_target(network: Path, build_network, tmp_path: Path, sshd) -> None:
    from gardarika.publish.deploy import RsyncTarget

    def target() -> RsyncTarget:
        return RsyncTarget(
            "127.0.0.1",
            str(tmp_path / "www" / "alpha"),
            port=sshd["port"],
            identity=sshd["identity"],
            options=sshd["options"],
        )

    assert build_network(network, ["alpha"]).ok
    output = network / "output/alpha"
    before = local_manifest(output)
    first = deploy_folder(output, target(), "web")
    assert len(first.sent) == len(before)
    www = tmp_path / "www" / "alpha"
    assert {n: d for n, d in local_manifest(www).items() if n != MANIFEST} == before

    edit_one_article(network)
    (network / "content/alpha/articles/visitors.en.md").unlink()
    assert build_network(network, ["alpha"]).ok
    after = local_manifest(output)
    second = deploy_folder(output, target(), "web")
    assert set(second.sent) == changed_between(before, after)
    assert set(second.deleted) == set(before) - set(after)
    assert {n: d for n, d in local_manifest(www).items() if n != MANIFEST} == after
    assert json.loads((www / MANIFEST).read_text(encoding="utf-8")) == after


# -- a deploy cannot be turned into a command or a write elsewhere ------------------------


def test_rsync_target_refuses_values_that_are_options(tmp_path: Path) -> None:
    from gardarika.publish.deploy import RsyncTarget

    for host, user, path in (
        ("-oProxyCommand=touch x", None, "/srv/www"),
        ("deploy.example.org", "-oX", "/srv/www"),
        ("deploy.example.org", None, "-e sh"),
        ("a b", None, "/srv/www"),
    ):
        with pytest.raises(ValueError):
            RsyncTarget(host, path, user)


def test_rsync_commands_keep_values_out_of_options(tmp_path: Path, monkeypatch) -> None:
    """Every value follows ``--``; the remote folder is quoted for the server's shell;
    ``~/www`` is the login's ``www``."""
    from gardarika.publish.deploy import RsyncTarget

    commands: list[list[str]] = []

    def run(self: RsyncTarget, args: list[str]) -> subprocess.CompletedProcess[str]:
        commands.append(args)
        # no manifest there yet; then every command works
        return subprocess.CompletedProcess(args, 1 if len(commands) == 1 else 0, "", "")

    monkeypatch.setattr(RsyncTarget, "_run", run)
    target = RsyncTarget("[2001:db8::1]", "~/www", "deploy", 2222)
    assert target.read_manifest() is None
    target.put("index.html", tmp_path / "index.html")
    target.delete("old page.html")
    target.write_manifest({})
    target.finish("x")
    rsync_read, mkdir, rsync_put, remove = commands[:4]
    assert rsync_read[-3:] == [
        "--",
        f"deploy@[2001:db8::1]:www/{MANIFEST}",
        str(target.work / MANIFEST),
    ]
    ssh_end = mkdir.index("--")
    assert mkdir[ssh_end + 1 :] == ["deploy@2001:db8::1", "mkdir", "-p", "--", "www"]
    assert rsync_put[-3] == "--" and rsync_put[-1] == "deploy@[2001:db8::1]:www/"
    assert remove[remove.index("--") + 1 :] == [
        "deploy@2001:db8::1",
        "rm",
        "-f",
        "--",
        "'www/old page.html'",
    ]


@pytest.mark.parametrize(
    "options",
    [
        {"type": "dir", "path": "output/beta"},
        {"type": "dir", "path": "{root}/content/beta"},
        {"type": "dir", "path": "~/.config/autostart"},
        {"type": "rsync", "host": "-oProxyCommand=touch {tmp}/ran", "path": "/srv/www"},
        {
            "type": "rsync",
            "host": "h.example.org",
            "path": "/srv/www",
            "ssh_options": ["-oProxyCommand=touch {tmp}/ran"],
        },
        {"type": "git", "repository": "--upload-pack=touch {tmp}/ran;"},
        {"type": "git", "repository": "ext::sh -c touch% {tmp}/ran"},
        {"type": "git", "repository": "https://example.org/x.git", "branch": "."},
    ],
)
def test_make_target_checks_again_what_the_settings_check_refuses(
    project: Path, tmp_path: Path, options: dict
) -> None:
    """A network put together without the settings check still cannot deploy with
    values that run commands or write into the project."""
    from gardarika.errors import GardarikaError
    from gardarika.publish.deploy import make_target

    values = {
        k: v.replace("{root}", str(project)).replace("{tmp}", str(tmp_path))
        if isinstance(v, str)
        else [o.replace("{tmp}", str(tmp_path)) for o in v]
        if isinstance(v, list)
        else v
        for k, v in options.items()
    }
    with pytest.raises(GardarikaError) as caught:
        make_target("alpha", "web", values, project)
    problem = caught.value.problems[0]
    assert problem.file == "sites/alpha.yaml" and problem.key.startswith("deploy.web")
    assert problem.en and problem.ru
    assert not (tmp_path / "ran").exists() and not (project / "output").exists()
    with pytest.raises(GardarikaError):
        make_target("alpha", "../../x", {"type": "dir", "path": str(tmp_path / "w")}, project)


def test_git_runs_only_the_allowed_transports(tmp_path: Path) -> None:
    """Even a repository address that got past every check cannot name a transport
    helper: git runs with GIT_ALLOW_PROTOCOL."""
    from gardarika.errors import GardarikaError

    marker = tmp_path / "ran"
    with pytest.raises(GardarikaError) as caught:
        GitTarget(f"ext::sh -c touch% {marker}", "gh-pages", tmp_path / "w")
    assert "not allowed" in caught.value.problems[0].en
    assert not marker.exists()
    with pytest.raises(ValueError):
        GitTarget(f"--upload-pack=touch {marker};", "gh-pages", tmp_path / "w2")
    assert not marker.exists()


def test_a_changed_manifest_cannot_delete_outside_the_target(tmp_path: Path) -> None:
    town = tmp_path / "site"
    write(town / "index.html", "<p>home</p>")
    keep = tmp_path / "keep.txt"
    keep.write_text("mine", encoding="utf-8")
    web = tmp_path / "web"
    write(web / MANIFEST, json.dumps({"../keep.txt": "x", "/etc/hostname": "y", "old.html": "z"}))
    write(web / "old.html", "old")
    result = deploy_folder(town, DirTarget(web), "web")
    assert result.deleted == ["old.html"] and keep.exists()
