"""``invoke pull``: a town's content fetched from its own git repository.

The repository's address and branch come from the town's file, which its
editors may edit: they are checked in :mod:`gardarika.config.network` and again here, each
value follows ``--`` or is glued to its option (``--branch=…``), and git may use only
the transports ``https``, ``ssh`` and ``git`` (``GIT_ALLOW_PROTOCOL``), or ``file`` for a
folder the maintainer lists under ``local_repositories`` in ``sites/network.yaml``. An
update is ``git fetch`` then a fast-forward ``git merge``, not ``git pull``: ``git pull
-- URL`` hands the address to ``git fetch`` as an option again (``--upload-pack=…``
would run a command).

What a repository holds is its editors' choice too, and a few hundred kilobytes of git
objects can check out to gigabytes (one large blob named many times) or to billions of
files (trees nested over one blob, a "git bomb"). So nothing is checked out before the
fetched commit's tree has been listed (``git ls-tree``, read as it comes and stopped at
the first limit passed) and found within :data:`~gardarika.build.limits.MAX_TOWN_ENTRIES`
files and folders, :data:`~gardarika.build.limits.MAX_FILE_BYTES` for a file and
:data:`~gardarika.build.limits.MAX_TOWN_BYTES` in all, with no symbolic link leading out of
the town's folder. Otherwise the last good copy stays as it was.

Every git command runs with the town's hooks and file-system monitor switched off, a
time limit, no terminal to prompt on, and nothing in the environment pointing it at
another repository; commands that only read or check out what was fetched also run
without the user's and the system's git settings, so that no filter they define (Git
LFS…) is started by a town's ``.gitattributes``. Nor does the town's ``.gitattributes``
change what is checked out: ``.git/info/attributes``, which outranks it, switches off
every conversion (:data:`NO_CONVERSION`; ``ident``, line ends and ``working-tree-encoding``
would otherwise write many times the bytes counted, ``$Id$`` becoming 47 bytes and UTF-32
four times the text), before the first checkout and before every update.

**Whose credentials.** The address is the town's choice, and git run with the
maintainer's ssh keys, ssh agent, ssh and git settings, credential helpers or
``~/.netrc`` would clone into the town, to be published, any repository only the
maintainer may read (``git@github.com:maintainer/private.git``, ``git@localhost:/srv/…``).
So by default a pull runs git with none of them: an empty folder as ``HOME``, no user's
or system's git settings, no credential helper, ``ssh -F /dev/null`` without keys or
agent (:data:`ANONYMOUS_SSH`), no ask-pass program and no Kerberos ticket. A town's
repository is then read as anyone on the Internet would read it. A town the maintainer
lists under ``pull_with_credentials`` in ``sites/network.yaml`` is pulled as before,
with the maintainer's settings and credentials, and may also name a server of this
machine or its network (``localhost``, a private address), which other towns may not
(:func:`gardarika.config.network.internal_host`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from gardarika.build.limits import (
    MAX_FILE_BYTES,
    MAX_TOWN_BYTES,
    MAX_TOWN_DEPTH,
    MAX_TOWN_ENTRIES,
    TownSize,
)
from gardarika.config.network import (
    Network,
    branch_problem,
    claimed_folders,
    repository_is_local,
    repository_problem,
    visible,
)
from gardarika.errors import Message, counted, display_path
from gardarika.fs.confine import is_inside

#: seconds a clone or a fetch may take; then git (and ssh, a remote helper) is stopped
GIT_TIMEOUT = 600
#: seconds for what runs on the fetched objects alone: listing the tree, a checkout
LOCAL_TIMEOUT = 300
#: transports for a repository on a server; ``file`` only for a local repository the
#: maintainer allowed (``local_repositories``)
REMOTE_PROTOCOLS = "https:ssh:git"
#: variables that point git at another repository than the one named (set when invoke
#: runs from a git hook of the project's own repository)
REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_GRAFT_FILE",
    "GIT_SHALLOW_FILE",
    "GIT_REPLACE_REF_BASE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_PREFIX",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_QUARANTINE_PATH",
)
#: ``.git/info/attributes`` of a town's clone (and of a deploy's work clone), which
#: outranks every ``.gitattributes`` of the branch: no filter (one of the machine's git
#: settings, such as git-lfs, would run a command) and none of the conversions that make
#: the checked-out file differ from the blob (``text``/``crlf``/``eol``: line ends;
#: ``ident``: ``$Id$``; ``working-tree-encoding``), so that a file is checked out byte
#: for byte as counted (gitattributes(5), "Checking-out and checking-in")
NO_CONVERSION = "* -text -eol -crlf -filter -ident -working-tree-encoding\n"
#: ssh for a pull without the maintainer's credentials: no ssh settings of the user or
#: the system (``-F /dev/null``: no ``Host`` block's key, proxy or shared connection), no
#: key file, no agent, no security token, no Kerberos, no password or prompt; and never
#: a host key added to ``known_hosts``
ANONYMOUS_SSH = (
    "ssh -F /dev/null -o IdentitiesOnly=yes -o IdentityFile=none "
    "-o IdentityAgent=none -o PKCS11Provider=none -o BatchMode=yes "
    "-o PasswordAuthentication=no -o KbdInteractiveAuthentication=no "
    "-o HostbasedAuthentication=no -o GSSAPIAuthentication=no "
    "-o ControlMaster=no -o ControlPath=none -o ForwardAgent=no "
    "-o StrictHostKeyChecking=yes -o UpdateHostKeys=no"
)
#: variables that hand git, ssh or curl a credential of the maintainer, removed for a
#: pull without them (``HOME``, ``GIT_SSH_COMMAND`` and ``KRB5CCNAME`` are replaced)
_CREDENTIAL_VARIABLES = (
    "SSH_AUTH_SOCK",
    "SSH_AGENT_PID",
    "SSH_ASKPASS",
    "SSH_ASKPASS_REQUIRE",
    "GIT_ASKPASS",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_SSH_VARIANT",
    "XDG_CONFIG_HOME",
    "CURL_HOME",
    "GIT_SSL_CERT",
    "GIT_SSL_KEY",
    "GIT_SSL_CERT_PASSWORD_PROTECTED",
    "GIT_SSL_CERT_TYPE",
    "GIT_SSL_KEY_TYPE",
    "KRB5CCNAME",
    "KRB5_CLIENT_KTNAME",
)
#: bytes of one line of ``git ls-tree`` (a path longer than any file system takes)
_MAX_RECORD = 16 * 1024
#: bytes of a symbolic link's target
_MAX_LINK = 1024
_MB = 1024 * 1024


@dataclass(frozen=True)
class _Git:
    """How git is run for one pull: which transports, and with which settings."""

    local: bool
    #: an empty folder given to git as ``HOME``: git runs with none of the maintainer's
    #: credentials (:data:`ANONYMOUS_SSH`, no settings, no credential helper, no
    #: ``~/.netrc``); ``None`` for a town listed in ``pull_with_credentials``
    home: Path | None = None
    #: when the whole pull of the town must be over (``time.monotonic()``); no command
    #: runs past it, so one town's slow server never holds the others up for long
    deadline: float | None = None
    #: the town's time limit in seconds, for the message when it runs out
    limit: float | None = None
    #: it only reads what is here: no transport at all (:data:`READ_ONLY_ENV`)
    read_only: bool = False

    def seconds(self, limit: float) -> float:
        """``limit``, or less when the town's deadline comes sooner."""
        if self.deadline is None:
            return limit
        return max(0.1, min(limit, self.deadline - time.monotonic()))

    def env(self, isolated: bool) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in REPOSITORY_VARIABLES
            and not key.startswith("GIT_CONFIG_KEY_")
            and not key.startswith("GIT_CONFIG_VALUE_")
        }
        env.update(
            GIT_TERMINAL_PROMPT="0",
            GIT_LFS_SKIP_SMUDGE="1",
            GIT_ALLOW_PROTOCOL="file" if self.local else REMOTE_PROTOCOLS,
        )
        if isolated or self.home is not None:
            env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
        if self.read_only:
            env.update(READ_ONLY_ENV)
        if self.home is not None:
            for key in _CREDENTIAL_VARIABLES:
                env.pop(key, None)
            env.update(
                HOME=str(self.home),
                GIT_SSH_COMMAND=ANONYMOUS_SSH,
                GIT_SSH_VARIANT="ssh",
                KRB5CCNAME=f"FILE:{self.home / 'no-kerberos-ticket'}",
            )
        return env

    def command(
        self, *args: str, git_dir: Path | None = None, work_tree: Path | None = None
    ) -> list[str]:
        allow = "always" if self.local else "never"
        where = [f"--git-dir={git_dir}"] if git_dir else []
        where += [f"--work-tree={work_tree}"] if work_tree else []
        # no credential helper (an empty value empties the list), no ask-pass program,
        # and no Kerberos ticket tried without a user name (http.emptyAuth)
        anonymous = (
            ["-c", "credential.helper=", "-c", "core.askPass=", "-c", "http.emptyAuth=false"]
            if self.home is not None
            else []
        )
        return [
            "git",
            "-c",
            "core.fsmonitor=false",
            "-c",
            f"core.hooksPath={os.devnull}",
            "-c",
            f"protocol.file.allow={allow}",
            "-c",
            "protocol.ext.allow=never",
            "-c",
            "submodule.recurse=false",
            # a clone's own .git/config could name programs that reading or merging
            # runs: signatures are neither shown nor checked, no pager
            "-c",
            "log.showSignature=false",
            "-c",
            "merge.verifySignatures=false",
            "-c",
            "gpg.program=false",
            "-c",
            "gpg.ssh.program=false",
            "-c",
            "gpg.x509.program=false",
            "-c",
            "core.pager=cat",
            *anonymous,
            *where,
            *args,
        ]

    def run(
        self,
        *args: str,
        git_dir: Path | None = None,
        work_tree: Path | None = None,
        remote: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run git; ``remote``: it talks to the repository's server (for a town in
        ``pull_with_credentials`` the user's git settings apply then: ssh keys,
        proxies), otherwise it works on what was fetched."""
        if self.expired():
            return subprocess.CompletedProcess(args, -signal.SIGKILL, "", self.too_late())
        done = _run(
            self.command(*args, git_dir=git_dir, work_tree=work_tree),
            env=self.env(isolated=not remote),
            cwd=work_tree,
            timeout=self.seconds(GIT_TIMEOUT if remote else LOCAL_TIMEOUT),
        )
        if (
            done.returncode == -signal.SIGKILL
            and self.deadline is not None
            and time.monotonic() >= self.deadline
        ):
            done.stderr = self.too_late()
        return done

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def too_late(self) -> str:
        return (
            f"no answer within the town's time limit of {self.limit or 0:.0f} s "
            "(invoke pull --timeout)"
        )


def _stop(proc: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """Kill a command started in a session of its own, with whatever it started."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _run(
    args: list[str], env: dict[str, str], cwd: Path | None, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run a command with no terminal and no input; stopped, with what it started (ssh,
    a remote helper), after ``timeout`` seconds. Of what it prints, only the first
    :data:`_KEEP_OUT` bytes of its output and the first and last :data:`_KEEP_ERR` of
    its messages are kept: a server may send progress messages without end."""
    if _STOPPING.is_set():
        return subprocess.CompletedProcess(args, -signal.SIGINT, "", "interrupted")
    with subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as proc:
        out, err = _Kept(_KEEP_OUT, 0), _Kept(_KEEP_ERR, _KEEP_ERR)
        readers = [
            threading.Thread(target=out.read, args=(proc.stdout,), daemon=True),
            threading.Thread(target=err.read, args=(proc.stderr,), daemon=True),
        ]
        for reader in readers:
            reader.start()
        with _tracked(proc):
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _stop(proc)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
                for reader in readers:
                    reader.join(10)
                return subprocess.CompletedProcess(
                    args, -signal.SIGKILL, "", f"no answer within {timeout:.0f} s"
                )
            except BaseException:  # Ctrl-C: git runs in a session of its own, it goes too
                _stop(proc)
                raise
        for reader in readers:
            reader.join(10)
    return subprocess.CompletedProcess(args, proc.returncode, out.text(), err.text())


#: bytes of a command's output kept (git's answers to what is asked here are short)
_KEEP_OUT = 1 << 20
#: bytes kept of the start and of the end of a command's messages
_KEEP_ERR = 32 * 1024


class _Kept:
    """What a stream said, within bounds: its first ``head`` and last ``tail`` bytes;
    the rest is read and thrown away, so that the command never waits on a full pipe."""

    def __init__(self, head: int, tail: int) -> None:
        self.head, self.tail = bytearray(), bytearray()
        self.head_size, self.tail_size = head, tail
        self.dropped = False

    def read(self, stream: Any) -> None:
        with contextlib.suppress(OSError, ValueError):
            while chunk := stream.read1(1 << 16):
                room = self.head_size - len(self.head)
                if room > 0:
                    self.head += chunk[:room]
                    chunk = chunk[room:]
                if chunk and self.tail_size:
                    self.tail += chunk
                    if len(self.tail) > self.tail_size:
                        del self.tail[: len(self.tail) - self.tail_size]
                        self.dropped = True
                elif chunk:
                    self.dropped = True

    def text(self) -> str:
        middle = "\n…\n" if self.dropped and self.tail else ""
        return (bytes(self.head) + middle.encode() + bytes(self.tail)).decode("utf-8", "replace")


@contextlib.contextmanager
def _tracked(proc: subprocess.Popen[Any]) -> Iterator[None]:
    """``proc`` is among the commands Ctrl-C stops (:func:`stop_running`), for as long
    as it runs; if the user interrupted just as it started, it is stopped at once."""
    with _RUNNING_LOCK:
        _RUNNING.add(proc)
    try:
        if _STOPPING.is_set():
            _stop(proc)
        yield
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(proc)


#: the git commands running now, in every thread: stopped when the user interrupts
_RUNNING: set[subprocess.Popen[Any]] = set()
_RUNNING_LOCK = threading.Lock()
#: set when the user interrupted: no git command starts any more
_STOPPING = threading.Event()


def stop_running() -> None:
    """Stop every git command pulls are running (the user pressed Ctrl-C), and start no
    other."""
    _STOPPING.set()
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for proc in running:
        _stop(proc)


def _said(done: subprocess.CompletedProcess[str]) -> str:
    """What git said, on one line, without terminal controls (a server writes it)."""
    text = "; ".join(line.strip() for line in done.stderr.splitlines() if line.strip())
    return visible(text or f"git exited with {done.returncode}", limit=400)


# -- what a fetched commit would check out ------------------------------------------------


def _size(n: int) -> Message:
    if n >= _MB:
        return Message(f"{n / _MB:.0f} MB", f"{n / _MB:.0f} МБ")
    if n >= 1024:
        return Message(f"{n // 1024} KB", f"{n // 1024} КБ")
    return Message(f"{n} byte{'' if n == 1 else 's'}", f"{n} байт")


def _shown(path: bytes) -> str:
    return visible(path.decode("utf-8", "backslashreplace"))


@dataclass
class _Tree:
    """What ``git ls-tree -r -t -l`` of a commit listed, as far as it was read."""

    size: TownSize = field(default_factory=TownSize)
    biggest: bytes = b""
    biggest_bytes: int = 0
    #: symbolic links: path -> object of the target
    links: dict[bytes, str] = field(default_factory=dict)
    submodules: list[bytes] = field(default_factory=list)
    problem: Message | None = None

    def largest(self) -> Message:
        if not self.biggest:
            return "", ""
        en, ru = _size(self.biggest_bytes)
        shown = _shown(self.biggest)
        return Message(
            f" (the largest file: {shown}, {en})", f" (самый большой файл: {shown}, {ru})"
        )

    def add(self, record: bytes) -> Message | None:
        """Count one entry; the problem once a limit is passed."""
        meta, tab, path = record.partition(b"\t")
        fields = meta.split()
        if not tab or len(fields) != 4:
            return Message(
                "git listed an entry it could not describe.",
                "git выдал запись, которую не удалось разобрать.",
            )
        mode, kind, oid, length = (f.decode("ascii", "replace") for f in fields)
        self.size.entries += 1
        if path.count(b"/") >= MAX_TOWN_DEPTH:
            return Message(
                f"its folders are nested more than {MAX_TOWN_DEPTH} levels deep "
                f"({_shown(path[:200])}…); a site needs a few levels.",
                f"в нём папки вложены глубже {MAX_TOWN_DEPTH} уровней "
                f"({_shown(path[:200])}…); сайту достаточно нескольких уровней.",
            )
        if mode == "160000":
            self.submodules.append(path)
        if kind == "blob":
            n = int(length) if length.isdigit() else 0
            self.size.bytes += n
            if n > self.biggest_bytes:
                self.biggest, self.biggest_bytes = path, n
            if mode == "120000":
                if not 0 < n <= _MAX_LINK:
                    return Message(
                        f"{_shown(path)} is a symbolic link to a path of {n} bytes; a "
                        "link in a town's folder leads to a file beside it.",
                        f"{_shown(path)} — символическая ссылка на путь длиной {n} "
                        "байт; ссылка в папке города ведёт к файлу рядом.",
                    )
                self.links[path] = oid
            if n > MAX_FILE_BYTES:
                self.size.too_big, self.size.too_big_bytes = _shown(path), n
                en, ru = _size(n)
                return Message(
                    f"the file {_shown(path)} is {en}; at most {MAX_FILE_BYTES // _MB} "
                    "MB are allowed for one file (a picture can be saved smaller, a "
                    "long video belongs on a video site).",
                    f"файл {_shown(path)} занимает {ru}, а один файл может занимать не "
                    f"больше {MAX_FILE_BYTES // _MB} МБ (картинку можно сохранить "
                    "меньшего размера, длинное видео лучше разместить на видеосайте).",
                )
        if self.size.entries > MAX_TOWN_ENTRIES:
            en, ru = self.largest()
            return Message(
                f"it holds more than {MAX_TOWN_ENTRIES} files and folders{en}, far "
                "more than a town's site needs: look for a folder copied many times, "
                "files added by mistake or folders nested over and over (a “git "
                "bomb”).",
                f"в нём больше {MAX_TOWN_ENTRIES} файлов и папок{ru} — гораздо больше, "
                "чем нужно сайту города: поищите папку, скопированную много раз, "
                "файлы, добавленные по ошибке, или папки, вложенные друг в друга снова "
                "и снова («git-бомба»).",
            )
        if self.size.bytes > MAX_TOWN_BYTES:
            en, ru = self.largest()
            return Message(
                f"its files add up to more than {MAX_TOWN_BYTES // _MB} MB{en}; remove "
                "large files readers do not need, or make the pictures smaller.",
                f"его файлы занимают больше {MAX_TOWN_BYTES // _MB} МБ{ru}; удалите "
                "большие файлы, которые не нужны читателям, или уменьшите картинки.",
            )
        return None


@dataclass
class Streamed:
    """How :func:`stream_records` ended, for its caller to put in words."""

    #: what ``add`` found wrong with a record (it stopped the listing)
    problem: Message | None = None
    #: a record grew longer than the limit given (no file system takes such a path)
    too_long: bool = False
    #: the command did not finish within its time
    timed_out: bool = False
    #: what the command said when it failed (or left a record unfinished)
    failure: str | None = None


def stream_records(
    command: list[str],
    env: dict[str, str],
    cwd: Path | None,
    timeout: float,
    max_record: int,
    add: Callable[[bytes], Message | None],
) -> Streamed:
    """Run ``command`` (such as ``git ls-tree -z``) and hand ``add`` each NUL-ended
    record as it comes; the command is stopped, with whatever it started, as soon as
    ``add`` names a problem, a record passes ``max_record`` bytes or ``timeout`` runs
    out, since a git bomb lists entries without end."""
    ended = Streamed()
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,
        ) as proc,
        _tracked(proc),
    ):
        timer = threading.Timer(timeout, _stop, (proc,))
        timer.start()
        pending = b""
        try:
            assert proc.stdout is not None
            while ended.problem is None and not ended.too_long:
                chunk = proc.stdout.read1(1 << 16)
                if not chunk:
                    break
                *records, pending = (pending + chunk).split(b"\0")
                for record in records:
                    ended.problem = add(record)
                    if ended.problem:
                        break
                ended.too_long = ended.problem is None and len(pending) > max_record
            if ended.problem is None and not ended.too_long:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:  # stopped at a limit: it would list on and on
                _stop(proc)
                proc.wait()
            timed_out = not timer.is_alive()
            timer.cancel()
        if ended.problem is None and not ended.too_long:
            if timed_out:
                ended.timed_out = True
            elif proc.returncode or pending:
                errors.seek(0)
                ended.failure = visible(
                    errors.read(2000).decode("utf-8", "replace").strip()
                    or f"git exited with {proc.returncode}"
                )
    return ended


def _list_tree(git: _Git, git_dir: Path, commit: str) -> _Tree:
    """Read ``git ls-tree`` of ``commit`` as it comes, counting; it is stopped as soon as
    a limit is passed (a git bomb lists entries without end)."""
    tree = _Tree()
    limit = git.seconds(LOCAL_TIMEOUT)
    if git.expired():
        tree.problem = Message(
            f"{git.too_late()}.",
            f"за время, отведённое городу ({git.limit or 0:.0f} с), получение не "
            "закончилось (invoke pull --timeout).",
        )
        return tree
    ended = stream_records(
        git.command("ls-tree", "-r", "-t", "-l", "-z", "--full-tree", commit, git_dir=git_dir),
        git.env(isolated=True),
        None,
        limit,
        _MAX_RECORD,
        tree.add,
    )
    if ended.problem:
        tree.problem = ended.problem
    elif ended.too_long:
        tree.problem = Message(
            "it holds a path longer than any file system takes.",
            "в нём есть путь длиннее, чем допускает любая файловая система.",
        )
    elif ended.timed_out:
        tree.problem = Message(
            f"listing its files took more than {limit:.0f} s.",
            f"перечисление его файлов заняло больше {limit:.0f} с.",
        )
    elif ended.failure is not None:
        tree.problem = Message(
            f"its files could not be listed ({ended.failure}).",
            f"не удалось перечислить его файлы ({ended.failure}).",
        )
    if tree.problem is None and tree.links:
        tree.problem = _link_problem(git, git_dir, tree.links)
    return tree


def _leaves(link: str, target: str, links: set[str]) -> bool:
    """The link at ``link`` (a path in the tree) to ``target`` leads out of the folder,
    into its ``.git``, or through another link (which ``..`` after it would follow: with
    ``here -> .``, ``here/here/../../x`` is two folders above)."""
    if not target or target.startswith("/") or "\\" in target:
        return True
    parts = link.split("/")[:-1]
    pieces = target.split("/")
    for i, piece in enumerate(pieces):
        if piece in ("", "."):
            continue
        if piece == "..":
            if not parts:
                return True
            parts.pop()
            continue
        parts.append(piece)
        if piece.casefold() == ".git":
            return True
        if i < len(pieces) - 1 and "/".join(parts) in links:
            return True
    return False


def _link_problem(git: _Git, git_dir: Path, links: dict[bytes, str]) -> Message | None:
    """The first symbolic link of the tree that leads out of the town's folder."""
    asked = "".join(f"{oid}\n" for oid in links.values())
    out = b""
    if not git.expired() and not _STOPPING.is_set():
        with (
            subprocess.Popen(
                git.command("cat-file", "--batch", git_dir=git_dir),
                env=git.env(isolated=True),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            ) as proc,
            _tracked(proc),
        ):
            try:  # the links' targets: at most _MAX_LINK bytes each, as listed
                out, _ = proc.communicate(asked.encode(), timeout=git.seconds(LOCAL_TIMEOUT))
            except subprocess.TimeoutExpired:
                _stop(proc)
                proc.wait()
                out = b""
    targets: dict[str, bytes] = {}
    at = 0
    while at < len(out):
        end = out.find(b"\n", at)
        header = out[at:end].split()
        if end < 0 or len(header) != 3 or not header[2].isdigit():
            break
        n = int(header[2])
        targets[header[0].decode("ascii")] = out[end + 1 : end + 1 + n]
        at = end + 1 + n + 1
    names = {path.decode("utf-8", "surrogateescape") for path in links}
    for path, oid in sorted(links.items()):
        if oid not in targets:
            return Message(
                f"the symbolic link {_shown(path)} could not be read.",
                f"не удалось прочитать символическую ссылку {_shown(path)}.",
            )
        target = targets[oid].decode("utf-8", "surrogateescape")
        if _leaves(path.decode("utf-8", "surrogateescape"), target, names):
            shown = visible(target)
            return Message(
                f"{_shown(path)} is a symbolic link leading out of the town's folder "
                f"(to “{shown}”); a link may lead only to a file of the town, and not "
                "through another link.",
                f"{_shown(path)} — символическая ссылка за пределы папки города (на "
                f"«{shown}»); ссылка может вести только к файлу города и не через "
                "другую ссылку.",
            )
    return None


