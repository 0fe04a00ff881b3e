"""The commands of a calling day: due, log, disposition, undo, snooze and note."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from dialdeck import phones, services
from dialdeck.errors import InvalidInput
from dialdeck.guard import NotCallable
from dialdeck.models import CallFacts, DueItem, OutcomeResult
from dialdeck.phrases import day_clock

from .database import database, rep_of, rep_zone
from .errors import UsageError
from .output import PROG, human_in, iso_in, plain, print_json, table, warn_all, warn_skipped_cadences, zone_info
from .times import callback_at, parse_later, rep_now

# --------------------------------------------------------------------------- due


def cmd_due(args: argparse.Namespace) -> int:
    warn_skipped_cadences()
    with database(args, readonly=True) as db:
        zone, now = rep_now(args, db)
        rep = rep_of(args, db)
        items = services.due(db, now, limit=args.limit, rep=rep)
        if args.json:
            print_json([_due_json(item, services.call_card(db, item.prospect_id, now, rep=rep), now, zone)
                        for item in items])
        elif not items:
            print(_nothing_due(services.queue_summary(db, now, rep=rep), now, zone))
        else:
            print(_due_table(items, now, zone))
        warn_all(services.profile_problems(db, rep=rep))
    return 0


def _due_json(item: DueItem, card, now: datetime, zone: str) -> dict:
    script = card.script
    extension = card.prospect.phone_ext
    return {
        "prospect_id": item.prospect_id,
        "name": item.name,
        "company": item.company,
        "phone": item.phone,
        "extension": extension or None,
        "dial": phones.dial_string(item.phone, extension),
        "numbers": [_number_json(number) for number in card.numbers],
        "timezone": item.timezone,
        "timezone_guessed": item.tz_flagged,
        "local_time": iso_in(now, item.timezone),
        "cadence": item.cadence,
        "step": item.step,
        "steps_total": item.steps_total,
        "action": item.action,
        "due_at": iso_in(item.due_at, zone),
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
        "promised_at": iso_in(script.next_call_at, item.timezone),
    }


def _number_json(number) -> dict:
    """One of the prospect's numbers, as ``due --json`` lists them (their own first)."""
    return {"label": number.label, "phone": number.e164, "extension": number.extension or None,
            "dial": phones.dial_string(number.e164, number.extension), "primary": number.primary,
            "do_not_call": number.dnc}


def _due_table(items: list[DueItem], now: datetime, zone: str) -> str:
    rows = [
        [
            str(item.prospect_id),
            item.name,
            item.company,
            item.phone,
            day_clock(now, zone_info(item.timezone)) + ("?" if item.tz_flagged else ""),
            f"{item.cadence} {item.step}/{item.steps_total}",
            item.action,
            human_in(item.due_at, zone),
            _flags(item),
        ]
        for item in items
    ]
    headers = ["ID", "NAME", "COMPANY", "PHONE", "THEIR TIME", "CADENCE", "ACTION", "DUE", "FLAGS"]
    footer = f"\n{len(items)} due as of {human_in(now, zone)}"
    return table(headers, rows, widths={1: 22, 2: 22}) + footer


def _flags(item: DueItem) -> str:
    flags = ["promised" if item.pinned else "", "overdue" if item.overdue else "", item.temperature]
    return " ".join(flag for flag in flags if flag)


