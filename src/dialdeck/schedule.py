"""The scheduler: from a cadence, a prospect's situation, an outcome and ``now``, the next step
and the instant it is due.

Pure: no I/O, no wall clock. Every instant in and out is an aware datetime; results are UTC.
The due time of a step is built in this order:

1. the base time from the step's timing (a wait after ``now``, the next promised weekday/time,
   the appointment);
2. alignment to the step's ``at`` or time-of-day slot in the prospect's zone (a slot after a
   wait in minutes or hours means that slot the same day, else the next morning);
3. unless pinned, the number-reputation guardrails (cooldown after the last call to the number,
   at most ``max_per_day`` calls per prospect-local day);
4. the prospect's calling hours (``hours.next_callable``).

Steps 2-4 repeat until they agree, so a slot still holds after the calling hours pushed the call
to Monday. Pinned times (promises, appointments) pass through the calling hours once, before they
are stored and rendered, so what a script promises is a time the due queue will show; nothing
else moves them. A callback the rep types outside the calling hours is refused instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialdeck import guard
from dialdeck.cadence import SLOTS, Cadence, Step, Timing
from dialdeck.clock import UTC
from dialdeck.errors import InvalidInput, NotFound
from dialdeck.hours import CallingWindow, add_business_days, next_callable
from dialdeck.models import CALL_OUTCOMES, DISPOSITIONS, OUTCOMES, RepProfile

ACTIVE = "active"
CONNECTED = "connected"
FINISHED = "finished"
# Statuses that never come due again.
TERMINAL = frozenset({FINISHED, "booked", "not-interested", "wrong-number", "dnc"})
# Outcomes a rep may still log once the call connected and before the disposition: the person
# who answered can be the wrong one, or ask never to be called again.
_AFTER_CONNECT = frozenset({"wrong-number", "do-not-call"})
# How often the align / guard / hours passes may disagree before calling hours win outright.
_SETTLE_ROUNDS = 16
# Continue chains longer than this are a loop of cadences that skip every step for this lead.
_MAX_HOPS = 32


@dataclass(frozen=True)
class Guardrails:
    """Number reputation: spacing and a daily cap on calls to one number."""

    cooldown: timedelta = timedelta(minutes=180)
    max_per_day: int = 3

    def __post_init__(self) -> None:
        if self.cooldown < timedelta(0):
            raise ValueError("cooldown cannot be negative")
        if self.max_per_day < 1:
            raise ValueError("max_per_day must allow at least one call a day")

    @classmethod
    def of(cls, profile: RepProfile) -> Guardrails:
        """The rep's guardrails, as their settings (``guard.*``) say."""
        return cls(cooldown=timedelta(minutes=profile.cooldown_minutes), max_per_day=profile.max_per_day)


# How far back the guardrails look at earlier calls (cooldown, calls per local day): the
# calls a Context's ``recent_attempts`` holds.
RECENT_CALLS = timedelta(days=8)


@dataclass(frozen=True)
class Context:
    """What the scheduler needs to know about the prospect, besides their position."""

    zone: ZoneInfo
    window: CallingWindow
    temperature: str  # "warm" | "cold"
    value: float | None
    appointment_at: datetime | None
    # UTC instants of earlier CALL attempts to this number (last 8 days), oldest first, not
    # including the one being logged. For apply_disposition, include the connected call.
    recent_attempts: tuple[datetime, ...] = ()
    guard: Guardrails = field(default_factory=Guardrails)
    name: str = ""  # the prospect's name, for messages a rep reads ("Ann Lee's calling hours")
    # Without an email address there is nothing to send: email steps are passed over, and no
    # script promises an email that cannot go.
    has_email: bool = True


@dataclass(frozen=True)
class Position:
    cadence: str
    step_index: int  # 0-based
    status: str
    next_due_at: datetime | None
    pinned: bool
    retries: int  # no-answer retries used on the current step
    # A call promised on a voicemail or email ({next_call}) that email/social/task steps lie
    # before: they keep it here, and the call step is then due at exactly this instant.
    promised_at: datetime | None = None


