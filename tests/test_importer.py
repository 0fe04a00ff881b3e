"""Reading CRM exports: the files reps really have, and every way a row can be wrong."""

from __future__ import annotations

import csv
import gc
import tracemalloc
from datetime import datetime
from pathlib import Path

import pytest

from dialdeck.clock import UTC
from dialdeck.errors import ImportFileError
from dialdeck.importer import (
    ExportReader,
    ProspectRow,
    RowError,
    iter_prospects,
    normalize_header,
    read_prospects,
    write_rejects,
)

FILES = Path(__file__).parent / "csv_files"
SAMPLE = Path(__file__).parents[1] / "sample_data" / "prospects.csv"
CADENCES = ("three-step", "money-in-follow-up", "follow-up-series", "voicemail-challenge", "zero-to-ten")


def read(path: Path, **options):
    options.setdefault("default_region", "US")
    options.setdefault("rep_zone", "America/New_York")
    return read_prospects(path, **options)


def write_csv(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- real exports --------------------------------------------------------------------------


def test_a_hubspot_style_export():
    parsed = read(FILES / "hubspot_export.csv", known_cadences=CADENCES)
    assert parsed.errors == []
    megan, carlos, charlotte = parsed.rows
    assert (megan.line, megan.first_name, megan.last_name, megan.company) == (2, "Megan", "Holloway", "Brightwater Dental")
    assert megan.phone.e164 == "+13055550142"
    assert megan.phone.subdivision == "US-FL"
    assert (megan.timezone, megan.tz_source) == ("America/New_York", "file")
    assert megan.temperature == "warm"
    assert megan.value == 18500.0
    assert megan.cadence == "three-step"
    # 10:00 in New York in late November is 15:00 UTC.
    assert megan.appointment_at == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert megan.raw["Phone Number"] == "(305) 555-0142"

    assert (carlos.timezone, carlos.tz_source) == ("America/Chicago", "number")
    assert carlos.temperature == "warm"  # "Hot"
    assert carlos.cadence == "voicemail-challenge"  # "Voicemail Challenge" in the file
    assert (carlos.referrer, carlos.referrer_company) == ("Sarah Kim", "Evergreen Builders")

    assert (charlotte.timezone, charlotte.tz_source) == ("America/New_York", "rep")
    assert charlotte.temperature == "cold"  # blank
    assert charlotte.value is None
    assert charlotte.cadence is None
    assert charlotte.appointment_at == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # its own offset wins
    assert parsed.warnings == [
        "line 4: phone +1 800-555-0127: the number does not pin one time zone; using the rep's zone America/New_York"
    ]
    assert charlotte.warnings == tuple(parsed.warnings)


def test_bom_semicolons_crlf_and_european_amounts():
    parsed = read(FILES / "salesforce_semicolon_bom.csv", known_cadences=CADENCES)
    assert parsed.errors == []
    hannah, owen = parsed.rows
    assert hannah.first_name == "Hannah"  # the BOM is not part of the first header
    assert (hannah.last_name, hannah.company) == ("Becker", "Alpenblick Software GmbH")
    assert hannah.phone.e164 == "+493023125417"
    assert hannah.email == "hannah@alpenblick.example"
    assert hannah.value == 12500.0  # "12.500,00" under Amount; Annual Revenue is not the deal's value
    assert hannah.temperature == "cold"  # Rating; Lead Status "Working - Contacted" is not a temperature
    assert hannah.cadence == "zero-to-ten"
    assert hannah.notes == "Prefers English; mornings"  # a quoted semicolon stays in the cell
    assert hannah.appointment_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 11:00 Berlin
    assert (owen.line, owen.value, owen.temperature) == (3, 22000.0, "warm")
    assert owen.timezone == "Europe/London"  # "europe/london" in the file, canonicalized


def test_full_names_are_split_and_a_second_phone_column_is_a_fallback():
    parsed = read(FILES / "pipedrive_full_name.csv")
    assert parsed.errors == []
    grace, kevin = parsed.rows
    assert (grace.first_name, grace.last_name, grace.company) == ("Grace", "Adeyemi", "Maple Ridge Clinics")
    assert grace.phone.e164 == "+14165550129"
    assert grace.temperature == "warm"
    assert (kevin.first_name, kevin.last_name) == ("Kevin", "Van Der Berg")
    assert kevin.phone.e164 == "+14155550176"  # from "Mobile" when "Work Phone" is empty
    assert kevin.value == 4200.5


def test_an_excel_sep_line_is_honoured_and_counted():
    parsed = read(FILES / "excel_sep_line.csv")
    assert [row.line for row in parsed.rows] == [3]
    assert [str(error) for error in parsed.errors] == ["line 4: phone: too short for region US ('12')"]


# ---- header synonyms -------------------------------------------------------------------------

SYNONYMS = {
    "first_name": ["First Name", "Given Name", "First", "first_name", "FIRSTNAME"],
    "last_name": ["Last Name", "Surname", "last-name"],
    "company": ["Company", "Company Name", "Account Name", "Organization", "Organisation"],
    "phone": ["Phone", "Phone Number", "Mobile Phone", "Mobile", "Direct Phone", "Work Phone", "phone_number", " PHONE # "],
    "email": ["Email", "E-mail", "Email Address", "E-Mail Address"],
    "timezone": ["Time Zone", "Timezone", "TZ", "time_zone"],
    "temperature": ["Temperature", "Lead Temperature", "Rating"],
    "value": ["Value", "Deal Value", "Amount"],
    "cadence": ["Cadence", "Sequence"],
    "referrer": ["Referrer", "Referred By"],
    "referrer_company": ["Referrer Company", "Referred By Company"],
    "appointment": ["Appointment", "Appointment Time", "Meeting Time"],
    "notes": ["Notes", "Note"],
}
VALUES = {
    "first_name": ("Ann", "first_name", "Ann"),
    "last_name": ("Lee", "last_name", "Lee"),
    "company": ("Acme", "company", "Acme"),
    "phone": ("(305) 555-0101", "phone", None),
    "email": ("ann@acme.example", "email", "ann@acme.example"),
    "timezone": ("America/Chicago", "timezone", "America/Chicago"),
    "temperature": ("Warm", "temperature", "warm"),
    "value": ("$2,500", "value", 2500.0),
    "cadence": ("zero-to-ten", "cadence", "zero-to-ten"),
    "referrer": ("Sam Ortiz", "referrer", "Sam Ortiz"),
    "referrer_company": ("Ortiz Co", "referrer_company", "Ortiz Co"),
    "appointment": ("2026-11-24 09:00", "appointment_at", datetime(2026, 11, 24, 14, 0, tzinfo=UTC)),
    "notes": ("hello", "notes", "hello"),
}


@pytest.mark.parametrize(
    ("key", "header"), [(key, header) for key, headers in SYNONYMS.items() for header in headers]
)
def test_every_header_synonym_is_understood(tmp_path, key, header):
    cell, attribute, expected = VALUES[key]
    columns = {"First Name": "Ann", "Phone": "(305) 555-0101"}
    columns.pop("First Name" if key == "first_name" else "Phone" if key == "phone" else "", None)
    columns[header] = cell
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns.keys())
        writer.writerow(columns.values())
    parsed = read(path)
    assert parsed.errors == []
    (row,) = parsed.rows
    if key == "phone":
        assert row.phone.e164 == "+13055550101"
    else:
        assert getattr(row, attribute) == expected


