"""They replied to an email that offered times: which one did they pick?

The times are the ones the email sent (stored with it), shown in their zone and in the rep's;
picking one sets the next call for exactly that time.
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

from dialdeck.phrases import short_when
from dialdeck.safe_text import one_line


class OfferedScreen(ModalScreen[int | None]):
    """Dismisses with the number they picked (1-based), or None."""

    BINDINGS = [
        *(Binding(str(n), f"pick({n})", f"Time {n}", id=f"offered_{n}", show=False) for n in range(1, 6)),
        Binding("escape", "cancel", "Cancel", id="offered_cancel"),
    ]

    def __init__(self, name: str, times: tuple[datetime, ...], prospect_zone: str, rep_zone: str,
                 now: datetime) -> None:
        super().__init__(classes="dialog-screen")
        self._prospect_name, self._times = name, times
        self._labels = tuple(
            f"{short_when(at, prospect_zone, now)} their time · {short_when(at, rep_zone, now)} yours" for at in times)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="offered") as dialog:
            dialog.border_title = Content(f"{one_line(self._prospect_name)} picked a time")  # a name is never markup
            yield OptionList(
                *(Option(Content.assemble((f"{n}  ", "bold $accent"), label), id=str(n))
                  for n, label in enumerate(self._labels, start=1)),
                id="offered-choices",
            )
            yield Static(f"1-{len(self._times)} or Enter picks · Esc cancels (nothing is logged)", classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index + 1)

    def action_pick(self, number: int) -> None:
        if number <= len(self._times):
            self.dismiss(number)

    def action_cancel(self) -> None:
        self.dismiss(None)
