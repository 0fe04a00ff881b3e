"""The do-not-call list."""

from __future__ import annotations

from datetime import datetime

from dialdeck.clock import as_utc, from_iso, to_iso
from dialdeck.errors import NotFound
from dialdeck.models import Rep
from dialdeck.services.common import e164_of, reported
from dialdeck.store import Store


def dnc_add(store: Store, phone: str, now: datetime, *, reason: str = "", rep: Rep | None = None) -> str:
    """Put a number on the do-not-call list for good (the team's: no rep calls it again); its live
    enrollment stops (status dnc). ``rep``: whose region reads a number without a country code."""
    now = as_utc(now)
    e164 = e164_of(store, phone, rep)
    with reported(store), store.writing() as tx:
        tx.dnc_insert(e164, to_iso(now), reason.strip())
        owner = tx.prospect_by_phone(e164)
        live = tx.live_enrollment(owner["id"]) if owner else None
        if live is not None:
            tx.update_enrollment(live["id"], {
                "status": "dnc", "next_due_at": None, "pinned": 0, "promised_at": None,
                "updated_at": to_iso(now)})
    return e164


def dnc_remove(store: Store, phone: str, *, rep: Rep | None = None) -> str:
    """Take a number off the list. Enrollments it stopped stay stopped."""
    e164 = e164_of(store, phone, rep)
    with reported(store), store.writing() as tx:
        if not tx.dnc_delete(e164):
            raise NotFound(f"{e164} is not on the do-not-call list")
    return e164


def dnc_list(store: Store) -> list[dict]:
    """Every number on the list: e164, added_at (aware UTC datetime), reason; oldest first."""
    with reported(store):
        return [{"e164": entry["e164"], "added_at": from_iso(entry["added_at"]), "reason": entry["reason"]}
                for entry in store.dnc_entries()]
