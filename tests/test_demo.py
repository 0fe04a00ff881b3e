"""The demo database: live work due at whatever moment it is built, made through the services."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dialdeck import demo, services, store
from dialdeck.errors import InvalidInput

UTC = timezone.utc
NEW_YORK = ZoneInfo("America/New_York")

# A working afternoon, a Saturday, the middle of a US night, a summer (DST) morning, and
# New Year's Day: the demo must have calls due now at each.
INSTANTS = [
    datetime(2026, 11, 25, 19, 20, tzinfo=UTC),  # Wed 14:20 in New York
    datetime(2026, 11, 28, 16, 0, tzinfo=UTC),  # Sat 11:00 in New York
    datetime(2026, 12, 2, 8, 30, tzinfo=UTC),  # Wed 03:30 in New York, afternoon in Europe
    datetime(2027, 7, 14, 13, 5, tzinfo=UTC),  # Wed 09:05 EDT
    datetime(2027, 1, 1, 2, 0, tzinfo=UTC),  # New Year's Eve, 21:00 in New York
]


@pytest.fixture(scope="module", params=INSTANTS, ids=lambda t: t.strftime("%a-%Y%m%d-%H%MZ"))
def built(request, tmp_path_factory):
    now = request.param
    path = demo.build_demo(tmp_path_factory.mktemp("demo") / "demo.db", now)
    db = store.open_store(path, create=False)
    yield db, now
    db.close()


def test_calls_are_due_now(built) -> None:
    db, now = built
    items = services.due(db, now, limit=500)
    assert len(items) >= 3, f"only {len(items)} due at {now}"
    assert all(item.due_at <= now for item in items)


def test_promises_come_first_and_one_was_made_on_the_phone_today(built) -> None:
    db, now = built
    items = services.due(db, now, limit=500)
    promised = [item for item in items if item.pinned]
    assert promised and items[: len(promised)] == promised, "promises whose time has come lead the queue"
    last_outcomes = [services.call_card(db, item.prospect_id, now).attempts for item in promised]
    callbacks = [a[-1] for a in last_outcomes if a and a[-1].outcome == "connected"]
    assert any(now - timedelta(hours=1) < attempt.at < now for attempt in callbacks)


def test_a_callback_is_promised_for_later_today(built) -> None:
    db, now = built
    later = [
        row for row in services.export_rows(db)
        if row["last_outcome"] == "connected" and row["status"] == "active"
        and row["next_due_at"] and datetime.fromisoformat(row["next_due_at"]) > now
    ]
    assert any(datetime.fromisoformat(row["next_due_at"]) - now <= timedelta(hours=2) for row in later)


def test_some_calls_are_overdue_and_more_come_later(built) -> None:
    db, now = built
    items = services.due(db, now, limit=500)
    assert any(item.overdue for item in items)
    summary = services.queue_summary(db, now)
    assert summary.due_now == len(items)
    assert summary.next_item is not None and summary.next_item.due_at > now


def test_history_is_in_the_past_and_varied(built) -> None:
    db, now = built
    attempts = [a for row in services.export_rows(db) for a in _attempts_of(db, row)]
    assert len(attempts) >= 40
    assert all(now - timedelta(days=demo.IMPORTED_DAYS_AGO) < a.at < now for a in attempts)
    outcomes = {a.outcome for a in attempts}
    assert {"voicemail", "no-answer", "connected", "sent"} <= outcomes
    assert any(a.session_id is not None for a in attempts)


def test_the_demo_rep_profile(built) -> None:
    db, _now = built
    profile = services.get_profile(db)
    assert (profile.name, profile.company, profile.timezone) == ("Jordan Reyes", "Brightline Analytics", "America/New_York")
    assert profile.phone.startswith("+1212555")


def test_every_cadence_is_in_the_demo(built) -> None:
    db, _now = built
    cadences = {row.get("cadence") for row in services.export_rows(db)}
    assert {"three-step", "money-in-follow-up", "follow-up-series", "voicemail-challenge", "zero-to-ten"} <= cadences


def test_same_instant_same_demo(tmp_path: Path) -> None:
    now = INSTANTS[0]
    first = demo.build_demo(tmp_path / "a.db", now)
    second = demo.build_demo(tmp_path / "b.db", now)
    rows = []
    for path in (first, second):
        db = store.open_store(path, create=False)
        rows.append([(i.prospect_id, i.due_at, i.step) for i in services.due(db, now, limit=500)])
        db.close()
    assert rows[0] == rows[1]


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "mine.db"
    path.write_text("a rep's real data")
    with pytest.raises(InvalidInput, match="already exists"):
        demo.build_demo(path, INSTANTS[0])
    assert path.read_text() == "a rep's real data"


def test_appointments_move_next_to_today() -> None:
    text = (
        "First Name;Appointment;Phone\n"
        "Ana;2026-11-24 14:00;+1 312 555 0101\n"
        "Ben;;+1 312 555 0102\n"
        "Chloe;2026-11-26T09:30:00;+1 312 555 0103\n"
    )
    moved = demo.shift_appointments(text, date(2027, 3, 10))
    assert moved.splitlines() == [
        "First Name;Appointment;Phone",
        "Ana;2027-03-08 14:00;+1 312 555 0101",  # the first appointment lands two days ago
        "Ben;;+1 312 555 0102",
        "Chloe;2027-03-10T09:30:00;+1 312 555 0103",  # two days later: today, same clock time
    ]


def test_appointments_never_land_on_a_weekend() -> None:
    text = "First Name,Appointment\nAna,2026-11-24 14:00\nBen,2026-11-27 10:00\n"
    moved = demo.shift_appointments(text, date(2026, 12, 2))  # Ana lands on Mon 30 Nov
    assert moved.splitlines()[1:] == [
        "Ana,2026-11-30 14:00",
        "Ben,2026-12-03 10:00",
    ]
    moved = demo.shift_appointments(text, date(2026, 12, 1))  # Ana lands on Sun 29 Nov
    assert moved.splitlines()[1:] == [
        "Ana,2026-11-27 14:00",  # the Friday before
        "Ben,2026-12-02 10:00",
    ]


def test_replayed_sessions_skip_the_last_two_days() -> None:
    now = datetime(2026, 11, 25, 19, 20, tzinfo=UTC)  # Wed 14:20 in New York
    days = {start.astimezone(NEW_YORK).date() for start in demo.session_starts(now)}
    assert date(2026, 11, 23) not in days and date(2026, 11, 24) not in days
    assert date(2026, 11, 25) in days  # this morning's session
    assert all(start <= now - demo.QUIET_BEFORE_NOW for start in demo.session_starts(now))


def _attempts_of(db, row: dict):
    prospect_id = row.get("prospect_id", row.get("id"))
    return services.history(db, prospect_id)[2]


def test_work_is_due_at_every_hour_of_a_week(tmp_path: Path) -> None:
    """Any day, any hour (a weekend and a DST change included): the demo never opens empty."""
    start = datetime(2026, 10, 29, 0, 41, tzinfo=UTC)  # the US leaves DST on Sunday 1 November
    empty = []
    for hours in range(0, 24 * 7, 3):
        now = start + timedelta(hours=hours)
        db = store.open_store(demo.build_demo(tmp_path / f"{hours}.db", now), create=False)
        if not services.due(db, now, limit=1):
            empty.append(now.isoformat())
        db.close()
    assert empty == []
