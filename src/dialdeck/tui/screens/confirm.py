"""A yes/no question that must be answered on purpose (do not call is for good)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from dialdeck.safe_text import one_line, terminal_safe


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm_no"),
    ]

    def __init__(self, title: str, question: str, yes_label: str = "Yes") -> None:
        super().__init__(classes="dialog-screen")
        self._title, self._question, self._yes = title, question, yes_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm") as dialog:
            # The question names the prospect: literal text, never markup, controls shown.
            dialog.border_title = Content(one_line(self._title))
            yield Static(terminal_safe(self._question), classes="question", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"{self._yes} (y)", variant="error", id="yes")
                yield Button("Cancel (n / Esc)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
