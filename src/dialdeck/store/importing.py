"""Writing an imported CSV: upsert prospects by E.164 then e-mail, enroll the new ones.

The importer's rows are consumed as a stream in chunks; each chunk costs a few set-based
lookups and ``executemany`` writes, all inside one transaction, so memory stays flat and a
failure anywhere leaves the database as it was.

Re-import rules (where the issue is silent, the choice is written here):
- a blank cell never erases what is stored; a non-blank one replaces it;
- notes from the file are appended to the stored notes unless already there (the rep's own
  notes survive re-imports);
- a zone the file or the number gave is not replaced by the rep-zone fallback;
- a prospect is never enrolled twice in the same cadence (whatever that enrollment's status),
  never while live in another cadence (kept as is, with a warning), and never when the number
  is on the do-not-call list.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from dialdeck import importer, schedule
from dialdeck.clock import from_iso, to_iso
from dialdeck.errors import ImportFileError
from dialdeck.hours import hours_key
from dialdeck.models import ImportReport, RepProfile
from dialdeck.store import records, windows
from dialdeck.store.db import write_tx

CHUNK = 2000
MAX_WARNINGS = 200
RECENT_CALLS = timedelta(days=8)

_PROSPECT_COLUMNS = (
    "id", "first_name", "last_name", "company", "phone_e164", "phone_raw", "email", "timezone", "tz_source",
    "region", "subdivision", "temperature", "value", "referrer", "referrer_company", "appointment_at", "notes",
    "created_at", "updated_at",
)
_INSERT_PROSPECT = (
    f"INSERT INTO prospects ({', '.join(_PROSPECT_COLUMNS)}) VALUES ({', '.join('?' * len(_PROSPECT_COLUMNS))})"
)
_UPDATE_PROSPECT = (
    "UPDATE prospects SET " + ", ".join(f"{c} = ?" for c in _PROSPECT_COLUMNS[1:-2]) + ", updated_at = ? WHERE id = ?"
)
_ENROLLMENT_COLUMNS = ("prospect_id", "cadence", "step_index", "status", "next_due_at", "pinned", "retries",
                       "hours_key", "temp_rank", "value", "created_at", "updated_at")
_INSERT_ENROLLMENT = (
    f"INSERT INTO enrollments ({', '.join(_ENROLLMENT_COLUMNS)}) VALUES ({', '.join('?' * len(_ENROLLMENT_COLUMNS))})"
)


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    enrolled: int = 0
    skipped_dnc: int = 0
    warnings: list[str] = field(default_factory=list)
    dropped_warnings: int = 0

    def warn(self, text: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)
        else:
            self.dropped_warnings += 1


@dataclass
class _Pending:
    """One prospect touched by this chunk: its merged record, whether new, its cadence, line."""

    record: dict
    new: bool
    cadence: str
    line: int


@dataclass
class ImportRun:
    lib: dict
    profile: RepProfile
    default_cadence: str
    now: datetime
    region: str
    _memo: dict = field(default_factory=dict, repr=False)

    def execute(self, db: Database, path: Path, *, skip_invalid: bool) -> ImportReport:
        items = importer.iter_prospects(path, default_region=self.region, rep_zone=self.profile.timezone,
                                        known_cadences=list(self.lib))
        errors: list[importer.RowError] = []
        tally = _Tally()
        with write_tx(db):
            conn = db.conn
            next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM prospects").fetchone()[0]
            for chunk in _chunks(items, CHUNK):
                rows = []
                for item in chunk:
                    if isinstance(item, importer.RowError):
                        errors.append(item)
                    else:
                        rows.append(item)
                if errors and not skip_invalid:
                    continue  # keep reading to report every bad row; nothing will be kept
                next_id = self._write_chunk(conn, rows, next_id, tally)
            bad_lines = len({e.line for e in errors})
            if errors and not skip_invalid:
                raise ImportFileError(
                    f"{bad_lines} row{'s are' if bad_lines != 1 else ' is'} invalid; nothing was imported",
                    problems=[str(e) for e in errors])
        rejected_file = str(importer.write_rejects(path, errors)) if errors else None
        warnings = tally.warnings + ([f"... and {tally.dropped_warnings} more warnings"] if tally.dropped_warnings else [])
        return ImportReport(created=tally.created, updated=tally.updated, enrolled=tally.enrolled,
                            skipped_dnc=tally.skipped_dnc, rejected=bad_lines, rejected_file=rejected_file,
                            warnings=tuple(warnings))

    # --- one chunk ---------------------------------------------------------------------------

    def _write_chunk(self, conn: sqlite3.Connection, rows: list, next_id: int, tally: _Tally) -> int:
        pending, next_id = self._merge(conn, rows, next_id, tally)
        updates = [p.record for p in pending.values() if not p.new]
        inserts = [p.record for p in pending.values() if p.new]
        # Updates first: a prospect whose number changed frees its old number for a new one.
        conn.executemany(_UPDATE_PROSPECT, [
            [r[c] for c in _PROSPECT_COLUMNS[1:-2]] + [r["updated_at"], r["id"]] for r in updates])
        conn.executemany(_INSERT_PROSPECT, [[r[c] for c in _PROSPECT_COLUMNS] for r in inserts])
        self._refresh_queue_columns(conn, updates)
        self._enroll(conn, list(pending.values()), tally)
        return next_id

    def _merge(self, conn: sqlite3.Connection, rows: list, next_id: int,
               tally: _Tally) -> tuple[dict[int, _Pending], int]:
        """Match each row to a stored or earlier prospect (E.164, then e-mail), merging fields."""
        by_phone = records.prospects_by_phones(conn, list({r.phone.e164 for r in rows}))
        by_email = records.prospects_by_emails(conn, list({r.email.lower() for r in rows if r.email}))
        pending: dict[int, _Pending] = {}
        stamp = to_iso(self.now)
        for row in rows:
            for text in row.warnings:
                tally.warn(text)
            email = row.email.lower()
            match = by_phone.get(row.phone.e164) or (by_email.get(email) if email else None)
            if match is None:
                record = _new_record(row, next_id, stamp)
                pending[next_id] = _Pending(record, True, row.cadence or self.default_cadence, row.line)
                next_id += 1
                tally.created += 1
            else:
                record = _merged(match, row, stamp)
                earlier = pending.get(record["id"])
                pending[record["id"]] = _Pending(record, earlier.new if earlier else False,
                                                 row.cadence or self.default_cadence, row.line)
                tally.updated += 1
                if match["phone_e164"] != record["phone_e164"]:
                    by_phone.pop(match["phone_e164"], None)
            by_phone[record["phone_e164"]] = record
            if record["email"]:
                by_email[record["email"]] = record
        return pending, next_id

    def _refresh_queue_columns(self, conn: sqlite3.Connection, updates: list[dict]) -> None:
        """A re-import can change the zone, temperature or value the due queue's index carries."""
        keys = {_key(r) for r in updates}
        conn.executemany("INSERT OR IGNORE INTO hours_keys(key) VALUES (?)", [[k] for k in keys])
        conn.executemany(
            "UPDATE enrollments SET hours_key = ?, temp_rank = ?, value = ? "
            "WHERE prospect_id = ? AND status IN ('active', 'connected')",
            [[_key(r), _temp_rank(r), r["value"], r["id"]] for r in updates])

    def _enroll(self, conn: sqlite3.Connection, pending: list[_Pending], tally: _Tally) -> None:
        existing_ids = [p.record["id"] for p in pending if not p.new]
        history = records.enrolled_cadences(conn, existing_ids)
        calls = _recent_calls(conn, existing_ids, to_iso(self.now - RECENT_CALLS))
        blocked = records.dnc_among(conn, (p.record["phone_e164"] for p in pending))
        base = windows.base_window(self.profile)
        guard = schedule.Guardrails(cooldown=timedelta(minutes=self.profile.cooldown_minutes),
                                    max_per_day=self.profile.max_per_day)
        new_rows, keys = [], set()
        stamp = to_iso(self.now)
        for item in pending:
            record = item.record
            past = history.get(record["id"], [])
            if record["phone_e164"] in blocked:
                tally.skipped_dnc += 1
                continue
            if any(cadence == item.cadence for cadence, _ in past):
                continue
            live = [cadence for cadence, status in past if status in records.LIVE]
            if live:
                tally.warn(f"line {item.line}: {record['phone_e164']} is already in cadence {live[0]}; "
                           f"not enrolled in {item.cadence}")
                continue
            key = _key(record)
            pos, due_iso = self._start(item.cadence, key, record, calls.get(record["id"], ()), base, guard)
            new_rows.append([record["id"], pos.cadence, pos.step_index, pos.status, due_iso,
                             int(pos.pinned), pos.retries, key, _temp_rank(record), record["value"], stamp, stamp])
            keys.add(key)
            tally.enrolled += 1
        conn.executemany(_INSERT_ENROLLMENT, new_rows)
        conn.executemany("INSERT OR IGNORE INTO hours_keys(key) VALUES (?)", [[k] for k in keys])


    def _start(self, cadence: str, key: str, record: dict, calls: tuple, base, guard) -> tuple:
        """The first position in ``cadence`` and its due time as stored text.

        Without earlier calls or an appointment the result depends only on the cadence, the
        calling window and the lead's variant, which repeat across a big file: memoized per run
        (a few entries per window, so memory does not grow with the file).
        """
        variant = schedule.variant_for(self.lib[cadence], record["temperature"], record["value"])
        memo_key = (cadence, key, variant)
        memoizable = not calls and record["appointment_at"] is None
        if memoizable and memo_key in self._memo:
            return self._memo[memo_key]
        zone, window = windows.window_of(key, base)
        ctx = schedule.Context(zone=zone, window=window, temperature=record["temperature"],
                               value=record["value"], appointment_at=from_iso(record["appointment_at"]),
                               recent_attempts=calls, guard=guard)
        pos = schedule.enroll(self.lib, cadence, ctx, self.now)
        started = (pos, to_iso(pos.next_due_at))
        if memoizable:
            self._memo[memo_key] = started
        return started


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _key(record: dict) -> str:
    return hours_key(record["region"] or None, record["subdivision"], record["timezone"])


