"""Placing calls from the command line: ``dial``, and the voicemail ``recording`` commands.

``dialdeck dial ID`` asks the guard first (``services.dial_plan``): a refused call exits 1 with
the reason and nothing reaches the network. Then the configured back-end places it; each state
change is printed as it comes (a JSON object per line with ``--json``), then the result.
``--drop`` plays the step's recording once the call is answered and logs *voicemail* with the
call's facts; otherwise nothing is logged: the rep logs the outcome with ``dialdeck log`` (the
readable output ends with that command, the call's facts filled in). Ctrl-C hangs up.
"""

from __future__ import annotations

import argparse
import json
import queue
import signal
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from dialdeck import dialers, services
from dialdeck.clock import Clock, system_clock
from dialdeck.errors import InvalidInput
from dialdeck.guard import NotCallable
from dialdeck.models import CallFacts, DialPlan, Rep
from dialdeck.phrases import call_length
from dialdeck.safe_text import json_safe

from .database import database, rep_of
from .output import PROG, plain, print_json, table, zone_info
from .times import rep_now

# After a hang-up (Ctrl-C, --hangup-after), how long to wait for the network to confirm the end.
HANGUP_WAIT = 15.0
# How long a dropped recording may play before dialdeck stops waiting for its end (3 min max).
DROP_WAIT = 200.0


def cmd_dial(args: argparse.Namespace) -> int:
    with database(args) as db:
        zone, now = rep_now(args, db)
        rep = rep_of(args, db)
        try:
            plan = services.dial_plan(db, args.prospect_id, now, rep=rep)
        except NotCallable as refused:
            raise InvalidInput(f"not dialled: {refused}") from None
        if args.drop and plan.recording is None:
            raise InvalidInput(_no_recording(plan))
        clock = _running_from(now) if args.at else system_clock
        dialer = dialers.make_dialer(services.dialer_settings(db, rep=rep), backend=getattr(args, "dialer", None),
                                     clock=clock, display_name=services.get_profile(db, rep=rep).name)
        try:
            if (args.drop or args.hangup_after) and not dialer.places_calls:
                raise InvalidInput(f"{'--drop' if args.drop else '--hangup-after'} needs a back-end that places the "
                                   f"call itself (dial.backend sip); {dialer.name} hands the number over")
            if not args.json:
                print(f"dialing {plan.name} (#{plan.prospect_id}) at {_shown_number(plan)} · {plan.cadence} "
                      f"step {plan.step} · {dialer.name}")
            result, interrupted = _place(dialer, plan, args, zone)
        finally:
            dialer.close()
        logged = _log_drop(db, plan, result, now, rep) if args.drop else None
    _print_result(plan, result, logged, args.json)
    if interrupted:
        return 130
    return 1 if result is not None and result.result == dialers.FAILED else 0


def _place(dialer: dialers.Dialer, plan: DialPlan, args: argparse.Namespace,
           zone: str) -> tuple[dialers.CallResult | None, bool]:
    """Dial, print each state as it comes, drop or hang up when asked; (result, Ctrl-C pressed)."""
    events: queue.Queue[dialers.CallEvent] = queue.Queue()
    # Ctrl-C only sets a flag the loop reads: a KeyboardInterrupt raised at any bytecode could
    # land inside the queue's lock and leave the back-end's thread blocked on it for good.
    pressed = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: pressed.set())
    try:
        call = dialer.dial(dialers.DialTarget(plan.number_e164, plan.extension), events.put)
        return _follow(call, events, pressed, plan, args, zone)
    finally:
        signal.signal(signal.SIGINT, previous)


def _follow(call: dialers.CallHandle, events: queue.Queue[dialers.CallEvent], pressed: threading.Event,
            plan: DialPlan, args: argparse.Namespace, zone: str) -> tuple[dialers.CallResult | None, bool]:
    hangup_at: float | None = None
    deadline: float | None = None  # how long we still wait once we asked the call to end
    interrupted = False
    while True:
        if pressed.is_set() and not interrupted:  # Ctrl-C: hang up, and still report how it ended
            interrupted = True
            call.hang_up()
            hangup_at, deadline = None, time.monotonic() + HANGUP_WAIT
        event = _next_event(events, hangup_at, deadline)
        if event is None:
            if deadline is not None and time.monotonic() >= deadline:
                return call.result, interrupted  # the network never confirmed: give up waiting
            if hangup_at is not None and time.monotonic() >= hangup_at:
                call.hang_up()
                hangup_at, deadline = None, time.monotonic() + HANGUP_WAIT
            continue
        _print_event(event, zone, args.json)
        if event.final:
            return event.result, interrupted
        if event.state is dialers.CallState.ANSWERED:
            if args.drop and plan.recording is not None:
                call.drop(plan.recording)
                deadline = time.monotonic() + DROP_WAIT
            elif args.hangup_after is not None:
                hangup_at = time.monotonic() + args.hangup_after


def _next_event(events: queue.Queue[dialers.CallEvent], hangup_at: float | None,
                deadline: float | None) -> dialers.CallEvent | None:
    try:
        return events.get(timeout=0.05 if hangup_at is not None or deadline is not None else 0.2)
    except queue.Empty:
        return None


def _print_event(event: dialers.CallEvent, zone: str, as_json: bool) -> None:
    if as_json:
        _json_line(event.as_json())
        return
    reason = f" ({event.reason})" if event.reason else ""
    print(f"{event.at.astimezone(zone_info(zone)):%H:%M:%S}  {event.state.value}{reason}", flush=True)


