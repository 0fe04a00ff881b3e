"""A team moving from a SQLite file to a PostgreSQL server (``dialdeck migrate``): every table,
every row, the ids kept, nothing lost, and proof of it.

The source is read in one read transaction (one snapshot: a session still logging in it is
either wholly in the copy or not at all); the target is written in one transaction, which
first sets up its schema, locks its tables against other writers and checks it is empty (or,
told to replace, empties it), then ``COPY``s each table in an order its foreign keys accept,
moves every id sequence past the ids copied, and reads every table back. Each table's rows
are counted and hashed on both sides the same way: one hash over the rows in primary-key order,
of each row's values by column name, each value with its type. Only when every table's count
and hash agree does the transaction commit; otherwise nothing is kept.

Which tables: every table of the source's schema but its migration bookkeeping; each must
exist in the target's schema with the same columns, or the move is refused before anything
is written (a table with no place to go would be lost).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import psycopg

from dialdeck.errors import StoreError
from dialdeck.models import TableCopy
from dialdeck.store.postgres import schema
from dialdeck.store.postgres.connect import connect, shown, store_error
from dialdeck.store.postgres.engine import set_sequences
from dialdeck.store.postgres.records import scalar
from dialdeck.store.sqlite import open_sqlite_reader

SQLITE_BOOKKEEPING = ("_sqlite_migrations",)
BLOCK = 5000  # rows read back per round trip


def row_digest(rows: Iterable[tuple], columns: list[str]) -> tuple[int, str]:
    """How many rows, and their ordered hash: the same function for both engines' rows."""
    order = sorted(range(len(columns)), key=lambda i: columns[i])
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        for i in order:
            digest.update(_canonical(row[i]))
        digest.update(b"\x1e")  # end of row
        count += 1
    return count, digest.hexdigest()


def _canonical(value) -> bytes:
    if value is None:
        return b"N\x1f"
    if isinstance(value, bool):  # before int: a bool is an int
        value = int(value)
    if isinstance(value, int):
        return b"i%d\x1f" % value
    if isinstance(value, float):
        return b"f" + repr(value).encode() + b"\x1f"
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        return b"b%d:" % len(raw) + raw
    text = str(value).encode("utf-8")
    return b"s%d:" % len(text) + text


def copy_sqlite_to_postgres(source: Path, target_url: str, *, replace: bool = False) -> list[TableCopy]:
    """Copy every table of the SQLite database at ``source`` into the PostgreSQL database at
    ``target_url`` (see the module). Raises StoreError, one line, when it cannot: the target is
    not empty (and ``replace`` is False), a table or column has no place in the target, a row
    is refused, or a count or checksum differs; then the target is as it was."""
    reader = open_sqlite_reader(Path(source).expanduser())  # upgrades an older file, refuses a newer one
    lite = reader.conn
    where = shown(target_url)
    try:
        conn = connect(target_url)
        try:
            lite.execute("BEGIN")  # one snapshot of the source for every table
            with conn.transaction():
                schema.migrate(conn, where)
                return _copy_all(lite, conn, where, replace, Path(source))
        except psycopg.Error as exc:
            raise store_error(exc, target_url) from None
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(f"database {source}: {exc}") from None
    finally:
        if lite.in_transaction:
            lite.execute("ROLLBACK")
        reader.close()