def _temp_rank(record: dict) -> int:
    return 0 if record["temperature"] == "warm" else 1


def _recent_calls(conn: sqlite3.Connection, prospect_ids: list[int], since_iso: str) -> dict[int, tuple]:
    if not prospect_ids:
        return {}
    marks = ",".join("?" * len(prospect_ids))
    found: dict[int, list] = {}
    for pid, at in conn.execute(
        f"SELECT prospect_id, at FROM attempts WHERE prospect_id IN ({marks}) AND action = 'call' AND at >= ? "
        "ORDER BY at, id", [*prospect_ids, since_iso]
    ):
        found.setdefault(pid, []).append(from_iso(at))
    return {pid: tuple(ats) for pid, ats in found.items()}


def _new_record(row, prospect_id: int, stamp: str) -> dict:
    return {
        "id": prospect_id, "first_name": row.first_name, "last_name": row.last_name, "company": row.company,
        "phone_e164": row.phone.e164, "phone_raw": row.phone.raw, "email": row.email.lower(),
        "timezone": row.timezone, "tz_source": row.tz_source, "region": row.phone.region or "",
        "subdivision": row.phone.subdivision, "temperature": row.temperature, "value": row.value,
        "referrer": row.referrer, "referrer_company": row.referrer_company,
        "appointment_at": to_iso(row.appointment_at), "notes": row.notes, "created_at": stamp, "updated_at": stamp,
    }


