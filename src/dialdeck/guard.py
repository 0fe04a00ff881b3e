"""The guard: may this prospect be called at ``now``, and if not, why and from when.

The one answer every path asks before a call is made or logged: the call card and its keys in
the TUI, ``dialdeck log`` (which refuses unless ``--force``), and the dialers. Pure: the caller
passes the instant and what the store knows (recent calls, the do-not-call list, the status).

What it checks, in this order (the first that fails is the reason given):

1. the enrollment is active: a finished cadence, a booked meeting, a connected call still
   waiting for its disposition is not called;
2. the number is not on the do-not-call list;
3. the calling hours in the prospect's own zone, state rules included (``hours.py``);
4. at most ``max_per_day`` calls to the number per their local day. A promised call whose time
   has come is exempt: the rep gave their word, and the scheduler never moves a promise.

The cooldown between two calls is not a refusal: it spaces the calls the queue brings up, but a
rep may redial a busy line at once or call back early (README, "Decisions").
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialdeck.clock import UTC
from dialdeck.errors import InvalidInput
from dialdeck.hours import CallingWindow, describe_window, is_callable, next_callable
from dialdeck.models import CallVerdict
from dialdeck.phrases import dated_clock, day_name, local_clock, short_date

# The outcomes that say a call was just made, so the guard stands in front of them. Not
# do-not-call (a prospect may ask for it any time, by any channel) and not sent/done (email,
# social and task steps are no calls).
GUARDED_OUTCOMES = ("no-answer", "voicemail", "connected", "busy", "wrong-number")

ALLOWED = CallVerdict()

# Statuses other than active, as the reason a prospect is not called: (after their name, headline).
_STATUS_REASONS = {
    "connected": ("connected on the last call: choose what was agreed first", "awaiting a disposition"),
    "finished": ("has finished the cadence", "cadence finished"),
    "booked": ("has a meeting booked", "meeting booked"),
    "not-interested": ("is not interested", "not interested"),
    "wrong-number": ("has a wrong number", "wrong number"),
    "dnc": ("is on the do-not-call list", "on the do-not-call list"),
}
# How often the cap and the calling hours may push the next allowed instant before they agree.
_SETTLE_ROUNDS = 16


class NotCallable(InvalidInput):
    """A call the guard refuses; ``verdict`` says why and from when they may be called."""

    def __init__(self, verdict: CallVerdict, zone: ZoneInfo):
        self.verdict = verdict
        message = verdict.blocked_reason or "not callable now"
        if verdict.callable_at is not None:
            message += f"; they may be called from {dated_clock(verdict.callable_at, zone)} their time"
        super().__init__(message)


def may_call(now: datetime, *, zone: ZoneInfo, window: CallingWindow, max_per_day: int,
             recent_calls: tuple[datetime, ...] = (), status: str = "active", on_dnc: bool = False,
             promised_at: datetime | None = None, name: str = "") -> CallVerdict:
    """Whether the prospect may be called at ``now``; if not, why and the first instant they may.

    ``recent_calls``: when their number was called before (at least the last day), any order.
    ``promised_at``: the promised time of a pinned enrollment, if any (exempt from the cap once
    it has come). ``name`` only makes the sentences read ("Ann Lee's calling hours").
    """
    now = now.astimezone(UTC)
    who = name or "this prospect"
    if status != "active":
        reason, headline = _STATUS_REASONS.get(status, (f"is {status}", status))
        return CallVerdict(blocked_reason=f"{who} {reason}", headline=headline)
    if on_dnc:
        return CallVerdict(blocked_reason=f"{who}'s number is on the do-not-call list",
                           headline="on the do-not-call list")
    promise_due = promised_at is not None and promised_at <= now
    calls_today = _calls_on_day(now, recent_calls, zone)
    capped = calls_today >= max_per_day and not promise_due
    in_hours = is_callable(now, zone, window)
    if in_hours and not capped:
        return ALLOWED
    at = next_allowed(now, zone, window, max_per_day, recent_calls, promised_at)
    if not in_hours:
        return CallVerdict(blocked_reason=outside_hours(now, zone, window, name),
                           headline=_hours_headline(now, zone, window), callable_at=at)
    local_day = now.astimezone(zone).date()
    return CallVerdict(
        blocked_reason=(f"{who} has been called {_times(calls_today)} today ({short_date(local_day)} their "
                        f"time), the most allowed per day (guard.max_per_day = {max_per_day})"),
        headline=f"called {_times(calls_today)} today, the daily most",
        callable_at=at)


def next_allowed(now: datetime, zone: ZoneInfo, window: CallingWindow, max_per_day: int,
                 recent_calls: tuple[datetime, ...] = (), promised_at: datetime | None = None) -> datetime:
    """The first instant at or after ``now`` inside their calling hours and under the daily cap
    (a promise is exempt from the cap: its own time, or from now once it has come)."""
    now = now.astimezone(UTC)
    if promised_at is not None and promised_at <= now:
        return next_callable(now, zone, window)
    candidate = now
    for _ in range(_SETTLE_ROUNDS):
        moved = candidate
        if _calls_on_day(moved, recent_calls, zone) >= max_per_day:
            moved = _local(moved.astimezone(zone).date() + timedelta(days=1), time(0), zone)
        moved = next_callable(moved, zone, window)
        if moved == candidate:
            break
        candidate = moved
    if promised_at is not None:
        return min(candidate, next_callable(promised_at, zone, window))
    return candidate


def outside_hours(instant: datetime, zone: ZoneInfo, window: CallingWindow, name: str = "") -> str:
    """'21:30 is outside Ann Lee's calling hours (09:00-21:00 Mon-Fri, America/Chicago, US-TX rule)'."""
    local = instant.astimezone(zone)
    # The clock alone is ambiguous when the day itself is closed: say the day too.
    when = local_clock(local, zone)
    if local.weekday() not in window.days:
        when = f"{day_name(local)} {when}"
    whose = f"{name}'s" if name else "the prospect's"
    hours = describe_window(window).removesuffix(f" ({window.rule})")
    rule = "" if window.rule == "default" else f", {window.rule} rule"
    return f"{when} is outside {whose} calling hours ({hours}, {zone.key}{rule})"


