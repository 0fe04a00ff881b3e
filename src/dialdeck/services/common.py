"""What several use cases share: the rep's profile and day, the prospect and their live
enrollment found or refused, the scheduling context, a stored time reported where it is."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from dialdeck import calling_windows, enrolling, phones, safe_text, schedule, settings
from dialdeck.clock import UTC, from_iso, stored_instant, to_iso
from dialdeck.errors import InvalidInput, NotFound, StoreError, StoredTimeError
from dialdeck.models import ContactNumber, Rep, RepProfile
from dialdeck.store import Store
from dialdeck.store.interface import EnrollmentRow, ProspectRow, Records, RepRow, Writer

_Row = TypeVar("_Row")


@contextlib.contextmanager
def reported(store: Store) -> Iterator[None]:
    """A stored time that cannot be read is reported with where it is ('enrollments.next_due_at,
    id 3'), so the rep can correct it; the store's own failures are StoreErrors already."""
    try:
        yield
    except StoredTimeError as exc:
        if exc.where:
            raise
        raise StoredTimeError(exc.text, store.where_is_time(exc.text)) from None


def profile_of(records: Records, rep: Rep | None = None) -> RepProfile:
    """The rep's profile (None: the database's only rep): the team's settings, then their own."""
    return settings.profile_from(settings_of(records, rep))


def settings_of(records: Records, rep: Rep | None = None) -> dict[str, str]:
    """Every setting as the rep sees it: the team's, overridden by the rep's own."""
    return {**records.settings(), **records.rep_settings(the_rep(records, rep).id)}


def the_rep(records: Records, rep: Rep | None) -> Rep:
    """``rep``, or when None the database's only rep (InvalidInput naming them when several)."""
    return rep if rep is not None else choose_rep(records.reps(), None)


def choose_rep(rows: Sequence[RepRow], name: str | None) -> Rep:
    """The rep named ``name`` (any case), or the only one when None; InvalidInput, one line
    naming the reps, when there is no such rep or several to choose from."""
    reps = [Rep(row["id"], row["name"]) for row in rows]
    names = ", ".join(safe_text.one_line(r.name) for r in reps)
    if name is None:
        if len(reps) == 1:
            return reps[0]
        raise InvalidInput(f"this database has {len(reps)} reps ({names}): say which one with --rep NAME "
                           "or DIALDECK_REP")
    wanted = name.strip().casefold()
    for rep in reps:
        if rep.name.casefold() == wanted:
            return rep
    raise InvalidInput(f"no rep named {safe_text.one_line(name.strip())!r} (reps: {names})")


def rep_day(now: datetime, profile: RepProfile) -> tuple[datetime, datetime]:
    """Start of today and of tomorrow in the rep's zone, as UTC instants."""
    zone = ZoneInfo(profile.timezone)
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def context_of(records: Records, prospect: ProspectRow, profile: RepProfile, now: datetime) -> schedule.Context:
    """What the scheduler and the guard need to know about the prospect at ``now``."""
    zone, window = calling_windows.window_of(enrolling.hours_key_of(prospect), calling_windows.base_window(profile))
    calls = records.recent_calls([prospect["id"]], to_iso(now - schedule.RECENT_CALLS)).get(prospect["id"], ())
    return schedule.Context(
        zone=zone,
        window=window,
        temperature=prospect["temperature"],
        value=prospect["value"],
        appointment_at=from_iso(prospect["appointment_at"]),
        recent_attempts=tuple(stored_instant(at) for at in calls),
        guard=schedule.Guardrails.of(profile),
        name=name_of(prospect),
        has_email=bool(prospect["email"]),
    )


def position(row: EnrollmentRow) -> schedule.Position:
    return schedule.Position(
        cadence=row["cadence"], step_index=row["step_index"], status=row["status"],
        next_due_at=from_iso(row["next_due_at"]), pinned=bool(row["pinned"]), retries=row["retries"],
        promised_at=from_iso(row["promised_at"]),
    )


def write_position(tx: Writer, enrollment: EnrollmentRow, prospect: ProspectRow, pos: schedule.Position,
                   now: datetime) -> int | None:
    """Store where the prospect now stands; returns the id of a new enrollment when the cadence
    continued into another one (the old membership is then finished, kept for the record)."""
    if pos.cadence == enrollment["cadence"]:
        tx.update_enrollment(enrollment["id"], enrolling.position_columns(pos, now))
        return None
    tx.update_enrollment(enrollment["id"], {
        "status": "finished", "next_due_at": None, "pinned": 0, "promised_at": None,
        "updated_at": to_iso(now)})
    return tx.insert_enrollment(enrolling.enrollment_row(prospect, pos, now))


def numbers_of(records: Records, prospect: ProspectRow) -> tuple[ContactNumber, ...]:
    """Every number of the prospect, their own first, each marked when on the do-not-call list."""
    own = (prospect.get("phone_label") or "phone", prospect["phone_e164"], prospect.get("phone_ext") or "")
    others = [(n["label"], n["e164"], n["extension"]) for n in records.other_numbers(prospect["id"])]
    blocked = records.dnc_among({own[1], *(n[1] for n in others)})
    return tuple(ContactNumber(label=label, e164=e164, extension=extension, primary=index == 0,
                               dnc=e164 in blocked)
                 for index, (label, e164, extension) in enumerate([own, *others]))


def chosen_number(records: Records, prospect: ProspectRow, number: str | None,
                  profile: RepProfile) -> ContactNumber:
    """The prospect's number an attempt uses: ``number`` as typed ('+1 404 555 0188', with or
    without its extension), or their own number when None."""
    numbers = numbers_of(records, prospect)
    if number is None:
        return numbers[0]
    for candidate in numbers:
        # The session sends the number exactly as stored: no parse, which for a North American
        # number loaded the geocoder's data (~0.3 s, ~100 MB) on the session's first outcome.
        if number == phones.number_text(candidate.e164, candidate.extension):
            return candidate
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


def need_prospect(records: Records, prospect_id: int) -> ProspectRow:
    row = records.prospect(prospect_id)
    if row is None:
        raise NotFound(f"no prospect with id {prospect_id}")
    return row


def need_live(records: Records, prospect: ProspectRow) -> EnrollmentRow:
    row = records.live_enrollment(prospect["id"])
    if row is None:
        latest = records.latest_enrollment(prospect["id"])
        state = f"{latest['status']} in {latest['cadence']}" if latest else "not enrolled in any cadence"
        raise InvalidInput(f"prospect {prospect['id']} ({name_of(prospect)}) is {state}: nothing is due")
    return row


def reread(row: _Row | None, what: str) -> _Row:
    """A row this transaction holds or has just written, read back: missing only if the store
    itself lost it, which is reported like any store failure."""
    if row is None:
        raise StoreError(f"{what} vanished within its own transaction")
    return row


def name_of(row) -> str:
    return f"{row['first_name']} {row['last_name']}".strip()


def e164_of(records: Records, phone: str, rep: Rep | None = None) -> str:
    """``phone`` as typed, read in the rep's region (None: the only rep's) when it has no country code."""
    try:
        return phones.to_e164(phone, profile_of(records, rep).region)
    except ValueError as exc:
        raise InvalidInput(f"phone {phone!r}: {exc}") from None