# -- pulling ------------------------------------------------------------------------------


def _folder_problem(network: Network, town_id: str, folder: Path) -> Message | None:
    """The town's content folder is a folder of its own in ``content/`` (as the settings
    check requires: never the project, whose .git a fetch would write into, nor
    ``content/`` or another town's folder), and a clone in it has a ``.git`` of its
    own, not a link or a ``gitdir:`` file pointing at another repository."""
    shown = visible(display_path(folder, network.root))
    base = network.root / "content"
    real, real_base = os.path.realpath(folder), os.path.realpath(base)
    relative = os.path.relpath(os.path.abspath(folder), os.path.abspath(base))
    own = (
        is_inside(real, real_base)
        and real != real_base
        and relative != "."
        and not relative.startswith("..")
        and not any(part.startswith(".") for part in PurePosixPath(relative).parts)
    )
    if own:
        # the other towns' folders, and those towns whose settings have errors claim
        others = {name: town.content for name, town in network.towns.items() if name != town_id}
        others.update(claimed_folders(network))
        for content in others.values():
            theirs = os.path.realpath(content).casefold()
            if is_inside(real.casefold(), theirs) or is_inside(theirs, real.casefold()):
                own = False
    if not own:
        return Message(
            f"{shown} is not a folder of the town's own inside content/; a pull writes only there.",
            f"{shown} — не собственная папка города внутри content/; получать "
            "материалы можно только туда.",
        )
    dot_git = folder / ".git"
    if os.path.lexists(dot_git) and own_git_dir(folder) is None:
        return Message(
            f"{shown}/.git is not a folder of its own (a link or a file pointing at "
            "another repository); move it away to pull again.",
            f"{shown}/.git — не отдельная папка (ссылка или файл, указывающий на "
            "другой репозиторий); уберите его, чтобы получить материалы заново.",
        )
    return None


