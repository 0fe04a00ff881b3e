"""Reading every time a person types: one home, so the CLI, the TUI, ``config set`` and the
importer read the same words the same way.

Pure: ``now`` and the zone are always given (a zone is an IANA name or a ZoneInfo), instants
come back as aware UTC datetimes, and every refusal is a ValueError whose text says what was
wrong (callers add the option or field it came from). Words are read case-insensitively,
runs of spaces as one.

Instants (``read_instant``: ``--at``)
    ISO 8601 with or without an offset: ``2026-11-24T10:30``, ``2026-11-24 10:30``,
    ``2026-11-24T10:30:00-05:00``, ``2026-11-24T15:30Z``, ``2026-11-24`` (midnight). Without an
    offset the time is read in the given zone (the rep's), never as UTC.

Later times (``read_later``: a callback, a snooze; must come after ``now``)
    - from now: ``+30m``, ``+2h``, ``+1d``, ``+1w``, ``in 90m``, ``in 90 minutes``, ``in 2h``,
      ``in 2 hours``, ``in an hour``, ``in a day``, ``in 3 days``, ``in 2 weeks``. Minutes and
      hours are elapsed time; days and weeks keep the wall-clock time in the zone across a DST
      change (``in 1 day`` at 10:00 is 10:00 the next day).
    - a clock time: ``14:00``, ``2pm``, ``2:30 pm``, ``2 p.m.``, ``9``, ``noon``: today at that
      time, or tomorrow once it has passed.
    - a day and an optional clock time (9:00 when none is given): ``today 16:30``,
      ``tomorrow``, ``tomorrow 9am``, ``thu``, ``thu 14:00``, ``thursday 2pm`` (the next such
      weekday, today if still ahead), ``2026-11-30``, ``2026-11-30 2pm``, ``nov 30``,
      ``30 nov 14:00``, ``december 3rd 10am``, ``dec 3, 2026 10:00`` (a date without a year
      is its next occurrence).
    - an instant as above: ``2026-11-30T10:15``, ``2026-11-30 10:15``, with or without offset.

Clock times (``read_clock``: ``hours.start``, ``hours.end``)
    ``20:00``, ``8:30``, ``8``, ``8pm``, ``8 PM``, ``8:30 p.m.``, ``12am`` (00:00), ``noon``,
    ``midnight``: every clock time ``phrases`` says is read back as that time.

Clock times in files (``hh_mm``: a cadence step's ``at``, calling-hour rules)
    24-hour ``HH:MM`` only (``16:00``, ``9:30``): what a file says has one spelling.

Days of the week (``weekday_number``: ``hours.days``, calling-hour rules, a cadence step's
``weekday``, and the day part of a callback above)
    ``monday``, ``Mon``, ``tues``, ``thur``, ``thurs``...: one table (``DAY_NAMES``, with
    ``MONTH_NAMES``), the one ``phrases`` writes from.

Zones (``read_zone``: ``rep.timezone``; ``zone_cell``: an import's zone cell)
    IANA names in any case (``America/Chicago``, ``america/chicago``), and the abbreviations and
    names CRMs, Windows and Rails write (``EST``, ``Central``, ``Eastern Time (US & Canada)``,
    ``US/Pacific``, ``Pacific Standard Time``; ``ZONE_ALIASES``), read as the zone with its
    daylight saving time. Fixed offsets (``UTC-5``, ``Etc/GMT+5``) and abbreviations that name
    several zones (``IST``) are refused; a zero offset is UTC.

CRM date-times (``read_crm_datetime``: an import's appointment cell)
    ISO 8601 (``2026-11-24 14:00``, ``2026-11-24T14:00:00Z``) and what CRMs export:
    ``11/24/2026 2:00 PM``, ``2026-11-24 2:00 PM``, ``24.11.2026 14:00``. Slash dates are read
    month first or day first as the caller says; a date not valid in that order is refused,
    never guessed. A time of day is required (``14:00``; a bare ``14`` is not one).

Range: every instant read lies in the years 1900 to 2200 (``EARLIEST_YEAR``, ``LATEST_YEAR``),
both as typed and in UTC. Anything outside is a typo, and refusing it keeps every later step
(converting to any zone, adding a cadence's days) inside what ``datetime`` can hold.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dialdeck.clock import UTC

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
YEARS = f"the years {EARLIEST_YEAR} to {LATEST_YEAR}"

# The one table of day and month names: what every reader here reads and every phrase in
# ``phrases`` says (never the C library's ``%a``, which follows the process locale). Index 0 is
# Monday, as ``date.weekday()`` counts.
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
# A day as people write it, lower case -> its number: the name, its first three letters, and
# the other short forms in use.
WEEKDAY_NAMES = {
    spelling: number
    for number, name in enumerate(DAY_NAMES)
    for spelling in (name.lower(), name[:3].lower())
} | {"tues": 1, "thur": 3, "thurs": 3}
MORNING = time(9, 0)  # a day named without a time: an hour into the default calling window

EXAMPLES = "e.g. thu 14:00, tomorrow 9am, 16:30, in 2h"
ISO_EXAMPLE = "e.g. 2026-11-23T14:30 or 2026-11-23T14:30:00-05:00"
CLOCK_EXAMPLES = "e.g. 08:00, 20:00, 8pm, 8:30 p.m."

Zone = ZoneInfo | str


def _zone(zone: Zone) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def quoted(text: str, limit: int = 60) -> str:
    """``text`` as an error message shows it: quoted, stripped, and cut if it is long."""
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit] + "…")


# ---- the range every instant must lie in ---------------------------------------------------


def in_range(value: datetime, zone: Zone, text: str) -> datetime:
    """``value`` (naive = in ``zone``) as UTC, or ValueError when it lies outside the years
    dialdeck works with. Checked before converting, so year 1 or 9999 never overflows."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"{quoted(text)} is outside {YEARS}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone(zone))
    instant = value.astimezone(UTC)
    if not EARLIEST_YEAR <= instant.year <= LATEST_YEAR:
        raise ValueError(f"{quoted(text)} is outside {YEARS}")
    return instant


