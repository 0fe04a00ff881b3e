"""Skip a prospect for now: bring them back later today or on their next calling morning.

Both choices come from ``picks``: inside the prospect's calling hours, named by the real day in
their zone. A choice with no time left inside their hours is shown dimmed, with the reason.
"""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dialdeck.hours import CallingWindow
from dialdeck.phrases import short_when
from dialdeck.picks import Pick, snooze_picks
from dialdeck.safe_text import one_line
from dialdeck.tui.formatting import zone


class SnoozeScreen(ModalScreen[datetime | None]):
    BINDINGS = [
        Binding("1", "pick(0)", "Later today", id="snooze_later"),
        Binding("2", "pick(1)", "Next morning", id="snooze_tomorrow"),
        Binding("escape", "cancel", "Cancel", id="snooze_cancel"),
    ]

    def __init__(self, name: str, prospect_zone: str, now: datetime, window: CallingWindow) -> None:
        super().__init__(classes="dialog-screen")
        self._prospect_name = name
        self._zone, self._now = zone(prospect_zone), now
        self._picks = snooze_picks(now, self._zone, window)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="snooze") as dialog:
            dialog.border_title = Content(f"Snooze {one_line(self._prospect_name)}")  # a name is never markup
            yield OptionList(*(self._option(n, pick) for n, pick in enumerate(self._picks, start=1)),
                             id="snooze-choices")
            yield Static("1 / 2 or Enter picks · Esc cancels", classes="hint")

    def _option(self, number: int, pick: Pick) -> Option:
        if pick.at is None:  # shown dimmed, with why: not offered
            return Option(Content(f"{number}  {pick.title} · none: {pick.why_not}"), id=f"pick-{number - 1}",
                          disabled=True)
        return Option(f"{number}  {pick.title} · {short_when(pick.at, self._zone, self._now)} their time",
                      id=f"pick-{number - 1}")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(event.option_index)

    def action_pick(self, index: int) -> None:
        at = self._picks[index].at
        if at is None:
            self.app.bell()
            return
        self.dismiss(at)

    def action_cancel(self) -> None:
        self.dismiss(None)
