"""Every note is kept: the CRM's note from the import and each note the rep types, newest first.

From issue 7: "A new note replaces the CRM note on the card and `history` shows no notes: keep
them all, newest first."
"""

from __future__ import annotations

import pytest

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

from sqlite_utils import Database

from conftest import SMALL_ROWS
from dialdeck import services
from dialdeck.store import open_store
from dialdeck.store.sqlite.schema import migrations, split_legacy_notes
from test_cli import IMPORT_AT, dialdeck

pytestmark = pytest.mark.engines


def test_a_typed_note_keeps_the_crm_note_and_both_come_newest_first(db, write_csv, now) -> None:
    path = write_csv([{**SMALL_ROWS[0], "Notes": "Value not known yet"}])
    services.import_csv(db, path, now=now - timedelta(days=2))
    services.add_note(db, 1, "asks for a quote", now - timedelta(hours=1))
    services.add_note(db, 1, "call after 3pm", now)
    assert [(n.source, n.text) for n in services.notes(db, 1)] == [
        ("rep", "call after 3pm"), ("rep", "asks for a quote"), ("crm", "Value not known yet")]
    card = services.call_card(db, 1, now)
    assert [n.text for n in card.notes] == ["call after 3pm", "asks for a quote", "Value not known yet"]
    assert card.notes_total == 3


def test_the_card_carries_the_newest_three_and_counts_them_all(imported_db, now) -> None:
    for minute in range(5):
        services.add_note(imported_db, 1, f"note {minute}", now + timedelta(minutes=minute))
    card = services.call_card(imported_db, 1, now + timedelta(minutes=5))
    assert [n.text for n in card.notes] == ["note 4", "note 3", "note 2"]
    assert card.notes_total == 5


def test_a_note_after_a_call_is_linked_to_that_call_and_the_session(imported_db, now) -> None:
    session = services.start_session(imported_db, now)
    logged = services.log_outcome(imported_db, 1, "voicemail", now, session_id=session)
    note = services.add_note(imported_db, 1, "  asks for  a quote ", now, session_id=session)
    assert (note.text, note.attempt_id, note.session_id) == ("asks for a quote", logged.attempt_id, session)
    # The attempt keeps only what was logged with it: the note is not copied there.
    assert imported_db.newest_attempt()["note"] == ""
    other = services.add_note(imported_db, 2, "other prospect", now)
    assert other.attempt_id is None  # prospect 2 was not the call just made


def test_a_reimport_adds_a_changed_crm_note_and_never_repeats_one(db, write_csv, now) -> None:
    first = write_csv([{**SMALL_ROWS[0], "Notes": "met at expo"}], name="a.csv")
    services.import_csv(db, first, now=now - timedelta(days=3))
    services.add_note(db, 1, "mine", now - timedelta(days=2))
    services.import_csv(db, first, now=now - timedelta(days=1))  # the same note: not added again
    second = write_csv([{**SMALL_ROWS[0], "Notes": "budget approved"}], name="b.csv")
    services.import_csv(db, second, now=now)
    assert [(n.source, n.text) for n in services.notes(db, 1)] == [
        ("crm", "budget approved"), ("rep", "mine"), ("crm", "met at expo")]


def test_the_same_person_twice_in_one_file_keeps_both_notes(db, write_csv, now) -> None:
    path = write_csv([{**SMALL_ROWS[0], "Notes": "first"}, {**SMALL_ROWS[0], "Notes": "second"}])
    services.import_csv(db, path, now=now)
    assert sorted(n.text for n in services.notes(db, 1)) == ["first", "second"]


def test_export_includes_every_note(db, write_csv, now) -> None:
    services.import_csv(db, write_csv([{**SMALL_ROWS[0], "Notes": "from the CRM"}]), now=now)
    services.add_note(db, 1, "typed", now + timedelta(minutes=1))
    (row,) = services.export_rows(db)
    assert row["notes"] == "from the CRM"  # as the importer reads it: an export imports back
    assert [(n["source"], n["text"]) for n in row["note_history"]] == [("rep", "typed"), ("crm", "from the CRM")]
    assert row["note_history"][0]["at"] == "2026-11-23T15:01:00+00:00"


# --- the migration: old databases kept the rep's notes as stamped lines in prospects.notes ----

