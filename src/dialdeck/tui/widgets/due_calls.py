"""The due-calls pane: one page of the queue, two lines per prospect, in calling order.

Line 1: the prospect's local time, name, and how overdue / when due ("2d late" on a narrow pane).
Line 2: warm/cold dot, a diamond for a promised time, cadence and step, company; for a prospect
another rep holds reserved, who and until when instead ("held by Sam until 10:42").
Rows are cut to the pane's width (rebuilt on resize) so nothing wraps at 80 columns: the name and
the step count ("5/12") are kept whole before anything else is cut.

The pane draws its own lines (a Line API ``ScrollView``: ``render_line`` and ``virtual_size``,
as toolong's ``LogLines`` does). The page is replaced after every outcome key and most rows
only move up one place, so a row's drawn lines are kept by what it shows, not by where: a
row drawn once is drawn again only when its text or its look (highlighted, under the mouse,
focused, another theme) changes. The scroll range changes only when the page's length does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual

from dialdeck.models import DueItem
from dialdeck.phrases import due_phrase, local_clock
from dialdeck.safe_text import one_line
from dialdeck.tui.widgets.theme_colours import ThemeColoursOnly

MIN_WIDTH = 24
ROW_HEIGHT = 2
MIN_PAGE = 20
PAGE_MARGIN = 5  # rows past those a terminal could show, for the arrow keys to move into

Held = tuple[str, str]  # another rep's name, and the end of their lease on the rep's clock
# item, width, short form, their clock, when due, who holds it and until when (None: no one else)
RowKey = tuple[DueItem, int, bool, str, str, Held | None]


class Row:
    """One prospect's row: its text, and its two lines as drawn in each look it has had."""

    __slots__ = ("text", "drawn")

    def __init__(self, text: Content) -> None:
        self.text = text
        self.drawn: dict[Style, list[Strip]] = {}


