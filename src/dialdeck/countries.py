"""Country cells as CRMs write them, read as ISO 3166-1 alpha-2 region codes. Pure.

A CRM export names a contact's country in many ways: 'Germany', 'Deutschland', 'DE', 'DEU',
'United Kingdom', 'UK', 'U.S.', 'Korea, Republic of' (Salesforce's ISO picklist), '+49' or
'49' (a calling code). The names come from phonenumbers (its region codes, and each region's
name in some twenty languages, the data its geocoder ships), and what it lacks (ISO alpha-3
codes, ISO official names, common spellings such as 'UK') from ``data/countries.toml``.

The index is built once per process, on first use: only an import of a file with a country
column pays for it (phonenumbers' geocoder, which the importer loads for North American
numbers anyway, already holds the names).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache

import phonenumbers

from dialdeck import paths

DATA_FILE = "countries.toml"
_PUNCTUATION = re.compile(r"[^\w\s]")
_CALLING_CODE = re.compile(r"\+?\s*(\d{1,3})")
ENGLISH = "aa"  # phonenumbers' locale data keeps each region's default (English) name under 'aa'


def normalize(text: str) -> str:
    """'Côte d'Ivoire' -> 'cote divoire', 'The Netherlands' -> 'netherlands', 'U.S.' -> 'us'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = _PUNCTUATION.sub("", plain.casefold().replace("&", " and ")).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


@lru_cache(maxsize=4096)
def region_of(text: str) -> str | None:
    """The ISO alpha-2 region a country cell names ('Germany' -> 'DE'), None if none.

    A calling code ('+49', '44') names the main region of that code ('+1' -> 'US').
    """
    code = _CALLING_CODE.fullmatch(text.strip())
    if code:
        region = phonenumbers.region_code_for_country_code(int(code.group(1)))
        return None if region == phonenumbers.UNKNOWN_REGION else region
    return _index().get(normalize(text))


def name_of(region: str) -> str:
    """'DE' -> 'Germany': the English name, for messages; the code itself if unknown."""
    from phonenumbers.geodata.locale import LOCALE_DATA

    return _locale_name(LOCALE_DATA.get(region, {}), ENGLISH) or region


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Every known spelling, normalized -> region. Where two regions claim one spelling, the
    earlier source wins: codes, then dialdeck's data, then English names, then other languages;
    a spelling two other-language names give to different regions is dropped as ambiguous."""
    from phonenumbers.geodata.locale import LOCALE_DATA

    regions = set(phonenumbers.SUPPORTED_REGIONS) | set(LOCALE_DATA)
    index: dict[str, str] = {normalize(region): region for region in regions}
    data = _data()
    for table in ("alpha_3", "iso_names", "crm_spellings"):
        for spelling, region in data.get(table, {}).items():
            index.setdefault(normalize(spelling), region)
    for region in regions:
        name = _locale_name(LOCALE_DATA.get(region, {}), ENGLISH)
        if name:
            index.setdefault(normalize(name), region)
    others: dict[str, set[str]] = {}
    for region in regions:
        names = LOCALE_DATA.get(region, {})
        for language in names:
            name = _locale_name(names, language)
            if name:
                others.setdefault(normalize(name), set()).add(region)
    for spelling, found in others.items():
        if len(found) == 1:
            index.setdefault(spelling, next(iter(found)))
    index.pop("", None)
    return index


def _locale_name(names: dict[str, str], language: str) -> str | None:
    """A region's name in ``language``; phonenumbers writes '*xx' for 'the same as in xx'."""
    name = names.get(language)
    seen = 0
    while name and name.startswith("*") and seen < 8:
        name, seen = names.get(name[1:]), seen + 1
    return None if not name or name.startswith("*") else name


def _data() -> dict[str, dict[str, str]]:
    with (paths.package_dir() / "data" / DATA_FILE).open("rb") as handle:
        return tomllib.load(handle)
