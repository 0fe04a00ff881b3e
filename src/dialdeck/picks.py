"""The quick choices of the snooze and callback dialogs, each inside the prospect's calling hours.

Pure: ``now``, the prospect's zone and calling window are given; instants come back in UTC.
Every choice is named by what it really is in the prospect's zone: on a Friday the next
morning is "Monday morning", never "tomorrow morning"; and a choice that has no time left
inside their calling hours (later today at 20:30 in Florida) says so instead of offering
a time they may not be called at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialdeck.clock import UTC
from dialdeck.hours import CallingWindow, add_business_days, is_callable, next_callable, window_close
from dialdeck.phrases import day_name, local_clock

MORNING = time(9, 0)  # a morning call: an hour into the usual window
NOON = time(12, 0)
SOON = timedelta(hours=1)  # "in an hour"
LATER = timedelta(hours=2)  # "later today"
# Later today, when two hours run past their close: this long before the close, if that is at
# least this long from now (a snooze of five minutes is no snooze).
BEFORE_CLOSE = timedelta(minutes=30)
_SEARCH_DAYS = 8  # any window with a day allowed opens within a week


@dataclass(frozen=True)
class Pick:
    """One quick choice: what it is in words, and when (None: no such time inside their hours)."""

    phrase: str  # "later today", "tomorrow morning", "Monday morning", "in an hour", "on Friday"
    at: datetime | None
    why_not: str = ""  # when ``at`` is None, why: "their calling hours ended at 21:00"

    @property
    def title(self) -> str:
        return self.phrase[:1].upper() + self.phrase[1:]


def snooze_picks(now: datetime, zone: ZoneInfo, window: CallingWindow) -> tuple[Pick, Pick]:
    """Later today, and the next calling morning."""
    return later_today(now, zone, window), next_morning(now, zone, window)


def callback_picks(now: datetime, zone: ZoneInfo, window: CallingWindow) -> tuple[Pick, Pick, Pick]:
    """In an hour, the next calling morning, and two calling days on."""
    return in_an_hour(now, zone, window), next_morning(now, zone, window), in_two_days(now, zone, window)


def later_today(now: datetime, zone: ZoneInfo, window: CallingWindow) -> Pick:
    """Two hours on, or the first moment their window opens after that, on their same day; when
    that runs past their close, half an hour before it; else nothing is left of their day."""
    now = now.astimezone(UTC)
    today = now.astimezone(zone).date()
    candidate = next_callable(now + LATER, zone, window)
    if candidate.astimezone(zone).date() == today:
        return Pick("later today", candidate)
    close = _close_on(today, zone, window)
    if close is None:
        return Pick("later today", None, f"no calls on {day_name(now.astimezone(zone))}s")
    before_close = close - BEFORE_CLOSE
    if before_close >= now + BEFORE_CLOSE and is_callable(before_close, zone, window):
        return Pick("later today", before_close)
    ended = "ended" if now >= close else "end"
    return Pick("later today", None, f"their calling hours {ended} at {local_clock(close, zone)}")


def next_morning(now: datetime, zone: ZoneInfo, window: CallingWindow) -> Pick:
    """The first day after today (their zone) they may be called in the morning, at 09:00 or
    when their window opens if later; named "tomorrow morning" only when it is tomorrow."""
    now = now.astimezone(UTC)
    today = now.astimezone(zone).date()
    for offset in range(1, _SEARCH_DAYS + 1):
        day = today + timedelta(days=offset)
        if day.weekday() not in window.days:
            continue
        at = next_callable(_local(day, MORNING, zone), zone, window)
        local = at.astimezone(zone)
        if local.date() == day and local.time() < NOON:
            return Pick(f"{_day_phrase(day, today)} morning", at)
    # Windows that never open in a morning: the first opening after today, named as it is.
    at = next_callable(_local(today + timedelta(days=1), time(0), zone), zone, window)
    return Pick(_day_phrase(at.astimezone(zone).date(), today), at)


def in_an_hour(now: datetime, zone: ZoneInfo, window: CallingWindow) -> Pick:
    """An hour from now, when that is inside their calling hours."""
    now = now.astimezone(UTC)
    at = now + SOON
    if is_callable(at, zone, window):
        return Pick("in an hour", at)
    local_now = now.astimezone(zone)
    close = _close_on(local_now.date(), zone, window)
    if close is None:
        why = f"no calls on {day_name(local_now)}s"
    elif at >= close:
        why = f"their calling hours {'ended' if now >= close else 'end'} at {local_clock(close, zone)}"
    else:
        why = f"{local_clock(at, zone)} is before their calling hours open"
    return Pick("in an hour", None, why)


def in_two_days(now: datetime, zone: ZoneInfo, window: CallingWindow) -> Pick:
    """Two of their calling days after today, at this time of day (moved into their window when
    it is outside it); named by the real day when that is not the day after tomorrow."""
    now = now.astimezone(UTC)
    local = now.astimezone(zone)
    today = local.date()
    day = add_business_days(today, 2, window.days)
    at = next_callable(_local(day, local.time().replace(second=0, microsecond=0, tzinfo=None), zone),
                       zone, window)
    landed = at.astimezone(zone).date()
    phrase = "in two days" if landed == today + timedelta(days=2) else f"on {day_name(landed)}"
    return Pick(phrase, at)


def _day_phrase(day: date, today: date) -> str:
    return "tomorrow" if day == today + timedelta(days=1) else day_name(day)


def _close_on(day: date, zone: ZoneInfo, window: CallingWindow) -> datetime | None:
    """When their window closes on ``day`` (UTC), None when they may not be called that day."""
    if day.weekday() not in window.days:
        return None
    opens = next_callable(_local(day, time(0), zone), zone, window)
    return window_close(opens, zone, window)


def _local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time on ``day`` as a UTC instant (a DST gap resolves forward)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
