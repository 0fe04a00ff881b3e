"""Checkpoints off the rep's keypress: a PASSIVE one on a thread of this process, at a quiet
moment after commits, on its own connection (see ``db.py`` for why)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on a daemon thread at a quiet moment after commits.

    Quiet: no commit to that database for ``QUIET_S``; or, after ``BURST`` commits since its last
    checkpoint (a rep working fast, or a script), ``AFTER_COMMIT_S`` after the latest. Never at
    the commit itself: the outcome key that committed is still reading its next page and card,
    and drawing it, and a checkpoint beside that slowed the card. For the same reason a commit
    wakes the thread only when it must start or shorten its wait, not on every key. A PASSIVE
    checkpoint takes no write lock, so an outcome committed meanwhile does not wait for it; a
    failed one (file gone, locked) is left to the next one or to the writer's backstop.
    """

    QUIET_S = 0.25
    BURST = 24
    AFTER_COMMIT_S = 0.04

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pending: dict[str, tuple[float, int]] = {}  # path -> (last commit, commits since)
        self._thread: threading.Thread | None = None

    def committed(self, path: str) -> None:
        if not path:  # an in-memory database has no WAL
            return
        with self._lock:
            _last, count = self._pending.get(path, (0.0, 0))
            self._pending[path] = (self._clock(), count + 1)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="dialdeck-checkpoint", daemon=True)
                self._thread.start()
        if count == 0 or count + 1 == self.BURST:
            self._wake.set()  # a wait to start, or to shorten; else the thread is already timing it

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            while True:
                ready, wait = self._due()
                for path in ready:
                    _checkpoint(path)
                if wait is None:
                    break
                self._wake.wait(wait)
                self._wake.clear()

    def _due(self) -> tuple[list[str], float | None]:
        """The paths to checkpoint now, and how long until the next one is due (None: none left)."""
        now = self._clock()
        with self._lock:
            left = {path: self._after(count) - (now - last) for path, (last, count) in self._pending.items()}
            ready = [path for path, wait in left.items() if wait <= 0]
            for path in ready:
                del self._pending[path]
        waits = [wait for wait in left.values() if wait > 0]
        return ready, (min(waits) if waits else None)

    def _after(self, count: int) -> float:
        """How long after its latest commit a database's checkpoint is due."""
        return self.AFTER_COMMIT_S if count >= self.BURST else self.QUIET_S


def _checkpoint(path: str) -> None:
    try:
        # mode=rw: a database deleted meanwhile is not created again, empty.
        conn = sqlite3.connect(f"{Path(path).as_uri()}?mode=rw", uri=True, timeout=0, isolation_level=None)
    except sqlite3.Error:
        return
    try:
        conn.execute("PRAGMA synchronous = FULL")  # the WAL is synced before, the file after copying
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    except sqlite3.Error:
        pass  # busy or gone: the next commit asks again, and the writer's backstop remains
    finally:
        conn.close()


# One per process: every store of the process tells it of its commits.
checkpointer = Checkpointer()
