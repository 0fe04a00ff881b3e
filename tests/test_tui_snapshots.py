"""What the rep sees, as SVG snapshots: fixed clock, fixed data, no blinking, no animation.

Each picture was looked at before it was accepted. Regenerate with
``pytest tests/test_tui_snapshots.py --snapshot-update`` and review the diff as pictures.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from dialdeck import services
from tui_helpers import NOW, after_pressing, build_db, prospect_id, settle, test_app, with_db

SMALL, LARGE = (80, 24), (120, 40)


def test_main_screen_80x24(snap_compare, tmp_path):
    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=SMALL, run_before=settle)


def test_main_screen_120x40(snap_compare, tmp_path):
    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=LARGE, run_before=settle)


def test_main_screen_light_theme(snap_compare, tmp_path):
    app = test_app(build_db(tmp_path), theme="textual-light")
    assert snap_compare(app, terminal_size=LARGE, run_before=settle)


def test_light_theme_picked_during_the_session(snap_compare, tmp_path):
    """Every pane redrawn in the new theme, the script too (issue 7: it stayed dark)."""

    async def run(pilot) -> None:
        await settle(pilot)
        pilot.app.theme = "textual-light"
        await settle(pilot)

    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=SMALL, run_before=run)


def test_80x24_after_an_outcome_key(snap_compare, tmp_path):
    """The confirmation in the status line: the list and the script stay uncovered."""
    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=SMALL, run_before=after_pressing("v"))


def test_mail_dialog_when_nothing_opened(snap_compare, tmp_path):
    path = build_db(tmp_path, ("oliver",), imported_at=NOW - timedelta(days=1))
    oliver = prospect_id(path, "Oliver")
    with_db(path, lambda db: services.log_outcome(db, oliver, "voicemail", NOW - timedelta(minutes=30)))
    assert snap_compare(test_app(path), terminal_size=SMALL, run_before=after_pressing("m", "b"))


def test_a_new_empty_database_says_so(snap_compare, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative path: the same picture in every run
    path = Path("tpyo.db")
    with_db(path, lambda db: None)
    assert snap_compare(test_app(path, new_database=path), terminal_size=SMALL, run_before=settle)


@pytest.mark.parametrize("key", ["n", "v", "b", "w"])
def test_after_an_outcome_key(snap_compare, tmp_path, key):
    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=LARGE, run_before=after_pressing(key))


def test_after_connected_with_a_callback(snap_compare, tmp_path):
    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=LARGE, run_before=after_pressing("c", "2"))


def test_after_do_not_call_confirmed(snap_compare, tmp_path):
    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=LARGE, run_before=after_pressing("d", "y"))


def test_after_undo(snap_compare, tmp_path):
    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=LARGE, run_before=after_pressing("v", "u"))


def test_disposition_dialog(snap_compare, tmp_path):
    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=SMALL, run_before=after_pressing("c"))


def test_disposition_dialog_with_a_typed_time(snap_compare, tmp_path):
    async def run(pilot) -> None:
        await after_pressing("c", "4")(pilot)
        await pilot.press(*"thu 14:00")
        await settle(pilot)

    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=LARGE, run_before=run)


def test_do_not_call_confirmation(snap_compare, tmp_path):
    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=SMALL, run_before=after_pressing("d"))


def test_help_screen(snap_compare, tmp_path):
    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=SMALL, run_before=after_pressing("question_mark"))


def test_snooze_dialog(snap_compare, tmp_path):
    assert snap_compare(test_app(build_db(tmp_path)), terminal_size=SMALL, run_before=after_pressing("s"))


def test_session_summary(snap_compare, tmp_path):
    app = test_app(build_db(tmp_path))
    assert snap_compare(app, terminal_size=SMALL, run_before=after_pressing("v", "n", "q"))


def test_email_step(snap_compare, tmp_path):
    path = build_db(tmp_path, ("oliver",), imported_at=NOW - timedelta(days=1))
    oliver = prospect_id(path, "Oliver")
    with_db(path, lambda db: services.log_outcome(db, oliver, "voicemail", NOW - timedelta(minutes=30)))
    assert snap_compare(test_app(path), terminal_size=SMALL, run_before=settle)


def test_empty_state_says_what_is_next(snap_compare, tmp_path):
    path = build_db(tmp_path, ("megan",))
    megan = prospect_id(path, "Megan")
    with_db(path, lambda db: services.log_outcome(
        db, megan, "connected", NOW - timedelta(minutes=5), disposition="callback",
        callback_at=NOW + timedelta(hours=3)))
    assert snap_compare(test_app(path), terminal_size=SMALL, run_before=settle)


def test_outside_hours_for_everyone_due(snap_compare, tmp_path):
    path = build_db(tmp_path, ("grace",), imported_at=NOW - timedelta(days=1))
    assert snap_compare(test_app(path), terminal_size=SMALL, run_before=settle)


def test_connected_call_awaiting_its_disposition(snap_compare, tmp_path):
    path = build_db(tmp_path)
    megan = prospect_id(path, "Megan")
    with_db(path, lambda db: services.log_outcome(db, megan, "connected", NOW - timedelta(minutes=10)))

    async def run(pilot) -> None:
        await settle(pilot)
        pilot.app.show_prospect(megan)  # what picking her in search (ctrl+p) does
        await settle(pilot)

    assert snap_compare(test_app(path), terminal_size=SMALL, run_before=run)


def test_blank_profile_warned_at_start(snap_compare, tmp_path):
    path = build_db(tmp_path, rep={"rep.timezone": "America/New_York"})
    assert snap_compare(test_app(path), terminal_size=LARGE, run_before=settle)
