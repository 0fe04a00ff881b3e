"""What a script may say: the facts the store knows about a prospect, and the conditions read from them.

A script is rendered from facts, never assumed (DESIGN.md, "Scripts from facts"). The services
build a ``ScriptFacts`` from the store: the prospect's attempts (each one's cadence enrollment,
step, outcome,
instant, the call its message promised, a callback agreed and who chose it, the times an
email offered) and what the rep recorded about the prospect (referrer, appointment, an email
address, a benefit the rep wrote, the urgent flag). ``truths`` turns them, at ``now``, into the
set of conditions that hold; a cadence file picks its sentences by those conditions (the
vocabulary below, documented in ``cadence.py``).

Pure: no I/O, no clock. Every instant is an aware datetime.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

# A promised call is "on time" from a little before to a quarter of an hour after the promised
# instant: the rep works a queue, and a promise that comes due while they finish the call
# before it is still kept. Later than that the script says so instead of "as promised".
PROMISE_EARLY = timedelta(minutes=5)
PROMISE_LATE = timedelta(minutes=15)
# "in 15 minutes" is said for a next call less than this far ahead (phrases.phrase_time).
SOON = timedelta(hours=1)

# The condition vocabulary: name -> what must be true. Kept here, beside the code that decides
# them; cadence.py validates files against it and documents it for authors.
CONDITIONS: Mapping[str, str] = {
    # who the prospect is: a CRM row may lack any of these (a name is never wholly missing)
    "first_name": "the prospect's first name is on file",
    "no_first_name": "no first name on file",
    "last_name": "the prospect's last name is on file",
    "no_last_name": "no last name on file",
    "company": "the prospect's company is on file",
    "no_company": "no company on file",
    # what the rep recorded about the prospect
    "referrer": "a referrer is on file",
    "no_referrer": "no referrer on file",
    "referrer_company": "the referrer's company is on file",
    "no_referrer_company": "no referrer company on file",
    "appointment": "an appointment time is on file",
    "no_appointment": "no appointment time on file",
    "email": "the prospect has an email address",
    "no_email": "no email address on file",
    "benefit": "a benefit the rep wrote, for this prospect or this cadence",
    "no_benefit": "no benefit written",
    "urgent": "the rep marked the prospect urgent",
    "not_urgent": "not marked urgent",
    "urgent_reason": "the rep wrote why it is urgent",
    "no_urgent_reason": "no reason written (or not urgent)",
    # what happened earlier in this cadence
    "called": "an earlier call attempt",
    "not_called": "no earlier call attempt",
    "last_call_answered": "the latest call attempt connected",
    "last_call_missed": "the latest call attempt did not connect",
    "spoke": "a call connected earlier in this cadence",
    "not_spoke": "no call has connected in this cadence",
    "voicemail_left": "a voicemail was left earlier in this cadence",
    "no_voicemail_left": "no voicemail left yet",
    "emailed": "an email of this cadence was sent",
    "not_emailed": "no email sent yet",
    "replied": "they replied to an email, picking one of the times it offered",
    "not_replied": "no reply logged",
    # promises about this call
    "promised": "this call's time was named to them: a message, an agreed callback, a picked time, the appointment",
    "no_promise": "nothing named this call's time",
    "promise_kept": "promised, and now is on time (5 minutes early to 15 minutes late)",
    "promise_early": "promised, and now is more than 5 minutes early",
    "promise_late": "promised, and now is more than 15 minutes late",
    "callback": "this call is a callback agreed with them (on a call, or a time they picked)",
    "not_callback": "not a callback",
    "picked_slot": "they picked this call's time from the times an email offered",
    "not_picked_slot": "not a time they picked from an email",
    "they_chose": "they chose this call's time themselves",
    # the schedule
    "next_call": "a later call is scheduled ({next_call} has a time)",
    "no_next_call": "no later call in this cadence",
    "next_call_soon": "the next call is within the hour",
    "next_call_later": "the next call is an hour or more away",
}

# A condition that holds makes these hold too (so a part under "referrer_company" may say
# {referrer}). Used to validate which fields a part may use.
IMPLIES: Mapping[str, frozenset[str]] = {
    "referrer_company": frozenset({"referrer"}),
    "urgent_reason": frozenset({"urgent"}),
    "last_call_answered": frozenset({"called", "spoke"}),
    "last_call_missed": frozenset({"called"}),
    "spoke": frozenset({"called"}),
    "voicemail_left": frozenset({"called"}),
    "promise_kept": frozenset({"promised"}),
    "promise_early": frozenset({"promised"}),
    "promise_late": frozenset({"promised"}),
    "picked_slot": frozenset({"callback", "they_chose", "replied"}),
    "replied": frozenset({"emailed"}),
    "next_call_soon": frozenset({"next_call"}),
    "next_call_later": frozenset({"next_call"}),
}

# Conditions that can never hold together: a part asking for both is a mistake.
OPPOSITES: tuple[tuple[str, str], ...] = (
    ("first_name", "no_first_name"), ("last_name", "no_last_name"), ("company", "no_company"),
    ("referrer", "no_referrer"), ("referrer_company", "no_referrer_company"),
    ("referrer_company", "no_referrer"), ("appointment", "no_appointment"), ("email", "no_email"),
    ("benefit", "no_benefit"), ("urgent", "not_urgent"), ("urgent_reason", "not_urgent"),
    ("called", "not_called"), ("last_call_answered", "last_call_missed"), ("spoke", "not_spoke"),
    ("voicemail_left", "no_voicemail_left"), ("emailed", "not_emailed"), ("replied", "not_replied"),
    ("promised", "no_promise"),
    ("promise_kept", "promise_early"), ("promise_kept", "promise_late"), ("promise_early", "promise_late"),
    ("next_call", "no_next_call"), ("urgent_reason", "no_urgent_reason"), ("callback", "not_callback"),
    ("picked_slot", "not_picked_slot"), ("next_call_soon", "next_call_later"),
)

# Template fields that name a fact only some prospects have, and the condition a part must be
# under to use them: a script may only state what the data says.
FIELD_NEEDS: Mapping[str, str] = {
    "first_name": "first_name",
    "last_name": "last_name",
    "company": "company",
    "referrer": "referrer",
    "referrer_company": "referrer_company",
    "appointment": "appointment",
    "benefit": "benefit",
    "urgent_reason": "urgent_reason",
    "promised": "promised",
    "last_call": "called",
    "last_voicemail": "voicemail_left",
    "last_email": "emailed",
}


# The prospect's own fields whose presence is a condition: read from the very values a script
# fills in, so "company" holds exactly when {company} would say something.
IDENTITY_FIELDS = ("first_name", "last_name", "company")


def field_truths(fields: Mapping[str, str | None]) -> frozenset[str]:
    """Which of the prospect's own fields (``IDENTITY_FIELDS``) are on file: "company" or
    "no_company", and so on. A blank value is no value."""
    return frozenset(name if (fields.get(name) or "").strip() else f"no_{name}" for name in IDENTITY_FIELDS)


def closure(conditions: frozenset[str]) -> frozenset[str]:
    """``conditions`` and everything they imply."""
    found = set(conditions)
    todo = list(conditions)
    while todo:
        for implied in IMPLIES.get(todo.pop(), ()):
            if implied not in found:
                found.add(implied)
                todo.append(implied)
    return frozenset(found)


def contradiction(conditions: frozenset[str]) -> tuple[str, str] | None:
    """Two of ``conditions`` (with what they imply) that can never hold together, if any."""
    held = closure(conditions)
    for a, b in OPPOSITES:
        if a in held and b in held:
            return a, b
    return None


# ---------------------------------------------------------------------------------------------
# The facts


CALL = "call"


@dataclass(frozen=True)
class Touch:
    """One attempt of the prospect's, as stored."""

    at: datetime
    step: int  # 1-based, the step it was logged on (in its enrollment's cadence)
    action: str  # call | email | social | task
    outcome: str  # no-answer, voicemail, connected, busy, sent, done, replied...
    disposition: str | None = None
    promised_at: datetime | None = None  # the next call its message named ({next_call})
    callback_at: datetime | None = None  # a callback agreed on it, or the time they picked
    callback_by: str | None = None  # "prospect" | "rep" | None (agreed; who proposed it not recorded)
    offered: tuple[datetime, ...] = ()  # the times an email offered
    enrollment: int = 0  # which cadence membership it was logged in


