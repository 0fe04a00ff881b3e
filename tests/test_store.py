"""Opening the store: schema, durability settings, and one-line errors for unusable files."""

from __future__ import annotations

import contextlib
import io
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

from dialdeck.cli import main
from dialdeck.errors import StoreError
from dialdeck.store import open_reader, open_store
from dialdeck.store.sqlite import open_sqlite
from dialdeck.store.sqlite.db import WAL_BACKSTOP_PAGES
from dialdeck.store.sqlite.schema import MIGRATION_SET, migrations


def test_a_new_database_has_the_schema_in_wal_with_foreign_keys(db, db_path: Path) -> None:
    tables = {row[0] for row in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"prospects", "enrollments", "attempts", "dnc", "settings", "sessions"} <= tables
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: survives power loss too
    assert db_path.exists()


def test_the_writer_leaves_checkpoints_to_a_quiet_moment(db) -> None:
    # SQLite's default (1000 pages) would copy the WAL back inside every ~30th outcome's commit.
    assert db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_BACKSTOP_PAGES


def test_a_commit_reaches_the_database_file_itself_soon_after(db, db_path: Path, tmp_path: Path) -> None:
    """The background checkpoint copies committed pages into the main file once the writer pauses:
    a copy of that file alone (no WAL) holds the write."""
    with db.writing():
        db.conn.execute("INSERT INTO settings (key, value) VALUES ('probe', 'kept')")
    deadline = time.monotonic() + 10
    while not (found := _in_file_alone(db_path, tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert found == [("kept",)]


def _in_file_alone(db_path: Path, tmp_path: Path) -> list:
    copy = tmp_path / "file-only.db"
    for extra in ("-wal", "-shm"):
        Path(f"{copy}{extra}").unlink(missing_ok=True)
    shutil.copyfile(db_path, copy)
    conn = sqlite3.connect(copy)
    try:
        return conn.execute("SELECT value FROM settings WHERE key = 'probe'").fetchall()
    except sqlite3.OperationalError:  # not even the schema is in the file yet
        return []
    finally:
        conn.close()


def test_reopening_applies_no_migration_twice(db_path: Path) -> None:
    open_store(db_path).close()
    again = open_store(db_path)
    names = [step.name for step in migrations.applied(Database(again.conn))]
    assert len(names) == len(set(names)) >= 1
    again.close()


def test_missing_file_without_create_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    with pytest.raises(StoreError, match=f"no database at {path}"):
        open_store(path, create=False)
    assert not path.exists()


def test_garbage_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is a spreadsheet, honest\x00\x01\x02" * 200)
    with pytest.raises(StoreError) as caught:
        open_store(path)
    message = str(caught.value)
    assert str(path) in message and "not a dialdeck database" in message
    assert "\n" not in message


def test_read_only_file_is_refused(db_path: Path) -> None:
    open_store(db_path).close()
    db_path.chmod(0o444)
    try:
        with pytest.raises(StoreError, match="read-only") as caught:
            open_store(db_path)
        assert str(db_path) in str(caught.value)
    finally:
        db_path.chmod(0o644)


def test_database_locked_by_another_program(db_path: Path) -> None:
    open_store(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked by another program") as caught:
            open_sqlite(db_path, busy_timeout_ms=50)
        assert str(db_path) in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_database_from_a_newer_dialdeck_is_refused(db_path: Path) -> None:
    db = open_store(db_path)
    db.conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, 'm999_from_the_future', 'x')",
        [MIGRATION_SET],
    )
    db.conn.commit()
    db.close()
    with pytest.raises(StoreError, match="newer dialdeck"):
        open_store(db_path)


def test_a_write_keeps_nothing_when_the_block_fails(db) -> None:
    with pytest.raises(RuntimeError):
        with db.writing():
            db.conn.execute("INSERT INTO settings(key, value) VALUES ('rep.name', 'Half')")
            raise RuntimeError("crash between two writes")
    assert db.conn.execute("SELECT count(*) FROM settings").fetchone()[0] == 0
    assert not db.conn.in_transaction


def test_a_write_is_visible_to_another_connection_once_committed(db, db_path: Path) -> None:
    with db.writing():
        db.conn.execute("INSERT INTO settings(key, value) VALUES ('rep.name', 'Whole')")
    other = sqlite3.connect(db_path)
    assert other.execute("SELECT value FROM settings").fetchone() == ("Whole",)
    other.close()


def test_a_prospect_has_at_most_one_live_enrollment(imported_db) -> None:
    with pytest.raises(StoreError, match="UNIQUE constraint failed"):
        with imported_db.writing():
            imported_db.conn.execute(
                "INSERT INTO enrollments (prospect_id, cadence, step_index, status, hours_key, temp_rank, "
                "created_at, updated_at) VALUES (1, 'three-step', 0, 'active', 'US|America/New_York', 0, 'x', 'x')")


def test_an_attempt_must_name_a_real_prospect(db) -> None:
    with pytest.raises(StoreError, match="FOREIGN KEY constraint failed"):
        with db.writing():
            db.conn.execute(
                "INSERT INTO attempts (prospect_id, enrollment_id, cadence, step, action, outcome, at, prev_state) "
                "VALUES (42, 42, 'x', 1, 'call', 'voicemail', 'x', '{}')")


# Nothing listens on port 1: the server is refused at once, whatever the machine.
UNREACHABLE = ("postgresql://dial:s3cret@127.0.0.1:1/team", "postgres://dial:s3cret@127.0.0.1:1/team",
               "postgresql+psycopg://dial:s3cret@127.0.0.1:1/team")


@pytest.mark.parametrize("url", UNREACHABLE)
def test_a_postgresql_url_names_a_server_never_a_file(url: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for opening in (open_store, open_reader):
        with pytest.raises(StoreError) as caught:
            opening(url)
        assert str(caught.value) == ("cannot connect to database postgresql://dial:***@127.0.0.1:1/team: connection "
                                     "refused (is the server running and listening on that host and port?)")
    assert list(tmp_path.iterdir()) == []  # not taken for a file name: nothing was created


def test_the_cli_says_in_one_line_that_the_server_cannot_be_reached(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for args in (["--db", UNREACHABLE[0], "due"], ["config"]):
        monkeypatch.setenv("DIALDECK_DB", UNREACHABLE[1])
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            status = main(args)
        assert status == 1
        (line,) = err.getvalue().splitlines()
        assert line.startswith("dialdeck: error: cannot connect to database postgresql://dial:***@127.0.0.1:1/team")
        assert "s3cret" not in line
    assert list(tmp_path.iterdir()) == []
