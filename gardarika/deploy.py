"""``invoke deploy``: publish a town's built site to the targets named in its YAML.

Every target keeps a manifest of what it holds (``.gardarika-manifest.json``: path →
SHA-256). A deploy compares it with the built site and sends only new and changed files,
then deletes the files that are gone, then writes the new manifest. Pictures and styles
go before the pages that use them, the home pages last, so an interrupted deploy leaves a
working site (old pages still find what they link to); the next deploy sees the old
manifest and completes the work, since sending a file twice does no harm.

Targets (``deploy:`` in ``sites/<town>.yaml``; secrets never there — they come from the
environment or from a file outside the repository):

* ``dir``: a folder, e.g. a mounted web space or a USB stick: ``path``;
* ``s3``: S3-compatible object storage (Yandex Object Storage, MinIO …) through boto3:
  ``bucket``, optional ``prefix``, ``endpoint``, ``region``; credentials from the
  usual ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` variables or a ``profile``;
* ``git``: a branch of a repository for Pages-style hosting: ``repository``, ``branch``;
* ``rsync``: rsync over ssh: ``host``, ``path``, optional ``user``, ``port``,
  ``identity`` (a key file outside the repository). ssh options belong in the deploying
  machine's ``~/.ssh/config``, never in a town's file: some of them run commands.

A town's file may be edited by its editors, so its values are checked in
:mod:`gardarika.config` (a host is a host name, a folder lies outside the project, a
repository is an address git takes as one…) and checked again here before anything
runs. The commands are built so that a value can never be an option: ``--`` before
the values wherever the command takes it, a remote folder quoted for the server's
shell, and git allowed only the transports ``https``, ``ssh``, ``git`` and ``file``
(``GIT_ALLOW_PROTOCOL``), never ``ext::`` or another helper that runs a command.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .config import (
    DEPLOY_KEYS,
    DEPLOY_NAME,
    GIT_ALLOW_PROTOCOL,
    HOST,
    USER,
    branch_problem,
    option_like,
    port_problem,
)
from .confine import path_problem
from .errors import GardarikaError, Problem

MANIFEST = ".gardarika-manifest.json"


def git_environment() -> dict[str, str]:
    """The environment git runs in: no prompt for a password, and only the transports a
    repository address may use (``ext::`` and remote helpers run commands)."""
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ALLOW_PROTOCOL": GIT_ALLOW_PROTOCOL}


class Target(Protocol):
    def read_manifest(self) -> dict[str, str] | None: ...
    def put(self, name: str, source: Path) -> None: ...
    def delete(self, name: str) -> None: ...
    def write_manifest(self, manifest: dict[str, str]) -> None: ...
    def finish(self, message: str) -> None: ...


@dataclass
class DeployResult:
    target: str
    sent: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0


def local_manifest(folder: Path) -> dict[str, str]:
    manifest = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            manifest[path.relative_to(folder).as_posix()] = hashlib.sha256(
                path.read_bytes()).hexdigest()
    return manifest


LISTINGS = ("category/", "tag/", "author/", "archives", "categories.", "tags.", "authors.",
            "search.")


def upload_order(name: str) -> tuple[int, str]:
    """Pictures, styles and scripts first, then articles and pages, then the listings
    that link to them, and the home pages last: until a deploy is complete, readers come
    in through the old home pages, and those only link to what is already there."""
    if not name.endswith((".html", ".htm")):
        return (0, name)
    parts = name.split("/")
    rest = "/".join(parts[1:]) if len(parts) > 1 and len(parts[0]) <= 3 and \
        parts[0].isalpha() else name  # inside a language folder (en/…)
    if rest.rsplit("/", 1)[-1].startswith("index"):
        return (3, name)
    if rest.startswith(LISTINGS):
        return (2, name)
    return (1, name)


def deploy_folder(folder: Path, target: Target, name: str,
                  progress: Callable[[str], None] = lambda _: None) -> DeployResult:
    """Bring ``target`` to the content of ``folder``, sending only what changed."""
    local = local_manifest(folder)
    # a manifest is read from the target, where anyone with access could have changed
    # it: a name in it that is not a plain path inside the target is never deleted
    remote = {n: d for n, d in (target.read_manifest() or {}).items()
              if isinstance(n, str) and n and path_problem(n) is None}
    result = DeployResult(target=name)
    changed = sorted((n for n, digest in local.items() if remote.get(n) != digest),
                     key=upload_order)
    for number, file in enumerate(changed, 1):
        target.put(file, folder / file)
        result.sent.append(file)
        if number % 200 == 0:
            progress(f"  {name}: {number}/{len(changed)} files sent")
    for file in sorted(set(remote) - set(local)):
        target.delete(file)
        result.deleted.append(file)
    result.unchanged = len(local) - len(changed)
    target.write_manifest(local)
    target.finish(f"Deploy: {len(result.sent)} files sent, {len(result.deleted)} deleted")
    return result


# -- targets ----------------------------------------------------------------------------


class DirTarget:
    """A folder: each file is written beside its place and renamed into it."""

    def __init__(self, path: Path):
        self.root = Path(path)
        self.root.mkdir(parents=True, exist_ok=True)

    def read_manifest(self) -> dict[str, str] | None:
        path = self.root / MANIFEST
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def put(self, name: str, source: Path) -> None:
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.part")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)

    def delete(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)
        parent = (self.root / name).parent
        while parent != self.root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent

    def write_manifest(self, manifest: dict[str, str]) -> None:
        tmp = self.root / f".{MANIFEST}.part"
        tmp.write_text(json.dumps(manifest, indent=0, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.root / MANIFEST)

    def finish(self, message: str) -> None:
        pass


class S3Target:
    """An S3-compatible bucket; objects carry their content type."""

    def __init__(self, bucket: str, prefix: str = "", endpoint: str | None = None,
                 region: str | None = None, profile: str | None = None):
        import boto3

        session = boto3.session.Session(profile_name=profile) if profile else boto3
        self.client = session.client("s3", endpoint_url=endpoint, region_name=region)
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def read_manifest(self) -> dict[str, str] | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + MANIFEST)
        except self.client.exceptions.NoSuchKey:
            return None
        return json.loads(body["Body"].read())

    def put(self, name: str, source: Path) -> None:
        import mimetypes

        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
            kind += "; charset=utf-8"
        with source.open("rb") as body:
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=body,
                                   ContentType=kind)

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)

    def write_manifest(self, manifest: dict[str, str]) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + MANIFEST,
                               Body=json.dumps(manifest, sort_keys=True).encode(),
                               ContentType="application/json")

    def finish(self, message: str) -> None:
        pass


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env=git_environment())
    if done.returncode:
        raise GardarikaError([Problem(file="invoke deploy", en=f"git {args[0]} failed: "
                                      f"{done.stderr.strip()}", ru=f"git {args[0]}: ошибка: "
                                      f"{done.stderr.strip()}")])
    return done.stdout


class GitTarget(DirTarget):
    """A branch of a git repository: the files are written into a clone (as a folder
    target would) and committed and pushed in one go, so a deploy that stops half-way
    changes nothing there."""

    def __init__(self, repository: str, branch: str, work: Path):
        if option_like(repository) or branch_problem(branch):
            raise ValueError(f"not a repository and branch: {repository!r} {branch!r}")
        self.branch = branch
        work = Path(work)
        shutil.rmtree(work, ignore_errors=True)
        super().__init__(work)
        _git("init", "-q", cwd=work)
        _git("remote", "add", "--", "origin", repository, cwd=work)
        if _git("ls-remote", "--heads", "--", "origin", branch, cwd=work).strip():
            _git("fetch", "-q", "--depth", "1", "--", "origin", branch, cwd=work)
            _git("checkout", "-q", "-B", branch, "FETCH_HEAD", cwd=work)
        else:
            _git("checkout", "-q", "--orphan", branch, cwd=work)

    def finish(self, message: str) -> None:
        _git("add", "-A", cwd=self.root)
        if not _git("status", "--porcelain", cwd=self.root).strip():
            return
        _git("-c", "user.name=Gardarika", "-c", "user.email=gardarika@localhost", "commit",
             "-q", "-m", message, cwd=self.root)
        _git("push", "-q", "--", "origin", f"HEAD:refs/heads/{self.branch}", cwd=self.root)


class RsyncTarget:
    """rsync over ssh. The changed files go in one rsync run at the end, staged on the
    server and moved in place together (``--delay-updates``); then the removed files are
    deleted and the manifest written."""

    def __init__(self, host: str, path: str, user: str | None = None, port: int = 22,
                 identity: str | None = None, options: list[str] | None = None):
        """``options``: extra ssh options from the maintainer's own code (never from a
        town's file, which cannot set them)."""
        # checked again here: rsync passes the host to ssh without "--", so a host
        # like "-oProxyCommand=…" would be an option whatever comes before it
        if option_like(host) or not HOST.match(host) or (user and not USER.match(user)) \
                or port_problem(port) or option_like(path) or not path:
            raise ValueError(f"not an rsync target: {user!r}@{host!r}:{port!r} {path!r}")
        login = f"{user}@" if user else ""
        self.remote = f"{login}{host}"  # rsync's form: [v6] keeps its brackets
        self.destination = f"{login}{host.strip('[]')}"  # ssh's form
        # "~/www" is "www" to both: relative to the login's home (no shell expands "~"
        # in a quoted path)
        path = path[2:] if path.startswith("~/") else path
        self.path = path.rstrip("/") or "/"
        ssh = ["ssh", "-p", str(port), "-o", "BatchMode=yes", *(options or [])]
        if identity:
            ssh += ["-i", os.path.expanduser(identity)]
        self.ssh = ssh
        self.work = Path(tempfile.mkdtemp(prefix="gardarika-rsync-"))
        self.folder: Path | None = None
        self.changed: list[str] = []
        self.removed: list[str] = []

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, capture_output=True, text=True, timeout=3600)

    def _rsync(self, *args: str) -> subprocess.CompletedProcess[str]:
        """rsync with ``args``: options, then ``--``, then the source and destination."""
        return self._run(["rsync", "-e", shlex.join(self.ssh), *args])

    def _ssh(self, *command: str) -> subprocess.CompletedProcess[str]:
        """A command on the server; the server's shell reads it, so every value in it is
        quoted by the caller."""
        return self._run([*self.ssh, "--", self.destination, *command])

    def read_manifest(self) -> dict[str, str] | None:
        local = self.work / MANIFEST
        done = self._rsync("--", f"{self.remote}:{self.path}/{MANIFEST}", str(local))
        return json.loads(local.read_text(encoding="utf-8")) if done.returncode == 0 else None

    def put(self, name: str, source: Path) -> None:
        self.folder = Path(str(source)[: -len(name)]) if self.folder is None else self.folder
        self.changed.append(name)

    def delete(self, name: str) -> None:
        self.removed.append(name)

    def write_manifest(self, manifest: dict[str, str]) -> None:
        (self.work / MANIFEST).write_text(json.dumps(manifest, indent=0, sort_keys=True),
                                          encoding="utf-8")

    def _check(self, done: subprocess.CompletedProcess[str], what: str) -> None:
        if done.returncode:
            raise OSError(f"{what} failed: {done.stderr.strip()}")

    def finish(self, message: str) -> None:
        self._check(self._ssh("mkdir", "-p", "--", shlex.quote(self.path)), "mkdir")
        if self.changed and self.folder is not None:
            files = self.work / "files.txt"
            files.write_text("\n".join(self.changed) + "\n", encoding="utf-8")
            self._check(self._rsync("-a", "--delay-updates", f"--files-from={files}", "--",
                                    f"{self.folder}/", f"{self.remote}:{self.path}/"), "rsync")
        for start in range(0, len(self.removed), 200):
            paths = [shlex.quote(f"{self.path}/{name}") for name in
                     self.removed[start:start + 200]]
            self._check(self._ssh("rm", "-f", "--", *paths), "rm")
        self._check(self._rsync("--", str(self.work / MANIFEST), f"{self.remote}:{self.path}/"),
                    "rsync (manifest)")
        shutil.rmtree(self.work, ignore_errors=True)


