"""The installed ``dialdeck`` command, run as a user or a script would run it."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from dialdeck.models import ACTIONS

BIN = Path(sys.executable).parent
# Monday 2026-11-23, 08:00 in New York: the list is imported as the working week starts.
IMPORT_AT = "2026-11-23T08:00:00-05:00"
# Tuesday 11:00 in New York: every prospect's first step has come due, and most zones are open.
DUE_AT = "2026-11-24T11:00:00-05:00"

PROSPECTS = """\
First Name,Last Name,Company Name,Phone Number,E-mail,Time Zone,Lead Temperature,Value,Cadence,Referrer,Referrer Company,Appointment,Notes
Ana,Souza,Northwind Traders,+1 312 555 0101,ana@northwind.example,America/Chicago,warm,12000,zero-to-ten,,,,
Ben,Okafor,Contoso Freight,(212) 555-0102,ben@contoso.example,,cold,3000,zero-to-ten,,,,met at expo
Chloe,Martin,Fabrikam Labs,+1 415 555 0103,chloe@fabrikam.example,America/Los_Angeles,warm,,money-in-follow-up,,,,
"""

DUE_KEYS = {
    "prospect_id", "name", "phone", "timezone", "cadence", "step", "action", "due_at", "voicemail",
    "talk_track", "company", "local_time", "pinned", "temperature", "value",
}


def dialdeck(*args: str, db: Path | None = None, check: bool = False, env: dict | None = None,
             command: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run the command as installed (``python -m dialdeck`` unless another form is given)."""
    argv = [*(command or [sys.executable, "-m", "dialdeck"]), *(["--db", str(db)] if db else []), *args]
    result = subprocess.run(
        argv, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DIALDECK_CADENCES": "/nonexistent-user-cadences", **(env or {})},
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "prospects.csv"
    path.write_text(PROSPECTS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """The three prospects imported once; each test gets its own copy."""
    folder = tmp_path_factory.mktemp("imported")
    csv_path = folder / "prospects.csv"
    csv_path.write_text(PROSPECTS, encoding="utf-8")
    path = folder / "rep.db"
    dialdeck("config", "set", "rep.timezone", "America/New_York", db=path, check=True)
    dialdeck("import", str(csv_path), "--at", IMPORT_AT, db=path, check=True)
    return path


@pytest.fixture(scope="module")
def imported_pg(pg_server) -> str | None:
    """The same on PostgreSQL, by the same commands: a template database each test copies."""
    if isinstance(pg_server, str):  # no server: the tests that need it are skipped (the pg fixture)
        return None
    name = pg_server.new_database(empty=True)
    url = pg_server.url_of(name)
    csv_path = Path(pg_server.scratch) / "prospects.csv"
    csv_path.write_text(PROSPECTS, encoding="utf-8")
    dialdeck("config", "set", "rep.timezone", "America/New_York", db=url, check=True)
    dialdeck("import", str(csv_path), "--at", IMPORT_AT, db=url, check=True)
    return pg_server.keep_as_template(name)


@pytest.fixture
def db(engine: str, tmp_path: Path, imported: Path, request: pytest.FixtureRequest) -> Path | str:
    """The three prospects imported: a copy of the file, or (tests marked ``engines``) also a
    copy of the PostgreSQL template."""
    if engine == "postgres":
        pg = request.getfixturevalue("pg")
        name = pg.new_database(request.getfixturevalue("imported_pg"))
        request.addfinalizer(lambda: pg.drop(name))
        return pg.url_of(name)
    path = tmp_path / "rep.db"
    with closing(sqlite3.connect(imported)) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)  # a consistent copy, WAL included
    return path


def due_json(db: Path, at: str = DUE_AT, *extra: str) -> list[dict]:
    result = dialdeck("due", "--json", "--at", at, *extra, db=db, check=True)
    return json.loads(result.stdout)


def assert_one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dialdeck: error: ")
    return lines[0]


# --------------------------------------------------------------------------- the round trip


@pytest.mark.engines
def test_import_reports_counts(new_db: Path | str, csv_file: Path) -> None:
    db = new_db
    result = dialdeck("import", str(csv_file), "--at", IMPORT_AT, "--json", db=db, check=True)
    report = json.loads(result.stdout)
    assert (report["created"], report["updated"], report["enrolled"], report["rejected"]) == (3, 0, 3, 0)

    again = dialdeck("import", str(csv_file), "--at", IMPORT_AT, db=db, check=True)
    assert "0 created, 3 updated" in again.stdout


@pytest.mark.engines
def test_due_json_items_carry_the_documented_fields(db: Path) -> None:
    items = due_json(db)
    assert {item["name"] for item in items} == {"Ana Souza", "Ben Okafor", "Chloe Martin"}
    for item in items:
        assert DUE_KEYS <= set(item)
        assert item["phone"].startswith("+1") and item["phone"][1:].isdigit()
        assert item["step"] >= 1 and item["action"] in ACTIONS
        # due_at is shown in the rep's zone (New York, UTC-5 in November), with its offset.
        due_at = datetime.fromisoformat(item["due_at"])
        assert due_at.utcoffset().total_seconds() == -5 * 3600
        assert due_at <= datetime.fromisoformat(DUE_AT)
        assert datetime.fromisoformat(item["local_time"]) == datetime.fromisoformat(DUE_AT)
        assert item["voicemail"] is None or "{" not in item["voicemail"]
        assert isinstance(item["talk_track"], str)
    ana = next(item for item in items if item["name"] == "Ana Souza")
    assert ana["timezone"] == "America/Chicago"
    assert ana["local_time"].endswith("-06:00")  # 10:00 in Chicago when it is 11:00 in New York
    assert (ana["temperature"], ana["value"]) == ("warm", 12000)


@pytest.mark.engines
def test_due_respects_limit_and_prints_a_table(db: Path) -> None:
    assert len(due_json(db, DUE_AT, "--limit", "1")) == 1
    table = dialdeck("due", "--at", DUE_AT, db=db, check=True).stdout
    assert table.splitlines()[0].split()[:3] == ["ID", "NAME", "COMPANY"]
    assert "Ana Souza" in table and "3 due as of" in table


@pytest.mark.engines
def test_log_advances_the_prospect_and_history_shows_the_attempt(db: Path) -> None:
    first = due_json(db)[0]
    pid = str(first["prospect_id"])
    logged = dialdeck("log", pid, "voicemail", "--at", DUE_AT, "--note", "left the short one", "--json", db=db, check=True)
    state = json.loads(logged.stdout)
    assert state["status"] == "active"
    assert state["prospect_id"] == first["prospect_id"]
    assert (state["cadence"], state["step"]) == (first["cadence"], first["step"] + 1)
    assert datetime.fromisoformat(state["next_due_at"]) >= datetime.fromisoformat(DUE_AT)
    # The same instant, told in the prospect's own zone.
    assert datetime.fromisoformat(state["next_due_at_local"]) == datetime.fromisoformat(state["next_due_at"])

    still_due = [item for item in due_json(db) if item["prospect_id"] == first["prospect_id"]]
    assert all(item["step"] == first["step"] + 1 for item in still_due)

    history = json.loads(dialdeck("history", pid, "--json", db=db, check=True).stdout)
    assert [(a["outcome"], a["note"]) for a in history["attempts"]] == [("voicemail", "left the short one")]
    assert history["prospect"]["phone_e164"] == first["phone"]
    text = dialdeck("history", pid, db=db, check=True).stdout
    assert "voicemail" in text and first["name"] in text


@pytest.mark.engines
def test_log_at_before_the_last_attempt_is_refused(db: Path) -> None:
    dialdeck("log", "1", "voicemail", "--at", DUE_AT, db=db, check=True)
    line = assert_one_line_error(dialdeck("log", "1", "no-answer", "--at", "2026-11-24T10:00:00-05:00", db=db))
    assert "Tue 2026-11-24 10:00:00 EST is before the last attempt at Tue 2026-11-24 11:00:00 EST" in line
    history = json.loads(dialdeck("history", "1", "--json", db=db, check=True).stdout)
    assert [a["outcome"] for a in history["attempts"]] == ["voicemail"]


@pytest.mark.engines
def test_history_json_numbers_steps_from_one_like_due(db: Path) -> None:
    first = next(item for item in due_json(db) if item["prospect_id"] == 1)
    dialdeck("log", "1", "voicemail", "--at", DUE_AT, db=db, check=True)
    history = json.loads(dialdeck("history", "1", "--json", db=db, check=True).stdout)
    assert history["attempts"][0]["step"] == first["step"] == 1
    enrollment = history["enrollment"]
    assert (enrollment["step"], enrollment["step_index"]) == (2, 1)
    assert enrollment["steps_total"] >= enrollment["step"]


@pytest.mark.engines
def test_log_connected_with_callback_pins_the_promised_time(db: Path) -> None:
    pid = str(due_json(db)[0]["prospect_id"])
    result = dialdeck("log", pid, "connected", "--at", DUE_AT, "--callback", "2026-11-24T15:30", "--json", db=db, check=True)
    state = json.loads(result.stdout)
    assert state["status"] == "active"
    # "15:30" without an offset is the rep's time (New York).
    assert state["next_due_at"] == "2026-11-24T15:30:00-05:00"


@pytest.mark.engines
def test_undo_restores_the_prospect(db: Path) -> None:
    before = due_json(db)
    pid = str(before[0]["prospect_id"])
    dialdeck("log", pid, "no-answer", "--at", DUE_AT, db=db, check=True)
    undone = dialdeck("undo", pid, "--json", db=db, check=True)
    assert json.loads(undone.stdout)["prospect_id"] == before[0]["prospect_id"]
    assert due_json(db) == before
    assert json.loads(dialdeck("history", pid, "--json", db=db, check=True).stdout)["attempts"] == []
    nothing = dialdeck("undo", pid, db=db)
    assert "nothing to undo" in assert_one_line_error(nothing)


@pytest.mark.engines
def test_snooze_takes_a_relative_time(db: Path) -> None:
    pid = str(due_json(db)[0]["prospect_id"])
    result = dialdeck("snooze", pid, "+2h", "--at", DUE_AT, "--json", db=db, check=True)
    assert datetime.fromisoformat(json.loads(result.stdout)["next_due_at"]) >= datetime.fromisoformat(
        "2026-11-24T13:00:00-05:00"
    )
    assert int(pid) not in {item["prospect_id"] for item in due_json(db)}


@pytest.mark.engines
def test_export_json_and_csv(db: Path, tmp_path: Path) -> None:
    rows = json.loads(dialdeck("export", "--format", "json", db=db, check=True).stdout)
    assert len(rows) == 3
    out = tmp_path / "export.csv"
    dialdeck("export", "--output", str(out), db=db, check=True)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 4 and "Souza" in out.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- errors


def test_all_or_nothing_import_names_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "First Name,Last Name,Phone Number,Cadence\n"
        "Ana,Souza,+1 312 555 0101,zero-to-ten\n"
        "Ben,Okafor,not a phone,zero-to-ten\n"
        "Chloe,Martin,+1 415 555 0103,no-such-cadence\n",
        encoding="utf-8",
    )
    db = tmp_path / "rep.db"
    result = dialdeck("import", str(bad), "--at", IMPORT_AT, db=db)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("dialdeck: error: ")
    problems = result.stderr.splitlines()[1:]
    assert any(p.startswith("line 3: phone") for p in problems), result.stderr
    assert any(p.startswith("line 4: cadence") for p in problems), result.stderr
    # Nothing was imported, not even the good row.
    assert due_json(db) == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["log", "1", "connected"], "--callback"),
        (["log", "1", "voicemail", "--disposition", "booked"], "connected"),
        (["log", "1", "connected", "--disposition", "callback"], "--callback"),
        (["log", "1", "hung-up"], "invalid choice"),
        (["log", "one", "voicemail"], "not a whole number"),
        (["due", "--limit", "0"], "at least 1"),
        (["dnc"], "choose an action"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(db: Path, args: list[str], says: str) -> None:
    result = dialdeck(*args, db=db)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_corrupt_database_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database, just some bytes\n" * 200)
    for args in (["due"], ["import", str(tmp_path / "x.csv")], ["config"]):
        line = assert_one_line_error(dialdeck(*args, db=broken))
        assert str(broken) in line


def test_missing_database_for_a_read_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "rep.db"
    line = assert_one_line_error(dialdeck("due", db=missing))
    assert "no database" in line
    assert not missing.exists()


@pytest.mark.engines
def test_bad_times_and_unknown_prospects_are_one_line(db: Path) -> None:
    assert "--at" in assert_one_line_error(dialdeck("due", "--at", "yesterday-ish", db=db))
    assert "999" in assert_one_line_error(dialdeck("log", "999", "voicemail", "--at", DUE_AT, db=db))
    assert "missing.csv" in assert_one_line_error(dialdeck("import", "missing.csv", db=db))


def test_db_from_the_environment(tmp_path: Path, csv_file: Path) -> None:
    path = tmp_path / "env.db"
    dialdeck("import", str(csv_file), "--at", IMPORT_AT, env={"DIALDECK_DB": str(path)}, check=True)
    assert path.exists()
    result = dialdeck("due", "--json", "--at", DUE_AT, env={"DIALDECK_DB": str(path)}, check=True)
    assert len(json.loads(result.stdout)) == 3


# --------------------------------------------------------------------------- cadences, config, dnc


def test_cadences_list_and_show() -> None:
    listed = json.loads(dialdeck("cadences", "--json", check=True).stdout)
    names = {c["name"]: c for c in listed}
    assert {"three-step", "money-in-follow-up", "follow-up-series", "voicemail-challenge", "zero-to-ten"} <= set(names)
    assert all(c["source"] == "builtin" for c in listed)
    shown = dialdeck("cadences", "show", "three-step", check=True).stdout
    assert "step 1 · call" in shown and "Voicemail:" in shown
    detail = json.loads(dialdeck("cadences", "show", "zero-to-ten", "--json", check=True).stdout)
    assert len(detail["steps"]) == names["zero-to-ten"]["steps"]
    assert any(step["variants"] for step in detail["steps"])  # warm and cold leads differ somewhere
    assert "three-step" in assert_one_line_error(dialdeck("cadences", "show", "nope"))


def test_cadences_check_reports_every_problem(tmp_path: Path) -> None:
    broken = tmp_path / "mine.toml"
    broken.write_text(
        'title = "Mine"\n'
        "[[steps]]\n"
        'action = "call"\n'
        'wait = "2 days"\n'
        'voicemail = "Hi, this is {rep_nam}."\n'
        "[[steps]]\n"
        'action = "fax"\n'
        'wait = "soon"\n',
        encoding="utf-8",
    )
    result = dialdeck("cadences", "check", str(broken))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    problems = result.stderr.splitlines()[1:]
    assert any(p.startswith(f"{broken}: step 1: voicemail: ") and "rep_nam" in p for p in problems), result.stderr
    assert any(p.startswith(f"{broken}: step 2: action: ") for p in problems), result.stderr
    assert any(p.startswith(f"{broken}: step 2: wait: ") for p in problems), result.stderr

    good = tmp_path / "good.toml"
    good.write_text('[[steps]]\naction = "call"\nwait = "1 day"\nvoicemail = false\n', encoding="utf-8")
    assert dialdeck("cadences", "check", str(good), check=True).stdout.strip() == "ok: 1 steps"


BROKEN_CADENCE = (
    'name = "mine"\n'
    "[[steps]]\n"
    'action = "call"\n'
    'wait = "0 minutes"\n'
    "voicemail = false\n"
    "[[steps]]\n"
    'action = "call"\n'
    'wait = "1 day"\n'
    'voicemail = "Hi, this is {rep_nam}."\n'
)


def test_a_broken_user_cadence_is_a_warning_not_a_wall(db: Path, tmp_path: Path) -> None:
    user = tmp_path / "my-cadences"
    user.mkdir()
    (user / "mine.toml").write_text(BROKEN_CADENCE, encoding="utf-8")
    env = {"DIALDECK_CADENCES": str(user)}
    warning = f"dialdeck: warning: skipped broken cadence file {user / 'mine.toml'}: step 2: voicemail: "

    due = dialdeck("due", "--json", "--at", DUE_AT, db=db, env=env, check=True)
    assert len(json.loads(due.stdout)) == 3
    (line,) = [line for line in due.stderr.splitlines() if "cadence" in line]
    assert line.startswith(warning) and "rep_nam" in line

    logged = dialdeck("log", "1", "voicemail", "--at", DUE_AT, db=db, env=env, check=True)
    assert "voicemail logged" in logged.stdout
    assert [line.startswith(warning) for line in logged.stderr.splitlines()] == [True]

    listed = dialdeck("cadences", env=env, check=True).stdout
    assert "zero-to-ten" in listed and "skipped: broken cadence files" in listed
    assert f"{user / 'mine.toml'}: step 2: voicemail: " in listed

    checked = dialdeck("cadences", "check", str(user / "mine.toml"), env=env)
    assert checked.returncode == 1 and "step 2: voicemail" in checked.stderr


def test_due_and_import_warn_about_an_unset_rep_profile(tmp_path: Path, csv_file: Path) -> None:
    db = tmp_path / "rep.db"
    imported = dialdeck("import", str(csv_file), "--at", IMPORT_AT, db=db, check=True)
    created, *warnings = imported.stderr.splitlines()
    assert created == f"dialdeck: created a new database at {db}"
    assert [w.split(" ")[2] for w in warnings] == ["rep.name", "rep.phone", "rep.company"]
    assert all(w.startswith("dialdeck: warning: ") for w in warnings)
    assert 'dialdeck config set rep.name "' in warnings[0]
    due = dialdeck("due", "--at", DUE_AT, db=db, check=True)
    assert [w.split(" ")[2] for w in due.stderr.splitlines()] == ["rep.name", "rep.phone", "rep.company"]
    for key, value in (("rep.name", "Rita Rep"), ("rep.phone", "+1 646 555 0190"), ("rep.company", "Acme")):
        dialdeck("config", "set", key, value, db=db, check=True)
    assert dialdeck("due", "--at", DUE_AT, db=db, check=True).stderr == ""


def test_config_set_validates_and_normalizes(tmp_path: Path) -> None:
    db = tmp_path / "rep.db"
    assert dialdeck("config", "set", "rep.phone", "(212) 555-0142", db=db, check=True).stdout.strip() == (
        "rep.phone = +12125550142"
    )
    assert "rep.timezone" in assert_one_line_error(dialdeck("config", "set", "rep.timezone", "Mars/Olympus", db=db))
    assert "hours.start" in assert_one_line_error(dialdeck("config", "set", "hours.start", "25:00", db=db))
    assert "guard.max_per_day" in assert_one_line_error(dialdeck("config", "set", "guard.max_per_day", "lots", db=db))
    assert "rep.nickname" in assert_one_line_error(dialdeck("config", "set", "rep.nickname", "JR", db=db))
    shown = json.loads(dialdeck("config", "--json", db=db, check=True).stdout)
    assert shown["rep.phone"] == "+12125550142"
    assert shown["rep.timezone"] == "America/New_York"  # the rejected value was not stored
    assert "rep.phone" in dialdeck("config", db=db, check=True).stdout


@pytest.mark.engines
def test_dnc_number_is_not_enrolled_on_import(new_db: Path | str, csv_file: Path) -> None:
    db = new_db
    added = dialdeck("dnc", "add", "(212) 555-0102", "--reason", "asked on the phone", db=db, check=True)
    assert "+12125550102" in added.stdout
    report = json.loads(dialdeck("import", str(csv_file), "--at", IMPORT_AT, "--json", db=db, check=True).stdout)
    assert (report["enrolled"], report["skipped_dnc"]) == (2, 1)
    assert "Ben Okafor" not in {item["name"] for item in due_json(db)}
    listed = json.loads(dialdeck("dnc", "list", "--json", db=db, check=True).stdout)
    assert len(listed) == 1 and "+12125550102" in json.dumps(listed)
    dialdeck("dnc", "remove", "+12125550102", db=db, check=True)
    assert json.loads(dialdeck("dnc", "list", "--json", db=db, check=True).stdout) == []


@pytest.mark.engines
def test_do_not_call_outcome_lands_on_the_list(db: Path) -> None:
    item = due_json(db)[0]
    dialdeck("log", str(item["prospect_id"]), "do-not-call", "--at", DUE_AT, db=db, check=True)
    assert item["phone"] in dialdeck("dnc", "list", db=db, check=True).stdout
    assert item["prospect_id"] not in {i["prospect_id"] for i in due_json(db, "2026-12-01T11:00:00-05:00")}


# --------------------------------------------------------------------------- the demo, the entry point


def test_demo_build_only_then_due_at_the_same_instant(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    at = "2026-11-25T14:20:00-05:00"
    dialdeck("demo", "--build-only", str(path), "--at", at, check=True)
    items = due_json(path, at)
    assert len(items) >= 3
    assert items[0]["pinned"], "the callback promised for now comes first"
    config = json.loads(dialdeck("config", "--json", db=path, check=True).stdout)
    assert config["rep.name"] == "Jordan Reyes"
    # Building again into the same file is refused rather than mixing two demos.
    assert "already exists" in assert_one_line_error(dialdeck("demo", "--build-only", str(path), "--at", at))


def test_the_installed_console_script_runs() -> None:
    script = shutil.which("dialdeck", path=str(BIN))
    assert script is not None, f"no dialdeck script in {BIN}"
    result = dialdeck("--version", command=[script])
    assert result.returncode == 0 and result.stdout.startswith("dialdeck ")
    assert "calling session" in dialdeck("--help", command=[script]).stdout


def test_due_does_not_import_textual(db: Path) -> None:
    """The scripting commands start without the TUI's weight (and work without a terminal)."""
    code = (
        "import sys\nfrom dialdeck.cli import main\n"
        f"code = main(['--db', {str(db)!r}, 'due', '--json', '--at', {DUE_AT!r}])\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
        "raise SystemExit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.engines
def test_disposition_settles_a_connected_call(db: Path) -> None:
    """A call left 'connected' (the session closed before the dialog) is settled from the shell."""
    from dialdeck import services, store

    pid = due_json(db)[0]["prospect_id"]
    opened = store.open_store(db, create=False)
    services.log_outcome(opened, pid, "connected", datetime.fromisoformat(DUE_AT))
    opened.close()
    assert pid not in {item["prospect_id"] for item in due_json(db)}  # off the queue until settled
    assert dialdeck("disposition", str(pid), "callback", db=db).returncode == 2  # callback needs --callback
    result = dialdeck("disposition", str(pid), "booked", "--at", DUE_AT, "--json", db=db, check=True)
    assert json.loads(result.stdout)["status"] == "booked"


def test_skip_invalid_imports_the_good_rows_and_writes_the_rejects(tmp_path: Path) -> None:
    bad = tmp_path / "mixed.csv"
    bad.write_text(
        "First Name;Last Name;Phone Number;Cadence\n"
        "Ana;Souza;+1 312 555 0101;zero-to-ten\n"
        "Ben;Okafor;not a phone;zero-to-ten\n",
        encoding="utf-8-sig",
    )
    result = dialdeck("import", str(bad), "--skip-invalid", "--at", IMPORT_AT, db=tmp_path / "rep.db", check=True)
    assert "1 created" in result.stdout and "1 rejected" in result.stdout
    rejected = next(line for line in result.stdout.splitlines() if line.startswith("rejected rows"))
    rejects = Path(rejected.split(": ", 1)[1]).read_text(encoding="utf-8")
    assert "Okafor" in rejects and "Souza" not in rejects
