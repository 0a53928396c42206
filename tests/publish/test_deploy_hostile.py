"""A deploy target whose current state is hostile (issue #22, items 1 and 8).

A town's editors may control the branch a ``git`` target publishes to, or the folder a
``dir`` target writes into. These tests make such targets for real: a bare repository
whose deploy branch was committed with real ``git`` commands (symbolic links leading out
of the work clone and into its ``.git``, a manifest naming files outside the target,
``.gitattributes`` and ``.gitignore`` that would change what is pushed, trees git itself
would never write) and folders seeded with links, a linked manifest and malformed ones.
A real deploy of a small built site then runs against them. Nothing outside the target
may change, the work clone's ``.git`` may never be written by the deploy, no command of
the target's choosing may run, and what is published is exactly the built site.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from gardarika.build.limits import MAX_TARGET_BYTES, MAX_TARGET_ENTRIES, MAX_TARGET_FILE_BYTES
from gardarika.errors import GardarikaError, Problem
from gardarika.publish import deploy
from gardarika.publish.deploy import MANIFEST, DirTarget, GitTarget, deploy_folder, local_manifest

# -- helpers ---------------------------------------------------------------------------


def git(*args: str, cwd: Path, data: bytes | None = None) -> str:
    """Run a real git command for the test and return what it printed."""
    done = subprocess.run(
        ["git", "-c", "user.name=Editor", "-c", "user.email=ed@localhost", *args],
        cwd=cwd,
        input=data,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8", "replace")


def hostile_config(marker: Path) -> str:
    """A git configuration that would run a command (touching ``marker``) at the next
    ``git add`` or ``git status``, were it ever the work clone's ``.git/config``."""
    return f"[core]\n\tfsmonitor = touch {marker}; false\n"


def built_site(tmp_path: Path, marker: Path, crlf: bool = False) -> Path:
    """A small built site, made by hand as the build would leave it. ``files/config``
    holds a hostile git configuration: a link ``files -> .git`` in the target would make
    a careless deploy write it over the work clone's own ``.git/config``."""
    end = "\r\n" if crlf else "\n"
    pages = {
        "index.html": f"<p>home</p>{end}<p>$Id$</p>{end}",
        "category/x.html": f"<p>a category</p>{end}",
        "files/config": hostile_config(marker),
        "theme/style.css": "body { color: black }\n",
        "en/index.html": f"<p>home in English</p>{end}",
    }
    town = tmp_path / "site"
    for name, text in pages.items():
        (town / name).parent.mkdir(parents=True, exist_ok=True)
        (town / name).write_bytes(text.encode("utf-8"))
    return town


def make_victims(tmp_path: Path) -> Path:
    """Files and folders outside every target, which a deploy must never touch."""
    victims = tmp_path / "victims"
    (victims / "victim-dir").mkdir(parents=True)
    (victims / "victim-dir" / "old.html").write_text("victim's old page", encoding="utf-8")
    (victims / "victim-dir" / "page.html").write_text("victim's page", encoding="utf-8")
    (victims / "victim-dir2").mkdir()
    (victims / "victim-file").write_text("victim's file", encoding="utf-8")
    (victims / "victim-file2").write_text("another victim's file", encoding="utf-8")
    (victims / "abs-victim").write_text("victim named by absolute path", encoding="utf-8")
    return victims


def snapshot(folder: Path, skip: tuple[Path, ...] = ()) -> dict[str, tuple[str, str]]:
    """Every entry under ``folder`` (links are listed, never followed): its kind and its
    content's digest or the link's target. ``skip``: folders left out."""
    seen: dict[str, tuple[str, str]] = {}
    for here, folders, files in os.walk(folder):
        base = Path(here)
        folders[:] = [name for name in folders if base / name not in skip]
        for name in folders + files:
            path = base / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                seen[relative] = ("link", os.readlink(path))
            elif path.is_dir():
                seen[relative] = ("folder", "")
            else:
                seen[relative] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
    return seen


def no_link_on_the_way(root: Path, name: str) -> bool:
    """Each part of ``name`` under ``root`` is a real folder or file, never a link."""
    path = root
    for part in name.split("/"):
        path = path / part
        if path.is_symlink():
            return False
    return path.is_file()


