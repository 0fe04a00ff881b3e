"""Reading a prospect and their history, searching, the rep's own facts about them and their notes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dialdeck import calling_windows, enrolling
from dialdeck.clock import as_utc, to_iso
from dialdeck.errors import InvalidInput, NotFound
from dialdeck.hours import CallingWindow
from dialdeck.models import (
    Attempt,
    ContactNumber,
    Enrollment,
    Note,
    Prospect,
    Rep,
)
from dialdeck.services.common import (
    e164_of,
    need_prospect,
    numbers_of,
    profile_of,
    reported,
    reread,
)
from dialdeck.services.rows import (
    attempt_model,
    enrollment_model,
    note_model,
    prospect_model,
)
from dialdeck.store import Store


def set_urgent(store: Store, prospect_id: int, urgent: bool, now: datetime, *, reason: str | None = None) -> Prospect:
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
    with reported(store), store.writing() as tx:
        need_prospect(tx, prospect_id)
        tx.set_prospect_facts(prospect_id, changes, to_iso(now))
        return prospect_model(reread(tx.prospect(prospect_id), "the prospect"))


def set_benefit(store: Store, prospect_id: int, text: str, now: datetime) -> Prospect:
    """What the rep wants this prospect to hear they stand to gain ({benefit}); "" clears it."""
    now = as_utc(now)
    with reported(store), store.writing() as tx:
        need_prospect(tx, prospect_id)
        tx.set_prospect_facts(prospect_id, {"benefit": " ".join(text.split())}, to_iso(now))
        return prospect_model(reread(tx.prospect(prospect_id), "the prospect"))


def prospect(store: Store, prospect_id: int) -> Prospect:
    with reported(store):
        return prospect_model(need_prospect(store, prospect_id))


def calling_window(store: Store, prospect_id: int, *, rep: Rep | None = None) -> tuple[ZoneInfo, CallingWindow]:
    """The prospect's zone and the calling window that applies to them (rep's hours, state rules)."""
    with reported(store):
        row = need_prospect(store, prospect_id)
        return calling_windows.window_of(enrolling.hours_key_of(row),
                                         calling_windows.base_window(profile_of(store, rep)))


def history(store: Store, prospect_id: int) -> tuple[Prospect, Enrollment | None, list[Attempt]]:
    """The prospect, their live (else latest) enrollment, and every attempt ever, oldest first."""
    with reported(store):
        row = need_prospect(store, prospect_id)
        enrollment = store.latest_enrollment(prospect_id)
        attempts = store.attempts(prospect_id)
        names = {rep["id"]: rep["name"] for rep in store.reps()}
        return (prospect_model(row), enrollment_model(enrollment) if enrollment else None,
                [attempt_model(a, names) for a in attempts])


def numbers(store: Store, prospect_id: int) -> tuple[ContactNumber, ...]:
    """Every number of the prospect, their own first, do-not-call ones marked."""
    with reported(store):
        return numbers_of(store, need_prospect(store, prospect_id))


def search_prospects(store: Store, text: str, *, limit: int = 20) -> list[Prospect]:
    if not text.strip():
        return []
    with reported(store):
        return [prospect_model(r) for r in store.search_prospects(text, limit)]


def add_note(store: Store, prospect_id: int, text: str, now: datetime, *,
             session_id: int | None = None) -> Note:
    """Keep a note the rep typed, with its time; it is linked to the prospect's last attempt
    when that is the newest attempt logged at all (the call the rep just made)."""
    now = as_utc(now)
    text = " ".join(text.split())
    if not text:
        raise InvalidInput("the note is empty")
    with reported(store), store.writing() as tx:
        need_prospect(tx, prospect_id)
        last = tx.newest_attempt()
        attempt_id = last["id"] if last is not None and last["prospect_id"] == prospect_id else None
        note_id = tx.insert_note(prospect_id=prospect_id, at=to_iso(now), text=text, source="rep",
                                 session_id=session_id, attempt_id=attempt_id)
        tx.set_prospect_facts(prospect_id, {}, to_iso(now))
    return Note(id=note_id, prospect_id=prospect_id, at=now.replace(microsecond=0), text=text, source="rep",
                session_id=session_id, attempt_id=attempt_id)


def notes(store: Store, prospect_id: int) -> list[Note]:
    """Every note of the prospect (the CRM's and the rep's), newest first."""
    with reported(store):
        need_prospect(store, prospect_id)
        return [note_model(row) for row in store.notes(prospect_id)]


def prospect_by_phone(store: Store, phone: str, *, rep: Rep | None = None) -> Prospect:
    """The prospect whose own number is ``phone`` (as typed); NotFound when there is none."""
    e164 = e164_of(store, phone, rep)
    with reported(store):
        row = store.prospect_by_phone(e164)
    if row is None:
        raise NotFound(f"no prospect with the number {e164}")
    return prospect_model(row)
