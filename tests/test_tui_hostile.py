"""Hostile prospect data in the calling session: shown as typed, never as markup, never as
terminal control, and no key crashes on it (t, s, c, d, the search, the toasts)."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest
from textual.widgets import OptionList

from dialdeck.tui.screens.confirm import ConfirmScreen
from dialdeck.tui.screens.disposition import DispositionScreen
from dialdeck.tui.screens.note import NoteScreen
from dialdeck.tui.screens.session import SessionScreen
from dialdeck.tui.screens.snooze import SnoozeScreen
from dialdeck.tui.widgets.due_calls import DueCalls
from dialdeck.tui.widgets.prospect_card import ProspectCard
from dialdeck.tui.widgets.script_pane import ScriptPane
from tui_helpers import imported, press, settle, started, test_app

SIZE = (120, 40)
HEADER = ["First Name", "Last Name", "Company Name", "Phone Number", "E-mail", "Time Zone", "Lead Temperature",
          "Deal Value", "Cadence", "Notes"]
MARKUP_NAMES = ["[/]", "[link=file:///etc/passwd]a[/]", "Smith [Jr]", "[bold red]x[/]", "[@click=app.quit]q[/]"]
CLIPBOARD = "Eve\x1b]52;c;aGVsbG8=\x1b\\"  # OSC 52: writes the rep's clipboard
CLEAR = "Tear\x1b[2J\x1b[H"  # clears the screen


def hostile_db(folder: Path, rows: list[list[str]]) -> Path:
    """``rows`` (first name, last name, company, e-mail, notes) imported two hours before NOW,
    all in New York and due now; the first row is called first."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(HEADER)
    for n, (first, last, company, email, notes) in enumerate(rows):
        writer.writerow([first, last, company, f"+1 212 555 01{10 + n}", email, "America/New_York", "warm",
                         str(90000 - n * 1000), "zero-to-ten", notes])
    return imported(folder, text.getvalue())


def toasts(app) -> list[str]:
    """The messages shown now, as text: the toasts drawn (``run_test(notifications=True)``) and
    the status line, where routine confirmations go."""
    said = [line.text.removeprefix("● ") for line in app.screen.query("StatusLine") if line.text]
    return [toast.render().plain for toast in app.screen.query("Toast")] + said


TEXT_RUN = re.compile(r'<text [^>]*x="([\d.]+)"[^>]*clip-path="url\(#[^)]*-line-(\d+)\)">([^<]*)</text>')


def screen_lines(app) -> list[str]:
    """The screen as drawn, one string a row, read back from a screenshot (its SVG places each
    run of text at a cell: 12.2 px wide). Titles and toasts are checked as the rep sees them."""
    rows: dict[int, dict[int, str]] = {}
    for x, row, text in TEXT_RUN.findall(app.export_screenshot()):
        rows.setdefault(int(row), {})[round(float(x) / 12.2)] = html.unescape(text).replace("\xa0", " ")
    lines = []
    for row in sorted(rows):
        line = ""
        for column, text in sorted(rows[row].items()):
            line = line.ljust(column)[:column] + text
        lines.append(line.rstrip("\n"))
    return lines


def drawn(app, text: str) -> bool:
    return any(text in line for line in screen_lines(app))


@pytest.mark.parametrize("first", MARKUP_NAMES)
async def test_markup_in_a_name_is_shown_as_typed_in_every_dialog_and_toast(tmp_path, first):
    name = f"{first} Doe"
    path = hostile_db(tmp_path, [[first, "Doe", "[b]Acme[/b]", "", ""]])
    async with started(path, notifications=True) as (app, pilot):
        assert app.screen.query_one(ProspectCard).render().plain.startswith(f"{name} · [b]Acme[/b]")
        await press(pilot, "t")
        assert isinstance(app.screen, NoteScreen)
        assert drawn(app, f"Note on {name} ▀")
        await press(pilot, "escape", "s")
        assert isinstance(app.screen, SnoozeScreen)
        assert drawn(app, f"Snooze {name} ▀")
        await press(pilot, "escape", "c")
        assert isinstance(app.screen, DispositionScreen)
        assert drawn(app, f"Connected with {name}: what next? ▀")
        await press(pilot, "escape", "d")
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Put {name} (+1 212-555-0110) on the do-not-call list?" in str(
            app.screen.query_one(".question").render())
        await press(pilot, "n", "b")
        assert isinstance(app.screen, SessionScreen) and app.is_running
        assert any(toast.startswith(f"{name}: busy → step 1 at") for toast in toasts(app)), toasts(app)