def _copy_all(lite: sqlite3.Connection, conn: psycopg.Connection, where: str, replace: bool,
              source: Path) -> list[TableCopy]:
    tables = _source_tables(lite)
    target_tables = _target_tables(conn)
    for table in tables:
        if table not in target_tables:
            raise StoreError(f"table {table} of {source} has no place in {where} (is this dialdeck older than "
                             "the one that wrote the file?); nothing was copied")
        missing = set(_source_columns(lite, table)) ^ set(_target_columns(conn, table))
        if missing:
            raise StoreError(f"table {table} differs between {source} and {where} (columns "
                             f"{', '.join(sorted(missing))}); nothing was copied")
    order = _in_foreign_key_order(conn, target_tables)
    conn.execute(f"LOCK TABLE {', '.join(order)} IN EXCLUSIVE MODE")  # no other writer meanwhile
    held = [table for table in order if scalar(conn, f"SELECT EXISTS (SELECT 1 FROM {table})")]
    if held == ["reps"] and scalar(conn, "SELECT count(*) FROM reps") == 1:
        held = []  # only the rep every new database starts with (m008): the copy brings the file's
        conn.execute("TRUNCATE reps CASCADE")
    if held and not replace:
        raise StoreError(f"{where} already holds dialdeck data (in {', '.join(held)}); migrate into an empty "
                         "database, or pass --replace to replace what it holds; nothing was copied")
    if held:
        conn.execute(f"TRUNCATE {', '.join(order)}")
    copies = []
    for table in [t for t in order if t in tables]:
        columns = _source_columns(lite, table)
        key = _primary_key(conn, table) or columns
        source_rows, source_sum = _copy_table(lite, conn, table, columns, key)
        target_rows, target_sum = row_digest(_target_rows(conn, table, columns, key), columns)
        copies.append(TableCopy(table, source_rows, target_rows, source_sum, target_sum))
    set_sequences(conn, tuple(t for t in schema.IDENTITY_TABLES if t in tables))
    differ = [copy.table for copy in copies if not copy.same]
    if differ:
        raise StoreError(f"the copy in {where} differs from {source} in {', '.join(differ)}; nothing was kept")
    return copies


def _copy_table(lite: sqlite3.Connection, conn: psycopg.Connection, table: str, columns: list[str],
                key: list[str]) -> tuple[int, str]:
    """COPY the source's rows into the target, hashing them on the way; (count, hash)."""
    rows = lite.execute(f"SELECT {', '.join(_quoted(columns))} FROM {table} ORDER BY {', '.join(_quoted(key))}")
    try:
        with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(_quoted(columns))}) FROM STDIN") as copy:
            return row_digest(_written(rows, copy), columns)
    except psycopg.Error as exc:
        said = exc.diag.message_primary or str(exc)
        context = f" ({exc.diag.context.splitlines()[0]})" if exc.diag.context else ""
        raise StoreError(f"table {table} could not be copied: {said}{context}; nothing was kept") from None


def _written(rows: Iterable[tuple], copy) -> Iterator[tuple]:
    for row in rows:
        copy.write_row(row)
        yield row


def _target_rows(conn: psycopg.Connection, table: str, columns: list[str], key: list[str]) -> Iterator[tuple]:
    with conn.cursor(name=f"dialdeck_check_{table}") as cursor:
        cursor.itersize = BLOCK
        cursor.execute(f"SELECT {', '.join(_quoted(columns))} FROM {table} ORDER BY {', '.join(_quoted(key))}")
        yield from cursor


def _quoted(names: Iterable[str]) -> list[str]:
    return ['"' + name.replace('"', '""') + '"' for name in names]


def _source_tables(lite: sqlite3.Connection) -> list[str]:
    return [row[0] for row in lite.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY name") if row[0] not in SQLITE_BOOKKEEPING]


def _source_columns(lite: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in lite.execute(f"PRAGMA table_info({table})")]


def _target_tables(conn: psycopg.Connection) -> list[str]:
    return [row[0] for row in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' AND table_name <> %s ORDER BY table_name", [schema.TABLE])]


def _target_columns(conn: psycopg.Connection, table: str) -> list[str]:
    return [row[0] for row in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = %s ORDER BY ordinal_position", [table])]


def _primary_key(conn: psycopg.Connection, table: str) -> list[str]:
    return [row[0] for row in conn.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
        "ORDER BY array_position(i.indkey::int2[], a.attnum)", [table])]


def _in_foreign_key_order(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    """The tables, each after the tables its foreign keys point to (then by name)."""
    needs: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in conn.execute(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
        "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
    ):
        if child in needs and parent in needs and child != parent:
            needs[child].add(parent)
    order: list[str] = []
    while needs:
        ready = sorted(table for table, parents in needs.items() if parents <= set(order))
        if not ready:  # a cycle: cannot happen in dialdeck's schema; keep the rest by name
            ready = sorted(needs)
        order.extend(ready)
        for table in ready:
            del needs[table]
    return order
