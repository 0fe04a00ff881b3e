"""The team benchmark: N reps, each its own process, claiming the next call and logging it in a
loop against one database, on SQLite and on PostgreSQL (issue 11, "Measured").

    python bench/team.py                       # N = 1, 5, 20, 50 against 100k prospects, 3 runs each
    python bench/team.py --smoke               # N = 1 and 3, 2k prospects, 2 s runs (CI)
    python bench/team.py --pg postgresql://postgres@127.0.0.1:5432/postgres   # PostgreSQL too
    python bench/run.py --only team            # the same, as part of the benchmark table

Each rep is what a rep at the keyboard does, without the pauses: ``services.claim_next`` (the
reservation, ``dialdeck next``), then ``services.log_outcome`` for that prospect (an outcome
fitting its step), again, until the run's seconds are up or nothing is left for them. The
simulated clock runs from the benchmark's fixed instant at the wall clock's pace. The reps
start together (a barrier), after their process is up and their database open.

Figures per engine and N: outcomes per second (the whole team's), p50/p99 of one claim + log,
and the two counts that must be zero: prospects handed to two reps at once (two reps' spans
from the claim to the logged outcome overlapping on one prospect) and acknowledged outcomes
missing afterwards (an attempt id ``log_outcome`` returned that is not in the database when the
run is over). Each (engine, N) runs several times, each on a fresh copy of the same data: the
figure is the median run and the spread is the lowest and highest.

SQLite: each run on a fresh copy of the cached data set (``generate.db_path``). PostgreSQL: the
data set is moved once into a template database (``dialdeck migrate``), and each run gets a copy
of it (``CREATE DATABASE ... TEMPLATE``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event, Semaphore
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate
from bench_log import outcome_for
from common import NOW, Latency, out_dir, parse_size, percentile, size_label
from report import Row, text_table

from dialdeck import services, store
from dialdeck.errors import DialdeckError

TEAM_SIZES = (1, 5, 20, 50)
SMOKE_TEAM_SIZES = (1, 3)
REP_NAME = "rep{:02d}"


@dataclass(frozen=True)
class Handout:
    """One prospect handed to one rep: when the claim began, returned, and the outcome was acknowledged."""

    rep: int
    prospect_id: int
    began: float  # time.monotonic(): one clock for every process on the machine
    claimed: float
    logged: float
    attempt_id: int
    # The step handed out (cadence, step number); None: not known, counted as the same step.
    step: tuple[str, int] | None = None


@dataclass(frozen=True)
class RepResult:
    handouts: tuple[Handout, ...]
    errors: tuple[str, ...]
    ran_out: bool  # claim_next said nothing was left for this rep


@dataclass(frozen=True)
class RunResult:
    engine: str
    reps: int
    outcomes: int
    seconds: float
    latency: Latency  # claim + log, ms
    double_handouts: int
    missing: int
    errors: tuple[str, ...]
    ran_out: bool  # a rep found nothing left to claim before the time was up

    @property
    def per_second(self) -> float:
        return self.outcomes / self.seconds


# --------------------------------------------------------------------------- one rep


def _rep_loop(location: str, rep_index: int, seconds: float, ready: Semaphore, start: Event,
              results: Queue) -> None:
    """One rep's process: open the database, wait for the others, claim and log until time is up."""
    handouts: list[Handout] = []
    errors: list[str] = []
    ran_out = False
    db = None
    try:
        db = store.open_store(location)
        rep = services.select_rep(db, REP_NAME.format(rep_index))
        ready.release()
        start.wait()
        began_run = time.monotonic()
        deadline = began_run + seconds
        count = 0
        while time.monotonic() < deadline:
            at = NOW + timedelta(seconds=time.monotonic() - began_run)
            began = time.monotonic()
            try:
                claim = services.claim_next(db, at, rep=rep)
                claimed = time.monotonic()
                if claim is None:
                    ran_out = True
                    break
                result = services.log_outcome(db, claim.item.prospect_id, outcome_for(claim.item.action, count), at,
                                              rep=rep)
            except DialdeckError as problem:
                errors.append(str(problem).splitlines()[0])
                continue
            handouts.append(Handout(rep_index, claim.item.prospect_id, began, claimed, time.monotonic(),
                                    result.attempt_id or 0, (claim.item.cadence, claim.item.step)))
            count += 1
    except Exception as problem:  # a rep that dies says why instead of hanging the run
        errors.append(f"{type(problem).__name__}: {problem}")
        traceback.print_exc()  # the whole story, on the benchmark's stderr
        ready.release()
    finally:
        if db is not None:
            db.close()
        results.put(RepResult(tuple(handouts), tuple(errors), ran_out))


def _double_handouts(handouts: list[Handout]) -> int:
    """Prospects two reps held at once: their spans from claim to acknowledged outcome overlap,
    at the same step. A claim begun before the other rep's outcome was acknowledged may rightly
    end after it was committed, on the step that outcome moved the prospect to (an email sent,
    then a social touch due at once); a real double hand-out gets the step the first rep holds."""
    by_prospect: dict[int, list[Handout]] = {}
    for h in handouts:
        by_prospect.setdefault(h.prospect_id, []).append(h)
    doubled = 0
    for spans in by_prospect.values():
        spans.sort(key=lambda h: h.began)
        if any(b.rep != a.rep and b.began < a.logged and _same_step(a, b)
               for a, b in zip(spans, spans[1:], strict=False)):
            doubled += 1
    return doubled


