"""``invoke pull --bundle``: a town's new commits brought on a USB stick as git bundles.

A town with no internet connection writes its saves from the editor's desk into a git
bundle (:mod:`gardarika.desk.history`); the maintainer takes the stick and runs
``invoke pull --bundle FILE`` (or a folder of them). The bundle names its town by its one
reference, ``refs/gardarika/desk/<town>``; it is applied to the repository that holds the
town's content:

- a town whose ``content/<town>/`` is a git repository of its own: the bundle's commit
  is fetched into it and merged only as a fast-forward (as ``invoke pull`` does with the
  town's own repository), after its tree has been listed and found within the limits of
  a town (:func:`gardarika.content.pull._list_tree`);
- a town kept inside the network's repository: the bundle may change nothing but files
  in ``content/<town>/`` (no ``.gitattributes``/``.gitmodules``, no symbolic link leading
  out), checked on the difference it brings before anything is merged; it is merged as a
  fast-forward, or with a merge commit when the network moved on (other towns' bundles),
  never over a conflict.

The stick comes from anywhere, so the bundle is read as hostile as a town's repository:
it is size-checked, git runs without hooks, filters or the maintainer's credentials
(nothing is fetched from a server), and a refused bundle leaves everything as it was.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gardarika.build.limits import MAX_TOWN_BYTES
from gardarika.config.network import Network, visible
from gardarika.content.pull import _folder_problem, _Git, _list_tree, _said, _unconverted
from gardarika.errors import Message, display_path

#: the reference a desk's bundle carries: ``refs/gardarika/desk/<town>``
BUNDLE_REF = "refs/gardarika/desk/"
#: what a bundle file is called: ``<town>-<date>-<time>.bundle``
SUFFIX = ".bundle"
#: the git header of a bundle, version 2 or 3
_SIGNATURES = (b"# v2 git bundle\n", b"# v3 git bundle\n")
_COMMIT = re.compile(r"[0-9a-f]{40,64}")
#: files a bundle for a town kept in the network's repository may not bring: they
#: change how git checks out or what it fetches, not what the town publishes
_GIT_FILES = (".gitattributes", ".gitmodules")


@dataclass(frozen=True)
class Applied:
    """What became of one bundle: ``ok`` and a message in both languages."""

    bundle: Path
    ok: bool
    message: str


def bundle_files(source: Path) -> list[Path]:
    """The bundle itself, or a folder's ``*.bundle`` files in the order of their names
    (a desk names them by date and time, so older saves come first)."""
    if source.is_dir():
        found = []
        for path in source.iterdir():
            try:
                if path.name.endswith(SUFFIX) and path.is_file():
                    found.append(path)
            except OSError:
                found.append(path)  # said when it is read
        return sorted(found, key=lambda p: p.name)
    return [source]


@dataclass(frozen=True)
class _Heads:
    town: str
    commit: str


def _heads(git: _Git, bundle: Path) -> _Heads | str:
    """The town and commit a bundle carries, or why it is not a desk's bundle."""
    done = git.run("bundle", "list-heads", str(bundle))
    if done.returncode:
        return f"git cannot read it ({_said(done)})"
    heads = [line.split(" ", 1) for line in done.stdout.splitlines() if line.strip()]
    desk = [(c, r) for c, r in (h for h in heads if len(h) == 2) if r.startswith(BUNDLE_REF)]
    if len(heads) != 1 or len(desk) != 1 or not _COMMIT.fullmatch(desk[0][0]):
        return "it was not written by the editor's desk (it must carry one desk reference)"
    commit, ref = desk[0]
    return _Heads(town=ref[len(BUNDLE_REF) :], commit=commit)


def _town_repository(network: Network, town_id: str) -> tuple[Path, bool] | Message:
    """(the work tree holding the town's content, whether it is the town's own)."""
    folder = Path(os.path.abspath(network.towns[town_id].content))
    if os.path.lexists(folder / ".git"):
        return _folder_problem(network, town_id, folder) or (folder, True)
    root = Path(os.path.abspath(network.root))
    if (root / ".git").is_dir() and folder.is_relative_to(root):
        return root, False
    return Message(
        "its content is in no git repository here; the town's folder (or the network's "
        "folder) must be a git clone.",
        "материалы города здесь не в репозитории git; папка города (или сети) должна быть клоном.",
    )


