"""The due queue: calling order, calling hours per zone, paging, the summary and the plan."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from dialdeck import services
from dialdeck.clock import to_iso
from dialdeck.hours import hours_key
import engines
from engines import is_postgres

pytestmark = pytest.mark.engines

_numbers = itertools.count(100)


def add(db, name: str, *, due: datetime, zone: str = "America/New_York", region: str = "US",
        subdivision: str | None = "US-NY", temperature: str = "warm", value: float | None = None,
        pinned: bool = False, status: str = "active", cadence: str = "zero-to-ten", step_index: int = 0) -> int:
    """One prospect with one enrollment, written straight to the tables."""
    number = next(_numbers)
    key = hours_key(region, subdivision, zone)
    with db.writing() as tx:
        pid = engines.value(
            db, "INSERT INTO prospects (first_name, last_name, phone_e164, timezone, tz_source, region, subdivision, "
            "temperature, value, created_at, updated_at) VALUES (?, '', ?, ?, 'file', ?, ?, ?, ?, 'x', 'x') RETURNING id",
            [name, f"+1212555{number:04d}", zone, region, subdivision, temperature, value],
        )
        tx.insert_enrollment({
            "prospect_id": pid, "cadence": cadence, "step_index": step_index, "status": status,
            "next_due_at": to_iso(due), "pinned": int(pinned), "retries": 0, "hours_key": key,
            "temp_rank": 0 if temperature == "warm" else 1, "value": value, "created_at": "x", "updated_at": "x",
        })
    return pid


def names(items) -> list[str]:
    return [item.name for item in items]


@pytest.fixture
def ordered(db, now):
    """A queue with every ordering rule in play; now is Monday 10:00 in New York (the rep's zone)."""
    yesterday = now - timedelta(days=1)
    add(db, "today-cold-big", due=now - timedelta(minutes=5), temperature="cold", value=900000)
    add(db, "today-warm-none", due=now - timedelta(minutes=50), value=None)
    add(db, "today-warm-small", due=now - timedelta(minutes=30), value=100)
    add(db, "today-warm-big-late", due=now, value=5000)
    add(db, "today-warm-big-early", due=now - timedelta(minutes=20), value=5000)
    add(db, "overdue-cold", due=yesterday, temperature="cold", value=10)
    add(db, "overdue-warm", due=yesterday + timedelta(hours=2), value=1)
    add(db, "promise-late", due=now - timedelta(minutes=1), pinned=True, temperature="cold")
    add(db, "promise-early", due=yesterday, pinned=True)
    add(db, "future", due=now + timedelta(seconds=1), value=10**9)
    add(db, "future-promise", due=now + timedelta(minutes=15), pinned=True)
    add(db, "finished", due=yesterday, status="finished", value=10**9)
    add(db, "waiting-disposition", due=yesterday, status="connected", value=10**9)
    return db


EXPECTED = [
    "promise-early", "promise-late",                       # promises whose time came, earliest first
    "overdue-warm", "overdue-cold",                        # due before today began: warm first
    "today-warm-big-early", "today-warm-big-late",         # warm, highest value, earliest due
    "today-warm-small", "today-warm-none",                 # no value goes last among warm
    "today-cold-big",                                      # cold after every warm, whatever its value
]


def test_calling_order(ordered, now) -> None:
    items = services.due(ordered, now)
    assert names(items) == EXPECTED
    assert [i.pinned for i in items[:2]] == [True, True]
    assert [i.overdue for i in items] == [True, False, True, True, False, False, False, False, False]


@pytest.mark.parametrize("sort_limit", [0, 10**9], ids=["walk-the-ordered-index", "sort-the-due-set"])
def test_both_plans_give_the_same_order(ordered, now, monkeypatch, sort_limit) -> None:
    if is_postgres(ordered):
        from dialdeck.store.postgres import queries
    else:
        from dialdeck.store.sqlite import queries
    monkeypatch.setattr(queries, "SORT_LIMIT", sort_limit)
    assert names(services.due(ordered, now)) == EXPECTED


def test_pages(ordered, now) -> None:
    assert names(services.due(ordered, now, limit=3)) == EXPECTED[:3]
    assert names(services.due(ordered, now, limit=3, offset=3)) == EXPECTED[3:6]
    assert names(services.due(ordered, now, limit=50, offset=8)) == EXPECTED[8:]
    assert services.due(ordered, now, limit=5, offset=9) == []


def test_only_prospects_inside_their_own_calling_hours(db, now) -> None:
    # now: 10:00 New York, 07:00 Los Angeles, 15:00 London, 00:00 Tuesday Tokyo.
    due = now - timedelta(hours=1)
    add(db, "new-york", due=due)
    add(db, "los-angeles", due=due, zone="America/Los_Angeles", subdivision="US-CA")
    add(db, "london", due=due, zone="Europe/London", region="GB", subdivision=None)
    add(db, "tokyo", due=due, zone="Asia/Tokyo", region="JP", subdivision=None)
    assert sorted(names(services.due(db, now))) == ["london", "new-york"]
    # Two hours later Los Angeles opens (09:00) and London is still open (17:00).
    assert sorted(names(services.due(db, now + timedelta(hours=2)))) == ["london", "los-angeles", "new-york"]
    # 02:00 UTC Tuesday: New York (21:00) and London (02:00) are closed, Los Angeles (18:00) and
    # Tokyo (11:00 Tuesday) are open.
    assert names(services.due(db, now + timedelta(hours=11))) == ["los-angeles", "tokyo"]


def test_state_rules_narrow_the_window(db, now) -> None:
    # Florida's rule ends calls at 20:00 local; New York keeps the default 21:00.
    evening = now + timedelta(hours=10, minutes=30)  # 20:30 in both
    add(db, "florida", due=now, subdivision="US-FL")
    add(db, "new-york", due=now)
    assert names(services.due(db, evening)) == ["new-york"]


def test_rep_calling_days_apply(db, now) -> None:
    saturday = now + timedelta(days=5)
    add(db, "weekend", due=now)
    assert services.due(db, saturday) == []
    services.set_setting(db, "hours.days", "mon-sat")
    assert names(services.due(db, saturday)) == ["weekend"]


def test_summary_counts_and_next_item(db, now) -> None:
    add(db, "due-open", due=now - timedelta(minutes=1))
    add(db, "due-closed-la", due=now - timedelta(minutes=1), zone="America/Los_Angeles", subdivision="US-CA")
    add(db, "later-today", due=now + timedelta(hours=3))
    add(db, "tomorrow", due=now + timedelta(days=1))
    summary = services.queue_summary(db, now)
    assert (summary.due_now, summary.outside_hours) == (1, 1)
    # Later today: the one due at 13:00 New York, and Los Angeles when it opens at 08:00 its time.
    assert summary.later_today == 2
    assert summary.next_item.name == "due-closed-la"
    assert summary.next_item.due_at == now + timedelta(hours=1)  # 08:00 in Los Angeles


def test_summary_counts_stop_at_the_cap_and_say_so(db, now) -> None:
    for i in range(3):
        add(db, f"due-open-{i}", due=now - timedelta(minutes=1 + i))
    add(db, "promise-open", due=now - timedelta(minutes=9), pinned=True)
    for i in range(3):
        add(db, f"due-closed-la-{i}", due=now - timedelta(minutes=1), zone="America/Los_Angeles",
            subdivision="US-CA")
    add(db, "later-today", due=now + timedelta(hours=3))
    exact = services.queue_summary(db, now, cap=None)
    assert (exact.due_now, exact.outside_hours, exact.later_today, exact.capped) == (4, 3, 4, False)
    capped = services.queue_summary(db, now, cap=3)
    assert (capped.due_now, capped.outside_hours, capped.later_today) == (3, 3, 3)
    assert capped.capped
    # The empty-state pointer does not depend on the cap: Los Angeles opens at 08:00 its time.
    assert capped.next_item.name.startswith("due-closed-la")
    assert capped.next_item.due_at == exact.next_item.due_at == now + timedelta(hours=1)


def test_summary_below_the_cap_is_exact_and_not_capped(db, now) -> None:
    add(db, "due-open", due=now - timedelta(minutes=1))
    summary = services.queue_summary(db, now)
    assert summary.due_now == 1 and not summary.capped
    assert services.QUEUE_COUNT_CAP == 1000


def test_summary_finds_a_closed_window_waiting_only_on_a_promise(db, now) -> None:
    """A promise due in a closed window is the next call even when nothing unpinned waits there."""
    add(db, "tomorrow", due=now + timedelta(days=1))
    add(db, "la-promise", due=now - timedelta(minutes=5), pinned=True, zone="America/Los_Angeles",
        subdivision="US-CA")
    summary = services.queue_summary(db, now)
    assert (summary.due_now, summary.outside_hours, summary.later_today) == (0, 1, 1)
    assert summary.next_item.name == "la-promise" and summary.next_item.due_at == now + timedelta(hours=1)


def test_empty_state_names_the_next_call(db, now) -> None:
    add(db, "wednesday-promise", due=now + timedelta(days=2, hours=6), pinned=True)
    summary = services.queue_summary(db, now)
    assert (summary.due_now, summary.later_today, summary.outside_hours) == (0, 0, 0)
    assert summary.next_item.name == "wednesday-promise"
    assert summary.next_item.pinned and summary.next_item.due_at == now + timedelta(days=2, hours=6)


def test_nothing_at_all(db, now) -> None:
    assert services.due(db, now) == []
    summary = services.queue_summary(db, now)
    assert summary.next_item is None and summary.due_now == 0


def test_the_plan_uses_the_indexes(ordered, now) -> None:
    plan = services.explain_due(ordered, now)
    text = "\n".join(plan)
    if is_postgres(ordered):
        assert "using ix_due_pinned" in text and "using ix_due_zone" in text
        walk = [line for line in plan if line.startswith("many due: walk")]
        assert any("using ix_due_order" in line for line in walk)
        assert not any("Sort" in line for line in walk)  # served in order, no sort
        assert not any("Seq Scan" in line for line in plan)  # never a bare table scan
        return
    assert "USING INDEX ix_due_pinned" in text and "USING INDEX ix_due_zone" in text
    walk = [line for line in plan if line.startswith("many due: walk")]
    assert walk and not any("TEMP B-TREE" in line for line in walk)  # served in order, no sort
    assert not any(line.endswith("SCAN enrollments") for line in plan)  # never a bare table scan


def test_a_capped_count_reads_as_at_least() -> None:
    from dialdeck.models import QueueSummary

    summary = QueueSummary(due_now=1000, later_today=12, outside_hours=0, next_item=None, capped=True, cap=1000)
    assert (summary.shown(summary.due_now), summary.shown(summary.later_today)) == ("1,000+", "12")
    exact = QueueSummary(due_now=1000, later_today=0, outside_hours=0, next_item=None)
    assert exact.shown(exact.due_now) == "1,000"
