"""The session's phone keys: dial, hang up, confirm the outcome the network suggests, drop the
step's voicemail, power mode and its countdown, and recording a step's voicemail here.

``CallingScreen`` is the session screen's base: it owns the call on screen (``tui/calls.py``)
and the back-end; ``SessionScreen`` lists the keys and logs the outcomes. Every dial first asks
the services (``services.dial_plan``: the same guard as the outcome path) and shows why not
instead of dialling. The back-end's events come on its own thread as ``CallProgress``
messages; ``dial``, ``hang_up`` and ``drop`` may block a moment, so they run in threads. A
back-end that cannot work here (baresip missing, ``sip.domain`` unset) is one line in the
status line, and the session dials by hand (manual) instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import getters, work
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer

from dialdeck import services
from dialdeck.dialers import CallEvent, CallState, Dialer, DialTarget
from dialdeck.errors import DialdeckError
from dialdeck.models import CALL_OUTCOMES, CallCard, DialPlan, Recording, RepProfile
from dialdeck.phones import number_text
from dialdeck.tui.calls import CallProgress, Countdown, LiveCall, clock_text
from dialdeck.tui.dial_jobs import next_dialable
from dialdeck.tui.formatting import outcome_label
from dialdeck.tui.messages import Failure, ReadFailed
from dialdeck.tui.widgets.call_panel import CallPanel

if TYPE_CHECKING:
    from dialdeck.models import ContactNumber
    from dialdeck.tui.app import DialdeckApp

T = TypeVar("T")

# The phone keys as the help lists them: two keys to a row, so the help still fits at 80x24.
PHONE_KEY_IDS = frozenset({"dial", "hang_up", "power_on", "power_off", "drop", "record", "cancel_countdown",
                           "confirm_outcome"})
PHONE_HELP = (
    Binding("g,h", "dial", "Dial", tooltip="Dial this prospect (the guard checks first) · h hangs up"),
    Binding("enter", "confirm_outcome", "Log it", tooltip="After a call: log the outcome it suggests"),
    Binding("r,R", "drop", "Drop VM", tooltip="Voicemail box: r drops this step's recording · R records one"),
    Binding("a,escape", "power", "Power", tooltip="Power mode on or off · Esc cancels its countdown"),
)


def start_recorder(program: str, target: Path) -> subprocess.Popen[bytes]:
    """``arecord`` writing the microphone to ``target`` as the calls carry it: 8 kHz mono 16-bit."""
    return subprocess.Popen(
        [program, "-q", "-t", "wav", "-f", "S16_LE", "-r", "8000", "-c", "1", "-d", str(RECORD_LIMIT), str(target)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def help_bindings(bindings: list[BindingType]) -> list[BindingType]:
    """The session's bindings as the help lists them: the phone keys in their compact rows."""
    kept = [binding for binding in bindings if not (isinstance(binding, Binding) and binding.id in PHONE_KEY_IDS)]
    return [*kept, *PHONE_HELP]


RECORDER = "arecord"  # alsa-utils: records a WAV from the default microphone until stopped
RECORD_LIMIT = 180  # seconds: a voicemail recording may last at most 3 minutes
# The phases the keys depend on: what dial, hang up, drop, Enter and Esc may do now.
IDLE, LIVE, ANSWERED, ENDED, COUNTDOWN = "idle", "live", "answered", "ended", "countdown"


