"""Single records on PostgreSQL: prospects, their numbers, enrollments, attempts, notes, sessions,
settings and the do-not-call list.

``RecordReads`` (the store and a transaction both read) and ``RecordWrites`` (only a
transaction writes), over ``self.conn``; nothing here begins or commits.

The one lock a writer needs: what ``writing()`` reads about a prospect must stay true until it
commits (the SQLite engine gets that from ``BEGIN IMMEDIATE``, which queues every writer).
Here writers on different prospects run side by side; a transaction reading anything keyed by
a prospect (the prospect, its enrollments, attempts, numbers, notes) first takes that prospect's
row lock (``SELECT ... FOR NO KEY UPDATE``, once per transaction, ``_hold``). Two writers on one
prospect then queue like SQLite's, and what the guardrails count (the calls already made to
that number today, the last attempt's time) is read after the lock, so a cooldown or a daily
cap holds however many reps log at once. ``FOR NO KEY UPDATE`` rather than ``FOR UPDATE``: it
does not block the key-share locks other tables' foreign keys take.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg.rows import dict_row

from dialdeck.store.interface import (
    AttemptRow,
    DncEntry,
    EnrollmentRow,
    NoteRow,
    OtherNumber,
    ProspectRow,
    Time,
)

ENROLLMENT_COLUMNS = tuple(EnrollmentRow.__annotations__)
NEW_ENROLLMENT_COLUMNS = ENROLLMENT_COLUMNS[1:]  # the id is the database's
PROSPECT_COLUMNS = tuple(ProspectRow.__annotations__)
REMEMBER_HOURS_KEY = "INSERT INTO hours_keys (key) VALUES (%s) ON CONFLICT DO NOTHING"

# What an attempt said or agreed, read back when later scripts are rendered (facts.Touch).
ATTEMPT_FACTS = ("promised_at", "callback_at", "callback_by", "offered")

# Every column that holds a time (UTC ISO text) and how its rows are named.
TIME_COLUMNS = {
    "prospects": ("id", ("appointment_at", "created_at", "updated_at")),
    "enrollments": ("id", ("next_due_at", "promised_at", "created_at", "updated_at")),
    "attempts": ("id", ("at",)),
    "sessions": ("id", ("started_at", "ended_at")),
    "dnc": ("e164", ("added_at",)),
}


def dicts(conn: psycopg.Connection, sql: str, params: Sequence | dict | None = None) -> list:
    with conn.cursor(row_factory=dict_row) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def one(conn: psycopg.Connection, sql: str, params: Sequence | dict | None = None):
    with conn.cursor(row_factory=dict_row) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def scalar(conn: psycopg.Connection, sql: str, params: Sequence | dict | None = None) -> Any:
    row = conn.execute(sql, params).fetchone()
    return row[0] if row else None


class RecordReads:
    conn: psycopg.Connection

    def _hold(self, prospect_ids: Iterable[int]) -> None:
        """Reads outside a transaction take no lock (a ``Writer`` overrides this)."""

    def settings(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM settings").fetchall())

    # --- prospects ---------------------------------------------------------------------------

    def prospect(self, prospect_id: int) -> ProspectRow | None:
        return one(self.conn, "SELECT * FROM prospects WHERE id = %s", [prospect_id])

    def prospect_by_phone(self, e164: str) -> ProspectRow | None:
        return one(self.conn, "SELECT * FROM prospects WHERE phone_e164 = %s", [e164])

    def other_numbers(self, prospect_id: int) -> list[OtherNumber]:
        self._hold([prospect_id])
        return dicts(self.conn, "SELECT label, e164, extension, raw FROM prospect_phones WHERE prospect_id = %s "
                                "ORDER BY position", [prospect_id])

    # --- enrollments -------------------------------------------------------------------------

    def live_enrollment(self, prospect_id: int) -> EnrollmentRow | None:
        self._hold([prospect_id])
        return one(self.conn, "SELECT * FROM enrollments WHERE prospect_id = %s AND status IN ('active', 'connected')",
                   [prospect_id])

    def latest_enrollment(self, prospect_id: int) -> EnrollmentRow | None:
        return self.live_enrollment(prospect_id) or one(
            self.conn, "SELECT * FROM enrollments WHERE prospect_id = %s ORDER BY updated_at DESC, id DESC LIMIT 1",
            [prospect_id])

    def enrollment(self, enrollment_id: int) -> EnrollmentRow | None:
        return one(self.conn, "SELECT * FROM enrollments WHERE id = %s", [enrollment_id])

    # --- attempts ----------------------------------------------------------------------------

    def attempts(self, prospect_id: int) -> list[AttemptRow]:
        self._hold([prospect_id])
        return dicts(self.conn, "SELECT * FROM attempts WHERE prospect_id = %s ORDER BY at, id", [prospect_id])

    def recent_calls(self, prospect_ids: Sequence[int], since: Time) -> dict[int, tuple[Time, ...]]:
        if not prospect_ids:
            return {}
        self._hold(prospect_ids)
        found: dict[int, list[Time]] = {}
        for pid, at in self.conn.execute(
            "SELECT prospect_id, at FROM attempts WHERE prospect_id = ANY(%s::bigint[]) "
            "AND at >= %s AND action = 'call' ORDER BY at, id", [list(prospect_ids), since]
        ):
            found.setdefault(pid, []).append(at)
        return {pid: tuple(ats) for pid, ats in found.items()}

    def newest_attempt(self, *, session_id: int | None = None,
                       prospect_id: int | None = None, rep_id: int | None = None) -> AttemptRow | None:
        if session_id is not None:
            return one(self.conn, "SELECT * FROM attempts WHERE session_id = %s ORDER BY id DESC LIMIT 1",
                       [session_id])
        if prospect_id is not None:
            self._hold([prospect_id])
            return one(self.conn, "SELECT * FROM attempts WHERE prospect_id = %s ORDER BY id DESC LIMIT 1",
                       [prospect_id])
        if rep_id is not None:
            return one(self.conn, "SELECT * FROM attempts WHERE rep_id = %s ORDER BY id DESC LIMIT 1", [rep_id])
        return one(self.conn, "SELECT * FROM attempts ORDER BY id DESC LIMIT 1")

    def last_attempt_at(self, prospect_id: int) -> Time | None:
        self._hold([prospect_id])
        return scalar(self.conn, "SELECT max(at) FROM attempts WHERE prospect_id = %s", [prospect_id])

    # --- notes -------------------------------------------------------------------------------

    def newest_notes(self, prospect_id: int, limit: int) -> tuple[list[NoteRow], int]:
        rows = dicts(self.conn, "SELECT *, count(*) OVER () AS total FROM notes WHERE prospect_id = %s "
                                "ORDER BY at DESC, id DESC LIMIT %s", [prospect_id, limit])
        total = rows[0]["total"] if rows else 0
        for row in rows:
            del row["total"]
        return rows, total

    def notes(self, prospect_id: int) -> list[NoteRow]:
        return dicts(self.conn, "SELECT * FROM notes WHERE prospect_id = %s ORDER BY at DESC, id DESC", [prospect_id])

    # --- do-not-call -------------------------------------------------------------------------

    def dnc_among(self, numbers: Iterable[str]) -> set[str]:
        numbers = list(numbers)
        if not numbers:
            return set()
        return {row[0] for row in self.conn.execute("SELECT e164 FROM dnc WHERE e164 = ANY(%s::text[])", [numbers])}

    def dnc_entries(self) -> list[DncEntry]:
        return dicts(self.conn, "SELECT e164, added_at, reason FROM dnc ORDER BY added_at, e164")

    # --- search, and a time that cannot be read ------------------------------------------------

    def search_prospects(self, text: str, limit: int) -> list[ProspectRow]:
        # ILIKE on "C" columns folds ASCII letters only, as SQLite's LIKE does.
        like = f"%{_escape_like(text.strip())}%"
        digits = "".join(ch for ch in text if ch.isdigit())
        phone_like = f"%{digits}%" if len(digits) >= 3 else None
        return dicts(self.conn, (
            "SELECT * FROM prospects WHERE (first_name || ' ' || last_name) ILIKE %(like)s "
            "OR company ILIKE %(like)s OR email ILIKE %(like)s OR phone_e164 ILIKE %(like)s "
            "OR (%(phone)s::text IS NOT NULL AND phone_e164 LIKE %(phone)s::text) "
            "ORDER BY last_name, first_name, id LIMIT %(limit)s"),
            {"like": like, "phone": phone_like, "limit": limit})

    def where_is_time(self, text: str) -> str:
        for table, (key, columns) in TIME_COLUMNS.items():
            for column in columns:
                found = scalar(self.conn, f"SELECT {key} FROM {table} WHERE {column} = %s LIMIT 1", [text])
                if found is not None:
                    return f"{table}.{column}, {key} {found}"
        return ""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class RecordWrites:
    """The writes of a transaction, and the prospect locks its reads take (see the module)."""

    conn: psycopg.Connection
    held: set[int]  # prospects locked by this transaction

    def _hold(self, prospect_ids: Iterable[int]) -> None:
        wanted = sorted({int(pid) for pid in prospect_ids} - self.held)  # in id order: no deadlock between two
        if wanted:
            self.conn.execute("SELECT id FROM prospects WHERE id = ANY(%s::bigint[]) ORDER BY id FOR NO KEY UPDATE",
                              [wanted]).fetchall()
            self.held.update(wanted)

    def prospect(self, prospect_id: int) -> ProspectRow | None:
        row = one(self.conn, "SELECT * FROM prospects WHERE id = %s FOR NO KEY UPDATE", [prospect_id])
        if row is not None:
            self.held.add(row["id"])
        return row

    def prospect_by_phone(self, e164: str) -> ProspectRow | None:
        row = one(self.conn, "SELECT * FROM prospects WHERE phone_e164 = %s FOR NO KEY UPDATE", [e164])
        if row is not None:
            self.held.add(row["id"])
        return row

    def newest_attempt(self, *, session_id: int | None = None,
                       prospect_id: int | None = None, rep_id: int | None = None) -> AttemptRow | None:
        # The newest of a session or of all names its prospect only once read: lock that prospect,
        # then read again, until the answer is about a prospect already held (a concurrent
        # writer may have logged or undone an attempt of it meanwhile).
        while True:
            # A mixin: self is always a Records, a RecordReads too (whose read this wraps).
            row = RecordReads.newest_attempt(self, session_id=session_id, prospect_id=prospect_id,  # type: ignore[arg-type]
                                             rep_id=rep_id)
            if row is None or row["prospect_id"] in self.held:
                return row
            self._hold([row["prospect_id"]])

    # --- enrollments -------------------------------------------------------------------------

    def insert_enrollment(self, row: dict) -> int:
        self._hold([row["prospect_id"]])
        columns = [c for c in NEW_ENROLLMENT_COLUMNS if c in row]  # the rest: the schema's defaults
        new_id = scalar(self.conn, f"INSERT INTO enrollments ({', '.join(columns)}) "
                                  f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id",
                       [row[c] for c in columns])
        self.conn.execute(REMEMBER_HOURS_KEY, [row["hours_key"]])
        return new_id

    def update_enrollment(self, enrollment_id: int, changes: dict) -> None:
        if not changes:
            return
        assignments = ", ".join(f"{c} = %s" for c in changes)
        self.conn.execute(f"UPDATE enrollments SET {assignments} WHERE id = %s", [*changes.values(), enrollment_id])

    def restore_enrollment(self, state: dict) -> None:
        # .get: snapshots taken before a column existed restore it as NULL, its value then.
        self.update_enrollment(state["id"], {c: state.get(c) for c in NEW_ENROLLMENT_COLUMNS})

    def delete_enrollment(self, enrollment_id: int) -> None:
        self.conn.execute("DELETE FROM enrollments WHERE id = %s", [enrollment_id])

    # --- attempts ----------------------------------------------------------------------------

    def insert_attempt(self, *, prospect_id: int, enrollment: EnrollmentRow, step: int, action: str,
                       outcome: str, at: Time, note: str, session_id: int | None,
                       disposition: str | None = None, spawned_enrollment_id: int | None = None,
                       dnc_added: int = 0, number: str | None = None, forced_reason: str | None = None,
                       facts: dict | None = None, rep_id: int | None = None) -> int:
        self._hold([prospect_id])
        kept = {key: value for key, value in (facts or {}).items() if key in ATTEMPT_FACTS and value is not None}
        columns = ["prospect_id", "enrollment_id", "cadence", "step", "action", "outcome", "disposition", "at",
                   "note", "session_id", "prev_state", "spawned_enrollment_id", "dnc_added", "number",
                   "forced_reason", "rep_id", *kept]
        values = [prospect_id, enrollment["id"], enrollment["cadence"], step, action, outcome, disposition, at,
                  note, session_id, json.dumps(enrollment, sort_keys=True), spawned_enrollment_id, int(dnc_added),
                  number, forced_reason, rep_id, *kept.values()]
        return scalar(self.conn, f"INSERT INTO attempts ({', '.join(columns)}) "
                                f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id", values)

    def record_attempt_facts(self, attempt_id: int, facts: dict) -> None:
        changes = {key: value for key, value in facts.items() if key in ATTEMPT_FACTS and value is not None}
        if changes:
            assignments = ", ".join(f"{c} = %s" for c in changes)
            self.conn.execute(f"UPDATE attempts SET {assignments} WHERE id = %s", [*changes.values(), attempt_id])

    def record_disposition(self, attempt_id: int, disposition: str, note: str,
                           spawned_enrollment_id: int | None) -> None:
        self.conn.execute(
            "UPDATE attempts SET disposition = %(disposition)s, "
            "spawned_enrollment_id = coalesce(%(spawned)s, spawned_enrollment_id), "
            "note = CASE WHEN %(note)s = '' THEN note WHEN note = '' THEN %(note)s "
            "ELSE note || ' / ' || %(note)s END WHERE id = %(id)s",
            {"disposition": disposition, "spawned": spawned_enrollment_id, "note": note, "id": attempt_id})

    def delete_attempt(self, attempt_id: int) -> None:
        self.conn.execute("DELETE FROM attempts WHERE id = %s", [attempt_id])

    # --- prospects, notes ----------------------------------------------------------------------

    def set_prospect_facts(self, prospect_id: int, changes: dict, at: Time) -> None:
        allowed = {key: value for key, value in changes.items() if key in ("benefit", "urgent", "urgent_reason")}
        assignments = "".join(f"{c} = %s, " for c in allowed)
        self.conn.execute(f"UPDATE prospects SET {assignments}updated_at = %s WHERE id = %s",
                          [*allowed.values(), at, prospect_id])
        self.held.add(prospect_id)

    def insert_note(self, *, prospect_id: int, at: Time, text: str, source: str,
                    session_id: int | None = None, attempt_id: int | None = None) -> int:
        return scalar(self.conn, "INSERT INTO notes (prospect_id, at, text, source, session_id, attempt_id) "
                                "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                     [prospect_id, at, text, source, session_id, attempt_id])

    # --- do-not-call, sessions, settings ---------------------------------------------------

    def dnc_insert(self, e164: str, at: Time, reason: str) -> bool:
        cursor = self.conn.execute("INSERT INTO dnc (e164, added_at, reason) VALUES (%s, %s, %s) "
                                   "ON CONFLICT DO NOTHING", [e164, at, reason])
        return cursor.rowcount == 1

    def dnc_delete(self, e164: str) -> bool:
        return self.conn.execute("DELETE FROM dnc WHERE e164 = %s", [e164]).rowcount == 1

    def start_session(self, at: Time, rep: str) -> int:
        return scalar(self.conn, "INSERT INTO sessions (started_at, rep) VALUES (%s, %s) RETURNING id", [at, rep])

    def end_session(self, session_id: int, at: Time) -> bool:
        return self.conn.execute("UPDATE sessions SET ended_at = %s WHERE id = %s", [at, session_id]).rowcount == 1

    def put_setting(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO settings (key, value) VALUES (%s, %s) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])
