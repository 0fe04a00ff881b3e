"""Walking a cadence through the services, as a rep would, to see what every script says.

A ``Simulator`` owns a throwaway database. Each ``walk`` imports one prospect for a
``Situation`` (when the lead arrives, warm or cold, a first name, last name and company or
not, referrer, appointment, email, benefit, urgent) and works the cadence step by step along
an outcome path (``PATHS``: messages left, no answers, busy lines, calls made hours or days
late, snoozed calls, a conversation with a callback, a reply that picks an offered time),
through the same services the CLI and the session use: the call card's script is read at the
moment the rep acts, the outcome is logged, and the store's next instant is read back.
``truth.check_walk`` then holds every script against what the walk did.

Used by the test suite over the built-in cadences, and by ``dialdeck cadences check --simulate``
for a rep's own cadence files.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dialdeck import phones, services, truth
from dialdeck.cadence import render_benefit
from dialdeck.clock import UTC
from dialdeck.hours import CallingWindow, next_callable
from dialdeck.models import UNSET_PHONE_SPOKEN, Enrollment, Script
from dialdeck.phrases import dated_clock, day_clock

# What the rep does at each call, by path.
PATHS = {
    "voicemail": "every call rings out and the rep leaves the message, on time",
    "no-answer": "nobody answers and no message is left",
    "busy": "the first call is busy, then messages are left",
    "mixed": "no answer, a message, a busy line, in turn",
    "late-hours": "messages left, every step worked five hours late",
    "late-days": "messages left, every step worked two days late",
    "callback": "the first call connects and they ask for a callback the next day at 11 a.m.",
    "callback-late": "as callback, but the rep calls back three hours late",
    "continue": "the first call connects and the rep carries on the cadence",
    "picked": "messages left; when an email offers times, they reply picking the second",
    "snoozed": "every call is snoozed two hours (to their next calling time if that is later), then the message left",
}
SNOOZE = timedelta(hours=2)
REP = {
    "rep.name": "Jordan Reyes",
    "rep.company": "Brightline Analytics",
    "rep.phone": "+1 212 555 0142",
    "rep.timezone": "America/New_York",
}
# Valid fictional numbers per zone (555-01xx in the US, Ofcom's drama range in London); the
# area codes are in states without calling-hour rules of their own.
_NUMBERS = {
    "America/New_York": [f"+1 {code} 555 01{n:02d}" for code in ("212", "646", "718", "347", "917", "929", "332",
                                                                 "516", "631", "914") for n in range(100)],
    "America/Los_Angeles": [f"+1 {code} 555 01{n:02d}" for code in ("213", "310", "323", "415", "424", "510",
                                                                    "562", "626", "650", "714") for n in range(100)],
    "Europe/London": [f"+44 20 7946 0{n:03d}" for n in range(1000)],
}
MAX_ACTS = 60  # a walk longer than this is cut (and reported as incomplete)
_HEADER = ["First Name", "Last Name", "Company", "Phone", "Email", "Time Zone", "Temperature", "Value",
           "Cadence", "Referrer", "Referrer Company", "Appointment", "Benefit", "Urgent", "Urgent Reason"]


@dataclass(frozen=True)
class Situation:
    """One prospect and what happens to them."""

    cadence: str
    start: datetime  # when the lead is imported (aware)
    path: str = "voicemail"
    zone: str = "America/New_York"
    temperature: str = "warm"
    value: float = 5000.0
    referrer: str = ""
    referrer_company: str = ""
    appointment: datetime | None = None
    email: bool = True
    benefit: str = ""
    urgent: bool = False
    urgent_reason: str = ""
    # Which of the prospect's own fields the CRM row fills in (a name always has one part).
    first_name: bool = True
    last_name: bool = True
    company: bool = True

    def describe(self) -> str:
        parts = [f"starts {dated_clock(self.start, self.zone)} {self.zone}", self.temperature]
        parts += [f"no {label}" for label, known in (("first name", self.first_name), ("last name", self.last_name),
                                                     ("company", self.company)) if not known]
        if self.referrer:
            parts.append(f"referred by {self.referrer}" + (f" ({self.referrer_company})" if self.referrer_company else ""))
        if self.appointment is not None:
            parts.append(f"appointment {day_clock(self.appointment, self.zone)}")
        parts.append("email" if self.email else "no email")
        if self.benefit:
            parts.append("benefit written")
        if self.urgent:
            parts.append("urgent")
        parts.append(f"path {self.path}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Walk:
    situation: Situation
    record: truth.Record
    acts: tuple[truth.Act, ...]
    scripts: tuple[Script | None, ...]  # the script of each act (None for a reply)
    complete: bool  # the cadence ran to its end

    def findings(self) -> list[truth.Finding]:
        return truth.check_walk(self.record, list(self.acts), complete=self.complete)


@dataclass
class _Plan:
    """When the rep acts and what they log, along one path."""

    path: str
    zone: ZoneInfo
    window: CallingWindow
    calls: int = 0
    called_back: bool = False

    def when(self, due: datetime, now: datetime) -> datetime:
        late = {"late-hours": timedelta(hours=5), "late-days": timedelta(days=2)}.get(self.path, timedelta(0))
        if self.path == "callback-late" and self.called_back:
            late, self.called_back = timedelta(hours=3), False
        return max(next_callable(due + late, self.zone, self.window), now)

    def call_outcome(self, script: Script) -> tuple[str, dict]:
        first = self.calls == 0
        self.calls += 1
        if self.path == "no-answer":
            return "no-answer", {}
        if self.path == "busy" and first:
            return "busy", {}
        if self.path in ("callback", "callback-late") and first:
            self.called_back = True
            return "connected", {"disposition": "callback", "callback_by": "prospect"}
        if self.path == "continue" and first:
            return "connected", {"disposition": "continue"}
        if self.path == "mixed":
            choice = ("no-answer", "voicemail", "busy")[(self.calls - 1) % 3]
            if choice != "voicemail":
                return choice, {}
        return ("voicemail" if script.voicemail is not None else "no-answer"), {}


class Simulator:
    """Walks situations on one throwaway database (``folder`` is kept, the caller's to remove)."""

    def __init__(self, folder: Path, *, rep: dict[str, str] | None = None,
                 database: str | Path | None = None) -> None:
        self.folder = Path(folder)
        # A throwaway: no fsync per outcome (the durability of real sessions is tested elsewhere).
        # ``database``: another one than a file in ``folder`` (a PostgreSQL database, new and empty).
        self.db = services.open_store(database or self.folder / "simulate.db", durable=False)
        for key, value in (rep or REP).items():
            services.set_setting(self.db, key, value)
        self._used = {zone: 0 for zone in _NUMBERS}
        self._count = itertools.count(1)

    def close(self) -> None:
        self.db.close()

    def walk(self, situation: Situation) -> Walk:
        pid = self._add(situation)
        zone, window = services.calling_window(self.db, pid)
        plan = _Plan(situation.path, zone, window)
        acts: list[truth.Act] = []
        shown: list[Script | None] = []
        now = situation.start
        complete = False
        enrollment = self._enrollment(pid)
        for _ in range(MAX_ACTS):
            if enrollment is None or enrollment.status != "active":
                complete = True
                break
            now = plan.when(enrollment.next_due_at, now)
            due = enrollment.next_due_at
            card = services.call_card(self.db, pid, now)
            if situation.path == "snoozed" and card.script.action == "call":
                until = next_callable(now + SNOOZE, zone, window)
                services.snooze(self.db, pid, until, now)
                due = now = until
                card = services.call_card(self.db, pid, now)
            act = self._act(pid, card.script, due, card.enrollment, now, plan)
            acts.append(act)
            shown.append(card.script)
            if situation.path == "picked" and act.action == "email" and act.offers:
                now += timedelta(hours=2)
                acts.append(self._pick(pid, now, 2, card.enrollment))
                shown.append(None)
            enrollment = self._enrollment(pid)
        record = self._record(pid, situation, zone, window)
        return Walk(situation, record, tuple(acts), tuple(shown), complete)

    # --- one act -------------------------------------------------------------------------

    def _act(self, pid: int, script: Script, due: datetime, enrollment: Enrollment, now: datetime,
             plan: _Plan) -> truth.Act:
        extra: dict = {}
        if script.action == "call":
            outcome, extra = plan.call_outcome(script)
            if extra.get("disposition") == "callback":
                extra["callback_at"] = self._callback_time(now, plan)
        else:
            outcome = "sent" if script.action == "email" else "done"
        services.log_outcome(self.db, pid, outcome, now, **extra)
        delivered = outcome in ("voicemail", "sent")
        return truth.Act(
            at=now, due_at=due, step=enrollment.step, action=script.action, outcome=outcome, texts=_texts(script),
            delivered=delivered, callback_at=extra.get("callback_at"), next_call_after=self._next_call(pid),
            offers=script.offers if outcome == "sent" else (), cadence=enrollment.cadence,
            appointment_step=services.library()[enrollment.cadence].steps[enrollment.step_index].timing.at_appointment,
        )

    def _pick(self, pid: int, now: datetime, choice: int, enrollment: Enrollment) -> truth.Act:
        offered = services.call_card(self.db, pid, now).script.pickable
        services.pick_offered(self.db, pid, choice, now)
        return truth.Act(at=now, due_at=None, step=enrollment.step, action="reply", outcome="picked",
                         callback_at=offered[choice - 1], next_call_after=self._next_call(pid),
                         cadence=enrollment.cadence)

    @staticmethod
    def _callback_time(now: datetime, plan: _Plan) -> datetime:
        """The next day at 11 a.m. their time, or the first callable time after it."""
        local = now.astimezone(plan.zone)
        wanted = datetime.combine(local.date() + timedelta(days=1), time(11), tzinfo=plan.zone)
        return next_callable(wanted.astimezone(UTC), plan.zone, plan.window)

    def _next_call(self, pid: int) -> datetime | None:
        """The next call as stored: the call step's due time, or a promise carried past an email."""
        enrollment = self._enrollment(pid)
        if enrollment is None or enrollment.status != "active":
            return None
        return enrollment.promised_at or enrollment.next_due_at

    def _enrollment(self, pid: int):
        return services.history(self.db, pid)[1]

    # --- the prospect --------------------------------------------------------------------

    def _add(self, situation: Situation) -> int:
        numbers = _NUMBERS[situation.zone]
        index = self._used[situation.zone]
        if index >= len(numbers):
            raise ValueError(f"the simulator has no more numbers for {situation.zone}; use another Simulator")
        self._used[situation.zone] = index + 1
        serial = next(self._count)
        local = situation.appointment.astimezone(ZoneInfo(situation.zone)) if situation.appointment else None
        row = {
            "First Name": "Ana" if situation.first_name else "",
            "Last Name": f"Walker{serial}" if situation.last_name else "",
            "Company": "Northwind" if situation.company else "",
            "Phone": numbers[index], "Email": f"ana{serial}@northwind.example" if situation.email else "",
            "Time Zone": situation.zone, "Temperature": situation.temperature, "Value": f"{situation.value:g}",
            "Cadence": situation.cadence, "Referrer": situation.referrer,
            "Referrer Company": situation.referrer_company,
            "Appointment": local.strftime("%Y-%m-%d %H:%M") if local else "", "Benefit": situation.benefit,
            "Urgent": "yes" if situation.urgent else "", "Urgent Reason": situation.urgent_reason,
        }
        path = self.folder / f"walk-{serial}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=_HEADER)
            writer.writeheader()
            writer.writerow(row)
        services.import_csv(self.db, path, now=situation.start, cadence=situation.cadence)
        path.unlink()
        return services.prospect_by_phone(self.db, numbers[index]).id

    def _cadence_benefit(self, cadence, person) -> str:
        profile = services.get_profile(self.db)
        fields = {"first_name": person.first_name, "last_name": person.last_name, "company": person.company,
                  "rep_name": profile.name, "rep_company": profile.company,
                  "rep_phone": phones.format_international(profile.phone) if profile.phone else UNSET_PHONE_SPOKEN}
        return render_benefit(cadence.benefit, fields) if cadence.benefit else ""

    def _record(self, pid: int, situation: Situation, zone: ZoneInfo, window: CallingWindow) -> truth.Record:
        person = services.prospect(self.db, pid)
        cadence = services.library()[situation.cadence]
        return truth.Record(
            zone=zone, window=window, temperature=person.temperature, referrer=person.referrer,
            referrer_company=person.referrer_company, appointment_at=person.appointment_at,
            email=bool(person.email), benefit=(person.benefit or self._cadence_benefit(cadence, person)).rstrip(" ."),
            urgent=person.urgent, urgent_reason=person.urgent_reason.rstrip(" ."),
        )


def _texts(script: Script) -> dict[str, str | None]:
    return {"voicemail": script.voicemail, "talk_track": script.talk_track, "subject": script.subject,
            "body": script.body, "instructions": script.instructions, "tip": script.tip}


# --- the situations a cadence is checked in ----------------------------------------------------

# A Monday in autumn 2026; US clocks fall back on Sunday 1 November, so walks cross the change.
WEEK_OF = date(2026, 10, 26)
START_HOURS = (time(9), time(12, 30), time(15, 30), time(17, 45), time(20, 50))
BENEFIT = "clinics like yours cut no-shows by a third in their first quarter"
# Which of first name, last name and company a CRM row fills in: all, or one or two left blank
# (never both names: the importer rejects a row without a name).
IDENTITIES = ((True, True, True), (True, True, False), (False, True, True), (True, False, True), (False, True, False))


def situations(cadence: str, *, days: tuple[int, ...] = tuple(range(7)), hours: tuple[time, ...] = START_HOURS,
               paths: tuple[str, ...] = tuple(PATHS), zone: str = "America/New_York",
               paths_per_start: int | None = None) -> Iterator[Situation]:
    """Starts on each of ``days`` (0 = Monday) at each of ``hours``, along each path (or along
    ``paths_per_start`` of them, taken in turn so that every path meets every hour over the
    week); the other facts (warm or cold, referrer, appointment, email, benefit, urgent, and which
    of first name, last name and company the row has) vary from one situation to the next, so
    every combination of them is met within 320 situations (the full grid has 350)."""
    tz = ZoneInfo(zone)
    facts = list(itertools.product((True, False), repeat=6))  # warm, referrer, appointment, email, benefit, urgent
    grid = len(facts) * len(IDENTITIES)
    serial = 0
    turn = 0
    for day in days:
        for clock in hours:
            start = datetime.combine(WEEK_OF + timedelta(days=day), clock, tzinfo=tz).astimezone(UTC)
            chosen = paths
            if paths_per_start is not None:
                chosen = tuple(paths[(turn + n) % len(paths)] for n in range(paths_per_start))
                turn += paths_per_start + 1  # +1: the next start shifts, so paths meet every hour
            for path in chosen:
                warm, referred, booked, emailed, benefit, urgent = facts[serial % len(facts)]
                first_name, last_name, company = IDENTITIES[serial % grid // len(facts)]
                serial += 7  # coprime with 64 x 5: the grid walks through every combination
                yield Situation(
                    cadence=cadence, start=start, path=path, zone=zone, temperature="warm" if warm else "cold",
                    referrer="Bo Chen" if referred else "", referrer_company="Contoso" if referred and serial % 2 else "",
                    appointment=_appointment(start, tz, serial) if booked else None, email=emailed,
                    benefit=BENEFIT if benefit else "", urgent=urgent,
                    urgent_reason="your reserved start date is only held until Friday" if urgent and serial % 3 else "",
                    first_name=first_name, last_name=last_name, company=company,
                )


def _appointment(start: datetime, zone: ZoneInfo, serial: int) -> datetime:
    """An agreed time around the start: later that day, the next day at 2 p.m., or already past."""
    local = start.astimezone(zone)
    choice = serial % 3
    if choice == 0:
        return (start + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    if choice == 1:
        return datetime.combine(local.date() + timedelta(days=1), time(14), tzinfo=zone).astimezone(UTC)
    return (start - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)


@contextlib.contextmanager
def cadence_folder(files: list[Path]) -> Iterator[Path]:
    """A temporary user-cadence folder holding ``files``, used as the library's while inside.

    The library is read from ``$DIALDECK_CADENCES``; a rep's file is checked beside the built-ins
    (it may continue into one) without touching their own folder.
    """
    previous = os.environ.get("DIALDECK_CADENCES")
    with tempfile.TemporaryDirectory(prefix="dialdeck-simulate-") as folder:
        for file in files:
            (Path(folder) / Path(file).name).write_bytes(Path(file).read_bytes())
        os.environ["DIALDECK_CADENCES"] = folder
        try:
            yield Path(folder)
        finally:
            if previous is None:
                os.environ.pop("DIALDECK_CADENCES", None)
            else:
                os.environ["DIALDECK_CADENCES"] = previous


def simulate(cadence: str, folder: Path, situations_: list[Situation], *,
             databases: Callable[[], str | Path] | None = None) -> list[Walk]:
    """Walk every situation (on as many throwaway databases as the phone numbers need).

    ``databases``: gives each new, empty database to walk on (default: a file in ``folder``)."""
    walks: list[Walk] = []
    per_db = min(len(numbers) for numbers in _NUMBERS.values())
    for offset in range(0, len(situations_), per_db):
        with tempfile.TemporaryDirectory(dir=folder) as part:
            simulator = Simulator(Path(part), database=databases() if databases else None)
            try:
                walks += [simulator.walk(replace(s, cadence=cadence)) for s in situations_[offset:offset + per_db]]
            finally:
                simulator.close()
    return walks


__all__ = ["PATHS", "IDENTITIES", "Situation", "Walk", "Simulator", "situations", "simulate", "cadence_folder",
           "WEEK_OF"]
