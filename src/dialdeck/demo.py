"""The demo database: the sample prospects, a demo rep, and a week of calling already done.

Everything goes through the services, exactly as a rep's keys and commands would, so
building the demo is also an end-to-end run of import, scheduling and the due queue.

Times are placed relative to ``now`` so that, on any date and at any hour, the session
opens on live work: the sample's appointment days are moved next to today, the list was
imported nine days ago, the rep has worked it in sessions since (voicemails, no-answers,
emails, a few conversations), skipped the last two days (so some calls are overdue), and
earlier today promised two callbacks: one whose time has come, one later today.

Calling hours: the demo rep calls seven days a week (08:00-21:00 in each prospect's zone,
the state rules still applying), so a demo started on a weekend is not empty. With the
sample's zones (the Americas, Europe and Asia-Pacific) some window is open at almost any
hour; when none is, the session shows its "outside calling hours" state, which is honest.
"""

from __future__ import annotations

import csv
import io
import random
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dialdeck import paths, services
from dialdeck.clock import UTC, as_utc
from dialdeck.errors import InvalidInput
from dialdeck.guard import GUARDED_OUTCOMES
from dialdeck.hours import is_callable
from dialdeck.models import DueItem

DEMO_ZONE = "America/New_York"
DEMO_PROFILE = {
    "rep.name": "Jordan Reyes",
    "rep.company": "Brightline Analytics",
    "rep.phone": "+1 212 555 0142",  # 555-01xx: reserved for fiction, valid to phonenumbers
    "rep.timezone": DEMO_ZONE,
    "rep.region": "US",
    "hours.days": "mon,tue,wed,thu,fri,sat,sun",
}
IMPORTED_DAYS_AGO = 9
# The sample's first appointment day lands this many days before today, so its agreed times
# run from "missed two days ago" through today to tomorrow.
FIRST_APPOINTMENT_DAYS_AGO = 2
# The rep's calling sessions, in the rep's local time, on every day except the last two; the
# evening one reaches the west coast and Asia-Pacific.
SESSION_STARTS = (time(9, 30), time(13, 0), time(16, 30), time(19, 30))
AWAY_DAYS = 2
SESSION_LENGTH = timedelta(minutes=90)
QUIET_BEFORE_NOW = timedelta(hours=3)  # no replayed session starts later than this before now
SKIP_CHANCE = 0.2  # a due call the rep did not get to in that session
SEED = 20261124

CALL_OUTCOMES = {"voicemail": 50, "no-answer": 28, "busy": 8, "connected": 10, "wrong-number": 2, "do-not-call": 2}
DISPOSITIONS = {"continue": 3, "callback": 3, "booked": 2, "not-interested": 2}
NOTES = {
    "connected": (
        "Interested, wants numbers for their team first",
        "Using a competitor until March; open to a comparison",
        "Asked about onboarding time",
        "Busy quarter, but liked the case study",
    ),
    "busy": ("Line busy",),
    "wrong-number": ("Reached a dental office: number is not theirs",),
    "do-not-call": ("Asked not to be called again",),
}


@dataclass(frozen=True)
class _Attempt:
    outcome: str
    disposition: str | None = None
    callback_at: datetime | None = None
    note: str = ""


def build_demo(path: Path, now: datetime) -> Path:
    """Write a fresh demo database at ``path`` (which must not exist) as of ``now``; return ``path``."""
    now = as_utc(now)
    path = Path(path)
    if path.exists():
        raise InvalidInput(f"{path} already exists; the demo is built only into a new file")
    db = services.open_store(path, create=True)
    try:
        for key, value in DEMO_PROFILE.items():
            services.set_setting(db, key, value)
        _import_sample(db, now)
        rng = random.Random(SEED)
        for start in session_starts(now):
            _work_session(db, start, now, rng)
        _promise_callbacks(db, now)
    finally:
        db.close()
    return path


# --------------------------------------------------------------------------- the sample, moved to now


def _import_sample(db, now: datetime) -> None:
    sample = paths.sample_data_dir() / "prospects.csv"
    today = now.astimezone(ZoneInfo(DEMO_ZONE)).date()
    with tempfile.TemporaryDirectory(prefix="dialdeck-demo-") as folder:
        moved = Path(folder) / "prospects.csv"
        moved.write_text(shift_appointments(sample.read_text(encoding="utf-8-sig"), today), encoding="utf-8")
        services.import_csv(db, moved, now=now - timedelta(days=IMPORTED_DAYS_AGO), region="US")


def shift_appointments(text: str, today: date) -> str:
    """The CSV with every appointment moved by whole days so the first one falls near ``today``.

    Whole days keep each agreed clock time (the appointments are local times, mostly
    without offsets). One that would land on a weekend moves back to the Friday before:
    nobody books a sales call for Sunday morning.
    """
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header, body = rows[0], rows[1:]
    column = _appointment_column(header)
    if column is None:
        return text
    times = [_read_time(row[column]) for row in body if column < len(row)]
    days = sorted({t.date() for t in times if t is not None})
    if not days:
        return text
    delta = (today - timedelta(days=FIRST_APPOINTMENT_DAYS_AGO)) - days[0]
    for row in body:
        if column < len(row) and (value := _read_time(row[column])) is not None:
            row[column] = _write_time(_on_a_working_day(value + delta), like=row[column])
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([header, *body])
    return out.getvalue()


def _on_a_working_day(moment: datetime) -> datetime:
    return moment - timedelta(days=max(0, moment.weekday() - 4))


def _appointment_column(header: list[str]) -> int | None:
    for index, name in enumerate(header):
        if "appointment" in name.lower() or "agreed" in name.lower():
            return index
    return None


