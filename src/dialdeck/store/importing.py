"""Writing an imported CSV: upsert prospects by E.164 then e-mail, enroll the new ones.

The file is read here as a stream and parsed in blocks of rows (by ``parallel_parse``: in
worker processes for a big file, where parsing phone numbers costs most of the time). Each
parsed block comes back in file order as lean ``Incoming`` tuples and costs a few set-based
lookups and ``executemany`` writes, all inside one transaction, so memory stays flat and a
failure anywhere (a bad row without ``skip_invalid``, a broken file, Ctrl+C) leaves the
database as it was. Single-process and parallel runs write exactly the same rows and ids.

Re-import rules (where the issue is silent, the choice is written here):
- a blank cell never erases what is stored; a non-blank one replaces it;
- notes from the file are appended to the stored CRM text unless already there, and each
  new one is also kept as a note of its own (source "crm") beside the rep's notes;
- a zone the file or the number gave is not replaced by the rep-zone fallback;
- a prospect is never enrolled twice in the same cadence (whatever that enrollment's status),
  never while live in another cadence (kept as is, with a warning), and never when the number
  is on the do-not-call list.
"""

from __future__ import annotations

import contextlib
import sqlite3
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from sqlite_utils import Database

from dialdeck import importer, parallel_parse, schedule
from dialdeck.clock import from_iso, to_iso
from dialdeck.errors import ImportFileError
from dialdeck.hours import hours_key
from dialdeck.models import ImportReport, RepProfile
from dialdeck.store import records, windows
from dialdeck.store.db import write_tx

MAX_WARNINGS = 200
RECENT_CALLS = timedelta(days=8)
# SQLite's page cache while importing (default 2 MB). A big import inserts into six indexes in
# no useful order; with a bigger cache fewer pages are evicted and read back (measured at 1M
# rows: -15% CPU in the writing process for 64 MB). A fixed cap, restored afterwards: memory
# does not grow with the file.
IMPORT_CACHE_KIB = 65_536
MEMO_LIMIT = 50_000  # distinct enrollment starts remembered per run (cadence x window x variant x appointment)

_PROSPECT_COLUMNS = (
    "id", "first_name", "last_name", "company", "phone_e164", "phone_raw", "email", "timezone", "tz_source",
    "region", "subdivision", "temperature", "value", "referrer", "referrer_company", "appointment_at", "notes",
    "phone_ext", "phone_label", "benefit", "urgent", "urgent_reason", "created_at", "updated_at",
)
_VALUE_COLUMNS = _PROSPECT_COLUMNS[1:-2]  # what a row of the file gives: all but the id and the stamps
_E164, _EMAIL, _TZ_SOURCE, _NOTES, _URGENT = (
    _VALUE_COLUMNS.index(c) for c in ("phone_e164", "email", "tz_source", "notes", "urgent"))
_INSERT_PROSPECT = (
    f"INSERT INTO prospects ({', '.join(_PROSPECT_COLUMNS)}) VALUES ({', '.join('?' * len(_PROSPECT_COLUMNS))})"
)
_UPDATE_PROSPECT = (
    "UPDATE prospects SET " + ", ".join(f"{c} = ?" for c in _VALUE_COLUMNS) + ", updated_at = ? WHERE id = ?"
)
_INSERT_VALUES = itemgetter(*_PROSPECT_COLUMNS)
_UPDATE_VALUES = itemgetter(*_VALUE_COLUMNS, "updated_at", "id")
_ENROLLMENT_COLUMNS = ("prospect_id", "cadence", "step_index", "status", "next_due_at", "pinned", "retries",
                       "hours_key", "temp_rank", "value", "created_at", "updated_at")
_INSERT_ENROLLMENT = (
    f"INSERT INTO enrollments ({', '.join(_ENROLLMENT_COLUMNS)}) VALUES ({', '.join('?' * len(_ENROLLMENT_COLUMNS))})"
)


class Incoming(NamedTuple):
    """One good row of the file, shaped for the writer where it was parsed (maybe a worker):
    plain values pickle small and cost the writing process almost nothing to use."""

    line: int
    values: tuple  # in _VALUE_COLUMNS order; e-mail lower-cased, appointment as stored text
    cadence: str | None
    temperature_given: bool  # a non-blank temperature cell: a re-import may change it
    warnings: tuple[str, ...]
    others: tuple[tuple[str, str, str, str], ...] = ()  # the row's other numbers: (label, e164, extension, raw)


