"""No traceback, ever: each input issue 7 found giving one, run as a rep or a script would, then
fuzzing of the CLI's arguments and of the importer's cells.

Each listed input must be caught where it arises, with its own line (the CLI's last-resort
guard, "a bug in dialdeck", must never be what answers).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli import assert_one_line_error, dialdeck
from tui_helpers import NOW, build_db

from dialdeck import services, store
from dialdeck.cli import main
from dialdeck.errors import ImportFileError
from dialdeck.importer import (
    CELL_LIMIT,
    FIELD_HEADERS,
    NOTE_LIMIT,
    ProspectRow,
    RowError,
    read_prospects,
)

AT = "2026-11-25T10:00"  # NOW in the rep's zone (New York)
YEARS = "is outside the years 1900 to 2200"
BUG = "a bug in dialdeck"


@pytest.fixture
def rep_db(tmp_path: Path) -> Path:
    """The rep's profile and five prospects (Megan Holloway is #1), imported two hours ago."""
    return build_db(tmp_path)


def error_line(result) -> str:
    line = assert_one_line_error(result)
    assert BUG not in line
    return line.removeprefix("dialdeck: error: ")


def usage_error(result) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()[-1]


def attempts_of(path: Path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT prospect_id, outcome, at FROM attempts").fetchall()


# ---- the inputs issue 7 listed ------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["due"], ["report"], ["log", "1", "voicemail"], ["snooze", "1", "+1h"], ["note", "1", "hi"],
     ["dnc", "add", "+1 212 555 0199"]],
)
def test_at_year_9999_is_refused_on_every_command(rep_db: Path, command: list[str]) -> None:
    line = error_line(dialdeck(*command, "--at", "9999-12-31T23:59", db=rep_db))
    assert line == f"--at: '9999-12-31T23:59' {YEARS}"
    assert attempts_of(rep_db) == []


@pytest.mark.parametrize(
    "command", [["due"], ["log", "1", "voicemail"], ["snooze", "1", "+1h"], ["dnc", "add", "+1 212 555 0199"]])
def test_at_year_1_is_refused_and_writes_nothing(rep_db: Path, command: list[str]) -> None:
    line = error_line(dialdeck(*command, "--at", "0001-01-01T00:00", db=rep_db))
    assert line == f"--at: '0001-01-01T00:00' {YEARS}"
    assert attempts_of(rep_db) == []
    assert json.loads(dialdeck("dnc", "list", "--json", db=rep_db, check=True).stdout) == []


def test_an_empty_at_is_an_error_not_now(rep_db: Path) -> None:
    for command in (["due"], ["log", "1", "voicemail"]):
        line = error_line(dialdeck(*command, "--at", "", db=rep_db))
        assert line == "--at: no time given (e.g. 2026-11-23T14:30 or 2026-11-23T14:30:00-05:00)"
    assert attempts_of(rep_db) == []


def test_a_callback_99999999_days_ahead_is_refused(rep_db: Path) -> None:
    result = dialdeck("log", "1", "connected", "--callback", "+99999999d", "--at", AT, db=rep_db)
    assert error_line(result) == "--callback: '+99999999d' is too far ahead (past the year 2200)"
    assert attempts_of(rep_db) == []


def test_a_snooze_99999999_days_ahead_is_refused(rep_db: Path) -> None:
    result = dialdeck("snooze", "1", "+99999999d", "--at", AT, db=rep_db)
    assert error_line(result) == "UNTIL: '+99999999d' is too far ahead (past the year 2200)"


def test_a_report_of_a_billion_days_is_a_usage_error(rep_db: Path) -> None:
    line = usage_error(dialdeck("report", "--days", "1000000000", db=rep_db))
    assert line == "dialdeck report: error: argument --days: 1000000000 is too large (at most 11,000)"
    assert dialdeck("report", "--days", "11000", "--at", AT, db=rep_db).returncode == 0


@pytest.mark.parametrize(
    "command", [["log", str(2**70), "voicemail"], ["history", str(2**70)], ["snooze", str(2**70), "+1h"]])
def test_a_prospect_id_beyond_sqlites_integers_is_a_usage_error(rep_db: Path, command: list[str]) -> None:
    line = usage_error(dialdeck(*command, db=rep_db))
    assert line.endswith(f"argument PROSPECT_ID: {2**70} is too large (at most 9,223,372,036,854,775,807)")
    # The largest id SQLite holds is simply not found.
    assert error_line(dialdeck("history", str(2**63 - 1), db=rep_db)).startswith("no prospect")


