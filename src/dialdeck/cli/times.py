"""Reading the times a rep types: ``--at`` (the command's "now"), ``--callback`` and snooze times."""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta

from dialdeck.clock import parse_user_time, system_clock
from dialdeck.errors import InvalidInput

from .database import rep_zone

_RELATIVE = re.compile(r"^\+(\d+)([mhd])$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days"}


def now(args: argparse.Namespace, zone: str) -> datetime:
    """``--at`` read in ``zone``, else the system clock (the CLI's only wall-clock read)."""
    text = getattr(args, "at", None)
    if not text:
        return system_clock()
    return parse_time("--at", text, zone)


def rep_now(args: argparse.Namespace, db) -> tuple[str, datetime]:
    """The rep's zone and the command's now read in it: what almost every command starts with."""
    zone = rep_zone(db)
    return zone, now(args, zone)


def parse_time(option: str, text: str, zone: str, *, hint: str = "") -> datetime:
    """An ISO time, in ``zone`` unless it has an offset; a bad one names ``option``."""
    try:
        return parse_user_time(text, zone)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}{hint}") from None


def parse_later(option: str, text: str, now: datetime, zone: str) -> datetime:
    """A time a rep types for a callback or snooze: ISO, or +N minutes/hours/days from now."""
    relative = _RELATIVE.match(text.strip())
    if relative:
        return now + timedelta(**{_UNIT[relative.group(2)]: int(relative.group(1))})
    return parse_time(option, text, zone, hint="; or give +30m, +2h, +1d")


def callback_at(args: argparse.Namespace, now: datetime, zone: str) -> datetime | None:
    """``--callback`` as an instant, or None when it was not given."""
    return parse_later("--callback", args.callback, now, zone) if args.callback else None
