"""The SQLite engine of the store: one file, WAL, ``BEGIN IMMEDIATE`` writes.

``db`` opens (WAL, synchronous=FULL, busy timeout, write-lock probe; readers that take no lock),
``schema`` migrates (sqlite-utils ``Migrations``), ``queries`` serves the due queue from its
indexes, ``records``, ``activity`` and ``export`` read and write the rest, ``importing`` writes
an import's blocks, ``checkpoint`` keeps WAL checkpoints off the keypress, and ``engine``
puts them together as ``SqliteStore``.
"""

from dialdeck.store.sqlite.engine import SqliteStore, open_sqlite, open_sqlite_reader

__all__ = ["SqliteStore", "open_sqlite", "open_sqlite_reader"]
