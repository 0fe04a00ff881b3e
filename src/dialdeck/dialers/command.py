"""The ``command`` back-end: a command template of the rep's, e.g. ``linphonecsh dial {e164}``.

The template is split like a shell would split it (``shlex``), then each word is filled in on
its own and the program runs from that argument list, never through a shell: a number can
never become a second command. Placeholders:

- ``{e164}``       the number in E.164: ``+14155550100``
- ``{number}``     the dial string: the E.164 number, then ``,`` and the extension when there
                   is one (``+14155550100,123``; a comma is a pause on most phones)
- ``{extension}``  the extension alone, or nothing

``{{`` and ``}}`` stand for literal braces. The template must use ``{e164}`` or ``{number}``.
"""

from __future__ import annotations

import shlex
import string
import threading
import time

from dialdeck.clock import Clock, system_clock

from .base import CallTracker, DialerError, DialTarget, EventCallback, Monotonic
from .handoff import LAUNCH_WAIT, HandoffCall, launch

PLACEHOLDERS = ("number", "e164", "extension")
SETTING = "dial.command"


def parse_template(template: str) -> list[str]:
    """The template's words, checked; DialerError names what is wrong."""
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise DialerError(f"{SETTING}: cannot split {template!r} into words ({exc})") from None
    if not words:
        raise DialerError(f"{SETTING} is empty: set it to a command such as 'linphonecsh dial {{e164}}'")
    used: set[str] = set()
    for word in words:
        used |= _fields(word)
    if _fields(words[0]):
        raise DialerError(f"{SETTING}: the program name {words[0]!r} cannot contain a placeholder")
    if not used & {"number", "e164"}:
        raise DialerError(f"{SETTING}: {template!r} never passes the number: add {{e164}} or {{number}}")
    return words


def render(words: list[str], target: DialTarget) -> list[str]:
    values = {"number": target.dial_string, "e164": target.e164, "extension": target.extension or ""}
    return [word.format(**values) for word in words]


def _fields(word: str) -> set[str]:
    try:
        parsed = list(string.Formatter().parse(word))
    except ValueError as exc:
        raise DialerError(f"{SETTING}: {word!r}: {exc} (write {{{{ and }}}} for literal braces)") from None
    found: set[str] = set()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        # Only bare names: "{number.__class__}" or "{number!r}" could leak more than the number.
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            raise DialerError(
                f"{SETTING}: unknown placeholder {shown} in {word!r}; use {{number}}, {{e164}} or {{extension}}"
            )
        found.add(name)
    return found


class CommandDialer:
    name = "command"
    places_calls = False

    def __init__(
        self,
        template: str,
        *,
        clock: Clock = system_clock,
        monotonic: Monotonic = time.monotonic,
        launch_wait: float = LAUNCH_WAIT,
    ):
        self._words = parse_template(template)
        self._clock = clock
        self._monotonic = monotonic
        self._launch_wait = launch_wait

    def dial(self, target: DialTarget, on_event: EventCallback) -> HandoffCall:
        tracker = CallTracker(target, on_event, self._clock, self._monotonic)
        argv = render(self._words, target)
        threading.Thread(target=self._run, args=(tracker, argv), name="dialdeck-command", daemon=True).start()
        return HandoffCall(tracker)

    def _run(self, tracker: CallTracker, argv: list[str]) -> None:
        shown = shlex.join(argv)
        done = launch(argv, self._launch_wait)
        if done.ok:
            tracker.hand_off(f"ran {shown}", shown)
        else:
            tracker.hand_off_failed(f"{shown} failed: {done.detail}", shown)

    def close(self) -> None:
        """Nothing to release: the command owns the call."""
