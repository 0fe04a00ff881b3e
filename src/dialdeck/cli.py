"""The ``dialdeck`` command: a scriptable front door to the same services the TUI uses.

Each sub-command is one ``cmd_*`` function: open the database, read the time (``--at`` or
the system clock, the only wall-clock read outside the App), call one service, print text
or JSON. Every dialdeck error becomes one ``dialdeck: error: ...`` line on stderr and exit
status 1; usage errors exit 2 (argparse). Textual is imported only by the commands that
open the calling session, so ``dialdeck due`` starts fast and works without a terminal.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialdeck import __version__, paths, services, store
from dialdeck.settings import FIELDS as SETTING_FIELDS
from dialdeck.clock import UTC, Clock, parse_user_time, system_clock
from dialdeck.errors import CadenceError, DialdeckError, ImportFileError, InvalidInput, NotFound, StoreError
from dialdeck.models import DISPOSITIONS, OUTCOMES, DueItem, OutcomeResult, RepProfile

PROG = "dialdeck"
# The zone the demo rep works in: ``demo --at`` without an offset is read in it.
DEMO_ZONE = "America/New_York"
_RELATIVE = re.compile(r"^\+(\d+)([mhd])$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days"}


class UsageError(Exception):
    """A combination of arguments argparse cannot check by itself (exit status 2)."""


# --------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return _dispatch(args)
    except SystemExit as exit_:  # argparse: --help, --version, usage errors
        return exit_.code if isinstance(exit_.code, int) else 1 if exit_.code else 0


def _dispatch(args: argparse.Namespace) -> int:
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UsageError as exc:
        args.subparser.error(str(exc))  # raises SystemExit(2)
    except (CadenceError, ImportFileError) as exc:
        _error(_headline(exc))
        for problem in exc.problems:
            print(problem, file=sys.stderr)
    except DialdeckError as exc:
        _error(str(exc))
    except sqlite3.Error as exc:
        _error(f"database {_db_path(args)}: {exc}")
    except BrokenPipeError:  # `dialdeck due | head`: the reader left, nothing to report
        _silence_stdout()
        return 0
    except OSError as exc:
        _error(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
    except KeyboardInterrupt:
        return 130
    return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _headline(exc: CadenceError | ImportFileError) -> str:
    """The first line of a many-problem error; the problems follow, one a line."""
    if isinstance(exc, ImportFileError):
        return str(exc.args[0]) if exc.args else "the import was refused"
    count = len(exc.problems)
    return f"{count} problem{'s' if count != 1 else ''} in the cadences:"


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _warning(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def _warn_all(messages: list[str]) -> None:
    for message in messages:
        _warning(message)


def _warn_skipped_cadences() -> None:
    """Each problem of a user cadence file the library skipped, once per command."""
    for problem in services.library_problems():
        _warning(f"skipped broken cadence file {problem}")


# --------------------------------------------------------------------------- the parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A keyboard-first terminal power dialer for sales follow-up cadences. "
        "Without a command, opens the calling session.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--db", type=Path, metavar="PATH",
        help="the database (default: $DIALDECK_DB, else the user data directory)",
    )
    parser.set_defaults(handler=cmd_session, subparser=parser)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_demo(sub)
    _add_import(sub)
    _add_due(sub)
    _add_log(sub)
    _add_disposition(sub)
    _add_undo(sub)
    _add_snooze(sub)
    _add_note(sub)
    _add_history(sub)
    _add_report(sub)
    _add_export(sub)
    _add_dnc(sub)
    _add_cadences(sub)
    _add_config(sub)
    return parser


def _command(sub, name: str, handler, help_: str, **kwargs) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_, description=help_, **kwargs)
    parser.set_defaults(handler=handler, subparser=parser)
    return parser


def _at(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--at", metavar="ISO-TIME",
        help="act as if it were this time (default: now); without an offset it is in the rep's zone",
    )


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _prospect_id(parser: argparse.ArgumentParser, *, optional: bool = False) -> None:
    kwargs = {"nargs": "?", "default": None} if optional else {}
    parser.add_argument("prospect_id", type=int, metavar="PROSPECT_ID", **kwargs)


def _add_demo(sub) -> None:
    p = _command(
        sub, "demo", cmd_demo,
        "build a fresh demo database from the sample data, as of now (or --at), and open the "
        "calling session on it; the demo rep calls 08:00-21:00 in each prospect's zone seven days a "
        "week, so there is work due at any hour. --db is ignored: the demo never touches your database",
    )
    _at(p)
    p.add_argument(
        "--build-only", type=Path, metavar="PATH",
        help="write the demo database to PATH and exit instead of opening the session",
    )


def _add_import(sub) -> None:
    p = _command(sub, "import", cmd_import, "import a CRM CSV export and enroll the prospects")
    p.add_argument("file", type=Path, metavar="FILE.csv")
    p.add_argument("--cadence", metavar="NAME", help="cadence for rows that do not name one")
    p.add_argument("--region", metavar="CC", help="default country for numbers without +code (e.g. US, GB)")
    p.add_argument(
        "--skip-invalid", action="store_true",
        help="import the good rows and write the rejected ones, with reasons, beside the input",
    )
    _at(p)
    _json(p)


def _add_due(sub) -> None:
    p = _command(sub, "due", cmd_due, "list the calls due now, in calling order")
    _at(p)
    p.add_argument("--limit", type=_positive_int, default=50, metavar="N", help="at most N items (default 50)")
    _json(p)


def _add_log(sub) -> None:
    p = _command(sub, "log", cmd_log, "record the outcome of an attempt and advance the prospect")
    _prospect_id(p)
    p.add_argument("outcome", choices=OUTCOMES, metavar="OUTCOME", help=" | ".join(OUTCOMES))
    _at(p)
    p.add_argument("--note", default="", metavar="TEXT")
    p.add_argument(
        "--callback", metavar="ISO-TIME",
        help="connected: call back at this time (ISO, or +30m/+2h/+1d); implies --disposition callback",
    )
    p.add_argument("--disposition", choices=DISPOSITIONS, help="connected: what was agreed")
    _json(p)


def _add_disposition(sub) -> None:
    p = _command(
        sub, "disposition", cmd_disposition,
        "settle a connected call left without a disposition (e.g. after the session closed)",
    )
    _prospect_id(p)
    p.add_argument("disposition", choices=DISPOSITIONS)
    p.add_argument("--callback", metavar="ISO-TIME", help="callback: when (ISO, or +30m/+2h/+1d)")
    p.add_argument("--note", default="", metavar="TEXT")
    _at(p)
    _json(p)


def _add_undo(sub) -> None:
    p = _command(
        sub, "undo", cmd_undo,
        "remove the newest attempt (of PROSPECT_ID, else of anyone) and restore the prospect",
    )
    _prospect_id(p, optional=True)
    _json(p)


def _add_snooze(sub) -> None:
    p = _command(sub, "snooze", cmd_snooze, "put a prospect off until a later time")
    _prospect_id(p)
    p.add_argument("until", metavar="UNTIL", help="ISO time (rep's zone unless it has an offset) or +30m, +2h, +1d")
    _at(p)
    _json(p)


def _add_note(sub) -> None:
    p = _command(sub, "note", cmd_note, "add a note to a prospect")
    _prospect_id(p)
    p.add_argument("text", metavar="TEXT")
    _at(p)


def _add_history(sub) -> None:
    p = _command(sub, "history", cmd_history, "show a prospect, their cadence and every attempt")
    _prospect_id(p)
    _json(p)


def _add_report(sub) -> None:
    p = _command(
        sub, "report", cmd_report,
        "your activity over the last N days (default: today in your zone): dials, voicemails, "
        "connects, meetings, per cadence, sessions, and what is due",
    )
    _at(p)
    p.add_argument("--days", type=_positive_int, default=1, metavar="N",
                   help="today and the N-1 days before it (default 1: today)")
    _json(p)


def _add_export(sub) -> None:
    p = _command(sub, "export", cmd_export, "export prospects with their status and attempts")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--output", type=Path, metavar="FILE", help="write to FILE (default: stdout)")


def _add_dnc(sub) -> None:
    p = _command(sub, "dnc", _need_subcommand, "the do-not-call list")
    dnc = p.add_subparsers(title="dnc commands", metavar="ACTION")
    add = _command(dnc, "add", cmd_dnc_add, "never call this number again (and stop its cadences)")
    add.add_argument("number", metavar="NUMBER")
    add.add_argument("--reason", default="", metavar="TEXT")
    _at(add)
    remove = _command(dnc, "remove", cmd_dnc_remove, "take a number off the list")
    remove.add_argument("number", metavar="NUMBER")
    listing = _command(dnc, "list", cmd_dnc_list, "show the list")
    _json(listing)


def _add_cadences(sub) -> None:
    p = _command(sub, "cadences", cmd_cadences, "list the cadences (built-in and yours)")
    _json(p)
    cad = p.add_subparsers(title="cadence commands", metavar="ACTION")
    show = _command(cad, "show", cmd_cadence_show, "show every step of a cadence")
    show.add_argument("name", metavar="NAME")
    _json(show)
    check = _command(cad, "check", cmd_cadence_check, "validate a cadence file")
    check.add_argument("file", type=Path, metavar="FILE")


def _add_config(sub) -> None:
    p = _command(sub, "config", cmd_config, "show the rep profile kept in the database")
    _json(p)
    cfg = p.add_subparsers(title="config commands", metavar="ACTION")
    set_ = _command(
        cfg, "set", cmd_config_set,
        "set one profile value; keys: " + ", ".join(SETTING_FIELDS),
    )
    set_.add_argument("key", metavar="KEY")
    set_.add_argument("value", metavar="VALUE")


def _need_subcommand(args: argparse.Namespace) -> int:
    raise UsageError("choose an action (see --help)")


# --------------------------------------------------------------------------- shared plumbing


def _db_path(args: argparse.Namespace) -> Path:
    return args.db.expanduser() if getattr(args, "db", None) else paths.default_db_path()


@contextmanager
def _database(args: argparse.Namespace, *, create: bool = False) -> Iterator[Any]:
    """The store for this command; commands that only read refuse to create an empty one."""
    path = _db_path(args)
    if not create and not path.exists():
        raise StoreError(f"no database at {path} (start with: {PROG} import FILE.csv, or pass --db)")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = store.open_store(path, create=create)
    try:
        yield db
    finally:
        db.close()


def _rep_zone(db) -> str:
    return services.get_profile(db).timezone


def _now(args: argparse.Namespace, zone: str) -> datetime:
    """``--at`` read in the rep's zone, else the system clock."""
    text = getattr(args, "at", None)
    if not text:
        return system_clock()
    return _parse_time("--at", text, zone)


