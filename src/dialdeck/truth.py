"""Script truth: does every sentence a script showed match what happened and what was scheduled?

The checker reads the scripts of a walk (``Act``: what was shown, what the rep then did, what
the store held afterwards) and the prospect's record, and reports each sentence that states
something the walk does not contain. It does not ask ``facts.py`` what is true: it works the
history out from the acts themselves, parses the time phrases back into instants, and compares.

What it checks, for every text shown (voicemail, talk track, email, instructions, tip):

- a promise of the next call ("I'll try you again Wednesday at 4 p.m.") names the instant the
  store held right after the message was left or sent, inside the calling hours;
- every other time phrase ("booked for 2 p.m.", "we'd agreed ... yesterday at 2 p.m.", the
  times an email offers) is an instant the walk knows: the appointment, the promised time, the
  step's due time, an earlier act; offered times are ahead, inside the hours, on weekdays;
- "this morning", "yesterday afternoon", "on Monday" after "email", "message" or "tried" is
  when that email, message or call really happened; any other relative word (today, tomorrow,
  next week, later in the year...) that no checked phrase accounts for is reported, except in
  a question;
- "as promised", "right on time", "as we agreed", "calling back", "the time you picked",
  "I'm late" / "a little early" only when a promise was made for this call and the call is on
  time (``facts.PROMISE_EARLY``/``PROMISE_LATE``), late or early accordingly;
- emails ("my email", "I sent you an email") were sent; an email promised ("I'm sending you an
  email now") is the next thing done, and one "with a few times" offers them;
- referrals need a referrer on file, bookings an appointment, "when we spoke" a connected call,
  "your enquiry" a warm lead; results ("pays for itself", "hours every week") only in the
  benefit the rep wrote; urgency only when the rep marked it urgent, and a specific deadline
  or price only in the reason the rep wrote;
- "my last call", "the end of my series" are followed by no other call; "one last time" by one;
- after a conversation, no first-touch or missed-appointment words; no talk track thanks the
  prospect for calling back (talk tracks are for the rep's own call);
- "my message", "the idea I mentioned" follow a message left;
- no text shows what an empty field leaves behind ("Hi , it's", "relevant to ?", "for  I'd",
  "()"): a fact the prospect's record lacks is left out, not said as a blank;
- times an email calls "new" were offered by no earlier email;
- a tip that says the last message named this call's time (or that the rep is later than
  it said) is shown only when a message did and the call is on time (or late).

Voicemails longer than about 30 seconds spoken (``MAX_VOICEMAIL_WORDS``) are reported as a
warning, not a falsehood.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dialdeck.facts import PROMISE_EARLY, PROMISE_LATE
from dialdeck.hours import CallingWindow, is_callable
from dialdeck.offers import OFFER_DAYS
from dialdeck.phrases import dated_clock, day_clock, part_of_day, short_date
from dialdeck.typed_time import DAY_NAMES as _DAYS
from dialdeck.typed_time import MONTH_NAMES as _MONTHS
from dialdeck.typed_time import read_clock

# About 30 seconds of speech at a calm voicemail pace.
MAX_VOICEMAIL_WORDS = 75
TEXT_FIELDS = ("voicemail", "talk_track", "subject", "body", "instructions", "tip")
PROSPECT_FACING = ("voicemail", "talk_track", "subject", "body")


@dataclass(frozen=True)
class Record:
    """What the prospect's record says."""

    zone: ZoneInfo
    window: CallingWindow
    temperature: str = "warm"
    referrer: str = ""
    referrer_company: str = ""
    appointment_at: datetime | None = None
    email: bool = True
    benefit: str = ""
    urgent: bool = False
    urgent_reason: str = ""


@dataclass(frozen=True)
class Act:
    """One script shown and what the rep did with it (or a reply: action "reply", outcome "picked")."""

    at: datetime
    due_at: datetime | None
    step: int
    action: str  # call | email | social | task | reply
    outcome: str
    texts: Mapping[str, str | None] = field(default_factory=dict)
    delivered: bool = False  # the voicemail was left, the email sent
    callback_at: datetime | None = None  # agreed on this act (or the time picked)
    next_call_after: datetime | None = None  # the next call as stored right after this act
    offers: tuple[datetime, ...] = ()  # the times this email offered
    cadence: str = ""  # for the report (a walk may continue into another cadence)
    appointment_step: bool = False  # the step is timed by the appointment (the cadence file says so)


