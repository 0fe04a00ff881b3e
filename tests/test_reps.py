"""Reps: a database becomes a team. The migration of a single-rep database (its rep, their
settings and history kept), choosing the rep (``select_rep``, ``--rep``, DIALDECK_REP), adding
reps and setting each one's profile, on both engines."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from dialdeck import services
from dialdeck.errors import InvalidInput
from dialdeck.models import Rep
from dialdeck.store import open_store
from dialdeck.store.postgres import schema as pg_schema
from dialdeck.store.sqlite.schema import migrations

import engines

pytestmark = pytest.mark.engines

FIRST_REP_STEP = "m008_reps"


def dialdeck(*args: str, db: Path | str, env: dict | None = None) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "dialdeck", "--db", str(db), *args]
    environ = {key: value for key, value in os.environ.items() if key != "DIALDECK_REP"}
    return subprocess.run(argv, capture_output=True, text=True, timeout=120,
                          env={**environ, "DIALDECK_CADENCES": "/nonexistent-user-cadences", **(env or {})})


def old_database(engine: str, db_path: Path | str, request: pytest.FixtureRequest) -> Path | str:
    """A database as dialdeck left it before reps: every step before m008_reps, one rep's
    settings, one prospect with one attempt."""
    statements = [
        "INSERT INTO settings (key, value) VALUES ('rep.name', 'Jordan Reyes'), ('rep.phone', '+12125550142'), "
        "('rep.timezone', 'America/Chicago'), ('guard.max_per_day', '2'), ('hours.end', '20:00'), "
        "('ui.theme', 'nord'), ('sip.domain', 'pbx.example.com'), ('sip.caller_id', '+12125550142'), "
        "('dial.backend', 'sip')",
        "INSERT INTO prospects (id, first_name, last_name, phone_e164, timezone, tz_source, created_at, updated_at) "
        "VALUES (1, 'Ana', 'Souza', '+12125550101', 'America/New_York', 'file', "
        "'2026-11-20T15:00:00+00:00', '2026-11-20T15:00:00+00:00')",
        "INSERT INTO enrollments (id, prospect_id, cadence, step_index, status, next_due_at, hours_key, temp_rank, "
        "created_at, updated_at) VALUES (1, 1, 'zero-to-ten', 1, 'active', '2026-11-21T15:00:00+00:00', "
        "'default|America/New_York', 0, '2026-11-20T15:00:00+00:00', '2026-11-20T15:00:00+00:00')",
        "INSERT INTO attempts (prospect_id, enrollment_id, cadence, step, action, outcome, at, prev_state) "
        "VALUES (1, 1, 'zero-to-ten', 1, 'call', 'voicemail', '2026-11-20T16:00:00+00:00', '{}')",
    ]
    if engine == "sqlite":
        old = Database(db_path)
        migrations.apply(old, stop_before=FIRST_REP_STEP)
        for sql in statements:
            old.execute(sql)
        old.conn.commit()
        old.close()
        return db_path
    import psycopg

    with psycopg.connect(str(db_path), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
        conn.execute(f"CREATE TABLE {pg_schema.TABLE} (migration_set TEXT NOT NULL, name TEXT NOT NULL, "
                     "applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (migration_set, name))")
        for name, ddl in pg_schema.STEPS:
            if name == FIRST_REP_STEP:
                break
            conn.execute(ddl)
            conn.execute(f"INSERT INTO {pg_schema.TABLE} (migration_set, name) VALUES (%s, %s)",
                         [pg_schema.MIGRATION_SET, name])
        for sql in statements:
            conn.execute(sql)
    return db_path


# --------------------------------------------------------------------------- the migration


def test_a_single_rep_database_becomes_a_team_of_that_rep(engine: str, db_path, request) -> None:
    db = open_store(old_database(engine, db_path, request))
    try:
        assert services.reps(db) == [Rep(1, "Jordan Reyes")]
        rep = services.select_rep(db, None)
        profile = services.get_profile(db, rep=rep)
        # Their profile is theirs now, the team's rules stay the team's: nothing they see changes.
        assert (profile.name, profile.phone, profile.timezone) == ("Jordan Reyes", "+12125550142", "America/Chicago")
        assert (profile.max_per_day, profile.hours_end) == (2, "20:00")
        assert services.saved_theme(db) == "nord"
        assert dict(engines.rows(db, "SELECT key, value FROM settings")) == {"guard.max_per_day": "2",
                                                                              "hours.end": "20:00",
                                                                              "sip.domain": "pbx.example.com"}
        # Their phone line is theirs, the SIP server the team's: they dial as before.
        assert services.dialer_settings(db, rep=rep) == {"sip.domain": "pbx.example.com",
                                                         "sip.caller_id": "+12125550142", "dial.backend": "sip"}
        # Their history is theirs.
        assert engines.rows(db, "SELECT rep_id, talk_seconds, network_result FROM attempts") == [(1, None, None)]
        assert engines.rows(db, "SELECT owner_rep_id FROM prospects") == [(None,)]  # the shared pool
    finally:
        db.close()


def test_a_new_database_starts_with_one_rep_and_needs_no_flag(db) -> None:
    assert services.reps(db) == [Rep(1, "me")]
    assert services.select_rep(db, None) == Rep(1, "me")
    assert services.get_profile(db).name == "Your Name"  # unset, as before reps


# --------------------------------------------------------------------------- choosing a rep


def test_select_rep_finds_a_name_in_any_case(db, now: datetime) -> None:
    jordan = services.add_rep(db, "Jordan", now)
    assert services.select_rep(db, "jORDAN") == jordan
    assert services.select_rep(db, "  jordan ") == jordan


def test_select_rep_without_a_name_among_several_says_how_to_choose(db, now: datetime) -> None:
    services.add_rep(db, "Jordan", now)
    with pytest.raises(InvalidInput) as refused:
        services.select_rep(db, None)
    assert str(refused.value) == ("this database has 2 reps (me, Jordan): say which one with --rep NAME "
                                  "or DIALDECK_REP")


def test_an_unknown_rep_is_refused_naming_the_known_ones(db, now: datetime) -> None:
    services.add_rep(db, "Jordan", now)
    with pytest.raises(InvalidInput, match=r"^no rep named 'Sam' \(reps: me, Jordan\)$"):
        services.select_rep(db, "Sam")


def test_a_services_call_without_a_rep_among_several_is_refused(db, now: datetime) -> None:
    services.add_rep(db, "Jordan", now)
    with pytest.raises(InvalidInput, match="--rep NAME"):
        services.get_profile(db)


@pytest.mark.parametrize("name", ["JORDAN", "jordan", " Jordan "])
def test_a_name_is_taken_whatever_its_case(db, now: datetime, name: str) -> None:
    services.add_rep(db, "Jordan", now)
    with pytest.raises(InvalidInput, match="already a rep named 'Jordan'"):
        services.add_rep(db, name, now)
    assert len(services.reps(db)) == 2


@pytest.mark.parametrize("name", ["", "   ", "Sam\x1b[2J", "x" * 61])
def test_a_bad_rep_name_is_refused(db, now: datetime, name: str) -> None:
    with pytest.raises(InvalidInput):
        services.add_rep(db, name, now)
    assert len(services.reps(db)) == 1


# --------------------------------------------------------------------------- each rep's settings


def test_each_rep_has_their_own_profile_and_the_team_shares_its_rules(db, now: datetime) -> None:
    me = services.select_rep(db, None)
    sam = services.add_rep(db, "Sam", now)
    services.set_setting(db, "rep.phone", "(212) 555-0142", rep=me)
    services.set_setting(db, "rep.timezone", "Pacific", rep=sam)
    services.set_setting(db, "guard.max_per_day", "2", rep=sam)  # the team's: for both
    mine, sams = services.get_profile(db, rep=me), services.get_profile(db, rep=sam)
    assert (mine.phone, mine.timezone, mine.max_per_day) == ("+12125550142", "America/New_York", 2)
    assert (sams.name, sams.phone, sams.timezone, sams.max_per_day) == ("Sam", "", "America/Los_Angeles", 2)


def test_the_session_start_records_the_reps_name(db, now: datetime) -> None:
    sam = services.add_rep(db, "Sam", now)
    services.set_setting(db, "rep.name", "Sam Ortiz", rep=sam)
    session_id = services.start_session(db, now, rep=sam)
    assert engines.value(db, "SELECT rep FROM sessions WHERE id = ?", [session_id]) == "Sam Ortiz"


def test_a_reps_theme_is_theirs(db, now: datetime) -> None:
    sam = services.add_rep(db, "Sam", now)
    services.remember_theme(db, "nord", rep=sam)
    assert services.saved_theme(db, rep=sam) == "nord"
    assert services.saved_theme(db, rep=services.select_rep(db, "me")) is None


# --------------------------------------------------------------------------- the command line


def test_the_cli_needs_no_rep_with_one_and_names_them_with_several(new_db) -> None:
    assert dialdeck("config", "set", "rep.name", "Jordan Reyes", db=new_db).returncode == 0
    assert dialdeck("reps", "add", "Sam", db=new_db).returncode == 0
    refused = dialdeck("config", db=new_db)
    assert refused.returncode == 1
    assert refused.stderr == ("dialdeck: error: this database has 2 reps (me, Sam): say which one with "
                              "--rep NAME or DIALDECK_REP\n")
    unknown = dialdeck("--rep", "Kim", "config", db=new_db)
    assert unknown.stderr == "dialdeck: error: no rep named 'Kim' (reps: me, Sam)\n"


def test_rep_from_the_flag_or_the_environment(new_db) -> None:
    dialdeck("reps", "add", "Sam", db=new_db)
    assert dialdeck("--rep", "sam", "config", "set", "rep.phone", "+1 212 555 0199", db=new_db).stdout == (
        "rep.phone = +12125550199  (rep: Sam)\n")
    shown = dialdeck("config", db=new_db, env={"DIALDECK_REP": "SAM"}).stdout
    assert "rep.phone               +12125550199  (rep: Sam)" in shown
    assert "guard.max_per_day       3  (team: every rep)" in shown
    mine = dialdeck("--rep", "me", "config", db=new_db).stdout
    assert "rep.phone               (not set)  (rep: me)" in mine


def test_a_team_wide_setting_needs_no_rep_named_and_a_reps_own_does(new_db) -> None:
    dialdeck("reps", "add", "Sam", db=new_db)
    done = dialdeck("config", "set", "team.lease_minutes", "15", db=new_db)
    assert (done.returncode, done.stdout) == (0, "team.lease_minutes = 15  (team: every rep)\n")
    assert dialdeck("config", "set", "guard.max_per_day", "2", db=new_db).returncode == 0
    assert "team.lease_minutes      15  (team: every rep)" in dialdeck("--rep", "Sam", "config", db=new_db).stdout
    refused = dialdeck("config", "set", "rep.phone", "+1 212 555 0199", db=new_db)
    assert refused.returncode == 1 and "say which one with --rep NAME" in refused.stderr


def test_a_teams_set_up_warning_names_the_rep_to_set(db, now: datetime) -> None:
    sam = services.add_rep(db, "Sam Ortiz", now)
    assert services.profile_problems(db, rep=sam) == [
        'rep.phone is not set (scripts say "Your Number"): '
        'dialdeck --rep "Sam Ortiz" config set rep.phone "+1 212 555 0142"',
        'rep.company is not set (scripts say "Your Company"): '
        'dialdeck --rep "Sam Ortiz" config set rep.company "Acme Inc"',
    ]
