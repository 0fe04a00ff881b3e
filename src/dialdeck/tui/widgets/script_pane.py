"""The script pane: exactly what to say or do for this step, already filled in.

The pane draws its own lines (a Line API ``ScrollView``) instead of holding a Static that
grows with the script: a child whose height changes makes Textual lay the whole screen out,
then again a frame later, on most keys. Here a new script changes only the lines drawn and,
when it is longer than the pane (small terminals), the scrollbar's thumb; the screen is never
laid out again for it.

Wrapping a script into lines is a millisecond of a keypress. The session reads the card the
queue will most likely bring up next while the rep is on this one, and the pane wraps its
script then (``prepare``); when that script is the one shown next, ``show`` only swaps its
lines in. The lines are kept by what they were wrapped from (the script, the pane's width and
look), so a script that changed since, or any other one, is wrapped as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.content import Content, Span
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual

from dialdeck.models import Script
from dialdeck.phrases import day_clock
from dialdeck.safe_text import one_line, terminal_safe
from dialdeck.tui.widgets.theme_colours import ThemeColoursOnly

NO_MESSAGE = "Don't leave a message: hang up if it rings out."


def _heading(text: str, style: str = "bold $text-accent") -> Content:
    return Content.styled(text, style)


def _said(text: str) -> Content:
    """Words filled in with prospect data: literal text, control characters shown."""
    return Content(terminal_safe(text))


def call_lines(script: Script) -> list[Content]:
    if script.voicemail is None:
        voicemail = [_heading("IF IT RINGS OUT"), Content.styled(NO_MESSAGE, "bold $text-warning")]
    else:
        label = "VOICEMAIL TO LEAVE" + (" · CALLBACK" if script.callback else "") + (" · URGENT" if script.urgent else "")
        voicemail = [_heading(label, "bold $text-warning" if script.urgent else "bold $text-accent"), _said(script.voicemail)]
    return [*voicemail, Content(""), _heading("IF THEY PICK UP"), _said(script.talk_track or "—")]


def email_lines(script: Script) -> list[Content]:
    return [
        _heading("EMAIL"),
        Content.assemble(("Subject: ", "$text-muted"), (one_line(script.subject), "bold")),
        Content(""),
        _said(script.body),
        Content(""),
        Content.assemble(("e", "bold $text-accent"), " mark sent   ", ("m", "bold $text-accent"), " open in your mail client"),
    ]


def task_lines(script: Script) -> list[Content]:
    title = "SOCIAL TOUCH" if script.action == "social" else "TASK"
    return [
        _heading(title),
        _said(script.instructions or "—"),
        Content(""),
        Content.assemble(("e", "bold $text-accent"), " mark done"),
    ]


AWAITING = "CONNECTED — WAITING FOR YOUR DISPOSITION"


def awaiting_lines(script: Script) -> list[Content]:
    """A call already logged connected: what was agreed is the one thing left to record."""
    return [
        _heading(AWAITING, "bold $text-warning"),
        Content.assemble("Press ", ("c", "bold $text-accent"), " to record what was agreed: a callback, "
                         "a meeting booked, not interested, or carry on the cadence."),
        Content.assemble(("w", "bold $text-accent"), " wrong number   ", ("d", "bold $text-accent"), " do not call"),
        Content(""),
        _heading("TALK TRACK (FOR REFERENCE)"),
        _said(script.talk_track or "—"),
    ]


def picked_lines(script: Script, zone_name: str) -> list[Content]:
    """An email offered times that are still ahead: the key that records the one they picked."""
    if not script.pickable:
        return []
    times = " · ".join(f"{n}. {day_clock(at, zone_name)}" for n, at in enumerate(script.pickable, start=1))
    return [Content(""), _heading("THEY REPLIED WITH A TIME?"),
            Content.assemble("Press ", ("p", "bold $accent"), f" for the one they picked: {times} their time")]


def script_content(script: Script, *, awaiting: bool = False, zone_name: str = "UTC") -> Content:
    if awaiting:
        return Content("\n").join(awaiting_lines(script))
    if script.action == "call":
        lines = call_lines(script)
    elif script.action == "email":
        lines = email_lines(script)
    else:
        lines = task_lines(script)
    lines += picked_lines(script, zone_name)
    if script.tip:
        lines += [Content(""), Content.assemble(("TIP ", "bold $text-success"), (terminal_safe(script.tip), "italic"))]
    return Content("\n").join(lines)


# What a script's lines are wrapped from: its text and styles (Content's == compares the text
# only), the pane's width and its look.
WrapKey = tuple[str, tuple[Span, ...], int, Style]


@dataclass(frozen=True)
class Wrapped:
    """A script's lines, kept with what they were wrapped from: used only for the same."""

    key: WrapKey
    lines: list[Strip]


