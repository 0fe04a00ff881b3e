"""Getting set up and starting work: import, config, demo, and the calling session itself.

Textual and the demo builder are imported inside the commands that need them, so ``dialdeck due``
and the other scripting commands start fast and work without a terminal.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dialdeck import dialers, importer, paths, services
from dialdeck.clock import Clock, system_clock
from dialdeck.models import ImportReport, Rep, RepProfile
from dialdeck.settings import FIELDS as SETTING_FIELDS
from dialdeck.settings import LEASE_KEY, is_rep_key

from .database import database, db_path, is_file, rep_of
from .errors import UsageError
from .output import PROG, error, iso_in, plural, print_json, warn_all, warn_skipped_cadences
from .times import now as command_now, rep_now

# `import`: the rows are committed, but the rejects file could not be written (they are listed).
EXIT_REJECTS_UNSAVED = 3

# The zone the demo rep works in: ``demo --at`` without an offset is read in it.
DEMO_ZONE = "America/New_York"

# --------------------------------------------------------------------------- the session


def cmd_session(args: argparse.Namespace) -> int:
    location = db_path(args)
    path = Path(location) if is_file(location) else None
    new = path.absolute() if path is not None and not path.exists() else None
    with database(args, create=True) as db:
        # Create and migrate here, so a bad database fails as one line before the screen opens.
        label = str(path) if path is not None else db.location  # a server's URL without its password
        rep = rep_of(args, db)  # and an unknown or missing --rep too
    # A new database's empty queue says so (and where), so a mistyped --db shows at once.
    return _run_session(location, system_clock, label=label, new_database=new, rep=rep,
                        dialer=getattr(args, "dialer", None))


def _run_session(path: Path | str, clock: Clock, *, label: str, notice: str | None = None,
                 new_database: Path | None = None, rep: Rep | None = None, dialer: str | None = None) -> int:
    from dialdeck.tui.app import run_session  # textual only when a screen is wanted

    return run_session(path, clock=clock, session_label=label, start_notice=notice, new_database=new_database,
                       rep=rep, dialer=dialer)


def cmd_demo(args: argparse.Namespace) -> int:
    from dialdeck.demo import build_demo

    start = command_now(args, DEMO_ZONE)
    dialer = getattr(args, "dialer", None)  # --dialer: the session's back-end
    if args.build_only:
        target = args.build_only.expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        build_demo(target, start)
        print(f"demo database written to {target} (as of {iso_in(start, DEMO_ZONE)})")
        return 0
    clock = _running_from(start) if args.at else system_clock
    if args.keep:
        path = _kept_demo_path(start)
        print(f"building the demo database at {path} (kept: --keep)…", file=sys.stderr)
        build_demo(path, start)
        status = _run_session(path, clock, label=f"demo: {path}",
                              notice=f"Demo: {path}, kept (open it again with --db)", dialer=dialer)
        print(f"the demo database is kept at {path}; open it again with: {PROG} --db {path}", file=sys.stderr)
        return status
    with tempfile.TemporaryDirectory(prefix="dialdeck-demo-") as folder:
        path = Path(folder) / "demo.db"
        print(f"building the demo database at {path} (deleted when you quit; "
              f"{PROG} demo --keep keeps it)…", file=sys.stderr)
        build_demo(path, start)
        status = _run_session(path, clock, label=f"demo: {path}",
                              notice=f"Demo: {path}, deleted on quit (demo --keep keeps it)", dialer=dialer)
    print(f"the demo database {path} was deleted; {PROG} demo --keep keeps the next one", file=sys.stderr)
    return status


def _kept_demo_path(start: datetime) -> Path:
    """A new file in the user data folder, named for the demo's moment: never an existing one."""
    folder = paths.default_db_path().parent
    folder.mkdir(parents=True, exist_ok=True)
    stamp = start.astimezone(ZoneInfo(DEMO_ZONE)).strftime("%Y-%m-%d-%H%M")
    candidate = folder / f"demo-{stamp}.db"
    number = 2
    while candidate.exists():
        candidate = folder / f"demo-{stamp}-{number}.db"
        number += 1
    return candidate


def _running_from(start: datetime) -> Clock:
    """A clock that starts at ``start`` and then runs at real speed, so a demo at --at stays alive."""
    began = system_clock()
    return lambda: start + (system_clock() - began)


# --------------------------------------------------------------------------- import


