"""Reading CRM CSV exports into prospect rows: pure, no database.

The file is read as a stream, one row at a time, so memory does not grow with the file (a
team imports whole exports, a million rows). Every problem names the file's physical line
(the header is line 1), the field and the value, so a rep can fix the file and import again.

How cells are read where CRMs disagree:
- Time zones: IANA names (any case), or the abbreviations and names CRMs, Windows and Rails
  write ('EST', 'Eastern', 'Eastern Time (US & Canada)', 'US/Eastern', 'Pacific Standard
  Time'), read as the zone with its daylight saving time (``ZONE_ALIASES``). Fixed offsets
  ('UTC-5', 'Etc/GMT+5') and abbreviations that name several zones ('IST') are refused.
- Appointments: ISO 8601 ('2026-11-24 14:00', '2026-11-24T14:00:00Z'), '2026-11-24 2:00 PM',
  '24.11.2026 14:00' (day first) and slash dates, read month/day/year when the import's
  default region is US or CA ('11/24/2026 2:00 PM') and day/month/year otherwise; a date that
  is not valid in that order is refused, never guessed. No offset = the prospect's zone.
- A row with more cells than the header (an unquoted '$12,500') is refused: its columns
  would be shifted. Fewer cells are blank trailing fields.
- A malformed e-mail is a warning and left blank: it must not keep the prospect from being
  called. A row repeating an earlier row's phone or e-mail is a warning (``RepeatedContacts``).
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dialdeck.clock import UTC
from dialdeck.errors import ImportFileError
from dialdeck.phones import InvalidPhone, PhoneInfo, format_international, parse_phone

# Each field's header names, normalized (lowercase, letters and digits only), in the order
# of preference when a file has several of them (a "Phone" beats a "Mobile" on the same row).
FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    "first_name": ("firstname", "givenname", "first", "forename"),
    "last_name": ("lastname", "surname", "familyname", "last"),
    "full_name": ("fullname", "name", "contactname", "contact"),
    "company": ("company", "companyname", "accountname", "organization", "organisation", "account"),
    "phone": ("phone", "phonenumber", "directphone", "workphone", "businessphone", "telephone",
              "tel", "mobilephone", "mobile", "cellphone", "cell"),
    "email": ("email", "emailaddress", "mail"),
    "timezone": ("timezone", "tz", "timezonename", "zone"),
    "temperature": ("temperature", "leadtemperature", "leadstatus", "rating"),
    "value": ("value", "dealvalue", "amount", "annualrevenue", "dealamount"),
    "cadence": ("cadence", "sequence"),
    "referrer": ("referrer", "referredby", "referral"),
    "referrer_company": ("referrercompany", "referredbycompany", "referralcompany"),
    "appointment": ("appointment", "appointmenttime", "meetingtime", "meeting"),
    "notes": ("notes", "note", "comments"),
    "benefit": ("benefit", "benefitstatement", "valueproposition"),
    "urgent": ("urgent", "isurgent", "urgentflag"),
    "urgent_reason": ("urgentreason", "urgencyreason", "urgency"),
}
_HEADER_FIELD = {name: key for key, names in FIELD_HEADERS.items() for name in names}

WARM_WORDS = frozenset({"warm", "hot"})
COLD_WORDS = frozenset({"cold", ""})
DELIMITERS = (",", ";", "\t")
# Default regions whose slash dates are month first ('11/05/2026' = 5 November); elsewhere
# day first (11 May).
MONTH_FIRST_REGIONS = frozenset({"US", "CA"})


@dataclass(frozen=True)
class ProspectRow:
    line: int  # the file's physical line where the row starts (header = line 1)
    first_name: str
    last_name: str
    company: str
    phone: PhoneInfo
    email: str
    timezone: str  # IANA name
    tz_source: str  # "file", "number" or "rep" (a fallback: flag it)
    temperature: str  # "warm" or "cold"
    value: float | None
    cadence: str | None
    referrer: str
    referrer_company: str
    appointment_at: datetime | None  # UTC
    notes: str
    raw: dict[str, str]
    warnings: tuple[str, ...] = ()  # "line 9: phone ...: ...; using the rep's zone ..."


@dataclass(frozen=True)
class RowError:
    """One problem with one row. A row with two bad fields gives two RowErrors (same line)."""

    line: int
    field: str
    reason: str
    raw: dict[str, str]

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


@dataclass(frozen=True)
class ParsedFile:
    rows: list[ProspectRow]
    errors: list[RowError]
    warnings: list[str] = field(default_factory=list)

    @property
    def rejected_lines(self) -> list[int]:
        """The lines of the rows refused, each once, in file order."""
        return sorted({error.line for error in self.errors})


@dataclass(frozen=True)
class _Context:
    default_region: str
    rep_zone: str
    cadences: dict[str, str] | None  # normalized name -> the cadence's own name


def read_prospects(path: Path, *, default_region: str, rep_zone: str,
                   known_cadences: Collection[str] | None = None) -> ParsedFile:
    """The whole file parsed: good rows, every problem, every warning."""
    rows: list[ProspectRow] = []
    errors: list[RowError] = []
    warnings: list[str] = []
    for item in iter_prospects(path, default_region=default_region, rep_zone=rep_zone,
                               known_cadences=known_cadences):
        if isinstance(item, RowError):
            errors.append(item)
        else:
            rows.append(item)
            warnings.extend(item.warnings)
    return ParsedFile(rows=rows, errors=errors, warnings=warnings)


def iter_prospects(path: Path, *, default_region: str, rep_zone: str,
                   known_cadences: Collection[str] | None = None) -> Iterator[ProspectRow | RowError]:
    """Streams the file: a ProspectRow per good row, a RowError per problem of a bad row.

    Raises ImportFileError for a file that cannot be used at all (unreadable, not UTF-8, no
    phone column).
    """
    with ExportReader(path) as reader:
        parser = reader.parser(default_region=default_region, rep_zone=rep_zone, known_cadences=known_cadences)
        repeats = RepeatedContacts()
        for line, cells in reader:
            for item in parser.parse(line, cells):
                if type(item) is ProspectRow:
                    warning = repeats.check(line, item.phone.e164, item.email)
                    if warning:
                        item = replace(item, warnings=(*item.warnings, warning))
                yield item


class RepeatedContacts:
    """Warns about a row that repeats an earlier row of the same file: same E.164, else same
    e-mail (case-insensitive), the keys an import matches on, in that order.

    Rows must be checked in file order. It remembers one line per distinct phone and e-mail,
    so its memory grows with the number of distinct contacts (not with their other cells).
    """

    def __init__(self) -> None:
        self._phones: dict[str, int] = {}
        self._emails: dict[str, int] = {}

    def check(self, line: int, e164: str, email: str) -> str | None:
        email = email.lower()
        earlier = self._phones.get(e164)
        warning = None
        if earlier is not None:
            warning = repeat_warning(line, "phone", earlier, e164)
        elif email and (earlier := self._emails.get(email)) is not None:
            warning = repeat_warning(line, "email", earlier, email)
        self._phones[e164] = line
        if email:
            self._emails[email] = line
        return warning


def repeat_warning(line: int, field_name: str, earlier_line: int, value: str) -> str:
    """'line 7: same phone as line 3 (+13125550101); the later row updates the earlier'."""
    return f"line {line}: same {field_name} as line {earlier_line} ({value}); the later row updates the earlier"


class ExportReader:
    """The file's header and its rows as ``(line, cells)``, read as a stream.

    Split from the parsing of a row so a big import can read in one process and parse in
    others (``parallel_parse``): reading is cheap, parsing phone numbers is not.
    Raises ImportFileError for a file that cannot be used at all, on opening or mid-stream.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.columns: tuple[str, ...] = ()
        self.wanted: dict[str, tuple[int, ...]] = {}
        self._handle = None
        self._reader = None
        self._skipped = 0

    def __enter__(self) -> ExportReader:
        try:
            self._handle = self.path.open("r", encoding="utf-8-sig", newline="")
        except OSError as problem:
            raise ImportFileError(f"{self.path}: cannot read the file ({problem.strerror or problem})") from None
        try:
            with self._file_errors():
                self._read_header()
        except BaseException:
            self._handle.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self._handle.close()

    def parser(self, *, default_region: str, rep_zone: str,
               known_cadences: Collection[str] | None = None) -> RowParser:
        context = _Context(
            default_region=default_region,
            rep_zone=rep_zone,
            cadences=None if known_cadences is None else {_cadence_key(name): name for name in known_cadences},
        )
        return RowParser(self.columns, self.wanted, context)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader, skipped = self._reader, self._skipped
        with self._file_errors():
            last_line = reader.line_num
            for cells in reader:
                start, last_line = last_line + 1, reader.line_num
                if not "".join(cells).strip():
                    continue  # blank lines and rows of empty cells are not prospects
                yield start + skipped, cells

    def _read_header(self) -> None:
        lines, delimiter, self._skipped = _open_lines(self.path, self._handle)
        self._reader = csv.reader(lines, delimiter=delimiter)
        header = next(self._reader, None)
        if header is None:
            raise ImportFileError(f"{self.path}: the file has no header line")
        self.columns = tuple(_unique_names(header))
        self.wanted = _map_columns(self.path, list(self.columns))

    @contextlib.contextmanager
    def _file_errors(self) -> Iterator[None]:
        try:
            yield
        except UnicodeDecodeError:
            reader = self._reader
            near = (reader.line_num + 1 if reader else 1) + self._skipped
            raise ImportFileError(
                f"{self.path}: not UTF-8 text (near line {near}); export or save the file as 'CSV UTF-8'"
            ) from None
        except csv.Error as problem:
            reader = self._reader
            near = (reader.line_num if reader else 1) + self._skipped
            raise ImportFileError(f"{self.path}: line {near}: not a readable CSV row ({problem})") from None


