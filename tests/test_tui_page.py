"""The due list reads the page the terminal can show, not a fixed fifty: each key reads and
phrases the whole page again, so rows never on screen cost every key time."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import HEADER, imported, settle, started

from dialdeck.tui.widgets.due_calls import MIN_PAGE, DueCalls, page_size


def crowd(folder: Path, count: int) -> Path:
    """A database with ``count`` cold prospects on three-step, all due when the session starts."""
    rows = [f"Pat{n:02d},Lee,Firm {n},+1 404 555 01{n:02d},,America/New_York,Cold,,three-step,,,,"
            for n in range(count)]
    return imported(folder, "\n".join([HEADER, *rows]) + "\n")


def test_the_page_is_what_the_terminal_can_show_and_a_few_more() -> None:
    assert page_size(40) == 25  # 20 rows of two lines could fit in 40 lines, and 5 more
    assert page_size(60) == 35
    assert page_size(24) == MIN_PAGE  # a short terminal still gets a page to arrow through


async def test_a_taller_terminal_reads_a_longer_page_at_once(tmp_path) -> None:
    async with started(crowd(tmp_path, 60), size=(120, 40)) as (app, pilot):
        due = app.screen.query_one(DueCalls)
        assert len(due.items) == 25
        await pilot.resize_terminal(120, 60)
        await settle(pilot)
        assert len(due.items) == 35  # no key pressed: the resize read it
        await pilot.press("n")
        await settle(pilot)
        assert len(due.items) == 35  # and every key's page is as long
