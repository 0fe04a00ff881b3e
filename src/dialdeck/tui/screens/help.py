"""Every key of the calling session, generated from the bindings so it never drifts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

# Keys that are not bindings of the session screen but still matter to a rep.
NAVIGATION = (
    ("↑ ↓", "Move in the due list"),
    ("Enter", "Work the highlighted prospect instead of the next"),
    ("Tab", "Move between the due list and the script"),
)
KEY_WIDTH = 12


_KEY_NAMES = {"question_mark": "?", "exclamation_mark": "!"}


def key_label(binding: Binding) -> str:
    return " / ".join(_KEY_NAMES.get(part.strip(), part.strip()) for part in binding.key.split(","))


def help_rows(bindings: list[Binding]) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding, then the navigation keys; no duplicates."""
    rows: list[tuple[str, str]] = []
    for binding in bindings:
        row = (key_label(binding), binding.tooltip or binding.description)
        if row not in rows:
            rows.append(row)
    return rows + list(NAVIGATION)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help_close")]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__(classes="dialog-screen")
        self._rows = help_rows(bindings)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help") as dialog:
            dialog.border_title = "Keys"
            lines = [Content.assemble((f"{keys:<{KEY_WIDTH}}", "bold $accent"), does) for keys, does in self._rows]
            yield Static(Content("\n").join(lines), id="help-keys")
            yield Static("Esc, q or ? closes", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