def _submodules_note(tree: _Tree) -> Message:
    if not tree.submodules:
        return Message("", "")
    names = ", ".join(_shown(path) for path in tree.submodules[:5])
    more = "…" if len(tree.submodules) > 5 else ""
    return Message(
        f" Submodules are not fetched (their folders stay empty): {names}{more}.",
        f" Содержимое подмодулей не загружается (их папки остаются пустыми): {names}{more}.",
    )


def _no_conversion(git_dir: Path) -> None:
    """Write :data:`NO_CONVERSION` into ``git_dir/info/attributes`` (a link in the way
    is replaced, never followed); raises :class:`OSError`."""
    info = git_dir / "info"
    if info.is_symlink() or (info.exists() and not info.is_dir()):
        info.unlink()
    info.mkdir(exist_ok=True)
    attributes = info / "attributes"
    if attributes.is_symlink() or (attributes.exists() and not attributes.is_file()):
        attributes.unlink()
    attributes.write_text(NO_CONVERSION, encoding="utf-8")


def _unconverted(git_dir: Path) -> Message | None:
    """:func:`_no_conversion`, or why it could not be written."""
    try:
        _no_conversion(git_dir)
    except OSError as err:
        said = visible(str(err))
        return Message(
            f"{said}: git could not be told to check files out unchanged.",
            f"{said}: не удалось запретить git изменять файлы при извлечении.",
        )
    return None