def _nothing_due(summary, now: datetime, zone: str) -> str:
    lines = [f"nothing due as of {human_in(now, zone)}"]
    if summary.outside_hours:
        lines.append(f"{summary.shown(summary.outside_hours)} due but outside their calling hours now")
    nxt, opening = summary.next_item, summary.next_opening
    if nxt is not None:
        what = {"promise": "promised call", "opens": "their calling window opens"}.get(summary.next_kind, "due")
        lines.append(f"next: {nxt.name} (#{nxt.prospect_id}), {what} at {human_in(nxt.due_at, zone)}")
    if opening is not None and (nxt is None or opening.prospect_id != nxt.prospect_id):
        lines.append(f"first calling window to open: {opening.name} (#{opening.prospect_id}) at "
                     f"{human_in(opening.due_at, zone)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- log, disposition, undo


def cmd_log(args: argparse.Namespace) -> int:
    disposition = _disposition_for(args)
    warn_skipped_cadences()
    with database(args) as db:
        zone, now = rep_now(args, db)
        try:
            result = services.log_outcome(
                db, args.prospect_id, args.outcome, now,
                note=args.note, disposition=disposition, callback_at=callback_at(args, now, zone),
                number=args.number, force=args.force, callback_by=args.chosen_by,
                call=_call_facts(db, args), rep=rep_of(args, db),
            )
        except NotCallable as refused:
            raise InvalidInput(f"not logged: {refused}. If the call was made anyway, --force records "
                               "it as forced") from None
        except services.Reserved as held:
            raise InvalidInput(f"not logged: {held}") from None
        warn_all(list(result.warnings))
        headline = f"{args.outcome} logged at {human_in(now, zone)}"
        if result.forced_reason:
            headline += f", forced: {result.forced_reason}"
        _print_result(db, result, zone, args.json, headline)
    return 0


def _call_facts(db, args: argparse.Namespace) -> CallFacts | None:
    """What `dialdeck dial` reported of the call, when the rep passes it on (--network-result...)."""
    if args.network_result is None and args.ring_seconds is None and args.talk_seconds is None:
        return None
    if args.number is None:
        own = services.prospect(db, args.prospect_id)
        number = phones.number_text(own.phone_e164, own.phone_ext)
    else:
        number = args.number
    return CallFacts(number=number, ring_seconds=args.ring_seconds, talk_seconds=args.talk_seconds,
                     network_result=args.network_result)


def _disposition_for(args: argparse.Namespace) -> str | None:
    """The disposition a ``log`` implies; the combinations argparse cannot check are usage errors."""
    if args.chosen_by and not args.callback:
        raise UsageError("--chosen-by says who chose a callback's time: it goes with --callback")
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
    if args.chosen_by and not args.callback:
        raise UsageError("--chosen-by says who chose a callback's time: it goes with --callback")
    warn_skipped_cadences()
    with database(args) as db:
        zone, now = rep_now(args, db)
        result = services.set_disposition(
            db, args.prospect_id, args.disposition, now, callback_at=callback_at(args, now, zone), note=args.note,
            callback_by=args.chosen_by, rep=rep_of(args, db),
        )
        _print_result(db, result, zone, args.json, f"disposition {args.disposition} set")
    return 0


def cmd_picked(args: argparse.Namespace) -> int:
    with database(args) as db:
        zone, now = rep_now(args, db)
        result = services.pick_offered(db, args.prospect_id, args.choice, now, rep=rep_of(args, db))
        _print_result(db, result, zone, args.json, f"picked offered time {args.choice}")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    with database(args) as db:
        rep = rep_of(args, db)
        zone = rep_zone(db, rep)
        result = services.undo_last(db, prospect_id=args.prospect_id, rep=rep)
        if result is None:
            alone = len(services.reps(db)) == 1
            whose = (f"prospect #{args.prospect_id}" if args.prospect_id is not None
                     else "the database" if alone else f"rep {rep.name}")
            raise InvalidInput(f"nothing to undo: {whose} has no attempts")
        _print_result(db, result, zone, args.json, f"undid the last {result.outcome}")
    return 0


def _print_result(db, result: OutcomeResult, zone: str, as_json: bool, headline: str) -> None:
    """The prospect's new state, with the next due time in the rep's zone and in theirs."""
    person = services.prospect(db, result.prospect_id)
    if as_json:
        data = plain(result)
        data["name"] = person.name
        data["timezone"] = person.timezone
        print_json(_with_next_due(data, result.next_due_at, zone, person.timezone))
        return
    print(f"{person.name} (#{person.id}): {headline}")
    where = f" · {result.cadence} step {result.step}" if result.cadence and result.step else ""
    print(f"status: {result.status}{where}")
    if result.needs_disposition:
        print(f"needs a disposition: {PROG} disposition {person.id} callback|booked|not-interested|continue")
    if result.next_due_at is not None:
        print(f"next due: {_in_both_zones(result.next_due_at, zone, person.timezone)}")


def _with_next_due(data: dict[str, Any], next_due: datetime | None, zone: str, their_zone: str) -> dict[str, Any]:
    """The next due time in the rep's zone and in the prospect's, as the JSON of log and snooze give it."""
    data["next_due_at"] = iso_in(next_due, zone)
    data["next_due_at_local"] = iso_in(next_due, their_zone)
    return data


def _in_both_zones(instant: datetime | None, zone: str, their_zone: str) -> str:
    """'Tue ... 14:00 EST (you) · Tue ... 13:00 CST (America/Chicago)'."""
    return f"{human_in(instant, zone)} (you) · {human_in(instant, their_zone)} ({their_zone})"


# --------------------------------------------------------------------------- snooze, note


def cmd_snooze(args: argparse.Namespace) -> int:
    with database(args) as db:
        zone, now = rep_now(args, db)
        until = parse_later("UNTIL", args.until, now, zone)
        if until <= now:
            raise InvalidInput(f"UNTIL {args.until!r} is not after now ({human_in(now, zone)})")
        enrollment = services.snooze(db, args.prospect_id, until, now)
        person = services.prospect(db, args.prospect_id)
    if args.json:
        print_json(_with_next_due(plain(enrollment), enrollment.next_due_at, zone, person.timezone))
        return 0
    print(
        f"{person.name} (#{person.id}) snoozed until "
        f"{_in_both_zones(enrollment.next_due_at, zone, person.timezone)}"
    )
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    if not args.text.strip():
        raise UsageError("TEXT is empty")
    with database(args) as db:
        _zone, now = rep_now(args, db)
        services.add_note(db, args.prospect_id, args.text, now)
        person = services.prospect(db, args.prospect_id)
    print(f"note added to {person.name} (#{person.id})")
    return 0
