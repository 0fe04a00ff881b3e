"""Where dialdeck's data lives: one interface (``interface.Store``), one engine per database kind.

``open_store`` and ``open_reader`` choose the engine from where the database is: a file path
is SQLite (``store.sqlite``). A ``postgresql://`` URL names a server database, which this
version cannot open yet: it says so in one line rather than take the URL for a file name.
"""

from __future__ import annotations

import re
from pathlib import Path

from dialdeck.errors import StoreError
from dialdeck.store.interface import Store
from dialdeck.store.sqlite import open_sqlite, open_sqlite_reader

# A server URL, as typed or as a Path made of it ("postgresql://h/db" becomes "postgresql:/h/db").
_SERVER_URL = re.compile(r"^(postgres(?:ql)?)(?:\+\w+)?:/", re.IGNORECASE)


def engine_for(location: str | Path) -> str:
    """The engine that opens ``location`` ("sqlite"); StoreError for one this version lacks."""
    text = str(location)
    if _SERVER_URL.match(text):
        raise StoreError(f"{_without_password(text)}: PostgreSQL databases are not supported yet; "
                         "give the path of a database file (--db PATH or DIALDECK_DB)")
    return "sqlite"


def _without_password(url: str) -> str:
    url = re.sub(r"^([\w+]+):/(?!/)", r"\1://", url)  # as typed, before a Path folded the slashes
    return re.sub(r"(://[^/@:]*):[^/@]*@", r"\1:***@", url)


def open_store(location: str | Path, *, create: bool = True, durable: bool = True) -> Store:
    """The database at ``location``, opened for reading and writing and migrated to this version.

    ``create`` False: a missing database is an error rather than made empty. ``durable`` False:
    a throwaway database whose commits need not survive a power cut. Raises StoreError (one
    line) when it cannot be opened: missing, read-only, locked, damaged, from a newer dialdeck.
    """
    engine_for(location)
    return open_sqlite(Path(location).expanduser(), create=create, durable=durable)


def open_reader(location: str | Path) -> Store:
    """An existing database, for reading only: it takes no write lock, so a long write in another
    process (an import) never holds it up."""
    engine_for(location)
    return open_sqlite_reader(Path(location).expanduser())


__all__ = ["Store", "engine_for", "open_reader", "open_store"]
