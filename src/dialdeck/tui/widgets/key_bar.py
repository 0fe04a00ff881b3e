"""The key bar: the session's keys in rows, so every outcome key shows even at 80 columns.

It shows what the screen's ``active_bindings`` say (each shown key once, dimmed where the
screen's ``check_action`` says it does nothing now, as Textual's Footer does) and listens to
the screen's ``bindings_updated_signal``. It draws its own lines: when the keys change, one
refresh; when they do not (most keys: the same keys, the same dimming), nothing at all. A
footer of one widget per key would be rebuilt and laid out again instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


@dataclass(frozen=True)
class ShownKey:
    """One key as the bar shows it."""

    key: str  # what pressing it sends ("question_mark")
    display: str  # how it is written ("?")
    description: str
    enabled: bool  # False: shown dimmed, it does nothing now
    tooltip: str

    @property
    def width(self) -> int:
        # " n " then "No answer ": the key padded on both sides, the description on its right.
        return len(self.display) + 2 + len(self.description) + 1 if self.description else len(self.display)


def shown_keys(screen: Screen) -> tuple[ShownKey, ...]:
    """The keys a footer would show now, in the order it would: one per action, first key first."""
    shown: dict[str, ShownKey] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.show and binding.action not in shown:
            shown[binding.action] = ShownKey(binding.key, screen.app.get_key_display(binding), binding.description,
                                             active.enabled, active.tooltip or "")
    return tuple(shown.values())


class KeyBar(Widget):
    """The screen's shown keys, ``columns`` to a row; a click presses a key."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        color: $footer-foreground;
        background: $footer-background;
        &:hover { pointer: pointer; }
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--hover {
            background: $block-hover-background;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--description", "key-bar--hover"}

    def __init__(self, *, columns: int = 7, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = columns
        self._keys: tuple[ShownKey, ...] = ()
        self._hovered: ShownKey | None = None
        self._update_pending = False

    @property
    def keys(self) -> tuple[ShownKey, ...]:
        """The keys shown now, in order."""
        return self._keys

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._update_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        # One key can change several of the screen's reactives, each publishing: read once.
        if not self._update_pending:
            self._update_pending = True
            self.call_next(self._update_keys)

    def _update_keys(self) -> None:
        self._update_pending = False
        keys = shown_keys(self.screen)
        if keys == self._keys:
            return  # the same keys, the same dimming: nothing to draw
        rows_before = self._rows()
        self._keys = keys
        self.refresh(layout=self._rows() != rows_before)

    # --- layout and drawing ------------------------------------------------------------------

    def _rows(self) -> int:
        return -(-len(self._keys) // self.columns)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._rows()

    def _column_widths(self) -> list[int]:
        """Each column as wide as its widest key, so the keys line up from row to row."""
        widths = [0] * min(self.columns, len(self._keys))
        for index, key in enumerate(self._keys):
            column = index % self.columns
            widths[column] = max(widths[column], key.width)
        return widths

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        width = self.scrollable_content_region.width
        row = self._keys[y * self.columns:(y + 1) * self.columns]
        segments: list[Segment] = []
        for key, column_width in zip(row, self._column_widths(), strict=False):
            segments += self._key_segments(key)
            if column_width > key.width:
                segments.append(Segment(" " * (column_width - key.width), base))
        return Strip(segments).adjust_cell_length(width, base)

    def _key_segments(self, key: ShownKey) -> list[Segment]:
        base = self.rich_style + Style(dim=not key.enabled)
        key_style = base + self.get_component_rich_style("key-bar--key")
        description_style = base + self.get_component_rich_style("key-bar--description")
        if key == self._hovered:
            hover = Style(bgcolor=self.get_component_rich_style("key-bar--hover").bgcolor)
            key_style, description_style = key_style + hover, description_style + hover
        if not key.description:
            return [Segment(key.display, key_style)]
        return [Segment(f" {key.display} ", key_style), Segment(f"{key.description} ", description_style)]

    # --- the mouse ---------------------------------------------------------------------------

    def _key_at(self, event: events.MouseEvent) -> ShownKey | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        x = 0
        for column, column_width in enumerate(self._column_widths()):
            index = offset.y * self.columns + column
            if x <= offset.x < x + column_width:
                if index < len(self._keys) and offset.x < x + self._keys[index].width:
                    return self._keys[index]
                return None
            x += column_width
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event)
        if key != self._hovered:
            self._hovered = key
            self.tooltip = key.tooltip if key is not None and key.tooltip else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        key = self._key_at(event)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
