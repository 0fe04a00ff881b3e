"""Which database a command opens, and opening it for the length of the command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dialdeck import paths, services
from dialdeck.errors import StoreError
from dialdeck.models import Rep

from .output import PROG

REP_ENV = "DIALDECK_REP"


def db_path(args: argparse.Namespace) -> Path | str:
    """The database file's path, or a PostgreSQL server's URL (kept as typed)."""
    return getattr(args, "db", None) or paths.default_db()


def is_file(location: Path | str) -> bool:
    return services.engine_for(location) == "sqlite"


@contextmanager
def database(args: argparse.Namespace, *, create: bool = False, readonly: bool = False) -> Iterator[Any]:
    """The store for this command; commands that only read refuse to create an empty one.

    ``readonly``: the command only reads (due, history, export, report, dnc list). It takes no
    write lock, so it answers while another process writes (a long import), and it works on a
    database file the rep may only read.
    """
    path = db_path(args)
    if not is_file(path):  # a server database: it exists or the server says so, and is never made here
        db = services.open_reader(path) if readonly else services.open_store(path)
        try:
            yield db
        finally:
            db.close()
        return
    path = Path(path)  # a file (a Path already, unless a caller passed text)
    if not create and not path.exists():
        raise StoreError(f"no database at {path} (start with: {PROG} import FILE.csv, or pass --db)")
    new = create and not path.exists()
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = services.open_reader(path) if readonly else services.open_store(path, create=create)
    try:
        yield db
    finally:
        db.close()
    if new:
        # A mistyped --db must not pass for an empty day's work: say a new file was made (after
        # the command's own output; a command that failed says only why, in one line).
        print(f"{PROG}: created a new database at {path}", file=sys.stderr)


def rep_of(args: argparse.Namespace, db: Any, *, team: bool = False) -> Rep:
    """The rep this command works as: ``--rep NAME``, else $DIALDECK_REP, else the database's
    only rep; resolved once per command. ``team``: a command about the whole team (report,
    history, export, import...) does not need one named; with several reps and none named it
    reads times in the zone of the team's first rep."""
    chosen = getattr(args, "selected_rep", None)
    if chosen is not None:
        return chosen
    name = getattr(args, "rep", None) or os.environ.get(REP_ENV, "").strip() or None
    if name is None and team:
        reps = services.reps(db)
        chosen = reps[0] if len(reps) > 1 else services.select_rep(db, None)
    else:
        chosen = services.select_rep(db, name)
    if not team or name is not None:
        args.selected_rep = chosen
    return chosen


def rep_zone(db: Any, rep: Rep | None = None) -> str:
    return services.get_profile(db, rep=rep).timezone