@pytest.mark.parametrize("header", ["Full Name", "Name", "name"])
def test_full_name_headers(tmp_path, header):
    path = write_csv(tmp_path, f"{header},Phone\nMaria de la Cruz,(305) 555-0101\n")
    (row,) = read(path).rows
    assert (row.first_name, row.last_name) == ("Maria", "de la Cruz")


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("12500", 12500.0), ("$12,500", 12500.0), ("12,500.50", 12500.5), ("12.500,50", 12500.5),
        ("€ 22.000", 22000.0), ("1.250.000", 1250000.0), ("1,250,000", 1250000.0), ("4200.5", 4200.5),
        ("4200,5", 4200.5), ("USD 9,000", 9000.0), ("£7 500", 7500.0), ("", None),
    ],
)
def test_amounts_as_crms_write_them(tmp_path, cell, value):
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["Name", "Phone", "Deal Value"], ["Ann Lee", "(305) 555-0101", cell]])
    assert read(path).rows[0].value == value


def test_header_normalization():
    assert normalize_header(" E-mail Address ") == "emailaddress"
    assert normalize_header("Phone_Number") == "phonenumber"


# ---- every error names line and field ------------------------------------------------------


def test_every_bad_row_is_reported_with_line_field_and_reason():
    parsed = read(FILES / "bad_rows.csv", known_cadences=CADENCES)
    assert [row.line for row in parsed.rows] == [2]
    assert [str(error) for error in parsed.errors] == [
        "line 3: phone: missing",
        "line 4: phone: too short for region US ('555-12')",
        "line 5: timezone: unknown time zone 'Eastern Standard' (use an IANA name such as America/New_York)",
        "line 6: value: not an amount ('lots'; expected e.g. 12500 or $12,500)",
        "line 7: appointment: not a date and time ('next tuesday'; expected e.g. 2026-11-24 14:00)",
        "line 8: cadence: unknown cadence 'twelve-step' (known: follow-up-series, money-in-follow-up, "
        "three-step, voicemail-challenge, zero-to-ten)",
        "line 9: name: no name (give a first name, a last name or a full name)",
        "line 10: timezone: unknown time zone 'Mars/Olympus' (use an IANA name such as America/New_York)",
        "line 10: value: negative amount ('-5')",
    ]
    assert parsed.rejected_lines == [3, 4, 5, 6, 7, 8, 9, 10]
    assert parsed.errors[1].raw["Phone"] == "555-12"


