"""Dialing from the session (issue 10): the dial key, live call state and timer, hang up, the
outcome the network suggests (confirmed with Enter or changed), voicemail drop, power mode and
its countdown, the guard before every dial, the back-end chosen and its failures, recording a
step's voicemail with a stand-in recorder.

The back-end is ``dial_fakes.FakeDialer`` (the real ``CallTracker``, the network's moves said by
the test) or the real ``manual`` one with a stand-in clipboard. What is logged is read from SQLite.
"""

from __future__ import annotations

import os
import stat
import sys
from datetime import timedelta
from pathlib import Path

from dial_fakes import FakeDialer, Mono, app_with_fake_dialer
from textual.widgets import Digits
from tui_helpers import NOW, attempts, build_db, press, prospect_id, running, settle, test_app, with_db
from wav_helpers import tone, write_wav

from dialdeck import services
from dialdeck.cli.parser import build_parser
from dialdeck.dialers.clipboard import ClipboardReport
from dialdeck.dialers.manual import ManualDialer
from dialdeck.tui.dial_jobs import next_dialable
from dialdeck.tui.screens.session import SessionScreen
from dialdeck.tui.widgets.call_panel import CallPanel
from dialdeck.tui.widgets.key_bar import KeyBar
from dialdeck.tui.widgets.status_line import StatusLine

SIZE = (120, 40)


def panel(app) -> str:
    return app.screen.query_one(CallPanel).text


def status(app) -> str:
    return app.screen.query_one(StatusLine).text


def keys(app) -> dict[str, str]:
    """The key bar: key -> description, enabled keys only."""
    return {key.display: key.description for key in app.screen.query_one(KeyBar).keys if key.enabled}


def on_card(app) -> str:
    screen = app.screen
    assert isinstance(screen, SessionScreen)
    return screen.card.prospect.first_name if screen.card else ""


def recording_for(path: Path, tmp_path: Path, cadence: str, step: int) -> Path:
    wav = write_wav(tmp_path / "message.wav", tone(2.0, 8000), 8000)
    return with_db(path, lambda db: services.set_recording(db, cadence, step, wav)).path


async def test_every_state_shows_live_and_the_timer_ticks(tmp_path):
    path = build_db(tmp_path)
    app, fake, mono = app_with_fake_dialer(path)
    async with running(app, SIZE) as pilot:
        assert on_card(app) == "Ana" and keys(app)["g"] == "Dial" and "h" not in keys(app)
        await press(pilot, "g")
        assert fake.last.target.e164 == "+5511912345678"
        assert panel(app).startswith("Dialing…  0:00 ringing  Ana Souza")
        assert keys(app)["h"] == "Hang up" and "g" not in keys(app) and "r" not in keys(app)
        fake.last.ring()
        mono.advance(12)
        await pilot.pause(1.2)  # the screen's one-second tick redraws the timer
        assert panel(app).startswith("Ringing  0:12 ringing")
        fake.last.answer()
        mono.advance(65)
        await pilot.pause(1.2)
        assert panel(app).startswith("Answered  1:05 talk")
        assert keys(app)["r"] == "Drop VM"
        fake.last.far_end_hangs_up()
        await settle(pilot)
        assert panel(app).startswith("Ended  1:05 talk")
        assert "Enter logs connected" in panel(app)
        assert keys(app)["g"] == "Dial" and app.screen.check_action("confirm_outcome", ())
        assert "Ana Souza: call ended after 1:05: Enter logs connected" in status(app)


