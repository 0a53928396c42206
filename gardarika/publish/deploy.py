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
:mod:`gardarika.config.network` (a host is a host name, a folder lies outside the project, a
repository is an address git takes as one…) and checked again here before anything
runs. The commands are built so that a value can never be an option: ``--`` before
the values wherever the command takes it, a remote folder quoted for the server's
shell, and git allowed only the transports ``https``, ``ssh``, ``git`` and ``file``
(``GIT_ALLOW_PROTOCOL``), never ``ext::`` or another helper that runs a command.

What is at a target now is hostile too: a town's editors may control the branch a
``git`` target publishes to, or the folder a ``dir`` target writes into. So:

* a name is sent or deleted only when it is a plain relative path of visible names
  (no ``..``, no absolute path, no backslash or control character, no empty part and
  no part starting with a dot: the built site has no hidden files, so nothing can reach
  ``.git``, ``.GIT`` or ``.htaccess``). A built site holding such a name is refused
  before anything is sent; such a name in a target's manifest is never deleted;
* a manifest that is not a JSON object of names to digests, or that is a symbolic link,
  a pipe or another odd file, counts as no manifest: everything is sent, nothing
  deleted;
* a folder target (and the work clone of a ``git`` target) is walked one folder at a
  time with ``openat``-style calls that never follow a symbolic link. The built site
  is the truth: a link standing where it has a folder or a file is removed (only the
  link: what it points to is never touched) and a real folder or file is made in its
  place, and a plain file standing where it has a folder gives way too. A real folder
  where it has a file is not emptied: the deploy stops and says so. A deleted file's
  folders are walked the same way; a link on the way is removed, never followed;
* git runs in the work clone only while its ``.git`` is a real folder, with the
  fsmonitor and hooks switched off, with ``.git/info/attributes`` switching off every
  filter and conversion a ``.gitattributes`` of the branch could ask for, and adding
  files the branch's ``.gitignore`` would ignore: no file of the branch can make git
  run a command or change a byte of what is pushed;
* the branch is not checked out before its tree has been listed (``git ls-tree``, read
  as it comes and stopped at the first bound passed) and found within
  :data:`~gardarika.build.limits.MAX_TARGET_ENTRIES` files and folders,
  :data:`~gardarika.build.limits.MAX_TARGET_FILE_BYTES` for a file and
  :data:`~gardarika.build.limits.MAX_TARGET_BYTES` in all: a few hundred kilobytes of git
  objects (folders nested over one file, a "git bomb", or a big file named many times)
  would check out to billions of files or gigabytes. The attributes above are in place
  before the checkout, so the bytes written are the sizes listed. A branch over the
  bounds is refused; the work clone of a refused or failed deploy is removed.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from gardarika.build.limits import MAX_TARGET_BYTES, MAX_TARGET_ENTRIES, MAX_TARGET_FILE_BYTES
from gardarika.config.network import (
    DEPLOY_KEYS,
    DEPLOY_NAME,
    GIT_ALLOW_PROTOCOL,
    HOST,
    USER,
    branch_problem,
    option_like,
    port_problem,
    visible,
)
from gardarika.content.pull import NO_CONVERSION, stream_records
from gardarika.errors import GardarikaError, Message, Problem
from gardarika.fs.confine import path_problem

MANIFEST = ".gardarika-manifest.json"

#: the most a target's manifest may weigh; a bigger one counts as no manifest (a site of
#: 200 000 files has a manifest of some 20 MB)
MANIFEST_LIMIT = 64 * 1024 * 1024

NOT_A_NAME = Message("is not a file name", "— не имя файла")
NOT_PLAIN = Message(
    "has an empty or “.” part; a file of a site is a plain path like “news/today.html”",
    "содержит пустую часть или «.»; файл сайта — простой путь вроде «news/today.html»",
)
HIDDEN_PART = Message(
    "has a hidden part (a name starting with a dot, like “.git” or "
    "“.htaccess”); a built site has none, and a deploy never writes or deletes "
    "one",
    "содержит скрытую часть (имя с точкой в начале, как «.git» или «.htaccess»); "
    "в собранном сайте таких нет, и публикация их не записывает и не удаляет",
)