# ---- instants: --at -------------------------------------------------------------------------


def read_instant(text: str, zone: Zone) -> datetime:
    """An ISO-8601 time a person typed; without an offset it is read in ``zone``."""
    raw = text.strip()
    if not raw:
        raise ValueError(f"no time given ({ISO_EXAMPLE})")
    value = _iso(raw)
    if value is None:
        raise ValueError(f"not an ISO-8601 time: {quoted(raw)} ({ISO_EXAMPLE})")
    return in_range(value, zone, raw)


def _iso(raw: str) -> datetime | None:
    if len(raw) > 40:  # no ISO time is this long; spare fromisoformat a huge string
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


# ---- later times: callbacks and snoozes -------------------------------------------------------

_RELATIVE = re.compile(
    r"(?:in\s*|\+\s*)(?:(\d+)\s*|an?\s+)"
    r"(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)"
)
_ELAPSED = {"m": "minutes", "h": "hours"}
_CALENDAR = {"d": 1, "w": 7}  # days per unit


def read_later(text: str, now: datetime, zone: Zone) -> datetime:
    """The instant a callback or snooze ``text`` names, after ``now``; see the module doc."""
    zone = _zone(zone)
    words = _words(text)
    if not words:
        raise ValueError(f"type a time ({EXAMPLES})")
    relative = _RELATIVE.fullmatch(words)
    if relative:
        instant = _from_now(relative, now, zone, text)
    else:
        instant = _named(words, now.astimezone(zone), zone, text)
    if instant <= now:
        raise ValueError(f"{quoted(text)} is in the past")
    if instant.year > LATEST_YEAR:
        raise ValueError(f"{quoted(text)} is too far ahead (past the year {LATEST_YEAR})")
    return instant


def _from_now(match: re.Match, now: datetime, zone: ZoneInfo, text: str) -> datetime:
    digits, unit = match.group(1), match.group(2)[0]
    too_far = ValueError(f"{quoted(text)} is too far ahead (past the year {LATEST_YEAR})")
    if digits is not None and len(digits) > 9:  # more minutes than there are in three centuries
        raise too_far
    amount = int(digits) if digits is not None else 1  # "in an hour"
    try:
        if unit in _ELAPSED:
            instant = now.astimezone(UTC) + timedelta(**{_ELAPSED[unit]: amount})
        else:
            # Aware + timedelta moves the wall clock: "in 1 day" at 10:00 is 10:00 tomorrow, DST or not.
            local = now.astimezone(zone) + timedelta(days=amount * _CALENDAR[unit])
            instant = local.astimezone(UTC)
    except OverflowError:
        raise too_far from None
    return instant


