"""The data sets: a CRM export (CSV) for the import benchmark, and ready databases for the rest.

Both come from one deterministic stream of people (``people``), so the same seed gives the
same data. The CSV goes through dialdeck's importer in the benchmark itself. The databases
for the queue, outcome, keypress and start-up benchmarks would take minutes to import at a
million rows, so ``build_db`` writes the rows directly into the schema ``open_store`` creates,
with what an import and a few weeks of calling would have left: enrollments in all five
cadences at every step and status, due times spread from last week to next fortnight, pinned
promises, and a history of attempts (with the undo state each one keeps). Files are cached in
``bench/out`` under a name carrying the size and ``VERSION``; bump it when the shape changes.

    python bench/generate.py 100k            # both files for 100,000 people
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from common import NOW, SEED, out_dir, parse_size, size_label
from phonebook import NumberSource, Template, build_templates, written

from dialdeck import services, store
from dialdeck.hours import hours_key

VERSION = 1
REP_ZONE = "America/New_York"  # the default profile's zone: the fallback for unknown zones
IMPORTED_AT = NOW - timedelta(days=21)

FIRST = ("Megan Carlos Priya Daniel Ana Lukas Sofia Kenji Amara Oliver Chloe Mateo Aisha Liam Noor "
         "Hannah Rafael Ingrid Tomasz Emma Javier Yuki Zanele Omar Grace Pierre Freya Ravi Lucia Ethan").split()
LAST = ("Holloway Mendoza Raman Okafor Souza Becker Rossi Tanaka Nwosu Smith Martin Garcia Khan Murphy "
        "Haddad Schmidt Costa Lindqvist Kowalski Dubois Lopez Sato Dlamini Farouk Chen Moreau Berg Iyer "
        "Romano Walker").split()
WORDS = ("North Bright Keystone Sun Blue Granite Harbor Summit Cedar Atlas Pioneer Silver Maple Orbit "
         "Vertex Iron Lumen Prairie Coastal Evergreen").split()
KINDS = ("Dental Group|Solar|Analytics|Logistics|Roofing|Fitness|Legal|Bakery|Clinics|Software|Realty|"
         "Freight|Studios|Foods|Engineering|Insurance|Motors|Labs|Partners|Outfitters").split("|")
CADENCE_WEIGHTS = {"zero-to-ten": 35, "money-in-follow-up": 20, "follow-up-series": 15,
                   "voicemail-challenge": 15, "three-step": 15}
# Where a zone-less number's CRM row most likely says the prospect is.
USUAL_ZONE = {"GB": "Europe/London", "IE": "Europe/Dublin", "IT": "Europe/Rome", "ES": "Europe/Madrid",
              "AU": "Australia/Sydney", "NZ": "Pacific/Auckland", "US": "America/Chicago",
              "CA": "America/Toronto", "MX": "America/Mexico_City", "BR": "America/Sao_Paulo"}
CSV_HEADER = ("First Name", "Last Name", "Company Name", "Phone Number", "E-mail", "Time Zone",
              "Lead Temperature", "Deal Value", "Cadence", "Referred By", "Referrer Company",
              "Appointment Time", "Notes")


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    company: str
    template: Template
    national: str
    phone_raw: str
    email: str
    file_zone: str  # '' when the CRM row leaves the zone blank
    temperature_text: str  # as the CRM writes it: Warm, Hot, Cold or blank
    value: float | None
    cadence: str
    referrer: str
    referrer_company: str
    appointment_local: str  # 'YYYY-MM-DD HH:MM' in the prospect's zone, or ''
    notes: str

    @property
    def e164(self) -> str:
        return f"+{self.template.cc}{self.national}"

    @property
    def zone(self) -> tuple[str, str]:
        """The zone an import settles on, and how it was found."""
        if self.file_zone:
            return self.file_zone, "file"
        if self.template.zone:
            return self.template.zone, "number"
        return REP_ZONE, "rep"

    @property
    def warm(self) -> bool:
        return self.temperature_text in ("Warm", "Hot")


def people(count: int, seed: int = SEED) -> Iterator[Person]:
    """``count`` distinct, realistic CRM rows; the same seed gives the same people."""
    rng = random.Random(seed)
    numbers = NumberSource(build_templates(seed), rng)
    cadences, weights = list(CADENCE_WEIGHTS), list(CADENCE_WEIGHTS.values())
    for index in range(count):
        template, national = numbers.take()
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"{rng.choice(WORDS)} {rng.choice(KINDS)}"
        cadence = rng.choices(cadences, weights)[0]
        referral = cadence == "voicemail-challenge" or rng.random() < 0.05
        referrer = f"{rng.choice(FIRST)} {rng.choice(LAST)}" if referral else ""
        yield Person(
            first=first, last=last, company=company, template=template, national=national,
            phone_raw=written(template, national, index),
            email=f"{first}.{last}.{index}@{company.split()[0].lower()}{index % 97}.example",
            file_zone=_file_zone(template, rng),
            temperature_text=rng.choices(("Warm", "Hot", "Cold", ""), (30, 5, 45, 20))[0],
            value=None if rng.random() < 0.15 else float(rng.choice((500, 800, 1500, 4000, 9000, 18500, 42000))),
            cadence=cadence,
            referrer=referrer,
            referrer_company=f"{rng.choice(WORDS)} {rng.choice(KINDS)}" if referral else "",
            appointment_local=_appointment(cadence, rng),
            notes="Asked for pricing" if rng.random() < 0.1 else "",
        )


def _file_zone(template: Template, rng: random.Random) -> str:
    if template.zone is None:
        usual = USUAL_ZONE.get(template.region)
        return usual if usual and rng.random() < 0.8 else ""
    return template.zone if rng.random() < 0.2 else ""


def _appointment(cadence: str, rng: random.Random) -> str:
    """The agreed call time the two appointment cadences start from: around the benchmark's day."""
    if cadence not in ("three-step", "follow-up-series"):
        return ""
    day = NOW.date() + timedelta(days=rng.randint(-3, 3))
    return f"{day.isoformat()} {rng.choice((9, 10, 11, 14, 15, 16)):02d}:{rng.choice((0, 30)):02d}"


