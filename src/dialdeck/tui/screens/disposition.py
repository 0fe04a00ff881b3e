"""After a connected call: what happens next with this prospect.

Callback times can be picked (in an hour, tomorrow morning, in two days) or typed
("thu 14:00"), read in the prospect's zone or the rep's — the zone in use is always
labelled, and the parsed time is previewed in both before it is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from dialdeck.tui.formatting import city, zone
from dialdeck.tui.when import EXAMPLES, in_an_hour, in_two_days, parse_when, short_local, tomorrow_morning


@dataclass(frozen=True)
class Disposition:
    kind: str  # one of models.DISPOSITIONS
    callback_at: datetime | None = None


class DispositionScreen(ModalScreen[Disposition | None]):
    BINDINGS = [
        Binding("1", "quick(0)", "In an hour", id="callback_hour"),
        Binding("2", "quick(1)", "Tomorrow morning", id="callback_tomorrow"),
        Binding("3", "quick(2)", "In two days", id="callback_two_days"),
        Binding("4", "type_time", "Type a time", id="callback_typed"),
        Binding("5", "choose('booked')", "Meeting booked", id="disposition_booked"),
        Binding("6", "choose('not-interested')", "Not interested", id="disposition_not_interested"),
        Binding("7", "choose('continue')", "Carry on", id="disposition_continue"),
        Binding("escape", "cancel", "Cancel", id="disposition_cancel"),
    ]

    def __init__(self, name: str, prospect_zone: str, rep_zone: str, now: datetime) -> None:
        super().__init__(classes="dialog-screen")
        self._name, self._now = name, now
        self._zones = {"theirs": prospect_zone, "yours": rep_zone}
        local = zone(prospect_zone)
        self._quick = (in_an_hour(now), tomorrow_morning(now, local), in_two_days(now, local))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="disposition") as dialog:
            dialog.border_title = f"Connected with {self._name}: what next?"
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
        labels = ("Callback in an hour", "Callback tomorrow morning", "Callback in two days")
        quick = [
            Option(Content.assemble(f"{n}  {label:<26}", (self._both(at), "$text-muted")), id=f"quick-{n - 1}")
            for n, (label, at) in enumerate(zip(labels, self._quick), start=1)
        ]
        return [
            *quick,
            Option("4  Callback at a time you type…", id="typed"),
            Option("5  Meeting booked", id="booked"),
            Option("6  Not interested", id="not-interested"),
            Option("7  Carry on the cadence", id="continue"),
        ]

    def _both(self, instant: datetime) -> str:
        theirs = short_local(instant, zone(self._zones["theirs"]), self._now)
        yours = short_local(instant, zone(self._zones["yours"]), self._now)
        return f"{theirs} theirs · {yours} yours"

    def _zone_line(self) -> Content:
        return Content.assemble(("Typed times are read in:", "$text-muted"))

    @property
    def _typing_zone(self) -> str:
        yours = self.query_one("#zone-yours", RadioButton).value
        return self._zones["yours" if yours else "theirs"]

    def _typed_instant(self) -> datetime:
        text = self.query_one("#callback-text", Input).value
        return parse_when(text, self._now, zone(self._typing_zone))

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
        self.dismiss(Disposition("callback", self._quick[index]))

    def action_type_time(self) -> None:
        self.query_one("#callback-text", Input).focus()

    def action_choose(self, kind: str) -> None:
        self.dismiss(Disposition(kind))

    def action_cancel(self) -> None:
        self.dismiss(None)
