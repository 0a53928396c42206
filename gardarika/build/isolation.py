"""Running one town's work in a process of its own, so that it can fail only itself.

Both a town's checks and each of its (town, language) builds read files an editor wrote,
and a file can make Python work for ever (Markdown is super-linear on some inputs),
recurse until it crashes, or ask for more memory than the machine has. Each such piece
of work therefore runs in a process forked from this one (which has already imported
Pelican, Markdown and Jinja, so starting costs little), with

* a time limit: past it the process is killed and the work counts as failed;
* a memory ceiling (``RLIMIT_AS``): past it Python raises ``MemoryError`` in the
  process, or the process dies, instead of the machine running out of memory;
* a line back to the parent on which the work says what it is reading
  (:func:`report`), so that a process that was killed or died can be explained with
  the file it was on.

:func:`run_isolated` runs a list of :class:`Task` with at most ``parallel`` at once and
hands each :class:`Outcome` to a callback as soon as it is known.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import os
import resource
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

#: the memory one process may reserve (address space) beyond what it inherited, in
#: bytes. A town of 10 000 articles builds in a few hundred megabytes; two processes at
#: the ceiling stay within what a modest machine has.
MEMORY_LIMIT = 1024 * 1024 * 1024

_channel: Connection | None = None


def report(what: str) -> None:
    """Tell the parent what this process is working on now (a file, shown as the
    editor knows it). Does nothing outside an isolated process."""
    if _channel is not None:
        with contextlib.suppress(OSError, ValueError):
            _channel.send(("at", what))


def silence() -> None:
    """Stop telling the parent anything from this process (a helper forked from an
    isolated process must not write into its channel)."""
    global _channel
    _channel = None


@dataclass
class Task:
    """One piece of work: ``run()`` is called in the child and its result (plain,
    picklable data) is sent back. ``name`` names the process (``ps`` shows it).
    ``prepare()``, if given, is called in the parent just before the child is forked
    (what the child would otherwise do itself, done once for every such child)."""

    name: str
    run: Callable[[], Any]
    key: Any = None
    prepare: Callable[[], None] | None = None


@dataclass
class Outcome:
    """How a task ended: ``result`` when it finished, otherwise why not."""

    task: Task
    result: Any = None
    finished: bool = False
    timed_out: bool = False
    out_of_memory: bool = False
    exit_code: int | None = None
    error: str = ""  # an exception that escaped ``run()``
    at: str | None = None  # the last thing it reported working on
    cancelled: bool = False  # stopped because its work was no longer wanted
    seconds: float = 0.0
    log: list[str] = field(default_factory=list)


def _address_space() -> int:
    """Bytes of address space this process has already reserved (0 if unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _limit_memory(limit: int | None) -> None:
    """Let this process reserve at most ``limit`` bytes beyond what it inherited: a
    process forked from a large one (a test run, a long-lived preview) starts with the
    parent's address space, which is not the work's to pay for."""
    if not limit:
        return
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        ceiling = _address_space() + limit
        if hard != resource.RLIM_INFINITY:
            ceiling = min(ceiling, hard)
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    except (ValueError, OSError):  # not allowed here: the time limit still holds
        pass


def _child(task: Task, conn: Connection, memory_limit: int | None) -> None:
    global _channel
    _channel = conn
    _limit_memory(memory_limit)
    try:
        message: tuple[str, Any] = ("done", task.run())
    except MemoryError:
        message = ("memory", None)
    except BaseException as exc:  # the parent must always hear back
        message = ("error", f"{type(exc).__name__}: {exc}"[:2000])
    if not _send(conn, message):
        # a run that used up its memory may have none left to send its result: the
        # result goes (and the failed attempt with it, outside its except block)
        message = ("memory", None)
        gc.collect()
        if not _send(conn, message):
            os._exit(3)  # the parent tells a process that died without a word
    conn.close()


def _send(conn: Connection, message: tuple[str, Any]) -> bool:
    try:
        conn.send(message)
    except (MemoryError, RecursionError):
        return False
    return True


def run_isolated(
    tasks: Iterable[Task],
    parallel: int,
    time_limit: float,
    on_outcome: Callable[[Outcome], None],
    memory_limit: int | None = MEMORY_LIMIT,
    unwanted: Callable[[Task], bool] | None = None,
) -> None:
    """Run ``tasks`` in forked processes, at most ``parallel`` at a time, each stopped
    after ``time_limit`` seconds; call ``on_outcome`` with each as it ends. A running
    task for which ``unwanted(task)`` has become true (after an outcome) is stopped,
    its outcome marked ``cancelled``: its core goes to the tasks still waiting."""
    ctx = multiprocessing.get_context("fork")
    pending = list(tasks)
    running: dict[Connection, tuple[Outcome, multiprocessing.process.BaseProcess, float]] = {}
    while pending or running:
        while pending and len(running) < max(1, parallel):
            task = pending.pop(0)
            if task.prepare is not None:
                task.prepare()
            reader, writer = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_child, args=(task, writer, memory_limit), name=task.name)
            # a forked child would print the parent's unflushed output a second time
            sys.stdout.flush()
            sys.stderr.flush()
            process.start()
            writer.close()
            running[reader] = (Outcome(task=task), process, time.monotonic())
        deadline = min(start for _, _, start in running.values()) + time_limit
        ready = multiprocessing.connection.wait(
            list(running), timeout=max(0.0, deadline - time.monotonic())
        )
        for reader in ready:
            outcome, process, start = running[reader]
            if not _receive(reader, outcome):
                continue  # only progress so far
            del running[reader]
            reader.close()
            process.join()
            outcome.exit_code = process.exitcode
            outcome.seconds = time.monotonic() - start
            on_outcome(outcome)
        if unwanted is not None and ready:
            for reader in [r for r, (o, _, _) in running.items() if unwanted(o.task)]:
                outcome, process, start = running.pop(reader)
                process.kill()
                process.join()
                reader.close()
                outcome.cancelled = True
                outcome.seconds = time.monotonic() - start
                on_outcome(outcome)
        now = time.monotonic()
        for reader in [r for r, (_, _, start) in running.items() if now - start >= time_limit]:
            outcome, process, start = running.pop(reader)
            while reader.poll():  # the last word on what it was doing
                if _receive(reader, outcome):
                    break
            process.kill()
            process.join()
            reader.close()
            if not outcome.finished:
                outcome.timed_out = True
            outcome.seconds = now - start
            on_outcome(outcome)


def _receive(reader: Connection, outcome: Outcome) -> bool:
    """Read one message into ``outcome``; ``True`` when the task has ended."""
    try:
        kind, value = reader.recv()
    except (EOFError, OSError):
        return True  # died without a word: exit code tells
    except Exception as exc:  # a result that cannot be unpickled
        outcome.error = f"{type(exc).__name__}: {exc}"
        return True
    if kind == "at":
        outcome.at = value
        return False
    if kind == "done":
        outcome.result, outcome.finished = value, True
    elif kind == "memory":
        outcome.out_of_memory = True
    else:
        outcome.error = str(value)
    return True


def died(outcome: Outcome) -> bool:
    """The process ended by a signal or an exit code, with no result."""
    return not (outcome.finished or outcome.timed_out or outcome.out_of_memory or outcome.error)
