"""Every time a person types, read one way: --at, callback and snooze times, clock times in the
settings, zone names and an export's appointment cells (dialdeck.typed_time)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialdeck.clock import UTC
from dialdeck.typed_time import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    read_clock,
    read_crm_datetime,
    read_instant,
    read_later,
    read_zone,
    zone_cell,
)

NEW_YORK = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")
# Wednesday 25 Nov 2026, 10:00 in New York (UTC-5).
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def local(instant: datetime, zone: ZoneInfo = NEW_YORK) -> str:
    return instant.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


# ---- --at --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-24T10:30", datetime(2026, 11, 24, 15, 30, tzinfo=UTC)),  # the rep's zone
        ("2026-11-24 10:30", datetime(2026, 11, 24, 15, 30, tzinfo=UTC)),
        ("2026-11-24T10:30:00-06:00", datetime(2026, 11, 24, 16, 30, tzinfo=UTC)),  # its own offset wins
        ("2026-11-24T15:30Z", datetime(2026, 11, 24, 15, 30, tzinfo=UTC)),
        ("  2026-11-24T10:30  ", datetime(2026, 11, 24, 15, 30, tzinfo=UTC)),
        ("2026-11-24", datetime(2026, 11, 24, 5, 0, tzinfo=UTC)),  # midnight in New York
        ("2026-07-15T10:00", datetime(2026, 7, 15, 14, 0, tzinfo=UTC)),  # summer time
    ],
)
def test_at_is_iso_in_the_reps_zone_unless_it_has_an_offset(text, expected):
    assert read_instant(text, "America/New_York") == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "no time given (e.g. 2026-11-23T14:30 or 2026-11-23T14:30:00-05:00)"),
        ("   ", "no time given"),
        ("tomorrow", "not an ISO-8601 time: 'tomorrow'"),
        ("9999-12-31T23:59", "'9999-12-31T23:59' is outside the years 1900 to 2200"),
        ("0001-01-01T00:00", "'0001-01-01T00:00' is outside the years 1900 to 2200"),
        ("1899-12-31T23:00", "outside the years 1900 to 2200"),
        ("1900-01-01T00:30+01:00", "outside the years 1900 to 2200"),  # 1899 in UTC
    ],
)
def test_at_refuses_empty_unreadable_and_out_of_range_times(text, says):
    with pytest.raises(ValueError, match=_escaped(says)):
        read_instant(text, "America/New_York")


def _escaped(text: str) -> str:
    return re.escape(text)


def test_a_long_bad_value_is_cut_in_the_message():
    with pytest.raises(ValueError) as caught:
        read_instant("x" * 10_000, "UTC")
    assert len(str(caught.value)) < 200


# ---- callbacks and snoozes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a clock time: today, or tomorrow once passed
        ("14:00", "Wed 2026-11-25 14:00"),
        ("2pm", "Wed 2026-11-25 14:00"),
        ("2 PM", "Wed 2026-11-25 14:00"),
        ("2:30 pm", "Wed 2026-11-25 14:30"),
        ("2:30 p.m.", "Wed 2026-11-25 14:30"),
        ("noon", "Wed 2026-11-25 12:00"),
        ("9", "Thu 2026-11-26 09:00"),
        ("9am", "Thu 2026-11-26 09:00"),
        # a day, and a clock time (9:00 when none)
        ("today 16:30", "Wed 2026-11-25 16:30"),
        ("tomorrow", "Thu 2026-11-26 09:00"),
        ("tomorrow 9am", "Thu 2026-11-26 09:00"),
        ("Tomorrow at 2pm", "Thu 2026-11-26 14:00"),
        ("2pm tomorrow", "Thu 2026-11-26 14:00"),
        ("thu", "Thu 2026-11-26 09:00"),
        ("thu 14:00", "Thu 2026-11-26 14:00"),
        ("Thursday 2pm", "Thu 2026-11-26 14:00"),
        ("thu 2:30 pm", "Thu 2026-11-26 14:30"),
        ("wed 16:00", "Wed 2026-11-25 16:00"),  # later today: today
        ("wed 9:00", "Wed 2026-12-02 09:00"),  # already past: next week
        ("2026-11-30", "Mon 2026-11-30 09:00"),
        ("2026-11-30 2pm", "Mon 2026-11-30 14:00"),
        ("nov 30", "Mon 2026-11-30 09:00"),
        ("30 Nov 14:00", "Mon 2026-11-30 14:00"),
        ("December 3rd 10am", "Thu 2026-12-03 10:00"),
        ("3rd of december 10:00", "Thu 2026-12-03 10:00"),
        ("dec 3, 2027 10:00", "Fri 2027-12-03 10:00"),
        ("jan 5", "Tue 2027-01-05 09:00"),  # no year: the next 5 January
        ("nov 25", "Thu 2027-11-25 09:00"),  # today's 9:00 has passed: next year's
        # an instant
        ("2026-11-30T10:15", "Mon 2026-11-30 10:15"),
        ("2026-11-30 10:15", "Mon 2026-11-30 10:15"),
        ("2026-11-30T10:15:00-06:00", "Mon 2026-11-30 11:15"),
    ],
)
def test_callback_and_snooze_forms(text, expected):
    assert local(read_later(text, NOW, "America/New_York")) == expected


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("+30m", timedelta(minutes=30)),
        ("+2h", timedelta(hours=2)),
        ("in 2h", timedelta(hours=2)),
        ("in 2 hours", timedelta(hours=2)),
        ("in 2 hrs", timedelta(hours=2)),
        ("in an hour", timedelta(hours=1)),
        ("in 90m", timedelta(minutes=90)),
        ("in 90 minutes", timedelta(minutes=90)),
        ("+1d", timedelta(days=1)),
        ("in a day", timedelta(days=1)),
        ("in 3 days", timedelta(days=3)),
        ("+1w", timedelta(weeks=1)),
        ("in 2 weeks", timedelta(weeks=2)),
    ],
)
def test_relative_times_count_from_now(text, delta):
    assert read_later(text, NOW, NEW_YORK) == NOW + delta


def test_the_same_words_mean_different_instants_in_each_zone():
    theirs = read_later("thu 14:00", NOW, CHICAGO)
    yours = read_later("thu 14:00", NOW, NEW_YORK)
    assert theirs - yours == timedelta(hours=1)


# ---- DST days: New York leaves summer time on Sunday 1 Nov 2026 and enters it on Sunday 8 Mar 2026


def test_a_weekday_across_the_autumn_change_keeps_the_wall_clock():
    friday = datetime(2026, 10, 30, 16, 0, tzinfo=UTC)  # 12:00 EDT
    assert read_later("mon 9:00", friday, NEW_YORK) == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def test_days_from_now_keep_the_wall_clock_across_a_change_hours_do_not():
    saturday_noon = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 12:00 EDT
    assert local(read_later("in 1 day", saturday_noon, NEW_YORK)) == "Sun 2026-11-01 12:00"  # 25 hours on
    assert local(read_later("in 24 hours", saturday_noon, NEW_YORK)) == "Sun 2026-11-01 11:00"
    spring_saturday = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)  # 12:00 EST
    assert local(read_later("+1d", spring_saturday, NEW_YORK)) == "Sun 2026-03-08 12:00"  # 23 hours on


def test_a_clock_time_on_the_change_day_is_that_days_wall_clock():
    before_dawn = datetime(2026, 3, 8, 6, 0, tzinfo=UTC)  # 01:00 EST, the night the clocks go forward
    assert read_later("10:00", before_dawn, NEW_YORK) == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)  # 10:00 EDT


# ---- refusals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "type a time (e.g. thu 14:00, tomorrow 9am, 16:30, in 2h)"),
        ("soon", "can't read 'soon' as a time (e.g. thu 14:00"),
        ("thu 25:00", "can't read 'thu 25:00' as a time"),
        ("13pm", "can't read '13pm' as a time"),
        ("blursday 9", "can't read 'blursday 9' as a time"),
        ("feb 30", "can't read 'feb 30' as a time"),
        ("2026-13-01 10:00", "can't read '2026-13-01 10:00' as a time"),
        ("today 08:00", "'today 08:00' is in the past"),
        ("2026-11-01T10:00", "'2026-11-01T10:00' is in the past"),
        ("+99999999d", "'+99999999d' is too far ahead (past the year 2200)"),
        ("in 9999999999999999999 minutes", "is too far ahead"),
        ("+999999999w", "is too far ahead"),
        ("9999-12-31 23:59", "'9999-12-31 23:59' is outside the years 1900 to 2200"),
        ("dec 3 2201", "'dec 3 2201' is outside the years 1900 to 2200"),
    ],
)
def test_unreadable_past_and_far_times_say_what_is_wrong(text, says):
    with pytest.raises(ValueError, match=_escaped(says)):
        read_later(text, NOW, NEW_YORK)


# ---- clock times for the settings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20:00", time(20)), ("8pm", time(20)), ("8 PM", time(20)), ("8:30 p.m.", time(20, 30)),
     ("08:00", time(8)), ("8", time(8)), ("8am", time(8)), ("12am", time(0)), ("12pm", time(12)),
     ("noon", time(12)), (" 9:15 ", time(9, 15))],
)
def test_clock_times(text, expected):
    assert read_clock(text) == expected


@pytest.mark.parametrize("text", ["25:00", "8:75", "13pm", "0am", "eight", "", "20h"])
def test_bad_clock_times_give_examples(text):
    with pytest.raises(ValueError, match=r"is not a time of day \(e\.g\. 08:00, 20:00, 8pm, 8:30 p\.m\.\)"):
        read_clock(text)


# ---- zones ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone"),
    [("America/Chicago", "America/Chicago"), ("america/chicago", "America/Chicago"), ("Central", "America/Chicago"),
     ("CST", "America/Chicago"), ("EST", "America/New_York"), ("Eastern Time (US & Canada)", "America/New_York"),
     ("Pacific Standard Time", "America/Los_Angeles"), ("US/Pacific", "America/Los_Angeles"),
     ("Europe/Paris", "Europe/Paris"), ("UTC", "UTC"), ("  Central  ", "America/Chicago")],
)
def test_zone_names_the_importer_and_the_settings_both_read(text, zone):
    assert read_zone(text) == zone
    assert zone_cell(text) == (zone, None)


@pytest.mark.parametrize(
    ("text", "says"),
    [("IST", "time zone abbreviation 'IST' is ambiguous"), ("UTC-5", "fixed offset 'UTC-5' ignores daylight"),
     ("Mars/Olympus", "unknown time zone 'Mars/Olympus'"), ("America", "unknown time zone 'America'"),
     ("../../etc/passwd", "unknown time zone"), ("", "unknown time zone ''"), ("x" * 500, "unknown time zone")],
)
def test_bad_zones_are_refused_with_a_hint(text, says):
    with pytest.raises(ValueError, match=_escaped(says)) as caught:
        read_zone(text)
    assert str(caught.value).endswith("(use an IANA name such as America/New_York)")
    assert len(str(caught.value)) < 200


# ---- an export's appointment cells -------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["11/24/2026 14:00", "11/24/2026 2:00 PM", "2026-11-24 2:00pm", "24.11.2026 14:00", "2026-11-24T20:00:00Z"])
def test_crm_date_times(cell):
    assert read_crm_datetime(cell, "America/Chicago", month_first=True) == datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize("cell", ["9999-12-31 23:59", "0001-01-01 10:00", "12/31/9999 11:59 PM", "01.01.0001 00:00"])
def test_crm_date_times_outside_the_range_are_refused(cell):
    with pytest.raises(ValueError, match=f"^{_escaped(repr(cell))} is outside the years 1900 to 2200$"):
        read_crm_datetime(cell, "America/New_York", month_first=True)


# ---- properties -------------------------------------------------------------------------------------------

ZONES = st.sampled_from(["America/New_York", "America/Chicago", "Europe/London", "Asia/Kolkata",
                         "Australia/Lord_Howe", "Pacific/Kiritimati", "America/Sao_Paulo"])
INSTANTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2150, 1, 1),
                        timezones=st.just(UTC))
TYPED = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789:+-. apmintdwhourse", max_size=20),
    st.builds(lambda n, unit: f"in {n} {unit}", st.integers(0, 10**30), st.sampled_from(["m", "h", "d", "w", "days"])),
    st.builds(lambda n, unit: f"+{n}{unit}", st.integers(0, 10**30), st.sampled_from(["m", "h", "d", "w"])),
    st.builds(lambda y, rest: f"{y:04d}{rest}", st.integers(1, 9999),
              st.sampled_from(["-01-01 10:00", "-12-31T23:59"])),
)


@settings(max_examples=400, deadline=None)
@given(text=TYPED, now=INSTANTS, zone=ZONES)
def test_a_later_time_is_after_now_and_in_range_or_a_clear_refusal(text, now, zone):
    try:
        instant = read_later(text, now, zone)
    except ValueError as refusal:
        assert str(refusal) and "\n" not in str(refusal)
        return
    assert instant > now and instant.tzinfo is not None
    assert EARLIEST_YEAR <= instant.year <= LATEST_YEAR
    instant.astimezone(ZoneInfo(zone))  # shown in any zone without overflowing


@settings(max_examples=300, deadline=None)
@given(text=TYPED, zone=ZONES)
def test_an_instant_is_in_range_or_a_clear_refusal(text, zone):
    try:
        instant = read_instant(text, zone)
    except ValueError:
        return
    assert EARLIEST_YEAR <= instant.year <= LATEST_YEAR


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30))
def test_clock_and_zone_readers_only_ever_refuse_with_a_value_error(text):
    for reader in (read_clock, read_zone):
        try:
            reader(text)
        except ValueError:
            pass