def _read_head(bundle: Path) -> tuple[int, bytes] | str:
    """The size and first bytes of a regular file, never waiting on a pipe or device."""
    try:
        descriptor = os.open(bundle, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        return visible(err.strerror or str(err))
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return "not a regular file"
        return status.st_size, os.read(descriptor, len(_SIGNATURES[0]))
    except OSError as err:
        return visible(err.strerror or str(err))
    finally:
        os.close(descriptor)


def pull_bundle(network: Network, bundle: Path, site: str | None = None) -> Applied:
    """Apply one bundle; nothing changes unless it is applied whole."""
    shown = visible(display_path(bundle, network.root))

    def refused(en: str, ru: str, town: str = "") -> Applied:
        who = f"{town}: " if town else ""
        return Applied(
            bundle,
            False,
            f"{who}{shown} was not applied: {en} / {shown} не принят: {ru}",
        )

    read = _read_head(bundle)
    if isinstance(read, str):
        return refused(f"it cannot be read ({read}).", f"файл не читается ({read}).")
    size, head = read
    if head not in _SIGNATURES:
        return refused("it is not a git bundle.", "это не пакет изменений git (bundle).")
    if size > MAX_TOWN_BYTES:
        return refused(
            f"it is larger than a town may be ({MAX_TOWN_BYTES // 1024 // 1024} MB).",
            f"он больше, чем может занимать город ({MAX_TOWN_BYTES // 1024 // 1024} МБ).",
        )
    git = _Git(local=True, home=None)
    heads = _heads(git, bundle.resolve())
    if isinstance(heads, str):
        return refused(f"{heads}.", "его записал не редактор Гардарики или он повреждён.")
    town = heads.town
    if town not in network.towns:
        return refused(
            f"it is for the town “{visible(town)}”, which this network does not have.",
            f"он для города «{visible(town)}», которого в этой сети нет.",
        )
    if site and town != site:
        return refused(
            f"it is for {town}, not for {site}.", f"он для города {town}, а не {site}.", town
        )
    found = _town_repository(network, town)
    if isinstance(found, Message):
        return refused(*found, town=town)
    top, own = found
    return _apply(network, town, bundle.resolve(), heads.commit, top, own, refused)


#: files in a repository's git folder that say an operation is half done
_UNFINISHED = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "rebase-merge", "rebase-apply")