async def test_busy_is_preselected_and_enter_logs_it_with_the_call_facts(tmp_path):
    path = build_db(tmp_path)
    app, fake, mono = app_with_fake_dialer(path)
    async with running(app, SIZE) as pilot:
        await press(pilot, "a")  # power mode off: the next card waits for the rep
        await press(pilot, "g")
        fake.last.ring()
        mono.advance(4)
        fake.last.busy()
        await settle(pilot)
        assert panel(app).startswith("Busy  0:04 rang  486 Busy Here")
        assert status(app).endswith("Ana Souza: busy (486 Busy Here): Enter logs busy, or press another outcome key")
        await press(pilot, "enter")
        [attempt] = attempts(path)
        assert (attempt["outcome"], attempt["network_result"], attempt["ring_seconds"], attempt["talk_seconds"],
                attempt["number"], attempt["recording_dropped"]) == ("busy", "busy", 4.0, 0.0, "+5511912345678", 0)
        assert on_card(app) == "Megan" and panel(app) == ""


async def test_no_answer_is_preselected(tmp_path):
    path = build_db(tmp_path)
    app, fake, mono = app_with_fake_dialer(path)
    async with running(app, SIZE) as pilot:
        await press(pilot, "g")
        fake.last.ring()
        mono.advance(30)
        fake.last.no_answer()
        await settle(pilot)
        assert "Enter logs no answer" in panel(app)
        await press(pilot, "enter")
        assert [(a["outcome"], a["network_result"], a["ring_seconds"]) for a in attempts(path)] == [
            ("no-answer", "no-answer", 30.0)]


async def test_the_preselected_outcome_can_be_changed_with_an_outcome_key(tmp_path):
    path = build_db(tmp_path)
    app, fake, mono = app_with_fake_dialer(path)
    async with running(app, SIZE) as pilot:
        await press(pilot, "g")
        mono.advance(3)
        fake.last.answer()
        mono.advance(20)
        fake.last.far_end_hangs_up()
        await settle(pilot)
        assert "Enter logs connected" in panel(app)
        await press(pilot, "v")  # it was their voicemail, and the rep left a message by voice
        [attempt] = attempts(path)
        assert (attempt["outcome"], attempt["network_result"], attempt["ring_seconds"], attempt["talk_seconds"]) == (
            "voicemail", "answered", 3.0, 20.0)


async def test_a_failed_call_suggests_nothing_and_says_why(tmp_path):
    path = build_db(tmp_path)
    app, fake, _mono = app_with_fake_dialer(path)
    async with running(app, SIZE) as pilot:
        await press(pilot, "g")
        fake.last.fail("404 Not Found")
        await settle(pilot)
        assert panel(app).startswith("Failed") and "404 Not Found" in panel(app)
        assert "Ana Souza: failed (404 Not Found): press the outcome key" in status(app)
        assert not app.screen.check_action("confirm_outcome", ())
        await press(pilot, "enter")  # nothing suggested: Enter goes to the due list, nothing is logged
        assert attempts(path) == []
        await press(pilot, "n")
        assert [(a["outcome"], a["network_result"]) for a in attempts(path)] == [("no-answer", "failed")]


async def test_h_hangs_up_and_outcome_keys_wait_for_the_end_of_the_call(tmp_path):
    path = build_db(tmp_path)
    app, fake, mono = app_with_fake_dialer(path)
    async with running(app, SIZE) as pilot:
        await press(pilot, "g")
        fake.last.ring()
        await press(pilot, "n", "v", "b")  # the call is still on: dimmed, nothing logged
        assert attempts(path) == [] and not fake.last.hung_up
        mono.advance(9)
        await press(pilot, "h")
        assert fake.last.hung_up
        assert panel(app).startswith("No answer  0:09 rang") and "Enter logs no answer" in panel(app)
        await press(pilot, "enter")
        assert [(a["outcome"], a["ring_seconds"]) for a in attempts(path)] == [("no-answer", 9.0)]