#: what a town's pull did
CLONED, UPDATED, UNCHANGED, FAILED, NOTHING = "cloned", "updated", "unchanged", "failed", "none"


@dataclass
class Pulled:
    """What one town's pull did. It unpacks as ``ok, text`` as well."""

    town: str
    #: :data:`CLONED`, :data:`UPDATED`, :data:`UNCHANGED`, :data:`FAILED` or
    #: :data:`NOTHING` (the town has no repository of its own)
    state: str
    #: what happened and why, in both languages (the town's id not included)
    message: Message
    #: the commits an update brought
    commits: int = 0
    #: a failed pull whose town keeps the copy it had (built as it was)
    kept: bool = False
    #: the repository's address and branch, as shown
    source: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.state != FAILED

    @property
    def text(self) -> str:
        return f"{self.town}: {self.message.en} / {self.message.ru}"

    def __iter__(self) -> Iterator[bool | str]:
        return iter((self.ok, self.text))


def pull(network: Network, town_id: str, timeout: float | None = None) -> Pulled:
    """Clone or update a town's content from its repository.

    A failure (an unreachable remote, local changes in the way, a commit over the
    limits, ``timeout`` seconds passed) keeps the content as it was: the last good copy
    is built. Git runs with the maintainer's credentials only for a town in
    ``pull_with_credentials``."""
    started = time.monotonic()
    deadline = None if timeout is None else started + timeout
    done = _checked_pull(network, town_id, deadline, timeout)
    done.seconds = time.monotonic() - started
    return done


