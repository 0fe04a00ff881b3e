"""The callback and snooze times a rep picks in the dialogs, in a chosen zone.

Typed times are read by ``dialdeck.typed_time`` (every form a person may type, in one place);
``parse_when`` is kept here under its old name for the dialogs. The quick picks below are pure
functions of ``now`` and the zone; each returns an aware UTC datetime.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialdeck.clock import UTC
from dialdeck.typed_time import EXAMPLES, MORNING, WEEKDAY_NAMES, read_later

__all__ = ["EXAMPLES", "MORNING", "WEEKDAY_NAMES", "parse_when", "next_working_day", "in_an_hour",
           "tomorrow_morning", "in_two_days", "later_today", "short_local"]


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The instant ``text`` names, read in ``zone``; raises ValueError saying what is wrong."""
    return read_later(text, now, zone)


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


# --- quick picks ----------------------------------------------------------------------


def next_working_day(day: date) -> date:
    """The day after ``day`` that is Monday to Friday (a rep promising "tomorrow" on a Friday means Monday)."""
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following


def in_an_hour(now: datetime) -> datetime:
    return now.astimezone(UTC) + timedelta(hours=1)


def tomorrow_morning(now: datetime, zone: ZoneInfo) -> datetime:
    return _at(next_working_day(now.astimezone(zone).date()), MORNING, zone)


def in_two_days(now: datetime, zone: ZoneInfo) -> datetime:
    """Two working days on, at the same local wall-clock time."""
    local = now.astimezone(zone)
    day = next_working_day(next_working_day(local.date()))
    return _at(day, local.time().replace(second=0, microsecond=0), zone)


def later_today(now: datetime) -> datetime:
    """A snooze that brings the prospect back in two hours."""
    return now.astimezone(UTC) + timedelta(hours=2)


def short_local(instant: datetime, zone: ZoneInfo, now: datetime) -> str:
    """'16:30' today, 'Thu 09:00' on another day, in ``zone``."""
    local, today = instant.astimezone(zone), now.astimezone(zone).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%a %H:%M}"