def pushed_tree(bare: Path, branch: str) -> dict[str, tuple[str, str]]:
    """What ``branch`` of ``bare`` holds: path → (mode, object type)."""
    entries = {}
    listing = git("ls-tree", "-r", "-z", "--full-tree", branch, cwd=bare)
    for entry in filter(None, listing.split("\0")):
        info, path = entry.split("\t", 1)
        mode, kind, _ = info.split()
        entries[path] = (mode, kind)
    return entries


def pushed_bytes(bare: Path, branch: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "cat-file", "blob", f"{branch}:{path}"], cwd=bare, capture_output=True, check=True
    ).stdout


def assert_published_exactly(
    bare: Path, branch: str, town: Path, kept: frozenset[str] = frozenset()
) -> None:
    """``branch`` holds the built site byte for byte as regular files, its manifest and
    the ``kept`` hidden files of the branch that are no business of the deploy."""
    local = local_manifest(town)
    tree = pushed_tree(bare, branch)
    assert set(tree) == set(local) | {MANIFEST} | kept
    for path in set(local) | {MANIFEST}:
        assert tree[path] == ("100644", "blob"), path
    for path in local:
        assert pushed_bytes(bare, branch, path) == (town / path).read_bytes(), path
    assert json.loads(pushed_bytes(bare, branch, MANIFEST)) == local


def assert_own_git_config(work: Path, bare: Path) -> None:
    """The work clone's ``.git`` is a real folder and its ``config`` is the one the deploy
    wrote: a regular file naming the repository, with no command in it."""
    assert (work / ".git").is_dir() and not (work / ".git").is_symlink()
    config = work / ".git" / "config"
    assert config.is_file() and not config.is_symlink()
    text = config.read_text(encoding="utf-8")
    assert "fsmonitor" not in text and "hooksPath" not in text
    assert git("config", "--file", str(config), "remote.origin.url", cwd=work).strip() == str(bare)


def raw_tree(repository: Path, entries: list[tuple[str, str, str]]) -> str:
    """Write a tree object entry by entry, as a hostile client can (git's own commands
    would refuse some of these entries), and return its id."""
    data = b"".join(
        f"{mode} {name}".encode() + b"\0" + bytes.fromhex(sha) for mode, name, sha in entries
    )
    return git(
        "hash-object", "-w", "-t", "tree", "--literally", "--stdin", cwd=repository, data=data
    ).strip()


def blob(repository: Path, data: bytes) -> str:
    return git("hash-object", "-w", "--stdin", cwd=repository, data=data).strip()


def publish_tree(repository: Path, bare: Path, branch: str, tree: str) -> None:
    """Commit ``tree`` as ``branch`` and push it to ``bare``, as an editor would."""
    commit = git("commit-tree", tree, "-m", "hostile", cwd=repository).strip()
    git("update-ref", f"refs/heads/{branch}", commit, cwd=repository)
    git("push", "-q", str(bare), f"{branch}:{branch}", cwd=repository)


# -- a git target ----------------------------------------------------------------------

HOSTILE_NAMES = [
    "/abs/victim",
    "../../victim",
    "a/../../b",
    "../../../../victims/victim-file",
    ".git/config",
    ".GIT/config",
    "files/../.git/config",
    "",
    "x\\..\\..\\victim",
    "nul\u0000.html",
    "./index.html",
    "category//old.html",
    "~/victim",
]