def pull_towns(
    network: Network,
    towns: list[str],
    jobs: int = 4,
    timeout: float = GIT_TIMEOUT,
    each: Callable[[Pulled], None] | None = None,
) -> list[Pulled]:
    """:func:`pull` of each town, ``jobs`` at a time, each within ``timeout`` seconds;
    the results in the order of ``towns``, ``each`` called with each one as soon as it
    and those before it are done. One town's failure or slow server never stops the
    others: a pull that raises is reported as failed like any other."""
    from concurrent.futures import ThreadPoolExecutor

    def one(town: str) -> Pulled:
        try:
            return pull(network, town, timeout)
        except Exception as error:  # reported as this town's failure, like any other
            said = visible(f"{type(error).__name__}: {error}")
            return Pulled(
                town,
                FAILED,
                Message(f"the pull stopped: {said}.", f"получение прервалось: {said}."),
                kept=_has_copy(network.towns[town].content),
            )

    results: list[Pulled] = []
    _STOPPING.clear()
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(towns) or 1))) as pool:
        try:
            for done in pool.map(one, towns):
                results.append(done)
                if each is not None:
                    each(done)
        except KeyboardInterrupt:  # the other threads' git commands are stopped too
            pool.shutdown(wait=False, cancel_futures=True)
            stop_running()
            raise
    return results


