"""The use cases: one function each. The CLI and the TUI call only these.

Each function that writes opens exactly one transaction (``store.write_tx``). Every function
that depends on time takes ``now`` (aware UTC). ``db`` is a ``sqlite_utils.Database`` from
``dialdeck.store.open_store``. A SQLite failure surfaces as ``StoreError`` (one line), bad
input as ``InvalidInput`` or ``NotFound``, never as a traceback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from dialdeck import cadence as cadence_mod
from dialdeck import facts as facts_mod
from dialdeck import guard, paths, phones, phrases, schedule, scripts, settings
from dialdeck.clock import UTC, as_utc, from_iso, to_iso
from dialdeck.errors import InvalidInput, NotFound, StoredTimeError
from dialdeck.hours import CallingWindow, hours_key
from dialdeck.models import (
    CALL_OUTCOMES,
    DISPOSITIONS,
    OUTCOMES,
    Attempt,
    CallCard,
    CallVerdict,
    ContactNumber,
    DueItem,
    Enrollment,
    ImportReport,
    Note,
    OutcomeResult,
    Prospect,
    QueueSummary,
    RepProfile,
    Script,
    SessionStats,
)
from dialdeck.store import queries, records, windows, write_tx
from dialdeck.store.db import db_path, store_error
from dialdeck.store.importing import ImportRun

# Earlier calls the guardrails look at (cooldown, calls per local day).
RECENT_CALLS = timedelta(days=8)


# --- shared pieces ----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Loaded:
    cadences: dict[str, cadence_mod.Cadence]
    problems: tuple[str, ...]  # 'file: step N: field: reason', one per problem of a skipped file


@functools.lru_cache(maxsize=4)
def _library_in(builtin_dir: Path, user_dir: Path) -> _Loaded:
    # The built-ins ship with dialdeck and are tested: a problem there is a broken install and
    # fails loudly. A user's broken file only costs that file, so every other command still works.
    builtins = cadence_mod.load_library(builtin_dir, None)
    cadences = dict(builtins)
    problems: list[str] = []
    for cad in _user_cadences(user_dir, problems):
        cadences[cad.name] = cad
    _drop_dangling(cadences, builtins, problems)
    return _Loaded(cadences, tuple(problems))


def _user_cadences(user_dir: Path, problems: list[str]) -> list[cadence_mod.Cadence]:
    """Every valid cadence file of the user's folder; the broken ones' problems go to ``problems``."""
    return list(cadence_mod.load_directory(user_dir, problems).values())


def _drop_dangling(cadences: dict, builtins: dict, problems: list[str]) -> None:
    """Skip user cadences that continue into a cadence the library lacks (perhaps a skipped
    file), until none is left: dropping one can strand another that continued into it."""
    while True:
        dangling = [cad for cad in cadences.values()
                    if cad.continue_with is not None and cad.continue_with not in cadences]
        if not dangling:
            return
        for cad in dangling:
            problems.append(f"{cad.source}: continue_with: no cadence named {cad.continue_with!r} "
                            f"(known: {', '.join(sorted(c for c in cadences if c != cad.name))})")
            del cadences[cad.name]
            if cad.name in builtins:  # the user's copy of a built-in is skipped: the original stands
                cadences[cad.name] = builtins[cad.name]


def library() -> dict:
    """The cadence library (built-ins plus every valid user cadence), loaded once per process.

    A broken user file is skipped, never fatal: ``library_problems`` says what was skipped.
    """
    return _library_in(paths.builtin_cadence_dir(), paths.user_cadence_dir()).cadences


def library_problems() -> list[str]:
    """Why user cadence files were skipped, one 'file: step N: field: reason' each (empty: none)."""
    return list(_library_in(paths.builtin_cadence_dir(), paths.user_cadence_dir()).problems)


@contextlib.contextmanager
def _sqlite_errors(db: Database) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise store_error(exc, _path_of(db)) from None
    except StoredTimeError as exc:
        if exc.where:
            raise
        raise StoredTimeError(exc.text, records.where_is_time_text(db.conn, exc.text)) from None


def _path_of(db: Database) -> str | None:
    try:
        return db_path(db)
    except sqlite3.Error:
        return None


def _rep_day(now: datetime, profile: RepProfile) -> tuple[datetime, datetime]:
    """Start of today and of tomorrow in the rep's zone, as UTC instants."""
    zone = ZoneInfo(profile.timezone)
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def _guard(profile: RepProfile) -> schedule.Guardrails:
    return schedule.Guardrails(cooldown=timedelta(minutes=profile.cooldown_minutes),
                               max_per_day=profile.max_per_day)


def _key_of(row: dict) -> str:
    return hours_key(row["region"] or None, row["subdivision"], row["timezone"])


def _context(conn: sqlite3.Connection, prospect: dict, profile: RepProfile, now: datetime,
             *, include_now_call: bool = False) -> schedule.Context:
    zone, window = windows.window_of(_key_of(prospect), windows.base_window(profile))
    calls = records.recent_call_times(conn, prospect["id"], to_iso(now - RECENT_CALLS))
    return schedule.Context(
        zone=zone,
        window=window,
        temperature=prospect["temperature"],
        value=prospect["value"],
        appointment_at=from_iso(prospect["appointment_at"]),
        recent_attempts=tuple(from_iso(at) for at in calls),
        guard=_guard(profile),
        name=f"{prospect['first_name']} {prospect['last_name']}".strip(),
        has_email=bool(prospect["email"]),
    )


def _position(row: dict) -> schedule.Position:
    return schedule.Position(
        cadence=row["cadence"], step_index=row["step_index"], status=row["status"],
        next_due_at=from_iso(row["next_due_at"]), pinned=bool(row["pinned"]), retries=row["retries"],
        promised_at=from_iso(row["promised_at"]),
    )


def _position_columns(pos: schedule.Position, now: datetime) -> dict:
    return {
        "cadence": pos.cadence, "step_index": pos.step_index, "status": pos.status,
        "next_due_at": to_iso(pos.next_due_at), "pinned": int(pos.pinned), "retries": pos.retries,
        "promised_at": to_iso(pos.promised_at), "updated_at": to_iso(now),
    }


def _queue_columns(prospect: dict) -> dict:
    """The prospect's fields the due queue's indexes carry on the enrollment."""
    return {"hours_key": _key_of(prospect), "temp_rank": 0 if prospect["temperature"] == "warm" else 1,
            "value": prospect["value"]}


def _write_position(conn: sqlite3.Connection, enrollment: dict, prospect: dict, pos: schedule.Position,
                    now: datetime) -> int | None:
    """Store where the prospect now stands; returns the id of a new enrollment when the cadence
    continued into another one (the old membership is then finished, kept for the record)."""
    if pos.cadence == enrollment["cadence"]:
        records.update_enrollment(conn, enrollment["id"], _position_columns(pos, now))
        return None
    records.update_enrollment(conn, enrollment["id"], {
        "status": "finished", "next_due_at": None, "pinned": 0, "promised_at": None,
        "updated_at": to_iso(now)})
    return records.insert_enrollment(conn, {
        "prospect_id": prospect["id"], **_position_columns(pos, now), **_queue_columns(prospect),
        "created_at": to_iso(now)})


def _steps_total(cadence_name: str, lib: dict | None = None) -> int:
    cad = (lib if lib is not None else library()).get(cadence_name)
    return len(cad.steps) if cad else 0