APPOINTMENT_CSV = """\
First Name,Last Name,Phone Number,Time Zone,Appointment
Ana,Souza,+1 312 555 0101,America/Chicago,2026-11-26 10:00
Ben,Okafor,+1 212 555 0102,America/New_York,9999-12-31 23:59
Cy,Young,+1 212 555 0103,America/New_York,0001-01-01 10:00
"""


def test_an_appointment_in_year_9999_or_1_rejects_that_row_not_the_import(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(APPOINTMENT_CSV, encoding="utf-8")
    db = tmp_path / "rep.db"
    refused = dialdeck("import", str(path), "--at", AT, db=db)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.splitlines()[1:] == [
        f"line 3: appointment: '9999-12-31 23:59' {YEARS}",
        f"line 4: appointment: '0001-01-01 10:00' {YEARS}",
    ]
    kept = dialdeck("import", str(path), "--skip-invalid", "--at", AT, "--json", db=db, check=True)
    report = json.loads(kept.stdout)
    assert (report["created"], report["rejected"]) == (1, 2)


def test_a_bad_timestamp_in_the_database_names_table_column_and_row(rep_db: Path) -> None:
    with closing(sqlite3.connect(rep_db)) as conn, conn:
        conn.execute("UPDATE enrollments SET next_due_at = 'yesterday-ish' WHERE prospect_id = 1")
    for command in (["history", "1"], ["log", "1", "voicemail", "--at", AT]):
        assert error_line(dialdeck(*command, db=rep_db)) == (
            "the database holds 'yesterday-ish' where a time belongs (enrollments.next_due_at, id 1); "
            "correct or clear that value (e.g. with sqlite3), or restore a backup")
    assert dialdeck("history", "2", db=rep_db).returncode == 0  # the others are still readable


def test_a_year_1_timestamp_in_the_database_is_reported_too(rep_db: Path) -> None:
    dialdeck("log", "1", "voicemail", "--at", AT, db=rep_db, check=True)
    with closing(sqlite3.connect(rep_db)) as conn, conn:
        conn.execute("UPDATE attempts SET at = '0001-01-01T00:00:00+00:00'")
    line = error_line(dialdeck("history", "1", db=rep_db))
    assert line.startswith("the database holds '0001-01-01T00:00:00+00:00' where a time belongs (attempts.at, id 1)")


def test_a_blanked_attempt_time_is_reported_like_a_bad_one(rep_db: Path) -> None:
    """An attempt always has a time: one blanked by hand is a damaged record, said so, never a '-'."""
    dialdeck("log", "1", "voicemail", "--at", AT, db=rep_db, check=True)
    with closing(sqlite3.connect(rep_db)) as conn, conn:
        conn.execute("UPDATE attempts SET at = ''")
    line = error_line(dialdeck("history", "1", db=rep_db))
    assert line.startswith("the database holds '' where a time belongs (attempts.at, id 1)")


def _user_cadences(tmp_path: Path) -> Path:
    folder = tmp_path / "my-cadences"
    folder.mkdir()
    return folder


def test_a_deeply_nested_user_cadence_file_is_skipped_with_a_warning(rep_db: Path, tmp_path: Path) -> None:
    folder = _user_cadences(tmp_path)
    (folder / "deep.toml").write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    env = {"DIALDECK_CADENCES": str(folder)}
    listing = dialdeck("cadences", env=env, db=rep_db)
    assert listing.returncode == 0, listing.stderr
    assert f"{folder / 'deep.toml'}: invalid TOML: arrays or tables nested too deeply" in listing.stdout
    due = dialdeck("due", "--at", AT, env=env, db=rep_db)
    assert due.returncode == 0 and "Traceback" not in due.stderr
    assert due.stderr.splitlines()[0] == (f"dialdeck: warning: skipped broken cadence file {folder / 'deep.toml'}: "
                                          "invalid TOML: arrays or tables nested too deeply")


def test_a_fifo_in_the_user_cadence_folder_is_skipped_not_waited_on(rep_db: Path, tmp_path: Path) -> None:
    folder = _user_cadences(tmp_path)
    os.mkfifo(folder / "x.toml")
    due = dialdeck("due", "--at", AT, env={"DIALDECK_CADENCES": str(folder)}, db=rep_db)  # hung forever before
    assert due.returncode == 0, due.stderr
    assert due.stderr.splitlines()[0] == (f"dialdeck: warning: skipped broken cadence file {folder / 'x.toml'}: "
                                          "not a regular file (a pipe, device or folder)")


def test_deeply_nested_calling_hour_rules_are_one_clear_error(tmp_path: Path) -> None:
    from dialdeck.errors import InvalidInput
    from dialdeck.hours import load_rules

    path = tmp_path / "calling_hours.toml"
    path.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid TOML: nested too deeply"):
        load_rules(path)


def _notes_csv(path: Path, *notes: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Phone Number", "Notes"])
        for index, note in enumerate(notes):
            writer.writerow([f"P{index}", f"+1 312 555 01{index:02d}", note])
    return path


def test_a_200_kb_note_imports(tmp_path: Path) -> None:
    note = "Asked about onboarding. " * 8_400  # ~200 kB, over the csv module's own 128 kB cap
    path = _notes_csv(tmp_path / "long.csv", note)
    db = tmp_path / "rep.db"
    result = dialdeck("import", str(path), "--at", AT, db=db, check=True)
    assert "1 created" in result.stdout
    history = json.loads(dialdeck("history", "1", "--json", db=db, check=True).stdout)
    assert history["prospect"]["notes"] == note.strip()


def test_a_note_over_the_cap_rejects_its_row_naming_line_and_field(tmp_path: Path) -> None:
    path = _notes_csv(tmp_path / "huge.csv", "short", "x" * (NOTE_LIMIT + 1))
    result = dialdeck("import", str(path), "--skip-invalid", "--at", AT, "--json", db=tmp_path / "rep.db", check=True)
    assert (json.loads(result.stdout)["created"], json.loads(result.stdout)["rejected"]) == (1, 1)
    with (tmp_path / "huge.rejected.csv").open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["line"], row["field"]) == ("3", "notes")
    assert row["reason"] == f"too long ({NOTE_LIMIT + 1:,} characters; at most {NOTE_LIMIT:,})"


# ---- read times the same way everywhere ------------------------------------------------------------


def test_config_takes_the_zone_and_clock_forms_the_importer_reads(tmp_path: Path) -> None:
    db = tmp_path / "rep.db"
    def config_set(key: str, value: str) -> str:
        return dialdeck("config", "set", key, value, db=db, check=True).stdout

    assert config_set("rep.timezone", "Central") == "rep.timezone = America/Chicago\n"
    assert config_set("rep.timezone", "EST") == "rep.timezone = America/New_York\n"
    assert config_set("hours.end", "8pm") == "hours.end = 20:00\n"
    assert config_set("hours.start", "8:30 a.m.") == "hours.start = 08:30\n"
    assert error_line(dialdeck("config", "set", "rep.timezone", "IST", db=db)) == (
        "rep.timezone: time zone abbreviation 'IST' is ambiguous (use an IANA name such as America/New_York)")
    assert error_line(dialdeck("config", "set", "hours.end", "8 in the evening", db=db)) == (
        "hours.end: '8 in the evening' is not a time of day (e.g. 08:00, 20:00, 8pm, 8:30 p.m.)")


def test_the_cli_takes_the_callback_forms_the_tui_takes(rep_db: Path) -> None:
    result = dialdeck("log", "1", "connected", "--callback", "in 2h", "--at", AT, "--json", db=rep_db, check=True)
    assert datetime.fromisoformat(json.loads(result.stdout)["next_due_at"]) == NOW + timedelta(hours=2)
    snoozed = dialdeck("snooze", "2", "tomorrow 9am", "--at", AT, "--json", db=rep_db, check=True)
    assert json.loads(snoozed.stdout)["next_due_at"] == "2026-11-26T09:00:00-05:00"  # the rep's zone


async def test_the_tui_takes_the_cli_forms_and_keeps_the_dialog_open_on_a_far_one(tmp_path: Path) -> None:
    from textual.widgets import Input
    from tui_helpers import enrollments, press, prospect_id, started

    from dialdeck.tui.screens.disposition import DispositionScreen

    path = build_db(tmp_path)
    ana = prospect_id(path, "Ana")
    async with started(path) as (app, pilot):
        await press(pilot, "c", "4")
        assert isinstance(app.focused, Input)
        app.focused.value = "+99999999d"
        await press(pilot, "enter")
        assert isinstance(app.screen, DispositionScreen)  # refused, said why, nothing written
        assert "too far ahead" in str(app.screen.query_one("#callback-preview").render())
        assert attempts_of(path) == []
        app.focused.value = "+2h"
        await press(pilot, "enter")
        row = enrollments(path, ana)[-1]
        assert (row["pinned"], row["next_due_at"]) == (1, (NOW + timedelta(hours=2)).isoformat())


# ---- fuzzing the CLI's arguments, in process -----------------------------------------------------------

TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30)
TIME_LIKE = st.one_of(
    TEXT,
    st.text(alphabet="0123456789:+-TZ. apmintdwhour", max_size=24),
    st.builds(lambda y, rest: f"{y:04d}{rest}", st.integers(0, 99999),
              st.sampled_from(["-01-01T00:00", "-12-31T23:59", ""])),
    st.builds(lambda n, unit: f"+{n}{unit}", st.integers(0, 10**40), st.sampled_from("mhdw")),
)
NUMBER_LIKE = st.one_of(TEXT, st.integers(-(2**80), 2**80).map(str), st.sampled_from(["0", "-1", "1e9", "٣", "1_000"]))


