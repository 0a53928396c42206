"""Maintainer's tasks: ``invoke build``, ``check``, ``package``, ``deploy``, ``test``…

Every command of :mod:`gardarika.commands` (the one table the command line
``python -m gardarika`` is made from too), for the project folder holding this file.
``invoke --list`` lists them, ``invoke --help build`` explains one.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from invoke import Exit, Task

from gardarika.commands import COMMANDS, Command

ROOT = Path(__file__).resolve().parent


def _task(command: Command) -> Task:
    """``command`` as an invoke task: its options become the task's, with their help."""

    def body(c: Any, **given: Any) -> None:
        code = command.run(ROOT if command.project else None, given)
        if code:
            raise Exit(code=code)

    parameter = inspect.Parameter.POSITIONAL_OR_KEYWORD
    body.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("c", parameter)]
        + [
            inspect.Parameter(
                option.name,
                parameter,
                # a missing required option is told by Command.run, in both languages
                # (invoke's own message is English only); a positional one stays so
                default=inspect.Parameter.empty if option.positional else option.default,
            )
            for option in command.options
        ]
    )
    body.__name__ = command.name.replace("-", "_")
    text = command.description[:1].upper() + command.description[1:]
    body.__doc__ = text if text.endswith(("…", ".")) else text + "."
    return Task(body, name=command.name, help={o.name: o.help for o in command.options})


for _command in COMMANDS:
    globals()[_command.name.replace("-", "_")] = _task(_command)