def test_git_target_with_a_hostile_branch(tmp_path: Path) -> None:
    """The deploy branch holds links out of the work clone and into its ``.git``, and a
    manifest naming files outside: the deploy replaces the links by the built files and
    folders, follows none of them, deletes nothing outside and runs no command."""
    marker = tmp_path / "fsmonitor-ran"
    victims = make_victims(tmp_path)
    town = built_site(tmp_path, marker)
    bare = tmp_path / "pages.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    editor = tmp_path / "editor"
    git("init", "-q", "-b", "gh-pages", str(editor), cwd=tmp_path)
    (editor / "category").symlink_to(victims / "victim-dir")
    (editor / "files").symlink_to(".git")
    (editor / "index.html").symlink_to(victims / "victim-file")
    (editor / "theme").symlink_to("../../../../victims/victim-dir2")
    (editor / "gone").symlink_to(victims / "victim-dir")
    (editor / "en").mkdir()
    (editor / "en" / "index.html").symlink_to(victims / "victim-file2")
    names = [*HOSTILE_NAMES, str(victims / "abs-victim"), "category/old.html", "gone/page.html"]
    (editor / MANIFEST).write_text(json.dumps(dict.fromkeys(names, "0" * 64)), encoding="utf-8")
    git("add", "-A", cwd=editor)
    git("commit", "-q", "-m", "hostile", cwd=editor)
    git("push", "-q", str(bare), "gh-pages", cwd=editor)
    work = tmp_path / "net" / ".cache" / "deploy" / "alpha-pages"
    work.parent.mkdir(parents=True)
    before = snapshot(tmp_path, skip=(bare, work))

    result = deploy_folder(town, GitTarget(str(bare), "gh-pages", work), "pages")

    assert snapshot(tmp_path, skip=(bare, work)) == before
    assert not marker.exists()
    assert_own_git_config(work, bare)
    assert set(result.deleted) <= {"category/old.html", "gone/page.html"}
    assert_published_exactly(bare, "gh-pages", town)
    for name in local_manifest(town):
        assert no_link_on_the_way(work, name), name