@dataclass(frozen=True)
class Finding:
    act: int  # index into the walk's acts
    step: int
    field: str
    sentence: str
    reason: str
    warning: bool = False  # style (length), not a falsehood
    cadence: str = ""

    @property
    def where(self) -> str:
        return f"{self.cadence} step {self.step}".strip() + f" {self.field}"

    def __str__(self) -> str:
        kind = "warning" if self.warning else "untrue"
        return f"{self.where}: {kind}: {self.reason}: \u201c{self.sentence}\u201d"


# --- phrases ---------------------------------------------------------------------------------

_WEEKDAY = "(?:" + "|".join(_DAYS) + ")"
_MONTH = "(?:" + "|".join(_MONTHS) + ")"
_CLOCK = r"(?:noon|midnight|\d{1,2}(?::\d{2})? [ap]\.m\.)"
_DAY = rf"(?:today|tomorrow|yesterday|last {_WEEKDAY}|{_WEEKDAY}, {_MONTH} \d{{1,2}}|{_WEEKDAY})"
TIME = re.compile(rf"\bin (?P<mins>\d+) minutes?\b|(?:\b(?P<day>{_DAY}) at )?(?P<clock>\b{_CLOCK})")
PAST = re.compile(rf"\b(?:(?P<rel>this|yesterday) (?P<part>morning|afternoon|evening)"
                  rf"|on (?P<weekday>{_WEEKDAY})(?:, (?P<month>{_MONTH}) (?P<dom>\d{{1,2}}))?)\b")
FUTURE_CALL = re.compile(
    rf"\bI'll (?:call|try|ring) you(?: again| back)?(?: one last time| once more)?,? (?P<time>(?:in \d+ minutes?|{_DAY} at {_CLOCK}))")
RELATIVE = re.compile(r"\b(?:today|tomorrow|tonight|yesterday|this (?:morning|afternoon|evening|week|month|year)"
                      r"|next (?:week|month|year|quarter)|last (?:week|month)|later in the year|later this year"
                      r"|earlier today)\b", re.I)
_REQUEST_TODAY = re.compile(r"\bcall (?:me |you )?back today\b|\bcall me today\b", re.I)
# A sentence ends at . ! or ? followed by a capital (so "4 p.m. to tell you" stays one).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"\u201c(])")

_EVENT_CUES = (
    ("email", re.compile(r"\b(?:email|emailed|sent you|note)\b", re.I)),
    ("voicemail", re.compile(r"\b(?:message|voicemail|left you)\b", re.I)),
    ("call", re.compile(r"\b(?:tried|called|call|rang|speak|spoke|reach)\b", re.I)),
)

_PROMISE_CLAIM = re.compile(r"\bas promised\b|\bas I promised\b|\bright on time\b|\bas I said I would\b"
                            r"|\bon it to the minute\b", re.I)
_MESSAGE_NAMED_CLAIM = re.compile(r"\bnamed this call's time\b|\bthan your last message said\b"
                                  r"|\byour last message (?:said|named)\b", re.I)
_EARLIER_MESSAGE_CLAIM = re.compile(r"\b(?:any of )?my messages\b|\bin my message\b|\bon my message\b"
                                    r"|\b(?:the idea|as) I mentioned\b", re.I)
_NEW_TIMES_CLAIM = re.compile(r"\b(?:new|fresh|different|other) times\b", re.I)
# What an empty field leaves behind: two spaces ("for  I'd"), a space before punctuation
# ("Hi , it's", "relevant to ?"; not an ellipsis " ...", the rep's blank to fill, nor the key
# "press ! and"), empty brackets, a line that starts with punctuation.
_EMPTY_FIELD = re.compile(r"[^\S\n]{2,}|[^\S\n](?:[,;:?)]|\.(?!\.)|!(?![^\S\n][a-z]))|\(\s*\)|^[^\S\n]*[,.;:!?]",
                          re.M)
