"""Time as data: the clock type, UTC helpers and ISO parsing used at every edge.

Every time-dependent function in dialdeck takes ``now`` (an aware UTC datetime) or a
``Clock`` as a parameter; nothing below the CLI and the App factory reads the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real clock: the only place dialdeck reads the wall time."""
    return datetime.now(UTC)


def fixed_clock(instant: datetime) -> Clock:
    """A clock that always answers ``instant`` (tests, ``--at``)."""
    fixed = as_utc(instant)
    return lambda: fixed


def as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant.isoformat()} has no time zone")
    return instant.astimezone(UTC)


def to_iso(instant: datetime | None) -> str | None:
    """The storage form: UTC ISO-8601 text with a +00:00 offset, seconds precision.

    Fixed width so that text order equals time order in SQLite indexes.
    """
    if instant is None:
        return None
    return as_utc(instant).replace(microsecond=0).isoformat()


def from_iso(text: str | None) -> datetime | None:
    """Reads the storage form back into an aware UTC datetime."""
    if text is None or text == "":
        return None
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_user_time(text: str, default_zone: str) -> datetime:
    """Reads an ISO-8601 time a person typed (``--at``, ``--callback``).

    A time without an offset is read in ``default_zone`` (the rep's zone), never as UTC.
    Raises ValueError with a readable message.
    """
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        raise ValueError(
            f"not an ISO-8601 time: {text!r} (expected e.g. 2026-11-23T14:30 or 2026-11-23T14:30:00-05:00)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(default_zone))
    return value.astimezone(UTC)