def _json_line(value: dict[str, Any]) -> None:
    """One JSON object on one line, sent at once: a script reads the states as they happen."""
    print(json_safe(json.dumps(plain(value), ensure_ascii=False)), flush=True)


def _log_drop(db: Any, plan: DialPlan, result: dialers.CallResult | None, now: datetime, rep: Rep) -> int | None:
    """A dropped recording is a voicemail left: logged with the call's facts at the dial's moment,
    as the rep who dialled."""
    if result is None or not result.recording_dropped:
        return None
    facts = CallFacts(number=_number_text(plan), ring_seconds=result.ring_seconds, talk_seconds=result.talk_seconds,
                      network_result=result.result, recording_dropped=True)
    return services.log_outcome(db, plan.prospect_id, "voicemail", now, call=facts, rep=rep).attempt_id


def _print_result(plan: DialPlan, result: dialers.CallResult | None, logged: int | None, as_json: bool) -> None:
    if as_json:
        line: dict[str, Any] = result.as_json() if result is not None else {
            "result": None, "suggested_outcome": None, "ring_seconds": None, "talk_seconds": None}
        line = {**line, "prospect_id": plan.prospect_id, "logged_attempt_id": logged}
        _json_line(line)
        return
    if result is None:
        print("the call did not end within the time dialdeck waits; check the phone system")
        return
    print(_summary(result))
    if logged is not None:
        print(f"voicemail logged for {plan.name} (#{plan.prospect_id})")
    elif result.suggested_outcome is not None:
        print(f"log it: {PROG} log {plan.prospect_id} {_log_args(plan, result)}")
    elif result.result is None:
        print(f"log the outcome when the call ends: {PROG} log {plan.prospect_id} OUTCOME")


def _summary(result: dialers.CallResult) -> str:
    if result.result is None:
        return f"handed over: {result.reason or result.dialled}"
    parts = [result.result]
    if result.ring_seconds is not None:
        parts.append(f"rang {result.ring_seconds:g} s")
    if result.result == dialers.ANSWERED and result.talk_seconds is not None:
        parts.append(f"talk {call_length(result.talk_seconds)}")
    if result.reason:
        parts.append(result.reason)
    if result.suggested_outcome:
        parts.append(f"suggested outcome: {result.suggested_outcome}")
    return " · ".join(parts)


def _log_args(plan: DialPlan, result: dialers.CallResult) -> str:
    """What ``dialdeck log`` takes to record this call with its facts."""
    words = [result.suggested_outcome or "OUTCOME"]
    if result.suggested_outcome == "connected":
        words.append("--disposition booked|not-interested|continue (or --callback TIME)")
    if plan.extension:
        words.append(f"--number '{_number_text(plan)}'")
    words.append(f"--network-result {result.result}")
    if result.ring_seconds is not None:
        words.append(f"--ring-seconds {result.ring_seconds:g}")
    if result.talk_seconds is not None:
        words.append(f"--talk-seconds {result.talk_seconds:g}")
    return " ".join(words)


def _number_text(plan: DialPlan) -> str:
    return f"{plan.number_e164};ext={plan.extension}" if plan.extension else plan.number_e164


def _shown_number(plan: DialPlan) -> str:
    target = dialers.DialTarget(plan.number_e164, plan.extension)
    return target.display


def _no_recording(plan: DialPlan) -> str:
    return (f"--drop: no voicemail recording is set for {plan.cadence} step {plan.step}; set one with "
            f"`{PROG} recording set {plan.cadence} {plan.step} FILE.wav`")


def _running_from(start: datetime) -> Clock:
    """A clock that starts at --at and runs at real speed: the call's states are stamped in it."""
    began = system_clock()
    return lambda: start + (system_clock() - began)


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text[:40]!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds from 0 to 3600")
    return value


# --------------------------------------------------------------------------- recording


def cmd_recording_set(args: argparse.Namespace) -> int:
    with database(args, create=True) as db:
        stored = services.set_recording(db, args.cadence, args.step, args.file, rep=rep_of(args, db))
    print(f"recording for {stored.cadence} step {stored.step} stored ({stored.seconds:g} s): {stored.path}")
    return 0


def cmd_recording_list(args: argparse.Namespace) -> int:
    with database(args, readonly=True) as db:
        rep = rep_of(args, db)
        found = services.list_recordings(db, rep=rep)
        folder = services.recordings_folder(db, rep=rep)
    if args.json:
        print_json([{"cadence": r.cadence, "step": r.step, "seconds": r.seconds, "file": str(r.path)} for r in found])
        return 0
    if not found:
        print(f"no recordings yet (kept in {folder}); add one with: {PROG} recording set CADENCE STEP FILE.wav")
        return 0
    print(table(["CADENCE", "STEP", "LENGTH", "FILE"],
                [[r.cadence, str(r.step), f"{r.seconds:.1f} s", str(r.path)] for r in found]))
    return 0


def cmd_recording_remove(args: argparse.Namespace) -> int:
    with database(args, readonly=True) as db:
        removed = services.remove_recording(db, args.cadence, args.step, rep=rep_of(args, db))
    print(f"recording for {removed.cadence} step {removed.step} removed")
    return 0


def recording_file(text: str) -> Path:
    return Path(text).expanduser()