def _same_step(a: Handout, b: Handout) -> bool:
    return a.step is None or b.step is None or a.step == b.step


def _missing(location: str, handouts: list[Handout]) -> int:
    """Acknowledged outcomes not in the database afterwards (read through a fresh connection)."""
    db = store.open_store(location)
    try:
        ids = [h.attempt_id for h in handouts]
        found: set[tuple[int, int]] = set()
        for start in range(0, len(ids), 500):
            block = ids[start:start + 500]
            marks = ",".join(["%s" if _is_pg(location) else "?"] * len(block))
            found.update(tuple(row) for row in db.conn.execute(
                f"SELECT id, prospect_id FROM attempts WHERE id IN ({marks})", block).fetchall())
        return sum(1 for h in handouts if (h.attempt_id, h.prospect_id) not in found)
    finally:
        db.close()


def _is_pg(location: str) -> bool:
    return store.engine_for(location) == "postgres"


def run_team(location: str, engine: str, reps: int, seconds: float) -> RunResult:
    """One run: ``reps`` processes against the database at ``location`` (changed: give it a copy)."""
    context = multiprocessing.get_context("forkserver")
    ready, start, results = context.Semaphore(0), context.Event(), context.Queue()
    processes = [context.Process(target=_rep_loop, args=(location, i + 1, seconds, ready, start, results))
                 for i in range(reps)]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    began = time.monotonic()
    start.set()
    found = [results.get() for _ in processes]
    elapsed = time.monotonic() - began
    for process in processes:
        process.join()
    handouts = [h for r in found for h in r.handouts]
    if any(r.ran_out for r in found):
        elapsed = max((h.logged for h in handouts), default=began) - began
    samples = tuple((h.logged - h.began) * 1000 for h in handouts) or (0.0,)
    return RunResult(engine=engine, reps=reps, outcomes=len(handouts), seconds=max(elapsed, 1e-6),
                     latency=Latency(samples), double_handouts=_double_handouts(handouts),
                     missing=_missing(location, handouts), errors=tuple(e for r in found for e in r.errors),
                     ran_out=any(r.ran_out for r in found))


# --------------------------------------------------------------------------- the data


def prepared_sqlite(size: int) -> Path:
    """The cached data set with the team's reps added (built once per size)."""
    base = generate.db_path(size)
    team = out_dir() / f"team-{size_label(size)}-{max(TEAM_SIZES)}reps-{base.stat().st_mtime_ns}.db"
    if not team.exists():
        partial = team.with_name(team.name + ".partial")
        _copy(base, partial)
        db = store.open_store(partial)
        try:
            known = {rep.name for rep in services.reps(db)}
            for i in range(1, max(TEAM_SIZES) + 1):
                if REP_NAME.format(i) not in known:
                    services.add_rep(db, REP_NAME.format(i), NOW)
        finally:
            db.close()
        os.replace(partial, team)
    return team


def _copy(source: Path, target: Path) -> Path:
    for path in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        path.unlink(missing_ok=True)
    target.write_bytes(source.read_bytes())
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    return target


@contextmanager
def sqlite_run(team_db: Path) -> Iterator[str]:
    work = _copy(team_db, out_dir() / "team-work.db")
    try:
        yield str(work)
    finally:
        for path in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
            path.unlink(missing_ok=True)


