"""The desk's panes skip Textual's ANSI-to-RGB line filter (widgets/theme_colours.py): that is
only right while everything they draw is in the theme's RGB colours, never ``dim`` nor an ANSI
colour, which would reach the terminal unconverted."""

from __future__ import annotations

import pytest
from textual.filter import ANSIToTruecolor
from textual.geometry import Region
from textual.widget import Widget

from tui_helpers import build_db, press, started

PANES = ("#due", "#card", "#script", "#status")


def unconverted(pane: Widget) -> list[str]:
    """Each segment the ANSI filter would have changed: an ANSI colour or ``dim``."""
    found = []
    for y, strip in enumerate(pane.render_lines(Region(0, 0, *pane.region.size))):
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            ansi = [c.name for c in (style.color, style.bgcolor) if c is not None and c.triplet is None]
            if ansi or style.dim:
                found.append(f"{pane.id} line {y} {segment.text!r}: {ansi or 'dim'}")
    return found


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "nord"])
async def test_the_desks_panes_draw_only_theme_colours(tmp_path, theme) -> None:
    async with started(build_db(tmp_path), theme=theme) as (app, pilot):
        assert any(isinstance(f, ANSIToTruecolor) for f in app.get_line_filters())  # on for this theme
        seen = set()
        for _ in range(4):  # calls and an email step, warm and cold, with and without a company
            screen = app.screen
            seen.add(screen.card.script.action)
            for selector in PANES:
                pane = screen.query_one(selector)
                assert not any(isinstance(f, ANSIToTruecolor) for f in pane.get_line_filters())
                assert unconverted(pane) == []
            await press(pilot, "e" if screen.card.script.action != "call" else "n")
        assert "call" in seen


async def test_the_panes_keep_every_other_filter(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    async with started(build_db(tmp_path)) as (app, _):
        others = [type(f) for f in app.get_line_filters() if not isinstance(f, ANSIToTruecolor)]
        assert others  # NO_COLOR adds one
        for selector in PANES:
            assert [type(f) for f in app.screen.query_one(selector).get_line_filters()] == others
