"""The argparse tree: every command, its arguments and help, and the handler it runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dialdeck import __version__
from dialdeck.dialers import BACKENDS as DIAL_BACKENDS
from dialdeck.dialers import KEYS as DIALING_KEYS
from dialdeck.models import DISPOSITIONS, NETWORK_RESULTS, OUTCOMES
from dialdeck.paths import database_location
from dialdeck.services import REPORT_MAX_DAYS
from dialdeck.settings import FIELDS as SETTING_FIELDS

from .cadences import cmd_cadence_check, cmd_cadence_show, cmd_cadences
from .claims import cmd_next, cmd_release
from .calls import cmd_disposition, cmd_due, cmd_log, cmd_note, cmd_picked, cmd_snooze, cmd_undo
from .dialing import (
    cmd_dial,
    cmd_recording_list,
    cmd_recording_remove,
    cmd_recording_set,
    positive_seconds,
    recording_file,
)
from .errors import UsageError
from .moving import cmd_migrate
from .output import PROG
from .records import cmd_dnc_add, cmd_dnc_list, cmd_dnc_remove, cmd_export, cmd_history, cmd_report
from .scripts import cmd_benefit, cmd_flag, cmd_script, cmd_unflag
from .setup import cmd_config, cmd_config_set, cmd_demo, cmd_import, cmd_session
from .team import cmd_assign, cmd_reps, cmd_reps_add, cmd_reps_rename


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A keyboard-first terminal power dialer for sales follow-up cadences. "
        "Without a command, opens the calling session.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--db", type=database_location, metavar="PATH|URL",
        help="the database: a file, or a PostgreSQL server's postgresql://USER@HOST[:PORT]/NAME "
             "(default: $DIALDECK_DB, else a file in the user data directory)",
    )
    parser.add_argument(
        "--rep", metavar="NAME",
        help="the rep to work as, any case (default: $DIALDECK_REP; a database with one rep needs none)",
    )
    _dialer(parser)
    parser.set_defaults(handler=cmd_session, subparser=parser)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_demo(sub)
    _add_import(sub)
    _add_due(sub)
    _add_next(sub)
    _add_release(sub)
    _add_log(sub)
    _add_dial(sub)
    _add_recording(sub)
    _add_disposition(sub)
    _add_undo(sub)
    _add_snooze(sub)
    _add_note(sub)
    _add_picked(sub)
    _add_script(sub)
    _add_flags(sub)
    _add_history(sub)
    _add_report(sub)
    _add_export(sub)
    _add_dnc(sub)
    _add_cadences(sub)
    _add_config(sub)
    _add_migrate(sub)
    _add_reps(sub)
    _add_assign(sub)
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


def _dialer(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dialer", choices=DIAL_BACKENDS, metavar="BACKEND",
        help=f"the calling session dials with this back-end ({', '.join(DIAL_BACKENDS)}) instead of "
             "the dial.backend setting, for this session only",
    )


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")


# SQLite's row ids are signed 64-bit: a larger number names no prospect and cannot be asked for.
_MAX_ID = 2**63 - 1


def _bounded_int(text: str, high: int) -> int:
    shown = text if len(text) <= 40 else text[:40] + "…"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {shown!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {shown}")
    if value > high:
        raise argparse.ArgumentTypeError(f"{shown} is too large (at most {high:,})")
    return value


def _id(text: str) -> int:
    return _bounded_int(text, _MAX_ID)


def _days(text: str) -> int:
    return _bounded_int(text, REPORT_MAX_DAYS)


def _positive_int(text: str) -> int:
    return _bounded_int(text, _MAX_ID)


def _prospect_id(parser: argparse.ArgumentParser, *, optional: bool = False) -> None:
    kwargs: dict[str, Any] = {"nargs": "?", "default": None} if optional else {}
    parser.add_argument("prospect_id", type=_id, metavar="PROSPECT_ID", **kwargs)


def _need_subcommand(args: argparse.Namespace) -> int:
    raise UsageError("choose an action (see --help)")


# The help of --callback and UNTIL: the forms typed_time.read_later reads.
_LATER = "e.g. 'in 2h', +30m, 14:00, 'thu 2pm', 'tomorrow 9am', or ISO; in the rep's zone"


def _add_demo(sub) -> None:
    p = _command(
        sub, "demo", cmd_demo,
        "build a fresh demo database from the sample data, as of now (or --at), and open the "
        "calling session on it; the demo rep calls 08:00-21:00 in each prospect's zone seven days a "
        "week, so there is work due at any hour. It says where the database is, and deletes it on "
        "quit unless --keep. --db is ignored: the demo never touches your database",
    )
    _at(p)
    _dialer(p)
    p.add_argument(
        "--keep", action="store_true",
        help="keep the demo database after quitting, in the user data folder (its path is printed)",
    )
    p.add_argument(
        "--build-only", type=Path, metavar="PATH",
        help="write the demo database to PATH and exit instead of opening the session",
    )


def _add_import(sub) -> None:
    p = _command(sub, "import", cmd_import, "import a CRM CSV export and enroll the prospects")
    p.add_argument("file", type=Path, metavar="FILE.csv", nargs="?")
    p.add_argument("--columns", action="store_true",
                   help="list every column header the importer recognises, per field, and exit")
    p.add_argument("--cadence", metavar="NAME", help="cadence for rows that do not name one")
    p.add_argument("--region", metavar="CC",
                   help="default country for numbers without +code (e.g. US, GB); a row's country column wins")
    p.add_argument("--owner", metavar="NAME",
                   help="the rep who owns rows whose Owner column is blank (their queue only; default: the "
                        "shared pool for new prospects, the owner kept for known ones)")
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


def _add_next(sub) -> None:
    p = _command(sub, "next", cmd_next,
                 "reserve the next due call for this rep and print it: no other rep is given that "
                 "prospect until this rep logs it, releases it, or team.lease_minutes pass; asking "
                 "again gives the same one back")
    _at(p)
    p.add_argument("--json", action="store_true",
                   help="print it as a `due --json` item plus reserved_until, or null when none is left")


def _add_release(sub) -> None:
    p = _command(sub, "release", cmd_release,
                 "hand back a prospect this rep holds reserved (a skip): another rep may be given it at once")
    _prospect_id(p)


def _add_log(sub) -> None:
    p = _command(sub, "log", cmd_log, "record the outcome of an attempt and advance the prospect")
    _prospect_id(p)
    p.add_argument("outcome", choices=OUTCOMES, metavar="OUTCOME", help=" | ".join(OUTCOMES))
    _at(p)
    p.add_argument("--note", default="", metavar="TEXT")
    p.add_argument(
        "--callback", metavar="TIME",
        help=f"connected: call back at this time ({_LATER}); implies --disposition callback",
    )
    p.add_argument("--disposition", choices=DISPOSITIONS, help="connected: what was agreed")
    _chosen_by(p)
    p.add_argument(
        "--force", action="store_true",
        help="log a call the guard refuses (outside their calling hours, over the daily cap, "
             "a do-not-call number, a prospect another rep holds reserved); it is recorded as "
             "forced, with the reason",
    )
    p.add_argument("--number", metavar="NUMBER",
                   help="which of the prospect's numbers was dialled (default: their own number)")
    _call_facts(p)
    _json(p)


def _call_facts(p: argparse.ArgumentParser) -> None:
    """What `dialdeck dial` reported of the call, kept on the attempt (its readable output ends
    with the `log` command that passes them)."""
    p.add_argument("--network-result", choices=NETWORK_RESULTS, metavar="RESULT",
                   help="what the network said of the call: " + " | ".join(NETWORK_RESULTS))
    p.add_argument("--ring-seconds", type=positive_or_zero, metavar="SECONDS", help="how long it rang")
    p.add_argument("--talk-seconds", type=positive_or_zero, metavar="SECONDS", help="how long the call lasted once answered")


def positive_or_zero(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text[:40]!r}") from None
    if not 0 <= value < 86400:
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds from 0 to 86399")
    return value


def _add_dial(sub) -> None:
    p = _command(
        sub, "dial", cmd_dial,
        "place one call to a prospect with the configured back-end (dial.backend), once the guard "
        "allows it; prints each call state, then the result (nothing is logged unless --drop)",
    )
    _prospect_id(p)
    _at(p)
    p.add_argument("--json", action="store_true",
                   help='one JSON object a line: {"state": ..., "at": ...} per state change, then the result')
    p.add_argument("--hangup-after", type=positive_seconds, metavar="SECONDS",
                   help="hang up an answered call after this many seconds")
    p.add_argument("--drop", action="store_true",
                   help="once answered, play the step's voicemail recording, log voicemail, and exit when it ends")
    # SUPPRESS: `dialdeck --dialer sip dial 5` (the root's flag) must not be reset by this one's default.
    p.add_argument("--dialer", choices=DIAL_BACKENDS, metavar="BACKEND", default=argparse.SUPPRESS,
                   help=f"dial with this back-end ({', '.join(DIAL_BACKENDS)}) instead of dial.backend")


def _add_recording(sub) -> None:
    p = _command(sub, "recording", _need_subcommand, "your voicemail recordings, one per cadence step")
    rec = p.add_subparsers(title="recording commands", metavar="ACTION")
    set_ = _command(rec, "set", cmd_recording_set,
                    "store a WAV file as the voicemail of a cadence's call step (checked and converted for calls)")
    set_.add_argument("cadence", metavar="CADENCE")
    set_.add_argument("step", metavar="STEP", help="the step's number, as `cadences show CADENCE` lists it")
    set_.add_argument("file", type=recording_file, metavar="FILE.wav")
    listing = _command(rec, "list", cmd_recording_list, "show the recordings: cadence, step, length, file")
    _json(listing)
    remove = _command(rec, "remove", cmd_recording_remove, "delete a step's recording")
    remove.add_argument("cadence", metavar="CADENCE")
    remove.add_argument("step", metavar="STEP")


def _add_disposition(sub) -> None:
    p = _command(
        sub, "disposition", cmd_disposition,
        "settle a connected call left without a disposition (e.g. after the session closed)",
    )
    _prospect_id(p)
    p.add_argument("disposition", choices=DISPOSITIONS)
    p.add_argument("--callback", metavar="TIME", help=f"callback: when ({_LATER})")
    _chosen_by(p)
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
    p.add_argument("until", metavar="UNTIL", help=f"when to bring them back ({_LATER})")
    _at(p)
    _json(p)


def _add_note(sub) -> None:
    p = _command(sub, "note", cmd_note, "add a note to a prospect")
    _prospect_id(p)
    p.add_argument("text", metavar="TEXT")
    _at(p)


def _chosen_by(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--chosen-by", choices=("prospect", "rep"), default=None,
        help="callback: who chose the time (the script then says so); default: agreed, not said who",
    )


def _add_picked(sub) -> None:
    p = _command(
        sub, "picked", cmd_picked,
        "they replied to an email that offered times and picked number N: the next call is set for it",
    )
    _prospect_id(p)
    p.add_argument("choice", type=_positive_int, metavar="N", help="the number of the time they picked")
    _at(p)
    _json(p)


def _add_script(sub) -> None:
    p = _command(sub, "script", cmd_script,
                 "show what the prospect's current step says now (or --at): voicemail, talk track, email")
    _prospect_id(p)
    _at(p)
    _json(p)


def _add_flags(sub) -> None:
    flag = _command(sub, "flag", cmd_flag,
                    "mark a prospect urgent: money-in scripts then offer a message, with your reason")
    _prospect_id(flag)
    flag.add_argument("flag", choices=("urgent",))
    flag.add_argument("--reason", metavar="TEXT",
                      help="why, as the end of \"I'm calling because ...\" (e.g. \"your start date is held until Friday\")")
    _at(flag)
    unflag = _command(sub, "unflag", cmd_unflag, "take a flag off a prospect")
    _prospect_id(unflag)
    unflag.add_argument("flag", choices=("urgent",))
    _at(unflag)
    benefit = _command(sub, "benefit", cmd_benefit,
                       "the benefit scripts may offer this prospect, in your words (without one they leave it out)")
    _prospect_id(benefit)
    benefit.add_argument("text", nargs="?", default="", metavar="TEXT")
    benefit.add_argument("--clear", action="store_true", help="remove the benefit on file")
    _at(benefit)


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
    p.add_argument("--days", type=_days, default=1, metavar="N",
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
    check.add_argument(
        "--simulate", action="store_true",
        help="also walk it through many situations (start days and hours, warm and cold, referrer, "
             "appointment, email, missed and late calls, callbacks) and report what each step would say "
             "and every sentence that would not be true (exit 1 if any)",
    )


def _add_config(sub) -> None:
    p = _command(sub, "config", cmd_config, "show the rep profile kept in the database")
    _json(p)
    cfg = p.add_subparsers(title="config commands", metavar="ACTION")
    set_ = _command(
        cfg, "set", cmd_config_set,
        "set one profile or dialing value; keys: " + ", ".join((*SETTING_FIELDS, *DIALING_KEYS)),
    )
    set_.add_argument("key", metavar="KEY")
    set_.add_argument("value", metavar="VALUE")


def _add_migrate(sub) -> None:
    p = _command(
        sub, "migrate", cmd_migrate,
        "move a team from a SQLite file to a PostgreSQL database: every table, ids kept, in one "
        "transaction; per table the rows and a checksum on both sides. --db is not used",
    )
    p.add_argument("--from", dest="source", type=database_location, required=True, metavar="PATH",
                   help="the dialdeck database file to copy from (read in one snapshot; a session may keep working in it)")
    p.add_argument("--to", dest="target", type=database_location, required=True, metavar="URL",
                   help="the PostgreSQL database to copy into: postgresql://USER@HOST[:PORT]/NAME "
                        "(it must exist; create it with createdb)")
    p.add_argument("--replace", action="store_true",
                   help="the target already holds dialdeck data: replace it (by default that is refused)")
    _json(p)


def _add_reps(sub) -> None:
    p = _command(sub, "reps", cmd_reps, "list the team's reps: callback number, zone, prospects owned, today's work")
    _json(p)
    _at(p)
    reps = p.add_subparsers(title="reps commands", metavar="ACTION")
    add = _command(reps, "add", cmd_reps_add,
                   "add a rep (then: dialdeck --rep NAME config set rep.phone ...); names are unique in any case")
    add.add_argument("name", metavar="NAME")
    _at(add)
    rename = _command(reps, "rename", cmd_reps_rename, "rename a rep (their settings and history stay theirs)")
    rename.add_argument("old", metavar="NAME")
    rename.add_argument("new", metavar="NEW_NAME")


def _add_assign(sub) -> None:
    p = _command(sub, "assign", cmd_assign,
                 "give prospects to a rep (their queue only), or back to the shared pool (everyone's queue)")
    p.add_argument("prospect_ids", type=_id, nargs="+", metavar="PROSPECT_ID")
    p.add_argument("--to", metavar="NAME", help="the rep who owns them from now on")
    p.add_argument("--pool", action="store_true", help="no owner: every rep's queue")
    _at(p)