def _read_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def _write_time(value: datetime, *, like: str) -> str:
    """``value`` in the same ISO style as the cell it replaces (separator, seconds)."""
    sep = "T" if "T" in like else " "
    spec = "seconds" if re.search(r"\d\d:\d\d:\d\d", like) else "minutes"
    return value.isoformat(sep=sep, timespec=spec)


# --------------------------------------------------------------------------- a week of calling, replayed


def session_starts(now: datetime) -> Iterator[datetime]:
    """The replayed sessions: four a day since the import, none on the last two days or near now."""
    zone = ZoneInfo(DEMO_ZONE)
    imported = now - timedelta(days=IMPORTED_DAYS_AGO)
    today = now.astimezone(zone).date()
    latest = now - QUIET_BEFORE_NOW
    for back in range(IMPORTED_DAYS_AGO, -1, -1):
        if 0 < back <= AWAY_DAYS:
            continue
        day = today - timedelta(days=back)
        for start in SESSION_STARTS:
            instant = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
            if imported < instant <= latest:
                yield instant


def _work_session(db, start: datetime, now: datetime, rng: random.Random) -> None:
    """One sitting: dial down the due queue for up to 90 minutes, a few minutes a call."""
    session_id = services.start_session(db, start)
    clock = start
    end = min(start + SESSION_LENGTH, now - timedelta(minutes=90))
    for item in services.due(db, start, limit=200):
        if rng.random() < SKIP_CHANCE:
            continue
        clock += timedelta(minutes=rng.randint(2, 6))
        if clock >= end:
            break
        attempt = _choose(item, clock, rng)
        if attempt.outcome in GUARDED_OUTCOMES and not services.call_verdict(db, item.prospect_id, clock).allowed:
            continue  # their window closed (or the day's calls ran out) since the session began
        if attempt.outcome == "voicemail" and services.call_card(db, item.prospect_id, clock).script.voicemail is None:
            attempt = _Attempt("no-answer")  # the script says to leave no message: the rep hangs up
        try:
            services.log_outcome(
                db, item.prospect_id, attempt.outcome, clock, note=attempt.note,
                disposition=attempt.disposition, callback_at=attempt.callback_at, session_id=session_id,
            )
        except InvalidInput:  # the callback time is outside their calling hours: carry on instead
            services.log_outcome(db, item.prospect_id, attempt.outcome, clock, note=attempt.note,
                                 disposition="continue", session_id=session_id)
    services.end_session(db, session_id, clock + timedelta(minutes=1))


def _choose(item: DueItem, at: datetime, rng: random.Random) -> _Attempt:
    if item.action == "email":
        return _Attempt("sent")
    if item.action != "call":
        return _Attempt("done")
    outcome = _weighted(CALL_OUTCOMES, rng)
    note = rng.choice(NOTES[outcome]) if outcome in NOTES else ""
    if outcome != "connected":
        return _Attempt(outcome, note=note)
    disposition = _weighted(DISPOSITIONS, rng)
    # A callback is agreed for the same time tomorrow, on the quarter hour.
    callback = _quarter(at + timedelta(days=1)) if disposition == "callback" else None
    return _Attempt(outcome, disposition, callback, note)


def _weighted(weights: dict[str, int], rng: random.Random) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _quarter(instant: datetime) -> datetime:
    return instant.replace(minute=instant.minute - instant.minute % 15, second=0, microsecond=0)


# --------------------------------------------------------------------------- today's promises


def _promise_callbacks(db, now: datetime) -> None:
    """Earlier today the rep reached two people and promised to call back: one now, one later today.

    They are chosen among calls callable now (the least urgent first, so the rest of the
    queue keeps its story), so the first promise is in the queue at once.
    """
    calls = [item for item in services.due(db, now, limit=200) if item.action == "call"]
    chosen = [i.prospect_id for i in reversed(calls) if not i.pinned] + [i.prospect_id for i in reversed(calls) if i.pinned]
    # Nobody due now: promise the callback to someone whose calling hours are open, so the demo
    # still opens on a call whenever any window is.
    chosen += [pid for pid in _open_now(db, now) if pid not in chosen]
    promises = (
        (now - timedelta(minutes=45), _quarter(now - timedelta(minutes=5)), "In a meeting; call back in 40 minutes"),
        (now - timedelta(minutes=40), _later_today(now), "Wants to loop in their manager; call back later today"),
    )
    # With nobody's window open now there is no one to choose: the session says "outside hours".
    # A callback must fall inside the prospect's calling hours; whoever's hours it misses is skipped.
    candidates = iter(chosen)
    for at, callback, note in promises:
        for prospect_id in candidates:
            try:
                services.log_outcome(
                    db, prospect_id, "connected", at, disposition="callback", callback_at=callback, note=note,
                )
            except InvalidInput:
                continue
            break


def _open_now(db, now: datetime) -> list[int]:
    """Prospects in a cadence whose calling window is open at ``now`` (due or not)."""
    found = []
    for row in services.iter_export_rows(db, with_attempts=False):
        if row["status"] != "active":
            continue
        zone, window = services.calling_window(db, row["id"])
        if is_callable(now, zone, window):
            found.append(row["id"])
    return found


def _later_today(now: datetime) -> datetime:
    """About two hours ahead, kept inside the rep's today when there is room for it."""
    zone = ZoneInfo(DEMO_ZONE)
    ahead = _quarter(now + timedelta(hours=2))
    end_of_day = datetime.combine(now.astimezone(zone).date(), time(23, 45), tzinfo=zone).astimezone(UTC)
    if ahead <= end_of_day:
        return ahead
    return max(end_of_day, _quarter(now + timedelta(minutes=30)))
