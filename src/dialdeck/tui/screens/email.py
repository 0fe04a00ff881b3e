"""The email step's text, with what happened when the session tried the mail client, and keys
that copy each part to the clipboard (so it can be pasted into webmail or a client elsewhere)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from dialdeck.tui.mail import MailResult

# Copying goes out as an OSC 52 escape: the terminal may or may not pass it to the clipboard,
# and nothing comes back to say which. The dialog says exactly that.
COPIED = ("{part} sent to your terminal's clipboard (OSC 52). Paste to check: not every terminal "
          "passes it on; if yours does not, select the text above with the mouse (most terminals: "
          "hold Shift and drag).")


class EmailScreen(ModalScreen[str | None]):
    """Dismissed with "sent" when the rep marks the email sent from here, else None."""

    BINDINGS = [
        Binding("a", "copy('address')", "Copy address", id="email_copy_address"),
        Binding("s", "copy('subject')", "Copy subject", id="email_copy_subject"),
        Binding("b", "copy('body')", "Copy body", id="email_copy_body"),
        Binding("e", "sent", "Mark sent", id="email_mark_sent"),
        Binding("escape,enter", "close", "Close", id="email_close"),
    ]

    def __init__(self, result: MailResult, address: str, subject: str, body: str) -> None:
        super().__init__(classes="dialog-screen")
        self._result = result
        self._parts = {"address": address, "subject": subject, "body": body}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="email") as dialog:
            dialog.border_title = "Email step"
            tone = "bold $text-success" if self._result.opened else "bold $text-warning"
            yield Static(Content.styled(self._result.headline, tone), id="email-result")
            yield Static(Content.assemble(("To       ", "$text-muted"), self._parts["address"]), classes="email-field")
            yield Static(Content.assemble(("Subject  ", "$text-muted"), (self._parts["subject"], "bold")),
                         classes="email-field")
            with VerticalScroll(id="email-body"):
                yield Static(Content(self._parts["body"]))
            yield Static(Content(""), id="email-copied", classes="hint")
            yield Static(Content.assemble(
                ("a", "bold $text-accent"), " address  ", ("s", "bold $text-accent"), " subject  ",
                ("b", "bold $text-accent"), " body: copy   ", ("e", "bold $text-accent"), " mark sent   ",
                ("Esc", "bold $text-accent"), " close"), classes="hint")

    def action_copy(self, part: str) -> None:
        self.app.copy_to_clipboard(self._parts[part])
        self.query_one("#email-copied", Static).update(Content(COPIED.format(part=part.capitalize())))

    def action_sent(self) -> None:
        self.dismiss("sent")

    def action_close(self) -> None:
        self.dismiss(None)
