"""Running work in a process of its own (``gardarika.build.isolation``): whatever the work
does, the parent hears how it ended, and the maintainer sees no traceback."""

from __future__ import annotations

import pytest

from gardarika.build.isolation import Task, run_isolated


class _TooLargeToSend:
    """A result whose pickling runs out of memory, as a run that used up its memory
    ceiling does when it sends back what it found."""

    def __reduce__(self):
        raise MemoryError


def test_a_result_that_cannot_be_sent_for_memory_is_told_as_out_of_memory(
    capfd: pytest.CaptureFixture[str],
) -> None:
    outcomes = []
    run_isolated(
        [Task("too-large", run=lambda: [_TooLargeToSend()])], 1, 30.0, outcomes.append, None
    )
    [outcome] = outcomes
    assert outcome.out_of_memory and not outcome.finished
    assert "Traceback" not in capfd.readouterr().err


def test_an_ordinary_result_comes_back() -> None:
    outcomes = []
    run_isolated([Task("fine", run=lambda: {"pages": 3})], 1, 30.0, outcomes.append, None)
    [outcome] = outcomes
    assert outcome.finished and outcome.result == {"pages": 3}


def test_a_process_with_no_memory_left_to_say_so_ends_without_a_traceback(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run at its memory ceiling may fail to send even the word that it ran out of
    memory (a hostile town's build did, and printed a traceback into the maintainer's
    build log): it ends with exit code 3, which the parent explains."""
    from multiprocessing.connection import Connection

    def no_memory(self, obj) -> None:  # in the child: every send fails
        raise MemoryError

    monkeypatch.setattr(Connection, "send", no_memory)
    outcomes = []
    run_isolated([Task("no-memory", run=lambda: "done")], 1, 30.0, outcomes.append, None)
    [outcome] = outcomes
    assert not outcome.finished and outcome.exit_code == 3
    assert "Traceback" not in capfd.readouterr().err


def test_a_task_no_longer_wanted_is_stopped_and_its_core_given_on() -> None:
    import time

    outcomes = []
    wanted = {"slow": True}

    def note(outcome) -> None:
        outcomes.append(outcome)
        if outcome.task.key == "quick":
            wanted["slow"] = False  # what the quick one found makes the slow one moot

    start = time.monotonic()
    run_isolated(
        [
            Task("slow", run=lambda: time.sleep(60), key="slow"),
            Task("quick", run=lambda: "found", key="quick"),
            Task("after", run=lambda: "ran", key="after"),
        ],
        2,
        120.0,
        note,
        None,
        unwanted=lambda task: task.key == "slow" and not wanted["slow"],
    )
    assert time.monotonic() - start < 30
    by_key = {o.task.key: o for o in outcomes}
    assert by_key["slow"].cancelled and not by_key["slow"].finished
    assert by_key["quick"].result == "found" and not by_key["quick"].cancelled
    assert by_key["after"].result == "ran"
