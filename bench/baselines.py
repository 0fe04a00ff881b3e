"""The raw baselines: the same unavoidable work as each dialdeck path, with nothing of dialdeck.

- import: read the CSV, parse every number with phonenumbers (parse, validate, E.164, time-zone
  lookup) and insert the rows with plain ``sqlite3.executemany`` in one transaction, one process;
- due queue: the same SQL statements the store runs for one page (promises, then the overdue and
  today tiers, then the page's rows), given the open calling windows, with no Python objects;
- log an outcome: one attempt inserted and one enrollment updated in one durable transaction.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneNumberFormat
from phonenumbers import timezone as phone_zones

# --- import -----------------------------------------------------------------------------------

_RAW_TABLE = """
CREATE TABLE people (
    id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, company TEXT, phone_e164 TEXT,
    phone_raw TEXT, email TEXT, timezone TEXT, temperature TEXT, value TEXT, cadence TEXT,
    referrer TEXT, referrer_company TEXT, appointment TEXT, notes TEXT
)
"""


def _raw_rows(path: Path, region: str) -> Iterator[tuple]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for first, last, company, phone, email, zone, temp, value, cadence, ref, ref_co, appt, notes in reader:
            number = phonenumbers.parse(phone, region)
            if not phonenumbers.is_valid_number(number):
                continue
            e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            zones = phone_zones.time_zones_for_number(number)
            yield (first, last, company, e164, phone, email, zone or zones[0], temp, value, cadence, ref,
                   ref_co, appt, notes)


def raw_import(csv_file: Path, db_file: Path, *, region: str = "US") -> int:
    """Rows written by the baseline import of ``csv_file`` into a fresh ``db_file``."""
    conn = sqlite3.connect(db_file, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(_RAW_TABLE)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO people (first_name, last_name, company, phone_e164, phone_raw, email, timezone, "
            "temperature, value, cadence, referrer, referrer_company, appointment, notes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _raw_rows(csv_file, region))
        conn.execute("COMMIT")
        return conn.execute("SELECT count(*) FROM people").fetchone()[0]
    finally:
        conn.close()


# --- the due queue ----------------------------------------------------------------------------

def _marks(count: int) -> str:
    return ",".join("?" * count)


SORT_LIMIT = 2000  # the store's threshold between sorting a small due set and walking the order


def raw_due(conn: sqlite3.Connection, open_keys: Sequence[str], now_iso: str, today_iso: str,
            limit: int = 50) -> list[tuple]:
    """One page of the due queue, in calling order, as bare tuples (the store's own statements)."""
    keys = list(open_keys)
    marks = _marks(len(keys))
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM enrollments INDEXED BY ix_due_pinned WHERE status = 'active' AND pinned = 1 "
        f"AND next_due_at <= ? AND hours_key IN ({marks}) ORDER BY next_due_at, prospect_id LIMIT ?",
        [now_iso, *keys, limit])]
    tier = (f"status = 'active' AND pinned = 0 AND hours_key IN ({marks}) "
            "AND next_due_at >= ? AND next_due_at < ?")
    for lo, hi in (("", today_iso), (today_iso, now_iso + "\x7f")):
        if len(ids) >= limit:
            break
        params = [*keys, lo, hi]
        due = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM enrollments INDEXED BY ix_due_zone "
                           f"WHERE {tier} LIMIT ?)", [*params, SORT_LIMIT]).fetchone()[0]
        index = "ix_due_zone" if due < SORT_LIMIT else "ix_due_order"
        ids += [r[0] for r in conn.execute(
            f"SELECT id FROM enrollments INDEXED BY {index} WHERE {tier} "
            "ORDER BY temp_rank, value DESC, next_due_at, prospect_id LIMIT ?", [*params, limit - len(ids)])]
    if not ids:
        return []
    rows = {r[0]: r for r in conn.execute(
        "SELECT e.id, e.prospect_id, p.first_name, p.last_name, p.company, p.phone_e164, p.timezone, "
        "e.cadence, e.step_index, e.next_due_at, e.pinned, p.temperature, e.value "
        f"FROM enrollments e JOIN prospects p ON p.id = e.prospect_id WHERE e.id IN ({_marks(len(ids))})", ids)}
    return [rows[i] for i in ids]


# --- log an outcome ---------------------------------------------------------------------------

def raw_log(conn: sqlite3.Connection, enrollment_id: int, prospect_id: int, at_iso: str,
            next_due_iso: str) -> None:
    """Insert an attempt and advance the enrollment, one durable transaction (WAL, FULL sync)."""
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO attempts (prospect_id, enrollment_id, cadence, step, action, outcome, at, note, "
        "prev_state) SELECT prospect_id, id, cadence, step_index + 1, 'call', 'voicemail', ?, '', '{}' "
        "FROM enrollments WHERE id = ?", [at_iso, enrollment_id])
    conn.execute(
        "UPDATE enrollments SET step_index = step_index + 1, next_due_at = ?, updated_at = ? WHERE id = ?",
        [next_due_iso, at_iso, enrollment_id])
    conn.execute("COMMIT")
