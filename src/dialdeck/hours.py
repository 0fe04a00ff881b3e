"""Calling hours: when a prospect may be called, in their own local time.

Pure functions over aware datetimes and ``zoneinfo`` zones; the caller passes the instant.
Windows are compared in UTC so that DST folds and gaps never confuse the arithmetic.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from dialdeck import paths, typed_time
from dialdeck.clock import UTC
from dialdeck.errors import InvalidInput
from dialdeck.models import RepProfile

# "mon" ... "sun": how the settings store days and rules and messages name them.
WEEKDAYS = tuple(name[:3].lower() for name in typed_time.DAY_NAMES)
WORKING_DAYS = frozenset(range(5))


@dataclass(frozen=True)
class CallingWindow:
    """Calls are allowed from ``start`` (inclusive) to ``end`` (exclusive), local time, on ``days``."""

    start: time = time(8, 0)
    end: time = time(21, 0)
    days: frozenset[int] = field(default=WORKING_DAYS)
    rule: str = "default"  # which rule set produced it, for display ("US-FL")
    # Days whose hours differ from start/end, as (weekday, start, end): Texas allows Sundays
    # only from noon. Empty for every window a rep's profile alone produces.
    day_hours: tuple[tuple[int, time, time], ...] = ()

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"calling hours start {self.start:%H:%M} must be before end {self.end:%H:%M}")
        if not self.days:
            raise ValueError("calling hours allow no day of the week")
        for weekday, start, end in self.day_hours:
            if not start < end:
                raise ValueError(f"calling hours on {WEEKDAYS[weekday]}: start {start:%H:%M} must be before end {end:%H:%M}")

    def hours_on(self, weekday: int) -> tuple[time, time]:
        """Local (start, end) on a weekday (0 = Monday); meaningful only for days in ``days``."""
        for day, start, end in self.day_hours:
            if day == weekday:
                return start, end
        return self.start, self.end


def _bounds(day, window: CallingWindow, zone: ZoneInfo) -> tuple[datetime, datetime]:
    opens, closes = window.hours_on(day.weekday())
    start = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day, closes, tzinfo=zone).astimezone(UTC)
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


def describe_window(window: CallingWindow) -> str:
    """'08:00-20:00 Mon-Sat (US-LA)', with day exceptions: '09:00-21:00 Mon-Sun, Sun 12:00-21:00 (US-TX)'."""
    days = _describe_days(window.days)
    text = f"{window.start:%H:%M}-{window.end:%H:%M} {days}"
    for weekday, start, end in window.day_hours:
        text += f", {typed_time.DAY_NAMES[weekday][:3]} {start:%H:%M}-{end:%H:%M}"
    return f"{text} ({window.rule})"


def _describe_days(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{typed_time.DAY_NAMES[ordered[0]][:3]}-{typed_time.DAY_NAMES[ordered[-1]][:3]}"
    return ",".join(typed_time.DAY_NAMES[day][:3] for day in ordered)


def add_business_days(day: date, count: int, days: frozenset[int] = WORKING_DAYS) -> date:
    """The ``count``-th day after ``day`` that is one of ``days`` (Monday to Friday unless
    given; ``day`` itself for 0): "3 business days" in a cadence, "two calling days on"."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() in days:
            count -= 1
    return day


# ---- the rep's base window -------------------------------------------------------------------

_DAY_ALIASES = {"all": frozenset(range(7)), "weekdays": WORKING_DAYS, "weekends": frozenset({5, 6})}


def parse_clock(text: str) -> time:
    """'08:00' -> time(8, 0); '24:00' means the end of the day. Raises ValueError."""
    raw = str(text).strip()
    if raw == "24:00":
        return time.max
    clock = typed_time.hh_mm(raw)
    if clock is None:
        raise ValueError(f"{text!r} is not a time of day (HH:MM, e.g. 08:00)")
    return clock


def parse_days(text: str) -> frozenset[int]:
    """'mon,tue,wed' or 'mon-fri' or 'mon-fri,sat' or 'all' -> weekday numbers. Raises ValueError."""
    days: set[int] = set()
    for part in str(text).lower().replace(" ", "").split(","):
        if not part:
            continue
        if part in _DAY_ALIASES:
            days |= _DAY_ALIASES[part]
            continue
        first, _, last = part.partition("-")
        begin, end = _weekday(first, text), _weekday(last or first, text)
        days |= {day % 7 for day in range(begin, begin + (end - begin) % 7 + 1)}
    if not days:
        raise ValueError(f"{text!r} names no day of the week (e.g. mon,tue,wed,thu,fri or mon-fri)")
    return frozenset(days)


