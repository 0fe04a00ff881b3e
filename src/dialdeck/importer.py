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
- A cell starting with a quote before a formula sign ("'=...", "'+1 212 555 0101") is read
  without that quote: it is how dialdeck (``csv_guard``) and other tools write such cells so
  a spreadsheet shows them as text, so a rejects file or an export imports as it was written.
- A malformed e-mail is a warning and left blank: it must not keep the prospect from being
  called. A row repeating an earlier row's phone or e-mail is a warning (``RepeatedContacts``).
- Headers: one table (``RECOGNISED_HEADERS``) says which header means which field; it also
  drives ``dialdeck import --columns`` and is listed in the README.
- Phone numbers: every phone column is kept with its label (phone, direct, mobile...), with
  its extension ('ext. 12', 'x204'); a bad number among good ones is a warning. A country
  column reads the row's national numbers ('030 901820' in Germany) and, with a state
  column, checks them: a disagreement is a warning, the number is imported as it says.
- A rejects file's own columns (line, field, reason) are dropped, so it can be fixed and
  imported again as often as needed without growing.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import math
import re
import stat
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO

from dialdeck import countries, typed_time
from dialdeck.csv_guard import guarded_writer, unguard
from dialdeck.errors import ImportFileError
from dialdeck.phones import (
    NANP_REGIONS_WITH_SUBDIVISIONS,
    InvalidPhone,
    PhoneInfo,
    format_international,
    parse_phone,
    subdivision_from_text,
)
from dialdeck.safe_write import replacing

if TYPE_CHECKING:
    import _csv

# Every header the importer recognises, per field, as CRMs and spreadsheets write them (HubSpot,
# Salesforce, Pipedrive...). Matching ignores case, spaces and punctuation ('Phone_Number',
# 'PHONE #', 'E-mail'); within a field, the first header listed wins when a file has several.
# This one table drives the parsing and ``dialdeck import --columns``; the README lists it.
RECOGNISED_HEADERS: dict[str, tuple[str, ...]] = {
    "first_name": ("First Name", "Given Name", "First", "Forename"),
    "last_name": ("Last Name", "Surname", "Family Name", "Last"),
    "full_name": ("Full Name", "Name", "Contact Name", "Contact"),
    "company": ("Company", "Company Name", "Account Name", "Organization", "Organisation", "Organization Name",
                "Account"),
    # Phone numbers, one field per label (PHONE_LABELS). Every phone column is kept; the
    # prospect's own number (the one the queue, calling hours and the do-not-call list go by)
    # is the first valid one in the order of this table.
    "phone": ("Phone", "Phone Number", "Telephone", "Tel", "Primary Phone"),
    "direct": ("Direct Phone", "Direct Dial", "Direct", "Direct Line", "Direct Number"),
    "work": ("Work Phone", "Business Phone", "Office Phone", "Company Phone", "Phone - Work"),
    "mobile": ("Mobile Phone", "Mobile", "Mobile Phone Number", "Mobile Number", "Cell Phone", "Cell",
               "Cell Number", "Phone - Mobile"),
    "home": ("Home Phone", "Home Phone Number", "Phone - Home"),
    "other": ("Other Phone", "Alternate Phone", "Alternative Phone", "Secondary Phone", "Additional Phone",
              "Phone 2", "Phone - Other"),
    # An extension in a column of its own ('204', 'x204'): the prospect's own number's.
    "extension": ("Extension", "Phone Extension", "Ext"),
    "email": ("Email", "Email Address", "Mail", "Email - Work", "Email - Home", "Email - Other"),
    "timezone": ("Time Zone", "TZ", "Time Zone Name", "Zone"),
    # Where the contact is: the country reads the row's national numbers ('030 901820' in
    # Germany) and both check the numbers (a disagreement is a warning naming line and field).
    "country": ("Country", "Country/Region", "Mailing Country", "Country Code", "Billing Country"),
    "state": ("State", "State/Region", "State/Province", "Mailing State/Province", "Mailing State", "Province",
              "Billing State/Province"),
    "temperature": ("Temperature", "Lead Temperature", "Rating"),
    "value": ("Value", "Deal Value", "Amount", "Deal Amount"),
    "cadence": ("Cadence", "Sequence"),
    "referrer": ("Referrer", "Referred By", "Referral"),
    "referrer_company": ("Referrer Company", "Referred By Company", "Referral Company"),
    "appointment": ("Appointment", "Appointment Time", "Meeting Time", "Meeting"),
    "notes": ("Notes", "Note", "Comments"),
    # What scripts may say (issue 8): a benefit the rep wrote, and urgency (yes/no, and why).
    "benefit": ("Benefit", "Benefit Statement", "Value Proposition"),
    "urgent": ("Urgent", "Is Urgent", "Urgent Flag"),
    "urgent_reason": ("Urgent Reason", "Urgency Reason", "Urgency"),
    # The rep who owns the prospect (their queue only); a blank cell: the shared pool.
    "owner": ("Owner", "Owner Name", "Rep", "Assigned Rep"),
}
# The phone fields in the order that picks the prospect's own number; each is the label its
# numbers carry on the card and in the database.
PHONE_LABELS = ("phone", "direct", "work", "mobile", "home", "other")
# Pipedrive writes its person fields as 'Person - Name', 'Person - Phone - Work': the prefix is
# read away when what follows is a recognised header.
HEADER_PREFIXES = ("Person - ",)
# Headers that look like a field but are not it: read as nothing, on purpose.
IGNORED_HEADERS: dict[str, str] = {
    "Lead Status": "a CRM pipeline stage (HubSpot's NEW, OPEN, IN_PROGRESS...), not how warm the lead is",
    "Annual Revenue": "the company's yearly revenue, not what the deal is worth",
}
# The columns a rejects file adds (write_rejects): dropped when that file is imported again,
# so fixing and re-importing it never adds another set.
REJECTS_COLUMNS = ("line", "field", "reason")


