"""What a prospect would hear, and the rep's own facts it is built from: script, flag, unflag, benefit."""

from __future__ import annotations

import argparse

from dialdeck import services
from dialdeck.models import Script

from .database import database, rep_of
from .errors import UsageError
from .output import human_in, iso_in, print_json
from .times import rep_now

# The texts of a script, in the order a rep reads them.
SCRIPT_TEXTS = (
    ("voicemail", "Voicemail"), ("talk_track", "If they pick up"), ("subject", "Subject"), ("body", "Body"),
    ("instructions", "What to do"), ("tip", "Tip"),
)
NO_MESSAGE = "don't leave a message: hang up if it rings out"


def cmd_script(args: argparse.Namespace) -> int:
    with database(args) as db:
        _zone, now = rep_now(args, db)
        card = services.call_card(db, args.prospect_id, now, rep=rep_of(args, db))
    person, script = card.prospect, card.script
    if args.json:
        print_json({
            "prospect_id": person.id, "name": person.name, "cadence": card.enrollment.cadence,
            "step": card.enrollment.step, "action": script.action, "at": iso_in(now, person.timezone),
            "voicemail": script.voicemail, "talk_track": script.talk_track or None, "subject": script.subject or None,
            "body": script.body or None, "instructions": script.instructions or None, "tip": script.tip or None,
            "urgent": script.urgent, "callback": script.callback,
            "promised_at": iso_in(script.next_call_at, person.timezone),
            "offers": [iso_in(at, person.timezone) for at in script.offers],
            "pickable": [iso_in(at, person.timezone) for at in script.pickable],
        })
        return 0
    print(f"{person.name} (#{person.id}) · {card.enrollment.cadence} step {card.enrollment.step} · "
          f"{script.action}{' · URGENT' if script.urgent else ''} · their time {human_in(now, person.timezone)}")
    print("\n".join(script_lines(script)))
    if script.pickable:
        times = ", ".join(f"{n}. {human_in(at, person.timezone)}" for n, at in enumerate(script.pickable, start=1))
        print(f"times offered, if they reply: {times} (dialdeck picked {person.id} N)")
    return 0


def script_lines(script: Script, indent: str = "") -> list[str]:
    """A rendered script as labelled lines (the CLI's script pane)."""
    lines = []
    if script.action == "call" and script.voicemail is None:
        lines.append(f"{indent}Voicemail: {NO_MESSAGE}")
    for key, label in SCRIPT_TEXTS:
        text = getattr(script, key)
        if text:
            body = text.replace("\n", "\n" + indent + "  ")
            lines.append(f"{indent}{label}: {body}")
    return lines


def cmd_flag(args: argparse.Namespace) -> int:
    with database(args) as db:
        _zone, now = rep_now(args, db, team=True)
        person = services.set_urgent(db, args.prospect_id, True, now, reason=args.reason)
    why = f" ({person.urgent_reason})" if person.urgent_reason else ""
    print(f"{person.name} (#{person.id}) is marked urgent{why}: money-in scripts now offer a message")
    return 0


def cmd_unflag(args: argparse.Namespace) -> int:
    with database(args) as db:
        _zone, now = rep_now(args, db, team=True)
        person = services.set_urgent(db, args.prospect_id, False, now)
    print(f"{person.name} (#{person.id}) is no longer marked urgent")
    return 0


def cmd_benefit(args: argparse.Namespace) -> int:
    if args.clear == bool(args.text):
        raise UsageError("give the benefit TEXT, or --clear (not both)")
    with database(args) as db:
        _zone, now = rep_now(args, db, team=True)
        person = services.set_benefit(db, args.prospect_id, "" if args.clear else args.text, now)
    if person.benefit:
        print(f"{person.name} (#{person.id}): scripts that offer a benefit now say: {person.benefit}")
    else:
        print(f"{person.name} (#{person.id}): no benefit on file; scripts leave it out")
    return 0
