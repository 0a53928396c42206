"""Red team: ``invoke pull --bundle``, a desk's bundle brought on a USB stick by anyone.

Each test builds real repositories and real bundles with git, and asserts the safe
behaviour the command promises (gardarika.content.bundles): a bundle changes nothing but
its town's files, a refused bundle leaves HEAD, the index, the working tree and the refs
as they were, the maintainer's uncommitted work is never lost, and bad input gives a
message in both languages, never a traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from projects import git, write

from gardarika.config.network import load_network
from gardarika.content.bundles import pull_bundle

DESK = "refs/gardarika/desk/"


def gardarika(root: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gardarika", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def head(root: Path) -> str:
    return git("rev-parse", "HEAD", cwd=root).strip()


def commit_all(root: Path, message: str, env: dict[str, str] | None = None) -> str:
    git("add", "-A", cwd=root)
    git("commit", "-q", "--no-verify", "-m", message, cwd=root, env=env)
    return head(root)


def bundle(
    repo: Path, out: Path, tip: str, exclude: tuple[str, ...] = (), town: str = "alpha"
) -> Path:
    """A bundle of ``tip`` under the desk's reference for ``town``, as a desk writes it."""
    git("update-ref", f"{DESK}{town}", tip, cwd=repo)
    git("bundle", "create", "-q", str(out), f"{DESK}{town}", *(f"^{e}" for e in exclude), cwd=repo)
    return out


def state(root: Path) -> tuple[str, str, str, str]:
    """HEAD, the index, the working tree and every reference."""
    return (
        head(root),
        git("ls-files", "-s", cwd=root),
        git("status", "--porcelain=v2", "-uall", "--ignored", cwd=root),
        git("for-each-ref", cwd=root),
    )


