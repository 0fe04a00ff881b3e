"""The values that cross from the services to the CLI and the TUI.

Plain frozen dataclasses: no Textual, no SQLite. Times are aware UTC datetimes; a view
converts them to the rep's or the prospect's zone at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # hours.py imports this module; the card only carries the window along
    from dialdeck.hours import CallingWindow

# Outcome names as typed on the command line and stored in attempts.outcome.
OUTCOMES = ("no-answer", "voicemail", "connected", "busy", "wrong-number", "do-not-call", "sent", "done")
CALL_OUTCOMES = ("no-answer", "voicemail", "connected", "busy", "wrong-number", "do-not-call")
# What the network said of a call dialdeck placed (dialers.RESULTS; a test keeps them in step).
NETWORK_RESULTS = ("answered", "busy", "no-answer", "failed")
# What a rep decides after a connected call.
DISPOSITIONS = ("callback", "booked", "not-interested", "continue")
# Enrollment statuses. Only "active" enrollments are ever due.
STATUSES = ("active", "connected", "finished", "booked", "not-interested", "wrong-number", "dnc")
ACTIONS = ("call", "email", "social", "task")
TEMPERATURES = ("warm", "cold")


# What a script says for the rep's number while rep.phone is unset: a visible blank to fill in,
# as "Your Name" is, rather than "reach me at ." read aloud with nothing after it.
UNSET_PHONE_SPOKEN = "Your Number"


@dataclass(frozen=True)
class Rep:
    """One of the team's reps: what ``--rep NAME`` selects (the profile is their own settings)."""

    id: int
    name: str


@dataclass(frozen=True)
class RepProfile:
    """The rep's profile and calling policy, kept in the database's settings table."""

    name: str = "Your Name"
    phone: str = ""  # E.164
    company: str = "Your Company"
    timezone: str = "America/New_York"
    region: str = "US"  # default region for numbers written without a country code
    hours_start: str = "08:00"
    hours_end: str = "21:00"
    days: str = "mon,tue,wed,thu,fri"
    cooldown_minutes: int = 180  # least time between two attempts to one number (promises excepted)
    max_per_day: int = 3  # most attempts to one number per local day


@dataclass(frozen=True)
class TeamMember:
    """One rep as ``dialdeck reps`` lists them."""

    rep: Rep
    profile: RepProfile
    owned: int  # prospects they own (the pool is everyone's)
    dials_today: int  # calls they made since midnight in their zone
    attempts_today: int  # every logged step: calls, emails, tasks


@dataclass(frozen=True)
class Prospect:
    id: int
    first_name: str
    last_name: str
    company: str
    phone_e164: str
    phone_raw: str
    email: str
    timezone: str
    tz_source: str  # "file", "number" or "rep" (fallback, flagged in the UI)
    region: str  # ISO country code of the number
    subdivision: str | None  # e.g. "US-FL", when the number pins a state
    temperature: str  # "warm" or "cold"
    value: float | None
    referrer: str
    referrer_company: str
    appointment_at: datetime | None
    notes: str
    phone_ext: str = ""  # the extension of phone_e164 ("12"), "" when none
    phone_label: str = "phone"  # the column the number came from: phone, direct, work, mobile, home, other
    benefit: str = ""  # what the rep wrote this prospect stands to gain ({benefit} in scripts)
    urgent: bool = False  # the rep marked it urgent: money-in scripts then leave a message
    urgent_reason: str = ""  # why, in the rep's words ({urgent_reason})
    owner_rep_id: int | None = None  # the rep who owns them (their queue only); None: the shared pool

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class ContactNumber:
    """One of a prospect's numbers, as the card lists them (the prospect's own first)."""

    label: str  # phone, direct, work, mobile, home, other
    e164: str
    extension: str  # "" when none
    primary: bool  # the prospect's own number: the queue, calling hours and the guardrails go by it
    dnc: bool  # on the do-not-call list: shown, never dialled


@dataclass(frozen=True)
class Enrollment:
    prospect_id: int
    cadence: str
    step_index: int  # 0-based; step == step_index + 1
    steps_total: int
    status: str
    next_due_at: datetime | None
    pinned: bool  # a promised time: kept exactly, first in the queue when it comes
    retries: int  # no-answer retries used on the current step
    promised_at: datetime | None = None  # a call promised beyond the email or task steps now due

    @property
    def step(self) -> int:
        return self.step_index + 1


@dataclass(frozen=True)
class Attempt:
    id: int
    prospect_id: int
    cadence: str
    step: int  # 1-based
    action: str
    outcome: str
    at: datetime
    note: str
    session_id: int | None
    # Set when the call was logged with --force against the guard: the refusal it overrode.
    forced_reason: str | None = None
    number: str | None = None  # the number used, '+14045550111;ext=12' (phones.number_text); None: not a call
    # What the network said of a call dialdeck placed (None: dialled by hand or handed off).
    ring_seconds: float | None = None
    talk_seconds: float | None = None
    network_result: str | None = None  # answered, busy, no-answer, failed
    recording_dropped: bool = False  # the step's voicemail recording was played into the call
    rep: str | None = None  # the name of the rep who made it (None: not asked for, or before reps)


