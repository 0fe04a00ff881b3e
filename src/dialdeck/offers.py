"""Times an email offers the prospect ("which of these suits you?"), so a reply can pick one.

An offer is only worth making if the cadence then keeps it: the times are concrete instants
inside the prospect's calling hours, in their zone, stored with the email when it is sent;
when they reply with a number, the rep logs it and the call is pinned at that instant.

Pure: the caller passes ``now``, the zone and the calling window.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialdeck.clock import UTC
from dialdeck.hours import WORKING_DAYS, CallingWindow, next_callable

# A morning and an afternoon time on each working day: a choice that suits most diaries.
OFFER_CLOCKS = (time(10), time(14))
# Meetings are offered Monday to Friday, even to a rep who calls at weekends.
OFFER_DAYS = WORKING_DAYS
# How far ahead to look for open days before giving up (a window closed for weeks offers none).
LOOK_AHEAD_DAYS = 21


def offer_times(now: datetime, zone: ZoneInfo, window: CallingWindow, count: int,
                avoid: Iterable[datetime] = ()) -> tuple[datetime, ...]:
    """``count`` times from the next day on, inside the calling window, none in ``avoid`` (the
    call already promised). Within a local day the same times come out, whenever it is asked."""
    taken = {instant.astimezone(UTC) for instant in avoid}
    chosen: list[datetime] = []
    first = now.astimezone(zone).date() + timedelta(days=1)
    for offset in range(LOOK_AHEAD_DAYS):
        day = first + timedelta(days=offset)
        if day.weekday() not in OFFER_DAYS or day.weekday() not in window.days:
            continue
        for clock in OFFER_CLOCKS:
            wanted = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
            at = next_callable(wanted, zone, window)  # a later opening (Texas: 9 a.m.) that same day
            if at.astimezone(zone).date() != day or at in taken or at in chosen:
                continue
            chosen.append(at)
            if len(chosen) == count:
                return tuple(chosen)
    return tuple(chosen)
