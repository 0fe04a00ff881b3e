"""The guard on every path that logs a call: services.log_outcome and ``dialdeck log``.

From issue 7: a Florida number at 20:30 their time was logged without objection, and four
*busy* in one minute were accepted. Now both are refused with the reason unless forced, and a
forced call is recorded as such (history, export).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dialdeck import services
from dialdeck.clock import UTC
from dialdeck.guard import NotCallable
from engines import dict_rows
from test_cli import assert_one_line_error, dialdeck

NEW_YORK = ZoneInfo("America/New_York")
IMPORT_AT = "2026-11-24T09:00:00-05:00"  # Tuesday morning in New York
PROSPECTS = """\
First Name,Last Name,Company Name,Phone Number,Time Zone,Lead Temperature,Cadence
Megan,Holloway,Brightwater Dental,(305) 555-0142,America/New_York,warm,three-step
Grace,Liu,Pacific Rim Imports,+1 415 555 0123,America/Los_Angeles,warm,zero-to-ten
"""
MEGAN, GRACE = 1, 2

pytestmark = pytest.mark.engines


def at(hour: int, minute: int = 0, day: int = 24) -> datetime:
    """Tuesday 24 Nov 2026 (or ``day``) at hour:minute in New York, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


@pytest.fixture
def db(db, tmp_path: Path):
    source = tmp_path / "prospects.csv"
    source.write_text(PROSPECTS, encoding="utf-8")
    services.set_setting(db, "rep.timezone", "America/New_York")
    services.import_csv(db, source, now=at(9), region="US")
    return db


def attempt_rows(db) -> list[dict]:
    return dict_rows(db, "SELECT * FROM attempts ORDER BY id")


# --------------------------------------------------------------------------- services


def test_a_florida_call_at_2030_is_refused_with_the_reason_and_nothing_is_written(db):
    with pytest.raises(NotCallable) as refused:
        services.log_outcome(db, MEGAN, "voicemail", at(20, 30))
    assert str(refused.value) == (
        "20:30 is outside Megan Holloway's calling hours (08:00-20:00 Mon-Fri, America/New_York, "
        "US-FL rule); they may be called from Wed 25 Nov 08:00 their time")
    assert refused.value.verdict.callable_at == at(8, day=25)
    assert attempt_rows(db) == []
    assert services.history(db, MEGAN)[1].step == 1  # still on the first step


def test_forced_the_call_is_logged_with_the_refusal_it_overrode(db):
    result = services.log_outcome(db, MEGAN, "voicemail", at(20, 30), force=True)
    assert result.forced_reason.startswith("20:30 is outside Megan Holloway's calling hours")
    (row,) = attempt_rows(db)
    assert row["forced_reason"] == result.forced_reason
    (attempt,) = services.history(db, MEGAN)[2]
    assert attempt.forced_reason == result.forced_reason
    (exported,) = [r for r in services.export_rows(db) if r["id"] == MEGAN]
    assert exported["attempts"][0]["forced"] is True
    assert exported["attempts"][0]["forced_reason"] == result.forced_reason


def test_force_on_an_allowed_call_records_nothing_forced(db):
    result = services.log_outcome(db, MEGAN, "voicemail", at(11), force=True)
    assert result.forced_reason is None
    assert attempt_rows(db)[0]["forced_reason"] is None


def test_four_busy_in_one_minute_the_fourth_is_refused_by_the_daily_cap(db):
    for second in (0, 15, 30):
        services.log_outcome(db, GRACE, "busy", at(12, 1) + timedelta(seconds=second))
    with pytest.raises(NotCallable, match=r"Grace Liu has been called 3 times today \(Tue 24 Nov their time\), "
                                          r"the most allowed per day \(guard\.max_per_day = 3\)"):
        services.log_outcome(db, GRACE, "busy", at(12, 1) + timedelta(seconds=45))
    assert len(attempt_rows(db)) == 3
    forced = services.log_outcome(db, GRACE, "busy", at(12, 2), force=True)
    assert "the most allowed per day" in forced.forced_reason


def test_the_cap_follows_the_setting(db):
    services.set_setting(db, "guard.max_per_day", "1")
    services.log_outcome(db, GRACE, "busy", at(12))
    with pytest.raises(NotCallable, match="called once today"):
        services.log_outcome(db, GRACE, "busy", at(12, 5))


def test_do_not_call_is_never_refused(db):
    result = services.log_outcome(db, MEGAN, "do-not-call", at(22, 30))
    assert result.status == "dnc" and result.forced_reason is None


def test_a_promised_callback_is_kept_even_over_the_cap(db):
    services.log_outcome(db, MEGAN, "busy", at(12))
    services.log_outcome(db, MEGAN, "busy", at(12, 5))
    services.log_outcome(db, MEGAN, "connected", at(12, 10), disposition="callback", callback_at=at(16))
    with pytest.raises(NotCallable) as early:
        services.log_outcome(db, MEGAN, "voicemail", at(15, 50))
    assert early.value.verdict.callable_at == at(16)  # the promise, not tomorrow
    services.log_outcome(db, MEGAN, "voicemail", at(16))  # the rep's word is kept


def test_the_call_card_says_why_and_from_when(db):
    card = services.call_card(db, MEGAN, at(20, 30))
    assert card.verdict.headline == "outside their hours 08:00-20:00 (US-FL)"
    assert card.verdict.callable_at == at(8, day=25)
    assert card.window is not None and card.window.rule == "US-FL"
    assert services.call_card(db, MEGAN, at(19, 59)).verdict.allowed
    assert services.call_verdict(db, MEGAN, at(20, 30)) == card.verdict