@dataclass(frozen=True)
class Promise:
    """A call whose time was named to the prospect."""

    at: datetime
    kind: str  # "message" | "callback" | "slot" | "appointment"
    made_at: datetime | None  # None for an appointment (agreed before dialdeck knew of it)
    by: str | None = None  # who chose a callback's time, when recorded


@dataclass(frozen=True)
class ScriptFacts:
    """Everything a script may state about one prospect, as the store knows it.

    History spans every cadence the prospect went through (a conversation in the cadence before
    is still a conversation); what belongs to one step (a callback, the appointment kept) is
    read in the current enrollment only.
    """

    touches: tuple[Touch, ...] = ()  # the prospect's attempts, oldest first
    enrollment: int = 0  # the current enrollment (Touch.enrollment)
    referrer: str = ""
    referrer_company: str = ""
    appointment_at: datetime | None = None
    has_email: bool = False
    benefit: str = ""  # the prospect's own, else the cadence's
    urgent: bool = False
    urgent_reason: str = ""

    # --- history ---

    def last(self, *, action: str | None = None, outcome: str | None = None) -> Touch | None:
        for touch in reversed(self.touches):
            if (action is None or touch.action == action) and (outcome is None or touch.outcome == outcome):
                return touch
        return None

    def last_call(self) -> Touch | None:
        return self.last(action=CALL)

    def last_email(self) -> Touch | None:
        return self.last(action="email", outcome="sent")

    def last_voicemail(self) -> Touch | None:
        return self.last(action=CALL, outcome="voicemail")

    def spoke(self) -> bool:
        return any(t.action == CALL and t.outcome == "connected" for t in self.touches)

    def pending_offer(self, now: datetime) -> tuple[datetime, ...]:
        """The times the latest email offered that are still ahead, unless they already picked one."""
        for touch in reversed(self.touches):
            if touch.outcome == "replied":
                return ()
            if touch.offered:
                return tuple(at for at in touch.offered if at > now)
        return ()

    def offered_before(self) -> tuple[datetime, ...]:
        """Every time an earlier email offered: a new offer repeats none of them."""
        return tuple(at for touch in self.touches for at in touch.offered)

    def offer_state(self, now: datetime) -> tuple[str, Touch | None]:
        """Where the latest offer of times stands at ``now``, and the touch that says so:
        ("open", the email) some of its times are still ahead to pick; ("picked", the reply)
        they already picked one; ("passed", the email) all its times are past; ("none", None)
        no email offered times."""
        reply = None
        for touch in reversed(self.touches):
            if touch.outcome == "replied" and reply is None:
                reply = touch
            if touch.offered:
                if reply is not None:
                    return "picked", reply
                return ("open" if any(at > now for at in touch.offered) else "passed"), touch
        return "none", None

    # --- promises ---

    def callback_touch(self, step: int) -> Touch | None:
        """The touch that agreed the callback this call on ``step`` keeps, if it is one.

        A callback holds for the step it was agreed on, through busy and no-answer retries of
        that step; once the cadence moves on, the next step is an ordinary step again.
        """
        for touch in reversed(self.touches):
            if (touch.enrollment, touch.step) != (self.enrollment, step):
                return None
            if touch.callback_at is not None:
                return touch
        return None

    def promise(self, step: int, at_appointment: bool) -> Promise | None:
        """What was promised about the call now due on ``step``, if anything.

        The latest message, callback or picked time that named a call, unless a call was made
        since (that call was the promised one). An appointment step with nothing logged on it
        yet keeps the appointment.
        """
        for touch in reversed(self.touches):
            if touch.callback_at is not None:
                kind = "slot" if touch.outcome == "replied" else "callback"
                return Promise(touch.callback_at, kind, touch.at, touch.callback_by)
            if touch.promised_at is not None:
                return Promise(touch.promised_at, "message", touch.at)
            if touch.action == CALL or (touch.enrollment, touch.step) == (self.enrollment, step):
                break
        if at_appointment and self.appointment_at is not None and not any(
                (t.enrollment, t.step) == (self.enrollment, step) for t in self.touches):
            return Promise(self.appointment_at, "appointment", None)
        return None