def _parse_time(option: str, text: str, zone: str) -> datetime:
    try:
        return parse_user_time(text, zone)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}") from None


def _parse_later(option: str, text: str, now: datetime, zone: str) -> datetime:
    """A time a rep types for a callback or snooze: ISO, or +N minutes/hours/days from now."""
    relative = _RELATIVE.match(text.strip())
    if relative:
        return now + timedelta(**{_UNIT[relative.group(2)]: int(relative.group(1))})
    try:
        return parse_user_time(text, zone)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}; or give +30m, +2h, +1d") from None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _iso_in(instant: datetime | None, zone: str) -> str | None:
    """ISO-8601 with the zone's offset, seconds precision (the JSON form of every time)."""
    if instant is None:
        return None
    return instant.astimezone(_zone(zone)).isoformat(timespec="seconds")


def _human_in(instant: datetime | None, zone: str) -> str:
    """A time as a person reads it: 'Tue 2026-11-24 14:00 EST'."""
    if instant is None:
        return "-"
    return instant.astimezone(_zone(zone)).strftime("%a %Y-%m-%d %H:%M %Z")


def _plain(value: Any) -> Any:
    """JSON-ready form of dataclasses, datetimes and paths (times in UTC ISO)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {key: _plain(item) for key, item in asdict(value).items()}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, Path):
        return str(value)
    return value


def _print_json(value: Any, out: TextIO | None = None) -> None:
    print(json.dumps(_plain(value), indent=2, ensure_ascii=False), file=out or sys.stdout)


def _table(headers: list[str], rows: list[list[str]], widths: dict[int, int] | None = None) -> str:
    """A plain aligned table; ``widths`` caps some columns (longer cells end in '…')."""
    caps = widths or {}
    cells = [[_clip(str(cell), caps.get(i)) for i, cell in enumerate(row)] for row in rows]
    sizes = [max([len(headers[i])] + [len(row[i]) for row in cells]) for i in range(len(headers))]
    lines = ["  ".join(h.ljust(sizes[i]) for i, h in enumerate(headers)).rstrip()]
    lines += ["  ".join(c.ljust(sizes[i]) for i, c in enumerate(row)).rstrip() for row in cells]
    return "\n".join(lines)


def _clip(text: str, cap: int | None) -> str:
    if cap is None or len(text) <= cap:
        return text
    return text[: cap - 1] + "…"


# --------------------------------------------------------------------------- the session


def cmd_session(args: argparse.Namespace) -> int:
    path = _db_path(args)
    with _database(args, create=True):
        pass  # create and migrate here, so a bad database fails as one line before the screen opens
    return _run_session(path, system_clock, label=str(path))


def _run_session(path: Path, clock: Clock, *, label: str) -> int:
    from dialdeck.tui.app import run_session  # textual only when a screen is wanted

    return run_session(path, clock=clock, session_label=label)


def cmd_demo(args: argparse.Namespace) -> int:
    from dialdeck.demo import build_demo

    start = _now(args, DEMO_ZONE)
    if args.build_only:
        target = args.build_only.expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        build_demo(target, start)
        print(f"demo database written to {target} (as of {_iso_in(start, DEMO_ZONE)})")
        return 0
    with tempfile.TemporaryDirectory(prefix="dialdeck-demo-") as folder:
        print("building the demo database…", file=sys.stderr)
        path = build_demo(Path(folder) / "demo.db", start)
        clock = _running_from(start) if args.at else system_clock
        return _run_session(path, clock, label="demo: a throwaway database, deleted on quit")


def _running_from(start: datetime) -> Clock:
    """A clock that starts at ``start`` and then runs at real speed, so a demo at --at stays alive."""
    began = system_clock()
    return lambda: start + (system_clock() - began)


# --------------------------------------------------------------------------- import


def cmd_import(args: argparse.Namespace) -> int:
    _warn_skipped_cadences()
    with _database(args, create=True) as db:
        now = _now(args, _rep_zone(db))
        report = services.import_csv(
            db, args.file, now=now, cadence=args.cadence, region=args.region, skip_invalid=args.skip_invalid
        )
        unset = services.profile_problems(db)
    _warn_all(unset)
    if args.json:
        _print_json(report)
        return 0
    print(
        f"imported {args.file}: {report.created} created, {report.updated} updated, "
        f"{report.enrolled} enrolled, {report.skipped_dnc} skipped (do-not-call), {report.rejected} rejected"
    )
    if report.rejected_file:
        print(f"rejected rows, with reasons: {report.rejected_file}")
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- due


def cmd_due(args: argparse.Namespace) -> int:
    _warn_skipped_cadences()
    with _database(args) as db:
        zone = _rep_zone(db)
        now = _now(args, zone)
        items = services.due(db, now, limit=args.limit)
        if args.json:
            _print_json([_due_json(item, services.call_card(db, item.prospect_id, now), now, zone) for item in items])
        elif not items:
            print(_nothing_due(services.queue_summary(db, now), now, zone))
        else:
            print(_due_table(items, now, zone))
        _warn_all(services.profile_problems(db))
    return 0


def _due_json(item: DueItem, card, now: datetime, zone: str) -> dict:
    script = card.script
    return {
        "prospect_id": item.prospect_id,
        "name": item.name,
        "company": item.company,
        "phone": item.phone,
        "timezone": item.timezone,
        "timezone_guessed": item.tz_flagged,
        "local_time": _iso_in(now, item.timezone),
        "cadence": item.cadence,
        "step": item.step,
        "steps_total": item.steps_total,
        "action": item.action,
        "due_at": _iso_in(item.due_at, zone),
        "overdue": item.overdue,
        "pinned": item.pinned,
        "temperature": item.temperature,
        "value": item.value,
        "voicemail": script.voicemail,
        "talk_track": script.talk_track,
        "subject": script.subject or None,
        "body": script.body or None,
        "instructions": script.instructions or None,
        "tip": script.tip or None,
        "urgent": script.urgent,
        "promised_at": _iso_in(script.next_call_at, item.timezone),
    }


def _due_table(items: list[DueItem], now: datetime, zone: str) -> str:
    rows = [
        [
            str(item.prospect_id),
            item.name,
            item.company,
            item.phone,
            now.astimezone(_zone(item.timezone)).strftime("%a %H:%M") + ("?" if item.tz_flagged else ""),
            f"{item.cadence} {item.step}/{item.steps_total}",
            item.action,
            _human_in(item.due_at, zone),
            _flags(item),
        ]
        for item in items
    ]
    headers = ["ID", "NAME", "COMPANY", "PHONE", "THEIR TIME", "CADENCE", "ACTION", "DUE", "FLAGS"]
    footer = f"\n{len(items)} due as of {_human_in(now, zone)}"
    return _table(headers, rows, widths={1: 22, 2: 22}) + footer


def _flags(item: DueItem) -> str:
    flags = ["promised" if item.pinned else "", "overdue" if item.overdue else "", item.temperature]
    return " ".join(flag for flag in flags if flag)


def _nothing_due(summary, now: datetime, zone: str) -> str:
    lines = [f"nothing due as of {_human_in(now, zone)}"]
    if summary.outside_hours:
        lines.append(f"{summary.shown(summary.outside_hours)} due but outside their calling hours now")
    if summary.next_item is not None:
        nxt = summary.next_item
        lines.append(f"next: {nxt.name} (#{nxt.prospect_id}) at {_human_in(nxt.due_at, zone)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- log, disposition, undo


def cmd_log(args: argparse.Namespace) -> int:
    disposition = _disposition_for(args)
    _warn_skipped_cadences()
    with _database(args) as db:
        zone = _rep_zone(db)
        now = _now(args, zone)
        callback = _parse_later("--callback", args.callback, now, zone) if args.callback else None
        result = services.log_outcome(
            db, args.prospect_id, args.outcome, now, note=args.note, disposition=disposition, callback_at=callback
        )
        _print_result(db, result, zone, args.json, f"{args.outcome} logged at {_human_in(now, zone)}")
    return 0


def _disposition_for(args: argparse.Namespace) -> str | None:
    """The disposition a ``log`` implies; the combinations argparse cannot check are usage errors."""
    if args.outcome != "connected":
        if args.callback or args.disposition:
            raise UsageError(f"--callback and --disposition go with 'connected', not {args.outcome!r}")
        return None
    if args.callback and args.disposition not in (None, "callback"):
        raise UsageError(f"--callback goes with --disposition callback, not {args.disposition!r}")
    if args.callback:
        return "callback"
    if args.disposition == "callback":
        raise UsageError("--disposition callback needs --callback ISO-TIME (when to call back)")
    if args.disposition is None:
        raise UsageError(
            "'connected' needs what was agreed: --callback ISO-TIME, or --disposition "
            "booked|not-interested|continue"
        )
    return args.disposition


def cmd_disposition(args: argparse.Namespace) -> int:
    if (args.disposition == "callback") != bool(args.callback):
        raise UsageError("--callback ISO-TIME goes with (and only with) the 'callback' disposition")
    _warn_skipped_cadences()
    with _database(args) as db:
        zone = _rep_zone(db)
        now = _now(args, zone)
        callback = _parse_later("--callback", args.callback, now, zone) if args.callback else None
        result = services.set_disposition(db, args.prospect_id, args.disposition, now, callback_at=callback, note=args.note)
        _print_result(db, result, zone, args.json, f"disposition {args.disposition} set")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    with _database(args) as db:
        zone = _rep_zone(db)
        result = services.undo_last(db, prospect_id=args.prospect_id)
        if result is None:
            whose = f"prospect #{args.prospect_id}" if args.prospect_id is not None else "the database"
            raise InvalidInput(f"nothing to undo: {whose} has no attempts")
        _print_result(db, result, zone, args.json, f"undid the last {result.outcome}")
    return 0


def _print_result(db, result: OutcomeResult, zone: str, as_json: bool, headline: str) -> None:
    """The prospect's new state, with the next due time in the rep's zone and in theirs."""
    person = services.prospect(db, result.prospect_id)
    if as_json:
        data = _plain(result)
        data["name"] = person.name
        data["timezone"] = person.timezone
        data["next_due_at"] = _iso_in(result.next_due_at, zone)
        data["next_due_at_local"] = _iso_in(result.next_due_at, person.timezone)
        _print_json(data)
        return
    print(f"{person.name} (#{person.id}): {headline}")
    where = f" · {result.cadence} step {result.step}" if result.cadence and result.step else ""
    print(f"status: {result.status}{where}")
    if result.needs_disposition:
        print(f"needs a disposition: {PROG} disposition {person.id} callback|booked|not-interested|continue")
    if result.next_due_at is not None:
        print(
            f"next due: {_human_in(result.next_due_at, zone)} (you) · "
            f"{_human_in(result.next_due_at, person.timezone)} ({person.timezone})"
        )


# --------------------------------------------------------------------------- snooze, note, history


def cmd_snooze(args: argparse.Namespace) -> int:
    with _database(args) as db:
        zone = _rep_zone(db)
        now = _now(args, zone)
        until = _parse_later("UNTIL", args.until, now, zone)
        if until <= now:
            raise InvalidInput(f"UNTIL {args.until!r} is not after now ({_human_in(now, zone)})")
        enrollment = services.snooze(db, args.prospect_id, until, now)
        person = services.prospect(db, args.prospect_id)
    if args.json:
        data = _plain(enrollment)
        data["next_due_at"] = _iso_in(enrollment.next_due_at, zone)
        data["next_due_at_local"] = _iso_in(enrollment.next_due_at, person.timezone)
        _print_json(data)
        return 0
    print(
        f"{person.name} (#{person.id}) snoozed until {_human_in(enrollment.next_due_at, zone)} (you) · "
        f"{_human_in(enrollment.next_due_at, person.timezone)} ({person.timezone})"
    )
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    if not args.text.strip():
        raise UsageError("TEXT is empty")
    with _database(args) as db:
        now = _now(args, _rep_zone(db))
        services.add_note(db, args.prospect_id, args.text, now)
        person = services.prospect(db, args.prospect_id)
    print(f"note added to {person.name} (#{person.id})")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    with _database(args) as db:
        zone = _rep_zone(db)
        person, enrollment, attempts = services.history(db, args.prospect_id)
    if args.json:
        _print_json(_history_json(person, enrollment, attempts))
        return 0
    print(f"{person.name} (#{person.id}) · {person.company} · {person.phone_e164} · {person.timezone}")
    if enrollment is None:
        print("not enrolled in a cadence")
    else:
        print(
            f"{enrollment.cadence} step {enrollment.step}/{enrollment.steps_total} · {enrollment.status}"
            f"{' · promised time' if enrollment.pinned else ''} · next due {_human_in(enrollment.next_due_at, zone)}"
        )
    if not attempts:
        print("no attempts yet")
        return 0
    rows = [
        [_human_in(a.at, zone), f"{a.cadence} {a.step}", a.action, a.outcome, a.note] for a in attempts
    ]
    print(_table(["WHEN", "STEP", "ACTION", "OUTCOME", "NOTE"], rows))
    return 0


def _history_json(person, enrollment, attempts) -> dict[str, Any]:
    """Steps numbered from 1, as ``due`` and ``log`` print them (step_index stays for scripts)."""
    data = _plain({"prospect": person, "enrollment": enrollment, "attempts": attempts})
    if enrollment is not None:
        data["enrollment"]["step"] = enrollment.step
    return data


# --------------------------------------------------------------------------- report


def cmd_report(args: argparse.Namespace) -> int:
    with _database(args) as db:
        zone = _rep_zone(db)
        now = _now(args, zone)
        activity = services.report(db, now, days=args.days)
    if args.json:
        _print_json(_report_json(activity))
        return 0
    print(_report_text(activity))
    return 0


def _report_json(activity) -> dict[str, Any]:
    """Times in the rep's zone with their offset, like every other JSON time a rep reads."""
    data = _plain(activity)
    zone = activity.timezone
    data["since"], data["until"] = _iso_in(activity.since, zone), _iso_in(activity.until, zone)
    data["connect_rate"] = round(activity.connect_rate, 4)
    for shown, session in zip(data["sessions"], activity.sessions):
        shown["started_at"] = _iso_in(session.started_at, zone)
        shown["ended_at"] = _iso_in(session.ended_at, zone)
        shown["dials_per_hour"] = round(session.dials_per_hour, 1)
    return data


