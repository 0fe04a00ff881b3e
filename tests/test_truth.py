"""The script-truth checker catches each untrue sentence issue 8 found, and passes the true ones.

Each test builds the walk the issue describes (what was shown, what the rep did, what the
store then held) and asserts what ``truth.check_walk`` says about it.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from dialdeck.hours import CallingWindow
from dialdeck.truth import Act, Record, check_walk, sentences

NY = ZoneInfo("America/New_York")
RECORD = Record(zone=NY, window=CallingWindow(start=time(8), end=time(21)))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=NY)


def call(when: datetime, outcome: str = "voicemail", *, due: datetime | None = None, step: int = 1,
         next_call: datetime | None = None, callback: datetime | None = None, appointment_step: bool = False,
         **texts: str) -> Act:
    return Act(at=when, due_at=due or when, step=step, action="call", outcome=outcome, texts=texts,
               delivered=outcome == "voicemail", callback_at=callback, next_call_after=next_call,
               cadence="c", appointment_step=appointment_step)


def email(when: datetime, *, step: int, next_call: datetime | None = None, offers=(), **texts: str) -> Act:
    return Act(at=when, due_at=when, step=step, action="email", outcome="sent", texts=texts, delivered=True,
               next_call_after=next_call, offers=tuple(offers), cadence="c")


def reasons(acts: list[Act], record: Record = RECORD) -> list[str]:
    return [f"{f.step} {f.field}: {f.reason}" for f in check_walk(record, acts) if not f.warning]


# --- "as promised" when nothing was promised ---------------------------------------------------

def test_as_promised_after_a_no_answer_is_caught():
    booked = RECORD.__class__(**{**RECORD.__dict__, "appointment_at": at(24, 14)})
    acts = [call(at(24, 14), "no-answer", appointment_step=True),
            call(at(24, 14, 15), step=2, voicemail="Hi Ana, Sam again, as promised.")]
    assert reasons(acts, booked) == ["2 voicemail: claims a kept promise, but no promise was made for this call"]


def test_as_promised_hours_or_days_late_is_caught_and_on_time_passes():
    made = call(at(24, 10), step=1, next_call=at(24, 10, 15), voicemail="Hi Ana. I'll call you again in 15 minutes.")
    for late, verdict in ((at(24, 15, 15), "late"), (at(26, 10, 15), "late"), (at(24, 10, 20), None)):
        kept = call(late, step=2, due=at(24, 10, 15), voicemail="Hi Ana, Sam again, as promised.")
        expected = [f"2 voicemail: claims a kept promise, but the call is {verdict}"] if verdict else []
        assert reasons([made, kept]) == expected, late


def test_as_promised_on_monday_names_a_day_that_is_not_a_fact():
    made = call(at(25, 10), next_call=at(27, 16), voicemail="Hi Ana. I'll call you back Friday at 4 p.m.")
    kept = call(at(27, 16), step=2, talk_track="Hi Ana, Sam, calling as promised on Monday.")
    assert reasons([made, kept]) == ["2 talk_track: says 'on Monday' without saying what happened then"]


# --- a callback agreed on a call ---------------------------------------------------------------

def test_missed_appointment_words_on_an_agreed_callback_are_caught():
    booked = RECORD.__class__(**{**RECORD.__dict__, "appointment_at": at(24, 14)})
    spoke = call(at(24, 14), "connected", callback=at(25, 11), appointment_step=True)
    again = call(at(25, 11), due=at(25, 11), voicemail="Hi Ana. We had a call booked for yesterday at 2 p.m. "
                 "and I'm sorry we missed each other.", talk_track="Thanks for getting in touch with us.")
    assert reasons([spoke, again], booked) == [
        "1 voicemail: first-touch or missed-call words after a conversation",
        "1 talk_track: first-touch or missed-call words after a conversation",
    ]
    right = call(at(25, 11), due=at(25, 11), voicemail="Hi Ana. I'm calling back as we agreed. Sorry to miss you.")
    assert reasons([spoke, right], booked) == []
    late = call(at(25, 14), due=at(25, 11), voicemail="Hi Ana. I'm calling back as we agreed.")
    assert reasons([spoke, late], booked) == ["1 voicemail: says 'as agreed' but the callback is late"]


def test_calling_back_without_an_agreed_callback_is_caught():
    assert reasons([call(at(24, 10), talk_track="Hi Ana, I'm calling back as we agreed.")]) == [
        "1 talk_track: speaks of an agreed callback that was never agreed"]


# --- times and relative days -------------------------------------------------------------------

def test_a_promised_time_must_be_the_one_the_store_holds():
    wrong = call(at(25, 10), next_call=at(25, 16), voicemail="Hi Ana. I'll call you back today at 4 p.m.")
    assert reasons([wrong]) == []
    moved = call(at(25, 10), next_call=at(27, 16), voicemail="Hi Ana. I'll call you back today at 4 p.m.")
    assert reasons([moved]) == ["1 voicemail: promises Wed 25 Nov 16:00 but the store holds Fri 27 Nov 16:00"]
    outside = call(at(25, 20, 50), next_call=at(26, 8), voicemail="Hi Ana. I'll try you again in 15 minutes.")
    found = reasons([outside])
    assert "1 voicemail: promises a call outside the prospect's calling hours" in found


def test_this_morning_for_an_email_sent_yesterday_afternoon_is_caught():
    sent = email(at(23, 15, 31), step=2, body="Hi Ana")
    said = call(at(24, 11), step=5, voicemail="Hi Ana. I sent you an email this morning.")
    assert reasons([sent, said]) == ["5 voicemail: says 'this morning' but the email was Mon 23 Nov 15:31"]
    right = call(at(24, 11), step=5, voicemail="Hi Ana. I sent you an email yesterday afternoon.")
    assert reasons([sent, right]) == []


def test_today_got_busy_the_next_morning_and_later_in_the_year_are_caught():
    busy = call(at(25, 8), step=2, voicemail="Hi Ana, Sam again. Looks like today got busy.")
    assert reasons([busy]) == ["2 voicemail: says 'today' with nothing in the walk it refers to"]
    year = call(at(25, 11), step=8, voicemail="Hi Ana. I'll check back later in the year.")
    assert reasons([year]) == ["8 voicemail: says 'later in the year' with nothing in the walk it refers to"]
    asked = call(at(25, 11), step=8, talk_track="Is it better if I check back next quarter?")
    assert reasons([asked]) == []  # a question asserts nothing


def test_finishing_something_up_needs_the_next_call_within_the_hour():
    night = call(at(23, 20, 50), next_call=at(24, 8),
                 voicemail="Hi Ana. I'll try you again tomorrow at 8 a.m., in case you're just finishing something up.")
    assert reasons([night]) == ["1 voicemail: speaks as if the next call were minutes away, but it is not"]


# --- promises of an email ----------------------------------------------------------------------

def test_an_email_with_a_few_times_must_offer_them():
    said = call(at(24, 14, 15), step=2, next_call=at(25, 10),
                voicemail="Hi Ana. I'm sending you an email now with a few times that might suit better.")
    bare = email(at(24, 14, 16), step=3, body="Hi Ana, sorry we missed each other.")
    assert reasons([said, bare]) == ["2 voicemail: promises an email with a few times, but it offers none"]
    offered = email(at(24, 14, 16), step=3, offers=(at(25, 14), at(26, 10)),
                    body="Hi Ana,\n\n1. Wednesday, November 25 at 2 p.m.\n2. Thursday, November 26 at 10 a.m.")
    assert reasons([said, offered]) == []
    no_address = RECORD.__class__(**{**RECORD.__dict__, "email": False})
    assert "2 voicemail: promises an email to a prospect with no email address" in reasons([said, offered], no_address)


def test_offered_times_outside_the_hours_are_caught():
    offered = email(at(24, 14), step=3, offers=(at(25, 22),), body="1. Wednesday, November 25 at 10 p.m.")
    assert reasons([offered]) == ["3 body: offers a time that is past, outside the calling hours or at a weekend"]


# --- invented facts ----------------------------------------------------------------------------

def test_a_referral_without_a_referrer_is_caught():
    said = call(at(24, 10), voicemail="Hi Ana. A colleague at one of our clients suggested I give you a call.")
    assert reasons([said]) == ["1 voicemail: claims a referral, but no referrer is on file"]
    referred = RECORD.__class__(**{**RECORD.__dict__, "referrer": "Bo Chen"})
    assert reasons([said], referred) == []


def test_results_nobody_recorded_are_caught_and_the_reps_benefit_passes():
    said = call(at(24, 10), voicemail="Hi Ana. The first thing Moss Logistics noticed was hours every week back.")
    assert reasons([said]) == ["1 voicemail: states a result nobody recorded (only the benefit the rep wrote may)"]
    written = RECORD.__class__(**{**RECORD.__dict__, "benefit": "the first thing Moss Logistics noticed was hours "
                                                                 "every week back"})
    assert reasons([call(at(24, 10), voicemail="Hi Ana. One idea: the first thing Moss Logistics noticed was "
                                               "hours every week back.")], written) == []


def test_invented_urgency_is_caught_and_the_reps_reason_passes():
    held = call(at(24, 16), voicemail="Hi Ana. I'm holding your start date, or it goes to someone else.")
    priced = call(at(24, 16), voicemail="Hi Ana. The pricing was set for this month.")
    for act in (held, priced):
        assert "1 voicemail: states a deadline, a price or a held date nobody recorded" in reasons([act])
    pressed = call(at(24, 16), voicemail="Hi Ana. I need an answer on something that can't wait.")
    assert reasons([pressed]) == ["1 voicemail: presses urgency, but the rep did not mark it urgent"]
    urgent = RECORD.__class__(**{**RECORD.__dict__, "urgent": True, "urgent_reason": "your start date is held until Friday"})
    assert reasons([call(at(24, 16), voicemail="Hi Ana. I'm calling because your start date is held until Friday. "
                                               "It can't wait.")], urgent) == []


def test_a_booking_without_an_appointment_is_caught():
    said = call(at(24, 10), voicemail="Hi Ana. We had a call booked for our scheduled time.")
    assert reasons([said]) == ["1 voicemail: speaks of a booked call, but no appointment is on file"]


def test_a_talk_track_never_thanks_them_for_calling_back():
    said = call(at(24, 16), "no-answer", talk_track="Thanks for calling back, Ana. What would you need?")
    assert reasons([said]) == ["1 talk_track: thanks them for calling back, on the rep's own call"]


def test_last_call_claims_need_no_call_after():
    last = call(at(24, 10), step=9, voicemail="Hi Ana. This is my last call about it.")
    more = call(at(25, 10), step=10, voicemail="Hi Ana.")
    assert reasons([last, more]) == ["9 voicemail: says this is the last, but more calls follow"]
    assert reasons([last]) == []


def test_long_voicemails_are_a_warning_not_a_falsehood():
    long = call(at(24, 10), voicemail="Hi Ana. " + "word " * 80)
    found = check_walk(RECORD, [long])
    assert [f.warning for f in found] == [True] and "longer than about 30 seconds" in found[0].reason


def test_sentences_keep_a_time_whole():
    assert sentences("I'll try you Wednesday at 4 p.m. to tell you more. Thanks.") == [
        "I'll try you Wednesday at 4 p.m. to tell you more.", "Thanks."]
