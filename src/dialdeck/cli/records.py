"""The commands that read back what was done: history, report, export and the do-not-call list."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from dialdeck import phones, services
from dialdeck.csv_guard import guarded_writer
from dialdeck.safe_write import replacing

from .database import database, rep_of, rep_zone
from .output import data_stream, human_in, iso_in, json_array_text, plain, print_json, table
from .times import rep_now

# --------------------------------------------------------------------------- history


def cmd_history(args: argparse.Namespace) -> int:
    with database(args, readonly=True) as db:
        zone = rep_zone(db, rep_of(args, db, team=True))
        person, enrollment, attempts = services.history(db, args.prospect_id)
        numbers = services.numbers(db, args.prospect_id)
        notes = services.notes(db, args.prospect_id)
        team = {rep.id: rep.name for rep in services.reps(db)}
    if args.json:
        print_json(_history_json(person, enrollment, attempts, numbers, notes, team))
        return 0
    # A team sees whose prospect it is and who made each attempt; one rep sees what they always did.
    owner = f" · {_owner_shown(person.owner_rep_id, team)}" if len(team) > 1 else ""
    print(f"{person.name} (#{person.id}) · {person.company} · {_numbers_line(numbers)} · {person.timezone}{owner}")
    if enrollment is None:
        print("not enrolled in a cadence")
    else:
        print(
            f"{enrollment.cadence} step {enrollment.step}/{enrollment.steps_total} · {enrollment.status}"
            f"{' · promised time' if enrollment.pinned else ''} · next due {human_in(enrollment.next_due_at, zone)}"
        )
    if not attempts:
        print("no attempts yet")
    else:
        rows = [
            [human_in(a.at, zone), f"{a.cadence} {a.step}", a.action, _outcome(a), _number_shown(a.number), a.note]
            for a in attempts
        ]
        headers = ["WHEN", "STEP", "ACTION", "OUTCOME", "NUMBER", "NOTE"]
        if len(team) > 1:
            headers.insert(1, "REP")
            for row, attempt in zip(rows, attempts, strict=True):
                row.insert(1, attempt.rep or "-")
        print(table(headers, rows))
    print()
    print(_notes_text(notes, zone))
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


def _notes_text(notes, zone: str) -> str:
    """Every note, newest first: when it was typed (or imported), where from, and the text."""
    if not notes:
        return "no notes"
    rows = [[human_in(n.at, zone), "CRM import" if n.source == "crm" else "you", _one_line(n.text)] for n in notes]
    return f"notes ({len(notes)}), newest first\n" + table(["WHEN", "FROM", "NOTE"], rows)


def _one_line(text: str) -> str:
    """A note written over several lines, on one table row."""
    return " / ".join(part.strip() for part in text.splitlines() if part.strip())


def _owner_shown(owner_rep_id: int | None, team: dict[int, str]) -> str:
    return f"owner {team.get(owner_rep_id, '?')}" if owner_rep_id is not None else "shared pool"


def _history_json(person, enrollment, attempts, numbers, notes, team: dict[int, str]) -> dict[str, Any]:
    """Steps numbered from 1, as ``due`` and ``log`` print them (step_index stays for scripts)."""
    data = plain({"prospect": person, "enrollment": enrollment, "attempts": attempts, "numbers": numbers,
                  "notes": notes})
    data["prospect"]["owner"] = team.get(person.owner_rep_id) if person.owner_rep_id is not None else None
    if enrollment is not None:
        data["enrollment"]["step"] = enrollment.step
    return data


# --------------------------------------------------------------------------- report


def cmd_report(args: argparse.Namespace) -> int:
    with database(args, readonly=True) as db:
        _zone, now = rep_now(args, db, team=True)
        activity = services.report(db, now, days=args.days, rep=rep_of(args, db, team=True))
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
    for shown, session in zip(data["sessions"], activity.sessions, strict=True):
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
    if len(activity.by_rep) > 1:
        lines += ["", _by_rep_table(activity)]
    if activity.sessions:
        rows = [[f"#{s.session_id}", human_in(s.started_at, zone),
                 human_in(s.ended_at, zone) if s.ended_at else "not closed", str(s.dials),
                 f"{s.dials_per_hour:.1f}"] for s in activity.sessions]
        lines += ["", table(["SESSION", "STARTED", "ENDED", "DIALS", "DIALS/HOUR"], rows)]
    lines += ["", f"due now {activity.due_now} · later today {activity.later_today} · overdue {activity.overdue}"]
    return "\n".join(lines)


def _by_rep_table(activity) -> str:
    """Each rep's share, then the team's total (talk time only where attempts record it)."""
    talk = any(share.talk_seconds is not None for share in activity.by_rep)
    headers = ["REP", "DIALS", "VOICEMAILS", "CONNECTS", *(["TALK"] if talk else []), "MEETINGS"]
    shares = [(s.rep, s.dials, s.voicemails, s.connects, s.talk_seconds, s.meetings_booked) for s in activity.by_rep]
    total_talk = sum(s.talk_seconds or 0 for s in activity.by_rep)
    shares.append(("TEAM", activity.dials, activity.voicemails, activity.connects, total_talk,
                   activity.meetings_booked))
    rows = [[name, str(dials), str(vms), str(connects), *([_talk(seconds or 0)] if talk else []), str(meetings)]
            for name, dials, vms, connects, seconds, meetings in shares]
    return table(headers, rows)


def _talk(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


# --------------------------------------------------------------------------- export


def cmd_export(args: argparse.Namespace) -> int:
    """Every prospect, streamed: each is written as it is read, so memory stays flat however
    many there are. A file is replaced whole once the export is done (``safe_write``): an
    export that fails halfway leaves the file as it was, never half of it."""
    with database(args, readonly=True) as db:
        rows = services.iter_export_rows(db)
        if args.output is None:
            _write_export(rows, args.format, data_stream())
            return 0
        with replacing(args.output) as handle:
            count = _write_export(rows, args.format, handle)
    print(f"exported {count} prospects to {args.output}", file=sys.stderr)
    return 0


def _write_export(rows: Iterator[dict], form: str, out: TextIO) -> int:
    """Write ``rows`` to ``out`` as JSON or CSV, one at a time; how many were written."""
    counted = _Counted(rows)
    for text in (json_array_text(counted) if form == "json" else _csv_text(counted)):
        out.write(text)
    return counted.count


class _Counted:
    """The rows, counted as they go by."""

    def __init__(self, rows: Iterator[dict]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[dict]:
        for row in self.rows:
            self.count += 1
            yield row


def _csv_text(rows: Iterable[dict]) -> Iterator[str]:
    """One row per prospect; nested values (the attempts) as JSON inside their cell. The header
    is the first row's keys: every row of an export has the same."""
    buffer = io.StringIO()
    writer = guarded_writer(buffer, lineterminator="\n")  # no cell a spreadsheet would run
    fields: list[str] = []
    for row in rows:
        if not fields:
            fields = list(row)
            writer.writerow(fields)
        writer.writerow([_csv_cell(row.get(key)) for key in fields])
        yield _taken(buffer)
    if not fields:
        writer.writerow(fields)
    yield _taken(buffer)


