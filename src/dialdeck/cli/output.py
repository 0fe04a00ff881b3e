"""What the commands print: messages on stderr, JSON and tables on stdout, times as people read them.

Prospect data is untrusted: while a command runs, stdout and stderr show every control
character they are given (``terminal_streams``, see ``safe_text``), so a name holding an
escape sequence cannot drive the rep's terminal whatever line prints it. JSON escapes such
characters and keeps every value exact; CSV data into a pipe or file stays raw.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialdeck import services
from dialdeck.clock import UTC
from dialdeck.phrases import stamp
from dialdeck.safe_text import json_safe, one_line, terminal_safe

PROG = "dialdeck"


class _TerminalSafe:
    """A text stream that shows the control characters written to it (newline and tab kept)."""

    def __init__(self, stream: TextIO) -> None:
        self.unfiltered = stream

    def write(self, text: str) -> int:
        self.unfiltered.write(terminal_safe(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding...
        return getattr(self.unfiltered, name)


@contextlib.contextmanager
def terminal_streams() -> Iterator[None]:
    """stdout and stderr made terminal-safe for the length of one command."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalSafe(out), _TerminalSafe(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def write_data(text: str) -> None:
    """Data for a program (CSV) to stdout: raw into a pipe or a file, shown safely on a terminal."""
    data_stream().write(text)


def data_stream() -> TextIO:
    """Where data for a program goes on stdout: raw into a pipe or a file, shown safely on a terminal."""
    stream = sys.stdout
    if not stream.isatty():
        stream = getattr(stream, "unfiltered", stream)
    return stream


def error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def warning(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def warn_all(messages: list[str]) -> None:
    for message in messages:
        warning(message)


def warn_skipped_cadences() -> None:
    """Each problem of a user cadence file the library skipped, once per command."""
    for problem in services.library_problems():
        warning(f"skipped broken cadence file {problem}")


def plural(count: int, noun: str) -> str:
    """'1 problem', '3 problems'."""
    return f"{count} {noun}{'s' if count != 1 else ''}"


def zone_info(name: str) -> ZoneInfo:
    """The zone to show a time in; an unknown name shows UTC rather than failing a listing."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def iso_in(instant: datetime | None, zone: str) -> str | None:
    """ISO-8601 with the zone's offset, seconds precision (the JSON form of every time)."""
    if instant is None:
        return None
    return instant.astimezone(zone_info(zone)).isoformat(timespec="seconds")


def human_in(instant: datetime | None, zone: str) -> str:
    """A time as a person reads it: 'Tue 2026-11-24 14:00 EST'."""
    if instant is None:
        return "-"
    return stamp(instant, zone_info(zone))


def plain(value: Any) -> Any:
    """JSON-ready form of dataclasses, datetimes and paths (times in UTC ISO)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {key: plain(item) for key, item in asdict(value).items()}
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, Path):
        return str(value)
    return value


def json_text(value: Any) -> str:
    """The one JSON layout every command prints or writes (no trailing newline)."""
    return json_safe(json.dumps(plain(value), indent=2, ensure_ascii=False))


def json_array_text(items: Iterable[Any]) -> Iterator[str]:
    """``json_text(list(items)) + "\n"`` in pieces, one item at a time: a long stream of items
    is written as it is read, never held whole."""
    opening = "[\n"
    for item in items:
        body = json.dumps(plain(item), indent=2, ensure_ascii=False)
        yield json_safe(opening + "\n".join(f"  {line}" for line in body.split("\n")))
        opening = ",\n"
    yield "[]\n" if opening == "[\n" else "\n]\n"


def print_json(value: Any, out: TextIO | None = None) -> None:
    print(json_text(value), file=out or sys.stdout)


def table(headers: list[str], rows: list[list[str]], widths: dict[int, int] | None = None) -> str:
    """A plain aligned table; ``widths`` caps some columns (longer cells end in '…').

    Each cell is made one safe line before it is measured and cut, so a cut never falls
    inside an escape and a newline or escape in a name cannot break the columns."""
    caps = widths or {}
    cells = [[_clip(one_line(str(cell)), caps.get(i)) for i, cell in enumerate(row)] for row in rows]
    sizes = [max([len(headers[i])] + [len(row[i]) for row in cells]) for i in range(len(headers))]
    lines = ["  ".join(h.ljust(sizes[i]) for i, h in enumerate(headers)).rstrip()]
    lines += ["  ".join(c.ljust(sizes[i]) for i, c in enumerate(row)).rstrip() for row in cells]
    return "\n".join(lines)


def _clip(text: str, cap: int | None) -> str:
    if cap is None or len(text) <= cap:
        return text
    return text[: cap - 1] + "…"