@dataclass(frozen=True)
class Transition:
    position: Position
    add_dnc: bool = False
    needs_disposition: bool = False


# ---------------------------------------------------------------------------------------------
# Public use


def variant_for(cadence: Cadence, temperature: str, value: float | None) -> str:
    """"cold" (the lighter variant) for cold leads and leads below the cadence's value bar."""
    if temperature == "cold":
        return "cold"
    if cadence.low_value_below is not None and value is not None and value < cadence.low_value_below:
        return "cold"
    return "warm"


def enroll(library: Mapping[str, Cadence], cadence_name: str, ctx: Context, now: datetime) -> Position:
    """The position of a prospect who starts ``cadence_name`` at ``now``."""
    cadence = cadence_named(library, cadence_name)
    return _advance(library, cadence, -1, ctx, _utc(now), ctx.recent_attempts)


def apply_outcome(library: Mapping[str, Cadence], pos: Position, ctx: Context, outcome: str,
                  now: datetime, *, said_next_call: bool | None = None) -> Transition:
    """Where the prospect stands after the rep logs ``outcome`` for the current step at ``now``.

    ``said_next_call``: whether the message delivered (the voicemail left, the email sent)
    named the next call, as rendered for this prospect; None reads it from the step's texts
    (any of their parts).
    """
    cadence, step = _current(library, pos, ctx)
    _check_outcome(cadence, step, pos, outcome)
    now = _utc(now)
    attempts = _with_attempt(ctx.recent_attempts, now) if step.action == "call" else ctx.recent_attempts
    if outcome == "connected":
        return Transition(_stopped(pos, CONNECTED), needs_disposition=True)
    if outcome == "wrong-number":
        return Transition(_stopped(pos, "wrong-number"))
    if outcome == "do-not-call":
        return Transition(_stopped(pos, "dnc"), add_dnc=True)
    if outcome == "busy":
        return Transition(_retry(pos, now + ctx.guard.cooldown, None, ctx, attempts, pos.retries))
    if outcome == "no-answer" and pos.retries < cadence.retries_for(step):
        start, slot = _next_slot_start(now, ctx.zone)
        return Transition(_retry(pos, start, slot, ctx, attempts, pos.retries + 1))
    promise = _promise_kept(library, pos, ctx, step, outcome, now, said_next_call)
    return Transition(_advance(library, cadence, pos.step_index, ctx, now, attempts, promise))


def apply_disposition(library: Mapping[str, Cadence], pos: Position, ctx: Context, disposition: str,
                      now: datetime, callback_at: datetime | None = None) -> Transition:
    """The rep's decision after a connected call. ``ctx.recent_attempts`` includes that call."""
    if disposition not in DISPOSITIONS:
        raise InvalidInput(f"unknown disposition {disposition!r} (one of: {', '.join(DISPOSITIONS)})")
    if pos.status != CONNECTED:
        raise InvalidInput(f"a disposition follows a connected call; this prospect is {pos.status}")
    now = _utc(now)
    if disposition == "callback":
        return Transition(_callback(pos, ctx, now, callback_at))
    if disposition in ("booked", "not-interested"):
        return Transition(_stopped(pos, disposition))
    cadence = cadence_named(library, pos.cadence)
    return Transition(_advance(library, cadence, pos.step_index, ctx, now, ctx.recent_attempts))