def _action(lib: dict, cadence_name: str, step_index: int, temperature: str, value: float | None) -> str:
    cad = lib.get(cadence_name)
    if cad is None or not 0 <= step_index < len(cad.steps):
        return "call"  # a cadence file since removed: what is stored is a call to make
    variant = schedule.variant_for(cad, temperature, value)
    step = cad.step(step_index, variant) or cad.steps[step_index]
    return step.action


def _prospect_model(row: dict) -> Prospect:
    return Prospect(
        id=row["id"], first_name=row["first_name"], last_name=row["last_name"], company=row["company"],
        phone_e164=row["phone_e164"], phone_raw=row["phone_raw"], email=row["email"],
        timezone=row["timezone"], tz_source=row["tz_source"], region=row["region"],
        subdivision=row["subdivision"], temperature=row["temperature"], value=row["value"],
        referrer=row["referrer"], referrer_company=row["referrer_company"],
        appointment_at=from_iso(row["appointment_at"]), notes=row["notes"],
        phone_ext=row.get("phone_ext") or "", phone_label=row.get("phone_label") or "phone",
        benefit=row["benefit"], urgent=bool(row["urgent"]), urgent_reason=row["urgent_reason"],
    )


def _enrollment_model(row: dict) -> Enrollment:
    return Enrollment(
        prospect_id=row["prospect_id"], cadence=row["cadence"], step_index=row["step_index"],
        steps_total=_steps_total(row["cadence"]), status=row["status"],
        next_due_at=from_iso(row["next_due_at"]), pinned=bool(row["pinned"]), retries=row["retries"],
        promised_at=from_iso(row["promised_at"]),
    )


def _attempt_model(row: dict) -> Attempt:
    return Attempt(
        id=row["id"], prospect_id=row["prospect_id"], cadence=row["cadence"], step=row["step"],
        action=row["action"], outcome=row["outcome"], at=from_iso(row["at"]), note=row["note"],
        session_id=row["session_id"], forced_reason=row["forced_reason"], number=row.get("number"),
    )


def _numbers(conn: sqlite3.Connection, prospect: dict) -> tuple[ContactNumber, ...]:
    """Every number of the prospect, their own first, each marked when on the do-not-call list."""
    own = (prospect.get("phone_label") or "phone", prospect["phone_e164"], prospect.get("phone_ext") or "")
    others = [(n["label"], n["e164"], n["extension"]) for n in records.other_numbers(conn, prospect["id"])]
    blocked = records.dnc_among(conn, {own[1], *(n[1] for n in others)})
    return tuple(ContactNumber(label=label, e164=e164, extension=extension, primary=index == 0,
                               dnc=e164 in blocked)
                 for index, (label, e164, extension) in enumerate([own, *others]))


def _chosen_number(conn: sqlite3.Connection, prospect: dict, number: str | None,
                   profile: RepProfile) -> ContactNumber:
    """The prospect's number an attempt uses: ``number`` as typed ('+1 404 555 0188', with or
    without its extension), or their own number when None."""
    numbers = _numbers(conn, prospect)
    if number is None:
        return numbers[0]
    try:
        typed = phones.parse_phone(number, prospect["region"] or profile.region)
    except ValueError as exc:
        raise InvalidInput(f"number {number!r}: {exc}") from None
    for candidate in numbers:
        if candidate.e164 == typed.e164 and typed.extension in ("", candidate.extension):
            return candidate
    known = ", ".join(phones.format_with_extension(n.e164, n.extension) for n in numbers)
    raise InvalidInput(f"{phones.format_with_extension(typed.e164, typed.extension)} is not one of "
                       f"{_name(prospect)}'s numbers ({known})")


def _result(attempt_id: int | None, prospect_id: int, outcome: str, row: dict,
            needs_disposition: bool = False, forced_reason: str | None = None) -> OutcomeResult:
    live = row["status"] in records.LIVE
    return OutcomeResult(
        attempt_id=attempt_id, prospect_id=prospect_id, outcome=outcome, status=row["status"],
        step=row["step_index"] + 1 if live else None, cadence=row["cadence"],
        next_due_at=from_iso(row["next_due_at"]), needs_disposition=needs_disposition,
        forced_reason=forced_reason,
    )


def _need_prospect(conn: sqlite3.Connection, prospect_id: int) -> dict:
    row = records.prospect_row(conn, prospect_id)
    if row is None:
        raise NotFound(f"no prospect with id {prospect_id}")
    return row


def _need_live(conn: sqlite3.Connection, prospect: dict) -> dict:
    row = records.live_enrollment(conn, prospect["id"])
    if row is None:
        latest = records.latest_enrollment(conn, prospect["id"])
        state = f"{latest['status']} in {latest['cadence']}" if latest else "not enrolled in any cadence"
        raise InvalidInput(f"prospect {prospect['id']} ({_name(prospect)}) is {state}: nothing is due")
    return row


def _name(row: dict) -> str:
    return f"{row['first_name']} {row['last_name']}".strip()


def _e164(db: Database, phone: str) -> str:
    try:
        return phones.to_e164(phone, settings.read_profile(db).region)
    except ValueError as exc:
        raise InvalidInput(f"phone {phone!r}: {exc}") from None


# --- import -----------------------------------------------------------------------------------

def import_csv(db: Database, path: Path, *, now: datetime, cadence: str | None = None,
               region: str | None = None, skip_invalid: bool = False,
               workers: int | None = None) -> ImportReport:
    """Import a CRM CSV export. All or nothing unless ``skip_invalid``.

    Raises ImportFileError (problems: 'line N: field: reason') when any row is invalid and
    ``skip_invalid`` is False; then nothing is written. A big file's phone numbers are parsed
    in worker processes; ``workers`` overrides how many (None: one per core for a file of
    about 20k rows or more; 0 or 1: none). The result is the same either way.
    """
    now = as_utc(now)
    profile = settings.read_profile(db)
    lib = library()
    default_cadence = cadence or settings.read_setting(db, settings.CADENCE_KEY, settings.DEFAULT_CADENCE)
    if default_cadence not in lib:
        raise InvalidInput(f"no cadence named {default_cadence!r} (known: {', '.join(sorted(lib))})")
    run = ImportRun(lib=lib, profile=profile, default_cadence=default_cadence, now=now,
                    region=(region or profile.region).upper())
    with _sqlite_errors(db):
        return run.execute(db, Path(path), skip_invalid=skip_invalid, workers=workers)


# --- the due queue ----------------------------------------------------------------------------

def due(db: Database, now: datetime, *, limit: int = 50, offset: int = 0) -> list[DueItem]:
    """Active enrollments due at ``now`` and callable now in the prospect's zone, calling order."""
    now = as_utc(now)
    with _sqlite_errors(db):
        profile = settings.read_profile(db)
        conn = db.conn
        open_now = windows.open_keys(queries.hours_keys(conn), windows.base_window(profile), now)
        today = to_iso(_rep_day(now, profile)[0])
        page = queries.due_ids(conn, open_now, to_iso(now), today, limit=limit, offset=offset)
        lib = library()
        return [_due_item(lib, row) for row in queries.due_rows(conn, page, today)]