_AGREED_CLAIM = re.compile(r"\bas (?:we )?agreed\b", re.I)
_CALLING_BACK_CLAIM = re.compile(r"\b(?:I'm|I am) calling (?:you )?back\b", re.I)
_PICKED_CLAIM = re.compile(r"\bthe time you picked\b", re.I)
_LATE_CLAIM = re.compile(r"\bI'm later than\b|\bI'm late\b|\bsorry I'm later\b|\byou're later than\b", re.I)
_EARLY_CLAIM = re.compile(r"\ba little early\b", re.I)
_UNSEEN_EMAIL_CLAIM = re.compile(r"\bgot buried\b|\bsaw my email\b|\bdid my email reach you\b", re.I)
_EMAIL_SENT_CLAIM = re.compile(r"\bmy (?:last )?email\b|\bsent you (?:an email|a few times)\b|\bthe email I sent\b"
                               r"|\bemailed you\b", re.I)
_EMAIL_COMING_CLAIM = re.compile(r"\bI(?:'ll| will|'m| am)(?: also)? (?:send|sending) you (?:[a-z]+ ){0,3}(?:email|note)\b"
                                 r"|\bthe email you(?:'re| are) about to send\b", re.I)
_TIMES_COMING_CLAIM = re.compile(r"\b(?:email|note)\b[^.]*\bwith (?:a few|some) times\b", re.I)
_REFERRAL_CLAIM = re.compile(r"\bsuggested (?:I|we)\b|\breferred\b|\breferral\b|\ba colleague\b|\bone of our clients\b"
                             r"|\brecommended (?:I|we|you)\b", re.I)
_RESULT_CLAIM = re.compile(r"\bnoticed\b|\bsurprised\b|\bpays? for itself\b|\bpaid for itself\b|\bhours every week\b"
                           r"|\bsaved\b|\bfirst results\b|\bwithin a few weeks\b|\bmost of our clients\b"
                           r"|\breturn on\b|\bdoubled\b|\bhalved\b|\bresults? (?:for|with)\b", re.I)
_URGENT_SPECIFIC = re.compile(r"\bholding your\b|\bsomeone else\b|\bpric(?:e|ing)\b|\bdeadline\b|\bthis month\b"
                              r"|\bexpires?\b|\bclosing out\b|\blose it\b|\blast chance\b|\bstart date\b", re.I)
_URGENT_GENERIC = re.compile(r"\btime-sensitive\b|\bcan't wait\b|\burgent\b|\bcall me back today\b", re.I)
_BOOKING_CLAIM = re.compile(r"\bbooked (?:for|a call)\b|\bhad a call booked\b|\bwe'd booked\b|\bour scheduled\b"
                            r"|\bour appointment\b|\bthe call we had\b|\bwe had booked\b"
                            r"|\b(?:you|we) had planned\b", re.I)
_SPOKE_CLAIM = re.compile(r"\bwhen we spoke\b|\byou mentioned\b|\bas we discussed\b|\bwhat we discussed\b"
                          r"|\byou told me\b|\bour conversation\b|\btaking my call\b|\bwhere you left off\b"
                          r"|\bgood to hear you again\b", re.I)
_ENQUIRY_CLAIM = re.compile(r"\bthanks for (?:getting in touch|reaching out)\b|\byour enquiry\b"
                            r"|\bprompted you to get in touch\b|\bwhen you got in touch\b", re.I)
_FIRST_TOUCH = re.compile(r"\bthanks for (?:getting in touch|reaching out)\b|\bsuggested I give you a call\b"
                          r"|\bmissed each other\b|\bsorry I missed you for the call\b|\bhaven't (?:been able to )?connect"
                          r"|\bfinally reach you\b", re.I)
_THANKS_CALLING_BACK = re.compile(r"\bthanks for (?:calling|getting) back\b", re.I)
_SOON_CLAIM = re.compile(r"\bjust finishing something\b|\bin a few minutes\b", re.I)
_LAST_CALL_CLAIM = re.compile(r"\bmy last (?:message|call)\b|\bend of my series\b|\bwon't call you about this again\b"
                              r"|\blast call (?:for a while|about it)\b|\bthis is my last\b", re.I)
