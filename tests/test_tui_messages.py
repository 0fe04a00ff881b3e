"""Database answers come back as messages, and one change is on its way at a time, whatever the key.

Each test below holds the database thread with a job of its own (as a slow disk or another
program's lock would), so a change is in flight for as long as the test wants; the answers are
awaited as the messages the session screen handles, not by polling the database.
"""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import threading
from dataclasses import replace

from tui_helpers import Messages, attempts, build_db, press, running, settle, started, test_app

import pytest
from textual import events
from textual.worker import NoActiveWorker, get_current_worker

from dialdeck.tui import gateway
from dialdeck.tui.app import QUIET_AFTER_CARD
from dialdeck.tui.messages import (
    DeskLoaded,
    FiguresLoaded,
    NoteSaved,
    OutcomeLogged,
    Snoozed,
    WriteFailed,
    Written,
)
from dialdeck.tui.screens.session import SessionScreen



class HeldDatabase:
    """The DB thread busy with a job of ours until ``release()``: the next jobs queue behind it."""

    def __init__(self, app) -> None:
        self._go = threading.Event()
        self._job = asyncio.ensure_future(app.gateway.call(lambda _db: self._go.wait(10)))

    async def release(self) -> None:
        self._go.set()
        await self._job


def count_bells(app) -> list[int]:
    rung: list[int] = []
    app.bell = lambda: rung.append(1)
    return rung


async def test_keys_pressed_while_an_outcome_is_written_change_nothing_else(tmp_path) -> None:
    path = build_db(tmp_path)
    app = test_app(path)
    messages = Messages()
    bells = count_bells(app)
    async with running(app, message_hook=messages) as pilot:
        first = app.screen.card.prospect.first_name
        held = HeldDatabase(app)
        await pilot.press("v")  # its write waits behind the held job
        await pilot.press("v", "n", "s", "t", "exclamation_mark")  # each refused with a bell
        assert isinstance(app.screen, SessionScreen)  # no snooze or note dialog opened either
        assert len(bells) == 5
        await held.release()
        (logged,) = await messages.wait_for(OutcomeLogged)
        await settle(pilot)
        assert logged.card.prospect.first_name == first and logged.outcome == "voicemail"
        assert app.screen.card.prospect.first_name != first  # the next call is up
        await pilot.press("n")  # the answer is shown: the next key works at once
        await messages.wait_for(OutcomeLogged, count=2)
    assert [a["outcome"] for a in attempts(path)] == ["voicemail", "no-answer"]
    assert len([m for m in messages.of(Written)]) == 2  # one answer per change, nothing else written


async def test_a_snooze_and_a_note_each_wait_their_turn(tmp_path) -> None:
    """Snooze and note used to skip the check the outcome keys made (issue 9)."""
    path = build_db(tmp_path)
    messages = Messages()
    async with started(path, message_hook=messages) as (app, pilot):
        await pilot.press("t", *"call back after lunch")
        held = HeldDatabase(app)
        await pilot.press("enter", "s")  # the note is still on its way: no snooze dialog over it
        assert isinstance(app.screen, SessionScreen)
        await held.release()
        (saved,) = await messages.wait_for(NoteSaved)
        await settle(pilot)
        await pilot.press("s", "enter")  # now it opens; its first choice
        (snoozed,) = await messages.wait_for(Snoozed)
    assert saved.card.prospect.id == snoozed.card.prospect.id
    assert attempts(path) == []  # neither is an attempt


async def test_a_refused_write_is_a_message_and_frees_the_next_key(tmp_path) -> None:
    path = build_db(tmp_path)
    messages = Messages()
    async with started(path, message_hook=messages) as (_, pilot):
        blocker = sqlite3.connect(path, timeout=0)
        blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            await pilot.press("v")
            (failed,) = await messages.wait_for(WriteFailed)
        finally:
            blocker.rollback()
            blocker.close()
        assert "locked" in failed.failure.reason  # said as the store puts it; nothing written
        await pilot.press("v")
        (logged,) = await messages.wait_for(OutcomeLogged)
    assert [a["outcome"] for a in attempts(path)] == ["voicemail"]
    assert logged.desk.card is not None


async def test_picking_from_the_list_loads_that_desk(tmp_path) -> None:
    messages = Messages()
    async with started(build_db(tmp_path), message_hook=messages) as (_, pilot):
        await pilot.press("down", "enter")
        loaded = await messages.wait_for(DeskLoaded, count=2)  # the first desk, then the pick
    picked = loaded[-1]
    assert picked.asked_for == picked.desk.items[1].prospect_id == picked.desk.card.prospect.id


