"""Phone numbers: parse, validate, E.164, and where a number is (country, state, time zone).

Pure domain code over ``phonenumbers``. An import of a million rows parses a million numbers,
so every lookup that depends only on a prefix of the number (its time zones, its state) is
cached by that prefix: a CRM export has many numbers but few area codes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from phonenumbers import timezone as _timezone
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import ValidationResult

_number_type_helper: Callable[[str, PhoneMetadata], int] | None
try:  # the one private helper used: matching a number against one region's patterns
    from phonenumbers.phonenumberutil import _number_type_helper
except ImportError:  # a future phonenumbers without it: fall back to the public number_type
    _number_type_helper = None

UNKNOWN_ZONE = "Etc/Unknown"
NANP_REGIONS_WITH_SUBDIVISIONS = frozenset({"US", "CA"})
MAX_INPUT = 64  # longer than any real number with an extension; phonenumbers allows 250

_US_STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA",
    "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
    "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS",
    "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH",
    "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY", "North Carolina": "NC",
    "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA",
    "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN",
    "Texas": "TX", "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington": "WA",
    "Washington State": "WA", "Washington D.C.": "DC", "West Virginia": "WV",
    "Wisconsin": "WI", "Wyoming": "WY",
}
_CA_PROVINCES = {
    "Alberta": "AB", "British Columbia": "BC", "British Colombia": "BC", "Manitoba": "MB",
    "New Brunswick": "NB", "Newfoundland and Labrador": "NL", "Nova Scotia": "NS",
    "Ontario": "ON", "Prince Edward Island": "PE", "Quebec": "QC", "Saskatchewan": "SK",
    "Yukon": "YT", "Northwest Territories": "NT", "Nunavut": "NU",
}
_SUBDIVISION_NAMES = {"US": _US_STATES, "CA": _CA_PROVINCES}


@dataclass(frozen=True)
class PhoneInfo:
    e164: str
    raw: str
    region: str  # ISO country code of the number ("001" for non-geographic numbers)
    subdivision: str | None  # "US-FL", "CA-ON" when the number pins a US state / CA province
    zone: str | None  # the IANA zone when the number pins exactly one; None when unknown or several
    extension: str = ""  # digits dialled once the number answers ("(404) 555-0111 ext. 12" -> "12")


class InvalidPhone(ValueError):
    """A string that is not a usable phone number; the message says why."""


def parse_phone(raw: str, default_region: str) -> PhoneInfo:
    """Parses what a file or a person wrote into a validated number and where it rings.

    ``default_region`` (ISO code, e.g. "US") reads numbers written without a country code.
    Raises InvalidPhone with a short reason; never lets a phonenumbers exception escape.
    """
    number = _parse(raw, default_region)
    national = phonenumbers.national_significant_number(number)
    region = _region(number, national)
    number_type = _number_type(number, national, region)
    if region is None or number_type == PhoneNumberType.UNKNOWN:
        raise InvalidPhone(_invalid_reason(number, region or default_region))
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return PhoneInfo(
        e164=e164,
        raw=raw,
        region=region,
        subdivision=_subdivision(number, region),
        zone=_zone(number, e164, number_type),
        extension=number.extension or "",
    )


def to_e164(raw: str, default_region: str) -> str:
    """The E.164 form (the key of the do-not-call list). Raises InvalidPhone."""
    return parse_phone(raw, default_region).e164


@lru_cache(maxsize=65536)
def format_international(e164: str) -> str:
    """'+14155550123' -> '+1 415-555-0123'; anything unparseable is returned unchanged."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None), PhoneNumberFormat.INTERNATIONAL)
    except (NumberParseException, TypeError):
        return e164


# ---- extensions ---------------------------------------------------------------------------
# A number and its extension travel together in two forms:
# - the *number* ("+14045550111;ext=12", RFC 3966's extension parameter): what an attempt
#   records as the number it used, and what ``parse_phone`` reads back;
# - the *dial string* ("+14045550111,12"): what a dialer is handed. The comma is the pause
#   phones and softphones understand (about two seconds), after which the extension's digits
#   are sent as tones. Without an extension both are the bare E.164.


def number_text(e164: str, extension: str = "") -> str:
    """'+14045550111;ext=12' (or the bare E.164 without an extension)."""
    return f"{e164};ext={extension}" if extension else e164


def split_number(text: str) -> tuple[str, str]:
    """``number_text`` undone: '+14045550111;ext=12' -> ('+14045550111', '12')."""
    e164, _, extension = text.partition(";ext=")
    return e164, extension


def dial_string(e164: str, extension: str = "") -> str:
    """What a dialer dials: the E.164, then for an extension a pause (',') and its digits."""
    return f"{e164},{extension}" if extension else e164


def format_with_extension(e164: str, extension: str = "") -> str:
    """'+1 404-555-0111 ext. 12', as a rep reads it on the card."""
    shown = format_international(e164)
    return f"{shown} ext. {extension}" if extension else shown


def _parse(raw: str, default_region: str) -> phonenumbers.PhoneNumber:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidPhone("no phone number")
    if len(raw) > MAX_INPUT:
        raise InvalidPhone("too long to be a phone number")
    region = (default_region or "").strip().upper() or None
    try:
        return phonenumbers.parse(raw, region)
    except NumberParseException as problem:
        raise InvalidPhone(_parse_failure(problem, raw, region)) from None


def _parse_failure(problem: NumberParseException, raw: str, region: str | None) -> str:
    kind = problem.error_type
    if kind == NumberParseException.INVALID_COUNTRY_CODE:
        if raw.lstrip().startswith(("+", "00")):
            return "unknown country code"
        if region is None:
            return "no country code (write it as +CC..., or set a default region)"
        return f"unknown default region {region}"
    if kind in (NumberParseException.TOO_SHORT_NSN, NumberParseException.TOO_SHORT_AFTER_IDD):
        return "too short"
    if kind == NumberParseException.TOO_LONG:
        return "too long"
    return "not a phone number"


