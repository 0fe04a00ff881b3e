"""What the PostgreSQL engine does beyond the store contract and the suites both engines run: its
schema steps, its one-line errors, and writers on one prospect queueing while writers on others
do not, so the guardrails hold however many reps log at once."""

from __future__ import annotations

import builtins
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

import dialdeck.store
import engines
from dialdeck import services
from dialdeck.errors import StoreError
from dialdeck.guard import NotCallable
from dialdeck.store import open_reader, open_store
from dialdeck.store.postgres import connect, schema
from dialdeck.store.sqlite.schema import known_steps as sqlite_steps


@pytest.fixture
def imported(pg_url: str, small_csv: Path, now):
    """SMALL_ROWS imported into a fresh PostgreSQL database; its URL."""
    db = open_store(pg_url)
    try:
        services.import_csv(db, small_csv, now=now)
    finally:
        db.close()
    return pg_url


# --- the schema ---------------------------------------------------------------------------------

def test_the_schema_steps_are_the_sqlite_engines_by_name() -> None:
    assert schema.known_steps() == sqlite_steps()
    assert [name for name, _ddl in schema.STEPS] == sorted(sqlite_steps())


def test_an_empty_database_is_set_up_once_even_by_two_processes_at_once(pg) -> None:
    url = pg.url_of(pg.new_database(empty=True))
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _i: open_store(url), range(4)))
    try:
        applied = engines.rows(stores[0], "SELECT name FROM dialdeck_migrations ORDER BY name")
        assert [row[0] for row in applied] == sorted(sqlite_steps())  # each step once
        tables = {row[0] for row in engines.rows(
            stores[0], "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert tables == {"prospects", "prospect_phones", "enrollments", "attempts", "notes", "dnc", "settings",
                          "sessions", "hours_keys", "dialdeck_migrations", "reps", "rep_settings", "reservations"}
    finally:
        for store in stores:
            store.close()


def test_a_database_from_a_newer_dialdeck_is_refused(pg_url: str) -> None:
    db = open_store(pg_url)
    engines.execute(db, "INSERT INTO dialdeck_migrations (migration_set, name) VALUES ('dialdeck', 'm099_teleport')")
    db.close()
    for opening in (open_store, open_reader):
        with pytest.raises(StoreError, match=r"written by a newer dialdeck \(schema steps m099_teleport\)"):
            opening(pg_url)


def test_a_reader_upgrades_a_database_from_an_older_dialdeck(pg) -> None:
    url = pg.url_of(pg.new_database(empty=True))
    reader = open_reader(url)  # a new, empty database, as createdb leaves it: set up on first open
    try:
        assert reader.settings() == {} and reader.due_page(["x"], "a", "a", limit=5) == []
    finally:
        reader.close()


def test_text_sorts_by_bytes_whatever_the_database_locale(pg_url: str) -> None:
    # A time must sort as text in time order; "C" makes it so even in a database made for en_US.
    db = open_store(pg_url)
    try:
        collations = {row[0] for row in engines.rows(
            db, "SELECT collation_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name <> 'dialdeck_migrations' AND data_type = 'text'")}
        assert collations == {"C"}
    finally:
        db.close()


# --- URLs and errors -----------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "read"), [
    ("postgresql://u:pw@h:5432/db", "postgresql://u:pw@h:5432/db"),
    ("postgres://h/db", "postgresql://h/db"),
    ("postgresql+psycopg://h/db", "postgresql://h/db"),
    (str(Path("postgresql://u@h/db")), "postgresql://u@h/db"),  # as a Path folds it
    ("postgresql:///db?host=/run/postgresql", "postgresql:///db?host=/run/postgresql"),
])
def test_the_url_forms_a_rep_may_type(typed: str, read: str) -> None:
    assert connect.server_url(typed) == read


def test_the_password_is_never_shown() -> None:
    assert connect.shown("postgresql://dial:s3cret@db.example.com:5432/team") == \
        "postgresql://dial:***@db.example.com:5432/team"
    assert connect.shown("postgresql://db.example.com/team?sslmode=require&password=s3cret") == \
        "postgresql://db.example.com/team?sslmode=require&password=***"


def test_a_missing_database_says_how_to_make_it(pg) -> None:
    url = pg.url_of("no_such_dialdeck_db")
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert str(caught.value) == (f"database {url} does not exist on that server; create it first "
                                 "(createdb no_such_dialdeck_db, or CREATE DATABASE in psql)")