def test_unknown_cadences_are_accepted_when_no_list_is_given():
    parsed = read(FILES / "bad_rows.csv")
    assert not any(error.field == "cadence" for error in parsed.errors)


def test_an_appointment_without_a_time_of_day_is_refused(tmp_path):
    path = write_csv(tmp_path, "Name,Phone,Meeting Time\nAnn Lee,(305) 555-0101,2026-11-24\n")
    (error,) = read(path).errors
    assert str(error) == "line 2: appointment: '2026-11-24' has no time of day (expected e.g. 2026-11-24 14:00)"


def test_an_unknown_temperature_is_cold_with_a_warning(tmp_path):
    path = write_csv(tmp_path, "Name,Phone,Rating\nAnn Lee,(305) 555-0101,Qualified\n")
    parsed = read(path)
    assert parsed.rows[0].temperature == "cold"
    assert parsed.warnings == ["line 2: temperature 'Qualified' is not warm, hot or cold; treated as cold"]


def test_line_numbers_are_physical_lines_across_quoted_newlines_and_blank_lines():
    parsed = read(FILES / "multiline_notes.csv")
    # Ann spans lines 2-4, line 5 is blank.
    assert [(row.line, row.first_name) for row in parsed.rows] == [(2, "Ann"), (6, "Bob")]
    assert parsed.rows[0].notes == "first line\nsecond line\nthird line"
    assert [str(error) for error in parsed.errors] == ["line 7: phone: not a phone number ('not a number')"]


def test_the_default_region_reads_national_numbers(tmp_path):
    path = write_csv(tmp_path, "Name,Phone\nAnn Lee,020 7946 0321\n")
    assert read(path, default_region="GB").rows[0].phone.e164 == "+442079460321"
    assert str(read(path, default_region="US").errors[0]).startswith("line 2: phone: ")


# ---- file-level errors ------------------------------------------------------------------


def test_a_file_without_a_phone_column_names_the_columns_it_found():
    with pytest.raises(ImportFileError) as caught:
        read(FILES / "no_phone_column.csv")
    message = str(caught.value)
    assert "no_phone_column.csv: no phone column" in message
    assert "found: First Name, Last Name, Company, Email" in message


