"""The do-not-call list."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from dialdeck.clock import as_utc, from_iso, to_iso
from dialdeck.errors import NotFound
from dialdeck.services.common import e164_of, store_errors
from dialdeck.store import records, write_tx


def dnc_add(db: Database, phone: str, now: datetime, *, reason: str = "") -> str:
    """Put a number on the do-not-call list for good; its live enrollment stops (status dnc)."""
    now = as_utc(now)
    e164 = e164_of(db, phone)
    with store_errors(db), write_tx(db):
        conn = db.conn
        records.dnc_insert(conn, e164, to_iso(now), reason.strip())
        owner = records.prospect_by_phone(conn, e164)
        live = records.live_enrollment(conn, owner["id"]) if owner else None
        if live is not None:
            records.update_enrollment(conn, live["id"], {
                "status": "dnc", "next_due_at": None, "pinned": 0, "promised_at": None,
                "updated_at": to_iso(now)})
    return e164


def dnc_remove(db: Database, phone: str) -> str:
    """Take a number off the list. Enrollments it stopped stay stopped."""
    e164 = e164_of(db, phone)
    with store_errors(db), write_tx(db):
        if not records.dnc_delete(db.conn, e164):
            raise NotFound(f"{e164} is not on the do-not-call list")
    return e164


def dnc_list(db: Database) -> list[dict]:
    """Every number on the list: e164, added_at (aware UTC datetime), reason; oldest first."""
    with store_errors(db):
        return [{"e164": e164, "added_at": from_iso(at), "reason": reason}
                for e164, at, reason in db.conn.execute("SELECT e164, added_at, reason FROM dnc ORDER BY added_at, e164")]