def test_checkout_of_a_hostile_branch_runs_nothing_and_writes_nothing_into_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trees only a hostile client makes: a link ``files -> .git`` and a folder
    ``files/config`` of the same name (git writes the folder, never through the link),
    and a ``.gitattributes`` asking for a filter the machine's git configuration defines
    (as git-lfs does). Branches holding ``.git``, ``.GIT`` or ``.git `` entries are
    refused by git's checkout: the deploy stops before writing anything."""
    marker = tmp_path / "command-ran"
    editor = tmp_path / "editor"
    git("init", "-q", str(editor), cwd=tmp_path)
    bare = tmp_path / "pages.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    config = blob(editor, hostile_config(marker).encode())
    folder = raw_tree(editor, [("100644", "config", config)])
    publish_tree(
        editor,
        bare,
        "gh-pages",
        raw_tree(
            editor,
            [
                ("100644", ".gitattributes", blob(editor, b"* filter=lfs\n")),
                ("120000", "files", blob(editor, b".git")),
                ("40000", "files", folder),
                ("100644", "index.html", blob(editor, b"<p>old</p>\n")),
            ],
        ),
    )
    for number, name in enumerate((".git", ".GIT", ".git ")):
        publish_tree(
            editor,
            bare,
            f"worse{number}",
            raw_tree(
                editor, [("40000", name, folder), ("100644", "index.html", blob(editor, b"x\n"))]
            ),
        )
    # the machine's own git configuration defines a filter (as git-lfs installs one)
    machine = tmp_path / "machine.gitconfig"
    machine.write_text(
        f'[filter "lfs"]\n\tclean = touch {marker}; cat\n\tsmudge = touch {marker}; cat\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(machine))
    town = built_site(tmp_path, tmp_path / "unused")
    work = tmp_path / "work"

    deploy_folder(town, GitTarget(str(bare), "gh-pages", work), "pages")

    assert not marker.exists()
    assert_own_git_config(work, bare)
    assert_published_exactly(bare, "gh-pages", town, kept=frozenset({".gitattributes"}))
    for number in range(3):
        other = tmp_path / f"work{number}"
        with pytest.raises(GardarikaError) as caught:
            GitTarget(str(bare), f"worse{number}", other)
        assert "checkout" in caught.value.problems[0].en and caught.value.problems[0].ru
        assert not marker.exists()
        assert not other.exists()  # the refused work clone is removed, .git and all


def test_gitignore_and_gitattributes_of_the_branch_change_no_byte_pushed(tmp_path: Path) -> None:
    """The branch's ``.gitignore`` ignores everything and its ``.gitattributes`` asks for
    line-end conversion: the pushed files are still every built file, byte for byte."""
    editor = tmp_path / "editor"
    git("init", "-q", "-b", "gh-pages", str(editor), cwd=tmp_path)
    (editor / ".gitignore").write_text("*\n", encoding="utf-8")
    (editor / ".gitattributes").write_text("* text eol=crlf ident\n", encoding="utf-8")
    (editor / "index.html").write_text("<p>old</p>\n", encoding="utf-8")
    git("add", "-f", "-A", cwd=editor)
    git("commit", "-q", "-m", "hostile", cwd=editor)
    bare = tmp_path / "pages.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    git("push", "-q", str(bare), "gh-pages", cwd=editor)
    town = built_site(tmp_path, tmp_path / "unused", crlf=True)

    deploy_folder(town, GitTarget(str(bare), "gh-pages", tmp_path / "work"), "pages")

    assert_published_exactly(
        bare, "gh-pages", town, kept=frozenset({".gitignore", ".gitattributes"})
    )


def test_git_commands_ignore_commands_in_the_clone_settings(tmp_path: Path) -> None:
    """Defence in depth: were the work clone's ``.git/config`` ever to name a command
    (fsmonitor, a hooks folder), the deploy's git commands still run none of them."""
    marker = tmp_path / "command-ran"
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("pre-commit", "post-commit", "pre-push", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
        (hooks / hook).chmod(0o755)
    bare = tmp_path / "pages.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    town = built_site(tmp_path, tmp_path / "unused")
    target = GitTarget(str(bare), "gh-pages", tmp_path / "work")
    with (target.root / ".git" / "config").open("a", encoding="utf-8") as config:
        config.write(f"{hostile_config(marker)}\thooksPath = {hooks}\n")

    deploy_folder(town, target, "pages")

    assert not marker.exists()
    assert_published_exactly(bare, "gh-pages", town)


def test_git_target_refuses_a_work_clone_whose_git_is_a_link(tmp_path: Path) -> None:
    """The work clone's ``.git`` must be a real folder before git runs there."""
    bare = tmp_path / "pages.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    town = built_site(tmp_path, tmp_path / "unused")
    target = GitTarget(str(bare), "gh-pages", tmp_path / "work")
    elsewhere = tmp_path / "elsewhere.git"
    (target.root / ".git").rename(elsewhere)
    (target.root / ".git").symlink_to(elsewhere)
    with pytest.raises(GardarikaError) as caught:
        deploy_folder(town, target, "pages")
    assert ".git" in caught.value.problems[0].en and caught.value.problems[0].ru
    assert git("for-each-ref", cwd=bare) == ""


# -- a folder target -------------------------------------------------------------------


def test_dir_target_with_hostile_links_and_manifest(tmp_path: Path) -> None:
    """The folder holds links where the built site has folders and files, a link at the
    deploy's temporary name, hidden files of its own and a manifest naming files
    outside: nothing outside changes and the built site lands as real files."""
    victims = make_victims(tmp_path)
    town = built_site(tmp_path, tmp_path / "unused")
    web = tmp_path / "web"
    web.mkdir()
    (web / "category").symlink_to(victims / "victim-dir")
    (web / "files").symlink_to("../victims/victim-dir2")
    (web / "en").symlink_to(victims / "victim-dir2")
    (web / "index.html").symlink_to(victims / "victim-file")
    (web / ".index.html.part").symlink_to(victims / "victim-file2")
    (web / "gone").symlink_to(victims / "victim-dir")
    (web / "theme").mkdir()
    (web / "theme" / "style.css").symlink_to(victims / "victim-file2")
    (web / ".git").mkdir()
    (web / ".git" / "config").write_text("the folder's own settings", encoding="utf-8")
    (web / ".hidden").mkdir()
    (web / ".hidden" / "keep.txt").write_text("kept", encoding="utf-8")
    names = [
        *HOSTILE_NAMES,
        str(victims / "abs-victim"),
        "../victims/victim-file",
        "category/old.html",
        "gone/page.html",
        ".hidden/keep.txt",
    ]
    (web / MANIFEST).write_text(json.dumps(dict.fromkeys(names, "0" * 64)), encoding="utf-8")
    before = snapshot(tmp_path, skip=(web,))

    result = deploy_folder(town, DirTarget(web), "web")

    assert snapshot(tmp_path, skip=(web,)) == before
    assert set(result.deleted) <= {"category/old.html", "gone/page.html"}
    local = local_manifest(town)
    for name in local:
        assert no_link_on_the_way(web, name), name
        assert (web / name).read_bytes() == (town / name).read_bytes()
    assert (web / ".git" / "config").read_text(encoding="utf-8") == "the folder's own settings"
    assert (web / ".hidden" / "keep.txt").read_text(encoding="utf-8") == "kept"
    assert not (web / "gone").is_symlink() and not (web / ".index.html.part").is_symlink()
    assert not (web / MANIFEST).is_symlink()
    assert json.loads((web / MANIFEST).read_text(encoding="utf-8")) == local


def test_a_linked_manifest_is_not_read(tmp_path: Path) -> None:
    """A manifest that is a link is not followed to read another file: the target is
    taken as having no manifest, and the link is replaced by a real manifest."""
    town = built_site(tmp_path, tmp_path / "unused")
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps({"keep.html": "x"}), encoding="utf-8")
    web = tmp_path / "web"
    web.mkdir()
    (web / "keep.html").write_text("not the deploy's", encoding="utf-8")
    (web / MANIFEST).symlink_to(elsewhere)
    target = DirTarget(web)
    assert target.read_manifest() is None
    result = deploy_folder(town, target, "web")
    assert result.deleted == [] and (web / "keep.html").exists()
    assert json.loads(elsewhere.read_text(encoding="utf-8")) == {"keep.html": "x"}
    assert not (web / MANIFEST).is_symlink()


@pytest.mark.parametrize(
    "content",
    [
        b"[1, 2]",
        b'"a string"',
        b"not json",
        b"\xff\xfe\xfa",
        b"[" * 100_000,
        b'{"keep.html": 1}',
        b'{"keep.html": ["x"]}',
        b'{"keep.html": null}',
        b'{"index.html": "x", "keep.html": {"a": "b"}}',
        b'{"keep.html": "x"',
    ],
    ids=[
        "list",
        "string",
        "text",
        "bytes",
        "deep",
        "number",
        "list-value",
        "null-value",
        "object-value",
        "cut",
    ],
)
def test_a_malformed_manifest_is_no_manifest(tmp_path: Path, content: bytes) -> None:
    """A manifest that is not a JSON object of names to digests is taken as no manifest:
    the whole site is sent, nothing is deleted, and there is no traceback."""
    town = built_site(tmp_path, tmp_path / "unused")
    web = tmp_path / "web"
    web.mkdir()
    (web / "keep.html").write_text("not the deploy's", encoding="utf-8")
    (web / MANIFEST).write_bytes(content)
    result = deploy_folder(town, DirTarget(web), "web")
    assert result.deleted == [] and (web / "keep.html").exists()
    assert sorted(result.sent) == sorted(local_manifest(town))
    assert json.loads((web / MANIFEST).read_text(encoding="utf-8")) == local_manifest(town)


def test_a_manifest_that_is_a_pipe_does_not_hang_the_deploy(tmp_path: Path) -> None:
    """A named pipe in the manifest's place would block a plain read for ever."""
    town = built_site(tmp_path, tmp_path / "unused")
    web = tmp_path / "web"
    web.mkdir()
    os.mkfifo(web / MANIFEST)
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(deploy_folder(town, DirTarget(web), "web"))
        except Exception as exc:  # reported below
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=20)
    hung = worker.is_alive()
    if hung:  # let the blocked reader go, so that the test run ends
        with open(web / MANIFEST, "wb"):
            pass
        worker.join(timeout=20)
    assert not hung, "the deploy waited on the pipe"
    assert len(outcome) == 1 and not isinstance(outcome[0], Exception), outcome
    assert json.loads((web / MANIFEST).read_text(encoding="utf-8")) == local_manifest(town)


