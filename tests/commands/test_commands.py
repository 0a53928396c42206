"""One table of commands (``gardarika.commands``): the command line and the invoke tasks
are made from it, so they offer the same commands, options and help, and call the same
code with the same values."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from invoke import Collection, Context, Exit
from projects import REPO

from gardarika import cli
from gardarika.commands import BY_NAME, COMMANDS


def _tasks() -> Collection:
    spec = importlib.util.spec_from_file_location("gardarika_tasks_under_test", REPO / "tasks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Collection.from_module(module)


def test_every_command_has_a_function_that_takes_its_options() -> None:
    for command in COMMANDS:
        module, _, name = command.target.partition(":")
        function = getattr(importlib.import_module(module), name)
        values = {option.name: option.default for option in command.options}
        arguments = (REPO, *()) if command.project else ()
        inspect.signature(function).bind(*arguments, **values)  # raises if they differ


def test_towns_are_chosen_with_site_everywhere() -> None:
    names = {option.name for command in COMMANDS for option in command.options}
    assert "sites" not in names
    takes_towns = {c.name for c in COMMANDS if any(o.name == "site" for o in c.options)}
    assert {"build", "check", "lint", "new", "live", "package", "deploy", "pull"} <= takes_towns


def test_the_tasks_are_the_table() -> None:
    tasks = _tasks()
    assert set(tasks.task_names) == {c.name for c in COMMANDS}
    for command in COMMANDS:
        task = tasks[command.name]
        arguments = {a.name: a for a in task.get_arguments()}
        assert set(arguments) == {o.name for o in command.options}, command.name
        for option in command.options:
            assert arguments[option.name].help == option.help
            if option.flag:
                assert arguments[option.name].kind is bool
            else:  # an option with a value is never a switch under invoke
                assert arguments[option.name].takes_value, (command.name, option.name)
        assert (task.__doc__ or "").lower().rstrip(".") == command.description.lower().rstrip(".")


def test_the_command_line_is_the_table() -> None:
    parser = cli.parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    assert set(subcommands) == {c.name for c in COMMANDS if c.cli}
    for name, sub in subcommands.items():
        helps = {a.dest: a.help for a in sub._actions if a.dest != "help"}
        assert helps == {o.name: o.help for o in BY_NAME[name].options}, name


@pytest.fixture
def called(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """Every command's function replaced by one that notes what it was given."""
    calls: list[tuple[Any, dict[str, Any]]] = []

    def noting(*args: Any, **values: Any) -> int:
        calls.append((args[0] if args else None, values))
        return 3

    for command in COMMANDS:
        module, _, name = command.target.partition(":")
        monkeypatch.setattr(importlib.import_module(module), name, noting)
    return calls


def test_the_command_line_and_the_task_give_the_same_values(called, tmp_path: Path) -> None:
    options = ["--site", "a,b", "--jobs", "3", "--no-check", "--force", "--time-limit", "2.5"]
    code = cli.main(["--root", str(tmp_path), "build", *options, "--no-wait"])
    assert code == 3  # the function's exit code
    with pytest.raises(Exit) as ended:  # an invoke task ends with it
        _tasks()["build"](
            Context(), site="a,b", jobs="3", check=False, force=True, time_limit="2.5", wait=False
        )
    assert ended.value.code == 3
    (root, by_cli), (task_root, by_task) = called
    assert root == tmp_path and task_root == REPO
    assert (
        by_cli
        == by_task
        == {
            "site": "a,b",
            "jobs": 3,
            "check": False,
            "shard": None,
            "force": True,
            "wait": False,
            "time_limit": 2.5,
            "memory_limit": None,
            "verbose": False,
        }
    )


def test_defaults_and_positional_arguments(called, tmp_path: Path) -> None:
    cli.main(["--root", str(tmp_path), "package", "--site", "x", "--zip"])
    cli.main(["verify", "dist/copy"])
    cli.main(["--root", str(tmp_path), "fix-encoding", "content/a.md"])
    cli.main(["--root", str(tmp_path), "serve"])
    assert [values for _, values in called] == [
        {
            "site": "x",
            "zip": True,
            "iso": False,
            "zim": False,
            "zim_per_town": False,
            "capacity": None,
            "wait": True,
        },
        {"path": "dist/copy"},
        {"file": "content/a.md"},
        {"port": 8000, "host": "127.0.0.1"},
    ]
    assert called[1][0] is None  # verify works on no project: no folder is passed


def test_required_options_are_required_in_both_languages(tmp_path: Path, capsys) -> None:
    """argparse's and invoke's own messages are English only: Command.run says it."""
    assert cli.main(["--root", str(tmp_path), "new", "--site", "x"]) == 2
    said = capsys.readouterr().err
    assert "new: give --title TITLE (the title, in quotes)." in said
    assert "new: укажите --title TITLE." in said
    with pytest.raises(Exit) as ended:
        _tasks()["new"](Context(), title="Новость")
    assert ended.value.code == 2
    assert "укажите --site ГОРОД" in capsys.readouterr().err