def name_problem(name: object) -> Message | None:
    """Why ``name`` cannot be a file of a deployed site (in English and Russian), or
    ``None`` if it can. A file of a site is a plain relative path of visible names,
    like ``news/today.html``: never ``../x``, ``/etc/x``, ``a//b``, ``.git/config``,
    ``.GIT/config`` or ``.htaccess``."""
    if not isinstance(name, str) or not name:
        return NOT_A_NAME
    problem = path_problem(name)
    if problem is not None:
        return problem
    parts = name.split("/")
    if any(part in ("", ".") for part in parts):
        return NOT_PLAIN
    if any(part.startswith(".") for part in parts):
        return HIDDEN_PART
    return None


def name_refused(name: object, place: str) -> Problem | None:
    """The problem to report about ``name`` at ``place``, or ``None`` if it is a plain
    path of visible names (see :func:`name_problem`)."""
    problem = name_problem(name)
    if problem is None:
        return None
    shown = name if isinstance(name, str) and name.isprintable() else repr(name)
    return Problem(
        file=place, en=f"the name “{shown}” {problem[0]}.", ru=f"имя «{shown}» {problem[1]}."
    )


def valid_manifest(value: object) -> dict[str, str] | None:
    """``value`` if it is a manifest (an object of names to digests), else ``None``."""
    if not isinstance(value, dict):
        return None
    if not all(isinstance(n, str) and isinstance(d, str) for n, d in value.items()):
        return None
    return value


def parse_manifest(data: bytes) -> dict[str, str] | None:
    """The manifest read from a target, or ``None`` when it is not JSON of names to
    digests: such a manifest counts as none, never as a traceback."""
    try:
        return valid_manifest(json.loads(data))
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested without end
        return None


def deletable(manifest: object) -> dict[str, str]:
    """The entries of a target's manifest a deploy may act on. Anyone with access to
    the target may have changed it: a manifest that is not an object of names to
    digests counts as none, and a name that is not a plain path of visible names
    inside the target is left out, so it is never deleted."""
    return {n: d for n, d in (valid_manifest(manifest) or {}).items() if name_problem(n) is None}


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
                path.read_bytes()
            ).hexdigest()
    return manifest


LISTINGS = (
    "category/",
    "tag/",
    "author/",
    "archives",
    "categories.",
    "tags.",
    "authors.",
    "search.",
)


def upload_order(name: str) -> tuple[int, str]:
    """Pictures, styles and scripts first, then articles and pages, then the listings
    that link to them, and the home pages last: until a deploy is complete, readers come
    in through the old home pages, and those only link to what is already there."""
    if not name.endswith((".html", ".htm")):
        return (0, name)
    parts = name.split("/")
    rest = (
        "/".join(parts[1:])
        if len(parts) > 1 and len(parts[0]) <= 3 and parts[0].isalpha()
        else name
    )  # inside a language folder (en/…)
    if rest.rsplit("/", 1)[-1].startswith("index"):
        return (3, name)
    if rest.startswith(LISTINGS):
        return (2, name)
    return (1, name)


def deploy_folder(
    folder: Path, target: Target, name: str, progress: Callable[[str], None] = lambda _: None
) -> DeployResult:
    """Bring ``target`` to the content of ``folder``, sending only what changed. When
    the deploy fails, a target holding a work copy of its own (a ``git`` target's
    clone) removes it."""
    try:
        return _deploy_folder(folder, target, name, progress)
    except BaseException:
        discard = getattr(target, "discard", None)
        if discard is not None:
            discard()
        raise


def _deploy_folder(
    folder: Path, target: Target, name: str, progress: Callable[[str], None]
) -> DeployResult:
    local = local_manifest(folder)
    refused = [
        problem for problem in (name_refused(file, f"{folder}/{file}") for file in local) if problem
    ]
    if refused:  # a hidden file in a built site: send nothing
        raise GardarikaError(refused)
    remote = deletable(target.read_manifest())
    result = DeployResult(target=name)
    changed = sorted(
        (n for n, digest in local.items() if remote.get(n) != digest), key=upload_order
    )
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


#: how a folder inside a target is opened: never through a symbolic link
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
#: how the target's own folder is opened (its path is the maintainer's: it may be a link)
_ROOT = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
#: how a temporary file is made: a new file, never an existing one or a link
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
#: how a manifest is opened: never through a link, never waiting on a pipe
_READ_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
#: what opening a link or a file as a folder without following links says
_NOT_A_FOLDER = (errno.ENOTDIR, errno.ELOOP)


