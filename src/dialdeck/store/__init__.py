"""The SQLite store: schema and migrations, opening with clear errors, and the fast queries."""

from dialdeck.store.db import db_path, open_reader, open_store, store_error, write_tx

__all__ = ["db_path", "open_reader", "open_store", "store_error", "write_tx"]
