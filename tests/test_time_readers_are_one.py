"""One reader for every time a person types or writes, one table of day names, one business-day
counter: the forms each of the five old readers took are all still read, with the same
refusals, and no module keeps a clock parser or a weekday table of its own."""

import ast
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialdeck import settings, typed_time
from dialdeck.cadence import cadence_from_mapping
from dialdeck.clock import UTC
from dialdeck.errors import CadenceError, InvalidInput
from dialdeck.hours import add_business_days, parse_clock, parse_days
from dialdeck.models import RepProfile
from dialdeck.typed_time import DAY_NAMES, MONTH_NAMES, read_crm_datetime, read_later

SRC = Path(__file__).parents[1] / "src" / "dialdeck"
NEW_YORK = ZoneInfo("America/New_York")
# Wednesday 25 Nov 2026, 10:00 in New York.
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def cadence_step(**timing):
    step = {"action": "call", "voicemail": False, **timing}
    return cadence_from_mapping({"name": "t", "steps": [step]}).steps[0].timing


def cadence_problems(**timing) -> list[str]:
    with pytest.raises(CadenceError) as caught:
        cadence_step(**timing)
    return caught.value.problems


# ---- clock times: every form each old reader took ------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("08:00", time(8)), ("8:00", time(8)), ("23:59", time(23, 59)), (" 09:30 ", time(9, 30)), ("24:00", time.max),
])
def test_calling_hour_rules_read_hh_mm(text, expected):
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["8am", "8", "25:00", "08:60", "08:00:00", "8 pm", "noon"])
def test_calling_hour_rules_refuse_anything_else_in_the_same_words(text):
    with pytest.raises(ValueError) as caught:
        parse_clock(text)
    assert str(caught.value) == f"{text!r} is not a time of day (HH:MM, e.g. 08:00)"


@pytest.mark.parametrize(("value", "expected"), [
    ("16:00", time(16)), ("9:30", time(9, 30)), ("00:00", time(0)), (time(16, 0, 30), time(16)),
])
def test_a_cadence_step_at_reads_hh_mm_and_toml_times(value, expected):
    assert cadence_step(weekday="friday", at=value).at == expected
    assert cadence_step(wait="2 days", at=value).at == expected


@pytest.mark.parametrize("value", ["25:00", "4pm", "16:00:00", "16h", 1600])
def test_a_cadence_step_at_refuses_the_rest_naming_step_and_field(value):
    problems = cadence_problems(wait="2 days", at=value)
    assert problems == [f'<cadence>: step 1: at: {value!r} is not a local time; expected 24-hour "HH:MM", e.g. "16:00"']


@pytest.mark.parametrize(("key", "text", "stored"), [
    ("hours.start", "8am", "08:00"), ("hours.start", "8", "08:00"), ("hours.start", "08:30", "08:30"),
    ("hours.start", "noon", "12:00"), ("hours.start", "midnight", "00:00"), ("hours.end", "8:30 p.m.", "20:30"),
    ("hours.end", "8 PM", "20:00"), ("hours.end", "20:00", "20:00"),
])
def test_settings_read_typed_clock_times(key, text, stored):
    assert settings.normalize(key, text, RepProfile()) == stored


@pytest.mark.parametrize(("text", "expected"), [
    # the session dialog's forms
    ("thu 14:00", "Thu 2026-11-26 14:00"), ("Thursday 2pm", "Thu 2026-11-26 14:00"), ("16:30", "Wed 2026-11-25 16:30"),
    ("9", "Thu 2026-11-26 09:00"), ("2:30 pm", "Wed 2026-11-25 14:30"), ("tomorrow 9am", "Thu 2026-11-26 09:00"),
    ("tomorrow", "Thu 2026-11-26 09:00"), ("today 18:00", "Wed 2026-11-25 18:00"),
    ("2026-11-30 10:15", "Mon 2026-11-30 10:15"), ("noon", "Wed 2026-11-25 12:00"),
    # the CLI's forms
    ("+2h", "Wed 2026-11-25 12:00"), ("+30m", "Wed 2026-11-25 10:30"), ("+1d", "Thu 2026-11-26 10:00"),
    ("in 2h", "Wed 2026-11-25 12:00"), ("in an hour", "Wed 2026-11-25 11:00"),
    ("2026-11-30T10:15-06:00", "Mon 2026-11-30 11:15"),
    # words the phrases say, read back
    ("midnight", "Thu 2026-11-26 00:00"), ("friday at 4 p.m.", "Fri 2026-11-27 16:00"), ("thurs 9:30 a.m.", "Thu 2026-11-26 09:30"),
])
def test_callback_and_snooze_times_read_the_same_from_the_cli_and_the_dialog(text, expected):
    from dialdeck.cli.times import parse_later
    from dialdeck.tui.screens import disposition

    instant = read_later(text, NOW, "America/New_York")
    assert f"{instant.astimezone(NEW_YORK):%a %Y-%m-%d %H:%M}" == expected
    assert parse_later("--callback", text, NOW, "America/New_York") == instant
    assert disposition.read_later is read_later  # the dialog reads with the same function


