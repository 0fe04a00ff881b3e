"""Calling sessions: start, end and their figures."""

from __future__ import annotations

from datetime import datetime

from dialdeck.clock import as_utc, stored_instant, to_iso
from dialdeck.errors import NotFound
from dialdeck.models import Rep, SessionStats
from dialdeck.services.common import profile_of, reported
from dialdeck.store import Store


def start_session(store: Store, now: datetime, *, rep: Rep | None = None) -> int:
    now = as_utc(now)
    with reported(store), store.writing() as tx:
        return tx.start_session(to_iso(now), profile_of(tx, rep).name)


def end_session(store: Store, session_id: int, now: datetime) -> SessionStats:
    now = as_utc(now)
    with reported(store), store.writing() as tx:
        if not tx.end_session(session_id, to_iso(now)):
            raise NotFound(f"no session with id {session_id}")
    return session_stats(store, session_id)


def session_stats(store: Store, session_id: int) -> SessionStats:
    with reported(store):
        row = store.session(session_id)
        if row is None:
            raise NotFound(f"no session with id {session_id}")
        counts = store.session_outcomes(session_id)
        return SessionStats(session_id=session_id, started_at=stored_instant(row["started_at"]), **counts)