def promised_next(library: Mapping[str, Cadence], pos: Position, ctx: Context,
                  now: datetime) -> datetime | None:
    """When the next call would be due if the rep completes this step now (what {next_call} says).

    For a call step that is "leave the voicemail now"; for email/social/task steps, "mark it
    done now". When the next step is an email or a task ("I'll send you an email"), the promise
    is about the call after it, assuming those steps are done the moment they come due. None
    when the cadence finishes first, or the prospect is out of the cadence.
    """
    if pos.status in TERMINAL:
        return None
    now = _utc(now)
    cadence, step = _current(library, pos, ctx)
    attempts = _with_attempt(ctx.recent_attempts, now) if step.action == "call" else ctx.recent_attempts
    nxt = _advance(library, cadence, pos.step_index, ctx, now, attempts, pos.promised_at)
    for _ in range(_MAX_HOPS):
        if nxt.status != ACTIVE:
            return None
        cadence, step = _current(library, nxt, ctx)
        # An active position always has a due time (only a finished one has none).
        if step.action == "call" or nxt.next_due_at is None:
            return nxt.next_due_at
        nxt = _advance(library, cadence, nxt.step_index, ctx, nxt.next_due_at, attempts, nxt.promised_at)
    return None


def pin_at(library: Mapping[str, Cadence], pos: Position, ctx: Context, at: datetime,
           now: datetime) -> Position:
    """The prospect picked a time they were offered: the next call is due exactly then.

    On a call step that call is pinned at ``at``; on an email, social or task step the time is
    carried (``promised_at``) to the call after it, as a voicemail's promise is.
    """
    if pos.status != ACTIVE:
        raise InvalidInput(f"this prospect is {pos.status}: nothing is scheduled to move")
    now, at = _utc(now), _utc(at)
    refusal = guard.callback_refusal(at, now, ctx.zone, ctx.window, ctx.name)
    if refusal is not None:
        raise InvalidInput(refusal)
    step = _current(library, pos, ctx)[1]
    if step.action == "call":
        return Position(pos.cadence, pos.step_index, ACTIVE, at, True, 0)
    return Position(pos.cadence, pos.step_index, ACTIVE, pos.next_due_at, pos.pinned, pos.retries, at)


def current_step(library: Mapping[str, Cadence], pos: Position, ctx: Context) -> Step:
    """The step the prospect is on, as their variant sees it."""
    return _current(library, pos, ctx)[1]


# ---------------------------------------------------------------------------------------------
# Moving through a cadence


def cadence_named(library: Mapping[str, Cadence], name: str) -> Cadence:
    """The library's cadence ``name``; NotFound naming the known ones when it has none (a
    prospect enrolled in a user cadence whose file was since removed, or skipped as broken)."""
    try:
        return library[name]
    except KeyError:
        raise NotFound(f"no cadence named {name!r} (known: {', '.join(sorted(library))})") from None


def _current(library: Mapping[str, Cadence], pos: Position, ctx: Context) -> tuple[Cadence, Step]:
    cadence = cadence_named(library, pos.cadence)
    if not 0 <= pos.step_index < len(cadence.steps):
        raise InvalidInput(f"{cadence.name} has no step {pos.step_index + 1}")
    variant = variant_for(cadence, ctx.temperature, ctx.value)
    # The lead's temperature may have changed since it reached a step its variant now skips;
    # it still gets a script: the step as written.
    step = cadence.step(pos.step_index, variant) or cadence.steps[pos.step_index]
    return cadence, step


def _check_outcome(cadence: Cadence, step: Step, pos: Position, outcome: str) -> None:
    if outcome not in OUTCOMES:
        raise InvalidInput(f"unknown outcome {outcome!r} (one of: {', '.join(OUTCOMES)})")
    if pos.status == CONNECTED and outcome not in _AFTER_CONNECT:
        raise InvalidInput("the call connected: choose a disposition (callback, booked, not-interested, "
                           "continue) before logging another outcome")
    if pos.status not in (ACTIVE, CONNECTED):
        raise InvalidInput(f"this prospect is {pos.status} in {cadence.name}: nothing is due")
    if outcome == "do-not-call":
        return  # a prospect can ask for it whatever the step
    expected = {"email": "sent", "social": "done", "task": "done"}.get(step.action)
    if expected is None and outcome not in CALL_OUTCOMES:
        raise InvalidInput(f"step {step.number} of {cadence.name} is a call: {outcome!r} is for email, "
                           f"social and task steps")
    if expected is not None and outcome != expected:
        raise InvalidInput(f"step {step.number} of {cadence.name} is {step.action}: log {expected!r}, "
                           f"not {outcome!r}")


