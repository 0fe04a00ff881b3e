"""The call panel: the call on screen (its state, its timer, what the network said and the
outcome that suggests), the number large for a call the rep dials by hand, or power mode's
countdown before the next dial. Hidden when there is neither.

It draws only what it is given; the session screen owns the call (``tui/calls.py``).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Digits, Static

from dialdeck.dialers import CallState
from dialdeck.safe_text import one_line
from dialdeck.tui.calls import STATE_LABELS, Countdown, LiveCall, clock_text
from dialdeck.tui.formatting import outcome_label


class CallPanel(Vertical):
    DEFAULT_CSS = """
    CallPanel {
        display: none;
        height: auto;
        border: round $warning 70%;
        border-title-color: $text;
        border-title-style: bold;
        padding: 0 1;
        &.-shown { display: block; }
        & > #call-lines { height: auto; }
        & > Digits { display: none; width: auto; }
        &.-big > Digits { display: block; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._call: LiveCall | None = None
        self._countdown: Countdown | None = None
        self._now = 0.0  # the monotonic clock at the last draw

    def compose(self) -> ComposeResult:
        yield Digits(id="call-number")
        yield Static(id="call-lines")

    @property
    def text(self) -> str:
        """What the panel says now, as plain text (the large digits not included)."""
        return self._lines(self._now).plain if self._call is not None or self._countdown is not None else ""

    def show(self, call: LiveCall | None, countdown: Countdown | None, now: float) -> None:
        """The call (or the countdown) to show; ``now`` is the monotonic clock, for the timer."""
        self._call, self._countdown = call, countdown
        self.set_class(call is not None or countdown is not None, "-shown")
        big = call is not None and not call.places_calls and countdown is None
        self.set_class(big, "-big")
        if big and call is not None:
            self.query_one("#call-number", Digits).update(call.big_number(self.content_size.width))
        self.tick(now)

    def on_resize(self, event: events.Resize) -> None:
        call = self._call
        if call is not None and self.has_class("-big"):  # grouped digits where they fit
            self.query_one("#call-number", Digits).update(call.big_number(self.content_size.width))

    def tick(self, now: float) -> None:
        if self._call is None and self._countdown is None:
            return
        self._now = now
        self.border_title = "Power mode" if self._countdown is not None else "Call"
        self.query_one("#call-lines", Static).update(self._lines(now))

    def _lines(self, now: float) -> Content:
        if self._countdown is not None:
            return self._countdown_lines(self._countdown)
        call = self._call
        assert call is not None
        if not call.places_calls:
            return self._handoff_lines(call)
        label, tone = STATE_LABELS[call.state] if call.state is not None else ("Dialing…", "$text-warning")
        seconds = call.timer(now)
        head = Content.assemble((label, f"bold {tone}"))
        if seconds is not None:
            kind = "talk" if call.answered_at is not None else ("rang" if call.ended else "ringing")
            head = Content.assemble(head, "  ", (clock_text(seconds), "bold"), (f" {kind}", "$text-muted"))
        if call.reason and call.state in (CallState.BUSY, CallState.FAILED, CallState.NO_ANSWER):
            head = Content.assemble(head, "  ", (one_line(call.reason), "$text-muted"))
        line = Content.assemble(head, "  ", Content.styled(one_line(call.plan.name), "bold"))
        # While the call is on, its keys (h, r) are in the key bar: the script keeps the row.
        return Content("\n").join([line, self._next_line(call)]) if call.ended else line

    @staticmethod
    def _handoff_lines(call: LiveCall) -> Content:
        reason = one_line(call.reason or f"dial {call.shown_number} yourself")
        if call.state is CallState.FAILED:
            return Content.assemble(("Not handed over: ", "bold $text-error"), reason)
        return Content("\n").join([Content(reason), Content.styled("When the call is over, press its outcome key",
                                                                   "$text-muted")])

    @staticmethod
    def _next_line(call: LiveCall) -> Content:
        suggested = call.suggested
        if suggested is None:
            return Content.styled("No outcome to suggest: press the outcome key", "$text-muted")
        return Content.assemble(("Enter", "bold $text-accent"), " logs ", (outcome_label(suggested), "bold"),
                                (" · or press another outcome key", "$text-muted"))

    @staticmethod
    def _countdown_lines(countdown: Countdown) -> Content:
        plan = countdown.plan
        head = Content.assemble(("Dialing ", "bold $text-warning"), (one_line(plan.name), "bold"),
                                (f" in {countdown.left} s", "bold $text-warning"))
        lines = [head, Content.assemble(("Esc", "bold $text-accent"), " cancels · ",
                                        ("g", "bold $text-accent"), " dials now")]
        if countdown.skipped:
            lines.append(Content.styled("skipped " + "; ".join(one_line(s) for s in countdown.skipped), "$text-muted"))
        return Content("\n").join(lines)
