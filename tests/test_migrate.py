"""``dialdeck migrate --from team.db --to postgresql://...``: a team moves to a server with nothing
lost, every table counted and checksummed on both sides, the ids kept, and the work goes on."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import engines
from dialdeck import demo, services
from dialdeck.errors import StoreError
from dialdeck.models import TableCopy
from dialdeck.store import open_reader, open_store
from dialdeck.store.postgres import transfer
from test_cli import assert_one_line_error, dialdeck

AT = datetime(2026, 11, 24, 15, 30, tzinfo=timezone.utc)  # Tuesday 10:30 in New York
TABLES = ("attempts", "dnc", "enrollments", "hours_keys", "notes", "prospect_phones", "prospects", "rep_settings",
          "reps", "reservations", "sessions", "settings")
KEYS = {"prospect_phones": "prospect_id, position", "dnc": "e164", "settings": "key", "hours_keys": "key",
        "rep_settings": "rep_id, key", "reservations": "prospect_id"}

NUMBERS_CSV = """\
First Name,Last Name,Company Name,Phone Number,Mobile Phone Number,Direct Dial,Country/Region,E-mail,Cadence,Notes
Megan,Holloway,Brightwater,(404) 555-0111 ext. 12,(404) 555-0188,(404) 555-0190,United States,megan@bw.example,zero-to-ten,"two lines
of CRM notes, with a tab\there"
"""


def dump(db) -> dict[str, list[tuple]]:
    return {table: engines.rows(db, f"SELECT * FROM {table} ORDER BY {KEYS.get(table, 'id')}") for table in TABLES}


@pytest.fixture(scope="module")
def team_db(tmp_path_factory) -> Path:
    """The demo's week of work (sessions, history, notes, promises, do-not-call), plus a contact with
    three numbers and an extension, a call made on the mobile, a forced call, a benefit, an urgent
    flag and a rep's note."""
    folder = tmp_path_factory.mktemp("team")
    path = demo.build_demo(folder / "team.db", AT)
    leads = folder / "numbers.csv"
    leads.write_text(NUMBERS_CSV, encoding="utf-8")
    db = open_store(path)
    try:
        services.import_csv(db, leads, now=AT)
        megan = services.prospect_by_phone(db, "+14045550111").id
        for minute in (1, 2, 3):  # a busy line, redialled: the mobile, then the office with its extension
            services.log_outcome(db, megan, "busy", AT + timedelta(minutes=minute),
                                 number="(404) 555-0188" if minute == 1 else None)
        services.log_outcome(db, megan, "busy", AT + timedelta(minutes=4), force=True)  # over the daily cap
        services.set_benefit(db, megan, "two hours a week back", AT)
        services.set_urgent(db, megan, True, AT, reason="their quote expires Friday")
        services.add_note(db, megan, "prefers the mobile after 4", AT + timedelta(minutes=5))
    finally:
        db.close()
    return path


@pytest.fixture
def target(pg) -> str:
    """An empty PostgreSQL database, as createdb leaves it."""
    name = pg.new_database(empty=True)
    yield pg.url_of(name)
    pg.drop(name)


def test_every_table_arrives_whole_with_its_ids(team_db: Path, target: str) -> None:
    copies = services.move_database(team_db, target)
    assert sorted(copy.table for copy in copies) == list(TABLES)
    assert all(copy.same and copy.source_rows == copy.target_rows for copy in copies)
    lite, pg = open_reader(team_db), open_store(target)
    try:
        before, after = dump(lite), dump(pg)
        assert after == before  # every row, every value, every id
        assert {copy.table: copy.target_rows for copy in copies} == {t: len(rows) for t, rows in after.items()}
        assert len(after["attempts"]) > 100 and after["prospect_phones"] and after["dnc"]
        assert any(row for row in dict_rows(pg, "attempts") if row["forced_reason"])
        # What a rep sees is the same on both: the queue, a card, a history, the export.
        assert services.due(pg, AT, limit=200) == services.due(lite, AT, limit=200)
        megan = services.prospect_by_phone(lite, "+14045550111").id
        assert services.history(pg, megan) == services.history(lite, megan)
        assert services.call_card(pg, megan, AT) == services.call_card(lite, megan, AT)
        assert services.export_rows(pg) == services.export_rows(lite)
        assert services.report(pg, AT, days=7) == services.report(lite, AT, days=7)
    finally:
        lite.close()
        pg.close()


def dict_rows(db, table: str) -> list[dict]:
    return engines.dict_rows(db, f"SELECT * FROM {table} ORDER BY id")


def test_the_work_goes_on_with_new_ids_after_the_copied_ones(team_db: Path, target: str, write_csv) -> None:
    services.move_database(team_db, target)
    db = open_store(target)
    try:
        top = {table: engines.value(db, f"SELECT max(id) FROM {table}")
               for table in ("attempts", "notes", "sessions", "prospects")}
        session = services.start_session(db, AT + timedelta(hours=1))
        item = services.due(db, AT + timedelta(hours=1))[0]
        result = services.log_outcome(db, item.prospect_id, "voicemail", AT + timedelta(hours=1), session_id=session)
        note = services.add_note(db, item.prospect_id, "new on the server", AT + timedelta(hours=1))
        added = services.import_csv(db, write_csv([{"First Name": "Nia", "Phone Number": "+1 305 555 0177",
                                                     "Time Zone": "America/New_York"}]), now=AT)
        assert (session, result.attempt_id, note.id) == (top["sessions"] + 1, top["attempts"] + 1, top["notes"] + 1)
        assert added.created == 1 and services.prospect_by_phone(db, "+13055550177").id == top["prospects"] + 1
    finally:
        db.close()


