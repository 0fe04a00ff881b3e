"""The session during a call, as SVG snapshots: fixed clock, fixed data, a stand-in back-end
whose timer clock the test sets, so the call timer shows the same seconds in every run.

Each picture was looked at before it was accepted (see test_tui_snapshots.py for how to update).
"""

from __future__ import annotations

from dial_fakes import app_with_fake_dialer
from tui_helpers import after_pressing, build_db, press, settle, test_app

from dialdeck.dialers.clipboard import ClipboardReport
from dialdeck.dialers.manual import ManualDialer

SMALL, LARGE = (80, 24), (120, 40)


def with_fake(tmp_path, **options):
    return app_with_fake_dialer(build_db(tmp_path), **options)


def test_a_ringing_call(snap_compare, tmp_path):
    """Ringing for 8 s: the state, the ring timer, who and which number; h hangs up in g's place."""
    app, fake, mono = with_fake(tmp_path)

    async def run(pilot) -> None:
        await settle(pilot)
        await press(pilot, "g")
        fake.last.ring()
        mono.advance(8)
        await pilot.pause(1.1)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run)


def test_an_answered_call_with_its_timer(snap_compare, tmp_path):
    """Answered after 5 s of ringing, 1:23 of talk: r (drop the voicemail) shows."""
    app, fake, mono = with_fake(tmp_path)

    async def run(pilot) -> None:
        await settle(pilot)
        await press(pilot, "g")
        fake.last.ring()
        mono.advance(5)
        fake.last.answer()
        mono.advance(83)
        await pilot.pause(1.1)
        await settle(pilot)

    assert snap_compare(app, terminal_size=LARGE, run_before=run)


def test_the_power_mode_countdown(snap_compare, tmp_path):
    """Ana was busy and logged with Enter: Megan is up, dialled in 5 s unless Esc."""
    app, fake, _mono = with_fake(tmp_path)

    async def run(pilot) -> None:
        await settle(pilot)
        await press(pilot, "g")
        fake.last.busy()
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run)


def test_manual_shows_the_number_large(snap_compare, tmp_path):
    """manual: the number in large digits, and how it was copied; the rep dials and logs."""

    def manual(settings, **options):
        return ManualDialer(clock=options["clock"], monotonic=options["monotonic"],
                            copy=lambda text: ClipboardReport(("osc52",)))

    app = test_app(build_db(tmp_path), dialer_factory=manual)
    assert snap_compare(app, terminal_size=LARGE, run_before=after_pressing("g"))
