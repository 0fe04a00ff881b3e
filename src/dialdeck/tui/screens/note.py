"""Typing a note about the prospect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from dialdeck.safe_text import one_line

if TYPE_CHECKING:
    from dialdeck.tui.app import DialdeckApp


class NoteScreen(ModalScreen[str | None]):
    if TYPE_CHECKING:  # the app, typed: it says whether a cursor blinks
        app = getters.app(DialdeckApp)

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="note_cancel")]

    def __init__(self, name: str) -> None:
        super().__init__(classes="dialog-screen")
        self._prospect_name = name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="note") as dialog:
            dialog.border_title = Content(f"Note on {one_line(self._prospect_name)}")  # a name is never markup
            field = Input(placeholder="What should you remember next time?", id="note-text")
            field.cursor_blink = self.app.cursor_blink
            yield field
            yield Static("Enter saves · Esc cancels", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
