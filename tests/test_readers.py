"""Commands that only read (due, history, export, report, dnc list) need no write lock.

From issue 7: "Read-only commands (`due`, `history`, `export`) fail with "locked" for the whole
length of a large import, and a read-only database file cannot even be exported: readers
should not need the write lock."
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from dialdeck.errors import StoreError
from dialdeck.store import open_reader
from test_cli import DUE_AT, dialdeck, imported  # noqa: F401 (imported: the fixture)

READERS = (
    ("due", "--json", "--at", DUE_AT),
    ("history", "1", "--json"),
    ("export", "--format", "json"),
    ("report", "--json", "--at", DUE_AT),
    ("dnc", "list", "--json"),
)

# A second process that takes the write lock (as an import does for its whole length) and
# holds it until its stdin closes.
HOLD_THE_WRITE_LOCK = """
import sys
from dialdeck.store import open_store
db = open_store(sys.argv[1])
with db.writing():
    db.conn.execute("INSERT INTO settings (key, value) VALUES ('held', 'by a writer')")
    print("holding", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def db(tmp_path: Path, imported: Path) -> Path:  # noqa: F811 (the CLI tests' copy, by path)
    path = tmp_path / "rep.db"
    with sqlite3.connect(imported) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    return path


@pytest.fixture
def writer(db):
    """A real concurrent writer holding a write transaction on ``db`` until the test ends."""
    process = subprocess.Popen([sys.executable, "-c", HOLD_THE_WRITE_LOCK, str(db)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "holding"
    yield process
    process.stdin.close()
    process.wait(timeout=30)


def _lock_is_held(path: Path) -> bool:
    conn = sqlite3.connect(path, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc)
    finally:
        conn.close()


@pytest.mark.parametrize("command", READERS, ids=[c[0] if c[0] != "dnc" else "dnc-list" for c in READERS])
def test_a_reader_answers_at_once_while_another_process_holds_the_write_lock(db, writer, command) -> None:
    assert _lock_is_held(db)
    # The writer holds the lock for the whole command: a reader that needed it would fail with
    # "locked" after its busy timeout, whatever the machine's speed.
    result = dialdeck(*command, db=db)
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)
    assert "locked" not in result.stderr
    assert writer.poll() is None and _lock_is_held(db)  # the writer is still mid-transaction


def test_a_reader_sees_the_last_committed_state_not_the_writers_unfinished_one(db, writer) -> None:
    config = json.loads(dialdeck("report", "--json", "--at", DUE_AT, db=db, check=True).stdout)
    assert config["dials"] == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM settings WHERE key = 'held'").fetchone()[0] == 0


def test_a_read_only_database_file_can_be_exported_and_read(db, tmp_path: Path) -> None:
    os.chmod(db, 0o444)
    try:
        exported = dialdeck("export", "--format", "json", db=db)
        assert exported.returncode == 0, exported.stderr
        assert [row["first_name"] for row in json.loads(exported.stdout)] == ["Ana", "Ben", "Chloe"]
        out = tmp_path / "out.csv"
        assert dialdeck("export", "--output", str(out), db=db).returncode == 0
        assert out.read_text().startswith("id,first_name")
        assert dialdeck("due", "--at", DUE_AT, db=db).returncode == 0
        assert dialdeck("history", "1", db=db).returncode == 0
        # A command that writes still says plainly why it cannot.
        refused = dialdeck("note", "1", "hello", db=db)
        assert refused.returncode == 1 and "read-only" in refused.stderr
    finally:
        os.chmod(db, 0o644)


def test_a_reader_does_not_write_to_the_database(db) -> None:
    before = db.stat().st_mtime_ns, _checksum(db)
    for command in READERS:
        dialdeck(*command, db=db, check=True)
    assert (db.stat().st_mtime_ns, _checksum(db)) == before


def _checksum(path: Path) -> list:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
        return [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("prospects", "attempts", "sessions", "settings", "notes")]


def test_a_reader_refuses_a_missing_file_instead_of_creating_one(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database at"):
        open_reader(tmp_path / "nope.db")
    assert not (tmp_path / "nope.db").exists()


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="needs setpriv to drop root")
def test_a_database_in_a_read_only_folder_can_be_exported(db) -> None:
    """A copy on a read-only share: SQLite cannot create the WAL's index file beside it."""
    folder = Path(tempfile.mkdtemp(prefix="dialdeck-share-"))  # not under pytest's 0700 folder
    copy = folder / "rep.db"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # a consistent copy; closing it leaves no WAL behind
    assert not Path(f"{copy}-wal").exists() and not Path(f"{copy}-shm").exists()
    os.chmod(copy, 0o444)
    os.chmod(folder, 0o555)
    # Root ignores permissions: run as nobody, who may only read here.
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    probe = subprocess.run([*prefix, sys.executable, "-c", "import dialdeck"], capture_output=True, text=True)
    if probe.returncode != 0:  # e.g. a virtual environment in a folder only root may read
        pytest.skip(f"nobody cannot run this Python's dialdeck: {probe.stderr.strip()[-120:]}")
    try:
        result = dialdeck("export", "--format", "json", db=copy, command=[*prefix, sys.executable, "-m", "dialdeck"])
        assert result.returncode == 0, result.stderr
        assert [row["first_name"] for row in json.loads(result.stdout)] == ["Ana", "Ben", "Chloe"]
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)
