"""Reading the callback times a rep types in the dialogs, in the zone the dialog says.

Typed times are read by ``dialdeck.typed_time`` (every form a person may type, in one place);
``parse_when`` keeps its name here for the dialogs. The quick choices live in ``picks``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dialdeck.typed_time import EXAMPLES, MORNING, WEEKDAY_NAMES, read_later

__all__ = ["EXAMPLES", "MORNING", "WEEKDAY_NAMES", "parse_when"]


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The instant ``text`` names, read in ``zone``; raises ValueError saying what is wrong."""
    return read_later(text, now, zone)
