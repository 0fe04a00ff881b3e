"""What a rep hit in a real session (issue 7): the summary, the rate, the status line at 80x24,
the theme kept across restarts, a new database said to be new, and where the demo lives."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

import pytest
from textual.color import Color

from dialdeck import services
from dialdeck.cli import setup
from dialdeck.models import DueItem, SessionStats
from dialdeck.tui.app import make_app
from dialdeck.tui.screens.summary import SummaryScreen, summary_rows
from dialdeck.tui.widgets.due_calls import DueCalls, row_content
from dialdeck.tui.widgets.script_pane import ScriptPane
from dialdeck.tui.widgets.session_bar import SessionBar
from dialdeck.tui.widgets.status_line import StatusLine
from test_cli import dialdeck
from tui_helpers import NOW, build_db, press, prospect_id, running, settle, started, test_app, with_db

SMALL = (80, 24)


# --- the summary ------------------------------------------------------------------------------

def test_the_summary_counts_every_outcome_and_disposition() -> None:
    stats = SessionStats(session_id=1, started_at=NOW, dials=9, voicemails=3, connects=4, no_answers=1,
                         busy=1, wrong_numbers=0, do_not_call=1, meetings_booked=2, not_interested=1,
                         callbacks=1, emails_sent=2, tasks_done=1)
    rows = dict(summary_rows("Jordan Reyes", stats, NOW + timedelta(hours=1, minutes=30)))
    assert rows == {
        "Rep": "Jordan Reyes", "Session": "1:30", "Dials": "9", "Dials per hour": "6.0",
        "Voicemails left": "3", "No answer": "1", "Busy": "1", "Connects": "4", "Meetings booked": "2",
        "Callbacks set": "1", "Not interested": "1", "Wrong numbers": "0", "Do not call": "1",
        "Emails sent": "2", "Tasks done": "1",
    }


@pytest.mark.parametrize(("minutes", "shown"), [(1, "— (after 15 min)"), (14, "— (after 15 min)"), (15, "4.0"),
                                               (30, "2.0")])
def test_one_dial_early_on_is_not_sixty_an_hour(minutes: int, shown: str) -> None:
    """From issue 7: '"per hour" after one dial reads 60.0'."""
    stats = SessionStats(session_id=1, started_at=NOW, dials=1, voicemails=1, connects=0)
    assert dict(summary_rows("R", stats, NOW + timedelta(minutes=minutes)))["Dials per hour"] == shown


def test_session_stats_come_from_the_sessions_attempts(tmp_path: Path) -> None:
    path = build_db(tmp_path)
    megan, ana, daniel = (prospect_id(path, name) for name in ("Megan", "Ana", "Daniel"))

    def work(db):
        session = services.start_session(db, NOW)
        services.log_outcome(db, megan, "connected", NOW + timedelta(minutes=1), disposition="booked",
                             session_id=session)
        services.log_outcome(db, ana, "connected", NOW + timedelta(minutes=2), disposition="callback",
                             callback_at=NOW + timedelta(days=1), session_id=session)
        services.log_outcome(db, daniel, "do-not-call", NOW + timedelta(minutes=3), session_id=session)
        return services.session_stats(db, session)

    stats = with_db(path, work)
    assert (stats.dials, stats.connects, stats.meetings_booked, stats.callbacks, stats.do_not_call) == (3, 2, 1, 1, 1)


async def test_q_shows_the_full_summary_and_the_bar_shows_no_rate_yet(tmp_path: Path) -> None:
    async with started(build_db(tmp_path), size=SMALL) as (app, pilot):
        await press(pilot, "v")
        assert "—/h" in str(app.screen.query_one(SessionBar).render())
        await press(pilot, "q")
        assert isinstance(app.screen, SummaryScreen)
        text = str(app.screen.query_one("#summary Static").render())
        for label in ("Meetings booked", "Not interested", "Do not call", "Emails sent", "Callbacks set"):
            assert label in text
        assert "Dials per hour   — (after 15 min)" in text


# --- 80x24: confirmations in the status line, never over the list and script -------------------

async def test_at_80x24_an_outcome_is_confirmed_in_the_status_line_not_a_toast(tmp_path: Path) -> None:
    """From issue 7: "At 80×24 ... toasts cover the list and script"."""
    app = test_app(build_db(tmp_path))
    toasts: list[str] = []
    app.notify = lambda message, **kwargs: toasts.append(str(message))  # every toast goes through it
    async with running(app, SMALL) as pilot:
        await press(pilot, "v", "n", "u")
        assert toasts == []
        status = app.screen.query_one(StatusLine)
        assert status.text.startswith("● Undone: Megan Holloway is back at step 1")
        # Its own row, below the list and the script, above the keys.
        due, script = app.screen.query_one(DueCalls), app.screen.query_one(ScriptPane)
        assert status.region.y >= max(due.region.bottom, script.region.bottom)
        assert status.region.height == 1


async def test_at_80x24_names_and_step_counts_are_whole(tmp_path: Path) -> None:
    """From issue 7: 'At 80×24 the step count is cut ("5/1…"), names are cut'."""
    path = build_db(tmp_path)
    with_db(path, lambda db: services.import_csv(db, _long_names_csv(tmp_path), now=NOW - timedelta(hours=3),
                                                 region="US"))
    async with started(path, size=SMALL) as (app, _):
        due = app.screen.query_one(DueCalls)
        rows = [row.splitlines() for row in due.rows()]
        assert "Benjamin Hoffmann" in [item.name for item in due.items]
        for (first, second), item in zip(rows, due.items, strict=True):
            assert item.name in first, first
            assert f"{item.step}/{item.steps_total}" in second, second


@pytest.mark.parametrize("width", [24, 28, 32])
def test_a_narrow_row_cuts_the_company_then_the_cadence_never_the_count(width: int) -> None:
    item = DueItem(prospect_id=1, name="Benjamin Hoffmann", company="Mainufer Logistik GmbH", phone="+12125550177",
                   timezone="America/New_York", cadence="money-in-follow-up", step=5, steps_total=12,
                   action="call", due_at=NOW - timedelta(days=2), pinned=True, overdue=True, temperature="warm",
                   value=None, tz_flagged=False)
    first, second = (line.plain for line in row_content(item, NOW, width, short=True).split("\n"))
    assert second.rstrip().endswith("5/12") or "5/12 · " in second, second
    assert len(second) <= width and "money-in-" in second
    assert first.startswith("10:00 Benjamin Hoffmann" if width >= 32 else "10:00 Benjamin"), first
    assert first.rstrip().endswith("2d late")


def _long_names_csv(folder: Path) -> Path:
    path = folder / "long.csv"
    path.write_text(
        "First Name,Last Name,Phone Number,Time Zone,Cadence,Company Name\n"
        "Benjamin,Hoffmann,+1 212 555 0177,America/New_York,zero-to-ten,Mainufer Logistik GmbH\n"
        "Alexandra,Whitfield,+1 212 555 0178,America/New_York,zero-to-ten,Harbourside Fitness\n",
        encoding="utf-8")
    return path


# --- the theme: readable in light, remembered across restarts ---------------------------------

async def test_a_theme_picked_in_the_session_is_there_at_the_next_start(tmp_path: Path) -> None:
    path = build_db(tmp_path)
    async with started(path, theme=None, size=SMALL) as (app, pilot):
        assert app.theme == "textual-dark"
        app.theme = "textual-light"  # what the command palette's "Change theme" does
        await pilot.pause()
        await app.workers.wait_for_complete()
        await settle(pilot)
    assert with_db(path, services.saved_theme) == "textual-light"
    again = make_app(path, refresh_seconds=3600, animation_level="none", cursor_blink=False)
    async with running(again, SMALL) as pilot:
        assert again.theme == "textual-light"


async def test_a_stored_theme_this_textual_lacks_falls_back_to_the_default(tmp_path: Path) -> None:
    path = build_db(tmp_path)
    with_db(path, lambda db: services.remember_theme(db, "no-such-theme"))
    app = make_app(path, refresh_seconds=3600, animation_level="none", cursor_blink=False)
    async with running(app, SMALL):
        assert app.theme == "textual-dark"


async def test_the_script_is_redrawn_in_the_new_theme_when_it_changes(tmp_path: Path) -> None:
    """From issue 7: "The light theme is half applied (the script body stays dark)"."""
    async with started(build_db(tmp_path), size=SMALL) as (app, pilot):
        app.theme = "textual-light"
        await settle(pilot)
        await pilot.pause()
        pane = app.screen.query_one(ScriptPane)
        backgrounds = {segment.style.bgcolor.triplet for segment in pane.render_line(1) if segment.style.bgcolor}
        light = Color.parse(app.current_theme.surface or app.current_theme.background).rgb
        assert backgrounds and all(sum(rgb) > 3 * 160 for rgb in backgrounds), (backgrounds, light)


# --- a new database says it is new ------------------------------------------------------------

async def test_a_session_on_a_new_database_says_so_and_where(tmp_path: Path) -> None:
    """From issue 7: "A mistyped `--db` silently opens a new empty database that says "All caught up"."""
    path = tmp_path / "tpyo.db"
    with_db(path, lambda db: None)  # created, as the CLI does before the screen opens
    async with started(path, new_database=path, size=SMALL) as (app, _):
        text = str(app.screen.query_one("#empty-state").render())
        assert text.startswith(f"New, empty database\n\n{path}\n\n")
        assert "check --db" in text and "All caught up" not in text


