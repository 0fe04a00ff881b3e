"""Opening a SQLite database: WAL, durable commits, a write-lock probe and migrations; readers
that take no lock; and ``immediate``, the one way a write transaction begins.

Durability: WAL with ``synchronous=FULL``. In WAL mode ``NORMAL`` already survives a crash or
``kill -9`` of the process (a commit is in the OS's page cache as soon as ``COMMIT`` returns),
but a power cut or kernel panic can roll back the last commits. A rep's logged call is a record
of something that happened to a person, so dialdeck pays one fsync of the WAL per outcome (well
under a millisecond on an SSD) and every outcome that was acknowledged survives power loss too.

Checkpoints (copying the WAL back into the database file, then an fsync of that file) are kept
off the rep's keypress: SQLite would run one inside the commit of every ~30th outcome (5 ms at a
million prospects, far more on a slow disk or right after an import). Instead a thread of this
process runs a PASSIVE checkpoint (``checkpoint.py``) at a quiet moment after commits, on its own connection, so it
never blocks a writer; the writer's own auto-checkpoint stays as a backstop for a much larger WAL.
A checkpoint never weakens durability: the WAL stays the record until its frames are in the
database file and that file is synced.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from dialdeck.errors import StoreError
from dialdeck.store.sqlite.schema import known_steps, migrations

BUSY_TIMEOUT_MS = 3000

# The writer checkpoints itself only past this many WAL pages (4 KiB each, ~30 per outcome): a
# backstop for when the background checkpoint cannot keep up. In a burst with no pause the WAL
# is copied back as it goes but only restarts at the next pause, so the backstop sits well above
# a long burst; after a restart the WAL file is cut back to WAL_KEEP_BYTES.
WAL_BACKSTOP_PAGES = 20000
WAL_KEEP_BYTES = 16 * 1024 * 1024
# The page cache per connection (KiB): the upper levels of the queue's indexes stay in memory.
CACHE_KIB = 32 * 1024


def open_writer(path: Path, *, create: bool = True, busy_timeout_ms: int = BUSY_TIMEOUT_MS,
                durable: bool = True) -> Database:
    """Open (and, with ``create``, create) the database at ``path``, migrated to this version.

    ``durable`` False: a throwaway database (the cadence simulator's), whose commits need not
    survive a power cut, so none waits for the disk.

    Raises StoreError, one line naming the path, when the file is missing (``create=False``),
    read-only, locked by another program, not a SQLite database, or from a newer dialdeck.
    """
    path = Path(path).expanduser()
    _check_file(path, create)
    try:
        conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from None
    db = Database(conn)
    try:
        _configure(db, busy_timeout_ms, durable)
        _refuse_newer(db, path)
        _migrate(db)
    except sqlite3.Error as exc:
        conn.close()
        raise store_error(exc, path) from None
    except StoreError:
        conn.close()
        raise
    return db


def open_reader(path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Database:
    """Open an existing database for reading only: ``due``, ``history``, ``export``, ``report``.

    A reader takes no write lock and writes nothing, so a writer in another process (a long
    import holding its one transaction) never blocks it: in WAL mode a reader sees the last
    committed state. A file this user may not write is opened ``mode=ro``; where SQLite cannot
    even read it that way (a read-only folder without the WAL's index file), it is opened
    ``immutable``, which is safe only because no WAL is left beside it then.

    Raises StoreError, one line naming the path, when the file is missing, not a database,
    from a newer dialdeck, or from an older one that must be upgraded first (that needs writing).
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise StoreError(f"database {path} is a directory, not a file")
    if not path.exists():
        raise StoreError(f"no database at {path}")
    writable = _writable(path)
    conn = _connect_reader(path, "rw" if writable else "ro", busy_timeout_ms)
    try:
        if not writable and not _readable(conn) and not _has_wal(path):
            conn.close()
            conn = _connect_reader(path, "immutable", busy_timeout_ms)
        db = Database(conn)
        conn.execute("PRAGMA schema_version").fetchone()  # "not a database" is said here, at open
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        _refuse_newer(db, path)
        if migrations.pending(db):
            _upgrade_for_reading(db, path, writable)
    except sqlite3.Error as exc:
        conn.close()
        raise store_error(exc, path) from None
    except StoreError:
        conn.close()
        raise
    return db


def _upgrade_for_reading(db: Database, path: Path, writable: bool) -> None:
    """A database from an older dialdeck is migrated once, which takes the write lock; a file
    that cannot be written cannot be upgraded, and its old schema cannot be read as this one."""
    if not writable:
        raise StoreError(f"database {path} was written by an older dialdeck and is read-only: "
                         "open it once with write access to upgrade it")
    db.conn.execute("PRAGMA query_only = OFF")
    try:
        _migrate(db)
    finally:
        db.conn.execute("PRAGMA query_only = ON")


def _connect_reader(path: Path, mode: str, busy_timeout_ms: int) -> sqlite3.Connection:
    # mode=rw, not rwc: a reader never creates a file. The URI keeps a path with '?' or '#' intact.
    query = "immutable=1" if mode == "immutable" else f"mode={mode}"
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?{query}", uri=True,
                               timeout=busy_timeout_ms / 1000, check_same_thread=False)
    except sqlite3.Error as exc:
        raise store_error(exc, path) from None
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA query_only = ON")  # belt and braces: this connection never writes
    return conn


def _readable(conn: sqlite3.Connection) -> bool:
    """False where SQLite cannot read the file read-only because the WAL's index file cannot be
    created beside it ("unable to open database file", or "attempt to write a readonly
    database"); other failures are left for the caller to report."""
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.OperationalError as exc:
        text = str(exc)
        return "unable to open" not in text and "readonly" not in text
    return True


def _has_wal(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    return wal.exists() and wal.stat().st_size > 0


def _writable(path: Path) -> bool:
    """Whether this user may write ``path`` and create its WAL files beside it.

    Root ignores permission bits, so os.access alone would let an administrator write a file
    its owner marked read-only; a file nobody may write is treated as read-only for everyone.
    """
    mode = path.stat().st_mode
    if not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return False
    return os.access(path.parent, os.W_OK) or Path(f"{path}-shm").exists()


def _check_file(path: Path, create: bool) -> None:
    if path.is_dir():
        raise StoreError(f"database {path} is a directory, not a file")
    if not path.exists():
        if not create:
            raise StoreError(f"no database at {path}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create database {path}: {exc.strerror}") from None
        return
    # Root ignores permission bits, so os.access alone would let an administrator write a file
    # its owner marked read-only; a file nobody may write is treated as read-only for everyone.
    mode = path.stat().st_mode
    if not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise StoreError(f"database {path} is read-only (dialdeck needs to write to it)")


def _configure(db: Database, busy_timeout_ms: int, durable: bool) -> None:
    conn = db.conn
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    # Reading the header here turns "not a database" into an error at open, not mid-session.
    conn.execute("PRAGMA schema_version").fetchone()
    db.enable_wal()
    conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'OFF'}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_BACKSTOP_PAGES}")
    conn.execute(f"PRAGMA journal_size_limit = {WAL_KEEP_BYTES}")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute("PRAGMA foreign_keys = ON")
    # Probe for the write lock now: a database another program holds gives a clear error at once.
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("ROLLBACK")


