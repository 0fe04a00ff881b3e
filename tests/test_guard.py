"""The guard: may this prospect be called now, and if not, why and from when.

Written from issue 7's examples: a Florida number at 20:30 their time, four busy calls in one
minute; and around them the state rules, DST changes and the cap per *their* local day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialdeck.clock import UTC
from dialdeck.guard import callback_refusal, may_call, next_allowed
from dialdeck.hours import CallingWindow, base_window, is_callable, load_rules, window_for
from dialdeck.models import RepProfile

NEW_YORK = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
RULES = load_rules(Path(__file__).parents[1] / "src/dialdeck/data/calling_hours.toml")
WEEKDAYS = base_window(RepProfile())
ALL_WEEK = base_window(RepProfile(days="mon-sun"))


def window(subdivision: str | None = None, base: CallingWindow = WEEKDAYS) -> CallingWindow:
    return window_for(base, "US", subdivision, RULES)


def local(zone: ZoneInfo, *args) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


FLORIDA = window("US-FL")


def test_a_florida_number_at_2030_their_time_is_refused_until_the_next_morning():
    now = local(NEW_YORK, 2026, 11, 24, 20, 30)  # Tuesday
    verdict = may_call(now, zone=NEW_YORK, window=FLORIDA, max_per_day=3, name="Megan Holloway")
    assert not verdict.allowed
    assert verdict.blocked_reason == ("20:30 is outside Megan Holloway's calling hours "
                                      "(08:00-20:00 Mon-Fri, America/New_York, US-FL rule)")
    assert verdict.headline == "outside their hours 08:00-20:00 (US-FL)"
    assert verdict.callable_at == local(NEW_YORK, 2026, 11, 25, 8, 0)


def test_the_same_number_at_1959_may_be_called():
    now = local(NEW_YORK, 2026, 11, 24, 19, 59)
    assert may_call(now, zone=NEW_YORK, window=FLORIDA, max_per_day=3).allowed
    # The federal rule alone (a New York number) still allows 20:30.
    assert may_call(now + timedelta(minutes=31), zone=NEW_YORK, window=window(), max_per_day=3).allowed


def test_a_friday_evening_refusal_points_to_monday():
    now = local(NEW_YORK, 2026, 11, 27, 20, 30)  # Friday
    verdict = may_call(now, zone=NEW_YORK, window=FLORIDA, max_per_day=3)
    assert verdict.callable_at == local(NEW_YORK, 2026, 11, 30, 8, 0)


def test_no_calls_on_a_sunday_in_louisiana_even_for_a_seven_day_rep():
    louisiana = window("US-LA", ALL_WEEK)
    sunday = local(CHICAGO, 2026, 11, 29, 11, 0)
    verdict = may_call(sunday, zone=CHICAGO, window=louisiana, max_per_day=3, name="Ann Lee")
    assert verdict.headline == "no calls on Sundays (US-LA)"
    assert verdict.blocked_reason.startswith("Sunday 11:00 is outside Ann Lee's calling hours")
    assert verdict.callable_at == local(CHICAGO, 2026, 11, 30, 8, 0)  # Monday


def test_texas_on_a_sunday_opens_at_noon():
    texas = window("US-TX", ALL_WEEK)
    morning = local(CHICAGO, 2026, 11, 29, 10, 0)
    verdict = may_call(morning, zone=CHICAGO, window=texas, max_per_day=3)
    assert verdict.headline == "outside their hours 12:00-21:00 (US-TX)"
    assert verdict.callable_at == local(CHICAGO, 2026, 11, 29, 12, 0)
    assert may_call(local(CHICAGO, 2026, 11, 29, 12, 0), zone=CHICAGO, window=texas, max_per_day=3).allowed


def test_across_the_spring_dst_change_the_window_opens_at_0800_local():
    # New York springs forward on Sunday 8 March 2026 at 02:00; Monday 08:00 is 12:00 UTC.
    sunday_night = local(NEW_YORK, 2026, 3, 8, 21, 30)
    verdict = may_call(sunday_night, zone=NEW_YORK, window=window(), max_per_day=3)
    assert verdict.callable_at == datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    assert may_call(datetime(2026, 3, 9, 12, 0, tzinfo=UTC), zone=NEW_YORK, window=window(), max_per_day=3).allowed
    assert not may_call(datetime(2026, 3, 9, 11, 59, tzinfo=UTC), zone=NEW_YORK, window=window(),
                        max_per_day=3).allowed


def test_four_busy_in_one_minute_the_fourth_is_over_the_cap():
    start = local(LOS_ANGELES, 2026, 11, 24, 9, 1)
    calls = (start, start + timedelta(seconds=20), start + timedelta(seconds=40))
    assert may_call(start + timedelta(seconds=10), zone=LOS_ANGELES, window=window(), max_per_day=3,
                    recent_calls=calls[:1]).allowed  # no cooldown refusal: a busy line is redialled
    verdict = may_call(start + timedelta(minutes=1), zone=LOS_ANGELES, window=window(), max_per_day=3,
                       recent_calls=calls, name="Grace Liu")
    assert not verdict.allowed
    assert verdict.blocked_reason == ("Grace Liu has been called 3 times today (Tue 24 Nov their time), "
                                      "the most allowed per day (guard.max_per_day = 3)")
    assert verdict.headline == "called 3 times today, the daily most"
    assert verdict.callable_at == local(LOS_ANGELES, 2026, 11, 25, 8, 0)


def test_the_cap_counts_their_local_day_not_the_reps():
    # Tokyo: three calls on Tuesday evening there (Tuesday morning in New York).
    calls = tuple(local(TOKYO, 2026, 11, 24, 18, m) for m in (0, 10, 20))
    later_same_day = local(TOKYO, 2026, 11, 24, 20, 0)
    assert not may_call(later_same_day, zone=TOKYO, window=window(), max_per_day=3, recent_calls=calls).allowed
    # Past their midnight it is a new day there, although the same day for a rep in New York.
    next_morning = local(TOKYO, 2026, 11, 25, 8, 0)
    assert next_morning.astimezone(NEW_YORK).date() == later_same_day.astimezone(NEW_YORK).date()
    assert may_call(next_morning, zone=TOKYO, window=window(), max_per_day=3, recent_calls=calls).allowed


def test_a_promise_whose_time_has_come_is_exempt_from_the_cap_but_not_from_the_hours():
    calls = tuple(local(NEW_YORK, 2026, 11, 24, h, 0) for h in (9, 10, 11))
    promised = local(NEW_YORK, 2026, 11, 24, 16, 0)
    early = may_call(promised - timedelta(minutes=10), zone=NEW_YORK, window=FLORIDA, max_per_day=3,
                     recent_calls=calls, promised_at=promised)
    assert not early.allowed and early.callable_at == promised  # the promise, not tomorrow
    assert may_call(promised, zone=NEW_YORK, window=FLORIDA, max_per_day=3, recent_calls=calls,
                    promised_at=promised).allowed
    late = may_call(local(NEW_YORK, 2026, 11, 24, 20, 5), zone=NEW_YORK, window=FLORIDA, max_per_day=3,
                    recent_calls=calls, promised_at=promised)
    assert not late.allowed and "outside" in late.blocked_reason


def test_do_not_call_and_finished_are_never_callable():
    now = local(NEW_YORK, 2026, 11, 24, 11, 0)
    dnc = may_call(now, zone=NEW_YORK, window=window(), max_per_day=3, on_dnc=True, name="Ann Lee")
    assert (dnc.blocked_reason, dnc.callable_at) == ("Ann Lee's number is on the do-not-call list", None)
    finished = may_call(now, zone=NEW_YORK, window=window(), max_per_day=3, status="finished", name="Ann Lee")
    assert (finished.blocked_reason, finished.callable_at) == ("Ann Lee has finished the cadence", None)
    waiting = may_call(now, zone=NEW_YORK, window=window(), max_per_day=3, status="connected")
    assert waiting.headline == "awaiting a disposition"


def test_a_callback_is_refused_in_the_past_and_outside_their_hours():
    now = local(NEW_YORK, 2026, 11, 24, 19, 0)
    assert callback_refusal(now + timedelta(minutes=30), now, NEW_YORK, FLORIDA) is None
    assert "outside the prospect's calling hours" in callback_refusal(now + timedelta(hours=1, minutes=30),
                                                                        now, NEW_YORK, FLORIDA)
    assert "in the past" in callback_refusal(now - timedelta(minutes=1), now, NEW_YORK, FLORIDA)


# ---- properties -------------------------------------------------------------------------------

ZONES = st.sampled_from([NEW_YORK, CHICAGO, LOS_ANGELES, TOKYO, ZoneInfo("Europe/London"),
                         ZoneInfo("Australia/Sydney")])
WINDOWS = st.sampled_from([window(), FLORIDA, window("US-TX", ALL_WEEK), window("US-LA", ALL_WEEK), ALL_WEEK])
# Whole minutes across a year with both DST changes, in the US and in Sydney.
INSTANTS = st.integers(0, 365 * 24 * 60).map(lambda m: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=m))


@st.composite
def situations(draw):
    now = draw(INSTANTS)
    calls = tuple(sorted(now - timedelta(minutes=draw(st.integers(1, 3 * 24 * 60)))
                         for _ in range(draw(st.integers(0, 6)))))
    return now, draw(ZONES), draw(WINDOWS), draw(st.integers(1, 4)), calls


@settings(max_examples=300, deadline=None)
@given(situations())
def test_an_allowed_call_is_inside_their_hours_and_under_the_cap(situation):
    now, zone, win, cap, calls = situation
    verdict = may_call(now, zone=zone, window=win, max_per_day=cap, recent_calls=calls)
    today = now.astimezone(zone).date()
    under_cap = sum(1 for c in calls if c.astimezone(zone).date() == today) < cap
    assert verdict.allowed == (is_callable(now, zone, win) and under_cap)


@settings(max_examples=300, deadline=None)
@given(situations())
def test_the_instant_a_refusal_names_is_the_first_allowed_one(situation):
    now, zone, win, cap, calls = situation
    verdict = may_call(now, zone=zone, window=win, max_per_day=cap, recent_calls=calls)
    if verdict.allowed:
        return
    at = verdict.callable_at
    assert at is not None and at > now
    assert may_call(at, zone=zone, window=win, max_per_day=cap, recent_calls=calls).allowed
    # Windows open and days turn on whole minutes: the minute before was still refused.
    assert not may_call(at - timedelta(minutes=1), zone=zone, window=win, max_per_day=cap,
                        recent_calls=calls).allowed
    assert next_allowed(now, zone, win, cap, calls) == at


@pytest.mark.parametrize("status", ["finished", "booked", "not-interested", "wrong-number", "dnc"])
def test_every_stopped_status_is_refused_for_good(status):
    verdict = may_call(local(NEW_YORK, 2026, 11, 24, 11, 0), zone=NEW_YORK, window=window(), max_per_day=3,
                       status=status)
    assert not verdict.allowed and verdict.callable_at is None