def _promise_kept(library: Mapping[str, Cadence], pos: Position, ctx: Context, step: Step,
                  outcome: str, now: datetime, said_next_call: bool | None) -> datetime | None:
    """The next call the prospect has been promised once this step is complete, if any.

    A voicemail or an email that says {next_call} promises the very instant promised_next
    computes at the same ``now`` (what the script said); a step that says nothing keeps a
    promise made before it, while it is still ahead.
    """
    if said_next_call is None:
        delivered = {"voicemail": (step.voicemail,), "sent": (step.subject, step.body)}.get(outcome, ())
        said_next_call = any(text is not None and text.uses("next_call") for text in delivered)
    if said_next_call and outcome in ("voicemail", "sent"):
        return promised_next(library, pos, ctx, now)
    if pos.promised_at is not None and pos.promised_at >= now:
        return pos.promised_at
    return None


def _stopped(pos: Position, status: str) -> Position:
    """Off the queue: connected (awaiting a disposition) or for good."""
    return Position(pos.cadence, pos.step_index, status, None, False, pos.retries)


def _callback(pos: Position, ctx: Context, now: datetime, callback_at: datetime | None) -> Position:
    if callback_at is None or callback_at.tzinfo is None:
        raise InvalidInput("a callback needs a time (with its zone)")
    # The due queue only shows callable prospects: a promise outside the hours would vanish.
    refusal = guard.callback_refusal(callback_at, now, ctx.zone, ctx.window, ctx.name)
    if refusal is not None:
        raise InvalidInput(refusal)
    # The rep's word to the prospect: exact, whatever the cooldown says.
    return Position(pos.cadence, pos.step_index, ACTIVE, callback_at.astimezone(UTC), True, 0)


def _retry(pos: Position, base: datetime, slot: str | None, ctx: Context,
           attempts: tuple[datetime, ...], retries: int) -> Position:
    align = _slot_aligner(SLOTS[slot], ctx.zone) if slot else None
    due = _settle(base, ctx, attempts, align, guarded=True)
    return Position(pos.cadence, pos.step_index, ACTIVE, due, False, retries)


def _advance(library: Mapping[str, Cadence], cadence: Cadence, index: int, ctx: Context,
             now: datetime, attempts: tuple[datetime, ...], promise: datetime | None = None) -> Position:
    """The next step this lead's variant takes after ``index``, following continue_with.

    ``promise`` is a call already promised: the next call step is due at exactly that instant
    (pinned) while it is still ahead; email/social/task steps before it come due as they would
    and carry it on.
    """
    for _ in range(_MAX_HOPS):
        variant = variant_for(cadence, ctx.temperature, ctx.value)
        steps = cadence.variants[variant]
        for nxt in range(index + 1, len(steps)):
            step = steps[nxt]
            if step is None or (step.action == "email" and not ctx.has_email):
                continue
            if step.action != "call":
                due, pinned = _due(step, ctx, now, attempts)
                return Position(cadence.name, nxt, ACTIVE, due, pinned, 0, promise)
            if promise is not None and promise >= now:
                return Position(cadence.name, nxt, ACTIVE, _callable(promise, ctx), True, 0)
            due, pinned = _due(step, ctx, now, attempts)
            return Position(cadence.name, nxt, ACTIVE, due, pinned, 0)
        if cadence.after_last != "continue" or cadence.continue_with is None:
            break
        cadence, index = cadence_named(library, cadence.continue_with), -1
    return Position(cadence.name, max(index, 0), FINISHED, None, False, 0)


# ---------------------------------------------------------------------------------------------
# Due times