def _open_lines(path: Path, handle) -> tuple[Iterable[str], str, int]:
    """The lines to parse, the delimiter, and how many lines were skipped before the header."""
    first = handle.readline()
    if not first.strip():
        raise ImportFileError(f"{path}: the file is empty (expected a header line such as 'First Name,Phone')")
    # Excel writes a 'sep=;' line first when asked to say which delimiter it used.
    if first.lower().startswith("sep=") and len(first.strip()) == 5:
        return handle, first.strip()[4], 1
    return itertools.chain([first], handle), _delimiter(first), 0


def _delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _unique_names(header: list[str]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = cell.strip() or f"column {index + 1}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def normalize_header(name: str) -> str:
    """'E-mail' -> 'email', 'Phone_Number ' -> 'phonenumber': case, spaces and punctuation ignored."""
    return "".join(char for char in name.lower() if char.isalnum())


_DUPLICATE_SUFFIX = re.compile(r" \(\d+\)$")  # added by _unique_names


_REQUIRED_COLUMNS = (  # (any of these fields, what is missing, how to fix it)
    ({"phone"}, "no phone column", "name one 'Phone', 'Phone Number', 'Mobile Phone' or 'Direct Phone'"),
    ({"first_name", "last_name", "full_name"}, "no name column", "name one 'First Name', 'Last Name' or 'Full Name'"),
)


def _map_columns(path: Path, columns: list[str]) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[tuple[int, int]]] = {}
    for index, name in enumerate(columns):
        header = normalize_header(_DUPLICATE_SUFFIX.sub("", name))
        key = _HEADER_FIELD.get(header)
        if key is not None:
            found.setdefault(key, []).append((FIELD_HEADERS[key].index(header), index))
    # Checked once for the file: a missing column would otherwise fail every row the same way.
    missing = [(what, hint) for keys, what, hint in _REQUIRED_COLUMNS if not found.keys() & keys]
    if missing:
        what = " and ".join(what for what, _ in missing)
        hints = "; ".join(hint for _, hint in missing)
        raise ImportFileError(f"{path}: {what} (found: {', '.join(columns)}); {hints}")
    return {key: tuple(index for _, index in sorted(places)) for key, places in found.items()}


