"""Towns kept in their own repositories (issue 23, points 1–3): a fresh clone of the
network has no folder for them, ``invoke pull`` clones them, reports every town in both
languages, pulls several at once and gives up on a silent server in time. Real git, real
bare repositories made here, and a real TCP server that never answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from projects import git, town_repository, write

from gardarika.config.network import load_network
from gardarika.content.pull import CLONED, FAILED, UNCHANGED, UPDATED, pull_towns


def gardarika(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gardarika", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def add_commits(work: Path, count: int) -> None:
    first = len(list(work.glob("more*.md")))
    for number in range(first, first + count):
        write(work / f"more{number}.md", f"Title: Ещё {number}\nDate: 2024-01-02\n\nТекст.\n")
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", f"more {number}", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)


def remote_town(root: Path, town: str, url: str) -> None:
    write(
        root / "sites" / f"{town}.yaml",
        f"name: {{ru: Город {town}}}\nlanguages: [ru]\n"
        f"repository: {{url: '{url}', branch: main}}\n",
    )


@pytest.fixture
def fresh(network: Path, tmp_path: Path) -> dict[str, Path]:
    """The test network (alpha, beta in this repository) and two towns, east and west, in
    repositories of their own, as a fresh clone has them: settings, no content folder."""
    remotes = tmp_path / "remotes"
    remotes.mkdir()
    with (network / "sites/network.yaml").open("a", encoding="utf-8") as file:
        file.write(f"local_repositories: ['{remotes}']\n")
    found = {"root": network, "remotes": remotes}
    for town in ("east", "west"):
        found[f"{town}-work"], found[town] = town_repository(remotes, town)
        remote_town(network, town, str(found[town]))
    return found


def test_a_fresh_clone_accepts_the_missing_folder_and_pull_makes_it(
    fresh: dict[str, Path],
) -> None:
    root = fresh["root"]
    network = load_network(root)
    assert {"east", "west"} <= set(network.towns) and not network.problems, [
        p.format() for p in network.problems
    ]
    # the content check and the build say what to do, for that town only
    checked = gardarika(root, "lint", "--site", "east")
    assert checked.returncode == 1
    assert "content/east: error: the town's content is not here yet" in checked.stdout
    assert "invoke pull" in checked.stdout and "Выполните «invoke pull»" in checked.stdout
    built = gardarika(root, "build")
    assert built.returncode == 1
    assert "✗ east: not built, its content is not pulled yet" in built.stdout, built.stdout
    assert (root / "output/alpha/index.html").is_file()  # the others are built
    # one town asked by name, before its folder exists
    pulled = gardarika(root, "pull", "--site", "east")
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert "[cloned] east: content/east cloned from" in pulled.stdout
    assert "[склонирован] east:" in pulled.stdout and "west:" not in pulled.stdout
    assert (root / "content/east/news.md").is_file()
    assert not (root / "content/west").exists()
    pulled = gardarika(root, "pull")  # every town with a repository; alpha has none
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert "[unchanged] east:" in pulled.stdout and "[cloned] west:" in pulled.stdout
    assert "alpha:" not in pulled.stdout
    assert "Pulled 2 towns" in pulled.stdout and "Получение: 2 города" in pulled.stdout
    built = gardarika(root, "build")
    assert built.returncode == 0, built.stdout
    assert (root / "output/east/index.html").is_file()
    assert (root / "output/west/index.html").is_file()


def test_the_report_names_every_town_and_how_it_ended(fresh: dict[str, Path]) -> None:
    root = fresh["root"]
    assert gardarika(root, "pull").returncode == 0
    add_commits(fresh["east-work"], 3)
    # a third town, whose server is gone before it was ever cloned
    remote_town(root, "north", str(fresh["remotes"] / "north.git"))
    (fresh["remotes"] / "north.git").mkdir()  # allowed, but holds no repository
    done = gardarika(root, "pull")
    said = done.stdout
    assert done.returncode == 1, said + done.stderr
    assert "[updated] east: content/east updated from" in said and ": 3 new commits." in said
    assert "[обновлён] east:" in said and "3 новых коммита" in said
    assert "[unchanged] west:" in said and "[без изменений] west:" in said
    assert "[FAILED] north:" in said and "[ОШИБКА] north:" in said
    assert "There is no copy yet" in said and "Копии ещё нет" in said
    assert "1 updated, 1 unchanged, 1 failed" in said
    assert "Not built until a pull succeeds (no copy yet): north." in said
    # the remote of west goes away: west fails and keeps what it had
    fresh["west"].rename(fresh["remotes"] / "west-gone.git")
    done = gardarika(root, "pull", "--site", "west")
    assert done.returncode == 1
    assert "[FAILED] west:" in done.stdout and "last good copy is kept" in done.stdout
    assert "Kept their last good copy: west." in done.stdout
    assert "Оставлена последняя удачная копия: west." in done.stdout
    assert (root / "content/west/news.md").is_file()
    # plural forms: one commit, then five
    add_commits(fresh["east-work"], 1)
    one = pull_towns(load_network(root), ["east"])[0]
    assert one.state == UPDATED and one.commits == 1
    assert ": 1 new commit." in one.message.en and "1 новый коммит" in one.message.ru
    add_commits(fresh["east-work"], 5)
    five = pull_towns(load_network(root), ["east"])[0]
    assert five.commits == 5 and "5 новых коммитов" in five.message.ru


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that takes connections and never says a word (a git server that
    hangs); its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    for connection in held:
        connection.close()
    listener.close()


def test_pulls_run_side_by_side_and_a_silent_server_is_given_up_in_time(
    fresh: dict[str, Path], silent_server: int
) -> None:
    root = fresh["root"]
    # two towns on a server of this machine that never answers (allowed for towns the
    # maintainer trusts, pull_with_credentials)
    for town in ("slow1", "slow2"):
        remote_town(root, town, f"git://127.0.0.1:{silent_server}/{town}.git")
    with (root / "sites/network.yaml").open("a", encoding="utf-8") as file:
        file.write("pull_with_credentials: [slow1, slow2]\n")
    started = time.monotonic()
    done = gardarika(root, "pull", "--timeout", "4", "--jobs", "4", timeout=120)
    took = time.monotonic() - started
    said = done.stdout
    assert done.returncode == 1, said + done.stderr
    assert "[cloned] east:" in said and "[cloned] west:" in said, said
    for town in ("slow1", "slow2"):
        assert f"[FAILED] {town}:" in said and f"[ОШИБКА] {town}:" in said
    assert "no answer within the town's time limit of 4 s" in said, said
    assert "2 cloned, 2 failed" in said
    # side by side: the two silent towns cost one time limit, not two
    assert took < 4 * 2, took
    assert (root / "content/east/news.md").is_file()
    assert not (root / "content/slow1").exists()
    assert not [p for p in (root / "content").iterdir() if p.name.startswith(".")]


def test_one_at_a_time_when_asked(fresh: dict[str, Path], silent_server: int) -> None:
    """``jobs=1``: the towns are pulled in turn, and the results stay in network order."""
    root = fresh["root"]
    remote_town(root, "slow1", f"git://127.0.0.1:{silent_server}/slow1.git")
    with (root / "sites/network.yaml").open("a", encoding="utf-8") as file:
        file.write("pull_with_credentials: [slow1]\n")
    network = load_network(root)
    seen: list[str] = []
    started = time.monotonic()
    results = pull_towns(
        network, ["east", "slow1", "west"], jobs=1, timeout=2, each=lambda d: seen.append(d.town)
    )
    assert time.monotonic() - started >= 2
    assert [d.town for d in results] == seen == ["east", "slow1", "west"]
    assert [d.state for d in results] == [CLONED, FAILED, CLONED]
    again = pull_towns(load_network(root), ["east", "west"], jobs=2)
    assert [d.state for d in again] == [UNCHANGED, UNCHANGED]


def test_ctrl_c_stops_every_pull_at_once(fresh: dict[str, Path], silent_server: int) -> None:
    """The maintainer presses Ctrl-C while two towns wait on a silent server: the command
    ends at once (not after the time limit), its git commands with it, and no temporary
    folder is left in content/."""
    import signal

    root = fresh["root"]
    for town in ("slow1", "slow2"):
        remote_town(root, town, f"git://127.0.0.1:{silent_server}/{town}.git")
    with (root / "sites/network.yaml").open("a", encoding="utf-8") as file:
        file.write("pull_with_credentials: [slow1, slow2]\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gardarika", "--root", str(root), "pull", "--site", "slow1,slow2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2)  # both clones are waiting for the server by now
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 10, out + err
    assert proc.returncode != 0
    assert "Traceback" not in err, err
    left = [p.name for p in (root / "content").iterdir() if p.name.startswith(".")]
    assert not left, left
    clones = subprocess.run(["pgrep", "-f", f"127.0.0.1:{silent_server}"], capture_output=True)
    assert clones.returncode == 1, clones.stdout
