"""Single records in SQLite: prospects, their numbers, enrollments, attempts, notes, sessions,
settings and the do-not-call list.

Two mixins over ``self.conn``: ``RecordReads`` (the store and a transaction both read) and
``RecordWrites`` (only a transaction writes). Nothing here begins or commits: the engine
(``engine.py``) decides the transaction. Rows come back as dicts keyed by column name.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from dialdeck.store.interface import (
    AttemptRow,
    DncEntry,
    EnrollmentRow,
    NoteRow,
    OtherNumber,
    ProspectRow,
    Time,
)

ENROLLMENT_COLUMNS = (
    "id", "prospect_id", "cadence", "step_index", "status", "next_due_at", "pinned", "retries",
    "hours_key", "temp_rank", "value", "created_at", "updated_at", "promised_at",
)
# An enrollment as written (the id is the database's).
NEW_ENROLLMENT_COLUMNS = ENROLLMENT_COLUMNS[1:]
INSERT_ENROLLMENT = (
    f"INSERT INTO enrollments ({', '.join(NEW_ENROLLMENT_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in NEW_ENROLLMENT_COLUMNS)})"
)
REMEMBER_HOURS_KEY = "INSERT OR IGNORE INTO hours_keys(key) VALUES (?)"

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


def dicts(cursor: sqlite3.Cursor) -> list:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def one(cursor: sqlite3.Cursor):
    rows = dicts(cursor)
    return rows[0] if rows else None


def new_id(cursor: sqlite3.Cursor) -> int:
    """The id an INSERT gave its row (sqlite3 leaves lastrowid None only before any insert)."""
    if cursor.lastrowid is None:
        raise sqlite3.InterfaceError("the statement inserted no row")
    return cursor.lastrowid


def marks(values: Sequence) -> str:
    return ",".join("?" * len(values))


class RecordReads:
    conn: sqlite3.Connection

    def settings(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM settings").fetchall())

    # --- prospects ---------------------------------------------------------------------------

    def prospect(self, prospect_id: int) -> ProspectRow | None:
        return one(self.conn.execute("SELECT * FROM prospects WHERE id = ?", [prospect_id]))

    def prospect_by_phone(self, e164: str) -> ProspectRow | None:
        return one(self.conn.execute("SELECT * FROM prospects WHERE phone_e164 = ?", [e164]))

    # The prospect's own number lives on ``prospects``; ``prospect_phones`` holds the rest.
    def other_numbers(self, prospect_id: int) -> list[OtherNumber]:
        return dicts(self.conn.execute(
            "SELECT label, e164, extension, raw FROM prospect_phones WHERE prospect_id = ? ORDER BY position",
            [prospect_id]))

    # --- enrollments -------------------------------------------------------------------------

    def live_enrollment(self, prospect_id: int) -> EnrollmentRow | None:
        return one(self.conn.execute(
            "SELECT * FROM enrollments WHERE prospect_id = ? AND status IN ('active', 'connected')",
            [prospect_id],
        ))

    def latest_enrollment(self, prospect_id: int) -> EnrollmentRow | None:
        return self.live_enrollment(prospect_id) or one(self.conn.execute(
            "SELECT * FROM enrollments WHERE prospect_id = ? ORDER BY updated_at DESC, id DESC LIMIT 1",
            [prospect_id],
        ))

    def enrollment(self, enrollment_id: int) -> EnrollmentRow | None:
        return one(self.conn.execute("SELECT * FROM enrollments WHERE id = ?", [enrollment_id]))

    # --- attempts ----------------------------------------------------------------------------

    def attempts(self, prospect_id: int) -> list[AttemptRow]:
        return dicts(self.conn.execute(
            "SELECT * FROM attempts WHERE prospect_id = ? ORDER BY at, id", [prospect_id]))

    def recent_calls(self, prospect_ids: Sequence[int], since: Time) -> dict[int, tuple[Time, ...]]:
        if not prospect_ids:
            return {}
        found: dict[int, list[Time]] = {}
        for pid, at in self.conn.execute(
            f"SELECT prospect_id, at FROM attempts WHERE prospect_id IN ({marks(prospect_ids)}) "
            "AND at >= ? AND action = 'call' ORDER BY at, id", [*prospect_ids, since]
        ):
            found.setdefault(pid, []).append(at)
        return {pid: tuple(ats) for pid, ats in found.items()}

    def newest_attempt(self, *, session_id: int | None = None,
                       prospect_id: int | None = None, rep_id: int | None = None) -> AttemptRow | None:
        if session_id is not None:
            return one(self.conn.execute(
                "SELECT * FROM attempts WHERE session_id = ? ORDER BY id DESC LIMIT 1", [session_id]))
        if prospect_id is not None:
            return one(self.conn.execute(
                "SELECT * FROM attempts WHERE prospect_id = ? ORDER BY id DESC LIMIT 1", [prospect_id]))
        if rep_id is not None:
            return one(self.conn.execute(
                "SELECT * FROM attempts WHERE rep_id = ? ORDER BY id DESC LIMIT 1", [rep_id]))
        return one(self.conn.execute("SELECT * FROM attempts ORDER BY id DESC LIMIT 1"))

    def last_attempt_at(self, prospect_id: int) -> Time | None:
        return self.conn.execute("SELECT max(at) FROM attempts WHERE prospect_id = ?", [prospect_id]).fetchone()[0]

    # --- notes -------------------------------------------------------------------------------

    def newest_notes(self, prospect_id: int, limit: int) -> tuple[list[NoteRow], int]:
        # One indexed query: the card reads it on every key.
        rows = dicts(self.conn.execute(
            "SELECT *, count(*) OVER () AS total FROM notes WHERE prospect_id = ? "
            "ORDER BY at DESC, id DESC LIMIT ?", [prospect_id, limit]))
        total = rows[0]["total"] if rows else 0
        for row in rows:
            del row["total"]
        return rows, total

    def notes(self, prospect_id: int) -> list[NoteRow]:
        return dicts(self.conn.execute(
            "SELECT * FROM notes WHERE prospect_id = ? ORDER BY at DESC, id DESC", [prospect_id]))

    # --- do-not-call -------------------------------------------------------------------------

    def dnc_among(self, numbers: Iterable[str]) -> set[str]:
        numbers = list(numbers)
        if not numbers:
            return set()
        return {row[0] for row in self.conn.execute(
            f"SELECT e164 FROM dnc WHERE e164 IN ({marks(numbers)})", numbers)}


    def dnc_entries(self) -> list[DncEntry]:
        return dicts(self.conn.execute("SELECT e164, added_at, reason FROM dnc ORDER BY added_at, e164"))

    # --- search, and a time that cannot be read ------------------------------------------------

    def search_prospects(self, text: str, limit: int) -> list[ProspectRow]:
        like = f"%{_escape_like(text.strip())}%"
        digits = "".join(ch for ch in text if ch.isdigit())
        phone_like = f"%{digits}%" if len(digits) >= 3 else None
        return dicts(self.conn.execute(
            "SELECT * FROM prospects WHERE (first_name || ' ' || last_name) LIKE ?1 ESCAPE '\\' "
            "OR company LIKE ?1 ESCAPE '\\' OR email LIKE ?1 ESCAPE '\\' OR phone_e164 LIKE ?1 ESCAPE '\\' "
            "OR (?2 IS NOT NULL AND phone_e164 LIKE ?2) "
            "ORDER BY last_name, first_name, id LIMIT ?3",
            [like, phone_like, limit],
        ))

    def where_is_time(self, text: str) -> str:
        for table, (key, columns) in TIME_COLUMNS.items():
            for column in columns:
                try:
                    row = self.conn.execute(f"SELECT {key} FROM {table} WHERE {column} = ? LIMIT 1", [text]).fetchone()
                except sqlite3.Error:
                    continue
                if row is not None:
                    return f"{table}.{column}, {key} {row[0]}"
        return ""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class RecordWrites:
    conn: sqlite3.Connection

    # --- enrollments -------------------------------------------------------------------------

    def insert_enrollment(self, row: dict) -> int:
        columns = [c for c in NEW_ENROLLMENT_COLUMNS if c in row]  # the rest: the schema's defaults
        cursor = self.conn.execute(
            f"INSERT INTO enrollments ({', '.join(columns)}) VALUES ({marks(columns)})", [row[c] for c in columns])
        self.conn.execute(REMEMBER_HOURS_KEY, [row["hours_key"]])
        return new_id(cursor)

    def update_enrollment(self, enrollment_id: int, changes: dict) -> None:
        if not changes:
            return
        assignments = ", ".join(f"{c} = ?" for c in changes)
        self.conn.execute(f"UPDATE enrollments SET {assignments} WHERE id = ?", [*changes.values(), enrollment_id])

    def restore_enrollment(self, state: dict) -> None:
        # .get: snapshots taken before a column existed restore it as NULL, its value then.
        self.update_enrollment(state["id"], {c: state.get(c) for c in NEW_ENROLLMENT_COLUMNS})

    def delete_enrollment(self, enrollment_id: int) -> None:
        self.conn.execute("DELETE FROM enrollments WHERE id = ?", [enrollment_id])

    # --- attempts ----------------------------------------------------------------------------

    def insert_attempt(self, *, prospect_id: int, enrollment: EnrollmentRow, step: int, action: str,
                       outcome: str, at: Time, note: str, session_id: int | None,
                       disposition: str | None = None, spawned_enrollment_id: int | None = None,
                       dnc_added: int = 0, number: str | None = None, forced_reason: str | None = None,
                       facts: dict | None = None, rep_id: int | None = None) -> int:
        cursor = self.conn.execute(
            "INSERT INTO attempts (prospect_id, enrollment_id, cadence, step, action, outcome, disposition, at, "
            "note, session_id, prev_state, spawned_enrollment_id, dnc_added, number, forced_reason, rep_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [prospect_id, enrollment["id"], enrollment["cadence"], step, action, outcome, disposition, at, note,
             session_id, json.dumps(enrollment, sort_keys=True), spawned_enrollment_id, int(dnc_added), number,
             forced_reason, rep_id],
        )
        if facts:
            self.record_attempt_facts(new_id(cursor), facts)
        return new_id(cursor)

    def record_attempt_facts(self, attempt_id: int, facts: dict) -> None:
        changes = {key: value for key, value in facts.items() if key in ATTEMPT_FACTS and value is not None}
        if changes:
            assignments = ", ".join(f"{c} = ?" for c in changes)
            self.conn.execute(f"UPDATE attempts SET {assignments} WHERE id = ?", [*changes.values(), attempt_id])

    def record_disposition(self, attempt_id: int, disposition: str, note: str,
                           spawned_enrollment_id: int | None) -> None:
        self.conn.execute(
            "UPDATE attempts SET disposition = ?, spawned_enrollment_id = coalesce(?, spawned_enrollment_id) "
            "WHERE id = ?", [disposition, spawned_enrollment_id, attempt_id])
        if note:
            self.conn.execute(
                "UPDATE attempts SET note = CASE WHEN note = '' THEN ?1 ELSE note || ' / ' || ?1 END WHERE id = ?2",
                [note, attempt_id])

    def delete_attempt(self, attempt_id: int) -> None:
        self.conn.execute("DELETE FROM attempts WHERE id = ?", [attempt_id])

    # --- prospects, notes ----------------------------------------------------------------------

    def set_prospect_facts(self, prospect_id: int, changes: dict, at: Time) -> None:
        allowed = {key: value for key, value in changes.items() if key in ("benefit", "urgent", "urgent_reason")}
        assignments = "".join(f"{c} = ?, " for c in allowed)
        self.conn.execute(f"UPDATE prospects SET {assignments}updated_at = ? WHERE id = ?",
                          [*allowed.values(), at, prospect_id])

    def insert_note(self, *, prospect_id: int, at: Time, text: str, source: str,
                    session_id: int | None = None, attempt_id: int | None = None) -> int:
        cursor = self.conn.execute(
            "INSERT INTO notes (prospect_id, at, text, source, session_id, attempt_id) VALUES (?, ?, ?, ?, ?, ?)",
            [prospect_id, at, text, source, session_id, attempt_id])
        return new_id(cursor)

    # --- do-not-call, sessions, settings ---------------------------------------------------

    def dnc_insert(self, e164: str, at: Time, reason: str) -> bool:
        cursor = self.conn.execute("INSERT OR IGNORE INTO dnc(e164, added_at, reason) VALUES (?, ?, ?)",
                                   [e164, at, reason])
        return cursor.rowcount == 1

    def dnc_delete(self, e164: str) -> bool:
        return self.conn.execute("DELETE FROM dnc WHERE e164 = ?", [e164]).rowcount == 1

    def start_session(self, at: Time, rep: str) -> int:
        return new_id(self.conn.execute("INSERT INTO sessions(started_at, rep) VALUES (?, ?)", [at, rep]))

    def end_session(self, session_id: int, at: Time) -> bool:
        return self.conn.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", [at, session_id]).rowcount == 1

    def put_setting(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )
