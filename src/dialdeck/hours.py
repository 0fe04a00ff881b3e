"""Calling hours: when a prospect may be called, in their own local time.

Pure functions over aware datetimes and ``zoneinfo`` zones; the caller passes the instant.
Windows are compared in UTC so that DST folds and gaps never confuse the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialdeck.clock import UTC

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKING_DAYS = frozenset(range(5))


@dataclass(frozen=True)
class CallingWindow:
    """Calls are allowed from ``start`` (inclusive) to ``end`` (exclusive), local time, on ``days``."""

    start: time = time(8, 0)
    end: time = time(21, 0)
    days: frozenset[int] = field(default=WORKING_DAYS)
    rule: str = "default"  # which rule set produced it, for display ("US-FL")

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"calling hours start {self.start:%H:%M} must be before end {self.end:%H:%M}")
        if not self.days:
            raise ValueError("calling hours allow no day of the week")


def _bounds(day, window: CallingWindow, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, window.start, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day, window.end, tzinfo=zone).astimezone(UTC)
    return start, end


def is_callable(instant: datetime, zone: ZoneInfo, window: CallingWindow) -> bool:
    """True when ``instant`` falls inside the window in ``zone``'s local time."""
    local = instant.astimezone(zone)
    if local.weekday() not in window.days:
        return False
    start, end = _bounds(local.date(), window, zone)
    return start <= instant.astimezone(UTC) < end


def next_callable(instant: datetime, zone: ZoneInfo, window: CallingWindow) -> datetime:
    """The first instant at or after ``instant`` inside the window (UTC)."""
    moment = instant.astimezone(UTC)
    day = moment.astimezone(zone).date()
    for offset in range(8):
        candidate = day + timedelta(days=offset)
        if candidate.weekday() not in window.days:
            continue
        start, end = _bounds(candidate, window, zone)
        if moment < end:
            return max(moment, start)
    raise AssertionError("a window with at least one day always opens within a week")


def window_close(instant: datetime, zone: ZoneInfo, window: CallingWindow) -> datetime | None:
    """When the window that contains ``instant`` closes (UTC), or None if it is closed now."""
    if not is_callable(instant, zone, window):
        return None
    return _bounds(instant.astimezone(zone).date(), window, zone)[1]