def mktree(repo: Path, entries: list[tuple[str, str, str]]) -> str:
    """A tree object of (mode, object, name) entries, written as given."""
    text = "".join(
        f"{mode} {'tree' if mode == '040000' else 'commit' if mode == '160000' else 'blob'} "
        f"{oid}\t{name}\n"
        for mode, oid, name in entries
    )
    done = subprocess.run(
        ["git", "mktree", "--missing"], input=text.encode(), cwd=repo, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.decode().strip()


def replaced(repo: Path, tree: str, name: str, mode: str, oid: str) -> str:
    """``tree`` with its entry ``name`` set to (mode, oid)."""
    entries = []
    for line in git("ls-tree", tree, cwd=repo).splitlines():
        meta, entry = line.split("\t", 1)
        old_mode, _, old_oid = meta.split()
        if entry != name:
            entries.append((old_mode, old_oid, entry))
    return mktree(repo, [*entries, (mode, oid, name)])


def with_town_tree(repo: Path, alpha: str) -> str:
    """A commit on HEAD whose content/alpha is the tree ``alpha``."""
    content = replaced(repo, "HEAD:content", "alpha", "040000", alpha)
    root = replaced(repo, "HEAD^{tree}", "content", "040000", content)
    return git("commit-tree", root, "-p", "HEAD", "-m", "save", cwd=repo).strip()


def run_isolated(
    code: str, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes] | None:
    """Python ``code`` in a session of its own; None when it did not end in time."""
    with subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return None
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


# -- confirmed problems ---------------------------------------------------------------


def test_a_criss_cross_merge_cannot_revert_files_outside_the_town(
    maintained: Path, library: Path, tmp_path: Path
) -> None:
    """Attack: the library's first bundle is merged normally (the maintainer had moved on,
    so a merge commit H = merge(maintainer's B2, library's A1) is made, as designed). The
    next bundle carries a merge commit C = merge(A1, B2) whose files outside
    content/alpha/ are A1's, i.e. the state from before B2. H and C now have two merge
    bases (A1 and B2); ``_outside_problem`` asks ``git merge-base`` for one and gets A1
    (the attacker dates A1 after B2), so the diff A1..C shows only content/alpha/ and
    passes. ``git merge`` then uses both bases (a virtual base that has B2's change) and
    the result takes C's side: B2's change to sites/alpha.yaml is reverted.

    Impact: a town's bundle rewrites any file of the network the maintainer changed
    since the library's copy: restoring an editor the maintainer had removed, undoing a
    plugin's security fix, sites/network.yaml. Severity: high (the one rule of in-network
    bundles, "only content/<town>/", is broken with plain git).

    Fix: check what the merge would produce, not one base's diff: compute the merge
    with ``git merge-tree --write-tree HEAD C`` and refuse when its tree differs from
    HEAD's outside content/<town>/ (or refuse a bundle when ``merge-base --all`` gives
    more than one base, or check the diff against every base).
    """
    site = "sites/alpha.yaml"
    old = (maintained / site).read_text(encoding="utf-8")
    write(library / "content/alpha/articles/one.md", "Title: One\n\nx\n")
    a1 = commit_all(library, "one", {"GIT_COMMITTER_DATE": "2030-01-01T00:00:00"})
    first = bundle(library, tmp_path / "alpha-1.bundle", a1, exclude=(head(maintained),))
    # the maintainer takes an editor's rights away meanwhile
    write(maintained / site, old + "editors: ['@maria']  # @mallory removed\n")
    b2 = commit_all(maintained, "remove mallory")
    assert pull_bundle(load_network(maintained), first).ok
    # the attacker's merge of the maintainer's commit, keeping the old settings
    git("fetch", "-q", str(maintained), "main", cwd=library)
    write(library / "content/alpha/articles/two.md", "Title: Two\n\nx\n")
    git("add", "-A", cwd=library)
    tree = git("write-tree", cwd=library).strip()
    c = git("commit-tree", tree, "-p", a1, "-p", b2, "-m", "two", cwd=library).strip()
    second = bundle(library, tmp_path / "alpha-2.bundle", c, exclude=(a1, b2))
    before = head(maintained)
    applied = pull_bundle(load_network(maintained), second)
    changed = git("diff", "--name-only", before, "HEAD", cwd=maintained).split()
    assert all(path.startswith("content/alpha/") for path in changed), applied.message
    assert "@mallory removed" in (maintained / site).read_text(encoding="utf-8")


def test_a_bundle_does_not_abort_the_maintainers_own_merge(
    maintained: Path, library: Path, tmp_path: Path
) -> None:
    """Attack: none needed, an ordinary bundle. The maintainer is in the middle of a merge
    of their own (conflicts resolved in the work tree, not yet committed) and runs
    ``invoke pull --bundle``. Both ``git merge`` calls fail ("You have not concluded your
    merge" / unmerged files), and ``_apply`` then runs ``git merge --abort``, which
    aborts the maintainer's merge: MERGE_HEAD is gone and the resolved file is reset.

    Impact: the maintainer's uncommitted conflict resolutions are lost (the promise "the
    maintainer's uncommitted work is never lost" is broken). Severity: medium.

    Fix: refuse up front when a merge, rebase, cherry-pick or revert is in progress
    (MERGE_HEAD, REBASE_HEAD, CHERRY_PICK_HEAD…), and run ``merge --abort`` only when
    MERGE_HEAD is the bundle's commit (the merge this command started).
    """
    git("checkout", "-q", "-b", "side", cwd=maintained)
    write(maintained / "sites/network.yaml", "side\n")
    commit_all(maintained, "side")
    git("checkout", "-q", "main", cwd=maintained)
    write(maintained / "sites/network.yaml", "main\n")
    commit_all(maintained, "main")
    subprocess.run(["git", "merge", "-q", "side"], cwd=maintained, capture_output=True)
    write(maintained / "sites/network.yaml", "my careful resolution\n")
    write(library / "content/alpha/articles/one.md", "Title: One\n\nx\n")
    a1 = commit_all(library, "one")
    applied = pull_bundle(
        load_network(maintained), bundle(library, tmp_path / "a.bundle", a1, ("origin/main",))
    )
    assert not applied.ok
    text = (maintained / "sites/network.yaml").read_text(encoding="utf-8")
    assert text == "my careful resolution\n"
    assert (maintained / ".git/MERGE_HEAD").is_file()


def test_a_bundle_cannot_change_a_submodule_the_network_ignores(
    maintained: Path, library: Path, tmp_path: Path
) -> None:
    """Attack: the network keeps a plugin (or its themes) as a git submodule with
    ``ignore = all`` in .gitmodules (common, to keep ``git status`` quiet). The bundle
    changes the submodule's commit (plugins/extra) besides a file of the town.
    ``git diff --name-only`` honours ``ignore = all`` (and a ``diff.ignoreSubmodules``
    setting) and does not list the gitlink, so ``_outside_problem`` passes and the merge
    moves plugins/extra to the attacker's commit.

    Impact: the next ``git submodule update`` checks out a plugin commit the attacker
    chose (on GitHub any fork's commit is reachable through the parent's address): Python
    run by the build. Severity: high where the network uses such a submodule.

    Fix: ``git diff --ignore-submodules=none`` (or compare ``git ls-tree``/``diff-tree``
    output, which no setting filters).
    """
    write(
        maintained / ".gitmodules",
        '[submodule "extra"]\n\tpath = plugins/extra\n'
        "\turl = https://example.org/extra.git\n\tignore = all\n",
    )
    git("add", ".gitmodules", cwd=maintained)
    git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},plugins/extra", cwd=maintained)
    git("commit", "-q", "-m", "extra plugin", cwd=maintained)
    git("pull", "-q", cwd=library)
    write(library / "content/alpha/articles/one.md", "Title: One\n\nx\n")
    git("add", "-A", cwd=library)
    git("update-index", "--cacheinfo", f"160000,{'6' * 40},plugins/extra", cwd=library)
    git("commit", "-q", "-m", "one", cwd=library)
    b = bundle(library, tmp_path / "a.bundle", head(library), exclude=("origin/main",))
    applied = pull_bundle(load_network(maintained), b)
    assert not applied.ok
    assert "1" * 40 in git("ls-tree", "HEAD", "plugins/extra", cwd=maintained)