_ONE_MORE_CALL = re.compile(r"\b(?:one last time|once more)\b", re.I)


def _resolve(match: re.Match, zone: ZoneInfo, now: datetime) -> datetime | None:
    """The instant a TIME match names, seen from ``now`` in ``zone``."""
    if match.group("mins") is not None:
        return now + timedelta(minutes=int(match.group("mins")))
    clock = read_clock(match.group("clock"))
    day = _day(match.group("day"), now.astimezone(zone).date())
    return None if day is None else datetime.combine(day, clock, tzinfo=zone)


def _day(text: str | None, today: date) -> date | None:
    if text is None or text == "today":
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    if text == "yesterday":
        return today - timedelta(days=1)
    if text.startswith("last "):
        weekday = _DAYS.index(text[5:])
        back = (today.weekday() - weekday) % 7 or 7
        return today - timedelta(days=back)
    if "," in text:
        _name, month_day = text.split(", ")
        month_name, dom = month_day.split(" ")
        return _nearest_date(today, _MONTHS.index(month_name) + 1, int(dom))
    weekday = _DAYS.index(text)
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def _nearest_date(today: date, month: int, dom: int) -> date | None:
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, dom))
        except ValueError:
            continue
    return min(candidates, key=lambda d: abs((d - today).days)) if candidates else None


