"""Widgets that draw in their theme's colours only, so each line skips the ANSI colour filter.

Textual passes every line a widget draws through the app's line filters. The first of them
turns ANSI colours (and ``dim``) into the theme's RGB colours; it is on for every theme but
an ANSI one (where it is switched off anyway). The panes redrawn on every outcome key (the
due list, the card, the script and the status line: about 70 lines) are styled with theme
variables and plain attributes only, so that filter changes nothing in them, yet it cost
about a quarter of drawing them (a millisecond a key). These panes leave it out; every other
filter (``NO_COLOR``, the dimming behind a modal) still applies.

Put it after the Textual base (``class DueCalls(ScrollView, ThemeColoursOnly)``): Textual's
CSS follows a widget's first base, and a first base of ``ThemeColoursOnly`` would lose
``ScrollView``'s default styles (its scrollbar).

A pane using this must never style text ``dim`` or with an ANSI colour name: those would
reach the terminal as they are. ``tests/test_tui_theme_colours.py`` checks the panes' lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.filter import ANSIToTruecolor, LineFilter
from textual.widget import Widget


class ThemeColoursOnly(Widget):
    """A widget whose lines hold only theme (RGB) colours: no ANSI-to-RGB filter for them."""

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [line_filter for line_filter in super().get_line_filters()
                if not isinstance(line_filter, ANSIToTruecolor)]
