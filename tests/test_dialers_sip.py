"""The sip back-end placing real calls: baresip (started by dialdeck) against sipp on loopback.

Each test runs one sipp scenario: the built-in answering UAS, 486 Busy Here, ringing forever,
an answer the callee hangs up, a registrar. What reached the callee's media port is captured
with tcpdump, so a voicemail drop is checked by the RTP packets (and the audio in them) that
actually arrived, not by what dialdeck believes it sent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta

import pytest
from sip_peer import (
    LOOPBACK,
    SCENARIOS,
    Capture,
    dominant_frequency,
    mulaw_decode,
    need_capture,
    need_sip_tools,
    rms,
    sip_config,
    start_sipp,
)
from wav_helpers import tone, write_wav

from dialdeck.clock import UTC
from dialdeck.dialers import CallEvent, CallState, DialerError, DialTarget, make_dialer
from dialdeck.dialers.baresip import SipAccount, free_port, remove_stale_workdirs
from dialdeck.dialers.sip import SipConfig, SipDialer

NUMBER = DialTarget("+14155550100")


@pytest.fixture(autouse=True)
def _tools() -> None:
    need_sip_tools()


class Recorder:
    """Collects a call's events, as the TUI or the CLI would receive them."""

    def __init__(self) -> None:
        self.events: list[CallEvent] = []
        self.threads: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, event: CallEvent) -> None:
        with self._lock:
            self.events.append(event)
            self.threads.append(threading.current_thread().name)

    @property
    def states(self) -> list[str]:
        return [e.state.value for e in self.events]


@pytest.fixture
def dialers():
    made: list[SipDialer] = []

    def make(config: SipConfig, **kwargs) -> SipDialer:
        dialer = SipDialer(config, **kwargs)
        made.append(dialer)
        return dialer

    yield make
    for dialer in made:
        dialer.close()


def test_answered_call_reports_each_state_and_the_talk_time(tmp_path, dialers):
    sipp = start_sipp("uas", tmp_path)
    dialer = dialers(sip_config(sipp, tmp_path))
    events = Recorder()

    call = dialer.dial(NUMBER, events)
    _wait_for(lambda: call.state is CallState.ANSWERED)
    time.sleep(0.8)
    call.hang_up()
    result = call.wait(10)

    assert events.states == ["dialing", "ringing", "answered", "ended"]
    assert result is not None and result.result == "answered"
    assert result.suggested_outcome == "connected"
    assert 0.7 <= result.talk_seconds <= 2.0
    assert result.ring_seconds < 2.0
    assert result.dialled == f"sip:+14155550100@{sipp.domain}"
    assert events.events[-1].result == result
    assert sipp.finish() == 0  # sipp's UAS got our BYE: its scenario ran to the end
    assert dialer.version  # read from baresip's banner, e.g. "1.0.0"
    # Dialing is reported by dial() itself; the network's news comes on the agent's thread.
    assert [name.startswith("dialdeck-baresip") for name in events.threads] == [False, True, True, True]


def test_busy_callee_gives_busy_with_the_sip_reason(tmp_path, dialers):
    sipp = start_sipp("uas_busy.xml", tmp_path)
    events = Recorder()

    result = dialers(sip_config(sipp, tmp_path)).dial(NUMBER, events).wait(10)

    assert events.states == ["dialing", "busy"]
    assert events.events[-1].reason == "486 Busy Here"
    assert result is not None
    assert (result.result, result.suggested_outcome, result.talk_seconds) == ("busy", "busy", 0.0)
    assert sipp.finish() == 0


def test_unanswered_call_is_hung_up_at_the_ring_timeout(tmp_path, dialers):
    sipp = start_sipp("uas_ring.xml", tmp_path)
    events = Recorder()
    started = time.monotonic()

    result = dialers(sip_config(sipp, tmp_path, ring_timeout=2.0)).dial(NUMBER, events).wait(15)

    assert events.states == ["dialing", "ringing", "no-answer"]
    assert result is not None and result.result == "no-answer"
    assert result.suggested_outcome == "no-answer"
    assert result.reason == "no answer within 2 s"
    assert 1.9 <= result.ring_seconds <= 3.0
    assert time.monotonic() - started < 5
    # The scenario only ends if it received our CANCEL and the ACK of its 487.
    assert sipp.finish() == 0


