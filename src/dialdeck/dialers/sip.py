"""The ``sip`` back-end: real SIP calls placed by a baresip process that dialdeck runs.

A call goes to ``sip:{E.164}@{sip.domain}``. Progress comes from baresip's events:
CALL_RINGING or CALL_PROGRESS (180/183) -> ringing, CALL_ESTABLISHED -> answered,
CALL_CLOSED -> busy / no-answer / failed / ended, from the SIP status it carries.

- **Ring timeout**: unanswered after ``ring_timeout`` seconds (from dialling), dialdeck hangs
  up (CANCEL) and reports *no-answer*.
- **Extension**: dialled as DTMF (RFC 4733 telephone events) ``extension_delay`` seconds after
  the answer, when an auto-attendant listens for it. DTMF rides on the audio stream, so it needs
  an audio device (``sip.audio`` other than ``none``).
- **Voicemail drop**: ``drop(wav)`` switches the call's audio source to the recording (baresip's
  ``aufile``); at the end of the file baresip ends the call (BYE) and the result says
  ``recording_dropped``. ``drop`` returns at once: the rep moves on while it plays.

One baresip process carries one call (``call_max_calls 1``): baresip's ``ausrc`` command sets
the source for every call of the process and for the next ones, so a recording still playing
into one call must not leak into the next. The next call while a drop is still playing gets a
second process (they start in about 0.1 s); idle ones are reused.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dialdeck.clock import Clock, system_clock

from . import recordings
from .baresip import (
    AGENT_EXIT,
    AgentConfig,
    BaresipAgent,
    SipAccount,
    audio_devices,
    find_executable,
    find_module_path,
    required_modules,
)
from .base import (
    ANSWERED,
    BUSY,
    FAILED,
    NO_ANSWER,
    CallResult,
    CallState,
    CallTracker,
    DialerError,
    DialTarget,
    EventCallback,
    Monotonic,
)

MAX_AGENTS = 3  # a call in progress, a drop still playing, and one spare
CLOSE_WAIT = 5.0  # after our hang-up, how long to wait for baresip to confirm the call closed
END_OF_FILE = "end of file"  # baresip's aufile: the recording has played to its end
# baresip 1.0 ends the call as soon as aufile's buffer is empty, while the last ~0.1-0.2 s are
# still in its send path: without a silent tail, the end of the message would be cut off.
DROP_TAIL = 0.5
_DEVICE_MAX = 127  # baresip 1.0 copies the ausrc device (the WAV path) into char[128]
_STATUS = re.compile(r"^([3-6]\d\d)\b")

__all__ = ["SipAccount", "SipCall", "SipConfig", "SipDialer", "classify_close"]


@dataclass(frozen=True)
class SipConfig:
    account: SipAccount
    ring_timeout: float = 30.0
    audio: str = "alsa,default"
    listen: str = "0.0.0.0"  # noqa: S104  a SIP agent is reached by its provider: every interface unless set
    interface: str | None = None
    extension_delay: float = 2.0
    executable: str = "baresip"
    module_path: str | None = None
    ready_timeout: float = 10.0
    workdir_root: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= self.ring_timeout <= 300:
            raise DialerError(f"dial.ring_timeout: {self.ring_timeout:g} s is out of range 1..300")
        if not 0 <= self.extension_delay <= 30:
            raise DialerError(f"extension delay {self.extension_delay:g} s is out of range 0..30")

    def agent_config(self) -> AgentConfig:
        return AgentConfig(
            account=self.account, audio=self.audio, listen=self.listen, interface=self.interface,
            executable=self.executable, module_path=self.module_path,
            call_timeout=int(self.ring_timeout) + 30, ready_timeout=self.ready_timeout,
        )


def classify_close(reason: str | None, *, answered: bool, hung_up: bool, timed_out: bool) -> str:
    """What a CALL_CLOSED means: answered, busy, no-answer or failed.

    486 Busy Here, 600 Busy Everywhere and 603 Decline (the callee pressed "decline") are busy;
    408, 480 and 487 (the network gave up ringing) and our own hang-up before the answer are no
    answer; any other status, or a close without one (network error), is failed.
    """
    if answered:
        return ANSWERED
    if timed_out or hung_up:
        return NO_ANSWER
    match = _STATUS.match(reason or "")
    if match is None:
        return FAILED
    code = int(match.group(1))
    if code in (486, 600, 603):
        return BUSY
    if code in (408, 480, 487):
        return NO_ANSWER
    return FAILED


class SipDialer:
    name = "sip"
    places_calls = True

    def __init__(self, config: SipConfig, *, clock: Clock = system_clock, monotonic: Monotonic = time.monotonic):
        self.config = config
        self._clock = clock
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._idle: list[BaresipAgent] = []
        self._agents: list[BaresipAgent] = []
        self._closed = False
        # Fail now, not at the first call, when baresip or one of its modules is missing.
        agent_config = config.agent_config()
        find_executable(agent_config.executable)
        find_module_path(agent_config.module_path, required_modules(agent_config))

    @property
    def version(self) -> str | None:
        """baresip's version, once an agent has started."""
        return next((agent.version for agent in self._agents if agent.version), None)

    def start(self) -> None:
        """Starts one agent now (and registers it), so a bad account shows before the first call."""
        agent = self._take_agent()
        self._give_back(agent)

    def dial(self, target: DialTarget, on_event: EventCallback) -> SipCall:
        agent = self._take_agent()
        tracker = CallTracker(target, on_event, self._clock, self._monotonic)
        call = SipCall(self, agent, tracker, self.config)
        call.start()
        return call

    def close(self) -> None:
        with self._lock:
            self._closed = True
            agents, self._agents, self._idle = self._agents, [], []
        for agent in agents:
            agent.stop()

    def _take_agent(self) -> BaresipAgent:
        with self._lock:
            if self._closed:
                raise DialerError("the sip dialer is closed")
            while self._idle:
                agent = self._idle.pop()
                if agent.alive:
                    return agent
                self._agents.remove(agent)
            if len(self._agents) >= MAX_AGENTS:
                raise DialerError(f"{MAX_AGENTS} calls are still in progress: hang one up first")
            agent = BaresipAgent(self.config.agent_config(), self.config.workdir_root)
            self._agents.append(agent)
        try:
            agent.start()
        except BaseException:
            with self._lock:
                if agent in self._agents:
                    self._agents.remove(agent)
            raise
        return agent

    def _give_back(self, agent: BaresipAgent) -> None:
        with self._lock:
            if self._closed or not agent.alive:
                stop = True
            else:
                stop = False
                self._idle.append(agent)
        if stop:
            threading.Thread(target=agent.stop, daemon=True).start()


