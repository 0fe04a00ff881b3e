"""Log an outcome: p50/p99 of ``services.log_outcome`` (durable commit) against raw SQL.

dialdeck logs one outcome per prospect due at ``NOW``, the way a rep works the queue: the
outcome fits the step (a call: voicemail, no answer or busy; an email: sent; a task or social
touch: done), one second apart. The baseline inserts an attempt and updates an enrollment in
one ``BEGIN IMMEDIATE ... COMMIT`` on its own connection to the same file, with the same WAL
and ``synchronous = FULL`` durability, for other prospects of the same queue.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from baselines import raw_log
from common import NOW, Latency

from dialdeck import services, store
from dialdeck.clock import to_iso

CALL_OUTCOMES = ("voicemail", "no-answer", "voicemail", "busy")


@dataclass(frozen=True)
class LogResult:
    log: Latency
    baseline: Latency


def outcome_for(action: str, index: int) -> str:
    if action == "call":
        return CALL_OUTCOMES[index % len(CALL_OUTCOMES)]
    return "sent" if action == "email" else "done"


def measure(db_file: Path, iterations: int) -> LogResult:
    """Mutates ``db_file``: give it a scratch copy."""
    db = store.open_store(db_file)
    try:
        page = services.due(db, NOW, limit=2 * iterations + 6)
        # A small data set may have fewer prospects due than asked: each is logged once.
        iterations = min(iterations, (len(page) - 6) // 2)
        if iterations < 5:
            raise RuntimeError(f"only {len(page)} prospects due at {NOW} in {db_file}")
        ours, theirs = page[: iterations + 3], page[iterations + 3: 2 * iterations + 6]
        log = _time_ours(db, ours)
        enrollment_ids = dict(db.conn.execute(
            f"SELECT prospect_id, id FROM enrollments WHERE status = 'active' AND prospect_id IN "
            f"({','.join('?' * len(theirs))})", [item.prospect_id for item in theirs]).fetchall())
    finally:
        db.close()
    baseline = _time_raw(db_file, [(enrollment_ids[item.prospect_id], item.prospect_id) for item in theirs])
    return LogResult(log=log, baseline=baseline)


def _time_ours(db, items) -> Latency:
    samples = []
    for i, item in enumerate(items):
        at = NOW + timedelta(seconds=i)
        began = time.perf_counter()
        services.log_outcome(db, item.prospect_id, outcome_for(item.action, i), at)
        samples.append((time.perf_counter() - began) * 1000)
    return Latency(tuple(samples[3:]))  # the first few warm the statement cache


def _time_raw(db_file: Path, targets: list[tuple[int, int]]) -> Latency:
    conn = sqlite3.connect(db_file, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    samples = []
    try:
        for i, (enrollment_id, prospect_id) in enumerate(targets):
            at = NOW + timedelta(seconds=i)
            began = time.perf_counter()
            raw_log(conn, enrollment_id, prospect_id, to_iso(at), to_iso(at + timedelta(days=2)))
            samples.append((time.perf_counter() - began) * 1000)
    finally:
        conn.close()
    return Latency(tuple(samples[3:]))
