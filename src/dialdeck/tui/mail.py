"""Handing an email step to the rep's mail client, and saying truthfully whether it happened.

Textual's ``App.open_url`` calls ``webbrowser.open`` and drops its answer, so over SSH (no
screen to open anything on) the session used to say "Opened in your mail client" when
nothing had opened; worse, ``webbrowser`` may pick a text-mode browser that would take over
the very terminal the session is drawn in. Here the one opener that fits the platform is run
with no access to the terminal, and only its exit status counts as "opened". Anything else
is a reason, in the rep's words, and the session offers the email's text to copy instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

OPEN_TIMEOUT_S = 10  # xdg-open and open return once the client is started


@dataclass(frozen=True)
class MailResult:
    opened: bool
    how: str = ""  # the program that opened it ("xdg-open", "open")
    why: str = ""  # why nothing opened, when it did not

    @property
    def headline(self) -> str:
        if self.opened:
            return f"Opened in your mail client (by {self.how}). Press e once it is sent."
        return f"Not opened: {self.why}."


def open_mailto(url: str, *, env: Mapping[str, str] | None = None, platform: str | None = None,
                which: Callable[[str], str | None] = shutil.which,
                run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> MailResult:
    """Try to open ``url`` (a ``mailto:``) in the mail client; blocking: run it off the UI thread."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    over_ssh = bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY"))
    if platform == "win32":
        return _windows(url)
    if over_ssh and platform == "darwin":
        # `open` would open it on the Mac this session runs on, not on the rep's own screen.
        return MailResult(False, why="you are connected over SSH, so a mail client would open on the "
                                     "remote computer, not on yours")
    if platform == "darwin":
        return _run(["open", url], "open", which, run)
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        where = "you are connected over SSH" if over_ssh else "this terminal has no desktop session"
        return MailResult(False, why=f"{where}, so no mail client can open from here")
    return _run(["xdg-open", url], "xdg-open", which, run)


def _run(argv: list[str], name: str, which: Callable[[str], str | None],
         run: Callable[..., subprocess.CompletedProcess]) -> MailResult:
    program = which(argv[0])
    if program is None:
        return MailResult(False, why=f"{name} is not installed, so no mail client can be found")
    try:
        # No terminal for it: a text-mode program it might start must not draw over the session.
        done = run([program, *argv[1:]], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=OPEN_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return MailResult(False, why=f"{name} did not answer within {OPEN_TIMEOUT_S} seconds")
    except OSError as exc:
        return MailResult(False, why=f"{name} could not be started ({exc.strerror or exc})")
    if done.returncode != 0:
        return MailResult(False, why=f"{name} found no mail client to open it (exit status {done.returncode})")
    return MailResult(True, how=name)


def _windows(url: str) -> MailResult:
    try:
        os.startfile(url)  # type: ignore[attr-defined]  # Windows only
    except OSError as exc:
        return MailResult(False, why=f"Windows found no mail client to open it ({exc.strerror or exc})")
    return MailResult(True, how="Windows")