def promise_timing(promise: Promise, now: datetime) -> str:
    """"promise_kept", "promise_early" or "promise_late" for a call made at ``now``."""
    if now < promise.at - PROMISE_EARLY:
        return "promise_early"
    if now > promise.at + PROMISE_LATE:
        return "promise_late"
    return "promise_kept"


def truths(facts: ScriptFacts, now: datetime, *, step: int, at_appointment: bool,
           next_call: datetime | None) -> frozenset[str]:
    """The conditions that hold for the call (or step) due on ``step`` at ``now``.

    ``next_call`` is the instant the schedule would store for the next call if this step were
    completed now (None when the cadence ends first).
    """
    held: set[str] = set()

    def either(flag: bool, yes: str, no: str) -> None:
        held.add(yes if flag else no)

    either(bool(facts.referrer), "referrer", "no_referrer")
    either(bool(facts.referrer and facts.referrer_company), "referrer_company", "no_referrer_company")
    either(facts.appointment_at is not None, "appointment", "no_appointment")
    either(facts.has_email, "email", "no_email")
    either(bool(facts.benefit), "benefit", "no_benefit")
    either(facts.urgent, "urgent", "not_urgent")
    either(facts.urgent and bool(facts.urgent_reason), "urgent_reason", "no_urgent_reason")
    last_call = facts.last_call()
    either(last_call is not None, "called", "not_called")
    if last_call is not None:
        held.add("last_call_answered" if last_call.outcome == "connected" else "last_call_missed")
    either(facts.spoke(), "spoke", "not_spoke")
    either(facts.last_voicemail() is not None, "voicemail_left", "no_voicemail_left")
    either(facts.last_email() is not None, "emailed", "not_emailed")
    either(facts.last(outcome="replied") is not None, "replied", "not_replied")
    promise = facts.promise(step, at_appointment)
    either(promise is not None, "promised", "no_promise")
    if promise is not None:
        held.add(promise_timing(promise, now))
    callback = facts.callback_touch(step)
    either(callback is not None, "callback", "not_callback")
    picked = callback is not None and callback.outcome == "replied"
    either(picked, "picked_slot", "not_picked_slot")
    if picked or (callback is not None and callback.callback_by == "prospect"):
        held.add("they_chose")
    either(next_call is not None, "next_call", "no_next_call")
    if next_call is not None:
        held.add("next_call_soon" if timedelta(0) <= next_call - now < SOON else "next_call_later")
    return frozenset(held)


__all__ = [
    "CONDITIONS", "IMPLIES", "OPPOSITES", "FIELD_NEEDS", "IDENTITY_FIELDS", "PROMISE_EARLY", "PROMISE_LATE", "SOON",
    "field_truths", "Touch", "Promise", "ScriptFacts", "closure", "contradiction", "promise_timing", "truths",
]
