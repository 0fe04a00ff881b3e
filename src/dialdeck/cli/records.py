"""The commands that read back what was done: history, report, export and the do-not-call list."""

from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import datetime
from typing import Any

from dialdeck import phones, services
from dialdeck.csv_guard import guarded_writer

from .database import database, rep_zone
from .output import human_in, iso_in, json_text, plain, print_json, table, write_data
from .times import rep_now

# --------------------------------------------------------------------------- history


def cmd_history(args: argparse.Namespace) -> int:
    with database(args) as db:
        zone = rep_zone(db)
        person, enrollment, attempts = services.history(db, args.prospect_id)
        numbers = services.numbers(db, args.prospect_id)
    if args.json:
        print_json(_history_json(person, enrollment, attempts, numbers))
        return 0
    print(f"{person.name} (#{person.id}) · {person.company} · {_numbers_line(numbers)} · {person.timezone}")
    if enrollment is None:
        print("not enrolled in a cadence")
    else:
        print(
            f"{enrollment.cadence} step {enrollment.step}/{enrollment.steps_total} · {enrollment.status}"
            f"{' · promised time' if enrollment.pinned else ''} · next due {human_in(enrollment.next_due_at, zone)}"
        )
    if not attempts:
        print("no attempts yet")
        return 0
    rows = [
        [human_in(a.at, zone), f"{a.cadence} {a.step}", a.action, _outcome(a), _number_shown(a.number), a.note]
        for a in attempts
    ]
    print(table(["WHEN", "STEP", "ACTION", "OUTCOME", "NUMBER", "NOTE"], rows))
    return 0


def _outcome(attempt) -> str:
    """'busy (forced)' for a call logged with --force against the guard (the JSON has the reason)."""
    return f"{attempt.outcome} (forced)" if attempt.forced_reason else attempt.outcome


def _numbers_line(numbers) -> str:
    """'+1 404-555-0111 ext. 12', or with several: '+1 404-555-0111 (work), +1 404-555-0188 (mobile)'."""
    shown = []
    for number in numbers:
        notes = [number.label] if len(numbers) > 1 else []
        notes += ["do not call"] if number.dnc else []
        text = phones.format_with_extension(number.e164, number.extension)
        shown.append(f"{text} ({', '.join(notes)})" if notes else text)
    return ", ".join(shown)


def _number_shown(number: str | None) -> str:
    return phones.format_with_extension(*phones.split_number(number)) if number else "-"


def _history_json(person, enrollment, attempts, numbers=()) -> dict[str, Any]:
    """Steps numbered from 1, as ``due`` and ``log`` print them (step_index stays for scripts)."""
    data = plain({"prospect": person, "enrollment": enrollment, "attempts": attempts, "numbers": numbers})
    if enrollment is not None:
        data["enrollment"]["step"] = enrollment.step
    return data


# --------------------------------------------------------------------------- report


def cmd_report(args: argparse.Namespace) -> int:
    with database(args) as db:
        _zone, now = rep_now(args, db)
        activity = services.report(db, now, days=args.days)
    if args.json:
        print_json(_report_json(activity))
        return 0
    print(_report_text(activity))
    return 0


def _report_json(activity) -> dict[str, Any]:
    """Times in the rep's zone with their offset, like every other JSON time a rep reads."""
    data = plain(activity)
    zone = activity.timezone
    data["since"], data["until"] = iso_in(activity.since, zone), iso_in(activity.until, zone)
    data["connect_rate"] = round(activity.connect_rate, 4)
    for shown, session in zip(data["sessions"], activity.sessions):
        shown["started_at"] = iso_in(session.started_at, zone)
        shown["ended_at"] = iso_in(session.ended_at, zone)
        shown["dials_per_hour"] = round(session.dials_per_hour, 1)
    return data


def _report_text(activity) -> str:
    zone = activity.timezone
    span = "today" if activity.days == 1 else f"the last {activity.days} days"
    lines = [
        f"activity {span}: {human_in(activity.since, zone)} to {human_in(activity.until, zone)}",
        f"dials {activity.dials} · voicemails {activity.voicemails} · connects {activity.connects} "
        f"({activity.connect_rate:.0%} of dials)",
        f"meetings booked {activity.meetings_booked} · not interested {activity.not_interested} · "
        f"do-not-call {activity.do_not_call}",
        f"emails sent {activity.emails_sent} · tasks done {activity.tasks_done}",
    ]
    if activity.by_cadence:
        rows = [[c.cadence, str(c.dials), str(c.voicemails), str(c.connects), str(c.meetings_booked),
                 str(c.emails_sent), str(c.tasks_done)] for c in activity.by_cadence]
        lines += ["", table(["CADENCE", "DIALS", "VOICEMAILS", "CONNECTS", "BOOKED", "EMAILS", "TASKS"], rows)]
    if activity.sessions:
        rows = [[f"#{s.session_id}", human_in(s.started_at, zone),
                 human_in(s.ended_at, zone) if s.ended_at else "not closed", str(s.dials),
                 f"{s.dials_per_hour:.1f}"] for s in activity.sessions]
        lines += ["", table(["SESSION", "STARTED", "ENDED", "DIALS", "DIALS/HOUR"], rows)]
    lines += ["", f"due now {activity.due_now} · later today {activity.later_today} · overdue {activity.overdue}"]
    return "\n".join(lines)


# --------------------------------------------------------------------------- export


def cmd_export(args: argparse.Namespace) -> int:
    with database(args) as db:
        rows = services.export_rows(db)
    text = json_text(rows) + "\n" if args.format == "json" else _csv_text(rows)
    if args.output is None:
        write_data(text)
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
    writer = guarded_writer(buffer, lineterminator="\n")  # no cell a spreadsheet would run
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_csv_cell(row.get(key)) for key in fields])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    shown = plain(value)
    if isinstance(shown, (list, dict)):
        return json.dumps(shown, ensure_ascii=False)  # compact: one cell, one line
    return "" if shown is None else shown


# --------------------------------------------------------------------------- do-not-call


def cmd_dnc_add(args: argparse.Namespace) -> int:
    with database(args, create=True) as db:
        _zone, now = rep_now(args, db)
        number = services.dnc_add(db, args.number, now, reason=args.reason)
    print(f"{number} is on the do-not-call list")
    return 0


def cmd_dnc_remove(args: argparse.Namespace) -> int:
    with database(args) as db:
        number = services.dnc_remove(db, args.number)
    print(f"{number} removed from the do-not-call list")
    return 0


def cmd_dnc_list(args: argparse.Namespace) -> int:
    with database(args) as db:
        zone = rep_zone(db)
        entries = services.dnc_list(db)
    if args.json:
        print_json(entries)
        return 0
    if not entries:
        print("the do-not-call list is empty")
        return 0
    rows = [[str(e.get("phone") or e.get("e164") or ""), _dnc_added(e.get("added_at"), zone), str(e.get("reason") or "")]
            for e in entries]
    print(table(["NUMBER", "ADDED", "REASON"], rows))
    return 0


def _dnc_added(value: Any, zone: str) -> str:
    if isinstance(value, datetime):
        return human_in(value, zone)
    if isinstance(value, str) and value:
        try:
            return human_in(datetime.fromisoformat(value), zone)
        except ValueError:
            return value
    return "-"
