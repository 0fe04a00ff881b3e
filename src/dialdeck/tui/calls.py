"""The session's side of a call: what is known of the call on screen, and the power-mode countdown.

Nothing here draws or touches the database: the session screen feeds each ``CallEvent`` (as it
arrives in a ``CallProgress`` message) to ``LiveCall.apply`` and shows what it says; the call's
facts go to ``services.log_outcome(call=...)`` with the outcome the rep confirms.

The call timer runs on the monotonic clock the back-end stamps its events with (the app's
``monotonic``; tests pass a fixed one), so a change of the wall clock never bends it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from dialdeck.dialers import CallEvent, CallHandle, CallResult, CallState
from dialdeck.models import CallCard, CallFacts, DialPlan
from dialdeck.phones import format_international, format_with_extension, number_text

# Seconds of warning before power mode dials the next prospect: long enough to read who it is
# and press Esc, short enough that the rep does not wait on it.
POWER_COUNTDOWN = 5

# What each state is called on screen, and its tone (the status line's and the panel's colours).
STATE_LABELS: dict[CallState, tuple[str, str]] = {
    CallState.DIALING: ("Dialing…", "$text-warning"),
    CallState.RINGING: ("Ringing", "$text-warning"),
    CallState.ANSWERED: ("Answered", "$text-success"),
    CallState.BUSY: ("Busy", "$text-error"),
    CallState.NO_ANSWER: ("No answer", "$text-error"),
    CallState.FAILED: ("Failed", "$text-error"),
    CallState.ENDED: ("Ended", "$text-muted"),
}


@dataclass
class CallProgress(Message, bubble=False):
    """One event of call ``serial``, posted from the back-end's thread (``post_message`` is
    thread-safe). A call the session has let go of (a voicemail still playing) keeps sending
    them; its serial no longer matches and they are ignored."""

    serial: int
    event: CallEvent


@dataclass
class LiveCall:
    """One call placed from the session, from the dial key until its outcome is logged."""

    serial: int
    card: CallCard  # the card the dial key was pressed on
    plan: DialPlan
    places_calls: bool  # False: handed off (manual, tel, command): no progress will come
    handle: CallHandle | None = None
    state: CallState | None = None
    reason: str | None = None
    result: CallResult | None = None
    dialed_at: float | None = None  # monotonic seconds
    answered_at: float | None = None
    events: list[CallEvent] = field(default_factory=list)

    @property
    def prospect_id(self) -> int:
        return self.plan.prospect_id

    @property
    def number(self) -> str:
        """The number dialled as attempts store it ('+14045550111;ext=12')."""
        return number_text(self.plan.number_e164, self.plan.extension or "")

    @property
    def shown_number(self) -> str:
        return format_with_extension(self.plan.number_e164, self.plan.extension or "")

    def big_number(self, columns: int) -> str:
        """The number as the large digits (3 columns each) show it in ``columns``: grouped as
        the rep reads it where it fits, else bare E.164; then ' x' and the extension."""
        extension = f" x{self.plan.extension}" if self.plan.extension else ""
        grouped = format_international(self.plan.number_e164) + extension
        return grouped if not columns or 3 * len(grouped) <= columns else self.plan.number_e164 + extension

    @property
    def ended(self) -> bool:
        return self.result is not None

    @property
    def live(self) -> bool:
        """A placed call still in progress: the outcome waits for its end."""
        return self.places_calls and not self.ended

    @property
    def answered(self) -> bool:
        return self.answered_at is not None and not self.ended

    @property
    def suggested(self) -> str | None:
        """The outcome the network's answer suggests (None: the rep chooses)."""
        return self.result.suggested_outcome if self.result is not None else None

    def apply(self, event: CallEvent) -> None:
        self.events.append(event)
        self.state = event.state
        self.reason = event.reason or self.reason
        if event.state is CallState.DIALING and self.dialed_at is None:
            self.dialed_at = event.monotonic
        if event.state is CallState.ANSWERED:
            self.answered_at = event.monotonic
            if self.dialed_at is None:
                self.dialed_at = event.monotonic
        if event.result is not None:
            self.result = event.result

    def timer(self, now: float) -> float | None:
        """Seconds the timer shows: talk time once answered, else time since dialing; frozen at
        the end. None: nothing to time (a hand-off, or no event yet)."""
        if not self.places_calls:
            return None
        if self.result is not None:
            if self.result.talk_seconds and self.answered_at is not None:
                return self.result.talk_seconds
            return self.result.ring_seconds
        start = self.answered_at if self.answered_at is not None else self.dialed_at
        return None if start is None else max(0.0, now - start)

    def facts(self, *, dropped_at: float | None = None) -> CallFacts:
        """What this call's attempt keeps. ``dropped_at``: a voicemail is being played, the call
        is let go now, so its talk time is counted to that moment."""
        result = self.result
        if result is not None:
            return CallFacts(number=self.number, ring_seconds=result.ring_seconds, talk_seconds=result.talk_seconds,
                             network_result=result.result, recording_dropped=result.recording_dropped)
        if dropped_at is not None and self.answered_at is not None:
            ring = self.answered_at - (self.dialed_at if self.dialed_at is not None else self.answered_at)
            return CallFacts(number=self.number, ring_seconds=round(max(0.0, ring), 1),
                             talk_seconds=round(max(0.0, dropped_at - self.answered_at), 1),
                             network_result="answered", recording_dropped=True)
        return CallFacts(number=self.number)


@dataclass
class Countdown:
    """Power mode's warning before it dials ``plan``: ``left`` seconds to go."""

    plan: DialPlan
    left: int
    skipped: tuple[str, ...] = ()  # the prospects passed over on the way, and why


def clock_text(seconds: float) -> str:
    """'0:07', '12:34', '1:02:03': the call timer."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