class PgTeam:
    """A template database holding the data set; each run a fresh copy of it."""

    def __init__(self, admin_url: str, team_db: Path, size: int) -> None:
        import psycopg

        from dialdeck.store.postgres.connect import with_database

        self._psycopg, self._with_database = psycopg, with_database
        self.admin_url = admin_url
        self.template = f"dialdeck_team_{size_label(size)}"
        self._admin("DROP DATABASE IF EXISTS {0} WITH (FORCE)", "CREATE DATABASE {0}")
        url = with_database(admin_url, self.template)
        services.move_database(team_db, url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")

    def _admin(self, *statements: str, name: str | None = None) -> None:
        with self._psycopg.connect(self.admin_url, autocommit=True) as admin:
            for sql in statements:
                admin.execute(sql.format(f'"{name or self.template}"', f'"{self.template}"'))

    @contextmanager
    def run(self) -> Iterator[str]:
        name = f"{self.template}_run"
        self._admin("DROP DATABASE IF EXISTS {0} WITH (FORCE)", "CREATE DATABASE {0} TEMPLATE {1}", name=name)
        try:
            yield self._with_database(self.admin_url, name)
        finally:
            self._admin("DROP DATABASE IF EXISTS {0} WITH (FORCE)", name=name)

    def close(self) -> None:
        self._admin("DROP DATABASE IF EXISTS {0} WITH (FORCE)")


# --------------------------------------------------------------------------- all of it


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def measure(size: int, team_sizes: tuple[int, ...], runs: int, seconds: float,
            pg: str | None) -> list[RunResult]:
    """Every (engine, N) ``runs`` times; SQLite always, PostgreSQL when ``pg`` names a server."""
    team_db = prepared_sqlite(size)
    results: list[RunResult] = []
    engines: list[tuple[str, object]] = [("SQLite", None)]
    pg_team = None
    if pg:
        say(f"  PostgreSQL: moving {size_label(size)} prospects into a template database ...")
        pg_team = PgTeam(pg, team_db, size)
        engines.append(("PostgreSQL", pg_team))
    try:
        for engine, server in engines:
            for reps in team_sizes:
                for run in range(runs):
                    with (sqlite_run(team_db) if server is None else pg_team.run()) as location:
                        result = run_team(location, engine, reps, seconds)
                    say(f"  {engine} {reps} reps, run {run + 1}: {result.per_second:.0f} outcomes/s, "
                        f"p50 {result.latency.p50:.1f} ms, p99 {result.latency.p99:.1f} ms, "
                        f"double {result.double_handouts}, missing {result.missing}, errors {len(result.errors)}")
                    results.append(result)
    finally:
        if pg_team is not None:
            pg_team.close()
    return results


def rows_of(results: list[RunResult], size: int) -> list[Row]:
    """The table's rows: per engine and N, the median run and the spread of the runs."""
    rows = []
    label = size_label(size)
    groups: dict[tuple[str, int], list[RunResult]] = {}
    for r in results:
        groups.setdefault((r.engine, r.reps), []).append(r)
    for (engine, reps), runs in groups.items():
        rates = sorted(r.per_second for r in runs)
        p50s = sorted(r.latency.p50 for r in runs)
        p99s = sorted(r.latency.p99 for r in runs)
        errors = [e for r in runs for e in r.errors]
        spread = f"{len(runs)} run{'s' if len(runs) > 1 else ''}: {rates[0]:.0f}–{rates[-1]:.0f}/s"
        if any(r.ran_out for r in runs):
            spread += "; the queue ran dry"
        error_note = f"; {len(errors)} errors, e.g. {errors[0][:60]}" if errors else ""
        name = f"team {engine} {reps} rep{'s' if reps > 1 else ''}"
        rows.append(Row(f"{name}: outcomes", label, statistics.median(rates), "/s", higher_is_better=True,
                        note=spread + error_note))
        rows.append(Row(f"{name}: claim+log p50", label, statistics.median(p50s), "ms",
                        note=f"runs: {p50s[0]:.1f}–{p50s[-1]:.1f}"))
        rows.append(Row(f"{name}: claim+log p99", label, statistics.median(p99s), "ms",
                        note=f"runs: {p99s[0]:.1f}–{p99s[-1]:.1f}"))
        doubled = sum(r.double_handouts for r in runs)
        missing = sum(r.missing for r in runs)
        rows.append(Row(f"{name}: double hand-outs", label, doubled, "",
                        note=f"must be 0; over {sum(r.outcomes for r in runs):,} hand-outs"))
        rows.append(Row(f"{name}: acknowledged missing", label, missing, "", note="must be 0"))
    return rows


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/team.py", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="N = 1 and 3, 2k prospects, 2 s runs, 1 run each")
    parser.add_argument("--size", default="100k", help="prospects in the data set (default 100k)")
    parser.add_argument("--reps", default=",".join(map(str, TEAM_SIZES)), help="team sizes (default 1,5,20,50)")
    parser.add_argument("--runs", type=int, default=3, help="runs per engine and team size (default 3)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of one run (default 8)")
    parser.add_argument("--pg", metavar="URL", default=os.environ.get("DIALDECK_BENCH_PG") or None,
                        help="also on this PostgreSQL server (a maintenance database where databases may be "
                             "created; default $DIALDECK_BENCH_PG)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.size, args.reps, args.runs, args.seconds = "2000", ",".join(map(str, SMOKE_TEAM_SIZES)), 1, 2.0
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    size = parse_size(args.size)
    team_sizes = tuple(int(n) for n in args.reps.split(",") if n.strip())
    if max(team_sizes) > max(TEAM_SIZES):
        raise SystemExit(f"at most {max(TEAM_SIZES)} reps")
    say(f"team benchmark: {size_label(size)} prospects, reps {team_sizes}, {args.runs} runs of {args.seconds:g} s"
        f"{', PostgreSQL too' if args.pg else ''}")
    began = time.perf_counter()
    results = measure(size, team_sizes, args.runs, args.seconds, args.pg)
    print(text_table(rows_of(results, size)))
    print(f"\n{len(results)} runs in {time.perf_counter() - began:.0f} s on {os.cpu_count()} cores "
          "(shared with other work), Python " + sys.version.split()[0])
    failed = sum(r.double_handouts + r.missing for r in results)
    return 1 if failed else 0


__all__ = ["RunResult", "measure", "percentile", "rows_of", "run_team"]

if __name__ == "__main__":
    sys.exit(main())
