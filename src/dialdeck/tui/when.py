"""Reading the callback and snooze times a rep types or picks, in a chosen zone.

Pure functions: the instant ``now`` and the zone are always given, the result is an aware
UTC datetime. Forms understood (case-insensitive):

- ``in 90m``, ``in 2h``, ``in 2 hours``, ``in 3 days``
- ``14:00``, ``2pm``, ``2:30 pm``, ``9`` — today at that time, or tomorrow if it has passed
- ``thu 14:00``, ``thursday 2pm`` — the next such weekday (today if still ahead)
- ``today 16:30``, ``tomorrow 9am``
- ``2026-11-25 14:00`` (or with a ``T``)
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialdeck.clock import UTC

WEEKDAY_NAMES = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
MORNING = time(9, 0)  # when "tomorrow morning" rings: an hour into the default window

_RELATIVE = re.compile(r"^in\s+(\d+)\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)$")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}

EXAMPLES = "e.g. thu 14:00, tomorrow 9am, 16:30, in 2h"


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The instant ``text`` names, read in ``zone``; raises ValueError saying what is wrong."""
    words = " ".join(text.strip().lower().split())
    if not words:
        raise ValueError(f"type a time ({EXAMPLES})")
    if relative := _RELATIVE.match(words):
        amount, unit = int(relative.group(1)), relative.group(2)[0]
        return now.astimezone(UTC) + timedelta(**{_UNITS[unit]: amount})
    instant = _absolute(words, now.astimezone(zone), zone)
    if instant is None:
        raise ValueError(f"can't read {text.strip()!r} as a time ({EXAMPLES})")
    if instant <= now:
        raise ValueError(f"{text.strip()!r} is in the past")
    return instant


def _absolute(words: str, local_now: datetime, zone: ZoneInfo) -> datetime | None:
    iso = _iso(words, zone)
    if iso is not None:
        return iso
    day_word, _, rest = words.partition(" ")
    if day_word == "today":
        clock = _clock(rest)
        return _at(local_now.date(), clock, zone) if clock else None
    if day_word == "tomorrow":
        clock = _clock(rest) if rest else MORNING
        return _at(local_now.date() + timedelta(days=1), clock, zone) if clock else None
    if day_word in WEEKDAY_NAMES:
        clock = _clock(rest) if rest else MORNING
        return _next_weekday(WEEKDAY_NAMES[day_word], clock, local_now, zone) if clock else None
    clock = _clock(words)
    if clock is None:
        return None
    today = _at(local_now.date(), clock, zone)
    return today if today > local_now else _at(local_now.date() + timedelta(days=1), clock, zone)


def _iso(words: str, zone: ZoneInfo) -> datetime | None:
    try:
        value = datetime.fromisoformat(words.replace(" ", "T", 1))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _clock(words: str) -> time | None:
    match = _CLOCK.match(words.strip())
    if match is None:
        return None
    hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _next_weekday(weekday: int, clock: time, local_now: datetime, zone: ZoneInfo) -> datetime:
    ahead = (weekday - local_now.weekday()) % 7
    candidate = _at(local_now.date() + timedelta(days=ahead), clock, zone)
    if candidate <= local_now:
        candidate = _at(local_now.date() + timedelta(days=ahead + 7), clock, zone)
    return candidate