def _taken(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _csv_cell(value: Any) -> Any:
    shown = plain(value)
    if isinstance(shown, (list, dict)):
        return json.dumps(shown, ensure_ascii=False)  # compact: one cell, one line
    return "" if shown is None else shown


# --------------------------------------------------------------------------- do-not-call


def cmd_dnc_add(args: argparse.Namespace) -> int:
    with database(args, create=True) as db:
        _zone, now = rep_now(args, db, team=True)
        number = services.dnc_add(db, args.number, now, reason=args.reason, rep=rep_of(args, db, team=True))
    print(f"{number} is on the do-not-call list")
    return 0


def cmd_dnc_remove(args: argparse.Namespace) -> int:
    with database(args) as db:
        number = services.dnc_remove(db, args.number, rep=rep_of(args, db, team=True))
    print(f"{number} removed from the do-not-call list")
    return 0


def cmd_dnc_list(args: argparse.Namespace) -> int:
    with database(args, readonly=True) as db:
        zone = rep_zone(db, rep_of(args, db, team=True))
        entries = services.dnc_list(db)
    if args.json:
        print_json(entries)
        return 0
    if not entries:
        print("the do-not-call list is empty")
        return 0
    rows = [[e["e164"], human_in(e["added_at"], zone), e["reason"]] for e in entries]
    print(table(["NUMBER", "ADDED", "REASON"], rows))
    return 0