def _named(words: str, local_now: datetime, zone: ZoneInfo, text: str) -> datetime:
    """A day and/or clock time, or an ISO instant, read in ``zone``."""
    if len(words) > 10:  # a date alone is a day (at 9:00), not ISO's midnight
        value = _iso(words.upper())
        if value is not None:
            return in_range(value, zone, text)
    tokens = [token for token in words.split(" ") if token != "at"]  # "tomorrow at 2pm"
    for day, clock_text in _splits(tokens):
        clock = _typed_clock(clock_text) if clock_text else None
        if clock_text and clock is None:
            continue
        instant = _on_day(day, clock, local_now, zone, text)
        if instant is not None:
            return instant
    raise ValueError(f"can't read {quoted(text)} as a time ({EXAMPLES})")


def _splits(tokens: list[str]) -> Iterator[tuple[str, str]]:
    """(day words, clock words): the clock time is one or two words ("2:30 pm") at the end,
    else at the start ("2pm tomorrow"), else absent."""
    for count in (1, 2):
        if count <= len(tokens):
            yield " ".join(tokens[:-count]), " ".join(tokens[-count:])
    for count in (1, 2):
        if count < len(tokens):
            yield " ".join(tokens[count:]), " ".join(tokens[:count])
    yield " ".join(tokens), ""


def _on_day(day: str, clock: time | None, local_now: datetime, zone: ZoneInfo, text: str) -> datetime | None:
    """``day`` at ``clock`` (9:00 when None), or None when ``day`` names no day."""
    today = local_now.date()
    if not day:
        if clock is None:
            return None
        at_today = _at(today, clock, zone)
        return at_today if at_today > local_now else _at(today + timedelta(days=1), clock, zone)
    clock = clock or MORNING
    if day == "today":
        return _at(today, clock, zone)
    if day == "tomorrow":
        return _at(today + timedelta(days=1), clock, zone)
    if day in WEEKDAY_NAMES:
        ahead = (WEEKDAY_NAMES[day] - today.weekday()) % 7
        candidate = _at(today + timedelta(days=ahead), clock, zone)
        return candidate if candidate > local_now else _at(today + timedelta(days=ahead + 7), clock, zone)
    on = _date(day, local_now, clock, zone)
    if on is None:
        return None
    return in_range(datetime.combine(on, clock), zone, text)


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A day and a month name, in either order, perhaps with an ordinal and a year: the shapes
# arrow is then asked to read ("nov 30", "30 nov", "december 3rd, 2026").
_MONTH_DATE = re.compile(
    r"(?:[a-z]{3,9}\.?\s\d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)?\s(?:of\s)?[a-z]{3,9}\.?)(?:,?\s\d{4})?"
)
_MONTH_FORMATS = ("MMMM D YYYY", "MMMM Do YYYY", "MMM D YYYY", "MMM Do YYYY",
                  "D MMMM YYYY", "Do MMMM YYYY", "D MMM YYYY", "Do MMM YYYY")


def _date(day: str, local_now: datetime, clock: time, zone: ZoneInfo) -> date | None:
    if _ISO_DATE.fullmatch(day):
        try:
            return date.fromisoformat(day)
        except ValueError:
            return None
    if not _MONTH_DATE.fullmatch(day):
        return None
    cleaned = re.sub(r"[,.]|\bof\b", " ", day)
    cleaned = " ".join(cleaned.split())
    if re.search(r"\d{4}$", cleaned):
        return _month_date(cleaned)
    # No year: the next time that date comes round (this year's, else next year's).
    for year in (local_now.year, local_now.year + 1):
        found = _month_date(f"{cleaned} {year}")
        if found is not None and _at(found, clock, zone) > local_now:
            return found
    return None


def _month_date(text: str) -> date | None:
    """'nov 30 2026', '3rd december 2026' -> the date, read with arrow's English month names."""
    import arrow.parser  # only when a month is named: keeps every command's start-up light

    parser = _month_parser()
    for fmt in _MONTH_FORMATS:
        try:
            return parser.parse(text, fmt).date()
        except (arrow.parser.ParserError, ValueError):
            continue
    return None


@functools.cache
def _month_parser():
    import arrow.parser

    return arrow.parser.DateTimeParser("en-us")


# ---- clock times: hours.start, hours.end, and the clock part of every form above -------------

_CLOCK = re.compile(r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?(?::(?P<second>\d{2}))?"
                    r"\s*(?:(?P<meridiem>[ap])\.?\s*m\.?)?", re.IGNORECASE)
# The clock times said as words: what ``phrases.clock_phrase`` says, read back.
_NAMED_CLOCKS = {"noon": time(12, 0), "midnight": time(0, 0)}