@pytest.mark.parametrize(("cell", "month_first", "expected"), [
    ("2026-11-24 14:00", True, datetime(2026, 11, 24, 19, tzinfo=UTC)),
    ("2026-11-24T14:00:00Z", True, datetime(2026, 11, 24, 14, tzinfo=UTC)),
    ("11/24/2026 2:00 PM", True, datetime(2026, 11, 24, 19, tzinfo=UTC)),
    ("24/11/2026 14:00", False, datetime(2026, 11, 24, 19, tzinfo=UTC)),
    ("2026-11-24 2:00 PM", True, datetime(2026, 11, 24, 19, tzinfo=UTC)),
    ("24.11.2026 14:00", True, datetime(2026, 11, 24, 19, tzinfo=UTC)),
])
def test_import_appointment_cells(cell, month_first, expected):
    assert read_crm_datetime(cell, NEW_YORK, month_first=month_first) == expected


def test_an_import_cell_still_needs_minutes():
    with pytest.raises(ValueError, match="not a valid time of day"):
        read_crm_datetime("11/24/2026 14", NEW_YORK, month_first=True)


# ---- days of the week ------------------------------------------------------------------------------


@pytest.mark.parametrize(("spelling", "number"), [
    ("monday", 0), ("Mon", 0), ("TUE", 1), ("tues", 1), ("Wednesday", 2), ("thu", 3), ("thur", 3), ("thurs", 3),
    ("friday", 4), ("sat", 5), ("Sunday", 6),
])
def test_every_reader_of_a_day_reads_the_same_spellings(spelling, number):
    assert typed_time.weekday_number(spelling) == number
    assert parse_days(spelling) == {number}  # calling-hour rules and the rep's days
    assert settings.normalize("hours.days", spelling, RepProfile()) == DAY_NAMES[number][:3].lower()
    assert cadence_step(weekday=spelling, at="16:00").weekday == number
    instant = read_later(f"{spelling} 14:00", NOW, NEW_YORK)
    assert instant.astimezone(NEW_YORK).weekday() == number


@pytest.mark.parametrize("word", ["sunshine", "mondays", "wendesday", "tuesd"])
def test_a_word_that_only_starts_like_a_day_is_no_day(word):
    assert typed_time.weekday_number(word) is None
    with pytest.raises(InvalidInput, match=f"hours.days: '{word}': '{word}' is not a day of the week"):
        settings.normalize("hours.days", word, RepProfile())
    assert cadence_problems(weekday=word, at="16:00") == [
        f"<cadence>: step 1: weekday: {word!r} is not a weekday (monday ... sunday)"]


def test_the_reps_days_take_what_the_calling_hours_take():
    profile = RepProfile()
    assert settings.normalize("hours.days", "Monday-Friday, sat", profile) == "mon,tue,wed,thu,fri,sat"
    assert settings.normalize("hours.days", "fri-mon", profile) == "mon,fri,sat,sun"
    assert settings.normalize("hours.days", "weekdays", profile) == "mon,tue,wed,thu,fri"
    assert settings.normalize("hours.days", "all", profile) == "mon,tue,wed,thu,fri,sat,sun"


def _names_of_days_and_months() -> set[str]:
    names = set()
    for name in (*DAY_NAMES, *MONTH_NAMES):
        names |= {name.lower(), name[:3].lower()}
    return names | {"tues", "thur", "thurs"}


def _strings(tree: ast.AST):
    """Every string constant that is not a docstring."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node


def test_the_weekday_table_is_one():
    """Day and month names are written once (typed_time); nothing formats them with the C
    library's ``%a``/``%A``/``%b``/``%B`` (its names follow the process locale)."""
    names = _names_of_days_and_months()
    tables, locale_names = [], []
    for path in sorted(SRC.rglob("*.py")):
        where = path.relative_to(SRC)
        for node in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            if node.value.strip().lower() in names and path.name != "typed_time.py":
                tables.append(f"{where}:{node.lineno}: {node.value!r}")
            if re.search(r"%[aAbB]", node.value):
                locale_names.append(f"{where}:{node.lineno}: {node.value!r}")
    assert tables == []
    assert locale_names == []


def test_no_module_keeps_a_clock_parser_of_its_own():
    # A pattern for hours and minutes ("(\d{1,2}):(\d{2})") lives only in the reader. The truth
    # checker may *find* clock phrases in a script, but reads them with typed_time.read_clock.
    clock_pattern = re.compile(r"\\d\{1,2\}\)?\(?\??:?\(?[?:]*\\d\{2\}|\[01\]\?\\d|strptime")
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "typed_time.py" or path.name == "schema.py":  # the migrations are frozen
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if clock_pattern.search(line) and "_CLOCK = r\"(?:noon|midnight" not in line:
                found.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert found == []


# ---- business days ---------------------------------------------------------------------------------


def test_business_days_skip_the_weekend_and_other_days_count_calling_days():
    friday = date(2026, 11, 27)
    assert add_business_days(friday, 0) == friday
    assert add_business_days(friday, 1) == date(2026, 11, 30)  # Monday
    assert add_business_days(friday, 3) == date(2026, 12, 2)
    # Two calling days on for a rep who calls Monday, Wednesday and Saturday.
    assert add_business_days(friday, 2, frozenset({0, 2, 5})) == date(2026, 11, 30)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 40),
       st.frozensets(st.integers(0, 6), min_size=1))
def test_the_nth_counted_day_after(day, count, days):
    after = add_business_days(day, count, days)
    counted = [day + timedelta(days=n) for n in range(1, (after - day).days + 1)]
    assert sum(d.weekday() in days for d in counted) == count
    assert (count == 0 and after == day) or after.weekday() in days
