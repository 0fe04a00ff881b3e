"""Real CRM exports without a mapping step: country and state columns, extensions, several
numbers per contact, the headers CRMs really write, and a rejects file imported again.

Each test starts from an example of issue 7 ("Import: real CRM exports without a mapping step").
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialdeck import countries, phones
from dialdeck.clock import UTC
from dialdeck.importer import (
    FIELD_HEADERS,
    IGNORED_HEADERS,
    PHONE_LABELS,
    RECOGNISED_HEADERS,
    REJECTS_COLUMNS,
    ExportReader,
    field_of_header,
    normalize_header,
    read_prospects,
    write_rejects,
)

README = Path(__file__).parents[1] / "README.md"


def read(path: Path, **options):
    options.setdefault("default_region", "US")
    options.setdefault("rep_zone", "America/New_York")
    return read_prospects(path, **options)


def write(tmp_path: Path, header: list[str], *rows: list[str], name: str = "export.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# ---- the country column -----------------------------------------------------------------------


def test_a_hubspot_country_reads_a_german_national_number(tmp_path):
    path = write(tmp_path, ["First Name", "Last Name", "Phone Number", "Country/Region"],
                 ["Jonas", "Weber", "030 901820", "Germany"])
    parsed = read(path)  # the import's own region is US: the row's country wins for this row
    assert parsed.errors == [] and parsed.warnings == []
    (row,) = parsed.rows
    assert (row.phone.e164, row.phone.region, row.timezone) == ("+4930901820", "DE", "Europe/Berlin")


def test_argentina_is_not_read_as_a_swiss_number_through_the_us_011_prefix(tmp_path):
    path = write(tmp_path, ["First Name", "Phone Number", "Country/Region"], ["Lucia", "011 4123-4567", "Argentina"])
    (row,) = read(path).rows
    assert (row.phone.e164, row.phone.region) == ("+541141234567", "AR")
    assert row.timezone == "America/Buenos_Aires"
    # Without the country the same cell is the US international prefix 011, then +41 (Switzerland).
    bare = write(tmp_path, ["First Name", "Phone Number"], ["Lucia", "011 4123-4567"], name="bare.csv")
    assert [error.field for error in read(bare).errors] == ["phone"]


def test_a_salesforce_mailing_country_reads_a_london_number(tmp_path):
    path = write(tmp_path, ["First Name", "Last Name", "Phone", "Mailing Country"],
                 ["Oliver", "Bennett", "020 7946 0958", "United Kingdom"])
    (row,) = read(path).rows
    assert (row.phone.e164, row.phone.region, row.timezone) == ("+442079460958", "GB", "Europe/London")


@pytest.mark.parametrize(
    ("cell", "region"),
    [("United States", "US"), ("USA", "US"), ("U.S.", "US"), ("U.S.A.", "US"), ("us", "US"), ("UK", "GB"),
     ("United Kingdom", "GB"), ("Great Britain", "GB"), ("England", "GB"), ("GBR", "GB"), ("Deutschland", "DE"),
     ("DEU", "DE"), ("de", "DE"), ("Allemagne", "DE"), ("+49", "DE"), ("44", "GB"), ("The Netherlands", "NL"),
     ("Korea, Republic of", "KR"), ("Côte d'Ivoire", "CI"), ("Ireland", "IE"), ("Canada", "CA"), ("ARG", "AR")],
)
def test_country_names_codes_and_crm_spellings(cell, region):
    assert countries.region_of(cell) == region


def test_every_region_phonenumbers_knows_is_found_by_its_code_and_english_name():
    import phonenumbers
    from phonenumbers.geodata.locale import LOCALE_DATA

    for region in phonenumbers.SUPPORTED_REGIONS:
        assert countries.region_of(region) == region
        assert countries.region_of(region.lower()) == region
        name = countries.name_of(region)
        if region in LOCALE_DATA and name != region:
            assert countries.region_of(name) == region, (region, name)


def test_every_alpha_3_code_of_the_data_file_is_a_region_phonenumbers_knows():
    import phonenumbers

    data = countries._data()
    regions = set(phonenumbers.SUPPORTED_REGIONS)
    # ISO lists a few places no telephone plan has (Antarctica, Bouvet Island...): they may map nowhere useful.
    unknown = {code for code in data["alpha_3"].values() if code not in regions}
    assert unknown <= {"AQ", "BV", "GS", "HM", "PN", "TF", "UM"}
    assert all(region in regions for region in data["crm_spellings"].values())


def test_a_number_from_another_country_is_imported_by_the_number_with_a_warning(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Country"], ["Hana", "+44 20 7946 0321", "Germany"])
    parsed = read(path)
    (row,) = parsed.rows
    assert row.phone.region == "GB"
    assert parsed.warnings == [
        "line 2: country 'Germany' (DE) does not match phone +44 20 7946 0321 (GB); imported as a GB number"]


def test_a_canadian_row_with_a_us_area_code_is_imported_as_us_with_a_warning(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Country"], ["Ann", "(305) 555-0142", "Canada"])
    parsed = read(path)
    assert parsed.rows[0].phone.region == "US"
    assert parsed.warnings == [
        "line 2: country 'Canada' (CA) does not match phone +1 305-555-0142 (US); imported as a US number"]


def test_an_unknown_country_is_a_warning_and_the_imports_region_reads_the_number(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Country"], ["Ann", "(305) 555-0142", "Narnia"])
    parsed = read(path)
    assert parsed.rows[0].phone.e164 == "+13055550142"
    assert parsed.warnings == [
        "line 2: country 'Narnia' is not a country dialdeck knows; numbers read as US (the import's region)"]


def test_a_mixed_us_uk_de_file_with_country_columns_imports_in_one_pass(tmp_path):
    path = write(
        tmp_path, ["First Name", "Last Name", "Phone Number", "Country/Region", "State/Region"],
        ["Megan", "Holloway", "(305) 555-0142", "United States", "FL"],
        ["Oliver", "Bennett", "020 7946 0958", "United Kingdom", ""],
        ["Jonas", "Weber", "030 901820", "Germany", ""],
        ["Daniel", "Okafor", "312 555 0188", "USA", "Illinois"],
        ["Owen", "Price", "0161 496 0872", "UK", ""],
        ["Hannah", "Becker", "089 1234567", "DE", ""],
    )
    parsed = read(path)
    assert parsed.errors == [] and parsed.warnings == []
    assert [row.phone.region for row in parsed.rows] == ["US", "GB", "DE", "US", "GB", "DE"]
    assert [row.phone.subdivision for row in parsed.rows][:4:3] == ["US-FL", "US-IL"]


def test_slash_dates_follow_the_rows_country(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Country", "Appointment"],
                 ["Oliver", "020 7946 0958", "United Kingdom", "05/11/2026 09:30"],
                 ["Megan", "(305) 555-0142", "United States", "05/11/2026 09:30"])
    oliver, megan = read(path, default_region="US").rows
    assert oliver.appointment_at == datetime(2026, 11, 5, 9, 30, tzinfo=UTC)  # 5 November in London
    assert megan.appointment_at == datetime(2026, 5, 11, 13, 30, tzinfo=UTC)  # 11 May in Miami


# ---- the state column ---------------------------------------------------------------------------


def test_a_state_that_disagrees_with_the_area_code_keeps_the_numbers_state_with_a_warning(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "State"], ["Sam", "(305) 555-0142", "NY"])
    parsed = read(path)
    assert parsed.rows[0].phone.subdivision == "US-FL"  # Florida's 8 p.m. rule still applies
    assert parsed.warnings == [
        "line 2: state 'NY' (US-NY) does not match phone +1 305-555-0142 (US-FL); imported with the number's state"]


@pytest.mark.parametrize("cell", ["FL", "Florida", "fl", " florida "])
def test_a_state_that_agrees_is_silent(tmp_path, cell):
    path = write(tmp_path, ["First Name", "Phone", "State/Region"], ["Sam", "(305) 555-0142", cell])
    parsed = read(path)
    assert parsed.warnings == [] and parsed.rows[0].phone.subdivision == "US-FL"


def test_a_state_gives_a_toll_free_number_its_state(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Mailing State/Province", "Time Zone"],
                 ["Tex", "1-800-555-0127", "Texas", "America/Chicago"])
    parsed = read(path)
    assert parsed.rows[0].phone.subdivision == "US-TX"  # so Texas's calling-hour rule applies
    assert parsed.warnings == []


def test_an_unknown_state_is_a_warning(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "State"], ["Sam", "(305) 555-0142", "Floridaa"])
    parsed = read(path)
    assert parsed.rows[0].phone.subdivision == "US-FL"
    assert parsed.warnings == ["line 2: state 'Floridaa' is not a US state; ignored"]


def test_a_state_column_is_not_checked_outside_north_america(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Country", "State"], ["Jonas", "030 901820", "Germany", "Berlin"])
    assert read(path).warnings == []


# ---- extensions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "extension"),
    [("(404) 555-0111 ext. 12", "12"), ("(404) 555-0111 x204", "204"), ("404-555-0111x204", "204"),
     ("(404) 555-0111, 12", "12"), ("+1 404 555 0111 ext 9", "9"), ("(404) 555-0111", "")],
)
def test_extensions_are_kept(tmp_path, cell, extension):
    path = write(tmp_path, ["First Name", "Phone"], ["Megan", cell])
    (row,) = read(path).rows
    assert (row.phone.e164, row.phone.extension) == ("+14045550111", extension)


@pytest.mark.parametrize("cell", ["x204", "204", "ext. 204", "Ext 204", "#204"])
def test_an_extension_column_gives_the_prospects_own_number_its_extension(tmp_path, cell):
    path = write(tmp_path, ["First Name", "Phone", "Mobile", "Extension"],
                 ["Sam", "(305) 555-0142", "(305) 555-0143", cell])
    parsed = read(path)
    assert parsed.warnings == []
    assert [(n.label, n.phone.extension) for n in parsed.rows[0].numbers] == [("phone", "204"), ("mobile", "")]


def test_a_bad_or_conflicting_extension_column_is_a_warning(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Ext"],
                 ["Sam", "(305) 555-0142", "front desk"], ["Ann", "(305) 555-0143 x12", "13"])
    parsed = read(path)
    assert [row.phone.extension for row in parsed.rows] == ["", "12"]
    assert parsed.warnings == [
        "line 2: extension 'front desk' is not an extension (digits, e.g. 204 or x204); ignored",
        "line 3: extension '13' differs from the one in the number (12); kept the number's",
    ]


def test_the_dial_string_carries_the_extension_after_a_pause():
    assert phones.dial_string("+14045550111", "12") == "+14045550111,12"
    assert phones.dial_string("+14045550111", "") == "+14045550111"
    assert phones.format_with_extension("+14045550111", "12") == "+1 404-555-0111 ext. 12"
    assert phones.number_text("+14045550111", "12") == "+14045550111;ext=12"


@given(st.sampled_from(sorted(countries._index().items())), st.sampled_from([str.upper, str.lower, str.title]),
       st.sampled_from(["{}", " {} ", "The {}", "{}."]))
def test_a_known_spelling_is_found_whatever_its_case_and_punctuation(item, case, form):
    spelling, region = item
    if spelling.isdigit():
        return  # digits are calling codes
    assert countries.region_of(form.format(case(spelling))) == region


@given(st.from_regex(r"[0-9]{1,6}", fullmatch=True))
def test_a_recorded_number_reads_back_as_the_same_number_and_extension(extension):
    text = phones.number_text("+14045550111", extension)
    assert phones.split_number(text) == ("+14045550111", extension)
    parsed = phones.parse_phone(text, "US")
    assert (parsed.e164, parsed.extension) == ("+14045550111", extension)


# ---- several numbers per contact ----------------------------------------------------------------


def test_phone_mobile_and_direct_are_all_kept_with_their_labels(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Mobile Phone Number", "Direct Dial"],
                 ["Megan", "(404) 555-0111 ext. 12", "(404) 555-0188", "(404) 555-0190"])
    (row,) = read(path).rows
    assert [(n.label, n.phone.e164, n.phone.extension) for n in row.numbers] == [
        ("phone", "+14045550111", "12"), ("direct", "+14045550190", ""), ("mobile", "+14045550188", "")]
    assert row.phone == row.numbers[0].phone  # the prospect's own number


def test_a_mobile_only_row_is_called_on_its_mobile(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Mobile"], ["Kevin", "", "+1 415 555 0176"])
    (row,) = read(path).rows
    assert [(n.label, n.phone.e164) for n in row.numbers] == [("mobile", "+14155550176")]


def test_a_bad_second_number_is_a_warning_and_the_row_is_kept(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Mobile Phone"], ["Megan", "(404) 555-0111", "555-12"])
    parsed = read(path)
    assert [n.phone.e164 for n in parsed.rows[0].numbers] == ["+14045550111"]
    assert parsed.warnings == [
        "line 2: Mobile Phone: too short for region US ('555-12'); left out, the row's other numbers are kept"]


def test_a_row_with_no_good_number_is_refused_naming_each_column(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Mobile Phone"], ["Megan", "12", "not a number"])
    parsed = read(path)
    assert [str(error) for error in parsed.errors] == [
        "line 2: Phone: too short for region US ('12')",
        "line 2: Mobile Phone: not a phone number ('not a number')",
    ]


def test_the_same_number_in_two_columns_is_kept_once(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Work Phone"], ["Megan", "(404) 555-0111", "+1 404 555 0111"])
    (row,) = read(path).rows
    assert [n.label for n in row.numbers] == ["phone"]


def test_pipedrive_person_columns(tmp_path):
    path = write(tmp_path, ["Person - Name", "Person - Phone - Work", "Person - Phone - Mobile", "Person - Organization"],
                 ["Grace Adeyemi", "(416) 555-0129", "(416) 555-0130", "Maple Ridge Clinics"])
    (row,) = read(path).rows
    assert (row.first_name, row.last_name, row.company) == ("Grace", "Adeyemi", "Maple Ridge Clinics")
    assert [(n.label, n.phone.e164) for n in row.numbers] == [("work", "+14165550129"), ("mobile", "+14165550130")]


# ---- headers ------------------------------------------------------------------------------------


def test_hubspot_lead_status_is_not_a_temperature_and_annual_revenue_not_a_value(tmp_path):
    path = write(tmp_path, ["First Name", "Phone Number", "Lead Status", "Annual Revenue", "Mobile Phone Number"],
                 ["Ann", "(305) 555-0101", "IN_PROGRESS", "5000000", "(305) 555-0102"],
                 ["Bob", "(305) 555-0103", "NEW", "12,000,000", ""])
    parsed = read(path)
    assert parsed.errors == [] and parsed.warnings == []  # no "not warm, hot or cold" warning either
    ann, bob = parsed.rows
    assert (ann.temperature, ann.value, bob.temperature, bob.value) == ("cold", None, "cold", None)
    assert [n.label for n in ann.numbers] == ["phone", "mobile"]


def test_each_recognised_header_reads_as_its_field_and_no_header_means_two_fields():
    seen: dict[str, str] = {}
    for field, headers in RECOGNISED_HEADERS.items():
        for header in headers:
            assert field_of_header(header) == field, header
            assert seen.setdefault(normalize_header(header), field) == field, header
        assert FIELD_HEADERS[field][0] == normalize_header(headers[0])
    for header in IGNORED_HEADERS:
        assert field_of_header(header) is None
    assert set(PHONE_LABELS) <= set(RECOGNISED_HEADERS)


def test_the_readme_lists_every_recognised_header():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Recognised column headers"):]
    section = section[:section.index("\n## ")]
    for field, headers in RECOGNISED_HEADERS.items():
        line = next(line for line in section.splitlines() if line.startswith(f"| `{field}` |"))
        for header in headers:
            assert f"`{header}`" in line, (field, header)
    for header in IGNORED_HEADERS:
        assert f"`{header}`" in section


# ---- a rejects file imported again --------------------------------------------------------------


def _rejects_of(source: Path) -> Path:
    return write_rejects(source, read(source).errors)


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_a_rejects_file_is_imported_again_without_its_own_columns(tmp_path):
    source = write(tmp_path, ["First Name", "Phone", "Country"],
                   ["Ann", "(305) 555-0101", "US"], ["Bad", "555-12", "US"], name="leads.csv")
    rejects = _rejects_of(source)
    assert _header(rejects) == ["First Name", "Phone", "Country", *REJECTS_COLUMNS]
    with ExportReader(rejects) as reader:
        assert reader.columns == ("First Name", "Phone", "Country")
    # Still wrong: its rejects keep one set of line/field/reason.
    again = _rejects_of(rejects)
    assert _header(again) == ["First Name", "Phone", "Country", *REJECTS_COLUMNS]
    # Fixed in a spreadsheet: imports cleanly, nothing of the bookkeeping columns is read.
    text = rejects.read_text(encoding="utf-8").replace("555-12", "(305) 555-0102")
    rejects.write_text(text, encoding="utf-8")
    parsed = read(rejects)
    assert parsed.errors == [] and parsed.warnings == []
    assert [row.phone.e164 for row in parsed.rows] == ["+13055550102"]
    assert "line" not in parsed.rows[0].raw


def test_a_rejects_file_an_older_dialdeck_grew_loses_every_copy(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "line", "field", "reason", "line", "field", "reason"],
                 ["Bad", "555-12", "3", "phone", "too short", "2", "phone", "too short"])
    rejects = _rejects_of(path)
    assert _header(rejects) == ["First Name", "Phone", *REJECTS_COLUMNS]


def test_a_crm_file_with_only_a_reason_column_keeps_it(tmp_path):
    path = write(tmp_path, ["First Name", "Phone", "Reason"], ["Ann", "(305) 555-0101", "asked for a demo"])
    with ExportReader(path) as reader:
        assert reader.columns == ("First Name", "Phone", "Reason")
    assert read(path).rows[0].raw["Reason"] == "asked for a demo"


def test_a_row_longer_than_a_rejects_header_is_still_refused(tmp_path):
    path = tmp_path / "grown.csv"
    path.write_text("First Name,Phone,line,field,reason\nAnn,(305) 555-0101,2,phone,x,extra\n", encoding="utf-8")
    (error,) = read(path).errors
    assert str(error) == "line 2: row: 3 fields, the header has 2"
