"""What every dial back-end shares: the call target, call-state events, the final result.

A back-end (``manual``, ``tel``, ``command``, ``sip``) implements the small ``Dialer`` protocol:
``dial(target, on_event)`` returns a ``CallHandle`` at once; the call's progress arrives as
``CallEvent`` values passed to ``on_event``, usually from the back-end's own thread (the TUI
wraps each one in a Textual message, the CLI prints it as a JSON line). Nothing here imports
Textual, and nothing here touches the database.

Two kinds of back-end exist:
- **hand-off** back-ends (``manual``, ``tel``, ``command``) give the number to something else
  (the clipboard, the desktop's softphone, a user command). They cannot know whether the call
  rang or was answered, so their result has ``result = None`` and no durations.
- **network** back-ends (``sip``) place the call themselves and report what the network said.

Every event that ends a call carries the final ``CallResult`` in ``event.result``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from dialdeck.clock import UTC, Clock
from dialdeck.errors import DialdeckError
from dialdeck.phones import format_international

log = logging.getLogger(__name__)

Monotonic = Callable[[], float]


class DialerError(DialdeckError):
    """A back-end cannot be used or cannot do what was asked; the message says why and what to do."""


class CallState(StrEnum):
    DIALING = "dialing"
    RINGING = "ringing"
    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    ENDED = "ended"


# What the network finally said about a placed call (CallResult.result).
ANSWERED = "answered"
BUSY = "busy"
NO_ANSWER = "no-answer"
FAILED = "failed"
RESULTS = (ANSWERED, BUSY, NO_ANSWER, FAILED)

# The outcome a result suggests; the rep confirms or changes it with one key. These are the
# outcome names of dialdeck.models.CALL_OUTCOMES (a test keeps the two in step).
_SUGGESTED = {BUSY: "busy", NO_ANSWER: "no-answer"}

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_EXTENSION = re.compile(r"[0-9*#]{1,12}")


def suggested_outcome(result: str | None, recording_dropped: bool) -> str | None:
    """busy -> busy, no-answer -> no-answer, answered -> voicemail if a recording was dropped
    else connected; a failed or handed-off call suggests nothing (the rep chooses)."""
    if result == ANSWERED:
        return "voicemail" if recording_dropped else "connected"
    return _SUGGESTED.get(result or "")


@dataclass(frozen=True)
class DialTarget:
    """The number to call, already in E.164, and an optional extension (digits, * and #).

    Both are checked here, whatever their source: they reach argv lists, URIs and SIP
    requests, so nothing but digits (and a leading +) may pass.
    """

    e164: str
    extension: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.e164, str) or not _E164.fullmatch(self.e164):
            raise DialerError(f"{self.e164!r} is not a phone number in E.164 form (e.g. +14155550100)")
        if self.extension is not None and not _EXTENSION.fullmatch(self.extension):
            raise DialerError(f"extension {self.extension!r} must be 1 to 12 of the keys 0-9, * and #")

    @property
    def dial_string(self) -> str:
        """What a phone's keypad takes: the number, then a comma (a pause) and the extension."""
        return f"{self.e164},{self.extension}" if self.extension else self.e164

    @property
    def display(self) -> str:
        """'+1 415-555-0100 ext. 123': what the rep reads."""
        number = format_international(self.e164)
        return f"{number} ext. {self.extension}" if self.extension else number


@dataclass(frozen=True)
class CallResult:
    """How a call ended. ``result`` is None for a hand-off back-end: the network's answer is
    not known to dialdeck, so there is no suggested outcome and no duration either."""

    result: str | None
    suggested_outcome: str | None
    ring_seconds: float | None
    talk_seconds: float | None
    recording_dropped: bool
    reason: str | None  # what the network or the hand-off said: "486 Busy Here", "opened with xdg-open"
    dialled: str  # what went out: the SIP URI, the tel: URI, the command line, the copied text

    def as_json(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "suggested_outcome": self.suggested_outcome,
            "ring_seconds": self.ring_seconds,
            "talk_seconds": self.talk_seconds,
            "recording_dropped": self.recording_dropped,
            "reason": self.reason,
            "dialled": self.dialled,
        }


@dataclass(frozen=True)
class CallEvent:
    """One change of call state, stamped by the injected clocks (UTC instant + monotonic seconds)."""

    state: CallState
    at: datetime
    monotonic: float
    reason: str | None = None
    result: CallResult | None = None  # set on the event that ends the call

    @property
    def final(self) -> bool:
        return self.result is not None

    def as_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {"state": self.state.value, "at": self.at.astimezone(UTC).isoformat(timespec="milliseconds")}
        if self.reason:
            line["reason"] = self.reason
        return line


EventCallback = Callable[[CallEvent], None]


class CallHandle(Protocol):
    target: DialTarget

    @property
    def state(self) -> CallState | None: ...

    @property
    def result(self) -> CallResult | None: ...

    def hang_up(self) -> None: ...

    def drop(self, wav_path: Path) -> None: ...

    def wait(self, timeout: float | None = None) -> CallResult | None: ...


class Dialer(Protocol):
    name: str
    places_calls: bool  # False for hand-off back-ends: no ringing, no answer, no drop

    def dial(self, target: DialTarget, on_event: EventCallback) -> CallHandle: ...

    def close(self) -> None: ...


@dataclass
class CallTracker:
    """The bookkeeping every back-end shares: emits events in order, measures ring and talk
    time on the monotonic clock, and settles the result exactly once.

    Thread-safe: the back-end's thread reports progress while the UI thread may hang up.
    ``on_event`` is called outside the lock, so a callback may call back into the handle.
    """

    target: DialTarget
    on_event: EventCallback
    clock: Clock
    monotonic: Monotonic = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _done: threading.Event = field(default_factory=threading.Event, repr=False)
    _state: CallState | None = None
    _dialed_at: float | None = None
    _answered_at: float | None = None
    _result: CallResult | None = None

    @property
    def state(self) -> CallState | None:
        return self._state

    @property
    def result(self) -> CallResult | None:
        return self._result

    @property
    def answered(self) -> bool:
        return self._answered_at is not None

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    def seconds_since_dialing(self) -> float:
        return 0.0 if self._dialed_at is None else self.monotonic() - self._dialed_at

    def seconds_since_answer(self) -> float | None:
        return None if self._answered_at is None else self.monotonic() - self._answered_at

    def dialing(self, reason: str | None = None) -> None:
        self._advance(CallState.DIALING, reason)

    def ringing(self, reason: str | None = None) -> None:
        self._advance(CallState.RINGING, reason)

    def answered_now(self, reason: str | None = None) -> None:
        self._advance(CallState.ANSWERED, reason)

    def finish(self, result: str, reason: str | None, dialled: str, recording_dropped: bool = False) -> CallResult | None:
        """Ends a placed call with what the network said; a second call is ignored."""
        with self._lock:
            if self._done.is_set():
                return None
            now = self.monotonic()
            start = self._dialed_at if self._dialed_at is not None else now
            ring_end = self._answered_at if self._answered_at is not None else now
            talk = 0.0 if self._answered_at is None else now - self._answered_at
            dropped = recording_dropped and result == ANSWERED
            settled = CallResult(
                result=result,
                suggested_outcome=suggested_outcome(result, dropped),
                ring_seconds=round(max(0.0, ring_end - start), 1),
                talk_seconds=round(max(0.0, talk), 1),
                recording_dropped=dropped,
                reason=reason,
                dialled=dialled,
            )
            state = _FINAL_STATE[result]
            event = self._settle(state, reason, settled, now)
        self._emit(event)
        return settled

    def hand_off(self, reason: str, dialled: str) -> CallResult | None:
        """Ends a hand-off: the number went to the clipboard, a softphone or a command."""
        return self._hand_off_as(CallState.DIALING, None, reason, dialled)

    def hand_off_failed(self, reason: str, dialled: str) -> CallResult | None:
        return self._hand_off_as(CallState.FAILED, FAILED, reason, dialled)

    def _hand_off_as(self, state: CallState, result: str | None, reason: str, dialled: str) -> CallResult | None:
        with self._lock:
            if self._done.is_set():
                return None
            settled = CallResult(result, None, None, None, False, reason, dialled)
            event = self._settle(state, reason, settled, self.monotonic())
        self._emit(event)
        return settled

    def wait(self, timeout: float | None = None) -> CallResult | None:
        self._done.wait(timeout)
        return self._result

    def _advance(self, state: CallState, reason: str | None) -> None:
        with self._lock:
            # Progress only moves forward: a late 180 after the answer is not news.
            if self._done.is_set() or (self._state is not None and _ORDER[state] <= _ORDER[self._state]):
                return
            now = self.monotonic()
            if state is CallState.DIALING:
                self._dialed_at = now
            elif state is CallState.ANSWERED:
                self._answered_at = now
                if self._dialed_at is None:
                    self._dialed_at = now
            self._state = state
            event = CallEvent(state, self.clock(), now, reason)
        self._emit(event)

    def _settle(self, state: CallState, reason: str | None, result: CallResult, now: float) -> CallEvent:
        self._state = state
        self._result = result
        self._done.set()
        return CallEvent(state, self.clock(), now, reason, result)

    def _emit(self, event: CallEvent) -> None:
        try:
            self.on_event(event)
        except Exception:  # a broken listener must not stop the call's own thread
            log.exception("call event listener failed on %s", event.state.value)


_ORDER = {CallState.DIALING: 0, CallState.RINGING: 1, CallState.ANSWERED: 2}
_FINAL_STATE = {
    ANSWERED: CallState.ENDED,
    BUSY: CallState.BUSY,
    NO_ANSWER: CallState.NO_ANSWER,
    FAILED: CallState.FAILED,
}