def _report_text(activity) -> str:
    zone = activity.timezone
    span = "today" if activity.days == 1 else f"the last {activity.days} days"
    lines = [
        f"activity {span}: {_human_in(activity.since, zone)} to {_human_in(activity.until, zone)}",
        f"dials {activity.dials} · voicemails {activity.voicemails} · connects {activity.connects} "
        f"({activity.connect_rate:.0%} of dials)",
        f"meetings booked {activity.meetings_booked} · not interested {activity.not_interested} · "
        f"do-not-call {activity.do_not_call}",
        f"emails sent {activity.emails_sent} · tasks done {activity.tasks_done}",
    ]
    if activity.by_cadence:
        rows = [[c.cadence, str(c.dials), str(c.voicemails), str(c.connects), str(c.meetings_booked),
                 str(c.emails_sent), str(c.tasks_done)] for c in activity.by_cadence]
        lines += ["", _table(["CADENCE", "DIALS", "VOICEMAILS", "CONNECTS", "BOOKED", "EMAILS", "TASKS"], rows)]
    if activity.sessions:
        rows = [[f"#{s.session_id}", _human_in(s.started_at, zone),
                 _human_in(s.ended_at, zone) if s.ended_at else "not closed", str(s.dials),
                 f"{s.dials_per_hour:.1f}"] for s in activity.sessions]
        lines += ["", _table(["SESSION", "STARTED", "ENDED", "DIALS", "DIALS/HOUR"], rows)]
    lines += ["", f"due now {activity.due_now} · later today {activity.later_today} · overdue {activity.overdue}"]
    return "\n".join(lines)


