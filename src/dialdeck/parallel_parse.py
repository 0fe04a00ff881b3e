"""Parsing a big file's rows in worker processes, results back in file order, memory flat.

Parsing phone numbers is CPU work in pure Python (phonenumbers) and costs more than reading
the file and writing SQLite together, so a big import reads in this process, hands blocks of
raw rows to worker processes, and writes their results here as they come back, overlapped.

- Order: blocks are submitted and collected first in, first out, so rows arrive in file order
  and line numbers, upsert order and ids are exactly those of a single-process run.
- Memory: at most ``workers * IN_FLIGHT_PER_WORKER`` blocks are out at a time; reading waits
  for the oldest to come back, so memory does not grow with the file.
- Start-up: workers are forked, which is nearly free (they inherit the loaded modules), and
  only from a single-threaded process: forking while other threads run (the TUI imports from a
  worker thread) can copy a lock another thread held and hang the child. There, and where fork
  does not exist, the rows are parsed in this process. (``spawn``/``forkserver`` were rejected:
  half a second to start, and they re-run a calling script that lacks a ``__main__`` guard.)
- Failure: if a worker dies (killed, out of memory), the blocks it held and the rest of the
  file are parsed here instead; the import still completes with the same result.
- Orphans: a worker never outlives the importing process. Killed with ``kill -9``, that process
  cannot stop its workers, and a forked worker waiting on the pool's pipe would wait for ever
  (it holds that pipe's other end itself), keeping the database file and the caller's
  stdout/stderr pipes open. On Linux the kernel kills each worker when its parent dies
  (``PR_SET_PDEATHSIG``); elsewhere, and as a second guard, a thread in the worker notices its
  parent is gone within ``PARENT_CHECK_S`` and exits.

Pure of dialdeck's storage: ``parse`` is any picklable callable ``(line, cells) -> list``.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

BLOCK_ROWS = 5000  # big enough that sending a block costs little next to parsing it
IN_FLIGHT_PER_WORKER = 2  # one being parsed, one queued: the workers never wait for the reader
PARALLEL_MIN_BYTES = 2_500_000  # about 20k CRM rows: below it, starting workers costs more than it saves
WORKER_NICENESS = 5  # workers step back for the writing process when the cores are all busy
PARENT_CHECK_S = 0.5  # how often a worker checks that its importing process is still there
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

RowParse = Callable[[int, list[str]], list]


def worker_count(file_bytes: int, requested: int | None = None) -> int:
    """How many worker processes a file of ``file_bytes`` is worth; 0 means parse in this process.

    ``requested`` (a caller's explicit choice, e.g. a test or a ``--jobs`` flag) wins over the
    size rule; 1 or less means no workers. Without a safe way to start them, always 0.
    """
    if not _can_fork():
        return 0
    if requested is not None:
        return requested if requested > 1 else 0
    if file_bytes < PARALLEL_MIN_BYTES:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if cores > 1 else 0


def parsed_blocks(parse: RowParse, rows: Iterable[tuple[int, list[str]]], *, workers: int,
                  block_rows: int | None = None) -> Generator[list, None, None]:
    """``parse`` applied to every ``(line, cells)``, its lists joined per block, in file order.

    With ``workers`` = 0 everything runs here. Close the iterator (or exhaust it) to stop the
    workers; an exception from ``rows`` (a broken file) propagates after they are stopped.
    """
    blocks = _blocks(rows, block_rows or BLOCK_ROWS)
    if workers > 0 and _can_fork():
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_remember_parse, initargs=(parse, os.getpid()))
        try:
            yield from _in_order(pool, parse, blocks, workers * IN_FLIGHT_PER_WORKER)
        finally:
            # An abandoned import (an exception, a closed generator) must not wait for blocks
            # nobody will read.
            pool.shutdown(wait=True, cancel_futures=True)
    for block in blocks:  # all of them without workers; what is left if the pool broke
        yield parse_block(parse, block)


def parse_block(parse: RowParse, block: list[tuple[int, list[str]]]) -> list:
    results: list = []
    for line, cells in block:
        results.extend(parse(line, cells))
    return results


def _in_order(pool: ProcessPoolExecutor, parse: RowParse, blocks: Iterator[list], limit: int) -> Iterator[list]:
    """Blocks parsed by the pool, oldest first; returns early (blocks left unread) if it broke."""
    pending: deque[tuple[list, Future]] = deque()
    block: list = []
    try:
        for block in blocks:
            pending.append((block, pool.submit(_parse_in_worker, block)))
            block = []  # noqa: PLW2901  submitted: now held in ``pending``
            if len(pending) >= limit:
                yield pending[0][1].result()
                pending.popleft()
        while pending:
            yield pending[0][1].result()
            pending.popleft()
    except BrokenProcessPool:
        for held, _ in pending:
            yield parse_block(parse, held)
        if block:  # the one a broken pool refused to take
            yield parse_block(parse, block)


def _blocks(rows: Iterable[tuple[int, list[str]]], size: int) -> Iterator[list]:
    """Blocks of ``size`` rows, the first ones smaller: the writer gets its first rows sooner
    instead of idling while the workers start and parse a whole block."""
    iterator = iter(rows)
    take = max(size // 8, 1)
    while block := list(itertools.islice(iterator, take)):
        yield block
        take = min(take * 2, size)


# Threads that may run while the importer forks: the store's WAL checkpointer holds only its
# own lock and SQLite's mutexes, and a parsing worker touches neither.
FORK_SAFE_THREADS = frozenset({"dialdeck-checkpoint"})


def _can_fork() -> bool:
    others = [t for t in threading.enumerate()
              if t is not threading.main_thread() and t.name not in FORK_SAFE_THREADS]
    return "fork" in multiprocessing.get_all_start_methods() and not others


# --- in the worker process --------------------------------------------------------------------
# The parser is sent once per worker (initializer), not with every block.

_worker_parse: RowParse | None = None


def _remember_parse(parse: RowParse, parent: int) -> None:
    global _worker_parse  # noqa: PLW0603  a pool initializer leaves its state in the worker's module
    _die_with_parent(parent)
    # Ctrl+C belongs to the importing process: it stops the workers itself and reports once.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The importing process alone writes SQLite, the stage everything waits for: when the
    # cores are all busy, the workers yield to it rather than starve it.
    os.nice(WORKER_NICENESS)
    _worker_parse = parse


def _die_with_parent(parent: int) -> None:
    """Make sure this worker exits when the process that started it dies, however it dies."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl here: the watching thread below still stops the worker
    if os.getppid() != parent:  # the parent died before the guard above was in place
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="dialdeck-parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    """The portable guard: once orphaned, a worker is adopted by another process (its pid
    changes); nothing is left to parse for, so it leaves at once without cleaning up."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


def _parse_in_worker(block: list[tuple[int, list[str]]]) -> list:
    if _worker_parse is None:
        raise RuntimeError("a parse worker started without its initializer")
    return parse_block(_worker_parse, block)