def _kind(folder: int, name: str) -> int | None:
    """The kind of entry ``name`` of the open ``folder`` (a link is a link, not what it
    points to), or ``None`` when there is none."""
    try:
        return stat.S_IFMT(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return None


def _remove(folder: int, name: str) -> None:
    """Remove the entry ``name`` (a file or a link, never what a link points to)."""
    with suppress(FileNotFoundError):
        os.unlink(name, dir_fd=folder)


def _enter(folder: int, name: str, make: bool) -> int | None:
    """The folder ``name`` of the open ``folder``, opened without following a link, or
    ``None`` when there is no real folder of that name and ``make`` is false.

    A link standing there is removed either way: a link in a target is never the
    deploy's to keep, and only the link goes, never what it points to. With ``make``
    the built site, which has a folder there, is the truth: a plain file in its way is
    removed too, and the folder is made."""
    try:
        return os.open(name, _FOLDER, dir_fd=folder)
    except FileNotFoundError:
        pass
    except OSError as error:
        if error.errno not in _NOT_A_FOLDER:
            raise
        if make or _kind(folder, name) == stat.S_IFLNK:
            _remove(folder, name)
    if not make:
        return None
    os.mkdir(name, dir_fd=folder)
    return os.open(name, _FOLDER, dir_fd=folder)


def _write(folder: int, name: str, data: BinaryIO, place: str) -> None:
    """Write ``data`` as the file ``name`` of the open ``folder``: into a new temporary
    file beside it, then renamed over it, so that a link of that name is replaced, not
    followed. A real folder of that name is not removed with all it holds: the deploy
    stops and says so."""
    if _kind(folder, name) == stat.S_IFDIR:
        raise GardarikaError(
            [
                Problem(
                    file=place,
                    en="the built site has a file here, but the target has a folder of this name; "
                    "the deploy does not remove a folder with all it holds: move it away, then "
                    "deploy again.",
                    ru="в собранном сайте здесь файл, а в месте публикации — папка с тем же "
                    "именем; публикация не удаляет папку со всем содержимым: уберите её и "
                    "запустите публикацию снова.",
                )
            ]
        )
    temporary = f".{name}.part"
    _remove(folder, temporary)  # left by a stopped deploy, or a link put there
    descriptor = os.open(temporary, _NEW_FILE, 0o666, dir_fd=folder)
    with os.fdopen(descriptor, "wb") as out:
        shutil.copyfileobj(data, out)
    os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)


def _read(folder: int, name: str, limit: int) -> bytes | None:
    """The bytes of the plain file ``name`` of the open ``folder``, or ``None`` when it
    is missing, a link (never followed), a pipe or another odd file, or bigger than
    ``limit``."""
    try:
        descriptor = os.open(name, _READ_FILE, dir_fd=folder)
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ELOOP, errno.ENXIO):
            return None
        raise
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            data = file.read(limit + 1)
    finally:
        os.close(descriptor)
    return data if len(data) <= limit else None


def _remove_file(folder: int, name: str) -> None:
    """Remove the file or link ``name`` of the open ``folder``. A real folder there is
    not a file the deploy sent (the new site has a folder there): it stays."""
    if _kind(folder, name) not in (None, stat.S_IFDIR):
        _remove(folder, name)


def _remove_empty(opened: Sequence[int], folders: Sequence[str]) -> None:
    """Remove ``folders`` (a path, the innermost last) from the inside out while they
    are empty; ``opened`` holds the open folder each of them lies in."""
    for parent, name in zip(reversed(opened), reversed(folders), strict=True):
        try:
            os.rmdir(name, dir_fd=parent)
        except OSError:  # not empty (or gone, or no longer a folder): stop there
            return


