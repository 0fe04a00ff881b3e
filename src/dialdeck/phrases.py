"""Every time dialdeck says or shows, in one place: the scripts, the screens and the CLI agree.

Said (scripts, messages), in the prospect's zone, as people say it aloud: "4 p.m.", "noon",
"Wednesday at 9:30 a.m.", "tomorrow at 4 p.m.", "in 15 minutes", "yesterday afternoon", "on
Monday, November 16". What a voicemail names is the moment the scheduler stored.

Shown (screens, the CLI), in a given zone: "16:30", "Thu 16:30" (``short_when``: the first on
the same day), "Tue 17 Nov 13:17", "Tue 2026-11-24 14:00 EST"; how long ago or ahead, as arrow
humanizes it against the given ``now``: "in 5 minutes", "2 hours ago", "overdue 2 days", and
for a narrow pane "in 5m", "2h ago", "2d late".

Pure: the caller passes ``now`` and the zone (a ZoneInfo or an IANA name). Day and month names
come from ``typed_time``'s one table, the one its readers read (never the C library's ``%a``,
which follows the process locale); ``typed_time.read_clock`` reads every clock phrase back.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dialdeck.typed_time import DAY_NAMES as _DAYS
from dialdeck.typed_time import MONTH_NAMES as _MONTHS
from dialdeck.typed_time import Zone

if TYPE_CHECKING:
    from arrow.locales import TimeFrameLiteral


@functools.lru_cache(maxsize=512)
def _named_zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _zone(zone: Zone) -> ZoneInfo:
    """Zones are few and looked up for every row shown: names are cached."""
    return zone if isinstance(zone, ZoneInfo) else _named_zone(zone)


# ---- said -----------------------------------------------------------------------------------


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


def day_name(day: date) -> str:
    """'Tuesday' (a date, or a datetime already in the zone meant)."""
    return _DAYS[day.weekday()]


def phrase_day_clock(instant: datetime, zone: Zone) -> str:
    """The weekday and the spoken clock, for a line that gives the date elsewhere: "Tuesday 4 p.m."."""
    local = instant.astimezone(_zone(zone))
    return f"{day_name(local)} {clock_phrase(local.time())}"


# ---- shown ----------------------------------------------------------------------------------


def local_clock(instant: datetime, zone: Zone) -> str:
    """'16:30' in ``zone``."""
    return f"{instant.astimezone(_zone(zone)):%H:%M}"


def day_clock(instant: datetime, zone: Zone) -> str:
    """'Thu 16:30' in ``zone``."""
    local = instant.astimezone(_zone(zone))
    return f"{_DAYS[local.weekday()][:3]} {local:%H:%M}"


def short_when(instant: datetime, zone: Zone, now: datetime) -> str:
    """'16:30' on the same day as ``now`` in ``zone``, else 'Thu 16:30'."""
    zone = _zone(zone)
    local = instant.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return f"{local:%H:%M}"
    return f"{_DAYS[local.weekday()][:3]} {local:%H:%M}"


def short_date(day: date) -> str:
    """'Tue 17 Nov' (a date, or a datetime already in the zone meant)."""
    return f"{_DAYS[day.weekday()][:3]} {day.day:02d} {_MONTHS[day.month - 1][:3]}"


def dated_clock(instant: datetime, zone: Zone, *, weekday: bool = True) -> str:
    """'Tue 17 Nov 13:17' in ``zone`` (without ``weekday``: '17 Nov 13:17')."""
    local = instant.astimezone(_zone(zone))
    dated = short_date(local) if weekday else f"{local.day:02d} {_MONTHS[local.month - 1][:3]}"
    return f"{dated} {local:%H:%M}"


def stamp(instant: datetime, zone: Zone, *, seconds: bool = False) -> str:
    """A time a listing can be read by on its own: 'Tue 2026-11-24 14:00 EST' (with ``seconds``:
    'Tue 2026-11-24 14:00:05 EST', for two times that may fall in the same minute)."""
    local = instant.astimezone(_zone(zone))
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{_DAYS[local.weekday()][:3]} {local:%Y-%m-%d} {clock} {local.tzname()}"


def elapsed(started: datetime, now: datetime) -> str:
    """How long since ``started``, as hours and minutes: '1:05' (never negative)."""
    minutes = max(int((now - started).total_seconds() // 60), 0)
    return f"{minutes // 60}:{minutes % 60:02d}"


def call_length(seconds: float) -> str:
    """A call's length as a phone shows it: '0:05', '12:40', '1:02:03' (whole seconds, half up)."""
    whole = int(max(seconds, 0) + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# ---- how long ago or ahead -------------------------------------------------------------------

# Under a minute either way is "now": a list that ticked seconds would never be still.
_NOW_WITHIN = 60
# arrow's English, with each span in its short form for a narrow pane ("2d", "5m").
SHORT_LOCALE = "en-x-dialdeck-short"
_SHORT_SPANS: dict[TimeFrameLiteral, Sequence[str] | Mapping[str, Sequence[str]]] = {  # EnglishLocale's type
    "now": "now", "second": "1s", "seconds": "{0}s", "minute": "1m", "minutes": "{0}m",
    "hour": "1h", "hours": "{0}h", "day": "1d", "days": "{0}d", "week": "1w", "weeks": "{0}w",
    "month": "1mo", "months": "{0}mo", "quarter": "1q", "quarters": "{0}q", "year": "1y", "years": "{0}y",
}


def relative(instant: datetime, now: datetime, *, short: bool = False) -> str:
    """'in 5 minutes', '2 hours ago', 'now' within a minute; ``short``: 'in 5m', '2h ago'."""
    return _humanize(instant, now, short=short, only_distance=False)


def distance(instant: datetime, now: datetime, *, short: bool = False) -> str:
    """How far apart, without "in" or "ago": '2 days', 'an hour'; ``short``: '2d', '1h'."""
    return _humanize(instant, now, short=short, only_distance=True)


def due_phrase(due_at: datetime, now: datetime, *, overdue: bool, short: bool = False) -> str:
    """When a call is due, for the due list: 'overdue 2 days' (``short``: '2d late') when it is
    overdue, else ``relative``: 'in 5 minutes', '6 hours ago'."""
    if not overdue or _within_a_minute(due_at, now):
        return relative(due_at, now, short=short)
    span = distance(due_at, now, short=short)
    return f"{span} late" if short else f"overdue {span}"


def _within_a_minute(instant: datetime, now: datetime) -> bool:
    return abs((instant - now).total_seconds()) < _NOW_WITHIN


def _humanize(instant: datetime, now: datetime, *, short: bool, only_distance: bool) -> str:
    if _within_a_minute(instant, now):
        return "now"
    import arrow  # only where a time is humanized: keeps the CLI's start-up light

    locale = _short_locale() if short else "en-us"
    # fromdatetime, not arrow.get: the due list humanizes a page of times on every key, and
    # get's reading of what it was given cost as much as the humanizing.
    return arrow.Arrow.fromdatetime(instant).humanize(other=now, locale=locale, only_distance=only_distance)


@functools.cache
def _short_locale() -> str:
    """Registers the short English spans with arrow (once): a locale, so arrow still decides
    the unit and the count and nothing is cut out of its words afterwards."""
    import arrow.locales

    class ShortEnglish(arrow.locales.EnglishLocale):
        names = [SHORT_LOCALE]
        timeframes = _SHORT_SPANS

    return SHORT_LOCALE