def test_invoke_lists_and_explains_the_tasks() -> None:
    invoke = [sys.executable, "-m", "invoke"]
    listed = subprocess.run([*invoke, "--list"], cwd=REPO, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    for command in COMMANDS:
        assert command.name in listed.stdout
    explained = subprocess.run(
        [*invoke, "--help", "package"], cwd=REPO, capture_output=True, text=True
    )
    assert explained.returncode == 0, explained.stderr
    assert "--site" in explained.stdout and "--[no-]wait" in explained.stdout
    assert BY_NAME["package"].options[0].help.split(" (")[0] in " ".join(explained.stdout.split())


def test_towns_are_chosen_in_one_step(network: Path) -> None:
    """Every requested town is checked before a command does anything; the towns come
    in portal order, each once; none asked means the command's default."""
    from gardarika.config.network import UnknownTown, load_network

    towns = load_network(network)
    assert towns.choose(None) == ["beta", "alpha"]
    assert towns.choose(["alpha", " beta ", "alpha"]) == ["beta", "alpha"]
    assert towns.choose([], default=["alpha"]) == ["alpha"]
    with pytest.raises(UnknownTown) as unknown:
        towns.choose(["alpha", "gamma", "delta", "gamma"])
    text = str(unknown.value)
    assert "gamma, delta" in text and "sites/gamma.yaml" in text
    assert "Towns: alpha, beta" in text and "Есть: alpha, beta" in text
    assert "nothing was done" in text and "ничего не сделано" in text


@pytest.mark.parametrize("command", ["pull", "deploy", "lint", "package", "check", "build"])
def test_an_unknown_town_stops_the_command_before_any_town(
    network: Path, command: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """``pull`` and ``deploy`` did the towns before an unknown one, then stopped with
    exit code 2 half-way; now nothing is done at all."""
    from gardarika.content import pull
    from gardarika.publish import deploy

    alpha = network / "sites" / "alpha.yaml"
    stick = network.parent / "stick"
    alpha.write_text(
        alpha.read_text(encoding="utf-8") + f"deploy:\n  usb:\n    type: dir\n    path: {stick}\n",
        encoding="utf-8",
    )
    (network / "output" / "alpha").mkdir(parents=True)
    (network / "output" / "alpha" / "index.html").write_text("<!DOCTYPE html>", encoding="utf-8")
    done: list[str] = []
    monkeypatch.setattr(pull, "pull", lambda net, town: done.append(town) or (True, ""))
    monkeypatch.setattr(deploy, "make_target", lambda *args, **kwargs: done.append("deploy"))
    monkeypatch.setattr(deploy, "deploy_folder", lambda *args, **kwargs: done.append("deploy"))
    code = cli.main(["--root", str(network), command, "--site", "alpha,gamma"])
    assert code == 2
    assert done == []
    assert "there is no town gamma" in capsys.readouterr().err


def test_the_launcher_runs_the_commands_from_any_terminal(network: Path) -> None:
    """An editor's new terminal has no activated environment: ``./gardarika.sh`` finds
    the project's own and runs the command there, for the project it sits in."""
    import shutil
    import subprocess

    repo = Path(__file__).resolve().parents[2]
    launcher = network / "gardarika.sh"
    shutil.copy(repo / "gardarika.sh", launcher)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(network)}  # no venv, no invoke on PATH
    missing = subprocess.run([str(launcher), "lint"], capture_output=True, text=True, env=env)
    assert missing.returncode == 1 and "README.md" in missing.stderr
    assert "не установлена" in missing.stderr
    (network / ".venv").symlink_to(Path(sys.prefix))  # the environment the tests run in
    done = subprocess.run(
        [str(launcher), "lint", "--site", "alpha"],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
    )
    assert done.returncode == 0, done.stderr
    assert "Content check: 0 errors" in done.stdout
    usage = subprocess.run([str(launcher), "new"], capture_output=True, text=True, env=env)
    assert usage.returncode == 2
    assert "give --site TOWN" in usage.stderr and "укажите --site ГОРОД" in usage.stderr
    assert "alpha" in usage.stderr


def test_without_fork_the_command_says_where_gardarika_runs() -> None:
    """Windows has no fork (each town's build is a forked process): ``python -m gardarika``
    says, in both languages, to run it in WSL, with exit code 2 and no traceback; the
    Windows launcher says the same."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, runpy; del os.fork; runpy.run_module('gardarika', run_name='__main__')",
            "build",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert "WSL" in done.stderr and "Linux" in done.stderr and "Traceback" not in done.stderr
    assert "запускайте её в WSL" in done.stderr
    launcher = (REPO / "gardarika.cmd").read_bytes()
    assert launcher.count(b"\r\n") == launcher.count(b"\n")  # cmd.exe wants CRLF lines
    text = launcher.decode("utf-8")
    assert "wsl --install" in text and "exit /b 2" in text and "./gardarika.sh" in text
