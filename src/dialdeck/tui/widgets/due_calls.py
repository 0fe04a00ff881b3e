"""The due-calls pane: one page of the queue, two lines per prospect, in calling order.

Line 1: the prospect's local time, name, and how overdue / when due ("2d late" on a narrow pane).
Line 2: warm/cold dot, a diamond for a promised time, cadence and step, company.
Rows are cut to the pane's width (rebuilt on resize) so nothing wraps at 80 columns: the name and
the step count ("5/12") are kept whole before anything else is cut.

The page is replaced after every outcome key, so rows are reused: a row whose text would
be the same keeps its ``Option`` (and the measured, rendered lines Textual caches on it),
and an unchanged page is not touched at all. The rendered lines of a row also outlive the
page: OptionList drops them on every ``set_options`` because they carry the row's index (for
clicks), but after a key most rows only move up one place, and rendering them again was the
largest part of a keypress. So the lines are kept without the index and it is added per draw.
"""

from __future__ import annotations

from datetime import datetime

from textual import events
from textual.cache import LRUCache
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.visual import Padding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from dialdeck.models import DueItem
from dialdeck.phrases import due_phrase, local_clock
from dialdeck.safe_text import one_line

MIN_WIDTH = 24
RENDERED_ROWS = 512  # a bound, never reached: rows leave with their page (3 styles each)


class DueCalls(OptionList):
    """Arrow keys move, Enter picks; the screen listens for ``OptionList.OptionSelected``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: tuple[DueItem, ...] = ()
        self._now: datetime | None = None
        self._current: int | None = None  # the card's prospect when the page was shown
        self._rows: dict[tuple, Option] = {}  # what makes a row's text → its option
        # (option, style, width) → its lines without the index: they survive set_options.
        self._drawn: LRUCache[tuple, list[Strip]] = LRUCache(RENDERED_ROWS)

    @property
    def items(self) -> tuple[DueItem, ...]:
        return self._items

    def show(self, items: tuple[DueItem, ...], now: datetime, current: int | None) -> None:
        """Replace the page; the highlight on ``current`` (the card's prospect) when listed."""
        self._items, self._now, self._current = items, now, current
        self._rebuild(current)

    def highlighted_prospect(self) -> int | None:
        if self.highlighted is None or self.highlighted >= len(self._items):
            return None
        return self._items[self.highlighted].prospect_id

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme) -> None:
        """Rows were drawn with the old theme's colours: draw them again."""
        self._drawn.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        # The rep may have moved the highlight since: keep theirs, else the card's.
        highlighted = self.highlighted_prospect()
        self._rebuild(highlighted if highlighted is not None else self._current)

    def _rebuild(self, current: int | None) -> None:
        if self._now is None:
            return
        # Always leave room for the scrollbar: rows keep one width whether it shows or not.
        width = max(self.size.width - self.styles.scrollbar_size_vertical, MIN_WIDTH)
        options = self._options_for(width)
        if options != self.options:  # identity: an Option compares as itself
            # set_options, not clear_options + add_options: clearing first would shrink the
            # list to nothing and grow it back, a layout of the whole screen each way.
            self.set_options(options)
        ids = [item.prospect_id for item in self._items]
        if current in ids:
            self.highlighted = ids.index(current)
        elif ids:
            # A card picked from outside the page (search, a pending disposition) highlights no
            # row, so the list never seems to say someone else is on the card.
            self.highlighted = 0 if current is None else None

    def _get_option_render(self, option: Option, style: Style) -> list[Strip]:
        """OptionList's own rendering (Textual is pinned; DueCalls adds no dividers), with the
        costly part cached across pages and the row's index applied on each draw."""
        padding = self.get_component_styles("option-list--option").padding
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        key = (option, style, padding, width)
        drawn = self._drawn.get(key)
        if drawn is None:
            visual = self._get_visual(option)
            if padding:
                visual = Padding(visual, padding)
            drawn = [strip.extend_cell_length(width, style.rich_style)
                     for strip in visual.to_strips(self, visual, width, None, style)]
            self._drawn[key] = drawn
        meta = {"option": self._option_to_index[option]}
        # On a copy: a Strip keeps every styled version of itself, which would pile up here.
        return [Strip(strip, strip.cell_length).apply_meta(meta) for strip in drawn]

    def _options_for(self, width: int) -> list[Option]:
        """One option per item, reusing the option of a row whose text is unchanged."""
        now, rows, options = self._now, {}, []
        labels = [due_phrase(item.due_at, now, overdue=item.overdue) for item in self._items]
        # One form of "when" for the whole page: short ("2d late") if the long one would cut a name.
        short = any(len(local_clock(now, item.timezone)) + len(item.name) + len(label) + 2 > width
                    for item, label in zip(self._items, labels))
        for item, label in zip(self._items, labels):
            # The clock and the "due in" label are the only parts that move with time.
            key = (item, width, short, local_clock(now, item.timezone), label)
            option = self._rows.get(key)
            if option is None:
                option = Option(self._row(item, width, short), id=str(item.prospect_id))
            rows[key] = option
            options.append(option)
        self._rows = rows  # only this page's rows: the caches never outgrow one page
        kept = set(options)
        for key in [key for key in self._drawn.keys() if key[0] not in kept]:
            self._drawn.discard(key)
        return options

    def _row(self, item: DueItem, width: int, short: bool) -> Content:
        return Content("\n").join([self._first_line(item, width, short), self._second_line(item, width)])

    def _first_line(self, item: DueItem, width: int, short: bool) -> Content:
        """Their clock, the name, when due. The name comes first: where the full "overdue 2 days"
        would cut a name the page says "2d late", and only a name longer still is cut."""
        style = "$text-warning" if item.overdue or item.pinned else "$text-muted"
        left = Content.assemble((local_clock(self._now, item.timezone), "$text-muted"), " ", (one_line(item.name), "bold"))
        when = due_phrase(item.due_at, self._now, overdue=item.overdue, short=short)
        right = Content.styled(when, style)
        room = max(width - right.cell_length - 1, 8)
        return left.truncate(room, ellipsis=True, pad=True).append(" ").append(right)

    def _second_line(self, item: DueItem, width: int) -> Content:
        dot = ("●", "$text-warning") if item.temperature == "warm" else ("○", "$text-muted")
        pin = ("◆", "$text-accent") if item.pinned else " "
        head = Content.assemble("  ", dot, " ", pin, "  ")
        # The step matters more than the company, and its count more than the cadence's name:
        # a narrow pane cuts the company, then the name, never "5/12".
        count = f" {item.step}/{item.steps_total}"
        room = width - head.cell_length - len(count)
        cadence = Content(one_line(item.cadence))
        if cadence.cell_length > room:
            cadence = cadence.truncate(max(room, 1), ellipsis=True)
        step = Content.assemble(cadence, count)
        line = head + Content.styled(step.plain, "$text-muted")
        if item.company and line.cell_length + 3 < width:
            company = Content.styled(f" · {one_line(item.company)}", "$text-muted")
            line = line + company.truncate(width - line.cell_length, ellipsis=True)
        return line
