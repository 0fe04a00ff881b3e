"""A footer that lays its keys out in rows, so every outcome key shows even at 80 columns."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer


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