async def test_drop_plays_the_recording_logs_voicemail_and_moves_on_at_once(tmp_path):
    path = build_db(tmp_path)
    recording = recording_for(path, tmp_path, "voicemail-challenge", 1)
    app, fake, mono = app_with_fake_dialer(path)
    async with running(app, SIZE) as pilot:
        await press(pilot, "a")  # power mode off: this test is about the drop alone
        await press(pilot, "g")
        mono.advance(6)
        fake.last.answer()
        mono.advance(4)
        await press(pilot, "r")
        call = fake.last
        assert call.dropped == recording and not call.hung_up  # the message plays on
        [attempt] = attempts(path)
        assert (attempt["outcome"], attempt["recording_dropped"], attempt["network_result"],
                attempt["ring_seconds"], attempt["talk_seconds"]) == ("voicemail", 1, "answered", 6.0, 4.0)
        assert on_card(app) == "Megan" and panel(app) == ""  # the next prospect at once
        call.far_end_hangs_up()  # the recording ended: the call ends with it
        await settle(pilot)
        assert len(attempts(path)) == 1 and panel(app) == "" and on_card(app) == "Megan"


async def test_drop_without_a_recording_says_how_to_set_one(tmp_path):
    path = build_db(tmp_path)
    app, fake, _mono = app_with_fake_dialer(path)
    async with running(app, SIZE) as pilot:
        await press(pilot, "g")
        fake.last.answer()
        await press(pilot, "r")
        assert fake.last.dropped is None and attempts(path) == []
        assert status(app).endswith("No voicemail recording for step 1 of voicemail-challenge: record one with R, "
                                    "or import a WAV: dialdeck recording set voicemail-challenge 1 FILE.wav")
        assert panel(app).startswith("Answered")


async def test_power_mode_counts_down_then_dials_the_next_due(tmp_path):
    path = build_db(tmp_path)
    app, fake, _mono = app_with_fake_dialer(path, power_countdown=2)
    async with running(app, SIZE) as pilot:
        assert keys(app)["a"] == "Power ON"  # on by default where dialdeck places the calls
        await press(pilot, "g")
        fake.last.busy()
        await settle(pilot)
        await press(pilot, "enter")
        assert on_card(app) == "Megan"
        assert panel(app).startswith("Dialing Megan Holloway in 2 s")
        assert keys(app)["esc"] == "Cancel"
        await pilot.pause(1.1)
        assert panel(app).startswith("Dialing Megan Holloway in 1 s")
        assert len(fake.calls) == 1
        await pilot.pause(1.2)
        await settle(pilot)
        assert [call.target.e164 for call in fake.calls] == ["+5511912345678", "+13055550142"]
        assert panel(app).startswith("Dialing…")


async def test_esc_cancels_the_countdown_and_nothing_is_dialled(tmp_path):
    path = build_db(tmp_path)
    app, fake, _mono = app_with_fake_dialer(path, power_countdown=2)
    async with running(app, SIZE) as pilot:
        await press(pilot, "g")
        fake.last.no_answer()
        await settle(pilot)
        await press(pilot, "enter")
        assert panel(app).startswith("Dialing Megan Holloway in 2 s")
        await press(pilot, "escape")
        assert panel(app) == "" and status(app).endswith("Countdown cancelled: g dials, a turns power mode off")
        await pilot.pause(2.5)
        assert len(fake.calls) == 1 and on_card(app) == "Megan"


async def test_power_mode_stops_and_says_why_when_nobody_may_be_dialled(tmp_path):
    path = build_db(tmp_path, ("ana",))
    app, fake, _mono = app_with_fake_dialer(path, power_countdown=1)
    async with running(app, SIZE) as pilot:
        await press(pilot, "g")
        fake.last.busy()
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        assert status(app).endswith("Power mode stopped: nobody due now may be dialled")
        assert keys(app)["a"] == "Power off" and panel(app) == ""
        await pilot.pause(1.3)
        assert len(fake.calls) == 1


