"""Reps and the calls dialdeck places (issues 10 and 11 together): each rep's own phone line and
caller ID over the team's SIP server, each rep's own voicemail recordings, a placed call's
facts kept with the rep who made it, and each rep's talk time in the report (both engines)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from wav_helpers import tone, write_wav

from dialdeck import services
from dialdeck.models import CallFacts

pytestmark = pytest.mark.engines

ANA, BEN, DEV = 1, 2, 4  # New York, New York, London: in their hours at NOW


@pytest.fixture(autouse=True)
def _recordings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "recordings"
    monkeypatch.setenv("DIALDECK_RECORDINGS", str(folder))
    return folder


def test_each_rep_dials_on_their_own_line_through_the_teams_server(imported_db, now) -> None:
    me = services.select_rep(imported_db, None)
    sam = services.add_rep(imported_db, "Sam", now)
    services.set_setting(imported_db, "sip.domain", "pbx.example.com", rep=sam)  # the team's
    services.set_setting(imported_db, "dial.backend", "sip", rep=sam)
    services.set_setting(imported_db, "sip.user", "sam", rep=sam)
    services.set_setting(imported_db, "sip.caller_id", "+1 (212) 555-0199", rep=sam)
    services.set_setting(imported_db, "sip.user", "jordan", rep=me)
    assert services.dialer_settings(imported_db, rep=sam) == {
        "sip.domain": "pbx.example.com", "dial.backend": "sip", "sip.user": "sam", "sip.caller_id": "+12125550199"}
    assert services.dialer_settings(imported_db, rep=me) == {"sip.domain": "pbx.example.com", "sip.user": "jordan"}


def test_a_placed_call_keeps_its_facts_and_the_rep_who_made_it(imported_db, now) -> None:
    sam = services.add_rep(imported_db, "Sam", now)
    facts = CallFacts(number="+12125550101", ring_seconds=3.5, talk_seconds=42.0, network_result="answered")
    services.log_outcome(imported_db, ANA, "connected", now, disposition="continue", call=facts, rep=sam)
    kept = imported_db.attempts(ANA)[-1]
    assert (kept["rep_id"], kept["talk_seconds"], kept["network_result"]) == (sam.id, 42.0, "answered")
    attempt = services.history(imported_db, ANA)[2][-1]
    assert (attempt.rep, attempt.talk_seconds, attempt.ring_seconds) == ("Sam", 42.0, 3.5)
    exported = next(row for row in services.export_rows(imported_db) if row["id"] == ANA)
    assert {k: exported["attempts"][-1][k] for k in ("rep", "talk_seconds", "network_result")} == {
        "rep": "Sam", "talk_seconds": 42.0, "network_result": "answered"}
    assert exported["talk_seconds_total"] == 42.0


def test_the_report_gives_each_reps_talk_time_and_the_teams(imported_db, now) -> None:
    me = services.select_rep(imported_db, None)
    sam = services.add_rep(imported_db, "Sam", now)
    kim = services.add_rep(imported_db, "Kim", now)
    services.log_outcome(imported_db, ANA, "connected", now, disposition="continue", rep=me,
                         call=CallFacts(number="+12125550101", ring_seconds=2.0, talk_seconds=95.0,
                                        network_result="answered"))
    services.log_outcome(imported_db, BEN, "busy", now + timedelta(minutes=1), rep=sam,
                         call=CallFacts(number="+12125550102", ring_seconds=0.4, talk_seconds=0.0,
                                        network_result="busy"))
    services.log_outcome(imported_db, DEV, "connected", now + timedelta(minutes=2), disposition="continue",
                         rep=sam, call=CallFacts(number="+442079460958", ring_seconds=5.0, talk_seconds=30.5,
                                                 network_result="answered"))
    services.log_outcome(imported_db, 5, "no-answer", now + timedelta(minutes=3), rep=kim, force=True)  # by hand
    report = services.report(imported_db, now + timedelta(minutes=10), rep=me)
    assert [(s.rep, s.dials, s.connects, s.talk_seconds) for s in report.by_rep] == [
        ("me", 1, 1, 95.0), ("Sam", 2, 1, 30.5), ("Kim", 1, 0, None)]


def test_each_rep_leaves_their_own_voicemail(imported_db, now, tmp_path: Path) -> None:
    me = services.select_rep(imported_db, None)
    sam = services.add_rep(imported_db, "Sam", now)
    mine = services.set_recording(imported_db, "zero-to-ten", "1", write_wav(tmp_path / "me.wav", tone(1.5, 8000), 8000),
                                  rep=me)
    assert services.dial_plan(imported_db, ANA, now, rep=me).recording == mine.path
    services.release(imported_db, ANA, rep=me)  # in a team the dial reserved Ana for me: Sam's turn
    assert services.dial_plan(imported_db, ANA, now, rep=sam).recording is None  # never another rep's voice
    theirs = services.set_recording(imported_db, "zero-to-ten", "1",
                                    write_wav(tmp_path / "sam.wav", tone(2.0, 8000), 8000), rep=sam)
    assert services.dial_plan(imported_db, ANA, now, rep=sam).recording == theirs.path != mine.path
    assert [r.seconds for r in services.list_recordings(imported_db, rep=sam)] == [2.0]