async def test_no_garbage_collection_runs_between_a_key_and_its_card(tmp_path) -> None:
    """A full collection used to land inside every few keypresses (the slowest ones measured):
    it now waits for the quiet after the card is drawn, and the app leaves the collector on."""
    messages = Messages()
    async with started(build_db(tmp_path), message_hook=messages) as (app, pilot):
        assert gc.isenabled()
        held = HeldDatabase(app)
        await pilot.press("v")
        assert not gc.isenabled()  # the outcome is on its way
        await held.release()
        await messages.wait_for(OutcomeLogged)
        await pilot.pause(QUIET_AFTER_CARD / 2)
        assert not gc.isenabled()  # the card is up, but the rep may press the next key at once
        await pilot.pause(QUIET_AFTER_CARD)
        assert gc.isenabled()
        await pilot.press("v")
    assert gc.isenabled()  # whatever the session was doing when it ended


async def test_a_keys_desk_brings_the_card_and_its_counts_follow(tmp_path) -> None:
    """The key's job leaves the counts out so the next card comes up sooner; they are read once
    that card is drawn, and the list's title and the session bar then say what is true."""
    messages = Messages()
    async with started(build_db(tmp_path), message_hook=messages) as (app, pilot):
        screen = app.screen
        due = screen.query_one("#due")
        assert due.border_title == "Due now 3 · later today 2"
        await pilot.press("v")
        (logged,) = await messages.wait_for(OutcomeLogged)
        assert logged.desk.card is not None and logged.desk.figures is None
        (counted,) = await messages.wait_for(FiguresLoaded)
        await settle(pilot)
        assert counted.desk is logged.desk
        assert screen.desk.figures == counted.figures
        assert due.border_title == "Due now 2 · later today 2"
        assert "dials 1" in str(screen.query_one("#session-bar").render())
        assert not screen.figures_pending


async def test_counts_for_an_earlier_desk_are_not_shown_on_a_newer_one(tmp_path) -> None:
    async with started(build_db(tmp_path)) as (app, pilot):
        screen = app.screen
        before = screen.desk.figures
        await press(pilot, "v")
        assert screen.desk.figures.summary.due_now == 2
        earlier = replace(screen.desk, figures=None)
        screen.desk = replace(screen.desk, figures=None)  # as a key's desk comes
        screen.post_message(FiguresLoaded(before, earlier))  # read for another desk (the clock is fixed)
        await pilot.pause()
        assert screen.desk.figures is None  # ignored: the desk's own counts are still to come
        assert screen.query_one("#due").border_title == "Due now 2 · later today 2"


async def test_a_desk_with_no_card_brings_its_counts_at_once(tmp_path) -> None:
    """The empty state says what comes next from the counts: they come with the desk."""
    messages = Messages()
    async with started(build_db(tmp_path, ("megan",)), message_hook=messages) as (app, pilot):
        await pilot.press("v")
        (logged,) = await messages.wait_for(OutcomeLogged)
        await settle(pilot)
        assert logged.desk.card is None and logged.desk.figures is not None
        assert messages.of(FiguresLoaded) == []
        assert "All caught up" in str(app.screen.query_one("#empty-state").render())


async def test_an_outcome_goes_to_the_database_thread_before_its_key_is_done(tmp_path) -> None:
    """The key's job is handed to the DB thread by the key's own handler, not by the worker that
    waits for its answer (which starts a moment later): the database works while the UI does."""
    async with started(build_db(tmp_path)) as (app, pilot):
        gateway = app.gateway
        submit = gateway.submit
        from_a_worker: list[bool] = []

        def submitting(job, *args, **kwargs):
            try:
                get_current_worker()
                from_a_worker.append(True)
            except NoActiveWorker:
                from_a_worker.append(False)
            return submit(job, *args, **kwargs)

        gateway.submit = submitting
        await press(pilot, "n")
        assert from_a_worker[0] is False  # the outcome's job, from the key (then the counts' job)
        assert len(attempts(gateway.db_path)) == 1



async def test_a_job_that_breaks_with_a_bug_stops_the_app_with_it(tmp_path, monkeypatch) -> None:
    """Not a store or service error (those are a WriteFailed the rep reads): a bug in a change's
    job is not swallowed, leaving the keys waiting for an answer for ever; the app stops on it."""
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the job")

    monkeypatch.setattr(gateway, "log_and_load", broken)
    with pytest.raises(RuntimeError, match="a bug in the job"):
        async with started(build_db(tmp_path)) as (_, pilot):
            await pilot.press("n")
            await pilot.pause(1)


async def test_an_outcome_key_is_taken_by_the_session_before_the_focused_pane_sees_it(tmp_path) -> None:
    """The outcome keys are the session's priority bindings: the key is acted on as the app
    first receives it, not after a trip through the focused pane (the due list) and back up. No
    pane of the session reads letters, so no pane loses a key it would have used."""
    messages = Messages()
    async with started(build_db(tmp_path), message_hook=messages) as (app, pilot):
        assert app.focused is app.screen.query_one("#due")
        await press(pilot, "n")
        keys = [message for message in messages.of(events.Key) if message.key == "n"]
        assert len(keys) == 1  # delivered once, to the app, and done with
        assert len(attempts(app.gateway.db_path)) == 1