async def test_power_mode_never_dials_a_prospect_the_guard_refuses_when_the_countdown_ends(tmp_path):
    path = build_db(tmp_path, ("ana", "megan"))
    moment = [NOW]
    mono = Mono()
    fake = FakeDialer(lambda: moment[0], mono)
    app = test_app(path, dialer_factory=fake.factory, monotonic=mono, power_countdown=1)
    app.clock = lambda: moment[0]
    async with running(app, SIZE) as pilot:
        await press(pilot, "g")
        fake.last.busy()
        await settle(pilot)
        await press(pilot, "enter")
        assert panel(app).startswith("Dialing Megan Holloway in 1 s")
        moment[0] = NOW + timedelta(hours=10, minutes=5)  # 20:05 in Miami: past her hours
        await pilot.pause(1.3)
        await settle(pilot)
        assert len(fake.calls) == 1  # Megan was not dialled
        assert status(app).endswith("Power mode stopped: nobody due now may be dialled"), status(app)


def test_next_dialable_skips_what_the_guard_refuses(tmp_path, monkeypatch):
    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    real = services.dial_plan

    def refusing(db, pid, now, **kwargs):
        if pid == ana:
            from zoneinfo import ZoneInfo

            from dialdeck.guard import NotCallable
            from dialdeck.models import CallVerdict
            raise NotCallable(CallVerdict(blocked_reason="called 3 times today (the cap is 3)", headline="cap"),
                              ZoneInfo("UTC"))
        return real(db, pid, now, **kwargs)

    monkeypatch.setattr(services, "dial_plan", refusing)
    plan, skipped = with_db(path, lambda db: next_dialable(db, NOW))
    assert plan is not None and plan.name == "Megan Holloway"
    assert skipped == ("Ana Souza: called 3 times today (the cap is 3)",)


async def test_the_guard_refusal_is_shown_and_nothing_is_dialled(tmp_path):
    path = build_db(tmp_path)
    app, fake, _mono = app_with_fake_dialer(path)
    async with running(app, SIZE) as pilot:
        app.screen.pick(prospect_id(path, "Grace"))  # 07:00 in Los Angeles
        await settle(pilot)
        assert on_card(app) == "Grace"
        await press(pilot, "g")
        assert fake.calls == [] and panel(app) == ""
        assert "Not dialled: 07:00 is outside Grace Liu's calling hours" in status(app)


async def test_manual_shows_the_number_large_copies_it_and_the_rep_logs_as_today(tmp_path):
    path = build_db(tmp_path)
    copied: list[str] = []

    def manual(settings, **options):
        return ManualDialer(clock=options["clock"], monotonic=options["monotonic"],
                            copy=lambda text: copied.append(text) or ClipboardReport(("xclip",)))

    app = test_app(path, dialer_factory=manual)
    async with running(app, SIZE) as pilot:
        assert keys(app)["a"] == "Power off"  # off by default for manual
        await press(pilot, "g")
        assert copied == ["+5511912345678"]
        assert app.screen.query_one("#call-number", Digits).value == "+55 11 91234-5678"
        assert app.screen.query_one("#call-number", Digits).display
        assert panel(app).startswith("dial +55 11 91234-5678 yourself: copied to the clipboard with xclip")
        assert not app.screen.check_action("confirm_outcome", ()) and keys(app)["n"]  # nothing suggested: the rep picks
        await press(pilot, "n")
        assert [(a["outcome"], a["number"], a["network_result"]) for a in attempts(path)] == [
            ("no-answer", "+5511912345678", None)]
        assert panel(app) == ""


async def test_a_backend_that_cannot_work_is_one_line_and_the_session_dials_by_hand(tmp_path):
    path = build_db(tmp_path)
    app = test_app(path, dialer="sip")  # the real factory: sip.domain is not set
    async with running(app, SIZE) as pilot:
        await settle(pilot)
        assert status(app).endswith("sip cannot dial here, so you dial by hand this session: dial.backend sip "
                                    "needs sip.domain (your PBX or SIP trunk), e.g. "
                                    "`dialdeck config set sip.domain pbx.example.com`")
        assert app.dialer is not None and app.dialer.name == "manual"
        await press(pilot, "g")
        assert app.screen.query_one("#call-number", Digits).value == "+55 11 91234-5678"


