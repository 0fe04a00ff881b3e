"""The session works as the rep it is given (``make_app(..., rep=...)``): their profile, their
session, their theme; a database with one rep needs none."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dialdeck import services, store
from dialdeck.models import Rep
from tui_helpers import NOW, build_db, running, settle, test_app

SIZE = (120, 40)


def add_sam(path: Path) -> Rep:
    db = store.open_store(path)
    try:
        sam = services.add_rep(db, "Sam", NOW)
        services.set_setting(db, "rep.name", "Sam Ortiz", rep=sam)
        services.set_setting(db, "rep.timezone", "America/Los_Angeles", rep=sam)
        return sam
    finally:
        db.close()


def session_reps(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT rep FROM sessions ORDER BY id")]


async def test_the_session_works_as_the_rep_it_is_given(tmp_path: Path) -> None:
    path = build_db(tmp_path)
    sam = add_sam(path)
    app = test_app(path, theme=None, rep=sam)
    async with running(app, SIZE) as pilot:
        screen = app.screen
        assert screen.profile.name == "Sam Ortiz"
        assert screen.profile.timezone == "America/Los_Angeles"
        app.theme = "nord"
        await settle(pilot)
    assert session_reps(path) == ["Sam Ortiz"]
    db = store.open_store(path)
    try:
        assert services.saved_theme(db, rep=sam) == "nord"  # Sam's, not the other rep's
        assert services.saved_theme(db, rep=services.select_rep(db, "me")) is None
    finally:
        db.close()


async def test_one_rep_needs_no_rep_given(tmp_path: Path) -> None:
    path = build_db(tmp_path)
    app = test_app(path)
    async with running(app, SIZE):
        assert app.screen.profile.name == "Jordan Reyes"
    assert session_reps(path) == ["Jordan Reyes"]