def test_rep_hanging_up_while_it_rings_is_no_answer(tmp_path, dialers):
    sipp = start_sipp("uas_ring.xml", tmp_path)
    events = Recorder()

    call = dialers(sip_config(sipp, tmp_path)).dial(NUMBER, events)
    _wait_for(lambda: call.state is CallState.RINGING)
    call.hang_up()
    result = call.wait(10)

    assert events.states == ["dialing", "ringing", "no-answer"]
    assert result is not None and result.reason == "hung up while ringing"
    assert sipp.finish() == 0


def test_callee_hanging_up_ends_an_answered_call(tmp_path, dialers):
    sipp = start_sipp("uas_answer_bye.xml", tmp_path)
    events = Recorder()

    result = dialers(sip_config(sipp, tmp_path)).dial(NUMBER, events).wait(10)

    assert events.states == ["dialing", "ringing", "answered", "ended"]
    assert result is not None and result.result == "answered" and result.suggested_outcome == "connected"
    assert 0.8 <= result.talk_seconds <= 2.5
    assert result.reason  # baresip's words for the far end's BYE
    assert sipp.finish() == 0


def test_dropped_voicemail_reaches_the_callee_and_ends_the_call(tmp_path, dialers):
    need_capture()
    # A 2 s, 440 Hz tone recorded as 16 kHz stereo: the drop converts it to 8 kHz mono.
    wav = write_wav(tmp_path / "step3.wav", tone(2.0, 16000, frequency=440), 16000, channels=2)
    sipp = start_sipp("uas", tmp_path)
    capture = Capture(sipp.media_port, tmp_path)
    events = Recorder()

    call = dialers(sip_config(sipp, tmp_path)).dial(NUMBER, events)
    _wait_for(lambda: call.state is CallState.ANSWERED)
    call.drop(wav)
    assert call.result is None  # drop returns while the recording plays
    result = call.wait(10)
    time.sleep(0.3)
    packets = capture.stop()

    assert result is not None
    assert (result.result, result.suggested_outcome, result.recording_dropped) == ("answered", "voicemail", True)
    assert result.reason == "the recording played to its end"
    assert 2.0 <= result.talk_seconds <= 4.0
    assert all(p.payload_type == 0 for p in packets)  # PCMU; nothing before the drop (sip.audio none)
    loud = [i for i, p in enumerate(packets) if rms(mulaw_decode(p.payload)) > 1000]
    assert 98 <= len(loud) <= 101  # 20 ms frames: 50 a second for 2 s of message
    assert loud == list(range(loud[0], loud[0] + len(loud)))  # in one piece, nothing lost
    assert len(packets) - 1 - loud[-1] >= 10  # silence followed: the message's end was not cut
    heard = [s for i in loud for s in mulaw_decode(packets[i].payload)]
    assert abs(dominant_frequency(heard, 8000) - 440) < 15
    assert rms(heard) > 5000  # the tone at its level, not a whisper
    assert sipp.finish() == 0  # the call ended with our BYE


def test_next_call_while_a_drop_plays_uses_another_agent_and_no_recording(tmp_path, dialers):
    """Power mode: the rep moves on while the message plays; the next callee must not hear it."""
    need_capture()
    wav = write_wav(tmp_path / "vm.wav", tone(2.0, 8000), 8000)
    sipp = start_sipp("uas", tmp_path, calls=2)
    capture = Capture(sipp.media_port, tmp_path)
    dialer = dialers(sip_config(sipp, tmp_path))

    call_1 = dialer.dial(NUMBER, Recorder())
    _wait_for(lambda: call_1.state is CallState.ANSWERED)
    call_1.drop(wav)
    call_2 = dialer.dial(DialTarget("+14155550199"), Recorder())
    _wait_for(lambda: call_2.state is CallState.ANSWERED)
    assert call_1.result is None  # the recording is still playing into the first call
    time.sleep(1.0)
    call_2.hang_up()
    result_2 = call_2.wait(10)
    result_1 = call_1.wait(10)
    time.sleep(0.3)
    packets = capture.stop()

    assert result_1 is not None and result_1.recording_dropped
    assert result_2 is not None and result_2.result == "answered" and not result_2.recording_dropped
    assert len(dialer._agents) == 2
    # Every packet that reached the callee's media port belongs to one stream, the drop's.
    assert len({p.ssrc for p in packets}) == 1
    assert 98 <= sum(rms(mulaw_decode(p.payload)) > 1000 for p in packets) <= 101
    assert sipp.finish() == 0