class DirTarget:
    """A folder: each file is written beside its place and renamed into it.

    The folder may hold anything its owners put there, links included: every path is
    walked one folder at a time from the target's own folder, without ever following a
    link (see :func:`_enter`), so a deploy never writes, reads or deletes outside it."""

    def __init__(self, path: Path):
        self.root = Path(path)
        self.root.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _folders(self, parts: Sequence[str], make: bool) -> Iterator[list[int]]:
        """The open target folder, then each folder of ``parts`` in turn, opened as
        :func:`_enter` does: the list stops early when one is not there (without
        ``make``). They are all closed afterwards."""
        opened = [os.open(self.root, _ROOT)]
        try:
            for part in parts:
                inner = _enter(opened[-1], part, make)
                if inner is None:
                    break
                opened.append(inner)
            yield opened
        finally:
            for descriptor in opened:
                os.close(descriptor)

    def _parts(self, name: str) -> list[str]:
        """The parts of ``name``, a file of the site; a name that is not a plain path
        of visible names is refused (nothing of the target is ever hidden from here)."""
        problem = name_refused(name, str(self.root))
        if problem:
            raise GardarikaError([problem])
        return name.split("/")

    def read_manifest(self) -> dict[str, str] | None:
        with self._folders([], make=False) as opened:
            data = _read(opened[0], MANIFEST, MANIFEST_LIMIT)
        return None if data is None else parse_manifest(data)

    def put(self, name: str, source: Path) -> None:
        *folders, file = self._parts(name)
        with open(source, "rb") as data, self._folders(folders, make=True) as opened:
            _write(opened[-1], file, data, f"{self.root}/{name}")

    def delete(self, name: str) -> None:
        *folders, file = self._parts(name)
        with self._folders(folders, make=False) as opened:
            if len(opened) > len(folders):
                _remove_file(opened[-1], file)
                _remove_empty(opened[:-1], folders)

    def write_manifest(self, manifest: dict[str, str]) -> None:
        data = json.dumps(manifest, indent=0, sort_keys=True).encode("utf-8")
        with self._folders([], make=True) as opened:
            _write(opened[0], MANIFEST, io.BytesIO(data), f"{self.root}/{MANIFEST}")

    def finish(self, message: str) -> None:
        pass


