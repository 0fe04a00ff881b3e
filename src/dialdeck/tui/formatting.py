"""Small text helpers shared by the widgets: times in a zone, humanized waits, labels.

Arrow is used here only, at the edge, and always with ``other=now`` from the app clock.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import arrow
import phonenumbers

from dialdeck.models import DueItem

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


def local_clock(instant: datetime, zone_name: str) -> str:
    return f"{instant.astimezone(zone(zone_name)):%H:%M}"


def humanize(instant: datetime, now: datetime) -> str:
    """'in 5 minutes', '2 hours ago' — relative to the injected clock, never the wall clock."""
    if abs((instant - now).total_seconds()) < 60:
        return "now"
    return arrow.get(instant).humanize(other=arrow.get(now))


def due_label(item: DueItem, now: datetime) -> str:
    if item.overdue:
        return f"overdue {humanize(item.due_at, now).removesuffix(' ago')}"
    return humanize(item.due_at, now)


_SPAN = re.compile(r"\b(a|an|\d+) (second|minute|hour|day|week|month|year)s?\b")
_UNIT = {"second": "s", "minute": "m", "hour": "h", "day": "d", "week": "w", "month": "mo", "year": "y"}


def short_due_label(label: str) -> str:
    """``due_label`` for a narrow list: 'overdue 2 days' → '2d late', 'in 5 minutes' → 'in 5m'."""
    short = _SPAN.sub(lambda m: f"{1 if m.group(1) in ('a', 'an') else m.group(1)}{_UNIT[m.group(2)]}", label)
    return f"{short.removeprefix('overdue ')} late" if short.startswith("overdue ") else short


def step_label(cadence: str, step: int, total: int) -> str:
    return f"{cadence} {step}/{total}"


def international(e164: str) -> str:
    """'+1 415-555-0100' style; the stored form when it cannot be parsed."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def money(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def session_length(started: datetime, now: datetime) -> str:
    minutes = max(int((now - started).total_seconds() // 60), 0)
    return f"{minutes // 60}:{minutes % 60:02d}"


def outcome_label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome)


def spoken_clock(local: datetime) -> str:
    """'4 p.m.', '9:30 a.m.': how a rep says a time to a prospect."""
    hour = local.hour % 12 or 12
    suffix = "a.m." if local.hour < 12 else "p.m."
    return f"{hour} {suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d} {suffix}"


def short_when(instant: datetime, zone_name: str, now: datetime) -> str:
    """'16:30' if on the same local day as ``now``, else 'Thu 16:30'."""
    local, today = instant.astimezone(zone(zone_name)), now.astimezone(zone(zone_name)).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%a %H:%M}"


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
    """The toast after a key: what was logged and what happens next, in their time."""
    logged = f"{name}: {outcome_label(outcome)}"
    if disposition == "callback" and next_due_at is not None:
        return f"{logged} → callback {short_when(next_due_at, prospect_zone, now)} their time"
    if status != "active":
        return f"{logged} → {STATUS_WORDS.get(status, status)}"
    if next_due_at is None:
        return logged
    return f"{logged} → step {step} at {short_when(next_due_at, prospect_zone, now)} their time"
