"""The rep's activity report: services.report and ``dialdeck report``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dialdeck import services
from dialdeck.clock import UTC
from dialdeck.errors import InvalidInput
from test_cli import DUE_AT, IMPORT_AT, dialdeck

pytestmark = pytest.mark.engines


def _a_morning(db, now: datetime) -> int:
    """Yesterday one voicemail; today a 30-minute session of five calls, then an email."""
    # Yesterday was a Sunday, outside everyone's calling hours: a call made anyway is logged forced.
    services.log_outcome(db, 5, "voicemail", now - timedelta(days=1), force=True)
    session = services.start_session(db, now)
    services.log_outcome(db, 1, "voicemail", now, session_id=session)
    services.log_outcome(db, 2, "connected", now + timedelta(minutes=5), session_id=session, disposition="booked")
    services.log_outcome(db, 4, "connected", now + timedelta(minutes=10), session_id=session,
                         disposition="not-interested")  # London, 15:10
    services.log_outcome(db, 6, "no-answer", now + timedelta(minutes=15), session_id=session)
    # Los Angeles is not open yet (07:20), but asking not to be called is never refused.
    services.log_outcome(db, 3, "do-not-call", now + timedelta(minutes=20), session_id=session)
    services.end_session(db, session, now + timedelta(minutes=30))
    services.log_outcome(db, 1, "sent", now + timedelta(minutes=40))  # zero-to-ten step 2 is an email
    return session


def test_today_counts_every_kind_of_outcome(imported_db, now) -> None:
    session = _a_morning(imported_db, now)
    today = services.report(imported_db, now + timedelta(hours=1))
    assert today.since == datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # midnight in New York
    assert (today.dials, today.voicemails, today.connects) == (5, 1, 2)
    assert today.connect_rate == pytest.approx(0.4)
    assert (today.meetings_booked, today.not_interested, today.do_not_call) == (1, 1, 1)
    assert (today.emails_sent, today.tasks_done) == (1, 0)
    (cadence,) = today.by_cadence
    assert (cadence.cadence, cadence.dials, cadence.emails_sent) == ("zero-to-ten", 5, 1)
    (ran,) = today.sessions
    assert (ran.session_id, ran.dials) == (session, 5)
    assert ran.dials_per_hour == pytest.approx(10.0)  # five dials in half an hour


def test_days_reach_back_and_at_cuts_off_what_came_later(imported_db, now) -> None:
    _a_morning(imported_db, now)
    two_days = services.report(imported_db, now + timedelta(hours=1), days=2)
    assert (two_days.dials, two_days.voicemails) == (6, 2)
    assert two_days.since == datetime(2026, 11, 22, 5, 0, tzinfo=UTC)
    early = services.report(imported_db, now + timedelta(minutes=7))
    assert (early.dials, early.connects, early.meetings_booked, early.emails_sent) == (2, 1, 1, 0)
    with pytest.raises(InvalidInput, match="days"):
        services.report(imported_db, now, days=0)


def test_a_quiet_day_has_no_rate_and_no_sessions(imported_db, now) -> None:
    quiet = services.report(imported_db, now)
    assert (quiet.dials, quiet.connect_rate, quiet.by_cadence, quiet.sessions) == (0, 0.0, (), ())


def test_the_queue_now_and_what_is_overdue(db, small_csv, now) -> None:
    services.import_csv(db, small_csv, now=now - timedelta(days=5))  # last Wednesday: all due since
    summary = services.queue_summary(db, now)
    state = services.report(db, now)
    assert state.overdue == 6
    assert (state.due_now, state.later_today) == (summary.due_now, summary.later_today)
    assert state.due_now == 4  # New York and London are open at 10:00 EST; Los Angeles and Tokyo are not


def test_a_session_never_closed_is_measured_to_its_last_call(imported_db, now) -> None:
    session = services.start_session(imported_db, now)
    services.log_outcome(imported_db, 1, "voicemail", now + timedelta(minutes=10), session_id=session)
    services.log_outcome(imported_db, 2, "voicemail", now + timedelta(minutes=20), session_id=session)
    (ran,) = services.report(imported_db, now + timedelta(hours=5)).sessions
    assert ran.ended_at is None and ran.dials_per_hour == pytest.approx(6.0)
    # Days later it is history, not today's activity.
    assert services.report(imported_db, now + timedelta(days=3)).sessions == ()


# --------------------------------------------------------------------------- the command

PROSPECTS = """\
First Name,Last Name,Company Name,Phone Number,Time Zone,Lead Temperature,Cadence
Ana,Souza,Northwind Traders,+1 312 555 0101,America/Chicago,warm,zero-to-ten
Ben,Okafor,Contoso Freight,(212) 555-0102,America/New_York,cold,zero-to-ten
"""


def test_report_command_text_and_json(new_db: Path | str, tmp_path: Path) -> None:
    db = new_db
    csv_path = tmp_path / "prospects.csv"
    csv_path.write_text(PROSPECTS, encoding="utf-8")
    dialdeck("import", str(csv_path), "--at", IMPORT_AT, db=db, check=True)
    dialdeck("log", "1", "voicemail", "--at", DUE_AT, db=db, check=True)
    dialdeck("log", "2", "connected", "--disposition", "booked", "--at", DUE_AT, db=db, check=True)

    at = "2026-11-24T12:00:00-05:00"
    data = json.loads(dialdeck("report", "--at", at, "--json", db=db, check=True).stdout)
    assert (data["dials"], data["voicemails"], data["connects"], data["meetings_booked"]) == (2, 1, 1, 1)
    assert data["connect_rate"] == 0.5
    assert data["since"] == "2026-11-24T00:00:00-05:00" and data["until"] == at
    assert [c["cadence"] for c in data["by_cadence"]] == ["zero-to-ten"]
    assert {"due_now", "later_today", "overdue", "sessions", "emails_sent", "tasks_done"} <= set(data)

    text = dialdeck("report", "--at", at, db=db, check=True).stdout
    assert "activity today: Tue 2026-11-24 00:00 EST to Tue 2026-11-24 12:00 EST" in text
    assert "dials 2 · voicemails 1 · connects 1 (50% of dials)" in text
    assert "meetings booked 1" in text and "zero-to-ten" in text and "due now" in text

    week = json.loads(dialdeck("report", "--at", "2026-11-30T12:00:00-05:00", "--days", "7", "--json",
                               db=db, check=True).stdout)
    assert week["dials"] == 2 and week["since"] == "2026-11-24T00:00:00-05:00"
    assert json.loads(dialdeck("report", "--at", "2026-11-30T12:00:00-05:00", "--json",
                               db=db, check=True).stdout)["dials"] == 0
    assert dialdeck("report", "--days", "0", db=db).returncode == 2
