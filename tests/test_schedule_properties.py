"""Properties of the scheduler over random cadences, outcomes, zones, calling hours and dates.

Whatever the cadence and whatever the rep logs:
- every due time, promises included, lies inside the prospect's calling hours (the due queue
  shows only callable prospects, so a promise outside them would never come up);
- a prospect out of the cadence (finished, dnc, wrong number, booked, not interested) or
  awaiting a disposition has no due time;
- a due time is never before the attempt that produced it;
- a call that is not a promise respects the cooldown and the daily cap on calls to the number;
- {next_call} names the very instant the scheduler then stores, even when email, social or
  task steps lie between the message and the call (done before the promised time).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialdeck.cadence import cadence_from_mapping
from dialdeck.hours import CallingWindow, is_callable, next_callable
from dialdeck.models import CALL_OUTCOMES
from dialdeck.typed_time import DAY_NAMES
from dialdeck.schedule import (
    TERMINAL,
    Context,
    Guardrails,
    apply_disposition,
    apply_outcome,
    current_step,
    enroll,
    promised_next,
)

UTC = ZoneInfo("UTC")
ZONES = [
    "America/New_York", "America/Los_Angeles", "America/Chicago", "America/Phoenix", "America/St_Johns",
    "Pacific/Honolulu", "Europe/London", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo",
    "Australia/Sydney", "Australia/Lord_Howe", "Pacific/Chatham", "America/Sao_Paulo",
]
UNITS = ["minutes", "hours", "days", "business days", "weeks"]
SLOTS = ["morning", "midday", "afternoon", "late-afternoon", "evening"]


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def timings(draw) -> dict:
    kind = draw(st.sampled_from(["wait", "wait", "wait", "promise", "weekday", "appointment"]))
    if kind == "weekday":
        return {"weekday": draw(st.sampled_from([name.lower() for name in DAY_NAMES])), "at": clock_text(draw(st.integers(0, 24 * 60 - 1)))}
    if kind == "appointment":
        return {"at_appointment": True}
    if kind == "promise":
        unit = draw(st.sampled_from(["minutes", "hours"]))
        return {"wait": f"{draw(st.integers(0, 90))} {unit}", "promise": True}
    unit = draw(st.sampled_from(UNITS))
    timing = {"wait": f"{draw(st.integers(0, 12))} {unit}"}
    extra = draw(st.sampled_from(["none", "slot", "at"] if unit in ("days", "business days", "weeks")
                                 else ["none", "slot"]))
    if extra == "slot":
        timing["slot"] = draw(st.sampled_from(SLOTS))
    elif extra == "at":
        timing["at"] = clock_text(draw(st.integers(0, 24 * 60 - 1)))
    return timing


@st.composite
def steps(draw, first: bool) -> dict:
    action = draw(st.sampled_from(["call", "call", "call", "email", "social", "task"]))
    step = {"action": action, **draw(timings())}
    if action == "call":
        step["voicemail"] = draw(st.sampled_from([False, "Hi, {rep_name} here.",
                                                  "Hi, I'll try you {next_call}."]))
        if draw(st.booleans()):
            step["no_answer_retries"] = draw(st.integers(0, 2))
    elif action == "email":
        step.update(subject="Hi", body="Hello from {rep_company}.")
    else:
        step["instructions"] = "Look them up."
    if not first and draw(st.booleans()):
        step["cold"] = {"skip": True}
    return step


@st.composite
def libraries(draw):
    count = draw(st.integers(1, 6))
    data = {
        "name": "t",
        "no_answer_retries": draw(st.integers(0, 2)),
        "steps": [draw(steps(first=index == 0)) for index in range(count)],
    }
    promises = any("{next_call}" in str(step.get("voicemail")) for step in data["steps"])
    if promises or draw(st.booleans()):  # a promise needs a call after it: loop when one is made
        data.update(after_last="continue", continue_with="t")  # an endless loop of itself
    if draw(st.booleans()):
        data["low_value_below"] = 1000
    return {"t": cadence_from_mapping(data, source="t.toml")}


@st.composite
def windows(draw) -> CallingWindow:
    start = draw(st.integers(0, 23 * 60))
    end = draw(st.integers(start + 30, 24 * 60 - 1))
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    return CallingWindow(start=time(start // 60, start % 60), end=time(end // 60, end % 60), days=days)


@st.composite
def contexts(draw, start: datetime) -> Context:
    appointment = None
    if draw(st.booleans()):
        appointment = start + timedelta(minutes=draw(st.integers(-3 * 24 * 60, 10 * 24 * 60)))
    return Context(
        zone=ZoneInfo(draw(st.sampled_from(ZONES))),
        window=draw(windows()),
        temperature=draw(st.sampled_from(["warm", "cold"])),
        value=draw(st.one_of(st.none(), st.floats(0, 10_000))),
        appointment_at=appointment,
        recent_attempts=(),
        guard=Guardrails(cooldown=timedelta(minutes=draw(st.integers(0, 300))),
                         max_per_day=draw(st.integers(1, 5))),
        has_email=draw(st.booleans()),  # without an address the email steps are passed over
    )


starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31),
                      timezones=st.just(UTC))
actions = st.lists(st.tuples(st.integers(0, 600), st.integers(0, 99), st.integers(0, 3)), max_size=25)


class Rep:
    """Logs outcomes as a rep would and checks every position the scheduler hands back."""

    def __init__(self, library, ctx: Context):
        self.library = library
        self.base = ctx
        self.calls: list[datetime] = []

    def ctx(self, now: datetime) -> Context:
        recent = tuple(c for c in self.calls if c > now - timedelta(days=8))
        return replace(self.base, recent_attempts=recent)

    def check(self, pos, now: datetime) -> None:
        if pos.status != "active":
            assert pos.next_due_at is None, pos
            assert pos.status in TERMINAL or pos.status == "connected"
            return
        due = pos.next_due_at
        assert due is not None and due >= now, (pos, now)
        assert is_callable(due, self.base.zone, self.base.window), (due.astimezone(self.base.zone), self.base.window)
        if not self.base.has_email:
            assert current_step(self.library, pos, self.base).action != "email"
        if pos.pinned:
            return
        if current_step(self.library, pos, self.base).action == "call" and self.calls:
            assert due >= max(self.calls) + self.base.guard.cooldown
            day = due.astimezone(self.base.zone).date()
            same_day = [c for c in self.calls if c.astimezone(self.base.zone).date() == day]
            assert len(same_day) < self.base.guard.max_per_day


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), library=libraries(), start=starts, plan=actions)
def test_scheduler_invariants(data, library, start, plan):
    ctx = data.draw(contexts(start))
    rep = Rep(library, ctx)
    now = start
    pos = enroll(library, "t", ctx, now)
    rep.check(pos, now)
    kept = None  # the call a left message promised, while steps between are worked
    for delay, pick, disposition in plan:
        if pos.status in TERMINAL:
            break
        if pos.status == "connected":
            now += timedelta(minutes=1)
            choice = ["callback", "booked", "not-interested", "continue"][disposition]
            # The rep's dialog offers callable times only; an outside one is refused (tested apart).
            callback = next_callable(now + timedelta(minutes=delay), ctx.zone, ctx.window) \
                if choice == "callback" else None
            pos = apply_disposition(library, pos, rep.ctx(now), choice, now, callback).position
            rep.check(pos, now)
            continue
        now = max(now, pos.next_due_at) + timedelta(minutes=delay if pick % 3 == 0 else 0)
        step = current_step(library, pos, ctx)
        if step.action == "call":
            # Mostly the common outcomes; the ones that end the cadence now and then.
            common = ["no-answer", "voicemail", "busy", "connected"]
            outcome = common[pick % 4] if pick < 94 else CALL_OUTCOMES[pick % len(CALL_OUTCOMES)]
        else:
            outcome = "sent" if step.action == "email" else "done"
        promise = promised_next(library, pos, rep.ctx(now), now)
        left_promise = outcome == "voicemail" and step.voicemail is not None and step.voicemail.uses("next_call")
        transition = apply_outcome(library, pos, rep.ctx(now), outcome, now)
        if step.action == "call":
            rep.calls.append(now)
        pos = transition.position
        rep.check(pos, now)
        assert transition.add_dnc == (outcome == "do-not-call")
        if outcome in ("voicemail", "sent", "done") and pos.status == "active" \
                and current_step(library, pos, ctx).action == "call":
            # What a script's {next_call} said is what was stored.
            assert promise == pos.next_due_at
            if step.action != "call" and kept is not None and kept >= now:
                assert pos.next_due_at == kept and pos.pinned, (kept, pos)
        between = pos.status == "active" and current_step(library, pos, ctx).action != "call"
        if left_promise:
            kept = promise if between else None
        elif step.action == "call" or not between:
            kept = None


@settings(max_examples=200, deadline=None)
@given(library=libraries(), start=starts, data=st.data())
def test_enrollment_is_never_before_now_and_never_outside_hours(library, start, data):
    ctx = data.draw(contexts(start))
    pos = enroll(library, "t", ctx, start)
    assert pos.status in ("active", "finished")
    if pos.status == "active":
        assert pos.next_due_at >= start
        assert is_callable(pos.next_due_at, ctx.zone, ctx.window)
