"""The due queue, logging an outcome and an import on PostgreSQL (``run.py --pg URL``, or
``DIALDECK_BENCH_PG``): the same services, the same data, the other engine.

The server's URL names a maintenance database on a server where the benchmark may create and
drop databases (``postgresql://postgres@127.0.0.1:5432/postgres``). For each size the cached
SQLite data set is moved into a fresh database with ``dialdeck migrate`` (timed: it is a
benchmark of its own) and ``ANALYZE``d; due and log then run on it exactly as on SQLite, over
the loopback, and the import writes a fresh empty database. Each database is dropped after.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psycopg
from bench_log import outcome_for
from common import NOW, Latency

from dialdeck import services, store
from dialdeck.store.postgres.connect import with_database

STEP = timedelta(minutes=3)


@dataclass(frozen=True)
class MoveResult:
    rows: int
    seconds: float


@dataclass(frozen=True)
class PgResult:
    move: MoveResult
    due: Latency | None
    page: int
    plan: tuple[str, ...]
    full_scans: tuple[str, ...]  # plan lines that read a whole table ("Seq Scan"): should be none
    log: Latency | None
    import_rows_per_s: float | None


class Server:
    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    @contextmanager
    def database(self, name: str) -> Iterator[str]:
        """A new, empty database for the length of the block; its URL."""
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield with_database(self.admin_url, name)
        finally:
            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(admin_url: str, cached: Path, csv_file: Path | None, size: int, *, only: tuple[str, ...],
            due_iterations: int, log_iterations: int) -> PgResult:
    server = Server(admin_url)
    with server.database(f"dialdeck_bench_{size}") as url:
        move = _move(cached, url)
        due, page, plan = _due(url, due_iterations) if "due" in only else (None, 0, ())
        log = _log(url, log_iterations) if "log" in only else None
    rate = None
    if "import" in only and csv_file is not None:
        with server.database(f"dialdeck_bench_import_{size}") as url:
            rate = _import(url, csv_file, size)
    return PgResult(move=move, due=due, page=page, plan=plan,
                    full_scans=tuple(line for line in plan if "Seq Scan" in line), log=log,
                    import_rows_per_s=rate)


def _move(cached: Path, url: str) -> MoveResult:
    began = time.perf_counter()
    copies = services.move_database(cached, url)
    seconds = time.perf_counter() - began
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # what autovacuum does soon after a load, done now
    return MoveResult(rows=sum(copy.target_rows for copy in copies), seconds=seconds)


def _due(url: str, iterations: int) -> tuple[Latency, int, tuple[str, ...]]:
    db = store.open_store(url)
    try:
        instants = [NOW + STEP * (i % 40) for i in range(iterations)]
        for _ in range(3):
            services.due(db, NOW, limit=50)
        samples = []
        for at in instants:
            began = time.perf_counter()
            services.due(db, at, limit=50)
            samples.append((time.perf_counter() - began) * 1000)
        plan = tuple(services.explain_due(db, NOW))
        return Latency(tuple(samples)), len(services.due(db, NOW, limit=50)), plan
    finally:
        db.close()


def _log(url: str, iterations: int) -> Latency:
    db = store.open_store(url)
    try:
        page = services.due(db, NOW, limit=iterations + 3)
        samples = []
        for i, item in enumerate(page):
            at = NOW + timedelta(seconds=i)
            began = time.perf_counter()
            services.log_outcome(db, item.prospect_id, outcome_for(item.action, i), at)
            samples.append((time.perf_counter() - began) * 1000)
        return Latency(tuple(samples[3:]))
    finally:
        db.close()


def _import(url: str, csv_file: Path, size: int) -> float:
    db = store.open_store(url)
    try:
        services.library()
        began = time.perf_counter()
        report = services.import_csv(db, csv_file, now=NOW)
        seconds = time.perf_counter() - began
    finally:
        db.close()
    if report.created != size:
        raise RuntimeError(f"expected {size} rows; dialdeck created {report.created} on PostgreSQL")
    return size / seconds


__all__ = ["PgResult", "measure"]
