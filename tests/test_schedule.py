"""Scheduling rules one at a time, and times in the prospect's words."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dialdeck import paths
from dialdeck.cadence import Cadence, cadence_from_mapping, load_library
from dialdeck.errors import InvalidInput, NotFound
from dialdeck.hours import CallingWindow, is_callable
from dialdeck.phrases import clock_phrase, phrase_appointment, phrase_time
from dialdeck.schedule import (
    Context,
    Guardrails,
    Position,
    apply_outcome,
    enroll,
    promised_next,
    variant_for,
)
from dialdeck.facts import ScriptFacts
from dialdeck.scripts import render_script as render_from_facts

NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
FIELDS = {"first_name": "Ana", "last_name": "Souza", "company": "Northwind", "rep_name": "Sam",
          "rep_phone": "+1 212 555 0100", "rep_company": "Dialdeck Co", "referrer": "",
          "referrer_company": "", "appointment": ""}


def at(zone: ZoneInfo, month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def render_script(library, pos, context, fields, now, facts=None):
    """The script with what the store knows passed in (nothing logged yet, by default)."""
    return render_from_facts(library, pos, context, facts or ScriptFacts(), fields, now)


def make(*steps: dict, **meta) -> dict[str, Cadence]:
    """A one-cadence library named "t" from step tables written as dicts."""
    cadence = cadence_from_mapping({"name": "t", **meta, "steps": list(steps)}, source="t.toml")
    return {"t": cadence}


def ctx(zone=NY, *, temperature="warm", value=None, appointment=None, attempts=(), window=None,
        guard=None) -> Context:
    return Context(zone=zone, window=window or CallingWindow(), temperature=temperature, value=value,
                   appointment_at=appointment, recent_attempts=tuple(attempts), guard=guard or Guardrails())


CALL = {"action": "call", "voicemail": False}


# --- phrases ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "instant, expected",
    [
        (at(NY, 10, 26, 10, 15), "in 15 minutes"),
        (at(NY, 10, 26, 10, 1), "in 1 minute"),
        (at(NY, 10, 26, 16), "today at 4 p.m."),
        (at(NY, 10, 26, 12), "today at noon"),
        (at(NY, 10, 27, 9, 30), "tomorrow at 9:30 a.m."),
        (at(NY, 10, 28, 16), "Wednesday at 4 p.m."),
        (at(NY, 11, 1, 8), "Sunday at 8 a.m."),  # six days ahead
        (at(NY, 11, 2, 8), "Monday, November 2 at 8 a.m."),  # seven: the date, not "Monday"
        (at(NY, 12, 7, 8), "Monday, December 7 at 8 a.m."),
        (at(NY, 10, 27, 0), "tomorrow at midnight"),
    ],
)
def test_phrase_time(instant, expected):
    assert phrase_time(instant, NY, at(NY, 10, 26, 10)) == expected


def test_phrase_time_speaks_in_the_prospects_zone():
    now = at(NY, 10, 26, 10)
    instant = at(NY, 10, 28, 19)  # 7 p.m. in New York is 4 p.m. in Los Angeles
    assert phrase_time(instant, NY, now) == "Wednesday at 7 p.m."
    assert phrase_time(instant, LA, now) == "Wednesday at 4 p.m."


def test_phrase_time_counts_days_in_the_prospects_zone():
    # 11 p.m. Monday in Los Angeles is already Tuesday in New York and in UTC.
    now = at(LA, 10, 26, 20)
    assert phrase_time(at(LA, 10, 26, 23), LA, now) == "today at 11 p.m."
    assert phrase_time(at(LA, 10, 27, 9), LA, now) == "tomorrow at 9 a.m."


@pytest.mark.parametrize(
    "instant, expected",
    [
        (at(NY, 10, 26, 14), "2 p.m."),  # the day itself: "booked for 2 p.m."
        (at(NY, 10, 26, 9, 30), "9:30 a.m."),  # earlier today, already missed
        (at(NY, 10, 27, 14), "tomorrow at 2 p.m."),
        (at(NY, 10, 25, 14), "yesterday at 2 p.m."),
        (at(NY, 10, 29, 14), "Thursday at 2 p.m."),
        (at(NY, 10, 20, 14), "last Tuesday at 2 p.m."),  # six days ago: not the coming Tuesday
        (at(NY, 10, 24, 14), "last Saturday at 2 p.m."),
        (at(NY, 10, 19, 14), "Monday, October 19 at 2 p.m."),  # a week ago: the date
        (at(NY, 12, 7, 14), "Monday, December 7 at 2 p.m."),
    ],
)
def test_phrase_appointment(instant, expected):
    assert phrase_appointment(instant, NY, at(NY, 10, 26, 10)) == expected


@pytest.mark.parametrize("clock, words", [(time(0), "midnight"), (time(12), "noon"), (time(12, 30), "12:30 p.m."),
                                          (time(0, 5), "12:05 a.m."), (time(23, 0), "11 p.m.")])
def test_clock_phrase(clock, words):
    assert clock_phrase(clock) == words


# --- variants ---------------------------------------------------------------------------------


def test_variant_for_temperature_and_value():
    library = make({**CALL, "wait": "0 minutes"}, low_value_below=1000)
    cadence = library["t"]
    assert variant_for(cadence, "warm", 5000.0) == "warm"
    assert variant_for(cadence, "cold", 5000.0) == "cold"
    assert variant_for(cadence, "warm", 999.0) == "cold"
    assert variant_for(cadence, "warm", 1000.0) == "warm"
    assert variant_for(cadence, "warm", None) == "warm"  # unknown value is not "low"
    assert variant_for(make({**CALL, "wait": "0 minutes"})["t"], "warm", 1.0) == "warm"


# --- timing -----------------------------------------------------------------------------------


def test_enroll_in_an_unknown_cadence_is_not_found():
    with pytest.raises(NotFound, match="no cadence named 'nope'"):
        enroll(make({**CALL, "wait": "0 minutes"}), "nope", ctx(), at(NY, 10, 26, 10))


def test_weekday_step_is_the_next_such_time_after_the_attempt():
    library = make({**CALL, "wait": "0 minutes"}, {**CALL, "weekday": "wednesday", "at": "16:00"})
    pos = Position("t", 0, "active", None, False, 0)
    before = apply_outcome(library, pos, ctx(), "voicemail", at(NY, 10, 28, 15, 59)).position
    assert before.next_due_at == at(NY, 10, 28, 16) and before.pinned
    after = apply_outcome(library, pos, ctx(), "voicemail", at(NY, 10, 28, 16, 0)).position
    assert after.next_due_at == at(NY, 11, 4, 16)  # not the moment just passed: next week


def test_a_promised_weekday_time_outside_calling_hours_moves_into_them_and_stays_pinned():
    # The due queue shows only callable prospects: Saturday 10 p.m. would never come up.
    library = make({**CALL, "wait": "0 minutes"}, {**CALL, "weekday": "saturday", "at": "22:00"})
    pos = apply_outcome(library, Position("t", 0, "active", None, False, 0), ctx(), "voicemail",
                        at(NY, 10, 26, 10)).position
    assert pos.next_due_at == at(NY, 11, 2, 8) and pos.pinned


def test_a_promise_and_an_appointment_outside_hours_move_into_them_before_the_script_says_them():
    window = CallingWindow(start=time(9), end=time(17))
    library = make({"action": "call", "wait": "0 minutes", "voicemail": "Back {next_call}."},
                   {**CALL, "wait": "30 minutes", "promise": True}, {**CALL, "at_appointment": True})
    start = Position("t", 0, "active", None, False, 0)
    late = at(NY, 10, 26, 16, 50)
    script = render_script(library, start, ctx(window=window), FIELDS, late)
    assert script.voicemail == "Back tomorrow at 9 a.m."
    pos = apply_outcome(library, start, ctx(window=window), "voicemail", late).position
    assert pos.next_due_at == script.next_call_at == at(NY, 10, 27, 9) and pos.pinned
    evening = ctx(window=window, appointment=at(NY, 10, 27, 18))
    booked = apply_outcome(library, pos, evening, "voicemail", at(NY, 10, 27, 9)).position
    assert booked.next_due_at == at(NY, 10, 28, 9) and booked.pinned


def test_day_wait_keeps_the_local_time_across_dst():
    library = make({**CALL, "wait": "0 minutes"}, {**CALL, "wait": "1 day", "at": "09:00"})
    pos = apply_outcome(library, Position("t", 0, "active", None, False, 0),
                        ctx(window=CallingWindow(days=frozenset(range(7)))), "voicemail",
                        at(NY, 10, 31, 17)).position
    assert pos.next_due_at.astimezone(NY) == at(NY, 11, 1, 9)  # the change happened at 2 a.m.
    assert pos.next_due_at.utcoffset() == timedelta(0)


def test_hour_wait_is_an_exact_span_across_dst():
    library = make({**CALL, "wait": "0 minutes"}, {**CALL, "wait": "2 hours", "promise": True})
    always = CallingWindow(start=time(0), end=time.max, days=frozenset(range(7)))
    pos = apply_outcome(library, Position("t", 0, "active", None, False, 0), ctx(window=always), "voicemail",
                        datetime(2026, 11, 1, 5, 30, tzinfo=ZoneInfo("UTC"))).position  # 1:30 EDT
    assert pos.next_due_at == datetime(2026, 11, 1, 7, 30, tzinfo=ZoneInfo("UTC"))  # 2:30 EST


def test_business_days_skip_the_weekend():
    library = make({**CALL, "wait": "0 minutes"}, {**CALL, "wait": "3 business days"})
    pos = apply_outcome(library, Position("t", 0, "active", None, False, 0), ctx(), "voicemail",
                        at(NY, 10, 29, 10)).position  # Thursday
    assert pos.next_due_at.astimezone(NY) == at(NY, 11, 3, 10)  # Tuesday


def test_slot_with_a_day_wait_sets_the_hour_on_that_day():
    library = make({**CALL, "wait": "0 minutes"}, {**CALL, "wait": "1 day", "slot": "afternoon"})
    start = Position("t", 0, "active", None, False, 0)
    inside = apply_outcome(library, start, ctx(), "voicemail", at(NY, 10, 26, 15, 20)).position
    assert inside.next_due_at.astimezone(NY) == at(NY, 10, 27, 15, 20)  # already afternoon: kept
    early = apply_outcome(library, start, ctx(), "voicemail", at(NY, 10, 26, 9)).position
    assert early.next_due_at.astimezone(NY) == at(NY, 10, 27, 14)
    late = apply_outcome(library, start, ctx(), "voicemail", at(NY, 10, 26, 19)).position
    assert late.next_due_at.astimezone(NY) == at(NY, 10, 27, 14)  # same day as the wait chose


def test_slot_survives_calling_hours_moving_the_call_past_the_weekend():
    library = make({**CALL, "wait": "0 minutes"}, {**CALL, "wait": "1 day", "slot": "afternoon"})
    pos = apply_outcome(library, Position("t", 0, "active", None, False, 0), ctx(), "voicemail",
                        at(NY, 10, 30, 15)).position  # Friday -> Saturday -> Monday afternoon
    assert pos.next_due_at.astimezone(NY) == at(NY, 11, 2, 14)


def test_a_slot_outside_the_calling_hours_yields_to_the_hours():
    library = make({**CALL, "wait": "0 minutes", "slot": "evening"})
    window = CallingWindow(start=time(9), end=time(17))
    pos = enroll(library, "t", ctx(window=window), at(NY, 10, 26, 10))
    assert is_callable(pos.next_due_at, NY, window)
    assert pos.next_due_at == at(NY, 10, 26, 10)


def test_a_due_time_outside_hours_moves_to_the_next_allowed_moment():
    library = make({**CALL, "wait": "0 minutes"})
    assert enroll(library, "t", ctx(), at(NY, 10, 26, 22)).next_due_at == at(NY, 10, 27, 8)
    assert enroll(library, "t", ctx(), at(NY, 10, 31, 10)).next_due_at == at(NY, 11, 2, 8)


def test_email_steps_skip_the_cooldown_but_not_the_calling_hours():
    library = make({**CALL, "wait": "0 minutes"},
                   {"action": "email", "wait": "0 minutes", "subject": "Hi", "body": [{"when": "first_name", "text": "Hello {first_name}"}]})
    start = Position("t", 0, "active", None, False, 0)
    pos = apply_outcome(library, start, ctx(), "voicemail", at(NY, 10, 26, 10)).position
    assert pos.next_due_at == at(NY, 10, 26, 10)
    assert apply_outcome(library, start, ctx(), "voicemail", at(NY, 10, 30, 20, 59)).position.next_due_at \
        == at(NY, 10, 30, 20, 59)
    late = apply_outcome(library, start, ctx(), "voicemail", at(NY, 10, 30, 21, 30)).position
    assert late.next_due_at == at(NY, 11, 2, 8)


def test_appointment_step_without_an_appointment_is_due_now_and_not_pinned():
    library = make({**CALL, "at_appointment": True})
    pos = enroll(library, "t", ctx(), at(NY, 10, 26, 10))
    assert pos.next_due_at == at(NY, 10, 26, 10) and not pos.pinned
    pinned = enroll(library, "t", ctx(appointment=at(NY, 10, 27, 19, 30)), at(NY, 10, 26, 10))
    assert pinned.next_due_at == at(NY, 10, 27, 19, 30) and pinned.pinned


def test_custom_guardrails():
    library = make({**CALL, "wait": "0 minutes"})
    guard = Guardrails(cooldown=timedelta(minutes=60), max_per_day=2)
    pos = Position("t", 0, "active", at(NY, 10, 26, 9), False, 0)
    first = apply_outcome(library, pos, ctx(guard=guard), "busy", at(NY, 10, 26, 9)).position
    assert first.next_due_at == at(NY, 10, 26, 10)
    second = apply_outcome(library, first, ctx(guard=guard, attempts=[at(NY, 10, 26, 9)]), "busy",
                           at(NY, 10, 26, 10)).position
    assert second.next_due_at == at(NY, 10, 27, 8)


def test_guardrails_refuse_nonsense():
    with pytest.raises(ValueError):
        Guardrails(max_per_day=0)
    with pytest.raises(ValueError):
        Guardrails(cooldown=timedelta(minutes=-1))


def test_cooldown_counts_from_earlier_calls_on_enrollment():
    library = make({**CALL, "wait": "0 minutes"})
    pos = enroll(library, "t", ctx(attempts=[at(NY, 10, 26, 9)]), at(NY, 10, 26, 10))
    assert pos.next_due_at == at(NY, 10, 26, 12)


def test_no_answer_retry_count_comes_from_the_step_then_the_cadence():
    library = make({**CALL, "wait": "0 minutes", "no_answer_retries": 2}, {**CALL, "wait": "1 day"},
                   no_answer_retries=0)
    pos = Position("t", 0, "active", None, False, 0)
    for expected_retries in (1, 2):
        pos = apply_outcome(library, pos, ctx(), "no-answer", at(NY, 10, 26, 9)).position
        assert (pos.step_index, pos.retries) == (0, expected_retries)
    pos = apply_outcome(library, pos, ctx(), "no-answer", at(NY, 10, 26, 9)).position
    assert (pos.step_index, pos.retries) == (1, 0)
    pos = apply_outcome(library, pos, ctx(), "no-answer", at(NY, 10, 27, 9)).position
    assert pos.status == "finished"


@pytest.mark.parametrize(
    "local, slot_start",
    [((7, 0), (10, 26, 8)), ((9, 0), (10, 26, 11)), ((12, 0), (10, 26, 14)), ((15, 0), (10, 26, 18)),
     ((16, 30), (10, 26, 18)), ((19, 0), (10, 27, 8)), ((20, 30), (10, 27, 8))],
)
def test_no_answer_retries_at_the_next_time_of_day(local, slot_start):
    library = make({**CALL, "wait": "0 minutes"})
    pos = Position("t", 0, "active", None, False, 0)
    no_guard = Guardrails(cooldown=timedelta(0), max_per_day=10)
    retry = apply_outcome(library, pos, ctx(guard=no_guard), "no-answer", at(NY, 10, 26, *local)).position
    assert retry.next_due_at == at(NY, *slot_start) and retry.retries == 1


# --- across cadences and variants -------------------------------------------------------------


def test_continue_into_another_cadence_and_variant_skips():
    library = load_library(paths.builtin_cadence_dir(), Path(__file__).parent / "cadence_files" / "user")
    for temperature, expected_steps in (("warm", [0, 1, 2]), ("cold", [0, 1])):
        context = ctx(temperature=temperature)
        pos = enroll(library, "nurture", context, at(NY, 10, 26, 10))
        seen = []
        while pos.cadence == "nurture":
            seen.append(pos.step_index)
            outcome = {"email": "sent", "call": "voicemail", "task": "done"}[
                library["nurture"].steps[pos.step_index].action]
            pos = apply_outcome(library, pos, context, outcome, pos.next_due_at).position
        assert seen == expected_steps
        assert (pos.cadence, pos.step_index, pos.status) == ("three-step", 0, "active")


def test_a_cadence_every_step_of_which_the_variant_skips_finishes_at_once():
    library = make({**CALL, "wait": "0 minutes"}, {**CALL, "wait": "1 day", "cold": {"skip": True}})
    start = Position("t", 0, "active", None, False, 0)
    cold = apply_outcome(library, start, ctx(temperature="cold"), "voicemail", at(NY, 10, 26, 10)).position
    assert (cold.status, cold.next_due_at) == ("finished", None)


# --- scripts ----------------------------------------------------------------------------------


def test_render_script_dont_leave_a_message_and_the_default_tip():
    library = make({**CALL, "wait": "0 minutes", "talk_track": [{"when": "first_name", "text": "Hi {first_name}"}]}, tip="Smile, {rep_name}.")
    script = render_script(library, Position("t", 0, "active", None, False, 0), ctx(), FIELDS, at(NY, 10, 26, 10))
    assert script.voicemail is None
    assert script.talk_track == "Hi Ana" and script.tip == "Smile, Sam."
    assert script.next_call_at is None  # it promises nothing


def test_render_script_promise_matches_the_stored_instant():
    library = make({"action": "call", "wait": "0 minutes", "voicemail": "Back {next_call}."},
                   {**CALL, "wait": "2 days", "at": "09:30"})
    pos = enroll(library, "t", ctx(LA), at(LA, 10, 26, 10))
    now = at(LA, 10, 26, 10, 7)
    script = render_script(library, pos, ctx(LA), FIELDS, now)
    assert script.voicemail == "Back Wednesday at 9:30 a.m."
    stored = apply_outcome(library, pos, ctx(LA, attempts=()), "voicemail", now).position.next_due_at
    assert stored == script.next_call_at == at(LA, 10, 28, 9, 30)


PROMISING = make({"action": "call", "wait": "0 minutes", "voicemail": "Back {next_call}."},
                 {"action": "email", "wait": "1 day", "subject": "Hi", "body": [{"when": "first_name", "text": "Hello {first_name}"}]},
                 {**CALL, "wait": "1 day", "slot": "afternoon"})


def test_a_voicemail_promise_survives_a_step_between_and_pins_the_call():
    start = Position("t", 0, "active", None, False, 0)
    now = at(NY, 10, 26, 10)
    script = render_script(PROMISING, start, ctx(), FIELDS, now)
    assert script.voicemail == "Back Wednesday at 2 p.m."
    email = apply_outcome(PROMISING, start, ctx(), "voicemail", now).position
    assert (email.next_due_at, email.promised_at) == (at(NY, 10, 27, 10), at(NY, 10, 28, 14))
    # Sent in the evening: a day after that would be Thursday; the promise says Wednesday.
    call = apply_outcome(PROMISING, email, ctx(attempts=[now]), "sent", at(NY, 10, 27, 20)).position
    assert (call.next_due_at, call.pinned, call.promised_at) == (at(NY, 10, 28, 14), True, None)


def test_no_message_left_means_no_promise_to_keep():
    now = at(NY, 10, 26, 10)
    retried = Position("t", 0, "active", None, False, 1)  # the cadence's one retry is used
    email = apply_outcome(PROMISING, retried, ctx(), "no-answer", now).position
    assert email.step_index == 1 and email.promised_at is None
    call = apply_outcome(PROMISING, email, ctx(attempts=[now]), "sent", at(NY, 10, 27, 20)).position
    assert (call.next_due_at, call.pinned) == (at(NY, 10, 28, 14), False)  # the step's own timing


def test_promised_next_is_none_when_the_prospect_is_out():
    library = make({**CALL, "wait": "0 minutes"})
    for status in ("finished", "dnc", "booked", "wrong-number", "not-interested"):
        assert promised_next(library, Position("t", 0, status, None, False, 0), ctx(), at(NY, 10, 26, 10)) is None
    assert promised_next(library, Position("t", 0, "active", None, False, 0), ctx(), at(NY, 10, 26, 10)) is None


def test_naive_now_is_refused():
    library = make({**CALL, "wait": "0 minutes"})
    with pytest.raises(InvalidInput, match="naive"):
        enroll(library, "t", ctx(), datetime(2026, 10, 26, 10))