def test_the_cli_says_when_it_creates_a_database(tmp_path: Path) -> None:
    path = tmp_path / "tpyo.db"
    made = dialdeck("config", db=path, check=True)
    assert f"dialdeck: created a new database at {path}" in made.stderr
    again = dialdeck("config", db=path, check=True)
    assert "created" not in again.stderr
    # Reading commands never create one: a mistyped --db is an error naming the path.
    missing = dialdeck("due", db=tmp_path / "other.db")
    assert missing.returncode == 1 and f"no database at {tmp_path / 'other.db'}" in missing.stderr
    assert not (tmp_path / "other.db").exists()


# --- the demo: where it is, and --keep ---------------------------------------------------------

def _demo_args(keep: bool) -> argparse.Namespace:
    return argparse.Namespace(at="2026-11-24T10:30", build_only=None, keep=keep, db=None)


@pytest.fixture
def sessions(monkeypatch) -> list[dict]:
    """The demo's session, replaced by a record of what it was given (and whether the file existed)."""
    opened: list[dict] = []

    def run(path, clock, **kwargs):
        opened.append({"path": Path(path), "existed": Path(path).exists(), **kwargs})
        return 0

    monkeypatch.setattr(setup, "_run_session", run)
    return opened


def test_the_demo_says_where_its_database_is_and_deletes_it(sessions, capsys) -> None:
    assert setup.cmd_demo(_demo_args(keep=False)) == 0
    (opened,) = sessions
    path = opened["path"]
    assert opened["existed"] and not path.exists()
    err = capsys.readouterr().err
    assert f"building the demo database at {path} (deleted when you quit" in err
    assert f"the demo database {path} was deleted; dialdeck demo --keep keeps the next one" in err
    assert str(path) in opened["notice"]


def test_demo_keep_keeps_it_in_the_data_folder_and_says_where(sessions, capsys, tmp_path: Path) -> None:
    assert setup.cmd_demo(_demo_args(keep=True)) == 0
    assert setup.cmd_demo(_demo_args(keep=True)) == 0  # a second one never overwrites the first
    first, second = (s["path"] for s in sessions)
    assert first == tmp_path / "demo-2026-11-24-1030.db" and second == tmp_path / "demo-2026-11-24-1030-2.db"
    assert first.exists() and second.exists()
    err = capsys.readouterr().err
    assert f"the demo database is kept at {first}; open it again with: dialdeck --db {first}" in err
    assert with_db(first, lambda db: services.get_profile(db).name) == "Jordan Reyes"
