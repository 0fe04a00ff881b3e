"""The team's commands: ``next`` (reserve the next call for this rep) and ``release``."""

from __future__ import annotations

import argparse

from dialdeck import services
from dialdeck.errors import InvalidInput

from .calls import _due_json, _due_table
from .database import database, rep_of
from .output import human_in, iso_in, print_json, warn_skipped_cadences
from .times import rep_now


def cmd_next(args: argparse.Namespace) -> int:
    warn_skipped_cadences()
    with database(args) as db:
        zone, now = rep_now(args, db)
        rep = rep_of(args, db)
        claimed = services.claim_next(db, now, rep=rep)
        if claimed is None:
            if args.json:
                print_json(None)
            else:
                print(f"nothing left to call for {rep.name} as of {human_in(now, zone)}")
            return 0
        item = claimed.item
        if args.json:
            data = _due_json(item, services.call_card(db, item.prospect_id, now, rep=rep), now, zone)
            data["reserved_until"] = iso_in(claimed.reserved_until, zone)
            print_json(data)
            return 0
        print(_due_table([item], now, zone).rsplit("\n", 1)[0])  # the row, without the "1 due" count
        print(f"\nreserved for {rep.name} until {human_in(claimed.reserved_until, zone)}: log an outcome, "
              f"or `release {item.prospect_id}` to hand it back")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    with database(args) as db:
        rep = rep_of(args, db)
        if not services.release(db, args.prospect_id, rep=rep):
            raise InvalidInput(f"{rep.name} holds no reservation on prospect #{args.prospect_id}")
        person = services.prospect(db, args.prospect_id)
    print(f"{person.name} (#{person.id}) released: another rep may be given them now")
    return 0