@dataclass(frozen=True)
class RowShaper:
    """Parses one row of the file into an Incoming, or the RowErrors of a bad row. Picklable."""

    parser: importer.RowParser

    def __call__(self, line: int, cells: list[str]) -> list:
        fields = self.parser.read(line, cells)
        if type(fields) is list:
            return fields
        (text, first_name, last_name, phone, zone, source, temperature, value, cadence, appointment_at, warnings,
         numbers) = fields
        get = text.get
        urgent, reason, doubt = importer.urgent_cells(line, get("urgent", ""), get("urgent_reason", ""))
        if doubt:
            warnings = (*warnings, doubt)
        values = (first_name, last_name, get("company", ""), phone.e164, phone.raw, get("email", "").lower(),
                  zone, source, phone.region or "", phone.subdivision, temperature, value, get("referrer", ""),
                  get("referrer_company", ""), to_iso(appointment_at), get("notes", ""), phone.extension,
                  numbers[0].label, get("benefit", ""), urgent, reason)
        others = () if len(numbers) == 1 else tuple(
            (n.label, n.phone.e164, n.phone.extension, n.phone.raw) for n in numbers[1:])
        return [Incoming(line, values, cadence, bool(get("temperature")), warnings, others)]


def _save_rejects(path: Path, errors: list[importer.RowError]) -> tuple[str | None, str | None]:
    """(the rejects file, None), or (None, why it could not be written): the import is already
    committed by then, so a failure here is reported with it, not raised as if nothing was."""
    if not errors:
        return None, None
    target = importer.rejects_path(path)
    try:
        return str(importer.write_rejects(path, errors)), None
    except OSError as problem:
        return None, f"{target}: {problem.strerror or problem}"


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
    """One prospect touched by this block: its merged record, whether new, its cadence, line."""

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
    _dnc_empty: bool = field(default=False, repr=False)
    _no_other_numbers: bool = field(default=False, repr=False)  # prospect_phones is empty: no lookups
    # The file line that last wrote each prospect id in this run (0: none). Four bytes a
    # prospect: the writer sees rows in file order, so it finds repeats the parsing workers,
    # each with one block, cannot.
    _lines: array = field(default_factory=lambda: array("I"), repr=False)
    # The CRM notes this block brings (prospect id, text): kept as notes of their own too.
    _crm_notes: list = field(default_factory=list, repr=False)

    def execute(self, db: Database, path: Path, *, skip_invalid: bool, workers: int | None = None) -> ImportReport:
        """Read, parse (in worker processes for a big file), write in one transaction.

        ``workers``: None decides from the file's size; 0 or 1 parses in this process.
        """
        path = Path(path)
        errors: list[importer.RowError] = []
        tally = _Tally()
        with importer.ExportReader(path) as reader:
            parser = reader.parser(default_region=self.region, rep_zone=self.profile.timezone,
                                   known_cadences=list(self.lib))
            blocks = parallel_parse.parsed_blocks(
                RowShaper(parser), reader,
                workers=parallel_parse.worker_count(path.stat().st_size, workers))
            with contextlib.closing(blocks), _page_cache(db.conn, IMPORT_CACHE_KIB), write_tx(db):
                self._write_all(db.conn, blocks, errors, tally, skip_invalid)
                bad_lines = len({e.line for e in errors})
                if errors and not skip_invalid:
                    # Raised inside the transaction: everything written so far is rolled back.
                    raise ImportFileError(
                        f"{bad_lines} row{'s are' if bad_lines != 1 else ' is'} invalid; nothing was imported",
                        problems=[str(e) for e in errors])
        rejected_file, rejects_error = _save_rejects(path, errors)
        warnings = tally.warnings + ([f"... and {tally.dropped_warnings} more warnings"] if tally.dropped_warnings else [])
        return ImportReport(created=tally.created, updated=tally.updated, enrolled=tally.enrolled,
                            skipped_dnc=tally.skipped_dnc, rejected=bad_lines, rejected_file=rejected_file,
                            warnings=tuple(warnings), rejects_error=rejects_error,
                            unsaved_rejects=tuple(str(e) for e in errors) if rejects_error else ())

    def _write_all(self, conn: sqlite3.Connection, blocks, errors: list, tally: _Tally, skip_invalid: bool) -> None:
        next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM prospects").fetchone()[0]
        # The write lock is held for the whole import, so the list cannot change under it.
        self._dnc_empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM dnc)").fetchone()[0] == 1
        self._no_other_numbers = records.other_numbers_empty(conn)
        for block in blocks:
            rows = []
            for item in block:
                if type(item) is Incoming:
                    rows.append(item)
                else:
                    errors.append(item)
            if errors and not skip_invalid:
                continue  # keep reading to report every bad row; nothing will be kept
            next_id = self._write_block(conn, rows, next_id, tally)

    # --- one block ---------------------------------------------------------------------------

    def _write_block(self, conn: sqlite3.Connection, rows: list[Incoming], next_id: int, tally: _Tally) -> int:
        pending, next_id = self._merge(conn, rows, next_id, tally)
        updates = [p.record for p in pending.values() if not p.new]
        inserts = [p.record for p in pending.values() if p.new]
        # Updates first: a prospect whose number changed frees its old number for a new one.
        conn.executemany(_UPDATE_PROSPECT, [_UPDATE_VALUES(r) for r in updates])
        conn.executemany(_INSERT_PROSPECT, [_INSERT_VALUES(r) for r in inserts])
        self._write_other_numbers(conn, pending.values())
        records.insert_crm_notes(conn, self._crm_notes, to_iso(self.now))
        self._crm_notes.clear()
        self._refresh_queue_columns(conn, updates)
        self._enroll(conn, list(pending.values()), tally)
        return next_id

    def _merge(self, conn: sqlite3.Connection, rows: list[Incoming], next_id: int,
               tally: _Tally) -> tuple[dict[int, _Pending], int]:
        """Match each row to a stored or earlier prospect (E.164, then e-mail), merging fields."""
        by_phone = records.prospects_by_phones(conn, list({r.values[_E164] for r in rows}))
        by_email = _prospects_by_emails(conn, list({r.values[_EMAIL] for r in rows if r.values[_EMAIL]}))
        if not self._no_other_numbers:
            found = [*by_phone.values(), *by_email.values()]  # one prospect may be found both ways
            others = records.other_numbers_of(conn, list({row["id"] for row in found}))
            for row in found:
                row["others"] = others.get(row["id"], [])
        pending: dict[int, _Pending] = {}
        stamp = to_iso(self.now)
        default_cadence = self.default_cadence
        for row in rows:
            for text in row.warnings:
                tally.warn(text)
            email = row.values[_EMAIL]
            by_number = by_phone.get(row.values[_E164])
            match = by_number or (by_email.get(email) if email else None)
            if match is not None and (earlier_line := self._line_of(match["id"])):
                field_name, value = ("phone", row.values[_E164]) if by_number else ("email", email)
                tally.warn(importer.repeat_warning(row.line, field_name, earlier_line, value))
            if match is None:
                record = _new_record(row, next_id, stamp)
                if record["notes"]:
                    self._crm_notes.append((next_id, record["notes"]))
                pending[next_id] = _Pending(record, True, row.cadence or default_cadence, row.line)
                next_id += 1
                tally.created += 1
            else:
                record = _merged(match, row, stamp)
                if record["notes"] != match["notes"]:
                    self._crm_notes.append((record["id"], row.values[_NOTES]))
                earlier = pending.get(record["id"])
                pending[record["id"]] = _Pending(record, earlier.new if earlier else False,
                                                 row.cadence or default_cadence, row.line)
                tally.updated += 1
                if match["phone_e164"] != record["phone_e164"]:
                    by_phone.pop(match["phone_e164"], None)
            by_phone[record["phone_e164"]] = record
            if record["email"]:
                by_email[record["email"]] = record
            self._mark_line(record["id"], row.line)
        return pending, next_id

    def _write_other_numbers(self, conn: sqlite3.Connection, pending) -> None:
        """Each touched prospect's other numbers, where they changed: replaced whole (a few rows)."""
        changed = [p.record for p in pending if p.record.get("others_changed")]
        if not changed:
            return
        if not self._no_other_numbers:
            records.delete_other_numbers(conn, [r["id"] for r in changed])
        records.insert_other_numbers(conn, [(r["id"], position, *number) for r in changed
                                            for position, number in enumerate(r["others"], start=1)])
        self._no_other_numbers = False

    def _line_of(self, prospect_id: int) -> int:
        return self._lines[prospect_id] if prospect_id < len(self._lines) else 0

    def _mark_line(self, prospect_id: int, line: int) -> None:
        if prospect_id >= len(self._lines):
            self._lines.extend([0] * (prospect_id + 1 - len(self._lines)))
        self._lines[prospect_id] = line

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
        blocked = set() if self._dnc_empty else records.dnc_among(conn, (p.record["phone_e164"] for p in pending))
        base = windows.base_window(self.profile)
        guard = schedule.Guardrails(cooldown=timedelta(minutes=self.profile.cooldown_minutes),
                                    max_per_day=self.profile.max_per_day)
        new_rows, keys = [], set()
        stamp = to_iso(self.now)
        for item in pending:
            record = item.record
            if blocked and record["phone_e164"] in blocked:
                tally.skipped_dnc += 1
                continue
            if not item.new and _kept_out(item, history.get(record["id"], ()), tally):
                continue
            key = _key(record)
            pos, due_iso = self._start(item.cadence, key, record, calls.get(record["id"], ()), base, guard)
            for missing in _missing_expected(self.lib[item.cadence], record):
                tally.warn(f"line {item.line}: {item.cadence} expects {missing}; none given, so its scripts "
                           f"leave it out")
            new_rows.append((record["id"], pos.cadence, pos.step_index, pos.status, due_iso,
                             int(pos.pinned), pos.retries, key, _temp_rank(record), record["value"], stamp, stamp))
            keys.add(key)
            tally.enrolled += 1
        conn.executemany(_INSERT_ENROLLMENT, new_rows)
        conn.executemany("INSERT OR IGNORE INTO hours_keys(key) VALUES (?)", [[k] for k in keys])

    def _start(self, cadence: str, key: str, record: dict, calls: tuple, base, guard) -> tuple:
        """The first position in ``cadence`` and its due time as stored text.

        Without earlier calls the result depends only on the cadence, the calling window, the
        lead's variant and the appointment, which repeat across a big file (a CRM books the same
        few slots): memoized per run, bounded so memory does not grow with the file.
        """
        variant = schedule.variant_for(self.lib[cadence], record["temperature"], record["value"])
        has_email = bool(record["email"])
        memo_key = (cadence, key, variant, record["appointment_at"], has_email)
        if not calls and memo_key in self._memo:
            return self._memo[memo_key]
        zone, window = windows.window_of(key, base)
        ctx = schedule.Context(zone=zone, window=window, temperature=record["temperature"],
                               value=record["value"], appointment_at=from_iso(record["appointment_at"]),
                               recent_attempts=calls, guard=guard, has_email=has_email)
        pos = schedule.enroll(self.lib, cadence, ctx, self.now)
        started = (pos, to_iso(pos.next_due_at))
        if not calls:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[memo_key] = started
        return started


