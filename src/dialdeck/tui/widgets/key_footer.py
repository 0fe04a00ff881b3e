"""A footer that lays its keys out in rows, so every outcome key shows even at 80 columns.

Textual's Footer recomposes itself (every key a new widget, then a layout of the screen)
whenever the bindings are refreshed. Between a call and an email step the same keys show
and only which are dimmed changes, so this one dims them in place and recomposes only when
the keys themselves change.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Shown = tuple[str, str, str, str]  # key, description, action, tooltip: what a FooterKey shows


class KeyFooter(Footer):
    """Textual's Footer, but the grid wraps after ``columns`` keys (the stock one is one row)."""

    DEFAULT_CSS = """
    KeyFooter {
        layout: grid;
        grid-columns: auto;
        grid-gutter: 0;
        height: auto;
        max-height: 3;
    }
    """

    def __init__(self, *, columns: int = 7, **kwargs) -> None:
        super().__init__(**kwargs)
        self._columns = columns

    def compose(self) -> ComposeResult:
        yield from super().compose()
        # Footer sets one column per key on every recompose; fold them into rows instead.
        self.styles.grid_size_columns = self._columns

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and self._dim_in_place(screen):
            return
        super().bindings_changed(screen)

    def _dim_in_place(self, screen: Screen) -> bool:
        """Dim or light the keys already shown; False when the keys shown must change."""
        wanted = self._wanted(screen)
        keys = list(self.query_children(FooterKey))
        if wanted is None or len(keys) != len(wanted) or self.show_command_palette:
            return False
        if any(_shown(key) != shown for key, (shown, _) in zip(keys, wanted)):
            return False
        for key, (_, enabled) in zip(keys, wanted):
            # FooterKey keeps its state in _disabled (it bells on a click) and the class.
            key._disabled = not enabled
            key.set_class(not enabled, "-disabled")
        return True

    @staticmethod
    def _wanted(screen: Screen) -> list[tuple[Shown, bool]] | None:
        """What Footer.compose would show, in its order; None for grouped keys (not handled)."""
        first: dict[str, tuple[Binding, bool, str]] = {}
        for _, binding, enabled, tooltip in screen.active_bindings.values():
            if binding.show:
                if binding.group is not None:
                    return None
                first.setdefault(binding.action, (binding, enabled, tooltip))
        return [((b.key, b.description, b.action, tooltip), enabled) for b, enabled, tooltip in first.values()]


def _shown(key: FooterKey) -> Shown:
    tooltip = key.tooltip if isinstance(key.tooltip, str) else ""
    return key.key, key.description, key.action, tooltip or ""