def test_a_non_utf8_file_is_refused_with_a_hint():
    with pytest.raises(ImportFileError) as caught:
        read(FILES / "latin1.csv")
    assert "latin1.csv: not UTF-8 text" in str(caught.value)
    assert "CSV UTF-8" in str(caught.value)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(ImportFileError, match="cannot read the file"):
        read(tmp_path / "nope.csv")
    with pytest.raises(ImportFileError, match="the file is empty"):
        read(write_csv(tmp_path, ""))
    assert read(write_csv(tmp_path, "Name,Phone\n", "header_only.csv")).rows == []


def test_a_nul_byte_is_a_file_error_not_a_traceback(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Name,Phone\nAnn\x00,(305) 555-0101\n")
    try:
        parsed = read(path)
    except ImportFileError as problem:
        assert "nul.csv: line 2" in str(problem)
    else:  # Python 3.13's csv accepts NUL: then the row simply parses.
        assert parsed.rows[0].phone.e164 == "+13055550101"


# ---- rejects ---------------------------------------------------------------------------------


def test_rejected_rows_are_written_beside_the_input_with_reasons(tmp_path):
    source = tmp_path / "bad_rows.csv"
    source.write_bytes((FILES / "bad_rows.csv").read_bytes())
    parsed = read(source, known_cadences=CADENCES)
    target = write_rejects(source, parsed.errors)
    assert target == tmp_path / "bad_rows.rejected.csv"
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "First Name", "Last Name", "Company", "Phone", "Time Zone", "Deal Value", "Cadence", "Appointment Time",
        "line", "field", "reason",
    ]
    assert [row["line"] for row in rows] == ["3", "4", "5", "6", "7", "8", "9", "10"]
    assert rows[1]["Phone"] == "555-12"
    assert rows[1]["reason"] == "too short for region US ('555-12')"
    assert rows[-1]["field"] == "timezone; value"
    # The rejects file is itself importable once fixed: same columns, phone column found.
    assert len(read(target).errors) == 8


# ---- streaming ------------------------------------------------------------------------------