def make_target(town: str, name: str, options: dict[str, Any], root: Path) -> Target:
    """The target ``name`` of ``town``, from its checked settings. The values are
    checked once more (as :mod:`gardarika.config` does), so that a network put together
    some other way cannot turn a deploy into a command or a write outside its place."""
    kind = options.get("type")
    where = f"deploy.{name}"
    refused: list[tuple[str, str, str]] = []
    if "_refused" in options:  # another town's target writes to the same place
        refused.append((where, *options["_refused"]))
    if not DEPLOY_NAME.match(str(name)):
        refused.append((where, "not a name for a deploy target.",
                        "недопустимое имя цели публикации."))
    for key, rule in DEPLOY_KEYS.get(str(kind), {}).items():
        if key in options:
            reason = rule(options[key], root)
            if reason:
                refused.append((f"{where}.{key}", *reason))
    if "ssh_options" in options:
        refused.append((f"{where}.ssh_options", "ssh options cannot be set in a town's file.",
                        "параметры ssh нельзя задавать в файле города."))
    if refused:
        raise GardarikaError([Problem(file=f"sites/{town}.yaml", key=key, en=en, ru=ru)
                              for key, en, ru in refused])
    if kind == "dir":
        path = Path(os.path.expanduser(str(options["path"])))
        return DirTarget(path if path.is_absolute() else root / path)
    if kind == "s3":
        return S3Target(str(options["bucket"]), str(options.get("prefix", "")),
                        options.get("endpoint"), options.get("region"), options.get("profile"))
    if kind == "rsync":
        return RsyncTarget(str(options["host"]), str(options["path"]), options.get("user"),
                           int(options.get("port", 22)), options.get("identity"))
    if kind == "git":
        return GitTarget(str(options["repository"]), str(options.get("branch", "gh-pages")),
                         root / ".cache" / "deploy" / f"{town}-{name}")
    raise GardarikaError([Problem(
        file=f"sites/{town}.yaml", key=f"deploy.{name}",
        en=f"the deploy target type “{kind}” is not available yet.",
        ru=f"способ публикации «{kind}» пока не поддерживается.")])
