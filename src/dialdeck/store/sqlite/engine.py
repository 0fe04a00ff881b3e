"""The SQLite engine: ``SqliteStore`` is ``store.interface.Store`` on one sqlite3 connection.

A write is one ``BEGIN IMMEDIATE`` transaction (``writing``, ``importing``), committed durably
(WAL, ``synchronous=FULL``) and followed by a background checkpoint. Every public method
raises ``StoreError`` for a SQLite failure, one line naming the file, never ``sqlite3.Error``.

``conn`` (the sqlite3 connection) is public for tests and benchmarks that read the file
directly; the services never touch it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from dialdeck.errors import StoreError
from dialdeck.store.sqlite import db as opening
from dialdeck.store.sqlite.activity import ActivityReads
from dialdeck.store.sqlite.checkpoint import checkpointer
from dialdeck.store.sqlite.db import immediate, store_error
from dialdeck.store.sqlite.export import ExportReads
from dialdeck.store.sqlite.importing import ImportWrites, page_cache
from dialdeck.store.sqlite.queries import DueQueries
from dialdeck.store.sqlite.records import RecordReads, RecordWrites
from dialdeck.store.translating import ErrorsAreStoreErrors
from dialdeck.store.sqlite.reps import RepReads, RepWrites
from dialdeck.store.sqlite.reservations import ReservationReads, ReservationWrites


class _SqliteErrorsAreStoreErrors(ErrorsAreStoreErrors):
    """Every public method of a subclass: a ``sqlite3.Error`` leaves it as ``StoreError``."""

    driver_error = sqlite3.Error
    path: str

    def store_error_of(self, exc: Exception) -> StoreError:
        return store_error(exc, self.path)  # type: ignore[arg-type]  # driver_error is the driver's


class SqliteWriter(_SqliteErrorsAreStoreErrors, RecordReads, RecordWrites, RepReads, RepWrites, ReservationReads,
                   ReservationWrites):
    """The ``Writer`` a ``writing()`` block is given: the store's connection, in its transaction."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn, self.path = conn, path


class SqliteImportBatch(SqliteWriter, ImportWrites):
    """The ``ImportBatch`` an ``importing()`` block is given."""


class SqliteStore(_SqliteErrorsAreStoreErrors, ActivityReads, ExportReads, DueQueries, RepReads, ReservationReads):
    def __init__(self, db: Database) -> None:
        self._db = db  # sqlite-utils: migrations, and savepoints for a nested writing()
        self.conn = db.conn
        row = self.conn.execute("PRAGMA database_list").fetchone()
        self.path: str = row[2] if row else ""  # "" for an in-memory database
        self._writer = SqliteWriter(self.conn, self.path)
        self._batch = SqliteImportBatch(self.conn, self.path)

    @property
    def location(self) -> str:
        return self.path

    @contextlib.contextmanager
    def writing(self) -> Iterator[SqliteWriter]:
        if self.conn.in_transaction:  # inside another writing(): a savepoint of it
            with self._errors(), self._db.atomic():
                yield self._writer
            return
        with self._errors(), immediate(self.conn):
            yield self._writer
        checkpointer.committed(self.path)

    @contextlib.contextmanager
    def importing(self) -> Iterator[SqliteImportBatch]:
        with self._errors(), page_cache(self.conn), immediate(self.conn):
            yield self._batch
        checkpointer.committed(self.path)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise store_error(exc, self.path) from None

    def close(self) -> None:
        self.conn.close()


def open_sqlite(path: Path, *, create: bool = True, durable: bool = True,
                busy_timeout_ms: int = opening.BUSY_TIMEOUT_MS) -> SqliteStore:
    """The database file at ``path``, migrated to this version (``db.open_writer``)."""
    return SqliteStore(opening.open_writer(path, create=create, durable=durable, busy_timeout_ms=busy_timeout_ms))


def open_sqlite_reader(path: Path, *, busy_timeout_ms: int = opening.BUSY_TIMEOUT_MS) -> SqliteStore:
    """An existing database file, for reading only (``db.open_reader``): it takes no write lock."""
    return SqliteStore(opening.open_reader(path, busy_timeout_ms=busy_timeout_ms))
