"""The rep's settings: their keys, each value validated and normalized, and the profile they make.

Keys are what ``dialdeck config set KEY VALUE`` takes. Each value is validated and normalized
before it is stored (a phone becomes E.164, days become "mon,tue,..."), and a bad value raises
InvalidInput naming the key. Unset keys fall back to ``RepProfile``'s defaults. Pure: the store
keeps the stored text (``Store.settings``, ``Writer.put_setting``), ``services.profile`` both.
"""

from __future__ import annotations

from collections.abc import Callable

import phonenumbers

from dialdeck import phones, typed_time
from dialdeck.errors import InvalidInput
from dialdeck.hours import WEEKDAYS, parse_days
from dialdeck.models import RepProfile

DEFAULT_CADENCE = "zero-to-ten"
# The settings key of the cadence an import uses when neither the row nor the command names one.
CADENCE_KEY = "cadence.default"

# settings key -> RepProfile field
FIELDS: dict[str, str] = {
    "rep.name": "name",
    "rep.phone": "phone",
    "rep.company": "company",
    "rep.timezone": "timezone",
    "rep.region": "region",
    "hours.start": "hours_start",
    "hours.end": "hours_end",
    "hours.days": "days",
    "guard.cooldown_minutes": "cooldown_minutes",
    "guard.max_per_day": "max_per_day",
}
# How long a prospect handed to a rep (``dialdeck next``, the session's card) stays theirs
# without an outcome: team-wide, so every rep's claim expires alike.
LEASE_KEY = "team.lease_minutes"
DEFAULT_LEASE_MINUTES = 10
KEYS = (*FIELDS, CADENCE_KEY, LEASE_KEY)
# The session's colour theme, kept by the TUI itself when the rep picks one (not a config key:
# the theme names are Textual's, which the domain does not know).
THEME_KEY = "ui.theme"

# Each rep's own settings (their profile, their phone line, their theme); every other key is the
# team's, set once for everyone: the calling-hour rules (hours.*), the guardrails (guard.*), the
# default cadence, the SIP server.
REP_KEYS = frozenset({
    "rep.name", "rep.phone", "rep.company", "rep.timezone", "rep.region", THEME_KEY,
    "sip.caller_id", "sip.user", "sip.password", "sip.audio", "dial.backend", "dial.command",
})


def is_rep_key(key: str) -> bool:
    """Whether ``key`` is set per rep (else for the whole team)."""
    return key in REP_KEYS


def profile_from(stored: dict[str, str]) -> RepProfile:
    """The profile the stored settings make; unset keys (and a number edited into text by hand)
    keep the default."""
    values = {}
    for key, field in FIELDS.items():
        if key in stored:
            try:
                values[field] = _typed(field, stored[key])
            except ValueError:
                continue
    return RepProfile(**values)


def lease_minutes(stored: dict[str, str]) -> int:
    """The team's lease (``team.lease_minutes``); the default for unset or hand-edited text."""
    try:
        minutes = int(stored.get(LEASE_KEY, DEFAULT_LEASE_MINUTES))
    except ValueError:
        return DEFAULT_LEASE_MINUTES
    return minutes if minutes >= 1 else DEFAULT_LEASE_MINUTES


def _typed(field: str, text: str):
    if field in ("cooldown_minutes", "max_per_day"):
        return int(text)
    return text


def normalize(key: str, value: str, profile: RepProfile) -> str:
    """The stored form of ``value`` for ``key``, or InvalidInput naming the key."""
    if key not in KEYS:
        raise InvalidInput(f"unknown setting {key!r}; known settings: {', '.join(KEYS)}")
    text = value.strip()
    try:
        return _NORMALIZERS.get(key, _text)(text, profile)
    except ValueError as exc:
        raise InvalidInput(f"{key}: {exc}") from None


def _text(text: str, profile: RepProfile) -> str:
    if not text:
        raise ValueError("must not be empty")
    return text


def _phone(text: str, profile: RepProfile) -> str:
    try:
        return phones.to_e164(text, profile.region)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid phone number ({exc})") from None


def _timezone(text: str, profile: RepProfile) -> str:
    """An IANA name, or what the importer also reads ('Central', 'EST'), stored as IANA."""
    return typed_time.read_zone(text)


def _region(text: str, profile: RepProfile) -> str:
    code = text.upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{text!r} is not a two-letter country code phonenumbers knows (e.g. US, GB, DE)")
    return code


def _clock_time(text: str) -> str:
    """'8pm', '20:00', '8:30 p.m.' -> the stored form '20:00'."""
    return f"{typed_time.read_clock(text):%H:%M}"


def _hours_start(text: str, profile: RepProfile) -> str:
    start = _clock_time(text)
    if not start < profile.hours_end:
        raise ValueError(f"{start} must be before hours.end {profile.hours_end}")
    return start


def _hours_end(text: str, profile: RepProfile) -> str:
    end = _clock_time(text)
    if not profile.hours_start < end:
        raise ValueError(f"{end} must be after hours.start {profile.hours_start}")
    return end


def _days(text: str, profile: RepProfile) -> str:
    """Read as the calling hours read them ("mon,tue,wed", "Monday-Friday", "fri-mon", "weekdays");
    stored as the days in week order: "mon,tue,wed"."""
    return ",".join(WEEKDAYS[d] for d in sorted(parse_days(text)))


def _positive_int(low: int, high: int) -> Callable[[str, RepProfile], str]:
    def check(text: str, profile: RepProfile) -> str:
        try:
            number = int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
        if not low <= number <= high:
            raise ValueError(f"{number} is out of range {low}..{high}")
        return str(number)

    return check


_NORMALIZERS: dict[str, Callable[[str, RepProfile], str]] = {
    "rep.phone": _phone,
    "rep.timezone": _timezone,
    "rep.region": _region,
    "hours.start": _hours_start,
    "hours.end": _hours_end,
    "hours.days": _days,
    "guard.cooldown_minutes": _positive_int(0, 7 * 24 * 60),
    "guard.max_per_day": _positive_int(1, 50),
    LEASE_KEY: _positive_int(1, 8 * 60),
}
