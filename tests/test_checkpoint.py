"""When the background checkpoint runs (store/sqlite/checkpoint.py): never at an outcome's own
commit, where it slowed the key's next card, and without waking its thread on every key.

The clock is a parameter; the thread is kept from starting so each test reads the schedule
(``_due``) at the instants it chooses.
"""

from __future__ import annotations

import threading

from dialdeck.store.sqlite.checkpoint import Checkpointer

PATH = "/data/dialdeck.db"


class Wakes:
    """Stands in for the thread's event: counts the times a commit wakes it."""

    def __init__(self) -> None:
        self.count = 0

    def set(self) -> None:
        self.count += 1


def checkpointer() -> tuple[Checkpointer, list[float], Wakes]:
    now = [100.0]
    keeper = Checkpointer(clock=lambda: now[0])
    keeper._thread = threading.current_thread()  # alive: no thread of its own is started
    wakes = Wakes()
    keeper._wake = wakes  # type: ignore[assignment]
    return keeper, now, wakes


def test_a_commit_is_checkpointed_once_the_database_has_been_quiet() -> None:
    keeper, now, _ = checkpointer()
    keeper.committed(PATH)
    now[0] += Checkpointer.QUIET_S / 2
    assert keeper._due() == ([], Checkpointer.QUIET_S / 2)
    now[0] += Checkpointer.QUIET_S / 2
    assert keeper._due() == ([PATH], None)


def test_a_burst_is_checkpointed_just_after_a_commit_never_at_it() -> None:
    keeper, now, _ = checkpointer()
    for _ in range(Checkpointer.BURST):  # a rep working fast: never quiet for QUIET_S
        now[0] += 0.1
        keeper.committed(PATH)
        ready, _wait = keeper._due()
        assert ready == []  # not while the key that committed reads its next card
    ready, wait = keeper._due()
    assert wait is not None and abs(wait - Checkpointer.AFTER_COMMIT_S) < 1e-9
    now[0] += Checkpointer.AFTER_COMMIT_S
    assert keeper._due() == ([PATH], None)


def test_a_commit_wakes_the_thread_only_to_start_or_shorten_its_wait() -> None:
    keeper, now, wakes = checkpointer()
    for _ in range(Checkpointer.BURST + 5):
        now[0] += 0.1
        keeper.committed(PATH)
    assert wakes.count == 2  # the first commit, and the one that made it a burst
    keeper.committed("")  # an in-memory database: nothing to checkpoint
    assert wakes.count == 2
