"""Skip a prospect for now: bring them back later today or tomorrow morning."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dialdeck.safe_text import one_line
from dialdeck.tui.formatting import zone
from dialdeck.tui.when import later_today, short_local, tomorrow_morning


class SnoozeScreen(ModalScreen[datetime | None]):
    BINDINGS = [
        Binding("1", "pick(0)", "Later today", id="snooze_later"),
        Binding("2", "pick(1)", "Tomorrow", id="snooze_tomorrow"),
        Binding("escape", "cancel", "Cancel", id="snooze_cancel"),
    ]

    def __init__(self, name: str, prospect_zone: str, now: datetime) -> None:
        super().__init__(classes="dialog-screen")
        self._name = name
        local = zone(prospect_zone)
        self._choices = (later_today(now), tomorrow_morning(now, local))
        self._labels = tuple(short_local(choice, local, now) for choice in self._choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="snooze") as dialog:
            dialog.border_title = Content(f"Snooze {one_line(self._name)}")  # a name is never markup
            yield OptionList(
                Option(f"1  Later today · {self._labels[0]} their time", id="later"),
                Option(f"2  Tomorrow morning · {self._labels[1]} their time", id="tomorrow"),
                id="snooze-choices",
            )
            yield Static("1 / 2 or Enter picks · Esc cancels", classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._choices[event.option_index])

    def action_pick(self, index: int) -> None:
        self.dismiss(self._choices[index])

    def action_cancel(self) -> None:
        self.dismiss(None)
