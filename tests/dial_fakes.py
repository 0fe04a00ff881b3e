"""A stand-in dial back-end for the session's Pilot tests: it implements the ``Dialer`` protocol
with the real ``CallTracker`` (so results, durations and suggested outcomes are the real ones),
and the test says what the network does, when: ``call.ring()``, ``call.answer()``, ``call.busy()``..."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from tui_helpers import NOW, test_app

from dialdeck.clock import Clock, fixed_clock
from dialdeck.dialers import ANSWERED, BUSY, FAILED, NO_ANSWER, CallResult, CallState, DialTarget, EventCallback
from dialdeck.dialers.base import CallTracker


class Mono:
    """A monotonic clock the test moves by hand: the call timer reads it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeCall:
    def __init__(self, target: DialTarget, on_event: EventCallback, clock: Clock, mono: Mono) -> None:
        self.target = target
        self.tracker = CallTracker(target, on_event, clock, mono)
        self.hung_up = False
        self.dropped: Path | None = None
        self.dialled = f"sip:{target.e164}@pbx.test"

    @property
    def state(self) -> CallState | None:
        return self.tracker.state

    @property
    def result(self) -> CallResult | None:
        return self.tracker.result

    def hang_up(self) -> None:
        self.hung_up = True
        if self.tracker.answered:
            self.tracker.finish(ANSWERED, "hung up", self.dialled)
        else:
            self.tracker.finish(NO_ANSWER, "hung up while ringing", self.dialled)

    def drop(self, wav_path: Path) -> None:
        self.dropped = wav_path

    def wait(self, timeout: float | None = None) -> CallResult | None:
        return self.tracker.wait(timeout)

    # what the network does, as the test says
    def ring(self) -> None:
        self.tracker.ringing("180 Ringing")

    def answer(self) -> None:
        self.tracker.answered_now("200 OK")

    def busy(self) -> None:
        self.tracker.finish(BUSY, "486 Busy Here", self.dialled)

    def no_answer(self) -> None:
        self.tracker.finish(NO_ANSWER, "no answer after 30 s", self.dialled)

    def fail(self, reason: str = "404 Not Found") -> None:
        self.tracker.finish(FAILED, reason, self.dialled)

    def far_end_hangs_up(self) -> None:
        self.tracker.finish(ANSWERED, "BYE", self.dialled, recording_dropped=self.dropped is not None)


class FakeDialer:
    name = "fake"

    def __init__(self, clock: Clock, mono: Mono, *, places_calls: bool = True) -> None:
        self.clock, self.mono, self.places_calls = clock, mono, places_calls
        self.calls: list[FakeCall] = []
        self.closed = False
        self.asked: list[dict[str, Any]] = []  # how make_dialer was called: settings and options

    def dial(self, target: DialTarget, on_event: EventCallback) -> FakeCall:
        call = FakeCall(target, on_event, self.clock, self.mono)
        self.calls.append(call)
        call.tracker.dialing()
        return call

    def close(self) -> None:
        self.closed = True

    def factory(self, settings: dict[str, str], **options: Any) -> FakeDialer:
        """Stands in for ``dialers.make_dialer``."""
        self.asked.append({"settings": dict(settings), **options})
        return self

    @property
    def last(self) -> FakeCall:
        return self.calls[-1]


def app_with_fake_dialer(path: Path, *, places_calls: bool = True, now: datetime = NOW, **options: Any):
    """The test app on ``path`` with a ``FakeDialer`` and a hand-moved timer clock:
    (app, fake dialer, monotonic clock)."""
    mono = Mono()
    fake = FakeDialer(fixed_clock(now), mono, places_calls=places_calls)
    options.setdefault("dialer_factory", fake.factory)
    return test_app(path, now, monotonic=mono, **options), fake, mono
