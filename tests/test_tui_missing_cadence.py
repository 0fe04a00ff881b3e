"""A prospect enrolled in a cadence the library no longer has (the rep's file was removed, or
skipped as broken) cannot be given a script. The session passes them over, says why once, and
marks their row; it used to stop with a traceback when such a prospect came to the head."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tui_helpers import NOW, build_db, press, prospect_id, settle, started, with_db

from dialdeck import services
from dialdeck.errors import NotFound
from dialdeck.tui.widgets.due_calls import DueCalls
from dialdeck.tui.widgets.script_pane import ScriptPane
from dialdeck.tui.widgets.status_line import StatusLine


def orphaned(path: Path, first_name: str) -> Path:
    """``first_name``'s live enrollment moved to a cadence no file defines."""
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE enrollments SET cadence = 'gone' WHERE prospect_id = ? AND status = 'active'",
                     [prospect_id(path, first_name)])
    return path


def test_the_card_of_a_prospect_whose_cadence_is_gone_names_it(tmp_path) -> None:
    path = orphaned(build_db(tmp_path), "Ana")
    with pytest.raises(NotFound, match="no cadence named 'gone'"):
        with_db(path, lambda db: services.call_card(db, prospect_id(path, "Ana"), NOW))


async def test_a_head_without_its_cadence_is_passed_over_and_the_session_goes_on(tmp_path) -> None:
    path = orphaned(build_db(tmp_path), "Ana")  # Ana is first in the queue
    async with started(path) as (app, pilot):
        due = app.screen.query_one(DueCalls)
        assert due.items[0].name == "Ana Souza"
        assert "voicemail-challenge" not in due.rows()[0] and "gone not found" in due.rows()[0]
        card = app.screen.card
        assert card is not None and card.prospect.name == "Megan Holloway"
        assert "Hi Megan" in app.screen.query_one(ScriptPane).text.plain
        said = app.screen.query_one(StatusLine).text
        assert said.startswith("● Passed over Ana Souza: no cadence named 'gone'")
        await press(pilot, "n")
        assert app.is_running
        assert app.screen.card is not None and app.screen.card.prospect.name not in ("Ana Souza", "Megan Holloway")
        # Said once: the key's own confirmation is not replaced by it again.
        assert "Megan Holloway: no answer" in app.screen.query_one(StatusLine).text


async def test_a_key_that_would_bring_them_up_brings_the_next_one(tmp_path) -> None:
    path = orphaned(build_db(tmp_path), "Megan")  # second in the queue: read ahead, then next
    async with started(path) as (app, pilot):
        assert app.screen.card is not None and app.screen.card.prospect.name == "Ana Souza"
        await settle(pilot)
        await press(pilot, "n")
        assert app.is_running
        card = app.screen.card
        assert card is not None and card.prospect.name not in ("Ana Souza", "Megan Holloway")
        assert "Passed over Megan Holloway: no cadence named 'gone'" in app.screen.query_one(StatusLine).text


async def test_picking_them_says_why_they_cannot_be_worked(tmp_path) -> None:
    path = orphaned(build_db(tmp_path), "Ana")
    async with started(path) as (app, pilot):
        await press(pilot, "up", "enter")  # from the card's row (Megan's) to Ana's, and pick her
        assert app.screen.card is not None and app.screen.card.prospect.name == "Megan Holloway"
        assert app.screen.query_one(StatusLine).text.startswith(
            "● That prospect cannot be worked now: no cadence named 'gone'")


async def test_in_a_team_the_claimed_card_without_its_cadence_is_named(tmp_path) -> None:
    path = build_db(tmp_path)
    jordan = with_db(path, lambda db: services.select_rep(db, "me"))
    with_db(path, lambda db: services.add_rep(db, "Sam", NOW))
    async with started(path, rep=jordan) as (app, _pilot):
        first = app.screen.card
        assert first is not None
    orphaned(path, first.prospect.first_name)  # quitting released the claim: it is the next one again
    async with started(path, rep=jordan) as (app, _pilot):
        assert app.is_running
        assert app.screen.card is None or app.screen.card.prospect.id != first.prospect.id
        assert app.screen.query_one(StatusLine).text.startswith(
            f"● Passed over {first.prospect.name}: no cadence named 'gone'")
