"""Every key of the calling session, generated from the bindings so it never drifts, and what
the due list's columns and marks mean."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

# Keys that are not bindings of the session screen but still matter to a rep.
NAVIGATION = (
    ("↑ ↓ Enter Tab", "Move in the list, Enter works it · Tab: list ↔ script"),
)
# What the due list shows, left to right (widgets/due_calls.py draws it). The diamond is a
# pinned enrollment: a callback, an appointment or a time a voicemail named (see README).
LEGEND = (
    ("10:30", "Their local time now: the prospect's clock, not yours"),
    ("● ○ ◆", "Warm lead · cold lead · a time you promised (called first)"),
)

_KEY_NAMES = {"question_mark": "?", "exclamation_mark": "!"}


def key_label(binding: Binding) -> str:
    return " / ".join(_KEY_NAMES.get(part.strip(), part.strip()) for part in binding.key.split(","))


def help_rows(bindings: list[Binding]) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding, then the navigation keys.

    A key with two meanings (``e``: an email sent, a task done) is one row saying both.
    """
    rows: dict[str, list[str]] = {}
    for binding in bindings:
        does = binding.tooltip or binding.description
        meanings = rows.setdefault(key_label(binding), [])
        if does not in meanings:
            meanings.append(does)
    joined = [(keys, " · ".join([first, *(m[0].lower() + m[1:] for m in rest)]))
              for keys, (first, *rest) in rows.items()]
    return joined + list(NAVIGATION)


def help_sections(bindings: list[Binding]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, rows) of the help, in order: what the due list shows, then every key."""
    return [("In the due list", list(LEGEND)), ("Keys", help_rows(bindings))]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help_close")]

    def __init__(self, bindings: list[BindingType]) -> None:
        super().__init__(classes="dialog-screen")
        # A screen's BINDINGS may hold bare tuples too; the session's are all Binding objects.
        self._sections = help_sections([binding for binding in bindings if isinstance(binding, Binding)])

    def compose(self) -> ComposeResult:
        # Fits 80x24; scrolls on a terminal shorter still.
        with VerticalScroll(classes="dialog", id="help") as dialog:
            dialog.border_title = "Help"
            dialog.border_subtitle = "Esc, q or ? closes"
            for heading, rows in self._sections:
                yield Static(Content.styled(heading, "bold"), classes="help-heading")
                # A grid, so a description that wraps stays in its own column.
                with Grid(classes="help-rows"):
                    for keys, does in rows:
                        yield Static(Content.styled(keys, "bold $text-accent"), classes="help-key")
                        yield Static(Content(does), classes="help-does")

    def action_close(self) -> None:
        self.dismiss(None)