def _raw_row(columns: tuple[str, ...], cells: list[str]) -> dict[str, str]:
    """The row by column name; cells beyond the header keep a 'column N' name of their own."""
    if len(cells) < len(columns):
        cells = cells + [""] * (len(columns) - len(cells))
    elif len(cells) > len(columns):
        columns = (*columns, *(f"column {index + 1}" for index in range(len(columns), len(cells))))
    return dict(zip(columns, cells))


# ---- one row ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowParser:
    """Turns one row's cells into a ProspectRow, or into the RowErrors of a bad row.

    Holds only what the header and the import's options decided, so it pickles small: a big
    import hands one to each worker process and sends it rows by the thousand.
    """

    columns: tuple[str, ...]
    wanted: dict[str, tuple[int, ...]]
    context: _Context

    def parse(self, line: int, cells: list[str]) -> list[ProspectRow | RowError]:
        fields = self.read(line, cells)
        if type(fields) is list:
            return fields
        text, first_name, last_name, phone, zone, source, temperature, value, cadence, appointment_at, warnings = fields
        return [ProspectRow(
            line=line,
            first_name=first_name,
            last_name=last_name,
            company=text.get("company", ""),
            phone=phone,
            email=text.get("email", ""),
            timezone=zone,
            tz_source=source,
            temperature=temperature,
            value=value,
            cadence=cadence,
            referrer=text.get("referrer", ""),
            referrer_company=text.get("referrer_company", ""),
            appointment_at=appointment_at,
            notes=text.get("notes", ""),
            raw=_raw_row(self.columns, cells),
            warnings=warnings,
        )]

    def read(self, line: int, cells: list[str]) -> tuple | list[RowError]:
        """The lean form of ``parse`` for a bulk import, which needs neither a ProspectRow nor
        the raw cells of a good row: a list of RowErrors for a bad row, else the tuple
        (text, first_name, last_name, phone, zone, tz_source, temperature, value, cadence,
        appointment_at, warnings), ``text`` being each field's cell, stripped."""
        if len(cells) > len(self.columns):
            # An unquoted '$12,500' splits a cell: every column after it would be off by one.
            return [RowError(line=line, field="row", reason=f"{len(cells)} fields, the header has {len(self.columns)}",
                             raw=_raw_row(self.columns, cells))]
        problems: list[tuple[str, str]] = []
        warnings: list[str] = []
        context = self.context
        text = _texts(cells, self.wanted)
        email = text.get("email")
        if email and not _EMAIL.fullmatch(email):
            # A bad address must not keep a prospect from being called.
            warnings.append(f"line {line}: email {email!r} is not an e-mail address; left blank")
            text["email"] = ""
        names = _attempt(problems, "name", _names, text)
        phone = _attempt(problems, "phone", _phone, text.get("phone", ""), context.default_region)
        zone, source = _zone(line, text.get("timezone", ""), phone, context, problems, warnings)
        temperature = _temperature(line, text.get("temperature", ""), warnings)
        value = _attempt(problems, "value", _money, text.get("value", ""))
        cadence = _attempt(problems, "cadence", _cadence, text.get("cadence", ""), context.cadences)
        appointment = text.get("appointment", "")
        appointment_at = (_attempt(problems, "appointment", _appointment, appointment, zone, context.default_region)
                          if zone else None)
        if problems:
            raw = _raw_row(self.columns, cells)
            return [RowError(line=line, field=name, reason=reason, raw=raw) for name, reason in problems]
        first_name, last_name = names
        return (text, first_name, last_name, phone, zone, source, temperature, value, cadence, appointment_at,
                tuple(warnings))


