"""Calling hours: when a prospect may be called in their own time, under the rep's window and
the country and state rules, across DST changes and weekends."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialdeck.clock import UTC
from dialdeck.errors import InvalidInput
from dialdeck.hours import (
    CallingWindow,
    base_window,
    default_rules_path,
    describe_window,
    hours_key,
    is_callable,
    load_rules,
    next_callable,
    parse_days,
    parse_hours_key,
    window_close,
    window_for,
)
from dialdeck.models import RepProfile

NEW_YORK = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")
EVERY_DAY = frozenset(range(7))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: ZoneInfo, *args) -> datetime:
    return datetime(*args, tzinfo=zone)


@pytest.fixture(scope="module")
def rules():
    return load_rules(Path(__file__).parents[1] / "src/dialdeck/data/calling_hours.toml")


@pytest.fixture
def weekdays() -> CallingWindow:
    return base_window(RepProfile())


@pytest.fixture
def all_week() -> CallingWindow:
    return base_window(RepProfile(days="mon,tue,wed,thu,fri,sat,sun"))


# ---- DST ----------------------------------------------------------------------------------------


def test_spring_forward_in_new_york_opens_at_eight_local(all_week):
    # 2026-03-08: clocks jump from 02:00 EST to 03:00 EDT; 08:00 is now 12:00 UTC, not 13:00.
    saturday_late = local(NEW_YORK, 2026, 3, 7, 21, 30)
    assert next_callable(saturday_late, NEW_YORK, all_week) == utc(2026, 3, 8, 12, 0)
    assert not is_callable(utc(2026, 3, 8, 11, 59), NEW_YORK, all_week)
    assert is_callable(utc(2026, 3, 8, 12, 0), NEW_YORK, all_week)


def test_fall_back_in_new_york_closes_at_nine_local(all_week):
    # 2026-11-01: 02:00 EDT becomes 01:00 EST; 21:00 is now 02:00 UTC the next day.
    assert window_close(local(NEW_YORK, 2026, 11, 1, 20, 0), NEW_YORK, all_week) == utc(2026, 11, 2, 2, 0)
    assert is_callable(utc(2026, 11, 2, 1, 59), NEW_YORK, all_week)
    assert not is_callable(utc(2026, 11, 2, 2, 0), NEW_YORK, all_week)


def test_weekday_window_skips_the_dst_sunday(weekdays):
    assert next_callable(local(NEW_YORK, 2026, 3, 6, 22, 0), NEW_YORK, weekdays) == local(NEW_YORK, 2026, 3, 9, 8, 0)
    assert local(NEW_YORK, 2026, 3, 9, 8, 0) == utc(2026, 3, 9, 12, 0)


def test_london_opens_at_eight_local_on_both_sides_of_the_october_change(weekdays):
    # British Summer Time ends on 2026-10-25: 08:00 is 07:00 UTC before and 08:00 UTC after.
    assert next_callable(utc(2026, 10, 23, 5, 0), LONDON, weekdays) == utc(2026, 10, 23, 7, 0)
    assert next_callable(utc(2026, 10, 24, 12, 0), LONDON, weekdays) == utc(2026, 10, 26, 8, 0)
    assert not is_callable(utc(2026, 10, 26, 7, 30), LONDON, weekdays)


def test_london_spring_change(all_week):
    # 2026-03-29 01:00 GMT -> 02:00 BST.
    assert next_callable(utc(2026, 3, 29, 0, 0), LONDON, all_week) == utc(2026, 3, 29, 7, 0)


# ---- weekends --------------------------------------------------------------------------------


def test_friday_evening_moves_to_monday_morning(weekdays):
    friday_late = local(CHICAGO, 2026, 11, 27, 21, 0)
    assert next_callable(friday_late, CHICAGO, weekdays) == local(CHICAGO, 2026, 11, 30, 8, 0)
    assert not is_callable(local(CHICAGO, 2026, 11, 28, 12, 0), CHICAGO, weekdays)
    assert window_close(local(CHICAGO, 2026, 11, 28, 12, 0), CHICAGO, weekdays) is None


# ---- state rules -----------------------------------------------------------------------------


def test_florida_stops_at_eight_pm(weekdays, rules):
    florida = window_for(weekdays, "US", "US-FL", rules)
    assert florida.rule == "US-FL"
    assert is_callable(local(NEW_YORK, 2026, 11, 24, 19, 59), NEW_YORK, florida)
    assert not is_callable(local(NEW_YORK, 2026, 11, 24, 20, 0), NEW_YORK, florida)
    assert window_close(local(NEW_YORK, 2026, 11, 24, 19, 0), NEW_YORK, florida) == local(NEW_YORK, 2026, 11, 24, 20, 0)
    assert next_callable(local(NEW_YORK, 2026, 11, 24, 20, 30), NEW_YORK, florida) == local(NEW_YORK, 2026, 11, 25, 8, 0)
    # The same instant is still fine for a New York number.
    new_york = window_for(weekdays, "US", "US-NY", rules)
    assert new_york.rule == "US"
    assert is_callable(local(NEW_YORK, 2026, 11, 24, 20, 30), NEW_YORK, new_york)


@pytest.mark.parametrize("state", ["US-LA", "US-MS", "US-UT"])
def test_no_sunday_calls_even_when_the_rep_works_weekends(all_week, rules, state):
    window = window_for(all_week, "US", state, rules)
    assert 6 not in window.days
    assert 5 in window.days
    sunday_noon = local(CHICAGO, 2026, 11, 29, 12, 0)
    assert not is_callable(sunday_noon, CHICAGO, window)
    assert next_callable(sunday_noon, CHICAGO, window) == local(CHICAGO, 2026, 11, 30, 8, 0)


def test_louisiana_saturday_ends_at_eight(all_week, rules):
    louisiana = window_for(all_week, "US", "US-LA", rules)
    saturday = local(CHICAGO, 2026, 11, 28, 20, 15)
    assert next_callable(saturday, CHICAGO, louisiana) == local(CHICAGO, 2026, 11, 30, 8, 0)


def test_texas_starts_at_nine_and_on_sunday_at_noon(all_week, rules):
    texas = window_for(all_week, "US", "US-TX", rules)
    assert texas.rule == "US-TX"
    assert not is_callable(local(CHICAGO, 2026, 11, 28, 8, 30), CHICAGO, texas)
    assert is_callable(local(CHICAGO, 2026, 11, 28, 9, 0), CHICAGO, texas)
    assert not is_callable(local(CHICAGO, 2026, 11, 29, 11, 59), CHICAGO, texas)
    assert next_callable(local(CHICAGO, 2026, 11, 29, 9, 0), CHICAGO, texas) == local(CHICAGO, 2026, 11, 29, 12, 0)
    assert window_close(local(CHICAGO, 2026, 11, 29, 13, 0), CHICAGO, texas) == local(CHICAGO, 2026, 11, 29, 21, 0)
    assert describe_window(texas) == "09:00-21:00 Mon-Sun, Sun 12:00-21:00 (US-TX)"


def test_texas_sunday_hours_do_not_matter_to_a_weekday_rep(weekdays, rules):
    texas = window_for(weekdays, "US", "US-TX", rules)
    assert texas.day_hours == ()
    assert (texas.start, texas.end, texas.days) == (time(9), time(21), frozenset(range(5)))


def test_rules_only_narrow_the_reps_window(rules):
    early_bird = base_window(RepProfile(hours_start="07:00", hours_end="20:30", days="mon-sat"))
    us = window_for(early_bird, "US", None, rules)
    assert (us.start, us.end, us.days, us.rule) == (time(8), time(20, 30), frozenset(range(6)), "US")
    late = base_window(RepProfile(hours_start="10:00", hours_end="22:00", days="mon-sat"))
    florida = window_for(late, "US", "US-FL", rules)
    assert (florida.start, florida.end, florida.rule) == (time(10), time(20), "US-FL")


def test_places_without_rules_keep_the_reps_window(weekdays, rules):
    uk = window_for(weekdays, "GB", None, rules)
    assert (uk.start, uk.end, uk.days, uk.rule) == (weekdays.start, weekdays.end, weekdays.days, "default")
    assert window_for(weekdays, None, None, rules).rule == "default"
    # A state without its own rule still gets the federal one.
    assert window_for(weekdays, "US", "US-ZZ", rules).rule == "US"


def test_rules_that_leave_no_time_are_a_clear_error(rules):
    evening_only = base_window(RepProfile(hours_start="20:00", hours_end="21:00"))
    with pytest.raises(InvalidInput, match="US-FL"):
        window_for(evening_only, "US", "US-FL", rules)


def test_window_for_is_cached(weekdays, rules):
    assert window_for(weekdays, "US", "US-FL", rules) is window_for(weekdays, "US", "US-FL", rules)


@settings(max_examples=200, deadline=None)
@given(
    instant=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
    place=st.sampled_from([("US", "US-FL"), ("US", "US-TX"), ("US", "US-LA"), ("US", None), ("GB", None)]),
    zone=st.sampled_from(["America/New_York", "America/Chicago", "Europe/London", "Australia/Sydney"]),
    days=st.sampled_from(["mon-fri", "all", "sat,sun", "mon,wed"]),
)
def test_next_callable_is_always_callable_and_never_earlier(instant, place, zone, days, rules):
    window = window_for(base_window(RepProfile(days=days)), *place, rules)
    moment = next_callable(instant, ZoneInfo(zone), window)
    assert moment >= instant
    assert is_callable(moment, ZoneInfo(zone), window)
    assert moment - instant < timedelta(days=8)


# ---- the rep's window ----------------------------------------------------------------------


def test_base_window_from_the_profile():
    window = base_window(RepProfile(hours_start="09:30", hours_end="18:00", days="mon-thu"))
    assert (window.start, window.end, window.days) == (time(9, 30), time(18), frozenset(range(4)))


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        (RepProfile(hours_start="8am"), "hours_start: '8am' is not a time of day"),
        (RepProfile(hours_end="25:00"), "hours_end: '25:00' is not a time of day"),
        (RepProfile(days="mon,funday"), "days: 'mon,funday': 'funday' is not a day of the week"),
        (RepProfile(days=""), "days: '' names no day of the week"),
        (RepProfile(hours_start="18:00", hours_end="09:00"), "start 18:00 must be before end 09:00"),
    ],
)
def test_bad_profile_values_name_the_setting(profile, message):
    with pytest.raises(InvalidInput) as caught:
        base_window(profile)
    assert message in str(caught.value)


def test_day_lists():
    assert parse_days("mon,tue,wed,thu,fri") == frozenset(range(5))
    assert parse_days("Mon-Fri, Sat") == frozenset(range(6))
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_days("all") == EVERY_DAY
    assert parse_days("sunday") == frozenset({6})


# ---- hours keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "subdivision", "zone", "key"),
    [
        ("US", "US-FL", "America/New_York", "US-FL|America/New_York"),
        ("GB", None, "Europe/London", "GB|Europe/London"),
        (None, None, "America/Chicago", "|America/Chicago"),
    ],
)
def test_hours_keys_round_trip(region, subdivision, zone, key):
    assert hours_key(region, subdivision, zone) == key
    assert parse_hours_key(key) == (region, subdivision, zone)


def test_a_malformed_hours_key_is_refused():
    with pytest.raises(ValueError, match="not an hours key"):
        parse_hours_key("US-FL")


# ---- the rules file ------------------------------------------------------------------------


def test_the_packaged_rules_cite_their_sources(rules):
    assert {"US", "US-FL", "US-OK", "US-MD", "US-WA", "US-TX", "US-LA", "US-MS", "US-UT"} <= set(rules.rules)
    assert all(rule.source for rule in rules.rules.values())
    assert rules.rules["US"].start == time(8) and rules.rules["US"].end == time(21)


def test_default_path_prefers_the_users_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("DIALDECK_CADENCES", str(tmp_path / "cadences"))
    assert default_rules_path().name == "calling_hours.toml"
    assert default_rules_path().parent.name == "data"
    own = tmp_path / "calling_hours.toml"
    own.write_text('[rules.US]\nend = "19:00"\nsource = "house policy"\n', encoding="utf-8")
    assert default_rules_path() == own
    book = load_rules()
    assert book.path == own
    assert set(book.rules) == {"US"}
    window = window_for(base_window(RepProfile()), "US", "US-FL", book)
    assert (window.end, window.rule) == (time(19), "US")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calling_hours.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[rules.US-FL]\nend = "20:00"\n', "rule US-FL: source: every rule must cite the law"),
        ('[rules.US-FL]\nend = "8pm"\nsource = "x"\n', "rule US-FL: end: '8pm' is not a time of day"),
        ('[rules.US-FL]\nstart = "21:00"\nend = "20:00"\nsource = "x"\n', "rule US-FL: start 21:00 must be before end 20:00"),
        ('[rules.US-FL]\nclosed = ["someday"]\nsource = "x"\n', "rule US-FL: closed:"),
        ('[rules.US-FL]\nclosed = "sun"\nsource = "x"\n', "rule US-FL: closed: must be a list"),
        ('[rules.US-TX]\nhours_by_day = { sun = "12:00" }\nsource = "x"\n', "rule US-TX: hours_by_day.sun:"),
        ('[rules.US-FL]\nfinish = "20:00"\nsource = "x"\n', "rule US-FL: unknown field 'finish'"),
        ('[rules.florida]\nsource = "x"\n', "rule florida: the id must be a country code"),
        ("[rules.US\n", "not valid TOML"),
        ('[default]\nstart = "08:00"\n', "unknown top-level key 'default'"),
    ],
)
def test_bad_rule_files_name_the_file_and_the_rule(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(InvalidInput) as caught:
        load_rules(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_a_missing_rules_file_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidInput, match="cannot read calling-hour rules"):
        load_rules(tmp_path / "nope.toml")