# --------------------------------------------------------------------------- export


def cmd_export(args: argparse.Namespace) -> int:
    with _database(args) as db:
        rows = services.export_rows(db)
    text = json.dumps(_plain(rows), indent=2, ensure_ascii=False) + "\n" if args.format == "json" else _csv_text(rows)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    args.output.write_text(text, encoding="utf-8", newline="")
    print(f"exported {len(rows)} prospects to {args.output}", file=sys.stderr)
    return 0


def _csv_text(rows: list[dict]) -> str:
    """One row per prospect; nested values (the attempts) as JSON inside their cell."""
    fields: dict[str, None] = {}
    for row in rows:
        fields.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _csv_cell(value) for key, value in row.items()})
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    plain = _plain(value)
    if isinstance(plain, (list, dict)):
        return json.dumps(plain, ensure_ascii=False)
    return "" if plain is None else plain


# --------------------------------------------------------------------------- do-not-call


def cmd_dnc_add(args: argparse.Namespace) -> int:
    with _database(args, create=True) as db:
        now = _now(args, _rep_zone(db))
        number = services.dnc_add(db, args.number, now, reason=args.reason)
    print(f"{number} is on the do-not-call list")
    return 0


def cmd_dnc_remove(args: argparse.Namespace) -> int:
    with _database(args) as db:
        number = services.dnc_remove(db, args.number)
    print(f"{number} removed from the do-not-call list")
    return 0


