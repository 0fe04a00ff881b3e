"""The session dialing for real: the sip back-end (baresip) against sipp on loopback, driven by
the keys. Skipped with the reason where baresip or sipp is missing (.ci/run installs them)."""

from __future__ import annotations

import asyncio

import pytest
from sip_peer import need_sip_tools, sip_config, start_sipp
from tui_helpers import attempts, build_db, press, running, settle, test_app, with_db
from wav_helpers import tone, write_wav

from dialdeck import services
from dialdeck.dialers.sip import SipDialer
from dialdeck.tui.widgets.call_panel import CallPanel
from dialdeck.tui.widgets.status_line import StatusLine

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _tools() -> None:
    need_sip_tools()


def sip_app(path, sipp, tmp_path):
    def factory(settings, **options):
        return SipDialer(sip_config(sipp, tmp_path), clock=options["clock"], monotonic=options["monotonic"])

    return test_app(path, dialer_factory=factory)


async def until(pilot, check, timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await pilot.pause(0.05)
    await settle(pilot)


def panel(app) -> str:
    return app.screen.query_one(CallPanel).text


async def test_a_busy_callee_preselects_busy_and_enter_logs_it(tmp_path):
    path = build_db(tmp_path)
    sipp = start_sipp("uas_busy.xml", tmp_path)
    app = sip_app(path, sipp, tmp_path)
    async with running(app, SIZE) as pilot:
        await press(pilot, "a")  # power mode off: one call is enough here
        await press(pilot, "g")
        await until(pilot, lambda: panel(app).startswith("Busy"))
        assert "486 Busy Here" in panel(app) and "Enter logs busy" in panel(app)
        await press(pilot, "enter")
    [attempt] = attempts(path)
    assert (attempt["outcome"], attempt["network_result"], attempt["number"]) == ("busy", "busy", "+5511912345678")
    assert sipp.finish() == 0


async def test_a_voicemail_drop_plays_on_while_the_next_prospect_comes_up(tmp_path):
    path = build_db(tmp_path)
    wav = write_wav(tmp_path / "message.wav", tone(1.5, 8000), 8000)
    with_db(path, lambda db: services.set_recording(db, "voicemail-challenge", 1, wav))
    sipp = start_sipp("uas", tmp_path)
    app = sip_app(path, sipp, tmp_path)
    async with running(app, SIZE) as pilot:
        await press(pilot, "a")
        await press(pilot, "g")
        await until(pilot, lambda: panel(app).startswith("Answered"))
        await press(pilot, "r")
        [attempt] = attempts(path)
        assert (attempt["outcome"], attempt["recording_dropped"], attempt["network_result"]) == (
            "voicemail", 1, "answered")
        assert app.screen.card.prospect.first_name == "Megan" and panel(app) == ""
        assert "Ana Souza: voicemail left" in app.screen.query_one(StatusLine).text
        # The recording plays to its end, then baresip hangs up: sipp's answering scenario completes.
        assert await asyncio.to_thread(sipp.finish, 10) == 0
    assert len(attempts(path)) == 1
