"""A team at work: prospects owned by a rep or left in the shared pool (import, assign), each
rep's queue (their own and the pool), the rep on every attempt (history, export, undo), the
report per rep with the team's total, and the commands that do it, on both engines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dialdeck import services
from dialdeck.errors import ImportFileError, InvalidInput, NotFound
from dialdeck.models import Rep

import engines
from conftest import HEADER, SMALL_ROWS, CsvWriter

pytestmark = pytest.mark.engines

# SMALL_ROWS at NOW: due now in calling order Finn (6), Ana (1), Dev (4), Ben (2); Chloe (3,
# Los Angeles) and Emi (5, Tokyo) wait for their calling hours.
DUE_NOW = ["Finn Berg", "Ana Souza", "Dev Patel", "Ben Okafor"]


def names(items) -> list[str]:
    return [item.name for item in items]


@pytest.fixture
def team(imported_db, now: datetime) -> tuple[Rep, Rep]:
    """``imported_db`` with a second rep, Sam; returns (me, Sam)."""
    return services.select_rep(imported_db, None), services.add_rep(imported_db, "Sam", now)


def dialdeck(*args: str, db: Path | str, env: dict | None = None) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "dialdeck", "--db", str(db), *args]
    environ = {key: value for key, value in os.environ.items() if key != "DIALDECK_REP"}
    return subprocess.run(argv, capture_output=True, text=True, timeout=120,
                          env={**environ, "DIALDECK_CADENCES": "/nonexistent-user-cadences", **(env or {})})


# --------------------------------------------------------------------------- owners and queues


def test_a_reps_queue_is_their_own_prospects_and_the_pool(imported_db, team, now: datetime) -> None:
    me, sam = team
    assert services.assign(imported_db, [1, 4], sam, now) == 2  # Ana and Dev are Sam's
    assert services.assign(imported_db, [2], me, now) == 1  # Ben is mine; Finn stays in the pool
    assert names(services.due(imported_db, now, rep=me)) == ["Finn Berg", "Ben Okafor"]
    assert names(services.due(imported_db, now, rep=sam)) == ["Finn Berg", "Ana Souza", "Dev Patel"]
    assert services.queue_summary(imported_db, now, rep=me).due_now == 2
    assert services.queue_summary(imported_db, now, rep=sam).due_now == 3


def test_back_to_the_pool_is_everyones_again(imported_db, team, now: datetime) -> None:
    me, sam = team
    services.assign(imported_db, [1, 2, 4, 6], sam, now)
    assert services.due(imported_db, now, rep=me) == []
    assert services.assign(imported_db, [1], None, now) == 1
    assert names(services.due(imported_db, now, rep=me)) == ["Ana Souza"]


def test_the_next_call_and_later_counts_follow_the_reps_queue(imported_db, team, now: datetime) -> None:
    me, sam = team
    services.assign(imported_db, [3], sam, now)  # Chloe, the next to come due (LA opens at 16:00 UTC)
    assert services.queue_summary(imported_db, now, rep=sam).next_item.name == "Chloe Martin"
    mine = services.queue_summary(imported_db, now, rep=me)
    assert mine.next_item is None or mine.next_item.name != "Chloe Martin"
    assert services.queue_summary(imported_db, now, rep=sam).later_today == 2
    assert services.queue_summary(imported_db, now, rep=me).later_today == 1  # Emi only


def test_a_cadence_continuing_keeps_the_owner(imported_db, team, now: datetime) -> None:
    _me, sam = team
    services.assign(imported_db, [1], sam, now)
    assert engines.rows(imported_db, "SELECT DISTINCT owner_rep_id FROM enrollments WHERE prospect_id = 1") == [
        (sam.id,)]


def test_assign_an_unknown_prospect_changes_nothing(imported_db, team, now: datetime) -> None:
    _me, sam = team
    with pytest.raises(NotFound, match="no prospect with id 99; nobody was assigned"):
        services.assign(imported_db, [1, 99], sam, now)
    assert engines.value(imported_db, "SELECT owner_rep_id FROM prospects WHERE id = 1") is None


def test_the_due_page_of_a_rep_reads_the_indexes(imported_db, team, now: datetime) -> None:
    _me, sam = team
    plan = services.explain_due(imported_db, now, rep=sam)
    text = "\n".join(plan)
    if engines.is_postgres(imported_db):
        # (Which index the few-due sort reads on six rows is the planner's choice, as on main.)
        walk = [line for line in plan if line.startswith("many due: walk")]
        assert any("Index Only Scan using ix_due_order" in line for line in walk)
        assert any("owner_rep_id" in line for line in walk)  # the rep's filter, read from the index
        assert not any("Sort" in line for line in walk)
        assert "Index Only Scan using ix_due_pinned" in text
        assert not any("Seq Scan" in line for line in plan)
        return
    assert "USING INDEX ix_due_pinned" in text and "USING INDEX ix_due_zone" in text
    walk = [line for line in plan if line.startswith("many due: walk")]
    assert walk and not any("TEMP B-TREE" in line for line in walk)
    assert not any(line.endswith("SCAN enrollments") for line in plan)


# --------------------------------------------------------------------------- importing owners


def owner_rows() -> list[dict[str, str]]:
    owners = ["sam", "", "ME", "", "Sam", ""]
    return [{**row, "Owner": owner} for row, owner in zip(SMALL_ROWS, owners, strict=True)]


def owners(db) -> dict[int, int | None]:
    return dict(engines.rows(db, "SELECT id, owner_rep_id FROM prospects ORDER BY id"))


def test_the_owner_column_names_a_rep_in_any_case(db, now: datetime, write_csv: CsvWriter) -> None:
    sam = services.add_rep(db, "Sam", now)
    services.import_csv(db, write_csv(owner_rows(), header=(*HEADER, "Owner")), now=now, rep=sam)
    assert owners(db) == {1: sam.id, 2: None, 3: 1, 4: None, 5: sam.id, 6: None}
    assert names(services.due(db, now, rep=sam)) == ["Finn Berg", "Ana Souza", "Dev Patel", "Ben Okafor"]
    assert names(services.due(db, now, rep=Rep(1, "me"))) == ["Finn Berg", "Dev Patel", "Ben Okafor"]


def test_owner_option_takes_the_blank_cells(db, now: datetime, write_csv: CsvWriter) -> None:
    sam = services.add_rep(db, "Sam", now)
    services.import_csv(db, write_csv(owner_rows(), header=(*HEADER, "Owner")), now=now, rep=sam,
                        owner=Rep(1, "me"))
    assert owners(db) == {1: sam.id, 2: 1, 3: 1, 4: 1, 5: sam.id, 6: 1}


def test_a_reimport_without_an_owner_keeps_it(db, now: datetime, write_csv: CsvWriter) -> None:
    sam = services.add_rep(db, "Sam", now)
    services.import_csv(db, write_csv(owner_rows(), header=(*HEADER, "Owner")), now=now, rep=sam)
    services.import_csv(db, write_csv(SMALL_ROWS, name="again.csv"), now=now + timedelta(hours=1), rep=sam)
    assert owners(db) == {1: sam.id, 2: None, 3: 1, 4: None, 5: sam.id, 6: None}


def test_an_unknown_owner_refuses_the_row_naming_line_and_field(db, now: datetime, write_csv: CsvWriter) -> None:
    rows = [{**row, "Owner": "Kim" if index == 1 else ""} for index, row in enumerate(SMALL_ROWS)]
    with pytest.raises(ImportFileError) as refused:
        services.import_csv(db, write_csv(rows, header=(*HEADER, "Owner")), now=now)
    assert refused.value.problems == ["line 3: owner: no rep named 'Kim' (reps: me; add one with: "
                                      "dialdeck reps add NAME)"]
    assert engines.count(db, "prospects") == 0


# --------------------------------------------------------------------------- the rep on each attempt


def test_every_attempt_records_the_rep_who_made_it(imported_db, team, now: datetime) -> None:
    me, sam = team
    services.log_outcome(imported_db, 1, "voicemail", now, rep=sam)
    services.log_outcome(imported_db, 2, "no-answer", now, rep=me)
    services.log_outcome(imported_db, 6, "connected", now, disposition="booked", rep=sam)
    assert engines.rows(imported_db, "SELECT prospect_id, rep_id FROM attempts ORDER BY id") == [
        (1, sam.id), (2, me.id), (6, sam.id)]
    _person, _enrollment, attempts = services.history(imported_db, 1)
    assert [a.rep for a in attempts] == ["Sam"]
    exported = {row["id"]: row for row in services.export_rows(imported_db)}
    assert [a["rep"] for a in exported[2]["attempts"]] == ["me"]


def test_a_rep_without_a_name_among_several_logs_nothing(imported_db, team, now: datetime) -> None:
    with pytest.raises(InvalidInput, match="--rep NAME"):
        services.log_outcome(imported_db, 1, "voicemail", now)
    assert engines.count(imported_db, "attempts") == 0


def test_the_script_says_the_reps_own_name(imported_db, team, now: datetime) -> None:
    _me, sam = team
    services.set_setting(imported_db, "rep.name", "Sam Ortiz", rep=sam)
    card = services.call_card(imported_db, 1, now, rep=sam)
    assert "Sam Ortiz" in (card.script.voicemail or "") + (card.script.talk_track or "")


def test_undo_takes_back_the_reps_own_newest(imported_db, team, now: datetime) -> None:
    me, sam = team
    services.log_outcome(imported_db, 1, "voicemail", now, rep=me)
    services.log_outcome(imported_db, 2, "voicemail", now + timedelta(minutes=1), rep=sam)
    undone = services.undo_last(imported_db, rep=me)
    assert undone.prospect_id == 1
    assert engines.rows(imported_db, "SELECT prospect_id, rep_id FROM attempts") == [(2, sam.id)]
    assert services.undo_last(imported_db, rep=me) is None


def test_export_carries_the_owner(imported_db, team, now: datetime) -> None:
    _me, sam = team
    services.assign(imported_db, [3], sam, now)
    exported = {row["id"]: row["owner"] for row in services.export_rows(imported_db)}
    assert exported == {1: "", 2: "", 3: "Sam", 4: "", 5: "", 6: ""}


# --------------------------------------------------------------------------- the report


def test_report_gives_each_reps_figures_and_the_team_total(imported_db, team, now: datetime) -> None:
    me, sam = team
    services.log_outcome(imported_db, 1, "voicemail", now, rep=sam)
    services.log_outcome(imported_db, 6, "connected", now, disposition="booked", rep=sam)
    services.log_outcome(imported_db, 2, "no-answer", now, rep=me)
    services.log_outcome(imported_db, 4, "connected", now, disposition="not-interested", rep=me)
    activity = services.report(imported_db, now + timedelta(minutes=5), rep=me)
    shares = {share.rep: share for share in activity.by_rep}
    assert list(shares) == ["me", "Sam"]
    assert (shares["me"].dials, shares["me"].voicemails, shares["me"].connects, shares["me"].meetings_booked) == (
        2, 0, 1, 0)
    assert (shares["Sam"].dials, shares["Sam"].voicemails, shares["Sam"].connects,
            shares["Sam"].meetings_booked) == (2, 1, 1, 1)
    assert (activity.dials, activity.voicemails, activity.connects, activity.meetings_booked) == (4, 1, 2, 1)
    assert sum(s.dials for s in activity.by_rep) == activity.dials


def test_a_rep_who_did_nothing_shows_zeros(imported_db, team, now: datetime) -> None:
    me, _sam = team
    services.log_outcome(imported_db, 1, "voicemail", now, rep=me)
    shares = {share.rep: share.dials for share in services.report(imported_db, now, rep=me).by_rep}
    assert shares == {"me": 1, "Sam": 0}


# --------------------------------------------------------------------------- the commands


@pytest.fixture
def team_db(db_path, small_csv: Path, engine: str) -> Path | str:
    """A database on this engine with SMALL_ROWS and two reps, me and Sam, made by the commands."""
    assert dialdeck("import", str(small_csv), "--at", "2026-11-23T10:00", db=db_path).returncode == 0
    assert dialdeck("reps", "add", "Sam", db=db_path).returncode == 0
    return db_path


def test_reps_lists_the_team(team_db) -> None:
    dialdeck("--rep", "Sam", "config", "set", "rep.phone", "+1 212 555 0199", db=team_db)
    dialdeck("--rep", "Sam", "config", "set", "rep.timezone", "America/Chicago", db=team_db)
    dialdeck("assign", "1", "4", "--to", "sam", db=team_db)
    dialdeck("--rep", "sam", "log", "1", "voicemail", "--at", "2026-11-23T10:05", db=team_db)
    shown = dialdeck("reps", "--at", "2026-11-23T12:00", db=team_db)  # New York: Sam logged at 11:05
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        "REP  CALLBACK NUMBER  ZONE              OWNS  DIALS TODAY  ATTEMPTS TODAY",
        "me   (not set)        America/New_York  0     0            0",
        "Sam  +1 212-555-0199  America/Chicago   2     1            1",
        "shared pool: 4 prospects (every rep's queue)",
    ]
    data = json.loads(dialdeck("reps", "--json", "--at", "2026-11-23T12:00", db=team_db).stdout)
    assert data["pool"] == 4
    assert [(r["name"], r["owned"], r["dials_today"], r["phone"]) for r in data["reps"]] == [
        ("me", 0, 0, None), ("Sam", 2, 1, "+12125550199")]


def test_reps_add_refuses_a_taken_name(team_db) -> None:
    refused = dialdeck("reps", "add", "SAM", db=team_db)
    assert (refused.returncode, refused.stderr) == (
        1, "dialdeck: error: there is already a rep named 'Sam' (names are the same whatever their case)\n")


def test_reps_rename(team_db) -> None:
    assert dialdeck("reps", "rename", "me", "Jordan", db=team_db).stdout == "rep me is now Jordan\n"
    assert "Jordan" in dialdeck("reps", db=team_db).stdout
    assert dialdeck("--rep", "jordan", "config", db=team_db).returncode == 0


def test_assign_and_due_per_rep(team_db) -> None:
    assert dialdeck("assign", "1", "4", "--to", "sam", db=team_db).stdout == "2 prospects assigned to Sam\n"
    assert dialdeck("assign", "1", "--to", "Sam", db=team_db).stdout == (
        "0 prospects assigned to Sam (1 already there)\n")
    mine = json.loads(dialdeck("--rep", "me", "due", "--json", "--at", "2026-11-23T10:00", db=team_db).stdout)
    sams = json.loads(dialdeck("due", "--json", "--at", "2026-11-23T10:00", db=team_db,
                               env={"DIALDECK_REP": "sam"}).stdout)
    assert [item["prospect_id"] for item in mine] == [6, 2]
    assert [item["prospect_id"] for item in sams] == [6, 1, 4, 2]
    assert dialdeck("assign", "4", "--pool", db=team_db).stdout == "1 prospect assigned to the shared pool\n"


def test_assign_needs_a_rep_or_the_pool(team_db) -> None:
    assert dialdeck("assign", "1", db=team_db).returncode == 2
    assert dialdeck("assign", "1", "--to", "Sam", "--pool", db=team_db).returncode == 2
    unknown = dialdeck("assign", "1", "--to", "Kim", db=team_db)
    assert unknown.stderr == "dialdeck: error: no rep named 'Kim' (reps: me, Sam)\n"


def test_due_without_a_rep_among_several_is_refused(team_db) -> None:
    refused = dialdeck("due", db=team_db)
    assert refused.returncode == 1
    assert "--rep NAME or DIALDECK_REP" in refused.stderr


def test_import_with_an_owner(team_db, write_csv: CsvWriter) -> None:
    rows = [{**SMALL_ROWS[0], "Phone Number": "+1 212 555 0177", "E-mail": "new@x.example"}]
    path = write_csv(rows, name="more.csv")
    result = dialdeck("import", str(path), "--owner", "sam", "--at", "2026-11-23T10:00", db=team_db)
    assert result.returncode == 0, result.stderr
    history = json.loads(dialdeck("history", "7", "--json", db=team_db).stdout)
    assert history["prospect"]["owner"] == "Sam"
    unknown = dialdeck("import", str(path), "--owner", "Kim", db=team_db)
    assert unknown.stderr == "dialdeck: error: no rep named 'Kim' (reps: me, Sam)\n"


def test_history_report_and_export_show_the_rep(team_db) -> None:
    dialdeck("--rep", "sam", "log", "1", "voicemail", "--at", "2026-11-23T10:05", db=team_db)
    dialdeck("--rep", "me", "log", "2", "no-answer", "--at", "2026-11-23T10:06", db=team_db)
    history = dialdeck("history", "1", db=team_db).stdout
    assert "REP" in history.splitlines()[2] and " Sam " in history.splitlines()[3]
    assert "shared pool" in history.splitlines()[0]
    report = dialdeck("report", "--at", "2026-11-23T11:00", db=team_db).stdout
    table = report[report.index("REP"):].splitlines()
    assert table[0].split() == ["REP", "DIALS", "VOICEMAILS", "CONNECTS", "MEETINGS"]
    assert [line.split() for line in table[1:4]] == [["me", "1", "0", "0", "0"], ["Sam", "1", "1", "0", "0"],
                                                    ["TEAM", "2", "1", "0", "0"]]
    data = json.loads(dialdeck("report", "--json", "--at", "2026-11-23T11:00", db=team_db).stdout)
    assert [(r["rep"], r["dials"], r["talk_seconds"]) for r in data["by_rep"]] == [("me", 1, None), ("Sam", 1, None)]
    exported = dialdeck("export", "--format", "csv", db=team_db).stdout.splitlines()
    assert "owner" in exported[0].split(",")


def test_one_rep_sees_no_team_columns(db_path, small_csv: Path) -> None:
    dialdeck("import", str(small_csv), "--at", "2026-11-23T10:00", db=db_path)
    dialdeck("log", "1", "voicemail", "--at", "2026-11-23T10:05", db=db_path)
    assert "REP" not in dialdeck("history", "1", db=db_path).stdout
    assert "REP" not in dialdeck("report", "--at", "2026-11-23T11:00", db=db_path).stdout
    assert dialdeck("config", "set", "rep.company", "Acme", db=db_path).stdout == "rep.company = Acme\n"
