"""Red team: dates from git (commit fb2c549, :mod:`gardarika.content.gitdates`, plugin
``git_dates``, the checks' warnings and the dates' digest in the town's fingerprint).

The attacker is a town's editor: the town's files and every commit of the town's own
repository are theirs (messages, author names and dates, file names of any bytes,
renames, merges, huge histories), ``sites/network.yaml`` and the maintainer's machine
are not. A few cases need a hand in the clone's ``.git`` (their docstrings say so).

Every test asserts the safe behaviour. The six whose docstring says "Found by this
round and fixed" were problems (the attack, its impact, severity and the fix suggested
are in the docstring), mended since: rename detection costing seconds per commit (a
commit of more than 100 added and removed texts gets its pure moves only), a failed
read not cached, a partial clone fetching (and running its settings' upload-pack), a
file name that is no UTF-8 crashing the build's fingerprint, a ``commondir`` sending
git to another repository, and a last commit dated ahead shown as "Updated". The others
are cases checked and found safe. Real git and repositories made here; hostile
histories are written with ``git fast-import`` and ``git hash-object``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from projects import commit_at, git, new_repo, write

from gardarika.build.builder import Builder
from gardarika.config.network import load_network
from gardarika.content import gitdates
from gardarika.content.gitdates import NO_DATES, dates_to_use, moment, town_dates

T1, T2, T3 = 1714559400, 1717237800, 1719829800  # 2024-05-01, 2024-06-01, 2024-07-01 UTC
ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Editor",
    "GIT_AUTHOR_EMAIL": "e@example.org",
    "GIT_COMMITTER_NAME": "Editor",
    "GIT_COMMITTER_EMAIL": "e@example.org",
}


def raw_git(*args: str, cwd: Path, data: bytes | None = None, timeout: float = 60) -> bytes:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=data,
        capture_output=True,
        check=True,
        timeout=timeout,
        env={**os.environ, **ENV},
    ).stdout


def text(title: str) -> str:
    return f"Title: {title}\n\nText of {title}.\n"


def fast_import(repo: Path, stream: bytes, timeout: float = 60) -> None:
    raw_git("fast-import", "--quiet", "--force", cwd=repo, data=stream, timeout=timeout)


def git_logs_started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The ``git log`` commands gitdates starts from now on."""
    seen: list[list[str]] = []
    original = subprocess.Popen

    class Counting(original):  # type: ignore[misc, valid-type]
        def __init__(self, args: list[str], *rest: object, **kwargs: object) -> None:
            if "log" in args:
                seen.append(list(args))
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Counting)
    return seen


# -- a history whose rename detection is costly ------------------------------------------


def rename_matrix_history(repo: Path, commits: int, files: int = 1000, size: int = 20_000) -> None:
    """``commits`` commits, each replacing ``files`` texts by as many others of new names
    (every basename new, so git's basename shortcut does not apply) and nearly the same
    text: each commit asks git's rename detection for files x files comparisons of
    ``size`` bytes. Delta compression keeps the repository at about a megabyte."""
    chance = random.Random(1)
    base = "".join(chance.choice("abcdefghij \n") for _ in range(size))
    parts: list[bytes] = []
    for number in range(commits):
        stamp = T1 + number * 60
        parts.append(
            f"commit refs/heads/main\nauthor E <e@x> {stamp} +0000\n"
            f"committer E <e@x> {stamp} +0000\ndata 1\nx\ndeleteall\n".encode()
        )
        for index in range(files):
            data = f"Title: {number} {index}\n\n{base}".encode()
            parts.append(f"M 100644 inline c{number}f{index}.md\ndata {len(data)}\n".encode())
            parts.append(data + b"\n")
        parts.append(b"\n")
    new_repo(repo)
    fast_import(repo, b"".join(parts))


