"""Which calling windows are open now: the bridge from calling-hour rules to the queue's index.

Every enrollment carries an ``hours_key`` (region, subdivision and zone: everything that decides
its calling window). Keys are few while prospects are many, so the open set is computed here in
Python and the due query filters with ``hours_key IN (...)``.

The open set only changes when some window opens or closes, so it is cached together with the
interval in which it holds: until the earliest next opening or closing among all keys.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from dialdeck import hours
from dialdeck.hours import CallingWindow
from dialdeck.models import RepProfile


@functools.cache
def rule_book():
    """The calling-hour rules shipped with dialdeck, read once per process."""
    return hours.load_rules()


def base_window(profile: RepProfile) -> CallingWindow:
    return _base_window(profile.hours_start, profile.hours_end, profile.days)


@functools.lru_cache(maxsize=64)
def _base_window(start: str, end: str, days: str) -> CallingWindow:
    return hours.base_window(RepProfile(hours_start=start, hours_end=end, days=days))


@functools.lru_cache(maxsize=4096)
def window_of(key: str, base: CallingWindow) -> tuple[ZoneInfo, CallingWindow]:
    """The zone and calling window one ``hours_key`` stands for, under the rep's base window."""
    region, subdivision, zone = hours.parse_hours_key(key)
    return ZoneInfo(zone), hours.window_for(base, region, subdivision, rule_book())


@dataclass(frozen=True)
class _OpenSet:
    valid_from: datetime
    valid_until: datetime
    keys: tuple[str, ...]


_cache: dict[tuple[tuple[str, ...], CallingWindow], _OpenSet] = {}


def open_keys(keys: Sequence[str], base: CallingWindow, now: datetime) -> tuple[str, ...]:
    """The keys whose calling window is open at ``now``."""
    cache_key = (tuple(keys), base)
    cached = _cache.get(cache_key)
    if cached is not None and cached.valid_from <= now < cached.valid_until:
        return cached.keys
    computed = _compute(cache_key[0], base, now)
    if len(_cache) > 32:
        _cache.clear()
    _cache[cache_key] = computed
    return computed.keys


def _compute(keys: tuple[str, ...], base: CallingWindow, now: datetime) -> _OpenSet:
    open_now = []
    until = None
    for key in keys:
        zone, window = window_of(key, base)
        closes = hours.window_close(now, zone, window)
        if closes is not None:
            open_now.append(key)
            change = closes
        else:
            change = hours.next_callable(now, zone, window)
        until = change if until is None or change < until else until
    return _OpenSet(valid_from=now, valid_until=until or now, keys=tuple(open_now))


def is_open(key: str, base: CallingWindow, instant: datetime) -> bool:
    zone, window = window_of(key, base)
    return hours.is_callable(instant, zone, window)


def next_open(key: str, base: CallingWindow, instant: datetime) -> datetime:
    """The first instant at or after ``instant`` when ``key``'s window is open."""
    zone, window = window_of(key, base)
    return hours.next_callable(instant, zone, window)