def _big_file(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / f"big_{rows}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "Company", "Phone", "Notes"])
        for index in range(rows):
            writer.writerow([f"Name{index}", "Person", "Co", f"(305) 555-01{index % 100:02d}", "x" * 200])
    return path


def _peak_while_streaming(path: Path) -> tuple[int, int]:
    gc.collect()
    tracemalloc.start()
    count = 0
    for item in iter_prospects(path, default_region="US", rep_zone="America/New_York"):
        assert isinstance(item, ProspectRow)
        count += 1
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return count, peak


def test_streaming_memory_does_not_grow_with_the_file(tmp_path):
    small, large = _big_file(tmp_path, 500), _big_file(tmp_path, 5000)
    _peak_while_streaming(small)  # warm the caches: they are bounded, not per row
    count_small, peak_small = _peak_while_streaming(small)
    count_large, peak_large = _peak_while_streaming(large)
    assert (count_small, count_large) == (500, 5000)
    # Ten times the rows (about 1.2 MB more text) must not cost ten times the memory.
    assert peak_large < peak_small * 2 + 200_000


def test_rows_arrive_before_the_file_is_finished(tmp_path):
    # A broken byte at the very end: the good rows before it are yielded first.
    path = tmp_path / "late_break.csv"
    good = "".join(f"Ann{index},(305) 555-0101\n" for index in range(3000))
    path.write_bytes(b"Name,Phone\n" + good.encode() + b"Jos\xe9,(305) 555-0102\n")
    stream = iter_prospects(path, default_region="US", rep_zone="America/New_York")
    first = next(stream)
    assert isinstance(first, ProspectRow) and first.line == 2
    with pytest.raises(ImportFileError, match="not UTF-8 text"):
        for _ in stream:
            pass


def test_iter_and_read_agree():
    streamed = list(iter_prospects(FILES / "bad_rows.csv", default_region="US", rep_zone="America/New_York"))
    parsed = read(FILES / "bad_rows.csv")
    assert [item for item in streamed if isinstance(item, ProspectRow)] == parsed.rows
    assert [item for item in streamed if isinstance(item, RowError)] == parsed.errors


# ---- the sample data -----------------------------------------------------------------------


def test_the_sample_file_imports_with_zero_errors():
    parsed = read(SAMPLE, known_cadences=CADENCES)
    assert parsed.errors == []
    rows = parsed.rows
    assert 60 <= len(rows) <= 80
    assert {row.cadence for row in rows} == set(CADENCES)
    assert {row.temperature for row in rows} == {"warm", "cold"}
    assert {"US", "CA", "GB", "IE", "DE", "AU", "BR"} <= {row.phone.region for row in rows}
    assert {"US-FL", "US-TX"} <= {row.phone.subdivision for row in rows}
    zones = {row.timezone for row in rows}
    assert {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"} <= zones
    values = [row.value for row in rows if row.value is not None]
    assert min(values) >= 2000 and max(values) <= 250000
    assert {row.tz_source for row in rows} == {"file", "number", "rep"}
    assert len(parsed.warnings) == 1  # the toll-free number


def test_the_sample_has_referrers_and_appointments_where_the_cadences_need_them():
    rows = read(SAMPLE, known_cadences=CADENCES).rows
    for row in rows:
        if row.cadence == "voicemail-challenge":
            assert row.referrer and row.referrer_company, row.line
        if row.cadence in ("three-step", "follow-up-series"):
            assert row.appointment_at is not None, row.line
            assert datetime(2026, 11, 24, tzinfo=UTC) <= row.appointment_at <= datetime(2026, 11, 28, tzinfo=UTC)


def test_the_sample_uses_only_valid_distinct_numbers():
    rows = read(SAMPLE, known_cadences=CADENCES).rows
    numbers = [row.phone.e164 for row in rows]
    assert len(set(numbers)) == len(numbers)
    us_and_canada = [number for number in numbers if number.startswith("+1") and number[2:5] not in ("800", "888")]
    # North American fictional range: NXX 555, lines 0100-0199.
    assert all(number[5:8] == "555" and number[8:10] == "01" for number in us_and_canada)


# ---- time zones as CRMs write them -----------------------------------------------------------


def _one_cell(tmp_path: Path, header: str, cell: str, **options):
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["Name", "Phone", header], ["Ann Lee", "(312) 555-0101", cell]])
    return read(path, **options)


@pytest.mark.parametrize(
    ("cell", "zone"),
    [
        ("EST", "America/New_York"), ("EDT", "America/New_York"), ("ET", "America/New_York"),
        ("Eastern", "America/New_York"), ("Eastern Time (US & Canada)", "America/New_York"),
        ("US/Eastern", "America/New_York"), ("est", "America/New_York"),
        ("Eastern Standard Time", "America/New_York"),
        ("CST", "America/Chicago"), ("CDT", "America/Chicago"), ("CT", "America/Chicago"),
        ("Central", "America/Chicago"),
        ("MST", "America/Denver"), ("MDT", "America/Denver"), ("MT", "America/Denver"),
        ("Mountain", "America/Denver"), ("Arizona", "America/Phoenix"),
        ("PST", "America/Los_Angeles"), ("PDT", "America/Los_Angeles"), ("PT", "America/Los_Angeles"),
        ("Pacific", "America/Los_Angeles"), ("Pacific Time (US & Canada)", "America/Los_Angeles"),
        ("AKST", "America/Anchorage"), ("Alaska", "America/Anchorage"),
        ("HST", "Pacific/Honolulu"), ("Hawaii", "Pacific/Honolulu"),
        ("GMT", "Europe/London"), ("BST", "Europe/London"), ("London", "Europe/London"),
        ("CET", "Europe/Berlin"), ("CEST", "Europe/Berlin"),
        ("AEST", "Australia/Sydney"), ("AEDT", "Australia/Sydney"),
        ("UTC", "UTC"), ("Etc/UTC", "Etc/UTC"), ("america/chicago", "America/Chicago"),
    ],
)
def test_zone_abbreviations_and_crm_names_become_iana_zones(tmp_path, cell, zone):
    parsed = _one_cell(tmp_path, "Time Zone", cell)
    assert parsed.errors == []
    assert (parsed.rows[0].timezone, parsed.rows[0].tz_source) == (zone, "file")