async def test_the_dialer_is_made_from_the_settings_and_the_session_choice(tmp_path):
    path = build_db(tmp_path)
    with_db(path, lambda db: services.set_setting(db, "dial.ring_timeout", "20"))
    app, fake, _mono = app_with_fake_dialer(path, dialer="command")
    async with running(app, SIZE) as pilot:
        await settle(pilot)
    [asked] = fake.asked
    assert asked["backend"] == "command" and asked["settings"]["dial.ring_timeout"] == "20"
    assert asked["display_name"] == "Jordan Reyes"


async def test_closing_the_app_hangs_up_and_closes_the_dialer(tmp_path):
    path = build_db(tmp_path)
    app, fake, _mono = app_with_fake_dialer(path)
    async with running(app, SIZE) as pilot:
        await press(pilot, "g")
        fake.last.answer()
        await settle(pilot)
    assert fake.last.hung_up and fake.closed


STAND_IN_RECORDER = """#!{python}
import signal, sys, time, wave
sys.path.insert(0, {tests!r})
from wav_helpers import tone, write_wav
args = sys.argv[1:]
open({log!r}, "a").write(" ".join(args) + "\\n")
def stop(*_):
    write_wav(__import__("pathlib").Path(args[-1]), tone(2.5, 8000), 8000)
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
while True:
    time.sleep(0.05)
"""