def test_a_number_put_on_the_list_is_not_callable(db):
    services.dnc_add(db, "(305) 555-0142", at(11))
    verdict = services.call_verdict(db, MEGAN, at(11, 5))
    assert not verdict.allowed and verdict.callable_at is None


def test_undoing_a_forced_call_removes_it(db):
    services.log_outcome(db, MEGAN, "voicemail", at(20, 30), force=True)
    services.undo_last(db, prospect_id=MEGAN)
    assert attempt_rows(db) == []


# --------------------------------------------------------------------------- the empty queue


def test_the_next_item_says_a_promise_is_a_promise_not_a_window_opening(db):
    """Issue 7: "outside calling hours for everyone due… next window opens at 15:21" when that
    prospect's window was open and 15:21 was a promised time."""
    services.log_outcome(db, MEGAN, "connected", at(10), disposition="callback", callback_at=at(10, 21, day=25))
    now = at(10, day=25)  # 07:00 in Los Angeles: Grace is due and waiting for her window
    summary = services.queue_summary(db, now)
    assert (summary.due_now, summary.outside_hours) == (0, 1)
    assert summary.next_item.name == "Megan Holloway" and summary.next_kind == "promise"
    assert summary.next_item.due_at == at(10, 21, day=25)
    assert summary.next_opening.name == "Grace Liu"
    assert summary.next_opening.due_at == at(11, day=25)  # 08:00 in Los Angeles


def test_when_only_a_window_opening_is_next_it_is_said_so(db):
    services.log_outcome(db, MEGAN, "do-not-call", at(10))
    summary = services.queue_summary(db, at(10, day=25))
    assert (summary.next_kind, summary.next_item.name) == ("opens", "Grace Liu")


# --------------------------------------------------------------------------- the command


@pytest.fixture
def cli_db(tmp_path: Path) -> Path:
    path = tmp_path / "rep.db"
    source = tmp_path / "prospects.csv"
    source.write_text(PROSPECTS, encoding="utf-8")
    dialdeck("config", "set", "rep.timezone", "America/New_York", db=path, check=True)
    dialdeck("import", str(source), "--at", IMPORT_AT, db=path, check=True)
    return path


def test_log_refuses_a_florida_call_at_2030_in_one_line(cli_db):
    result = dialdeck("log", str(MEGAN), "voicemail", "--at", "2026-11-24T20:30", db=cli_db)
    line = assert_one_line_error(result)
    assert line == (
        "dialdeck: error: not logged: 20:30 is outside Megan Holloway's calling hours (08:00-20:00 Mon-Fri, "
        "America/New_York, US-FL rule); they may be called from Wed 25 Nov 08:00 their time. If the call "
        "was made anyway, --force records it as forced")
    history = json.loads(dialdeck("history", str(MEGAN), "--json", db=cli_db, check=True).stdout)
    assert history["attempts"] == []


def test_log_force_records_the_call_as_forced_in_history_and_export(cli_db, tmp_path):
    result = dialdeck("log", str(MEGAN), "voicemail", "--at", "2026-11-24T20:30", "--force", db=cli_db, check=True)
    assert "voicemail logged at Tue 2026-11-24 20:30 EST, forced: 20:30 is outside" in result.stdout
    text = dialdeck("history", str(MEGAN), db=cli_db, check=True).stdout
    assert "voicemail (forced)" in text
    data = json.loads(dialdeck("history", str(MEGAN), "--json", db=cli_db, check=True).stdout)
    assert data["attempts"][0]["forced_reason"].startswith("20:30 is outside")
    exported = dialdeck("export", "--format", "csv", db=cli_db, check=True).stdout
    row = next(r for r in csv.DictReader(io.StringIO(exported)) if r["id"] == str(MEGAN))
    (attempt,) = json.loads(row["attempts"])
    assert attempt["forced"] is True


def test_log_the_fourth_busy_in_a_minute_is_refused_with_the_cap(cli_db):
    for second in ("00", "15", "30"):
        dialdeck("log", str(GRACE), "busy", "--at", f"2026-11-24T12:01:{second}", db=cli_db, check=True)
    line = assert_one_line_error(dialdeck("log", str(GRACE), "busy", "--at", "2026-11-24T12:01:45", db=cli_db))
    assert "Grace Liu has been called 3 times today" in line and "guard.max_per_day = 3" in line
    assert "they may be called from Wed 25 Nov 08:00 their time" in line
    forced = dialdeck("log", str(GRACE), "busy", "--at", "2026-11-24T12:02", "--force", db=cli_db, check=True)
    assert "forced: Grace Liu has been called 3 times today" in forced.stdout


def test_due_with_nothing_callable_names_the_promise_and_the_window_apart(cli_db):
    dialdeck("log", str(MEGAN), "connected", "--callback", "2026-11-25T10:21", "--at", "2026-11-24T10:00",
             db=cli_db, check=True)
    text = dialdeck("due", "--at", "2026-11-25T10:00", db=cli_db, check=True).stdout
    assert "next: Megan Holloway (#1), promised call at Wed 2026-11-25 10:21 EST" in text
    assert "first calling window to open: Grace Liu (#2) at Wed 2026-11-25 11:00 EST" in text