def _weekday(name: str, text: str) -> int:
    number = typed_time.weekday_number(name)
    if number is None:
        raise ValueError(f"{text!r}: {name!r} is not a day of the week ({', '.join(WEEKDAYS)})")
    return number


def base_window(profile: RepProfile) -> CallingWindow:
    """The rep's own calling hours, before any country or state rule narrows them."""
    try:
        start = parse_clock(profile.hours_start)
    except ValueError as problem:
        raise InvalidInput(f"hours_start: {problem}") from None
    try:
        end = parse_clock(profile.hours_end)
    except ValueError as problem:
        raise InvalidInput(f"hours_end: {problem}") from None
    try:
        days = parse_days(profile.days)
    except ValueError as problem:
        raise InvalidInput(f"days: {problem}") from None
    try:
        return CallingWindow(start=start, end=end, days=days)
    except ValueError as problem:
        raise InvalidInput(str(problem)) from None


# ---- rules as data ---------------------------------------------------------------------------

RULES_FILE = "calling_hours.toml"
_RULE_ID = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_RULE_FIELDS = {"name", "start", "end", "closed", "hours_by_day", "source"}


@dataclass(frozen=True)
class HoursRule:
    """One country's or state's limit on calling hours. ``None`` start/end: no limit there."""

    id: str  # "US" or "US-FL"
    name: str
    source: str
    start: time | None = None
    end: time | None = None
    closed: frozenset[int] = frozenset()
    day_hours: tuple[tuple[int, time, time], ...] = ()

    def hours_on(self, weekday: int) -> tuple[time, time] | None:
        """The rule's (start, end) on a weekday, None when it says nothing about hours that day."""
        for day, start, end in self.day_hours:
            if day == weekday:
                return start, end
        if self.start is None and self.end is None:
            return None
        return self.start or time.min, self.end or time.max


@dataclass(frozen=True, eq=False)  # identity hash: a RuleBook is a cache key for window_for
class RuleBook:
    rules: dict[str, HoursRule]
    path: Path

    def get(self, rule_id: str | None) -> HoursRule | None:
        return self.rules.get(rule_id) if rule_id else None


def default_rules_path() -> Path:
    """The user's copy beside the cadences folder if there is one, else the packaged file."""
    user = paths.user_cadence_dir().parent / RULES_FILE
    return user if user.is_file() else paths.data_dir() / RULES_FILE


def load_rules(path: Path | None = None) -> RuleBook:
    """Reads calling-hour rules. Raises InvalidInput naming the file and rule of each problem."""
    source = Path(path) if path is not None else default_rules_path()
    document = _read_toml(source)
    table = document.get("rules", {})
    if not isinstance(table, dict):
        raise InvalidInput(f"{source}: 'rules' must be a table of [rules.ID] sections")
    unknown = sorted(set(document) - {"rules"})
    problems = [f"{source}: unknown top-level key {key!r} (expected [rules.ID] tables)" for key in unknown]
    rules: dict[str, HoursRule] = {}
    for rule_id, body in table.items():
        try:
            rules[rule_id] = _rule(rule_id, body)
        except ValueError as problem:
            problems.append(f"{source}: rule {rule_id}: {problem}")
    if problems:
        raise InvalidInput("\n".join(problems))
    return RuleBook(rules=rules, path=source)


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as problem:
        raise InvalidInput(f"{path}: cannot read calling-hour rules ({problem.strerror or problem})") from None
    except tomllib.TOMLDecodeError as problem:
        raise InvalidInput(f"{path}: not valid TOML: {problem}") from None
    except RecursionError:
        raise InvalidInput(f"{path}: not valid TOML: nested too deeply") from None


def _rule(rule_id: str, body: object) -> HoursRule:
    if not _RULE_ID.match(rule_id):
        raise ValueError("the id must be a country code (US) or a subdivision code (US-FL)")
    if not isinstance(body, dict):
        raise ValueError("must be a table")
    extra = sorted(set(body) - _RULE_FIELDS)
    if extra:
        raise ValueError(f"unknown field {extra[0]!r} (fields: {', '.join(sorted(_RULE_FIELDS))})")
    source = body.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ValueError("source: every rule must cite the law it comes from")
    start = _rule_clock(body, "start")
    end = _rule_clock(body, "end")
    if start is not None and end is not None and not start < end:
        raise ValueError(f"start {start:%H:%M} must be before end {end:%H:%M}")
    rule = HoursRule(
        id=rule_id,
        name=str(body.get("name", rule_id)),
        source=source.strip(),
        start=start,
        end=end,
        closed=_rule_closed(body.get("closed", [])),
        day_hours=_rule_day_hours(body.get("hours_by_day", {})),
    )
    if len(rule.closed) == 7:
        raise ValueError("closed: a rule cannot close every day of the week")
    return rule