def cmd_dnc_list(args: argparse.Namespace) -> int:
    with _database(args) as db:
        zone = _rep_zone(db)
        entries = services.dnc_list(db)
    if args.json:
        _print_json(entries)
        return 0
    if not entries:
        print("the do-not-call list is empty")
        return 0
    rows = [[str(e.get("phone") or e.get("e164") or ""), _dnc_added(e.get("added_at"), zone), str(e.get("reason") or "")]
            for e in entries]
    print(_table(["NUMBER", "ADDED", "REASON"], rows))
    return 0


def _dnc_added(value: Any, zone: str) -> str:
    if isinstance(value, datetime):
        return _human_in(value, zone)
    if isinstance(value, str) and value:
        try:
            return _human_in(datetime.fromisoformat(value), zone)
        except ValueError:
            return value
    return "-"


# --------------------------------------------------------------------------- cadences


def cmd_cadences(args: argparse.Namespace) -> int:
    summaries = [_cadence_summary(c) for c in services.library().values()]
    problems = services.library_problems()
    if args.json:
        _print_json(summaries)
        _warn_skipped_cadences()  # stdout stays the list a script parses
        return 0
    if not summaries:
        print(f"no cadences found in {paths.builtin_cadence_dir()} or {paths.user_cadence_dir()}")
    else:
        rows = [[s["name"], s["title"], str(s["steps"]), s["source"], s["after_last"]] for s in summaries]
        print(_table(["NAME", "TITLE", "STEPS", "SOURCE", "AFTER LAST STEP"], rows, widths={1: 46}))
    if problems:
        print(f"\nskipped: broken cadence files ({len(problems)} problem{'s' if len(problems) != 1 else ''}; "
              f"fix them and check with: {PROG} cadences check FILE)")
        for problem in problems:
            print(f"  {problem}")
    return 0


