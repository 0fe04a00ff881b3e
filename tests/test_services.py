"""The use cases, end to end on a real database (a SQLite file, and a PostgreSQL database): import,
outcomes, undo, dnc, settings, sessions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from conftest import SMALL_ROWS
from engines import count, disk_failure, is_postgres, rows, writer_class
from dialdeck import services
from dialdeck.clock import UTC
from dialdeck.errors import ImportFileError, InvalidInput, NotFound, StoreError
from dialdeck.store import open_store

pytestmark = pytest.mark.engines


def enrollment(db, prospect_id: int) -> dict:
    return db.latest_enrollment(prospect_id)


# --- import -----------------------------------------------------------------------------------

def test_import_creates_prospects_and_enrolls_them(db, small_csv, now) -> None:
    report = services.import_csv(db, small_csv, now=now)
    assert (report.created, report.updated, report.enrolled, report.rejected) == (6, 0, 6, 0)
    ana = services.prospect(db, 1)
    assert (ana.phone_e164, ana.timezone, ana.tz_source, ana.temperature) == (
        "+12125550101", "America/New_York", "file", "warm")
    assert enrollment(db, 1)["status"] == "active"


def test_one_bad_row_imports_nothing(db, write_csv, now) -> None:
    rows = [*SMALL_ROWS[:2], {"First Name": "Bad", "Phone Number": "12"}, *SMALL_ROWS[2:]]
    path = write_csv(rows)
    with pytest.raises(ImportFileError) as caught:
        services.import_csv(db, path, now=now)
    assert "1 row is invalid; nothing was imported" in str(caught.value)
    assert any(problem.startswith("line 4: phone:") for problem in caught.value.problems)
    assert count(db, "prospects") == count(db, "enrollments") == 0


def test_skip_invalid_imports_the_rest_and_writes_the_rejects(db, write_csv, now) -> None:
    path = write_csv([SMALL_ROWS[0], {"First Name": "Bad", "Phone Number": "not a number"}, SMALL_ROWS[1]])
    report = services.import_csv(db, path, now=now, skip_invalid=True)
    assert (report.created, report.rejected) == (2, 1)
    rejects = Path(report.rejected_file).read_text()
    assert "not a number" in rejects and "phone" in rejects


def test_reimport_updates_and_never_duplicates(db, write_csv, small_csv, now) -> None:
    services.import_csv(db, small_csv, now=now)
    before = enrollment(db, 1)
    changed = [dict(SMALL_ROWS[0], **{"Company Name": "Northwind Holdings", "Lead Temperature": ""})]
    report = services.import_csv(db, write_csv(changed, name="again.csv"), now=now + timedelta(days=1))
    assert (report.created, report.updated, report.enrolled) == (0, 1, 0)
    ana = services.prospect(db, 1)
    assert ana.company == "Northwind Holdings"
    assert ana.temperature == "warm"  # a blank cell does not turn a warm lead cold
    assert count(db, "prospects") == 6 and count(db, "enrollments") == 6
    assert enrollment(db, 1) == before  # same cadence: not re-enrolled


def test_reimport_matches_by_email_when_the_number_changed(db, write_csv, small_csv, now) -> None:
    services.import_csv(db, small_csv, now=now)
    moved = [dict(SMALL_ROWS[0], **{"Phone Number": "+1 212 555 0199", "E-mail": "ANA@northwind.example"})]
    report = services.import_csv(db, write_csv(moved, name="moved.csv"), now=now)
    assert (report.created, report.updated) == (0, 1)
    assert services.prospect(db, 1).phone_e164 == "+12125550199"


def test_reimport_into_another_cadence_waits_for_the_live_one(db, write_csv, small_csv, now) -> None:
    services.import_csv(db, small_csv, now=now)
    other = [dict(SMALL_ROWS[0], Cadence="three-step")]
    report = services.import_csv(db, write_csv(other, name="other.csv"), now=now)
    assert report.enrolled == 0
    assert any("already in cadence zero-to-ten" in w for w in report.warnings)


def test_a_number_on_the_dnc_list_is_never_enrolled(db, small_csv, now) -> None:
    services.dnc_add(db, "(212) 555-0102", now, reason="asked by e-mail")
    report = services.import_csv(db, small_csv, now=now)
    assert (report.created, report.enrolled, report.skipped_dnc) == (6, 5, 1)
    assert enrollment(db, 2) is None


def test_do_not_call_outcome_blocks_every_reimport(imported_db, small_csv, now) -> None:
    services.log_outcome(imported_db, 1, "do-not-call", now)
    assert "+12125550101" in [row["e164"] for row in services.dnc_list(imported_db)]
    report = services.import_csv(imported_db, small_csv, now=now + timedelta(days=30), cadence="three-step")
    assert report.skipped_dnc == 1
    assert enrollment(imported_db, 1)["status"] == "dnc"


def test_unknown_cadence_is_refused_before_reading(db, small_csv, now) -> None:
    with pytest.raises(InvalidInput, match="no cadence named 'nope'"):
        services.import_csv(db, small_csv, now=now, cadence="nope")


# --- outcomes ---------------------------------------------------------------------------------

def test_log_outcome_writes_the_attempt_and_advances(imported_db, now) -> None:
    result = services.log_outcome(imported_db, 1, "voicemail", now, note="left the short one")
    assert result.status == "active" and result.step == 2 and result.attempt_id is not None
    attempt = imported_db.newest_attempt()
    assert (attempt["outcome"], attempt["step"], attempt["action"], attempt["note"]) == (
        "voicemail", 1, "call", "left the short one")
    assert enrollment(imported_db, 1)["step_index"] == 1


def test_unknown_outcome_lists_the_valid_ones(imported_db, now) -> None:
    with pytest.raises(InvalidInput, match="no-answer, voicemail, connected"):
        services.log_outcome(imported_db, 1, "hung-up", now)


def test_an_attempt_before_the_last_one_is_refused(imported_db, now) -> None:
    services.log_outcome(imported_db, 1, "voicemail", now)
    with pytest.raises(InvalidInput, match=r"Mon 2026-11-23 09:00:00 EST is before the last attempt at "
                                           r"Mon 2026-11-23 10:00:00 EST"):
        services.log_outcome(imported_db, 1, "no-answer", now - timedelta(hours=1))
    assert count(imported_db, "attempts") == 1
    services.log_outcome(imported_db, 1, "sent", now)  # the same instant keeps the order (step 2: email)
    services.log_outcome(imported_db, 2, "voicemail", now - timedelta(hours=1))  # another prospect's own history
    _, _, attempts = services.history(imported_db, 1)
    assert [a.outcome for a in attempts] == ["voicemail", "sent"]


def test_unknown_prospect(imported_db, now) -> None:
    with pytest.raises(NotFound, match="no prospect with id 99"):
        services.log_outcome(imported_db, 99, "voicemail", now)


def test_a_failure_mid_write_leaves_nothing_half_done(imported_db, now, monkeypatch) -> None:
    before = enrollment(imported_db, 1)

    def disk_fails(*args, **kwargs):
        raise disk_failure(imported_db)

    # The enrollment update and the dnc insert have run when the attempt insert fails.
    monkeypatch.setattr(writer_class(imported_db), "insert_attempt", disk_fails)
    with pytest.raises(StoreError, match="cannot be written"):
        services.log_outcome(imported_db, 1, "do-not-call", now)
    assert enrollment(imported_db, 1) == before
    assert count(imported_db, "dnc") == count(imported_db, "attempts") == 0


def test_connected_then_callback_pins_the_promised_time(imported_db, now) -> None:
    result = services.log_outcome(imported_db, 1, "connected", now)
    assert result.needs_disposition and result.status == "connected"
    assert services.due(imported_db, now)[0].prospect_id != 1  # off the queue while awaiting it
    callback = now + timedelta(days=1, hours=4, minutes=7)
    after = services.set_disposition(imported_db, 1, "callback", now, callback_at=callback, note="after lunch")
    assert (after.status, after.next_due_at) == ("active", callback)
    row = enrollment(imported_db, 1)
    assert row["pinned"] == 1 and row["step_index"] == 0
    attempt = imported_db.newest_attempt()
    assert (attempt["disposition"], attempt["note"]) == ("callback", "after lunch")


def test_connected_with_disposition_in_one_call(imported_db, now) -> None:
    result = services.log_outcome(imported_db, 1, "connected", now, disposition="booked")
    assert (result.status, result.step, result.needs_disposition) == ("booked", None, False)


def test_a_callback_needs_a_time(imported_db, now) -> None:
    services.log_outcome(imported_db, 1, "connected", now)
    with pytest.raises(InvalidInput, match="callback needs a time"):
        services.set_disposition(imported_db, 1, "callback", now)


# --- undo -------------------------------------------------------------------------------------

def test_undo_restores_the_enrollment_exactly(imported_db, now) -> None:
    before = enrollment(imported_db, 1)
    services.log_outcome(imported_db, 1, "no-answer", now)
    assert enrollment(imported_db, 1) != before
    undone = services.undo_last(imported_db, prospect_id=1)
    assert undone.outcome == "no-answer" and undone.status == "active"
    assert enrollment(imported_db, 1) == before
    assert count(imported_db, "attempts") == 0


def test_undo_of_do_not_call_takes_the_number_off_the_list(imported_db, now) -> None:
    services.log_outcome(imported_db, 1, "do-not-call", now)
    services.undo_last(imported_db, prospect_id=1)
    assert services.dnc_list(imported_db) == []
    assert enrollment(imported_db, 1)["status"] == "active"


def test_undo_of_a_session_takes_its_newest_attempt(imported_db, now) -> None:
    session = services.start_session(imported_db, now)
    services.log_outcome(imported_db, 1, "voicemail", now, session_id=session)
    services.log_outcome(imported_db, 2, "voicemail", now + timedelta(minutes=1), session_id=session)
    assert services.undo_last(imported_db, session_id=session).prospect_id == 2
    assert services.undo_last(imported_db, session_id=session).prospect_id == 1
    assert services.undo_last(imported_db, session_id=session) is None


def test_undo_refuses_to_skip_a_newer_attempt(imported_db, now) -> None:
    session = services.start_session(imported_db, now)
    services.log_outcome(imported_db, 1, "busy", now, session_id=session)
    services.log_outcome(imported_db, 1, "busy", now + timedelta(hours=4))  # from the CLI, no session
    with pytest.raises(InvalidInput, match="newer attempt"):
        services.undo_last(imported_db, session_id=session)


def test_undo_of_a_continue_removes_the_new_cadence(db, write_csv, now, tmp_path, monkeypatch) -> None:
    user = tmp_path / "user-cadences"
    user.mkdir()
    (user / "one-call.toml").write_text(textwrap.dedent("""
        name = "one-call"
        after_last = "continue"
        continue_with = "three-step"
        [[steps]]
        action = "call"
        wait = "0 minutes"
        voicemail = false
        talk_track = "Hi, it's {rep_name}."
    """))
    services.import_csv(db, write_csv([dict(SMALL_ROWS[0], Cadence="")]), now=now, cadence="one-call")
    before = enrollment(db, 1)
    result = services.log_outcome(db, 1, "voicemail", now)
    assert result.cadence == "three-step"
    assert count(db, "enrollments") == 2
    services.undo_last(db, prospect_id=1)
    assert count(db, "enrollments") == 1 and enrollment(db, 1) == before


# --- the cadence library ----------------------------------------------------------------------

_ONE_CALL = """
    name = "one-call"
    [[steps]]
    action = "call"
    wait = "0 minutes"
    voicemail = false
    talk_track = "Hi, it's {rep_name}."