# --- the CSV ----------------------------------------------------------------------------------

def write_csv(path: Path, count: int, seed: int = SEED) -> Path:
    """The CRM export of ``count`` people (written to a temporary name, then moved in place)."""
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        writer.writerows(_csv_row(p) for p in people(count, seed))
    os.replace(partial, path)
    return path


def _csv_row(p: Person) -> tuple:
    value = "" if p.value is None else f"${p.value:,.0f}"
    return (p.first, p.last, p.company, p.phone_raw, p.email, p.file_zone, p.temperature_text, value,
            p.cadence, p.referrer, p.referrer_company, p.appointment_local, p.notes)


def csv_path(count: int) -> Path:
    """The cached CRM export of ``count`` people, generated on first use."""
    path = out_dir() / f"crm-{size_label(count)}-v{VERSION}.csv"
    if not path.exists():
        write_csv(path, count)
    return path


# --- the database -----------------------------------------------------------------------------

ENROLLMENT_FIELDS = (
    "id", "prospect_id", "cadence", "step_index", "status", "next_due_at", "pinned", "retries",
    "hours_key", "temp_rank", "value", "created_at", "updated_at",
)
PROSPECT_FIELDS = (
    "id", "first_name", "last_name", "company", "phone_e164", "phone_raw", "email", "timezone", "tz_source",
    "region", "subdivision", "temperature", "value", "referrer", "referrer_company", "appointment_at", "notes",
    "created_at", "updated_at",
)
ATTEMPT_FIELDS = (
    "id", "prospect_id", "enrollment_id", "cadence", "step", "action", "outcome", "disposition", "at", "note",
    "session_id", "prev_state", "spawned_enrollment_id", "dnc_added",
)

STATUS_WEIGHTS = {"active": 62, "finished": 18, "not-interested": 8, "booked": 4, "wrong-number": 3,
                  "dnc": 1, "connected": 0.3}
SESSIONS = 60  # three a working day over the weeks since the import
MAX_HISTORY = 3  # attempts kept per prospect: the newest steps worked


