"""Several numbers in the session: the card lists them with the extension, `x` switches the
number the next attempt dials, and the attempt records it. Pilot tests and snapshots with a
fixed clock (Wednesday 25 Nov 2026, 10:00 for the rep in New York) and fixed data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tui_helpers import NOW, attempts, imported, press, prospect_id, settle, started, test_app, with_db

from dialdeck import services
from dialdeck.tui.widgets.key_bar import KeyBar

SMALL, LARGE = (80, 24), (120, 40)
HEADER = ("First Name,Last Name,Company Name,Phone Number,Mobile Phone Number,Home Phone,Country/Region,"
          "Time Zone,Lead Temperature,Deal Value,Cadence")
MEGAN = ("Megan,Holloway,Brightwater Dental,(404) 555-0111 ext. 12,(404) 555-0188,(404) 555-0177,United States,"
         "America/New_York,Warm,90000,zero-to-ten")
DANIEL = "Daniel,Okafor,Northgate Logistics,312 555 0188,,,USA,America/Chicago,Cold,9000,zero-to-ten"


def build(folder: Path, rows: tuple[str, ...] = (MEGAN, DANIEL)) -> Path:
    """Megan (an extension, a mobile, a home number on the do-not-call list) first in the queue."""
    path = imported(folder, "\n".join([HEADER, *rows]) + "\n")
    with_db(path, lambda db: services.dnc_add(db, "(404) 555-0177", NOW - timedelta(hours=1), reason="asked at home"))
    return path


def card_text(app) -> str:
    return app.screen.query_one("#card").render().plain


async def test_x_switches_the_number_and_the_attempt_records_it(tmp_path):
    path = build(tmp_path)
    megan = prospect_id(path, "Megan")
    async with started(path) as (app, pilot):
        screen = app.screen
        assert screen.card.prospect.id == megan
        assert screen.check_action("next_number", ()) is True
        lines = card_text(app).splitlines()
        assert lines[1].startswith("+1 404-555-0111 ext. 12  ● warm")
        assert lines[2] == "Also  mobile +1 404-555-0188 · home +1 404-555-0177 DNC"
        await press(pilot, "x")
        lines = card_text(app).splitlines()
        assert lines[1].startswith("+1 404-555-0188 (mobile)  ● warm")
        assert lines[2] == "Also  phone +1 404-555-0111 ext. 12 · home +1 404-555-0177 DNC"
        await press(pilot, "x")  # the home number is on the do-not-call list: skipped, back to theirs
        assert card_text(app).splitlines()[1].startswith("+1 404-555-0111 ext. 12  ● warm")
        await press(pilot, "x", "v")
    (attempt,) = attempts(path)
    assert (attempt["prospect_id"], attempt["outcome"], attempt["number"]) == (megan, "voicemail", "+14045550188")


async def test_a_prospect_with_one_number_shows_no_x_key(tmp_path):
    path = build(tmp_path, (DANIEL,))
    async with started(path) as (app, pilot):
        assert app.screen.check_action("next_number", ()) is False  # hidden in the footer
        before = card_text(app)
        shown = [key.key for key in app.screen.query_one(KeyBar).keys]
        assert "n" in shown and "x" not in shown
        await press(pilot, "x", "n")
    (attempt,) = attempts(path)
    assert attempt["number"] == "+13125550188"  # their own number, recorded
    assert "Also" not in before


async def test_the_choice_resets_for_the_next_prospect(tmp_path):
    path = build(tmp_path)
    daniel = prospect_id(path, "Daniel")
    async with started(path) as (app, pilot):
        await press(pilot, "x")
        assert app.screen.number_in_use().label == "mobile"
        app.screen.pick(daniel)
        await settle(pilot)
        assert app.screen.number_in_use().e164 == "+13125550188"


def test_card_with_several_numbers_and_an_extension(snap_compare, tmp_path):
    assert snap_compare(test_app(build(tmp_path)), terminal_size=SMALL, run_before=settle)


def test_card_after_switching_to_the_mobile(snap_compare, tmp_path):
    async def run(pilot) -> None:
        await settle(pilot)
        await press(pilot, "x")

    assert snap_compare(test_app(build(tmp_path)), terminal_size=LARGE, run_before=run)


async def test_do_not_call_on_the_mobile_names_both_numbers_it_lists(tmp_path):
    path = build(tmp_path)
    async with started(path) as (app, pilot):
        await press(pilot, "x", "d")
        question = app.screen.query_one("#confirm .question").render().plain
        assert question == ("Put Megan Holloway on the do-not-call list? +1 404-555-0188 and their own number "
                            "+1 404-555-0111 ext. 12 will never be called or enrolled again.")
        await press(pilot, "y")
    (attempt,) = attempts(path)
    assert (attempt["outcome"], attempt["number"], attempt["dnc_added"]) == ("do-not-call", "+14045550188", 3)
