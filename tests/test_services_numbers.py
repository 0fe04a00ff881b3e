"""Several numbers, extensions and countries through the services, on a real database (SQLite and
PostgreSQL): what is stored, what the card and the export show, and which number each attempt used."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlite_utils import Database

from dialdeck import services
from dialdeck.errors import InvalidInput
from dialdeck.store import open_store
from dialdeck.store.sqlite.schema import migrations
import engines

pytestmark = pytest.mark.engines

HEADER = ("First Name", "Last Name", "Company Name", "Phone Number", "Mobile Phone Number", "Direct Dial",
          "Country/Region", "E-mail", "Cadence")
MEGAN = {"First Name": "Megan", "Last Name": "Holloway", "Company Name": "Brightwater",
         "Phone Number": "(404) 555-0111 ext. 12", "Mobile Phone Number": "(404) 555-0188",
         "Direct Dial": "(404) 555-0190", "Country/Region": "United States", "E-mail": "megan@bw.example",
         "Cadence": "zero-to-ten"}
JONAS = {"First Name": "Jonas", "Last Name": "Weber", "Company Name": "Weber Bau", "Phone Number": "030 901820",
         "Country/Region": "Germany", "Cadence": "zero-to-ten"}


@pytest.fixture
def megan(db, write_csv, now) -> int:
    services.import_csv(db, write_csv([MEGAN, JONAS], header=HEADER), now=now)
    return 1


def numbers(db, prospect_id: int) -> list[tuple]:
    return [(n.label, n.e164, n.extension, n.primary, n.dnc) for n in services.numbers(db, prospect_id)]


def test_every_number_is_stored_with_its_label_and_extension(db, megan) -> None:
    person = services.prospect(db, megan)
    assert (person.phone_e164, person.phone_ext, person.phone_label) == ("+14045550111", "12", "phone")
    assert numbers(db, megan) == [
        ("phone", "+14045550111", "12", True, False),
        ("direct", "+14045550190", "", False, False),
        ("mobile", "+14045550188", "", False, False),
    ]
    jonas = services.prospect(db, 2)
    assert (jonas.phone_e164, jonas.region, jonas.timezone) == ("+4930901820", "DE", "Europe/Berlin")
    assert services.numbers(db, 2)[0].label == "phone"


def test_the_card_carries_every_number(db, megan, now) -> None:
    card = services.call_card(db, megan, now)
    assert [(n.label, n.e164, n.extension) for n in card.numbers] == [
        ("phone", "+14045550111", "12"), ("direct", "+14045550190", ""), ("mobile", "+14045550188", "")]


def test_an_attempt_records_the_number_it_used(db, megan, now) -> None:
    services.log_outcome(db, megan, "busy", now)  # the same step again after the cooldown
    services.log_outcome(db, megan, "voicemail", now + timedelta(hours=4), number="+1 404 555 0188")
    _, _, attempts = services.history(db, megan)
    assert [a.number for a in attempts] == ["+14045550111;ext=12", "+14045550188"]
    exported = next(row for row in services.export_rows(db) if row["id"] == megan)
    assert [a["number"] for a in exported["attempts"]] == ["+14045550111;ext=12", "+14045550188"]
    assert exported["phone_ext"] == "12"
    assert [p["label"] for p in exported["other_phones"]] == ["direct", "mobile"]


def test_the_number_may_be_typed_with_or_without_its_extension(db, megan, now) -> None:
    services.log_outcome(db, megan, "busy", now, number="404-555-0111")
    assert db.newest_attempt()["number"] == "+14045550111;ext=12"


def test_the_number_as_the_session_sends_it_is_taken_without_parsing(db, megan, now, monkeypatch) -> None:
    # Parsing a North American number loads the geocoder (~0.3 s): the session's first key paid it.
    def no_parsing(*args, **kwargs):
        raise AssertionError("the number was parsed")

    monkeypatch.setattr("dialdeck.phones.parse_phone", no_parsing)
    services.log_outcome(db, megan, "busy", now, number="+14045550111;ext=12")
    services.log_outcome(db, megan, "voicemail", now + timedelta(hours=4), number="+14045550188")
    assert [a.number for a in services.history(db, megan)[2]] == ["+14045550111;ext=12", "+14045550188"]


def test_a_number_that_is_not_the_prospects_is_refused(db, megan, now) -> None:
    with pytest.raises(InvalidInput, match=r"\+1 404-555-0199 is not one of Megan Holloway's numbers"):
        services.log_outcome(db, megan, "voicemail", now, number="(404) 555-0199")
    assert db.newest_attempt() is None


def test_an_email_step_records_no_number(db, megan, now) -> None:
    services.log_outcome(db, megan, "voicemail", now)
    services.log_outcome(db, megan, "sent", now + timedelta(minutes=5))  # zero-to-ten step 2: the email
    _, _, attempts = services.history(db, megan)
    assert [(a.action, a.number) for a in attempts] == [("call", "+14045550111;ext=12"), ("email", None)]


def test_a_number_on_the_dnc_list_is_marked_and_never_dialled(db, megan, now) -> None:
    services.dnc_add(db, "+1 404 555 0188", now)
    assert numbers(db, megan)[2] == ("mobile", "+14045550188", "", False, True)
    assert db.live_enrollment(megan)["status"] == "active"  # their own number is fine
    with pytest.raises(InvalidInput, match="on the do-not-call list: it is never dialled"):
        services.log_outcome(db, megan, "voicemail", now, number="+1 404 555 0188")
    services.log_outcome(db, megan, "voicemail", now, number="+1 404 555 0190")  # the direct line is fine


def test_do_not_call_on_a_mobile_lists_it_and_their_own_number_and_undo_takes_both_off(db, megan, now) -> None:
    services.log_outcome(db, megan, "do-not-call", now, number="+1 404 555 0188")
    listed = {entry["e164"] for entry in services.dnc_list(db)}
    assert listed == {"+14045550188", "+14045550111"}
    assert db.live_enrollment(megan) is None
    services.undo_last(db, prospect_id=megan)
    assert services.dnc_list(db) == []
    assert db.live_enrollment(megan)["status"] == "active"


def test_reimport_adds_numbers_and_never_drops_one(db, write_csv, megan, now) -> None:
    later = now + timedelta(days=1)
    moved = {**MEGAN, "Phone Number": "(404) 555-0150", "Mobile Phone Number": "", "Direct Dial": "",
             "Cadence": ""}
    home = {"First Name": "Megan", "E-mail": "megan@bw.example", "Phone Number": "(404) 555-0150",
            "Home Phone": "(404) 555-0177"}
    services.import_csv(db, write_csv([moved], header=HEADER, name="moved.csv"), now=later)
    services.import_csv(db, write_csv([home], header=(*HEADER, "Home Phone"), name="home.csv"), now=later)
    person = services.prospect(db, megan)
    assert (person.phone_e164, person.phone_ext) == ("+14045550150", "")
    assert [(label, e164, ext) for label, e164, ext, *_ in numbers(db, megan)] == [
        ("phone", "+14045550150", ""),
        ("direct", "+14045550190", ""), ("mobile", "+14045550188", ""),
        ("phone", "+14045550111", "12"),  # the number it replaced, kept
        ("home", "+14045550177", ""),
    ]


def test_reimporting_the_same_file_changes_no_number(db, write_csv, megan, now) -> None:
    before = engines.rows(db, "SELECT * FROM prospect_phones ORDER BY prospect_id, position")
    report = services.import_csv(db, write_csv([MEGAN, JONAS], header=HEADER, name="again.csv"),
                                 now=now + timedelta(hours=1))
    assert report.updated == 2
    assert engines.rows(db, "SELECT * FROM prospect_phones ORDER BY prospect_id, position") == before


def test_a_repeated_row_in_one_file_merges_its_numbers(db, write_csv, now) -> None:
    first = {**MEGAN, "Mobile Phone Number": "", "Direct Dial": ""}
    second = {**MEGAN, "Direct Dial": ""}
    services.import_csv(db, write_csv([first, second], header=HEADER), now=now)
    assert [n[0] for n in numbers(db, 1)] == ["phone", "mobile"]


def test_a_big_file_in_worker_processes_stores_the_same_numbers(db, db_path, write_csv, now, tmp_path) -> None:
    rows = [{**MEGAN, "First Name": f"P{i}", "E-mail": "",
             "Phone Number": f"(404) 555-01{i % 100:02d} ext. {i}", "Mobile Phone Number": f"(312) 555-01{i % 100:02d}",
             "Direct Dial": ""} for i in range(100)]
    path = write_csv(rows, header=HEADER)
    services.import_csv(db, path, now=now, workers=2)
    other = open_store(tmp_path / "single.db")
    try:
        services.import_csv(other, path, now=now, workers=0)
        query = "SELECT * FROM prospect_phones ORDER BY prospect_id, position"
        assert engines.rows(db, query) == engines.rows(other, query)
        query = "SELECT id, phone_e164, phone_ext FROM prospects ORDER BY id"
        assert engines.rows(db, query) == engines.rows(other, query)
    finally:
        other.close()


@pytest.mark.sqlite_only("builds an old SQLite file with sqlite-utils")
def test_a_database_from_before_m004_keeps_its_prospects_and_attempts(db_path, now) -> None:
    raw = Database(db_path)
    migrations.apply(raw, stop_before="m004_phones")
    raw.execute("INSERT INTO prospects (id, first_name, phone_e164, timezone, tz_source, created_at, updated_at) "
                "VALUES (1, 'Ann', '+13055550101', 'America/New_York', 'file', 'x', 'x')")
    raw.conn.commit()
    raw.close()
    db = open_store(db_path)
    try:
        person = services.prospect(db, 1)
        assert (person.phone_ext, person.phone_label) == ("", "phone")
        assert numbers(db, 1) == [("phone", "+13055550101", "", True, False)]
    finally:
        db.close()


def test_due_items_are_unchanged_for_a_plain_number(db, megan, now) -> None:
    due = services.due(db, now)
    assert {item.phone for item in due} == {"+14045550111", "+4930901820"}
    assert isinstance(due[0].due_at, datetime)