def _refuse_newer(db: Database, path: Path) -> None:
    unknown = {step.name for step in migrations.applied(db)} - known_steps()
    if unknown:
        raise StoreError(
            f"database {path} was written by a newer dialdeck (schema steps {', '.join(sorted(unknown))}); upgrade dialdeck"
        )


def _migrate(db: Database) -> None:
    if not migrations.pending(db):
        return
    with immediate(db.conn):
        migrations.apply(db)


@contextlib.contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction: everything inside commits together or not at all.

    ``BEGIN IMMEDIATE`` takes the write lock before the first read, so two dialdeck processes
    (the TUI and a CLI command) queue on the busy timeout instead of failing with a stale
    snapshot halfway through.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def store_error(exc: sqlite3.Error, path: Path | str | None = None) -> StoreError:
    """One readable line for a SQLite failure."""
    where = f"database {path}" if path else "the database"
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StoreError(f"{where} is locked by another program; close it and try again")
    if "readonly" in text or "read-only" in text:
        return StoreError(f"{where} is read-only (dialdeck needs to write to it)")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(f"{where} is not a dialdeck database or is damaged ({exc})", damaged=True)
    if "disk" in text or "full" in text or "i/o" in text:
        return StoreError(f"{where} cannot be written: {exc}")
    return StoreError(f"{where}: {exc}")