def _rule_clock(body: dict, key: str) -> time | None:
    if key not in body:
        return None
    try:
        return parse_clock(body[key])
    except ValueError as problem:
        raise ValueError(f"{key}: {problem}") from None


def _rule_closed(value: object) -> frozenset[int]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError('closed: must be a list of day names, e.g. ["sun"]')
    try:
        return parse_days(",".join(value)) if value else frozenset()
    except ValueError as problem:
        raise ValueError(f"closed: {problem}") from None


def _rule_day_hours(value: object) -> tuple[tuple[int, time, time], ...]:
    if not isinstance(value, dict):
        raise ValueError('hours_by_day: must be a table, e.g. { sun = "12:00-21:00" }')
    found = []
    for name, span in value.items():
        try:
            (weekday,) = parse_days(name)
            opens, _, closes = str(span).partition("-")
            start, end = parse_clock(opens), parse_clock(closes)
        except ValueError as problem:
            raise ValueError(f"hours_by_day.{name}: {problem}") from None
        if not start < end:
            raise ValueError(f"hours_by_day.{name}: {start:%H:%M} must be before {end:%H:%M}")
        found.append((weekday, start, end))
    return tuple(sorted(found))


# ---- applying the rules ----------------------------------------------------------------------


def window_for(base: CallingWindow, region: str | None, subdivision: str | None, rules: RuleBook) -> CallingWindow:
    """The base window narrowed by the country's rule and then the subdivision's rule.

    ``rule`` on the result names the most specific rule that matched ("US-FL", "US"), or
    "default" when none did. Raises InvalidInput when the rules leave no time to call at all.
    """
    return _window_for(base, region or None, subdivision or None, rules)


@lru_cache(maxsize=4096)
def _window_for(base: CallingWindow, region: str | None, subdivision: str | None, rules: RuleBook) -> CallingWindow:
    window, rule_id = base, "default"
    for candidate in (region, subdivision):
        rule = rules.get(candidate)
        if rule is not None:
            window, rule_id = _narrow(window, rule), rule.id
    return _replace_rule(window, rule_id)


def _narrow(window: CallingWindow, rule: HoursRule) -> CallingWindow:
    hours: dict[int, tuple[time, time]] = {}
    for day in window.days - rule.closed:
        opens, closes = window.hours_on(day)
        limit = rule.hours_on(day)
        if limit is not None:
            opens, closes = max(opens, limit[0]), min(closes, limit[1])
        if opens < closes:
            hours[day] = (opens, closes)
    if not hours:
        raise InvalidInput(
            f"calling hours {describe_window(window)} leave no time to call under rule {rule.id} ({rule.source})"
        )
    return _window_from_hours(hours, window.rule)


def _window_from_hours(hours: dict[int, tuple[time, time]], rule_id: str) -> CallingWindow:
    # The most common hours become start/end; other days are kept as exceptions.
    counts = Counter(hours.values())
    usual = max(counts, key=lambda span: (counts[span], -min(d for d, s in hours.items() if s == span)))
    exceptions = tuple((day, *span) for day, span in sorted(hours.items()) if span != usual)
    return CallingWindow(start=usual[0], end=usual[1], days=frozenset(hours), rule=rule_id, day_hours=exceptions)


def _replace_rule(window: CallingWindow, rule_id: str) -> CallingWindow:
    return CallingWindow(start=window.start, end=window.end, days=window.days, rule=rule_id, day_hours=window.day_hours)


# ---- grouping key for the due queue ---------------------------------------------------------


def hours_key(region: str | None, subdivision: str | None, zone: str) -> str:
    """'US-FL|America/New_York': everything that decides a prospect's calling window."""
    return f"{subdivision or region or ''}|{zone}"


def parse_hours_key(key: str) -> tuple[str | None, str | None, str]:
    """The inverse of hours_key: (region, subdivision, zone)."""
    place, _, zone = key.partition("|")
    if not zone:
        raise ValueError(f"not an hours key: {key!r} (expected e.g. 'US-FL|America/New_York')")
    if not place:
        return None, None, zone
    if "-" in place:
        return place.split("-", 1)[0], place, zone
    return place, None, zone