def cmd_import(args: argparse.Namespace) -> int:
    if args.columns:
        return _print_columns(args.json)
    if args.file is None:
        raise UsageError("give the FILE.csv to import (or --columns to list the headers it recognises)")
    warn_skipped_cadences()
    with database(args, create=True) as db:
        _zone, now = rep_now(args, db, team=True)
        rep = rep_of(args, db, team=True)
        owner = services.rep_named(db, args.owner) if args.owner is not None else None
        report = services.import_csv(
            db, args.file, now=now, cadence=args.cadence, region=args.region, skip_invalid=args.skip_invalid,
            rep=rep, owner=owner,
        )
        unset = services.profile_problems(db, rep=rep)
    warn_all(unset)
    if args.json:
        print_json(report)
        return _rejects_unsaved(report) if report.rejects_error else 0
    print(
        f"imported {args.file}: {report.created} created, {report.updated} updated, "
        f"{report.enrolled} enrolled, {report.skipped_dnc} skipped (do-not-call), {report.rejected} rejected"
    )
    if report.rejected_file:
        print(f"rejected rows, with reasons: {report.rejected_file}")
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return _rejects_unsaved(report) if report.rejects_error else 0


def _rejects_unsaved(report: ImportReport) -> int:
    """The import is committed but its rejects file is not: say both, list the rejected rows'
    problems instead, and exit with the status a script can tell apart from a failed import."""
    error(f"could not write the rejected rows to {report.rejects_error}; the import itself is saved "
          f"({report.created} created, {report.updated} updated). The {plural(report.rejected, 'rejected row')}:")
    for problem in report.unsaved_rejects:
        print(problem, file=sys.stderr)
    return EXIT_REJECTS_UNSAVED


def _print_columns(as_json: bool) -> int:
    """Every header the importer recognises, per field, from the importer's own table."""
    if as_json:
        print_json({"fields": importer.RECOGNISED_HEADERS, "prefixes": importer.HEADER_PREFIXES,
                    "ignored": importer.IGNORED_HEADERS, "rejects_columns": importer.REJECTS_COLUMNS})
        return 0
    print("Column headers dialdeck import recognises (case, spaces and punctuation are ignored;\n"
          "within a field the first one listed wins):")
    width = max(len(field) for field in importer.RECOGNISED_HEADERS)
    for field, headers in importer.RECOGNISED_HEADERS.items():
        print(f"  {field.ljust(width)}  {', '.join(headers)}")
    print(f"\nPhone columns: every number is kept with its label ({', '.join(importer.PHONE_LABELS)});\n"
          "the prospect's own number is the first valid one in that order.")
    print(f"Accepted before any header: {', '.join(repr(p) for p in importer.HEADER_PREFIXES)} (Pipedrive).")
    print("\nRead as nothing, on purpose:")
    for header, why in importer.IGNORED_HEADERS.items():
        print(f"  {header}: {why}")
    print(f"\nA rejects file's own columns ({', '.join(importer.REJECTS_COLUMNS)}) are dropped when it is "
          "imported again.")
    return 0


# --------------------------------------------------------------------------- config


def cmd_config(args: argparse.Namespace) -> int:
    with database(args, create=True) as db:
        rep = rep_of(args, db)
        profile = services.get_profile(db, rep=rep)
        dialing = services.dialer_settings(db, rep=rep)
        team = len(services.reps(db)) > 1
        lease = services.lease_minutes(db)
    settings = {**_settings(profile), **_dialing_shown(dialing), LEASE_KEY: lease}
    if args.json:
        print_json(settings)
        return 0
    width = max(len(key) for key in settings)
    for key, value in settings.items():
        shown = value if value != '' else '(not set)'
        print(f"{key.ljust(width)}  {shown}  {_scope(key, rep)}" if team else f"{key.ljust(width)}  {shown}")
    return 0


def cmd_config_set(args: argparse.Namespace) -> int:
    with database(args, create=True) as db:
        # A team-wide key (guardrails, calling-hour rules, the lease) is the team's: no rep to name.
        rep = rep_of(args, db, team=not is_rep_key(args.key))
        profile = services.set_setting(db, args.key, args.value, rep=rep)
        dialing = services.dialer_settings(db, rep=rep)
        team = len(services.reps(db)) > 1
    shown = {**_settings(profile), **_dialing_shown(dialing)}.get(args.key, args.value)
    print(f"{args.key} = {shown}  {_scope(args.key, rep)}" if team else f"{args.key} = {shown}")
    return 0


def _scope(key: str, rep: Rep) -> str:
    """Whose setting ``key`` is, said when the database has several reps: one rep's, or the team's."""
    return f"(rep: {rep.name})" if is_rep_key(key) else "(team: every rep)"


# What `config` shows for a password that is set: never the password itself.
MASKED = "********"


def _dialing_shown(stored: dict[str, str]) -> dict[str, str]:
    """The dialing settings with their defaults, the SIP password masked."""
    values = {**dialers.DEFAULTS, **stored}
    shown = {key: values.get(key, "") for key in dialers.KEYS}
    if shown["sip.password"]:
        shown["sip.password"] = MASKED
    return shown


def _settings(profile: RepProfile) -> dict[str, Any]:
    return {key: getattr(profile, field) for key, field in SETTING_FIELDS.items()}