def cmd_cadence_show(args: argparse.Namespace) -> int:
    library = services.library()
    found = library.get(args.name)
    if found is None:
        raise NotFound(f"no cadence named {args.name!r} (known: {', '.join(sorted(library))})")
    if args.json:
        _print_json(_cadence_detail(found))
        return 0
    print(_cadence_text(found))
    return 0


def cmd_cadence_check(args: argparse.Namespace) -> int:
    from dialdeck import cadence

    loaded = cadence.load_cadence(args.file)
    print(f"ok: {len(loaded.steps)} steps")
    return 0


def _cadence_summary(cad) -> dict[str, Any]:
    builtin = Path(cad.source).parent.resolve() == paths.builtin_cadence_dir().resolve()
    return {
        "name": cad.name,
        "title": cad.title,
        "steps": len(cad.steps),
        "source": "builtin" if builtin else "user",
        "path": cad.source,
        "after_last": cad.after_last if cad.after_last == "finish" else f"continue into {cad.continue_with}",
        "description": cad.description,
    }


# The texts a step carries, in the order a rep reads them.
_STEP_TEXTS = (
    ("voicemail", "Voicemail"), ("talk_track", "If they pick up"), ("subject", "Subject"),
    ("body", "Body"), ("instructions", "What to do"), ("tip", "Tip"),
)


