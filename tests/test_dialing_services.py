"""services.dialing and the call facts on attempts: what to dial, the guard before a dial, the
step's recording, a placed call's facts kept on its attempt (both engines), the migration."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database
from wav_helpers import tone, write_wav

from dialdeck import dialers, services
from dialdeck.errors import InvalidInput, NotFound
from dialdeck.guard import NotCallable
from dialdeck.models import NETWORK_RESULTS, CallFacts, DialPlan
from dialdeck.store import open_store
from dialdeck.store.sqlite.schema import migrations

pytestmark = pytest.mark.engines

ANA, CHLOE, DEV = 1, 3, 4  # New York (in hours at NOW), Los Angeles (07:00: outside), London


@pytest.fixture(autouse=True)
def _recordings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "recordings"
    monkeypatch.setenv("DIALDECK_RECORDINGS", str(folder))
    return folder


def test_the_plan_names_the_number_the_step_and_no_recording_yet(imported_db, now) -> None:
    plan = services.dial_plan(imported_db, ANA, now)
    assert plan == DialPlan(prospect_id=ANA, name="Ana Souza", number_e164="+12125550101", extension=None,
                            cadence="zero-to-ten", step=1, recording=None)


def test_the_plan_carries_the_steps_recording_once_set(imported_db, now, tmp_path: Path) -> None:
    source = write_wav(tmp_path / "mine.wav", tone(1.5, 16000), 16000)
    stored = services.set_recording(imported_db, "zero-to-ten", "1", source)
    plan = services.dial_plan(imported_db, ANA, now)
    assert plan.recording == stored.path and plan.recording.is_file()
    assert stored.seconds == 1.5


@pytest.mark.parametrize(("setup", "prospect", "reason"), [
    ("none", CHLOE, r"07:00 is outside Chloe Martin's calling hours"),
    ("dnc", ANA, r"\+1 212-555-0101 is on the do-not-call list: it is never dialled"),
    ("finished", ANA, r"Ana Souza has finished the cadence"),
    ("cap", ANA, r"Ana Souza has been called 3 times today .*the most allowed per day"),
])
def test_each_guard_reason_refuses_the_plan(imported_db, now, setup: str, prospect: int, reason: str) -> None:
    if setup == "dnc":
        services.dnc_add(imported_db, "+12125550101", now - timedelta(hours=1))
    elif setup == "finished":
        with imported_db.writing() as tx:
            tx.update_enrollment(tx.live_enrollment(ANA)["id"], {"status": "finished", "next_due_at": None})
    elif setup == "cap":
        for minutes in (120, 90, 60):
            services.log_outcome(imported_db, ANA, "busy", now - timedelta(minutes=minutes), force=True)
    with pytest.raises(NotCallable, match=reason):
        services.dial_plan(imported_db, prospect, now)


def test_an_unknown_or_unenrolled_prospect_is_refused(imported_db, now) -> None:
    with pytest.raises(NotFound, match="no prospect with id 99"):
        services.dial_plan(imported_db, 99, now)


def test_a_number_not_theirs_is_refused(imported_db, now) -> None:
    with pytest.raises(InvalidInput, match="is not one of Ana Souza's numbers"):
        services.dial_plan(imported_db, ANA, now, number="+1 212 555 0199")


def test_a_placed_calls_facts_are_kept_on_its_attempt(imported_db, now) -> None:
    facts = CallFacts(number="+12125550101", ring_seconds=4.2, talk_seconds=61.5, network_result="answered",
                      recording_dropped=True)
    services.log_outcome(imported_db, ANA, "voicemail", now, call=facts)
    kept = imported_db.attempts(ANA)[-1]
    assert (kept["number"], kept["ring_seconds"], kept["talk_seconds"], kept["network_result"],
            kept["recording_dropped"]) == ("+12125550101", 4.2, 61.5, "answered", 1)


def test_the_report_shows_each_sessions_talk_time_where_calls_were_timed(imported_db, now) -> None:
    timed = services.start_session(imported_db, now)
    services.log_outcome(imported_db, ANA, "connected", now, disposition="continue", session_id=timed,
                         call=CallFacts(number="+12125550101", ring_seconds=2.0, talk_seconds=95.0,
                                        network_result="answered"))
    by_hand = services.start_session(imported_db, now + timedelta(minutes=5))
    services.log_outcome(imported_db, DEV, "no-answer", now + timedelta(minutes=6), session_id=by_hand)
    sessions = services.report(imported_db, now + timedelta(minutes=10)).sessions
    assert [(s.session_id, s.talk_seconds) for s in sessions] == [(timed, 95.0), (by_hand, None)]


def test_an_attempt_logged_by_hand_has_no_call_facts(imported_db, now) -> None:
    services.log_outcome(imported_db, ANA, "no-answer", now)
    kept = imported_db.attempts(ANA)[-1]
    assert (kept["ring_seconds"], kept["talk_seconds"], kept["network_result"], kept["recording_dropped"]) == (
        None, None, None, 0)


def test_call_facts_go_with_call_outcomes_only(imported_db, now) -> None:
    with pytest.raises(InvalidInput, match="'sent' is not the outcome of a call"):
        services.log_outcome(imported_db, ANA, "sent", now, call=CallFacts(number="+12125550101"))
    with pytest.raises(InvalidInput, match="network result 'ringing'"):
        services.log_outcome(imported_db, ANA, "busy", now, call=CallFacts(number="+12125550101",
                                                                          network_result="ringing"))
    assert imported_db.attempts(ANA) == []


def test_the_network_results_are_the_dialers_results() -> None:
    assert NETWORK_RESULTS == dialers.RESULTS


def test_the_dialing_settings_are_validated_kept_and_handed_to_the_dialer(imported_db) -> None:
    services.set_setting(imported_db, "dial.backend", "SIP")
    services.set_setting(imported_db, "sip.domain", "127.0.0.1:5070")
    services.set_setting(imported_db, "dial.ring_timeout", "5")
    services.set_setting(imported_db, "rep.name", "Jane Smith")
    assert services.dialer_settings(imported_db) == {
        "dial.backend": "sip", "sip.domain": "127.0.0.1:5070", "dial.ring_timeout": "5"}
    with pytest.raises(InvalidInput, match=r"^dial.ring_timeout: '2' is not a whole number of seconds from 5 to 300$"):
        services.set_setting(imported_db, "dial.ring_timeout", "2")
    with pytest.raises(InvalidInput, match=r"^dial.backend: 'skype'"):
        services.set_setting(imported_db, "dial.backend", "skype")
    with pytest.raises(InvalidInput, match=r"unknown setting 'sip\.colour'; known settings: .*sip\.domain"):
        services.set_setting(imported_db, "sip.colour", "blue")
    assert services.dialer_settings(imported_db)["dial.ring_timeout"] == "5"


# --- the migration ----------------------------------------------------------------------------

# One prospect, enrollment and call as a database from before m007 holds them (same SQL on both engines).
OLD_ROWS = (
    "INSERT INTO prospects (id, first_name, phone_e164, timezone, tz_source, created_at, updated_at) "
    "VALUES (1, 'P', '+12125550101', 'America/New_York', 'file', 'x', 'x')",
    "INSERT INTO enrollments (id, prospect_id, cadence, step_index, status, hours_key, temp_rank, "
    "created_at, updated_at) VALUES (1, 1, 'zero-to-ten', 0, 'active', 'k', 0, 'x', 'x')",
    "INSERT INTO attempts (prospect_id, enrollment_id, cadence, step, action, outcome, at, prev_state) "
    "VALUES (1, 1, 'zero-to-ten', 1, 'call', 'busy', '2026-11-20T15:00:00+00:00', '{}')",
)


def assert_old_attempt_kept(db) -> None:
    """The old call is still there, with no call facts (and the database's first rep on it)."""
    kept = db.attempts(1)[0]
    assert (kept["outcome"], kept["ring_seconds"], kept["talk_seconds"], kept["network_result"],
            kept["recording_dropped"], kept["rep_id"]) == ("busy", None, None, None, 0, 1)


@pytest.mark.sqlite_only(reason="builds an old SQLite file by hand")
def test_an_old_sqlite_database_gains_the_call_facts(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m007_call_facts")
    for statement in OLD_ROWS:
        old.execute(statement)
    old.conn.commit()
    old.close()
    db = open_store(path)
    try:
        assert_old_attempt_kept(db)
    finally:
        db.close()


def test_an_old_postgres_database_gains_the_call_facts(request: pytest.FixtureRequest, engine: str) -> None:
    if engine != "postgres":
        pytest.skip("the PostgreSQL half of the migration test")
    import psycopg

    from dialdeck.store.postgres import schema

    pg = request.getfixturevalue("pg")
    name = pg.new_database(empty=True)
    request.addfinalizer(lambda: pg.drop(name))
    url = pg.url_of(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {schema.TABLE} (migration_set TEXT NOT NULL, name TEXT NOT NULL, "
                     "applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (migration_set, name))")
        for step, ddl in schema.STEPS:
            if step == "m007_call_facts":
                break
            conn.execute(ddl)
            conn.execute(f"INSERT INTO {schema.TABLE} (migration_set, name) VALUES (%s, %s)", [schema.MIGRATION_SET, step])
        for statement in OLD_ROWS:
            conn.execute(statement)
    db = open_store(url)
    try:
        assert_old_attempt_kept(db)
    finally:
        db.close()


@pytest.mark.sqlite_only(reason="copies a SQLite file into its own PostgreSQL database")
def test_migrate_carries_the_call_facts_to_postgres(imported_db, now, request: pytest.FixtureRequest) -> None:
    pg = request.getfixturevalue("pg")
    services.log_outcome(imported_db, ANA, "voicemail", now, call=CallFacts(
        number="+12125550101", ring_seconds=7.5, talk_seconds=22.0, network_result="answered", recording_dropped=True))
    services.log_outcome(imported_db, DEV, "busy", now)
    name = pg.new_database(empty=True)
    request.addfinalizer(lambda: pg.drop(name))
    url = pg.url_of(name)
    copies = services.move_database(imported_db.location, url)
    assert all(copy.same for copy in copies)
    moved = open_store(url)
    try:
        facts = [(a["ring_seconds"], a["talk_seconds"], a["network_result"], a["recording_dropped"])
                 for a in moved.attempts(ANA) + moved.attempts(DEV)]
        assert facts == [(7.5, 22.0, "answered", 1), (None, None, None, 0)]
    finally:
        moved.close()
