"""What several use cases share: errors made one line, the rep's day, the prospect and
their live enrollment found or refused, the scheduling context, rows made models."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from dialdeck import phones, schedule, settings
from dialdeck.clock import UTC, from_iso, to_iso
from dialdeck.errors import InvalidInput, NotFound, StoredTimeError
from dialdeck.hours import hours_key
from dialdeck.models import (
    Attempt,
    ContactNumber,
    Enrollment,
    Note,
    OutcomeResult,
    Prospect,
    RepProfile,
)
from dialdeck.services.library import steps_total
from dialdeck.store import records, windows
from dialdeck.store.db import db_path, store_error

# Earlier calls the guardrails look at (cooldown, calls per local day).
RECENT_CALLS = timedelta(days=8)


@contextlib.contextmanager
def store_errors(db: Database) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise store_error(exc, _path_of(db)) from None
    except StoredTimeError as exc:
        if exc.where:
            raise
        raise StoredTimeError(exc.text, records.where_is_time_text(db.conn, exc.text)) from None


def _path_of(db: Database) -> str | None:
    try:
        return db_path(db)
    except sqlite3.Error:
        return None


def rep_day(now: datetime, profile: RepProfile) -> tuple[datetime, datetime]:
    """Start of today and of tomorrow in the rep's zone, as UTC instants."""
    zone = ZoneInfo(profile.timezone)
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def guardrails(profile: RepProfile) -> schedule.Guardrails:
    return schedule.Guardrails(cooldown=timedelta(minutes=profile.cooldown_minutes),
                               max_per_day=profile.max_per_day)


def key_of(row: dict) -> str:
    return hours_key(row["region"] or None, row["subdivision"], row["timezone"])


def context_of(conn: sqlite3.Connection, prospect: dict, profile: RepProfile, now: datetime,
             *, include_now_call: bool = False) -> schedule.Context:
    zone, window = windows.window_of(key_of(prospect), windows.base_window(profile))
    calls = records.recent_call_times(conn, prospect["id"], to_iso(now - RECENT_CALLS))
    return schedule.Context(
        zone=zone,
        window=window,
        temperature=prospect["temperature"],
        value=prospect["value"],
        appointment_at=from_iso(prospect["appointment_at"]),
        recent_attempts=tuple(from_iso(at) for at in calls),
        guard=guardrails(profile),
        name=f"{prospect['first_name']} {prospect['last_name']}".strip(),
        has_email=bool(prospect["email"]),
    )


def position(row: dict) -> schedule.Position:
    return schedule.Position(
        cadence=row["cadence"], step_index=row["step_index"], status=row["status"],
        next_due_at=from_iso(row["next_due_at"]), pinned=bool(row["pinned"]), retries=row["retries"],
        promised_at=from_iso(row["promised_at"]),
    )


def position_columns(pos: schedule.Position, now: datetime) -> dict:
    return {
        "cadence": pos.cadence, "step_index": pos.step_index, "status": pos.status,
        "next_due_at": to_iso(pos.next_due_at), "pinned": int(pos.pinned), "retries": pos.retries,
        "promised_at": to_iso(pos.promised_at), "updated_at": to_iso(now),
    }


def queue_columns(prospect: dict) -> dict:
    """The prospect's fields the due queue's indexes carry on the enrollment."""
    return {"hours_key": key_of(prospect), "temp_rank": 0 if prospect["temperature"] == "warm" else 1,
            "value": prospect["value"]}


def write_position(conn: sqlite3.Connection, enrollment: dict, prospect: dict, pos: schedule.Position,
                    now: datetime) -> int | None:
    """Store where the prospect now stands; returns the id of a new enrollment when the cadence
    continued into another one (the old membership is then finished, kept for the record)."""
    if pos.cadence == enrollment["cadence"]:
        records.update_enrollment(conn, enrollment["id"], position_columns(pos, now))
        return None
    records.update_enrollment(conn, enrollment["id"], {
        "status": "finished", "next_due_at": None, "pinned": 0, "promised_at": None,
        "updated_at": to_iso(now)})
    return records.insert_enrollment(conn, {
        "prospect_id": prospect["id"], **position_columns(pos, now), **queue_columns(prospect),
        "created_at": to_iso(now)})


def prospect_model(row: dict) -> Prospect:
    return Prospect(
        id=row["id"], first_name=row["first_name"], last_name=row["last_name"], company=row["company"],
        phone_e164=row["phone_e164"], phone_raw=row["phone_raw"], email=row["email"],
        timezone=row["timezone"], tz_source=row["tz_source"], region=row["region"],
        subdivision=row["subdivision"], temperature=row["temperature"], value=row["value"],
        referrer=row["referrer"], referrer_company=row["referrer_company"],
        appointment_at=from_iso(row["appointment_at"]), notes=row["notes"],
        phone_ext=row.get("phone_ext") or "", phone_label=row.get("phone_label") or "phone",
        benefit=row["benefit"], urgent=bool(row["urgent"]), urgent_reason=row["urgent_reason"],
    )


