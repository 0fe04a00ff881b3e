"""The use cases: one function each. The CLI and the TUI call only these.

Each function that writes opens exactly one transaction. Every function that depends on
time takes ``now`` (aware UTC). ``db`` is a ``sqlite_utils.Database`` from
``dialdeck.store.open_store``.

CONTRACT (being implemented): signatures below are fixed; bodies are filled in.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from dialdeck.models import (
    Attempt,
    CallCard,
    DueItem,
    Enrollment,
    ImportReport,
    OutcomeResult,
    Prospect,
    QueueSummary,
    RepProfile,
    SessionStats,
)


def import_csv(db: Database, path: Path, *, now: datetime, cadence: str | None = None,
               region: str | None = None, skip_invalid: bool = False) -> ImportReport:
    """Import a CRM CSV export. All or nothing unless ``skip_invalid``.

    Raises ImportFileError (problems: 'line N: field: reason') when any row is invalid and
    ``skip_invalid`` is False; then nothing is written.
    """
    raise NotImplementedError


def due(db: Database, now: datetime, *, limit: int = 50, offset: int = 0) -> list[DueItem]:
    """Active enrollments due at ``now`` and callable now in the prospect's zone, calling order."""
    raise NotImplementedError


def queue_summary(db: Database, now: datetime) -> QueueSummary:
    raise NotImplementedError


def call_card(db: Database, prospect_id: int, now: datetime) -> CallCard:
    """The prospect, the active enrollment, the rendered script (promise computed from ``now``)."""
    raise NotImplementedError


def log_outcome(db: Database, prospect_id: int, outcome: str, now: datetime, *, note: str = "",
                disposition: str | None = None, callback_at: datetime | None = None,
                session_id: int | None = None) -> OutcomeResult:
    """Write the attempt and advance the enrollment in one transaction."""
    raise NotImplementedError


def set_disposition(db: Database, prospect_id: int, disposition: str, now: datetime, *,
                    callback_at: datetime | None = None, note: str = "") -> OutcomeResult:
    """After a connected call: callback (pinned at callback_at), booked, not-interested, continue."""
    raise NotImplementedError


def undo_last(db: Database, *, session_id: int | None = None,
              prospect_id: int | None = None) -> OutcomeResult | None:
    """Remove the newest attempt (of the session, or of the prospect) and restore the enrollment exactly."""
    raise NotImplementedError


def snooze(db: Database, prospect_id: int, until: datetime, now: datetime) -> Enrollment:
    raise NotImplementedError


def add_note(db: Database, prospect_id: int, text: str, now: datetime) -> None:
    raise NotImplementedError


def prospect(db: Database, prospect_id: int) -> Prospect:
    raise NotImplementedError


def history(db: Database, prospect_id: int) -> tuple[Prospect, Enrollment | None, list[Attempt]]:
    raise NotImplementedError


def export_rows(db: Database) -> list[dict]:
    raise NotImplementedError


def search_prospects(db: Database, text: str, *, limit: int = 20) -> list[Prospect]:
    raise NotImplementedError


def dnc_add(db: Database, phone: str, now: datetime, *, reason: str = "") -> str:
    raise NotImplementedError


def dnc_remove(db: Database, phone: str) -> str:
    raise NotImplementedError


def dnc_list(db: Database) -> list[dict]:
    raise NotImplementedError


def get_profile(db: Database) -> RepProfile:
    raise NotImplementedError


def set_setting(db: Database, key: str, value: str) -> RepProfile:
    raise NotImplementedError


def start_session(db: Database, now: datetime) -> int:
    raise NotImplementedError


def end_session(db: Database, session_id: int, now: datetime) -> SessionStats:
    raise NotImplementedError


def session_stats(db: Database, session_id: int) -> SessionStats:
    raise NotImplementedError