async def test_r_records_the_steps_voicemail_with_the_recorder_on_path(tmp_path, monkeypatch):
    path = build_db(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "recorder.log"
    recorder = bin_dir / "arecord"
    recorder.write_text(STAND_IN_RECORDER.format(python=sys.executable, tests=str(Path(__file__).parent), log=str(log)))
    recorder.chmod(recorder.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    app, _fake, _mono = app_with_fake_dialer(path)
    async with running(app, SIZE) as pilot:
        await press(pilot, "R")
        assert status(app).endswith("Recording the voicemail for step 1 of voicemail-challenge from the "
                                    "microphone… R stops")
        await pilot.pause(0.5)
        await press(pilot, "R")
        for _ in range(100):
            if "recorded" in status(app):
                break
            await pilot.pause(0.05)
        assert status(app).endswith("Voicemail recorded for step 1 of voicemail-challenge (2.5 s): "
                                    "r drops it when a voicemail box answers")
    assert "-f S16_LE -r 8000 -c 1" in log.read_text()
    stored = with_db(path, lambda db: services.recording_for(db, "voicemail-challenge", 1))
    assert stored is not None and stored.exists()


async def test_without_a_recorder_r_says_how_to_import_a_wav(tmp_path, monkeypatch):
    path = build_db(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    app, _fake, _mono = app_with_fake_dialer(path)
    async with running(app, SIZE) as pilot:
        await press(pilot, "R")
        assert status(app).endswith("Recording here needs arecord (package alsa-utils), not found: record a WAV "
                                    "elsewhere, then: dialdeck recording set voicemail-challenge 1 FILE.wav")


def test_dialer_is_chosen_for_one_session_on_the_command_line(monkeypatch, capsys):
    parser = build_parser()
    assert parser.parse_args(["--dialer", "sip"]).dialer == "sip"
    assert parser.parse_args(["demo", "--dialer", "manual"]).dialer == "manual"
    assert parser.parse_args([]).dialer is None
    try:
        parser.parse_args(["--dialer", "skype"])
    except SystemExit as exit_:
        assert exit_.code == 2
    assert "invalid choice: 'skype'" in capsys.readouterr().err


def test_the_session_command_passes_the_dialer_to_the_app(tmp_path, monkeypatch):
    import dialdeck.tui.app as tui_app
    from dialdeck.cli import main

    seen: dict = {}

    def fake_run(db_path, **kwargs):
        seen.update(kwargs)
        return 0

    monkeypatch.setattr(tui_app, "run_session", fake_run)
    assert main(["--db", str(tmp_path / "d.db"), "--dialer", "tel"]) == 0
    assert seen["dialer"] == "tel"


def test_the_call_timer_reads_as_a_clock():
    from dialdeck.tui.calls import clock_text

    assert [clock_text(s) for s in (0, 7.9, 65, 754, 3723)] == ["0:00", "0:07", "1:05", "12:34", "1:02:03"]


def test_a_dropped_call_counts_its_talk_to_the_drop():
    from dialdeck.dialers import CallEvent, CallState
    from dialdeck.models import DialPlan
    from dialdeck.tui.calls import LiveCall

    plan = DialPlan(1, "Ana Souza", "+5511912345678", "12", "voicemail-challenge", 1, None)
    call = LiveCall(1, None, plan, True)  # type: ignore[arg-type]
    call.apply(CallEvent(CallState.DIALING, NOW, 100.0))
    call.apply(CallEvent(CallState.ANSWERED, NOW, 106.5))
    facts = call.facts(dropped_at=110.0)
    assert (facts.number, facts.ring_seconds, facts.talk_seconds, facts.network_result, facts.recording_dropped) == (
        "+5511912345678;ext=12", 6.5, 3.5, "answered", True)
    assert call.live and call.answered and call.timer(112.0) == 5.5


def team_with_sam(path: Path, tmp_path: Path):
    """The database with a second rep, Sam, on his own line (the SIP server is the team's) and
    with his own voicemail for step 1 of Ana's cadence; the first rep has theirs too."""
    def setup(db):
        me = services.select_rep(db, None)
        sam = services.add_rep(db, "Sam", NOW)
        services.set_setting(db, "rep.name", "Sam Ortiz", rep=sam)
        services.set_setting(db, "sip.domain", "pbx.example.com", rep=sam)
        services.set_setting(db, "sip.caller_id", "+12125550199", rep=sam)
        services.set_setting(db, "sip.user", "jordan", rep=me)
        mine = services.set_recording(db, "voicemail-challenge", 1,
                                      write_wav(tmp_path / "me.wav", tone(1.5, 8000), 8000), rep=me)
        theirs = services.set_recording(db, "voicemail-challenge", 1,
                                        write_wav(tmp_path / "sam.wav", tone(2.0, 8000), 8000), rep=sam)
        return sam, mine.path, theirs.path
    return with_db(path, setup)


async def test_a_reps_session_dials_on_their_line_drops_their_voicemail_and_logs_as_them(tmp_path):
    path = build_db(tmp_path)
    sam, mine, theirs = team_with_sam(path, tmp_path)
    app, fake, mono = app_with_fake_dialer(path, rep=sam)
    async with running(app, SIZE) as pilot:
        [asked] = fake.asked
        assert asked["settings"] == {"sip.domain": "pbx.example.com", "sip.caller_id": "+12125550199"}
        assert asked["display_name"] == "Sam Ortiz"
        await press(pilot, "a")  # power mode off: the drop alone
        await press(pilot, "g")
        fake.last.answer()
        mono.advance(3)
        await press(pilot, "r")
        assert fake.last.dropped == theirs != mine  # Sam's voice, never a teammate's
        [attempt] = attempts(path)
        assert (attempt["outcome"], attempt["rep_id"], attempt["recording_dropped"]) == ("voicemail", sam.id, 1)


async def test_a_reps_power_mode_dials_the_next_of_their_queue(tmp_path):
    path = build_db(tmp_path)
    sam, _mine, _theirs = team_with_sam(path, tmp_path)
    app, fake, _mono = app_with_fake_dialer(path, rep=sam, power_countdown=1)
    async with running(app, SIZE) as pilot:
        await press(pilot, "g")
        fake.last.busy()
        await settle(pilot)
        await press(pilot, "enter")
        await pilot.pause(1.3)
        await settle(pilot)
        assert [call.target.e164 for call in fake.calls] == ["+5511912345678", "+13055550142"]
    assert [a["rep_id"] for a in attempts(path)] == [sam.id]
