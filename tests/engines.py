"""Reading a test's database directly, on either engine: what a test checks beyond the services.

The SQL is written once, in SQLite's form (``?`` placeholders); on PostgreSQL they become
psycopg's ``%s``. Rows come back as tuples on both.
"""

from __future__ import annotations

from typing import Any


def is_postgres(db) -> bool:
    return type(db).__module__.startswith("dialdeck.store.postgres")


def rows(db, sql: str, params: Any = ()) -> list[tuple]:
    if is_postgres(db):
        sql = sql.replace("?", "%s")
    return [tuple(row) for row in db.conn.execute(sql, params).fetchall()]


def value(db, sql: str, params: Any = ()):
    found = rows(db, sql, params)
    return found[0][0] if found else None


def count(db, table: str) -> int:
    return value(db, f"SELECT count(*) FROM {table}")


def execute(db, sql: str, params: Any = ()) -> None:
    """One change written and committed at once, outside the services (a hand edit)."""
    if is_postgres(db):
        db.conn.execute(sql.replace("?", "%s"), params)  # autocommit
        return
    with db.conn:
        db.conn.execute(sql, params)


def disk_failure(db) -> Exception:
    """The driver's own error for a disk that cannot be written, as the engine would meet it."""
    if is_postgres(db):
        import psycopg

        return psycopg.errors.DiskFull("could not extend file: No space left on device")
    import sqlite3

    return sqlite3.OperationalError("disk I/O error")


def writer_class(db) -> type:
    """The class of the ``Writer`` a ``writing()`` block gets on this engine."""
    with db.writing() as tx:
        return type(tx)


def dict_rows(db, sql: str, params: Any = ()) -> list[dict]:
    """Rows as dicts keyed by column name."""
    if is_postgres(db):
        sql = sql.replace("?", "%s")
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
