"""A big import parses in worker processes: the database must not be able to tell.

Worker processes only start for big files (about 20k rows), so these tests force them on a
small file (``workers=2``) with small blocks, so rows, duplicates and errors fall in many
blocks handled by different processes.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path

import pytest

from dialdeck import parallel_parse, services
from dialdeck.errors import ImportFileError
from dialdeck.store import open_store

CADENCES = ("zero-to-ten", "money-in-follow-up", "follow-up-series", "voicemail-challenge", "three-step")
US_AREAS = (("212", "America/New_York"), ("305", ""), ("415", "America/Los_Angeles"), ("312", ""),
            ("720", "America/Denver"), ("602", ""), ("206", ""), ("801", "America/Denver"))


def _number(index: int) -> tuple[str, str]:
    """A valid number, distinct for each index below 2000, and the zone a CRM might give for it
    ('' = let the number decide)."""
    kind, serial = index % 7, index // 7
    if kind < 3:
        slot = serial * 3 + kind
        area, zone = US_AREAS[slot % len(US_AREAS)]
        line = slot // len(US_AREAS)
        return (f"({area}) 555-01{line:02d}" if index % 2 else f"+1 {area} 555 01{line:02d}"), zone
    if kind == 3:
        return f"+44 20 7946 {serial:04d}", ""
    if kind == 4:
        return f"+61 2 5550 {serial:04d}", "Australia/Sydney"
    if kind == 5:
        return f"+49 30 23125 {serial:03d}", ""
    # Toll-free: no zone, so the rep's zone and a warning.
    return f"+1 {('800', '888', '877')[serial % 3]} 555 01{serial // 3:02d}", ""


def crm_rows(count: int) -> list[dict[str, str]]:
    rows = []
    for index in range(count):
        phone, zone = _number(index)
        cadence = CADENCES[index % len(CADENCES)]
        rows.append({
            "First Name": f"Ann{index}", "Last Name": "Lee", "Company Name": f"Co {index % 13}",
            "Phone Number": phone, "E-mail": f"ann{index}@co{index % 13}.example", "Time Zone": zone,
            "Lead Temperature": ("Warm", "Cold", "", "Hot")[index % 4],
            "Deal Value": ("", "$12,500", "800", "42000")[index % 4], "Cadence": cadence,
            "Referred By": "Gil Shaw" if cadence == "voicemail-challenge" else "",
            "Appointment Time": f"2026-11-{24 + index % 3} {9 + index % 8:02d}:30"
            if cadence in ("three-step", "follow-up-series") else "",
            "Notes": "asked for pricing" if index % 9 == 0 else "",
        })
    return rows


def with_repeats(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Later rows that must merge into earlier ones: same number, and same e-mail with a new number."""
    same_phone = {**rows[10], "Company Name": "Renamed Co", "Lead Temperature": "", "Notes": "second note"}
    same_email = {**rows[250], "Phone Number": "+33 1 23 45 67 89", "Time Zone": ""}
    return [*rows, same_phone, same_email]


def dump(db) -> dict[str, list[tuple]]:
    conn = db.conn
    return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("prospects", "enrollments", "hours_keys", "dnc", "attempts")}


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(parallel_parse, "BLOCK_ROWS", 97)  # an odd size: blocks end mid-pattern


def import_both(tmp_path: Path, path: Path, now: datetime, *, prepare=None, **options):
    """The same import single-process and with two workers: (report, dump) for each."""
    results = []
    for workers in (0, 2):
        db = open_store(tmp_path / f"workers-{workers}.db")
        if prepare:
            prepare(db)
        try:
            report = services.import_csv(db, path, now=now, workers=workers, **options)
            results.append((report, dump(db)))
        finally:
            db.close()
    return results