@dataclass(frozen=True)
class CallFacts:
    """What the phone side knows of one placed call, kept on its attempt (``log_outcome(call=)``)."""

    number: str  # the number dialled: E.164, or phones.number_text with its extension
    ring_seconds: float | None = None
    talk_seconds: float | None = None
    network_result: str | None = None  # dialers RESULTS: answered, busy, no-answer, failed; None: handed off
    recording_dropped: bool = False


@dataclass(frozen=True)
class DialPlan:
    """What to dial for a prospect, once the guard has let the call through (``services.dial_plan``)."""

    prospect_id: int
    name: str  # the prospect's display name
    number_e164: str
    extension: str | None
    cadence: str
    step: int  # 1-based, as cadence files, scripts and ``recording set`` number steps
    recording: Path | None  # the call-ready voicemail recording for this step, if one is set


@dataclass(frozen=True)
class Recording:
    """A voicemail recording the rep stored for one cadence step (``dialdeck recording``)."""

    cadence: str
    step: int  # 1-based
    seconds: float  # its length
    path: Path  # the call-ready copy (8 kHz mono 16-bit PCM WAV)


@dataclass(frozen=True)
class Note:
    """One note about a prospect: the CRM's note from an import, or one the rep typed."""

    id: int
    prospect_id: int
    at: datetime  # when it was typed, or imported (a CRM note carries no time of its own)
    text: str
    source: str  # "crm" or "rep"
    session_id: int | None = None
    attempt_id: int | None = None  # the call just made when the rep typed it


@dataclass(frozen=True)
class DueItem:
    """One row of the due queue, in calling order."""

    prospect_id: int
    name: str
    company: str
    phone: str  # E.164
    timezone: str
    cadence: str
    step: int  # 1-based
    steps_total: int
    action: str
    due_at: datetime
    pinned: bool
    overdue: bool  # due before today began in the rep's zone
    temperature: str
    value: float | None
    tz_flagged: bool  # the zone is the rep's fallback, not known for the prospect


@dataclass(frozen=True)
class Script:
    """What to say or do for one step, fully rendered for one prospect."""

    action: str
    voicemail: str | None  # None: don't leave a message
    talk_track: str | None  # None: the step has none (an email step)
    subject: str  # "" where the step has none, like the three below
    body: str
    instructions: str
    tip: str
    urgent: bool
    next_call_at: datetime | None  # the instant the script promises (None if it promises none)
    # Which of the texts above name next_call_at ("voicemail", "subject", "body"...): leaving
    # that voicemail or sending that email is what makes the promise.
    next_call_in: tuple[str, ...] = ()
    offers: tuple[datetime, ...] = ()  # the times this email offers ({slots}), in order
    # Times an email already sent offered that are still ahead: the prospect may reply with one.
    pickable: tuple[datetime, ...] = ()
    callback: bool = False  # the callback's own words, not the step's (an agreed callback)


@dataclass(frozen=True)
class CallVerdict:
    """Whether a prospect may be called at one instant (``guard.may_call`` decides), and if not, why."""

    blocked_reason: str | None = None  # one sentence a rep reads; None: they may be called now
    headline: str = ""  # the reason in a few words, for the card: "outside their hours 08:00-20:00 (US-FL)"
    callable_at: datetime | None = None  # when blocked: the first instant they may be (None: never)

    @property
    def allowed(self) -> bool:
        return self.blocked_reason is None


@dataclass(frozen=True)
class CallCard:
    """Everything the session screen shows for the prospect being called."""

    prospect: Prospect
    enrollment: Enrollment
    script: Script
    attempts: tuple[Attempt, ...]  # this cadence's attempts so far, oldest first
    # Their calling window (with the state rule), so snooze and callback choices land inside it.
    window: CallingWindow
    # May they be called at the instant the card was loaded (the call keys follow it).
    verdict: CallVerdict = field(default_factory=CallVerdict)
    numbers: tuple[ContactNumber, ...] = ()  # every number of the prospect, their own first
    notes: tuple[Note, ...] = ()  # the newest few notes, newest first (CARD_NOTES at most)
    notes_total: int = 0  # how many notes the prospect has in all


@dataclass(frozen=True)
class OutcomeResult:
    attempt_id: int | None
    prospect_id: int
    outcome: str
    status: str
    step: int | None  # 1-based step now current, None when finished
    cadence: str | None
    next_due_at: datetime | None
    needs_disposition: bool = False
    forced_reason: str | None = None  # logged with --force: the guard's refusal it overrode
    warnings: tuple[str, ...] = ()  # logged, but worth telling the rep (a message left off-script)


