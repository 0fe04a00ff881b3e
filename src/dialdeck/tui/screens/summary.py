"""The session summary shown before leaving: what this session did."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from dialdeck.models import RATE_AFTER, SessionStats
from dialdeck.phrases import call_length, elapsed
from dialdeck.safe_text import one_line


def summary_rows(rep: str, stats: SessionStats, now: datetime) -> list[tuple[str, str]]:
    """(label, figure) for every line of the summary, in the order a rep reads them."""
    return [
        ("Rep", one_line(rep)),
        ("Session", elapsed(stats.started_at, now)),
        ("Dials", str(stats.dials)),
        ("Dials per hour", stats.shown_rate(now) if stats.rate(now) is not None
         else f"— (after {RATE_AFTER.seconds // 60} min)"),
        ("Voicemails left", str(stats.voicemails)),
        ("No answer", str(stats.no_answers)),
        ("Busy", str(stats.busy)),
        ("Connects", str(stats.connects)),
        # Known only for calls dialdeck placed: a call dialled by hand is not timed.
        ("Talk time", call_length(stats.talk_seconds) if stats.timed_calls else "— (not timed)"),
        ("Meetings booked", str(stats.meetings_booked)),
        ("Callbacks set", str(stats.callbacks)),
        ("Not interested", str(stats.not_interested)),
        ("Wrong numbers", str(stats.wrong_numbers)),
        ("Do not call", str(stats.do_not_call)),
        ("Emails sent", str(stats.emails_sent)),
        ("Tasks done", str(stats.tasks_done)),
    ]


def summary_content(rep: str, stats: SessionStats, now: datetime) -> Content:
    return Content("\n").join(
        Content.assemble((f"{label:<17}", "$text-muted"), (value, "bold"))
        for label, value in summary_rows(rep, stats, now)
    )


class SummaryScreen(ModalScreen[bool]):
    """Dismissed with True to leave, False to keep calling."""

    BINDINGS = [
        Binding("enter,q,y", "leave(True)", "Leave", id="summary_leave"),
        Binding("escape", "leave(False)", "Keep calling", id="summary_stay"),
    ]

    def __init__(self, rep: str, stats: SessionStats, now: datetime) -> None:
        super().__init__(classes="dialog-screen")
        self._content = summary_content(rep, stats, now)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="summary") as dialog:
            dialog.border_title = "Session summary"
            yield Static(self._content)
            yield Static("Enter or q leaves · Esc keeps calling", classes="hint")

    def action_leave(self, leave: bool) -> None:
        self.dismiss(leave)
