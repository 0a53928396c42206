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
        return sorted(
            (p for p in source.iterdir() if p.name.endswith(SUFFIX) and p.is_file()),
            key=lambda p: p.name,
        )
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

    try:
        size = bundle.stat().st_size
        with bundle.open("rb") as file:
            head = file.read(len(_SIGNATURES[0]))
    except OSError as err:
        return refused(
            f"it cannot be read ({err.strerror}).", f"файл не читается ({err.strerror})."
        )
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


def _apply(
    network: Network,
    town: str,
    bundle: Path,
    commit: str,
    top: Path,
    own: bool,
    refused: Callable[..., Applied],
) -> Applied:
    """Fetch, check and merge a bundle's commit into ``top``."""
    git = _Git(local=True, home=None)
    git_dir = top / ".git"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return git.run(*args, git_dir=git_dir, work_tree=top)

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
            f"{town}: {bundle.name} was applied before; nothing new. / {bundle.name} "
            "уже принят раньше, нового нет.",
        )
    prefix = "" if own else os.path.relpath(network.towns[town].content, top).replace(os.sep, "/")
    if own:
        tree = _list_tree(git, git_dir, commit)
        problem = tree.problem or _unconverted(git_dir)
    else:
        problem = _outside_problem(run, commit, prefix)
        if problem is None:
            tree = _list_tree(git, git_dir, f"{commit}:{prefix}")
            problem = tree.problem
    if problem:
        return refused(*problem, town=town)
    shown_town = display_path(network.towns[town].content, network.root)
    message = f"Gardarika: {town}'s saves from {bundle.name}"
    merged = run("merge", "--ff-only", "-q", commit)
    if merged.returncode and not own:
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
            message,
            commit,
            git_dir=git_dir,
            work_tree=top,
        )
        if merged.returncode:
            run("merge", "--abort")
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
        f"{town}: {bundle.name} applied to {shown_town}. / {bundle.name} принят в {shown_town}.",
    )


def _outside_problem(
    run: Callable[..., subprocess.CompletedProcess[str]], commit: str, prefix: str
) -> tuple[str, str] | None:
    """For a town in the network's repository: the first path the bundle would change
    outside ``prefix/`` (or a git file inside it)."""
    base = run("merge-base", "HEAD", commit)
    if base.returncode or not _COMMIT.fullmatch(base.stdout.strip()):
        return (
            "it shares no history with this repository.",
            "у него нет общей истории с этим репозиторием.",
        )
    changed = run(
        "diff", "--no-renames", "--no-ext-diff", "--name-only", "-z", base.stdout.strip(), commit
    )
    if changed.returncode:
        return (
            f"its changes could not be listed ({_said(changed)}).",
            f"не удалось перечислить его изменения ({_said(changed)}).",
        )
    for path in filter(None, changed.stdout.split("\0")):
        inside = path.startswith(prefix + "/")
        if not inside or path.rsplit("/", 1)[-1] in _GIT_FILES:
            shown = visible(path)
            return (
                f"it changes {shown}, and a town's bundle may change only the town's own "
                f"files in {prefix}/.",
                f"он изменяет {shown}, а пакет города может менять только файлы города "
                f"в {prefix}/.",
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