@pytest.fixture(scope="module")
def renames(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("renames") / "town"
    rename_matrix_history(repo, commits=3)
    return repo


def test_rename_detection_cost_is_bounded_per_commit(renames: Path) -> None:
    """Found by this round and fixed; kept as a regression test.

    Attack: the editor pushes commits that each replace 1000 texts by 1000 others of
    new names and almost the same content (1 MB of repository for a few commits, since
    git's deltas compress them; the town's tree at HEAD stays small and passes
    ``invoke pull``'s checks). ``git log --find-renames -l1000`` compares every
    deleted file with every added one: about 2.5 s of a core per such commit here.

    Impact: about 50 such commits (about 15 MB) make one town's ``git log`` run for the
    whole of :data:`GIT_SECONDS` (120 s) in the parent process, before any build job
    starts; towns are read one after the other, so a few hostile towns hold every
    build of the network up for minutes (and see the next test: it is not cached).

    Severity: medium (denial of service of the network's builds by one town's editor).

    Fix: bound the rename detection far below 1000x1000 (``-l`` of about 100, or
    ``--no-renames`` past a few hundred changes in one commit, e.g. read the history
    twice: ``--no-renames --name-status`` first, then renames only for commits with
    few changes), and give the whole history a budget in proportion to the town's
    size rather than a flat 120 s."""
    started = time.monotonic()
    dates = town_dates(renames, renames.parent, None, "town")
    spent = time.monotonic() - started
    assert dates.problem is None
    # three commits, two of them diffs against their parent: ``--no-renames`` reads
    # them in about 0.01 s, full rename detection took about 5 s here (a bound for a
    # busy machine, far from both)
    assert spent < 2, f"{spent:.1f} s for a history of three commits"


def test_a_history_that_times_out_is_not_read_again_by_every_build(
    renames: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by this round and fixed; kept as a regression test.

    Attack: a history that takes longer than :data:`GIT_SECONDS` to read (see the
    previous test), or that passes :data:`MAX_PATHS`.

    Impact: ``town_dates`` saves nothing when the read failed (``_save`` only without a
    problem), so every build (and every ``invoke check``) runs the same ``git log`` for
    the full 120 s again, for a ``HEAD`` that has not moved: a denial of service paid on
    every build, in the parent process, before any town's build starts.

    Severity: medium.

    Fix: cache the failure too (its message, under the same key: same ``HEAD``, same
    answer), so that the time is paid once per commit of the town."""
    # the history is read in well under a second since the fix of the previous test:
    # a limit git cannot keep stands in for a history too long to read
    monkeypatch.setattr(gitdates, "GIT_SECONDS", 0.001)
    cache = tmp_path / "cache"
    first = town_dates(renames, renames.parent, cache, "town")
    assert first.problem is not None and "took more than" in first.problem.en
    logs = git_logs_started(monkeypatch)
    again = town_dates(renames, renames.parent, cache, "town")
    assert again.problem is not None
    assert logs == [], "the same HEAD's history was read again"


def test_many_changes_of_files_that_are_not_texts_stay_bounded(tmp_path: Path) -> None:
    """A commit touching 20 000 paths that are not texts (pictures) and 3 000 commits
    touching one text: read in a few seconds, the texts' dates right, and
    :data:`MAX_PATHS` counts the texts only (pictures do not use memory)."""
    repo = new_repo(tmp_path / "town")
    parts = [
        f"commit refs/heads/main\nauthor E <e@x> {T1} +0000\ncommitter E <e@x> {T1} +0000\n"
        "data 1\nx\nM 100644 inline a.md\ndata 8\nTitle: a\n".encode()
    ]
    parts += [f"M 100644 inline img/{n}.png\ndata 1\n{n % 10}\n".encode() for n in range(20_000)]
    parts.append(b"\n")
    for number in range(3000):
        stamp = T2 + number
        parts.append(
            f"commit refs/heads/main\nauthor E <e@x> {stamp} +0000\n"
            f"committer E <e@x> {stamp} +0000\ndata 1\nx\n"
            f"M 100644 inline a.md\ndata {len(str(number)) + 9}\nTitle: {number}\n\n".encode()
        )
    fast_import(repo, b"".join(parts))
    started = time.monotonic()
    dates = town_dates(repo, tmp_path, None, "town")
    assert time.monotonic() - started < 20
    assert dates.problem is None
    assert dates.files == {"a.md": (T1, T2 + 2999)}


# -- programs named by the clone's settings ------------------------------------------------


def test_a_partial_clone_runs_no_program_of_its_settings(tmp_path: Path) -> None:
    """Found by this round and fixed; kept as a regression test.

    Attack (needs a hand in the clone's ``.git/config``, or a clone made with
    ``--filter``): the town's clone is a partial clone (``extensions.partialClone`` /
    ``remote.origin.promisor``) whose blobs are missing, with
    ``remote.origin.uploadpack`` naming a program. ``git log --find-renames`` needs the
    blobs of the renamed texts, so git fetches them lazily: it runs
    ``remote.origin.uploadpack`` (``file://`` is allowed since ``_Git(local=True)``
    sets ``GIT_ALLOW_PROTOCOL=file``), as the maintainer, during the build. None of
    the settings ``_Git.command`` overrides (hooks, fsmonitor, pager, gpg) covers it.

    Impact: a program of the clone's settings runs on the maintainer's machine on every
    build whose cache misses (also a fetch from any ``file://`` path: a read of another
    repository). Severity: medium (needs write access to ``.git/config``, which the
    module's docstring says the safety covers: "no user's or system's settings").

    Fix: for local reads, forbid every transport (``GIT_ALLOW_PROTOCOL`` set to a
    protocol that does not exist, or ``-c protocol.allow=never`` with no
    ``GIT_ALLOW_PROTOCOL``), set ``GIT_NO_LAZY_FETCH=1`` (git 2.44+), and give no dates
    for a repository with a promisor remote (``git config --get
    extensions.partialClone``)."""
    server = new_repo(tmp_path / "server")
    for number in range(3):
        write(server / f"a{number}.md", "".join(f"line {number} {n}\n" for n in range(200)))
    commit_at(server, T1)
    git("mv", "a1.md", "b1.md", cwd=server)
    with (server / "b1.md").open("a", encoding="utf-8") as handle:
        handle.write("one more line\n")
    commit_at(server, T2)
    raw_git("config", "uploadpack.allowFilter", "true", cwd=server)
    clone = tmp_path / "content" / "town"
    clone.parent.mkdir()
    raw_git(
        "clone", "-q", "--no-checkout", "--filter=blob:none", f"file://{server}", str(clone),
        cwd=tmp_path,
    )  # fmt: skip
    marker = tmp_path / "program-ran"
    raw_git("config", "remote.origin.uploadpack", f"touch '{marker}'; git-upload-pack", cwd=clone)
    town_dates(clone, tmp_path, None, "town")
    assert not marker.exists(), "a program named in the clone's .git/config ran"


def test_settings_of_the_clone_that_name_programs_run_none(tmp_path: Path) -> None:
    """Attack (needs a hand in the clone's ``.git/config``): settings that name programs
    a reading command could run: pager, fsmonitor, hooks, external diff, textconv,
    signature programs, an alias, an ``include.path`` of more of them, an ssh
    command. Found safe: none runs, and the dates are right."""
    town = new_repo(tmp_path / "town")
    write(town / "a.md", text("A") + "long enough to be found again\n" * 5)
    commit_at(town, T1)
    git("mv", "a.md", "b.md", cwd=town)
    commit_at(town, T2)
    marker = tmp_path / "program-ran"
    run = f"touch '{marker}'; true"
    write(town / ".gitattributes", "*.md diff=evil\n")
    commit_at(town, T3)
    included = tmp_path / "included.cfg"
    included.write_text(f'[core]\n\tpager = "{run}"\n', encoding="utf-8")
    for key, value in (
        ("diff.external", run),
        ("diff.evil.textconv", run),
        ("diff.evil.command", run),
        ("log.showSignature", "true"),
        ("gpg.program", run),
        ("core.fsmonitor", run),
        ("core.pager", run),
        ("core.sshCommand", run),
        ("alias.log", f"!{run}"),
        ("include.path", str(included)),
        ("diff.renames", "copies"),
        ("log.follow", "true"),
        ("log.diffMerges", "combined"),
        ("diff.relative", "true"),
    ):
        raw_git("config", key, value, cwd=town)
    dates = town_dates(town, tmp_path, None, "town")
    assert not marker.exists()
    assert dates.files == {"b.md": (T1, T1)}


# -- names that look like the log's own records ------------------------------------------


def test_file_names_crafted_as_records_inject_no_dates(tmp_path: Path) -> None:
    """Attack: file names that look like the parts of ``git log -z`` output: a status
    after a new line (``\\nR100``, ``\\nA``), an author time and a ``grafted``
    decoration, names of any bytes (not UTF-8, control characters), renamed into one
    another. Found safe: records are counted, never guessed from their text; every name
    keeps its own dates and no other name appears."""
    repo = new_repo(tmp_path / "town")
    names = [
        b"\nR100.md",
        b"\nA.md",
        b"\nD",
        b"9999999999 grafted.md",
        b"253402300799 HEAD -> main, grafted.md",
        b"\xff\xfe not utf-8.md",
        b"\x1b[2Jescape.md",
        b"a\nM\nb.md",
    ]
    blob = raw_git("hash-object", "-w", "--stdin", cwd=repo, data=b"Title: x\n\ntext\n").strip()

    def tree(entries: list[bytes]) -> bytes:
        lines = b"".join(b"100644 blob " + blob + b"\t" + name + b"\0" for name in entries)
        return raw_git("mktree", "-z", cwd=repo, data=lines).strip()

    def make(tree_id: bytes, parent: bytes | None, when: int) -> bytes:
        body = b"tree " + tree_id + b"\n"
        body += b"parent " + parent + b"\n" if parent else b""
        body += f"author E <e@x> {when} +0000\ncommitter E <e@x> {when} +0000\n\nm\n".encode()
        return raw_git("hash-object", "-t", "commit", "-w", "--stdin", cwd=repo, data=body).strip()

    first = make(tree(names), None, T1)
    # the first name moved onto a name that looks like a header, unchanged (R100)
    moved = [b"\n9999999999 grafted.md" if n == b"\nR100.md" else n for n in names]
    second = make(tree(moved), first, T2)
    raw_git("update-ref", "refs/heads/main", second.decode(), cwd=repo)
    dates = town_dates(repo, tmp_path, None, "town")
    expected = {os.fsdecode(n): (T1, T1) for n in moved if n.endswith(b".md")}
    assert dates.problem is None and not dates.shallow
    assert dates.files == expected


# -- absurd dates -----------------------------------------------------------------------


def test_absurd_author_dates_and_time_zones(tmp_path: Path) -> None:
    """Attack: commits written by hand with author dates git cannot show or that Python
    cannot (before 1970, year 10000, 2^64-1, no date at all, time zones of +9999 and
    +99:99). Found safe: the range of :data:`_LATEST` drops what cannot be shown, and
    a date at the very end of year 9999 in a time zone east of UTC gives no date
    rather than an ``OverflowError``."""
    repo = new_repo(tmp_path / "town")
    blob = raw_git("hash-object", "-w", "--stdin", cwd=repo, data=b"Title: x\n").strip().decode()
    stamps = [
        "0 +0000",
        "-1 +0000",
        "253402300800 +0000",
        "99999999999999999999 +0000",
        f"{T1} +9999",
        f"{T1} -9999",
        "18446744073709551615 +0000",
        f"{T1}",
        "",
        f"{T1} +99:99",
    ]
    parent = None
    for number, stamp in enumerate(stamps):
        entries = "".join(f"100644 blob {blob}\tf{n}.md\n" for n in range(number + 1))
        tree = raw_git("mktree", cwd=repo, data=entries.encode()).strip().decode()
        body = f"tree {tree}\n" + (f"parent {parent}\n" if parent else "")
        body += f"author a <a> {stamp}\ncommitter c <c> {T1} +0000\n\nm\n"
        parent = (
            raw_git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", cwd=repo,
                    data=body.encode()).strip().decode()
        )  # fmt: skip
    assert parent is not None
    raw_git("update-ref", "refs/heads/main", parent, cwd=repo)
    dates = town_dates(repo, tmp_path, None, "town")
    assert dates.problem is None
    shown = {rel: first for rel, (first, _) in dates.files.items()}
    assert shown == {"f0.md": 0, "f4.md": T1, "f5.md": T1, "f9.md": T1}
    assert moment(gitdates._LATEST, "Pacific/Kiritimati") is None
    tokyo = "Asia/Tokyo"
    assert dates_to_use((T1, gitdates._LATEST), None, tokyo) == (
        moment(T1, "Asia/Tokyo"),
        None,
    )


# -- dates in the future on the pages ---------------------------------------------------


def network_repo(network: Path) -> None:
    raw_git("init", "-q", "-b", "main", cwd=network)
    write(network / ".gitignore", "output/\n.cache/\n")


def build(root: Path, towns: list[str]) -> tuple[object, str]:
    lines: list[str] = []
    report = Builder(root, jobs=2, echo=lines.append).build(towns)
    return report, "\n".join(lines)


def test_an_undated_article_whose_first_commit_is_in_the_future_is_refused(
    network: Path,
) -> None:
    """Attack: an article without a date whose only commit is dated 2999 (or 9999-12-31)
    to pin it on top of every list, feed and the portal's news. Found safe: the checks
    give an error (the date of its first commit is in the future), the town is not
    built."""
    from gardarika.checks.lint import lint_town

    network_repo(network)
    commit_at(network, T1)
    for name, when in (("a2999.md", 32503680000), ("a9999.md", 253402257600)):
        write(network / "content" / "alpha" / "articles" / name, f"Title: {name}\n\nText.\n")
        commit_at(network, when)
    town = load_network(network).towns["alpha"]
    problems = lint_town(town, network, html=False)
    errors = [str(p) for p in problems if p.severity == "error"]
    assert any("a2999.md" in e and "in the future" in e for e in errors), errors
    assert any("a9999.md" in e and "in the future" in e for e in errors), errors


def test_a_last_commit_in_the_future_shows_no_update_in_the_future(network: Path) -> None:
    """Found by this round and fixed; kept as a regression test.

    Attack: the editor changes an article that has a date of its own in a commit
    whose author date is 9999-12-31 (``GIT_AUTHOR_DATE``, or a wrong clock).

    Impact: the page says "Updated: 9999-12-31" and the Atom/RSS ``updated`` of the
    entry is 9999 (feed readers sort it on top for ever); the checks say nothing:
    ``_committed_date`` refuses a first commit in the future but the last commit's date
    is never checked. (An editor can also write ``Modified: 9999-…`` by hand, which the
    checks do not refuse either; the git date makes it happen by a wrong clock, with
    no line in the text to see.) The build does not crash on year 9999.

    Severity: low.

    Fix: in :func:`dates_to_use`, ignore a last commit later than now (+ a few minutes),
    or give it the same error/warning as a first commit in the future."""
    network_repo(network)
    commit_at(network, T1)
    fair = network / "content" / "alpha" / "articles" / "fair.md"
    fair.write_text(fair.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    commit_at(network, 253402257600)  # 9999-12-31 12:00 UTC
    report, log = build(network, ["alpha"])
    assert report.ok, log  # type: ignore[attr-defined]
    out = network / "output" / "alpha"
    pages = [p.read_text(encoding="utf-8") for p in out.rglob("*.html")]
    pages += [p.read_text(encoding="utf-8") for p in out.rglob("*.xml")]
    assert not any("9999-12-31" in p for p in pages)


# -- which history: another town, the network's repository -------------------------------


@pytest.mark.parametrize("name", [":(glob)**", ":(top)", "-p", "*", ":!beta", "al[p]ha"])
def test_a_folder_name_with_pathspec_magic_reads_only_its_folder(tmp_path: Path, name: str) -> None:
    """Attack: a town folder in the network's repository whose name is pathspec magic,
    a glob or an option. Found safe: ``--literal-pathspecs`` and ``--``: only the
    folder's own files, and nothing of the other towns."""
    root = new_repo(tmp_path / "net")
    write(root / "content" / "beta" / "secret.md", text("Secret"))
    write(root / "content" / "alpha" / "x.md", text("X"))
    write(root / "content" / name / "own.md", text("Own"))
    commit_at(root, T1)
    write(root / "content" / "beta" / "secret.md", text("Secret, changed"))
    commit_at(root, T2)
    dates = town_dates(root / "content" / name, root, None, name)
    assert dates.files == {"own.md": (T1, T1)}


def test_a_town_folder_not_in_the_network_history_gets_nothing_of_it(tmp_path: Path) -> None:
    """Attack: a town's folder in the network's repository that its history never had,
    and one whose path goes out of it by ``..``. Found safe: no dates."""
    root = new_repo(tmp_path / "net")
    write(root / "content" / "beta" / "b.md", text("B"))
    commit_at(root, T1)
    write(root / "content" / "new" / "n.md", text("N"))
    assert town_dates(root / "content" / "new", root, None, "new").files == {}
    outside = tmp_path / "outside"
    write(outside / "o.md", text("O"))
    assert town_dates(root / "content" / ".." / ".." / "outside", root, None, "o") is NO_DATES


# -- the cache --------------------------------------------------------------------------


def test_cache_of_one_town_never_serves_another(tmp_path: Path) -> None:
    """Attack: two towns' clones at the same commit (one editor pushes the other town's
    history), or a cache file of one town copied over another's (a hand in
    ``.cache/``). Found safe: the key holds the repository's real path and the folder,
    so the copied file is not taken."""
    cache = tmp_path / "cache"
    first = new_repo(tmp_path / "content" / "first")
    write(first / "a.md", text("A"))
    commit_at(first, T1)
    second = new_repo(tmp_path / "content" / "second")
    write(second / "a.md", text("A"))
    commit_at(second, T2)
    assert town_dates(first, tmp_path, cache, "first").files == {"a.md": (T1, T1)}
    saved = cache / "gitdates"
    (saved / "second.json").write_bytes((saved / "first.json").read_bytes())
    assert town_dates(second, tmp_path, cache, "second").files == {"a.md": (T2, T2)}


def head_layouts(town: Path, other: Path) -> Iterator[str]:
    """Rewrite the clone's ``HEAD`` in ways git reads differently from a plain file
    reader (a hand in ``.git``); yields a name for each."""
    dot_git = town / ".git"
    head = dot_git / "HEAD"
    main = dot_git / "refs" / "heads" / "main"
    commit_id = main.read_text(encoding="ascii").strip()
    # a symbolic ref chain: HEAD -> refs/heads/alias -> refs/heads/main
    write(dot_git / "refs" / "heads" / "alias", "ref: refs/heads/main\n")
    head.write_text("ref: refs/heads/alias\n", encoding="ascii")
    yield "symbolic chain"
    # packed-refs holds a stale value, the loose ref the real one (git takes the loose)
    (dot_git / "packed-refs").write_text(
        f"# pack-refs with: peeled fully-peeled sorted \n{'0' * 40} refs/heads/main\n",
        encoding="ascii",
    )
    head.write_text("ref: refs/heads/main\n", encoding="ascii")
    yield "stale packed-refs"
    (dot_git / "packed-refs").unlink()
    # HEAD a link to the other town's HEAD
    head.unlink()
    head.symlink_to(other / ".git" / "HEAD")
    yield "HEAD a link to another repository's HEAD"
    head.unlink()
    head.write_text(f"{commit_id}\n", encoding="ascii")
    yield "detached"


def test_head_read_from_dot_git_agrees_with_git(tmp_path: Path) -> None:
    """Attack (a hand in the clone's ``.git``): ``HEAD`` laid out so that reading it
    without git could name another commit than git does (a chain of symbolic refs, a
    stale ``packed-refs``, ``HEAD`` a link to another repository's ``HEAD``), to make
    the cache serve dates of another commit. Found safe: the dates, cached or not, are
    those ``git log HEAD`` reads (a ``HEAD`` that is a link out of ``.git`` is read by
    ``_read_head`` but refused by git: no dates, and nothing cached)."""
    cache = tmp_path / "cache"
    other = new_repo(tmp_path / "other")
    write(other / "z.md", text("Z"))
    commit_at(other, T3)
    town = new_repo(tmp_path / "town")
    write(town / "a.md", text("A"))
    commit_at(town, T1)
    write(town / "a.md", text("A, changed"))
    commit_at(town, T2)
    own = town_dates(town, tmp_path, None, "town")
    assert own.files == {"a.md": (T1, T2)}
    for layout in head_layouts(town, other):
        try:
            expected = raw_git("rev-parse", "-q", "--verify", "HEAD^{commit}", cwd=town)
        except subprocess.CalledProcessError:
            expected = b""
        fresh = town_dates(town, tmp_path, None, "town")
        cached = town_dates(town, tmp_path, cache, "town")
        if not expected:  # git reads no HEAD: no dates
            assert fresh.files == {}, layout
        # cached: the town's own commit's dates (when _read_head follows the link to
        # the town's own ref while git refuses the link), never the other's
        assert cached.files in (fresh.files, own.files), layout


def test_dates_digest_changes_the_fingerprint_when_only_dates_change(tmp_path: Path) -> None:
    """Attack: an amended commit that changes no file but the dates, to keep an old page
    (with old dates) published. Found safe: the digest differs, and so the town's
    fingerprint."""
    town = new_repo(tmp_path / "town")
    write(town / "a.md", text("A"))
    commit_at(town, T1)
    cache = tmp_path / "cache"
    before = town_dates(town, tmp_path, cache, "town")
    git(
        "commit", "-q", "--amend", "--reset-author", "-m", "again", cwd=town,
        env={"GIT_AUTHOR_DATE": f"@{T2} +0000", "GIT_COMMITTER_DATE": f"@{T2} +0000"},
    )  # fmt: skip
    after = town_dates(town, tmp_path, cache, "town")
    assert after.files == {"a.md": (T2, T2)} and after.digest != before.digest


def test_a_draft_gets_no_date_that_publishes_it(tmp_path: Path) -> None:
    """Attack: a draft without a date, committed long ago, hoping the git date turns it
    into a published article. Found safe: the date is only the date; the status is
    the text's own (``dates_to_use`` gives a date, the plugin sets ``date`` only)."""
    zone = "Europe/Moscow"
    published, modified = dates_to_use((T1, T2), None, zone)
    assert published == dt.datetime.fromtimestamp(T1, gitdates.ZoneInfo(zone))
    assert modified == dt.datetime.fromtimestamp(T2, gitdates.ZoneInfo(zone))
    from plugins.git_dates import _READING, _apply

    class Generator:
        settings: ClassVar[dict[str, object]] = {"GIT_DATES": {"d.md": [T1, T2]}, "TIMEZONE": zone}

    metadata: dict[str, object] = {"status": "draft"}
    _READING.append("d.md")
    try:
        _apply(Generator(), metadata, dated=True)
    finally:
        _READING.pop()
    assert metadata["status"] == "draft"


def test_a_git_folder_with_commondir_is_not_followed(tmp_path: Path) -> None:
    """Found by this round and fixed; kept as a regression test.

    Attack (a hand in the town's ``.git``, as for a ``gitdir:`` file, which is
    refused): the town's ``.git`` is a real folder holding ``HEAD`` and a ``commondir``
    file naming another town's (or the network's) ``.git``. ``_repository`` takes it
    as the town's own clone; git then reads the other repository's refs, objects and
    history.

    Impact: the other repository's file names and dates go into this town's
    ``GIT_DATES`` and ``.cache/gitdates/<town>.json`` (its texts of the same names get
    the other's dates); with a stale ``refs/heads/main`` left in the town's ``.git``,
    ``_read_head`` reads that one while git reads the other's, so the cache key does
    not move when the other repository does (stale dates). ``invoke pull`` checks
    ``.git`` the same way. Severity: low (needs a hand in ``.git``).

    Fix: treat a ``.git`` folder holding ``commondir`` (or ``gitdir``) like a
    ``gitdir:`` file: no dates (and refuse it in ``invoke pull``)."""
    other = new_repo(tmp_path / "content" / "other")
    write(other / "secret-plans.md", text("Secret"))
    commit_at(other, T1)
    town = tmp_path / "content" / "town"
    write(town / "a.md", text("A"))
    write(town / ".git" / "HEAD", "ref: refs/heads/main\n")
    write(town / ".git" / "commondir", f"{other / '.git'}\n")
    dates = town_dates(town, tmp_path, tmp_path / "cache", "town")
    assert "secret-plans.md" not in dates.files
    assert dates is NO_DATES


def test_a_file_name_not_in_utf8_does_not_crash_the_build(network: Path) -> None:
    """Found by this round and fixed; kept as a regression test.

    Attack: the town's own clone (as ``invoke pull`` makes it; its tree checks do
    not look at the names' encoding) holds an article whose file name is not UTF-8
    (``b"\\xff\\xfe.md"``).

    Impact: the build of the whole network stops with a traceback
    (``UnicodeEncodeError: surrogates not allowed`` in ``fingerprint._tree``, which
    ``town_fingerprint`` reaches just before it adds the dates' digest); no town is
    built. (The crash is in code older than fb2c549; gitdates itself keeps such names
    as surrogate escapes, JSON-escaped in its cache.) Severity: medium (one editor
    stops every town's build).

    Fix: hash paths as bytes (``os.fsencode``) in ``_tree``, and refuse names that are
    not UTF-8 in ``invoke pull`` (``_Tree.add``) and in the checks, with a message."""
    alpha = network / "content" / "alpha"
    name = os.fsdecode(b"\xff\xfe.md")
    write(alpha / "articles" / name, "Title: X\nSlug: x-non-utf\n\nText.\n")
    raw_git("init", "-q", "-b", "main", cwd=alpha)
    commit_at(alpha, T1)
    report, log = build(network, ["alpha", "beta"])
    assert "beta" in report.built, log  # type: ignore[attr-defined]


def test_a_deep_chain_of_renames_keeps_the_first_date_in_linear_time(tmp_path: Path) -> None:
    """Attack: 2000 commits each renaming the same text (R100), to make the chain of
    older names long. Found safe: each older name points straight at today's name (no
    chain is walked), the text keeps its first date, read in a few seconds."""
    repo = new_repo(tmp_path / "town")
    parts = [
        f"commit refs/heads/main\nauthor E <e@x> {T1} +0000\ncommitter E <e@x> {T1} +0000\n"
        "data 1\nx\nM 100644 inline n0.md\ndata 24\nTitle: renamed and again\n\n".encode()
    ]
    for number in range(1, 2001):
        stamp = T2 + number
        parts.append(
            f"commit refs/heads/main\nauthor E <e@x> {stamp} +0000\n"
            f"committer E <e@x> {stamp} +0000\ndata 1\nx\n"
            f"R n{number - 1}.md n{number}.md\n\n".encode()
        )
    fast_import(repo, b"".join(parts))
    started = time.monotonic()
    dates = town_dates(repo, tmp_path, None, "town")
    assert time.monotonic() - started < 20
    # moved, never changed: the first commit's date both times
    assert dates.files == {"n2000.md": (T1, T1)}


def test_replace_refs_and_the_clones_other_refs_change_no_date(tmp_path: Path) -> None:
    """Attack: a replace ref (``refs/replace/<commit>``, pushed by the editor or left
    in the clone by a hand) that swaps the first commit for one dated 2999, and a
    branch or tag named ``grafted`` or ``HEAD``. Found safe: ``--no-replace-objects``
    and ``--decorate-refs`` of a ref that does not exist: the real dates, no cut."""
    town = new_repo(tmp_path / "town")
    write(town / "a.md", text("A"))
    commit_at(town, T1)
    first = raw_git("rev-parse", "HEAD", cwd=town).decode().strip()
    write(town / "a.md", text("A, changed"))
    commit_at(town, T2)
    body = raw_git("cat-file", "commit", first, cwd=town).decode()
    forged = body.replace(f"{T1} +0000", "32503680000 +0000")
    fake = raw_git("hash-object", "-t", "commit", "-w", "--stdin", cwd=town, data=forged.encode())
    raw_git("replace", first, fake.decode().strip(), cwd=town)
    assert b"32503680000" in raw_git("log", "--format=%at", cwd=town)  # git honours it
    raw_git("tag", "grafted", first, cwd=town)
    raw_git("branch", "HEAD-grafted", first, cwd=town)
    dates = town_dates(town, tmp_path, None, "town")
    assert dates.files == {"a.md": (T1, T2)} and not dates.shallow