def _apply(
    network: Network,
    town: str,
    bundle: Path,
    commit: str,
    top: Path,
    own: bool,
    refused: Callable[..., Applied],
) -> Applied:
    """Fetch, check and merge a bundle's commit into ``top``.

    What the merge would make is computed first (``git merge-tree``, or the bundle's own
    tree for a fast-forward) and compared with the tree checked out now, one folder
    level at a time along the town's path: anything but the town's folder that differs
    refuses the bundle, whatever its history (a merge with two bases) or git's settings
    (a submodule marked ``ignore``) would let a diff hide, and a tree of billions of
    entries outside the town is never walked. The town's folder is then listed within
    the limits of a town before its changes are read."""
    git = _Git(local=True, home=None)
    git_dir = top / ".git"
    name = visible(bundle.name)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return git.run(*args, git_dir=git_dir, work_tree=top)

    unfinished = [n for n in _UNFINISHED if os.path.lexists(git_dir / n)]
    if unfinished:
        return refused(
            f"{display_path(top, network.root)} is in the middle of a merge, rebase or "
            f"similar ({unfinished[0]}); finish or abort it first.",
            f"в {display_path(top, network.root)} не закончено слияние или перенос "
            f"изменений ({unfinished[0]}); сначала завершите или отмените его.",
            town,
        )
    verified = run("bundle", "verify", "-q", str(bundle))
    if verified.returncode:
        return refused(
            "it builds on saves this copy does not have yet: apply the town's earlier "
            f"bundles first ({_said(verified)}).",
            "он продолжает изменения, которых в этой копии ещё нет: сначала примите "
            f"более ранние пакеты этого города ({_said(verified)}).",
            town,
        )
    fetched = run("fetch", "-q", "--no-tags", "--", str(bundle), f"{BUNDLE_REF}{town}")
    tip = run("rev-parse", "--verify", "-q", "FETCH_HEAD^{commit}").stdout.strip()
    if fetched.returncode or tip != commit:
        return refused(
            f"its commit could not be fetched ({_said(fetched)}).",
            f"не удалось получить его изменения ({_said(fetched)}).",
            town,
        )
    if run("merge-base", "--is-ancestor", commit, "HEAD").returncode == 0:
        return Applied(
            bundle,
            True,
            f"{town}: {name} was applied before; nothing new. / {name} уже принят раньше, "
            "нового нет.",
        )
    fast_forward = run("merge-base", "--is-ancestor", "HEAD", commit).returncode == 0
    if own:
        if not fast_forward:
            return refused(
                "the town's copy here has saves the bundle lacks; the library must take "
                "them first (a pull), then write a new bundle.",
                "в здешней копии города есть изменения, которых нет в пакете; в библиотеке "
                "нужно сначала получить их, а потом записать новый пакет.",
                town,
            )
        tree = _list_tree(git, git_dir, commit)
        problem = tree.problem or _unconverted(git_dir)
        if problem:
            return refused(*problem, town=town)
    else:
        prefix = os.path.relpath(network.towns[town].content, top).replace(os.sep, "/")
        result = _result_tree(run, commit, fast_forward)
        if isinstance(result, tuple):
            return refused(*result, town=town)
        problem = (
            _outside_problem(run, result, prefix)
            or _list_tree(git, git_dir, f"{result}:{prefix}").problem
            or _town_problem(run, top, result, prefix)
        )
        if problem:
            return refused(*problem, town=town)
    shown_town = display_path(network.towns[town].content, network.root)
    merged = run("merge", "--ff-only", "-q", commit)
    if merged.returncode and not own and not fast_forward:
        identity = _identity(top)
        merged = git.run(
            "-c",
            f"user.name={identity[0]}",
            "-c",
            f"user.email={identity[1]}",
            "merge",
            "--no-ff",
            "--no-edit",
            "-q",
            "-m",
            f"Gardarika: {town}'s saves from {name}",
            commit,
            git_dir=git_dir,
            work_tree=top,
        )
        ours = run("rev-parse", "-q", "--verify", "MERGE_HEAD").stdout.strip() == commit
        if merged.returncode and ours:
            run("merge", "--abort")  # only the merge this started
    if merged.returncode:
        return refused(
            f"it cannot be merged ({_said(merged)}): the copy here has changes of its own "
            "to the same files, or uncommitted changes.",
            f"изменения не удалось применить ({_said(merged)}): здесь есть свои правки "
            "тех же файлов или незафиксированные изменения.",
            town,
        )
    return Applied(
        bundle,
        True,
        f"{town}: {name} applied to {shown_town}. / {name} принят в {shown_town}.",
    )


Run = Callable[..., subprocess.CompletedProcess[str]]


def _result_tree(run: Run, commit: str, fast_forward: bool) -> str | tuple[str, str]:
    """The tree the merge would leave checked out, or why there is none."""
    if fast_forward:
        done = run("rev-parse", "--verify", "-q", f"{commit}^{{tree}}")
    else:
        done = run("merge-tree", "--write-tree", "--no-messages", "HEAD", commit)
    tree = done.stdout.split("\n", 1)[0].strip()
    if done.returncode == 1 and not fast_forward:
        return (
            "its changes conflict with changes made here to the same files.",
            "его изменения противоречат здешним правкам тех же файлов.",
        )
    if done.returncode or not _COMMIT.fullmatch(tree):
        return (
            f"what it would change could not be worked out ({_said(done)}).",
            f"не удалось определить, что он изменит ({_said(done)}).",
        )
    return tree


def _entries(run: Run, tree: str) -> dict[str, str] | None:
    """One level of a tree: name -> "mode type object" (``None``: it is not a tree)."""
    done = run("ls-tree", "-z", "--full-tree", tree)
    if done.returncode:
        return None
    entries = {}
    for record in filter(None, done.stdout.split("\0")):
        info, _, path = record.partition("\t")
        entries[path] = info
    return entries