class S3Target:
    """An S3-compatible bucket; objects carry their content type."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint: str | None = None,
        region: str | None = None,
        profile: str | None = None,
    ):
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
        return parse_manifest(body["Body"].read())

    def put(self, name: str, source: Path) -> None:
        import mimetypes

        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml"):
            kind += "; charset=utf-8"
        with source.open("rb") as body:
            self.client.put_object(
                Bucket=self.bucket, Key=self.prefix + name, Body=body, ContentType=kind
            )

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)

    def write_manifest(self, manifest: dict[str, str]) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.prefix + MANIFEST,
            Body=json.dumps(manifest, sort_keys=True).encode(),
            ContentType="application/json",
        )

    def finish(self, message: str) -> None:
        pass


def _git(*args: str, cwd: Path, options: Sequence[str] = ()) -> str:
    """Run ``git [options] args`` in ``cwd``; a failure is a problem for people."""
    done = subprocess.run(
        ["git", *options, *args], cwd=cwd, capture_output=True, text=True, env=git_environment()
    )
    if done.returncode:
        raise GardarikaError(
            [
                Problem(
                    file="invoke deploy",
                    en=f"git {args[0]} failed: {done.stderr.strip()}",
                    ru=f"git {args[0]}: ошибка: {done.stderr.strip()}",
                )
            ]
        )
    return done.stdout


#: settings every git command in a work clone runs with, whatever a file says: no
#: fsmonitor and no hooks (each runs a command), and names that some system would take
#: for ``.git`` (``.GIT``, ``git~1``, ``.git`` with ignorable characters) refused
SAFE_GIT = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.protectNTFS=true",
    "-c",
    "core.protectHFS=true",
)

# NO_CONVERSION (from network_ops) goes in the work clone's ``.git/info/attributes``,
# which outranks every ``.gitattributes`` of the branch: no filter (one of the machine's
# git settings, such as git-lfs, would run a command) and no conversion (line ends,
# ``$Id$``, encodings), so that what is pushed is the built site byte for byte

#: seconds listing a branch's tree may take; a listing within the bounds takes one or two
LIST_TIMEOUT = 300
#: bytes one entry of ``git ls-tree`` may take: no file system takes a longer path
_MAX_RECORD = 64 * 1024
_MB = 1024 * 1024


def _shown(path: bytes) -> str:
    return "“" + visible(path.decode("utf-8", "replace")) + "”"


@dataclass
class _Listing:
    """What ``git ls-tree -r -t -l`` of a branch listed, as far as it was read."""

    entries: int = 0
    bytes: int = 0

    def add(self, record: bytes) -> Message | None:
        """Count one entry (``mode type object size<TAB>path``); what is wrong once a
        bound is passed, in English and Russian."""
        meta, tab, path = record.partition(b"\t")
        fields = meta.split()
        if not tab or len(fields) != 4:
            return Message(
                "an entry git listed that could not be read",
                "запись, которую выдал git и которую не удалось разобрать",
            )
        self.entries += 1
        if fields[1] == b"blob":
            size = int(fields[3]) if fields[3].isdigit() else 0
            self.bytes += size
            if size > MAX_TARGET_FILE_BYTES:
                return Message(
                    f"the file {_shown(path)} of {size} bytes, over the "
                    f"{MAX_TARGET_FILE_BYTES} bytes ({MAX_TARGET_FILE_BYTES // _MB} MB) "
                    "a deploy target may hold in one file",
                    f"файл {_shown(path)} размером {size} байт, а в месте публикации "
                    f"один файл может занимать не больше {MAX_TARGET_FILE_BYTES} байт "
                    f"({MAX_TARGET_FILE_BYTES // _MB} МБ)",
                )
        if self.entries > MAX_TARGET_ENTRIES:
            return Message(
                f"more than {MAX_TARGET_ENTRIES} files and folders, the most a deploy "
                "target may hold",
                f"больше {MAX_TARGET_ENTRIES} файлов и папок — больше, чем может быть "
                "в месте публикации",
            )
        if self.bytes > MAX_TARGET_BYTES:
            return Message(
                f"more than {MAX_TARGET_BYTES // _MB} MB of files, the most a deploy "
                "target may hold",
                f"больше {MAX_TARGET_BYTES // _MB} МБ файлов — больше, чем может быть "
                "в месте публикации",
            )
        return None


def _listing_problem(command: list[str], cwd: Path) -> Message | None:
    """Run ``command`` (a ``git ls-tree -r -t -l -z``) and count what it lists as it
    comes; git is stopped at the first bound passed, since a git bomb lists entries
    without end. What is wrong (in English and Russian), or ``None``."""
    ended = stream_records(
        command, git_environment(), cwd, LIST_TIMEOUT, _MAX_RECORD, _Listing().add
    )
    if ended.problem:
        return ended.problem
    if ended.too_long:
        return Message(
            "a path longer than any file system takes",
            "путь длиннее, чем допускает любая файловая система",
        )
    if ended.timed_out:
        return Message(
            f"more files than git could list in {LIST_TIMEOUT} s",
            f"больше файлов, чем git смог перечислить за {LIST_TIMEOUT} с",
        )
    if ended.failure is not None:
        return Message(
            f"files that could not be listed ({ended.failure})",
            f"файлы, которые не удалось перечислить ({ended.failure})",
        )
    return None


class GitTarget(DirTarget):
    """A branch of a git repository: the files are written into a clone (as a folder
    target would) and committed and pushed in one go, so a deploy that stops half-way
    changes nothing there.

    The branch may hold anything its editors committed: links are handled as in a
    folder target, and git runs with :data:`SAFE_GIT` and :data:`NO_CONVERSION`, only
    while the clone's ``.git`` is a real folder, and never looking for a repository
    above the clone (``--git-dir``), so no file of the branch makes it run a command or
    change what is pushed."""

    def __init__(self, repository: str, branch: str, work: Path):
        if option_like(repository) or branch_problem(branch):
            raise ValueError(f"not a repository and branch: {repository!r} {branch!r}")
        self.repository = repository
        self.branch = branch
        work = Path(work).absolute()
        shutil.rmtree(work, ignore_errors=True)
        super().__init__(work)
        try:
            _git("init", "-q", cwd=work, options=SAFE_GIT)
            self._check_git_folder()
            # before any checkout: the bytes written are then the sizes listed
            (work / ".git" / "info").mkdir(exist_ok=True)
            (work / ".git" / "info" / "attributes").write_text(NO_CONVERSION, encoding="utf-8")
            self.git("remote", "add", "--", "origin", repository)
            if self.git("ls-remote", "--heads", "--", "origin", branch).strip():
                self.git("fetch", "-q", "--depth", "1", "--", "origin", branch)
                commit = self.git("rev-parse", "--verify", "-q", "FETCH_HEAD^{commit}").strip()
                if not re.fullmatch(r"[0-9a-f]{40,64}", commit):
                    raise ValueError(f"git named no commit for the branch: {commit!r}")
                self._check_tree(commit)
                self.git("checkout", "-q", "-B", branch, commit)
            else:
                self.git("checkout", "-q", "--orphan", branch)
            self._check_git_folder()  # before anything is written
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Remove the work clone (a link in it is removed, never followed)."""
        shutil.rmtree(self.root, ignore_errors=True)

    def _check_tree(self, commit: str) -> None:
        """Refuse the branch (its tip ``commit``) unless its tree is within the bounds of
        a deploy target: listed by :func:`_listing_problem`, before any checkout."""
        self._check_git_folder()
        where = (f"--git-dir={self.root / '.git'}", f"--work-tree={self.root}")
        problem = _listing_problem(
            ["git", *SAFE_GIT, *where, "ls-tree", "-r", "-t", "-l", "-z", "--full-tree", commit],
            self.root,
        )
        if problem is None:
            return
        branch, repository = visible(self.branch), visible(self.repository)
        raise GardarikaError(
            [
                Problem(
                    file="invoke deploy",
                    en=f"the branch “{branch}” of the repository {repository} holds {problem[0]}. "
                    "This branch does not look like a site Gardarika deployed (a few hundred "
                    "kilobytes of git objects, folders nested over and over or a big file "
                    "named many times, can check out to billions of files: a “git bomb”), so "
                    "nothing was checked out or published. The maintainer may empty the branch "
                    "(or delete it: the next deploy starts it afresh) or choose another branch "
                    "or repository for this deploy target.",
                    ru=f"ветка «{branch}» репозитория {repository} содержит {problem[1]}. Эта "
                    "ветка не похожа на сайт, опубликованный Gardarika (несколько сотен "
                    "килобайт объектов git — папки, вложенные друг в друга снова и снова, или "
                    "большой файл, названный много раз, — могут развернуться в миллиарды "
                    "файлов: «git-бомба»), поэтому ничего не извлечено и не опубликовано. "
                    "Сопровождающий может очистить ветку (или удалить её: следующая "
                    "публикация создаст её заново) или выбрать для этой цели публикации другую "
                    "ветку или репозиторий.",
                )
            ]
        )

    def _check_git_folder(self) -> None:
        """Stop unless the clone's ``.git`` is a real folder: were it a link or a file,
        git would work in a repository somewhere else."""
        place = self.root / ".git"
        try:
            real = stat.S_ISDIR(os.stat(place, follow_symlinks=False).st_mode)
        except FileNotFoundError:
            real = False
        if not real:
            raise GardarikaError(
                [
                    Problem(
                        file=str(place),
                        en="the work clone's .git is not a real folder (a link or a file took its "
                        "place); nothing is committed or pushed. Deploy again: it starts from a "
                        "fresh clone.",
                        ru="папка .git рабочей копии — не настоящая папка (её место заняла ссылка "
                        "или файл); ничего не записано и не отправлено. Запустите публикацию "
                        "снова: она начнётся с новой копии.",
                    )
                ]
            )

    def git(self, *args: str, options: Sequence[str] = ()) -> str:
        """Run git in the work clone, as the class describes; ``options`` go before the
        command (``-c name=value``)."""
        self._check_git_folder()
        where = (f"--git-dir={self.root / '.git'}", f"--work-tree={self.root}")
        return _git(*args, cwd=self.root, options=(*SAFE_GIT, *where, *options))

    def finish(self, message: str) -> None:
        # --force: a .gitignore of the branch does not keep built files out
        self.git("add", "--all", "--force")
        if not self.git("status", "--porcelain").strip():
            return
        self.git(
            "commit",
            "-q",
            "-m",
            message,
            options=("-c", "user.name=Gardarika", "-c", "user.email=gardarika@localhost"),
        )
        self.git("push", "-q", "--", "origin", f"HEAD:refs/heads/{self.branch}")


