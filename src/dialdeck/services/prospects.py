"""Reading a prospect and their history, searching, the rep's own facts about them and their notes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from dialdeck import settings
from dialdeck.clock import as_utc, to_iso
from dialdeck.errors import InvalidInput
from dialdeck.hours import CallingWindow
from dialdeck.models import (
    Attempt,
    ContactNumber,
    Enrollment,
    Note,
    Prospect,
)
from dialdeck.services.common import (
    attempt_model,
    enrollment_model,
    key_of,
    need_prospect,
    note_model,
    numbers_of,
    prospect_model,
    store_errors,
)
from dialdeck.store import records, windows, write_tx


def set_urgent(db: Database, prospect_id: int, urgent: bool, now: datetime, *, reason: str | None = None) -> Prospect:
    """Mark the prospect urgent (or not): money-in scripts then offer a message, and the pane says so.

    ``reason``, in the rep's words, is what the message gives as the reason to call back (None
    keeps the one on file; unmarking clears it).
    """
    now = as_utc(now)
    changes: dict = {"urgent": int(urgent)}
    if not urgent:
        changes["urgent_reason"] = ""
    elif reason is not None:
        changes["urgent_reason"] = " ".join(reason.split())
    with store_errors(db), write_tx(db):
        need_prospect(db.conn, prospect_id)
        records.set_prospect_facts(db.conn, prospect_id, changes, to_iso(now))
        return prospect_model(records.prospect_row(db.conn, prospect_id))


def set_benefit(db: Database, prospect_id: int, text: str, now: datetime) -> Prospect:
    """What the rep wants this prospect to hear they stand to gain ({benefit}); "" clears it."""
    now = as_utc(now)
    with store_errors(db), write_tx(db):
        need_prospect(db.conn, prospect_id)
        records.set_prospect_facts(db.conn, prospect_id, {"benefit": " ".join(text.split())}, to_iso(now))
        return prospect_model(records.prospect_row(db.conn, prospect_id))


def prospect(db: Database, prospect_id: int) -> Prospect:
    with store_errors(db):
        return prospect_model(need_prospect(db.conn, prospect_id))


def calling_window(db: Database, prospect_id: int) -> tuple[ZoneInfo, CallingWindow]:
    """The prospect's zone and the calling window that applies to them (rep's hours, state rules)."""
    with store_errors(db):
        row = need_prospect(db.conn, prospect_id)
        return windows.window_of(key_of(row), windows.base_window(settings.read_profile(db)))


def history(db: Database, prospect_id: int) -> tuple[Prospect, Enrollment | None, list[Attempt]]:
    """The prospect, their live (else latest) enrollment, and every attempt ever, oldest first."""
    with store_errors(db):
        conn = db.conn
        row = need_prospect(conn, prospect_id)
        enrollment = records.latest_enrollment(conn, prospect_id)
        attempts = records.attempts_of_prospect(conn, prospect_id)
        return (prospect_model(row), enrollment_model(enrollment) if enrollment else None,
                [attempt_model(a) for a in attempts])


def numbers(db: Database, prospect_id: int) -> tuple[ContactNumber, ...]:
    """Every number of the prospect, their own first, do-not-call ones marked."""
    with store_errors(db):
        return numbers_of(db.conn, need_prospect(db.conn, prospect_id))


def search_prospects(db: Database, text: str, *, limit: int = 20) -> list[Prospect]:
    if not text.strip():
        return []
    with store_errors(db):
        return [prospect_model(r) for r in records.search_prospects(db.conn, text, limit)]


def add_note(db: Database, prospect_id: int, text: str, now: datetime, *,
             session_id: int | None = None) -> Note:
    """Keep a note the rep typed, with its time; it is linked to the prospect's last attempt
    when that is the newest attempt logged at all (the call the rep just made)."""
    now = as_utc(now)
    text = " ".join(text.split())
    if not text:
        raise InvalidInput("the note is empty")
    with store_errors(db), write_tx(db):
        conn = db.conn
        need_prospect(conn, prospect_id)
        last = records.newest_attempt(conn)
        attempt_id = last["id"] if last is not None and last["prospect_id"] == prospect_id else None
        note_id = records.insert_note(conn, prospect_id=prospect_id, at=to_iso(now), text=text, source="rep",
                                      session_id=session_id, attempt_id=attempt_id)
        conn.execute("UPDATE prospects SET updated_at = ? WHERE id = ?", [to_iso(now), prospect_id])
    return Note(id=note_id, prospect_id=prospect_id, at=now.replace(microsecond=0), text=text, source="rep",
                session_id=session_id, attempt_id=attempt_id)


def notes(db: Database, prospect_id: int) -> list[Note]:
    """Every note of the prospect (the CRM's and the rep's), newest first."""
    with store_errors(db):
        need_prospect(db.conn, prospect_id)
        return [note_model(row) for row in records.notes_of_prospect(db.conn, prospect_id)]
