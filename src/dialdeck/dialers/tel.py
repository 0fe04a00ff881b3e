"""The ``tel`` back-end: opens a ``tel:`` URI with the desktop's handler, which is how Zoom
Phone, Teams, Linphone, MicroSIP or FaceTime take calls from other programs.

The URI is ``tel:+14155550100`` (RFC 3966), with ``;ext=123`` for an extension. The opener is
``xdg-open`` (Linux and BSD desktops), else ``gio open``, else macOS ``open``, run with an
argument list, never a shell.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable

from dialdeck.clock import Clock, system_clock

from .base import CallTracker, DialerError, DialTarget, EventCallback, Monotonic
from .handoff import LAUNCH_WAIT, HandoffCall, launch


def tel_uri(target: DialTarget) -> str:
    return f"tel:{target.e164};ext={target.extension}" if target.extension else f"tel:{target.e164}"


def find_opener(which: Callable[[str], str | None] = shutil.which, platform: str = sys.platform) -> list[str] | None:
    for name, args in (("xdg-open", []), ("gio", ["open"])):
        path = which(name)
        if path:
            return [path, *args]
    if platform == "darwin" and which("open"):
        return ["open"]
    return None


class TelDialer:
    name = "tel"
    places_calls = False

    def __init__(
        self,
        *,
        clock: Clock = system_clock,
        monotonic: Monotonic = time.monotonic,
        opener: list[str] | None = None,
        launch_wait: float = LAUNCH_WAIT,
    ):
        found = opener if opener is not None else find_opener()
        if not found:
            raise DialerError(
                "dial.backend tel needs a program that opens tel: links (xdg-open, gio or macOS open); "
                "install xdg-utils, or use dial.backend manual or command"
            )
        self._opener = found
        self._clock = clock
        self._monotonic = monotonic
        self._launch_wait = launch_wait

    def dial(self, target: DialTarget, on_event: EventCallback) -> HandoffCall:
        tracker = CallTracker(target, on_event, self._clock, self._monotonic)
        uri = tel_uri(target)
        threading.Thread(target=self._open, args=(tracker, uri), name="dialdeck-tel", daemon=True).start()
        return HandoffCall(tracker)

    def _open(self, tracker: CallTracker, uri: str) -> None:
        opener = self._opener[0].rsplit("/", 1)[-1]
        done = launch([*self._opener, uri], self._launch_wait)
        if done.ok:
            tracker.hand_off(f"opened {uri} with {opener}", uri)
        else:
            tracker.hand_off_failed(f"could not open {uri}: {done.detail}", uri)

    def close(self) -> None:
        """Nothing to release: the softphone owns the call."""
