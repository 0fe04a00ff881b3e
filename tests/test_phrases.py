"""Every time said or shown comes from ``phrases``: the spoken clock, the screen forms, and how long
ago or ahead (arrow's humanize against the given ``now``), in the zone asked for, DST days too."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialdeck import phrases
from dialdeck.clock import UTC
from dialdeck.models import DueItem
from dialdeck.typed_time import read_clock

NY = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
# Tuesday 24 November 2026, 15:30 UTC: 10:30 in New York, 00:30 on Wednesday in Tokyo.
NOW = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)


def ny(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=NY)


# --- said ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("clock, words", [
    (time(12), "noon"), (time(0), "midnight"), (time(12, 30), "12:30 p.m."), (time(0, 30), "12:30 a.m."),
    (time(16), "4 p.m."), (time(9, 30), "9:30 a.m."), (time(11, 59), "11:59 a.m."),
])
def test_the_spoken_clock_says_noon_and_midnight(clock, words):
    assert phrases.clock_phrase(clock) == words


@given(st.times())
def test_every_spoken_clock_reads_back_as_its_minute(moment):
    minute = moment.replace(second=0, microsecond=0)
    assert read_clock(phrases.clock_phrase(minute)) == minute


def test_a_day_and_its_clock_say_noon_too():
    # The empty queue's "(Wednesday noon their time)": the same words a script would use.
    assert phrases.phrase_day_clock(ny(11, 25, 12), NY) == "Wednesday noon"
    assert phrases.phrase_day_clock(ny(11, 25, 16, 30), "America/New_York") == "Wednesday 4:30 p.m."


def test_the_empty_queue_names_a_promise_at_noon_as_noon():
    from dialdeck.tui.screens.session import _next_line

    item = DueItem(prospect_id=1, name="Megan Holloway", company="", phone="+12125550101",
                   timezone="America/Chicago", cadence="three-step", step=1, steps_total=3, action="call",
                   due_at=datetime(2026, 11, 25, 18, 0, tzinfo=UTC), pinned=True, overdue=False,
                   temperature="warm", value=None, tz_flagged=False)
    line = _next_line(item, "promise", "America/New_York", NOW)
    assert line == "next: promised call at Wed 13:00, Megan Holloway (Wednesday noon their time)"


def test_day_phrases_across_the_autumn_change():
    # New York leaves DST on Sunday 1 November 2026; Saturday's "tomorrow" is still tomorrow.
    saturday_evening = ny(10, 31, 19)
    assert phrases.phrase_time(ny(11, 1, 9), NY, saturday_evening) == "tomorrow at 9 a.m."
    assert phrases.phrase_time(ny(11, 2, 16), NY, saturday_evening) == "Monday at 4 p.m."
    # The change day has 25 hours: 23:30 on it is still "today", its 00:30 "yesterday" from Monday.
    assert phrases.phrase_time(ny(11, 1, 23, 30), NY, ny(11, 1, 0, 30)) == "today at 11:30 p.m."
    assert phrases.phrase_past(ny(11, 1, 0, 30), NY, ny(11, 2, 0, 10)) == "yesterday morning"


def test_day_phrases_across_the_spring_change():
    # New York starts DST on Sunday 8 March 2026: 2:30 a.m. does not exist, 3:30 a.m. is 7:30 UTC.
    saturday_evening = ny(3, 7, 20)
    assert phrases.phrase_time(datetime(2026, 3, 8, 7, 30, tzinfo=UTC), NY, saturday_evening) == "tomorrow at 3:30 a.m."
    assert phrases.phrase_when(ny(3, 7, 14), NY, ny(3, 8, 12)) == "yesterday at 2 p.m."


# --- shown --------------------------------------------------------------------------------------


def test_short_when_counts_the_day_in_the_zone_shown():
    assert phrases.short_when(NOW + timedelta(hours=3), NY, NOW) == "13:30"
    assert phrases.short_when(NOW + timedelta(hours=3), "America/New_York", NOW) == "13:30"
    assert phrases.short_when(NOW + timedelta(hours=14), NY, NOW) == "Wed 00:30"
    # The same two instants, in Tokyo: now is already Wednesday there.
    assert phrases.short_when(NOW + timedelta(hours=14), TOKYO, NOW) == "14:30"
    assert phrases.short_when(NOW - timedelta(hours=1), TOKYO, NOW) == "Tue 23:30"


def test_screen_forms_in_a_zone():
    assert phrases.local_clock(NOW, NY) == "10:30"
    assert phrases.day_clock(NOW, TOKYO) == "Wed 00:30"
    assert phrases.dated_clock(NOW, NY) == "Tue 24 Nov 10:30"
    assert phrases.dated_clock(NOW, TOKYO, weekday=False) == "25 Nov 00:30"
    assert phrases.short_date(date(2026, 11, 1)) == "Sun 01 Nov"
    assert phrases.day_name(date(2026, 11, 1)) == "Sunday"


def test_a_listing_stamp_names_the_zone_as_it_was_then():
    assert phrases.stamp(NOW, NY) == "Tue 2026-11-24 10:30 EST"
    assert phrases.stamp(datetime(2026, 10, 31, 14, 0, tzinfo=UTC), "America/New_York") == "Sat 2026-10-31 10:00 EDT"
    assert phrases.stamp(datetime(2026, 11, 1, 14, 0, tzinfo=UTC), NY) == "Sun 2026-11-01 09:00 EST"


def test_a_stamp_with_seconds_tells_apart_two_times_of_one_minute():
    # "logged before the last attempt" can be a matter of seconds: the refusal shows them.
    earlier, later = datetime(2026, 11, 24, 15, 30, 5, tzinfo=UTC), datetime(2026, 11, 24, 15, 30, 40, tzinfo=UTC)
    assert phrases.stamp(earlier, NY, seconds=True) == "Tue 2026-11-24 10:30:05 EST"
    assert phrases.stamp(later, NY, seconds=True) == "Tue 2026-11-24 10:30:40 EST"
    assert phrases.stamp(earlier, NY) == phrases.stamp(later, NY) == "Tue 2026-11-24 10:30 EST"


def test_a_fold_hour_is_shown_by_its_wall_clock_twice():
    # 1:30 a.m. happens twice on the autumn change day: both are 01:30 on the screen.
    first, second = datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert phrases.local_clock(first, NY) == phrases.local_clock(second, NY) == "01:30"
    assert phrases.stamp(first, NY).endswith("EDT") and phrases.stamp(second, NY).endswith("EST")


def test_elapsed_session_time():
    assert phrases.elapsed(NOW, NOW + timedelta(minutes=65)) == "1:05"
    assert phrases.elapsed(NOW, NOW - timedelta(minutes=5)) == "0:00"


# --- how long ago or ahead -------------------------------------------------------------------------


@pytest.mark.parametrize("delta, long, short", [
    (timedelta(seconds=59), "now", "now"),
    (timedelta(seconds=-59), "now", "now"),
    (timedelta(minutes=5), "in 5 minutes", "in 5m"),
    (timedelta(minutes=1, seconds=30), "in a minute", "in 1m"),
    (timedelta(minutes=-90), "an hour ago", "1h ago"),
    (timedelta(hours=-2), "2 hours ago", "2h ago"),
    (timedelta(hours=23, minutes=59), "in 23 hours", "in 23h"),
    (timedelta(hours=-24), "a day ago", "1d ago"),
    (timedelta(hours=-47), "a day ago", "1d ago"),
    (timedelta(hours=-48), "2 days ago", "2d ago"),
    (timedelta(days=6), "in 6 days", "in 6d"),
    (timedelta(days=-9), "a week ago", "1w ago"),
    (timedelta(days=14), "in 2 weeks", "in 2w"),
    (timedelta(days=15), "in a month", "in 1mo"),  # arrow: over two weeks counts as a month
    (timedelta(days=40), "in a month", "in 1mo"),
    (timedelta(days=-800), "2 years ago", "2y ago"),
])
def test_relative_times_are_arrows_words_against_the_given_now(delta, long, short):
    assert phrases.relative(NOW + delta, NOW) == long
    assert phrases.relative(NOW + delta, NOW, short=True) == short


def test_relative_times_never_read_the_wall_clock():
    long_ago = datetime(1950, 1, 1, tzinfo=UTC)
    assert phrases.relative(long_ago - timedelta(hours=3), long_ago) == "3 hours ago"


@pytest.mark.parametrize("delta, overdue, long, short", [
    (timedelta(days=-2), True, "overdue 2 days", "2d late"),
    (timedelta(hours=-30), True, "overdue a day", "1d late"),
    (timedelta(hours=-22), True, "overdue 22 hours", "22h late"),
    (timedelta(hours=-6), False, "6 hours ago", "6h ago"),
    (timedelta(minutes=5), False, "in 5 minutes", "in 5m"),
    (timedelta(seconds=-20), True, "now", "now"),
])
def test_the_due_list_says_how_late_or_how_soon(delta, overdue, long, short):
    assert phrases.due_phrase(NOW + delta, NOW, overdue=overdue) == long
    assert phrases.due_phrase(NOW + delta, NOW, overdue=overdue, short=True) == short


def test_a_distance_has_no_direction():
    assert phrases.distance(NOW - timedelta(days=3), NOW) == "3 days"
    assert phrases.distance(NOW + timedelta(hours=1), NOW) == "an hour"
    assert phrases.distance(NOW + timedelta(hours=1), NOW, short=True) == "1h"


_LONG = re.compile(r"^(?:in )?(a|an|\d+) (second|minute|hour|day|week|month|year)s?(?: ago)?$")
_SHORT = re.compile(r"^(?:in )?(\d+)(s|m|h|d|w|mo|y)(?: ago)?$")
_UNIT = {"second": "s", "minute": "m", "hour": "h", "day": "d", "week": "w", "month": "mo", "year": "y"}


@given(st.integers(min_value=-5 * 366 * 86400, max_value=5 * 366 * 86400))
def test_the_short_form_is_the_long_form_abbreviated(seconds):
    """Both come from one decision of arrow's (the unit and the count): only the words differ."""
    instant = NOW + timedelta(seconds=seconds)
    long, short = phrases.relative(instant, NOW), phrases.relative(instant, NOW, short=True)
    if long == "now":
        assert short == "now"
        return
    long_match, short_match = _LONG.match(long), _SHORT.match(short)
    assert long_match and short_match, (long, short)
    count = "1" if long_match.group(1) in ("a", "an") else long_match.group(1)
    assert (count, _UNIT[long_match.group(2)]) == short_match.groups()
    assert long.startswith("in ") == short.startswith("in ") == (seconds > 0)