def _texts(cells: list[str], wanted: dict[str, tuple[int, ...]]) -> dict[str, str]:
    """Each field's text: the first non-empty cell among its columns, stripped ('' if none)."""
    count = len(cells)
    text: dict[str, str] = {}
    for key, indexes in wanted.items():
        value = ""
        for index in indexes:
            if index < count:
                value = cells[index].strip()
                if value:
                    break
        text[key] = value
    return text


def _attempt(problems: list[tuple[str, str]], field_name: str, parse, *args):
    """``parse(*args)``, or None with the problem noted under ``field_name``."""
    try:
        return parse(*args)
    except ValueError as problem:
        problems.append((field_name, str(problem)))
        return None


def _names(text: dict[str, str]) -> tuple[str, str]:
    first, last = text.get("first_name", ""), text.get("last_name", "")
    if first or last:
        return first, last
    full = " ".join(text.get("full_name", "").split())
    if not full:
        raise ValueError("no name (give a first name, a last name or a full name)")
    given, _, family = full.partition(" ")
    return given, family


def _phone(raw: str, default_region: str) -> PhoneInfo:
    if not raw:
        raise ValueError("missing")
    try:
        return parse_phone(raw, default_region)
    except InvalidPhone as problem:
        raise ValueError(f"{problem} ({raw!r})") from None


def _zone(line: int, given: str, phone: PhoneInfo | None, context: _Context,
          problems: list[tuple[str, str]], warnings: list[str]) -> tuple[str | None, str]:
    if given:
        zone, problem = _zone_cell(given)
        if problem:
            problems.append(("timezone", problem))
        return zone, "file"
    if phone is None:
        return None, "rep"
    if phone.zone is not None:
        return phone.zone, "number"
    warnings.append(
        f"line {line}: phone {format_international(phone.e164)}: the number does not pin one time zone; "
        f"using the rep's zone {context.rep_zone}"
    )
    return context.rep_zone, "rep"


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
_IANA_HINT = "(use an IANA name such as America/New_York)"
# 'UTC-5', 'GMT+05:30', '+0100', 'Etc/GMT+5': a fixed offset, wrong for half the year wherever
# the clocks change.
_FIXED_OFFSET = re.compile(r"(?:utc|gmt|etc/gmt)?\s*[+-]\s*(\d{1,2})(?::?(\d{2}))?")
_ABBREVIATION = re.compile(r"[a-z]{2,5}")
_NOT_PLACES = frozenset({"localtime", "factory"})  # in the zone database, but no prospect's zone


