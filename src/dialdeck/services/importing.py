"""Importing a CRM export."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from dialdeck import settings
from dialdeck.clock import as_utc
from dialdeck.errors import InvalidInput
from dialdeck.models import (
    ImportReport,
)
from dialdeck.services.common import store_errors
from dialdeck.services.library import library
from dialdeck.store.importing import ImportRun


def import_csv(db: Database, path: Path, *, now: datetime, cadence: str | None = None,
               region: str | None = None, skip_invalid: bool = False,
               workers: int | None = None) -> ImportReport:
    """Import a CRM CSV export. All or nothing unless ``skip_invalid``.

    Raises ImportFileError (problems: 'line N: field: reason') when any row is invalid and
    ``skip_invalid`` is False; then nothing is written. A big file's phone numbers are parsed
    in worker processes; ``workers`` overrides how many (None: one per core for a file of
    about 20k rows or more; 0 or 1: none). The result is the same either way.
    """
    now = as_utc(now)
    profile = settings.read_profile(db)
    lib = library()
    default_cadence = cadence or settings.read_setting(db, settings.CADENCE_KEY, settings.DEFAULT_CADENCE)
    if default_cadence not in lib:
        raise InvalidInput(f"no cadence named {default_cadence!r} (known: {', '.join(sorted(lib))})")
    run = ImportRun(lib=lib, profile=profile, default_cadence=default_cadence, now=now,
                    region=(region or profile.region).upper())
    with store_errors(db):
        return run.execute(db, Path(path), skip_invalid=skip_invalid, workers=workers)