def _merged(stored: dict, row, stamp: str) -> dict:
    """``stored`` updated by ``row``: non-blank cells win, blanks keep what is stored."""
    merged = dict(stored)
    incoming = _new_record(row, stored["id"], stamp)
    for column in ("first_name", "last_name", "company", "phone_e164", "phone_raw", "email", "referrer",
                   "referrer_company", "appointment_at", "value"):
        if incoming[column] not in ("", None):
            merged[column] = incoming[column]
    if row.tz_source != "rep" or stored["tz_source"] == "rep":
        for column in ("timezone", "tz_source"):
            merged[column] = incoming[column]
    merged["region"], merged["subdivision"] = incoming["region"], incoming["subdivision"]
    if _given(row, "temperature"):
        merged["temperature"] = incoming["temperature"]
    if row.notes and row.notes not in stored["notes"]:
        merged["notes"] = f"{stored['notes']}\n{row.notes}" if stored["notes"] else row.notes
    merged["updated_at"] = stamp
    return merged


def _given(row, field_name: str) -> bool:
    """Whether the file had a non-blank cell for ``field_name`` (the importer reads a blank
    temperature as cold; a re-import must not turn a warm lead cold for a missing column)."""
    names = importer.FIELD_HEADERS[field_name]
    return any(value.strip() and importer.normalize_header(header) in names for header, value in row.raw.items())