class ScriptPane(ScrollView, ThemeColoursOnly, can_focus=True):
    """Scrolls when the script is longer than the pane (small terminals); Tab focuses it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text: Content = Content("")
        self._lines: list[Strip] = []
        self._prepared: Wrapped | None = None  # the likely next script, wrapped ahead
        self._ahead = False

    @property
    def text(self) -> Content:
        """The script as shown (all of it, whatever the scroll position)."""
        return self._text

    @property
    def wrapped_ahead(self) -> bool:
        """The lines shown are the ones ``prepare`` wrapped: ``show`` only swapped them in."""
        return self._ahead

    def show(self, script: Script | None, *, awaiting: bool = False, zone_name: str = "UTC") -> None:
        """``awaiting``: the call is logged connected and needs its disposition, not a dial.
        ``zone_name``: the prospect's zone, in which offered times are shown."""
        self._text = script_content(script, awaiting=awaiting, zone_name=zone_name) if script else Content.styled(
            "No script: nothing picked.", "$text-muted")
        self.scroll_to(y=0, animate=False, immediate=True)
        ready = self._prepared
        if ready is not None and ready.key == self._key(self._text):
            self._lines, self._ahead = ready.lines, True
            self._show_lines()
        else:
            self._wrap()

    def prepare(self, script: Script, *, awaiting: bool = False, zone_name: str = "UTC") -> None:
        """Wrap ``script`` now, for a ``show`` of the same text later (the likely next card's)."""
        width = self.scrollable_content_region.width
        if width:
            text = script_content(script, awaiting=awaiting, zone_name=zone_name)
            self._prepared = Wrapped(self._key(text), self._strips(text, width))

    def _key(self, text: Content) -> WrapKey:
        return text.plain, tuple(text.spans), self.scrollable_content_region.width, self.visual_style

    def on_mount(self) -> None:
        self.border_title = "Script"  # once: setting it parses it as markup and repaints the pane
        # The lines are drawn once per script with the theme's colours: a new theme draws them again.
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        self._prepared = None  # wrapped in the old theme's colours
        self.call_after_refresh(self._wrap)

    def on_resize(self, event: events.Resize) -> None:
        self._wrap()  # a new width wraps differently

    def _strips(self, text: Content, width: int) -> list[Strip]:
        style = self.visual_style
        return [line.extend_cell_length(width, style.rich_style)
                for line in Visual.to_strips(self, text, width, None, style)]

    def _wrap(self) -> None:
        width = self.scrollable_content_region.width
        self._lines = self._strips(self._text, width) if width else []
        self._ahead = False
        self._show_lines()

    def _show_lines(self) -> None:
        width = self.scrollable_content_region.width
        # The range never falls below the pane's own height: a script that fits leaves it as it was.
        self._scroll_range(Size(width, max(len(self._lines), self.scrollable_content_region.height)))
        self.refresh()

    def _scroll_range(self, size: Size) -> None:
        """A new scroll range. Setting ``virtual_size`` lays the whole screen out, which the
        scrollbar's thumb does not need: the pane always has its scrollbar (styles/session.tcss),
        so its box never changes and only the scrollbar is told the new range."""
        if size == self.virtual_size:
            return
        if not self.show_vertical_scrollbar:
            self.virtual_size = size  # a stylesheet without the scrollbar: the plain way
            return
        self.set_reactive(ScrollView.virtual_size, size)
        self.vertical_scrollbar.window_virtual_size = size.height
        if self.scroll_y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        if index < len(self._lines):
            return self._lines[index]
        return Strip.blank(self.scrollable_content_region.width, self.visual_style.rich_style)
