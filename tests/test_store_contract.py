"""The Store contract (``store.interface``): what every engine must do, checked through the
interface alone, never through an engine's own connection.

Parametrised by engine: SQLite and PostgreSQL (``conftest.ENGINES``) pass the same tests. Data is written through the interface too (an import batch for
prospects, a write transaction for the rest), so nothing here knows a table's layout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dialdeck.clock import to_iso
from dialdeck.errors import StoreError
from dialdeck.import_rows import RECORD_FIELDS
from dialdeck.store import Store, open_reader, open_store
from dialdeck.store.interface import ProspectRow

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
NY = "US-NY|America/New_York"
LA = "US-CA|America/Los_Angeles"


def at(**delta: float) -> str:
    return to_iso(NOW + timedelta(**delta))


pytestmark = pytest.mark.engines


@pytest.fixture
def location(db_path: Path | str) -> str:
    return str(db_path)


@pytest.fixture
def store(location: str) -> Iterator[Store]:
    opened = open_store(location)
    yield opened
    opened.close()


def record(pid: int, **fields) -> dict:
    """A whole prospect record, as an import writes it."""
    base = {
        "id": pid, "first_name": f"P{pid}", "last_name": "Lee", "company": "Northwind",
        "phone_e164": f"+1212555{pid:04d}", "phone_raw": "", "email": f"p{pid}@example.com",
        "timezone": "America/New_York", "tz_source": "file", "region": "US", "subdivision": "US-NY",
        "temperature": "warm", "value": None, "referrer": "", "referrer_company": "", "appointment_at": None,
        "notes": "", "phone_ext": "", "phone_label": "phone", "benefit": "", "urgent": 0, "urgent_reason": "",
        "created_at": at(days=-10), "updated_at": at(days=-10),
    }
    return {**base, **fields}


def enrollment(pid: int, *, due: str | None, key: str = NY, status: str = "active", pinned: int = 0,
               temp_rank: int = 0, value: float | None = None, cadence: str = "zero-to-ten") -> dict:
    return {"prospect_id": pid, "cadence": cadence, "step_index": 0, "status": status, "next_due_at": due,
            "pinned": pinned, "retries": 0, "hours_key": key, "temp_rank": temp_rank, "value": value,
            "created_at": at(days=-10), "updated_at": at(days=-10), "promised_at": None}


def add_prospects(store: Store, *records: dict, enrollments: tuple[dict, ...] = ()) -> None:
    with store.importing() as batch:
        batch.insert_prospects(records)
        batch.insert_enrollments(enrollments)


def test_a_prospect_record_has_every_field_of_the_interface_row() -> None:
    assert tuple(ProspectRow.__annotations__) == RECORD_FIELDS


# --- settings and transactions ---------------------------------------------------------------

def test_settings_are_kept_and_replaced(store: Store) -> None:
    assert store.settings() == {}
    with store.writing() as tx:
        tx.put_setting("rep.name", "Jane")
        tx.put_setting("rep.name", "Jane Smith")
        assert tx.settings() == {"rep.name": "Jane Smith"}  # a transaction sees its own writes
    assert store.settings() == {"rep.name": "Jane Smith"}


def test_a_write_that_fails_keeps_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        with store.writing() as tx:
            tx.put_setting("rep.name", "Half")
            raise RuntimeError("crash between two writes")
    assert store.settings() == {}
    with store.writing() as tx:  # and the store is usable again
        tx.put_setting("rep.name", "Whole")
    assert store.settings() == {"rep.name": "Whole"}


def test_a_nested_write_is_undone_alone(store: Store) -> None:
    with store.writing() as tx:
        tx.put_setting("kept", "1")
        with pytest.raises(RuntimeError):
            with store.writing() as inner:
                inner.put_setting("dropped", "1")
                raise RuntimeError("inner")
    assert store.settings() == {"kept": "1"}


def test_a_commit_is_seen_by_another_store_on_the_same_database(store: Store, location: str) -> None:
    with store.writing() as tx:
        tx.put_setting("rep.name", "Jane")
    other = open_reader(location)
    try:
        assert other.settings() == {"rep.name": "Jane"}
    finally:
        other.close()


def test_a_reader_refuses_to_write(store: Store, location: str) -> None:
    reader = open_reader(location)
    try:
        with pytest.raises(StoreError):
            with reader.writing() as tx:
                tx.put_setting("rep.name", "Jane")
    finally:
        reader.close()


def test_a_broken_rule_of_the_data_is_a_store_error_and_nothing_is_kept(store: Store) -> None:
    add_prospects(store, record(1), enrollments=(enrollment(1, due=at()),))
    with pytest.raises(StoreError):
        with store.writing() as tx:
            tx.put_setting("rep.name", "Jane")
            tx.insert_enrollment(enrollment(1, due=at(), cadence="three-step"))  # a second live one
    assert store.settings() == {}


# --- prospects and their numbers --------------------------------------------------------------

def test_an_import_batch_writes_and_finds_prospects(store: Store) -> None:
    with store.importing() as batch:
        assert batch.next_prospect_id() == 1
        assert not batch.has_dnc() and not batch.has_other_numbers()
        batch.insert_prospects([record(1), record(2, email="shared@example.com"),
                                record(3, email="shared@example.com")])
        assert batch.next_prospect_id() == 4
        assert set(batch.prospects_by_phones(["+12125550001", "+12125550003", "+19999999999"])) == {
            "+12125550001", "+12125550003"}
        assert batch.prospects_by_emails(["shared@example.com"])["shared@example.com"]["id"] == 2  # the oldest
        batch.update_prospects([record(1, company="Contoso", updated_at=at())])
    assert store.prospect(1)["company"] == "Contoso"
    assert store.prospect(1)["updated_at"] == at()
    assert store.prospect_by_phone("+12125550002")["id"] == 2
    assert store.prospect(99) is None and store.prospect_by_phone("+19999999999") is None


def test_other_numbers_are_replaced_whole_and_kept_in_order(store: Store) -> None:
    add_prospects(store, record(1), record(2))
    with store.importing() as batch:
        batch.replace_other_numbers([], [(1, 1, "mobile", "+12125559001", "", "212 555 9001"),
                                         (1, 2, "work", "+12125559002", "12", "")])
        assert batch.has_other_numbers()
        assert batch.other_numbers_of([1, 2]) == {1: [("mobile", "+12125559001", "", "212 555 9001"),
                                                      ("work", "+12125559002", "12", "")]}
    assert [n["e164"] for n in store.other_numbers(1)] == ["+12125559001", "+12125559002"]
    with store.importing() as batch:
        batch.replace_other_numbers([1], [(1, 1, "home", "+12125559003", "", "")])
    assert store.other_numbers(1) == [{"label": "home", "e164": "+12125559003", "extension": "", "raw": ""}]
    assert store.other_numbers(2) == []


def test_search_finds_names_companies_and_digits(store: Store) -> None:
    add_prospects(store, record(1, first_name="Ana", last_name="Souza"), record(2, company="50% Off_Co"),
                  record(3, first_name="Ben", last_name="Okafor"))
    assert [p["id"] for p in store.search_prospects("souza", 10)] == [1]
    assert [p["id"] for p in store.search_prospects("50% off_", 10)] == [2]  # % and _ are literal
    assert [p["id"] for p in store.search_prospects("(212) 555-0003", 10)] == [3]
    assert len(store.search_prospects("Lee", 1)) == 1


def test_the_rep_facts_and_the_updated_time_are_set(store: Store) -> None:
    add_prospects(store, record(1))
    with store.writing() as tx:
        tx.set_prospect_facts(1, {"benefit": "fewer no-shows", "urgent": 1, "company": "ignored"}, at())
    row = store.prospect(1)
    assert (row["benefit"], row["urgent"], row["company"], row["updated_at"]) == ("fewer no-shows", 1, "Northwind", at())
    with store.writing() as tx:
        tx.set_prospect_facts(1, {}, at(hours=1))
    assert store.prospect(1)["updated_at"] == at(hours=1)


# --- enrollments ------------------------------------------------------------------------------

def test_the_live_enrollment_else_the_latest(store: Store) -> None:
    add_prospects(store, record(1), record(2))
    with store.writing() as tx:
        first = tx.insert_enrollment(enrollment(1, due=at()))
        tx.update_enrollment(first, {"status": "finished", "next_due_at": None, "updated_at": at(days=-1)})
        second = tx.insert_enrollment(enrollment(1, due=at(), cadence="three-step"))
        assert tx.live_enrollment(1)["id"] == second
    assert store.live_enrollment(1)["id"] == store.latest_enrollment(1)["id"] == second
    with store.writing() as tx:
        tx.update_enrollment(second, {"status": "booked", "updated_at": at(days=-2)})
    assert store.live_enrollment(1) is None
    assert store.latest_enrollment(1)["id"] == first  # changed last
    assert store.latest_enrollment(2) is None


def test_an_enrollment_is_restored_exactly_or_deleted(store: Store) -> None:
    add_prospects(store, record(1))
    with store.writing() as tx:
        eid = tx.insert_enrollment(enrollment(1, due=at()))
    before = store.enrollment(eid)
    with store.writing() as tx:
        tx.update_enrollment(eid, {"step_index": 2, "pinned": 1, "promised_at": at(days=1)})
        tx.restore_enrollment(json.loads(json.dumps(before)))
    assert store.enrollment(eid) == before
    with store.writing() as tx:
        tx.delete_enrollment(eid)
    assert store.enrollment(eid) is None


# --- attempts, sessions, notes ----------------------------------------------------------------

def log(tx, pid: int, eid_row: dict, when: str, outcome: str = "voicemail", action: str = "call", **extra) -> int:
    return tx.insert_attempt(prospect_id=pid, enrollment=eid_row, step=1, action=action, outcome=outcome,
                             at=when, note="", session_id=extra.pop("session_id", None), **extra)


def test_attempts_in_time_order_and_the_newest_as_logged(store: Store) -> None:
    add_prospects(store, record(1), record(2), enrollments=(enrollment(1, due=at()), enrollment(2, due=at())))
    one, two = store.live_enrollment(1), store.live_enrollment(2)
    with store.writing() as tx:
        session = tx.start_session(at(hours=-2), "Jane")
        late = log(tx, 1, one, at(hours=-1), session_id=session)
        early = log(tx, 1, one, at(hours=-3), outcome="sent", action="email")
        other = log(tx, 2, two, at(hours=-1))
    assert [a["id"] for a in store.attempts(1)] == [early, late]
    assert json.loads(store.attempts(1)[0]["prev_state"]) == one  # the enrollment as it was
    assert store.newest_attempt()["id"] == other
    assert store.newest_attempt(prospect_id=1)["id"] == early  # logged last
    assert store.newest_attempt(session_id=session)["id"] == late
    assert store.last_attempt_at(1) == at(hours=-1)  # by time
    assert store.last_attempt_at(99) is None
    assert store.recent_calls([1, 2, 3], at(hours=-4)) == {1: (at(hours=-1),), 2: (at(hours=-1),)}  # calls only
    assert store.recent_calls([1], at(minutes=-30)) == {}


def test_what_an_attempt_said_and_its_disposition_are_kept_on_it(store: Store) -> None:
    add_prospects(store, record(1), enrollments=(enrollment(1, due=at()),))
    row = store.live_enrollment(1)
    with store.writing() as tx:
        aid = log(tx, 1, row, at(), outcome="connected", facts={"promised_at": at(days=2), "offered": None})
        tx.record_attempt_facts(aid, {"callback_at": at(days=1), "callback_by": "prospect", "promised_at": None})
        tx.record_disposition(aid, "callback", "after lunch", None)
        tx.record_disposition(aid, "callback", "ask for Ben", None)
    kept = store.attempts(1)[0]
    assert (kept["promised_at"], kept["callback_at"], kept["callback_by"], kept["offered"]) == (
        at(days=2), at(days=1), "prospect", None)
    assert (kept["disposition"], kept["note"]) == ("callback", "after lunch / ask for Ben")
    with store.writing() as tx:
        tx.delete_attempt(aid)
    assert store.attempts(1) == []


def test_a_placed_calls_facts_are_kept_and_a_sessions_talk_time_added_up(store: Store) -> None:
    add_prospects(store, record(1), record(2), enrollments=(enrollment(1, due=at()), enrollment(2, due=at())))
    with store.writing() as tx:
        session = tx.start_session(at(hours=-2), "Jane")
        log(tx, 1, tx.live_enrollment(1), at(hours=-1), outcome="voicemail", session_id=session,
            facts={"ring_seconds": 6.5, "talk_seconds": 31.2, "network_result": "answered", "recording_dropped": 1})
        log(tx, 2, tx.live_enrollment(2), at(minutes=-50), outcome="busy", session_id=session,
            facts={"ring_seconds": 0.4, "talk_seconds": 0.0, "network_result": "busy", "recording_dropped": 0})
        log(tx, 2, tx.live_enrollment(2), at(minutes=-10), outcome="connected", session_id=session)  # by hand
    kept = [(a["ring_seconds"], a["talk_seconds"], a["network_result"], a["recording_dropped"])
            for a in store.attempts(1) + store.attempts(2)]
    assert kept == [(6.5, 31.2, "answered", 1), (0.4, 0.0, "busy", 0), (None, None, None, 0)]
    counts = store.session_outcomes(session)
    assert (counts["dials"], counts["timed_calls"], counts["talk_seconds"]) == (3, 2, 31.2)
    (ran,) = store.sessions_between(at(hours=-3), at())
    assert (ran["timed_calls"], ran["talk_seconds"]) == (2, 31.2)


def test_a_session_and_what_it_came_to(store: Store) -> None:
    add_prospects(store, record(1), record(2), enrollments=(enrollment(1, due=at()), enrollment(2, due=at())))
    with store.writing() as tx:
        session = tx.start_session(at(hours=-2), "Jane")
        log(tx, 1, tx.live_enrollment(1), at(hours=-1), session_id=session)
        aid = log(tx, 2, tx.live_enrollment(2), at(minutes=-30), outcome="connected", session_id=session)
        tx.record_disposition(aid, "booked", "", None)
        log(tx, 2, tx.live_enrollment(2), at(minutes=-20), outcome="sent", action="email", session_id=session)
    counts = store.session_outcomes(session)
    assert (counts["dials"], counts["voicemails"], counts["connects"], counts["meetings_booked"],
            counts["emails_sent"], counts["no_answers"]) == (2, 1, 1, 1, 1, 0)
    assert store.session(session)["ended_at"] is None
    assert store.sessions_between(at(hours=-3), at()) == [
        {"id": session, "started_at": at(hours=-2), "ended_at": None, "dials": 2, "last_at": at(minutes=-20),
         "timed_calls": 0, "talk_seconds": 0.0}]
    with store.writing() as tx:
        assert tx.end_session(session, at())
        assert not tx.end_session(session + 1, at())
    assert store.session(session)["ended_at"] == at()
    assert store.sessions_between(at(hours=1), at(hours=2)) == []
    assert store.session(session + 1) is None
    (zero_to_ten,) = store.activity_by_cadence(at(hours=-3), at())
    assert (zero_to_ten["cadence"], zero_to_ten["dials"], zero_to_ten["meetings_booked"]) == ("zero-to-ten", 2, 1)
    assert store.activity_by_cadence(at(hours=-0.1), at()) == []


def test_notes_newest_first_with_their_count(store: Store) -> None:
    add_prospects(store, record(1))
    with store.importing() as batch:
        batch.insert_crm_notes([(1, "from the CRM")], at(days=-10))
    with store.writing() as tx:
        for hours in (1, 2, 3):
            tx.insert_note(prospect_id=1, at=at(hours=hours), text=f"note {hours}", source="rep")
    assert [n["text"] for n in store.notes(1)] == ["note 3", "note 2", "note 1", "from the CRM"]
    newest, total = store.newest_notes(1, 2)
    assert ([n["text"] for n in newest], total) == (["note 3", "note 2"], 4)
    assert set(newest[0]) == {"id", "prospect_id", "at", "text", "source", "session_id", "attempt_id"}
    assert store.newest_notes(2, 3) == ([], 0)


# --- the do-not-call list ---------------------------------------------------------------------

def test_the_do_not_call_list(store: Store) -> None:
    with store.writing() as tx:
        assert tx.dnc_insert("+12125550002", at(hours=1), "asked")
        assert tx.dnc_insert("+12125550001", at(), "")
        assert not tx.dnc_insert("+12125550001", at(hours=2), "again")  # the first entry is kept
    assert store.dnc_among(["+12125550001", "+12125550003"]) == {"+12125550001"}
    assert store.dnc_among([]) == set()
    assert store.dnc_entries() == [{"e164": "+12125550001", "added_at": at(), "reason": ""},
                                   {"e164": "+12125550002", "added_at": at(hours=1), "reason": "asked"}]
    with store.writing() as tx:
        assert tx.dnc_delete("+12125550001")
        assert not tx.dnc_delete("+12125550001")
    with store.importing() as batch:
        assert batch.has_dnc()


# --- an import's enrollments ------------------------------------------------------------------

def test_an_import_reads_what_prospects_were_enrolled_in_and_refreshes_the_queue_columns(store: Store) -> None:
    add_prospects(store, record(1), record(2),
                  enrollments=(enrollment(1, due=at()), enrollment(1, due=None, status="finished", cadence="three-step")))
    with store.importing() as batch:
        assert sorted(batch.enrolled_cadences([1, 2])[1]) == [("three-step", "finished"), ("zero-to-ten", "active")]
        assert 2 not in batch.enrolled_cadences([2])
        batch.refresh_queue_columns([(LA, 1, 500.0, 1)])
    live = store.live_enrollment(1)
    assert (live["hours_key"], live["temp_rank"], live["value"]) == (LA, 1, 500.0)
    assert LA in store.hours_keys()


# --- the due queue ----------------------------------------------------------------------------

@pytest.fixture
def queue(store: Store) -> Store:
    """Six due at NOW in New York (one promised), one in a closed window, one not due yet."""
    add_prospects(store, *(record(pid) for pid in range(1, 9)), enrollments=(
        enrollment(1, due=at(hours=-1), temp_rank=1),                 # cold, today
        enrollment(2, due=at(hours=-2), value=100.0),                 # warm, today
        enrollment(3, due=at(hours=-3), value=900.0),                 # warm, today, more value
        enrollment(4, due=at(days=-3)),                               # overdue
        enrollment(5, due=at(minutes=-5), pinned=1),                  # a promise come due
        enrollment(6, due=at()),                                      # due this second
        enrollment(7, due=at(hours=-1), key=LA),                      # its window is shut
        enrollment(8, due=at(hours=2)),                               # later today
    ))
    return store


TODAY = at(hours=-10)  # the start of the rep's day


def test_the_due_page_is_in_calling_order(queue: Store) -> None:
    page = queue.due_page([NY], at(), TODAY, limit=50)
    assert [row.prospect_id for row in page] == [5, 4, 3, 2, 6, 1]
    assert [row.overdue for row in page] == [False, True, False, False, False, False]
    assert page[0].pinned and not page[1].pinned
    first = page[0]
    assert (first.first_name, first.phone_e164, first.hours_key, first.next_due_at) == (
        "P5", "+12125550005", NY, at(minutes=-5))


def test_the_due_page_pages_and_keeps_to_open_windows(queue: Store) -> None:
    assert [row.prospect_id for row in queue.due_page([NY], at(), TODAY, limit=2, offset=2)] == [3, 2]
    assert [row.prospect_id for row in queue.due_page([LA], at(), TODAY, limit=50)] == [7]
    assert queue.due_page([], at(), TODAY, limit=50) == []
    assert queue.due_row(queue.live_enrollment(8)["id"], TODAY).prospect_id == 8
    assert sorted(queue.hours_keys()) == sorted([LA, NY])


def test_the_queue_counts_stop_at_their_cap(queue: Store) -> None:
    assert queue.pinned_due_by_key(at()) == {NY: 1}
    assert queue.count_unpinned_due([NY], at(), None) == 5
    assert queue.count_unpinned_due([NY], at(), 3) == 3
    assert queue.count_unpinned_due([NY, LA], at(), None) == 6
    assert queue.count_unpinned_due([], at(), None) == 0
    assert queue.keys_with_unpinned_due([LA, NY, "US-TX|America/Chicago"], at()) == {LA, NY}
    assert queue.count_due_between(at(), at(hours=3), None) == 1
    assert queue.count_due_between(at(hours=-4), at(), 2) == 2
    assert queue.count_due_before(TODAY) == 1


def test_what_comes_due_next(queue: Store) -> None:
    assert queue.enrollment(queue.next_coming_due(at()))["prospect_id"] == 8
    assert queue.next_coming_due(at(hours=3)) is None
    assert queue.enrollment(queue.first_due_in_window(NY, at()))["prospect_id"] == 5  # the promise first
    assert queue.enrollment(queue.first_due_in_window(LA, at()))["prospect_id"] == 7
    assert queue.first_due_in_window("US-TX|America/Chicago", at()) is None


def test_the_plan_of_the_due_page_can_be_shown(queue: Store) -> None:
    assert queue.explain_due([NY], at(), TODAY)


# --- the export -------------------------------------------------------------------------------

def test_the_export_streams_every_prospect_with_its_live_enrollment_and_attempts(store: Store) -> None:
    add_prospects(store, record(1), record(2), record(3), enrollments=(
        enrollment(1, due=None, status="finished", cadence="three-step"), enrollment(1, due=at()),
        enrollment(2, due=None, status="booked")))
    with store.writing() as tx:
        log(tx, 1, tx.live_enrollment(1), at(hours=-2), outcome="no-answer")
        log(tx, 1, tx.live_enrollment(1), at(hours=-1), outcome="voicemail")
        tx.insert_note(prospect_id=1, at=at(), text="call after 3", source="rep")
    with store.importing() as batch:
        batch.replace_other_numbers([], [(1, 1, "mobile", "+12125559001", "", "")])
    stream = store.export()
    first = next(stream)  # a stream: one prospect at a time
    assert (first.row["id"], first.row["cadence"], first.row["status"], first.row["attempts_count"],
            first.row["last_outcome"]) == (1, "zero-to-ten", "active", 2, "voicemail")
    assert [a["outcome"] for a in first.attempts] == ["no-answer", "voicemail"]
    assert [n["text"] for n in first.notes] == ["call after 3"]
    assert [n["e164"] for n in first.other_numbers] == ["+12125559001"]
    rest = list(stream)
    assert [(r.row["id"], r.row["status"], r.row["attempts_count"]) for r in rest] == [(2, "booked", 0), (3, None, 0)]
    assert rest[1].row["last_outcome"] is None and rest[1].other_numbers == []
    assert all(r.attempts is None for r in store.export(with_attempts=False))


def test_a_stored_time_is_found_where_it_is(store: Store) -> None:
    add_prospects(store, record(1, appointment_at="next tuesday"))
    assert store.where_is_time("next tuesday") == "prospects.appointment_at, id 1"
    assert store.where_is_time("never stored") == ""


def test_the_location_names_the_database(store: Store, location: str) -> None:
    assert store.location.endswith(Path(location).name)
    assert store.location == location  # no password in either