class RsyncTarget:
    """rsync over ssh. The changed files go in one rsync run at the end, staged on the
    server and moved in place together (``--delay-updates``); then the removed files are
    deleted and the manifest written."""

    def __init__(
        self,
        host: str,
        path: str,
        user: str | None = None,
        port: int = 22,
        identity: str | None = None,
        options: list[str] | None = None,
    ):
        """``options``: extra ssh options from the maintainer's own code (never from a
        town's file, which cannot set them)."""
        # checked again here: rsync passes the host to ssh without "--", so a host
        # like "-oProxyCommand=…" would be an option whatever comes before it
        if (
            option_like(host)
            or not HOST.match(host)
            or (user and not USER.match(user))
            or port_problem(port)
            or option_like(path)
            or not path
        ):
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
        if done.returncode or not local.is_file():  # none there, or not a plain file
            return None
        return parse_manifest(local.read_bytes())

    def put(self, name: str, source: Path) -> None:
        self.folder = Path(str(source)[: -len(name)]) if self.folder is None else self.folder
        self.changed.append(name)

    def delete(self, name: str) -> None:
        self.removed.append(name)

    def write_manifest(self, manifest: dict[str, str]) -> None:
        (self.work / MANIFEST).write_text(
            json.dumps(manifest, indent=0, sort_keys=True), encoding="utf-8"
        )

    def _check(self, done: subprocess.CompletedProcess[str], what: str) -> None:
        if done.returncode:
            raise OSError(f"{what} failed: {done.stderr.strip()}")

    def finish(self, message: str) -> None:
        self._check(self._ssh("mkdir", "-p", "--", shlex.quote(self.path)), "mkdir")
        if self.changed and self.folder is not None:
            files = self.work / "files.txt"
            files.write_text("\n".join(self.changed) + "\n", encoding="utf-8")
            self._check(
                self._rsync(
                    "-a",
                    "--delay-updates",
                    f"--files-from={files}",
                    "--",
                    f"{self.folder}/",
                    f"{self.remote}:{self.path}/",
                ),
                "rsync",
            )
        for start in range(0, len(self.removed), 200):
            paths = [
                shlex.quote(f"{self.path}/{name}") for name in self.removed[start : start + 200]
            ]
            self._check(self._ssh("rm", "-f", "--", *paths), "rm")
        self._check(
            self._rsync("--", str(self.work / MANIFEST), f"{self.remote}:{self.path}/"),
            "rsync (manifest)",
        )
        shutil.rmtree(self.work, ignore_errors=True)