def callback_refusal(instant: datetime, now: datetime, zone: ZoneInfo, window: CallingWindow,
                     name: str = "") -> str | None:
    """Why a callback at ``instant`` cannot be promised, or None when it can.

    The scheduler refuses the same (a promise outside the hours would vanish from the due
    queue), and the callback dialog asks before it closes, so the typed text is never lost.
    """
    if instant < now:
        return f"the callback time {instant.isoformat()} is in the past"
    if not is_callable(instant, zone, window):
        return outside_hours(instant, zone, window, name)
    return None


def _hours_headline(now: datetime, zone: ZoneInfo, window: CallingWindow) -> str:
    """A few words for the card: 'outside their hours 08:00-20:00 (US-FL)', 'no calls on Sundays'."""
    local = now.astimezone(zone)
    rule = "" if window.rule == "default" else f" ({window.rule})"
    if local.weekday() not in window.days:
        return f"no calls on {day_name(local)}s{rule}"
    opens, closes = window.hours_on(local.weekday())
    return f"outside their hours {opens:%H:%M}-{_clock(closes)}{rule}"


def _clock(clock: time) -> str:
    return "24:00" if clock == time.max else f"{clock:%H:%M}"


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def _calls_on_day(instant: datetime, calls: tuple[datetime, ...], zone: ZoneInfo) -> int:
    day = instant.astimezone(zone).date()
    return sum(1 for call in calls if call.astimezone(zone).date() == day)


def _local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time on ``day`` as a UTC instant (a DST gap resolves forward)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