async def test_a_note_with_markup_is_saved_and_shown_as_typed(tmp_path):
    path = hostile_db(tmp_path, [["Ana", "Souza", "Northwind", "", ""]])
    async with started(path, notifications=True) as (app, pilot):
        await press(pilot, "t")
        await pilot.press(*"[bold red]x[/] [/]")
        await press(pilot, "enter")
        assert "Note saved on Ana Souza" in toasts(app)
        card = app.screen.query_one(ProspectCard).render()
        assert "Note 25 Nov 10:00  [bold red]x[/] [/]" in card.plain
        assert not any("red" in str(span.style) for span in card.spans)


async def test_markup_in_an_email_does_not_crash_the_search(tmp_path):
    path = hostile_db(tmp_path, [["Ana", "Souza", "Northwind", "ana@x.example", ""],
                                 ["Bo", "[/]", "[bold red]x[/]", "a[/]@x.example", ""]])
    async with started(path, notifications=True) as (app, pilot):
        await pilot.press("ctrl+p")
        await pilot.press(*"x.ex")
        await pilot.pause(0.3)
        await settle(pilot)
        shown = [option.prompt.plain for option in app.screen.query_one(OptionList).options]
        assert "Bo [/] · [bold red]x[/]\n+1 212-555-0111  a[/]@x.example" in shown, shown
        hit = next(i for i, text in enumerate(shown) if text.startswith("Bo "))
        app.screen.query_one(OptionList).highlighted = hit
        await press(pilot, "enter")
        assert app.screen.card.prospect.email == "a[/]@x.example"


async def test_escape_sequences_are_drawn_as_visible_text_everywhere(tmp_path):
    path = hostile_db(tmp_path, [
        [CLIPBOARD, "Four", "Clip\x9b31m", "", "called\x1b[2J back\r\nnext line"],
        [CLEAR, "Five", "Screen\u202eevil", "", ""],
    ])
    async with started(path, size=(80, 24), notifications=True) as (app, pilot):
        rows = app.screen.query_one(DueCalls).rows()
        # The name is cut to the narrow pane after it was made safe: never half an escape.
        assert rows[0].startswith("10:00 Eve␛]52;c;aGVsbG8=… 2h ago"), rows
        assert rows[1].startswith("10:00 Tear␛[2J␛[H Five    2h ago"), rows
        card = app.screen.query_one(ProspectCard).render().plain
        assert "Eve␛]52;c;aGVsbG8=␛\\ Four · Clip\\u009b31m" in card
        assert "Note CRM  called␛[2J back / next line" in card
        assert "Hi Eve␛]52;c;aGVsbG8=␛\\," in app.screen.query_one(ScriptPane).text.plain
        await press(pilot, "t")
        assert drawn(app, "Note on Eve␛]52;c;aGVsbG8=␛\\ Four ▀")
        await press(pilot, "escape", "b")
        assert any(toast.startswith("Eve␛]52;c;aGVsbG8=␛\\ Four: busy") for toast in toasts(app))
        screen = "\n".join(screen_lines(app))
        assert "Eve␛]52;c;aGVsbG8=␛\\ Four: busy" in screen
        for raw in ("\x1b", "\x9b", "\u202e", "\r"):
            assert raw not in screen, repr(raw)


def test_hostile_names_shown_literally(snap_compare, tmp_path):
    """The card and the list of a session whose prospects hold markup and escape sequences."""
    path = hostile_db(tmp_path, [
        [CLIPBOARD, "Four", "[bold red]Globex[/]", "", "[link=file:///etc/passwd]see file[/]"],
        ["[/]", "Smith [Jr]", "Acme\u202eevil", "", ""],
        [CLEAR, "Five", "Initech", "", ""],
    ])
    assert snap_compare(test_app(path), terminal_size=SIZE, run_before=settle)
