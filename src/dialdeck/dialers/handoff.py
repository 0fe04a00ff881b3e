"""What the three hand-off back-ends share: a call handle that ends as soon as the number has
been handed over, and running a helper program without a shell and without hanging on it."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from .base import CallResult, CallState, CallTracker, DialerError, DialTarget

# A launcher (xdg-open, a softphone's CLI) normally returns at once. One that is still running
# after this long is taken as "started": it is left running and reaped in the background.
LAUNCH_WAIT = 10.0


class HandoffCall:
    """The handle of a hand-off: no network state, nothing to hang up, nothing to drop into."""

    def __init__(self, tracker: CallTracker):
        self._tracker = tracker
        self.target: DialTarget = tracker.target

    @property
    def state(self) -> CallState | None:
        return self._tracker.state

    @property
    def result(self) -> CallResult | None:
        return self._tracker.result

    def hang_up(self) -> None:
        """Nothing to do: the call, if any, is in the program it was handed to."""

    def drop(self, wav_path: Path) -> None:
        raise DialerError("voicemail drop needs the sip back-end: this call was handed to another program")

    def wait(self, timeout: float | None = None) -> CallResult | None:
        return self._tracker.wait(timeout)


@dataclass(frozen=True)
class Launch:
    ok: bool
    detail: str  # the failure, or "" when it worked


def launch(argv: list[str], wait: float = LAUNCH_WAIT) -> Launch:
    """Runs ``argv`` (never through a shell); fails with the program's own last error line."""
    name = os.path.basename(argv[0])
    errors = tempfile.TemporaryFile()
    try:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True,
        )
    except FileNotFoundError:
        errors.close()
        return Launch(False, f"{name} was not found")
    except OSError as exc:
        errors.close()
        return Launch(False, f"{name} could not be started: {exc.strerror or exc}")
    try:
        status = process.wait(wait)
    except subprocess.TimeoutExpired:
        threading.Thread(target=_reap, args=(process, errors), daemon=True).start()
        return Launch(True, "")
    errors.seek(0)
    said = errors.read().decode("utf-8", "replace").strip().splitlines()
    errors.close()
    if status != 0:
        return Launch(False, f"{name} exited with status {status}" + (f": {said[-1].strip()}" if said else ""))
    return Launch(True, "")


def _reap(process: subprocess.Popen[bytes], errors: object) -> None:
    process.wait()
    close = getattr(errors, "close", None)
    if close is not None:
        close()
