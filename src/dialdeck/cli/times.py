"""The times a command is given: ``--at`` (the command's "now"), ``--callback`` and snooze times.

Read by ``dialdeck.typed_time``, as the TUI and the importer read them; a bad one becomes
InvalidInput naming the option.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from dialdeck import typed_time
from dialdeck.clock import system_clock
from dialdeck.errors import InvalidInput

from .database import rep_of, rep_zone


def now(args: argparse.Namespace, zone: str) -> datetime:
    """``--at`` read in ``zone``, else the system clock (the CLI's only wall-clock read)."""
    text = getattr(args, "at", None)
    if text is None:
        return system_clock()
    return parse_time("--at", text, zone)


def rep_now(args: argparse.Namespace, db, *, team: bool = False) -> tuple[str, datetime]:
    """The rep's zone and the command's now read in it: what almost every command starts with.
    ``team``: a command about the whole team (``rep_of``)."""
    zone = rep_zone(db, rep_of(args, db, team=team))
    return zone, now(args, zone)


def parse_time(option: str, text: str, zone: str) -> datetime:
    """An ISO time, in ``zone`` unless it has an offset; a bad or empty one names ``option``."""
    try:
        return typed_time.read_instant(text, zone)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}") from None


def parse_later(option: str, text: str, now: datetime, zone: str) -> datetime:
    """A callback or snooze time, after ``now``: ``in 2h``, ``+30m``, ``thu 14:00``, ISO..."""
    try:
        return typed_time.read_later(text, now, zone)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}") from None


def callback_at(args: argparse.Namespace, now: datetime, zone: str) -> datetime | None:
    """``--callback`` as an instant, or None when it was not given."""
    return parse_later("--callback", args.callback, now, zone) if args.callback is not None else None