def clock_time(text: str, *, bare_hour: bool = True) -> time | None:
    """'14:00', '2pm', '2:30 p.m.', '14:00:30', '9' -> the time of day.

    None when ``text`` is not shaped like a clock time at all; ValueError when it is but names
    no time ('25:00', '13pm', and a bare '14' unless ``bare_hour``).
    """
    found = _CLOCK.fullmatch(text.strip())
    if not found:
        return None
    hour, minute, second = int(found["hour"]), int(found["minute"] or 0), int(found["second"] or 0)
    meridiem = found["meridiem"]
    if meridiem:
        valid = 1 <= hour <= 12
        hour = hour % 12 + (12 if meridiem.lower() == "p" else 0)
    else:
        valid = hour <= 23 and (bare_hour or found["minute"] is not None)
    if not valid or minute > 59 or second > 59:
        raise ValueError(f"not a valid time of day ({text.strip()!r})")
    return time(hour, minute, second)


def hh_mm(text: str) -> time | None:
    """A 24-hour 'HH:MM' ('16:00', '9:30'), the one form files take (a cadence step's ``at``,
    calling-hour rules, the stored ``hours.start``); None for anything else, '25:00' included.
    Callers name the file and field in their own refusal."""
    found = _CLOCK.fullmatch(text.strip())
    if not found or found["minute"] is None or found["second"] is not None or found["meridiem"]:
        return None
    try:
        return clock_time(text)
    except ValueError:
        return None


def _typed_clock(text: str) -> time | None:
    if text in _NAMED_CLOCKS:
        return _NAMED_CLOCKS[text]
    try:
        return clock_time(text)
    except ValueError:
        return None


def read_clock(text: str) -> time:
    """A time of day a person typed for a setting ('8pm', '20:00', '8:30 p.m.', 'noon')."""
    words = _words(text)
    clock = _typed_clock(words)
    if clock is None:
        raise ValueError(f"{quoted(text)} is not a time of day ({CLOCK_EXAMPLES})")
    return clock


# ---- days of the week: hours.days, calling-hour rules, a cadence step's weekday --------------


def weekday_number(text: str) -> int | None:
    """'monday', 'Mon', 'thurs' -> 0 for Monday ... 6 for Sunday; None when it names no day."""
    return WEEKDAY_NAMES.get(_words(text))


# ---- zones --------------------------------------------------------------------------------------

# What CRMs, Windows and Rails write for a zone, normalized (lowercase, single spaces), and the
# IANA zone meant. zoneinfo knows "EST", "MST" and "HST" itself, but as fixed offsets with no
# daylight saving time: an "EST" prospect would be called an hour off all summer.
ZONE_ALIASES: dict[str, str] = {
    **dict.fromkeys(("est", "edt", "et", "eastern", "eastern time", "eastern time (us & canada)", "us/eastern",
                     "eastern standard time", "est5edt"), "America/New_York"),
    **dict.fromkeys(("cst", "cdt", "ct", "central", "central time", "central time (us & canada)", "us/central",
                     "central standard time", "cst6cdt"), "America/Chicago"),
    **dict.fromkeys(("mst", "mdt", "mt", "mountain", "mountain time", "mountain time (us & canada)",
                     "us/mountain", "mountain standard time", "mst7mdt"), "America/Denver"),
    **dict.fromkeys(("arizona", "us/arizona", "us mountain standard time"), "America/Phoenix"),
    **dict.fromkeys(("pst", "pdt", "pt", "pacific", "pacific time", "pacific time (us & canada)", "us/pacific",
                     "pacific standard time", "pst8pdt"), "America/Los_Angeles"),
    **dict.fromkeys(("akst", "akdt", "alaska", "us/alaska", "alaskan standard time"), "America/Anchorage"),
    **dict.fromkeys(("hst", "hawaii", "us/hawaii", "hawaiian standard time"), "Pacific/Honolulu"),
    **dict.fromkeys(("gmt", "bst", "london", "edinburgh", "gmt standard time"), "Europe/London"),
    **dict.fromkeys(("cet", "cest", "berlin", "w. europe standard time"), "Europe/Berlin"),
    **dict.fromkeys(("aest", "aedt", "sydney", "aus eastern standard time"), "Australia/Sydney"),
}
IANA_HINT = "(use an IANA name such as America/New_York)"
# 'UTC-5', 'GMT+05:30', '+0100', 'Etc/GMT+5': a fixed offset, wrong for half the year wherever
# the clocks change.
_FIXED_OFFSET = re.compile(r"(?:utc|gmt|etc/gmt)?\s*[+-]\s*(\d{1,2})(?::?(\d{2}))?")
_ABBREVIATION = re.compile(r"[a-z]{2,5}")
_NOT_PLACES = frozenset({"localtime", "factory"})  # in the zone database, but no prospect's zone
_LONGEST_ZONE = 64  # longer than any zone name or alias: unknown without a look-up


