"""What the rep sees when the guard says no: the blocked card, the snooze dialog late in a
Florida evening, a refused typed callback. Fixed clock and data; each picture was looked at.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dialdeck.clock import UTC
from test_tui_snapshots import SMALL
from tui_helpers import NOW, after_pressing, build_db, prospect_id, settle, test_app

NEW_YORK = ZoneInfo("America/New_York")
FLORIDA_EVENING = datetime(2026, 11, 25, 19, 15, tzinfo=NEW_YORK).astimezone(UTC)


def test_a_prospect_outside_their_hours_found_by_search(snap_compare, tmp_path):
    path = build_db(tmp_path)
    grace = prospect_id(path, "Grace")  # 07:00 in Los Angeles

    async def run(pilot) -> None:
        await settle(pilot)
        pilot.app.show_prospect(grace)  # what picking her in search (ctrl+p) does
        await settle(pilot)

    assert snap_compare(test_app(path, now=NOW), terminal_size=SMALL, run_before=run)


def test_snooze_late_in_a_florida_evening(snap_compare, tmp_path):
    path = build_db(tmp_path, ("megan",))
    assert snap_compare(test_app(path, now=FLORIDA_EVENING), terminal_size=SMALL, run_before=after_pressing("s"))


def test_a_typed_callback_outside_their_hours_keeps_the_dialog(snap_compare, tmp_path):
    path = build_db(tmp_path, ("megan",))

    async def run(pilot) -> None:
        await after_pressing("c", "4")(pilot)
        await pilot.press(*"20:30", "enter")
        await settle(pilot)

    assert snap_compare(test_app(path, now=FLORIDA_EVENING), terminal_size=(120, 40), run_before=run)