def _due(step: Step, ctx: Context, now: datetime, attempts: tuple[datetime, ...]) -> tuple[datetime, bool]:
    """The instant ``step`` comes due when it becomes current at ``now``, and whether pinned."""
    timing = step.timing
    if timing.at_appointment:
        if ctx.appointment_at is not None and ctx.appointment_at >= now:
            return _callable(ctx.appointment_at, ctx), True
        # No agreed time (or it has passed): call as soon as the rules allow.
        return _settle(now, ctx, attempts, None, guarded=step.action == "call"), False
    if timing.weekday is not None and timing.at is not None:  # the parser requires at with weekday
        return _callable(_next_weekday_at(now, timing.weekday, timing.at, ctx.zone), ctx), True
    if timing.promise:
        return _callable(_after_wait(now, timing, ctx.zone), ctx), True
    base = max(_after_wait(now, timing, ctx.zone), now)
    return _settle(base, ctx, attempts, _aligner(timing, ctx, base), guarded=step.action == "call"), False


def _callable(promised: datetime, ctx: Context) -> datetime:
    """A promised time moved into the calling hours (Friday 8 a.m. is 9 a.m. in Texas), so the
    script promises, and the store keeps, a time the due queue will show. No guardrails: a
    promise is exempt from the cooldown and the daily cap."""
    return next_callable(promised, ctx.zone, ctx.window)


def _after_wait(now: datetime, timing: Timing, zone: ZoneInfo) -> datetime:
    """Base time: exact spans for minutes/hours; local calendar days (DST-safe) otherwise."""
    wait = timing.wait
    # The cadence parser sets a wait on every timing that is neither a weekday nor the appointment.
    assert wait is not None
    if wait.unit == "minutes":
        return now + timedelta(minutes=wait.amount)
    if wait.unit == "hours":
        return now + timedelta(hours=wait.amount)
    local = now.astimezone(zone)
    day = add_business_days(local.date(), wait.amount) if wait.unit == "business days" else (
        local.date() + timedelta(days=wait.amount * (7 if wait.unit == "weeks" else 1)))
    if timing.at is not None:
        return _local(day, timing.at, zone)
    same_time = _local(day, local.time().replace(tzinfo=None), zone)
    if timing.slot is None:
        return same_time
    # The wait chose the day; the slot chooses the hour on that day (keeping the hour if it fits).
    start, end = SLOTS[timing.slot]
    if _local(day, start, zone) <= same_time < _local(day, end, zone):
        return same_time
    return _local(day, start, zone)


def _next_weekday_at(now: datetime, weekday: int, at: time, zone: ZoneInfo) -> datetime:
    """The first ``weekday`` ``at`` (local) strictly after ``now``."""
    today = now.astimezone(zone).date()
    for offset in range(8):
        day = today + timedelta(days=offset)
        if day.weekday() == weekday:
            candidate = _local(day, at, zone)
            if candidate > now:
                return candidate
    raise AssertionError("a weekday comes round within eight days")


def _aligner(timing: Timing, ctx: Context, base: datetime) -> Callable[[datetime], datetime] | None:
    zone = ctx.zone
    if timing.at is not None:
        return _slot_aligner((timing.at, timing.at), zone)
    if timing.slot is None:
        return None
    if timing.wait is not None and not timing.wait.in_days:
        day = base.astimezone(zone).date()
        if not _slot_callable_on(day, SLOTS[timing.slot], ctx):
            return None  # no such slot within today's hours: the hours alone decide
        return _slot_today_aligner(SLOTS[timing.slot], zone, day)
    return _slot_aligner(SLOTS[timing.slot], zone)


def _slot_callable_on(day: date, bounds: tuple[time, time], ctx: Context) -> bool:
    start, end = (_local(day, clock, ctx.zone) for clock in bounds)
    return next_callable(start, ctx.zone, ctx.window) < end