def _step_detail(step) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "step": step.number,
        "action": step.action,
        "when": step.timing.describe(),
        "pinned": step.timing.pinned,
        "urgent": step.urgent,
    }
    for key, _label in _STEP_TEXTS:
        value = getattr(step, key)
        detail[key] = value if key == "voicemail" else (value or None)
    if step.action == "call":
        detail["no_answer_retries"] = step.no_answer_retries
    return detail


def _variant_changes(base, variant) -> dict[str, Any] | str | None:
    """What a warm or cold variant changes in a step: 'skip', the changed fields, or None."""
    if variant is None:
        return "skip"
    ours, theirs = _step_detail(base), _step_detail(variant)
    changed = {key: value for key, value in theirs.items() if ours.get(key) != value}
    return changed or None


def _cadence_detail(cad) -> dict[str, Any]:
    steps = []
    for index, step in enumerate(cad.steps):
        detail = _step_detail(step)
        variants = {name: _variant_changes(step, cad.step(index, name)) for name in ("warm", "cold")}
        detail["variants"] = {name: change for name, change in variants.items() if change is not None}
        steps.append(detail)
    summary = _cadence_summary(cad)
    summary.update(
        tip=cad.tip or None,
        low_value_below=cad.low_value_below,
        no_answer_retries=cad.no_answer_retries,
        steps=steps,
    )
    return summary