def test_a_bundle_cannot_hide_and_then_overwrite_the_maintainers_files(
    maintained: Path, library: Path, tmp_path: Path
) -> None:
    """Attack: the maintainer has an untracked file in the town's folder (an article
    being written, content/alpha/articles/draft.md). A first bundle adds
    content/alpha/articles/.gitignore naming it (``.gitignore`` is not refused, only
    .gitattributes/.gitmodules): the draft disappears from ``git status``. A second
    bundle adds content/alpha/articles/draft.md; git overwrites ignored files without a
    word, so the merge replaces the maintainer's draft.

    Impact: the maintainer's uncommitted work is overwritten silently. Severity: medium.

    Fix: refuse ``.gitignore`` in a bundle as well, and before merging refuse when any
    path the bundle adds already exists in the work tree untracked (ignored or not),
    e.g. ``git ls-files -o -i --exclude-standard`` or an ``os.path.lexists`` check.
    """
    write(maintained / "content/alpha/articles/draft.md", "my unsaved draft\n")
    write(library / "content/alpha/articles/.gitignore", "draft.md\n")
    write(library / "content/alpha/articles/other.md", "Title: o\n\nx\n")
    a1 = commit_all(library, "one")
    pull_bundle(
        load_network(maintained), bundle(library, tmp_path / "1.bundle", a1, ("origin/main",))
    )
    write(library / "content/alpha/articles/draft.md", "Title: Mine now\n\nx\n")
    git("add", "-f", "content/alpha/articles/draft.md", cwd=library)
    a2 = commit_all(library, "two")
    pull_bundle(load_network(maintained), bundle(library, tmp_path / "2.bundle", a2, (a1,)))
    draft = maintained / "content/alpha/articles/draft.md"
    assert draft.read_text(encoding="utf-8") == "my unsaved draft\n"


