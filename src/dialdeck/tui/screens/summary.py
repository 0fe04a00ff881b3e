"""The session summary shown before leaving: what this session did."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from dialdeck.models import SessionStats
from dialdeck.safe_text import one_line
from dialdeck.tui.formatting import session_length


def summary_content(rep: str, stats: SessionStats, now: datetime) -> Content:
    rows = (
        ("Rep", one_line(rep)),
        ("Session", session_length(stats.started_at, now)),
        ("Dials", str(stats.dials)),
        ("Voicemails", str(stats.voicemails)),
        ("Connects", str(stats.connects)),
        ("Dials per hour", f"{stats.per_hour(now):.1f}"),
    )
    return Content("\n").join(
        Content.assemble((f"{label:<16}", "$text-muted"), (value, "bold")) for label, value in rows
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