def _due_item(lib: dict, row: queries.DueRow, due_at: datetime | None = None) -> DueItem:
    return DueItem(
        prospect_id=row.prospect_id, name=f"{row.first_name} {row.last_name}".strip(), company=row.company,
        phone=row.phone_e164, timezone=row.timezone, cadence=row.cadence, step=row.step_index + 1,
        steps_total=_steps_total(row.cadence, lib),
        action=_action(lib, row.cadence, row.step_index, row.temperature, row.value),
        due_at=due_at or from_iso(row.next_due_at), pinned=row.pinned, overdue=row.overdue,
        temperature=row.temperature, value=row.value, tz_flagged=row.tz_source == "rep",
    )


def explain_due(db: Database, now: datetime) -> list[str]:
    """The EXPLAIN QUERY PLAN lines of the due page at ``now`` (the benchmark prints them)."""
    now = as_utc(now)
    profile = settings.read_profile(db)
    open_now = windows.open_keys(queries.hours_keys(db.conn), windows.base_window(profile), now)
    return queries.explain_sql(db.conn, open_now, to_iso(now), to_iso(_rep_day(now, profile)[0]))


# The queue summary's counts stop here ("1,000+"): it runs after every outcome, and counting
# every due row cost 12 ms a keypress at a million prospects, growing with the data.
QUEUE_COUNT_CAP = queries.COUNT_CAP


def queue_summary(db: Database, now: datetime, *, cap: int | None = QUEUE_COUNT_CAP) -> QueueSummary:
    """How many are due now, later today and outside their calling hours, and the next to come.

    Each count stops at ``cap``: a count equal to it means "at least that many" and sets
    ``capped`` (show it as "1,000+"). ``cap=None`` counts everything (reports, not keypresses).
    """
    now = as_utc(now)
    with _sqlite_errors(db):
        conn = db.conn
        profile = settings.read_profile(db)
        base = windows.base_window(profile)
        keys = queries.hours_keys(conn)
        open_now = set(windows.open_keys(keys, base, now))
        today, tomorrow = _rep_day(now, profile)
        now_iso = to_iso(now)
        pinned = queries.pinned_due_by_key(conn, now_iso)
        closed = sorted({*keys, *pinned} - open_now)
        waiting = queries.keys_with_unpinned_due(conn, closed, now_iso) | {k for k in closed if pinned.get(k)}
        opens_at = {key: windows.next_open(key, base, now) for key in waiting}
        opening_today = [key for key in sorted(waiting) if opens_at[key] < tomorrow]
        counter = _DueCounter(conn, pinned, now_iso, cap)
        due_now = counter.due_in(sorted(open_now))
        outside_hours = counter.due_in(closed)
        later_today = counter.at_most(
            queries.count_due_between(conn, now_iso, to_iso(tomorrow), counter.limit)
            + counter.due_in(opening_today))
        upcoming = _upcoming(conn, base, now, opens_at, today)
        return QueueSummary(
            due_now=due_now, later_today=later_today, outside_hours=outside_hours,
            next_item=upcoming.item, next_kind=upcoming.kind, next_opening=upcoming.opening,
            capped=cap is not None and max(due_now, later_today, outside_hours) >= cap, cap=cap,
        )


@dataclasses.dataclass(frozen=True)
class _DueCounter:
    """Counts of what is due, promises included, each stopping at ``cap`` (None: no cap)."""

    conn: sqlite3.Connection
    pinned: dict[str, int]  # promises due per calling window, exact
    now_iso: str
    cap: int | None

    @property
    def limit(self) -> int:
        return -1 if self.cap is None else self.cap  # SQLite reads LIMIT -1 as no limit

    def at_most(self, n: int) -> int:
        return n if self.cap is None else min(n, self.cap)

    def due_in(self, keys: list[str]) -> int:
        promised = self.at_most(sum(self.pinned.get(key, 0) for key in keys))
        if self.cap is not None and promised >= self.cap:
            return promised
        rest = -1 if self.cap is None else self.cap - promised
        return promised + queries.count_unpinned_due(self.conn, keys, self.now_iso, rest)


@dataclasses.dataclass(frozen=True)
class _Upcoming:
    item: DueItem | None  # the next call to come due after now
    kind: str  # why then: "promise", "due" or "opens" (their window opens); "" without an item
    opening: DueItem | None  # the first one due but outside hours to become callable


def _upcoming(conn: sqlite3.Connection, base, now: datetime, opens_at: dict[str, datetime],
              today: datetime) -> _Upcoming:
    """The next call to come due after ``now`` (a promise, a future due time, or a closed window
    opening on someone already due), and why then, so the empty state says what is true."""
    candidates: list[tuple[datetime, int, str]] = []
    coming = queries.next_coming_due(conn, to_iso(now))
    if coming is not None:
        row = records.enrollment_row(conn, coming)
        at = from_iso(row["next_due_at"])
        if row["pinned"]:
            candidates.append((at, coming, "promise"))
        else:
            opens = windows.next_open(row["hours_key"], base, at)
            candidates.append((opens, coming, "due" if opens == at else "opens"))
    opening = None
    if opens_at:
        key = min(opens_at, key=opens_at.get)
        first = queries.first_due_in_window(conn, key, to_iso(now))
        if first is not None:
            candidates.append((opens_at[key], first, "opens"))
            opening = _item_at(conn, first, opens_at[key], today)
    if not candidates:
        return _Upcoming(None, "", None)
    at, enrollment_id, kind = min(candidates)
    return _Upcoming(_item_at(conn, enrollment_id, at, today), kind, opening)


def _item_at(conn: sqlite3.Connection, enrollment_id: int, at: datetime, today: datetime) -> DueItem:
    (row,) = queries.due_rows(conn, [enrollment_id], to_iso(today))
    return _due_item(library(), row, due_at=at)


# --- the call card ----------------------------------------------------------------------------

CARD_NOTES = 3  # the newest notes a card carries: more never fit its fixed height

def call_card(db: Database, prospect_id: int, now: datetime) -> CallCard:
    """The prospect, the active enrollment, the rendered script (promise computed from ``now``)."""
    now = as_utc(now)
    with _sqlite_errors(db):
        conn = db.conn
        profile = settings.read_profile(db)
        row = _need_prospect(conn, prospect_id)
        enrollment = _need_live(conn, row)
        ctx = _context(conn, row, profile, now)
        attempts = records.attempts_of_prospect(conn, prospect_id)
        script = _script(library(), row, enrollment, attempts, profile, ctx, now)
        newest, total = records.newest_notes(conn, prospect_id, CARD_NOTES)
        return CallCard(
            prospect=_prospect_model(row), enrollment=_enrollment_model(enrollment), script=script,
            attempts=tuple(_attempt_model(a) for a in attempts if a["enrollment_id"] == enrollment["id"]),
            verdict=_verdict(conn, row, enrollment, ctx, now), window=ctx.window, numbers=_numbers(conn, row),
            notes=tuple(_note_model(n) for n in newest), notes_total=total,
        )


def call_verdict(db: Database, prospect_id: int, now: datetime) -> CallVerdict:
    """May the prospect be called at ``now``, and if not, why and from when (``guard.may_call``)."""
    now = as_utc(now)
    with _sqlite_errors(db):
        conn = db.conn
        profile = settings.read_profile(db)
        row = _need_prospect(conn, prospect_id)
        enrollment = records.live_enrollment(conn, prospect_id) or records.latest_enrollment(conn, prospect_id)
        if enrollment is None:
            return CallVerdict(blocked_reason=f"{_name(row)} is not enrolled in any cadence",
                               headline="not enrolled")
        return _verdict(conn, row, enrollment, _context(conn, row, profile, now), now)