def _has_copy(folder: Path) -> bool:
    """A clone is in the town's folder: a failed pull leaves it to be built."""
    return (folder / ".git").is_dir() and not (folder / ".git").is_symlink()


def own_git_dir(folder: Path) -> Path | None:
    """The ``.git`` folder of a town's own clone, when it is one of its own: a real
    folder (not a link, not a ``gitdir:`` file) that sends git to no other repository
    (no ``commondir`` file, as a worktree's has)."""
    dot_git = Path(folder) / ".git"
    if not dot_git.is_dir() or dot_git.is_symlink():
        return None
    if os.path.lexists(dot_git / "commondir"):
        return None
    return dot_git


#: the environment a command that only reads a repository adds: it fetches nothing (a
#: partial clone would fetch missing objects, running what its settings name), over no
#: transport at all
READ_ONLY_ENV = {"GIT_NO_LAZY_FETCH": "1", "GIT_ALLOW_PROTOCOL": "none"}


def _checked_pull(
    network: Network, town_id: str, deadline: float | None, limit: float | None
) -> Pulled:
    town = network.towns[town_id]
    repo = town.repository
    if not repo:
        return Pulled(
            town_id,
            NOTHING,
            Message(
                f"no content repository in sites/{town_id}.yaml; nothing to pull.",
                f"в sites/{town_id}.yaml не указан репозиторий; получать нечего.",
            ),
        )
    url, branch = repo["url"], repo["branch"]
    source = f"{visible(url)} ({visible(branch)})"
    # checked again: a town not in pull_with_credentials names no server of this
    # machine's network (internal hosts refused)
    trusted = town_id in network.config.pull_with_credentials
    reason = repository_problem(
        url, network.root, network.config.local_repositories, trusted
    ) or branch_problem(branch)
    if reason:
        return Pulled(
            town_id,
            FAILED,
            Message(
                f"sites/{town_id}.yaml: repository: {reason[0]}",
                f"sites/{town_id}.yaml: repository: {reason[1]}",
            ),
            kept=_has_copy(town.content),
            source=source,
        )
    # absolute: git runs in the folder (cwd), and a relative --git-dir would be read from
    # there (``--root .``)
    folder = Path(os.path.abspath(town.content))
    reason = _folder_problem(network, town_id, folder)
    if reason:
        return Pulled(town_id, FAILED, reason, kept=_has_copy(folder), source=source)
    local = repository_is_local(url)
    if trusted:
        git = _Git(local=local, deadline=deadline, limit=limit)
        done = _pull(network, town_id, folder, git)
    else:
        with tempfile.TemporaryDirectory(prefix="gardarika-pull-home-") as home:
            git = _Git(local=local, home=Path(home), deadline=deadline, limit=limit)
            done = _pull(network, town_id, folder, git)
    done.source = source
    return done


