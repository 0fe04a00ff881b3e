"""The dialers' shared pieces without a network: call bookkeeping, what a SIP close means,
the dialing settings, baresip's files and its netstring protocol."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialdeck.clock import UTC
from dialdeck.dialers import (
    RESULTS,
    CallEvent,
    CallState,
    DialerError,
    DialTarget,
    make_dialer,
    normalize,
    suggested_outcome,
)
from dialdeck.dialers.baresip import (
    AgentConfig,
    NetstringReader,
    SipAccount,
    audio_devices,
    config_text,
    encode_netstring,
)
from dialdeck.dialers.base import CallTracker
from dialdeck.dialers.command import CommandDialer
from dialdeck.dialers.manual import ManualDialer
from dialdeck.dialers.sip import SipConfig, classify_close
from dialdeck.models import CALL_OUTCOMES

START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


class FakeTime:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def monotonic(self) -> float:
        return self.seconds

    def clock(self) -> datetime:
        return START + timedelta(seconds=self.seconds - 1000.0)


def _tracker(events: list[CallEvent], time: FakeTime) -> CallTracker:
    return CallTracker(DialTarget("+14155550100"), events.append, time.clock, time.monotonic)


def test_tracker_measures_ring_and_talk_time_on_the_monotonic_clock():
    time, events = FakeTime(), []
    tracker = _tracker(events, time)
    tracker.dialing()
    time.seconds += 4.26
    tracker.ringing()
    time.seconds += 8.0
    tracker.answered_now()
    time.seconds += 95.55
    result = tracker.finish("answered", "hung up", "sip:+14155550100@pbx", recording_dropped=True)

    assert [e.state for e in events] == [CallState.DIALING, CallState.RINGING, CallState.ANSWERED, CallState.ENDED]
    assert [e.at for e in events] == [START, START + timedelta(seconds=4.26), START + timedelta(seconds=12.26),
                                      START + timedelta(seconds=107.81)]
    assert (result.ring_seconds, result.talk_seconds) == (12.3, 95.5)
    assert result.suggested_outcome == "voicemail" and result.recording_dropped
    assert events[-1].result is result and [e.final for e in events] == [False, False, False, True]
    assert tracker.wait(0) is result


def test_tracker_ignores_late_or_repeated_news():
    time, events = FakeTime(), []
    tracker = _tracker(events, time)
    tracker.dialing()
    tracker.answered_now()
    tracker.ringing()  # a late 180 after the 200
    tracker.answered_now()
    first = tracker.finish("answered", None, "x")
    second = tracker.finish("busy", "486 Busy Here", "x")
    tracker.ringing()
    assert [e.state for e in events] == [CallState.DIALING, CallState.ANSWERED, CallState.ENDED]
    assert second is None and tracker.result is first


def test_a_listener_that_raises_does_not_stop_the_call():
    time = FakeTime()
    calls = []

    def broken(event: CallEvent) -> None:
        calls.append(event.state)
        raise RuntimeError("listener bug")

    tracker = CallTracker(DialTarget("+14155550100"), broken, time.clock, time.monotonic)
    tracker.dialing()
    assert tracker.finish("busy", "486 Busy Here", "x").result == "busy"
    assert calls == [CallState.DIALING, CallState.BUSY]


def test_events_and_results_print_as_the_cli_contract_says():
    time, events = FakeTime(), []
    tracker = _tracker(events, time)
    tracker.dialing()
    time.seconds += 3
    tracker.finish("busy", "486 Busy Here", "sip:+14155550100@pbx")
    lines = [json.dumps(e.as_json()) for e in events] + [json.dumps(events[-1].result.as_json())]
    assert lines == [
        '{"state": "dialing", "at": "2026-11-25T15:00:00.000+00:00"}',
        '{"state": "busy", "at": "2026-11-25T15:00:03.000+00:00", "reason": "486 Busy Here"}',
        '{"result": "busy", "suggested_outcome": "busy", "ring_seconds": 3.0, "talk_seconds": 0.0, '
        '"recording_dropped": false, "reason": "486 Busy Here", "dialled": "sip:+14155550100@pbx"}',
    ]


def test_suggested_outcomes_are_outcomes_the_app_knows():
    for result in RESULTS:
        for dropped in (False, True):
            outcome = suggested_outcome(result, dropped)
            assert outcome is None or outcome in CALL_OUTCOMES
    assert [suggested_outcome(r, False) for r in RESULTS] == ["connected", "busy", "no-answer", None]
    assert suggested_outcome(None, False) is None


@pytest.mark.parametrize(
    ("reason", "answered", "hung_up", "timed_out", "expected"),
    [
        ("486 Busy Here", False, False, False, "busy"),
        ("600 Busy Everywhere", False, False, False, "busy"),
        ("603 Decline", False, False, False, "busy"),
        ("480 Temporarily Unavailable", False, False, False, "no-answer"),
        ("408 Request Timeout", False, False, False, "no-answer"),
        ("487 Request Terminated", False, False, False, "no-answer"),
        ("404 Not Found", False, False, False, "failed"),
        ("503 Service Unavailable", False, False, False, "failed"),
        ("Connection refused", False, False, False, "failed"),
        (None, False, False, False, "failed"),
        ("Connection reset by user", False, True, False, "no-answer"),
        ("Connection reset by user", False, False, True, "no-answer"),
        ("end of file", True, False, False, "answered"),
        ("Connection reset by peer", True, False, False, "answered"),
    ],
)
def test_what_a_closed_call_means(reason, answered, hung_up, timed_out, expected):
    assert classify_close(reason, answered=answered, hung_up=hung_up, timed_out=timed_out) == expected


@given(st.integers(300, 699), st.text(max_size=30))
def test_every_sip_status_before_an_answer_has_a_result(code, words):
    result = classify_close(f"{code} {words}", answered=False, hung_up=False, timed_out=False)
    assert result in ("busy", "no-answer", "failed")
    assert (result == "busy") == (code in (486, 600, 603))


# ---- settings and the factory ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        ("dial.backend", " SIP ", "sip"),
        ("dial.ring_timeout", "25", "25"),
        ("sip.register", "Yes", "yes"),
        ("sip.register", "off", "no"),
        ("sip.caller_id", "+1 (212) 555-0142", "+12125550142"),
        ("sip.domain", "pbx.example.com:5080", "pbx.example.com:5080"),
        ("sip.domain", "[2001:db8::1]:5060", "[2001:db8::1]:5060"),
        ("sip.audio", "none", "none"),
        ("sip.audio", "alsa,plughw:CARD=PCH,DEV=0", "alsa,plughw:CARD=PCH,DEV=0"),
        ("dial.command", "linphonecsh dial {e164}", "linphonecsh dial {e164}"),
    ],
)
def test_settings_are_stored_normalized(key, value, stored):
    assert normalize(key, value) == stored


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("dial.backend", "skype", "dial.backend: 'skype' is not one of manual, tel, command, sip"),
        ("dial.ring_timeout", "2", "dial.ring_timeout: '2' is not a whole number of seconds from 5 to 300"),
        ("sip.register", "maybe", "sip.register: 'maybe' is not yes or no"),
        ("sip.password", "pa ss;word", "sip.password: must not be empty nor contain spaces"),
        ("sip.user", "", "sip.user: must not be empty"),
        ("sip.domain", "pbx example.com", "sip.domain: 'pbx example.com' is not a host name"),
        ("sip.domain", "pbx.example.com:99999", "sip.domain"),
        ("sip.audio", "alsa", "sip.audio: 'alsa' is not 'module,device'"),
        ("dial.command", "dial {number", "dial.command"),
        ("sip.colour", "blue", "unknown dialing setting 'sip.colour'"),
    ],
)
def test_bad_settings_are_refused_naming_the_key(key, value, message):
    with pytest.raises(DialerError) as caught:
        normalize(key, value)
    assert str(caught.value).startswith(message)


def test_factory_picks_the_backend_and_explains_what_is_missing():
    assert isinstance(make_dialer({}), ManualDialer)
    assert isinstance(make_dialer({"dial.backend": "command", "dial.command": "x {e164}"}), CommandDialer)
    assert isinstance(make_dialer({"dial.backend": "sip"}, backend="manual"), ManualDialer)  # --dialer
    with pytest.raises(DialerError, match=r"needs dial\.command"):
        make_dialer({"dial.backend": "command"})
    with pytest.raises(DialerError, match=r"needs sip\.domain"):
        make_dialer({"dial.backend": "sip"})


def test_ring_timeout_out_of_range_is_refused():
    with pytest.raises(DialerError, match=r"dial\.ring_timeout"):
        SipConfig(SipAccount(domain="pbx.example.com"), ring_timeout=0.5)


# ---- baresip's files ---------------------------------------------------------------------------


def test_account_line_for_a_trunk_with_caller_id_and_registration():
    account = SipAccount(domain="sip.trunk.example", user="acct-4411", password="s3cret!x", register=True,
                         caller_id="+12125550142", display_name="Jordan Reyes")
    assert account.aor == "sip:+12125550142@sip.trunk.example"
    assert account.account_line() == (
        '"Jordan Reyes" <sip:+12125550142@sip.trunk.example>;auth_user=acct-4411;auth_pass=s3cret!x;'
        "regint=3600;answermode=manual\n"
    )


def test_account_line_without_registration_or_credentials():
    account = SipAccount(domain="10.0.0.5:5080")
    assert account.account_line() == "<sip:dialdeck@10.0.0.5:5080>;regint=0;answermode=manual\n"


def test_registration_needs_a_user():
    with pytest.raises(DialerError, match=r"sip\.register is yes but sip\.user is not set"):
        SipAccount(domain="pbx.example.com", register=True)


def test_agent_config_listens_for_control_on_loopback_only(tmp_path):
    config = AgentConfig(account=SipAccount(domain="pbx.example.com"), audio="alsa,default")
    text = config_text(config, "/usr/lib/baresip/modules", 40000, 40001, tmp_path)
    settings = dict(line.split(None, 1) for line in text.splitlines() if not line.startswith("module\t"))
    assert settings["ctrl_tcp_listen"] == "127.0.0.1:40001"
    assert settings["sip_listen"] == "0.0.0.0:40000"
    assert settings["call_max_calls"] == "1"
    assert (settings["audio_source"], settings["audio_player"], settings["audio_alert"]) == ("alsa,default",) * 3
    modules = [line.split()[1] for line in text.splitlines() if line.startswith("module") and "_path" not in line]
    assert modules == ["g711.so", "aufile.so", "alsa.so", "account.so", "menu.so", "ctrl_tcp.so"]
    assert "audio_path" not in settings  # with a headset the rep hears baresip's ring-back


def test_headless_audio_uses_aubridge_devices_that_never_meet():
    source, player, alert = audio_devices("none")
    assert len({source, player, alert}) == 3 and all(d.startswith("aubridge,") for d in (source, player, alert))


# ---- netstrings ----------------------------------------------------------------------------------


@given(
    st.lists(st.dictionaries(st.text(max_size=8), st.text(max_size=40) | st.booleans(), max_size=4), max_size=5),
    st.lists(st.integers(1, 50), min_size=1, max_size=10),
)
def test_netstrings_split_back_into_messages_however_tcp_cuts_them(messages, cuts):
    stream = b"".join(encode_netstring(m) for m in messages)
    reader, got, at, i = NetstringReader(), [], 0, 0
    while at < len(stream):
        size = cuts[i % len(cuts)]
        got.extend(reader.feed(stream[at : at + size]))
        at, i = at + size, i + 1
    assert got == messages


def test_a_broken_netstring_is_an_error():
    with pytest.raises(DialerError, match="final comma"):
        NetstringReader().feed(b'2:{}x')
    with pytest.raises(DialerError, match="not a netstring"):
        NetstringReader().feed(b'{"event": true}')
