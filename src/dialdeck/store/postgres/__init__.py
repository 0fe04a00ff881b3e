"""The PostgreSQL engine of the store: a server database, psycopg 3, row locks per prospect.

``connect`` reaches the server (URL forms, connection settings, one-line errors), ``schema``
migrates (the SQLite engine's steps, as PostgreSQL DDL), ``queries`` serves the due queue from
its indexes, ``records``, ``activity`` and ``export`` read and write the rest, ``importing``
writes an import's blocks with ``COPY``, and ``engine`` puts them together as ``PostgresStore``.

psycopg is an optional dependency (``pip install 'dialdeck[postgres]'``): importing this package
without it raises ImportError, which ``store.open_store`` turns into a line saying so.
"""

from dialdeck.store.postgres.engine import PostgresStore, open_postgres, open_postgres_reader

__all__ = ["PostgresStore", "open_postgres", "open_postgres_reader"]