@pytest.mark.parametrize(
    "name", [".git/config", ".GIT/config", ".htaccess", "files/.git/config", "a/.well-known/x"]
)
def test_hidden_files_of_the_built_site_are_refused(tmp_path: Path, name: str) -> None:
    """The built site has no hidden files: one there is refused, with its name, before
    anything is sent."""
    town = built_site(tmp_path, tmp_path / "unused")
    (town / name).parent.mkdir(parents=True, exist_ok=True)
    (town / name).write_text(hostile_config(tmp_path / "ran"), encoding="utf-8")
    web = tmp_path / "web"
    with pytest.raises(GardarikaError) as caught:
        deploy_folder(town, DirTarget(web), "web")
    problem = caught.value.problems[0]
    assert name in problem.file and problem.en and problem.ru
    assert list(web.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    [
        "../victim",
        "{victim}",
        ".git/config",
        ".GIT/config",
        "a/../../victim",
        "",
        "x/./y",
        "sub\\..\\..\\victim",
        "nul\u0000",
    ],
)
def test_put_and_delete_refuse_names_that_are_not_plain_visible_paths(
    tmp_path: Path, name: str
) -> None:
    """A folder target never writes or deletes a name with a hidden part or one that is
    not a plain relative path inside it, whoever calls it."""
    victim = tmp_path / "victim"
    victim.write_text("victim", encoding="utf-8")
    web = tmp_path / "web"
    (web / ".git").mkdir(parents=True)
    (web / ".git" / "config").write_text("own", encoding="utf-8")
    (web / ".GIT").symlink_to(".git")
    source = tmp_path / "source.html"
    source.write_text("<p>new</p>", encoding="utf-8")
    name = name.replace("{victim}", str(victim))
    target = DirTarget(web)
    before = snapshot(tmp_path)
    with pytest.raises(GardarikaError):
        target.put(name, source)
    with pytest.raises(GardarikaError):
        target.delete(name)
    assert snapshot(tmp_path) == before