class SipCall:
    """One call on one agent. Its state changes on the agent's thread; ``hang_up`` and
    ``drop`` may be called from any other thread."""

    _drops = itertools.count(1)

    def __init__(self, dialer: SipDialer, agent: BaresipAgent, tracker: CallTracker, config: SipConfig):
        self._dialer = dialer
        self._agent = agent
        self._tracker = tracker
        self._config = config
        self.target = tracker.target
        self.uri = f"sip:{self.target.e164}@{config.account.domain}"
        self._call_id: str | None = None
        self._hung_up = False
        self._timed_out = False
        self._hangup_at: float | None = None
        self._dropping = False
        self._drop_finished = False
        self._extension_sent = self.target.extension is None
        self._released = False  # guarded by agent.lock: no command for this call after release

    # -- the handle ---------------------------------------------------------------------------

    @property
    def state(self) -> CallState | None:
        return self._tracker.state

    @property
    def result(self) -> CallResult | None:
        return self._tracker.result

    @property
    def dropping(self) -> bool:
        return self._dropping and not self._tracker.finished

    def wait(self, timeout: float | None = None) -> CallResult | None:
        return self._tracker.wait(timeout)

    def hang_up(self) -> None:
        """Ends the call: CANCEL while it rings, BYE once answered. Safe to repeat."""
        with self._agent.lock:
            if self._released or self._tracker.finished:
                return
            self._hung_up = True
            self._send_hangup()

    def drop(self, wav_path: Path | str) -> None:
        """Plays the recording into the answered call; the call ends when it has played.

        Returns once baresip has switched to the recording; raises DialerError (or
        RecordingError) when the call is not answered or the file cannot be played.
        """
        if not self._tracker.answered or self._tracker.finished:
            raise DialerError("the call is not answered: there is nothing to play the recording into")
        if self._dropping:
            raise DialerError("a recording is already playing into this call")
        dest = self._agent.workdir / f"drop-{next(self._drops)}.wav"
        if len(str(dest)) > _DEVICE_MAX:
            raise DialerError(f"the temporary directory path is too long for baresip ({dest})")
        recordings.prepare_for_call(wav_path, dest, trailing_silence=DROP_TAIL)
        with self._agent.lock:
            if self._released or self._tracker.finished:
                raise DialerError("the call ended before the recording could start")
            self._dropping = True
            response = self._agent.send("ausrc", f"aufile,{dest}")
        try:
            answer = response.result(5.0)
        except TimeoutError:
            raise DialerError("baresip did not switch to the recording within 5 s") from None
        data = str(answer.get("data", ""))
        # baresip 1.0 answers ok even when the file could not be opened: the text says so.
        if not answer.get("ok") or "failed" in data or "no such" in data:
            self._dropping = False
            raise DialerError(f"baresip could not play the recording: {data.strip() or 'no reason given'}")

    # -- driven by the agent's thread ---------------------------------------------------------

    def start(self) -> None:
        self._agent.listener = self._on_event
        self._agent.ticker = self._tick
        self._tracker.dialing()
        try:
            answer = self._agent.request("dial", self.uri)
        except DialerError as exc:
            self._finish(FAILED, str(exc))
            return
        if not answer.get("ok"):
            self._finish(FAILED, f"baresip refused the call: {str(answer.get('data', '')).strip() or 'no reason'}")

    def _on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == AGENT_EXIT:
            self._finish(FAILED if not self._tracker.answered else ANSWERED, str(event.get("param")))
            return
        if event.get("direction") != "outgoing" or not self._ours(event.get("id")):
            return
        if kind in ("CALL_RINGING", "CALL_PROGRESS"):
            self._tracker.ringing()
        elif kind == "CALL_ESTABLISHED":
            self._tracker.answered_now()
        elif kind == "AUDIO_ERROR" and END_OF_FILE in str(event.get("param", "")):
            self._drop_finished = self._dropping
        elif kind == "CALL_CLOSED":
            reason = str(event.get("param") or "") or None
            if reason == END_OF_FILE and self._dropping:
                self._drop_finished = True
            self._finish(self._classify(reason), self._describe(reason))

    def _ours(self, call_id: Any) -> bool:
        if not call_id:
            return True  # a few events (the SDP offer) carry no id yet
        if self._call_id is None:
            self._call_id = str(call_id)
        return self._call_id == str(call_id)

    def _tick(self) -> None:
        tracker = self._tracker
        if tracker.finished:
            return
        now = self._tracker.monotonic()
        if self._hangup_at is not None:
            if now - self._hangup_at > CLOSE_WAIT:  # baresip never confirmed: settle it anyway
                self._finish(self._classify(None), "hung up; baresip did not confirm the call's end")
            return
        if not tracker.answered and tracker.seconds_since_dialing() >= self._config.ring_timeout:
            with self._agent.lock:
                self._timed_out = True
                self._send_hangup()
        elif tracker.answered and not self._extension_sent:
            since = tracker.seconds_since_answer() or 0.0
            if since >= self._config.extension_delay:
                self._extension_sent = True
                self._agent.send("sndcode", self.target.extension)

    def _send_hangup(self) -> None:  # caller holds agent.lock
        if self._hangup_at is None:
            self._hangup_at = self._tracker.monotonic()
            self._agent.send("hangup")

    def _classify(self, reason: str | None) -> str:
        return classify_close(reason, answered=self._tracker.answered, hung_up=self._hung_up, timed_out=self._timed_out)

    def _describe(self, reason: str | None) -> str | None:
        if self._drop_finished:
            return "the recording played to its end"
        if self._timed_out and not self._tracker.answered:
            return f"no answer within {self._config.ring_timeout:g} s"
        if self._hung_up:
            return "hung up" + (" while ringing" if not self._tracker.answered else "")
        return reason

    def _finish(self, result: str, reason: str | None) -> None:
        # The agent is free again before anyone hears the call ended: a caller that waits for
        # the result and dials again reuses it.
        dropped = self._drop_finished
        self._release()
        self._tracker.finish(result, reason, self.uri, recording_dropped=dropped)

    def _release(self) -> None:
        with self._agent.lock:
            if self._released:
                return
            self._released = True
            if self._dropping and self._agent.alive:
                # The recording stays baresip's source for later calls unless switched back.
                self._agent.send("ausrc", self._agent_default_source())
            self._agent.listener = None
            self._agent.ticker = None
        self._dialer._give_back(self._agent)

    def _agent_default_source(self) -> str:
        return audio_devices(self._config.audio)[0]
