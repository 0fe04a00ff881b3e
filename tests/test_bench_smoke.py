"""The benchmark's pieces, small: data that imports cleanly, a database the services can work,
and a table that flags what misses its target. (CI also runs ``bench/run.py --smoke``.)"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import baseline_keypress  # noqa: E402
import bench_due  # noqa: E402
import generate  # noqa: E402
import run  # noqa: E402
from common import NOW, parse_size, percentile  # noqa: E402
from report import Row, markdown_table, text_table  # noqa: E402

from dialdeck import services, store  # noqa: E402


@pytest.fixture(scope="module")
def small_db(tmp_path_factory) -> Path:
    return generate.build_db(tmp_path_factory.mktemp("bench") / "small.db", 1200)


def test_sizes_read_as_people_count():
    assert parse_size("10k") == 10_000
    assert parse_size("1m") == 1_000_000
    assert parse_size("2500") == 2500
    with pytest.raises(ValueError, match="'ten'"):
        parse_size("ten")


def test_p99_of_few_samples_is_the_worst_one():
    samples = [1.0] * 98 + [2.0, 50.0]
    assert percentile(samples, 99) == 2.0
    assert percentile(samples[:10] + [50.0], 99) == 50.0
    assert percentile(samples, 50) == 1.0


def test_generated_crm_file_imports_every_row(tmp_path):
    path = generate.write_csv(tmp_path / "crm.csv", 300)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len({row["Phone Number"] for row in rows}) == 300
    assert {row["Cadence"] for row in rows} == set(generate.CADENCE_WEIGHTS)
    db = store.open_store(tmp_path / "import.db")
    report = services.import_csv(db, path, now=NOW)
    assert (report.created, report.enrolled, report.rejected) == (300, 300, 0)
    regions = {r[0] for r in db.conn.execute("SELECT DISTINCT region FROM prospects")}
    assert len(regions) >= 8  # many countries, not one


def test_built_database_matches_what_an_import_would_store(small_db, tmp_path):
    db = store.open_store(small_db)
    try:
        (e164, zone, source, key) = db.conn.execute(
            "SELECT p.phone_e164, p.timezone, p.tz_source, e.hours_key FROM prospects p "
            "JOIN enrollments e ON e.prospect_id = p.id WHERE p.tz_source = 'number' LIMIT 1").fetchone()
    finally:
        db.close()
    from dialdeck import phones

    info = phones.parse_phone(e164, "US")
    assert info.zone == zone and source == "number"
    assert key.endswith(f"|{zone}")


def test_built_database_has_work_due_and_takes_outcomes(small_db, tmp_path):
    work = tmp_path / "work.db"
    work.write_bytes(small_db.read_bytes())
    db = store.open_store(work)
    try:
        page = services.due(db, NOW, limit=50)
        assert len(page) == 50
        call = next(item for item in page if item.action == "call")
        result = services.log_outcome(db, call.prospect_id, "voicemail", NOW)
        assert result.attempt_id is not None
        assert all(item.prospect_id != call.prospect_id for item in services.due(db, NOW, limit=50))
    finally:
        db.close()


def test_due_benchmark_reports_the_plan_without_full_scans(small_db, tmp_path):
    work = tmp_path / "work.db"
    work.write_bytes(small_db.read_bytes())
    result = bench_due.measure(work, 5)
    assert result.page == 50
    assert any("ix_due_" in line for line in result.plan)
    assert result.full_scans == ()
    assert bench_due.full_scans(("walk: SCAN enrollments",)) == ("walk: SCAN enrollments",)


def test_the_keypress_baseline_logs_each_key_and_shows_the_next_prospect(small_db, tmp_path):
    """The raw baseline does the visible job of a key: one attempt written, the logged prospect
    gone from the page it shows next."""
    work = tmp_path / "work.db"
    work.write_bytes(small_db.read_bytes())
    latency = baseline_keypress.measure(work, 5)
    assert len(latency.samples) == 5 and all(sample > 0 for sample in latency.samples)
    db = store.open_store(work)
    try:
        logged = [row[0] for row in db.conn.execute("SELECT prospect_id FROM attempts WHERE at >= ?",
                                                     [NOW.isoformat()[:19]])]
        assert len(logged) == 8  # the 5 timed keys and 3 that warm up first
        assert not set(logged) & {item.prospect_id for item in services.due(db, NOW, limit=50)}
    finally:
        db.close()


def test_the_postgresql_benchmark_moves_the_data_and_reads_the_queue_from_its_indexes(small_db, pg, tmp_path):
    import bench_postgres

    csv_file = generate.write_csv(tmp_path / "crm.csv", 300)
    result = bench_postgres.measure(pg.admin_url, small_db, csv_file, 300, only=("due", "log", "import"),
                                    due_iterations=5, log_iterations=5)
    assert result.move.rows > 1200 * 2  # prospects and enrollments at least, every table counted
    assert result.page == 50 and len(result.due.samples) == 5 and len(result.log.samples) >= 2
    assert any("using ix_due_order" in line for line in result.plan) and result.full_scans == ()
    assert result.import_rows_per_s > 0


def test_table_flags_a_missed_target():
    rows = [Row("due queue p99", "1m", 7.5, "ms", target=5.0, baseline=0.5),
            Row("import", "1m", 15_000, "rows/s", target=30_000, baseline=30_000, higher_is_better=True)]
    text = text_table(rows)
    assert "MISSED" in text and "15.00×" in text and "2.00×" in text
    assert "**no**" in markdown_table(rows)
    assert Row("log", "1m", 1.0, "ms", target=5.0).met is True
    assert Row("keypress p50", "10k", 16.0, "ms", target=16.0).met is False  # the target reads "< 16.0 ms"
    assert Row("import", "1m", 30_000, "rows/s", target=30_000, higher_is_better=True).met is True  # "≥"


def test_several_keypress_runs_report_the_worst_and_the_spread():
    """A target holds only if it holds in every run: the row is the worst run, beside that run's
    own baseline, and the note lists every run."""
    row = run._worst_run("keypress → next card p50", "10k", [15.2, 16.4, 15.8], [12.0, 13.0, 12.5], 16.0)
    assert (row.figure, row.baseline, row.met) == (16.4, 13.0, False)
    assert row.note.startswith("runs: 15.2, 16.4, 15.8 ms (× baseline 1.26–1.27)")
    assert run._worst_run("keys back to back p50", "10k", [16.7], None, None).note == ""
    assert run.parse_args(["--only", "keypress", "--runs", "5"])[0].keypress_runs == 5
    assert run.parse_args(["--smoke"])[0].keypress_runs == 1


def test_the_team_benchmark_hands_no_prospect_to_two_reps_and_loses_nothing(tmp_path):
    import team

    path = generate.build_db(tmp_path / "team.db", 600)
    db = store.open_store(path)
    try:
        for i in (1, 2, 3):
            services.add_rep(db, team.REP_NAME.format(i), NOW)
    finally:
        db.close()
    result = team.run_team(str(path), "SQLite", 3, 1.5)
    assert result.outcomes > 0 and not result.errors
    assert (result.double_handouts, result.missing) == (0, 0)
    rows = {row.benchmark: row for row in team.rows_of([result], 600)}
    assert rows["team SQLite 3 reps: double hand-outs"].figure == 0


def test_overlapping_hand_outs_of_one_prospect_are_counted():
    import team

    def handout(rep: int, began: float, logged: float) -> team.Handout:
        return team.Handout(rep, 7, began, began + 0.001, logged, 1)

    assert team._double_handouts([handout(1, 0.0, 1.0), handout(2, 0.5, 1.5)]) == 1
    assert team._double_handouts([handout(1, 0.0, 1.0), handout(2, 1.2, 1.5)]) == 0


def test_a_prospect_handed_on_at_its_next_step_is_not_a_double_hand_out():
    """Rep 2's claim began before rep 1's outcome was acknowledged but ended after it was
    committed: it was handed the step that outcome moved the prospect to."""
    import team

    first = team.Handout(1, 7, 0.0, 0.001, 1.0, 1, ("zero-to-ten", 3))
    handed_on = team.Handout(2, 7, 0.5, 1.001, 1.5, 2, ("zero-to-ten", 4))
    held_too = team.Handout(2, 7, 0.5, 0.501, 1.5, 2, ("zero-to-ten", 3))
    assert team._double_handouts([first, handed_on]) == 0
    assert team._double_handouts([first, held_too]) == 1