def test_a_git_bomb_is_refused_before_its_changes_are_listed_whole(
    maintained: Path, library: Path, tmp_path: Path
) -> None:
    """Attack: a 1 KB bundle whose town folder is a git bomb (10 folders of 10 folders…,
    7 levels, 10^8 paths over one blob). ``_outside_problem`` runs ``git diff
    --name-only`` over the whole change and reads all its output into memory before
    the tree is listed against the limits (``_list_tree`` stops a bomb at 25 000
    entries, but runs after). ``git diff`` itself gathers every path before writing
    one: at depth 6 (10^7 paths) it takes 35 s and 3.2 GB, and Python another 0.75 GB for
    the output; at depth 7 ten times that, more memory than the machine has (here,
    under a 1.5 GB address-space limit, git dies with "inflateInit: out of memory").

    Impact: a tiny file on a stick exhausts the maintainer's memory or blocks the
    command for minutes. Severity: medium (denial of service).

    Fix: do not diff recursively: compare the trees level by level along the prefix
    (``git diff-tree`` without ``-r`` of the root: only ``content`` may differ; of
    ``content``: only ``<town>``), so that a bomb outside the town is never walked, then
    list the town's tree with ``_list_tree`` (bounded) before any recursive diff.
    """
    blob = git("hash-object", "-w", "--stdin", cwd=library, input="x").strip()
    tree = mktree(library, [("100644", blob, f"f{i}") for i in range(10)])
    for _ in range(7):
        tree = mktree(library, [("040000", tree, f"d{i}") for i in range(10)])
    alpha = replaced(library, "HEAD:content/alpha", "bomb", "040000", tree)
    b = bundle(library, tmp_path / "bomb.bundle", with_town_tree(library, alpha), ("origin/main",))
    assert b.stat().st_size < 4096
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))\n"
        "from pathlib import Path\n"
        "from gardarika.config.network import load_network\n"
        "from gardarika.content.bundles import pull_bundle\n"
        f"a = pull_bundle(load_network(Path({str(maintained)!r})), Path({str(b)!r}))\n"
        "print(a.ok, a.message)\n"
    )
    done = run_isolated(code, timeout=30)
    assert done is not None, "still running after 30 s"
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.startswith(b"False") and b"25000" in done.stdout


def test_a_stick_folder_entry_that_cannot_be_read_gives_a_message(
    maintained: Path, tmp_path: Path
) -> None:
    """Attack: the stick's folder holds ``a.bundle``, a symbolic link to a name longer than
    a file system takes (or, for a user other than root, any entry of a folder that can
    be listed but not searched, mode r--). ``bundle_files`` calls ``Path.is_file()``,
    which raises for ENAMETOOLONG/EACCES (only ENOENT, ENOTDIR, EBADF and ELOOP are
    ignored): the command stops with a Python traceback and applies none of the stick's
    bundles. ``pull --bundle <a name over 255 bytes>`` does the same in the cli's
    ``source.exists()``.

    Impact: a traceback for bad input; one odd entry blocks the whole stick. Severity:
    low.

    Fix: catch OSError around ``exists``/``is_dir``/``iterdir``/``is_file`` (use
    ``os.scandir`` and ``entry.is_file()`` in a try) and say which entry was passed over.
    """
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "a.bundle").symlink_to("x" * 300)
    done = gardarika(maintained, "pull", "--bundle", str(stick))
    assert "Traceback" not in done.stderr, done.stderr[-600:]
    long = gardarika(maintained, "pull", "--bundle", str(tmp_path / ("y" * 300)))
    assert "Traceback" not in long.stderr and long.returncode == 2, long.stderr[-600:]


def test_a_fifo_named_bundle_does_not_hang_the_command(maintained: Path, tmp_path: Path) -> None:
    """Attack: the stick (ext4, or a folder given on the command line) holds
    ``alpha.bundle`` that is a FIFO. ``pull_bundle`` opens it to read the signature;
    ``open()`` on a FIFO blocks until a writer appears, forever, with no time limit
    (a folder's FIFO is passed over by ``is_file()``, a named one is not).

    Impact: the command hangs. Severity: low.

    Fix: ``os.open(..., O_RDONLY | O_NONBLOCK | O_NOFOLLOW?)`` and ``fstat`` the open
    file: refuse anything that is not a regular file (``stat.S_ISREG``) before reading.
    """
    fifo = tmp_path / "alpha.bundle"
    os.mkfifo(fifo)
    code = (
        "import sys\nfrom gardarika.cli import main\n"
        f"sys.exit(main(['--root', {str(maintained)!r}, 'pull', '--bundle', {str(fifo)!r}]))\n"
    )
    done = run_isolated(code, timeout=20)
    assert done is not None, "pull --bundle of a FIFO still waits after 20 s"
    assert done.returncode != 0 and b"Traceback" not in done.stderr