def _outside_problem(run: Run, result: str, prefix: str) -> tuple[str, str] | None:
    """The first difference between the tree checked out now and ``result`` that is
    not inside the town's folder ``prefix``."""
    here, there = "HEAD^{tree}", result
    parts = prefix.split("/")
    walked = ""
    for part in parts:
        ours = _entries(run, here) if here else {}
        theirs = _entries(run, there)
        if ours is None or theirs is None:
            return (
                f"the folder {walked or '.'} could not be read.",
                f"не удалось прочитать папку {walked or '.'}.",
            )
        for path in sorted(set(ours) | set(theirs)):
            if path != part and ours.get(path) != theirs.get(path):
                changed = visible(
                    _first_change(run, ours.get(path), theirs.get(path), walked + path)
                )
                return (
                    f"it changes {changed}, and a town's bundle may change only the town's "
                    f"own files in {prefix}/.",
                    f"он изменяет {changed}, а пакет города может менять только файлы "
                    f"города в {prefix}/.",
                )
        mine, yours = ours.get(part, ""), theirs.get(part, "")
        if not yours.startswith("040000 tree") or (mine and not mine.startswith("040000 tree")):
            return (
                f"it replaces the town's folder {prefix}/ with something else.",
                f"он заменяет папку города {prefix}/ чем-то другим.",
            )
        here = mine.split()[2] if mine else ""
        there = yours.split()[2]
        walked += part + "/"
    return None


def _first_change(run: Run, mine: str | None, yours: str | None, path: str) -> str:
    """The path of a file that differs below ``path`` (a few levels down at most, one
    level read at a time), to name it in the message."""
    for _ in range(8):
        if not (mine and yours and mine.startswith("040000") and yours.startswith("040000")):
            break
        ours, theirs = _entries(run, mine.split()[2]), _entries(run, yours.split()[2])
        if ours is None or theirs is None:
            break
        differing = sorted(n for n in set(ours) | set(theirs) if ours.get(n) != theirs.get(n))
        if not differing:
            break
        path += "/" + differing[0]
        mine, yours = ours.get(differing[0]), theirs.get(differing[0])
    return path


#: file names (any case) a town's bundle may not bring: they change how git checks out,
#: what it fetches or what ``git status`` shows the maintainer
_GIT_NAMES = frozenset(name.casefold() for name in (*_GIT_FILES, ".gitignore"))


def _town_problem(run: Run, top: Path, result: str, prefix: str) -> tuple[str, str] | None:
    """Within the town's folder (already listed within a town's limits): no git file
    changed, and no path the bundle adds taken by a file here that git does not track
    (an ignored one it would overwrite without a word)."""
    here = run("rev-parse", "-q", "--verify", f"HEAD:{prefix}").stdout.strip()
    args = ["diff-tree", "-r", "-z", "--no-renames", "--name-status", "--ignore-submodules=none"]
    if here:
        done = run(*args, here, f"{result}:{prefix}")
    else:
        done = run("ls-tree", "-r", "-z", "--name-only", f"{result}:{prefix}")
    if done.returncode:
        return (
            f"its changes could not be listed ({_said(done)}).",
            f"не удалось перечислить его изменения ({_said(done)}).",
        )
    fields = [f for f in done.stdout.split("\0") if f]
    pairs = (
        list(zip(fields[::2], fields[1::2], strict=False)) if here else [("A", f) for f in fields]
    )
    for status, path in pairs:
        shown = visible(f"{prefix}/{path}")
        if path.rsplit("/", 1)[-1].casefold() in _GIT_NAMES:
            return (
                f"it changes {shown}, a file of git's settings, which a town's bundle may not.",
                f"он изменяет {shown} — файл настроек git, который пакет города менять не может.",
            )
        if status == "A" and os.path.lexists(top / prefix / path):
            return (
                f"it adds {shown}, but a file that git does not keep is there already; move "
                "it away first.",
                f"он добавляет {shown}, но там уже лежит файл, который git не хранит; "
                "сначала уберите его.",
            )
    return None


def _identity(top: Path) -> tuple[str, str]:
    """The maintainer's git name and e-mail for a merge commit (their own settings, read
    only), or Gardarika's."""
    values = []
    for key, fallback in (("user.name", "Gardarika"), ("user.email", "gardarika@localhost")):
        done = subprocess.run(
            ["git", "-C", str(top), "config", "--get", key],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=30,
            check=False,
        )
        value = done.stdout.strip()
        values.append(value if done.returncode == 0 and value and "\n" not in value else fallback)
    return values[0], values[1]
