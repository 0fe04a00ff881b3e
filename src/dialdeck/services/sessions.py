"""Calling sessions: start, end and their figures."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from dialdeck import settings
from dialdeck.clock import as_utc, from_iso, to_iso
from dialdeck.errors import NotFound
from dialdeck.models import (
    SessionStats,
)
from dialdeck.services.common import store_errors
from dialdeck.store import records, write_tx


def start_session(db: Database, now: datetime) -> int:
    now = as_utc(now)
    with store_errors(db), write_tx(db):
        rep = settings.read_profile(db).name
        return db.conn.execute("INSERT INTO sessions(started_at, rep) VALUES (?, ?)", [to_iso(now), rep]).lastrowid


def end_session(db: Database, session_id: int, now: datetime) -> SessionStats:
    now = as_utc(now)
    with store_errors(db), write_tx(db):
        cursor = db.conn.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", [to_iso(now), session_id])
        if cursor.rowcount == 0:
            raise NotFound(f"no session with id {session_id}")
    return session_stats(db, session_id)


def session_stats(db: Database, session_id: int) -> SessionStats:
    with store_errors(db):
        row = db.conn.execute("SELECT started_at FROM sessions WHERE id = ?", [session_id]).fetchone()
        if row is None:
            raise NotFound(f"no session with id {session_id}")
        counts = records.session_outcomes(db.conn, session_id)
        return SessionStats(session_id=session_id, started_at=from_iso(row[0]), **counts)
