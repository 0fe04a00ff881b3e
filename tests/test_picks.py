"""Snooze and callback quick choices: inside the prospect's calling hours, named by the real day.

From issue 7: "later today" offered 23:06 their time; "tomorrow morning" on a Friday meant Monday.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from dialdeck.clock import UTC
from dialdeck.hours import base_window, is_callable, load_rules, window_for
from dialdeck.models import RepProfile
from dialdeck.phrases import short_when
from dialdeck.picks import (
    callback_picks,
    in_an_hour,
    in_two_days,
    later_today,
    next_morning,
    snooze_picks,
)

NEW_YORK = ZoneInfo("America/New_York")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
RULES = load_rules(Path(__file__).parents[1] / "src/dialdeck/data/calling_hours.toml")
WEEKDAYS = base_window(RepProfile())
ALL_WEEK = base_window(RepProfile(days="mon-sun"))
FLORIDA = window_for(WEEKDAYS, "US", "US-FL", RULES)
# Wednesday 25 Nov 2026, 12:00 in São Paulo (UTC-3), 10:00 in New York (UTC-5).
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def local(zone: ZoneInfo, *args) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


def shown(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


def test_on_a_friday_the_next_morning_is_monday_and_says_so():
    friday = local(NEW_YORK, 2026, 11, 27, 15, 0)
    pick = next_morning(friday, NEW_YORK, WEEKDAYS)
    assert (pick.phrase, shown(pick.at, NEW_YORK)) == ("Monday morning", "Mon 2026-11-30 09:00")
    assert short_when(pick.at, NEW_YORK, friday) == "Mon 09:00"


def test_midweek_the_next_morning_is_tomorrow():
    pick = next_morning(NOW, SAO_PAULO, WEEKDAYS)
    assert (pick.phrase, shown(pick.at, SAO_PAULO)) == ("tomorrow morning", "Thu 2026-11-26 09:00")


def test_a_seven_day_rep_calls_on_saturday_morning():
    friday = local(NEW_YORK, 2026, 11, 27, 15, 0)
    assert next_morning(friday, NEW_YORK, ALL_WEEK).phrase == "tomorrow morning"


def test_later_today_at_2106_is_not_offered_at_2306():
    """The issue's example: 21:06 their time, "later today" offered 23:06."""
    evening = local(NEW_YORK, 2026, 11, 24, 21, 6)
    pick = later_today(evening, NEW_YORK, WEEKDAYS)
    assert pick.at is None
    assert pick.why_not == "their calling hours ended at 21:00"


def test_later_today_late_in_a_florida_afternoon_stays_before_their_close():
    late = local(NEW_YORK, 2026, 11, 24, 18, 45)  # two hours on would be 20:45, past 20:00
    pick = later_today(late, NEW_YORK, FLORIDA)
    assert shown(pick.at, NEW_YORK) == "Tue 2026-11-24 19:30"
    too_late = later_today(local(NEW_YORK, 2026, 11, 24, 19, 15), NEW_YORK, FLORIDA)
    assert (too_late.at, too_late.why_not) == (None, "their calling hours end at 20:00")


def test_later_today_before_their_window_opens_is_the_opening_at_the_earliest():
    dawn = local(NEW_YORK, 2026, 11, 24, 5, 0)
    assert shown(later_today(dawn, NEW_YORK, WEEKDAYS).at, NEW_YORK) == "Tue 2026-11-24 08:00"


def test_later_today_midday_is_two_hours_on():
    assert later_today(NOW, SAO_PAULO, WEEKDAYS).at == NOW + timedelta(hours=2)


def test_in_an_hour_is_not_offered_past_their_close():
    pick = in_an_hour(local(NEW_YORK, 2026, 11, 24, 19, 30), NEW_YORK, FLORIDA)
    assert (pick.at, pick.why_not) == (None, "their calling hours end at 20:00")
    assert in_an_hour(NOW, SAO_PAULO, WEEKDAYS).at == NOW + timedelta(hours=1)


def test_in_two_days_from_a_thursday_is_monday_and_named_so():
    thursday = local(SAO_PAULO, 2026, 11, 26, 12, 0)
    pick = in_two_days(thursday, SAO_PAULO, WEEKDAYS)
    assert (pick.phrase, shown(pick.at, SAO_PAULO)) == ("on Monday", "Mon 2026-11-30 12:00")
    midweek = in_two_days(NOW, SAO_PAULO, WEEKDAYS)
    assert (midweek.phrase, shown(midweek.at, SAO_PAULO)) == ("in two days", "Fri 2026-11-27 12:00")


def test_in_two_days_late_in_the_evening_moves_into_their_hours_and_names_that_day():
    evening = local(NEW_YORK, 2026, 11, 23, 20, 30)  # Monday; Wednesday 20:30 is past Florida's 20:00
    pick = in_two_days(evening, NEW_YORK, FLORIDA)
    assert (pick.phrase, shown(pick.at, NEW_YORK)) == ("on Thursday", "Thu 2026-11-26 08:00")


def test_across_the_autumn_dst_change_the_morning_is_0900_local():
    # New York falls back on Sunday 1 Nov 2026: Monday 09:00 is 14:00 UTC, not 13:00.
    friday = local(NEW_YORK, 2026, 10, 30, 12, 0)
    assert next_morning(friday, NEW_YORK, WEEKDAYS).at == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def test_the_dialogs_get_their_choices_in_order():
    assert [p.phrase for p in snooze_picks(NOW, SAO_PAULO, WEEKDAYS)] == ["later today", "tomorrow morning"]
    assert [p.phrase for p in callback_picks(NOW, SAO_PAULO, WEEKDAYS)] == [
        "in an hour", "tomorrow morning", "in two days"]
    assert snooze_picks(NOW, SAO_PAULO, WEEKDAYS)[0].title == "Later today"


ZONES = st.sampled_from([NEW_YORK, SAO_PAULO, ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Chicago"),
                         ZoneInfo("Australia/Sydney"), ZoneInfo("Europe/London")])
WINDOWS = st.sampled_from([WEEKDAYS, ALL_WEEK, FLORIDA, window_for(ALL_WEEK, "US", "US-TX", RULES),
                           window_for(ALL_WEEK, "US", "US-LA", RULES)])
INSTANTS = st.integers(0, 365 * 24 * 60).map(lambda m: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=m))


@settings(max_examples=300, deadline=None)
@given(INSTANTS, ZONES, WINDOWS)
def test_every_choice_offered_is_ahead_and_inside_their_hours_and_named_truly(now, zone, window):
    today = now.astimezone(zone).date()
    for pick in (*snooze_picks(now, zone, window), *callback_picks(now, zone, window)):
        if pick.at is None:
            assert pick.why_not
            continue
        assert pick.at > now and is_callable(pick.at, zone, window)
        day = pick.at.astimezone(zone)
        if "today" in pick.phrase:
            assert day.date() == today
        if "tomorrow" in pick.phrase:
            assert day.date() == today + timedelta(days=1)
        if "morning" in pick.phrase:
            assert day.hour < 12
        if pick.phrase.startswith("on "):
            assert pick.phrase == f"on {day:%A}"
        if pick.phrase.split(" ")[0] in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                                         "Sunday"):
            assert pick.phrase.startswith(f"{day:%A}")
