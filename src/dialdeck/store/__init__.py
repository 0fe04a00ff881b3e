"""Where dialdeck's data lives: one interface (``interface.Store``), one engine per database kind.

``open_store`` and ``open_reader`` choose the engine from where the database is: a file path
is SQLite (``store.sqlite``); a ``postgresql://`` (or ``postgres://``) URL is a PostgreSQL
server database (``store.postgres``, psycopg 3, an optional dependency: ``dialdeck[postgres]``).
"""

from __future__ import annotations

import re
from pathlib import Path

from dialdeck.errors import StoreError
from dialdeck.models import TableCopy
from dialdeck.store.interface import Store
from dialdeck.store.sqlite import open_sqlite, open_sqlite_reader

# A server URL, as typed or as a Path made of it ("postgresql://h/db" becomes "postgresql:/h/db").
_SERVER_URL = re.compile(r"^(postgres(?:ql)?)(?:\+\w+)?:/", re.IGNORECASE)

POSTGRES_MISSING = ("PostgreSQL support is not installed (the psycopg package is missing); "
                    "install it with: pip install 'dialdeck[postgres]'")


def engine_for(location: str | Path) -> str:
    """The engine that opens ``location``: "postgres" for a server URL, else "sqlite"."""
    return "postgres" if _SERVER_URL.match(str(location)) else "sqlite"


def _postgres():
    """The PostgreSQL engine, imported only when a server URL is opened (psycopg is optional)."""
    try:
        from dialdeck.store import postgres
    except ImportError as exc:
        if exc.name is not None and exc.name.split(".")[0] == "psycopg":
            raise StoreError(POSTGRES_MISSING) from None
        raise
    return postgres


def open_store(location: str | Path, *, create: bool = True, durable: bool = True) -> Store:
    """The database at ``location``, opened for reading and writing and migrated to this version.

    ``create`` False: a missing database file is an error rather than made empty (a server
    database is never created: it must exist, and an empty one is set up). ``durable`` False:
    a throwaway database whose commits need not survive a power cut. Raises StoreError (one
    line) when it cannot be opened: missing, read-only, locked, damaged, from a newer dialdeck,
    a server that cannot be reached or refuses the user.
    """
    if engine_for(location) == "postgres":
        engine = _postgres()
        return engine.open_postgres(engine.connect.server_url(location), durable=durable)
    return open_sqlite(Path(location).expanduser(), create=create, durable=durable)


def open_reader(location: str | Path) -> Store:
    """An existing database, for reading only: it takes no write lock, so a long write in another
    process (an import) never holds it up."""
    if engine_for(location) == "postgres":
        engine = _postgres()
        return engine.open_postgres_reader(engine.connect.server_url(location))
    return open_sqlite_reader(Path(location).expanduser())


def copy_to_server(source: str | Path, target: str | Path, *, replace: bool = False) -> list[TableCopy]:
    """Every table of the SQLite database ``source`` copied into the PostgreSQL database
    ``target`` in one transaction, ids kept, each table counted and checksummed on both sides
    (``store.postgres.transfer``). StoreError (one line) when it cannot, and then nothing is kept."""
    if engine_for(source) != "sqlite":
        raise StoreError(f"{shown_location(source)}: migrate copies from a database file (--from PATH)")
    if engine_for(target) != "postgres":
        raise StoreError(f"{target}: migrate copies into a PostgreSQL database (--to postgresql://...)")
    source = Path(source).expanduser()
    if not source.is_file():
        raise StoreError(f"no database at {source}")
    _postgres()
    from dialdeck.store.postgres import connect, transfer

    return transfer.copy_sqlite_to_postgres(source, connect.server_url(target), replace=replace)


def shown_location(location: str | Path) -> str:
    """A location for a message: a server's URL without its password."""
    if engine_for(location) == "postgres":
        return _postgres().connect.shown(str(location))
    return str(location)


__all__ = ["Store", "copy_to_server", "engine_for", "open_reader", "open_store", "shown_location"]
