"""The script pane: exactly what to say or do for this step, already filled in."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from dialdeck.models import Script

NO_MESSAGE = "Don't leave a message: hang up if it rings out."


def _heading(text: str, style: str = "bold $accent") -> Content:
    return Content.styled(text, style)


def call_lines(script: Script) -> list[Content]:
    if script.voicemail is None:
        voicemail = [_heading("IF IT RINGS OUT"), Content.styled(NO_MESSAGE, "bold $warning")]
    else:
        label = "VOICEMAIL TO LEAVE" + (" · URGENT" if script.urgent else "")
        voicemail = [_heading(label, "bold $warning" if script.urgent else "bold $accent"), Content(script.voicemail)]
    return [*voicemail, Content(""), _heading("IF THEY PICK UP"), Content(script.talk_track or "—")]


def email_lines(script: Script) -> list[Content]:
    return [
        _heading("EMAIL"),
        Content.assemble(("Subject: ", "$text-muted"), (script.subject, "bold")),
        Content(""),
        Content(script.body),
        Content(""),
        Content.assemble(("e", "bold $accent"), " mark sent   ", ("m", "bold $accent"), " open in your mail client"),
    ]


def task_lines(script: Script) -> list[Content]:
    title = "SOCIAL TOUCH" if script.action == "social" else "TASK"
    return [
        _heading(title),
        Content(script.instructions or "—"),
        Content(""),
        Content.assemble(("e", "bold $accent"), " mark done"),
    ]


AWAITING = "CONNECTED — WAITING FOR YOUR DISPOSITION"


def awaiting_lines(script: Script) -> list[Content]:
    """A call already logged connected: what was agreed is the one thing left to record."""
    return [
        _heading(AWAITING, "bold $warning"),
        Content.assemble("Press ", ("c", "bold $accent"), " to record what was agreed: a callback, "
                         "a meeting booked, not interested, or carry on the cadence."),
        Content.assemble(("w", "bold $accent"), " wrong number   ", ("d", "bold $accent"), " do not call"),
        Content(""),
        _heading("TALK TRACK (FOR REFERENCE)"),
        Content(script.talk_track or "—"),
    ]


def script_content(script: Script, *, awaiting: bool = False) -> Content:
    if awaiting:
        return Content("\n").join(awaiting_lines(script))
    if script.action == "call":
        lines = call_lines(script)
    elif script.action == "email":
        lines = email_lines(script)
    else:
        lines = task_lines(script)
    if script.tip:
        lines += [Content(""), Content.assemble(("TIP ", "bold $success"), (script.tip, "italic"))]
    return Content("\n").join(lines)


class ScriptPane(VerticalScroll):
    """Scrolls when the script is longer than the pane (small terminals); Tab focuses it."""

    def compose(self) -> ComposeResult:
        yield Static(id="script-text")

    def show(self, script: Script | None, *, awaiting: bool = False) -> None:
        """``awaiting``: the call is logged connected and needs its disposition, not a dial."""
        self.border_title = "Script"
        text = script_content(script, awaiting=awaiting) if script else Content.styled("No script: nothing picked.", "$text-muted")
        static = self.query_one("#script-text", Static)
        width = static.content_size.width
        # A layout re-arranges the whole screen: only when the script's height changes.
        same_height = bool(width) and text.get_height(static.styles, width) == static.visual.get_height(
            static.styles, width)
        static.update(text, layout=not same_height)
        self.scroll_home(animate=False)
