"""Moving a team's database from a SQLite file to a PostgreSQL server (``dialdeck migrate``)."""

from __future__ import annotations

from pathlib import Path

from dialdeck.models import TableCopy
from dialdeck.store import copy_to_server, shown_location


def move_database(source: str | Path, target: str | Path, *, replace: bool = False) -> list[TableCopy]:
    """Copy every table of the file ``source`` into the server database ``target``, ids kept, in
    one transaction on the target; per table, the rows and a checksum on both sides. A target
    that already holds dialdeck data is refused unless ``replace`` (then what it held is
    dropped, in the same transaction). StoreError when it cannot; then the target is unchanged."""
    return copy_to_server(source, target, replace=replace)


def shown(location: str | Path) -> str:
    """A database as a message names it: a file's path, a server's URL without its password."""
    return shown_location(location)