def normalize_header(name: str) -> str:
    """'E-mail' -> 'email', 'Phone_Number ' -> 'phonenumber': case, spaces and punctuation ignored."""
    return "".join(char for char in name.lower() if char.isalnum())


# The table above, normalized: each field's header names in order of preference.
FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    key: tuple(dict.fromkeys(normalize_header(header) for header in headers))
    for key, headers in RECOGNISED_HEADERS.items()
}
_HEADER_FIELD = {name: key for key, names in FIELD_HEADERS.items() for name in names}
_PREFIXES = tuple(normalize_header(prefix) for prefix in HEADER_PREFIXES)

WARM_WORDS = frozenset({"warm", "hot"})
COLD_WORDS = frozenset({"cold", ""})
DELIMITERS = (",", ";", "\t")
# The longest cell a field may hold (a longer one refuses its row, naming line and field): notes
# are free text pasted from a CRM, every other field is a name, a number or a word.
NOTE_LIMIT = 1_000_000
CELL_LIMIT = 1_000
CSV_FIELD_LIMIT = 16 * 1024 * 1024  # any cell, read or not; a longer one stops the import
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
    numbers: tuple[RowNumber, ...] = ()  # every number of the row, ``phone`` first


class RowNumber(NamedTuple):
    """One phone number of a row, with the label its column gives it. (A tuple: a big import
    makes one a row, and a frozen dataclass costs several times more to build.)"""

    label: str  # one of PHONE_LABELS
    phone: PhoneInfo
    column: str  # the column it came from, for messages