def _verdict(conn: sqlite3.Connection, prospect: dict, enrollment: dict, ctx: schedule.Context,
             now: datetime) -> CallVerdict:
    promised = from_iso(enrollment["next_due_at"]) if enrollment["pinned"] else None
    return guard.may_call(
        now, zone=ctx.zone, window=ctx.window, max_per_day=ctx.guard.max_per_day,
        recent_calls=ctx.recent_attempts, status=enrollment["status"],
        on_dnc=records.dnc_contains(conn, prospect["phone_e164"]), promised_at=promised, name=ctx.name)


def _fields(row: dict, profile: RepProfile, ctx: schedule.Context, now: datetime) -> dict[str, str]:
    """The prospect's and the rep's template fields; the time phrases come from scripts.

    A missing referrer or appointment is empty here and never said: the cadence files use
    them only in parts whose conditions say they are on file (cadence.text_problems).
    """
    appointment = from_iso(row["appointment_at"])
    return {
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "company": row["company"],
        "rep_name": profile.name,
        "rep_phone": phones.format_international(profile.phone) if profile.phone else "",
        "rep_company": profile.company,
        "referrer": (row["referrer"] or "").strip(),
        "referrer_company": (row["referrer_company"] or "").strip(),
        "appointment": phrases.phrase_appointment(appointment, ctx.zone, now) if appointment else "",
    }


def _script(lib: dict, row: dict, enrollment: dict, attempts: list[dict], profile: RepProfile,
            ctx: schedule.Context, now: datetime) -> Script:
    """The current step's script for this prospect at ``now``, from the facts the store holds."""
    cad = lib[enrollment["cadence"]]
    fields = _fields(row, profile, ctx, now)
    known = _facts(row, enrollment, attempts, cad, fields)
    return scripts.render_script(lib, _position(enrollment), ctx, known, fields, now)


def _facts(row: dict, enrollment: dict, attempts: list[dict], cad: cadence_mod.Cadence,
           fields: dict[str, str]) -> facts_mod.ScriptFacts:
    """What the store knows that a script may state: the prospect's attempts and the rep's records."""
    benefit = (row["benefit"] or "").strip() or (cadence_mod.render_benefit(cad.benefit, fields) if cad.benefit else "")
    return facts_mod.ScriptFacts(
        touches=tuple(_touch(a) for a in attempts),
        enrollment=enrollment["id"],
        referrer=(row["referrer"] or "").strip(),
        referrer_company=(row["referrer_company"] or "").strip(),
        appointment_at=from_iso(row["appointment_at"]),
        has_email=bool(row["email"]),
        # The script supplies the sentence's own full stop.
        benefit=benefit.rstrip(" ."),
        urgent=bool(row["urgent"]),
        urgent_reason=(row["urgent_reason"] or "").strip().rstrip(" ."),
    )


def _touch(row: dict) -> facts_mod.Touch:
    offered = tuple(from_iso(at) for at in json.loads(row["offered"])) if row["offered"] else ()
    return facts_mod.Touch(
        at=from_iso(row["at"]), step=row["step"], action=row["action"], outcome=row["outcome"],
        disposition=row["disposition"], promised_at=from_iso(row["promised_at"]),
        callback_at=from_iso(row["callback_at"]), callback_by=row["callback_by"], offered=offered,
        enrollment=row["enrollment_id"],
    )


# The profile fields scripts speak: setting key, RepProfile field, what a script says while it
# is unset, and an example value for the command that sets it.
_PROFILE_SPOKEN = (
    ("rep.name", "name", 'scripts say "Your Name"', "Jane Smith"),
    ("rep.phone", "phone", 'scripts say "call me back at ." with no number', "+1 212 555 0142"),
    ("rep.company", "company", 'scripts say "Your Company"', "Acme Inc"),
)


def profile_problems(db: Database) -> list[str]:
    """What the rep has not set yet that every script says, each with the command that sets it."""
    with _sqlite_errors(db):
        profile = settings.read_profile(db)
    default = RepProfile()
    problems = []
    for key, field, said, example in _PROFILE_SPOKEN:
        value = getattr(profile, field)
        if value.strip() and value != getattr(default, field):
            continue
        problems.append(f'{key} is not set ({said}): dialdeck config set {key} "{example}"')
    return problems


# --- outcomes ---------------------------------------------------------------------------------

def log_outcome(db: Database, prospect_id: int, outcome: str, now: datetime, *, note: str = "",
                disposition: str | None = None, callback_at: datetime | None = None,
                session_id: int | None = None, number: str | None = None, force: bool = False,
                callback_by: str | None = None) -> OutcomeResult:
    """Write the attempt and advance the enrollment in one transaction.

    A call the guard refuses (outside their calling hours, over the daily cap, a do-not-call
    number) raises ``guard.NotCallable`` and writes nothing, unless ``force``: then it is
    logged with the refusal it overrode (``forced_reason``).

    ``number`` is the prospect's number the call used (any of theirs, as typed; default their
    own): the attempt records it, and a do-not-call outcome puts it on the list. A number on
    the list is never dialled: a call outcome on it is refused.

    ``callback_by``: who chose a callback's time, "prospect" or "rep" (None: agreed, not said
    who); scripts then say so. A voicemail logged on a step that says not to leave one is
    kept, noted on the attempt, and named in the result's warnings.
    """
    now = as_utc(now)
    if outcome not in OUTCOMES:
        raise InvalidInput(f"unknown outcome {outcome!r} (one of: {', '.join(OUTCOMES)})")
    if callback_at is not None and disposition is None:
        disposition = "callback"
    if disposition is not None:
        _check_disposition(disposition, callback_at)
        if outcome != "connected":
            raise InvalidInput(f"a disposition ({disposition}) follows a connected call, not {outcome!r}")
    _check_callback_by(callback_by)
    lib = library()
    with _sqlite_errors(db):
        profile = settings.read_profile(db)
        with write_tx(db):
            return _log(db.conn, lib, profile, prospect_id, outcome, now, note=note, disposition=disposition,
                        callback_at=callback_at, session_id=session_id, number=number, force=force,
                        callback_by=callback_by)


CALLBACK_CHOOSERS = ("prospect", "rep")


def _check_callback_by(callback_by: str | None) -> None:
    if callback_by is not None and callback_by not in CALLBACK_CHOOSERS:
        raise InvalidInput(f"who chose the callback: {callback_by!r} is not one of {', '.join(CALLBACK_CHOOSERS)}")


def _check_disposition(disposition: str, callback_at: datetime | None) -> None:
    if disposition not in DISPOSITIONS:
        raise InvalidInput(f"unknown disposition {disposition!r} (one of: {', '.join(DISPOSITIONS)})")
    if disposition == "callback" and callback_at is None:
        raise InvalidInput("a callback needs a time (--callback ISO-TIME)")