def _invalid_reason(number: phonenumbers.PhoneNumber, region: str) -> str:
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == ValidationResult.TOO_SHORT:
        return f"too short for region {region}"
    if possible == ValidationResult.TOO_LONG:
        return f"too long for region {region}"
    if possible == ValidationResult.INVALID_COUNTRY_CODE:
        return f"unknown country code +{number.country_code}"
    return f"invalid for region {region}"


# ---- validation, without repeating work ---------------------------------------------------
# phonenumbers' number_type() looks the region up again, and for +1 numbers that lookup tries
# the type patterns of each NANP country in turn: validating a US number cost three type
# matches. A North American area code belongs to exactly one country, so the region is cached
# by area code and the type is matched once, against that region's metadata.


def _region(number: phonenumbers.PhoneNumber, national: str) -> str | None:
    # Only a full ten-digit North American number starts with an area code; shorter ones that
    # phonenumbers still accepts (a few Canadian patterns) are looked up the slow, exact way.
    if number.country_code != 1 or len(national) != 10:
        return phonenumbers.region_code_for_number(number)
    area_code = national[:3]
    region = _NANP_REGION_CACHE.get(area_code)
    if region is None:
        region = phonenumbers.region_code_for_number(number)
        if region is not None:  # only a valid number proves which country the code is
            _NANP_REGION_CACHE[area_code] = region
    return region


_NANP_REGION_CACHE: dict[str, str] = {}


def _number_type(number: phonenumbers.PhoneNumber, national: str, region: str | None) -> int:
    if region is None:
        return PhoneNumberType.UNKNOWN
    assert number.country_code is not None  # set on every number phonenumbers.parse returns
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(number.country_code, region)
    if metadata is None or _number_type_helper is None:
        return phonenumbers.number_type(number)
    return _number_type_helper(national, metadata)


# ---- where the number rings --------------------------------------------------------------


def _zone(number: phonenumbers.PhoneNumber, e164: str, number_type: int) -> str | None:
    # The zones of a number depend only on its type's geography and its first few digits,
    # so the lookup is cached on (prefix, geographic?) instead of on the whole number.
    cc = number.country_code
    assert cc is not None  # set on every number phonenumbers.parse returns
    geographic = phonenumbers.is_number_type_geographical(number_type, cc)
    prefix = e164[1 : 1 + _tz_prefix_length(cc)] if geographic else str(cc)
    return _zone_for_prefix(prefix, geographic, number)


def _zone_for_prefix(prefix: str, geographic: bool, number: phonenumbers.PhoneNumber) -> str | None:
    key = (prefix, geographic)
    if key not in _ZONE_CACHE:
        if len(_ZONE_CACHE) >= ZONE_CACHE_LIMIT:
            _ZONE_CACHE.clear()  # a few countries key zones on long prefixes: stay bounded
        zones = _timezone.time_zones_for_number(number)
        _ZONE_CACHE[key] = zones[0] if len(zones) == 1 and zones[0] != UNKNOWN_ZONE else None
    return _ZONE_CACHE[key]


_ZONE_CACHE: dict[tuple[str, bool], str | None] = {}
ZONE_CACHE_LIMIT = 200_000


@lru_cache(maxsize=512)
def _tz_prefix_length(country_code: int) -> int:
    """How many leading digits (country code included) decide a number's zones."""
    from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

    cc = str(country_code)
    lengths = [len(key) for key in TIMEZONE_DATA if key.startswith(cc)]
    return max(lengths) if lengths else TIMEZONE_LONGEST_PREFIX


def _subdivision(number: phonenumbers.PhoneNumber, region: str) -> str | None:
    if region not in NANP_REGIONS_WITH_SUBDIVISIONS:
        return None
    # A North American area code never crosses a state or province line.
    area_code = phonenumbers.national_significant_number(number)[:3]
    key = (region, area_code)
    if key not in _SUBDIVISION_CACHE:
        # Imported here, not at the top: the geocoder's data costs ~100 MB and ~0.2 s to load,
        # and only parsing a new North American number needs it (never the calling session).
        from phonenumbers import geocoder

        description = geocoder.description_for_valid_number(number, "en")
        found = subdivision_from_description(region, description)
        if found is None:
            return None  # not cached: another number of this area code may describe it
        _SUBDIVISION_CACHE[key] = found
    return _SUBDIVISION_CACHE[key]


_SUBDIVISION_CACHE: dict[tuple[str, str], str] = {}


def subdivision_from_text(region: str, text: str) -> str | None:
    """A state or province cell ('FL', 'Florida', 'fl', 'Ontario') -> 'US-FL'; None if it
    names none of ``region``'s (only US states and Canadian provinces are known)."""
    names = _SUBDIVISION_NAMES.get(region)
    key = " ".join(text.replace(".", "").split()).lower()
    if not names or not key:
        return None
    for name, code in names.items():
        if key in (name.replace(".", "").lower(), code.lower()):
            return f"{region}-{code}"
    return None


def subdivision_from_description(region: str, description: str) -> str | None:
    """'Florida' or 'Miami, FL' (phonenumbers' geocoder text) -> 'US-FL'; None if unclear."""
    names = _SUBDIVISION_NAMES.get(region)
    if not names or not description:
        return None
    if description in names:
        return f"{region}-{names[description]}"
    _, _, tail = description.rpartition(", ")
    if tail and tail in names.values():
        return f"{region}-{tail}"
    return None
