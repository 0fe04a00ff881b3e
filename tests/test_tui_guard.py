"""The guard in the session: a prospect who may not be called now, reached through search or
undo, shows why on the card and the call keys do nothing; snooze and callback choices stay
inside their calling hours; a refused typed callback keeps the dialog and its text.

Issue 7's examples: a Florida number at 20:30 their time could be called from the TUI through
search or after undo; "later today" offered 23:06; a refused typed callback lost its text.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from textual.widgets import Input, OptionList, Static

from dialdeck.clock import UTC, to_iso
from dialdeck.tui.app import make_app
from dialdeck.tui.screens.disposition import DispositionScreen
from dialdeck.tui.screens.session import SessionScreen
from dialdeck.tui.screens.snooze import SnoozeScreen
from dialdeck.tui.widgets.prospect_card import ProspectCard
from test_tui_session import dimmed_keys, on_card
from tui_helpers import NOW, attempts, build_db, enrollments, press, prospect_id, running, settle

NEW_YORK = ZoneInfo("America/New_York")
CALL_KEYS = ("n", "v", "c", "b", "w")


def new_york(hour: int, minute: int = 0, day: int = 25) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


def app_at(path, moment: list[datetime]):
    """The app with a clock the test moves (``moment[0]``)."""
    return make_app(path, clock=lambda: moment[0], refresh_seconds=3600, animation_level="none",
                    cursor_blink=False)


def card_text(app) -> str:
    return app.screen.query_one(ProspectCard).render().plain


async def search(pilot, text: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.press(*text)
    await pilot.pause(0.3)
    await settle(pilot)
    await press(pilot, "enter")


async def test_a_prospect_found_by_search_outside_their_hours_cannot_be_called(tmp_path):
    path = build_db(tmp_path)
    app = make_app(path, clock=lambda: NOW, refresh_seconds=3600, animation_level="none", cursor_blink=False)
    async with running(app) as pilot:
        await search(pilot, "Grace")  # 07:00 in Los Angeles: not in the due list, found by search
        assert on_card(app) == "Grace"
        text = card_text(app)
        assert "⊘ Outside their hours 08:00-21:00 (US)" in text
        assert "Callable 08:00 theirs · 11:00 yours" in text
        keys = dimmed_keys(app)
        assert all(keys[key] for key in CALL_KEYS)
        assert not keys["d"] and not keys["s"] and not keys["t"]  # asking not to be called, skipping, notes
        for key in CALL_KEYS:
            await press(pilot, key)
            assert isinstance(app.screen, SessionScreen)  # c opens no dialog either
        assert attempts(path) == []
        assert on_card(app) == "Grace"


async def test_after_undo_a_florida_prospect_past_2000_cannot_be_called_again(tmp_path):
    path = build_db(tmp_path, ("megan",))
    megan = prospect_id(path, "Megan")
    moment = [new_york(19, 59)]
    app = app_at(path, moment)
    async with running(app) as pilot:
        assert on_card(app) == "Megan"
        await press(pilot, "v")  # 19:59 in Miami: allowed
        assert len(attempts(path)) == 1
        moment[0] = new_york(20, 30)
        await press(pilot, "u")
        assert attempts(path) == [] and on_card(app) == "Megan"
        text = card_text(app)
        assert "⊘ Outside their hours 08:00-20:00 (US-FL)" in text
        assert "Callable Thu 08:00 their time" in text  # Miami and New York share a clock
        assert all(dimmed_keys(app)[key] for key in CALL_KEYS)
        await press(pilot, "v", "b")
        assert attempts(path) == []
        assert enrollments(path, megan)[-1]["step_index"] == 0


async def test_when_their_window_opens_the_keys_light_again(tmp_path):
    path = build_db(tmp_path)
    moment = [NOW]
    app = app_at(path, moment)
    async with running(app) as pilot:
        await search(pilot, "Grace")
        assert dimmed_keys(app)["v"]
        moment[0] = NOW + timedelta(hours=1, minutes=5)  # 08:05 in Los Angeles
        app.screen.refresh_desk()
        await settle(pilot)
        assert on_card(app) == "Grace" and not dimmed_keys(app)["v"]
        assert "⊘" not in card_text(app) and "Callable" not in card_text(app)
        await press(pilot, "v")
        assert [a["outcome"] for a in attempts(path)] == ["voicemail"]


def snooze_choices(app) -> list[tuple[str, bool]]:
    options = app.screen.query_one("#snooze-choices", OptionList)
    return [(str(options.get_option_at_index(i).prompt), options.get_option_at_index(i).disabled)
            for i in range(options.option_count)]


async def test_snooze_late_in_a_florida_evening_offers_no_later_today(tmp_path):
    path = build_db(tmp_path, ("megan",))
    megan = prospect_id(path, "Megan")
    app = app_at(path, [new_york(19, 15)])
    async with running(app) as pilot:
        await press(pilot, "s")
        assert isinstance(app.screen, SnoozeScreen)
        assert snooze_choices(app) == [
            ("1  Later today · none: their calling hours end at 20:00", True),
            ("2  Tomorrow morning · Thu 09:00 their time", False),
        ]
        await press(pilot, "1")  # nothing to pick: the dialog stays
        assert isinstance(app.screen, SnoozeScreen)
        await press(pilot, "2")
        assert enrollments(path, megan)[-1]["next_due_at"] == to_iso(new_york(9, day=26))


async def test_snooze_on_a_friday_names_monday(tmp_path):
    path = build_db(tmp_path, ("megan",))
    app = app_at(path, [new_york(11, day=27)])
    async with running(app) as pilot:
        await press(pilot, "s")
        assert snooze_choices(app)[1] == ("2  Monday morning · Mon 09:00 their time", False)


async def test_a_refused_typed_callback_keeps_the_dialog_the_text_and_says_why(tmp_path):
    path = build_db(tmp_path, ("megan",))
    app = app_at(path, [new_york(19, 0)])
    async with running(app) as pilot:
        await press(pilot, "c", "4")
        await pilot.press(*"20:30")
        await press(pilot, "enter")
        assert isinstance(app.screen, DispositionScreen)
        assert app.screen.query_one("#callback-text", Input).value == "20:30"
        reason = app.screen.query_one("#callback-preview", Static).render().plain
        assert reason == ("20:30 is outside Megan Holloway's calling hours "
                          "(08:00-20:00 Mon-Fri, America/New_York, US-FL rule)")
        assert attempts(path) == []
        # Corrected in place, it is accepted.
        await press(pilot, "backspace", "backspace", "backspace", "backspace", "backspace")
        await pilot.press(*"19:45")
        await press(pilot, "enter")
        assert isinstance(app.screen, SessionScreen)
        (attempt,) = attempts(path)
        assert (attempt["outcome"], attempt["disposition"]) == ("connected", "callback")


async def test_callback_choices_past_their_close_are_shown_but_not_offered(tmp_path):
    path = build_db(tmp_path, ("megan",))
    app = app_at(path, [new_york(19, 30)])
    async with running(app) as pilot:
        await press(pilot, "c")
        options = app.screen.query_one("#disposition-choices", OptionList)
        first = options.get_option_at_index(0)
        assert first.disabled and "none: their calling hours end at 20:00" in str(first.prompt)
        await press(pilot, "1")
        assert isinstance(app.screen, DispositionScreen) and attempts(path) == []


async def test_the_empty_queue_tells_a_promise_from_a_window_opening(tmp_path):
    from dialdeck import services
    from tui_helpers import with_db

    path = build_db(tmp_path, ("megan", "grace"), imported_at=NOW - timedelta(days=1))
    megan = prospect_id(path, "Megan")
    with_db(path, lambda db: services.log_outcome(
        db, megan, "connected", NOW - timedelta(minutes=5), disposition="callback",
        callback_at=NOW + timedelta(minutes=21)))
    app = app_at(path, [NOW])
    async with running(app):
        text = str(app.screen.query_one("#empty-state", Static).render())
        assert "Outside calling hours for everyone due (1 waiting)" in text
        assert "next: promised call at 10:21, Megan Holloway (Wednesday 10:21 a.m. their time)" in text
        assert "Grace Liu's calling window opens at 11:00 your time (08:00 in Los Angeles)" in text
        assert "next window opens at 10:21" not in text