def _cadence_text(cad) -> str:
    detail = _cadence_detail(cad)
    lines = [f"{cad.name}: {cad.title}  ({detail['source']}: {cad.source})"]
    if cad.description:
        lines.append(cad.description)
    lines.append(f"after the last step: {detail['after_last']}")
    if cad.low_value_below is not None:
        lines.append(f"leads worth less than {cad.low_value_below:g} get the cold variant")
    lines.append(f"no answer: retried {cad.no_answer_retries} time(s) per call step unless a step says otherwise")
    if cad.tip:
        lines.append(f"tip: {cad.tip}")
    for step in detail["steps"]:
        lines.append("")
        urgent = " · URGENT" if step["urgent"] else ""
        lines.append(f"step {step['step']} · {step['action']} · {step['when']}{urgent}")
        if step["action"] == "call" and step["voicemail"] is None:
            lines.append("  Voicemail: don't leave a message")
        lines += _texts_lines(step, indent="  ")
        for name, change in step["variants"].items():
            if change == "skip":
                lines.append(f"  [{name} leads] skip this step")
                continue
            lines.append(f"  [{name} leads]")
            if "when" in change:
                lines.append(f"    When: {change['when']}")
            lines += _texts_lines(change, indent="    ")
    return "\n".join(lines)


def _texts_lines(detail: dict[str, Any], *, indent: str) -> list[str]:
    return [f"{indent}{label}: {detail[key]}" for key, label in _STEP_TEXTS if detail.get(key)]


# --------------------------------------------------------------------------- config


def cmd_config(args: argparse.Namespace) -> int:
    with _database(args, create=True) as db:
        profile = services.get_profile(db)
    settings = _settings(profile)
    if args.json:
        _print_json(settings)
        return 0
    width = max(len(key) for key in settings)
    for key, value in settings.items():
        print(f"{key.ljust(width)}  {value if value != '' else '(not set)'}")
    return 0


def cmd_config_set(args: argparse.Namespace) -> int:
    with _database(args, create=True) as db:
        profile = services.set_setting(db, args.key, args.value)
    shown = _settings(profile).get(args.key, args.value)
    print(f"{args.key} = {shown}")
    return 0


def _settings(profile: RepProfile) -> dict[str, Any]:
    return {key: getattr(profile, field) for key, field in SETTING_FIELDS.items()}
