"""Session start and the running clock: set-up warnings shown once, a bar that keeps time.

A rep whose profile is blank would say "Your Name" on every voicemail: the session says so
before the first dial, with the command that fixes it, and keeps saying it while they work.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dialdeck.tui.app import make_app
from dialdeck.tui.widgets.session_bar import SessionBar
from dialdeck.tui.widgets.status_line import StatusLine
from tui_helpers import NOW, REP, Toasted, build_db, press, record_toasts, running, test_app



def warnings(toasts: list[Toasted]) -> list[Toasted]:
    return [toast for toast in toasts if toast.severity == "warning"]


async def test_a_blank_profile_is_named_with_the_command_that_fixes_it(tmp_path):
    app = test_app(build_db(tmp_path, rep={"rep.timezone": "America/New_York"}))
    toasts = record_toasts(app)
    async with running(app):
        (toast,) = warnings(toasts)
        assert toast.title == "Fix before you dial"
        assert 'rep.name is not set (scripts say "Your Name"): dialdeck config set rep.name' in toast.message
        assert "rep.phone is not set" in toast.message and "rep.company is not set" in toast.message
        assert toast.timeout >= 20  # long enough to read and copy the command


async def test_a_partly_set_profile_names_only_what_is_missing(tmp_path):
    rep = {key: value for key, value in REP.items() if key != "rep.phone"}
    app = test_app(build_db(tmp_path, rep=rep))
    toasts = record_toasts(app)
    async with running(app):
        (toast,) = warnings(toasts)
        assert "rep.phone is not set" in toast.message
        assert "rep.name" not in toast.message


async def test_a_skipped_cadence_file_is_named(tmp_path):
    user_dir = tmp_path / "user-cadences"  # where conftest points DIALDECK_CADENCES
    user_dir.mkdir()
    (user_dir / "broken.toml").write_text("name = [unclosed\n", encoding="utf-8")
    app = test_app(build_db(tmp_path))
    toasts = record_toasts(app)
    async with running(app):
        (toast,) = warnings(toasts)
        assert "cadence file skipped" in toast.message and "broken.toml" in toast.message
        assert "rep.name" not in toast.message


async def test_a_complete_set_up_starts_without_a_warning(tmp_path):
    app = test_app(build_db(tmp_path))
    toasts = record_toasts(app)
    async with running(app):
        assert warnings(toasts) == []


async def test_the_set_up_warning_stays_and_outcomes_go_to_the_status_line(tmp_path):
    app = test_app(build_db(tmp_path, rep={"rep.timezone": "America/New_York"}))
    toasts = record_toasts(app)
    async with running(app, notifications=True) as pilot:
        await press(pilot, "v", "v")
        assert [toast.title for toast in toasts] == ["Fix before you dial"]  # no toast per outcome
        (shown,) = app.screen.query("Toast")  # and it is still on screen
        assert shown.render().plain.startswith("Fix before you dial")
        said = app.screen.query_one(StatusLine).text
        assert said.startswith("● Megan Holloway: voicemail left → step 2"), said  # the newest outcome


def bar_text(app) -> str:
    return str(app.screen.query_one(SessionBar).render())


class Counting:
    """Wraps the gateway's call to count the jobs that reach the database."""

    def __init__(self, gateway) -> None:
        self.jobs, self._call = 0, gateway.call

    async def __call__(self, *args, **kwargs):
        self.jobs += 1
        return await self._call(*args, **kwargs)


async def test_the_bar_clock_and_session_time_move_every_second_without_the_database(tmp_path: Path):
    moment = [NOW]
    app = make_app(build_db(tmp_path), clock=lambda: moment[0], refresh_seconds=3600,
                   animation_level="none", cursor_blink=False)
    async with running(app) as pilot:
        await press(pilot, "v")  # one dial: dials/hour now depends on the time gone by
        assert "Wed 10:00" in bar_text(app) and "session 0:00" in bar_text(app)
        counting = Counting(app.gateway)
        app.gateway.call = counting
        moment[0] = NOW + timedelta(minutes=30, seconds=5)
        await pilot.pause(1.3)
        text = bar_text(app)
        assert "Wed 10:30" in text and "session 0:30" in text
        assert "per hour 2.0" in text  # 1 dial in half an hour, from the stats already loaded
        assert counting.jobs == 0