def _log(conn: sqlite3.Connection, lib: dict, profile: RepProfile, prospect_id: int, outcome: str,
         now: datetime, *, note: str, disposition: str | None, callback_at: datetime | None,
         session_id: int | None, number: str | None = None, force: bool = False,
         callback_by: str | None = None) -> OutcomeResult:
    prospect_row = _need_prospect(conn, prospect_id)
    enrollment = _need_live(conn, prospect_row)
    used = _chosen_number(conn, prospect_row, number, profile)
    if used.dnc and outcome in CALL_OUTCOMES and outcome != "do-not-call":
        raise InvalidInput(f"{phones.format_with_extension(used.e164, used.extension)} is on the do-not-call "
                           "list: it is never dialled")
    _check_in_order(conn, prospect_row, profile, now)
    ctx = _context(conn, prospect_row, profile, now)
    pos = _position(enrollment)
    step = schedule.current_step(lib, pos, ctx)
    said = _said(conn, lib, prospect_row, enrollment, profile, ctx, outcome, now)
    transition = schedule.apply_outcome(lib, pos, ctx, outcome, now, said_next_call=said.named_next_call)
    forced_reason = _guard_call(conn, prospect_row, enrollment, ctx, outcome, now, force)
    new_pos = transition.position
    if disposition is not None and transition.needs_disposition:
        # The call just made is not in the table yet; the disposition's guardrails must count it.
        after_call = dataclasses.replace(ctx, recent_attempts=(*ctx.recent_attempts, now))
        new_pos = schedule.apply_disposition(lib, new_pos, after_call, disposition, now, callback_at).position
    spawned = _write_position(conn, enrollment, prospect_row, new_pos, now)
    dnc_added = transition.add_dnc and _add_dnc(conn, prospect_row, used, now)
    recorded = used if step.action == "call" or outcome == "do-not-call" else None
    warnings = ()
    if said.off_script:
        note = f"{note.strip()} / {OFF_SCRIPT_NOTE}" if note.strip() else OFF_SCRIPT_NOTE
        warnings = (f"step {pos.step_index + 1} of {pos.cadence} says not to leave a message: logged as a "
                    f"voicemail anyway, noted on the attempt",)
    agreed = {"callback_at": to_iso(callback_at), "callback_by": callback_by} if disposition == "callback" else {}
    attempt_id = records.insert_attempt(
        conn, prospect_id=prospect_id, enrollment=enrollment, step=pos.step_index + 1, action=step.action,
        outcome=outcome, at=to_iso(now), note=note.strip(), session_id=session_id, disposition=disposition,
        spawned_enrollment_id=spawned, dnc_added=dnc_added, forced_reason=forced_reason,
        number=phones.number_text(recorded.e164, recorded.extension) if recorded else None,
        facts={**said.columns(), **agreed},
    )
    current = records.enrollment_row(conn, spawned or enrollment["id"])
    return dataclasses.replace(
        _result(attempt_id, prospect_id, outcome, current,
                needs_disposition=transition.needs_disposition and disposition is None,
                forced_reason=forced_reason),
        warnings=warnings)


# The note on a voicemail logged where the script said not to leave one: the record stays honest.
OFF_SCRIPT_NOTE = "voicemail left although the step says not to leave one"


@dataclasses.dataclass(frozen=True)
class _Delivered:
    """What the message the rep delivered (a voicemail left, an email sent) said, as rendered."""

    named_next_call: bool | None = None  # None: nothing was delivered
    promised_at: datetime | None = None
    offered: tuple[datetime, ...] = ()
    off_script: bool = False  # a voicemail where the script says to leave none

    def columns(self) -> dict:
        return {"promised_at": to_iso(self.promised_at),
                "offered": json.dumps([to_iso(at) for at in self.offered]) if self.offered else None}


def _said(conn: sqlite3.Connection, lib: dict, row: dict, enrollment: dict, profile: RepProfile,
          ctx: schedule.Context, outcome: str, now: datetime) -> _Delivered:
    """The script as shown at ``now``, for the outcomes that deliver it: what it promised."""
    if outcome not in ("voicemail", "sent") or enrollment["status"] != "active":
        return _Delivered()
    attempts = records.attempts_of_prospect(conn, row["id"])
    script = _script(lib, row, enrollment, attempts, profile, ctx, now)
    if outcome == "voicemail":
        if script.action == "call" and script.voicemail is None:
            return _Delivered(named_next_call=False, off_script=True)
        named = "voicemail" in script.next_call_in
    else:
        named = bool({"subject", "body"} & set(script.next_call_in))
    return _Delivered(named_next_call=named, promised_at=script.next_call_at if named else None,
                      offered=script.offers if outcome == "sent" else ())


def _guard_call(conn: sqlite3.Connection, prospect: dict, enrollment: dict, ctx: schedule.Context,
                outcome: str, now: datetime, force: bool) -> str | None:
    """Refuse a call the guard forbids (NotCallable); forced, return the refusal to record.

    Only a call made now is guarded: not do-not-call (a prospect may ask any time), not what
    a rep logs about a call that already connected (wrong person, asked not to be called).
    """
    if outcome not in guard.GUARDED_OUTCOMES or enrollment["status"] != "active":
        return None
    verdict = _verdict(conn, prospect, enrollment, ctx, now)
    if verdict.allowed:
        return None
    if not force:
        raise guard.NotCallable(verdict, ctx.zone)
    return verdict.blocked_reason


# attempts.dnc_added says which numbers a do-not-call outcome put on the list, for undo:
DNC_USED = 1  # the number the call used (before m004 always the prospect's own)
DNC_OWN = 2  # the prospect's own number, when the call used another of theirs


def _add_dnc(conn: sqlite3.Connection, prospect: dict, used: ContactNumber, now: datetime) -> int:
    """A do-not-call outcome: the number that was answered goes on the list, and the prospect's
    own number with it (a re-import, the queue and the list go by that one). Returns the
    DNC_* flags of the numbers this attempt added."""
    added = 0
    if records.dnc_insert(conn, used.e164, to_iso(now), "do-not-call outcome"):
        added |= DNC_USED
    if used.e164 != prospect["phone_e164"] and records.dnc_insert(
            conn, prospect["phone_e164"], to_iso(now), "do-not-call outcome"):
        added |= DNC_OWN
    return added


def _dnc_numbers_of(attempt: dict, prospect: dict) -> list[str]:
    """The numbers a do-not-call attempt put on the list (see _add_dnc)."""
    used = phones.split_number(attempt["number"])[0] if attempt.get("number") else prospect["phone_e164"]
    flags = attempt["dnc_added"]
    return [e164 for flag, e164 in ((DNC_USED, used), (DNC_OWN, prospect["phone_e164"])) if flags & flag]


def _check_in_order(conn: sqlite3.Connection, prospect: dict, profile: RepProfile, now: datetime) -> None:
    """Refuse an attempt dated before the prospect's newest one: the history, the guardrails'
    recent calls and undo all read the attempts in time order."""
    last = from_iso(records.last_attempt_at(conn, prospect["id"]))
    if last is not None and now < last:
        zone = ZoneInfo(profile.timezone)
        raise InvalidInput(
            f"{_stamp(now, zone)} is before the last attempt at {_stamp(last, zone)} "
            f"(prospect {prospect['id']}, {_name(prospect)}): attempts are logged in time order")