def run(args: list[str]) -> tuple[int, str]:
    """main() in this process: the exit status and what went to stderr."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = main(args)
    return status, err.getvalue()


def assert_clean(status: int, err: str) -> None:
    assert status in (0, 1, 2), (status, err)
    assert "Traceback" not in err and BUG not in err, err
    if status == 1:
        assert "dialdeck: error: " in err, err


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory) -> Path:
    """One database for a module's examples (what they write does not matter, only how they end)."""
    folder = tmp_path_factory.mktemp("fuzz")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIALDECK_CADENCES", str(folder / "user-cadences"))
        return build_db(folder)


# Kept quick for every run; DIALDECK_FUZZ=20 runs twenty times as many examples.
DEPTH = int(os.environ.get("DIALDECK_FUZZ", "1"))
FUZZ = settings(max_examples=60 * DEPTH, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(at=TIME_LIKE, command=st.sampled_from([["due"], ["report"], ["log", "2", "no-answer"], ["note", "2", "n"]]))
def test_fuzz_at(fuzz_db: Path, at: str, command: list[str]) -> None:
    assert_clean(*run(["--db", str(fuzz_db), *command, f"--at={at}"]))


@FUZZ
@given(when=TIME_LIKE, command=st.sampled_from(["callback", "snooze", "disposition"]))
def test_fuzz_callback_and_snooze_times(fuzz_db: Path, when: str, command: str) -> None:
    args = {
        "callback": ["log", "3", "connected", f"--callback={when}"],
        "snooze": ["snooze", "4", "--", when],
        "disposition": ["disposition", "3", "callback", f"--callback={when}"],
    }[command]
    assert_clean(*run(["--db", str(fuzz_db), *args, f"--at={AT}"]))


@FUZZ
@given(number=NUMBER_LIKE, command=st.sampled_from(["log", "history", "undo", "snooze", "days", "limit"]))
def test_fuzz_ids_and_counts(fuzz_db: Path, number: str, command: str) -> None:
    args = {
        "log": ["log", "--", number, "busy"],
        "history": ["history", "--", number],
        "undo": ["undo", "--", number],
        "snooze": ["snooze", "--", number, "+1h"],
        "days": ["report", f"--days={number}", f"--at={AT}"],
        "limit": ["due", f"--limit={number}", f"--at={AT}"],
    }[command]
    assert_clean(*run(["--db", str(fuzz_db), *args]))


@FUZZ
@given(key=st.sampled_from(services.settings.KEYS + ("rep.nope",)), value=st.one_of(TIME_LIKE, NUMBER_LIKE))
def test_fuzz_config_values(tmp_path: Path, key: str, value: str) -> None:
    assert_clean(*run(["--db", str(tmp_path / "config.db"), "config", "set", key, "--", value]))


@FUZZ
@given(text=TEXT, command=st.sampled_from(["note", "dnc", "region", "cadence"]))
def test_fuzz_free_text_arguments(fuzz_db: Path, tmp_path: Path, text: str, command: str) -> None:
    leads = tmp_path / "leads.csv"
    if not leads.exists():
        leads.write_text("Name,Phone\nAnn Lee,+1 312 555 0199\n", encoding="utf-8")
    args = {
        "note": ["note", "5", "--", text],
        "dnc": ["dnc", "add", "--", text],
        "region": ["import", str(leads), f"--region={text}", f"--at={AT}"],
        "cadence": ["import", str(leads), f"--cadence={text}", f"--at={AT}"],
    }[command]
    assert_clean(*run(["--db", str(fuzz_db), *args]))


# ---- fuzzing the importer's cells --------------------------------------------------------------------------

COLUMNS = ("First Name", "Last Name", "Full Name", "Company", "Phone", "Email", "Time Zone", "Lead Temperature",
           "Value", "Cadence", "Referrer", "Referrer Company", "Appointment", "Notes")
FIELDS = {*FIELD_HEADERS, "row", "name"}
CELL = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
    st.sampled_from(["", "+1 312 555 0101", "(212) 555-0102", "EST", "UTC-5", "America/Chicago", "9999-12-31 23:59",
                     "0001-01-01 10:00", "12/31/9999 11:59 PM", "2026-11-24 14:00", "1e400", "9" * 400, "nan",
                     "-inf", "$12,500", "zero-to-ten", "=HYPERLINK(\"x\")", "\x1b]52;c;aGk=\x07", "\u202e",
                     "warm", "\r\n", '"', "a,b"]),
    st.builds(lambda char, size: char * size, st.sampled_from(["x", "9", "é", "/"]),
              st.sampled_from([CELL_LIMIT + 1, 200_000, NOTE_LIMIT + 1])),
)
ROW = st.fixed_dictionaries({column: CELL for column in COLUMNS})
GOOD = {"First Name": "Ann", "Phone": "+1 312 555 0101"}


