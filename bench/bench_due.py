"""Due queue: p50/p99 of ``services.due(db, now, limit=50)`` against the same statements in raw SQL.

Both read the same database file in this process, alternately at each instant, so caches warm
both alike. The instants step through the working day (every few minutes from ``NOW``), so
the open set of calling windows changes as it does in a session, and the page comes from
either of the store's plans (sort a small due set, or walk the calling-order index).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from baselines import raw_due
from common import NOW, Latency

from dialdeck import calling_windows, services, store
from dialdeck.clock import to_iso

STEP = timedelta(minutes=3)


@dataclass(frozen=True)
class DueResult:
    due: Latency
    baseline: Latency
    page: int  # rows in the first page at NOW
    plan: tuple[str, ...]
    full_scans: tuple[str, ...]  # plan lines that read a whole table (should be none)


def measure(db_file: Path, iterations: int) -> DueResult:
    db = store.open_store(db_file)
    raw = sqlite3.connect(db_file)
    try:
        instants = [NOW + STEP * (i % 40) for i in range(iterations)]
        at_args = [raw_args(db, at) for at in instants[:40]]
        due, baseline = [], []
        for _ in range(3):  # warm both: the first touch of an index pays for the disk
            services.due(db, NOW, limit=50)
            raw_due(raw, *at_args[0])
        for i, at in enumerate(instants):
            began = time.perf_counter()
            services.due(db, at, limit=50)
            due.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            raw_due(raw, *at_args[i % 40])
            baseline.append((time.perf_counter() - began) * 1000)
        plan = tuple(services.explain_due(db, NOW))
        return DueResult(due=Latency(tuple(due)), baseline=Latency(tuple(baseline)),
                         page=len(services.due(db, NOW, limit=50)), plan=plan, full_scans=full_scans(plan))
    finally:
        raw.close()
        db.close()


def raw_args(db, at) -> tuple:
    """What the raw query is given: the open windows and today's start, computed outside the timing."""
    profile = services.get_profile(db)
    open_now = calling_windows.open_keys(db.hours_keys(), calling_windows.base_window(profile), at)
    zone = ZoneInfo(profile.timezone)
    today = datetime.combine(at.astimezone(zone).date(), datetime.min.time(), tzinfo=zone)
    return open_now, to_iso(at), to_iso(today)


def full_scans(plan: tuple[str, ...]) -> tuple[str, ...]:
    """Plan lines that scan a table without an index ("SCAN enrollments" alone)."""
    found = []
    for line in plan:
        detail = line.split(": ", 1)[-1]
        if detail.startswith("SCAN ") and "USING" not in detail and "subquery" not in detail:
            found.append(line)
    return tuple(found)
