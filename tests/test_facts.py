"""The facts a script may state, and the conditions read from them at a given instant."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialdeck import phrases
from dialdeck.facts import (
    CONDITIONS,
    FIELD_NEEDS,
    OPPOSITES,
    ScriptFacts,
    Touch,
    closure,
    contradiction,
    truths,
)
from dialdeck.hours import CallingWindow
from dialdeck.offers import offer_times

NY = ZoneInfo("America/New_York")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=NY)


def held(facts: ScriptFacts, now: datetime, step: int = 2, *, appointment_step: bool = False,
         next_call: datetime | None = None) -> frozenset[str]:
    return truths(facts, now, step=step, at_appointment=appointment_step, next_call=next_call)


def test_the_vocabulary_is_consistent():
    for a, b in OPPOSITES:
        assert a in CONDITIONS and b in CONDITIONS
    assert set(FIELD_NEEDS.values()) <= set(CONDITIONS)
    assert closure(frozenset({"picked_slot"})) >= {"callback", "they_chose", "replied", "emailed"}
    assert contradiction(frozenset({"promise_kept", "no_promise"})) == ("promised", "no_promise")


@pytest.mark.parametrize("minutes, expected", [(-6, "promise_early"), (-5, "promise_kept"), (0, "promise_kept"),
                                               (15, "promise_kept"), (16, "promise_late"), (60 * 24 * 2, "promise_late")])
def test_a_promise_is_kept_from_5_minutes_early_to_15_minutes_late(minutes, expected):
    facts = ScriptFacts(touches=(Touch(at(24, 14), 1, "call", "voicemail", promised_at=at(24, 14, 15)),))
    found = held(facts, at(24, 14, 15) + timedelta(minutes=minutes))
    assert expected in found and "promised" in found
    assert not {"promise_kept", "promise_early", "promise_late"} - {expected} & found


def test_a_call_made_since_uses_up_the_promise():
    facts = ScriptFacts(touches=(Touch(at(24, 14), 1, "call", "voicemail", promised_at=at(24, 14, 15)),
                                 Touch(at(24, 14, 15), 2, "call", "no-answer")))
    assert "no_promise" in held(facts, at(24, 17))


def test_a_promise_survives_the_email_and_social_steps_between():
    facts = ScriptFacts(touches=(Touch(at(24, 10), 1, "call", "voicemail", promised_at=at(24, 13)),
                                 Touch(at(24, 10, 5), 2, "email", "sent"), Touch(at(24, 10, 6), 3, "social", "done")))
    assert {"promise_kept", "voicemail_left", "emailed"} <= held(facts, at(24, 13), step=4)


def test_a_callback_holds_through_retries_of_its_step_only():
    agreed = Touch(at(24, 9), 1, "call", "connected", "callback", callback_at=at(25, 11), callback_by="prospect")
    facts = ScriptFacts(touches=(agreed,))
    assert {"callback", "promise_kept", "they_chose", "spoke", "last_call_answered", "not_picked_slot"} <= \
        held(facts, at(25, 11), step=1)
    retried = ScriptFacts(touches=(agreed, Touch(at(25, 11), 1, "call", "busy")))
    assert {"callback", "no_promise"} <= held(retried, at(25, 14), step=1)
    moved_on = ScriptFacts(touches=(agreed, Touch(at(25, 11), 1, "call", "voicemail")))
    assert "not_callback" in held(moved_on, at(26, 11), step=2)


def test_a_picked_time_is_a_callback_they_chose():
    offered = (at(25, 14), at(26, 10))
    facts = ScriptFacts(touches=(Touch(at(24, 14), 3, "email", "sent", offered=offered),
                                 Touch(at(24, 16), 4, "email", "replied", callback_at=at(26, 10),
                                       callback_by="prospect")))
    assert {"picked_slot", "callback", "they_chose", "replied", "promise_kept"} <= held(facts, at(26, 10), step=4)
    assert facts.pending_offer(at(24, 17)) == ()
    assert ScriptFacts(touches=facts.touches[:1]).pending_offer(at(25, 15)) == (at(26, 10),)


def test_the_appointment_is_the_promise_of_its_step_until_tried():
    facts = ScriptFacts(appointment_at=at(24, 14))
    assert "promise_late" in held(facts, at(24, 19), step=1, appointment_step=True)
    assert "no_promise" in held(facts, at(24, 14), step=1)  # not an appointment step
    tried = ScriptFacts(appointment_at=at(24, 14), touches=(Touch(at(24, 14), 1, "call", "no-answer"),))
    assert "no_promise" in held(tried, at(24, 17), step=1, appointment_step=True)


def test_history_spans_cadences_but_a_callback_belongs_to_its_enrollment():
    spoke = Touch(at(2, 10), 3, "call", "connected", "callback", callback_at=at(3, 10), enrollment=1)
    facts = ScriptFacts(touches=(spoke,), enrollment=2)
    found = held(facts, at(24, 10), step=3)
    assert "spoke" in found and "not_callback" in found


def test_next_call_soon_is_within_the_hour():
    assert "next_call_soon" in held(ScriptFacts(), at(24, 14), next_call=at(24, 14, 15))
    assert "next_call_later" in held(ScriptFacts(), at(24, 20, 50), next_call=at(25, 8))
    assert "no_next_call" in held(ScriptFacts(), at(24, 14))


def test_urgent_reason_needs_urgent():
    assert "no_urgent_reason" in held(ScriptFacts(urgent=False, urgent_reason="held until Friday"), at(24, 9))
    assert {"urgent", "urgent_reason"} <= held(ScriptFacts(urgent=True, urgent_reason="held"), at(24, 9))


# --- phrases of the past and of written times ---------------------------------------------------

@pytest.mark.parametrize("instant, expected", [
    (at(24, 9), "this morning"), (at(24, 15, 31), "this afternoon"), (at(24, 18), "this evening"),
    (at(23, 15, 31), "yesterday afternoon"), (at(21, 10), "on Saturday"), (at(16, 10), "on Monday, November 16"),
])
def test_phrase_past(instant, expected):
    assert phrases.phrase_past(instant, NY, at(24, 19)) == expected


def test_phrase_when_and_offered():
    assert phrases.phrase_when(at(24, 14), NY, at(24, 19)) == "today at 2 p.m."
    assert phrases.phrase_when(at(23, 14), NY, at(24, 19)) == "yesterday at 2 p.m."
    assert phrases.phrase_offered((at(25, 14), at(26, 10)), NY) == (
        "1. Wednesday, November 25 at 2 p.m.\n2. Thursday, November 26 at 10 a.m.")


# --- offered times --------------------------------------------------------------------------------

def test_offers_are_weekday_times_inside_the_window_after_today_and_not_the_call_already_set():
    window = CallingWindow()
    friday = at(27, 15)
    assert offer_times(friday, NY, window, 3) == (at(30, 10), at(30, 14), datetime(2026, 12, 1, 10, tzinfo=NY))
    assert offer_times(friday, NY, window, 2, avoid=(at(30, 10),)) == (at(30, 14), datetime(2026, 12, 1, 10, tzinfo=NY))
    late = CallingWindow(start=time(12), end=time(20))
    assert offer_times(friday, NY, late, 2) == (at(30, 12), at(30, 14))
    # The same whenever it is asked that day: what was shown is what is stored when sent.
    assert offer_times(at(27, 9), NY, window, 3) == offer_times(at(27, 20), NY, window, 3)
