"""Small text helpers shared by the widgets: labels, amounts, the status line's words after a key.

Every time they show is phrased by ``dialdeck.phrases`` (the TUI keeps no time logic of its own).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from dialdeck.phrases import short_when

OUTCOME_LABELS = {
    "no-answer": "no answer",
    "voicemail": "voicemail left",
    "connected": "connected",
    "busy": "busy",
    "wrong-number": "wrong number",
    "do-not-call": "do not call",
    "sent": "email sent",
    "done": "done",
}


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """Zones are few and looked up on every row: cache them."""
    return ZoneInfo(name)


def city(zone_name: str) -> str:
    """'America/Sao_Paulo' → 'Sao Paulo': short enough for a label."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def step_label(cadence: str, step: int, total: int) -> str:
    return f"{cadence} {step}/{total}"


def money(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def outcome_label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome)


STATUS_WORDS = {
    "finished": "cadence finished",
    "booked": "meeting booked",
    "not-interested": "not interested, off the list",
    "wrong-number": "never called again",
    "dnc": "never called again",
    "connected": "awaiting a disposition",
}


def outcome_message(name: str, outcome: str, status: str, step: int | None,
                    next_due_at: datetime | None, prospect_zone: str, now: datetime,
                    disposition: str | None = None) -> str:
    """The status line after a key: what was logged and what happens next, in their time."""
    logged = f"{name}: {outcome_label(outcome)}"
    if disposition == "callback" and next_due_at is not None:
        return f"{logged} → callback {short_when(next_due_at, prospect_zone, now)} their time"
    if status != "active":
        return f"{logged} → {STATUS_WORDS.get(status, status)}"
    if next_due_at is None:
        return logged
    return f"{logged} → step {step} at {short_when(next_due_at, prospect_zone, now)} their time"
