"""The five built-in cadences, simulated attempt by attempt on a real calendar.

The calendar is autumn 2026: Monday 2026-10-26 starts the week; US clocks fall back on
Sunday 2026-11-01 (EDT -04:00 -> EST -05:00), so some runs cross the change.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from dialdeck import paths
from dialdeck.cadence import load_library
from dialdeck.errors import InvalidInput
from dialdeck.facts import ScriptFacts, Touch
from dialdeck.hours import CallingWindow, is_callable
from dialdeck.phrases import phrase_time
from dialdeck.schedule import (
    Context,
    Position,
    apply_disposition,
    apply_outcome,
    current_step,
    enroll,
)
from dialdeck.scripts import render_script

NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
UTC = ZoneInfo("UTC")
CHICAGO = ZoneInfo("America/Chicago")
TEXAS = CallingWindow(start=time(9), end=time(21), rule="US-TX")  # the state rule: calls from 09:00
LIBRARY = load_library(paths.builtin_cadence_dir(), None)
FIELDS = {
    "first_name": "Ana", "last_name": "Souza", "company": "Northwind", "rep_name": "Sam Reyes",
    "rep_phone": "+1 212 555 0100", "rep_company": "Dialdeck Co", "referrer": "Bo Chen",
    "referrer_company": "Contoso", "appointment": "2 p.m.",
}


def at(zone: ZoneInfo, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=zone)


class Prospect:
    """A prospect worked by a rep who logs outcomes: keeps the position, the call history and the
    facts the store would hold (what each message promised, callbacks), as the services do."""

    def __init__(self, cadence: str, now: datetime, *, zone: ZoneInfo = NY, temperature: str = "warm",
                 value: float | None = 5000.0, appointment: datetime | None = None, referrer: bool = True,
                 email: bool = True, benefit: str = "", urgent: bool = False):
        self.ctx = Context(zone=zone, window=CallingWindow(), temperature=temperature, value=value,
                           appointment_at=appointment, recent_attempts=(), has_email=email)
        self.facts = ScriptFacts(referrer=FIELDS["referrer"] if referrer else "",
                                 referrer_company=FIELDS["referrer_company"] if referrer else "",
                                 appointment_at=appointment, has_email=email, benefit=benefit, urgent=urgent)
        self.calls: list[datetime] = []
        self.touches: list[Touch] = []
        self.pos = enroll(LIBRARY, cadence, self.ctx, now)

    def context(self) -> Context:
        return replace(self.ctx, recent_attempts=tuple(self.calls))

    def known(self) -> ScriptFacts:
        return replace(self.facts, touches=tuple(self.touches))

    def script(self, now: datetime):
        return render_script(LIBRARY, self.pos, self.context(), self.known(), FIELDS, now)

    def log(self, outcome: str, now: datetime):
        step = current_step(LIBRARY, self.pos, self.context())
        shown = self.script(now)
        named = {"voicemail": ("voicemail",), "sent": ("subject", "body")}.get(outcome, ())
        said = any(key in shown.next_call_in for key in named)
        transition = apply_outcome(LIBRARY, self.pos, self.context(), outcome, now, said_next_call=said)
        if step.action == "call":
            self.calls.append(now)
        self.touches.append(Touch(at=now, step=self.pos.step_index + 1, action=step.action, outcome=outcome,
                                  promised_at=shown.next_call_at if said else None,
                                  offered=shown.offers if outcome == "sent" else ()))
        self.pos = transition.position
        return transition

    def decide(self, disposition: str, now: datetime, callback_at: datetime | None = None):
        self.pos = apply_disposition(LIBRARY, self.pos, self.context(), disposition, now, callback_at).position
        if disposition == "callback":
            self.touches[-1] = replace(self.touches[-1], disposition=disposition, callback_at=callback_at)
        return self.pos

    def due_local(self) -> datetime:
        return self.pos.next_due_at.astimezone(self.ctx.zone)

    @property
    def step(self) -> int:
        return self.pos.step_index + 1

    def work_through(self, outcome: str = "voicemail") -> None:
        """Complete the current step the moment it comes due."""
        action = current_step(LIBRARY, self.pos, self.context()).action
        done = {"call": outcome, "email": "sent", "social": "done", "task": "done"}[action]
        self.log(done, self.pos.next_due_at)


def test_all_five_builtins_are_shipped():
    assert sorted(LIBRARY) == ["follow-up-series", "money-in-follow-up", "three-step",
                               "voicemail-challenge", "zero-to-ten"]


# --- three-step -------------------------------------------------------------------------------


def test_three_step_runs_day_0_1_2_at_the_agreed_hour_then_finishes_for_good():
    ana = Prospect("three-step", at(NY, 10, 26, 9), appointment=at(NY, 10, 26, 14))
    assert ana.due_local() == at(NY, 10, 26, 14) and ana.pos.pinned
    script = ana.script(at(NY, 10, 26, 14))
    assert "a call booked for 2 p.m. and" in script.voicemail and "+1 212 555 0100" in script.voicemail
    assert script.tip.startswith("Keep the tone neutral")

    ana.log("voicemail", at(NY, 10, 26, 14, 3))
    assert (ana.step, ana.due_local(), ana.pos.pinned) == (2, at(NY, 10, 27, 14, 3), False)
    script = ana.script(ana.pos.next_due_at)
    assert "don't want to take up your time" in script.voicemail and script.tip.startswith("Keep the tone neutral")

    ana.log("voicemail", at(NY, 10, 27, 14, 10))
    assert (ana.step, ana.due_local()) == (3, at(NY, 10, 28, 14, 10))
    script = ana.script(ana.pos.next_due_at)
    assert "won't call you about this again" in script.voicemail and script.tip.startswith("Keep the tone neutral")

    ana.log("voicemail", at(NY, 10, 28, 14, 12))
    assert ana.pos.status == "finished" and ana.pos.next_due_at is None
    with pytest.raises(InvalidInput, match="finished"):
        ana.log("voicemail", at(NY, 10, 29, 9))


def test_three_step_over_a_weekend_and_the_dst_change_keeps_the_local_hour():
    ana = Prospect("three-step", at(NY, 10, 30, 8), appointment=at(NY, 10, 30, 15))  # a Friday
    ana.log("voicemail", at(NY, 10, 30, 15))
    # Next business day is Monday, after clocks fell back: still 3 p.m. local, now 20:00 UTC.
    assert ana.due_local() == at(NY, 11, 2, 15)
    assert ana.pos.next_due_at.astimezone(UTC).hour == 20


def test_three_step_after_the_appointment_has_passed_is_due_now_not_pinned():
    now = at(NY, 10, 26, 16)
    ana = Prospect("three-step", now, appointment=at(NY, 10, 26, 14))
    assert ana.pos.next_due_at == now and not ana.pos.pinned


def test_three_step_no_answer_retries_once_at_another_time_of_day_then_moves_on():
    ana = Prospect("three-step", at(NY, 10, 26, 9), appointment=at(NY, 10, 26, 14))
    ana.log("no-answer", at(NY, 10, 26, 14, 1))  # afternoon: retry in the evening slot
    assert (ana.step, ana.pos.retries, ana.due_local()) == (1, 1, at(NY, 10, 26, 18))
    ana.log("no-answer", at(NY, 10, 26, 18, 5))  # retries used up: advance
    assert (ana.step, ana.pos.retries, ana.due_local()) == (2, 0, at(NY, 10, 27, 18, 5))


# --- voicemail-challenge ----------------------------------------------------------------------


@pytest.mark.parametrize("zone", [NY, LA, ZoneInfo("America/Chicago"), ZoneInfo("Pacific/Honolulu")])
def test_voicemail_challenge_promises_are_the_instants_the_scheduler_stores(zone):
    monday = at(zone, 10, 26, 10)
    ana = Prospect("voicemail-challenge", monday, zone=zone)
    assert ana.due_local() == monday

    script = ana.script(monday)
    assert "Bo Chen at Contoso suggested" in script.voicemail
    assert "+1 212" not in script.voicemail  # Monday: no phone number
    assert script.voicemail.endswith("I'll call you back Wednesday at 4 p.m.")
    ana.log("voicemail", monday)
    assert ana.pos.next_due_at == script.next_call_at
    assert ana.due_local() == at(zone, 10, 28, 16) and ana.pos.pinned

    expected = [  # (local due time, what the message promises next)
        (at(zone, 10, 28, 16), "Friday at 8 a.m."),
        (at(zone, 10, 30, 8), "Tuesday at 10 a.m."),  # across the DST change
        (at(zone, 11, 3, 10), "Thursday at 2 p.m."),
        (at(zone, 11, 5, 14), "Tuesday at 11 a.m."),
        (at(zone, 11, 10, 11), "Thursday at 3 p.m."),
    ]
    for due, promise in expected:
        assert ana.due_local() == due
        script = ana.script(due)
        assert f"{promise}" in script.voicemail, script.voicemail
        ana.log("voicemail", due)
        assert ana.pos.next_due_at == script.next_call_at
        assert phrase_time(ana.pos.next_due_at, zone, due) == promise
        assert ana.pos.pinned
    assert ana.due_local() == at(zone, 11, 12, 15)
    last = ana.script(ana.pos.next_due_at)
    assert last.next_call_at is None and "+1 212 555 0100" in last.voicemail
    ana.log("voicemail", ana.pos.next_due_at)
    assert ana.pos.status == "finished" and ana.pos.next_due_at is None


def test_voicemail_challenge_in_texas_promises_friday_at_9_and_stores_it():
    # Texas allows calls from 09:00: "Friday at 8 a.m." would be a promise the queue never shows.
    ann = Prospect("voicemail-challenge", at(CHICAGO, 10, 26, 10), zone=CHICAGO)
    ann.ctx = replace(ann.ctx, window=TEXAS)
    ann.work_through()
    wednesday = ann.pos.next_due_at
    script = ann.script(wednesday)
    assert script.voicemail.endswith("I'll try you Friday at 9 a.m. to tell you about it.")
    ann.log("voicemail", wednesday)
    assert ann.due_local() == at(CHICAGO, 10, 30, 9) == script.next_call_at and ann.pos.pinned


def test_voicemail_challenge_friday_message_leaves_the_number():
    ana = Prospect("voicemail-challenge", at(NY, 10, 26, 10))
    ana.work_through()
    ana.work_through()
    assert ana.due_local() == at(NY, 10, 30, 8)
    assert "My number is +1 212 555 0100" in ana.script(ana.pos.next_due_at).voicemail


@pytest.mark.parametrize("day, promise, step_2, step_3", [
    # Started on any weekday: three calls two working days apart, each message naming the real day.
    (26, "Wednesday at 4 p.m.", at(NY, 10, 28, 16), at(NY, 10, 30, 8)),  # Monday
    (27, "Thursday at 4 p.m.", at(NY, 10, 29, 16), at(NY, 11, 2, 8)),  # Tuesday
    (28, "Friday at 4 p.m.", at(NY, 10, 30, 16), at(NY, 11, 3, 8)),  # Wednesday (issue 8's example)
    (29, "Monday at 4 p.m.", at(NY, 11, 2, 16), at(NY, 11, 4, 8)),  # Thursday
    (30, "Tuesday at 4 p.m.", at(NY, 11, 3, 16), at(NY, 11, 5, 8)),  # Friday
])
def test_voicemail_challenge_keeps_its_rhythm_whatever_the_start_day(day, promise, step_2, step_3):
    ana = Prospect("voicemail-challenge", at(NY, 10, day, 10))
    first = ana.script(at(NY, 10, day, 10))
    assert first.voicemail.endswith(f"I'll call you back {promise}")
    assert "today" not in first.voicemail
    ana.log("voicemail", at(NY, 10, day, 10))
    assert (ana.step, ana.due_local(), ana.pos.pinned) == (2, step_2, True)
    second = ana.script(step_2)
    assert "calling as promised" in second.voicemail and "calling as promised." in second.talk_track
    assert "Monday" not in second.talk_track  # never "as promised on Monday" whatever the day was
    ana.log("voicemail", step_2)
    assert (ana.step, ana.due_local()) == (3, step_3)


def test_voicemail_challenge_step_2_after_no_message_promises_nothing():
    ana = Prospect("voicemail-challenge", at(NY, 10, 28, 10))
    ana.log("no-answer", at(NY, 10, 28, 10))  # retried at another time of day...
    ana.log("no-answer", ana.pos.next_due_at)  # ...then on to step 2, no message ever left
    second = ana.script(ana.pos.next_due_at)
    assert ana.step == 2 and "promised" not in second.voicemail and "promised" not in second.talk_track


def test_voicemail_challenge_without_a_referrer_invents_none():
    for temperature in ("warm", "cold"):
        ana = Prospect("voicemail-challenge", at(NY, 10, 26, 10), temperature=temperature, referrer=False)
        script = ana.script(at(NY, 10, 26, 10))
        for text in (script.voicemail, script.talk_track):
            assert "suggested" not in text and "colleague" not in text and "clients" not in text
        assert "Wednesday at 4 p.m." in script.voicemail


def test_voicemail_challenge_states_results_only_from_the_benefit_the_rep_wrote():
    def fourth(**kwargs) -> str:
        ana = Prospect("voicemail-challenge", at(NY, 10, 26, 10), **kwargs)
        for _ in range(3):
            ana.work_through()
        return ana.script(ana.pos.next_due_at).voicemail

    assert "Contoso" not in fourth() and "noticed" not in fourth() and "?" in fourth()
    written = fourth(benefit="clinics like yours cut no-shows by a third")
    assert "One idea for you: clinics like yours cut no-shows by a third." in written


# --- follow-up-series -------------------------------------------------------------------------


def test_follow_up_series_from_the_booked_call_to_the_end_of_the_series():
    ana = Prospect("follow-up-series", at(NY, 10, 26, 9), appointment=at(NY, 10, 27, 14))
    assert ana.due_local() == at(NY, 10, 27, 14) and ana.pos.pinned
    first = ana.script(at(NY, 10, 27, 14, 2))
    for part in ("YOU", "ME", "NEXT STEP", "Does that make sense?"):
        assert part in first.talk_track
    assert "booked for 2 p.m." in first.voicemail and "again in 15 minutes" in first.voicemail

    ana.log("voicemail", at(NY, 10, 27, 14, 2))
    # The promised second try, exempt from the cooldown.
    assert (ana.step, ana.due_local(), ana.pos.pinned) == (2, at(NY, 10, 27, 14, 17), True)
    second = ana.script(at(NY, 10, 27, 14, 17))
    assert second.voicemail.startswith("Hi Ana, Sam Reyes again, as promised.")
    assert "again tomorrow at 10 a.m." in second.voicemail and "email now with a few times" in second.voicemail

    ana.log("voicemail", at(NY, 10, 27, 14, 17))
    assert ana.step == 3 and ana.due_local() == at(NY, 10, 27, 14, 17)
    email = ana.script(at(NY, 10, 27, 14, 20))
    assert email.action == "email" and email.subject == "Finding a time that suits, Ana"
    assert "I'll try you again tomorrow at 10 a.m." in email.body
    # The "few times" the message promised: real ones, in her hours, none the call already set.
    assert email.offers == (at(NY, 10, 28, 14), at(NY, 10, 29, 10), at(NY, 10, 29, 14))
    assert "1. Wednesday, October 28 at 2 p.m.\n2. Thursday, October 29 at 10 a.m." in email.body
    ana.log("sent", at(NY, 10, 27, 14, 20))
    assert ana.pos.next_due_at == second.next_call_at == at(NY, 10, 28, 10)
    fourth = ana.script(ana.pos.next_due_at).voicemail
    assert "I'll send you a short email with a few times" in fourth

    ana.work_through()
    assert ana.step == 5  # second email
    ana.work_through()
    assert (ana.step, ana.due_local()) == (6, at(NY, 10, 30, 16))  # 2 business days, 16:00
    ana.work_through()
    assert (ana.step, ana.due_local()) == (7, at(NY, 11, 4, 9, 30))  # Fri + 3 business days, EST
    ana.work_through()
    assert (ana.step, ana.due_local()) == (8, at(NY, 11, 11, 11))
    ana.work_through()
    assert (ana.step, ana.due_local()) == (9, at(NY, 11, 18, 15))
    assert "this is my last call about it" in ana.script(ana.pos.next_due_at).voicemail
    ana.work_through()
    assert ana.pos.status == "finished" and ana.pos.next_due_at is None


def test_follow_up_series_has_seven_voicemails_and_two_emails():
    steps = LIBRARY["follow-up-series"].steps
    assert sum(1 for s in steps if s.action == "call" and s.voicemail) == 7
    assert sum(1 for s in steps if s.action == "email") == 2


def test_follow_up_series_cold_lead_skips_a_voicemail():
    ana = Prospect("follow-up-series", at(NY, 10, 26, 9), temperature="cold", appointment=at(NY, 10, 27, 14))
    for _ in range(6):
        ana.work_through()
    assert ana.step == 7
    ana.work_through()
    assert (ana.step, ana.due_local()) == (9, at(NY, 11, 11, 15))


# --- money-in-follow-up -----------------------------------------------------------------------


ROTATION = [
    at(NY, 10, 26, 16),  # late afternoon: the rotation starts with the first call
    at(NY, 10, 27, 8),  # morning
    at(NY, 10, 28, 11),  # midday
    at(NY, 10, 29, 16),  # late afternoon
    at(NY, 11, 2, 8),  # two business days later: Monday morning, after the weekend and DST
    at(NY, 11, 4, 11),
    at(NY, 11, 6, 16),
    at(NY, 11, 11, 8),
    at(NY, 11, 16, 11),
    at(NY, 11, 19, 16),
]


def test_money_in_rotates_the_time_of_day_and_never_leaves_a_message_unless_urgent():
    ana = Prospect("money-in-follow-up", at(NY, 10, 26, 10))  # Monday
    seen = []
    while ana.pos.status == "active":
        script = ana.script(ana.pos.next_due_at)
        seen.append((ana.due_local(), script.voicemail, script.urgent, script.tip))
        ana.work_through("no-answer")
    assert [due for due, *_ in seen] == ROTATION
    assert all(voicemail is None and not urgent for _d, voicemail, urgent, _t in seen)
    assert all("press !" in tip or "no message" in tip.lower() for *_x, tip in seen)


def test_money_in_marked_urgent_offers_the_message_at_every_step_and_invents_no_deadline():
    ana = Prospect("money-in-follow-up", at(NY, 10, 26, 10), urgent=True)
    while ana.pos.status == "active":
        script = ana.script(ana.pos.next_due_at)
        assert script.urgent and script.voicemail is not None
        assert "can't wait" in script.voicemail and "call me back today" in script.voicemail.lower()
        for text in (script.voicemail, script.talk_track):
            for invented in ("start date", "someone else", "pricing", "this month", "closing out"):
                assert invented not in text
            assert "thanks for calling" not in text.lower() and "getting back to me" not in text.lower()
        ana.work_through("voicemail")
    reason = Prospect("money-in-follow-up", at(NY, 10, 26, 10), urgent=True)
    reason.facts = replace(reason.facts, urgent_reason="your booking is only held until Friday")
    assert "I'm calling because your booking is only held until Friday." in reason.script(at(NY, 10, 26, 16)).voicemail


@pytest.mark.parametrize("hour", [8, 10, 12, 15, 17, 19])
def test_money_in_never_calls_twice_in_a_row_at_the_same_time_of_day(hour):
    ana = Prospect("money-in-follow-up", at(NY, 10, 26, hour))
    slots = []
    while ana.pos.status == "active":
        slots.append(_slot_of(ana.due_local()))
        ana.work_through("no-answer")
    assert all(a != b for a, b in zip(slots, slots[1:], strict=False)), slots


def _slot_of(local: datetime) -> str:
    """morning, midday or afternoon (late afternoon counted with the afternoon)."""
    return "morning" if local.hour < 11 else "midday" if local.hour < 14 else "afternoon"


# --- zero-to-ten ------------------------------------------------------------------------------


def test_zero_to_ten_warm_lead_full_pace():
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 7))  # before hours on a Monday
    assert ana.due_local() == at(NY, 10, 26, 8)  # day 0 morning
    first = ana.script(at(NY, 10, 26, 8, 5))
    assert "I'll try you again today at 11:05 a.m." in first.voicemail  # three hours on
    ana.log("voicemail", at(NY, 10, 26, 8, 5))
    assert current_step(LIBRARY, ana.pos, ana.context()).action == "email"
    assert ana.due_local() == at(NY, 10, 26, 8, 5)  # straight after the call
    ana.log("sent", at(NY, 10, 26, 8, 6))
    assert current_step(LIBRARY, ana.pos, ana.context()).action == "social"
    assert "LinkedIn" in ana.script(at(NY, 10, 26, 8, 6)).instructions
    ana.log("done", at(NY, 10, 26, 8, 7))
    assert (ana.step, ana.due_local()) == (4, at(NY, 10, 26, 11, 5))  # the day-0 retry, as promised
    assert ana.pos.next_due_at == first.next_call_at
    fourth = ana.script(at(NY, 10, 26, 11, 5))
    assert "I sent you an email this morning." in fourth.voicemail and "I tried you this morning." in fourth.talk_track

    ana.log("voicemail", at(NY, 10, 26, 11, 5))
    assert (ana.step, ana.due_local()) == (5, at(NY, 10, 27, 11, 5))  # day 1 midday
    ana.log("voicemail", at(NY, 10, 27, 11, 1))
    assert ana.step == 6  # second email
    ana.log("sent", at(NY, 10, 27, 11, 2))
    expected = [
        (7, at(NY, 10, 30, 11, 2)),  # 3 days after the previous attempt
        (8, at(NY, 11, 4, 11, 2)),  # 5 days later, across the DST change: same local time
        (9, at(NY, 11, 11, 11, 2)),  # 7 days later
        (10, at(NY, 11, 23, 8)),  # 10 days later is a Saturday: Monday when hours open
        (11, at(NY, 11, 24, 8)),  # the re-evaluation task, next business day
    ]
    for step, due in expected:
        assert (ana.step, ana.due_local()) == (step, due)
        ana.work_through()
    assert ana.pos.status == "finished" and ana.pos.next_due_at is None


def test_zero_to_ten_cold_and_low_value_leads_get_the_lighter_pace():
    for temperature, value in (("cold", 9000.0), ("warm", 500.0)):
        ana = Prospect("zero-to-ten", at(NY, 10, 26, 9), temperature=temperature, value=value)
        steps = []
        while ana.pos.status == "active":
            steps.append(ana.step)
            ana.work_through()
        assert steps == [1, 2, 5, 7, 9, 10, 11], (temperature, value)


def test_zero_to_ten_lead_at_15_30_keeps_both_day_0_calls_and_says_yesterday_afternoon():
    # Issue 8: a lead arriving at 15:30 lost its second day-0 call, and the next day's message
    # said "I sent you an email this morning" about yesterday afternoon's.
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 15, 30))
    assert ana.due_local() == at(NY, 10, 26, 15, 30)
    script = ana.script(at(NY, 10, 26, 15, 30))
    assert "I'll try you again today at 6:30 p.m." in script.voicemail
    ana.log("voicemail", at(NY, 10, 26, 15, 30))
    ana.log("sent", at(NY, 10, 26, 15, 31))
    ana.log("done", at(NY, 10, 26, 15, 32))
    assert (ana.step, ana.due_local(), ana.pos.pinned) == (4, at(NY, 10, 26, 18, 30), True)
    assert "I sent you an email this afternoon." in ana.script(at(NY, 10, 26, 18, 30)).voicemail
    # Rung out at 18:30 without a message, the next call is the next day at midday: "yesterday".
    ana.log("no-answer", at(NY, 10, 26, 18, 30))
    nxt = ana.script(ana.pos.next_due_at)
    assert ana.due_local() == at(NY, 10, 27, 11)
    assert "the email I sent you yesterday afternoon." in nxt.voicemail
    late = Prospect("zero-to-ten", at(NY, 10, 26, 15, 30))
    late.log("voicemail", at(NY, 10, 26, 15, 30))
    late.log("sent", at(NY, 10, 26, 15, 31))
    late.log("done", at(NY, 10, 26, 15, 32))
    # The rep works the day-0 retry the next morning instead: the email was yesterday afternoon.
    assert "I sent you an email yesterday afternoon." in late.script(at(NY, 10, 27, 9)).voicemail


def test_zero_to_ten_lead_after_6_pm_gets_its_second_call_the_next_morning_and_is_told_so():
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 18, 30))
    script = ana.script(at(NY, 10, 26, 18, 30))
    assert "I'll try you again tomorrow at 8 a.m." in script.voicemail  # 21:30 is past her hours
    for outcome, minute in (("voicemail", 30), ("sent", 31), ("done", 32)):
        ana.log(outcome, at(NY, 10, 26, 18, minute))
    assert (ana.step, ana.due_local()) == (4, at(NY, 10, 27, 8))


def test_zero_to_ten_enrolled_at_noon_retries_the_same_afternoon():
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 11, 30))
    assert ana.due_local() == at(NY, 10, 26, 11, 30)
    for outcome, minute in (("voicemail", 30), ("sent", 31), ("done", 32)):
        ana.log(outcome, at(NY, 10, 26, 11, minute))
    assert (ana.step, ana.due_local()) == (4, at(NY, 10, 26, 14, 30))  # after the cooldown


def test_zero_to_ten_enrolled_before_hours_or_in_the_evening_starts_when_hours_open():
    assert Prospect("zero-to-ten", at(NY, 10, 26, 6)).due_local() == at(NY, 10, 26, 8)
    assert Prospect("zero-to-ten", at(NY, 10, 26, 21, 30)).due_local() == at(NY, 10, 27, 8)


# --- promises on a voicemail are kept, whatever lies between -------------------------------


def test_zero_to_ten_voicemail_promise_holds_through_the_email_and_the_social_touch():
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 10))
    left = at(NY, 10, 26, 11, 30)
    script = ana.script(left)
    assert "I'll try you again today at 2:30 p.m." in script.voicemail
    ana.log("voicemail", left)
    email = ana.script(at(NY, 10, 26, 11, 31))
    assert "I'll try you again today at 2:30 p.m." in email.body  # the email repeats the promise
    ana.log("sent", at(NY, 10, 26, 11, 31))
    ana.log("done", at(NY, 10, 26, 11, 32))
    assert ana.step == 4 and ana.pos.next_due_at == script.next_call_at == at(NY, 10, 26, 14, 30)
    assert ana.pos.pinned


def test_follow_up_series_email_sent_late_does_not_move_the_promised_call():
    ana = Prospect("follow-up-series", at(NY, 10, 26, 9), appointment=at(NY, 10, 27, 14))
    ana.log("voicemail", at(NY, 10, 27, 14, 2))
    second = ana.script(at(NY, 10, 27, 14, 17))
    assert "I'll call you again tomorrow at 10 a.m." in second.voicemail
    ana.log("voicemail", at(NY, 10, 27, 14, 17))
    assert ana.step == 3 and ana.pos.promised_at == at(NY, 10, 28, 10)
    # The rep only gets to the email the next morning: the call stays where the message put it,
    # not a business day after the email.
    assert "I'll try you again today at 10 a.m." in ana.script(at(NY, 10, 28, 9)).body
    ana.log("sent", at(NY, 10, 28, 9))
    assert (ana.step, ana.due_local(), ana.pos.pinned) == (4, at(NY, 10, 28, 10), True)


def test_a_promise_already_broken_gives_way_to_the_one_the_email_makes():
    ana = Prospect("follow-up-series", at(NY, 10, 26, 9), appointment=at(NY, 10, 27, 14))
    ana.log("voicemail", at(NY, 10, 27, 14, 2))
    ana.log("voicemail", at(NY, 10, 27, 14, 17))  # promises tomorrow at 10 a.m.
    late = at(NY, 10, 28, 11)  # too late to keep it: the email makes the promise anew
    email = ana.script(late)
    assert "I'll try you again tomorrow at 10 a.m." in email.body
    ana.log("sent", late)
    assert (ana.step, ana.pos.next_due_at, ana.pos.pinned) == (4, email.next_call_at, True)
    assert ana.due_local() == at(NY, 10, 29, 10)


# --- outcomes shared by every cadence ---------------------------------------------------------


def test_busy_retries_after_the_cooldown_without_using_a_retry():
    ana = Prospect("three-step", at(NY, 10, 26, 9), appointment=at(NY, 10, 26, 10))
    ana.log("busy", at(NY, 10, 26, 10))
    assert (ana.step, ana.pos.retries, ana.due_local(), ana.pos.pinned) == (1, 0, at(NY, 10, 26, 13), False)


def test_the_daily_cap_moves_the_next_call_to_the_next_callable_day():
    ana = Prospect("three-step", at(NY, 10, 30, 8), appointment=at(NY, 10, 30, 9))  # a Friday
    ana.log("busy", at(NY, 10, 30, 9))
    ana.log("busy", at(NY, 10, 30, 12))
    ana.log("busy", at(NY, 10, 30, 15))  # the third call today: no fourth
    assert ana.due_local() == at(NY, 11, 2, 8)


def test_the_daily_cap_counts_the_prospects_local_day():
    # In Tokyo 08:30 is still yesterday in UTC; counted by UTC day a fourth call would fit today.
    tokyo = ZoneInfo("Asia/Tokyo")
    ana = Prospect("three-step", at(tokyo, 10, 30, 8), zone=tokyo, appointment=at(tokyo, 10, 30, 8, 30))
    ana.log("busy", at(tokyo, 10, 30, 8, 30))
    ana.log("no-answer", at(tokyo, 10, 30, 11, 30))  # retry in the afternoon slot, after the cooldown
    assert ana.due_local() == at(tokyo, 10, 30, 14, 30)
    ana.log("busy", at(tokyo, 10, 30, 14, 30))
    assert ana.due_local() == at(tokyo, 11, 2, 8)
    assert is_callable(ana.pos.next_due_at, tokyo, CallingWindow())


def test_connected_waits_for_a_disposition():
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 9))
    transition = ana.log("connected", at(NY, 10, 26, 9, 5))
    assert transition.needs_disposition
    assert (ana.pos.status, ana.pos.next_due_at) == ("connected", None)
    with pytest.raises(InvalidInput, match="disposition"):
        ana.log("voicemail", at(NY, 10, 26, 9, 6))


def test_callback_is_pinned_at_the_promised_time_even_within_the_cooldown():
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 9))
    ana.log("connected", at(NY, 10, 26, 9, 5))
    soon = at(NY, 10, 26, 9, 40)  # they asked for it: kept exactly
    pos = ana.decide("callback", at(NY, 10, 26, 9, 10), soon)
    assert (pos.status, pos.step_index, pos.next_due_at, pos.pinned) == ("active", 0, soon, True)


def test_callback_outside_the_prospects_calling_hours_is_refused_naming_them():
    ann = Prospect("zero-to-ten", at(CHICAGO, 10, 26, 9), zone=CHICAGO)
    ann.ctx = replace(ann.ctx, window=TEXAS, name="Ann Lee")
    ann.log("connected", at(CHICAGO, 10, 26, 9, 5))
    with pytest.raises(InvalidInput) as refused:
        ann.decide("callback", at(CHICAGO, 10, 26, 9, 10), at(CHICAGO, 10, 26, 21, 30))
    assert str(refused.value) == ("21:30 is outside Ann Lee's calling hours "
                                  "(09:00-21:00 Mon-Fri, America/Chicago, US-TX rule)")
    with pytest.raises(InvalidInput, match=r"^Saturday 10:00 is outside"):
        ann.decide("callback", at(CHICAGO, 10, 26, 9, 10), at(CHICAGO, 10, 31, 10))
    assert ann.pos.status == "connected"  # nothing changed: the rep picks another time
    pos = ann.decide("callback", at(CHICAGO, 10, 26, 9, 10), at(CHICAGO, 10, 26, 20, 59))
    assert pos.next_due_at == at(CHICAGO, 10, 26, 20, 59) and pos.pinned


def test_callback_needs_a_future_time():
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 9))
    ana.log("connected", at(NY, 10, 26, 9, 5))
    with pytest.raises(InvalidInput, match="needs a time"):
        ana.decide("callback", at(NY, 10, 26, 9, 10))
    with pytest.raises(InvalidInput, match="in the past"):
        ana.decide("callback", at(NY, 10, 26, 9, 10), at(NY, 10, 26, 9))


@pytest.mark.parametrize("disposition", ["booked", "not-interested"])
def test_booked_and_not_interested_end_the_cadence(disposition):
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 9))
    ana.log("connected", at(NY, 10, 26, 9, 5))
    pos = ana.decide(disposition, at(NY, 10, 26, 9, 10))
    assert (pos.status, pos.next_due_at) == (disposition, None)


def test_continue_carries_on_as_if_a_voicemail_was_left():
    ana = Prospect("three-step", at(NY, 10, 26, 9), appointment=at(NY, 10, 26, 14))
    ana.log("connected", at(NY, 10, 26, 14))
    pos = ana.decide("continue", at(NY, 10, 26, 14, 20))
    assert (pos.status, pos.step_index) == ("active", 1)
    assert pos.next_due_at.astimezone(NY) == at(NY, 10, 27, 14, 20)


def test_disposition_without_a_connected_call_is_refused():
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 9))
    with pytest.raises(InvalidInput, match="follows a connected call"):
        ana.decide("booked", at(NY, 10, 26, 9, 10))


def test_wrong_number_and_do_not_call_end_it_and_dnc_adds_the_number():
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 9))
    assert ana.log("wrong-number", at(NY, 10, 26, 9)).position.status == "wrong-number"
    bo = Prospect("zero-to-ten", at(NY, 10, 26, 9))
    transition = bo.log("do-not-call", at(NY, 10, 26, 9))
    assert transition.add_dnc and (bo.pos.status, bo.pos.next_due_at) == ("dnc", None)


def test_do_not_call_during_a_connected_call_is_accepted():
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 9))
    ana.log("connected", at(NY, 10, 26, 9))
    assert ana.log("do-not-call", at(NY, 10, 26, 9, 2)).add_dnc


def test_outcomes_must_fit_the_step():
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 9))
    with pytest.raises(InvalidInput, match="is a call"):
        ana.log("sent", at(NY, 10, 26, 9))
    ana.log("voicemail", at(NY, 10, 26, 9))
    with pytest.raises(InvalidInput, match="log 'sent'"):
        ana.log("voicemail", at(NY, 10, 26, 9, 1))
    with pytest.raises(InvalidInput, match="unknown outcome"):
        ana.log("hung-up", at(NY, 10, 26, 9, 1))


# What a message says it will do next, by the action that must then come before the next call.
PROMISES = {
    "email": re.compile(r"\bI(?:'ll| will|'m| am)\s+(?:send|sending)\s+you\s+(?:[a-z]+\s+){0,3}(?:email|note)\b"),
    "social": re.compile(r"\bI(?:'ll| will|'m| am)\s+[^.]*\b(?:LinkedIn|connection request)\b"),
}
# What a message says already happened, by the action that must have come earlier.
RECALLS = {"email": re.compile(r"\b(?:my email|sent you an email|the idea I sent|emailed you)\b", re.I)}


def test_zero_to_ten_cold_step_5_promises_no_note_that_never_comes():
    ana = Prospect("zero-to-ten", at(NY, 10, 26, 9), temperature="cold")
    while ana.step != 5:
        ana.work_through()
    script = ana.script(ana.pos.next_due_at)
    assert "one more note" not in script.voicemail
    assert "following up on the email I sent you yesterday morning about Northwind." in script.voicemail
    ana.work_through()
    assert current_step(LIBRARY, ana.pos, ana.context()).action == "call"  # no note follows


@pytest.mark.parametrize("name", sorted(LIBRARY))
@pytest.mark.parametrize("variant", ["warm", "cold"])
def test_no_builtin_text_promises_or_recalls_a_step_its_variant_skips(name, variant):
    kept = [step for step in LIBRARY[name].variants[variant] if step is not None]
    for position, step in enumerate(kept):
        before = {s.action for s in kept[:position]}
        until_next_call = []
        for later in kept[position + 1:]:
            if later.action == "call":
                break
            until_next_call.append(later.action)
        for key, text in step.texts().items():
            for template in text.templates():
                flat = " ".join(template.split())
                for action, pattern in PROMISES.items():
                    if pattern.search(flat):
                        assert action in until_next_call, f"{name} {variant} step {step.number} {key}: {flat}"
                for action, pattern in RECALLS.items():
                    if pattern.search(flat):
                        assert action in before, f"{name} {variant} step {step.number} {key}: {flat}"


def test_the_promise_scan_recognises_the_messages_it_guards():
    assert PROMISES["email"].search("I'll send you one more note with a couple of ideas.")
    assert PROMISES["email"].search("I'm sending you a short email right now")
    assert not PROMISES["email"].search("reply and I'll send you a time to talk")
    assert RECALLS["email"].search("Just checking you saw my email about finding a time.")


def test_every_builtin_script_renders_for_both_variants_without_blanks():
    for name, cadence in LIBRARY.items():
        for temperature in ("warm", "cold"):
            for index in range(len(cadence.steps)):
                pos = Position(name, index, "active", at(NY, 10, 26, 9), False, 0)
                ctx = Context(NY, CallingWindow(), temperature, 5000.0, at(NY, 10, 27, 14))
                facts = ScriptFacts(referrer="Bo Chen", referrer_company="Contoso", appointment_at=at(NY, 10, 27, 14),
                                    has_email=True)
                script = render_script(LIBRARY, pos, ctx, facts, FIELDS, at(NY, 10, 26, 9))
                texts = [script.voicemail or "", script.talk_track, script.subject, script.body,
                         script.instructions, script.tip]
                assert all("{" not in text for text in texts), (name, index)
                assert script.tip, (name, index)
                assert "  " not in (script.voicemail or ""), (name, index)
                if script.next_call_at is not None:
                    assert script.next_call_at > at(NY, 10, 26, 9)
