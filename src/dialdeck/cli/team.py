"""The team's commands: ``reps`` (list, add, rename) and ``assign`` (prospects to a rep or back
to the shared pool)."""

from __future__ import annotations

import argparse

from dialdeck import phones, services
from dialdeck.models import TeamMember

from .database import database
from .errors import UsageError
from .output import plural, print_json, table
from .times import rep_now


def cmd_reps(args: argparse.Namespace) -> int:
    with database(args, readonly=True) as db:
        _zone, now = rep_now(args, db, team=True)
        members = services.team(db, now)
        pool = services.pool_size(db)
    if args.json:
        print_json({"reps": [_member_json(member) for member in members], "pool": pool})
        return 0
    rows = [[member.rep.name, _phone(member.profile.phone), member.profile.timezone, str(member.owned),
             str(member.dials_today), str(member.attempts_today)] for member in members]
    print(table(["REP", "CALLBACK NUMBER", "ZONE", "OWNS", "DIALS TODAY", "ATTEMPTS TODAY"], rows))
    print(f"shared pool: {plural(pool, 'prospect')} (every rep's queue)")
    return 0


def _member_json(member: TeamMember) -> dict:
    return {"id": member.rep.id, "name": member.rep.name, "profile_name": member.profile.name,
            "phone": member.profile.phone or None, "company": member.profile.company,
            "timezone": member.profile.timezone, "owned": member.owned, "dials_today": member.dials_today,
            "attempts_today": member.attempts_today}


def _phone(e164: str) -> str:
    return phones.format_international(e164) if e164 else "(not set)"


def cmd_reps_add(args: argparse.Namespace) -> int:
    with database(args, create=True) as db:
        _zone, now = rep_now(args, db, team=True)
        rep = services.add_rep(db, args.name, now)
    print(f"added rep {rep.name}; set their profile with: dialdeck --rep {_quoted(rep.name)} config set rep.phone "
          '"+1 212 555 0142" (also rep.name, rep.company, rep.timezone)')
    return 0


def cmd_reps_rename(args: argparse.Namespace) -> int:
    with database(args) as db:
        rep = services.rename_rep(db, services.rep_named(db, args.old), args.new)
    print(f"rep {args.old.strip()} is now {rep.name}")
    return 0


def _quoted(name: str) -> str:
    return f'"{name}"' if " " in name else name


def cmd_assign(args: argparse.Namespace) -> int:
    if (args.to is None) == (not args.pool):
        raise UsageError("give --to NAME (a rep) or --pool (the shared pool)")
    with database(args) as db:
        _zone, now = rep_now(args, db, team=True)
        rep = services.rep_named(db, args.to) if args.to is not None else None
        changed = services.assign(db, args.prospect_ids, rep, now)
    whom = rep.name if rep else "the shared pool"
    unchanged = len(set(args.prospect_ids)) - changed
    print(f"{plural(changed, 'prospect')} assigned to {whom}"
          + (f" ({unchanged} already there)" if unchanged else ""))
    return 0

