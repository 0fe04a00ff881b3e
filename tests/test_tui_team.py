"""A team's session (issue 11): the card on screen is the rep's reservation, renewed while the
session lives and released on quit; the due list says who holds a prospect another rep is on
and never offers it as the next card; the team's counts for today move as other reps log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dialdeck import services
from dialdeck.models import Rep
from dialdeck.tui.app import make_app
from tui_helpers import NOW, build_db, no_mail_client, press, running, settle, test_app, with_db

SMALL, LARGE = (80, 24), (120, 40)


def team_db(folder: Path) -> tuple[Path, Rep, Rep]:
    """Jordan (the database's first rep) and Sam; Sam has logged one call and is on the next."""
    path = build_db(folder)

    def setup(db) -> tuple[Rep, Rep]:
        jordan = services.select_rep(db, "me")
        sam = services.add_rep(db, "Sam", NOW)
        first = services.claim_next(db, NOW - timedelta(minutes=5), rep=sam)
        services.log_outcome(db, first.item.prospect_id, "voicemail", NOW - timedelta(minutes=5), rep=sam)
        services.claim_next(db, NOW - timedelta(minutes=2), rep=sam)  # held until 10:08 New York
        return jordan, sam

    jordan, sam = with_db(path, setup)
    return path, jordan, sam


def held_by_sam(path: Path) -> int:
    def read(db) -> int:
        return services.claim_next(db, NOW, rep=services.select_rep(db, "Sam")).item.prospect_id

    return with_db(path, read)


def test_team_session_shows_who_holds_a_prospect_and_the_team_counts(snap_compare, tmp_path):
    path, jordan, _sam = team_db(tmp_path)
    assert snap_compare(test_app(path, rep=jordan), terminal_size=LARGE, run_before=settle)


def test_team_session_80x24(snap_compare, tmp_path):
    path, jordan, _sam = team_db(tmp_path)
    assert snap_compare(test_app(path, rep=jordan), terminal_size=SMALL, run_before=settle)


async def test_the_card_is_claimed_and_never_the_one_another_rep_holds(tmp_path):
    path, jordan, _sam = team_db(tmp_path)
    sams = held_by_sam(path)
    app = test_app(path, rep=jordan)
    async with running(app, LARGE) as pilot:
        screen = app.screen
        card = screen.card.prospect.id
        assert card != sams
        assert sams in [item.prospect_id for item in screen.desk.items]  # listed, not offered
        assert any("held by Sam until 10:08" in row for row in screen.query_one("#due").rows())
        held = with_db(path, lambda db: db.reservation(card))
        assert held["rep_id"] == jordan.id
        await press(pilot, "v")  # the outcome releases it; Megan, still due, stays Sam's
        assert with_db(path, lambda db: db.reservation(card)) is None
        assert screen.card is None
        assert "1 due is on another rep's call" in str(screen.query_one("#empty-state").render())


async def test_the_next_card_after_an_outcome_is_claimed_too(tmp_path):
    path, jordan, _sam = team_db(tmp_path)
    with_db(path, lambda db: services.release(db, held_by_sam(path), rep=services.select_rep(db, "Sam")))
    app = test_app(path, rep=jordan)
    async with running(app, LARGE) as pilot:
        first = app.screen.card.prospect.id
        await press(pilot, "v")
        after = app.screen.card.prospect.id
        assert after != first
        assert with_db(path, lambda db: db.reservation(after))["rep_id"] == jordan.id


async def test_the_lease_is_renewed_while_the_session_lives_and_released_on_quit(tmp_path):
    path, jordan, _sam = team_db(tmp_path)
    clock = {"now": NOW}
    app = make_app(path, clock=lambda: clock["now"], theme="textual-dark", refresh_seconds=3600,
                   animation_level="none", cursor_blink=False, open_mail=no_mail_client, rep=jordan)
    async with running(app, LARGE) as pilot:
        screen = app.screen
        card = screen.card.prospect.id
        assert with_db(path, lambda db: db.reservation(card))["until"] == "2026-11-25T15:10:00+00:00"
        clock["now"] = NOW + timedelta(minutes=8)
        screen.refresh_desk()  # what the session's timer does every refresh_seconds
        await settle(pilot)
        assert screen.card.prospect.id == card
        assert with_db(path, lambda db: db.reservation(card))["until"] == "2026-11-25T15:18:00+00:00"
        await press(pilot, "q", "enter")
    assert with_db(path, lambda db: db.reservation(card)) is None


async def test_team_counts_move_when_another_rep_logs(tmp_path):
    path, jordan, sam = team_db(tmp_path)
    app = test_app(path, rep=jordan)
    async with running(app, LARGE) as pilot:
        screen = app.screen
        assert (screen.desk.figures.team.dials, screen.desk.figures.team.connects) == (1, 0)
        sams = held_by_sam(path)
        with_db(path, lambda db: services.log_outcome(db, sams, "no-answer", NOW, rep=sam))
        screen.refresh_desk()  # the session's periodic refresh
        await settle(pilot)
        assert (screen.desk.figures.team.dials, screen.desk.figures.team.connects) == (2, 0)
        assert "team today: dials 2 · connects 0" in str(screen.query_one("#session-bar").render())


async def test_a_rep_working_alone_sees_no_team_figures(tmp_path):
    path = build_db(tmp_path)
    app = test_app(path)
    async with running(app, LARGE):
        assert app.screen.desk.figures.team is None and app.screen.desk.held == {}
        assert not app.screen.desk.in_team
        assert with_db(path, lambda db: db.reservations_among(range(1, 20), "0")) == {}