def test_a_file_in_the_way_of_a_folder_is_replaced(tmp_path: Path) -> None:
    """The built site is the truth: a file where it has a folder gives way."""
    town = built_site(tmp_path, tmp_path / "unused")
    web = tmp_path / "web"
    web.mkdir()
    (web / "category").write_text("a file", encoding="utf-8")
    deploy_folder(town, DirTarget(web), "web")
    assert (web / "category" / "x.html").read_bytes() == (town / "category" / "x.html").read_bytes()


def test_a_folder_in_the_way_of_a_file_is_refused_clearly(tmp_path: Path) -> None:
    """A real folder where the built site has a file is not removed with all it holds:
    the deploy says so in both languages."""
    town = built_site(tmp_path, tmp_path / "unused")
    web = tmp_path / "web"
    (web / "index.html").mkdir(parents=True)
    (web / "index.html" / "keep.txt").write_text("kept", encoding="utf-8")
    with pytest.raises(GardarikaError) as caught:
        deploy_folder(town, DirTarget(web), "web")
    problem = caught.value.problems[0]
    assert "index.html" in problem.file and problem.en and problem.ru
    assert (web / "index.html" / "keep.txt").read_text(encoding="utf-8") == "kept"


# -- a git target whose branch checks out to far more than a site (issue F2) -------------


def mktree(repository: Path, entries: list[tuple[str, str, str]]) -> str:
    """A tree of ``entries`` (mode, object, name) written with ``git mktree``."""
    listing = "".join(
        f"{mode} {'tree' if mode == '040000' else 'blob'} {oid}\t{name}\n"
        for mode, oid, name in entries
    )
    return git("mktree", cwd=repository, data=listing.encode()).strip()


def git_bomb(repository: Path, fanout: int, depth: int) -> str:
    """A tree of ``fanout ** depth`` files: ``depth`` levels of ``fanout`` names, each
    level naming the one tree below it ``fanout`` times, over a single two-byte blob.
    A few kilobytes of objects, whatever the number of files."""
    tree = mktree(
        repository, [("100644", blob(repository, b"x\n"), f"f{i}") for i in range(fanout)]
    )
    for _ in range(depth - 1):
        tree = mktree(repository, [("040000", tree, f"d{i}") for i in range(fanout)])
    return tree


