"""Putting the dial string on the clipboard, and saying honestly how (or that it could not).

Two ways, both tried:
- **OSC 52**, an escape sequence that asks the terminal to set the clipboard. It works over
  SSH, but the terminal decides: many allow it (kitty, WezTerm, iTerm2, foot, Windows
  Terminal, xterm with ``allowWindowOps``, tmux with ``set-clipboard on``), some ignore it
  (GNOME Terminal and other VTE terminals). Nothing reports back, so it is reported as "sent".
- **a clipboard tool** of the desktop session: ``wl-copy`` (Wayland), ``xclip`` or ``xsel``
  (X11), ``pbcopy`` (macOS). Its exit status says whether it worked.
"""

from __future__ import annotations

import base64
import errno
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass

OSC52 = "osc52"
TOOL_TIMEOUT = 5.0


@dataclass(frozen=True)
class ClipboardReport:
    copied_with: tuple[str, ...]  # "osc52" and/or the tool's name, in the order used
    problems: tuple[str, ...] = ()

    @property
    def copied(self) -> bool:
        return bool(self.copied_with)

    @property
    def summary(self) -> str:
        tools = [name for name in self.copied_with if name != OSC52]
        parts = []
        if tools:
            parts.append(f"copied to the clipboard with {tools[0]}")
        if OSC52 in self.copied_with:
            parts.append("clipboard request (OSC 52) sent to the terminal")
        if not parts:
            problems = "; ".join(self.problems) or "no terminal and no clipboard tool"
            return f"not copied to the clipboard ({problems})"
        return "; ".join(parts)


Osc52Writer = Callable[[str], None]


def osc52_sequence(text: str) -> str:
    return "\x1b]52;c;" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "\x07"


def terminal_osc52_writer(tty_path: str = "/dev/tty") -> Osc52Writer:
    """Writes OSC 52 straight to the controlling terminal (not stdout: it may be a pipe)."""

    def write(text: str) -> None:
        with open(tty_path, "w", encoding="ascii") as tty:
            tty.write(osc52_sequence(text))
            tty.flush()

    return write


def copy_text(
    text: str,
    *,
    osc52: Osc52Writer | None = None,
    env: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
    platform: str = sys.platform,
) -> ClipboardReport:
    """Copies ``text`` by every way available and reports which ones were used.

    ``osc52`` writes the OSC 52 request; by default it goes to /dev/tty when the terminal is
    not "dumb". A full-screen app passes its own writer (Textual: ``App.copy_to_clipboard``).
    """
    env = os.environ if env is None else env
    used: list[str] = []
    problems: list[str] = []
    writer = osc52 if osc52 is not None else _default_osc52(env)
    if writer is not None:
        try:
            writer(text)
            used.append(OSC52)
        except OSError as exc:
            # ENXIO: /dev/tty exists but this process has no terminal (a service, a pipe).
            problems.append("no terminal for OSC 52" if exc.errno == errno.ENXIO else f"OSC 52: {exc.strerror or exc}")
    tool = clipboard_tool(env, which, platform)
    if tool is None:
        problems.append("no clipboard tool (wl-copy, xclip, xsel, pbcopy) for this session")
    else:
        problem = _run_tool(tool, text)
        if problem is None:
            used.append(os.path.basename(tool[0]))
        else:
            problems.append(problem)
    return ClipboardReport(tuple(used), tuple(problems))


def clipboard_tool(env: Mapping[str, str], which: Callable[[str], str | None], platform: str) -> list[str] | None:
    """The argv of the first clipboard tool that fits this session, or None."""
    candidates: list[tuple[bool, str, list[str]]] = [
        (bool(env.get("WAYLAND_DISPLAY")), "wl-copy", []),
        (bool(env.get("DISPLAY")), "xclip", ["-selection", "clipboard"]),
        (bool(env.get("DISPLAY")), "xsel", ["--clipboard", "--input"]),
        (platform == "darwin", "pbcopy", []),
    ]
    for fits, name, args in candidates:
        path = which(name) if fits else None
        if path:
            return [path, *args]
    return None


def _default_osc52(env: Mapping[str, str]) -> Osc52Writer | None:
    if env.get("TERM", "dumb") in ("", "dumb") or not os.path.exists("/dev/tty"):
        return None
    return terminal_osc52_writer()


def _run_tool(argv: list[str], text: str) -> str | None:
    name = os.path.basename(argv[0])
    # xclip, xsel and wl-copy fork a child that keeps serving the selection: its stdout must
    # not be a pipe we wait on, so output goes to a file.
    with tempfile.TemporaryFile() as errors:
        try:
            done = subprocess.run(
                argv, input=text.encode("utf-8"), stdout=subprocess.DEVNULL, stderr=errors,
                timeout=TOOL_TIMEOUT, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{name}: {exc}"
        if done.returncode != 0:
            errors.seek(0)
            said = errors.read().decode("utf-8", "replace").strip().splitlines()
            return f"{name} exited with status {done.returncode}" + (f": {said[-1]}" if said else "")
    return None