def test_an_est_prospect_is_called_on_new_york_summer_time(tmp_path):
    # zoneinfo's own "EST" is a fixed -05:00: 10:00 in July would be read as 15:00 UTC, an hour off.
    path = tmp_path / "summer.csv"
    path.write_text("Name,Phone,Time Zone,Appointment\nAnn Lee,(312) 555-0101,EST,2026-07-15 10:00\n",
                    encoding="utf-8")
    assert read(path).rows[0].appointment_at == datetime(2026, 7, 15, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("IST", "time zone abbreviation 'IST' is ambiguous"),
        ("BRT", "time zone abbreviation 'BRT' is ambiguous"),
        ("UTC-5", "fixed offset 'UTC-5' ignores daylight saving time"),
        ("GMT+05:30", "fixed offset 'GMT+05:30' ignores daylight saving time"),
        ("Etc/GMT+5", "fixed offset 'Etc/GMT+5' ignores daylight saving time"),
        ("Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_fixed_offsets_and_ambiguous_abbreviations_are_refused_with_a_hint(tmp_path, cell, reason):
    parsed = _one_cell(tmp_path, "Time Zone", cell)
    (error,) = parsed.errors
    assert str(error) == f"line 2: timezone: {reason} (use an IANA name such as America/New_York)"


# ---- appointment formats CRMs export ------------------------------------------------------------

ELEVEN_24_CHICAGO_2PM = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # 14:00 in Chicago (the 312 area code)


@pytest.mark.parametrize(
    "cell",
    ["11/24/2026 14:00", "11/24/2026 2:00 PM", "11/24/2026 2:00 p.m.", "11/24/2026, 2 PM",
     "2026-11-24 2:00 PM", "2026-11-24 2:00pm", "24.11.2026 14:00", "2026-11-24 14:00:00",
     "2026-11-24T14:00:00", "2026-11-24T20:00:00Z"],
)
def test_appointment_formats_crms_export(tmp_path, cell):
    parsed = _one_cell(tmp_path, "Appointment", cell)
    assert parsed.errors == []
    assert parsed.rows[0].appointment_at == ELEVEN_24_CHICAGO_2PM


def test_slash_dates_are_day_first_outside_the_us_and_canada(tmp_path):
    path = tmp_path / "uk.csv"
    path.write_text("Name,Phone,Appointment\nAnn Lee,+44 20 7946 0321,05/11/2026 09:30\n", encoding="utf-8")
    (row,) = read(path, default_region="GB").rows
    assert row.appointment_at == datetime(2026, 11, 5, 9, 30, tzinfo=UTC)  # 5 November, London = UTC
    (row,) = read(path, default_region="CA").rows  # the same cell read month first: 11 May
    assert row.appointment_at == datetime(2026, 5, 11, 8, 30, tzinfo=UTC)  # London on summer time


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("24/11/2026 14:00", "not a valid date ('24/11/2026 14:00'; slash dates are month/day/year for region US)"),
        ("11/24/26 14:00", "not a date and time ('11/24/26 14:00'; expected e.g. 2026-11-24 14:00)"),
        ("31.02.2026 14:00", "not a valid date ('31.02.2026 14:00')"),
        ("2026-11-24 14:75", "not a valid time of day ('2026-11-24 14:75')"),
        ("2026-11-24 14:00 PM", "not a valid time of day ('2026-11-24 14:00 PM')"),
        ("11/24/2026", "'11/24/2026' has no time of day (expected e.g. 2026-11-24 14:00)"),
    ],
)
def test_invalid_appointments_name_line_and_field(tmp_path, cell, reason):
    (error,) = _one_cell(tmp_path, "Appointment", cell).errors
    assert str(error) == f"line 2: appointment: {reason}"


