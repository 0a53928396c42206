"""The CI example of docs/scaling-ci.md, run end to end (issue 23, point 6).

The test reads the workflow from the document itself and runs each job's commands as a
CI system would: every job in a fresh clone of the network's repository (checked out
shallow unless the step asks for ``fetch-depth: 0``, as GitHub's checkout does), the
matrix's shares one after another, each step's ``$GITHUB_OUTPUT`` read back, artifacts
kept as folders and merged for the last job. The network has a town in its own folder
and two towns in bare repositories of their own, so a fresh clone has no folder for
them. Only the install step is not repeated: the job's ``.venv`` is the environment the
tests run in (installing Gardarika again would need the network).

A change to the document's workflow that this runner does not know (another action,
another expression) fails the test, so the example cannot drift from what works.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from projects import REPO, add_alpha, commit_all, git, town_repository, write

DOC = REPO / "docs" / "scaling-ci.md"
#: the install step, replaced by the tests' own environment
INSTALL = "python3 -m venv .venv && .venv/bin/pip install -e ."
_EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def workflow() -> dict[str, Any]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "docs/scaling-ci.md should hold one YAML workflow"
    return yaml.safe_load(blocks[0])


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """The few GitHub expressions the example uses: a dotted name, ``fromJSON(…)``."""
    found = re.fullmatch(r"fromJSON\((.+)\)", expression)
    if found:
        return json.loads(evaluate(found.group(1).strip(), context))
    value: Any = context
    for part in expression.split("."):
        assert isinstance(value, dict) and part in value, f"unknown expression {expression!r}"
        value = value[part]
    return value


def substitute(text: str, context: dict[str, Any]) -> str:
    return _EXPRESSION.sub(lambda m: str(evaluate(m.group(1), context)), text)


class Runner:
    """Runs the workflow's jobs in ``work``: clones of ``origin``, artifacts in folders."""

    def __init__(self, origin: Path, work: Path) -> None:
        self.origin, self.work = origin, work
        self.artifacts = work / "artifacts"
        self.artifacts.mkdir(parents=True)
        self.needs: dict[str, Any] = {}
        self.said: list[str] = []

    def run(self, jobs: dict[str, Any]) -> None:
        done: set[str] = set()
        while len(done) < len(jobs):
            ready = [
                name
                for name, job in jobs.items()
                if name not in done and set(_listed(job.get("needs"))) <= done
            ]
            assert ready, f"jobs whose needs are never met: {set(jobs) - done}"
            for name in ready:
                self.job(name, jobs[name])
                done.add(name)

    def job(self, name: str, job: dict[str, Any]) -> None:
        context: dict[str, Any] = {"needs": self.needs}
        matrix = (job.get("strategy") or {}).get("matrix")
        if matrix:
            [(key, value)] = matrix.items()
            values = evaluate(_EXPRESSION.fullmatch(value).group(1), context)  # type: ignore[union-attr]
            assert values, f"{name}: an empty matrix"
            runs = [
                {"matrix": {key: v}, "strategy": {"job-index": i}} for i, v in enumerate(values)
            ]
        else:
            runs = [{}]
        outputs: dict[str, Any] = {}
        for index, extra in enumerate(runs):
            folder = self.work / f"{name}-{index}"
            steps = self.steps(folder, job["steps"], {**context, **extra})
            for key, value in (job.get("outputs") or {}).items():
                outputs[key] = substitute(value, {**context, **extra, "steps": steps})
        self.needs[name] = {"outputs": outputs}

    def steps(self, folder: Path, steps: list[dict[str, Any]], context: dict[str, Any]) -> Any:
        results: dict[str, Any] = {}
        for step in steps:
            given = {k: substitute(str(v), context) for k, v in (step.get("with") or {}).items()}
            if "uses" in step:
                self.action(step["uses"].split("@")[0], given, folder)
                continue
            command = substitute(step["run"], {**context, "steps": results})
            if command == INSTALL:
                (folder / ".venv").symlink_to(sys.prefix)
                continue
            output = folder.parent / f"{folder.name}.output"
            output.write_text("", encoding="utf-8")
            done = subprocess.run(
                ["bash", "-e", "-c", command],
                cwd=folder,
                env={**os.environ, "GITHUB_OUTPUT": str(output)},
                capture_output=True,
                text=True,
                timeout=600,
            )
            self.said.append(f"$ {command}\n{done.stdout}{done.stderr}")
            assert done.returncode == 0, f"{folder.name}: {command}\n{done.stdout}{done.stderr}"
            if "id" in step:
                pairs = [line.split("=", 1) for line in output.read_text().splitlines() if line]
                results[step["id"]] = {"outputs": dict(pairs)}
        return results

    def action(self, name: str, given: dict[str, str], folder: Path) -> None:
        if name == "actions/checkout":
            depth = [] if given.get("fetch-depth") == "0" else ["--depth", "1"]
            url = f"file://{self.origin}"
            subprocess.run(["git", "clone", "-q", *depth, url, str(folder)], check=True)
        elif name == "actions/upload-artifact":
            if not (folder / given["path"]).exists():  # GitHub warns and goes on
                assert given.get("if-no-files-found", "warn") == "warn"
                self.said.append(f"warning: no files in {given['path']}")
                return
            shutil.copytree(folder / given["path"], self.artifacts / given["name"], symlinks=True)
        elif name == "actions/download-artifact":
            assert given.get("merge-multiple") == "True", "the shares' outputs are merged"
            target = folder / given["path"]
            for artifact in sorted(self.artifacts.glob(given["pattern"])):
                shutil.copytree(artifact, target, symlinks=True, dirs_exist_ok=True)
        else:
            pytest.fail(f"the test does not know the action {name}")