def _slot_today_aligner(bounds: tuple[time, time], zone: ZoneInfo, day: date) -> Callable[[datetime], datetime]:
    """A short wait with a slot means "this afternoon": the slot on ``day``; once the slot (or
    the cooldown) has run past it, the next morning rather than a whole day later in the slot.
    """
    same_day = _slot_aligner(bounds, zone)
    morning = SLOTS["morning"][0]

    def align(instant: datetime) -> datetime:
        local_day = instant.astimezone(zone).date()
        if local_day > day:
            return max(instant, _local(local_day, morning, zone))
        moved = same_day(instant)
        if moved.astimezone(zone).date() == local_day:
            return moved
        return _local(local_day + timedelta(days=1), morning, zone)

    return align


def _slot_aligner(bounds: tuple[time, time], zone: ZoneInfo) -> Callable[[datetime], datetime]:
    """Moves an instant forward to the next moment inside the local window ``bounds``.

    A zero-length window (start == end) is an exact local time. Compared as instants, so a
    local time that a DST gap skips still aligns to itself on the next pass (idempotent).
    """
    start_t, end_t = bounds

    def align(instant: datetime) -> datetime:
        day = instant.astimezone(zone).date()
        start = _local(day, start_t, zone)
        end = _local(day, end_t, zone)
        if instant <= start:
            return start
        if instant < end:
            return instant
        return _local(day + timedelta(days=1), start_t, zone)

    return align


def _next_slot_start(now: datetime, zone: ZoneInfo) -> tuple[datetime, str]:
    """Another time of day for a no-answer retry: the first slot starting at or after the end of
    the slot ``now`` falls in (the latest-ending one if two overlap), tomorrow's morning last."""
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    containing = [end for start, end in SLOTS.values() if start <= clock < end]
    after = max(containing) if containing else clock
    for name, (start, _end) in SLOTS.items():
        if start >= after:
            return _local(local.date(), start, zone), name
    return _local(local.date() + timedelta(days=1), SLOTS["morning"][0], zone), "morning"


def _settle(base: datetime, ctx: Context, attempts: tuple[datetime, ...],
            align: Callable[[datetime], datetime] | None, *, guarded: bool) -> datetime:
    """Apply alignment, guardrails and calling hours until they all agree.

    Each pass only moves time forward. When a slot lies wholly outside the calling hours the
    passes would chase each other forever: then the calling hours win and the slot is dropped.
    """
    candidate = base
    for _ in range(_SETTLE_ROUNDS):
        moved = align(candidate) if align else candidate
        if guarded:
            moved = _guard(moved, ctx, attempts)
        moved = next_callable(moved, ctx.zone, ctx.window)
        if moved == candidate:
            return candidate
        candidate = moved
    if align is None:
        raise AssertionError("guardrails and calling hours always settle")
    return _settle(base, ctx, attempts, None, guarded=guarded)


def _guard(candidate: datetime, ctx: Context, attempts: tuple[datetime, ...]) -> datetime:
    """Cooldown after the last call, then the per-day cap in the prospect's local days."""
    if not attempts:
        return candidate
    candidate = max(candidate, max(attempts) + ctx.guard.cooldown)
    while _calls_on_day(candidate, attempts, ctx.zone) >= ctx.guard.max_per_day:
        next_day = candidate.astimezone(ctx.zone).date() + timedelta(days=1)
        candidate = _local(next_day, time(0), ctx.zone)
    return candidate


def _calls_on_day(instant: datetime, attempts: tuple[datetime, ...], zone: ZoneInfo) -> int:
    day = instant.astimezone(zone).date()
    return sum(1 for attempt in attempts if attempt.astimezone(zone).date() == day)


def _with_attempt(attempts: tuple[datetime, ...], now: datetime) -> tuple[datetime, ...]:
    return (*attempts, now)


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise InvalidInput(f"naive time {instant.isoformat()} has no zone")
    return instant.astimezone(UTC)


def _local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time on ``day`` as a UTC instant (a DST gap resolves forward)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
