"""The desk's git with real repositories: a save is a commit of exactly its files, undo
reverts it, push says when there is no connection, and a bundle written at a library
with no internet is taken by the maintainer's ``invoke pull --bundle`` — and nothing else
is: changes outside the town, a bundle that skips earlier saves, files that are not
bundles, symbolic links leading out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from projects import commit_all, git, write

from gardarika.config.network import load_network
from gardarika.content.bundles import pull_bundle
from gardarika.desk.history import DeskError, Editor, town_history

MARIA = Editor("Мария Петрова", "maria@example.org")


def gardarika(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gardarika", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _article(root: Path, name: str, title: str) -> Path:
    return write(
        root / f"content/alpha/articles/{name}.md",
        f"---\ntitle: {title}\ndate: 2026-11-30 10:00\n---\n\nТекст.\n",
    )


def _head(root: Path) -> str:
    return git("rev-parse", "HEAD", cwd=root).strip()


def test_a_save_commits_exactly_its_files_with_the_editors_name(library: Path) -> None:
    history = town_history(library / "content/alpha", "alpha")
    assert not history.own and history.top == library.resolve()
    # something the maintainer staged on this copy stays staged and out of the save
    write(library / "sites/network.yaml", "# staged by hand\n")
    git("add", "sites/network.yaml", cwd=library)
    text = _article(library, "subbotnik", "Субботник")
    photo = library / "content/alpha/images/subbotnik.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    commit = history.commit([text, photo], "Субботник", MARIA)
    assert commit == _head(library)
    shown = git("show", "--name-only", "--format=%an <%ae>|%s", "HEAD", cwd=library).split("\n")
    assert shown[0] == "Мария Петрова <maria@example.org>|Субботник"
    assert sorted(filter(None, shown[1:])) == [
        "content/alpha/articles/subbotnik.md",
        "content/alpha/images/subbotnik.jpg",
    ]
    assert git("diff", "--cached", "--name-only", cwd=library).split() == ["sites/network.yaml"]
    # saving again without a change makes no commit
    assert history.commit([text], "Субботник", MARIA) is None
    assert history.can_undo()


def test_undo_reverts_the_last_save_with_a_commit(library: Path) -> None:
    history = town_history(library / "content/alpha", "alpha")
    text = _article(library, "yarmarka", "Ярмарка")
    saved = history.commit([text], "Ярмарка", MARIA)
    write(text, "---\ntitle: Ярмарка в субботу\n---\n\nТекст.\n")
    history.commit([text], "Ярмарка в субботу", MARIA)
    history.undo(MARIA)
    assert "Ярмарка\n" in text.read_text(encoding="utf-8")  # the first save's text
    history.undo(MARIA)
    assert not text.exists()
    assert git("rev-list", "--count", f"{saved}..HEAD", cwd=library).strip() == "3"
    assert not history.can_undo()
    with pytest.raises(DeskError, match="no save to undo"):
        history.undo(MARIA)


def test_the_desk_writes_only_in_the_towns_folder_and_asks_for_a_name(library: Path) -> None:
    history = town_history(library / "content/alpha", "alpha")
    with pytest.raises(DeskError, match="outside the town's folder"):
        history.commit([library / "sites/alpha.yaml"], "x", MARIA)
    with pytest.raises(DeskError, match="outside the town's folder"):
        history.commit([library / "content/beta/articles/x.md"], "x", MARIA)
    with pytest.raises(DeskError, match="Give your name"):
        history.commit([_article(library, "a", "A")], "x", Editor("  "))
    with pytest.raises(DeskError, match="e-mail"):
        history.remember_editor(Editor("Мария", "not an address"))
    history.remember_editor(MARIA)
    assert town_history(library / "content/alpha", "alpha").editor() == MARIA
    assert git("status", "--porcelain", "--ignored", cwd=library).count("gardarika-desk") == 0


def test_push_sends_and_says_when_there_is_no_connection(maintained: Path, tmp_path: Path) -> None:
    bare = tmp_path / "server.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(maintained), str(bare)], check=True)
    copy = tmp_path / "online"
    subprocess.run(["git", "clone", "-q", str(bare), str(copy)], check=True)
    history = town_history(copy / "content/alpha", "alpha")
    history.commit([_article(copy, "news", "Новость")], "Новость", MARIA)
    assert history.unsent() == 1
    assert history.push().en == "Sent to the server."
    assert git("log", "-1", "--format=%s", "main", cwd=bare).strip() == "Новость"
    assert history.unsent() == 0
    git("remote", "set-url", "origin", "http://127.0.0.1:9/town.git", cwd=copy)
    history.commit([_article(copy, "more", "Ещё")], "Ещё", MARIA)
    with pytest.raises(DeskError) as caught:
        history.push()
    assert "Нет связи с сервером" in caught.value.message.ru
    # a copy with no server is told to use a USB stick
    git("branch", "--unset-upstream", cwd=copy)
    with pytest.raises(DeskError, match="no server"):
        history.push()


def test_a_bundle_from_the_library_is_pulled_by_the_maintainer(
    maintained: Path, library: Path, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    history = town_history(library / "content/alpha", "alpha")
    history.commit([_article(library, "subbotnik", "Субботник")], "Субботник", MARIA)
    first = history.write_bundle(stick)
    assert first.name.startswith("alpha-") and first.name.endswith(".bundle")
    history.commit([_article(library, "yarmarka", "Ярмарка")], "Ярмарка", MARIA)
    # meanwhile the maintainer changed another town: the saves are merged, not forced
    write(maintained / "content/beta/pages/about.md", "Title: О нас\n\nТекст.\n")
    git("add", "-A", cwd=maintained)
    git("commit", "-q", "-m", "beta", cwd=maintained)
    second = history.write_bundle(stick)
    assert first != second

    done = gardarika(maintained, "pull", "--bundle", str(stick))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{first.name} applied" in done.stdout and f"{second.name} applied" in done.stdout
    for name in ("subbotnik", "yarmarka"):
        assert (maintained / f"content/alpha/articles/{name}.md").is_file()
    log = git("log", "--format=%an|%s", cwd=maintained).splitlines()
    assert log[0].startswith("Maintainer|Gardarika: alpha's saves from")
    assert {"Мария Петрова|Субботник", "Мария Петрова|Ярмарка", "Maintainer|beta"} <= set(log)
    assert git("status", "--porcelain", cwd=maintained) == ""
    # the same stick again: nothing new, nothing changed
    head = _head(maintained)
    again = gardarika(maintained, "pull", "--bundle", str(second))
    assert again.returncode == 0 and "nothing new" in again.stdout
    assert _head(maintained) == head
    # the maintainer's build takes the new texts
    assert gardarika(maintained, "build", "--site", "alpha").returncode == 0


def _refused(maintained: Path, bundle: Path, site: str | None = None) -> str:
    head = _head(maintained)
    applied = pull_bundle(load_network(maintained), bundle, site)
    assert not applied.ok, applied.message
    assert _head(maintained) == head
    assert git("status", "--porcelain", cwd=maintained) == ""
    return applied.message


def test_a_bundle_may_change_only_its_towns_files(
    maintained: Path, library: Path, tmp_path: Path
) -> None:
    history = town_history(library / "content/alpha", "alpha")
    write(library / "sites/alpha.yaml", "name: {ru: Захвачено}\nlanguages: [ru]\n")
    write(library / "content/alpha/articles/x.md", "Title: X\n\nx\n")
    git("add", "-A", cwd=library)
    git("commit", "-q", "-m", "settings too", cwd=library)
    message = _refused(maintained, history.write_bundle(tmp_path))
    assert "changes sites/alpha.yaml" in message and "может менять только файлы города" in message
    assert "Захвачено" not in (maintained / "sites/alpha.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "kind"),
    [("content/alpha/.gitattributes", "file"), ("content/alpha/articles/out", "link")],
)
def test_a_bundle_brings_no_git_settings_and_no_link_out(
    maintained: Path, library: Path, tmp_path: Path, name: str, kind: str
) -> None:
    path = library / name
    if kind == "link":
        path.symlink_to("../../../sites")
    else:
        write(path, "* filter=lfs diff=lfs merge=lfs -text\n")
    git("add", "-A", cwd=library)
    git("commit", "-q", "-m", "sneaky", cwd=library)
    bundle = town_history(library / "content/alpha", "alpha").write_bundle(tmp_path)
    message = _refused(maintained, bundle)
    assert (
        ("symbolic link leading out" in message)
        if kind == "link"
        else (".gitattributes" in message)
    )


def test_bundles_that_cannot_be_applied_are_refused_with_the_reason(
    maintained: Path, library: Path, tmp_path: Path
) -> None:
    history = town_history(library / "content/alpha", "alpha")
    # saves that build on a save the maintainer never got: the earlier bundle is missing
    history.commit([_article(library, "one", "Один")], "Один", MARIA)
    git("update-ref", "refs/remotes/origin/main", "HEAD", cwd=library)  # as if it was sent
    history.commit([_article(library, "two", "Два")], "Два", MARIA)
    message = _refused(maintained, history.write_bundle(tmp_path))
    assert "apply the town's earlier bundles first" in message


def test_files_that_are_not_desk_bundles_are_refused(
    maintained: Path, library: Path, tmp_path: Path
) -> None:
    fake = write(tmp_path / "alpha-1.bundle", "# v2 git bundle\nnonsense\n")
    assert "git cannot read it" in _refused(maintained, fake)
    plain = tmp_path / "main.bundle"  # a bundle, but of a branch, not of a desk
    git("bundle", "create", "-q", str(plain), "main", cwd=library)
    assert "not written by the editor's desk" in _refused(maintained, plain)
    other = write(tmp_path / "notes.bundle", "just text\n")
    assert "not a git bundle" in _refused(maintained, other)
    # a desk bundle for a town this network does not have, and one asked for another town
    history = town_history(library / "content/alpha", "alpha")
    history.commit([_article(library, "one", "Один")], "Один", MARIA)
    bundle = history.write_bundle(tmp_path)
    assert "not for beta" in _refused(maintained, bundle, "beta")
    (tmp_path / "o").mkdir()
    stranger = town_history(library / "content/alpha", "omega").write_bundle(tmp_path / "o")
    assert "does not have" in _refused(maintained, stranger)
    done = gardarika(maintained, "pull", "--bundle", str(tmp_path / "missing"))
    assert done.returncode == 2 and "no such file" in done.stderr


def test_a_town_with_its_own_repository_takes_bundles_as_fast_forwards(
    network: Path, tmp_path: Path
) -> None:
    town = commit_all(network / "content/alpha", "alpha")
    copy = tmp_path / "alpha-copy"
    subprocess.run(["git", "clone", "-q", str(town), str(copy)], check=True)
    history = town_history(copy, "alpha")
    assert history.own
    write(copy / "articles/news.md", "Title: Новость\nDate: 2026-11-30\n\nТекст.\n")
    history.commit([copy / "articles/news.md"], "Новость", MARIA)
    bundle = history.write_bundle(tmp_path)
    done = gardarika(network, "pull", "--bundle", str(bundle), "--site", "alpha")
    assert done.returncode == 0, done.stderr
    assert (town / "articles/news.md").is_file()
    assert git("log", "-1", "--format=%an", cwd=town).strip() == "Мария Петрова"


def test_the_saves_not_sent_are_counted_from_the_last_bundle(
    maintained: Path, tmp_path: Path
) -> None:
    history = town_history(maintained / "content/alpha", "alpha")  # no upstream branch
    assert history.unsent() is None  # nothing tells what the network has
    history.commit([_article(maintained, "one", "Один")], "Один", MARIA)
    history.write_bundle(tmp_path)
    assert history.unsent() == 0
    history.commit([_article(maintained, "two", "Два")], "Два", MARIA)
    assert history.unsent() == 1