def _write(path: Path, row: dict[str, str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerow([row[column] for column in COLUMNS])


@settings(max_examples=100 * DEPTH, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=ROW, keep_good=st.booleans())
def test_fuzz_every_cell_either_imports_or_rejects_its_row_by_line_and_field(tmp_path: Path, row: dict,
                                                                            keep_good: bool) -> None:
    if keep_good:  # half the rows have a valid name and phone, so the other cells are read too
        row = {**row, **GOOD}
    path = tmp_path / "fuzz.csv"
    _write(path, row)
    try:
        parsed = read_prospects(path, default_region="US", rep_zone="America/New_York",
                                known_cadences=("zero-to-ten",))
    except ImportFileError as refused:  # only a file the csv module cannot split is refused whole
        assert "line 2" in str(refused), refused
        return
    items = [*parsed.rows, *parsed.errors]
    if not "".join(row.values()).strip():
        assert items == []  # a row of blank cells is no prospect, and no error either
        return
    assert items, "the row vanished"
    if parsed.errors:
        assert parsed.rows == []
        for error in parsed.errors:
            assert isinstance(error, RowError) and error.line == 2 and error.field in FIELDS, error
            assert str(error).startswith(f"line 2: {error.field}: ")
    else:
        (prospect,) = parsed.rows
        assert isinstance(prospect, ProspectRow)
        if prospect.appointment_at is not None:
            assert 1900 <= prospect.appointment_at.year <= 2201
        assert prospect.value is None or (prospect.value == prospect.value and prospect.value != float("inf"))


@settings(max_examples=40 * DEPTH, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=ROW)
def test_fuzz_cells_through_the_whole_import(tmp_path: Path, row: dict) -> None:
    path = tmp_path / "fuzz.csv"
    _write(path, {**row, **GOOD})
    db = store.open_store(tmp_path / "fuzz.db")  # one per test: every example re-imports Ann
    try:
        report = services.import_csv(db, path, now=NOW, region="US", skip_invalid=True)
        assert report.created + report.updated + report.rejected == 1
        if not report.rejected:
            person, _enrollment, _attempts = services.history(db, 1)  # what was stored reads back
            assert person.phone_e164 == "+13125550101"
    finally:
        db.close()


# ---- the last resort ---------------------------------------------------------------------------------


def test_an_unforeseen_failure_is_still_one_line_naming_a_bug(tmp_path: Path, monkeypatch) -> None:
    def broken(db):
        raise RuntimeError("the unforeseen")

    monkeypatch.setattr(services, "dnc_list", broken)
    assert run(["--db", str(tmp_path / "x.db"), "config"])[0] == 0  # creates the database
    status, err = run(["--db", str(tmp_path / "x.db"), "dnc", "list"])
    assert status == 1
    assert err.splitlines() == [
        "dialdeck: error: unexpected RuntimeError: the unforeseen (a bug in dialdeck: please report it with the "
        "command you ran; DIALDECK_DEBUG=1 shows the traceback)"]
    monkeypatch.setenv("DIALDECK_DEBUG", "1")
    with pytest.raises(RuntimeError):
        run(["--db", str(tmp_path / "x.db"), "dnc", "list"])