def test_old_notes_move_into_the_table_with_their_times(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m005_notes")
    old.execute("INSERT INTO settings VALUES ('rep.timezone', 'America/Chicago')")
    _old_prospect(old, 1, "+12125550101", "Value not known yet\n[2026-11-20 09:15 CST] asks for a quote\n"
                  "[2026-11-21 16:40 CST] call after 3pm")
    _old_prospect(old, 2, "+12125550102", "met at expo")
    _old_prospect(old, 3, "+12125550103", "")
    _old_prospect(old, 4, "+12125550104", "[2026-11-22 08:00 CST] only mine")
    old.conn.commit()
    old.close()

    db = open_store(path)
    try:
        assert [(n.source, n.text, n.at.isoformat()) for n in services.notes(db, 1)] == [
            ("rep", "call after 3pm", "2026-11-21T22:40:00+00:00"),
            ("rep", "asks for a quote", "2026-11-20T15:15:00+00:00"),
            ("crm", "Value not known yet", "2026-11-01T12:00:00+00:00"),
        ]
        assert [(n.source, n.text) for n in services.notes(db, 2)] == [("crm", "met at expo")]
        assert services.notes(db, 3) == []
        assert [(n.source, n.text) for n in services.notes(db, 4)] == [("rep", "only mine")]
        # The prospect keeps the CRM's text alone: what a re-import compares its notes with.
        assert services.prospect(db, 1).notes == "Value not known yet"
        assert services.prospect(db, 4).notes == ""
    finally:
        db.close()


def _old_prospect(db: Database, pid: int, phone: str, notes: str) -> None:
    db.execute(
        "INSERT INTO prospects (id, first_name, phone_e164, timezone, tz_source, notes, created_at, updated_at) "
        "VALUES (?, 'P', ?, 'America/Chicago', 'file', ?, '2026-11-01T12:00:00+00:00', '2026-11-01T12:00:00+00:00')",
        [pid, phone, notes])


def test_a_stamp_that_cannot_be_read_still_keeps_the_line() -> None:
    crm, typed = split_legacy_notes("crm one\n[2026-02-30 10:00 EST] not a day\ncrm two", "America/New_York",
                                    "2026-03-01T00:00:00+00:00")
    assert crm == "crm one\ncrm two"
    assert typed == [("2026-03-01T00:00:00+00:00", "not a day")]


# --- the CLI ----------------------------------------------------------------------------------

def test_history_lists_every_note_with_its_time(tmp_path: Path) -> None:
    csv_file = tmp_path / "p.csv"
    csv_file.write_text("First Name,Phone Number,Time Zone,Notes\nBen,(212) 555-0102,America/New_York,met at expo\n",
                        encoding="utf-8")
    db = tmp_path / "rep.db"
    dialdeck("config", "set", "rep.timezone", "America/New_York", db=db, check=True)
    dialdeck("import", str(csv_file), "--at", IMPORT_AT, db=db, check=True)
    dialdeck("note", "1", "asks for a quote", "--at", "2026-11-23T10:15", db=db, check=True)
    dialdeck("note", "1", "call after 3pm", "--at", "2026-11-23T11:30", db=db, check=True)

    text = dialdeck("history", "1", db=db, check=True).stdout
    notes = text[text.index("notes (3), newest first"):].splitlines()
    assert "Mon 2026-11-23 11:30 EST" in notes[2] and "you" in notes[2] and "call after 3pm" in notes[2]
    assert "Mon 2026-11-23 10:15 EST" in notes[3] and "asks for a quote" in notes[3]
    assert "Mon 2026-11-23 08:00 EST" in notes[4] and "CRM import" in notes[4] and "met at expo" in notes[4]

    data = json.loads(dialdeck("history", "1", "--json", db=db, check=True).stdout)
    assert [(n["source"], n["text"], n["at"]) for n in data["notes"]] == [
        ("rep", "call after 3pm", "2026-11-23T16:30:00+00:00"),
        ("rep", "asks for a quote", "2026-11-23T15:15:00+00:00"),
        ("crm", "met at expo", "2026-11-23T13:00:00+00:00"),
    ]

    exported = json.loads(dialdeck("export", "--format", "json", db=db, check=True).stdout)
    assert [n["text"] for n in exported[0]["note_history"]] == ["call after 3pm", "asks for a quote", "met at expo"]
