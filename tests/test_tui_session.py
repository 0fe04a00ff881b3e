"""The calling session under Pilot: each key writes the right attempt and moves the right prospect.

Every check reads SQLite through a fresh connection, so it sees what is really on disk.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from textual.widgets import Input

from dialdeck import services
from dialdeck.clock import to_iso
from dialdeck.tui.app import make_app
from dialdeck.tui.screens.confirm import ConfirmScreen
from dialdeck.tui.mail import MailResult, open_mailto
from dialdeck.tui.screens.disposition import DispositionScreen
from dialdeck.tui.screens.email import EmailScreen
from dialdeck.tui.screens.error import ErrorScreen
from dialdeck.tui.screens.help import HelpScreen
from dialdeck.tui.screens.session import SessionScreen, mailto_url
from dialdeck.tui.screens.summary import SummaryScreen
from dialdeck.tui.widgets.due_calls import DueCalls
from dialdeck.tui.widgets.key_bar import KeyBar
from dialdeck.tui.widgets.prospect_card import ProspectCard
from dialdeck.tui.widgets.status_line import StatusLine
from tui_helpers import (
    NOW,
    attempts,
    build_db,
    enrollments,
    press,
    prospect_id,
    record_toasts,
    running,
    settle,
    started,
    test_app,
    with_db,
)



def session(app) -> SessionScreen:
    screen = app.screen
    assert isinstance(screen, SessionScreen), f"expected the session screen, got {screen!r}"
    return screen


def on_card(app) -> str:
    card = session(app).card
    return card.prospect.first_name if card else ""


def listed(app) -> list[str]:
    return [item.name for item in app.screen.query_one(DueCalls).items]


async def test_opens_on_the_first_due_prospect_with_the_queue_in_calling_order(tmp_path):
    async with started(build_db(tmp_path)) as (app, _):
        # Oliver (zero-to-ten, a new lead) is called the day he comes in; Daniel's money-in
        # rotation opens with a late-afternoon call, so he is later today.
        assert listed(app) == ["Ana Souza", "Megan Holloway", "Oliver Bennett"]
        assert on_card(app) == "Ana"
        assert app.screen.query_one(DueCalls).border_title == "Due now 3 · later today 2"


async def test_voicemail_writes_the_attempt_and_advances_to_the_next_step(tmp_path):
    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    async with started(path) as (app, pilot):
        await press(pilot, "v")
        (attempt,) = attempts(path)
        assert (attempt["prospect_id"], attempt["outcome"], attempt["step"]) == (ana, "voicemail", 1)
        assert attempt["at"] == to_iso(NOW)
        assert attempt["session_id"] == session(app).session_id
        assert enrollments(path, ana)[-1]["step_index"] == 1
        assert on_card(app) == "Megan"  # the next due prospect comes up at once
        assert "Ana Souza" not in listed(app)


async def test_no_answer_retries_the_same_step_later(tmp_path):
    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    async with started(path) as (app, pilot):
        await press(pilot, "n")
        assert [a["outcome"] for a in attempts(path)] == ["no-answer"]
        row = enrollments(path, ana)[-1]
        assert row["step_index"] == 0 and row["status"] == "active"
        assert row["next_due_at"] > to_iso(NOW)
        assert on_card(app) == "Megan"


async def test_busy_keeps_the_step_and_waits_for_the_cooldown(tmp_path):
    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    async with started(path) as (_, pilot):
        await press(pilot, "b")
        assert [a["outcome"] for a in attempts(path)] == ["busy"]
        row = enrollments(path, ana)[-1]
        assert row["step_index"] == 0
        assert row["next_due_at"] >= to_iso(NOW + timedelta(minutes=180))


async def test_wrong_number_takes_the_prospect_off_for_good(tmp_path):
    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    async with started(path) as (app, pilot):
        await press(pilot, "w")
        assert [a["outcome"] for a in attempts(path)] == ["wrong-number"]
        assert enrollments(path, ana)[-1]["status"] == "wrong-number"
        assert "Ana Souza" not in listed(app)


async def test_do_not_call_asks_first_and_cancel_writes_nothing(tmp_path):
    path = build_db(tmp_path)
    async with started(path) as (app, pilot):
        await press(pilot, "d")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")
        assert attempts(path) == []
        assert on_card(app) == "Ana"


async def test_do_not_call_confirmed_lists_the_number_for_good(tmp_path):
    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    async with started(path) as (app, pilot):
        await press(pilot, "d", "y")
        assert [a["outcome"] for a in attempts(path)] == ["do-not-call"]
        assert enrollments(path, ana)[-1]["status"] == "dnc"
        numbers = [row["e164"] for row in with_db(path, services.dnc_list)]
        assert numbers == ["+5511912345678"]
        assert on_card(app) == "Megan"


async def test_connected_then_meeting_booked_is_one_attempt(tmp_path):
    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    async with started(path) as (app, pilot):
        await press(pilot, "c")
        assert isinstance(app.screen, DispositionScreen)
        await press(pilot, "5")
        (attempt,) = attempts(path)
        assert (attempt["outcome"], attempt["disposition"]) == ("connected", "booked")
        assert enrollments(path, ana)[-1]["status"] == "booked"
        assert on_card(app) == "Megan"


async def test_connected_with_a_quick_callback_pins_the_promise(tmp_path):
    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    async with started(path) as (_, pilot):
        await press(pilot, "c", "1")
        row = enrollments(path, ana)[-1]
        assert (row["status"], row["pinned"], row["next_due_at"]) == ("active", 1, to_iso(NOW + timedelta(hours=1)))


async def test_a_typed_callback_is_read_in_the_prospects_zone(tmp_path):
    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    async with started(path) as (app, pilot):
        await press(pilot, "c", "4")
        assert isinstance(app.focused, Input)
        await pilot.press(*"thu 14:00")
        await press(pilot, "enter")
        thursday_2pm_sao_paulo = datetime(2026, 11, 26, 14, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
        row = enrollments(path, ana)[-1]
        assert (row["pinned"], row["next_due_at"]) == (1, to_iso(thursday_2pm_sao_paulo))


async def test_a_typed_callback_can_be_read_in_the_reps_zone(tmp_path):
    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    async with started(path) as (_, pilot):
        await press(pilot, "c")
        await pilot.click("#zone-yours")
        await press(pilot, "4")
        await pilot.press(*"thu 14:00")
        await press(pilot, "enter")
        thursday_2pm_new_york = datetime(2026, 11, 26, 14, 0, tzinfo=ZoneInfo("America/New_York"))
        assert enrollments(path, ana)[-1]["next_due_at"] == to_iso(thursday_2pm_new_york)


async def test_an_unreadable_callback_keeps_the_dialog_open_and_writes_nothing(tmp_path):
    path = build_db(tmp_path)
    async with started(path) as (app, pilot):
        await press(pilot, "c", "4")
        await pilot.press(*"someday")
        await press(pilot, "enter")
        assert isinstance(app.screen, DispositionScreen)
        await press(pilot, "escape")
        assert attempts(path) == []
        assert on_card(app) == "Ana"


async def test_undo_restores_the_prospect_exactly_and_removes_the_attempt(tmp_path):
    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    before = enrollments(path, ana)
    async with started(path) as (app, pilot):
        await press(pilot, "c", "1")  # a callback changes status, step time and the pinned flag
        assert enrollments(path, ana) != before
        await press(pilot, "u")
        assert attempts(path) == []
        assert enrollments(path, ana) == before
        assert on_card(app) == "Ana"  # the undone prospect is back on screen


async def test_undo_walks_back_several_outcomes_then_has_nothing_left(tmp_path):
    path = build_db(tmp_path)
    async with started(path) as (app, pilot):
        await press(pilot, "v", "n")
        assert len(attempts(path)) == 2
        await press(pilot, "ctrl+z", "u")
        assert attempts(path) == []
        await press(pilot, "u")  # dimmed now: nothing happens
        assert attempts(path) == [] and on_card(app) == "Ana"


async def test_enter_in_the_due_list_works_that_prospect_instead_of_the_next(tmp_path):
    path = build_db(tmp_path)
    oliver = prospect_id(path, "Oliver")
    async with started(path) as (app, pilot):
        await press(pilot, "down", "down", "enter")
        assert on_card(app) == "Oliver"
        await press(pilot, "v")
        (attempt,) = attempts(path)
        assert attempt["prospect_id"] == oliver
        assert on_card(app) == "Ana"  # after the outcome, the next in calling order


async def test_snooze_until_later_today(tmp_path):
    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    async with started(path) as (app, pilot):
        await press(pilot, "s", "1")
        assert enrollments(path, ana)[-1]["next_due_at"] == to_iso(NOW + timedelta(hours=2))
        assert attempts(path) == []  # a skip is not an attempt
        assert "Ana Souza" not in listed(app)


async def test_a_new_note_joins_the_crm_note_on_the_card_newest_first(tmp_path):
    path = build_db(tmp_path)
    megan = prospect_id(path, "Megan")  # imported with the CRM note "Missed our call"
    async with started(path) as (app, pilot):
        pilot.app.show_prospect(megan)
        await settle(pilot)
        await press(pilot, "t")
        await pilot.press(*"prefers mornings")
        await press(pilot, "enter")
        notes = with_db(path, lambda db: services.notes(db, megan))
        assert [(n.source, n.text) for n in notes] == [("rep", "prefers mornings"), ("crm", "Missed our call")]
        assert on_card(app) == "Megan"
        lines = str(app.screen.query_one(ProspectCard).render()).splitlines()
        noted = [line for line in lines if "prefers mornings" in line or "Missed our call" in line]
        assert noted == ["Notes 25 Nov 10:00  prefers mornings", "      CRM  Missed our call"]


async def test_the_card_lists_the_newest_attempts_that_fit_long_notes_counted_as_they_wrap(tmp_path):
    """A note longer than the card is wide takes two rows or more: the card lists fewer attempts
    rather than run past its bottom edge."""
    path = build_db(tmp_path, ("grace",))
    grace = prospect_id(path, "Grace")
    note = "Front desk says she is in a meeting until noon and to try the main line after lunch"

    def attempt(db, n: int) -> None:
        at = NOW - timedelta(minutes=100 - 10 * n)
        action = services.call_card(db, grace, at).script.action  # each step's own outcome
        outcome = {"call": "no-answer", "email": "sent"}.get(action, "done")
        services.log_outcome(db, grace, outcome, at, note=f"{n}: {note}", force=True)

    for n in range(6):
        with_db(path, lambda db, n=n: attempt(db, n))
    async with started(path) as (app, pilot):
        pilot.app.show_prospect(grace)
        await settle(pilot)
        card = app.screen.query_one(ProspectCard)
        text = card.render()
        width, rows = card.content_size
        assert text.cell_length > width  # the notes wrap here
        assert "Attempts (6), newest " in str(text)
        assert text.get_height(card.styles, width) <= rows  # nothing cut off at the bottom
        assert "5: Front desk" in str(text)  # the newest attempt is listed


def email_step_db(tmp_path):
    """Oliver (zero-to-ten) got a voicemail half an hour ago: his email step is due now."""
    path = build_db(tmp_path, ("oliver",), imported_at=NOW - timedelta(days=1))
    oliver = prospect_id(path, "Oliver")
    with_db(path, lambda db: services.log_outcome(db, oliver, "voicemail", NOW - timedelta(minutes=30)))
    return path, oliver


async def test_email_step_marks_sent_and_call_keys_do_nothing(tmp_path):
    path, oliver = email_step_db(tmp_path)
    async with started(path) as (app, pilot):
        assert session(app).card.script.action == "email"
        await press(pilot, "v", "n")  # call outcomes make no sense on an email step
        assert len(attempts(path)) == 1
        await press(pilot, "e")
        assert [(a["prospect_id"], a["outcome"], a["step"]) for a in attempts(path)][-1] == (oliver, "sent", 2)


async def test_m_opens_the_mail_client_says_so_and_e_there_marks_it_sent(tmp_path):
    path, oliver = email_step_db(tmp_path)
    opened: list[str] = []

    def mail_client(url: str) -> MailResult:
        opened.append(url)
        return MailResult(True, how="xdg-open")

    async with started(path, open_mail=mail_client) as (app, pilot):
        await press(pilot, "m")
        assert opened[0].startswith(
            "mailto:oliver%40wessex.example?subject=A%20quick%20question%20for%20Wessex%20Wealth&body=Hi%20Oliver")
        assert isinstance(app.screen, EmailScreen)
        assert "Opened in your mail client (by xdg-open)" in str(app.screen.query_one("#email-result").render())
        await press(pilot, "e")
        assert isinstance(app.screen, SessionScreen)
        assert [(a["prospect_id"], a["outcome"]) for a in attempts(path)][-1] == (oliver, "sent")


async def test_m_over_ssh_says_nothing_opened_and_offers_the_text_to_copy(tmp_path):
    """From issue 7: "`m` says "Opened in your mail client" when nothing opened (over SSH)"."""
    path, _ = email_step_db(tmp_path)
    over_ssh = {"SSH_CONNECTION": "203.0.113.9 52100 198.51.100.4 22", "TERM": "xterm-256color"}
    ran: list = []
    async with started(path, open_mail=lambda url: open_mailto(url, env=over_ssh, platform="linux",
                                                          run=lambda *a, **k: ran.append(a))) as (app, pilot):
        await press(pilot, "m")
        assert ran == []  # nothing was started that could draw over the session
        dialog = app.screen
        assert isinstance(dialog, EmailScreen)
        said = str(dialog.query_one("#email-result").render())
        assert said.startswith("Not opened: you are connected over SSH")
        assert "Opened in your mail client" not in said
        await press(pilot, "b")
        body = session_of(app).card.script.body
        assert app.clipboard == body and body.startswith("Hi Oliver")
        assert "sent to your terminal's clipboard (OSC 52)" in str(dialog.query_one("#email-copied").render())
        await press(pilot, "s")
        assert app.clipboard == "A quick question for Wessex Wealth"
        await press(pilot, "a")
        assert app.clipboard == "oliver@wessex.example"
        await press(pilot, "escape")
        assert isinstance(app.screen, SessionScreen) and attempts(path)[-1]["outcome"] != "sent"
        assert app.screen.query_one(StatusLine).text.startswith("● Not opened: you are connected over SSH")


def session_of(app) -> SessionScreen:
    return next(screen for screen in app.screen_stack if isinstance(screen, SessionScreen))


def test_mailto_url_escapes_every_part():
    assert mailto_url("a@b.example", "Q&A", "line 1\nline 2") == (
        "mailto:a%40b.example?subject=Q%26A&body=line%201%0Aline%202")


async def test_email_key_is_dimmed_on_a_call_step(tmp_path):
    path = build_db(tmp_path)
    async with started(path) as (app, pilot):
        await press(pilot, "e", "m")
        assert attempts(path) == []
        active = {b.binding.id: b.enabled for b in app.screen.active_bindings.values()}
        assert active["email_sent"] is False and active["voicemail"] is True


async def test_help_lists_every_session_key_and_explains_the_due_list(tmp_path):
    """From issue 7: "`?` does not explain the left-hand time (their local time) or ●/○/◆"."""
    async with started(build_db(tmp_path), size=(80, 24)) as (app, pilot):
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = [str(cell.render()) for cell in app.screen.query(".help-key")]
        does = [str(cell.render()) for cell in app.screen.query(".help-does")]
        rows = dict(zip(keys, does, strict=True))
        for key in ("n", "v", "c", "b", "w", "d", "s", "e", "m", "t", "u / ctrl+z", "ctrl+p", "?", "q",
                    "↑ ↓ Enter Tab", "!", "p", "x"):
            assert key in rows, key
        assert rows["e"] == "Email sent (an email step) · done (a task or social step)"
        assert rows["10:30"] == "Their local time now: the prospect's clock, not yours"
        assert rows["● ○ ◆"] == "Warm lead · cold lead · a time you promised (called first)"
        for key in ("g / h", "enter", "r / R", "a / escape"):  # the phone keys, two to a row
            assert key in rows, key
        # At 80x24 the help scrolls by the few rows the phone keys added (issue 10); at 80x30 it fits.
        help_box = app.screen.query_one("#help")
        assert 0 < help_box.max_scroll_y <= 6
        await press(pilot, "escape")
        assert isinstance(app.screen, SessionScreen)
    (tmp_path / "tall").mkdir()
    app = test_app(build_db(tmp_path / "tall"))
    async with running(app, (80, 30)) as pilot:
        await press(pilot, "question_mark")
        assert app.screen.query_one("#help").max_scroll_y == 0


async def test_search_finds_any_prospect_and_puts_them_on_the_card(tmp_path):
    async with started(build_db(tmp_path)) as (app, pilot):
        await pilot.press("ctrl+p")
        await pilot.press(*"okafor")
        await pilot.pause(0.3)
        await settle(pilot)
        await press(pilot, "enter")
        assert on_card(app) == "Daniel"


async def test_quit_shows_the_summary_then_ends_the_session(tmp_path):
    path = build_db(tmp_path)
    async with started(path) as (app, pilot):
        await press(pilot, "v", "q")
        assert isinstance(app.screen, SummaryScreen)
        await press(pilot, "escape")  # keep calling
        assert isinstance(app.screen, SessionScreen)
        await press(pilot, "q", "enter")
    assert app.return_code == 0
    stats = with_db(path, lambda db: services.session_stats(db, 1))
    assert (stats.dials, stats.voicemails) == (1, 1)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT ended_at FROM sessions").fetchone()[0] == to_iso(NOW)


async def test_the_queue_refreshes_itself_as_windows_open(tmp_path):
    path = build_db(tmp_path, ("grace", "ana"), imported_at=NOW - timedelta(days=1))
    moment = [NOW]
    app = make_app(path, clock=lambda: moment[0], refresh_seconds=0.25, animation_level="none")
    async with running(app) as pilot:
        assert listed(app) == ["Ana Souza"]  # 07:00 in Los Angeles: Grace's window is shut
        moment[0] = NOW + timedelta(hours=1, minutes=5)  # 08:05 there
        await pilot.pause(0.6)
        await settle(pilot)
        assert "Grace Liu" in listed(app)
        assert on_card(app) == "Ana"  # the rep's card does not jump while they work it


async def test_an_unopenable_database_is_said_plainly_and_exits_1(tmp_path):
    folder = tmp_path / "not-a-file.db"
    folder.mkdir()
    async with started(folder) as (app, pilot):
        assert isinstance(app.screen, ErrorScreen)
        message = str(app.screen.query_one("#error-message").render())
        assert "is a directory" in message
        await press(pilot, "q")
    assert app.return_code == 1


async def test_a_locked_database_is_reported_and_nothing_moves(tmp_path):
    path = build_db(tmp_path)
    app = test_app(path)
    toasts = record_toasts(app)
    async with running(app) as pilot:
        # Another program holds the write lock: the outcome must fail cleanly, not crash.
        blocker = sqlite3.connect(path, timeout=0)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            await press(pilot, "v")
        finally:
            blocker.rollback()
            blocker.close()
        errors = [toast for toast in toasts if toast.severity == "error"]
        assert errors and "locked" in errors[0].message
        assert attempts(path) == []
        assert on_card(app) == "Ana"
        assert isinstance(app.screen, SessionScreen)
        await press(pilot, "v")  # once the lock is gone, the same key works
        assert [a["outcome"] for a in attempts(path)] == ["voicemail"]


def dimmed_keys(app) -> dict[str, bool]:
    """What the footer shows: each key and whether it is dimmed."""
    return {key.key: not key.enabled for key in app.screen.query_one(KeyBar).keys}


async def test_the_footer_dims_the_keys_that_do_not_fit_the_card_on_screen(tmp_path):
    path, _ = email_step_db(tmp_path)
    async with started(path) as (app, pilot):
        assert session(app).card.script.action == "email"
        keys = dimmed_keys(app)  # call keys dimmed, the email's lit, nothing to undo yet
        assert (keys["v"], keys["e"], keys["m"], keys["u"]) == (True, False, False, True)
        await press(pilot, "e")  # sent: nobody else is due
        assert session(app).card is None
        keys = dimmed_keys(app)
        assert (keys["v"], keys["e"], keys["m"], keys["u"]) == (True, True, True, False)
        await press(pilot, "u")  # the email step is back, with nothing left to undo
        assert session(app).card.script.action == "email"
        keys = dimmed_keys(app)
        assert (keys["v"], keys["e"], keys["m"], keys["u"]) == (True, False, False, True)