class RowFields(NamedTuple):
    """One good row read lean (``RowParser.read``), for a bulk import that needs neither a
    ProspectRow nor the row's raw cells. (A tuple: built once a row, cheap to pickle.)"""

    text: dict[str, str]  # each field's cell, stripped (e-mail blanked when not an address)
    first_name: str
    last_name: str
    phone: PhoneInfo  # the prospect's own number: numbers[0]
    timezone: str  # IANA name
    tz_source: str  # "file", "number" or "rep"
    temperature: str
    value: float | None
    cadence: str | None
    appointment_at: datetime | None  # UTC
    warnings: tuple[str, ...]
    numbers: tuple[RowNumber, ...]  # every number of the row, ``phone`` first


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
    reps: dict[str, str] | None = None  # case-folded name -> the rep's own name (None: not checked)


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
                        item = replace(item, warnings=(*item.warnings, warning))  # noqa: PLW2901  the row, warned
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
        self.labels: dict[int, str] = {}  # phone column index -> its label ('mobile')
        self._kept: tuple[int, ...] | None = None  # the header's columns kept, when some are dropped
        self._width = 0  # the header's width before dropping
        self._handle: TextIO | None = None  # open between __enter__ and __exit__
        self._reader: _csv.Reader | None = None  # past the header, once entered
        self._skipped = 0

    def __enter__(self) -> ExportReader:
        try:
            handle = self._handle = self.path.open("r", encoding="utf-8-sig", newline="")
        except OSError as problem:
            raise ImportFileError(f"{self.path}: cannot read the file ({problem.strerror or problem})") from None
        try:
            with self._file_errors():
                self._read_header(handle)
        except BaseException:
            handle.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._handle is not None:
            self._handle.close()

    def parser(self, *, default_region: str, rep_zone: str,
               known_cadences: Collection[str] | None = None,
               known_reps: Collection[str] | None = None) -> RowParser:
        context = _Context(
            default_region=default_region,
            rep_zone=rep_zone,
            cadences=None if known_cadences is None else {_cadence_key(name): name for name in known_cadences},
            reps=None if known_reps is None else {name.casefold(): name for name in known_reps},
        )
        return RowParser(self.columns, self.wanted, context, self.labels)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        rows = self._rows()
        return rows if self._kept is None else _without(rows, self._kept, self._width)

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        reader, skipped = self._reader, self._skipped
        if reader is None:
            raise RuntimeError("ExportReader is read inside its with block")
        with self._file_errors():
            last_line = reader.line_num
            for cells in reader:
                start, last_line = last_line + 1, reader.line_num
                if not "".join(cells).strip():
                    continue  # blank lines and rows of empty cells are not prospects
                yield start + skipped, cells

    def _read_header(self, handle: TextIO) -> None:
        # The csv module's own cap (128 kB) would stop the whole import at one long note; above
        # this one the file is not a CRM export (and the row's line is named).
        csv.field_size_limit(CSV_FIELD_LIMIT)
        lines, delimiter, self._skipped = _open_lines(self.path, handle)
        reader = self._reader = csv.reader(lines, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            raise ImportFileError(f"{self.path}: the file has no header line")
        names = _unique_names(header)
        dropped = _rejects_columns(names)
        if dropped:
            self._kept, self._width = tuple(i for i in range(len(names)) if i not in dropped), len(names)
            names = [names[index] for index in self._kept]
        self.columns = tuple(names)
        self.wanted, self.labels = _map_columns(self.path, list(self.columns))

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


def _open_lines(path: Path, handle: TextIO) -> tuple[Iterable[str], str, int]:
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
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _unique_names(header: list[str]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = unguard(cell.strip()) or f"column {index + 1}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


_DUPLICATE_SUFFIX = re.compile(r" \(\d+\)$")  # added by _unique_names


_REQUIRED_COLUMNS = (  # (any of these fields, what is missing, how to fix it)
    (set(PHONE_LABELS), "no phone column", "name one 'Phone', 'Phone Number', 'Mobile Phone' or 'Direct Phone'"),
    ({"first_name", "last_name", "full_name"}, "no name column", "name one 'First Name', 'Last Name' or 'Full Name'"),
)


def _rejects_columns(names: list[str]) -> set[int]:
    """The indexes of a rejects file's own columns (every copy an older dialdeck added), when
    the header has all three; a CRM file with only a 'Reason' column keeps it."""
    bases = [_DUPLICATE_SUFFIX.sub("", name).strip().lower() for name in names]
    if not set(REJECTS_COLUMNS) <= set(bases):
        return set()
    return {index for index, base in enumerate(bases) if base in REJECTS_COLUMNS}


def field_of_header(name: str) -> str | None:
    """The field a column header is read as ('Mobile Phone Number' -> 'mobile'), None if none."""
    return _HEADER_FIELD.get(_header_key(name))


def _map_columns(path: Path, columns: list[str]) -> tuple[dict[str, tuple[int, ...]], dict[int, str]]:
    """Each field's columns in order of preference, and each phone column's label. Every phone
    label's columns are also gathered, in the order that picks the prospect's own number,
    under 'phone' (a row's numbers are read from there)."""
    found: dict[str, list[tuple[int, int]]] = {}
    labels: dict[int, str] = {}
    for index, name in enumerate(columns):
        key = field_of_header(name)
        if key is None:
            continue
        rank = FIELD_HEADERS[key].index(_header_key(name))
        if key in PHONE_LABELS:
            labels[index] = key
            rank += PHONE_LABELS.index(key) * 100  # a label's headers rank after the labels before it
            key = "phone"
        found.setdefault(key, []).append((rank, index))
    # Checked once for the file: a missing column would otherwise fail every row the same way.
    present = found.keys() | set(labels.values())
    missing = [(what, hint) for keys, what, hint in _REQUIRED_COLUMNS if not present & keys]
    if missing:
        what = " and ".join(what for what, _ in missing)
        hints = "; ".join(hint for _, hint in missing)
        raise ImportFileError(f"{path}: {what} (found: {', '.join(columns)}); {hints}")
    return {key: tuple(index for _, index in sorted(places)) for key, places in found.items()}, labels


def _header_key(name: str) -> str:
    """The normalized header as the table lists it (a Pipedrive prefix read away)."""
    header = normalize_header(_DUPLICATE_SUFFIX.sub("", name))
    if header not in _HEADER_FIELD:
        for prefix in _PREFIXES:
            if header.startswith(prefix) and header[len(prefix):] in _HEADER_FIELD:
                return header[len(prefix):]
    return header


def _without(rows: Iterator[tuple[int, list[str]]], kept: tuple[int, ...],
             width: int) -> Iterator[tuple[int, list[str]]]:
    """The rows without the dropped columns' cells. Cells beyond the header stay, so a row that
    does not fit its header is still refused."""
    for line, cells in rows:
        yield line, [cells[index] for index in kept if index < len(cells)] + cells[width:]


def _raw_row(columns: tuple[str, ...], cells: list[str]) -> dict[str, str]:
    """The row by column name; cells beyond the header keep a 'column N' name of their own."""
    if len(cells) < len(columns):
        cells = cells + [""] * (len(columns) - len(cells))
    elif len(cells) > len(columns):
        columns = (*columns, *(f"column {index + 1}" for index in range(len(columns), len(cells))))
    return dict(zip(columns, map(unguard, cells), strict=True))  # as written, so a rejects file round-trips


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
    labels: dict[int, str] = field(default_factory=dict)  # phone column index -> label

    def parse(self, line: int, cells: list[str]) -> list[ProspectRow | RowError]:
        fields = self.read(line, cells)
        if isinstance(fields, list):
            return list[ProspectRow | RowError](fields)
        text = fields.text
        return [ProspectRow(
            line=line,
            first_name=fields.first_name,
            last_name=fields.last_name,
            company=text.get("company", ""),
            phone=fields.phone,
            email=text.get("email", ""),
            timezone=fields.timezone,
            tz_source=fields.tz_source,
            temperature=fields.temperature,
            value=fields.value,
            cadence=fields.cadence,
            referrer=text.get("referrer", ""),
            referrer_company=text.get("referrer_company", ""),
            appointment_at=fields.appointment_at,
            notes=text.get("notes", ""),
            raw=_raw_row(self.columns, cells),
            warnings=fields.warnings,
            numbers=fields.numbers,
        )]

    def read(self, line: int, cells: list[str]) -> RowFields | list[RowError]:
        """The lean form of ``parse`` for a bulk import: the RowErrors of a bad row, else its
        RowFields."""
        if len(cells) > len(self.columns):
            # An unquoted '$12,500' splits a cell: every column after it would be off by one.
            return [RowError(line=line, field="row", reason=f"{len(cells)} fields, the header has {len(self.columns)}",
                             raw=_raw_row(self.columns, cells))]
        problems: list[tuple[str, str]] = []
        warnings: list[str] = []
        context = self.context
        text = _texts(cells, self.wanted)
        if max(map(len, cells), default=0) > CELL_LIMIT:  # rare: a long cell, perhaps one not read
            oversized = _oversized(text)
            if oversized:
                raw = _raw_row(self.columns, cells)
                return [RowError(line=line, field=name, reason=reason, raw=raw) for name, reason in oversized]
        email = text.get("email")
        if email and not _EMAIL.fullmatch(email):
            # A bad address must not keep a prospect from being called.
            warnings.append(f"line {line}: email {email!r} is not an e-mail address; left blank")
            text["email"] = ""
        names = _attempt(problems, "name", _names, text)
        region, country = context.default_region, None
        if "country" in text or "state" in text:
            region, country = _row_region(line, text.get("country", ""), region, warnings)
        numbers = self._numbers(line, cells, region, problems, warnings)
        if numbers and (country or text.get("state")):
            numbers = _placed(line, numbers, text, country, warnings)
        if numbers and text.get("extension"):
            numbers = _with_extension(line, numbers, text["extension"], warnings)
        phone = numbers[0].phone if numbers else None
        zone, source = _zone(line, text.get("timezone", ""), phone, context, problems, warnings)
        temperature = _temperature(line, text.get("temperature", ""), warnings)
        value = _attempt(problems, "value", _money, text.get("value", ""))
        cadence = _attempt(problems, "cadence", _cadence, text.get("cadence", ""), context.cadences)
        if text.get("owner"):
            text["owner"] = _attempt(problems, "owner", _owner, text["owner"], context.reps) or ""
        appointment = text.get("appointment", "")
        appointment_at = (_attempt(problems, "appointment", _appointment, appointment, zone, region)
                          if zone else None)
        if problems:
            raw = _raw_row(self.columns, cells)
            return [RowError(line=line, field=name, reason=reason, raw=raw) for name, reason in problems]
        first_name, last_name = names
        # No problem means a number was read (a row without one has "phone: missing"), so a zone too.
        assert phone is not None and zone is not None
        return RowFields(text, first_name, last_name, phone, zone, source, temperature, value, cadence,
                         appointment_at, tuple(warnings), numbers)

    def _numbers(self, line: int, cells: list[str], region: str, problems: list[tuple[str, str]],
                 warnings: list[str]) -> tuple[RowNumber, ...]:
        """Every number of the row, each once, the prospect's own first. A bad number among good
        ones is a warning (the prospect can still be called); a row with none is refused."""
        indexes = self.wanted.get("phone", ())
        count = len(cells)
        if len(indexes) == 1:  # most files: one phone column
            index = indexes[0]
            raw = cells[index].strip() if index < count else ""
            phone = _attempt(problems, "phone", _phone, raw, region)
            return (RowNumber(self.labels.get(index, "phone"), phone, self.columns[index]),) if phone else ()
        found: list[RowNumber] = []
        bad: list[tuple[str, str]] = []
        for index in indexes:
            raw = cells[index].strip() if index < count else ""
            if not raw:
                continue
            try:
                info = _phone(raw, region)
            except ValueError as problem:
                bad.append((self.columns[index], str(problem)))  # several phone columns: name the one
                continue
            if not any(n.phone.e164 == info.e164 and n.phone.extension == info.extension for n in found):
                found.append(RowNumber(self.labels.get(index, "phone"), info, self.columns[index]))
        if not found:
            problems.extend(bad or [("phone", "missing")])
            return ()
        for name, reason in bad:
            warnings.append(f"line {line}: {name}: {reason}; left out, the row's other numbers are kept")
        return tuple(found)


def _oversized(text: dict[str, str]) -> list[tuple[str, str]]:
    """(field, reason) for each field whose cell is longer than a field of its kind may be."""
    problems = []
    for name, value in text.items():
        limit = NOTE_LIMIT if name == "notes" else CELL_LIMIT
        if len(value) > limit:
            problems.append((name, f"too long ({len(value):,} characters; at most {limit:,})"))
    return problems


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
                    if value[0] == "'":  # a cell guarded against spreadsheet formulas, as we write them
                        value = unguard(value).strip()
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


def _row_region(line: int, cell: str, default: str, warnings: list[str]) -> tuple[str, str | None]:
    """The region the row's numbers are read in, and the region its country cell names (None:
    blank or unknown, then the import's default region reads them)."""
    if not cell:
        return default, None
    region = countries.region_of(cell)
    if region is None:
        warnings.append(f"line {line}: country {cell!r} is not a country dialdeck knows; "
                        f"numbers read as {default} (the import's region)")
        return default, None
    return region, region


def _placed(line: int, numbers: tuple[RowNumber, ...], text: dict[str, str], country: str | None,
            warnings: list[str]) -> tuple[RowNumber, ...]:
    """The row's numbers checked against its country and state cells. A number is imported as
    it says (a '+44' number is British whatever the row says), with a warning where they
    disagree; a state cell gives a North American number whose area code does not pin one
    (toll-free) its state, which its calling-hour rules follow."""
    if country is not None:
        for number in numbers:
            if number.phone.region != country:
                warnings.append(
                    f"line {line}: country {text['country']!r} ({country}) does not match "
                    f"{_number_name(number, numbers)} {format_international(number.phone.e164)} "
                    f"({number.phone.region}); imported as a {number.phone.region} number")
    state = text.get("state", "")
    if not state:
        return numbers
    first = numbers[0]
    checked = _state_checked(line, state, first.phone, _number_name(first, numbers), warnings)
    return numbers if checked is first.phone else (first._replace(phone=checked), *numbers[1:])


_EXTENSION = re.compile(r"(?:ext(?:ension)?\.?|x|#)?\s*(\d{1,10})", re.IGNORECASE)


def _with_extension(line: int, numbers: tuple[RowNumber, ...], cell: str,
                    warnings: list[str]) -> tuple[RowNumber, ...]:
    """The extension column's digits on the prospect's own number ('x204' -> '204')."""
    found = _EXTENSION.fullmatch(cell.strip())
    first = numbers[0]
    if found is None:
        warnings.append(f"line {line}: extension {cell!r} is not an extension (digits, e.g. 204 or x204); ignored")
        return numbers
    digits, own = found.group(1), first.phone.extension
    if own and own != digits:
        warnings.append(f"line {line}: extension {cell!r} differs from the one in the number ({own}); "
                        "kept the number's")
        return numbers
    return (first._replace(phone=replace(first.phone, extension=digits)), *numbers[1:])


def _number_name(number: RowNumber, numbers: tuple[RowNumber, ...]) -> str:
    return "phone" if len(numbers) == 1 else number.column


def _state_checked(line: int, cell: str, phone: PhoneInfo, name: str, warnings: list[str]) -> PhoneInfo:
    region = phone.region
    if region not in NANP_REGIONS_WITH_SUBDIVISIONS:
        return phone  # states and provinces are known for the US and Canada only
    given = _subdivision_cell(region, cell)
    if given is None:
        kind = "US state" if region == "US" else "Canadian province"
        warnings.append(f"line {line}: state {cell!r} is not a {kind}; ignored")
        return phone
    if phone.subdivision is None:
        return replace(phone, subdivision=given)
    if phone.subdivision != given:
        warnings.append(
            f"line {line}: state {cell!r} ({given}) does not match {name} {format_international(phone.e164)} "
            f"({phone.subdivision}); imported with the number's state")
    return phone


@lru_cache(maxsize=1024)
def _subdivision_cell(region: str, cell: str) -> str | None:
    return subdivision_from_text(region, cell)


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


# The zone reading is typed_time's, shared with ``config set rep.timezone``; the names stay
# importable from here.
ZONE_ALIASES = typed_time.ZONE_ALIASES
_zone_cell = typed_time.zone_cell
zone_name = typed_time.zone_name


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
    if not math.isfinite(value):
        raise ValueError(f"not an amount ({text[:40]!r}…: too large)")
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


def _owner(text: str, known: dict[str, str] | None) -> str:
    """The rep named in an Owner cell, as the rep is named (any case); unknown: ValueError."""
    if known is None:
        return text
    name = known.get(" ".join(text.split()).casefold())
    if name is None:
        raise ValueError(f"no rep named {text!r} (reps: {', '.join(known.values())}; "
                         "add one with: dialdeck reps add NAME)")
    return name


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
    """The agreed time as UTC, '' -> None. Raises ValueError (``typed_time.read_crm_datetime``)."""
    return typed_time.read_crm_datetime(text, zone, month_first=region.upper() in MONTH_FIRST_REGIONS,
                                        region=region)


# ---- rejected rows ---------------------------------------------------------------------------


def rejects_path(path: Path) -> Path:
    """'leads.csv' -> 'leads.rejected.csv' beside it. An input that is not a file of its own
    folder (/dev/stdin, a pipe, a FIFO, /dev/fd/63 from ``<(...)``) gets its rejects file in
    the current directory ('stdin.rejected.csv', 'fd63.rejected.csv'): never in /dev."""
    path = Path(path)
    if _is_own_file(path):
        return path.with_name(f"{path.stem}.rejected.csv")
    name = f"fd{path.stem}" if path.stem.isdigit() else path.stem
    return Path.cwd() / f"{name}.rejected.csv"


def _is_own_file(path: Path) -> bool:
    """A regular file, not reached through /dev or /proc (/dev/stdin is a regular file when
    the shell redirects one into it, but its folder is /dev)."""
    try:
        regular = stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False
    return regular and path.absolute().parts[1:2] not in (("dev",), ("proc",))


def write_rejects(path: Path, errors: list[RowError]) -> Path:
    """Writes '<input stem>.rejected.csv' (see ``rejects_path``): the original columns, then the
    line, the field(s) and the reason(s). A row with several problems is written once. The file
    is replaced, never written through a link (``safe_write``); raises OSError if it cannot be."""
    target = rejects_path(path)
    merged: dict[int, list[RowError]] = {}
    for error in errors:
        merged.setdefault(error.line, []).append(error)
    columns = list(dict.fromkeys(name for error in errors for name in error.raw))
    with replacing(target) as handle:
        writer = guarded_writer(handle)  # no cell a spreadsheet would run as a formula
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