def test_an_unknown_user_is_refused_in_one_line(pg, pg_url: str) -> None:
    url = pg_url.replace("postgresql://postgres@", "postgresql://nobody:s3cret@")
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert str(caught.value).startswith("cannot connect to database postgresql://nobody:***@")
    assert 'role "nobody" does not exist' in str(caught.value)


def test_a_refused_password_is_said_so() -> None:
    error = psycopg.OperationalError('connection failed: connection to server at "10.0.0.5", port 5432 failed: '
                                     'FATAL:  password authentication failed for user "dial"')
    assert str(connect.connect_error(error, "postgresql://dial:s3cret@10.0.0.5/team")) == (
        'database postgresql://dial:***@10.0.0.5/team: the server refused the password '
        '(password authentication failed for user "dial")')


@pytest.mark.parametrize(("error", "says"), [
    (psycopg.errors.SerializationFailure("could not serialize access"), "changed the same records at the same moment"),
    (psycopg.errors.DeadlockDetected("deadlock detected"), "nothing was written, try again"),
    (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"), "is read-only here"),
    (psycopg.errors.DiskFull("could not extend file"), "cannot be written: could not extend file"),
    (psycopg.OperationalError("server closed the connection unexpectedly"), "lost the connection to database"),
])
def test_each_failure_is_one_line_naming_the_server(error: psycopg.Error, says: str) -> None:
    line = str(connect.store_error(error, "postgresql://dial:s3cret@db.example.com/team"))
    assert says in line and "db.example.com/team" in line and "s3cret" not in line and "\n" not in line


def test_a_reader_refuses_to_write_in_one_line(imported: str, now) -> None:
    reader = open_reader(imported)
    try:
        with pytest.raises(StoreError, match="is read-only here"):
            services.log_outcome(reader, 1, "voicemail", now)
    finally:
        reader.close()


def test_a_lost_connection_is_one_line(pg, imported: str, now) -> None:
    db = open_store(imported)
    try:
        pid = db.conn.info.backend_pid
        with psycopg.connect(pg.admin_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        with pytest.raises(StoreError, match=r"^lost the connection to database postgresql://"):
            services.due(db, now)
    finally:
        db.close()


def test_without_psycopg_the_error_says_how_to_install_it(monkeypatch) -> None:
    real_import = builtins.__import__

    def no_psycopg(name, *args, **kwargs):
        if name == "psycopg" or name.startswith("psycopg."):
            raise ImportError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    for module in [m for m in sys.modules if m.startswith(("psycopg", "dialdeck.store.postgres"))]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.delattr(dialdeck.store, "postgres")  # as on a machine where it was never imported
    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://h/db")
    assert str(caught.value) == ("PostgreSQL support is not installed (the psycopg package is missing); "
                                 "install it with: pip install 'dialdeck[postgres]'")


# --- writers side by side ------------------------------------------------------------------------

def test_a_writer_on_a_prospect_waits_for_the_one_holding_it_and_not_for_others(imported: str, now) -> None:
    holder, other = open_store(imported), open_store(imported)
    locked, release = threading.Event(), threading.Event()

    def hold_prospect_1() -> None:
        with holder.writing() as tx:
            tx.prospect(1)
            locked.set()
            release.wait(10)

    try:
        with ThreadPoolExecutor(2) as pool:
            held = pool.submit(hold_prospect_1)
            assert locked.wait(10)
            # Another prospect: logged while the holder still holds prospect 1 (had it waited, it
            # would have given up as busy after the lock timeout).
            assert services.log_outcome(other, 2, "voicemail", now).prospect_id == 2
            assert not held.done()
            waiting = pool.submit(services.log_outcome, other, 1, "voicemail", now)
            time.sleep(0.3)
            assert not waiting.done()  # queued behind the holder, as on SQLite
            release.set()
            held.result(10)
            assert waiting.result(10).prospect_id == 1
    finally:
        release.set()
        holder.close()
        other.close()


def test_the_daily_cap_holds_when_many_reps_call_one_number_at_once(imported: str, now) -> None:
    # Eight reps log a busy line on the same prospect in the same second. A busy line may be
    # redialled at once, but at most guard.max_per_day (3) calls a day: three are logged, five
    # refused, however the eight transactions interleave.
    reps = [open_store(imported) for _ in range(8)]
    start = threading.Barrier(len(reps))

    def call(db) -> str:
        start.wait(10)
        try:
            services.log_outcome(db, 1, "busy", now)
        except NotCallable as refused:
            assert "the most allowed per day" in str(refused)
            return "refused"
        return "logged"

    try:
        with ThreadPoolExecutor(len(reps)) as pool:
            results = list(pool.map(call, reps))
        assert sorted(results) == ["logged"] * 3 + ["refused"] * 5
        assert engines.count(reps[0], "attempts") == 3
    finally:
        for db in reps:
            db.close()


def test_a_lock_held_too_long_is_a_busy_error_and_nothing_is_written(imported: str, now, monkeypatch) -> None:
    monkeypatch.setattr(connect, "BUSY_TIMEOUT_MS", 200)
    holder, other = open_store(imported), open_store(imported)
    try:
        with holder.writing() as tx:
            tx.prospect(1)
            with pytest.raises(StoreError, match=r"is busy: another session held the records for more than 0\.2 s"):
                services.log_outcome(other, 1, "voicemail", now)
        assert engines.count(other, "attempts") == 0
    finally:
        holder.close()
        other.close()


def test_an_import_holds_other_imports_and_the_do_not_call_list_not_the_reps(imported: str, now,
                                                                            monkeypatch) -> None:
    monkeypatch.setattr(connect, "BUSY_TIMEOUT_MS", 200)
    importer, other, rep = open_store(imported), open_store(imported), open_store(imported)
    try:
        with importer.importing() as batch:
            batch.next_prospect_id()
            services.log_outcome(rep, 2, "voicemail", now)  # a rep logs while the import runs
            with pytest.raises(StoreError, match="is busy"):  # one import at a time: ids stay free
                with other.importing():
                    pass
            with pytest.raises(StoreError, match="is busy"):  # the list it checks rows against stays true
                services.dnc_add(rep, "+1 212 555 0199", now)
        assert engines.count(rep, "attempts") == 1 and engines.count(rep, "dnc") == 0
    finally:
        for db in (importer, other, rep):
            db.close()


# --- one file, both engines: the same rows ---------------------------------------------------------

TABLES = {
    "prospects": "id", "prospect_phones": "prospect_id, position", "enrollments": "id", "attempts": "id",
    "notes": "id", "dnc": "e164", "settings": "key", "sessions": "id", "hours_keys": "key",
    "reservations": "prospect_id",
}


def dump(db) -> dict[str, list[tuple]]:
    return {table: engines.rows(db, f"SELECT * FROM {table} ORDER BY {order}") for table, order in TABLES.items()}


def test_the_same_work_leaves_the_same_rows_on_both_engines(pg_url: str, tmp_path: Path, write_csv, now) -> None:
    from conftest import SMALL_ROWS

    lite, pg = open_store(tmp_path / "same.db"), open_store(pg_url)
    first = write_csv([{**row, "Notes": f"note {i}\twith a tab"} for i, row in enumerate(SMALL_ROWS)], name="a.csv")
    again = write_csv([{**SMALL_ROWS[0], "Company Name": "Renamed", "Lead Temperature": "cold"}, *SMALL_ROWS[1:]],
                      name="b.csv")
    try:
        for db in (lite, pg):
            services.set_setting(db, "rep.timezone", "America/New_York")
            services.import_csv(db, first, now=now)
            session = services.start_session(db, now)
            services.log_outcome(db, 1, "voicemail", now, session_id=session, note="left one")
            services.log_outcome(db, 2, "connected", now, session_id=session, disposition="booked")
            services.log_outcome(db, 6, "do-not-call", now, session_id=session)
            services.log_outcome(db, 4, "busy", now, force=True)
            services.add_note(db, 3, "asks for a quote", now)
            services.snooze(db, 5, now + timedelta(days=2), now)
            services.import_csv(db, again, now=now + timedelta(hours=1))
            services.undo_last(db, session_id=session)
            services.end_session(db, session, now + timedelta(hours=1))
        assert dump(pg) == dump(lite)
        assert services.export_rows(pg) == services.export_rows(lite)
    finally:
        lite.close()
        pg.close()


def test_the_due_page_runs_without_jit_and_gives_the_session_its_settings_back(imported: str, now) -> None:
    # The due page turns sorts off, which lifts its cost estimates past the JIT threshold: with
    # JIT on, each page was compiled for 100-250 ms. Force JIT for everything to show it is off.
    db = open_store(imported)
    try:
        db.conn.execute("SET jit = on; SET jit_above_cost = 0")
        seen = []
        with db._indexes_only():  # what every due-page statement runs inside
            seen.append(db.conn.execute("SHOW jit").fetchone()[0])
        with db.writing(), db._indexes_only():  # nested in a write: the write's planner comes back
            pass
        seen.append(db.conn.execute("SHOW jit").fetchone()[0])
        assert seen == ["off", "on"]
        assert services.due(db, now)  # the page itself still reads
    finally:
        db.close()