@contextlib.contextmanager
def _page_cache(conn: sqlite3.Connection, kib: int) -> Iterator[None]:
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


def _kept_out(item: _Pending, past: list[tuple[str, str]], tally: _Tally) -> bool:
    """Whether a known prospect stays out of ``item.cadence``: enrolled in it before (whatever
    came of it), or live in another cadence (kept there, with a warning)."""
    if any(cadence == item.cadence for cadence, _ in past):
        return True
    live = [cadence for cadence, status in past if status in records.LIVE]
    if live:
        tally.warn(f"line {item.line}: {item.record['phone_e164']} is already in cadence {live[0]}; "
                   f"not enrolled in {item.cadence}")
        return True
    return False


def _key(record: dict) -> str:
    return hours_key(record["region"] or None, record["subdivision"], record["timezone"])


def _temp_rank(record: dict) -> int:
    return 0 if record["temperature"] == "warm" else 1


def _prospects_by_emails(conn: sqlite3.Connection, emails: list[str]) -> dict[str, dict]:
    """The oldest prospect of each e-mail, as ``records.prospects_by_emails``, without its
    ORDER BY: sorting the IN list's results cost a full temporary sort per block even when
    nothing matched (measured: 6x the lookup itself); the oldest is kept here instead."""
    if not emails:
        return {}
    cursor = conn.execute(
        f"SELECT * FROM prospects WHERE email != '' AND email IN ({','.join('?' * len(emails))})", emails)
    names = [d[0] for d in cursor.description]
    found: dict[str, dict] = {}
    for values in cursor:
        row = dict(zip(names, values))
        kept = found.get(row["email"])
        if kept is None or row["id"] < kept["id"]:
            found[row["email"]] = row
    return found


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


