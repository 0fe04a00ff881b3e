"""Time as data: the clock type, UTC helpers and the storage form of an instant.

Every time-dependent function in dialdeck takes ``now`` (an aware UTC datetime) or a
``Clock`` as a parameter; nothing below the CLI and the App factory reads the wall clock.
What a person types (``--at``, a callback time, a zone) is read by ``typed_time``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import overload

from dialdeck.errors import StoredTimeError

UTC = timezone.utc
# The years a stored time may lie in: wider than what typed_time accepts (1900-2200), since a
# cadence or the demo's replayed week adds to or takes from an instant typed at the edge, and
# narrow enough that converting to any zone, or adding a year, never overflows.
STORED_YEARS = (1800, 2400)

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


@overload
def to_iso(instant: datetime) -> str: ...
@overload
def to_iso(instant: None) -> None: ...
@overload
def to_iso(instant: datetime | None) -> str | None: ...
def to_iso(instant: datetime | None) -> str | None:
    """The storage form: UTC ISO-8601 text with a +00:00 offset, seconds precision.

    Fixed width so that text order equals time order in SQLite indexes.
    """
    if instant is None:
        return None
    return as_utc(instant).replace(microsecond=0).isoformat()


def from_iso(text: str | None) -> datetime | None:
    """Reads the storage form back into an aware UTC datetime.

    Text that is not a time, or a time outside the years dialdeck works with (which could not be
    shown in every zone), raises StoredTimeError: a store that was edited by hand is reported,
    never a traceback.
    """
    if text is None or text == "":
        return None
    return stored_instant(text)


def stored_instant(text: str) -> datetime:
    """``from_iso`` for a time the store always holds (an attempt's time, a due time).

    A missing one is a store edited by hand, reported like any unreadable time.
    """
    if not text:
        raise StoredTimeError(str(text))
    try:
        value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
    except (ValueError, TypeError, OverflowError):
        raise StoredTimeError(str(text)) from None
    if not STORED_YEARS[0] <= value.year <= STORED_YEARS[1]:
        raise StoredTimeError(text)
    return value
