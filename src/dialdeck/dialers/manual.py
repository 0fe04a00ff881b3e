"""The ``manual`` back-end: nothing is dialled. The dial string goes to the clipboard and the
rep dials it on their own phone; the event says how (or whether) it was copied."""

from __future__ import annotations

import time
from collections.abc import Callable

from dialdeck.clock import Clock, system_clock

from .base import CallTracker, DialTarget, EventCallback, Monotonic
from .clipboard import ClipboardReport, Osc52Writer, copy_text
from .handoff import HandoffCall


class ManualDialer:
    name = "manual"
    places_calls = False

    def __init__(
        self,
        *,
        clock: Clock = system_clock,
        monotonic: Monotonic = time.monotonic,
        osc52: Osc52Writer | None = None,
        copy: Callable[[str], ClipboardReport] | None = None,
    ):
        self._clock = clock
        self._monotonic = monotonic
        self._copy = copy if copy is not None else (lambda text: copy_text(text, osc52=osc52))

    def dial(self, target: DialTarget, on_event: EventCallback) -> HandoffCall:
        tracker = CallTracker(target, on_event, self._clock, self._monotonic)
        text = target.dial_string
        report = self._copy(text)
        # Not copied is no failure: the number is on the screen and the rep can still dial it.
        tracker.hand_off(f"dial {target.display} yourself: {report.summary}", text)
        return HandoffCall(tracker)

    def close(self) -> None:
        """Nothing to release."""