def test_a_bundle_file_name_is_shown_as_text_not_terminal_codes(
    maintained: Path, library: Path, tmp_path: Path
) -> None:
    """Attack: a valid bundle on the stick named ``ESC]0;…BEL ESC[2J \\xff.bundle``. The
    refusal messages escape the name (``visible``), the success messages print
    ``bundle.name`` as it is: the escape codes reach the maintainer's terminal (set its
    title, clear the screen, with some terminals more), and the byte that is not UTF-8
    becomes a lone surrogate, which a UTF-8 terminal's stdout (``errors=strict``, as
    under an en_US.UTF-8 locale) cannot print: UnicodeEncodeError, a traceback after the
    bundle was merged, and the folder's later bundles are not applied.

    Impact: terminal injection, traceback. Severity: low.

    Fix: ``visible(bundle.name)`` in every message (applied, applied before, merge
    commit message).
    """
    write(library / "content/alpha/articles/one.md", "Title: One\n\nx\n")
    stick = tmp_path / "stick"
    stick.mkdir()
    b = bundle(library, stick / "x.bundle", commit_all(library, "one"), ("origin/main",))
    os.rename(b, os.fsencode(stick) + b"/\x1b]0;owned\x07\x1b[2J\xff.bundle")
    code = (
        "import sys\nfrom gardarika.cli import main\n"
        f"sys.exit(main(['--root', {str(maintained)!r}, 'pull', '--bundle', {str(stick)!r}]))\n"
    )
    done = run_isolated(code, timeout=60, env={"PYTHONIOENCODING": "utf-8"})
    assert done is not None
    assert b"Traceback" not in done.stderr, done.stderr.decode()[-600:]
    assert b"\x1b" not in done.stdout + done.stderr
    assert done.returncode == 0


# -- attacks refused (regression tests) -----------------------------------------------


def _forged(library: Path, tmp_path: Path, refs: list[str], alpha: str | None = None) -> Path:
    """A desk's bundle whose header names ``refs`` instead of its one desk reference."""
    if alpha is None:
        write(library / "content/alpha/articles/one.md", "Title: One\n\nx\n")
        tip = commit_all(library, "one")
    else:
        tip = with_town_tree(library, alpha)
    real = bundle(library, tmp_path / "real.bundle", tip, ("origin/main",)).read_bytes()
    line = f"{tip} {DESK}alpha\n".encode()
    forged = tmp_path / "forged.bundle"
    forged.write_bytes(real.replace(line, b"".join(f"{tip} {r}\n".encode() for r in refs), 1))
    return forged


@pytest.mark.parametrize(
    "refs",
    [
        [f"{DESK}../heads/main"],
        [f"{DESK}alpha/../../heads/main"],
        [f"{DESK}Alpha"],
        [f"{DESK}alpha", "refs/heads/main"],
        [f"{DESK}alpha", f"{DESK}beta"],
    ],
)
def test_forged_reference_names_are_refused(
    maintained: Path, library: Path, tmp_path: Path, refs: list[str]
) -> None:
    before = state(maintained)
    applied = pull_bundle(load_network(maintained), _forged(library, tmp_path, refs))
    assert not applied.ok and " / " in applied.message
    assert state(maintained) == before


@pytest.mark.parametrize("name", [".git", ".GIT", "..", "git~1"])
def test_a_git_folder_inside_the_town_is_refused_and_changes_nothing(
    maintained: Path, library: Path, tmp_path: Path, name: str
) -> None:
    config = git("hash-object", "-w", "--stdin", cwd=library, input="[core]\n").strip()
    inner = mktree(library, [("100644", config, "config")])
    alpha = replaced(library, "HEAD:content/alpha", name, "040000", inner)
    tip = with_town_tree(library, alpha)
    before = state(maintained)
    b = bundle(library, tmp_path / "a.bundle", tip, ("origin/main",))
    applied = pull_bundle(load_network(maintained), b)
    assert not applied.ok and " / " in applied.message
    assert state(maintained) == before


def test_a_neighbouring_prefix_is_outside_the_town(
    maintained: Path, library: Path, tmp_path: Path
) -> None:
    write(library / "content/alpha2/x.md", "Title: X\n\nx\n")
    write(library / "Content/alpha/y.md", "Title: Y\n\nx\n")
    tip = commit_all(library, "prefix")
    before = state(maintained)
    applied = pull_bundle(
        load_network(maintained), bundle(library, tmp_path / "a.bundle", tip, ("origin/main",))
    )
    assert not applied.ok and "may change only the town's own files" in applied.message
    assert state(maintained) == before