"""

# Step 2's voicemail names a field that does not exist.
_BROKEN = """
    name = "broken"
    [[steps]]
    action = "call"
    wait = "0 minutes"
    voicemail = false
    [[steps]]
    action = "call"
    wait = "1 day"
    voicemail = "Hi {first_nam}."
"""


def _user_cadences(tmp_path: Path, **files: str) -> Path:
    user = tmp_path / "user-cadences"
    user.mkdir(exist_ok=True)
    for name, text in files.items():
        (user / f"{name}.toml").write_text(textwrap.dedent(text))
    return user


def test_a_broken_user_cadence_is_skipped_and_named(tmp_path, db, small_csv, now) -> None:
    user = _user_cadences(tmp_path, **{"one-call": _ONE_CALL, "broken": _BROKEN})
    lib = services.library()
    assert "one-call" in lib and "zero-to-ten" in lib and "broken" not in lib
    (problem,) = services.library_problems()
    assert problem.startswith(f"{user / 'broken.toml'}: step 2: voicemail: ") and "first_nam" in problem
    # Every use case still works.
    assert services.import_csv(db, small_csv, now=now).enrolled == 6
    assert services.log_outcome(db, 1, "voicemail", now).status == "active"


def test_a_user_cadence_continuing_into_a_skipped_one_is_skipped_too(tmp_path) -> None:
    chained = 'name = "chained"\nafter_last = "continue"\ncontinue_with = "broken"\n' + _ONE_CALL.replace(
        'name = "one-call"', "")
    _user_cadences(tmp_path, broken=_BROKEN, chained=textwrap.dedent(chained))
    assert "chained" not in services.library()
    assert any("continue_with: no cadence named 'broken'" in p for p in services.library_problems())


def test_a_broken_copy_of_a_builtin_leaves_the_builtin(tmp_path) -> None:
    _user_cadences(tmp_path, **{"three-step": _BROKEN.replace('name = "broken"', 'name = "three-step"')})
    assert services.library()["three-step"].title == "Three-step (missed appointment)"
    assert len(services.library_problems()) == 1


def test_no_user_folder_no_problems() -> None:
    assert services.library_problems() == []


# --- the call card ----------------------------------------------------------------------------

def test_call_card_fills_the_script_for_this_prospect(imported_db, now) -> None:
    services.set_setting(imported_db, "rep.name", "Rita Rep")
    services.set_setting(imported_db, "rep.phone", "(646) 555-0190")
    card = services.call_card(imported_db, 6, now)
    assert card.prospect.first_name == "Finn" and card.enrollment.step == 1
    voicemail = card.script.voicemail
    assert "Finn" in voicemail and "Rita Rep" in voicemail and "+1 646-555-0190" in voicemail
    assert "{" not in voicemail + card.script.talk_track


def test_a_missing_appointment_or_referrer_is_left_out_not_invented(db, write_csv, now) -> None:
    rows = [dict(SMALL_ROWS[0], Cadence="three-step"), dict(SMALL_ROWS[1], Cadence="voicemail-challenge",
                                                            **{"Lead Temperature": "warm"}),
            dict(SMALL_ROWS[5], Cadence="voicemail-challenge")]
    services.import_csv(db, write_csv(rows), now=now)
    missed = services.call_card(db, 1, now).script
    assert "booked" not in missed.voicemail and "scheduled" not in missed.voicemail
    assert missed.voicemail.startswith("Hi Ana, it's Your Name from Your Company. I'm sorry to have missed you.")
    assert "Is now a good time to talk" in missed.talk_track and "booked" not in missed.talk_track
    referral = services.call_card(db, 2, now).script
    for text in (referral.voicemail, referral.talk_track):
        assert "suggested" not in text and "colleague" not in text and "one of our clients" not in text
    assert "I have an idea for Contoso I'd like to share with you." in referral.voicemail
    named = services.call_card(db, 3, now).script
    assert "Gil Shaw at Blue Yonder suggested" in named.voicemail


def test_an_unset_callback_number_is_a_visible_blank_never_an_empty_sentence(imported_db, now) -> None:
    # "you can reach me at ." read aloud leaves the prospect with nothing; the rep must see the gap.
    script = services.call_card(imported_db, 6, now).script
    assert "Your Number" in script.voicemail
    assert " at ." not in script.voicemail and " at ," not in script.voicemail


def test_profile_problems_name_each_unset_field_and_its_command(db) -> None:
    problems = services.profile_problems(db)
    assert [p.split(" ")[0] for p in problems] == ["rep.name", "rep.phone", "rep.company"]
    assert 'scripts say "Your Name"' in problems[0]
    assert problems[0].endswith('dialdeck config set rep.name "Jane Smith"')
    assert "dialdeck config set rep.phone " in problems[1]
    services.set_setting(db, "rep.name", "Rita Rep")
    services.set_setting(db, "rep.phone", "(646) 555-0190")
    assert [p.split(" ")[0] for p in services.profile_problems(db)] == ["rep.company"]
    services.set_setting(db, "rep.company", "Acme")
    assert services.profile_problems(db) == []


def test_the_promise_in_the_script_is_the_time_stored(db, write_csv, now) -> None:
    services.import_csv(db, write_csv([dict(SMALL_ROWS[5], Cadence="voicemail-challenge")]), now=now)
    card = services.call_card(db, 1, now)
    assert "Wednesday at 4 p.m." in card.script.voicemail
    result = services.log_outcome(db, 1, "voicemail", now)
    assert result.next_due_at == card.script.next_call_at == datetime(2026, 11, 25, 21, 0, tzinfo=UTC)


def test_call_card_lists_this_cadences_attempts(imported_db, now) -> None:
    services.log_outcome(imported_db, 1, "no-answer", now)
    card = services.call_card(imported_db, 1, now + timedelta(hours=4))
    assert [a.outcome for a in card.attempts] == ["no-answer"]


# --- small edits and reads --------------------------------------------------------------------

def test_snooze_moves_the_due_time(imported_db, now) -> None:
    until = now + timedelta(hours=2)
    snoozed = services.snooze(imported_db, 1, until, now)
    assert snoozed.next_due_at == until and not snoozed.pinned
    assert 1 not in [i.prospect_id for i in services.due(imported_db, now)]
    with pytest.raises(InvalidInput, match="not after now"):
        services.snooze(imported_db, 1, now - timedelta(minutes=1), now)


def test_history_and_export(imported_db, now) -> None:
    services.log_outcome(imported_db, 1, "voicemail", now)
    person, current, attempts = services.history(imported_db, 1)
    assert person.first_name == "Ana" and current.step == 2 and [a.outcome for a in attempts] == ["voicemail"]
    rows = services.export_rows(imported_db)
    assert len(rows) == 6
    ana = rows[0]
    assert (ana["phone"], ana["status"], ana["step"], ana["attempts_count"], ana["last_outcome"]) == (
        "+12125550101", "active", 2, 1, "voicemail")
    assert ana["attempts"][0]["outcome"] == "voicemail"


def test_search_by_name_company_phone_and_email(imported_db) -> None:
    assert [p.first_name for p in services.search_prospects(imported_db, "okaf")] == ["Ben"]
    assert [p.first_name for p in services.search_prospects(imported_db, "fabrikam")] == ["Chloe"]
    assert [p.first_name for p in services.search_prospects(imported_db, "555-0106")] == ["Finn"]
    assert [p.first_name for p in services.search_prospects(imported_db, "ana@north")] == ["Ana"]
    assert services.search_prospects(imported_db, "100%") == []


def test_dnc_add_stops_the_live_enrollment_and_remove_does_not_restart_it(imported_db, now) -> None:
    assert services.dnc_add(imported_db, "212-555-0101", now) == "+12125550101"
    assert enrollment(imported_db, 1)["status"] == "dnc"
    assert services.dnc_remove(imported_db, "+1 212 555 0101") == "+12125550101"
    assert enrollment(imported_db, 1)["status"] == "dnc"
    with pytest.raises(NotFound):
        services.dnc_remove(imported_db, "+1 212 555 0101")
    with pytest.raises(InvalidInput, match="phone '12'"):
        services.dnc_add(imported_db, "12", now)


# --- settings ---------------------------------------------------------------------------------

def test_settings_validate_and_normalize(db) -> None:
    assert services.set_setting(db, "rep.phone", "(646) 555-0190").phone == "+16465550190"
    assert services.set_setting(db, "hours.days", "Monday-Friday, sat").days == "mon,tue,wed,thu,fri,sat"
    assert services.set_setting(db, "guard.cooldown_minutes", "90").cooldown_minutes == 90
    assert services.get_profile(db).phone == "+16465550190"


@pytest.mark.parametrize("key, value, says", [
    ("rep.timezone", "Mars/Olympus", "rep.timezone: unknown time zone 'Mars/Olympus'"),
    ("rep.phone", "12", "rep.phone:"),
    ("hours.start", "22:00", "hours.start: 22:00 must be before hours.end 21:00"),
    ("hours.end", "25:00", "hours.end:"),
    ("hours.days", "funday", "hours.days:"),
    ("guard.max_per_day", "0", "guard.max_per_day: 0 is out of range"),
    ("rep.shoe_size", "42", "unknown setting 'rep.shoe_size'"),
    ("cadence.default", "nope", "cadence.default: no cadence named 'nope'"),
])
def test_bad_settings_name_the_key(db, key, value, says) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.set_setting(db, key, value)
    assert says in str(caught.value)


# --- sessions ---------------------------------------------------------------------------------

def test_session_stats_count_dials_voicemails_connects(imported_db, now) -> None:
    session = services.start_session(imported_db, now)
    services.log_outcome(imported_db, 1, "voicemail", now, session_id=session)
    services.log_outcome(imported_db, 2, "connected", now, session_id=session, disposition="not-interested")
    services.log_outcome(imported_db, 6, "no-answer", now, session_id=session)
    services.log_outcome(imported_db, 4, "voicemail", now)  # outside the session
    stats = services.end_session(imported_db, session, now + timedelta(minutes=30))
    assert (stats.dials, stats.voicemails, stats.connects) == (3, 1, 1)
    assert stats.per_hour(now + timedelta(minutes=30)) == pytest.approx(6.0)


# --- durability -------------------------------------------------------------------------------

_LOGGER = """
import sys
from datetime import datetime, timedelta
from dialdeck import services
from dialdeck.clock import UTC
from dialdeck.store import open_store

