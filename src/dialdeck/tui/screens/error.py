"""A database problem the session cannot go on from: said plainly, then a clean exit."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from dialdeck.safe_text import terminal_safe


class ErrorScreen(Screen[None]):
    BINDINGS = [Binding("q,escape,enter", "quit", "Quit", id="error_quit")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self._message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="error") as dialog:
            dialog.border_title = "dialdeck cannot go on"
            yield Static(terminal_safe(self._message), markup=False, id="error-message")
            yield Static("Outcomes confirmed on screen before this are saved. Press q to quit.",
                         classes="hint")

    def action_quit(self) -> None:
        self.app.exit(1, return_code=1)
