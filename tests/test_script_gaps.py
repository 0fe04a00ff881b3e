"""The gaps the review of issue 8 found, each from its example: missing names and companies,
"new" times that were offered before, tips that claim a promise, a pick with nothing to pick,
a pipe given to ``cadences check``, the voicemail challenge's second message, and three-step
without an appointment.

Each defect has a test through the services or the CLI from the example that found it, and a
test that the truth checker (``dialdeck.truth``) now catches its kind in general.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dialdeck import services, simulate
from dialdeck.cadence import cadence_from_mapping, render_benefit
from dialdeck.errors import InvalidInput
from dialdeck.facts import field_truths
from dialdeck.hours import CallingWindow
from dialdeck.truth import Act, Record, check_walk, empty_field_marks
from test_cli import assert_one_line_error, dialdeck

pytestmark = pytest.mark.engines

NY = ZoneInfo("America/New_York")
RECORD = Record(zone=NY, window=CallingWindow(start=time(8), end=time(21)))
HEADER = ("First Name", "Last Name", "Company", "Phone", "Email", "Time Zone", "Temperature", "Value", "Cadence",
          "Referrer", "Referrer Company", "Appointment", "Benefit", "Urgent", "Urgent Reason")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NY)


@pytest.fixture
def rep_db(tmp_path: Path) -> Path:
    path = tmp_path / "nc.db"
    for key, value in (("rep.name", "Jordan Reyes"), ("rep.phone", "+1 212 555 0142"), ("rep.company", "Brightline"),
                       ("rep.timezone", "America/New_York")):
        dialdeck("config", "set", key, value, db=path, check=True)
    return path


def import_rows(db: Path, tmp_path: Path, text: str, cadence: str) -> None:
    csv = tmp_path / "nn.csv"
    csv.write_text(text, encoding="utf-8")
    dialdeck("import", str(csv), "--cadence", cadence, "--at", "2026-11-24T10:00", db=db, check=True)


def shown(db: Path, pid: int, when: str) -> str:
    return dialdeck("script", str(pid), "--at", when, db=db, check=True).stdout


# --- GAP 1: a missing company or first name -----------------------------------------------------

def test_no_company_voicemail_challenge_leaves_it_out(rep_db: Path, tmp_path: Path) -> None:
    import_rows(rep_db, tmp_path, "First Name,Last Name,Phone\nAna,Lopez,+1 212 555 0162\n", "voicemail-challenge")
    out = shown(rep_db, 1, "2026-11-24T10:00")
    assert ("Voicemail: Hi Ana, this is Jordan Reyes with Brightline. I have an idea I'd like to share with you. "
            "There's nothing you need to do: I'll call you back Thursday at 4 p.m.") in out
    assert "relevant to you?" in out
    assert "  " not in out and " ?" not in out and " ." not in out


def test_no_company_zero_to_ten_asks_what_a_good_result_looks_like_for_them(rep_db: Path, tmp_path: Path) -> None:
    import_rows(rep_db, tmp_path, "First Name,Last Name,Phone,Temperature\nAna,Lopez,+1 212 555 0162,warm\n",
                "zero-to-ten")
    out = shown(rep_db, 1, "2026-11-24T10:00")
    assert "what would a good result look like for you?" in out and " ?" not in out


def test_a_row_with_only_a_last_name_is_greeted_without_a_blank(rep_db: Path, tmp_path: Path) -> None:
    import_rows(rep_db, tmp_path, "First Name,Last Name,Company,Phone\n,Smith,,+1 212 555 0161\n", "zero-to-ten")
    out = shown(rep_db, 1, "2026-11-24T10:00")
    assert "Voicemail: Hi, it's Jordan Reyes from Brightline. I'd like to find out whether we could be useful to you." in out
    assert "Hi ," not in out and " ." not in out


def test_a_cadence_file_must_condition_the_prospects_own_fields() -> None:
    with pytest.raises(Exception) as caught:
        cadence_from_mapping({"name": "t", "steps": [{"action": "call", "wait": "0 minutes",
                                                      "voicemail": "I have an idea for {company}."}]}, source="t.toml")
    assert 'step 1: voicemail: {company} is known only for some prospects: say it in a part under when = "company"' \
        in str(caught.value.problems)
    good = cadence_from_mapping({"name": "t", "steps": [{"action": "call", "wait": "0 minutes", "voicemail": [
        {"when": "first_name", "text": "Hi {first_name},", "else": "Hi,"}, "it's me."]}]}, source="t.toml")
    assert good.steps[0].voicemail.uses("first_name")


def test_the_conditions_come_from_the_very_values_said() -> None:
    assert field_truths({"first_name": "Ana", "last_name": "", "company": "  "}) == \
        {"first_name", "no_last_name", "no_company"}
    assert field_truths({}) == {"no_first_name", "no_last_name", "no_company"}


def test_a_cadence_benefit_naming_a_missing_company_is_no_benefit() -> None:
    assert render_benefit("teams like {company} save hours", {"company": "Northwind"}) == "teams like Northwind save hours"
    assert render_benefit("teams like {company} save hours", {"company": ""}) == ""


def test_the_truth_check_flags_what_an_empty_field_leaves_behind() -> None:
    assert empty_field_marks("Hi Ana. I have an idea for  I'd like to share with you.") == \
        ["have an idea for  I'd like to share"]
    assert empty_field_marks("relevant to ?") == ["relevant to ?"]
    assert empty_field_marks("Hi , it's Jordan Reyes") == ["Hi , it's Jordan"]
    assert empty_field_marks("could be useful to .") == ["be useful to ."]
    # Not blanks: the rep's own "..." to fill in, the key "press !", paragraph breaks.
    assert empty_field_marks("what we did for Contoso: ... Is that it? press ! and the script.\n\nBye.") == []
    act = Act(at=at(11, 24, 10), due_at=at(11, 24, 10), step=1, action="call", outcome="no-answer", cadence="c",
              texts={"voicemail": "Hi , it's Jordan.", "talk_track": "Is this relevant to ?"})
    assert [(f.field, f.reason) for f in check_walk(RECORD, [act])] == [
        ("voicemail", "a blank where a field is empty"), ("talk_track", "a blank where a field is empty")]


def test_the_simulator_walks_prospects_without_first_name_last_name_or_company() -> None:
    grid = list(simulate.situations("zero-to-ten"))
    shapes = {(s.first_name, s.last_name, s.company) for s in grid}
    assert shapes == set(simulate.IDENTITIES)
    assert (False, True, False) in shapes  # ",Smith,," from the review
    assert "no first name, no company" in simulate.Situation(
        cadence="t", start=at(11, 24, 10), first_name=False, company=False).describe()


def test_a_walk_without_first_name_or_company_is_true_in_every_builtin(tmp_path: Path) -> None:
    start = at(10, 28, 15, 30)
    for cadence in ("three-step", "follow-up-series", "voicemail-challenge", "zero-to-ten", "money-in-follow-up"):
        situation = simulate.Situation(cadence=cadence, start=start, first_name=False, company=False,
                                       urgent=True, appointment=start + timedelta(hours=1))
        [walk] = simulate.simulate(cadence, tmp_path, [situation])
        assert walk.complete and walk.findings() == [], (cadence, walk.findings())
        said = " ".join(text for act in walk.acts for text in act.texts.values() if text)
        assert not re.search(r"\b(?:Northwind|Ana)\b", said)


# --- GAP 2: the second email's "new" times --------------------------------------------------------

def follow_up_with_two_emails(db, write_csv) -> int:
    for key, value in {"rep.name": "Jordan Reyes", "rep.company": "Brightline", "rep.phone": "+1 212 555 0142",
                       "rep.timezone": "America/New_York"}.items():
        services.set_setting(db, key, value)
    row = {"First Name": "Ana", "Last Name": "Lopez", "Company": "Northwind", "Phone": "+1 212 555 0163",
           "Email": "ana@northwind.example", "Time Zone": "America/New_York", "Cadence": "follow-up-series",
           "Appointment": "2026-11-23 14:00"}
    services.import_csv(db, write_csv([row], header=HEADER), now=at(11, 23, 9))
    services.log_outcome(db, 1, "voicemail", at(11, 23, 14))
    services.log_outcome(db, 1, "voicemail", at(11, 23, 14, 15))
    services.log_outcome(db, 1, "sent", at(11, 23, 14, 16))
    services.log_outcome(db, 1, "voicemail", at(11, 24, 10))
    return 1


def test_the_second_email_of_follow_up_series_offers_only_new_times(db, write_csv) -> None:
    pid = follow_up_with_two_emails(db, write_csv)
    first = services.history(db, pid)[2][2]
    assert first.outcome == "sent"
    offered_first = (at(11, 24, 14), at(11, 25, 10), at(11, 25, 14))
    second = services.call_card(db, pid, at(11, 24, 10, 1)).script
    assert "here are some new times" in second.body
    assert not set(second.offers) & set(offered_first)
    assert second.offers == (at(11, 26, 10), at(11, 26, 14), at(11, 27, 10))
    assert "1. Thursday, November 26 at 10 a.m." in second.body


def test_the_truth_check_flags_new_times_offered_before() -> None:
    offers = (at(11, 24, 14), at(11, 25, 10), at(11, 25, 14))
    first = Act(at=at(11, 23, 14, 16), due_at=None, step=3, action="email", outcome="sent", delivered=True,
                offers=offers, cadence="c", texts={"body": "Here are a few times I could call you."})
    again = Act(at=at(11, 24, 10, 1), due_at=None, step=5, action="email", outcome="sent", delivered=True,
                offers=(at(11, 25, 10), at(11, 25, 14), at(11, 26, 10)), cadence="c",
                texts={"body": "In case my last email got buried, here are some new times I could call you."})
    assert [f.reason for f in check_walk(RECORD, [first, again])] == [
        "calls the times new, but Wed 10:00, Wed 14:00 were offered before"]
    fresh = Act(**{**again.__dict__, "offers": (at(11, 26, 10), at(11, 26, 14), at(11, 27, 10))})
    assert check_walk(RECORD, [first, fresh]) == []


# --- tips that claim history --------------------------------------------------------------------

@pytest.fixture
def challenge(db, write_csv):
    """voicemail-challenge for a lead without a referrer, imported Tuesday 24 Nov 10:00, message 1 left."""
    for key, value in {"rep.name": "Jordan Reyes", "rep.company": "Brightline", "rep.phone": "+1 212 555 0142",
                       "rep.timezone": "America/New_York"}.items():
        services.set_setting(db, key, value)
    row = {"First Name": "Ana", "Last Name": "Lopez", "Company": "Northwind", "Phone": "+1 212 555 0165",
           "Email": "ana@northwind.example", "Time Zone": "America/New_York", "Cadence": "voicemail-challenge"}
    services.import_csv(db, write_csv([row], header=HEADER), now=at(11, 24, 10))
    services.log_outcome(db, 1, "voicemail", at(11, 24, 10))
    assert services.history(db, 1)[1].next_due_at == at(11, 26, 16)
    return 1


NAMED = "Your last message named this call's time"


def test_the_challenge_tip_names_the_promise_only_on_time(db, challenge) -> None:
    assert NAMED in services.call_card(db, challenge, at(11, 26, 16)).script.tip
    late = services.call_card(db, challenge, at(11, 28, 16)).script  # worked two days late
    assert NAMED not in late.tip and "later than your last message said" in late.tip
    services.snooze(db, challenge, at(11, 26, 18), at(11, 26, 15, 50))
    snoozed = services.call_card(db, challenge, at(11, 26, 18)).script
    assert NAMED not in snoozed.tip and "Sorry I'm later than I said." in snoozed.voicemail


def test_the_truth_check_holds_tips_to_the_promise_they_claim() -> None:
    made = Act(at=at(11, 24, 10), due_at=at(11, 24, 10), step=1, action="call", outcome="voicemail", delivered=True,
               next_call_after=at(11, 26, 16), cadence="c", texts={"voicemail": "I'll call you back Thursday at 4 p.m."})
    tip = {"tip": f"{NAMED}: be on it to the minute."}
    on_time = Act(at=at(11, 26, 16), due_at=at(11, 26, 16), step=2, action="call", outcome="no-answer", cadence="c",
                  texts=tip)
    assert check_walk(RECORD, [made, on_time]) == []
    late = Act(**{**on_time.__dict__, "at": at(11, 26, 18)})
    assert [f.reason for f in check_walk(RECORD, [made, late])] == ["claims a kept promise, but the call is late"]
    unpromised = Act(**{**on_time.__dict__, "texts": tip})
    assert "says a message named this call's time, but none did" in [
        f.reason for f in check_walk(RECORD, [Act(**{**made.__dict__, "texts": {"voicemail": "Hi."}}), unpromised])]


def test_tips_claiming_an_email_or_a_referral_need_them() -> None:
    bare = Record(zone=NY, window=RECORD.window, email=False)
    act = Act(at=at(11, 24, 10), due_at=at(11, 24, 10), step=1, action="call", outcome="no-answer", cadence="c",
              texts={"tip": "Mention the email you are about to send. A polite ending keeps the referral intact."})
    assert [f.reason for f in check_walk(bare, [act])] == [
        "promises an email to a prospect with no email address", "claims a referral, but no referrer is on file"]


# --- the challenge's second message builds on the first ----------------------------------------

def test_without_a_referrer_message_two_builds_on_message_one(db, challenge) -> None:
    first = services.history(db, challenge)[2][0]
    assert first.outcome == "voicemail"
    second = services.call_card(db, challenge, at(11, 26, 16)).script.voicemail
    assert "I have an idea for" not in second
    assert ("Following up on my message on Tuesday: the idea I mentioned takes two minutes to explain, so I'll try "
            "you Monday at 8 a.m. to walk you through it.") in second


def test_the_truth_check_wants_a_message_before_my_message() -> None:
    act = Act(at=at(11, 26, 16), due_at=at(11, 26, 16), step=2, action="call", outcome="no-answer", cadence="c",
              texts={"talk_track": "I'd like to tell you about the idea I mentioned."})
    assert [f.reason for f in check_walk(RECORD, [act])] == ["speaks of an earlier message that was never left"]


# --- three-step without an appointment -----------------------------------------------------------

def test_three_step_without_an_appointment_speaks_of_no_plan(db, write_csv) -> None:
    row = {"First Name": "Eve", "Phone": "+1 212 555 0115", "Time Zone": "America/New_York", "Cadence": "three-step"}
    services.import_csv(db, write_csv([row], header=HEADER), now=at(11, 24, 9))
    talk = services.call_card(db, 1, at(11, 24, 9)).script.talk_track
    assert "planned" not in talk and "ask what they would like to get out of the call" in talk
    booked = Record(zone=NY, window=RECORD.window, appointment_at=at(11, 24, 9))
    act = Act(at=at(11, 24, 9), due_at=at(11, 24, 9), step=1, action="call", outcome="no-answer", cadence="c",
              texts={"talk_track": "(If now works: have the conversation you had planned.)"})
    assert [f.reason for f in check_walk(RECORD, [act])] == [
        "speaks of a booked call, but no appointment is on file"]
    assert check_walk(booked, [act]) == []


# --- picked with nothing to pick -------------------------------------------------------------------

def test_picking_again_after_a_pick_says_it_was_picked(db, write_csv) -> None:
    pid = follow_up_with_two_emails(db, write_csv)
    services.log_outcome(db, pid, "sent", at(11, 24, 10, 2))
    services.pick_offered(db, pid, 1, at(11, 24, 11))
    with pytest.raises(InvalidInput) as caught:
        services.pick_offered(db, pid, 5, at(11, 24, 11, 5))
    assert str(caught.value) == ("Ana Lopez already picked one of the times offered (Thu 26 Nov 10:00 their time): "
                                 "there is no other offer to pick from")


def test_picking_after_the_times_passed_says_they_passed(db, write_csv) -> None:
    pid = follow_up_with_two_emails(db, write_csv)
    with pytest.raises(InvalidInput) as caught:
        services.pick_offered(db, pid, 1, at(11, 25, 15))
    assert str(caught.value) == ("the times offered to Ana Lopez have all passed (the last was Wed 25 Nov 14:00 their "
                                 "time): there is none left to pick")
    with pytest.raises(InvalidInput, match=r"choose one of the 2 times offered \(1-2\), not 5"):
        services.pick_offered(db, pid, 5, at(11, 24, 15))


def test_picked_on_the_command_line_after_a_pick(rep_db: Path, tmp_path: Path) -> None:
    import_rows(rep_db, tmp_path, "First Name,Last Name,Company,Phone,Email,Appointment\n"
                "Ana,Lopez,Northwind,+1 212 555 0163,ana@x.example,2026-11-23 14:00\n", "follow-up-series")
    for outcome, when in (("voicemail", "2026-11-24T14:00"), ("voicemail", "2026-11-24T14:15"),
                          ("sent", "2026-11-24T14:16")):
        dialdeck("log", "1", outcome, "--at", when, db=rep_db, check=True)
    dialdeck("picked", "1", "2", "--at", "2026-11-24T15:00", db=rep_db, check=True)
    line = assert_one_line_error(dialdeck("picked", "1", "5", "--at", "2026-11-24T15:01", db=rep_db))
    assert "already picked one of the times offered (Thu 26 Nov 10:00 their time)" in line
    assert "has to be sent first" not in line


# --- cadences check on a pipe ------------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_cadences_check_refuses_a_fifo_in_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "mine.toml"
    os.mkfifo(fifo)
    for extra in ((), ("--simulate",)):
        result = dialdeck("cadences", "check", str(fifo), *extra)  # hung for ever before (a timeout here)
        assert result.returncode == 1
        assert result.stderr == f"dialdeck: error: {fifo}: not a regular file (a pipe, device or folder)\n"
    folder = assert_one_line_error(dialdeck("cadences", "check", str(tmp_path)))
    assert f"{tmp_path}: not a regular file" in folder
