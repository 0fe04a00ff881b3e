"""Reading and writing single records: prospects, enrollments, attempts, the do-not-call list.

Plain SQL on the connection; rows come back as dicts keyed by column name. The callers
(services) decide the transaction; nothing here commits.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

ENROLLMENT_COLUMNS = (
    "id", "prospect_id", "cadence", "step_index", "status", "next_due_at", "pinned", "retries",
    "hours_key", "temp_rank", "value", "created_at", "updated_at", "promised_at",
)
LIVE = ("active", "connected")


def _dicts(cursor: sqlite3.Cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def _one(cursor: sqlite3.Cursor) -> dict | None:
    rows = _dicts(cursor)
    return rows[0] if rows else None


# Every column that holds a time (UTC ISO text) and how its rows are named.
TIME_COLUMNS = {
    "prospects": ("id", ("appointment_at", "created_at", "updated_at")),
    "enrollments": ("id", ("next_due_at", "promised_at", "created_at", "updated_at")),
    "attempts": ("id", ("at",)),
    "sessions": ("id", ("started_at", "ended_at")),
    "dnc": ("e164", ("added_at",)),
}


def where_is_time_text(conn: sqlite3.Connection, text: str) -> str:
    """'enrollments.next_due_at, id 3': the first time column holding ``text``, '' if none.

    Scans: only for reporting a bad stored time, never on a normal path.
    """
    for table, (key, columns) in TIME_COLUMNS.items():
        for column in columns:
            try:
                row = conn.execute(f"SELECT {key} FROM {table} WHERE {column} = ? LIMIT 1", [text]).fetchone()
            except sqlite3.Error:
                continue
            if row is not None:
                return f"{table}.{column}, {key} {row[0]}"
    return ""


# --- prospects -------------------------------------------------------------------------------

def prospect_row(conn: sqlite3.Connection, prospect_id: int) -> dict | None:
    return _one(conn.execute("SELECT * FROM prospects WHERE id = ?", [prospect_id]))


def prospect_by_phone(conn: sqlite3.Connection, e164: str) -> dict | None:
    return _one(conn.execute("SELECT * FROM prospects WHERE phone_e164 = ?", [e164]))


def prospects_by_phones(conn: sqlite3.Connection, phones: Sequence[str]) -> dict[str, dict]:
    if not phones:
        return {}
    marks = ",".join("?" * len(phones))
    rows = _dicts(conn.execute(f"SELECT * FROM prospects WHERE phone_e164 IN ({marks})", list(phones)))
    return {row["phone_e164"]: row for row in rows}


def prospects_by_emails(conn: sqlite3.Connection, emails: Sequence[str]) -> dict[str, dict]:
    if not emails:
        return {}
    marks = ",".join("?" * len(emails))
    rows = _dicts(conn.execute(
        f"SELECT * FROM prospects WHERE email != '' AND email IN ({marks}) ORDER BY id", list(emails)))
    found: dict[str, dict] = {}
    for row in rows:
        found.setdefault(row["email"], row)
    return found


def search_prospects(conn: sqlite3.Connection, text: str, limit: int) -> list[dict]:
    like = f"%{_escape_like(text.strip())}%"
    digits = "".join(ch for ch in text if ch.isdigit())
    phone_like = f"%{digits}%" if len(digits) >= 3 else None
    return _dicts(conn.execute(
        "SELECT * FROM prospects WHERE (first_name || ' ' || last_name) LIKE ?1 ESCAPE '\\' "
        "OR company LIKE ?1 ESCAPE '\\' OR email LIKE ?1 ESCAPE '\\' OR phone_e164 LIKE ?1 ESCAPE '\\' "
        "OR (?2 IS NOT NULL AND phone_e164 LIKE ?2) "
        "ORDER BY last_name, first_name, id LIMIT ?3",
        [like, phone_like, limit],
    ))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- a prospect's other numbers ----------------------------------------------------------------
# The prospect's own number lives on ``prospects``; these are the rest, in the card's order.

OTHER_NUMBER_COLUMNS = ("label", "e164", "extension", "raw")


def other_numbers_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT NOT EXISTS (SELECT 1 FROM prospect_phones)").fetchone()[0] == 1


def other_numbers(conn: sqlite3.Connection, prospect_id: int) -> list[dict]:
    return _dicts(conn.execute(
        "SELECT label, e164, extension, raw FROM prospect_phones WHERE prospect_id = ? ORDER BY position",
        [prospect_id]))


def other_numbers_of(conn: sqlite3.Connection, prospect_ids: Sequence[int]) -> dict[int, list[tuple]]:
    """Each prospect's other numbers as (label, e164, extension, raw), in order; none: absent."""
    if not prospect_ids:
        return {}
    marks = ",".join("?" * len(prospect_ids))
    found: dict[int, list[tuple]] = {}
    for pid, *number in conn.execute(
        f"SELECT prospect_id, label, e164, extension, raw FROM prospect_phones WHERE prospect_id IN ({marks}) "
        "ORDER BY prospect_id, position", list(prospect_ids)
    ):
        found.setdefault(pid, []).append(tuple(number))
    return found