def hostile_branch(tmp_path: Path, build: Callable[[Path], str], branch: str = "gh-pages") -> Path:
    """A bare repository whose ``branch`` holds the tree ``build`` writes, committed with
    git plumbing (``commit-tree``) and pushed, as an editor with access to it can."""
    editor = tmp_path / "editor"
    git("init", "-q", str(editor), cwd=tmp_path)
    bare = tmp_path / "pages.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    publish_tree(editor, bare, branch, build(editor))
    return bare


def refused_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bare: Path, work: Path
) -> tuple[Problem, float]:
    """Make a git target of ``bare``: it must be refused, with nothing checked out and no
    work clone left. The problem and the seconds the refusal took."""
    ran: list[str] = []
    real_git = deploy._git

    def recording_git(*args: str, cwd: Path, options: Sequence[str] = ()) -> str:
        ran.append(args[0])
        return real_git(*args, cwd=cwd, options=options)

    monkeypatch.setattr(deploy, "_git", recording_git)
    start = time.monotonic()
    with pytest.raises(GardarikaError) as caught:
        GitTarget(str(bare), "gh-pages", work)
    took = time.monotonic() - start
    assert "checkout" not in ran
    assert not work.exists() and not work.is_symlink()
    problem = caught.value.problems[0]
    for text in (problem.en, problem.ru):
        assert "gh-pages" in text and str(bare) in text
    assert "does not look like a site Gardarika deployed" in problem.en
    assert "empty the branch" in problem.en and "choose another" in problem.en
    assert "не похожа на сайт" in problem.ru and "очистить ветку" in problem.ru
    return problem, took


@pytest.mark.parametrize(("fanout", "depth"), [(30, 4), (10, 10)], ids=["810000", "10e10"])
def test_a_git_bomb_branch_is_refused_quickly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fanout: int, depth: int
) -> None:
    """A "git bomb" at the deploy branch: a few kilobytes of objects that would check out
    to 810 000 files, or to 10^10 (far more than any disk holds). Its tree is listed
    before anything is checked out, the listing stops at MAX_TARGET_ENTRIES, and the
    target is refused in seconds, naming the repository, the branch and the bound."""
    bare = hostile_branch(tmp_path, lambda editor: git_bomb(editor, fanout, depth))
    work = tmp_path / "net" / ".cache" / "deploy" / "alpha-pages"

    problem, took = refused_target(tmp_path, monkeypatch, bare, work)

    assert took < 30
    assert str(MAX_TARGET_ENTRIES) in problem.en and str(MAX_TARGET_ENTRIES) in problem.ru
    assert "files and folders" in problem.en and "файлов и папок" in problem.ru


def test_a_branch_of_one_big_file_named_many_times_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One blob of MAX_TARGET_FILE_BYTES (a file as big as a target may hold: it
    compresses to some 64 KB) named just enough times to pass MAX_TARGET_BYTES (4 GiB):
    the sizes the listing gives add up past the bound, and nothing is checked out."""
    times = MAX_TARGET_BYTES // MAX_TARGET_FILE_BYTES + 1

    def build(editor: Path) -> str:
        big = blob(editor, b"A" * MAX_TARGET_FILE_BYTES)
        return mktree(editor, [("100644", big, f"big{i}.html") for i in range(times)])

    bare = hostile_branch(tmp_path, build)

    problem, _ = refused_target(tmp_path, monkeypatch, bare, tmp_path / "work")

    mb = MAX_TARGET_BYTES // 1024 // 1024
    assert f"{mb} MB" in problem.en and f"{mb} МБ" in problem.ru


def test_a_branch_holding_a_file_over_the_file_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A single file one byte over MAX_TARGET_FILE_BYTES is named in the refusal."""
    bare = hostile_branch(
        tmp_path,
        lambda editor: mktree(
            editor,
            [
                ("100644", blob(editor, b"<p>home</p>\n"), "index.html"),
                ("100644", blob(editor, b"A" * (MAX_TARGET_FILE_BYTES + 1)), "huge.bin"),
            ],
        ),
    )

    problem, _ = refused_target(tmp_path, monkeypatch, bare, tmp_path / "work")

    assert "huge.bin" in problem.en and "huge.bin" in problem.ru
    assert str(MAX_TARGET_FILE_BYTES + 1) in problem.en


def test_a_smaller_bound_is_the_one_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bounds are read when the tree is listed: a branch of 1 MB named 20 times
    passes with the real bounds and is refused once MAX_TARGET_BYTES is 8 MB."""

    def build(editor: Path) -> str:
        big = blob(editor, b"B" * (1 << 20))
        return mktree(editor, [("100644", big, f"p{i}.jpg") for i in range(20)])

    bare = hostile_branch(tmp_path, build)
    GitTarget(str(bare), "gh-pages", tmp_path / "fits")
    monkeypatch.setattr(deploy, "MAX_TARGET_BYTES", 8 << 20)

    problem, _ = refused_target(tmp_path, monkeypatch, bare, tmp_path / "work")

    assert "8 MB" in problem.en and "8 МБ" in problem.ru


def test_gitattributes_of_the_branch_do_not_inflate_the_checkout(tmp_path: Path) -> None:
    """The branch's ``.gitattributes`` asks for ``$Id$`` expansion (each 4 bytes become
    47), UTF-32 in the working tree (4 bytes for each) and CRLF line ends: the work
    clone's own attributes are in place before the checkout, so each checked-out file
    is its blob byte for byte, and the bounds the listing checked are the bytes on disk."""
    page = b"$Id$\n" * 20_000
    style = b"body { color: black }\n" * 1000

    def build(editor: Path) -> str:
        return mktree(
            editor,
            [
                (
                    "100644",
                    blob(
                        editor,
                        b"* ident working-tree-encoding=UTF-32 text eol=crlf\n"
                        b"*.html filter=inflate\n",
                    ),
                    ".gitattributes",
                ),
                ("100644", blob(editor, page), "index.html"),
                ("100644", blob(editor, style), "style.css"),
            ],
        )

    bare = hostile_branch(tmp_path, build)

    target = GitTarget(str(bare), "gh-pages", tmp_path / "work")

    assert (target.root / "index.html").read_bytes() == page
    assert (target.root / "style.css").read_bytes() == style
    on_disk = sum(
        path.stat().st_size
        for path in target.root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(target.root).parts
    )
    assert on_disk == len(page) + len(style) + len(
        b"* ident working-tree-encoding=UTF-32 text eol=crlf\n*.html filter=inflate\n"
    )


def test_a_failed_deploy_removes_the_work_clone(tmp_path: Path) -> None:
    """The work clone is the deploy's alone: once the deploy fails (here the push, the
    repository having gone), it is removed, not left in ``.cache``."""
    bare = tmp_path / "pages.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    town = built_site(tmp_path, tmp_path / "unused")
    work = tmp_path / "work"
    target = GitTarget(str(bare), "gh-pages", work)
    assert (work / ".git").is_dir()
    bare.rename(tmp_path / "gone.git")

    with pytest.raises(GardarikaError) as caught:
        deploy_folder(town, target, "pages")

    assert "push" in caught.value.problems[0].en
    assert not work.exists()


def test_a_site_gardarika_deployed_before_deploys_again(tmp_path: Path) -> None:
    """The legitimate case: a branch holding a site of a few thousand files, deployed
    by Gardarika before, is within the bounds; the next deploy sends only what changed."""
    town = tmp_path / "site"
    for number in range(3000):
        page = town / f"{['en', 'ru', 'de'][number % 3]}/{number // 100}/p{number}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"<p>page {number}</p>\n", encoding="utf-8")
    (town / "index.html").write_text("<p>home</p>\n", encoding="utf-8")
    bare = tmp_path / "pages.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    first = deploy_folder(town, GitTarget(str(bare), "gh-pages", tmp_path / "w1"), "pages")
    assert len(first.sent) == 3001
    (town / "index.html").write_text("<p>new home</p>\n", encoding="utf-8")

    second = deploy_folder(town, GitTarget(str(bare), "gh-pages", tmp_path / "w2"), "pages")

    assert second.sent == ["index.html"] and second.unchanged == 3000
    assert_published_exactly(bare, "gh-pages", town)