@dataclass(frozen=True)
class QueueSummary:
    due_now: int  # callable now
    later_today: int  # due later today (rep's day), or due but outside hours until later today
    outside_hours: int  # due, but their calling window is closed now
    next_item: DueItem | None  # the next one to come due, for the empty state
    # Counting stops at ``cap`` so a keypress never counts a million rows: a count that reached
    # it means "at least that many" (shown "1,000+"). cap None: counts are exact.
    capped: bool = False
    cap: int | None = None
    # Why next_item comes next: "promise" (a promised time), "due" (its due time, inside its
    # hours) or "opens" (its calling window opens then). "" when there is no next item.
    next_kind: str = ""
    # The first of those due now but outside their hours to become callable (due_at: when their
    # window opens), whether or not something else comes before it.
    next_opening: DueItem | None = None

    def shown(self, count: int) -> str:
        """A count as a rep reads it: "1,000+" where counting stopped at the cap."""
        if self.capped and self.cap is not None and count >= self.cap:
            return f"{self.cap:,}+"
        return f"{count:,}"


# Dials per hour is shown once a session has run this long: after one dial in the first minute
# a rate reads "60.0 per hour", a figure nobody dialled. Before it the rate shows as "—".
RATE_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class SessionStats:
    session_id: int
    started_at: datetime
    dials: int
    voicemails: int
    connects: int
    # What the session's calls and touches came to (the summary shows them all).
    no_answers: int = 0
    busy: int = 0
    wrong_numbers: int = 0
    do_not_call: int = 0
    meetings_booked: int = 0
    not_interested: int = 0
    callbacks: int = 0  # callbacks agreed on a connected call
    emails_sent: int = 0
    tasks_done: int = 0  # task and social steps marked done
    timed_calls: int = 0  # calls dialdeck placed itself: their ring and talk time are known
    talk_seconds: float = 0.0  # time on the answered ones among them

    def per_hour(self, now: datetime) -> float:
        hours = max((now - self.started_at).total_seconds() / 3600, 1 / 60)
        return self.dials / hours

    def rate(self, now: datetime) -> float | None:
        """Dials per hour, or None while the session is younger than RATE_AFTER."""
        if now - self.started_at < RATE_AFTER:
            return None
        return self.per_hour(now)

    def shown_rate(self, now: datetime) -> str:
        """The rate as the session bar and summary show it: "24.0", or "—" early on."""
        rate = self.rate(now)
        return "—" if rate is None else f"{rate:.1f}"


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    enrolled: int
    skipped_dnc: int
    rejected: int
    rejected_file: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)  # e.g. "line 7: zone unknown, used rep's"
    # The rows above are committed, but their rejects file could not be written: why, and each
    # rejected row's problems ("line 7: phone: ..."), so they are not lost.
    rejects_error: str | None = None
    unsaved_rejects: tuple[str, ...] = field(default_factory=tuple)


# --- the activity report (services.report) --------------------------------------------

@dataclass(frozen=True)
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


@dataclass(frozen=True)
class SessionActivity:
    """One calling session that ran during the report's days."""

    session_id: int
    started_at: datetime
    ended_at: datetime | None  # None: not closed (still open, or the app was killed)
    dials: int
    dials_per_hour: float
    talk_seconds: float | None = None  # talk time of the calls dialdeck placed; None: none was timed


@dataclass(frozen=True)
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
    by_rep: tuple[RepActivity, ...] = ()  # each rep's share of the figures above (the team's total)


@dataclass(frozen=True)
class RepActivity:
    """One rep's figures in a report."""

    rep: str  # their name ("(no rep)" for attempts logged before reps, which none should be)
    dials: int
    voicemails: int
    connects: int
    meetings_booked: int
    talk_seconds: float | None  # on the calls dialdeck placed and timed; None: none of theirs was




@dataclass(frozen=True)
class TableCopy:
    """One table moved from one database into another (``dialdeck migrate``): its rows counted
    on both sides, and on both a checksum computed the same way (an ordered hash of every row's
    values, in primary-key order), so equal figures mean nothing was lost or changed."""

    table: str
    source_rows: int
    target_rows: int
    source_checksum: str  # sha256, hex
    target_checksum: str

    @property
    def same(self) -> bool:
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


@dataclass(frozen=True)
class Claim:
    """A prospect handed to one rep (``dialdeck next``, the session's card): theirs alone until
    they log it, release it, or ``reserved_until`` passes."""

    item: DueItem
    reserved_until: datetime


@dataclass(frozen=True)
class Hold:
    """Who holds a prospect reserved, and until when (the due list says so)."""

    prospect_id: int
    rep_id: int
    rep_name: str
    until: datetime


@dataclass(frozen=True)
class TeamToday:
    """What the whole team logged since the start of the rep's day (the session bar)."""

    dials: int
    connects: int