def make_target(town: str, name: str, options: dict[str, Any], root: Path) -> Target:
    """The target ``name`` of ``town``, from its checked settings. The values are
    checked once more (as :mod:`gardarika.config.network` does), so that a network put together
    some other way cannot turn a deploy into a command or a write outside its place."""
    kind = options.get("type")
    where = f"deploy.{name}"
    refused: list[tuple[str, Message]] = []
    if "_refused" in options:  # another town's target writes to the same place
        refused.append((where, options["_refused"]))
    if not DEPLOY_NAME.match(str(name)):
        refused.append(
            (where, Message("not a name for a deploy target.", "недопустимое имя цели публикации."))
        )
    for key, rule in DEPLOY_KEYS.get(str(kind), {}).items():
        if key in options:
            reason = rule(options[key], root)
            if reason:
                refused.append((f"{where}.{key}", reason))
    if "ssh_options" in options:
        refused.append(
            (
                f"{where}.ssh_options",
                Message(
                    "ssh options cannot be set in a town's file.",
                    "параметры ssh нельзя задавать в файле города.",
                ),
            )
        )
    if refused:
        raise GardarikaError(
            [Problem(file=f"sites/{town}.yaml", key=key, en=en, ru=ru) for key, (en, ru) in refused]
        )
    if kind == "dir":
        path = Path(os.path.expanduser(str(options["path"])))
        return DirTarget(path if path.is_absolute() else root / path)
    if kind == "s3":
        return S3Target(
            str(options["bucket"]),
            str(options.get("prefix", "")),
            options.get("endpoint"),
            options.get("region"),
            options.get("profile"),
        )
    if kind == "rsync":
        return RsyncTarget(
            str(options["host"]),
            str(options["path"]),
            options.get("user"),
            int(options.get("port", 22)),
            options.get("identity"),
        )
    if kind == "git":
        return GitTarget(
            str(options["repository"]),
            str(options.get("branch", "gh-pages")),
            root / ".cache" / "deploy" / f"{town}-{name}",
        )
    raise GardarikaError(
        [
            Problem(
                file=f"sites/{town}.yaml",
                key=f"deploy.{name}",
                en=f"the deploy target type “{kind}” is not available yet.",
                ru=f"способ публикации «{kind}» пока не поддерживается.",
            )
        ]
    )