# ---- rows that do not fit the header ----------------------------------------------------------


def test_a_row_with_more_cells_than_the_header_is_refused_not_shifted():
    parsed = read(FILES / "unquoted_amount.csv")
    assert [(row.line, row.value) for row in parsed.rows] == [(2, 12500.0), (4, None)]
    (error,) = parsed.errors
    assert str(error) == "line 3: row: 9 fields, the header has 8"
    # Nothing is lost for the rejects file: the extra cell keeps a column of its own.
    assert (error.raw["Deal Value"], error.raw["Notes"], error.raw["column 9"]) == ("$12", "500", "")
    assert parsed.rows[1].company == "Ng Co" and parsed.rows[1].email == ""  # fewer cells: blanks


# ---- duplicates and bad e-mails ----------------------------------------------------------------


def test_duplicates_within_a_file_and_bad_emails_are_warnings():
    parsed = read(FILES / "crm_repeats.csv")
    assert parsed.errors == []
    assert [row.line for row in parsed.rows] == [2, 3, 4, 5, 6, 7, 8]
    assert parsed.warnings == [
        "line 4: same phone as line 2 (+13125550101); the later row updates the earlier",
        "line 5: same email as line 3 (bob@ray.example); the later row updates the earlier",
        "line 6: email 'bert@bad' is not an e-mail address; left blank",
        "line 7: email 'no-at-sign' is not an e-mail address; left blank",
    ]
    assert [row.email for row in parsed.rows[4:]] == ["", "", ""]
    assert parsed.rows[2].warnings == (parsed.warnings[0],)


def test_iterating_gives_the_same_duplicate_warnings():
    streamed = [item for item in iter_prospects(FILES / "crm_repeats.csv", default_region="US",
                                                rep_zone="America/New_York")]
    assert [w for item in streamed for w in item.warnings] == read(FILES / "crm_repeats.csv").warnings


# ---- headers in another language ---------------------------------------------------------------


def test_a_file_without_a_name_column_names_the_columns_it_found(tmp_path):
    with pytest.raises(ImportFileError) as caught:
        read(FILES / "german_headers.csv")
    message = str(caught.value)
    assert "german_headers.csv: no phone column and no name column" in message
    assert "found: Vorname, Nachname, Firma, Telefon, E-Mail" in message
    path = write_csv(tmp_path, "Vorname,Nachname,Phone\nJonas,Weber,(312) 555-0101\n")
    with pytest.raises(ImportFileError) as caught:
        read(path)
    assert str(caught.value) == (
        f"{path}: no name column (found: Vorname, Nachname, Phone); "
        "name one 'First Name', 'Last Name' or 'Full Name'"
    )


@pytest.mark.parametrize("name", ["crm_repeats.csv", "unquoted_amount.csv", "bad_rows.csv", "hubspot_export.csv"])
def test_the_lean_reader_of_the_bulk_import_agrees_with_the_full_rows(name):
    """The bulk import uses ``RowParser.read``: same errors, warnings and cells as ``parse``
    (duplicates aside: they need the whole file, see RepeatedContacts)."""
    with ExportReader(FILES / name) as reader:
        parser = reader.parser(default_region="US", rep_zone="America/New_York", known_cadences=CADENCES)
        for line, cells in reader:
            full, lean = parser.parse(line, cells), parser.read(line, cells)
            if isinstance(full[0], RowError):
                assert lean == full
                continue
            (row,) = full
            text, first, last, phone, zone, source, temperature, value, cadence, appointment_at, warnings, numbers = lean
            assert (first, last, phone, zone, source, temperature, value, cadence, appointment_at, warnings,
                    numbers) == (
                row.first_name, row.last_name, row.phone, row.timezone, row.tz_source, row.temperature, row.value,
                row.cadence, row.appointment_at, row.warnings, row.numbers)
            assert text.get("email", "") == row.email
