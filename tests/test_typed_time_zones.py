"""Callback and snooze times as the dialog and the CLI read them, in the zone they are typed in."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialdeck.clock import UTC
from dialdeck.typed_time import read_later

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NEW_YORK = ZoneInfo("America/New_York")
# Wednesday 25 Nov 2026, 12:00 in São Paulo (UTC-3), 10:00 in New York (UTC-5).
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def local(instant, zone):
    return instant.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thu 14:00", "Thu 2026-11-26 14:00"),
        ("Thursday 2pm", "Thu 2026-11-26 14:00"),
        ("wed 16:00", "Wed 2026-11-25 16:00"),  # later today: today, not next week
        ("wed 9:00", "Wed 2026-12-02 09:00"),  # already past today: next week
        ("16:30", "Wed 2026-11-25 16:30"),
        ("9", "Thu 2026-11-26 09:00"),  # 9:00 has passed today
        ("2:30 pm", "Wed 2026-11-25 14:30"),
        ("tomorrow 9am", "Thu 2026-11-26 09:00"),
        ("tomorrow", "Thu 2026-11-26 09:00"),
        ("today 18:00", "Wed 2026-11-25 18:00"),
        ("2026-11-30 10:15", "Mon 2026-11-30 10:15"),
    ],
)
def test_typed_times_are_read_in_the_chosen_zone(text, expected):
    assert local(read_later(text, NOW, SAO_PAULO), SAO_PAULO) == expected


def test_the_same_words_mean_different_instants_in_each_zone():
    theirs = read_later("thu 14:00", NOW, SAO_PAULO)
    yours = read_later("thu 14:00", NOW, NEW_YORK)
    assert yours - theirs == timedelta(hours=2)


def test_relative_times_count_from_now():
    assert read_later("in 90m", NOW, SAO_PAULO) == NOW + timedelta(minutes=90)
    assert read_later("in 2 hours", NOW, SAO_PAULO) == NOW + timedelta(hours=2)
    assert read_later("in 3 days", NOW, SAO_PAULO) == NOW + timedelta(days=3)


@pytest.mark.parametrize("text", ["", "soon", "thu 25:00", "13pm", "blursday 9"])
def test_unreadable_times_say_what_to_type(text):
    with pytest.raises(ValueError, match=r"e\.g\. thu 14:00|type a time"):
        read_later(text, NOW, SAO_PAULO)


def test_a_time_in_the_past_is_refused():
    with pytest.raises(ValueError, match="in the past"):
        read_later("today 08:00", NOW, SAO_PAULO)


def test_across_a_dst_change_the_wall_clock_time_is_kept():
    # New York leaves DST on Sunday 1 Nov 2026: "mon 9:00" is 14:00 UTC, not 13:00.
    friday = datetime(2026, 10, 30, 16, 0, tzinfo=UTC)
    assert read_later("mon 9:00", friday, NEW_YORK) == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
