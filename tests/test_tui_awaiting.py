"""A call logged connected elsewhere (the CLI, a session closed mid-dialog) waits for its disposition.

The prospect is off the queue, so the rep reaches them by search; the card says what is
pending, ``c`` records only the disposition (services.set_disposition, no second attempt),
and the dialing keys are dimmed while wrong number and do-not-call stay usable.
"""

from __future__ import annotations

from datetime import timedelta


from dialdeck import services
from dialdeck.clock import from_iso
from dialdeck.tui.screens.disposition import DispositionScreen
from dialdeck.tui.screens.session import SessionScreen
from dialdeck.tui.widgets.key_bar import KeyBar
from dialdeck.tui.widgets.prospect_card import ProspectCard
from dialdeck.tui.widgets.script_pane import ScriptPane
from dialdeck.tui.widgets.status_line import StatusLine
from tui_helpers import NOW, attempts, build_db, enrollments, press, prospect_id, settle, started, with_db

CONNECTED_AT = NOW - timedelta(minutes=10)


def connected_db(tmp_path):
    """Megan's call was logged connected from the CLI ten minutes ago, with no disposition."""
    path = build_db(tmp_path)
    megan = prospect_id(path, "Megan")
    with_db(path, lambda db: services.log_outcome(db, megan, "connected", CONNECTED_AT))
    assert enrollments(path, megan)[-1]["status"] == "connected"
    return path, megan


async def open_by_search(pilot, text: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.press(*text)
    await pilot.pause(0.3)
    await settle(pilot)
    await press(pilot, "enter")


def card_text(app) -> str:
    return str(app.screen.query_one(ProspectCard).render())


def script_text(app) -> str:
    return str(app.screen.query_one("#script", ScriptPane).text)


def dimmed(app) -> dict[str, bool]:
    return {key.key: not key.enabled for key in app.screen.query_one(KeyBar).keys}


async def test_search_opens_the_connected_call_and_says_it_waits_for_a_disposition(tmp_path):
    path, megan = connected_db(tmp_path)
    async with started(path) as (app, pilot):
        assert app.screen.card.prospect.first_name == "Ana"  # Megan is off the queue
        await open_by_search(pilot, "holloway")
        assert app.screen.card.prospect.id == megan
        assert "Connected — waiting for your disposition" in card_text(app)
        assert "CONNECTED — WAITING FOR YOUR DISPOSITION" in script_text(app)
        assert "VOICEMAIL TO LEAVE" not in script_text(app)  # no dialing left to do
        keys = dimmed(app)
        assert [k for k in ("n", "v", "b", "s", "e", "m") if not keys[k]] == []
        assert [k for k in ("c", "w", "d", "t") if keys[k]] == []


async def test_dialing_keys_write_nothing_while_a_disposition_is_pending(tmp_path):
    path, megan = connected_db(tmp_path)
    async with started(path) as (app, pilot):
        await open_by_search(pilot, "holloway")
        await press(pilot, "v", "n", "b", "s")
        assert isinstance(app.screen, SessionScreen)  # no snooze dialog either
        assert [a["outcome"] for a in attempts(path)] == ["connected"]
        assert app.screen.card.prospect.id == megan


async def test_c_records_the_disposition_on_the_logged_call_without_a_second_attempt(tmp_path):
    path, megan = connected_db(tmp_path)
    async with started(path) as (app, pilot):
        await open_by_search(pilot, "holloway")
        await press(pilot, "c")
        assert isinstance(app.screen, DispositionScreen)
        await press(pilot, "5")  # meeting booked
        (attempt,) = attempts(path)
        assert (attempt["outcome"], attempt["disposition"]) == ("connected", "booked")
        assert enrollments(path, megan)[-1]["status"] == "booked"
        assert app.screen.card.prospect.first_name == "Ana"  # back to the queue's head
        said = app.screen.query_one(StatusLine).text
        assert "Megan Holloway" in said and "meeting booked" in said, said


async def test_a_callback_disposition_pins_the_promised_time(tmp_path):
    path, megan = connected_db(tmp_path)
    async with started(path) as (_, pilot):
        await open_by_search(pilot, "holloway")
        await press(pilot, "c", "1")  # callback in an hour
        row = enrollments(path, megan)[-1]
        assert (row["status"], row["pinned"]) == ("active", 1)
        assert from_iso(row["next_due_at"]) == NOW + timedelta(hours=1)
        assert [a["disposition"] for a in attempts(path)] == ["callback"]


async def test_escape_in_the_dialog_leaves_the_call_pending(tmp_path):
    path, megan = connected_db(tmp_path)
    async with started(path) as (app, pilot):
        await open_by_search(pilot, "holloway")
        await press(pilot, "c", "escape")
        assert enrollments(path, megan)[-1]["status"] == "connected"
        assert app.screen.card.prospect.id == megan


async def test_wrong_number_still_works_on_a_pending_call(tmp_path):
    path, megan = connected_db(tmp_path)
    async with started(path) as (_, pilot):
        await open_by_search(pilot, "holloway")
        await press(pilot, "w")
        assert [a["outcome"] for a in attempts(path)] == ["connected", "wrong-number"]
        assert enrollments(path, megan)[-1]["status"] == "wrong-number"


async def test_do_not_call_still_works_on_a_pending_call(tmp_path):
    path, megan = connected_db(tmp_path)
    async with started(path) as (_, pilot):
        await open_by_search(pilot, "holloway")
        await press(pilot, "d", "y")
        assert enrollments(path, megan)[-1]["status"] == "dnc"


async def test_the_dialing_keys_light_again_on_the_next_card(tmp_path):
    path, _ = connected_db(tmp_path)
    async with started(path) as (app, pilot):
        await open_by_search(pilot, "holloway")
        await press(pilot, "c", "7")  # carry on the cadence
        assert app.screen.card.prospect.first_name == "Ana"
        keys = dimmed(app)
        assert [k for k in ("n", "v", "b", "c", "w", "d", "s") if keys[k]] == []