def _insert(table: str, fields: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({','.join('?' * len(fields))})"


def db_path(count: int) -> Path:
    """The cached database of ``count`` prospects, built on first use."""
    path = out_dir() / f"dialdeck-{size_label(count)}-v{VERSION}.db"
    if not path.exists():
        build_db(path, count)
    # A cache built by an older dialdeck is migrated once, here: otherwise every fresh copy
    # would migrate again inside the timed start-up and measure the migration instead.
    store.open_store(path).close()
    return path


def build_db(path: Path, count: int, seed: int = SEED) -> Path:
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    _create_schema(partial)
    conn = sqlite3.connect(partial, isolation_level=None)
    try:
        _fill(conn, count, seed)
    finally:
        conn.close()
    os.replace(partial, path)
    return path


def _create_schema(path: Path) -> None:
    """The schema exactly as dialdeck creates it, and a rep profile (so scripts have a name)."""
    db = store.open_store(path)
    try:
        for key, value in (("rep.name", "Jordan Reyes"), ("rep.company", "Brightline Analytics"),
                           ("rep.phone", "+1 212 555 0142")):
            services.set_setting(db, key, value)
    finally:
        db.close()


def _fill(conn: sqlite3.Connection, count: int, seed: int) -> None:
    # A fresh file nobody else reads: no journal while loading, indexes built once at the end
    # (sorted builds beat a million random inserts), then back to WAL as dialdeck expects.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('prospects', 'enrollments', 'attempts')").fetchall()
    conn.execute("BEGIN")
    for name, _sql in indexes:
        conn.execute(f"DROP INDEX {name}")
    _insert_sessions(conn)
    builder = _RowBuilder(services.library(), random.Random(seed + 1))
    batch: list[Person] = []
    for person in people(count, seed):
        batch.append(person)
        if len(batch) == 20_000:
            builder.write(conn, batch)
            batch = []
    builder.write(conn, batch)
    conn.executemany("INSERT OR IGNORE INTO hours_keys(key) VALUES (?)", [[k] for k in sorted(builder.keys)])
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")


def _insert_sessions(conn: sqlite3.Connection) -> None:
    start = IMPORTED_AT + timedelta(days=1)
    rows = [(i + 1, _iso(start + timedelta(days=i // 3, hours=14 + 3 * (i % 3))),
             _iso(start + timedelta(days=i // 3, hours=15 + 3 * (i % 3))), "Jordan Reyes") for i in range(SESSIONS)]
    conn.executemany("INSERT INTO sessions(id, started_at, ended_at, rep) VALUES (?, ?, ?, ?)", rows)


def _iso(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).replace(microsecond=0).isoformat()


# The attempt columns the generator fills, in its tuples' order (later columns stay NULL).
_TODAY_START = datetime.combine(NOW.astimezone(ZoneInfo(REP_ZONE)).date(), datetime.min.time(),
                                tzinfo=ZoneInfo(REP_ZONE)).astimezone(timezone.utc)
_STAMP = _iso(IMPORTED_AT)
_OUTCOME_FOR = {"call": ("voicemail", "voicemail", "no-answer", "busy"), "email": ("sent",),
                "social": ("done",), "task": ("done",)}
_LAST_OUTCOME = {"wrong-number": ("wrong-number", None), "dnc": ("do-not-call", None),
                 "booked": ("connected", "booked"), "not-interested": ("connected", "not-interested"),
                 "connected": ("connected", None)}


class _RowBuilder:
    """Turns people into prospect, enrollment and attempt rows as weeks of calling left them."""

    def __init__(self, library: dict, rng: random.Random) -> None:
        self.library = library
        self.rng = rng
        self.keys: set[str] = set()
        self.next_id = 1
        self.next_attempt = 1
        self._statuses, self._status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())

    def write(self, conn: sqlite3.Connection, batch: list[Person]) -> None:
        """Write a batch of people with their enrollments and histories straight into the schema."""
        prospects, enrollments, attempts, dnc = [], [], [], []
        for person in batch:
            pid = self.next_id
            self.next_id += 1
            zone, source = person.zone
            key = hours_key(person.template.region or None, person.template.subdivision, zone)
            self.keys.add(key)
            prospects.append(self._prospect(pid, person, zone, source))
            enrollment = self._enrollment(pid, person, key)
            enrollments.append(tuple(enrollment[f] for f in ENROLLMENT_FIELDS))
            attempts.extend(self._history(pid, enrollment))
            if enrollment["status"] == "dnc":
                dnc.append((person.e164, enrollment["updated_at"], "do-not-call outcome"))
        # Named columns: later migrations add columns (their defaults here) without breaking the generator.
        conn.executemany(_insert("prospects", PROSPECT_FIELDS), prospects)
        conn.executemany(_insert("enrollments", ENROLLMENT_FIELDS), enrollments)
        conn.executemany(_insert("attempts", ATTEMPT_FIELDS), attempts)
        conn.executemany("INSERT OR IGNORE INTO dnc VALUES (?, ?, ?)", dnc)

    def _prospect(self, pid: int, p: Person, zone: str, source: str) -> tuple:
        appointment = None
        if p.appointment_local:
            local = datetime.fromisoformat(p.appointment_local).replace(tzinfo=ZoneInfo(zone))
            appointment = _iso(local)
        return (pid, p.first, p.last, p.company, p.e164, p.phone_raw, p.email.lower(), zone, source,
                p.template.region, p.template.subdivision, "warm" if p.warm else "cold", p.value, p.referrer,
                p.referrer_company, appointment, p.notes, _STAMP, _STAMP)

    def _enrollment(self, pid: int, p: Person, key: str) -> dict:
        rng = self.rng
        steps = self.library[p.cadence].steps
        status = rng.choices(self._statuses, self._status_weights)[0]
        step_index = rng.randrange(len(steps))
        next_due, pinned = None, 0
        if status == "active":
            pinned = int(steps[step_index].timing.pinned and rng.random() < 0.5)
            next_due = self._promise_at() if pinned else self._due_at()
        updated = _iso(NOW - timedelta(minutes=rng.randrange(60, 14 * 24 * 60)))
        return {"id": pid, "prospect_id": pid, "cadence": p.cadence, "step_index": step_index, "status": status,
                "next_due_at": next_due, "pinned": pinned, "retries": 0, "hours_key": key,
                "temp_rank": 0 if p.warm else 1, "value": p.value, "created_at": _STAMP, "updated_at": updated}

    def _due_at(self) -> str:
        """Overdue since last week, due earlier today, or coming up over the next fortnight."""
        roll = self.rng.random()
        if roll < 0.10:
            return _iso(_TODAY_START - timedelta(minutes=self.rng.randrange(1, 8 * 24 * 60)))
        if roll < 0.22:
            return _iso(_TODAY_START + (NOW - _TODAY_START) * self.rng.random())
        return _iso(NOW + timedelta(minutes=self.rng.randrange(1, 14 * 24 * 60)))

    def _promise_at(self) -> str:
        """A promised time: a few come up during today, the rest later this week."""
        if self.rng.random() < 0.15:
            return _iso(NOW - timedelta(minutes=self.rng.randrange(0, 240)))
        return _iso(NOW + timedelta(minutes=self.rng.randrange(15, 6 * 24 * 60)))

    def _history(self, pid: int, enrollment: dict) -> list[tuple]:
        """Attempts on the steps before the current one (the newest few), oldest first."""
        steps = self.library[enrollment["cadence"]].steps
        index = enrollment["step_index"]
        worked = list(range(max(0, index - MAX_HISTORY), index))
        final = _LAST_OUTCOME.get(enrollment["status"])
        if final is not None:
            worked = worked[-(MAX_HISTORY - 1):] + [index] if MAX_HISTORY > 1 else [index]
        rows = []
        at = NOW - timedelta(days=20)
        for position, step_index in enumerate(worked):
            at += timedelta(hours=self.rng.randrange(20, 100))
            action = steps[step_index].action
            last = position == len(worked) - 1 and final is not None
            outcome, disposition = final if last else (self.rng.choice(_OUTCOME_FOR[action]), None)
            before = dict(enrollment, step_index=step_index, status="active", next_due_at=_iso(at), pinned=0)
            rows.append((self.next_attempt, pid, pid, enrollment["cadence"], step_index + 1, action, outcome,
                         disposition, _iso(min(at, NOW - timedelta(minutes=5))), "",
                         1 + (self.next_attempt % SESSIONS), json.dumps(before, sort_keys=True), None,
                         int(outcome == "do-not-call")))
            self.next_attempt += 1
        return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", help="how many people: 10k, 100k, 1m")
    args = parser.parse_args(argv)
    count = parse_size(args.size)
    print(csv_path(count))
    print(db_path(count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
