"""The due list and the key bar as a rep uses them: keys, the mouse, what is redrawn.

Both draw their own lines (Textual's public Line API); these tests drive them through the
Pilot, as a terminal would, with the fixed clock and data of ``tui_helpers``.
"""

from __future__ import annotations

from tui_helpers import Messages, attempts, build_db, running, settle, started, test_app

from dialdeck.tui.messages import OutcomeLogged
from dialdeck.tui.widgets.due_calls import ROW_HEIGHT, DueCalls
from dialdeck.tui.widgets.key_bar import KeyBar
from dialdeck.tui.widgets.script_pane import ScriptPane



def due(app) -> DueCalls:
    return app.screen.query_one(DueCalls)


def row_offset(index: int) -> tuple[int, int]:
    """Where to point at a row of the due list: inside its border, on its first line."""
    return 5, 1 + index * ROW_HEIGHT


async def test_clicking_a_row_brings_up_that_prospect(tmp_path) -> None:
    async with started(build_db(tmp_path)) as (app, pilot):
        second = due(app).items[1]
        await pilot.click(DueCalls, offset=row_offset(1))
        await settle(pilot)
        assert app.screen.card.prospect.id == second.prospect_id
        assert due(app).highlighted == 1


async def test_the_arrows_wrap_round_and_enter_picks(tmp_path) -> None:
    async with started(build_db(tmp_path)) as (app, pilot):
        items = due(app).items
        assert due(app).highlighted == 0  # the card's prospect, the head of the queue
        await pilot.press("up")
        assert due(app).highlighted == len(items) - 1
        await pilot.press("down")
        assert due(app).highlighted == 0
        await pilot.press("end", "enter")
        await settle(pilot)
        assert app.screen.card.prospect.id == items[-1].prospect_id


async def test_the_row_under_the_mouse_is_marked_until_it_leaves(tmp_path) -> None:
    async with started(build_db(tmp_path)) as (app, pilot):
        await pilot.hover(DueCalls, offset=row_offset(2))
        assert due(app).hovered == 2
        await pilot.hover(DueCalls, offset=(5, 0))  # the border: no row
        assert due(app).hovered is None


def key_offset(bar: KeyBar, key: str) -> tuple[int, int]:
    """Where the key bar draws ``key``: its row, and its column's left edge."""
    keys = [shown.key for shown in bar.keys]
    index = keys.index(key)
    row, column = divmod(index, bar.columns)
    widths = [max(shown.width for shown in bar.keys[c::bar.columns]) for c in range(bar.columns)]
    return sum(widths[:column]) + 1, row


async def test_clicking_a_key_presses_it_and_a_dimmed_one_only_rings(tmp_path) -> None:
    path = build_db(tmp_path)
    app = test_app(path)
    messages = Messages()
    bells: list[int] = []
    app.bell = lambda: bells.append(1)
    async with running(app, message_hook=messages) as pilot:
        bar = app.screen.query_one(KeyBar)
        assert [shown.enabled for shown in bar.keys if shown.key == "u"] == [False]  # nothing to undo
        await pilot.click(KeyBar, offset=key_offset(bar, "u"))
        assert bells == [1]
        await pilot.click(KeyBar, offset=key_offset(bar, "v"))
        await messages.wait_for(OutcomeLogged)
        await settle(pilot)
    assert [a["outcome"] for a in attempts(path)] == ["voicemail"]


async def test_hovering_a_key_tells_what_it_does(tmp_path) -> None:
    async with started(build_db(tmp_path)) as (app, pilot):
        bar = app.screen.query_one(KeyBar)
        await pilot.hover(KeyBar, offset=key_offset(bar, "b"))
        assert bar.tooltip == "Busy: try the same step again after the cooldown"


async def test_the_keys_are_not_redrawn_when_they_stay_the_same(tmp_path) -> None:
    """Two call steps in a row show the same keys, equally dimmed: the bar keeps what it drew."""
    async with started(build_db(tmp_path)) as (app, pilot):
        bar = app.screen.query_one(KeyBar)
        await pilot.press("v")
        await settle(pilot)
        before = bar.keys
        assert app.screen.card.script.action == "call"
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.card.script.action == "call"
        assert bar.keys is before


async def test_a_long_script_scrolls_to_its_last_line_card_after_card(tmp_path) -> None:
    """At 80x24 most scripts are longer than their pane: each new one gets its own scroll range
    (the scrollbar's thumb follows without laying the screen out), starting at its top."""
    async with started(build_db(tmp_path), size=(80, 24)) as (app, pilot):
        script = app.screen.query_one(ScriptPane)
        ranges = set()
        for _ in range(3):
            lines = len(script.text.wrap(script.scrollable_content_region.width))
            assert lines > script.scrollable_content_region.height  # longer than the pane
            assert script.scroll_y == 0
            assert script.virtual_size.height == lines
            assert script.vertical_scrollbar.window_virtual_size == lines
            assert script.max_scroll_y == lines - script.scrollable_content_region.height
            ranges.add(lines)
            await pilot.press("tab", "end")  # the script pane, scrolled to its end
            assert script.scroll_y == script.max_scroll_y
            last = script.render_line(script.scrollable_content_region.height - 1).text.strip()
            assert last and script.text.plain.rstrip().endswith(last)
            await pilot.press("shift+tab", "n")
            await settle(pilot)
        assert len(ranges) > 1  # the scripts were of different lengths


async def test_a_reload_keeps_the_row_the_rep_moved_to_and_a_key_moves_on_to_the_next_card(tmp_path) -> None:
    """The desk reloads itself (every half minute, or when the terminal grows): the rep's place
    in the list stays; an outcome brings up the next card and the highlight goes with it."""
    async with started(build_db(tmp_path)) as (app, pilot):
        await pilot.press("down", "down")
        moved_to = due(app).highlighted_prospect()
        app.screen.refresh_desk()
        await settle(pilot)
        assert due(app).highlighted_prospect() == moved_to
        await pilot.press("n")
        await settle(pilot)
        assert due(app).highlighted_prospect() == app.screen.card.prospect.id