@lru_cache(maxsize=1024)
def _zone_cell(text: str) -> tuple[str | None, str | None]:
    """A time zone cell read: (IANA name, None), or (None, the reason it is refused).

    Cached with the refusals too: a file that repeats a bad zone pays for it once.
    """
    given = text.strip()
    key = " ".join(given.lower().split())
    if key in ZONE_ALIASES:
        return ZONE_ALIASES[key], None
    offset = _FIXED_OFFSET.fullmatch(key)
    if offset and any(digit != "0" for digit in "".join(group or "" for group in offset.groups())):
        return None, f"fixed offset {given!r} ignores daylight saving time {_IANA_HINT}"
    if offset:
        return "UTC", None
    zone = _known_zone(given)
    if zone is not None:
        return zone, None
    if _ABBREVIATION.fullmatch(key):
        return None, f"time zone abbreviation {given!r} is ambiguous {_IANA_HINT}"
    return None, f"unknown time zone {given!r} {_IANA_HINT}"


def _known_zone(name: str) -> str | None:
    if name.lower() in _NOT_PLACES:
        return None
    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return _zones_by_lower().get(name.lower())


def zone_name(text: str) -> str | None:
    """The IANA name for a zone cell ('america/new_york' -> 'America/New_York', 'EST' ->
    'America/New_York'), None if it is unknown, ambiguous or a fixed offset."""
    return _zone_cell(text)[0]


@lru_cache(maxsize=1)
def _zones_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def _temperature(line: int, text: str, warnings: list[str]) -> str:
    word = text.strip().lower()
    if word in WARM_WORDS:
        return "warm"
    if word not in COLD_WORDS:
        warnings.append(f"line {line}: temperature {text!r} is not warm, hot or cold; treated as cold")
    return "cold"


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")  # someone@somewhere.tld: enough to catch typos
_CURRENCY = re.compile(r"[^\d.,\-]")


# A big export repeats the same amounts, appointment slots and cadence names over and over:
# these pure readers are cached (bounded), which also spares ZoneInfo's small cache misses.
@lru_cache(maxsize=4096)
def _money(text: str) -> float | None:
    """'$12,500' -> 12500.0, '12.500,00 €' -> 12500.0, '' -> None. Raises ValueError."""
    if not text:
        return None
    digits = _CURRENCY.sub("", text.replace("USD", "").replace("EUR", "").replace("GBP", ""))
    number = _decimal_text(digits)
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"not an amount ({text!r}; expected e.g. 12500 or $12,500)") from None
    if value < 0:
        raise ValueError(f"negative amount ({text!r})")
    return value


def _decimal_text(digits: str) -> str:
    # Whichever of '.' and ',' comes last is the decimal mark when both appear. A mark used
    # alone is a thousands separator when it repeats or has exactly three digits after it
    # ("12,500", "22.000", "1.250.000"): money has two decimals, never three.
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return digits.replace(thousands, "").replace(decimal, ".")
    for mark in (",", "."):
        if mark in digits:
            groups = digits.split(mark)
            if len(groups) > 2 or len(groups[-1]) == 3:
                return digits.replace(mark, "")
            return digits.replace(mark, ".")
    return digits


@lru_cache(maxsize=1024)
def _cadence_key(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def _cadence(text: str, known: dict[str, str] | None) -> str | None:
    if not text:
        return None
    key = _cadence_key(text)
    if known is None:
        return key
    if key not in known:
        choices = ", ".join(sorted(known.values())) or "none installed"
        raise ValueError(f"unknown cadence {text!r} (known: {choices})")
    return known[key]


_EXAMPLE = "expected e.g. 2026-11-24 14:00"
_DATES = (  # (pattern, the order of its numbers): day/month order for slash dates is the region's
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "slash"),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), "dmy"),
)
_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(?:([ap])\.?\s*m\.?)?", re.IGNORECASE)


