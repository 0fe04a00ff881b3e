"""The session's script keys under Pilot: ! marks urgent, p records a picked time, and a voicemail
on a step that says to leave none asks first. Every check reads SQLite through a fresh connection."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from dialdeck import services
from dialdeck.tui.screens.confirm import ConfirmScreen
from dialdeck.tui.screens.help import HelpScreen
from dialdeck.tui.screens.offered import OfferedScreen
from dialdeck.tui.screens.session import SessionScreen
from dialdeck.tui.widgets.script_pane import ScriptPane
from dialdeck.tui.widgets.status_line import StatusLine
from tui_helpers import HEADER, NOW, attempts, build_db, press, prospect_id, settle, started, with_db

# A follow-up-series lead in New York whose booked call was yesterday afternoon.
FOLLOW_UP = ("Ivy,Chen,Lakeside Clinic,+1 212 555 0177,ivy@lakeside.example,America/New_York,Warm,20000,"
             "follow-up-series,,,2026-11-24 14:00,")


def session(app) -> SessionScreen:
    assert isinstance(app.screen, SessionScreen)
    return app.screen


def pane_text(app) -> str:
    return str(app.screen.query_one(ScriptPane).text)


def urgent_flag(path, pid: int) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT urgent FROM prospects WHERE id = ?", [pid]).fetchone()[0]


async def show(pilot, pid: int) -> None:
    pilot.app.show_prospect(pid)
    await settle(pilot)


async def test_a_voicemail_on_a_no_message_step_asks_once_and_is_noted(tmp_path):
    path = build_db(tmp_path, ("daniel",), imported_at=NOW - timedelta(days=1))
    daniel = prospect_id(path, "Daniel")
    # 16:00 in Chicago: his late-afternoon call
    async with started(path, now=NOW + timedelta(hours=7)) as (app, pilot):
        await show(pilot, daniel)
        assert session(app).card.script.voicemail is None and "Don't leave a message" in pane_text(app)
        await press(pilot, "v")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")
        assert attempts(path) == []
        await press(pilot, "v", "y")
    logged = attempts(path)
    assert [(a["outcome"], a["note"]) for a in logged] == [
        ("voicemail", "voicemail left although the step says not to leave one")]


async def test_exclamation_mark_marks_urgent_and_the_script_gives_a_message(tmp_path):
    path = build_db(tmp_path, ("daniel",), imported_at=NOW - timedelta(days=1))
    daniel = prospect_id(path, "Daniel")
    async with started(path, now=NOW + timedelta(hours=7)) as (app, pilot):
        await show(pilot, daniel)
        await press(pilot, "exclamation_mark")
        assert urgent_flag(path, daniel) == 1
        card = session(app).card
        assert card.prospect.urgent and card.script.voicemail is not None
        assert "VOICEMAIL TO LEAVE · URGENT" in pane_text(app) and "can't wait" in pane_text(app)
        await press(pilot, "v")  # now a message is scripted: no question
        assert not isinstance(app.screen, ConfirmScreen)
        await press(pilot, "u", "exclamation_mark")
        assert urgent_flag(path, daniel) == 0
        assert "Don't leave a message" in pane_text(app)


def follow_up_db(tmp_path):
    """Ivy's booked call rang out twice yesterday; the email with three times went out after it."""
    path = build_db(tmp_path, ("megan",), imported_at=NOW - timedelta(days=2))
    extra = tmp_path / "ivy.csv"
    extra.write_text(f"{HEADER}\n{FOLLOW_UP}\n", encoding="utf-8")

    def work(db):
        services.import_csv(db, extra, now=NOW - timedelta(days=2))
        ivy = db.conn.execute("SELECT id FROM prospects WHERE first_name = 'Ivy'").fetchone()[0]
        day = NOW - timedelta(days=1)  # Tuesday 10:00 in New York
        appointment = day + timedelta(hours=4)
        services.log_outcome(db, ivy, "voicemail", appointment)
        services.log_outcome(db, ivy, "voicemail", appointment + timedelta(minutes=15))
        services.log_outcome(db, ivy, "sent", appointment + timedelta(minutes=20))
        return ivy

    return path, with_db(path, work)


async def test_p_records_the_time_they_picked_and_the_call_is_set_for_it(tmp_path):
    path, ivy = follow_up_db(tmp_path)
    async with started(path) as (app, pilot):
        await show(pilot, ivy)
        offered = session(app).card.script.pickable
        assert len(offered) == 3 and "THEY REPLIED WITH A TIME?" in pane_text(app)
        await press(pilot, "p")
        assert isinstance(app.screen, OfferedScreen)
        await press(pilot, "2")
        assert isinstance(app.screen, SessionScreen)
    with sqlite3.connect(path) as conn:
        due, pinned = conn.execute("SELECT next_due_at, pinned FROM enrollments WHERE prospect_id = ?", [ivy]).fetchone()
    assert (due, pinned) == (offered[1].isoformat(timespec="seconds"), 1)
    assert attempts(path)[-1]["outcome"] == "replied"


async def test_p_with_nothing_offered_says_so_and_writes_nothing(tmp_path):
    path = build_db(tmp_path, ("megan",))
    async with started(path) as (app, pilot):
        await press(pilot, "p")
        assert isinstance(app.screen, SessionScreen)
        assert "No times offered" in app.screen.query_one(StatusLine).text
    assert attempts(path) == []


async def test_help_lists_the_script_keys(tmp_path):
    async with started(build_db(tmp_path, ("megan",))) as (app, pilot):
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = [str(cell.render()) for cell in app.screen.query(".help-key")]
        assert "!" in keys and "p" in keys
