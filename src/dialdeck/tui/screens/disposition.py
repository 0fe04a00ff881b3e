"""After a connected call: what happens next with this prospect.

Callback times can be picked (in an hour, the next morning, in two days: each inside the
prospect's calling hours and named by its real day, from ``picks``) or typed ("thu 14:00"),
read in the prospect's zone or the rep's — the zone in use is always labelled, and the parsed
time is previewed in both before it is accepted. A typed time the scheduler would refuse
(outside their calling hours) keeps the dialog open, with the text and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from dialdeck.guard import callback_refusal
from dialdeck.hours import CallingWindow
from dialdeck.phrases import short_when
from dialdeck.picks import Pick, callback_picks
from dialdeck.safe_text import one_line
from dialdeck.tui.formatting import city, zone
from dialdeck.typed_time import EXAMPLES, read_later

if TYPE_CHECKING:
    from dialdeck.tui.app import DialdeckApp


@dataclass(frozen=True)
class Disposition:
    kind: str  # one of models.DISPOSITIONS
    callback_at: datetime | None = None


class DispositionScreen(ModalScreen[Disposition | None]):
    if TYPE_CHECKING:  # the app, typed: it says whether a cursor blinks
        app = getters.app(DialdeckApp)

    BINDINGS = [
        Binding("1", "quick(0)", "In an hour", id="callback_hour"),
        Binding("2", "quick(1)", "Next morning", id="callback_tomorrow"),
        Binding("3", "quick(2)", "In two days", id="callback_two_days"),
        Binding("4", "type_time", "Type a time", id="callback_typed"),
        Binding("5", "choose('booked')", "Meeting booked", id="disposition_booked"),
        Binding("6", "choose('not-interested')", "Not interested", id="disposition_not_interested"),
        Binding("7", "choose('continue')", "Carry on", id="disposition_continue"),
        Binding("escape", "cancel", "Cancel", id="disposition_cancel"),
    ]

    def __init__(self, name: str, prospect_zone: str, rep_zone: str, now: datetime,
                 window: CallingWindow) -> None:
        super().__init__(classes="dialog-screen")
        self._prospect_name, self._now, self._window = name, now, window
        self._zones = {"theirs": prospect_zone, "yours": rep_zone}
        self._quick = callback_picks(now, zone(prospect_zone), window)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="disposition") as dialog:
            dialog.border_title = Content(f"Connected with {one_line(self._prospect_name)}: what next?")  # never markup
            yield OptionList(*self._options(), id="disposition-choices")
            yield Static(self._zone_line(), id="zone-line")
            with RadioSet(id="callback-zone"):
                yield RadioButton(f"their time ({city(self._zones['theirs'])})", value=True, id="zone-theirs")
                yield RadioButton(f"your time ({city(self._zones['yours'])})", id="zone-yours")
            field = Input(placeholder=f"callback at… {EXAMPLES}", id="callback-text")
            field.cursor_blink = self.app.cursor_blink
            yield field
            yield Static("", id="callback-preview")
            yield Static("1-7 or Enter picks · Tab moves · Esc cancels (nothing is logged)", classes="hint")

    def _options(self) -> list[Option]:
        return [
            *(self._quick_option(n, pick) for n, pick in enumerate(self._quick, start=1)),
            Option("4  Callback at a time you type…", id="typed"),
            Option("5  Meeting booked", id="booked"),
            Option("6  Not interested", id="not-interested"),
            Option("7  Carry on the cadence", id="continue"),
        ]

    def _quick_option(self, number: int, pick: Pick) -> Option:
        label = f"{number}  {'Callback ' + pick.phrase:<26}"
        if pick.at is None:  # no such time inside their calling hours: shown, not offered
            return Option(Content(f"{label}none: {pick.why_not}"), id=f"quick-{number - 1}", disabled=True)
        return Option(Content.assemble(label, (self._both(pick.at), "$text-muted")), id=f"quick-{number - 1}")

    def _both(self, instant: datetime) -> str:
        theirs = short_when(instant, self._zones["theirs"], self._now)
        yours = short_when(instant, self._zones["yours"], self._now)
        return f"{theirs} theirs · {yours} yours"

    def _zone_line(self) -> Content:
        return Content.assemble(("Typed times are read in:", "$text-muted"))

    @property
    def _typing_zone(self) -> str:
        yours = self.query_one("#zone-yours", RadioButton).value
        return self._zones["yours" if yours else "theirs"]

    def _typed_instant(self) -> datetime:
        """The typed time, or ValueError saying why it cannot be read or promised."""
        text = self.query_one("#callback-text", Input).value
        instant = read_later(text, self._now, self._typing_zone)
        refusal = callback_refusal(instant, self._now, zone(self._zones["theirs"]), self._window, self._prospect_name)
        if refusal is not None:
            raise ValueError(refusal)
        return instant

    @on(Input.Changed, "#callback-text")
    @on(RadioSet.Changed)
    def _preview(self) -> None:
        preview = self.query_one("#callback-preview", Static)
        if not self.query_one("#callback-text", Input).value.strip():
            preview.update("")
            return
        try:
            preview.update(Content.styled(f"→ {self._both(self._typed_instant())}", "$text-success"))
        except ValueError as error:
            preview.update(Content.styled(str(error), "$text-warning"))

    @on(Input.Submitted, "#callback-text")
    def _typed_submitted(self) -> None:
        try:
            instant = self._typed_instant()
        except ValueError as error:
            self.query_one("#callback-preview", Static).update(Content.styled(str(error), "bold $text-error"))
            return
        self.dismiss(Disposition("callback", instant))

    @on(OptionList.OptionSelected, "#disposition-choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option_id or ""
        if option_id.startswith("quick-"):
            self.action_quick(int(option_id.removeprefix("quick-")))
        elif option_id == "typed":
            self.action_type_time()
        else:
            self.action_choose(option_id)

    def action_quick(self, index: int) -> None:
        at = self._quick[index].at
        if at is None:
            self.app.bell()
            return
        self.dismiss(Disposition("callback", at))

    def action_type_time(self) -> None:
        self.query_one("#callback-text", Input).focus()

    def action_choose(self, kind: str) -> None:
        self.dismiss(Disposition(kind))

    def action_cancel(self) -> None:
        self.dismiss(None)