URGENT_YES = frozenset({"yes", "y", "true", "1", "x", "urgent"})
URGENT_NO = frozenset({"no", "n", "false", "0"})


def urgent_cells(line: int, flag: str, reason: str) -> tuple[int | None, str, str | None]:
    """(urgent 1/0, or None when the row does not say; the reason; a warning) from the Urgent
    and Urgent Reason cells. A reason alone marks the row urgent."""
    word = flag.strip().lower()
    reason = " ".join(reason.split())
    if word in URGENT_NO:
        return 0, "", None
    if word in URGENT_YES or (not word and reason):
        return 1, reason, None
    if not word:
        return None, "", None
    return None, "", f"line {line}: urgent {flag.strip()!r} is not yes or no; left as it was"


@lru_cache(maxsize=8192)
def _appointment(text: str, zone: str, region: str) -> datetime | None:
    """The agreed time as UTC, '' -> None. Raises ValueError.

    ISO 8601 ('2026-11-24 14:00', '2026-11-24T14:00:00Z', with or without an offset) or what
    CRMs export: '11/24/2026 2:00 PM', '2026-11-24 2:00 PM', '24.11.2026 14:00'. No offset =
    the prospect's zone.
    """
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = _crm_date_time(text, region)
    else:
        if len(text) <= 10:
            raise ValueError(f"{text!r} has no time of day ({_EXAMPLE})")
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)


def _crm_date_time(text: str, region: str) -> datetime:
    month_first = region.upper() in MONTH_FIRST_REGIONS
    date_text, _, clock_text = " ".join(text.split()).partition(" ")
    date_text = date_text.rstrip(",")
    for pattern, order in _DATES:
        found = pattern.fullmatch(date_text)
        if found:
            break
    else:
        raise ValueError(f"not a date and time ({text!r}; {_EXAMPLE})")
    if not clock_text:
        raise ValueError(f"{text!r} has no time of day ({_EXAMPLE})")
    first, second, third = (int(number) for number in found.groups())
    if order == "ymd":
        year, month, day = first, second, third
    elif order == "dmy" or (order == "slash" and not month_first):
        day, month, year = first, second, third
    else:
        month, day, year = first, second, third
    hour, minute, second_ = _clock(text, clock_text)
    try:
        return datetime(year, month, day, hour, minute, second_)
    except ValueError:
        if order == "slash":
            reading = "month/day/year" if month_first else "day/month/year"
            raise ValueError(f"not a valid date ({text!r}; slash dates are {reading} for region {region})") from None
        raise ValueError(f"not a valid date ({text!r})") from None


def _clock(text: str, clock_text: str) -> tuple[int, int, int]:
    """'14:00', '2:00 PM', '2 p.m.', '14:00:30' -> (hour, minute, second). Raises ValueError."""
    found = _CLOCK.fullmatch(clock_text)
    if not found:
        raise ValueError(f"not a date and time ({text!r}; {_EXAMPLE})")
    hour_text, minute_text, second_text, meridiem = found.groups()
    hour, minute, second = int(hour_text), int(minute_text or 0), int(second_text or 0)
    if meridiem:
        valid = 1 <= hour <= 12
        hour = hour % 12 + (12 if meridiem.lower() == "p" else 0)
    else:
        valid = minute_text is not None and hour <= 23  # a bare '14' is not a time
    if not valid or minute > 59 or second > 59:
        raise ValueError(f"not a valid time of day ({text!r})")
    return hour, minute, second


# ---- rejected rows ---------------------------------------------------------------------------


def rejects_path(path: Path) -> Path:
    path = Path(path)
    return path.with_name(f"{path.stem}.rejected.csv")


def write_rejects(path: Path, errors: list[RowError]) -> Path:
    """Writes '<input stem>.rejected.csv' beside the input: the original columns, then the
    line, the field(s) and the reason(s). A row with several problems is written once."""
    target = rejects_path(path)
    merged: dict[int, list[RowError]] = {}
    for error in errors:
        merged.setdefault(error.line, []).append(error)
    columns = list(dict.fromkeys(name for error in errors for name in error.raw))
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*columns, "line", "field", "reason"])
        for line in sorted(merged):
            problems = merged[line]
            raw = problems[0].raw
            writer.writerow([
                *(raw.get(name, "") for name in columns),
                line,
                "; ".join(problem.field for problem in problems),
                "; ".join(problem.reason for problem in problems),
            ])
    return target