db = open_store(sys.argv[1])
now = datetime.fromisoformat(sys.argv[2])
ids = [1, 2, 3, 4, 5, 6]
step = 0
while True:
    # Durability is under test, not the guard: 40 busy calls a minute apart break every cap.
    result = services.log_outcome(db, ids[step % 6], "busy", now + timedelta(minutes=step), force=True)
    print(result.attempt_id, flush=True)  # acknowledged: the commit has returned
    step += 1
"""


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_outcome(imported_db, db_path, now, tmp_path) -> None:
    imported_db.close()
    script = tmp_path / "logger.py"
    script.write_text(_LOGGER)
    child = subprocess.Popen([sys.executable, str(script), str(db_path), now.isoformat()],
                             stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    acknowledged = []
    try:
        while len(acknowledged) < 40:
            line = child.stdout.readline()
            assert line, "the logger died before it was killed"
            acknowledged.append(int(line))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    db = open_store(db_path)
    try:
        if not is_postgres(db):
            assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in rows(db, "SELECT id FROM attempts")}
        assert set(acknowledged) <= stored
        # Every attempt's advance is there too: each enrollment was last touched by its newest attempt.
        for pid in range(1, 7):
            newest = db.newest_attempt(prospect_id=pid)
            assert enrollment(db, pid)["updated_at"] == newest["at"]
    finally:
        db.close()


# --- promises kept across the steps between ----------------------------------------------------


def test_a_voicemail_promise_is_kept_through_the_email_and_social_steps(imported_db, now) -> None:
    """zero-to-ten day 0: the morning voicemail names the afternoon retry; the email and the
    LinkedIn touch done in between, an hour apart each, must not move that call."""
    at = now  # 10:00 in New York for prospect 1
    card = services.call_card(imported_db, 1, at)
    promised = card.script.next_call_at
    assert card.script.action == "call" and promised is not None
    services.log_outcome(imported_db, 1, "voicemail", at)
    card = services.call_card(imported_db, 1, at)
    while card.script.action != "call":
        at = max(at + timedelta(hours=1), card.enrollment.next_due_at)
        services.log_outcome(imported_db, 1, "sent" if card.script.action == "email" else "done", at)
        card = services.call_card(imported_db, 1, at)
    assert card.enrollment.next_due_at == promised
    assert card.enrollment.pinned