def _missing_expected(cadence, record: dict) -> list[str]:
    """What the cadence expects of every prospect that this one lacks ("an appointment time")."""
    have = {"appointment": record["appointment_at"], "referrer": record["referrer"], "email": record["email"],
            "benefit": record["benefit"] or cadence.benefit}
    said = {"appointment": "an appointment time", "referrer": "a referrer", "email": "an email address",
            "benefit": "a benefit"}
    return [said[need] for need in cadence.expects if not have[need]]


def _new_record(row: Incoming, prospect_id: int, stamp: str) -> dict:
    record = dict(zip(_PROSPECT_COLUMNS, (prospect_id, *row.values, stamp, stamp)))
    record["urgent"] = record["urgent"] or 0  # None: the row did not say
    if row.others:
        record["others"], record["others_changed"] = list(row.others), True
    return record


def _merged(stored: dict, row: Incoming, stamp: str) -> dict:
    """``stored`` updated by ``row``: non-blank cells win, blanks keep what is stored."""
    merged = dict(stored)
    incoming = _new_record(row, stored["id"], stamp)
    # The extension belongs to its number: kept for the same number when the file has none.
    if incoming["phone_e164"] == stored["phone_e164"] and not incoming["phone_ext"]:
        incoming["phone_ext"] = stored["phone_ext"]
    for column in ("first_name", "last_name", "company", "phone_e164", "phone_raw", "email", "referrer",
                   "referrer_company", "appointment_at", "value", "benefit", "urgent_reason"):
        if incoming[column] not in ("", None):
            merged[column] = incoming[column]
    merged["phone_ext"], merged["phone_label"] = incoming["phone_ext"], incoming["phone_label"]
    _merge_other_numbers(merged, stored, row)
    urgent = row.values[_URGENT]
    if urgent is not None:
        merged["urgent"] = urgent
        if not urgent:
            merged["urgent_reason"] = ""
    if row.values[_TZ_SOURCE] != "rep" or stored["tz_source"] == "rep":
        for column in ("timezone", "tz_source"):
            merged[column] = incoming[column]
    merged["region"], merged["subdivision"] = incoming["region"], incoming["subdivision"]
    # The importer reads a blank temperature cell as "cold": a re-import must not turn a warm
    # lead cold for a missing column.
    if row.temperature_given:
        merged["temperature"] = incoming["temperature"]
    notes = row.values[_NOTES]
    if notes and notes not in stored["notes"]:
        merged["notes"] = f"{stored['notes']}\n{notes}" if stored["notes"] else notes
    merged["updated_at"] = stamp
    return merged


def _merge_other_numbers(merged: dict, stored: dict, row: Incoming) -> None:
    """The prospect's other numbers after ``row``: the stored ones, then the row's new ones, and
    a replaced own number kept among them (an import never loses a number). Sets
    ``others_changed`` when they differ from what is stored."""
    before = list(stored.get("others", ()))
    numbers = [*before, *row.others]
    if (stored["phone_e164"], stored["phone_ext"]) != (merged["phone_e164"], merged["phone_ext"]):
        numbers.append((stored["phone_label"], stored["phone_e164"], stored["phone_ext"], stored["phone_raw"]))
    own = (merged["phone_e164"], merged["phone_ext"])
    kept: dict[tuple[str, str], tuple] = {}
    for number in numbers:
        key = (number[1], number[2])
        if key != own:
            kept[key] = number if key not in kept or number in row.others else kept[key]
    after = list(kept.values())
    merged["others"] = after
    # A record this block already changed keeps its flag: nothing is written until the block ends.
    merged["others_changed"] = stored.get("others_changed", False) or after != before