def test_agent_after_a_drop_sends_no_recording_on_its_next_call(tmp_path, dialers):
    need_capture()
    wav = write_wav(tmp_path / "vm.wav", tone(1.0, 8000), 8000)
    sipp = start_sipp("uas", tmp_path, calls=2)
    capture = Capture(sipp.media_port, tmp_path)
    dialer = dialers(sip_config(sipp, tmp_path))
    call = dialer.dial(NUMBER, Recorder())
    _wait_for(lambda: call.state is CallState.ANSWERED)
    call.drop(wav)
    assert call.wait(10).recording_dropped

    again = dialer.dial(NUMBER, Recorder())
    _wait_for(lambda: again.state is CallState.ANSWERED)
    time.sleep(1.5)
    again.hang_up()
    assert again.wait(10).result == "answered"
    time.sleep(0.3)
    packets = capture.stop()

    assert len(dialer._agents) == 1  # the idle agent was reused
    assert len({p.ssrc for p in packets}) == 1  # only the first call's recording was sent
    assert 48 <= sum(rms(mulaw_decode(p.payload)) > 1000 for p in packets) <= 51
    assert sipp.finish() == 0


def test_extension_is_dialled_as_dtmf_after_the_answer(tmp_path, dialers):
    need_capture()
    sipp = start_sipp("uas_answer.xml", tmp_path)
    capture = Capture(sipp.media_port, tmp_path)
    # DTMF rides on the audio stream: "aubridge,loop" gives a running (silent) audio source,
    # standing in for a headset here.
    config = sip_config(sipp, tmp_path, audio="aubridge,loop", extension_delay=0.5)
    call = dialers(config).dial(DialTarget("+14155550100", "12#"), Recorder())
    _wait_for(lambda: call.state is CallState.ANSWERED)
    time.sleep(2.5)  # 0.5 s delay, then about 0.25 s a digit
    call.hang_up()
    call.wait(10)
    packets = capture.stop()

    events = [p for p in packets if p.payload_type == 101]  # telephone-event, RFC 4733
    digits = []
    for packet in events:
        code = packet.payload[0]
        if not digits or digits[-1] != code:
            digits.append(code)
    assert digits == [1, 2, 11]  # 1, 2, # (event code 11)
    first_audio = min(p.sequence for p in packets if p.payload_type == 0)
    first_digit = min(p.sequence for p in events)
    assert first_digit - first_audio >= 20  # after about 0.5 s of 20 ms frames, not at once


def test_registration_with_the_right_password_succeeds(tmp_path, dialers):
    sipp = start_sipp("registrar.xml", tmp_path)
    account = SipAccount(domain=sipp.domain, user="jordan", password="s3cret-Pass", register=True, caller_id="+12125550142")
    dialer = dialers(sip_config(sipp, tmp_path, account=account))

    dialer.start()

    assert sipp.finish() == 0


def test_registration_refused_says_why(tmp_path, dialers):
    sipp = start_sipp("registrar.xml", tmp_path)
    account = SipAccount(domain=sipp.domain, user="jordan", password="wrong", register=True)
    dialer = dialers(sip_config(sipp, tmp_path, account=account, ready_timeout=5.0))

    with pytest.raises(DialerError, match=r"registration of sip:jordan@127\.0\.0\.1:\d+ failed: 403 Forbidden"):
        dialer.start()
    assert not list(tmp_path.glob("dialdeck-sip-*"))  # the agent's directory went with it


