"""Network-wide chores: who owns which town (CODEOWNERS), shares of towns for parallel
CI jobs, and fetching towns' content from their own repositories.

The repository's address and branch come from the town's file, which its editors may
edit: they are checked in :mod:`gardarika.config` and again here, git is allowed only
the transports ``https``, ``ssh``, ``git`` and ``file`` (``GIT_ALLOW_PROTOCOL``), and
each value follows ``--``. An update is ``git fetch`` then a fast-forward ``git merge``,
not ``git pull``: ``git pull -- URL`` hands the address to ``git fetch`` as an option
again (``--upload-pack=…`` would run a command).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .config import GIT_ALLOW_PROTOCOL, Network, branch_problem, repository_problem
from .errors import display_path


def codeowners(network: Network) -> str:
    """A CODEOWNERS file: each town's editors own its content folder and settings file."""
    lines = ["# Written by `invoke owners` from the editors listed in sites/*.yaml.",
             "# Each town's editors review changes to its content and settings.", ""]
    for town in sorted(network.sites):
        site = network.sites[town]
        if not site.editors:
            continue
        owners = " ".join(site.editors)
        content = display_path(site.content, network.root)
        lines.append(f"/{content}/ {owners}")
        lines.append(f"/sites/{town}.yaml {owners}")
    return "\n".join(lines) + "\n"


def shard(towns: list[str], spec: str) -> list[str]:
    """The towns of share ``K/N`` (1 ≤ K ≤ N): every N-th town of the sorted list, from
    the K-th, so that the shares are even and the same on every machine."""
    try:
        k, n = (int(part) for part in spec.split("/"))
    except ValueError:
        raise ValueError(f"“{spec}” is not a share like 2/5") from None
    if not 1 <= k <= n:
        raise ValueError(f"“{spec}”: the share must be between 1/{n} and {n}/{n}")
    return sorted(towns)[k - 1::n]


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ALLOW_PROTOCOL": GIT_ALLOW_PROTOCOL}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=600)


def pull(network: Network, town: str) -> tuple[bool, str]:
    """Clone or update a town's content from its repository: (ok, message).

    A failure (an unreachable remote, local changes in the way) keeps the content as it
    was: the last good copy is built."""
    site = network.sites[town]
    repo = site.repository
    if not repo:
        return True, f"{town}: no content repository in sites/{town}.yaml; nothing to pull."
    folder = site.content
    shown = display_path(folder, network.root)
    reason = repository_problem(repo["url"], network.root) or branch_problem(repo["branch"])
    if reason:
        return False, (f"{town}: sites/{town}.yaml: repository: {reason[0]} / "
                       f"{reason[1]}")
    if (folder / ".git").exists():
        fetched = _git("fetch", "-q", "--", repo["url"], repo["branch"], cwd=folder)
        if not fetched.returncode:
            fetched = _git("merge", "--ff-only", "-q", "FETCH_HEAD", cwd=folder)
        if fetched.returncode:
            return False, (f"{town}: {shown} was not updated ({fetched.stderr.strip()}); the "
                           f"last good copy is kept. / {shown} не обновлён; оставлена "
                           "последняя удачная копия.")
        return True, f"{town}: {shown} is up to date with {repo['url']} ({repo['branch']})."
    if folder.exists() and any(folder.iterdir()):
        return False, (f"{town}: {shown} holds files but is not a git clone; move them away "
                       f"to pull from {repo['url']}. / в {shown} уже есть файлы, но это не "
                       "клон репозитория; переместите их, чтобы получить материалы.")
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    cloned = _git("clone", "-q", f"--branch={repo['branch']}", "--", repo["url"],
                  str(work / "c"))
    if cloned.returncode:
        shutil.rmtree(work, ignore_errors=True)
        return False, (f"{town}: {repo['url']} cannot be cloned ({cloned.stderr.strip()}). / "
                       "репозиторий недоступен.")
    if folder.exists():
        folder.rmdir()
    os.rename(work / "c", folder)
    shutil.rmtree(work, ignore_errors=True)
    return True, f"{town}: {shown} cloned from {repo['url']} ({repo['branch']})."
