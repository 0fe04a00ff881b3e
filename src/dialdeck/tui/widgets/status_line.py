"""The status line: one row above the keys saying what the last key did.

Routine confirmations ("Ana Souza: voicemail left → step 2 at Thu 10:30 their time") used to be
toasts, which at 80x24 covered the due list and the script the rep reads next. Here they take
one row of their own and stay until the next one replaces them. The row has a fixed height
and draws its own text, so a new message costs a refresh and never a layout of the screen.
"""

from __future__ import annotations

from textual.content import Content

from dialdeck.safe_text import one_line
from dialdeck.tui.widgets.theme_colours import ThemeColoursOnly

# How each kind of message looks: what was done, something to notice, something that failed.
TONES = {"done": "$text-success", "notice": "$text-warning", "error": "bold $text-error"}


class StatusLine(ThemeColoursOnly):
    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._content = Content("")

    @property
    def text(self) -> str:
        """What the line says now, as plain text."""
        return self._content.plain

    def say(self, message: str | Content, tone: str = "done") -> None:
        """Show ``message`` (plain text is shown as it is, never read as markup)."""
        mark = Content.styled("● ", TONES.get(tone, TONES["done"]))
        body = message if isinstance(message, Content) else Content(one_line(" ".join(message.split())))
        self._content = mark + body
        self.refresh()

    def clear(self) -> None:
        self._content = Content("")
        self.refresh()

    def render(self) -> Content:
        # One row: a long message is cut at the edge rather than wrapped out of sight.
        width = self.content_size.width
        return self._content.truncate(width, ellipsis=True) if width else self._content