def test_incoming_calls_are_refused_and_the_next_dial_still_works(tmp_path, dialers):
    peer = start_sipp("uas_busy.xml", tmp_path)
    dialer = dialers(sip_config(peer, tmp_path))
    dialer.start()
    agent_port = dialer._agents[0].ports[0]
    caller = subprocess.run(
        ["sipp", "-sf", str(SCENARIOS / "uac_call_in.xml"), "-s", "+12125550142", "-i", LOOPBACK,
         "-p", str(free_port(LOOPBACK, both=True)), "-mp", str(free_port(LOOPBACK, both=True)),
         "-cp", str(free_port(LOOPBACK, both=True)), "-m", "1", "-nostdin", "-timeout", "10s",
         f"{LOOPBACK}:{agent_port}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20,
    )
    assert caller.returncode == 0  # the caller got its 486

    events = Recorder()
    assert dialer.dial(NUMBER, events).wait(10).result == "busy"
    assert events.states == ["dialing", "busy"]


def test_close_stops_baresip_and_removes_its_directory(tmp_path, dialers):
    sipp = start_sipp("uas_busy.xml", tmp_path)
    dialer = dialers(sip_config(sipp, tmp_path))
    dialer.dial(NUMBER, Recorder()).wait(10)
    agent = dialer._agents[0]
    pid = agent._process.pid

    dialer.close()

    assert not _running(pid)
    assert not agent.workdir.exists()
    with pytest.raises(DialerError, match="closed"):
        dialer.dial(NUMBER, Recorder())


def test_baresip_dies_with_a_killed_dialdeck(tmp_path):
    """kill -9 of dialdeck leaves no baresip behind (the kernel's parent-death signal)."""
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from dialdeck.dialers.baresip import SipAccount
        from dialdeck.dialers.sip import SipConfig, SipDialer
        dialer = SipDialer(SipConfig(SipAccount(domain="127.0.0.1:9", user="u", password="pw"), audio="none",
                                     listen="{LOOPBACK}", interface="{LOOPBACK}", workdir_root=Path({str(tmp_path)!r})))
        dialer.start()
        print(dialer._agents[0]._process.pid, flush=True)
        time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(child.stdout.readline())
        assert _running(pid)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(5)
        _wait_for(lambda: not _running(pid), timeout=5)
    finally:
        if child.poll() is None:
            child.kill()
    # The killed process could not remove its folder, which holds the password: the next agent
    # started in the same place removes it.
    (left,) = tmp_path.glob("dialdeck-sip-*")
    assert "auth_pass=pw" in (left / "accounts").read_text()
    assert remove_stale_workdirs(tmp_path) == [left]
    assert not left.exists()


def test_baresip_dying_mid_call_fails_the_call_and_the_next_dial_gets_a_new_one(tmp_path, dialers):
    sipp = start_sipp("uas_ring.xml", tmp_path)
    dialer = dialers(sip_config(sipp, tmp_path))
    events = Recorder()
    call = dialer.dial(NUMBER, events)
    _wait_for(lambda: call.state is CallState.RINGING)

    os.kill(dialer._agents[0]._process.pid, signal.SIGKILL)
    result = call.wait(10)

    assert events.states == ["dialing", "ringing", "failed"]
    assert result is not None and result.result == "failed" and result.reason.startswith("baresip stopped")
    sipp.stop()
    busy = start_sipp("uas_busy.xml", tmp_path)
    dialer.config = sip_config(busy, tmp_path)
    assert dialer.dial(NUMBER, Recorder()).wait(10).result == "busy"


def test_missing_baresip_says_how_to_install_it(tmp_path):
    config = SipConfig(SipAccount(domain="pbx.example.com"), executable="baresip-not-installed-here")
    with pytest.raises(DialerError, match=r"apt-get install baresip-core"):
        SipDialer(config)


def test_drop_before_the_answer_is_refused(tmp_path, dialers):
    sipp = start_sipp("uas_ring.xml", tmp_path)
    wav = write_wav(tmp_path / "vm.wav", tone(1.0, 8000), 8000)
    call = dialers(sip_config(sipp, tmp_path)).dial(NUMBER, Recorder())
    _wait_for(lambda: call.state is CallState.RINGING)

    with pytest.raises(DialerError, match="not answered"):
        call.drop(wav)
    call.hang_up()
    assert call.wait(10).result == "no-answer"


def test_events_are_stamped_by_the_injected_clocks(tmp_path, dialers):
    sipp = start_sipp("uas_busy.xml", tmp_path)
    start = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    ticks = iter(range(1000))
    dialer = dialers(
        sip_config(sipp, tmp_path),
        clock=lambda: start + timedelta(seconds=next(ticks)),
        monotonic=lambda: 100.0,
    )
    events = Recorder()
    dialer.dial(NUMBER, events).wait(10)

    assert [e.at for e in events.events] == [start, start + timedelta(seconds=1)]
    assert all(e.monotonic == 100.0 for e in events.events)
    assert json.loads(json.dumps(events.events[0].as_json())) == {"state": "dialing", "at": "2026-11-25T15:00:00.000+00:00"}


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def test_factory_builds_the_sip_backend_from_the_settings():
    dialer = make_dialer({"dial.backend": "sip", "sip.domain": "pbx.example.com", "sip.user": "1001",
                          "sip.password": "pw", "sip.register": "yes", "dial.ring_timeout": "20", "sip.audio": "none"})
    try:
        assert isinstance(dialer, SipDialer) and dialer.places_calls
        assert dialer.config.ring_timeout == 20.0
        assert dialer.config.account.aor == "sip:1001@pbx.example.com" and dialer.config.account.register
    finally:
        dialer.close()
