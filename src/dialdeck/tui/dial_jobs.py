"""Power mode's database job: the next due prospect that may be dialled now, and who was passed over.

It runs whole on the DB thread (``gateway.call(next_dialable, now)``) and asks the same guard
as every dial (``services.dial_plan``), so power mode never dials a prospect the guard refuses.
"""

from __future__ import annotations

from datetime import datetime

from dialdeck import services
from dialdeck.errors import InvalidInput, NotFound
from dialdeck.models import DialPlan, Rep
from dialdeck.tui.gateway import PAGE_SIZE


def next_dialable(db: services.Store, now: datetime, *, limit: int = PAGE_SIZE,
                  rep: Rep | None = None) -> tuple[DialPlan | None, tuple[str, ...]]:
    """The first prospect of the rep's queue's first page whose call step may be dialled now,
    and why each one before it was skipped (an email or task step waits for the rep; a call the
    guard refuses says why). None: nobody on the page may be dialled. ``rep``: the session's
    (the gateway passes it), whose line, caller ID and recordings the plan uses."""
    skipped: list[str] = []
    for item in services.due(db, now, limit=limit, rep=rep):
        if item.action != "call":
            skipped.append(f"{item.name}: {item.action} step")
            continue
        try:
            return services.dial_plan(db, item.prospect_id, now, rep=rep), tuple(skipped)
        except (InvalidInput, NotFound) as refused:  # guard.NotCallable is an InvalidInput
            skipped.append(f"{item.name}: {refused}")
    return None, tuple(skipped)