def test_parallel_import_writes_exactly_what_a_single_process_writes(tmp_path, write_csv, now, small_blocks):
    path = write_csv(with_repeats(crm_rows(900)))
    (single_report, single), (parallel_report, parallel) = import_both(tmp_path, path, now)
    assert parallel == single
    assert parallel_report == single_report
    # The file really exercised the interesting paths, in both.
    assert (single_report.created, single_report.updated) == (900, 2)
    assert any("rep's zone" in warning for warning in single_report.warnings)
    assert {row[2] for row in single["enrollments"]} == set(CADENCES)
    renamed = next(row for row in single["prospects"] if row[0] == 11)
    assert renamed[3] == "Renamed Co" and renamed[16] == "second note"


def test_a_reimport_over_existing_prospects_and_the_dnc_list_is_the_same_too(tmp_path, write_csv, now,
                                                                            small_blocks):
    first = write_csv(crm_rows(300), name="first.csv")
    second = write_csv(with_repeats(crm_rows(600)), name="second.csv")

    def prepare(db):
        services.import_csv(db, first, now=now, workers=0)
        with db.writing() as tx:
            tx.dnc_insert("+442079460003", "2026-11-01T00:00:00+00:00", "asked")
            tx.dnc_insert("+442079460500", "2026-11-01T00:00:00+00:00", "asked")

    (single_report, single), (parallel_report, parallel) = import_both(tmp_path, second, now, prepare=prepare)
    assert parallel == single
    assert parallel_report == single_report
    assert (single_report.created, single_report.updated) == (300, 302)
    assert single_report.skipped_dnc == 1  # the new number on the list; the old one was enrolled before


def test_bad_rows_in_any_block_name_line_and_field_and_nothing_is_written(tmp_path, write_csv, now,
                                                                         small_blocks):
    rows = crm_rows(500)
    rows[3]["Phone Number"] = "12"  # line 5, first block
    rows[250]["Deal Value"] = "lots"  # line 252, a middle block
    rows[498]["Time Zone"] = "Mars/Olympus"  # line 500, the last block
    path = write_csv(rows)
    failures = []
    for workers in (0, 2):
        db = open_store(tmp_path / f"bad-{workers}.db")
        with pytest.raises(ImportFileError) as caught:
            services.import_csv(db, path, now=now, workers=workers)
        assert db.conn.execute("SELECT count(*) FROM prospects").fetchone()[0] == 0
        assert db.conn.execute("SELECT count(*) FROM enrollments").fetchone()[0] == 0
        db.close()
        failures.append((str(caught.value), caught.value.problems))
    assert failures[0] == failures[1]
    message, problems = failures[1]
    assert message == "3 rows are invalid; nothing was imported"
    assert [p.split(":")[:2] for p in problems] == [["line 5", " phone"], ["line 252", " value"],
                                                    ["line 500", " timezone"]]
    assert "'lots'" in problems[1] and "Mars/Olympus" in problems[2]


def test_skip_invalid_keeps_the_good_rows_and_the_same_rejects(tmp_path, write_csv, now, small_blocks):
    rows = crm_rows(400)
    rows[120]["Phone Number"] = "not a number"
    path = write_csv(rows)
    results = []
    for workers in (0, 2):
        db = open_store(tmp_path / f"skip-{workers}.db")
        report = services.import_csv(db, path, now=now, workers=workers, skip_invalid=True)
        results.append((report, dump(db), Path(report.rejected_file).read_text()))
        db.close()
    assert results[0] == results[1]
    report, _, rejects = results[1]
    assert (report.created, report.rejected) == (399, 1)
    assert "not a number" in rejects and ",122,phone," in rejects


def test_a_file_that_breaks_midway_is_refused_and_nothing_is_kept(tmp_path, write_csv, now, small_blocks):
    path = write_csv(crm_rows(400))
    path.write_bytes(path.read_bytes() + b"Jos\xe9,Lee,Co,(212) 555-0199\n")
    messages = []
    for workers in (0, 2):
        db = open_store(tmp_path / f"broken-{workers}.db")
        with pytest.raises(ImportFileError, match=r"not UTF-8 text \(near line \d+\)") as caught:
            services.import_csv(db, path, now=now, workers=workers)
        assert db.conn.execute("SELECT count(*) FROM prospects").fetchone()[0] == 0
        db.close()
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