class CallingScreen(Screen[None]):
    if TYPE_CHECKING:  # what the session screen provides
        app = getters.app(DialdeckApp)
        card: CallCard | None
        profile: RepProfile
        step_action: str | None

        @property
        def writing(self) -> bool: ...

        def say(self, message: str, tone: str = "done") -> None: ...

        async def _ask(self, job: Callable[..., T], *args: Any, **kwargs: Any) -> T | Failure: ...

        def _log(self, card: CallCard, outcome: str, **extra: Any) -> None: ...

        def number_in_use(self) -> ContactNumber | None: ...

        def pick(self, prospect_id: int) -> None: ...

        def action_outcome(self, outcome: str) -> None: ...

    call_phase: var[str] = var(IDLE, bindings=True)
    power: var[bool] = var(False, bindings=True)

    def __init__(self) -> None:
        super().__init__()
        self.call: LiveCall | None = None
        self.countdown: Countdown | None = None
        self._serial = 0
        self._dialing = False  # from the dial key until the back-end has the call
        self._ticker: Timer | None = None
        self._dialer_ready = asyncio.Lock()
        self._recorder: subprocess.Popen[bytes] | None = None
        self._recording_to: tuple[Path, str, int] | None = None  # file, cadence, step

    # --- the back-end ------------------------------------------------------------------

    @work(group="dialer")
    async def prepare_dialer(self) -> None:
        """Make the back-end as the session opens, so a problem with it shows before the first dial."""
        await self.dialer()

    async def dialer(self) -> Dialer:
        async with self._dialer_ready:
            app = self.app
            if app.dialer is None:
                app.dialer = await self._make_dialer()
                # Power mode starts on where dialdeck itself places the calls and hears how they
                # end; off where the number goes to another phone (the issue: off for manual).
                self.power = app.dialer.places_calls
            return app.dialer

    async def _make_dialer(self) -> Dialer:
        app = self.app
        settings = await self._ask(services.dialer_settings)
        values = {} if isinstance(settings, Failure) else settings
        options: dict[str, Any] = {"clock": app.clock, "monotonic": app.monotonic, "osc52": self._osc52,
                                   "display_name": self.profile.name or None}
        try:
            return await asyncio.to_thread(app.dialer_factory, values, backend=app.dialer_backend, **options)
        except DialdeckError as error:
            chosen = app.dialer_backend or values.get("dial.backend") or "the back-end"
            self.say(f"{chosen} cannot dial here, so you dial by hand this session: {error}", "error")
            return await asyncio.to_thread(app.dialer_factory, {}, backend="manual", **options)

    def _osc52(self, text: str) -> None:
        """The manual back-end's clipboard request, through Textual (it owns the terminal)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # the back-end's thread: hand it to the app's
            self.app.call_from_thread(self.app.copy_to_clipboard, text)
        else:
            self.app.copy_to_clipboard(text)

    # --- what the keys may do now --------------------------------------------------------

    def call_key_state(self, action: str, parameters: tuple[object, ...]) -> tuple[bool, bool | None]:
        """(is it one of the phone keys, its state): True usable, None dimmed, False hidden."""
        phase = self.call_phase
        live = phase in (LIVE, ANSWERED)
        if action == "dial":
            return True, False if live else (True if self.step_action == "call" else None)
        if action == "hang_up":
            return True, live
        if action == "drop":
            return True, phase == ANSWERED
        if action == "confirm_outcome":
            return True, self._confirmable() is not None
        if action == "cancel_countdown":
            return True, phase == COUNTDOWN
        if action == "power":
            return True, bool(parameters and parameters[0] != self.power)
        if action == "record":
            return True, True if self.step_action == "call" and not live else None
        if action == "outcome" and live and parameters and parameters[0] in CALL_OUTCOMES:
            return True, None  # the call is still on: hang up (h) or let it end first
        return False, None

    def _confirmable(self) -> str | None:
        """The outcome Enter logs: the ended call's suggestion, on the card it was placed from."""
        call, card = self.call, self.card
        if call is None or not call.ended or card is None or card.prospect.id != call.prospect_id:
            return None
        return call.suggested

    def _phase(self) -> str:
        if self.countdown is not None:
            return COUNTDOWN
        call = self.call
        if call is None:
            return IDLE
        if call.live:
            return ANSWERED if call.answered else LIVE
        return ENDED

    def show_call(self) -> None:
        self.call_phase = self._phase()
        self.query_one("#call", CallPanel).show(self.call, self.countdown, self.app.monotonic())

    def tick_call(self) -> None:
        """Every second: the call timer moves (nothing is read from anywhere)."""
        if self.call is not None and self.call.live:
            self.query_one("#call", CallPanel).tick(self.app.monotonic())

    # --- dialing -----------------------------------------------------------------------

    def action_dial(self) -> None:
        card = self.card
        if card is None or self.writing or self._dialing or (self.call is not None and self.call.live):
            self.app.bell()
            return
        self.stop_countdown()
        if card.script.action != "call":
            self.say(f"This step is {card.script.action}, not a call: nothing to dial.", "notice")
            return
        self._dialing = True
        self._dial(card)

    @work(group="dial")
    async def _dial(self, card: CallCard, by_power: bool = False) -> None:
        try:
            await self._place(card, by_power)
        finally:
            self._dialing = False

    async def _place(self, card: CallCard, by_power: bool = False) -> None:
        number = self.number_in_use()
        shown = number_text(number.e164, number.extension) if number is not None else None
        plan = await self._ask(services.dial_plan, card.prospect.id, self.app.clock(), number=shown)
        if isinstance(plan, Failure):
            if plan.kind == "refused":  # the guard: do-not-call, finished, their hours, the cap
                self.say(f"Not dialled: {plan.reason}", "error")
                if by_power and self.power:
                    self.power_next()  # on to the next one the guard lets through, or stop and say why
            else:
                self.post_message(ReadFailed(plan))
            return
        dialer = await self.dialer()
        self._serial += 1
        serial = self._serial
        call = LiveCall(serial, card, plan, dialer.places_calls)
        self.call = call
        self.show_call()

        def on_event(event: CallEvent) -> None:  # the back-end's thread
            self.post_message(CallProgress(serial, event))

        try:
            target = DialTarget(plan.number_e164, plan.extension)
            handle = await asyncio.to_thread(dialer.dial, target, on_event)
        except DialdeckError as error:
            if self.call is call:
                self.call = None
                self.show_call()
            self.say(f"Not dialled: {error}", "error")
            return
        call.handle = handle
        # Kept to hang up on the way out; calls already over are let go.
        self.app.calls = [*(other for other in self.app.calls if other.result is None), handle]

    def on_call_progress(self, message: CallProgress) -> None:
        call = self.call
        if call is None or call.serial != message.serial:
            return  # a call let go (its voicemail still playing), or one already logged
        call.apply(message.event)
        self.show_call()
        if call.ended and call.places_calls:
            self.say(self._ended_line(call), "notice" if call.suggested else "error")

    @staticmethod
    def _ended_line(call: LiveCall) -> str:
        if call.state is CallState.ENDED:
            result = call.result
            talk = f" after {clock_text(result.talk_seconds)}" if result and result.talk_seconds is not None else ""
            said = f"{call.plan.name}: call ended{talk}"
        else:
            state = call.state.value if call.state is not None else "ended"
            why = f" ({call.reason})" if call.reason else ""
            said = f"{call.plan.name}: {state.replace('-', ' ')}{why}"
        if call.suggested is None:
            return f"{said}: press the outcome key"
        return f"{said}: Enter logs {outcome_label(call.suggested)}, or press another outcome key"

    def action_hang_up(self) -> None:
        call = self.call
        if call is None or not call.live or call.handle is None:
            self.app.bell()
            return
        self._hang_up(call)

    @work(group="hang_up")
    async def _hang_up(self, call: LiveCall) -> None:
        if call.handle is not None:
            try:
                await asyncio.to_thread(call.handle.hang_up)
            except DialdeckError as error:
                self.say(f"Could not hang up: {error}", "error")

    def action_confirm_outcome(self) -> None:
        """Enter: log the outcome the network suggested (otherwise Enter works the due list)."""
        outcome = self._confirmable()
        if outcome is None:
            raise SkipAction()
        self.action_outcome(outcome)

    def call_facts_for(self, card: CallCard, outcome: str, extra: dict[str, Any]) -> None:
        """The ended call's facts go with the outcome logged for its prospect."""
        call = self.call
        if ("call" not in extra and call is not None and call.ended and call.prospect_id == card.prospect.id
                and outcome in CALL_OUTCOMES):
            extra["call"] = call.facts()

    def forget_ended_call(self, card: CallCard | None) -> None:
        """Another prospect is on the card: an ended call left unlogged is no longer offered
        (its outcome is the rep's to log by hand on that prospect)."""
        call = self.call
        if call is not None and call.ended and (card is None or card.prospect.id != call.prospect_id):
            self.call = None
            self.show_call()

    def outcome_logged(self, prospect_id: int) -> None:
        """An outcome is written and the next card is up: the call is done with; power mode goes on."""
        if self.call is not None and self.call.ended and self.call.prospect_id == prospect_id:
            self.call = None
            self.show_call()
        if self.power and self.call is None:
            self.power_next()

    # --- voicemail drop ------------------------------------------------------------------

    def action_drop(self) -> None:
        call = self.call
        if call is None or not call.answered or call.handle is None or self.writing:
            self.app.bell()
            return
        plan = call.plan
        if plan.recording is None:
            self.say(f"No voicemail recording for step {plan.step} of {plan.cadence}: record one with R, or "
                     f"import a WAV: dialdeck recording set {plan.cadence} {plan.step} FILE.wav", "notice")
            return
        self._drop(call, plan.recording)

    @work(group="dial")
    async def _drop(self, call: LiveCall, recording: Path) -> None:
        handle = call.handle
        assert handle is not None
        try:
            await asyncio.to_thread(handle.drop, recording)
        except DialdeckError as error:
            self.say(f"Voicemail not dropped: {error}", "error")
            return
        facts = call.facts(dropped_at=self.app.monotonic())
        # The message plays on and the call ends with it; the session moves on at once.
        if self.call is call:
            self.call = None
            self.show_call()
        self._log(call.card, "voicemail", call=facts)

    # --- power mode ------------------------------------------------------------------------

    def action_power(self, on: bool) -> None:
        self.power = on
        if on:
            self.say(f"Power mode on: after each outcome the next due call is dialled after "
                     f"{self.app.power_countdown} s (Esc cancels)")
            if self.call is None and self.card is not None and not self.writing:
                self.power_next()
        else:
            self.stop_countdown()
            self.say("Power mode off: g dials each call", "notice")

    @work(group="power", exclusive=True)
    async def power_next(self) -> None:
        """Find the next prospect power mode may dial, show them, and count down to the dial."""
        answer = await self._ask(next_dialable, self.app.clock())
        if isinstance(answer, Failure):
            self.post_message(ReadFailed(answer))
            return
        plan, skipped = answer
        if not self.power or self.call is not None or self.writing or self._dialing:
            return  # the rep moved on meanwhile
        if plan is None:
            self.power = False
            why = f": {'; '.join(skipped)}" if skipped else ""
            self.say(f"Power mode stopped: nobody due now may be dialled{why}", "notice")
            return
        if self.card is None or self.card.prospect.id != plan.prospect_id:
            self.pick(plan.prospect_id)
        self.start_countdown(plan, skipped)

    def start_countdown(self, plan: DialPlan, skipped: tuple[str, ...] = ()) -> None:
        self.stop_countdown()
        self.countdown = Countdown(plan, self.app.power_countdown, skipped)
        self._ticker = self.set_interval(1, self._count_down)
        self.show_call()

    def _count_down(self) -> None:
        countdown = self.countdown
        if countdown is None:
            return
        countdown.left -= 1
        if countdown.left > 0:
            self.show_call()
            return
        self.stop_countdown()
        card = self.card
        if card is None or card.prospect.id != countdown.plan.prospect_id:
            self.say(f"Power mode: {countdown.plan.name} is no longer on the card; g dials the one shown", "notice")
            return
        if self.writing or self._dialing or card.script.action != "call":
            return
        self._dialing = True
        self._dial(card, by_power=True)

    def stop_countdown(self) -> bool:
        """Stop power mode's countdown, if one runs; True if one did."""
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        stopped = self.countdown is not None
        if stopped:
            self.countdown = None
            self.show_call()
        return stopped

    def action_cancel_countdown(self) -> None:
        if self.stop_countdown():
            self.say("Countdown cancelled: g dials, a turns power mode off", "notice")

    # --- recording a step's voicemail ------------------------------------------------------

    @work(group="record")
    async def action_record(self) -> None:
        if self._recorder is not None:
            await self._stop_recording()
            return
        card = self.card
        if card is None or card.script.action != "call" or (self.call is not None and self.call.live):
            self.app.bell()
            return
        if card.script.voicemail is None:
            self.say("This step leaves no voicemail: there is nothing to record for it.", "notice")
            return
        cadence, step = card.enrollment.cadence, card.enrollment.step
        program = shutil.which(RECORDER)
        if program is None:
            self.say(f"Recording here needs {RECORDER} (package alsa-utils), not found: record a WAV elsewhere, "
                     f"then: dialdeck recording set {cadence} {step} FILE.wav", "notice")
            return
        target = Path(tempfile.mkdtemp(prefix="dialdeck-record-")) / "voicemail.wav"
        try:
            self._recorder = await asyncio.to_thread(start_recorder, program, target)
        except OSError as error:
            self.say(f"{RECORDER} could not start: {error.strerror or error}", "error")
            return
        self._recording_to = (target, cadence, step)
        self.say(f"Recording the voicemail for step {step} of {cadence} from the microphone… R stops", "notice")

    async def _stop_recording(self) -> None:
        recorder, where = self._recorder, self._recording_to
        self._recorder, self._recording_to = None, None
        if recorder is None or where is None:
            return
        target, cadence, step = where
        if recorder.poll() is None:
            recorder.send_signal(signal.SIGINT)  # arecord closes the WAV properly on SIGINT
        try:
            _, errors = await asyncio.to_thread(recorder.communicate, None, 10)
        except subprocess.TimeoutExpired:
            recorder.kill()
            _, errors = await asyncio.to_thread(recorder.communicate)
        said = (errors or b"").decode("utf-8", "replace").strip().splitlines()
        try:
            if not target.exists():
                self.say(f"Nothing was recorded{': ' + said[-1] if said else ''}", "error")
                return
            stored = await self._ask(services.set_recording, cadence, step, target)
            if isinstance(stored, Failure):
                self.say(f"Recording not kept: {stored.reason}", "error")
                return
            self.recorded(stored)
        finally:
            target.unlink(missing_ok=True)
            os.rmdir(target.parent)

    def recorded(self, stored: Recording) -> None:
        self.say(f"Voicemail recorded for step {stored.step} of {stored.cadence} ({stored.seconds:.1f} s): "
                 "r drops it when a voicemail box answers")
        call = self.call
        if call is not None and call.plan.cadence == stored.cadence and call.plan.step == stored.step:
            call.plan = replace(call.plan, recording=stored.path)

    def end_recording(self) -> None:
        """Leaving: a recorder still running is stopped (what it recorded is not kept)."""
        recorder = self._recorder
        self._recorder = None
        if recorder is not None and recorder.poll() is None:
            recorder.kill()
            recorder.wait()
