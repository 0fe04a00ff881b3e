"""The PostgreSQL engine: ``PostgresStore`` is ``store.interface.Store`` on one psycopg connection.

The connection is in autocommit mode: each read outside a transaction sees the last commit, as
on SQLite. ``writing()`` is one READ COMMITTED transaction whose reads of a prospect lock that
prospect's row first (``records``: writers on different prospects do not wait for each other);
``importing()`` is one transaction holding the import lock (and the do-not-call list still). A nested ``writing()`` is a
savepoint. Every public method raises ``StoreError`` for a database failure, one line naming the
server without the password, never ``psycopg.Error``.

``conn`` (the psycopg connection) is public for tests and benchmarks; the services never touch it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg

from dialdeck.errors import StoreError
from dialdeck.store.postgres import schema
from dialdeck.store.postgres.activity import ActivityReads
from dialdeck.store.postgres.connect import connect, shown, store_error
from dialdeck.store.postgres.export import ExportReads
from dialdeck.store.postgres.importing import ImportWrites
from dialdeck.store.postgres.queries import DueQueries
from dialdeck.store.postgres.records import RecordReads, RecordWrites
from dialdeck.store.translating import ErrorsAreStoreErrors
from dialdeck.store.postgres.reps import RepReads, RepWrites
from dialdeck.store.postgres.reservations import ReservationReads, ReservationWrites


class _PostgresErrorsAreStoreErrors(ErrorsAreStoreErrors):
    """Every public method of a subclass: a ``psycopg.Error`` leaves it as ``StoreError``."""

    driver_error = psycopg.Error
    url: str

    def store_error_of(self, exc: Exception) -> StoreError:
        return store_error(exc, self.url)  # type: ignore[arg-type]  # driver_error is the driver's


class PostgresWriter(_PostgresErrorsAreStoreErrors, RecordWrites, RecordReads, RepReads, RepWrites,
                     ReservationWrites, ReservationReads):
    """The ``Writer`` a ``writing()`` block is given: the store's connection, in its transaction."""

    def __init__(self, conn: psycopg.Connection, url: str) -> None:
        self.conn, self.url = conn, url
        self.held: set[int] = set()


class PostgresImportBatch(PostgresWriter, ImportWrites):
    """The ``ImportBatch`` an ``importing()`` block is given."""


class PostgresStore(_PostgresErrorsAreStoreErrors, ActivityReads, ExportReads, DueQueries, RecordReads,
                    RepReads, ReservationReads):
    def __init__(self, conn: psycopg.Connection, url: str) -> None:
        self.conn, self.url = conn, url
        self._writer = PostgresWriter(conn, url)
        self._batch = PostgresImportBatch(conn, url)

    @property
    def location(self) -> str:
        return shown(self.url)

    def _in_transaction(self) -> bool:
        return self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    @contextlib.contextmanager
    def writing(self) -> Iterator[PostgresWriter]:
        writer = self._writer
        if self._in_transaction():  # inside another writing(): a savepoint of it
            held = set(writer.held)
            try:
                with self._errors(), self.conn.transaction():
                    yield writer
            except BaseException:
                writer.held = held  # a savepoint rolled back releases the locks taken inside it
                raise
            return
        writer.held = set()
        try:
            with self._errors(), self.conn.transaction():
                yield writer
        finally:
            writer.held = set()

    @contextlib.contextmanager
    def importing(self) -> Iterator[PostgresImportBatch]:
        batch = self._batch
        batch.held = set()
        try:
            with self._errors(), self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", [schema.IMPORT_LOCK])
                # What the import checks rows against stays true until it commits: a number put on
                # the list meanwhile (a rep's do-not-call) waits for the import.
                self.conn.execute("LOCK TABLE dnc IN SHARE MODE")
                yield batch
                set_sequences(self.conn, ("prospects",))  # the import wrote its own ids
        finally:
            batch.held = set()

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except psycopg.Error as exc:
            raise store_error(exc, self.url) from None

    def close(self) -> None:
        self.conn.close()


def set_sequences(conn: psycopg.Connection, tables: tuple[str, ...] = schema.IDENTITY_TABLES) -> None:
    """Move each table's id sequence past the ids written into it (the next default id is free)."""
    for table in tables:
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} "
                     "HAVING max(id) IS NOT NULL")


def open_postgres(url: str, *, durable: bool = True) -> PostgresStore:
    """The database at ``url``, migrated to this version. StoreError (one line) when the server
    cannot be reached, refuses the user, lacks the database, or holds a newer dialdeck's schema."""
    conn = connect(url, durable=durable)
    try:
        schema.migrate(conn, shown(url))
    except psycopg.Error as exc:
        conn.close()
        raise store_error(exc, url) from None
    except StoreError:
        conn.close()
        raise
    return PostgresStore(conn, url)


def open_postgres_reader(url: str) -> PostgresStore:
    """The database at ``url`` for reading only: the session is read-only for the server too, so
    a write fails rather than happens. A database from an older dialdeck is upgraded first (one
    read-write transaction), as the SQLite engine's reader does; a new empty one is set up."""
    conn = connect(url, read_only=True)
    try:
        schema.migrate(conn, shown(url))
    except psycopg.Error as exc:
        conn.close()
        error = store_error(exc, url)
        if isinstance(exc, (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege)):
            error = StoreError(f"database {shown(url)} was written by an older dialdeck and cannot be upgraded "
                               f"from here ({exc.diag.message_primary}): open it once as a user who may change it")
        raise error from None
    except StoreError:
        conn.close()
        raise
    return PostgresStore(conn, url)