def enrollment_model(row: dict) -> Enrollment:
    return Enrollment(
        prospect_id=row["prospect_id"], cadence=row["cadence"], step_index=row["step_index"],
        steps_total=steps_total(row["cadence"]), status=row["status"],
        next_due_at=from_iso(row["next_due_at"]), pinned=bool(row["pinned"]), retries=row["retries"],
        promised_at=from_iso(row["promised_at"]),
    )


def attempt_model(row: dict) -> Attempt:
    return Attempt(
        id=row["id"], prospect_id=row["prospect_id"], cadence=row["cadence"], step=row["step"],
        action=row["action"], outcome=row["outcome"], at=from_iso(row["at"]), note=row["note"],
        session_id=row["session_id"], forced_reason=row["forced_reason"], number=row.get("number"),
    )


def numbers_of(conn: sqlite3.Connection, prospect: dict) -> tuple[ContactNumber, ...]:
    """Every number of the prospect, their own first, each marked when on the do-not-call list."""
    own = (prospect.get("phone_label") or "phone", prospect["phone_e164"], prospect.get("phone_ext") or "")
    others = [(n["label"], n["e164"], n["extension"]) for n in records.other_numbers(conn, prospect["id"])]
    blocked = records.dnc_among(conn, {own[1], *(n[1] for n in others)})
    return tuple(ContactNumber(label=label, e164=e164, extension=extension, primary=index == 0,
                               dnc=e164 in blocked)
                 for index, (label, e164, extension) in enumerate([own, *others]))


def chosen_number(conn: sqlite3.Connection, prospect: dict, number: str | None,
                   profile: RepProfile) -> ContactNumber:
    """The prospect's number an attempt uses: ``number`` as typed ('+1 404 555 0188', with or
    without its extension), or their own number when None."""
    numbers = numbers_of(conn, prospect)
    if number is None:
        return numbers[0]
    try:
        typed = phones.parse_phone(number, prospect["region"] or profile.region)
    except ValueError as exc:
        raise InvalidInput(f"number {number!r}: {exc}") from None
    for candidate in numbers:
        if candidate.e164 == typed.e164 and typed.extension in ("", candidate.extension):
            return candidate
    known = ", ".join(phones.format_with_extension(n.e164, n.extension) for n in numbers)
    raise InvalidInput(f"{phones.format_with_extension(typed.e164, typed.extension)} is not one of "
                       f"{name_of(prospect)}'s numbers ({known})")


def result_of(attempt_id: int | None, prospect_id: int, outcome: str, row: dict,
            needs_disposition: bool = False, forced_reason: str | None = None) -> OutcomeResult:
    live = row["status"] in records.LIVE
    return OutcomeResult(
        attempt_id=attempt_id, prospect_id=prospect_id, outcome=outcome, status=row["status"],
        step=row["step_index"] + 1 if live else None, cadence=row["cadence"],
        next_due_at=from_iso(row["next_due_at"]), needs_disposition=needs_disposition,
        forced_reason=forced_reason,
    )


def need_prospect(conn: sqlite3.Connection, prospect_id: int) -> dict:
    row = records.prospect_row(conn, prospect_id)
    if row is None:
        raise NotFound(f"no prospect with id {prospect_id}")
    return row


def need_live(conn: sqlite3.Connection, prospect: dict) -> dict:
    row = records.live_enrollment(conn, prospect["id"])
    if row is None:
        latest = records.latest_enrollment(conn, prospect["id"])
        state = f"{latest['status']} in {latest['cadence']}" if latest else "not enrolled in any cadence"
        raise InvalidInput(f"prospect {prospect['id']} ({name_of(prospect)}) is {state}: nothing is due")
    return row


def name_of(row: dict) -> str:
    return f"{row['first_name']} {row['last_name']}".strip()


def e164_of(db: Database, phone: str) -> str:
    try:
        return phones.to_e164(phone, settings.read_profile(db).region)
    except ValueError as exc:
        raise InvalidInput(f"phone {phone!r}: {exc}") from None


def note_model(row: dict) -> Note:
    return Note(id=row["id"], prospect_id=row["prospect_id"], at=from_iso(row["at"]), text=row["text"],
                source=row["source"], session_id=row["session_id"], attempt_id=row["attempt_id"])