def sentences(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        found += [part.strip() for part in _SENTENCE_END.split(line) if part.strip()]
    return found


def _without_asides(text: str) -> str:
    """The text without parenthesized notes to the rep ("(Then: what you did for ...)")."""
    return re.sub(r"\([^)]*\)", " ", text)


# --- the walk's own history ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Promise:
    at: datetime
    kind: str  # "message" | "callback" | "slot" | "appointment"


class _Walk:
    """What the checker knows at one act: the record and the acts before it."""

    def __init__(self, record: Record, acts: list[Act], index: int) -> None:
        self.record = record
        self.acts = acts
        self.index = index
        self.act = acts[index]
        self.before = acts[:index]
        self.after = acts[index + 1:]

    def last(self, kind: str) -> Act | None:
        for act in reversed(self.before):
            if kind == "email" and act.action == "email" and act.outcome == "sent":
                return act
            if kind == "voicemail" and act.action == "call" and act.outcome == "voicemail":
                return act
            if kind == "call" and act.action == "call":
                return act
        return None

    def spoke(self) -> bool:
        return any(a.action == "call" and a.outcome == "connected" for a in self.before)

    def promise(self) -> _Promise | None:
        """The call the prospect was told about, unless a call has been made since."""
        for act in reversed(self.before):
            if act.callback_at is not None:
                return _Promise(act.callback_at, "slot" if act.action == "reply" else "callback")
            if act.delivered:
                said = _promised_in(act, self.record.zone)
                if said is not None:
                    return _Promise(said, "message")
            if act.action == "call":
                return None
        # An appointment step keeps the appointment, until a first attempt on it.
        appointment = self.record.appointment_at
        tried = any((a.cadence, a.step) == (self.act.cadence, self.act.step) for a in self.before)
        if appointment is not None and self.act.appointment_step and not tried:
            return _Promise(appointment, "appointment")
        return None

    def known_instants(self) -> set[datetime]:
        found = {a.at for a in self.before}
        found |= {a.callback_at for a in self.before if a.callback_at}
        if self.record.appointment_at is not None:
            found.add(self.record.appointment_at)
        if self.act.due_at is not None:
            found.add(self.act.due_at)
        promise = self.promise()
        if promise is not None:
            found.add(promise.at)
        return found

    def later_call_steps(self) -> list[int]:
        steps = []
        for act in self.after:
            if act.action == "call" and act.step not in steps:
                steps.append(act.step)
        return steps


def _promised_in(act: Act, zone: ZoneInfo) -> datetime | None:
    """The next call a delivered message named, as the prospect heard it."""
    texts = [act.texts.get("voicemail")] if act.action == "call" else [act.texts.get("subject"), act.texts.get("body")]
    for text in texts:
        for match in FUTURE_CALL.finditer(text or ""):
            inner = TIME.search(match.group("time"))
            if inner is not None:
                return _resolve(inner, zone, act.at)
    return None


# --- the checker -------------------------------------------------------------------------------


def check_walk(record: Record, acts: list[Act], *, complete: bool = True) -> list[Finding]:
    """Every sentence of every script in ``acts`` that the walk does not bear out.

    ``complete``: the walk ran to the end of the cadence (so "my last call" can be checked).
    """
    found: list[Finding] = []
    for index, act in enumerate(acts):
        walk = _Walk(record, acts, index)
        for name in TEXT_FIELDS:
            text = act.texts.get(name)
            if text:
                found += _check_text(walk, name, text, complete)
                found += [Finding(index, act.step, name, excerpt, "a blank where a field is empty", cadence=act.cadence)
                          for excerpt in empty_field_marks(text)]
        voicemail = act.texts.get("voicemail")
        if voicemail and len(voicemail.split()) > MAX_VOICEMAIL_WORDS:
            found.append(Finding(index, act.step, "voicemail", voicemail[:60] + "…",
                                 f"{len(voicemail.split())} words: longer than about 30 seconds spoken "
                                 f"({MAX_VOICEMAIL_WORDS})", warning=True, cadence=act.cadence))
    return found


def empty_field_marks(text: str) -> list[str]:
    """Where ``text`` shows what an empty field leaves behind, each with a few words around it
    ("Hi , it's", "relevant to ?", "for  I'd")."""
    marks = []
    for match in _EMPTY_FIELD.finditer(text):
        start = text.rfind(" ", 0, max(match.start() - 12, 0)) + 1
        end = text.find(" ", min(match.end() + 12, len(text)))
        marks.append(text[start:end if end != -1 else len(text)].replace("\n", " "))
    return marks


def _check_text(walk: _Walk, name: str, text: str, complete: bool) -> list[Finding]:
    act = walk.act
    problems: list[tuple[str, str]] = []
    for sentence in sentences(text):
        for reason in _sentence_problems(walk, name, sentence, text, complete):
            problems.append((sentence, reason))
    return [Finding(walk.index, act.step, name, sentence, reason, cadence=act.cadence) for sentence, reason in problems]


def _sentence_problems(walk: _Walk, name: str, sentence: str, text: str, complete: bool) -> list[str]:
    record, act = walk.record, walk.act
    zone = record.zone
    problems: list[str] = []
    question = sentence.rstrip().endswith("?")
    covered = sentence
    # Promises of the next call: the instant stored.
    for match in FUTURE_CALL.finditer(sentence):
        inner = TIME.search(match.group("time"))
        instant = _resolve(inner, zone, act.at) if inner else None
        covered = covered.replace(match.group("time"), " ")
        if inner is None or instant is None:
            continue
        if instant <= act.at:
            problems.append("promises a call at a time already past")
        elif not is_callable(instant, zone, record.window):
            problems.append("promises a call outside the prospect's calling hours")
        slack = 90 if inner.group("mins") is not None else 60  # "in 1 minute" is said up to 90 s ahead
        if act.delivered and name in ("voicemail", "subject", "body") and not _same(instant, act.next_call_after, slack):
            stored = dated_clock(act.next_call_after, zone) if act.next_call_after else "none"
            problems.append(f"promises {dated_clock(instant, zone)} but the store holds {stored}")
    # The times an email offers, and every other time named.
    for match in TIME.finditer(covered):
        instant = _resolve(match, zone, act.at)
        if instant is None:
            continue
        if any(_same(instant, at) for at in act.offers):
            if instant <= act.at or not is_callable(instant, zone, record.window) or instant.weekday() not in OFFER_DAYS:
                problems.append("offers a time that is past, outside the calling hours or at a weekend")
        elif not any(_same(instant, at) for at in walk.known_instants()):
            problems.append(f"names {match.group(0)!r}, which is no instant of this prospect's history or schedule")
        covered = covered.replace(match.group(0), " ", 1)
    # When something already happened.
    for match in PAST.finditer(covered):
        problems += _past_problems(walk, sentence, match)
        covered = covered.replace(match.group(0), " ", 1)
    if not question:
        leftover = RELATIVE.search(_REQUEST_TODAY.sub(" ", covered))
        if leftover:
            problems.append(f"says {leftover.group(0)!r} with nothing in the walk it refers to")
    problems += _claim_problems(walk, name, sentence, question, complete)
    return problems


def _same(a: datetime | None, b: datetime | None, slack: float = 60) -> bool:
    """The same instant as a phrase can name it (to the minute)."""
    if a is None or b is None:
        return False
    return abs((a - b).total_seconds()) < slack


def _past_problems(walk: _Walk, sentence: str, match: re.Match) -> list[str]:
    before = sentence[:match.start()]
    cue = None
    where = -1
    for kind, pattern in _EVENT_CUES:
        for hit in pattern.finditer(before):
            if hit.start() > where:
                cue, where = kind, hit.start()
    if cue is None:
        return [f"says {match.group(0)!r} without saying what happened then"]
    event = walk.last(cue)
    if event is None:
        return [f"says {match.group(0)!r} about an earlier {cue} that never happened"]
    zone = walk.record.zone
    local = event.at.astimezone(zone)
    today = walk.act.at.astimezone(zone).date()
    days = (today - local.date()).days
    if match.group("rel"):
        part = part_of_day(local.time())
        expected_days = 0 if match.group("rel") == "this" else 1
        if days != expected_days or match.group("part") != part:
            return [f"says {match.group(0)!r} but the {cue} was {dated_clock(local, zone)}"]
        return []
    if _DAYS[local.weekday()] != match.group("weekday"):
        return [f"says {match.group(0)!r} but the {cue} was {dated_clock(local, zone)}"]
    if match.group("month") is None and not 2 <= days <= 6:
        return [f"says {match.group(0)!r} but the {cue} was {days} days ago"]
    if match.group("month") is not None and (local.month, local.day) != (
            _MONTHS.index(match.group("month")) + 1, int(match.group("dom"))):
        return [f"says {match.group(0)!r} but the {cue} was {short_date(local)}"]
    return []


def _claim_problems(walk: _Walk, name: str, sentence: str, question: bool, complete: bool) -> list[str]:
    record, act = walk.record, walk.act
    problems: list[str] = []
    promise = walk.promise()
    lateness = None
    if promise is not None:
        if act.at < promise.at - PROMISE_EARLY:
            lateness = "early"
        elif act.at > promise.at + PROMISE_LATE:
            lateness = "late"
        else:
            lateness = "on time"
    if _PROMISE_CLAIM.search(sentence) and lateness != "on time":
        problems.append("claims a kept promise, but " + ("no promise was made for this call" if promise is None
                                                         else f"the call is {lateness}"))
    agreed = promise is not None and promise.kind in ("callback", "slot")
    if _AGREED_CLAIM.search(sentence) and not agreed:
        problems.append("speaks of an agreed callback that was never agreed")
    elif _CALLING_BACK_CLAIM.search(sentence) and (promise is None or promise.kind != "callback"):
        problems.append("says 'calling back', but no callback was agreed on a call")
    elif _AGREED_CLAIM.search(sentence) and lateness != "on time":
        problems.append(f"says 'as agreed' but the callback is {lateness}")
    if _MESSAGE_NAMED_CLAIM.search(sentence) and (promise is None or promise.kind != "message"):
        problems.append("says a message named this call's time, but none did")
    if _EARLIER_MESSAGE_CLAIM.search(sentence) and walk.last("voicemail") is None:
        problems.append("speaks of an earlier message that was never left")
    if _NEW_TIMES_CLAIM.search(sentence) and act.offers:
        problems += _new_times_problems(walk)
    if _PICKED_CLAIM.search(sentence) and (promise is None or promise.kind != "slot" or lateness != "on time"):
        problems.append("speaks of a time they picked, but this call is not at one")
    if _LATE_CLAIM.search(sentence) and lateness != "late":
        problems.append("apologises for lateness, but the call is not late")
    if _EARLY_CLAIM.search(sentence) and lateness != "early":
        problems.append("says the call is early, but it is not")
    if _EMAIL_SENT_CLAIM.search(sentence) and walk.last("email") is None:
        problems.append("speaks of an email that was never sent")
    if _UNSEEN_EMAIL_CLAIM.search(sentence) and any(a.action == "reply" for a in walk.before):
        problems.append("wonders whether they saw an email they replied to")
    if _EMAIL_COMING_CLAIM.search(sentence):
        problems += _email_coming_problems(walk, name, sentence)
    if _REFERRAL_CLAIM.search(sentence) and not record.referrer:
        problems.append("claims a referral, but no referrer is on file")
    if _BOOKING_CLAIM.search(sentence) and record.appointment_at is None:
        problems.append("speaks of a booked call, but no appointment is on file")
    if _SPOKE_CLAIM.search(sentence) and not walk.spoke():
        problems.append("speaks of a conversation that never happened")
    if _ENQUIRY_CLAIM.search(sentence) and record.temperature != "warm":
        problems.append("speaks of their enquiry, but the lead is cold")
    if walk.spoke() and name in PROSPECT_FACING and _FIRST_TOUCH.search(sentence):
        problems.append("first-touch or missed-call words after a conversation")
    if name == "talk_track" and _THANKS_CALLING_BACK.search(sentence):
        problems.append("thanks them for calling back, on the rep's own call")
    if name in PROSPECT_FACING or name == "instructions":
        claims = _without_asides(sentence)
        if record.benefit:
            claims = claims.replace(record.benefit, " ")
        if not question and _RESULT_CLAIM.search(claims):
            problems.append("states a result nobody recorded (only the benefit the rep wrote may)")
        if record.urgent_reason:
            claims = claims.replace(record.urgent_reason, " ")
        if _URGENT_SPECIFIC.search(claims):
            problems.append("states a deadline, a price or a held date nobody recorded")
        if name in PROSPECT_FACING and _URGENT_GENERIC.search(claims) and not record.urgent:
            problems.append("presses urgency, but the rep did not mark it urgent")
    if _SOON_CLAIM.search(sentence) and (act.next_call_after is None or act.next_call_after - act.at > timedelta(hours=1)) \
            and act.delivered:
        problems.append("speaks as if the next call were minutes away, but it is not")
    if complete and act.delivered and _LAST_CALL_CLAIM.search(sentence) and walk.later_call_steps():
        problems.append("says this is the last, but more calls follow")
    if complete and act.delivered and _ONE_MORE_CALL.search(sentence) and len(walk.later_call_steps()) != 1:
        problems.append(f"says one more call, but {len(walk.later_call_steps())} follow")
    return problems


def _new_times_problems(walk: _Walk) -> list[str]:
    """Times called new must be new: none offered by an earlier email."""
    earlier = [at for act in walk.before for at in act.offers]
    if not earlier:
        return ["calls the times new, but no earlier email offered any"]
    repeated = [at for at in walk.act.offers if any(_same(at, before) for before in earlier)]
    if repeated:
        zone = walk.record.zone
        said = ", ".join(day_clock(at, zone) for at in repeated)
        return [f"calls the times new, but {said} {'was' if len(repeated) == 1 else 'were'} offered before"]
    return []


def _email_coming_problems(walk: _Walk, name: str, sentence: str) -> list[str]:
    record, act = walk.record, walk.act
    if not record.email:
        return ["promises an email to a prospect with no email address"]
    if not act.delivered or name != "voicemail":
        return []
    nxt = next((a for a in walk.after if a.action != "reply"), None)
    if nxt is None or nxt.action != "email":
        return ["promises an email, but the next thing done is not an email"]
    if re.search(r"\bnow\b", sentence, re.I) and nxt.due_at is not None and nxt.due_at - act.at > timedelta(hours=1):
        return ["promises an email now, but it comes due later"]
    if _TIMES_COMING_CLAIM.search(sentence) and len(nxt.offers) < 2:
        return ["promises an email with a few times, but it offers none"]
    return []


__all__ = ["Record", "Act", "Finding", "check_walk", "empty_field_marks", "sentences", "MAX_VOICEMAIL_WORDS", "TIME",
           "PAST"]
