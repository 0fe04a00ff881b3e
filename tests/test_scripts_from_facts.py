"""Issue 8, defect by defect, through the services on a real database: scripts say what happened.

Each test starts from the example that found the defect (a cadence, a start day and hour, the
outcomes a rep logged) and asserts what the call card's script says, and what the store holds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialdeck import services, simulate
from dialdeck.errors import InvalidInput
from dialdeck.truth import MAX_VOICEMAIL_WORDS
import engines

pytestmark = pytest.mark.engines

NY = ZoneInfo("America/New_York")
HEADER = ("First Name", "Last Name", "Company", "Phone", "Email", "Time Zone", "Temperature", "Value", "Cadence",
          "Referrer", "Referrer Company", "Appointment", "Benefit", "Urgent", "Urgent Reason")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NY)


@pytest.fixture
def add(db, write_csv):
    """``add(cadence, now, **cells) -> prospect id``: one lead imported at ``now``."""
    count = iter(range(1, 100))

    def add_one(cadence: str, now: datetime, **cells: str) -> int:
        n = next(count)
        row = {"First Name": "Ana", "Last Name": f"Souza{n}", "Company": "Northwind",
               "Phone": f"+1 212 555 01{n:02d}", "Email": f"ana{n}@northwind.example",
               "Time Zone": "America/New_York", "Temperature": "warm", "Value": "5000", "Cadence": cadence}
        row.update({key.replace("_", " ").title(): value for key, value in cells.items()})
        services.import_csv(db, write_csv([row], name=f"lead{n}.csv", header=HEADER), now=now)
        return engines.value(db, "SELECT max(id) FROM prospects")

    for key, value in {"rep.name": "Jordan Reyes", "rep.company": "Brightline", "rep.phone": "+1 212 555 0142",
                       "rep.timezone": "America/New_York"}.items():
        services.set_setting(db, key, value)
    return add_one


def script(db, pid: int, now: datetime):
    return services.call_card(db, pid, now).script


def due(db, pid: int) -> datetime:
    return services.history(db, pid)[1].next_due_at.astimezone(NY)


# --- "As promised" when nothing was promised ----------------------------------------------------

def test_follow_up_series_after_a_no_answer_does_not_say_as_promised(db, add):
    pid = add("follow-up-series", at(11, 24, 9), appointment="2026-11-24 14:00")
    services.log_outcome(db, pid, "no-answer", at(11, 24, 14, 1))
    second = script(db, pid, due(db, pid))
    assert due(db, pid) == at(11, 24, 14, 16)
    assert "promised" not in second.voicemail and second.voicemail.startswith("Hi Ana, Jordan Reyes again.")
    assert "Right on time" not in second.tip


@pytest.mark.parametrize("late", [timedelta(hours=5), timedelta(days=2)])
def test_a_promise_kept_hours_or_days_late_is_not_called_as_promised(db, add, late):
    pid = add("follow-up-series", at(11, 24, 9), appointment="2026-11-24 14:00")
    assert "in 15 minutes" in script(db, pid, at(11, 24, 14)).voicemail
    services.log_outcome(db, pid, "voicemail", at(11, 24, 14))
    on_time = script(db, pid, at(11, 24, 14, 15))
    assert "Jordan Reyes again, as promised." in on_time.voicemail
    assert "promised" not in script(db, pid, at(11, 24, 14, 15) + late).voicemail


def test_voicemail_challenge_talk_track_never_says_as_promised_on_monday(db, add):
    pid = add("voicemail-challenge", at(11, 25, 10))  # a Wednesday
    services.log_outcome(db, pid, "voicemail", at(11, 25, 10))
    assert due(db, pid) == at(11, 27, 16)
    track = script(db, pid, at(11, 27, 16)).talk_track
    assert track.startswith("Hi Ana, Jordan Reyes, calling as promised.") and "Monday" not in track
    assert "as promised" not in script(db, pid, at(11, 30, 9)).talk_track  # three days late


# --- a callback after a real conversation -------------------------------------------------------

@pytest.mark.parametrize("cadence, appointment", [("follow-up-series", "2026-11-24 14:00"),
                                                  ("three-step", "2026-11-24 14:00"), ("zero-to-ten", "")])
def test_a_callback_has_its_own_words(db, add, cadence, appointment):
    pid = add(cadence, at(11, 24, 9), appointment=appointment)
    first = due(db, pid)
    services.log_outcome(db, pid, "connected", first, disposition="callback", callback_at=at(11, 25, 11),
                         callback_by="prospect")
    callback = script(db, pid, at(11, 25, 11))
    assert callback.callback
    assert "I'm calling back as we agreed." in callback.voicemail and "as we agreed" in callback.talk_track
    for text in (callback.voicemail, callback.talk_track):
        for wrong in ("booked", "missed each other", "Thanks for getting in touch", "thanks for reaching out"):
            assert wrong not in text
    late = script(db, pid, at(11, 25, 14))
    assert "We'd agreed I'd call you today at 11 a.m.; I'm sorry I'm later than that." in late.voicemail
    attempt = engines.rows(db, "SELECT callback_at, callback_by FROM attempts WHERE outcome = 'connected'")[0]
    assert attempt == ("2026-11-25T16:00:00+00:00", "prospect")


def test_a_callback_missed_then_retried_keeps_its_own_words_without_claiming_the_promise(db, add):
    pid = add("zero-to-ten", at(11, 24, 9))
    services.log_outcome(db, pid, "connected", at(11, 24, 9, 5), disposition="callback", callback_at=at(11, 25, 11))
    services.log_outcome(db, pid, "busy", at(11, 25, 11))
    retry = script(db, pid, due(db, pid))
    assert retry.callback and "as we agreed" not in retry.voicemail and "getting in touch" not in retry.voicemail


# --- voicemail-challenge whatever the start day --------------------------------------------------

@pytest.mark.parametrize("start, promise, second", [
    (at(11, 25, 10), "Friday at 4 p.m.", at(11, 27, 16)),  # Wednesday: not "today at 4 p.m."
    (at(11, 26, 10), "Monday at 4 p.m.", at(11, 30, 16)),  # Thursday: not five days later
    (at(11, 27, 10), "Tuesday at 4 p.m.", at(12, 1, 16)),  # Friday
])
def test_voicemail_challenge_keeps_two_working_days_between_calls(db, add, start, promise, second):
    pid = add("voicemail-challenge", start)
    assert script(db, pid, start).voicemail.endswith(f"I'll call you back {promise}")
    services.log_outcome(db, pid, "voicemail", start)
    assert due(db, pid) == second


# --- invented facts -----------------------------------------------------------------------------

def test_no_referrer_means_no_referral_sentence(db, add):
    pid = add("voicemail-challenge", at(11, 23, 10))
    card = script(db, pid, at(11, 23, 10))
    for text in (card.voicemail, card.talk_track):
        assert "suggested" not in text and "colleague" not in text and "one of our clients" not in text
    named = add("voicemail-challenge", at(11, 23, 10), referrer="Gil Shaw", referrer_company="Blue Yonder")
    assert "Gil Shaw at Blue Yonder suggested I give you a call." in script(db, named, at(11, 23, 10)).voicemail
    no_company = add("voicemail-challenge", at(11, 23, 10), referrer="Gil Shaw")
    assert "Gil Shaw suggested I give you a call." in script(db, no_company, at(11, 23, 10)).voicemail


def test_money_in_leaves_a_message_only_when_the_rep_marks_it_urgent(db, add):
    pid = add("money-in-follow-up", at(11, 23, 10))
    plain = script(db, pid, at(11, 23, 16))
    assert plain.voicemail is None and not plain.urgent and "press !" in plain.tip
    for invented in ("start date", "someone else", "pricing", "this month"):
        assert invented not in plain.talk_track
    assert "Thanks for calling back" not in plain.talk_track
    services.set_urgent(db, pid, True, at(11, 23, 15), reason="your booking is only held until Friday.")
    urgent = script(db, pid, at(11, 23, 16))
    assert urgent.urgent and urgent.voicemail == (
        "Hi Ana, it's Jordan Reyes from Brightline. I'm calling because your booking is only held until Friday. "
        "Could you call me back today at +1 212-555-0142? Thanks.")
    services.set_urgent(db, pid, False, at(11, 23, 15, 30))
    assert script(db, pid, at(11, 23, 16)).voicemail is None
    assert services.prospect(db, pid).urgent_reason == ""


def test_urgent_and_benefit_import_columns(db, add):
    pid = add("money-in-follow-up", at(11, 23, 10), urgent="yes")
    assert "something that can't wait" in script(db, pid, at(11, 23, 16)).voicemail
    reason = add("money-in-follow-up", at(11, 23, 10), urgent_reason="the crew slot is held until Friday")
    assert services.prospect(db, reason).urgent
    assert "because the crew slot is held until Friday." in script(db, reason, at(11, 23, 16)).voicemail
    benefit = add("zero-to-ten", at(11, 23, 10), temperature="cold", benefit="Clinics like yours cut no-shows by a third.")
    assert "One thing that may interest Northwind: Clinics like yours cut no-shows by a third." in \
        script(db, benefit, at(11, 23, 10)).voicemail


def test_a_benefit_the_rep_writes_is_the_only_result_a_script_states(db, add):
    pid = add("voicemail-challenge", at(11, 23, 10))
    for _ in range(3):
        services.log_outcome(db, pid, "voicemail", due(db, pid))
    assert "noticed" not in script(db, pid, due(db, pid)).voicemail
    services.set_benefit(db, pid, "dental groups like yours fill cancelled slots within a day", at(11, 30, 9))
    assert "One idea for you: dental groups like yours fill cancelled slots within a day." in \
        script(db, pid, due(db, pid)).voicemail
    services.set_benefit(db, pid, "", at(11, 30, 9))
    assert "One idea" not in script(db, pid, due(db, pid)).voicemail


# --- relative days -------------------------------------------------------------------------------

def test_zero_to_ten_lead_at_15_30_keeps_both_day_0_calls(db, add):
    pid = add("zero-to-ten", at(11, 24, 15, 30))
    first = script(db, pid, at(11, 24, 15, 30))
    assert "I'll try you again today at 6:30 p.m." in first.voicemail
    services.log_outcome(db, pid, "voicemail", at(11, 24, 15, 30))
    services.log_outcome(db, pid, "sent", at(11, 24, 15, 31))
    services.log_outcome(db, pid, "done", at(11, 24, 15, 32))
    assert due(db, pid) == at(11, 24, 18, 30)
    assert "I sent you an email this afternoon." in script(db, pid, at(11, 24, 18, 30)).voicemail
    # Reached only the next morning, the same step says when the email really went.
    assert "I sent you an email yesterday afternoon." in script(db, pid, at(11, 25, 9)).voicemail
    services.log_outcome(db, pid, "voicemail", at(11, 24, 18, 30))
    assert due(db, pid) == at(11, 25, 11)  # day 1, midday
    assert "the email I sent you yesterday afternoon." in script(db, pid, at(11, 25, 11)).voicemail


def test_follow_up_series_appointment_at_20_50(db, add):
    pid = add("follow-up-series", at(11, 24, 9), appointment="2026-11-24 20:50")
    first = script(db, pid, at(11, 24, 20, 50))
    assert first.voicemail.endswith("I'll try you again tomorrow at 8 a.m.")
    assert "finishing something up" not in first.voicemail
    services.log_outcome(db, pid, "voicemail", at(11, 24, 20, 50))
    second = script(db, pid, at(11, 25, 8))
    assert second.voicemail.startswith("Hi Ana, Jordan Reyes again, as promised.")
    assert "today" not in second.voicemail


def test_follow_up_series_step_8_names_the_last_call_step_9_makes(db, add):
    pid = add("follow-up-series", at(11, 23, 9), appointment="2026-11-23 14:00")
    while services.call_card(db, pid, due(db, pid)).enrollment.step < 8:
        card = services.call_card(db, pid, due(db, pid))
        services.log_outcome(db, pid, "sent" if card.script.action == "email" else "voicemail", due(db, pid))
    eighth = script(db, pid, due(db, pid))
    assert "later in the year" not in eighth.voicemail
    services.log_outcome(db, pid, "voicemail", due(db, pid))
    assert f"I'll try you one last time {eighth.next_call_at.astimezone(NY):%A}" in eighth.voicemail
    assert eighth.next_call_at == services.history(db, pid)[1].next_due_at


# --- offered times, kept ---------------------------------------------------------------------------

def test_the_email_offers_real_times_and_a_picked_one_becomes_the_call(db, add):
    pid = add("follow-up-series", at(11, 24, 9), appointment="2026-11-24 14:00")
    services.log_outcome(db, pid, "voicemail", at(11, 24, 14))
    services.log_outcome(db, pid, "voicemail", at(11, 24, 14, 15))
    email = script(db, pid, at(11, 24, 14, 20))
    assert email.offers == (at(11, 25, 14), at(11, 26, 10), at(11, 26, 14))  # tomorrow 10 a.m. is the call
    assert "1. Wednesday, November 25 at 2 p.m.\n2. Thursday, November 26 at 10 a.m.\n3. Thursday, November 26 " \
           "at 2 p.m." in email.body
    services.log_outcome(db, pid, "sent", at(11, 24, 14, 20))
    assert script(db, pid, at(11, 24, 16)).pickable == email.offers
    with pytest.raises(InvalidInput, match="1-3"):
        services.pick_offered(db, pid, 4, at(11, 24, 16))
    result = services.pick_offered(db, pid, 2, at(11, 24, 16))
    assert result.next_due_at == at(11, 26, 10) and services.history(db, pid)[1].pinned
    picked = script(db, pid, at(11, 26, 10))
    assert picked.callback and "I'm calling at the time you picked." in picked.voicemail
    assert "calling back" not in picked.voicemail and picked.pickable == ()
    services.undo_last(db, prospect_id=pid)
    assert due(db, pid) == at(11, 25, 10)


def test_picking_with_nothing_offered_is_refused(db, add):
    pid = add("zero-to-ten", at(11, 24, 9))
    with pytest.raises(InvalidInput, match="no offered times"):
        services.pick_offered(db, pid, 1, at(11, 24, 9))


# --- appointment cadences without an appointment -----------------------------------------------

def test_appointment_cadences_without_an_appointment_leave_it_out_and_import_warns(db, write_csv):
    path = write_csv([{"First Name": "Eve", "Phone": "+1 212 555 0115", "Cadence": "three-step",
                       "Time Zone": "America/New_York"}], header=HEADER)
    report = services.import_csv(db, path, now=at(11, 24, 9))
    assert report.warnings == ("line 2: three-step expects an appointment time; none given, so its scripts "
                               "leave it out",)
    card = services.call_card(db, 1, at(11, 24, 9))
    assert "booked" not in card.script.voicemail and "scheduled" not in card.script.voicemail
    assert "I'm sorry to have missed you." in card.script.voicemail


# --- a voicemail where the step says to leave none -------------------------------------------------

def test_a_voicemail_on_a_no_message_step_is_kept_noted_and_warned(db, add):
    pid = add("money-in-follow-up", at(11, 23, 10))
    result = services.log_outcome(db, pid, "voicemail", at(11, 23, 16))
    assert result.warnings == ("step 1 of money-in-follow-up says not to leave a message: logged as a voicemail "
                               "anyway, noted on the attempt",)
    attempt = services.history(db, pid)[2][-1]
    assert (attempt.outcome, attempt.note) == ("voicemail", "voicemail left although the step says not to leave one")
    services.set_urgent(db, pid, True, at(11, 24, 7))
    assert services.log_outcome(db, pid, "voicemail", at(11, 24, 8)).warnings == ()


# --- voicemails short enough to leave ------------------------------------------------------------

def test_every_builtin_voicemail_takes_20_to_30_seconds_at_most(tmp_path):
    counts = []
    for cadence in ("three-step", "follow-up-series", "voicemail-challenge", "zero-to-ten", "money-in-follow-up"):
        situations = list(simulate.situations(cadence, days=(0, 2), paths=("voicemail", "callback", "picked")))
        for walk in simulate.simulate(cadence, tmp_path, situations):
            counts += [len(s.voicemail.split()) for s in walk.scripts if s is not None and s.voicemail]
    assert counts and max(counts) <= MAX_VOICEMAIL_WORDS and min(counts) >= 10


def test_attempts_keep_what_the_message_promised(db, add):
    pid = add("zero-to-ten", at(11, 24, 10))
    services.log_outcome(db, pid, "voicemail", at(11, 24, 10))
    services.log_outcome(db, pid, "sent", at(11, 24, 10, 5))
    rows = engines.rows(db, "SELECT outcome, promised_at FROM attempts ORDER BY id")
    assert rows == [("voicemail", "2026-11-24T18:00:00+00:00"), ("sent", "2026-11-24T18:00:00+00:00")]
