"""The one interface the services reach stored data through, whatever the engine.

Not an ORM: each operation is one the use cases need (the due page and its counts, the records
an outcome loads and writes, an import batch, history, export, reports, settings, the
do-not-call list). An engine implements it on its own terms (SQLite under ``store.sqlite``,
PostgreSQL with psycopg 3 under ``store.postgres``) and keeps its own tricks (indexes, plans,
locks) inside.

Conventions every engine keeps:

- **Values are plain**: rows are dicts keyed by column name (the ``TypedDict`` shapes below),
  flags are ints 0/1, other values str, int, float or None. No engine type crosses this line.
- **Times are ``Time``**: UTC ISO-8601 text in ``clock.to_iso`` form ('2026-11-23T15:00:00+00:00'),
  as stored, fixed width so text order is time order. The services convert at their edge
  (``clock.from_iso``), which also reports a time edited by hand (``StoredTimeError``).
- **Transactions are explicit**: a read outside ``writing()`` sees the last committed state;
  ``with store.writing() as tx:`` is one write transaction (commit at the end of the block,
  rollback on any exception) in which what ``tx`` reads of a prospect (the record, its
  enrollments, attempts, numbers) stays true until it commits: the outcome path loads, decides
  in pure domain code and writes inside one block. SQLite holds the database's write lock from
  the first statement; PostgreSQL locks each prospect's row on the first read of it, so writers
  on other prospects do not wait. ``importing()`` is one transaction for a whole import.
- **Errors are the project's**: an engine failure surfaces as ``errors.StoreError`` (one line
  naming the database: locked, read-only, damaged, full), never as the driver's exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, TypedDict

Time = str  # UTC ISO-8601 text, clock.to_iso form


class ProspectRow(TypedDict):
    id: int
    first_name: str
    last_name: str
    company: str
    phone_e164: str  # the prospect's own number: the queue, the hours and the do-not-call list go by it
    phone_raw: str
    email: str  # lower-cased; '' when none
    timezone: str
    tz_source: str  # "file", "number" or "rep"
    region: str
    subdivision: str | None
    temperature: str  # "warm" or "cold"
    value: float | None
    referrer: str
    referrer_company: str
    appointment_at: Time | None
    notes: str  # the CRM's text, as a re-import compares it
    phone_ext: str
    phone_label: str
    benefit: str
    urgent: int
    urgent_reason: str
    created_at: Time
    updated_at: Time


class EnrollmentRow(TypedDict):
    id: int
    prospect_id: int
    cadence: str
    step_index: int  # 0-based
    status: str  # active, connected, finished, booked, not-interested, wrong-number, dnc
    next_due_at: Time | None
    pinned: int  # 1: a promised time, called at that time
    retries: int
    hours_key: str  # the calling window (hours.hours_key), carried for the due queue
    temp_rank: int  # 0 warm, 1 cold
    value: float | None
    created_at: Time
    updated_at: Time
    promised_at: Time | None


class AttemptRow(TypedDict):
    id: int
    prospect_id: int
    enrollment_id: int
    cadence: str
    step: int  # 1-based
    action: str
    outcome: str
    disposition: str | None
    at: Time
    note: str
    session_id: int | None
    prev_state: str  # the enrollment row before this attempt, as JSON (undo restores it)
    spawned_enrollment_id: int | None
    dnc_added: int  # flags: services.outcomes.DNC_USED | DNC_OWN
    number: str | None  # phones.number_text of the number used
    forced_reason: str | None
    promised_at: Time | None
    callback_at: Time | None
    callback_by: str | None
    offered: str | None  # JSON list of Time
    ring_seconds: float | None  # a call dialdeck placed: seconds from dialling to answer or end
    talk_seconds: float | None  # seconds from the answer to the end (0.0 unanswered)
    network_result: str | None  # answered, busy, no-answer, failed; None: dialled by hand
    recording_dropped: int  # 1: the step's voicemail recording was played into the call
    rep_id: int | None  # who made it; None: made before reps


class NoteRow(TypedDict):
    id: int
    prospect_id: int
    at: Time
    text: str
    source: str  # "crm" or "rep"
    session_id: int | None
    attempt_id: int | None


class OtherNumber(TypedDict):
    """One of a prospect's numbers besides their own, in the card's order."""

    label: str
    e164: str
    extension: str
    raw: str


class DncEntry(TypedDict):
    e164: str
    added_at: Time
    reason: str


class RepRow(TypedDict):
    id: int
    name: str  # unique whatever its case
    created_at: Time


class SessionRow(TypedDict):
    id: int
    started_at: Time
    ended_at: Time | None
    rep: str


@dataclass(frozen=True)
class DueRow:
    """One due enrollment joined to its prospect: what a DueItem is built from."""

    enrollment_id: int
    prospect_id: int
    first_name: str
    last_name: str
    company: str
    phone_e164: str
    timezone: str
    tz_source: str
    cadence: str
    step_index: int
    next_due_at: Time
    pinned: bool
    temperature: str
    value: float | None
    hours_key: str
    overdue: bool  # due before the start of the rep's day


@dataclass(frozen=True)
class ExportRecord:
    """One prospect as the export writes it.

    ``row``: every ``ProspectRow`` column, then the live (else latest) enrollment's ``cadence``,
    ``step_index``, ``status``, ``next_due_at`` (None without one), ``attempts_count`` and
    ``last_outcome`` (of the newest attempt by time, None without one).
    """

    row: dict
    notes: list[NoteRow]  # newest first
    other_numbers: list[OtherNumber]
    attempts: list[AttemptRow] | None  # oldest first; None when not asked for


class ReservationRow(TypedDict):
    prospect_id: int
    rep_id: int
    reserved_at: Time
    until: Time  # the lease ends here: from then on another rep may be given the prospect


class ReservationReads(Protocol):
    """Who holds which prospect (issue 11's claims). On a transaction, a prospect's reservation
    is read under that prospect's lock, as its other records are."""

    def reservation(self, prospect_id: int) -> ReservationRow | None:
        """The prospect's reservation, expired or not."""
        ...

    def reservations_among(self, prospect_ids: Sequence[int], now: Time) -> dict[int, ReservationRow]:
        """The reservations still holding at ``now`` (``until`` after it) of these prospects."""
        ...

    def reservation_of_rep(self, rep_id: int, now: Time) -> ReservationRow | None:
        """The reservation the rep holds at ``now`` (a rep holds at most one)."""
        ...


class ReservationWrites(Protocol):
    """A claim's writes, inside ``Store.writing()``."""

    def try_hold(self, prospect_id: int) -> bool:
        """Take the prospect for this transaction if no other transaction is deciding on it
        (PostgreSQL: its row lock, ``SKIP LOCKED``; SQLite: the writer's lock is held already);
        False: pass over it."""
        ...

    def reserve(self, prospect_id: int, rep_id: int, at: Time, until: Time) -> None:
        """The prospect is the rep's until ``until`` (the rep's other reservation is dropped)."""
        ...

    def release(self, prospect_id: int, rep_id: int | None = None) -> bool:
        """Drop the prospect's reservation (only the rep's, when given); False when none was."""
        ...


class Records(Protocol):
    """Single records, read. On the store each read sees the last commit; on a transaction
    (``Writer``) it sees that transaction's own writes."""

    def settings(self) -> dict[str, str]:
        """Every stored setting, key -> value text."""

    def reps(self) -> list[RepRow]:
        """The team's reps, oldest first (a database has at least one)."""

    def rep_settings(self, rep_id: int) -> dict[str, str]:
        """One rep's own settings (their profile), key -> value text."""

    def all_rep_settings(self) -> dict[int, dict[str, str]]:
        """Every rep's own settings: rep id -> key -> value text."""
        ...

    def prospect(self, prospect_id: int) -> ProspectRow | None: ...

    def prospect_by_phone(self, e164: str) -> ProspectRow | None:
        """The prospect whose own number is ``e164``."""
        ...

    def other_numbers(self, prospect_id: int) -> list[OtherNumber]: ...

    def live_enrollment(self, prospect_id: int) -> EnrollmentRow | None:
        """The prospect's active or connected enrollment (at most one)."""
        ...

    def latest_enrollment(self, prospect_id: int) -> EnrollmentRow | None:
        """The live enrollment, else the one changed last."""
        ...

    def enrollment(self, enrollment_id: int) -> EnrollmentRow | None: ...

    def attempts(self, prospect_id: int) -> list[AttemptRow]:
        """Every attempt of the prospect, oldest first (by time, then as logged)."""
        ...

    def recent_calls(self, prospect_ids: Sequence[int], since: Time) -> dict[int, tuple[Time, ...]]:
        """When each prospect was dialled (action 'call') at or after ``since``, oldest first;
        a prospect without such calls is absent."""
        ...

    def newest_attempt(self, *, session_id: int | None = None,
                       prospect_id: int | None = None, rep_id: int | None = None) -> AttemptRow | None:
        """The attempt logged last (of the session, else of the prospect, else of the rep, else of all)."""
        ...

    def last_attempt_at(self, prospect_id: int) -> Time | None:
        """When the prospect's latest attempt happened, by time, not by when it was logged."""
        ...

    def newest_notes(self, prospect_id: int, limit: int) -> tuple[list[NoteRow], int]:
        """The ``limit`` newest notes, newest first, and how many the prospect has in all."""
        ...

    def notes(self, prospect_id: int) -> list[NoteRow]:
        """Every note of the prospect, newest first."""
        ...

    def dnc_among(self, numbers: Iterable[str]) -> set[str]:
        """Which of these E.164 numbers are on the do-not-call list."""
        ...


class Writer(Records, ReservationReads, ReservationWrites, Protocol):
    """One write transaction (``Store.writing``): its reads see its own writes."""

    def insert_enrollment(self, row: dict) -> int:
        """A new enrollment from ``EnrollmentRow`` columns (all but ``id``); its id."""
        ...

    def update_enrollment(self, enrollment_id: int, changes: dict) -> None:
        """Set these ``EnrollmentRow`` columns."""
        ...

    def restore_enrollment(self, state: dict) -> None:
        """Put an enrollment back exactly as ``state`` (a whole row, as an attempt kept it);
        a column the state lacks (it predates the column) becomes NULL."""
        ...

    def delete_enrollment(self, enrollment_id: int) -> None: ...

    def insert_attempt(self, *, prospect_id: int, enrollment: EnrollmentRow, step: int, action: str,
                       outcome: str, at: Time, note: str, session_id: int | None,
                       disposition: str | None = None, spawned_enrollment_id: int | None = None,
                       dnc_added: int = 0, number: str | None = None, forced_reason: str | None = None,
                       facts: dict | None = None, rep_id: int | None = None) -> int:
        """Log one attempt; ``enrollment`` is the row as it was before it (kept for undo),
        ``facts`` what it said or agreed (promised_at, callback_at, callback_by, offered) and
        what the network said of the call (ring_seconds, talk_seconds, network_result,
        recording_dropped as 0/1), ``rep_id`` the rep who made it."""
        ...

    def record_attempt_facts(self, attempt_id: int, facts: dict) -> None:
        """Set what an attempt said or agreed (None values are left as they are)."""
        ...

    def record_disposition(self, attempt_id: int, disposition: str, note: str,
                           spawned_enrollment_id: int | None) -> None:
        """A disposition chosen after a connected attempt, kept on it (its note appended)."""
        ...

    def delete_attempt(self, attempt_id: int) -> None: ...

    def set_prospect_facts(self, prospect_id: int, changes: dict, at: Time) -> None:
        """The rep's own facts (benefit, urgent, urgent_reason; others ignored), and
        ``updated_at`` = ``at`` (no changes: only that)."""
        ...

    def insert_note(self, *, prospect_id: int, at: Time, text: str, source: str,
                    session_id: int | None = None, attempt_id: int | None = None) -> int: ...

    def dnc_insert(self, e164: str, at: Time, reason: str) -> bool:
        """Add a number; False when it was on the list already (the first entry is kept)."""
        ...

    def dnc_delete(self, e164: str) -> bool:
        """Remove a number; False when it was not on the list."""
        ...

    def start_session(self, at: Time, rep: str) -> int: ...

    def end_session(self, session_id: int, at: Time) -> bool:
        """False when there is no such session."""
        ...

    def put_setting(self, key: str, value: str) -> None: ...

    def insert_rep(self, name: str, at: Time) -> int:
        """A new rep (their name not taken, whatever its case: checked by the caller); their id."""

    def rename_rep(self, rep_id: int, name: str) -> None: ...

    def put_rep_setting(self, rep_id: int, key: str, value: str) -> None: ...

    def set_owner(self, prospect_ids: Sequence[int], rep_id: int | None, at: Time) -> int:
        """Give the prospects to the rep (None: back to the pool), their enrollments with them
        (the due queue filters on the enrollment's copy); how many changed hands."""


class ImportBatch(Writer, Protocol):
    """A whole import in one write transaction (``Store.importing``): set-based reads and
    writes of a block of rows at a time. No other import runs meanwhile and nothing the import
    reads changes under it (SQLite: the writer's lock; PostgreSQL: an import lock and the
    do-not-call list held still), so the ids handed out from ``next_prospect_id`` stay free and
    the lists read stay true."""

    def next_prospect_id(self) -> int:
        """The id the next new prospect takes (the import numbers new prospects from it, in
        file order, and writes them with those ids)."""
        ...

    def has_dnc(self) -> bool:
        """Whether the do-not-call list holds any number (an empty list needs no lookups)."""
        ...

    def has_other_numbers(self) -> bool:
        """Whether any prospect has a number besides their own."""
        ...

    def prospects_by_phones(self, phones: Sequence[str]) -> dict[str, dict]:
        """The prospects whose own number is among ``phones``, by number."""
        ...

    def prospects_by_emails(self, emails: Sequence[str]) -> dict[str, dict]:
        """The oldest prospect of each of these (lower-cased) e-mail addresses, by address."""
        ...

    def other_numbers_of(self, prospect_ids: Sequence[int]) -> dict[int, list[tuple[str, str, str, str]]]:
        """Each prospect's other numbers as (label, e164, extension, raw), in order."""
        ...

    def enrolled_cadences(self, prospect_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
        """(cadence, status) of every enrollment ever of each prospect."""
        ...

    def insert_prospects(self, records: Sequence[dict]) -> None:
        """New prospects, each a dict with every ``ProspectRow`` column (its id included)."""
        ...

    def update_prospects(self, records: Sequence[dict]) -> None:
        """Stored prospects rewritten whole from dicts with every ``ProspectRow`` column."""
        ...

    def replace_other_numbers(self, prospect_ids: Sequence[int],
                              numbers: Sequence[tuple[int, int, str, str, str, str]]) -> None:
        """Drop these prospects' other numbers, then write ``numbers``: (prospect_id,
        position, label, e164, extension, raw) each."""
        ...

    def insert_crm_notes(self, notes: Sequence[tuple[int, str]], at: Time) -> None:
        """The CRM's notes of an import: (prospect id, text) each, all at ``at``."""
        ...

    def refresh_queue_columns(self, rows: Sequence[tuple[str, int, float | None, int]]) -> None:
        """(hours_key, temp_rank, value, prospect_id) each: set on the prospect's live enrollment."""
        ...

    def insert_enrollments(self, rows: Sequence[dict]) -> None:
        """New enrollments, as ``insert_enrollment`` takes them."""
        ...


class DueQueue(Protocol):
    """The due queue: the reads that must stay fast at a million prospects, bounded by the page
    or by a cap, never by the table. ``keys`` are calling windows (``hours_key``) the caller
    has found open (or closed) at ``now``; ``cap`` None counts everything. ``rep_id``: that
    rep's queue, their own prospects and the shared pool (None: every prospect)."""

    def hours_keys(self) -> list[str]:
        """Every calling window an enrollment has used."""
        ...

    def due_page(self, open_keys: Sequence[str], now: Time, today: Time, *, limit: int,
                 offset: int = 0, rep_id: int | None = None) -> list[DueRow]:
        """One page in calling order: (1) promises (pinned) due by ``now``, earliest first;
        (2) due before ``today`` (the start of the rep's day); (3) due since, up to ``now``.
        Within (2) and (3): warm first, higher value first (none last), earliest due,
        prospect id. Only active enrollments whose window is in ``open_keys``."""
        ...

    def due_row(self, enrollment_id: int, today: Time) -> DueRow | None: ...

    def explain_due(self, open_keys: Sequence[str], now: Time, today: Time, rep_id: int | None = None) -> list[str]:
        """The engine's query plan of the due page, one labelled line per step (benchmarks)."""
        ...

    def pinned_due_by_key(self, now: Time, rep_id: int | None = None) -> dict[str, int]:
        """Promises due by ``now``, counted per calling window, exactly."""
        ...

    def count_unpinned_due(self, keys: Sequence[str], now: Time, cap: int | None, rep_id: int | None = None) -> int:
        """Active, unpinned enrollments due by ``now`` in these windows, up to ``cap``."""
        ...

    def keys_with_unpinned_due(self, keys: Sequence[str], now: Time, rep_id: int | None = None) -> set[str]:
        """Which of these windows hold an active, unpinned enrollment due by ``now``."""
        ...

    def count_due_between(self, after: Time, until: Time, cap: int | None, rep_id: int | None = None) -> int:
        """Active enrollments coming due in (after, until], up to ``cap``."""
        ...

    def count_due_before(self, before: Time, rep_id: int | None = None) -> int:
        """Active enrollments due before ``before``, whatever their window."""
        ...

    def next_coming_due(self, after: Time, rep_id: int | None = None) -> int | None:
        """The active enrollment due first after ``after`` (by time, then prospect id)."""
        ...

    def first_due_in_window(self, key: str, now: Time, rep_id: int | None = None) -> int | None:
        """The first enrollment in calling order already due in one window."""
        ...


class Store(Records, ReservationReads, DueQueue, Protocol):
    """A dialdeck database, open. Not shared between threads: one store per thread."""

    @property
    def location(self) -> str:
        """What the database is called in messages (a file path, a URL without password)."""
        ...

    def writing(self) -> AbstractContextManager[Writer]:
        """One write transaction (see the module's conventions). Nested use is a savepoint."""
        ...

    def importing(self) -> AbstractContextManager[ImportBatch]:
        """One write transaction for a whole import."""
        ...

    def search_prospects(self, text: str, limit: int) -> list[ProspectRow]:
        """Prospects whose name, company, e-mail or number holds ``text`` (a number: its
        digits, three or more), by last name, first name, id."""
        ...

    def dnc_entries(self) -> list[DncEntry]:
        """The do-not-call list, oldest first."""
        ...

    def session(self, session_id: int) -> SessionRow | None: ...

    def session_outcomes(self, session_id: int) -> dict[str, float]:
        """One session's attempts counted: dials, voicemails, connects, no_answers, busy,
        wrong_numbers, do_not_call, meetings_booked, not_interested, callbacks, emails_sent,
        tasks_done, timed_calls (calls dialdeck placed, with what the network said) as ints;
        talk_seconds (float: the talk time of its timed calls, 0.0 if none)."""
        ...

    def owned_counts(self) -> dict[int | None, int]:
        """How many prospects each rep owns (None: the pool)."""

    def activity_by_rep(self, since: Time, until: Time) -> list[dict]:
        """Per rep (``rep_id``, None for attempts made before reps) over [since, until]: dials,
        voicemails, connects, meetings_booked, timed_calls (calls dialdeck placed, with what the
        network said) and talk_seconds (float: their talk time, 0.0 if none)."""

    def activity_by_cadence(self, since: Time, until: Time) -> list[dict]:
        """Per cadence, most dials first: cadence, dials, voicemails, connects, meetings_booked,
        not_interested, do_not_call, emails_sent, tasks_done of attempts in [since, until]."""
        ...

    def sessions_between(self, since: Time, until: Time) -> list[dict]:
        """Sessions that ran in [since, until], oldest first: id, started_at, ended_at, dials
        (the whole session's), last_at (its newest attempt, or None), timed_calls (calls
        dialdeck placed) and talk_seconds (their talk time, 0.0 if none)."""
        ...

    def export(self, *, with_attempts: bool = True) -> Iterator[ExportRecord]:
        """Every prospect in id order, streamed: memory stays flat however many there are."""
        ...

    def where_is_time(self, text: str) -> str:
        """'enrollments.next_due_at, id 3': the first time column holding ``text`` ('' if
        none). Slow (it scans): only to report a stored time that cannot be read."""
        ...

    def close(self) -> None: ...