def delete_other_numbers(conn: sqlite3.Connection, prospect_ids: Sequence[int]) -> None:
    conn.executemany("DELETE FROM prospect_phones WHERE prospect_id = ?", [[pid] for pid in prospect_ids])


def insert_other_numbers(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Rows of (prospect_id, position, label, e164, extension, raw)."""
    conn.executemany(
        "INSERT INTO prospect_phones (prospect_id, position, label, e164, extension, raw) VALUES (?, ?, ?, ?, ?, ?)",
        rows)


# --- enrollments -----------------------------------------------------------------------------

def live_enrollment(conn: sqlite3.Connection, prospect_id: int) -> dict | None:
    return _one(conn.execute(
        "SELECT * FROM enrollments WHERE prospect_id = ? AND status IN ('active', 'connected')",
        [prospect_id],
    ))


def latest_enrollment(conn: sqlite3.Connection, prospect_id: int) -> dict | None:
    """The live enrollment, else the most recently changed one."""
    return live_enrollment(conn, prospect_id) or _one(conn.execute(
        "SELECT * FROM enrollments WHERE prospect_id = ? ORDER BY updated_at DESC, id DESC LIMIT 1",
        [prospect_id],
    ))


def enrollment_row(conn: sqlite3.Connection, enrollment_id: int) -> dict | None:
    return _one(conn.execute("SELECT * FROM enrollments WHERE id = ?", [enrollment_id]))


def enrolled_cadences(conn: sqlite3.Connection, prospect_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """(cadence, status) of every enrollment, ever, of each prospect."""
    if not prospect_ids:
        return {}
    marks = ",".join("?" * len(prospect_ids))
    found: dict[int, list[tuple[str, str]]] = {}
    for pid, cadence, status in conn.execute(
        f"SELECT prospect_id, cadence, status FROM enrollments WHERE prospect_id IN ({marks})", list(prospect_ids)
    ):
        found.setdefault(pid, []).append((cadence, status))
    return found


def insert_enrollment(conn: sqlite3.Connection, row: dict) -> int:
    columns = [c for c in ENROLLMENT_COLUMNS if c != "id" and c in row]
    cursor = conn.execute(
        f"INSERT INTO enrollments ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [row[c] for c in columns],
    )
    remember_hours_key(conn, row["hours_key"])
    return cursor.lastrowid


def update_enrollment(conn: sqlite3.Connection, enrollment_id: int, changes: dict) -> None:
    if not changes:
        return
    assignments = ", ".join(f"{c} = ?" for c in changes)
    conn.execute(f"UPDATE enrollments SET {assignments} WHERE id = ?", [*changes.values(), enrollment_id])


def restore_enrollment(conn: sqlite3.Connection, state: dict) -> None:
    """Put an enrollment row back exactly as ``state`` (a full row) had it."""
    # .get: snapshots taken before a column existed restore it as NULL, its value then.
    changes = {c: state.get(c) for c in ENROLLMENT_COLUMNS if c != "id"}
    update_enrollment(conn, state["id"], changes)


def delete_enrollment(conn: sqlite3.Connection, enrollment_id: int) -> None:
    conn.execute("DELETE FROM enrollments WHERE id = ?", [enrollment_id])


def remember_hours_key(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("INSERT OR IGNORE INTO hours_keys(key) VALUES (?)", [key])


# --- attempts --------------------------------------------------------------------------------

def insert_attempt(conn: sqlite3.Connection, *, prospect_id: int, enrollment: dict, step: int, action: str,
                   outcome: str, at: str, note: str, session_id: int | None, disposition: str | None = None,
                   spawned_enrollment_id: int | None = None, dnc_added: int = 0,
                   number: str | None = None, forced_reason: str | None = None,
                   facts: dict | None = None) -> int:
    """Log one attempt; ``enrollment`` is the row as it was before it (kept for undo);
    ``dnc_added`` the flags of the numbers it put on the do-not-call list (services.DNC_*);
    ``facts`` what it said or agreed (``ATTEMPT_FACTS`` columns), for later scripts."""
    cursor = conn.execute(
        "INSERT INTO attempts (prospect_id, enrollment_id, cadence, step, action, outcome, disposition, at, "
        "note, session_id, prev_state, spawned_enrollment_id, dnc_added, number, forced_reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [prospect_id, enrollment["id"], enrollment["cadence"], step, action, outcome, disposition, at, note,
         session_id, json.dumps(enrollment, sort_keys=True), spawned_enrollment_id, int(dnc_added), number,
         forced_reason],
    )
    if facts:
        record_attempt_facts(conn, cursor.lastrowid, facts)
    return cursor.lastrowid


# What an attempt said or agreed, read back when later scripts are rendered (facts.Touch).
ATTEMPT_FACTS = ("promised_at", "callback_at", "callback_by", "offered")


def record_attempt_facts(conn: sqlite3.Connection, attempt_id: int, facts: dict) -> None:
    changes = {key: value for key, value in facts.items() if key in ATTEMPT_FACTS and value is not None}
    if changes:
        assignments = ", ".join(f"{c} = ?" for c in changes)
        conn.execute(f"UPDATE attempts SET {assignments} WHERE id = ?", [*changes.values(), attempt_id])


def record_disposition(conn: sqlite3.Connection, attempt_id: int, disposition: str, note: str,
                       spawned_enrollment_id: int | None) -> None:
    """A disposition chosen after the connected attempt was logged: kept on that attempt, so
    undoing it also undoes the disposition."""
    conn.execute(
        "UPDATE attempts SET disposition = ?, spawned_enrollment_id = coalesce(?, spawned_enrollment_id) "
        "WHERE id = ?", [disposition, spawned_enrollment_id, attempt_id])
    if note:
        append_attempt_note(conn, attempt_id, note)


def append_attempt_note(conn: sqlite3.Connection, attempt_id: int, text: str) -> None:
    conn.execute(
        "UPDATE attempts SET note = CASE WHEN note = '' THEN ?1 ELSE note || ' / ' || ?1 END WHERE id = ?2",
        [text, attempt_id])


def set_prospect_facts(conn: sqlite3.Connection, prospect_id: int, changes: dict, at: str) -> None:
    """The rep's own facts about a prospect: benefit, urgent, urgent_reason."""
    allowed = {key: value for key, value in changes.items() if key in ("benefit", "urgent", "urgent_reason")}
    assignments = ", ".join(f"{c} = ?" for c in allowed)
    conn.execute(f"UPDATE prospects SET {assignments}, updated_at = ? WHERE id = ?",
                 [*allowed.values(), at, prospect_id])


def delete_attempt(conn: sqlite3.Connection, attempt_id: int) -> None:
    conn.execute("DELETE FROM attempts WHERE id = ?", [attempt_id])


def attempts_of_enrollment(conn: sqlite3.Connection, enrollment_id: int) -> list[dict]:
    return _dicts(conn.execute(
        "SELECT * FROM attempts WHERE enrollment_id = ? ORDER BY at, id", [enrollment_id]))


def attempts_of_prospect(conn: sqlite3.Connection, prospect_id: int) -> list[dict]:
    return _dicts(conn.execute(
        "SELECT * FROM attempts WHERE prospect_id = ? ORDER BY at, id", [prospect_id]))


def recent_call_times(conn: sqlite3.Connection, prospect_id: int, since_iso: str) -> list[str]:
    """When this prospect's number was dialled since ``since``, oldest first (one number per prospect)."""
    return [row[0] for row in conn.execute(
        "SELECT at FROM attempts WHERE prospect_id = ? AND at >= ? AND action = 'call' ORDER BY at, id",
        [prospect_id, since_iso],
    )]


def newest_attempt(conn: sqlite3.Connection, *, session_id: int | None = None,
                   prospect_id: int | None = None) -> dict | None:
    if session_id is not None:
        return _one(conn.execute("SELECT * FROM attempts WHERE session_id = ? ORDER BY id DESC LIMIT 1", [session_id]))
    if prospect_id is not None:
        return _one(conn.execute("SELECT * FROM attempts WHERE prospect_id = ? ORDER BY id DESC LIMIT 1",
                                 [prospect_id]))
    return _one(conn.execute("SELECT * FROM attempts ORDER BY id DESC LIMIT 1"))


def last_attempt_at(conn: sqlite3.Connection, prospect_id: int) -> str | None:
    """When the prospect's latest attempt happened (ISO UTC), by time, not by insertion order."""
    return conn.execute("SELECT max(at) FROM attempts WHERE prospect_id = ?", [prospect_id]).fetchone()[0]


_SESSION_OUTCOMES_SQL = """
SELECT count(*) FILTER (WHERE action = 'call') AS dials,
       count(*) FILTER (WHERE outcome = 'voicemail') AS voicemails,
       count(*) FILTER (WHERE outcome = 'connected') AS connects,
       count(*) FILTER (WHERE outcome = 'no-answer') AS no_answers,
       count(*) FILTER (WHERE outcome = 'busy') AS busy,
       count(*) FILTER (WHERE outcome = 'wrong-number') AS wrong_numbers,
       count(*) FILTER (WHERE outcome = 'do-not-call') AS do_not_call,
       count(*) FILTER (WHERE disposition = 'booked') AS meetings_booked,
       count(*) FILTER (WHERE disposition = 'not-interested') AS not_interested,
       count(*) FILTER (WHERE disposition = 'callback') AS callbacks,
       count(*) FILTER (WHERE outcome = 'sent') AS emails_sent,
       count(*) FILTER (WHERE outcome = 'done') AS tasks_done
FROM attempts WHERE session_id = ?
"""


def session_outcomes(conn: sqlite3.Connection, session_id: int) -> dict[str, int]:
    """What one session's attempts came to: dials, each outcome, each disposition, emails, tasks."""
    return _one(conn.execute(_SESSION_OUTCOMES_SQL, [session_id]))


# The rep's activity per cadence over [since, until]: what the report adds up.
_ACTIVITY_SQL = """
SELECT cadence,
       count(*) FILTER (WHERE action = 'call') AS dials,
       count(*) FILTER (WHERE outcome = 'voicemail') AS voicemails,
       count(*) FILTER (WHERE outcome = 'connected') AS connects,
       count(*) FILTER (WHERE disposition = 'booked') AS meetings_booked,
       count(*) FILTER (WHERE disposition = 'not-interested') AS not_interested,
       count(*) FILTER (WHERE outcome = 'do-not-call') AS do_not_call,
       count(*) FILTER (WHERE outcome = 'sent') AS emails_sent,
       count(*) FILTER (WHERE outcome = 'done') AS tasks_done
FROM attempts WHERE at >= ? AND at <= ?
GROUP BY cadence ORDER BY dials DESC, cadence
"""


def activity_by_cadence(conn: sqlite3.Connection, since_iso: str, until_iso: str) -> list[dict]:
    """Per cadence: dials, voicemails, connects, meetings_booked, not_interested, do_not_call,
    emails_sent, tasks_done of the attempts logged in [since, until]."""
    return _dicts(conn.execute(_ACTIVITY_SQL, [since_iso, until_iso]))


def sessions_between(conn: sqlite3.Connection, since_iso: str, until_iso: str) -> list[dict]:
    """Sessions that ran during [since, until], oldest first: id, started_at, ended_at, dials
    (of the whole session) and last_at (its newest attempt, or None)."""
    return _dicts(conn.execute(
        "SELECT s.id, s.started_at, s.ended_at, "
        "       count(a.id) FILTER (WHERE a.action = 'call') AS dials, max(a.at) AS last_at "
        "FROM sessions s LEFT JOIN attempts a ON a.session_id = s.id "
        "WHERE s.started_at <= ? GROUP BY s.id "
        # A session never closed (the app was killed) ran until its last attempt.
        "HAVING coalesce(s.ended_at, max(a.at), s.started_at) >= ? ORDER BY s.started_at, s.id",
        [until_iso, since_iso],
    ))


# --- notes ----------------------------------------------------------------------------------

def insert_note(conn: sqlite3.Connection, *, prospect_id: int, at: str, text: str, source: str,
                session_id: int | None = None, attempt_id: int | None = None) -> int:
    cursor = conn.execute(
        "INSERT INTO notes (prospect_id, at, text, source, session_id, attempt_id) VALUES (?, ?, ?, ?, ?, ?)",
        [prospect_id, at, text, source, session_id, attempt_id])
    return cursor.lastrowid


def insert_crm_notes(conn: sqlite3.Connection, notes: Sequence[tuple[int, str]], at: str) -> None:
    """The CRM's notes of an import: (prospect id, text) each, all stamped with the import's time."""
    conn.executemany("INSERT INTO notes (prospect_id, at, text, source) VALUES (?, ?, ?, 'crm')",
                     [(pid, at, text) for pid, text in notes])


def newest_notes(conn: sqlite3.Connection, prospect_id: int, limit: int) -> tuple[list[dict], int]:
    """The prospect's ``limit`` newest notes, newest first, and how many there are in all
    (one indexed query: the card reads it on every key)."""
    rows = _dicts(conn.execute(
        "SELECT *, count(*) OVER () AS total FROM notes WHERE prospect_id = ? "
        "ORDER BY at DESC, id DESC LIMIT ?", [prospect_id, limit]))
    return rows, rows[0]["total"] if rows else 0


def notes_of_prospect(conn: sqlite3.Connection, prospect_id: int) -> list[dict]:
    """Every note of the prospect, newest first."""
    return _dicts(conn.execute(
        "SELECT * FROM notes WHERE prospect_id = ? ORDER BY at DESC, id DESC", [prospect_id]))


# --- do-not-call -----------------------------------------------------------------------------

def dnc_contains(conn: sqlite3.Connection, e164: str) -> bool:
    return conn.execute("SELECT 1 FROM dnc WHERE e164 = ?", [e164]).fetchone() is not None


def dnc_among(conn: sqlite3.Connection, numbers: Iterable[str]) -> set[str]:
    numbers = list(numbers)
    if not numbers:
        return set()
    marks = ",".join("?" * len(numbers))
    return {row[0] for row in conn.execute(f"SELECT e164 FROM dnc WHERE e164 IN ({marks})", numbers)}


def dnc_delete(conn: sqlite3.Connection, e164: str) -> bool:
    return conn.execute("DELETE FROM dnc WHERE e164 = ?", [e164]).rowcount == 1


def dnc_insert(conn: sqlite3.Connection, e164: str, at: str, reason: str) -> bool:
    """Add a number; False when it was already on the list (the first entry is kept)."""
    cursor = conn.execute("INSERT OR IGNORE INTO dnc(e164, added_at, reason) VALUES (?, ?, ?)", [e164, at, reason])
    return cursor.rowcount == 1


# --- export ----------------------------------------------------------------------------------

_EXPORT_SQL = """
SELECT p.*, e.cadence, e.step_index, e.status, e.next_due_at,
       (SELECT count(*) FROM attempts a WHERE a.prospect_id = p.id) AS attempts_count,
       (SELECT a.outcome FROM attempts a WHERE a.prospect_id = p.id ORDER BY a.at DESC, a.id DESC LIMIT 1)
           AS last_outcome
FROM prospects p
LEFT JOIN enrollments e ON e.id = coalesce(
    (SELECT id FROM enrollments WHERE prospect_id = p.id AND status IN ('active', 'connected')),
    (SELECT id FROM enrollments WHERE prospect_id = p.id ORDER BY updated_at DESC, id DESC LIMIT 1))
ORDER BY p.id
"""


def export_cursor(conn: sqlite3.Connection) -> Iterator[dict]:
    """Every prospect with its live (else latest) enrollment, streamed in id order."""
    cursor = conn.execute(_EXPORT_SQL)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row))