def page_size(lines: int) -> int:
    """The page of the queue the list asks for on a terminal ``lines`` high: every row the
    pane could show there, a few more, MIN_PAGE at least. Each key reads and phrases the whole
    page again, so a page far longer than the screen cost every key time for rows never seen."""
    return max(lines // ROW_HEIGHT + PAGE_MARGIN, MIN_PAGE)


def when_due(item: DueItem, now: datetime, *, short: bool = False) -> str:
    """How overdue, or when due: "overdue 2 days" ("2d late" short), "in 5 minutes" ("in 5m")."""
    return due_phrase(item.due_at, now, overdue=item.overdue, short=short)


def first_line(item: DueItem, now: datetime, width: int, short: bool) -> Content:
    """Their clock, the name, when due. The name comes first: where the full "overdue 2 days"
    would cut a name the page says "2d late", and only a name longer still is cut."""
    style = "$text-warning" if item.overdue or item.pinned else "$text-muted"
    left = Content.assemble((local_clock(now, item.timezone), "$text-muted"), " ", (one_line(item.name), "bold"))
    right = Content.styled(when_due(item, now, short=short), style)
    room = max(width - right.cell_length - 1, 8)
    return left.truncate(room, ellipsis=True, pad=True).append(" ").append(right)


def second_line(item: DueItem, width: int, held: Held | None = None) -> Content:
    dot = ("●", "$text-warning") if item.temperature == "warm" else ("○", "$text-muted")
    pin = ("◆", "$text-accent") if item.pinned else " "
    head = Content.assemble("  ", dot, " ", pin, "  ")
    if held is not None:
        return head + held_line(held, width - head.cell_length)
    # The step matters more than the company, and its count more than the cadence's name:
    # a narrow pane cuts the company, then the name, never "5/12".
    # No steps: the cadence is not in the library (its file removed, or skipped as broken).
    count = f" {item.step}/{item.steps_total}" if item.steps_total else " not found"
    room = width - head.cell_length - len(count)
    cadence = Content(one_line(item.cadence))
    if cadence.cell_length > room:
        cadence = cadence.truncate(max(room, 1), ellipsis=True)
    step = Content.assemble(cadence, count)
    line = head + Content.styled(step.plain, "$text-muted" if item.steps_total else "$text-warning")
    if item.company and line.cell_length + 3 < width:
        company = Content.styled(f" · {one_line(item.company)}", "$text-muted")
        line = line + company.truncate(width - line.cell_length, ellipsis=True)
    return line


def held_line(held: Held, room: int) -> Content:
    """"held by Sam until 10:42": another rep is on this call, which matters more here than the
    step or the company; a long name is cut before the time is."""
    name, until = held
    tail = f" until {until}"
    shown = Content(one_line(name))
    fits = room - len("held by ") - len(tail)
    if shown.cell_length > fits:
        shown = shown.truncate(max(fits, 1), ellipsis=True)
    return Content.assemble("held by ", shown, tail).stylize("$text-warning").truncate(room, ellipsis=True)


def row_content(item: DueItem, now: datetime, width: int, short: bool, held: Held | None = None) -> Content:
    """One prospect's two lines, ``width`` cells wide at most."""
    return Content("\n").join([first_line(item, now, width, short), second_line(item, width, held)])


def short_page(items: tuple[DueItem, ...], clocks: list[str], labels: list[str], width: int) -> bool:
    """One form of "when" for the whole page: short ("2d late") if the long one (``labels``)
    would cut a name."""
    return any(len(clock) + len(item.name) + len(label) + 2 > width
               for item, clock, label in zip(items, clocks, labels, strict=True))


class DueCalls(ScrollView, ThemeColoursOnly, can_focus=True):
    """Arrow keys move, Enter or a click picks: the screen listens for ``DueCalls.Picked``."""

    ALLOW_SELECT = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
        Binding("home", "first", "First", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
        Binding("up", "cursor_up", "Up", show=False),
    ]
    # The look of Textual's OptionList (the list this pane was first built on), so the
    # themes' cursor and hover colours apply as they do to every other list.
    DEFAULT_CSS = """
    DueCalls {
        height: auto;
        max-height: 100%;
        color: $foreground;
        overflow-x: hidden;
        border: tall $border-blurred;
        padding: 0 1;
        background: $surface;
        & > .due-calls--highlighted {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
            & > .due-calls--highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .due-calls--highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        & > .due-calls--hover {
            background: $block-hover-background;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"due-calls--row", "due-calls--highlighted", "due-calls--hover"}

    highlighted: reactive[int | None] = reactive(None, repaint=False)
    """The row under the cursor (an index into ``items``), or None."""
    hovered: reactive[int | None] = reactive(None, repaint=False)
    """The row under the mouse, or None."""

    @dataclass
    class Picked(Message):
        """The rep picked a prospect from the list (Enter or a click)."""

        prospect_id: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: tuple[DueItem, ...] = ()
        self._now: datetime | None = None
        self._current: int | None = None  # the card's prospect when the page was shown
        self._held: dict[int, Held] = {}  # prospect id -> (rep, until): another rep's reservation
        self._keys: list[RowKey] = []  # what each row shows, in order
        self._rows: list[Row] = []  # the page's rows, in the same order
        self._looks: tuple[Style, Style, Style] = (Style(), Style(), Style())  # set as lines are drawn

    @property
    def items(self) -> tuple[DueItem, ...]:
        return self._items

    def rows(self) -> list[str]:
        """Each row's two lines as plain text ("line 1\\nline 2"), as drawn."""
        return [row.text.plain for row in self._rows]

    def show(self, items: tuple[DueItem, ...], now: datetime, current: int | None,
             held: dict[int, Held] | None = None) -> None:
        """Replace the page; the highlight on ``current`` (the card's prospect) when listed, or,
        while the card stays the same (a reload), on the row the rep moved it to if still listed;
        ``held``: what to say of prospects other reps hold."""
        moved_to = self.highlighted_prospect() if current == self._current else None
        self._items, self._now, self._current, self._held = items, now, current, held or {}
        listed = {item.prospect_id for item in items}
        self._rebuild(moved_to if moved_to in listed else current)

    def highlighted_prospect(self) -> int | None:
        if self.highlighted is None or self.highlighted >= len(self._items):
            return None
        return self._items[self.highlighted].prospect_id

    # --- the page ------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        """Rows were drawn with the old theme's colours: draw them again."""
        for row in self._rows:
            row.drawn.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        # The rep may have moved the highlight since: keep theirs, else the card's.
        highlighted = self.highlighted_prospect()
        self._rebuild(highlighted if highlighted is not None else self._current)

    def _row_width(self) -> int:
        # Always leave room for the scrollbar: rows keep one width whether it shows or not.
        return max(self.size.width - self.styles.scrollbar_size_vertical, MIN_WIDTH)

    def _rebuild(self, current: int | None) -> None:
        if self._now is None:
            return
        width = self._row_width()
        keys = self._row_keys(width)
        if keys != self._keys:
            # A row whose text is unchanged keeps what was drawn for it (after a key, most rows
            # only move up one place); only this page's rows are kept.
            kept = dict(zip(self._keys, self._rows, strict=True))
            self._rows = [kept.get(key) or Row(row_content(key[0], self._now, width, key[2], key[5])) for key in keys]
            self._keys = keys
            size = Size(width, len(keys) * ROW_HEIGHT)
            if size != self.virtual_size:
                self.virtual_size = size  # a page of another length: the scrollbar changes
            self.scroll_to(y=0, animate=False, immediate=True)  # a new page starts at its top
            self.refresh()
        ids = [item.prospect_id for item in self._items]
        if current in ids:
            self.highlighted = ids.index(current)
        else:
            # A card picked from outside the page (search, a pending disposition) highlights no
            # row, so the list never seems to say someone else is on the card.
            self.highlighted = 0 if current is None and ids else None
        self.scroll_to_highlight()

    def _row_keys(self, width: int) -> list[RowKey]:
        """What makes each row's text: its clock and "when" are the only parts that move with time."""
        now = self._now
        assert now is not None
        clocks = [local_clock(now, item.timezone) for item in self._items]
        labels = [when_due(item, now) for item in self._items]
        short = short_page(self._items, clocks, labels, width)
        return [(item, width, short, clock, label, self._held.get(item.prospect_id))
                for item, clock, label in zip(self._items, clocks, labels, strict=True)]

    # --- drawing -------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # The three looks a row can have, read once for the lines drawn now (not once a line).
        self._looks = (self.get_visual_style("due-calls--row"),
                       self.get_visual_style("due-calls--row", "due-calls--highlighted"),
                       self.get_visual_style("due-calls--row", "due-calls--hover"))
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index, part = divmod(self.scroll_offset.y + y, ROW_HEIGHT)
        plain, highlighted, hovered = self._looks
        if index >= len(self._rows):
            return Strip.blank(self.scrollable_content_region.width, plain.rich_style)
        style = highlighted if index == self.highlighted else hovered if index == self.hovered else plain
        return self._lines(self._rows[index], style)[part]

    def _lines(self, row: Row, style: Style) -> list[Strip]:
        drawn = row.drawn.get(style)
        if drawn is None:
            width = self.scrollable_content_region.width
            drawn = [strip.extend_cell_length(width, style.rich_style)
                     for strip in Visual.to_strips(self, row.text, width, None, style)]
            row.drawn[style] = drawn
        return drawn

    def _refresh_row(self, index: int | None) -> None:
        if index is not None:
            self.refresh_lines(index * ROW_HEIGHT, ROW_HEIGHT)

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self.scroll_to_highlight()

    def watch_hovered(self, old: int | None, new: int | None) -> None:
        self._refresh_row(old)
        self._refresh_row(new)

    def validate_highlighted(self, index: int | None) -> int | None:
        if index is None or not self._items:
            return None
        return min(max(index, 0), len(self._items) - 1)

    def scroll_to_highlight(self) -> None:
        if self.highlighted is None or not self.is_mounted:
            return
        region = Region(0, self.highlighted * ROW_HEIGHT, self.scrollable_content_region.width, ROW_HEIGHT)
        self.scroll_to_region(region, animate=False, force=True, immediate=True)

    # --- keys and the mouse ----------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self._move(+1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def _move(self, step: int) -> None:
        """One row on, wrapping round at either end (as lists do in Textual)."""
        if not self._items:
            return
        if self.highlighted is None:
            self.highlighted = 0 if step > 0 else len(self._items) - 1
        else:
            self.highlighted = (self.highlighted + step) % len(self._items)

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = len(self._items) - 1

    def action_page_down(self) -> None:
        self._move_page(+1)

    def action_page_up(self) -> None:
        self._move_page(-1)

    def _move_page(self, direction: int) -> None:
        """About a screenful of rows on, stopping at either end."""
        if self.highlighted is None:
            self.highlighted = 0 if direction < 0 else len(self._items) - 1
            return
        line = self.highlighted * ROW_HEIGHT + direction * self.scrollable_content_region.height
        self.highlighted = max(0, min(line, len(self._items) * ROW_HEIGHT - 1)) // ROW_HEIGHT

    def action_select(self) -> None:
        prospect = self.highlighted_prospect()
        if prospect is not None:
            self.post_message(self.Picked(prospect))

    def _row_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        index = (offset.y + self.scroll_offset.y) // ROW_HEIGHT
        return index if index < len(self._items) else None

    def on_click(self, event: events.Click) -> None:
        index = self._row_at(event)
        if index is not None:
            self.highlighted = index
            self.action_select()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self.hovered = self._row_at(event)

    def on_leave(self, event: events.Leave) -> None:
        self.hovered = None