def _pull(network: Network, town: str, folder: Path, git: _Git) -> Pulled:
    """:func:`pull` once the settings and the folder are found fine."""
    repo = network.towns[town].repository
    assert repo is not None
    url, branch = repo["url"], repo["branch"]
    shown = visible(display_path(folder, network.root))
    where = f"{visible(url)} ({visible(branch)})"
    kept = _has_copy(folder)

    def refused(en: str, ru: str) -> Pulled:
        if kept:
            return Pulled(
                town,
                FAILED,
                Message(
                    f"{where} was not pulled into {shown}: {en} The last good copy is kept.",
                    f"{where} не получен в {shown}: {ru} Оставлена последняя удачная копия.",
                ),
                kept=True,
            )
        return Pulled(
            town,
            FAILED,
            Message(
                f"{where} was not cloned into {shown}: {en} There is no copy yet, so the "
                "town is not built until a pull succeeds.",
                f"{where} не склонирован в {shown}: {ru} Копии ещё нет, поэтому город не "
                "собирается, пока получение не удастся.",
            ),
        )

    if (folder / ".git").exists():
        git_dir = folder / ".git"
        before = git.run("rev-parse", "--verify", "-q", "HEAD^{commit}", git_dir=git_dir)
        old = before.stdout.strip() if before.returncode == 0 else ""
        done = git.run(
            "fetch",
            "-q",
            "--no-tags",
            "--no-recurse-submodules",
            "--",
            url,
            branch,
            git_dir=git_dir,
            work_tree=folder,
            remote=True,
        )
        if done.returncode:
            return refused(
                f"git fetch failed ({_said(done)}).",
                f"не удалось получить изменения ({_said(done)}).",
            )
        head = git.run(
            "rev-parse", "--verify", "-q", "FETCH_HEAD^{commit}", git_dir=git_dir, work_tree=folder
        )
        commit = head.stdout.strip()
        if head.returncode or not re.fullmatch(r"[0-9a-f]{40,64}", commit):
            return refused(
                "the fetched branch names no commit.", "полученная ветка не указывает на коммит."
            )
        tree = _list_tree(git, git_dir, commit)
        if tree.problem:
            return refused(*tree.problem)
        problem = _unconverted(git_dir)  # a clone made before may lack it
        if problem:
            return refused(*problem)
        new = _new_commits(git, git_dir, old, commit)
        done = git.run("merge", "--ff-only", "-q", commit, git_dir=git_dir, work_tree=folder)
        if done.returncode:
            return refused(
                f"it cannot be merged ({_said(done)}).",
                f"изменения не удалось применить ({_said(done)}): например, в "
                "папке есть свои правки.",
            )
        note = _submodules_note(tree)
        if old == commit:
            return Pulled(
                town,
                UNCHANGED,
                Message(
                    f"{shown} is up to date with {where}: nothing new.{note.en}",
                    f"{shown} уже совпадает с {where}: нового нет.{note.ru}",
                ),
            )
        count = counted(
            new, ("new commit", "new commits"), ("новый коммит", "новых коммита", "новых коммитов")
        )
        return Pulled(
            town,
            UPDATED,
            Message(
                f"{shown} updated from {where}: {count.en}.{note.en}",
                f"{shown} обновлён из {where}: {count.ru}.{note.ru}",
            ),
            commits=new,
        )
    if folder.exists() and any(folder.iterdir()):
        return Pulled(
            town,
            FAILED,
            Message(
                f"{shown} holds files but is not a git clone; move them away to pull "
                f"from {visible(url)}.",
                f"в {shown} уже есть файлы, но это не клон репозитория; переместите их, "
                "чтобы получить материалы.",
            ),
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        clone = work / "c"
        done = git.run(
            "clone",
            "-q",
            "--no-checkout",
            "--no-local",
            f"--branch={branch}",
            "--",
            url,
            str(clone),
            remote=True,
        )
        if done.returncode:
            return refused(
                f"it cannot be cloned ({_said(done)}).", f"репозиторий недоступен ({_said(done)})."
            )
        head = git.run(
            "rev-parse", "--verify", "-q", "HEAD^{commit}", git_dir=clone / ".git", work_tree=clone
        )
        commit = head.stdout.strip()
        if head.returncode or not re.fullmatch(r"[0-9a-f]{40,64}", commit):
            return refused("the branch names no commit.", "ветка не указывает на коммит.")
        tree = _list_tree(git, clone / ".git", commit)
        if tree.problem:
            return refused(*tree.problem)
        problem = _unconverted(clone / ".git")
        if problem:
            return refused(*problem)
        done = git.run("reset", "-q", "--hard", commit, git_dir=clone / ".git", work_tree=clone)
        if done.returncode:
            return refused(
                f"it cannot be checked out ({_said(done)}).",
                f"файлы не удалось извлечь ({_said(done)}).",
            )
        if folder.exists():
            folder.rmdir()
        os.rename(clone, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    note = _submodules_note(tree)
    return Pulled(
        town,
        CLONED,
        Message(
            f"{shown} cloned from {where}.{note.en}",
            f"{shown} склонирован из {where}.{note.ru}",
        ),
    )


def _new_commits(git: _Git, git_dir: Path, old: str, new: str) -> int:
    """How many commits ``new`` has that ``old`` has not (0 when unknown)."""
    if not old or old == new:
        return 0
    done = git.run("rev-list", "--count", f"{old}..{new}", "--", git_dir=git_dir)
    return int(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip().isdigit() else 0