@functools.lru_cache(maxsize=1024)
def zone_cell(text: str) -> tuple[str | None, str | None]:
    """A zone as typed: (IANA name, None), or (None, the reason it is refused, with a hint).

    Cached with the refusals too: a file that repeats a bad zone pays for it once.
    """
    given = text.strip()
    if len(given) > _LONGEST_ZONE:
        return None, f"unknown time zone {given[:_LONGEST_ZONE] + '…'!r} {IANA_HINT}"
    key = " ".join(given.lower().split())
    if key in ZONE_ALIASES:
        return ZONE_ALIASES[key], None
    offset = _FIXED_OFFSET.fullmatch(key)
    if offset and any(digit != "0" for digit in "".join(group or "" for group in offset.groups())):
        return None, f"fixed offset {given!r} ignores daylight saving time {IANA_HINT}"
    if offset:
        return "UTC", None
    zone = _known_zone(given)
    if zone is not None:
        return zone, None
    if _ABBREVIATION.fullmatch(key):
        return None, f"time zone abbreviation {given!r} is ambiguous {IANA_HINT}"
    return None, f"unknown time zone {given!r} {IANA_HINT}"


def read_zone(text: str) -> str:
    """The IANA name of a zone a person typed ('Central', 'EST', 'america/chicago'); ValueError
    saying why when it is unknown, ambiguous or a fixed offset."""
    zone, problem = zone_cell(text)
    if zone is None:
        raise ValueError(problem or f"unknown time zone {text!r} {IANA_HINT}")
    return zone


def zone_name(text: str) -> str | None:
    """The IANA name for a zone as typed, None if it is unknown, ambiguous or a fixed offset."""
    return zone_cell(text)[0]


def _known_zone(name: str) -> str | None:
    if not name or name.lower() in _NOT_PLACES:
        return None
    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return _zones_by_lower().get(name.lower())


@functools.lru_cache(maxsize=1)
def _zones_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


# ---- CRM date-times: an import's appointment cell ----------------------------------------------

CRM_EXAMPLE = "expected e.g. 2026-11-24 14:00"
_DATES = (  # (pattern, the order of its numbers): day/month order for slash dates is the caller's
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "slash"),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), "dmy"),
)


def read_crm_datetime(text: str, zone: Zone, *, month_first: bool, region: str = "") -> datetime | None:
    """An exported date-time as UTC ('' -> None); without an offset it is in ``zone``.

    Plain ``datetime`` and regular expressions, not arrow: an import reads a million of these.
    ``region`` only names the slash-date reading in a refusal.
    """
    if not text:
        return None
    value = _iso(text)
    if value is None:
        value = _crm_date_time(text, month_first, region)
    elif len(text) <= 10:
        raise ValueError(f"{text!r} has no time of day ({CRM_EXAMPLE})")
    return in_range(value, zone, text)


def _crm_date_time(text: str, month_first: bool, region: str) -> datetime:
    date_text, _, clock_text = " ".join(text.split()).partition(" ")
    date_text = date_text.rstrip(",")
    for pattern, order in _DATES:  # noqa: B007  order is read after the loop: the matching pattern's
        found = pattern.fullmatch(date_text)
        if found:
            break
    else:
        raise ValueError(f"not a date and time ({text!r}; {CRM_EXAMPLE})")
    if not clock_text:
        raise ValueError(f"{text!r} has no time of day ({CRM_EXAMPLE})")
    first, second, third = (int(number) for number in found.groups())
    if order == "ymd":
        year, month, day = first, second, third
    elif order == "dmy" or (order == "slash" and not month_first):
        day, month, year = first, second, third
    else:
        month, day, year = first, second, third
    try:
        clock = clock_time(clock_text, bare_hour=False)
    except ValueError:
        raise ValueError(f"not a valid time of day ({text!r})") from None
    if clock is None:
        raise ValueError(f"not a date and time ({text!r}; {CRM_EXAMPLE})")
    try:
        return datetime.combine(date(year, month, day), clock)
    except ValueError:
        if order == "slash":
            reading = "month/day/year" if month_first else "day/month/year"
            where = f" for region {region}" if region else ""
            raise ValueError(f"not a valid date ({text!r}; slash dates are {reading}{where})") from None
        raise ValueError(f"not a valid date ({text!r})") from None