def _listed(value: Any) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def test_the_ci_example_runs_end_to_end(tmp_path: Path) -> None:
    remotes = tmp_path / "remotes"
    remotes.mkdir()
    project = tmp_path / "network"
    (project / "sites").mkdir(parents=True)
    shutil.copy(REPO / "tasks.py", project / "tasks.py")
    (project / "themes").symlink_to(REPO / "themes")
    (project / "plugins").symlink_to(REPO / "plugins")
    write(
        project / "sites/network.yaml",
        f"name: {{ru: Тестовая сеть, en: Test network}}\nlocal_repositories: ['{remotes}']\n",
    )
    add_alpha(project)
    for town, title in (("east", "Ярмарка на востоке"), ("west", "Регата на западе")):
        _, bare = town_repository(remotes, town, title)
        write(
            project / f"sites/{town}.yaml",
            f"name: {{ru: Город {town}}}\nlanguages: [ru]\n"
            f"repository: {{url: '{bare}', branch: main}}\n",
        )
    commit_all(project)
    origin = tmp_path / "origin.git"
    git("clone", "-q", "--bare", str(project), str(origin), cwd=tmp_path)

    runner = Runner(origin, tmp_path / "ci")
    runner.run(workflow()["jobs"])

    said = "\n".join(runner.said)
    assert runner.needs["shards"]["outputs"]["list"] == '["1/4", "2/4", "3/4", "4/4"]'
    # each share pulled its own towns only, and the share without one said so
    assert said.count("[cloned] east:") == 1 and said.count("[cloned] west:") == 1, said
    assert "Share 4/4 has no towns" in said
    portal = runner.work / "portal-0" / "output"
    for town in ("alpha", "east", "west"):
        assert (portal / town / "index.html").is_file(), town
    page = (portal / "index.html").read_text(encoding="utf-8")
    for town in ("alpha", "east", "west"):
        assert f"{town}/index.html" in page, town
    assert "Ярмарка на востоке" in page and "Регата на западе" in page  # the news of both
    assert "no problems found" in said