# --- the parallel machinery itself ---------------------------------------------------------------

def _double(line: int, cells: list[str]) -> list:
    return [(line, os.getpid(), cells[0] * 2)]


_PARENT = os.getpid()


def _die_in_worker_at_line_300(line: int, cells: list[str]) -> list:
    if line == 300 and os.getpid() != _PARENT:
        os._exit(1)  # a worker killed mid-import (out of memory, kill -9)
    return [(line, cells[0])]


def rows_of(count: int):
    return ((line, [f"r{line}"]) for line in range(1, count + 1))


def test_rows_come_back_in_file_order_from_worker_processes():
    results = [item for block in parallel_parse.parsed_blocks(_double, rows_of(1000), workers=2, block_rows=64)
               for item in block]
    assert [(line, text) for line, _, text in results] == [(n, f"r{n}r{n}") for n in range(1, 1001)]
    assert os.getpid() not in {pid for _, pid, _ in results}  # parsed elsewhere


def test_reading_waits_for_the_workers_so_memory_stays_flat():
    read = 0

    def counted():
        nonlocal read
        for item in rows_of(2000):
            read += 1
            yield item

    blocks = parallel_parse.parsed_blocks(_double, counted(), workers=2, block_rows=50)
    ahead = []
    for taken, _ in enumerate(blocks, start=1):
        ahead.append(read - taken * 50)
    # Never more than the in-flight limit (plus the block being read) ahead of the writer.
    assert max(ahead) <= (2 * parallel_parse.IN_FLIGHT_PER_WORKER + 1) * 50


def test_a_dead_worker_costs_speed_not_rows():
    results = [item for block in parallel_parse.parsed_blocks(_die_in_worker_at_line_300, rows_of(1000),
                                                              workers=2, block_rows=64)
               for item in block]
    assert results == [(n, f"r{n}") for n in range(1, 1001)]


def test_small_files_and_threaded_callers_parse_in_this_process():
    assert parallel_parse.worker_count(100_000) == 0  # a few hundred rows: not worth a process
    assert parallel_parse.worker_count(100_000, requested=1) == 0
    assert parallel_parse.worker_count(100_000, requested=3) == 3
    if len(os.sched_getaffinity(0)) > 1:
        assert parallel_parse.worker_count(50_000_000) == len(os.sched_getaffinity(0))

    # Forking while another thread runs can copy a lock it holds into the child: never done.
    seen = []
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        seen.append(parallel_parse.worker_count(50_000_000, requested=2))
        blocks = parallel_parse.parsed_blocks(_double, rows_of(10), workers=2)
        seen.append({pid for block in blocks for _, pid, _ in block})
    finally:
        stop.set()
        other.join()
    assert seen == [0, {os.getpid()}]


def test_a_repeated_contact_in_one_file_is_named_with_both_lines_on_the_bulk_path(db, write_csv, now) -> None:
    path = write_csv([
        {"First Name": "Ana", "Last Name": "Souza", "Phone Number": "+1 312 555 0101", "E-mail": "ana@example.com"},
        {"First Name": "Ben", "Last Name": "Ode", "Phone Number": "+1 312 555 0102", "E-mail": "ben@example.com"},
        {"First Name": "Ana", "Last Name": "Souza-Lima", "Phone Number": "+1 312 555 0101"},
        {"First Name": "Benjamin", "Last Name": "Ode", "Phone Number": "+1 312 555 0199", "E-mail": "BEN@example.com"},
    ])
    for workers in (0, 2):
        report = services.import_csv(db, path, now=now, workers=workers)
        assert "line 4: same phone as line 2 (+13125550101); the later row updates the earlier" in report.warnings
        assert "line 5: same email as line 3 (ben@example.com); the later row updates the earlier" in report.warnings