def _stamp(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")


def set_disposition(db: Database, prospect_id: int, disposition: str, now: datetime, *,
                    callback_at: datetime | None = None, note: str = "",
                    callback_by: str | None = None) -> OutcomeResult:
    """After a connected call: callback (pinned at callback_at), booked, not-interested, continue."""
    now = as_utc(now)
    _check_disposition(disposition, callback_at)
    _check_callback_by(callback_by)
    lib = library()
    with _sqlite_errors(db):
        profile = settings.read_profile(db)
        with write_tx(db):
            conn = db.conn
            prospect_row = _need_prospect(conn, prospect_id)
            enrollment = _need_live(conn, prospect_row)
            if enrollment["status"] != "connected":
                raise InvalidInput(f"prospect {prospect_id} has no connected call awaiting a disposition "
                                   f"(status {enrollment['status']})")
            # The connected call is already logged, so the context's recent calls include it.
            ctx = _context(conn, prospect_row, profile, now)
            pos = schedule.apply_disposition(lib, _position(enrollment), ctx, disposition, now, callback_at).position
            spawned = _write_position(conn, enrollment, prospect_row, pos, now)
            attempt = records.newest_attempt(conn, prospect_id=prospect_id)
            attempt_id = None
            if attempt is not None and attempt["enrollment_id"] == enrollment["id"] and attempt["outcome"] == "connected":
                attempt_id = attempt["id"]
                records.record_disposition(conn, attempt_id, disposition, note.strip(), spawned)
                if disposition == "callback":
                    records.record_attempt_facts(conn, attempt_id, {"callback_at": to_iso(callback_at),
                                                                    "callback_by": callback_by})
            current = records.enrollment_row(conn, spawned or enrollment["id"])
            return _result(attempt_id, prospect_id, "connected", current)


def undo_last(db: Database, *, session_id: int | None = None,
              prospect_id: int | None = None) -> OutcomeResult | None:
    """Remove the newest attempt (of the session, or of the prospect) and restore the enrollment exactly.

    Returns None when there is nothing to undo. Refuses (InvalidInput) when the prospect has a
    newer attempt than the one chosen, or the number went on the do-not-call list since:
    restoring the older state would silently undo those too.
    """
    with _sqlite_errors(db), write_tx(db):
        conn = db.conn
        attempt = records.newest_attempt(conn, session_id=session_id, prospect_id=prospect_id)
        if attempt is None:
            return None
        _check_undoable(conn, attempt)
        state = json.loads(attempt["prev_state"])
        records.delete_attempt(conn, attempt["id"])
        if attempt["spawned_enrollment_id"] is not None:
            records.delete_enrollment(conn, attempt["spawned_enrollment_id"])
        records.restore_enrollment(conn, state)
        if attempt["dnc_added"]:
            for e164 in _dnc_numbers_of(attempt, records.prospect_row(conn, attempt["prospect_id"])):
                records.dnc_delete(conn, e164)
        return _result(attempt["id"], attempt["prospect_id"], attempt["outcome"], state)


def _check_undoable(conn: sqlite3.Connection, attempt: dict) -> None:
    newer = records.newest_attempt(conn, prospect_id=attempt["prospect_id"])
    if newer["id"] != attempt["id"]:
        raise InvalidInput(f"prospect {attempt['prospect_id']} has a newer attempt (#{newer['id']}, "
                           f"{newer['outcome']}); undo that one first")
    phone = records.prospect_row(conn, attempt["prospect_id"])["phone_e164"]
    if not attempt["dnc_added"] and records.dnc_contains(conn, phone):
        raise InvalidInput(f"{phone} was put on the do-not-call list after this attempt; "
                           "remove it from the list first if that was a mistake")


# --- small edits ------------------------------------------------------------------------------

def snooze(db: Database, prospect_id: int, until: datetime, now: datetime) -> Enrollment:
    """Move the prospect's due time to ``until`` (no longer a pinned promise)."""
    now, until = as_utc(now), as_utc(until)
    if until <= now:
        raise InvalidInput(f"snooze until {until.isoformat()}: that is not after now ({now.isoformat()})")
    with _sqlite_errors(db), write_tx(db):
        conn = db.conn
        row = _need_prospect(conn, prospect_id)
        enrollment = _need_live(conn, row)
        if enrollment["status"] != "active":
            raise InvalidInput(f"prospect {prospect_id} is {enrollment['status']}: choose a disposition first")
        records.update_enrollment(conn, enrollment["id"], {
            "next_due_at": to_iso(until), "pinned": 0, "promised_at": None, "updated_at": to_iso(now)})
        return _enrollment_model(records.enrollment_row(conn, enrollment["id"]))


def pick_offered(db: Database, prospect_id: int, choice: int, now: datetime, *,
                 session_id: int | None = None) -> OutcomeResult:
    """The prospect replied to an email that offered times, picking number ``choice`` (1-based).

    Logged as an attempt (email, "replied"), so it shows in the history and undo takes it back;
    the next call is then due exactly at that time, and its script says it is the time they
    picked.
    """
    now = as_utc(now)
    lib = library()
    with _sqlite_errors(db):
        profile = settings.read_profile(db)
        with write_tx(db):
            conn = db.conn
            row = _need_prospect(conn, prospect_id)
            enrollment = _need_live(conn, row)
            if enrollment["status"] != "active":
                raise InvalidInput(f"prospect {prospect_id} is {enrollment['status']}: choose a disposition first")
            _check_in_order(conn, row, profile, now)
            ctx = _context(conn, row, profile, now)
            attempts = records.attempts_of_prospect(conn, prospect_id)
            known = _facts(row, enrollment, attempts, lib[enrollment["cadence"]], _fields(row, profile, ctx, now))
            offered = known.pending_offer(now)
            if not offered:
                raise InvalidInput(_nothing_to_pick(_name(row), known, now, ctx.zone))
            if not 1 <= choice <= len(offered):
                raise InvalidInput(f"choose one of the {len(offered)} times offered (1-{len(offered)}), not {choice}")
            at = offered[choice - 1]
            pos = schedule.pin_at(lib, _position(enrollment), ctx, at, now)
            records.update_enrollment(conn, enrollment["id"], _position_columns(pos, now))
            attempt_id = records.insert_attempt(
                conn, prospect_id=prospect_id, enrollment=enrollment, step=enrollment["step_index"] + 1,
                action="email", outcome="replied", at=to_iso(now), note=f"picked time {choice} of {len(offered)}",
                session_id=session_id, facts={"callback_at": to_iso(at), "callback_by": "prospect"})
            return _result(attempt_id, prospect_id, "replied", records.enrollment_row(conn, enrollment["id"]))


def _nothing_to_pick(name: str, known: facts_mod.ScriptFacts, now: datetime, zone: ZoneInfo) -> str:
    """Why no offered time can be picked, as it stands: already picked, all past, or never offered."""
    state, touch = known.offer_state(now)
    if state == "picked":
        return (f"{name} already picked one of the times offered ({touch.callback_at.astimezone(zone):%a %d %b %H:%M} "
                "their time): there is no other offer to pick from")
    if state == "passed":
        return (f"the times offered to {name} have all passed (the last was "
                f"{max(touch.offered).astimezone(zone):%a %d %b %H:%M} their time): there is none left to pick")
    return f"{name} has no offered times to pick: no email offering times has been sent"


def set_urgent(db: Database, prospect_id: int, urgent: bool, now: datetime, *, reason: str | None = None) -> Prospect:
    """Mark the prospect urgent (or not): money-in scripts then offer a message, and the pane says so.

    ``reason``, in the rep's words, is what the message gives as the reason to call back (None
    keeps the one on file; unmarking clears it).
    """
    now = as_utc(now)
    changes: dict = {"urgent": int(urgent)}
    if not urgent:
        changes["urgent_reason"] = ""
    elif reason is not None:
        changes["urgent_reason"] = " ".join(reason.split())
    with _sqlite_errors(db), write_tx(db):
        _need_prospect(db.conn, prospect_id)
        records.set_prospect_facts(db.conn, prospect_id, changes, to_iso(now))
        return _prospect_model(records.prospect_row(db.conn, prospect_id))


def set_benefit(db: Database, prospect_id: int, text: str, now: datetime) -> Prospect:
    """What the rep wants this prospect to hear they stand to gain ({benefit}); "" clears it."""
    now = as_utc(now)
    with _sqlite_errors(db), write_tx(db):
        _need_prospect(db.conn, prospect_id)
        records.set_prospect_facts(db.conn, prospect_id, {"benefit": " ".join(text.split())}, to_iso(now))
        return _prospect_model(records.prospect_row(db.conn, prospect_id))


def add_note(db: Database, prospect_id: int, text: str, now: datetime, *,
             session_id: int | None = None) -> Note:
    """Keep a note the rep typed, with its time; it is linked to the prospect's last attempt
    when that is the newest attempt logged at all (the call the rep just made)."""
    now = as_utc(now)
    text = " ".join(text.split())
    if not text:
        raise InvalidInput("the note is empty")
    with _sqlite_errors(db), write_tx(db):
        conn = db.conn
        _need_prospect(conn, prospect_id)
        last = records.newest_attempt(conn)
        attempt_id = last["id"] if last is not None and last["prospect_id"] == prospect_id else None
        note_id = records.insert_note(conn, prospect_id=prospect_id, at=to_iso(now), text=text, source="rep",
                                      session_id=session_id, attempt_id=attempt_id)
        conn.execute("UPDATE prospects SET updated_at = ? WHERE id = ?", [to_iso(now), prospect_id])
    return Note(id=note_id, prospect_id=prospect_id, at=now.replace(microsecond=0), text=text, source="rep",
                session_id=session_id, attempt_id=attempt_id)


def notes(db: Database, prospect_id: int) -> list[Note]:
    """Every note of the prospect (the CRM's and the rep's), newest first."""
    with _sqlite_errors(db):
        _need_prospect(db.conn, prospect_id)
        return [_note_model(row) for row in records.notes_of_prospect(db.conn, prospect_id)]


def _note_model(row: dict) -> Note:
    return Note(id=row["id"], prospect_id=row["prospect_id"], at=from_iso(row["at"]), text=row["text"],
                source=row["source"], session_id=row["session_id"], attempt_id=row["attempt_id"])


# --- reading ----------------------------------------------------------------------------------

def prospect(db: Database, prospect_id: int) -> Prospect:
    with _sqlite_errors(db):
        return _prospect_model(_need_prospect(db.conn, prospect_id))


def calling_window(db: Database, prospect_id: int) -> tuple[ZoneInfo, CallingWindow]:
    """The prospect's zone and the calling window that applies to them (rep's hours, state rules)."""
    with _sqlite_errors(db):
        row = _need_prospect(db.conn, prospect_id)
        return windows.window_of(_key_of(row), windows.base_window(settings.read_profile(db)))


def history(db: Database, prospect_id: int) -> tuple[Prospect, Enrollment | None, list[Attempt]]:
    """The prospect, their live (else latest) enrollment, and every attempt ever, oldest first."""
    with _sqlite_errors(db):
        conn = db.conn
        row = _need_prospect(conn, prospect_id)
        enrollment = records.latest_enrollment(conn, prospect_id)
        attempts = records.attempts_of_prospect(conn, prospect_id)
        return (_prospect_model(row), _enrollment_model(enrollment) if enrollment else None,
                [_attempt_model(a) for a in attempts])


def numbers(db: Database, prospect_id: int) -> tuple[ContactNumber, ...]:
    """Every number of the prospect, their own first, do-not-call ones marked."""
    with _sqlite_errors(db):
        return _numbers(db.conn, _need_prospect(db.conn, prospect_id))


def export_rows(db: Database) -> list[dict]:
    """One dict per prospect: details, cadence position, attempt count, last outcome, attempts."""
    with _sqlite_errors(db):
        return list(iter_export_rows(db))


def iter_export_rows(db: Database, *, with_attempts: bool = True) -> Iterator[dict]:
    """``export_rows`` as a stream, so exporting a million prospects needs no million-row list."""
    any_others = not records.other_numbers_empty(db.conn)
    for row in records.export_cursor(db.conn):
        item = {
            "id": row["id"], "first_name": row["first_name"], "last_name": row["last_name"],
            "company": row["company"], "phone": row["phone_e164"], "phone_raw": row["phone_raw"],
            "email": row["email"], "timezone": row["timezone"], "tz_source": row["tz_source"],
            "region": row["region"], "subdivision": row["subdivision"], "temperature": row["temperature"],
            "value": row["value"], "referrer": row["referrer"], "referrer_company": row["referrer_company"],
            "appointment_at": row["appointment_at"],
            # The CRM's note as the importer reads it, so an export imports back as it was; every
            # note (the CRM's and the rep's, newest first) follows in note_history.
            "notes": row["notes"],
            "note_history": [{"at": n["at"], "source": n["source"], "text": n["text"]}
                             for n in records.notes_of_prospect(db.conn, row["id"])],
            "phone_ext": row["phone_ext"], "phone_label": row["phone_label"],
            "other_phones": [
                {"label": n["label"], "phone": n["e164"], "extension": n["extension"]}
                for n in (records.other_numbers(db.conn, row["id"]) if any_others else ())
            ],
            "benefit": row["benefit"], "urgent": bool(row["urgent"]), "urgent_reason": row["urgent_reason"],
            "cadence": row["cadence"], "step": row["step_index"] + 1 if row["step_index"] is not None else None,
            "status": row["status"], "next_due_at": row["next_due_at"],
            "attempts_count": row["attempts_count"], "last_outcome": row["last_outcome"],
        }
        if with_attempts:
            item["attempts"] = [
                {"at": a["at"], "cadence": a["cadence"], "step": a["step"], "action": a["action"],
                 "outcome": a["outcome"], "disposition": a["disposition"], "note": a["note"],
                 "forced": a["forced_reason"] is not None, "forced_reason": a["forced_reason"],
                 "number": a["number"]}
                for a in records.attempts_of_prospect(db.conn, row["id"])
            ]
        yield item


def search_prospects(db: Database, text: str, *, limit: int = 20) -> list[Prospect]:
    if not text.strip():
        return []
    with _sqlite_errors(db):
        return [_prospect_model(r) for r in records.search_prospects(db.conn, text, limit)]


# --- do-not-call ------------------------------------------------------------------------------

def dnc_add(db: Database, phone: str, now: datetime, *, reason: str = "") -> str:
    """Put a number on the do-not-call list for good; its live enrollment stops (status dnc)."""
    now = as_utc(now)
    e164 = _e164(db, phone)
    with _sqlite_errors(db), write_tx(db):
        conn = db.conn
        records.dnc_insert(conn, e164, to_iso(now), reason.strip())
        owner = records.prospect_by_phone(conn, e164)
        live = records.live_enrollment(conn, owner["id"]) if owner else None
        if live is not None:
            records.update_enrollment(conn, live["id"], {
                "status": "dnc", "next_due_at": None, "pinned": 0, "promised_at": None,
                "updated_at": to_iso(now)})
    return e164


def dnc_remove(db: Database, phone: str) -> str:
    """Take a number off the list. Enrollments it stopped stay stopped."""
    e164 = _e164(db, phone)
    with _sqlite_errors(db), write_tx(db):
        if not records.dnc_delete(db.conn, e164):
            raise NotFound(f"{e164} is not on the do-not-call list")
    return e164


def dnc_list(db: Database) -> list[dict]:
    """Every number on the list: e164, added_at (aware UTC datetime), reason; oldest first."""
    with _sqlite_errors(db):
        return [{"e164": e164, "added_at": from_iso(at), "reason": reason}
                for e164, at, reason in db.conn.execute("SELECT e164, added_at, reason FROM dnc ORDER BY added_at, e164")]


# --- the rep's profile ------------------------------------------------------------------------

def get_profile(db: Database) -> RepProfile:
    with _sqlite_errors(db):
        return settings.read_profile(db)


def set_setting(db: Database, key: str, value: str) -> RepProfile:
    """Validate and store one setting (``rep.phone`` is stored E.164); InvalidInput names the key."""
    if key == settings.CADENCE_KEY and value.strip() not in library():
        raise InvalidInput(f"{key}: no cadence named {value.strip()!r} (known: {', '.join(sorted(library()))})")
    with _sqlite_errors(db):
        return settings.write_setting(db, key, value)


def saved_theme(db: Database) -> str | None:
    """The colour theme the rep last picked in the session, or None."""
    with _sqlite_errors(db):
        return settings.read_setting(db, settings.THEME_KEY, "") or None


def remember_theme(db: Database, name: str) -> None:
    """Keep the session's colour theme for the next start."""
    with _sqlite_errors(db):
        settings.write_ui_setting(db, settings.THEME_KEY, name)


# --- sessions ---------------------------------------------------------------------------------

def start_session(db: Database, now: datetime) -> int:
    now = as_utc(now)
    with _sqlite_errors(db), write_tx(db):
        rep = settings.read_profile(db).name
        return db.conn.execute("INSERT INTO sessions(started_at, rep) VALUES (?, ?)", [to_iso(now), rep]).lastrowid


def end_session(db: Database, session_id: int, now: datetime) -> SessionStats:
    now = as_utc(now)
    with _sqlite_errors(db), write_tx(db):
        cursor = db.conn.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", [to_iso(now), session_id])
        if cursor.rowcount == 0:
            raise NotFound(f"no session with id {session_id}")
    return session_stats(db, session_id)


def session_stats(db: Database, session_id: int) -> SessionStats:
    with _sqlite_errors(db):
        row = db.conn.execute("SELECT started_at FROM sessions WHERE id = ?", [session_id]).fetchone()
        if row is None:
            raise NotFound(f"no session with id {session_id}")
        counts = records.session_outcomes(db.conn, session_id)
        return SessionStats(session_id=session_id, started_at=from_iso(row[0]), **counts)



# --- the activity report ----------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class CadenceActivity:
    """What the rep did in one cadence during the report's days."""

    cadence: str
    dials: int
    voicemails: int
    connects: int
    meetings_booked: int
    not_interested: int
    do_not_call: int
    emails_sent: int
    tasks_done: int


@dataclasses.dataclass(frozen=True)
class SessionActivity:
    """One calling session that ran during the report's days."""

    session_id: int
    started_at: datetime
    ended_at: datetime | None  # None: not closed (still open, or the app was killed)
    dials: int
    dials_per_hour: float


@dataclasses.dataclass(frozen=True)
class ActivityReport:
    """The rep's activity from the start of the first day (rep's zone) until ``until`` (now),
    and the queue as it stands now."""

    since: datetime
    until: datetime
    days: int
    timezone: str  # the rep's zone, in which the days are counted
    dials: int  # call attempts, whatever their outcome
    voicemails: int
    connects: int
    connect_rate: float  # connects / dials, 0.0 without dials
    meetings_booked: int  # connected calls settled as booked
    not_interested: int
    do_not_call: int  # do-not-call outcomes logged
    emails_sent: int
    tasks_done: int  # task and social steps marked done
    by_cadence: tuple[CadenceActivity, ...]  # most dials first
    sessions: tuple[SessionActivity, ...]  # oldest first
    due_now: int  # due and callable now (overdue ones included)
    later_today: int  # coming due later today in the rep's day
    overdue: int  # due before today began, callable now or not


# A report reaches back at most this many days (about thirty years): further back is a typo.
REPORT_MAX_DAYS = 11_000


def report(db: Database, now: datetime, days: int = 1) -> ActivityReport:
    """The rep's activity over the last ``days`` days (1 = today in the rep's zone) up to ``now``."""
    now = as_utc(now)
    if not 1 <= days <= REPORT_MAX_DAYS:
        raise InvalidInput(f"days: must be from 1 to {REPORT_MAX_DAYS:,}, not {days}")
    with _sqlite_errors(db):
        profile = settings.read_profile(db)
        today = _rep_day(now, profile)[0]
        since = _days_back(today, days - 1, profile)
        cadences = tuple(CadenceActivity(**row) for row in
                         records.activity_by_cadence(db.conn, to_iso(since), to_iso(now)))
        sessions = tuple(_session_activity(row) for row in
                         records.sessions_between(db.conn, to_iso(since), to_iso(now)))
        queue = queue_summary(db, now, cap=None)  # a report is read once: exact counts
        overdue = queries.count_due_before(db.conn, to_iso(today))
    totals = {field: sum(getattr(c, field) for c in cadences)
              for field in ("dials", "voicemails", "connects", "meetings_booked", "not_interested",
                            "do_not_call", "emails_sent", "tasks_done")}
    return ActivityReport(
        since=since, until=now, days=days, timezone=profile.timezone, **totals,
        connect_rate=totals["connects"] / totals["dials"] if totals["dials"] else 0.0,
        by_cadence=cadences, sessions=sessions,
        due_now=queue.due_now, later_today=queue.later_today, overdue=overdue,
    )


def _days_back(day_start: datetime, days: int, profile: RepProfile) -> datetime:
    """Midnight ``days`` calendar days before ``day_start`` in the rep's zone (DST-safe)."""
    zone = ZoneInfo(profile.timezone)
    local = day_start.astimezone(zone).date() - timedelta(days=days)
    return datetime.combine(local, time(0), tzinfo=zone).astimezone(UTC)


def _session_activity(row: dict) -> SessionActivity:
    started = from_iso(row["started_at"])
    ended = from_iso(row["ended_at"])
    # A session not closed is measured to its last attempt, so a killed app does not stretch it.
    end = ended or from_iso(row["last_at"]) or started
    stats = SessionStats(session_id=row["id"], started_at=started, dials=row["dials"], voicemails=0, connects=0)
    return SessionActivity(session_id=row["id"], started_at=started, ended_at=ended, dials=row["dials"],
                           dials_per_hour=stats.per_hour(end))
