"""The script the next outcome brings up is wrapped while the rep is still on this card, so a
key only swaps its lines in; a script that differs in any way is wrapped afresh, never shown
from what was wrapped for another."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip

from tui_helpers import NOW, Messages, build_db, press, prospect_id, settle, started

from dialdeck import services

from dialdeck.models import DueItem, Script
from dialdeck.tui.messages import CardReadAhead
from dialdeck.tui.screens.session import likely_next
from dialdeck.tui.widgets.due_calls import DueCalls
from dialdeck.tui.widgets.script_pane import ScriptPane


def script(voicemail: str, *, urgent: bool = False) -> Script:
    return Script(action="call", voicemail=voicemail, talk_track="Hi Ann, Jordan here.", subject="", body="",
                  instructions="", tip="", urgent=urgent, next_call_at=None)


FIRST = script("Hi Ann, Jordan Reyes from Acme. I will try you again tomorrow morning.")
OTHER = script("Hi Bob, Jordan Reyes from Acme. I will try you again tomorrow morning.")


class OnePane(App[None]):
    CSS = "ScriptPane { width: 40; height: 12; } ScriptPane:focus { color: red; }"
    AUTO_FOCUS = None  # the pane starts blurred: focusing it changes its look

    def compose(self) -> ComposeResult:
        yield ScriptPane(id="script")


def drawn(pane: ScriptPane) -> list[Strip]:
    return [pane.render_line(y) for y in range(pane.size.height)]


@contextlib.asynccontextmanager
async def one_pane(theme: str = "textual-dark", width: int = 40) -> AsyncIterator[tuple[OnePane, Pilot, ScriptPane]]:
    app = OnePane()
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = theme
        pane = app.query_one(ScriptPane)
        pane.styles.width = width
        await pilot.pause()
        yield app, pilot, pane


async def fresh_lines(shown: Script, *, theme: str = "textual-dark", width: int = 40) -> list[Strip]:
    """What a pane that wrapped nothing ahead draws for ``shown``."""
    async with one_pane(theme, width) as (_app, _pilot, pane):
        pane.show(shown)
        return drawn(pane)


async def test_a_script_wrapped_ahead_is_drawn_as_a_fresh_wrap_draws_it() -> None:
    async with one_pane() as (_app, _pilot, pane):
        pane.prepare(FIRST)
        pane.show(FIRST)
        assert pane.wrapped_ahead
        assert drawn(pane) == await fresh_lines(FIRST)


async def test_another_script_is_wrapped_afresh_never_drawn_from_the_one_prepared() -> None:
    async with one_pane() as (_app, _pilot, pane):
        pane.prepare(FIRST)
        pane.show(OTHER)  # one word apart
        assert not pane.wrapped_ahead
        assert drawn(pane) == await fresh_lines(OTHER)
        pane.prepare(FIRST)
        pane.show(script(FIRST.voicemail or "", urgent=True))  # the same words, another heading and colour
        assert not pane.wrapped_ahead


async def test_a_new_width_look_or_theme_since_the_wrap_wraps_again() -> None:
    async with one_pane() as (app, pilot, pane):
        pane.prepare(FIRST)
        pane.styles.width = 30
        await pilot.pause()
        pane.show(FIRST)
        assert not pane.wrapped_ahead
        assert drawn(pane) == await fresh_lines(FIRST, width=30)

        pane.prepare(FIRST)
        pane.focus()  # the same theme, another look
        await pilot.pause()
        pane.show(FIRST)
        assert not pane.wrapped_ahead
        assert [strip.text for strip in drawn(pane)] == [strip.text for strip in await fresh_lines(FIRST, width=30)]
        assert drawn(pane) != await fresh_lines(FIRST, width=30)  # in red

        pane.blur()
        await pilot.pause()
        pane.prepare(FIRST)
        app.theme = "textual-light"
        await pilot.pause()
        pane.show(FIRST)
        assert not pane.wrapped_ahead
        assert drawn(pane) == await fresh_lines(FIRST, theme="textual-light", width=30)


def item(prospect_id: int) -> DueItem:
    return DueItem(prospect_id=prospect_id, name=f"P{prospect_id}", company="", phone="+14045550100",
                   timezone="America/New_York", cadence="three-step", step=1, steps_total=3, action="call",
                   due_at=NOW - timedelta(hours=1), pinned=False, overdue=False, temperature="cold", value=None,
                   tz_flagged=False)


def listed(*ids: int) -> tuple[DueItem, ...]:
    return tuple(item(n) for n in ids)


def test_the_likely_next_card_is_the_first_listed_other_than_this_one_that_no_other_rep_holds() -> None:
    assert likely_next(listed(1, 2, 3), 1) == 2  # the queue's head logged: the next in line
    assert likely_next(listed(1, 2, 3), 3) == 1  # a card picked from further down: the head
    assert likely_next(listed(1, 2, 3), 1, {2: "held"}) == 3  # another rep is on 2
    assert likely_next(listed(1), 1) is None  # nothing after this one
    assert likely_next(listed(4, 5), None) == 4


async def test_the_card_a_key_brings_up_had_its_script_wrapped_before_the_key(tmp_path) -> None:
    messages = Messages()
    async with started(build_db(tmp_path), message_hook=messages) as (app, pilot):
        [ahead] = await messages.wait_for(CardReadAhead)
        page = app.screen.query_one(DueCalls).items
        assert ahead.card.prospect.id == page[1].prospect_id  # read while the rep is on the first
        await press(pilot, "n")
        assert app.screen.card is not None and app.screen.card.prospect.id == ahead.card.prospect.id
        assert app.screen.query_one(ScriptPane).wrapped_ahead


async def test_a_read_ahead_that_fails_changes_nothing(tmp_path, monkeypatch) -> None:
    path = build_db(tmp_path)
    second = prospect_id(path, "Megan")  # the queue's second: the one read ahead at the start
    real, asked = services.call_card, []

    def failing(db, prospect: int, *args, **kwargs):
        if prospect == second:
            asked.append(prospect)
            raise RuntimeError("a bug in the card")
        return real(db, prospect, *args, **kwargs)

    monkeypatch.setattr(services, "call_card", failing)
    async with started(path) as (app, pilot):
        async with asyncio.timeout(5):
            while not asked:
                await asyncio.sleep(0.01)
        await settle(pilot)
        assert app.is_running and app.screen.card is not None and app.screen.card.prospect.name == "Ana Souza"
