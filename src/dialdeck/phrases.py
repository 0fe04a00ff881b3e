"""Times in the prospect's own words: "Wednesday at 4 p.m.", "tomorrow at 9:30 a.m.".

What a rep says on a voicemail must name the moment the scheduler stored, in the prospect's
zone, the way people say it aloud. Pure: the caller passes ``now``.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def clock_phrase(moment: time) -> str:
    """12-hour clock as spoken: "4 p.m.", "9:30 a.m.", "noon", "midnight"."""
    if moment.minute == 0 and moment.hour in (0, 12):
        return "noon" if moment.hour == 12 else "midnight"
    hour = moment.hour % 12 or 12
    suffix = "a.m." if moment.hour < 12 else "p.m."
    if moment.minute == 0:
        return f"{hour} {suffix}"
    return f"{hour}:{moment.minute:02d} {suffix}"


def phrase_time(instant: datetime, zone: ZoneInfo, now: datetime) -> str:
    """``instant`` as the prospect would hear it, in ``zone``, seen from ``now``.

    Under an hour ahead: "in 15 minutes"; same local day: "today at 4 p.m."; next day:
    "tomorrow at 9:30 a.m."; within six days: "Wednesday at 4 p.m."; beyond: "Monday,
    December 7 at 8 a.m.".
    """
    ahead = (instant - now).total_seconds()
    minutes = round(ahead / 60)
    if 0 <= ahead and minutes < 60:
        return "in 1 minute" if minutes <= 1 else f"in {minutes} minutes"
    local, days = _local_and_days(instant, zone, now)
    return f"{_day_phrase(local, days)} at {clock_phrase(local.time())}"


def phrase_when(instant: datetime, zone: ZoneInfo, now: datetime) -> str:
    """``instant`` with its day, never "in 15 minutes": "today at 2 p.m.", "yesterday at 2 p.m.",
    "last Tuesday at 2 p.m.", "Thursday at 10 a.m." (after "We'd agreed I'd call you")."""
    local, days = _local_and_days(instant, zone, now)
    return f"{_day_phrase(local, days)} at {clock_phrase(local.time())}"


def phrase_appointment(instant: datetime, zone: ZoneInfo, now: datetime) -> str:
    """An agreed time as it reads after "booked for": "2 p.m." on the day itself, else
    "Tuesday at 2 p.m.", "yesterday at 2 p.m.", "last Tuesday at 2 p.m.", "Monday, December 7 at
    2 p.m."."""
    local, days = _local_and_days(instant, zone, now)
    clock = clock_phrase(local.time())
    return clock if days == 0 else f"{_day_phrase(local, days)} at {clock}"


def phrase_past(instant: datetime, zone: ZoneInfo, now: datetime) -> str:
    """When something already happened, as it follows "I sent you an email": "this morning",
    "yesterday afternoon", "on Monday", "on Monday, November 16" (a week or more ago)."""
    local, days = _local_and_days(instant, zone, now)
    part = part_of_day(local.time())
    if days == 0:
        return f"this {part}"
    if days == -1:
        return f"yesterday {part}"
    if -6 <= days < 0:
        return f"on {_DAYS[local.weekday()]}"
    return f"on {_dated(local)}"


def part_of_day(moment: time) -> str:
    """"morning" before noon, "afternoon" until 5 p.m., "evening" after."""
    if moment < time(12):
        return "morning"
    return "afternoon" if moment < time(17) else "evening"


def phrase_dated(instant: datetime, zone: ZoneInfo) -> str:
    """A time written down to be read later, so it carries its date: "Wednesday, November 25 at 2 p.m."."""
    local = instant.astimezone(zone)
    return f"{_dated(local)} at {clock_phrase(local.time())}"


def phrase_offered(instants: tuple[datetime, ...], zone: ZoneInfo) -> str:
    """Times offered in an email, one numbered line each, so a reply can say "2"."""
    return "\n".join(f"{number}. {phrase_dated(at, zone)}" for number, at in enumerate(instants, start=1))


def _dated(local: datetime) -> str:
    return f"{_DAYS[local.weekday()]}, {_MONTHS[local.month - 1]} {local.day}"


def _local_and_days(instant: datetime, zone: ZoneInfo, now: datetime) -> tuple[datetime, int]:
    """The instant's local time, and how many of the prospect's calendar days away it is."""
    local = instant.astimezone(zone)
    return local, (local.date() - now.astimezone(zone).date()).days


def _day_phrase(local: datetime, days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if -6 <= days < 0:
        # "Tuesday" alone means the coming one; a day this past week needs "last".
        return f"last {_DAYS[local.weekday()]}"
    if 0 < days <= 6:
        return _DAYS[local.weekday()]
    return _dated(local)
