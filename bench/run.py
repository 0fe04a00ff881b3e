"""dialdeck's benchmarks: speed and memory at 10k, 100k and 1M prospects, against raw baselines.

    python bench/run.py                      # 10k, 100k and 1m (first run builds the data: minutes)
    python bench/run.py --sizes 100k         # one size
    python bench/run.py --smoke              # every benchmark at 10k, few iterations (CI)
    python bench/run.py --only due,log       # some benchmarks
    python bench/run.py --only keypress --runs 5   # the keypress five times: its spread
    python bench/run.py --pg postgresql://postgres@127.0.0.1:5432/postgres   # also on PostgreSQL
    python bench/run.py --only team          # the team benchmark (bench/team.py) at 100k

Data sets are generated once and cached in bench/out/ (git-ignored); benchmarks that write
work on a scratch copy. The table is printed and also written to bench/out/last-run.md.
Missing a target does not fail the run (benchmarks are not tests) unless ``--strict``.

With ``--pg URL`` (or ``DIALDECK_BENCH_PG``), a server where the benchmark may create databases,
the due queue, logging and the import also run on PostgreSQL (``bench_postgres``), after the
data set is moved there with ``dialdeck migrate``; its due page's EXPLAIN is printed too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_desk
import bench_due
import bench_import
import baseline_keypress
import bench_keypress
import bench_log
import bench_startup
import generate
from common import out_dir, parse_size, size_label
from report import Row, markdown_table, text_table

BENCHMARKS = ("import", "due", "log", "desk", "keypress", "startup", "team")
KEYPRESS_MAX = 100_000  # the size for the in-app benchmark
DUE_P99_MS = LOG_P99_MS = 5.0
KEYPRESS_P99_MS = 50.0
KEYPRESS_P50_MS = 16.0  # one frame
# Between keys: past one frame, so Textual's frame clock is not what is timed, and past the
# moment a card's counts are read (FIGURES_AFTER_CARD), so that job runs between keys as it
# does for a rep, who reads each card for seconds.
PACE_S = 0.1
KEYPRESS_RUNS = 3  # a figure that moves 2 ms with the machine's mood is reported as a spread
STARTUP_S = 1.5
STARTUP_RSS_MB = 150.0
RSS_GROWTH_MB = 15.0  # "not growing": less than this between the smallest and largest size


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]
    only: tuple[str, ...]
    due_iterations: int
    log_iterations: int
    desk_iterations: int
    presses: int
    startups: int
    pg: str | None = None  # a PostgreSQL server's maintenance-database URL: also run there
    smoke: bool = False
    pace_s: float = PACE_S  # seconds between keys in the keypress benchmark
    keypress_runs: int = 1  # the keypress (and its baseline) measured this many times, in turn


def parse_args(argv: list[str] | None) -> tuple[Plan, bool]:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated sizes (default 10k,100k,1m)")
    parser.add_argument("--smoke", action="store_true", help="every benchmark at 10k, few iterations")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help=f"some of: {','.join(BENCHMARKS)}")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--pace", metavar="SECONDS", type=float, default=PACE_S,
                        help=f"keypress: seconds the rep looks at each card before the next key (default {PACE_S})")
    parser.add_argument("--runs", metavar="N", type=int, default=KEYPRESS_RUNS,
                        help=f"keypress: measure it and its baseline N times, in turn, and report the spread "
                             f"(default {KEYPRESS_RUNS}; --smoke: 1)")
    parser.add_argument("--pg", metavar="URL", default=os.environ.get("DIALDECK_BENCH_PG") or None,
                        help="also run due, log and import on this PostgreSQL server (a maintenance database "
                             "where databases may be created; default $DIALDECK_BENCH_PG)")
    args = parser.parse_args(argv)
    try:
        sizes = (10_000,) if args.smoke else tuple(sorted({parse_size(s) for s in args.sizes.split(",") if s}))
    except ValueError as problem:
        parser.error(str(problem))
    only = tuple(name.strip() for name in args.only.split(",") if name.strip())
    unknown = [name for name in only if name not in BENCHMARKS]
    if unknown or not sizes:
        parser.error(f"unknown benchmark {', '.join(unknown)} (one of {', '.join(BENCHMARKS)})" if unknown
                     else "no sizes given")
    if args.pace < 0:
        parser.error("--pace: a number of seconds, 0 or more")
    if args.runs < 1:
        parser.error("--runs: a whole number, 1 or more")
    if args.smoke:
        return Plan(sizes, only, due_iterations=60, log_iterations=30, desk_iterations=20, presses=15,
                    startups=2, pg=args.pg, smoke=True, pace_s=args.pace), args.strict
    return Plan(sizes, only, due_iterations=1000, log_iterations=500, desk_iterations=200, presses=200,
                startups=5, pg=args.pg, pace_s=args.pace, keypress_runs=args.runs), args.strict


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def timed(label: str, work: Callable[[], object]):
    say(f"  {label} ...")
    began = time.perf_counter()
    result = work()
    say(f"  {label}: {time.perf_counter() - began:.1f} s")
    return result


def run_size(plan: Plan, size: int, rows: list[Row], plans: dict[str, tuple[str, ...]]) -> None:
    label = size_label(size)
    say(f"{label} prospects")
    if "import" in plan.only:
        csv_file = timed(f"CRM file ({label} rows, cached)", lambda: generate.csv_path(size))
        result = timed("import", lambda: bench_import.measure(csv_file, size))
        rows.append(Row("import", label, result.rows_per_s, "rows/s", target=result.baseline_rows_per_s,
                        baseline=result.baseline_rows_per_s, higher_is_better=True,
                        note=f"{result.seconds:.1f} s; {result.ratio:.2f} of the baseline speed (floor 0.70)"))
        rows.append(Row("import peak RSS", label, result.peak_rss_mb, "MB",
                        note=f"{result.start_rss_mb:.0f} MB before reading the file"))
    if plan.pg and set(plan.only) & {"due", "log", "import"}:
        _postgres_benchmarks(plan, size, label, rows, plans)
    if not set(plan.only) & {"due", "log", "desk", "keypress", "startup"}:
        return
    cached = timed(f"database ({label} prospects, cached)", lambda: generate.db_path(size))
    work = out_dir() / f"work-{size_label(size)}.db"
    try:
        _database_benchmarks(plan, size, label, cached, work, rows, plans)
    finally:
        _remove(work)


def _postgres_benchmarks(plan: Plan, size: int, label: str, rows: list[Row], plans: dict[str, tuple[str, ...]]) -> None:
    import bench_postgres  # psycopg: only when asked for

    cached = timed(f"database ({label} prospects, cached)", lambda: generate.db_path(size))
    csv_file = generate.csv_path(size) if "import" in plan.only else None
    pg = timed("PostgreSQL: migrate, due, log, import", lambda: bench_postgres.measure(
        plan.pg, cached, csv_file, size, only=plan.only, due_iterations=plan.due_iterations,
        log_iterations=plan.log_iterations))
    rows.append(Row("PG: migrate from SQLite", label, pg.move.rows / pg.move.seconds, "rows/s", higher_is_better=True,
                    note=f"{pg.move.rows:,} rows in {pg.move.seconds:.1f} s, counted and checksummed both sides"))
    if pg.due is not None:
        plans[f"{label} on PostgreSQL"] = pg.plan
        scans = f"; FULL SCAN: {'; '.join(pg.full_scans)}" if pg.full_scans else "; no full scan"
        rows.append(Row("PG: due queue p50", label, pg.due.p50, "ms"))
        rows.append(Row("PG: due queue p99", label, pg.due.p99, "ms", note=f"page of {pg.page}{scans}"))
    if pg.log is not None:
        rows.append(Row("PG: log outcome p50", label, pg.log.p50, "ms"))
        rows.append(Row("PG: log outcome p99", label, pg.log.p99, "ms",
                        note="commit as the server is set (synchronous_commit, fsync)"))
    if pg.import_rows_per_s is not None:
        rows.append(Row("PG: import", label, pg.import_rows_per_s, "rows/s", higher_is_better=True,
                        note="COPY per block, one transaction"))


def _remove(db_file: Path) -> None:
    for path in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")):
        path.unlink(missing_ok=True)


def fresh_copy(source: Path, target: Path) -> Path:
    """A copy the benchmark may change: each writing benchmark starts from the same data."""
    _remove(target)
    shutil.copyfile(source, target)
    # On disk before timing starts: otherwise the first checkpoint's fsync writes the whole
    # fresh copy and stalls a measured outcome, which no real database has just been copied.
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    return target


def _database_benchmarks(plan: Plan, size: int, label: str, cached: Path, work: Path, rows: list[Row],
                         plans: dict[str, tuple[str, ...]]) -> None:
    fresh_copy(cached, work)
    if "due" in plan.only:
        due = timed("due queue", lambda: bench_due.measure(work, plan.due_iterations))
        plans[label] = due.plan
        scans = f"; FULL SCAN: {'; '.join(due.full_scans)}" if due.full_scans else "; no full scan"
        rows.append(Row("due queue p50", label, due.due.p50, "ms", baseline=due.baseline.p50))
        rows.append(Row("due queue p99", label, due.due.p99, "ms", target=DUE_P99_MS, baseline=due.baseline.p99,
                        note=f"page of {due.page}{scans}"))
    if "startup" in plan.only:
        start = timed("start-up", lambda: bench_startup.measure(work, plan.startups))
        rows.append(Row("start-up to first card", label, start.median_s, "s", target=STARTUP_S,
                        note=f"median of {len(start.seconds)} fresh processes; worst {start.worst_s:.2f} s"))
        rows.append(Row("start-up peak RSS", label, start.peak_rss_mb, "MB", target=STARTUP_RSS_MB))
    if "log" in plan.only:
        fresh_copy(cached, work)
        log = timed("log an outcome", lambda: bench_log.measure(work, plan.log_iterations))
        rows.append(Row("log outcome p50", label, log.log.p50, "ms", baseline=log.baseline.p50))
        rows.append(Row("log outcome p99", label, log.log.p99, "ms", target=LOG_P99_MS, baseline=log.baseline.p99,
                        note="durable commit (WAL, synchronous=FULL)"))
    if "desk" in plan.only:
        fresh_copy(cached, work)
        desk = timed("outcome + next desk (DB thread)", lambda: bench_desk.measure(work, plan.desk_iterations))
        rows.append(Row("outcome + next desk p50", label, desk.latency.p50, "ms"))
        rows.append(Row("outcome + next desk p99", label, desk.latency.p99, "ms",
                        note=f"gateway.log_and_load; queue_summary p50 {desk.summary.p50:.1f} ms"))
    if "keypress" in plan.only and (size <= KEYPRESS_MAX or size == min(plan.sizes)):
        rows.extend(_keypress_rows(plan, label, cached, work))


def _keypress_rows(plan: Plan, label: str, cached: Path, work: Path) -> list[Row]:
    """The keypress and its raw baseline, each ``plan.keypress_runs`` times in turn (so both
    see the same moods of the machine), then keys back to back as often. A target must hold in
    every run: each row's figure is its worst run, paired with that run's baseline, and the
    note gives every run and the spread of the ratio."""
    runs = plan.keypress_runs
    keys, raws, bursts = [], [], []
    for n in range(1, runs + 1):
        of = f" (run {n} of {runs})" if runs > 1 else ""
        fresh_copy(cached, work)
        keys.append(timed(f"keypress to next prospect{of}",
                          lambda: bench_keypress.measure(work, plan.presses, pace_s=plan.pace_s)))
        fresh_copy(cached, work)
        raws.append(timed(f"keypress baseline (bare Textual + raw sqlite3){of}",
                          lambda: baseline_keypress.measure(work, plan.presses, pace_s=plan.pace_s)))
    for n in range(1, runs + 1):
        fresh_copy(cached, work)
        bursts.append(timed(f"keys back to back{f' (run {n} of {runs})' if runs > 1 else ''}",
                            lambda: bench_keypress.measure(work, plan.presses)).latency)
    paced = [result.latency for result in keys]
    last = keys[-1]
    about = (f"real app under Pilot, {len(last.latency.samples)} keys {plan.pace_s * 1000:.0f} ms apart, "
             f"{last.distinct} prospects; baseline: the same screen in a bare Textual app over raw SQL")
    return [
        _worst_run("keypress → next card p50", label, [k.p50 for k in paced], [r.p50 for r in raws],
                   KEYPRESS_P50_MS),
        _worst_run("keypress → next card p99", label, [k.p99 for k in paced], [r.p99 for r in raws],
                   KEYPRESS_P99_MS, about),
        _worst_run("keys back to back p50", label, [b.p50 for b in bursts], None, None,
                   "the next key as soon as the card is drawn: one redraw a frame, 16.7 ms at least"),
        _worst_run("keys back to back p99", label, [b.p99 for b in bursts], None, KEYPRESS_P99_MS),
    ]


def _worst_run(name: str, label: str, figures: list[float], baselines: list[float] | None,
               target: float | None, note: str = "") -> Row:
    """One row for several runs of a figure: the worst run (with its own run's baseline), and
    every run in the note."""
    worst = max(range(len(figures)), key=figures.__getitem__)
    if len(figures) > 1:
        spread = f"runs: {', '.join(f'{f:.1f}' for f in figures)} ms"
        if baselines is not None:
            ratios = [f / b for f, b in zip(figures, baselines, strict=True) if b]
            spread += f" (× baseline {min(ratios):.2f}–{max(ratios):.2f})"
        note = f"{spread}; {note}" if note else spread
    return Row(name, label, figures[worst], "ms", target=target,
               baseline=baselines[worst] if baselines is not None else None, note=note)


def _team_rows(plan: Plan) -> list[Row]:
    """The team benchmark (``team.py``): its own sizes, reps in processes, both engines."""
    import team

    smoke = team.parse_args(["--smoke"] if plan.smoke else [])
    size = parse_size(smoke.size)
    say(f"team benchmark: {size_label(size)} prospects, reps {smoke.reps}")
    results = team.measure(size, tuple(int(n) for n in smoke.reps.split(",")), smoke.runs, smoke.seconds, plan.pg)
    return team.rows_of(results, size)


def growth_rows(rows: list[Row]) -> list[Row]:
    """Peak memory from the smallest to the largest size: it must not grow with the data."""
    found = []
    for name in ("import peak RSS", "start-up peak RSS"):
        series = [r for r in rows if r.benchmark == name]
        if len(series) >= 2:
            first, last = series[0], series[-1]
            found.append(Row(f"{name} growth", f"{first.size}→{last.size}", max(last.figure - first.figure, 0.01),
                             "MB", target=RSS_GROWTH_MB, note=f"{first.figure:.0f} → {last.figure:.0f} MB"))
    return found


def main(argv: list[str] | None = None) -> int:
    plan, strict = parse_args(argv)
    say(f"dialdeck benchmarks: sizes {', '.join(size_label(s) for s in plan.sizes)}; {', '.join(plan.only)}")
    began = time.perf_counter()
    rows: list[Row] = []
    plans: dict[str, tuple[str, ...]] = {}
    for size in plan.sizes:
        run_size(plan, size, rows, plans)
    if "team" in plan.only:
        rows.extend(_team_rows(plan))
    rows.extend(growth_rows(rows))
    elapsed = time.perf_counter() - began
    print(text_table(rows))
    sqlite_plans = [name for name in plans if not name.endswith("on PostgreSQL")]
    if sqlite_plans:
        largest = sqlite_plans[-1]
        print(f"\nEXPLAIN QUERY PLAN of the due page at {largest} (services.explain_due):")
        print("\n".join(f"  {line}" for line in plans[largest]))
    pg_plans = [name for name in plans if name.endswith("on PostgreSQL")]
    if pg_plans:
        largest = pg_plans[-1]
        print(f"\nEXPLAIN of the due page at {largest} (services.explain_due):")
        print("\n".join(f"  {line}" for line in plans[largest]))
    print(f"\n{len(rows)} figures in {elapsed:.0f} s on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    (out_dir() / "last-run.md").write_text(markdown_table(rows) + "\n", encoding="utf-8")
    missed = [r for r in rows if r.met is False]
    return 1 if strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
