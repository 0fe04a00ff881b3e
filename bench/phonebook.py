"""Realistic phone numbers for the data sets: many countries, many area codes and zones.

A million distinct valid numbers are made from a few thousand *templates*: a valid national
number with its last four digits left open. Every template is checked once with dialdeck's own
parser (three variants must be valid and agree on zone and state), so the rows built from it
import cleanly, and the template already knows where its numbers ring: the direct database
builder stores exactly what an import would have found, without parsing a million numbers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType
from phonenumbers import timezone as phone_zones
from phonenumbers.tzdata import TIMEZONE_DATA

from dialdeck import phones

# Share of rows per country (a North American team calling mostly at home, some abroad).
COUNTRY_WEIGHTS = {
    "US": 52, "CA": 6, "GB": 7, "DE": 5, "FR": 4, "ES": 3, "IT": 2, "NL": 2, "IE": 1, "SE": 1,
    "PL": 1, "AU": 4, "NZ": 1, "BR": 3, "MX": 3, "IN": 2, "JP": 1, "SG": 1, "ZA": 1, "AE": 1,
}
TEMPLATES_PER_COUNTRY = 400  # the US gets one per area code and exchange tried, up to this
OPEN_DIGITS = 4
CAPACITY = 10 ** OPEN_DIGITS
_STRIDE = 6007  # coprime with CAPACITY: walks every suffix once, in a scattered order


@dataclass(frozen=True)
class Template:
    """Numbers ``+{cc}{stem}dddd``; ``zone`` None when the number does not pin one zone."""

    region: str
    cc: int
    stem: str
    subdivision: str | None
    zone: str | None
    candidate_zones: tuple[str, ...]  # what a CRM might have in its time-zone column


def _prefixes(cc: int) -> list[str]:
    """National prefixes phonenumbers maps to zones for this country (area codes and the like)."""
    code = str(cc)
    return sorted(key[len(code):] for key in TIMEZONE_DATA if key.startswith(code) and len(key) > len(code))


def _fill(rng: random.Random, start: str, length: int) -> str:
    return start + "".join(rng.choice("0123456789") for _ in range(length - len(start)))


def _check(region: str, cc: int, stem: str, rng: random.Random) -> Template | None:
    """The template if three variants parse as valid and agree on where they ring."""
    found = set()
    for _ in range(3):
        raw = f"+{cc}{stem}{rng.randrange(CAPACITY):0{OPEN_DIGITS}d}"
        try:
            info = phones.parse_phone(raw, region)
        except phones.InvalidPhone:
            return None
        if info.region != region:
            return None
        found.add((info.subdivision, info.zone))
    if len(found) != 1:
        return None
    subdivision, zone = found.pop()
    sample = phonenumbers.parse(f"+{cc}{stem}{'0' * OPEN_DIGITS}", None)
    zones = tuple(z for z in phone_zones.time_zones_for_number(sample) if z != phones.UNKNOWN_ZONE)
    return Template(region, cc, stem, subdivision, zone, zones or ((zone,) if zone else ()))


def _country_templates(region: str, rng: random.Random) -> list[Template]:
    examples = [phonenumbers.example_number_for_type(region, kind)
                for kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE)]
    examples = [e for e in examples if e is not None]
    cc = examples[0].country_code
    lengths = sorted({len(phonenumbers.national_significant_number(e)) for e in examples})
    starts = _prefixes(cc) or []
    # Countries without area-code zone data: vary the digits after the examples' leading ones.
    starts += [phonenumbers.national_significant_number(e)[:2] for e in examples]
    templates: dict[str, Template] = {}
    tries = 0
    while len(templates) < TEMPLATES_PER_COUNTRY and tries < TEMPLATES_PER_COUNTRY * 12:
        tries += 1
        start = rng.choice(starts)
        length = rng.choice(lengths)
        if len(start) + OPEN_DIGITS >= length:
            continue
        stem = _fill(rng, start, length - OPEN_DIGITS)
        if stem in templates:
            continue
        found = _check(region, cc, stem, rng)
        if found is not None:
            templates[stem] = found
    return list(templates.values())


def build_templates(seed: int) -> dict[str, list[Template]]:
    """Templates per country, the same for the same seed."""
    rng = random.Random(seed)
    return {region: _country_templates(region, rng) for region in COUNTRY_WEIGHTS}


class NumberSource:
    """Hands out distinct numbers: a weighted country, a random template, its next unused suffix."""

    def __init__(self, templates: dict[str, list[Template]], rng: random.Random) -> None:
        self._rng = rng
        self._regions = [r for r in COUNTRY_WEIGHTS if templates.get(r)]
        self._weights = [COUNTRY_WEIGHTS[r] for r in self._regions]
        self._templates = {r: list(templates[r]) for r in self._regions}
        self._used: dict[str, int] = {}

    def take(self) -> tuple[Template, str]:
        """A template and the national number drawn from it (``stem`` + four digits)."""
        for _ in range(1000):
            region = self._rng.choices(self._regions, self._weights)[0]
            template = self._rng.choice(self._templates[region])
            count = self._used.get(template.stem, 0)
            if count < CAPACITY:
                self._used[template.stem] = count + 1
                suffix = (count * _STRIDE + int(template.stem) * 7919) % CAPACITY
                return template, f"{template.stem}{suffix:0{OPEN_DIGITS}d}"
        raise RuntimeError("out of distinct numbers: add templates or open more digits")


def written(template: Template, national: str, style: int) -> str:
    """The number the way CRMs export it: national style for US numbers, else international."""
    if template.cc == 1:
        area, exchange, line = national[:3], national[3:6], national[6:]
        return (f"({area}) {exchange}-{line}", f"+1 {area}-{exchange}-{line}", f"{area}.{exchange}.{line}",
                f"+1{national}")[style % 4]
    head = 3 if len(national) > 9 else 2
    return (f"+{template.cc} {national[:head]} {national[head:]}", f"+{template.cc}{national}",
            f"+{template.cc}-{national}", f"+{template.cc} {national}")[style % 4]