def test_a_target_holding_data_is_refused_unless_replaced(team_db: Path, target: str, tmp_path: Path) -> None:
    services.move_database(team_db, target)
    with pytest.raises(StoreError, match=r"already holds dialdeck data .* pass --replace"):
        services.move_database(team_db, target)
    smaller = demo.build_demo(tmp_path / "smaller.db", AT - timedelta(days=3))
    copies = services.move_database(smaller, target, replace=True)
    lite, pg = open_reader(smaller), open_reader(target)
    try:
        assert dump(pg) == dump(lite)  # what it held before is gone, nothing mixed in
        assert {copy.table: copy.target_rows for copy in copies}["prospects"] == 72
    finally:
        lite.close()
        pg.close()


def test_a_row_the_server_refuses_keeps_nothing(team_db: Path, target: str, tmp_path: Path, pg) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(team_db.read_bytes())
    edited = open_store(broken)
    engines.execute(edited, "UPDATE prospects SET value = 'lots' WHERE id = 3")  # SQLite keeps text in REAL
    edited.close()
    with pytest.raises(StoreError) as caught:
        services.move_database(broken, target)
    message = str(caught.value)
    assert message.startswith("table prospects could not be copied: invalid input syntax for type double precision")
    assert "nothing was kept" in message and "\n" not in message
    with pg.connect(target) as conn:  # not even the schema: it was set up in the same transaction
        assert conn.execute("SELECT to_regclass('prospects')").fetchone()[0] is None


def test_a_copy_that_reads_back_differently_is_not_kept(team_db: Path, target: str, monkeypatch, pg) -> None:
    real = transfer._target_rows

    def one_row_lost(conn, table, columns, key):
        rows = real(conn, table, columns, key)
        if table == "attempts":
            next(rows)
        return rows

    monkeypatch.setattr(transfer, "_target_rows", one_row_lost)
    with pytest.raises(StoreError, match=r"differs from .* in attempts; nothing was kept"):
        services.move_database(team_db, target)
    with pg.connect(target) as conn:
        assert conn.execute("SELECT to_regclass('attempts')").fetchone()[0] is None


@pytest.mark.parametrize(("rows", "other"), [
    ([(1, "a")], [("1", "a")]),         # an int is not its text
    ([(1, "a")], [(1.0, "a")]),         # nor its float
    ([(None, "a")], [("", "a")]),       # NULL is not empty
    ([(1, "a"), (2, "b")], [(2, "b"), (1, "a")]),  # the order counts
    ([(1, "ab")], [(1, "a"), (1, "b")]),  # values do not run together
])
def test_the_checksum_tells_rows_apart(rows, other) -> None:
    assert transfer.row_digest(rows, ["id", "text"])[1] != transfer.row_digest(other, ["id", "text"])[1]


def test_the_checksum_goes_by_column_name_not_position() -> None:
    assert transfer.row_digest([(1, "a")], ["id", "text"]) == transfer.row_digest([("a", 1)], ["text", "id"])


def test_a_table_copy_is_the_same_only_when_both_figures_agree() -> None:
    assert TableCopy("notes", 3, 3, "ab", "ab").same
    assert not TableCopy("notes", 3, 2, "ab", "ab").same and not TableCopy("notes", 3, 3, "ab", "ac").same


# --- the command ---------------------------------------------------------------------------------

def test_migrate_prints_each_table_on_both_sides(team_db: Path, target: str) -> None:
    result = dialdeck("migrate", "--from", str(team_db), "--to", target, check=True)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"copied {team_db} into {target}: 12 tables, ") and lines[0].endswith("committed")
    assert lines[1].split() == ["TABLE", "ROWS", "(FROM)", "ROWS", "(TO)", "CHECKSUM", "(FROM)", "CHECKSUM", "(TO)"]
    for line in lines[2:11]:
        name, rows_from, rows_to, sum_from, sum_to = line.split()
        assert name in TABLES and rows_from == rows_to and sum_from == sum_to and len(sum_from) == 16
    again = dialdeck("migrate", "--from", str(team_db), "--to", target, "--replace", "--json", check=True)
    report = json.loads(again.stdout)
    assert report["to"] == target and {t["table"] for t in report["tables"]} == set(TABLES)
    assert all(t["source_checksum"] == t["target_checksum"] and len(t["source_checksum"]) == 64
               for t in report["tables"])
    # The team now works on the server: the same queue as the file's.
    on_server = dialdeck("due", "--json", "--at", "2026-11-24T10:30", db=target, check=True).stdout
    on_file = dialdeck("due", "--json", "--at", "2026-11-24T10:30", db=team_db, check=True).stdout
    assert json.loads(on_server) == json.loads(on_file) != []


def test_migrate_errors_are_one_line(team_db: Path, target: str, tmp_path: Path) -> None:
    assert "migrate copies from a database file" in assert_one_line_error(
        dialdeck("migrate", "--from", target, "--to", target))
    assert "migrate copies into a PostgreSQL database" in assert_one_line_error(
        dialdeck("migrate", "--from", str(team_db), "--to", str(tmp_path / "other.db")))
    assert "no database at" in assert_one_line_error(
        dialdeck("migrate", "--from", str(tmp_path / "missing.db"), "--to", target))
    line = assert_one_line_error(dialdeck("migrate", "--from", str(team_db),
                                          "--to", "postgresql://dial:s3cret@127.0.0.1:1/team"))
    assert "connection refused" in line and "s3cret" not in line
