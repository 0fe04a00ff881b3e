"""Cadence files: a follow-up system as data, loaded from TOML and validated in full.

A cadence is one TOML file. Users write their own in this format and drop them in the
config directory (``dialdeck cadences check FILE`` validates one; ``--simulate`` also walks it
through many situations and reports every sentence that would not be true)::

    name = "my-cadence"          # a slug; defaults to the file name without .toml
    title = "My cadence"          # shown in lists; defaults to the name
    description = "What it is for and when to use it."
    tip = "Default coaching tip for every step."   # a step's own tip wins (text or parts)
    low_value_below = 5000        # optional: leads worth less than this get the cold variant
    no_answer_retries = 1         # default 1: how often "no answer" retries a call step
    after_last = "finish"         # or "continue" ...
    # continue_with = "other"     # ... into this cadence's first step (required with continue)
    # benefit = "teams like {company} get two hours a week back"  # {benefit} for every prospect
                                  # without one of their own (fields: who they and you are;
                                  # a prospect lacking a field it names has no benefit)
    # expects = ["appointment"]   # import warns about rows without it: appointment, referrer,
                                  # email, benefit (the scripts then leave it out)

    [[steps]]
    action = "call"               # call | email | social | task
    # When the step is due -- exactly one of:
    wait = "2 days"               #   after the previous attempt (step 1: after enrollment):
                                  #   "N minutes" | "N hours" | "N days" | "N business days" | "N weeks"
    # weekday = "wednesday"       #   with at = "16:00": the next such weekday/time in the
    # at = "16:00"                #   prospect's zone -- a promise, kept exactly (pinned)
    # at_appointment = true       #   the prospect's agreed appointment (pinned); none: due now
    at = "09:00"                  # with a wait in days/weeks/business days: that local time
    # slot = "morning"            # or a time-of-day slot: morning 08-11, midday 11-14,
                                  # afternoon 14-17, late-afternoon 16-18, evening 18-20.
                                  # With a wait in minutes/hours: that slot the same day, or
                                  # the next morning once it has passed; with a wait in days:
                                  # the slot on the day the wait lands on
    # promise = true              # a wait the script promises ("in 15 minutes", "Friday at
                                  # 4 p.m." with a day wait and at): exact, pinned, no cooldown
    voicemail = "Hi, ..."         # call steps must decide: a message (text or parts), or
    # voicemail = false                  # explicitly: don't leave a message
    talk_track = "If they pick up: ..."
    tip = "Coaching for this step."
    urgent = true                 # show it as urgent
    no_answer_retries = 2         # call steps: overrides the cadence default
    # subject = "..." / body = "..."     email steps (both required)
    # offer_slots = 3                    email steps: offer that many concrete times ({slots})
    # instructions = "..."               social and task steps (required)

    [steps.cold]                  # optional overrides for cold (and low-value) leads; [steps.warm]
    voicemail = "A lighter message."     # for warm ones. Any of: voicemail, talk_track, subject,
    wait = "3 days"                      # body, instructions, tip, wait, slot -- or
    # skip = true                        # leave the step out for this variant

    [callback]                    # optional: the words for a callback agreed with the prospect
    voicemail = [...]             # (on a call, or a time they picked), on whatever step it
    talk_track = [...]            # falls; without it, dialdeck's own (scripts.DEFAULT_CALLBACK)
    tip = "..."

Text fields are templates with ``{field}`` placeholders from ``TEMPLATE_FIELDS`` (``{{`` and
``}}`` for literal braces). Every problem in a file is reported at once, each as
``"<file>: step <n>: <field>: <reason>"`` (or ``"<file>: <field>: <reason>"`` for metadata).

Scripts from facts. A text may be a list of parts, said in order and joined by a space (none
before punctuation; a part of its own ``"\n\n"`` is a paragraph break). A part is plain text,
always said, or a table said only when every condition in ``when`` holds, with an optional
``else`` said otherwise::

    voicemail = [
        { when = "first_name", text = "Hi {first_name},", else = "Hi," },
        "{rep_name} from {rep_company}",
        { when = "promise_kept", text = ", calling as promised.", else = "." },
        { when = "referrer_company", text = "{referrer} at {referrer_company} suggested I call." },
        { when = "benefit", text = "One idea: {benefit}." },
        "I'll try you {next_call}.",
    ]

A voicemail none of whose parts apply is "don't leave a message" for that prospect. The
conditions (``facts.CONDITIONS``, decided from the store at the moment the script is shown):

- who the prospect is: ``first_name`` / ``no_first_name``, ``last_name`` / ``no_last_name``,
  ``company`` / ``no_company`` (a CRM row may leave any of them blank);
- what the rep recorded: ``referrer`` / ``no_referrer``, ``referrer_company`` /
  ``no_referrer_company``, ``appointment`` / ``no_appointment``, ``email`` / ``no_email``
  (an address to write to), ``benefit`` / ``no_benefit`` (one the rep wrote, for the prospect
  or the cadence), ``urgent`` / ``not_urgent``, ``urgent_reason`` / ``no_urgent_reason``;
- what happened: ``called`` / ``not_called``, ``last_call_answered`` / ``last_call_missed``,
  ``spoke`` / ``not_spoke`` (a call connected), ``voicemail_left`` / ``no_voicemail_left``,
  ``emailed`` / ``not_emailed``, ``replied`` / ``not_replied`` (they picked an offered time);
- this call's promise: ``promised`` / ``no_promise`` (a message named this call's time, a
  callback was agreed, they picked it, or it is the appointment), ``promise_kept`` (on time:
  from 5 minutes early to 15 minutes late), ``promise_early``, ``promise_late``, ``callback``
  / ``not_callback``, ``picked_slot`` / ``not_picked_slot``, ``they_chose``;
- the schedule: ``next_call`` / ``no_next_call``, ``next_call_soon`` (within the hour) /
  ``next_call_later``.

Fields that name a fact some prospects lack may only be said in a part whose conditions
guarantee it (``facts.FIELD_NEEDS``): the prospect's own ``{first_name}``, ``{last_name}`` and
``{company}`` under ``first_name``, ``last_name``, ``company`` (``{ when = "first_name", text =
"Hi {first_name},", else = "Hi," }``), ``{referrer}`` under ``referrer``, ``{referrer_company}``
under ``referrer_company``, ``{appointment}`` under ``appointment``, ``{benefit}`` under
``benefit``, ``{urgent_reason}`` under ``urgent_reason``, ``{promised}`` (when this call was
promised, "today at 2 p.m.") under ``promised``, ``{last_call}`` / ``{last_voicemail}`` /
``{last_email}`` ("this morning", "yesterday afternoon", "on Monday") under ``called`` /
``voicemail_left`` / ``emailed``. ``{slots}`` (the numbered times offered) only in an email
step with ``offer_slots``. ``{next_call}`` needs a call after the step, or a part under
``next_call``. Every relative word a script says comes from these fields, computed from real
instants in the prospect's zone; a file cannot state a referral, a booking or a time it does
not know.
"""

from __future__ import annotations

import functools
import re
import stat
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from dialdeck import facts, typed_time
from dialdeck.errors import CadenceError, InvalidInput
from dialdeck.models import ACTIONS

TEMPLATE_FIELDS = (
    "first_name", "last_name", "company",
    "rep_name", "rep_phone", "rep_company",
    "referrer", "referrer_company",
    "appointment", "next_call",
    "promised", "last_call", "last_voicemail", "last_email",
    "benefit", "urgent_reason", "slots",
)
# What a cadence may say it expects of every prospect it is used for: import warns about the
# rows without it (the scripts then leave it out).
EXPECTABLE = ("appointment", "referrer", "email", "benefit")
# The fields a cadence's benefit may use: who the prospect and the rep are, nothing that depends on a fact.
BENEFIT_FIELDS = ("first_name", "last_name", "company", "rep_name", "rep_phone", "rep_company")
# How many concrete times an email step may offer ({slots}).
MAX_OFFERED = 5

# Local-time windows, start inclusive, end exclusive. late-afternoon overlaps afternoon on purpose:
# it is the "catch them before they leave" hour reps ask for by name.
SLOTS: Mapping[str, tuple[time, time]] = {
    "morning": (time(8), time(11)),
    "midday": (time(11), time(14)),
    "afternoon": (time(14), time(17)),
    "late-afternoon": (time(16), time(18)),
    "evening": (time(18), time(20)),
}

VARIANTS = ("warm", "cold")

_UNITS = {
    "minute": "minutes", "minutes": "minutes",
    "hour": "hours", "hours": "hours",
    "day": "days", "days": "days",
    "business day": "business days", "business days": "business days",
    "week": "weeks", "weeks": "weeks",
}
_DAY_UNITS = frozenset({"days", "business days", "weeks"})
_WAIT_RE = re.compile(r"^\s*(\d+)\s+([a-z]+(?:\s+[a-z]+)?)\s*$")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LINE_RE = re.compile(r"at line (\d+)")
# A year of waiting is already a mistake; this bounds the arithmetic too.
_MAX_WAIT = {"minutes": 60 * 24 * 366, "hours": 24 * 366, "days": 366, "business days": 262, "weeks": 52}

# Where _typed records the keys it could not parse, so later checks don't pile on.
_INVALID = "__invalid__"
_META_KEYS = frozenset({
    "name", "title", "description", "tip", "low_value_below", "no_answer_retries",
    "after_last", "continue_with", "steps", "benefit", "expects", "callback",
})
_TIMING_KEYS = ("wait", "weekday", "at", "at_appointment", "slot", "promise")
_TEXT_KEYS = ("voicemail", "talk_track", "subject", "body", "instructions", "tip")
_STEP_KEYS = frozenset({"action", *_TIMING_KEYS, *_TEXT_KEYS, "urgent", "no_answer_retries", "offer_slots",
                        *VARIANTS})
_CALLBACK_KEYS = ("voicemail", "talk_track", "tip")
_PART_KEYS = frozenset({"when", "text", "else"})
_OVERRIDE_KEYS = frozenset({"voicemail", "talk_track", "subject", "body", "instructions", "tip", "wait", "slot", "skip"})
# Which text fields each action may carry; anything else is a mistake worth reporting.
_ACTION_TEXT = {
    "call": frozenset({"voicemail", "talk_track", "tip"}),
    "email": frozenset({"subject", "body", "tip"}),
    "social": frozenset({"instructions", "tip"}),
    "task": frozenset({"instructions", "tip"}),
}


@dataclass(frozen=True)
class Wait:
    amount: int
    unit: str  # "minutes" | "hours" | "days" | "business days" | "weeks"

    @property
    def in_days(self) -> bool:
        """Day-based waits keep the local wall-clock time; minutes and hours are exact spans."""
        return self.unit in _DAY_UNITS

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        return f"{self.amount} {unit}"


@dataclass(frozen=True)
class Timing:
    """When a step comes due. Exactly one of wait, weekday (+at) or at_appointment is set."""

    wait: Wait | None = None
    weekday: int | None = None  # 0 = Monday
    at: time | None = None
    at_appointment: bool = False
    slot: str | None = None
    promise: bool = False

    @property
    def pinned(self) -> bool:
        """A promised moment: kept exactly, never moved by cooldown or calling hours."""
        return self.weekday is not None or self.at_appointment or self.promise

    def describe(self) -> str:
        if self.at_appointment:
            return "at the agreed appointment"
        if self.weekday is not None:
            return f"{typed_time.DAY_NAMES[self.weekday]} at {self.at:%H:%M} (promised)"
        text = "right away" if self.wait is None or self.wait.amount == 0 else f"{self.wait} later"
        if self.at is not None:
            text += f" at {self.at:%H:%M}"
        if self.slot is not None:
            text += f", {self.slot}"
        if self.promise:
            text += " (promised)"
        return text


@dataclass(frozen=True)
class Part:
    """One piece of a text: said when every condition in ``when`` holds, else ``otherwise``."""

    text: str
    when: frozenset[str] = frozenset()
    otherwise: str | None = None  # the file's ``else``

    def templates(self) -> list[str]:
        return [self.text] if self.otherwise is None else [self.text, self.otherwise]


@dataclass(frozen=True)
class Text:
    """A script text: plain (one part, always said) or parts picked by what the facts say."""

    parts: tuple[Part, ...] = ()

    @classmethod
    def plain(cls, text: str) -> Text:
        return cls((Part(text),)) if text else cls()

    def __bool__(self) -> bool:
        return bool(self.parts)

    @property
    def conditional(self) -> bool:
        return any(part.when for part in self.parts)

    def templates(self) -> list[str]:
        """Every template in it, whatever the facts (for validation and checks)."""
        return [template for part in self.parts for template in part.templates()]

    def uses(self, name: str) -> bool:
        return any(uses_field(template, name) for template in self.templates())

    def pick(self, truths: frozenset[str]) -> list[str]:
        """The templates said when ``truths`` hold, in order."""
        picked = []
        for part in self.parts:
            if part.when <= truths:
                picked.append(part.text)
            elif part.otherwise is not None:
                picked.append(part.otherwise)
        return picked

    def __str__(self) -> str:
        """As a person reads the file: conditional parts marked with their conditions."""
        shown = []
        for part in self.parts:
            if not part.when:
                shown.append(part.text)
                continue
            shown.append(f"[when {' and '.join(sorted(part.when))}: {part.text}]")
            if part.otherwise is not None:
                shown.append(f"[else: {part.otherwise}]")
        return " ".join(shown)


@dataclass(frozen=True)
class Step:
    number: int  # 1-based, as the file counts them
    action: str
    timing: Timing
    voicemail: Text | None = None  # None: don't leave a message
    talk_track: Text = Text()
    subject: Text = Text()
    body: Text = Text()
    instructions: Text = Text()
    tip: Text = Text()
    urgent: bool = False
    no_answer_retries: int | None = None  # None: the cadence default
    offer_slots: int = 0  # email steps: how many concrete times {slots} offers

    def texts(self) -> dict[str, Text]:
        """Every text the step carries, by field name."""
        found = {key: getattr(self, key) for key in _TEXT_KEYS if key != "voicemail"}
        if self.voicemail is not None:
            found["voicemail"] = self.voicemail
        return {key: text for key, text in found.items() if text}


@dataclass(frozen=True)
class CallbackScript:
    """What to say on a callback agreed with the prospect, whatever step it falls on."""

    voicemail: Text | None
    talk_track: Text
    tip: Text

    def texts(self) -> dict[str, Text]:
        found = {"talk_track": self.talk_track, "tip": self.tip}
        if self.voicemail is not None:
            found["voicemail"] = self.voicemail
        return {key: text for key, text in found.items() if text}


@dataclass(frozen=True)
class Cadence:
    name: str
    title: str
    description: str
    tip: Text  # the default tip of every step
    low_value_below: float | None
    no_answer_retries: int
    after_last: str  # "finish" | "continue"
    continue_with: str | None
    steps: tuple[Step, ...]  # as written, before any variant's overrides
    # Each variant's steps, index for index with ``steps``; None where the variant skips one.
    variants: Mapping[str, tuple[Step | None, ...]] = field(repr=False, compare=False)
    source: str = ""
    benefit: str = ""  # a benefit the rep wrote for every prospect of this cadence ({benefit})
    expects: tuple[str, ...] = ()  # what every prospect should have on file (EXPECTABLE)
    callback: CallbackScript | None = None  # None: DEFAULT_CALLBACK

    def step(self, index: int, variant: str) -> Step | None:
        """The step at ``index`` as ``variant`` sees it, or None when that variant skips it."""
        return self.variants[variant][index]

    def retries_for(self, step: Step) -> int:
        """How many times "no answer" retries ``step`` before moving on."""
        return self.no_answer_retries if step.no_answer_retries is None else step.no_answer_retries


# ---------------------------------------------------------------------------------------------
# Templates


def template_problems(text: str) -> list[str]:
    """Why ``text`` is not a valid template (empty when it is)."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        return [f"broken braces ({exc}); write {{{{ and }}}} for literal braces"]
    problems = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name == "" or name.isdigit():
            problems.append("empty placeholder {}; name a field, e.g. {first_name}")
        elif any(mark in name for mark in ".["):
            problems.append(f"{{{name}}}: only plain field names, no attribute or index access")
        elif name not in TEMPLATE_FIELDS:
            problems.append(f"unknown field {{{name}}} (known: {', '.join(TEMPLATE_FIELDS)})")
        elif spec or conversion:
            problems.append(f"{{{name}}} takes no format spec or conversion")
    return problems


def text_problems(text: Text, *, offers_slots: bool = False) -> list[str]:
    """Why ``text`` is not valid: broken templates, and fields used where the fact they name
    may be missing ({referrer} outside a part under when = "referrer")."""
    problems = []
    numbered = len(text.parts) > 1 or text.conditional
    for index, part in enumerate(text.parts, start=1):
        where = f"part {index}: " if numbered else ""
        for template, held in ((part.text, facts.closure(part.when)), (part.otherwise, frozenset())):
            if template is None:
                continue
            problems += [where + reason for reason in template_problems(template)]
            if problems:
                continue
            problems += [where + reason for reason in _fact_problems(template, held, offers_slots)]
    return problems


def _fact_problems(template: str, held: frozenset[str], offers_slots: bool) -> list[str]:
    problems = []
    for _literal, name, _spec, _conversion in string.Formatter().parse(template):
        if name == "slots" and not offers_slots:
            problems.append("{slots} is only for an email step with offer_slots = N")
        need = facts.FIELD_NEEDS.get(name or "")
        if need is not None and need not in held:
            problems.append(f"{{{name}}} is known only for some prospects: say it in a part under "
                            f"when = \"{need}\" (a script states only what the data says)"
                            + _FIELD_EXAMPLES.get(name or "", ""))
    return problems


# How to say a prospect's own field that a CRM row may leave blank, shown with the problem.
_FIELD_EXAMPLES = {
    "first_name": ', e.g. { when = "first_name", text = "Hi {first_name},", else = "Hi," }',
    "company": ', e.g. { when = "company", text = "an idea for {company}", else = "an idea for you" }',
}


def render_benefit(template: str, fields: Mapping[str, str]) -> str:
    """A cadence's benefit for one prospect, or "" when it names a field this prospect lacks
    ("teams like {company} ..." for a lead without a company): then there is no benefit to say."""
    if any(not (fields.get(name) or "").strip() for name in template_fields(template)):
        return ""
    return render(template, fields)


@functools.lru_cache(maxsize=4096)
def template_fields(template: str) -> frozenset[str]:
    """The field names a (valid) template uses. Cached: scripts are rendered on every key."""
    return frozenset(name for _l, name, _s, _c in string.Formatter().parse(template) if name)


def uses_field(text: str, name: str) -> bool:
    return name in template_fields(text)


def render(template: str, fields: Mapping[str, str]) -> str:
    """Fill a validated template. A field without a value is a programming error, said plainly."""
    missing = sorted(name for name in template_fields(template) if name not in fields)
    if missing:
        raise InvalidInput(f"template field {{{missing[0]}}} has no value")
    text = template.format_map(fields)
    # "... Wednesday at 4 p.m." closing a sentence: the abbreviation's period ends it.
    return text.replace("a.m..", "a.m.").replace("p.m..", "p.m.")


_CLOSING = tuple(",.;:!?)")
_BLANK_LINES = re.compile(r"\n{3,}")


def render_text(text: Text, truths: frozenset[str], fields: Mapping[str, str]) -> str:
    """The parts ``truths`` pick, filled and joined as one text ("" when none applies).

    Parts are joined by one space, or by nothing where a part starts with punctuation or either
    side already has white space there (a paragraph break written as its own part).
    """
    joined = ""
    for template in text.pick(truths):
        piece = render(template, fields)
        if not piece:
            continue
        if joined and not (joined[-1].isspace() or piece[0].isspace() or piece.startswith(_CLOSING)):
            joined += " "
        joined += piece
    joined = joined.replace("a.m..", "a.m.").replace("p.m..", "p.m.")
    return _BLANK_LINES.sub("\n\n", joined).strip()


# ---------------------------------------------------------------------------------------------
# Loading


def load_cadence(path: Path) -> Cadence:
    """Read and validate one cadence file; CadenceError lists every problem in it."""
    source = str(path)
    problem = unreadable_file(Path(path))
    if problem is not None:  # a FIFO would block the read below for ever
        raise CadenceError([problem])
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CadenceError([f"{source}: cannot read the file: {exc}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _LINE_RE.search(str(exc))
        where = f"line {line.group(1)}: " if line else ""
        raise CadenceError([f"{source}: {where}invalid TOML: {exc}"]) from None
    except RecursionError:  # tomllib recurses per nested array or inline table
        raise CadenceError([f"{source}: invalid TOML: arrays or tables nested too deeply"]) from None
    return cadence_from_mapping(data, source=source, default_name=Path(path).stem)


def load_directory(directory: Path | None, problems: list[str]) -> dict[str, Cadence]:
    """Every valid ``*.toml`` cadence in ``directory`` (none if it is missing), by name.

    A broken file, or a second file with a name already taken, is left out and its problems
    are appended to ``problems``: the caller decides whether that is fatal.
    """
    found: dict[str, Cadence] = {}
    if directory is None or not Path(directory).is_dir():
        return found
    for path in sorted(Path(directory).glob("*.toml")):
        if not _regular_file(path, problems):
            continue
        try:
            cadence = load_cadence(path)
        except CadenceError as exc:
            problems.extend(exc.problems)
            continue
        if cadence.name in found:
            problems.append(f"{path}: name: {cadence.name!r} is also the name of {found[cadence.name].source}")
            continue
        found[cadence.name] = cadence
    return found


def unreadable_file(path: Path) -> str | None:
    """Why ``path`` is no file to read a cadence from ("PATH: not a regular file (...)"), found
    without opening it; None when it is a regular file."""
    problems: list[str] = []
    return None if _regular_file(path, problems) else problems[0]


def _regular_file(path: Path, problems: list[str]) -> bool:
    """Whether ``path`` is a plain file to read; a FIFO would block every command on open,
    a device or a folder is no cadence. Checked before opening, with a problem noted if not."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        problems.append(f"{path}: cannot read the file: {exc.strerror or exc}")
        return False
    if not stat.S_ISREG(mode):
        problems.append(f"{path}: not a regular file (a pipe, device or folder)")
        return False
    return True


def load_library(builtin_dir: Path, user_dir: Path | None) -> dict[str, Cadence]:
    """The built-ins plus the user's cadences (a user file with a built-in's name replaces it).

    Raises CadenceError with every problem of every file, including a ``continue_with`` that
    names no cadence in the library.
    """
    problems: list[str] = []
    library: dict[str, Cadence] = {}
    for directory in (builtin_dir, user_dir):
        library.update(load_directory(directory, problems))
    for cadence in library.values():
        if cadence.continue_with is not None and cadence.continue_with not in library:
            problems.append(f"{cadence.source}: continue_with: no cadence named {cadence.continue_with!r} "
                            f"(known: {', '.join(sorted(library))})")
    if problems:
        raise CadenceError(problems)
    return library


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, step: int | None, key: str, reason: str) -> None:
        where = f"step {step}: " if step is not None else ""
        line = f"{self.source}: {where}{key}: {reason}"
        if line not in self.items:
            self.items.append(line)


def cadence_from_mapping(data: Mapping[str, Any], *, source: str = "<cadence>",
                         default_name: str = "") -> Cadence:
    """Validate already-parsed TOML data. CadenceError lists every problem."""
    problems = _Problems(source)
    for key in sorted(set(data) - _META_KEYS):
        problems.add(None, key, f"unknown key (allowed: {', '.join(sorted(_META_KEYS))})")
    name = _meta_name(data, default_name, problems)
    title = _meta_text(data, "title", problems) or name
    description = _meta_text(data, "description", problems)
    tip = _meta_tip(data, problems)
    low_value_below = _meta_number(data, problems)
    retries = _count(data.get("no_answer_retries", 1), None, "no_answer_retries", problems)
    after_last, continue_with = _meta_after_last(data, problems)
    benefit = _meta_text(data, "benefit", problems)
    for reason in template_problems(benefit):
        problems.add(None, "benefit", reason)
    for name in sorted({n for _l, n, _s, _c in string.Formatter().parse(benefit) if n} - set(BENEFIT_FIELDS)):
        problems.add(None, "benefit", f"{{{name}}} cannot be in a benefit (it may use: "
                                      f"{', '.join('{' + f + '}' for f in BENEFIT_FIELDS)})")
    expects = _meta_expects(data, problems)
    callback = _meta_callback(data, problems)
    steps, variants = _steps(data.get("steps"), problems)
    if steps:
        _check_last_promise(variants, after_last, problems)
    if problems.items:
        raise CadenceError(problems.items)
    return Cadence(
        name=name, title=title, description=description, tip=tip,
        low_value_below=low_value_below, no_answer_retries=retries if retries is not None else 1,
        after_last=after_last, continue_with=continue_with, steps=tuple(steps),
        variants=variants, source=source, benefit=benefit, expects=expects, callback=callback,
    )


def _meta_name(data: Mapping[str, Any], default_name: str, problems: _Problems) -> str:
    name = data.get("name", default_name)
    if not isinstance(name, str) or not _NAME_RE.match(name):
        problems.add(None, "name", f"{name!r} is not a name: use lowercase letters, digits and dashes")
        return str(name)
    return name


def _meta_text(data: Mapping[str, Any], key: str, problems: _Problems) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        problems.add(None, key, f"must be text, not {_kind(value)}")
        return ""
    return value.strip()


def _meta_number(data: Mapping[str, Any], problems: _Problems) -> float | None:
    value = data.get("low_value_below")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        problems.add(None, "low_value_below", f"must be a number >= 0, not {value!r}")
        return None
    return float(value)


def _meta_tip(data: Mapping[str, Any], problems: _Problems) -> Text:
    """The default tip of every step: text, or parts picked by the facts like a step's."""
    try:
        tip = _parse_script_text(data.get("tip", ""))
    except ValueError as exc:
        problems.add(None, "tip", str(exc))
        return Text()
    for reason in text_problems(tip):
        problems.add(None, "tip", reason)
    return tip


def _meta_expects(data: Mapping[str, Any], problems: _Problems) -> tuple[str, ...]:
    value = data.get("expects", [])
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and n in EXPECTABLE for n in names):
        problems.add(None, "expects", f"must be a list of: {', '.join(EXPECTABLE)}; not {value!r}")
        return ()
    return tuple(dict.fromkeys(names))


def _meta_callback(data: Mapping[str, Any], problems: _Problems) -> CallbackScript | None:
    """The ``[callback]`` table: what to say on a callback agreed with the prospect."""
    raw = data.get("callback")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.add(None, "callback", "must be a [callback] table (voicemail, talk_track, tip)")
        return None
    before = len(problems.items)
    for key in sorted(set(raw) - set(_CALLBACK_KEYS)):
        problems.add(None, f"callback.{key}", f"unknown key (allowed: {', '.join(_CALLBACK_KEYS)})")
    values = _typed(raw, None, "callback.", problems, keys=_CALLBACK_KEYS)
    if "voicemail" not in raw:
        problems.add(None, "callback.voicemail", "say what to leave: a message, or voicemail = false for none")
    for key in _CALLBACK_KEYS:
        text = values.get(key)
        if isinstance(text, Text):
            for reason in text_problems(text):
                problems.add(None, f"callback.{key}", reason)
            if _unguarded_next_call(text):
                problems.add(None, f"callback.{key}", "{next_call}: a callback can fall on the last call; "
                                                      "say it in a part under when = \"next_call\"")
    if len(problems.items) > before:
        return None
    return CallbackScript(voicemail=values.get("voicemail") or None, talk_track=values.get("talk_track", Text()),
                          tip=values.get("tip", Text()))


def _unguarded_next_call(text: Text) -> bool:
    """{next_call} said where no condition guarantees a next call is scheduled."""
    for part in text.parts:
        if uses_field(part.text, "next_call") and "next_call" not in facts.closure(part.when):
            return True
        if part.otherwise is not None and uses_field(part.otherwise, "next_call"):
            return True
    return False


def _meta_after_last(data: Mapping[str, Any], problems: _Problems) -> tuple[str, str | None]:
    after_last = data.get("after_last", "finish")
    continue_with = data.get("continue_with")
    if after_last not in ("finish", "continue"):
        problems.add(None, "after_last", f"must be \"finish\" or \"continue\", not {after_last!r}")
        return "finish", None
    if after_last == "continue":
        if not isinstance(continue_with, str) or not continue_with:
            problems.add(None, "continue_with", "required with after_last = \"continue\": name the next cadence")
            return "finish", None
        return "continue", continue_with
    if continue_with is not None:
        problems.add(None, "continue_with", "only with after_last = \"continue\"")
    return "finish", None


def _steps(raw: Any, problems: _Problems) -> tuple[list[Step], dict[str, tuple[Step | None, ...]]]:
    if not isinstance(raw, list) or not raw:
        problems.add(None, "steps", "a cadence needs at least one [[steps]] table")
        return [], {}
    steps: list[Step] = []
    variants: dict[str, list[Step | None]] = {v: [] for v in VARIANTS}
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.add(number, "steps", "each step must be a [[steps]] table")
            continue
        base_values = _step_values(item, number, problems)
        base = _assemble(base_values, number, "", problems)
        for variant in VARIANTS:
            variants[variant].append(_variant(item, base_values, base, number, variant, problems))
        if base is not None:
            steps.append(base)
    for variant, seq in variants.items():
        if seq and all(step is None for step in seq) and steps and len(steps) == len(raw):
            problems.add(None, "steps", f"the {variant} variant skips every step")
    return steps, {v: tuple(seq) for v, seq in variants.items()}


def _step_values(item: Mapping[str, Any], number: int, problems: _Problems) -> dict[str, Any]:
    """Type-check each key of a step table on its own; cross-field rules come in _assemble."""
    for key in sorted(set(item) - _STEP_KEYS):
        problems.add(number, key, f"unknown key (allowed: {', '.join(sorted(_STEP_KEYS))})")
    values: dict[str, Any] = {}
    action = item.get("action")
    if action not in ACTIONS:
        reason = "required" if action is None else f"{action!r} is not an action"
        problems.add(number, "action", f"{reason} (one of: {', '.join(ACTIONS)})")
    else:
        values["action"] = action
    values.update(_typed(item, number, "", problems,
                         keys=(*_TIMING_KEYS, *_TEXT_KEYS, "urgent", "no_answer_retries", "offer_slots")))
    return values


def _typed(item: Mapping[str, Any], number: int | None, prefix: str, problems: _Problems,
           keys: tuple[str, ...]) -> dict[str, Any]:
    parsers = {
        "wait": _parse_wait, "weekday": _parse_weekday, "at": _parse_at, "slot": _parse_slot,
        "at_appointment": _parse_bool, "promise": _parse_bool, "urgent": _parse_bool, "skip": _parse_bool,
        "voicemail": _parse_voicemail, "no_answer_retries": _parse_count, "offer_slots": _parse_offer_count,
    }
    values: dict[str, Any] = {}
    for key in keys:
        if key not in item:
            continue
        parse = parsers.get(key, _parse_script_text)
        try:
            values[key] = parse(item[key])
        except ValueError as exc:
            problems.add(number, prefix + key, str(exc))
            values.setdefault(_INVALID, set()).add(key)
    return values


def _variant(item: Mapping[str, Any], base_values: dict[str, Any], base: Step | None, number: int,
             variant: str, problems: _Problems) -> Step | None:
    raw = item.get(variant)
    if raw is None:
        return base
    prefix = f"{variant}."
    if not isinstance(raw, dict):
        problems.add(number, variant, f"must be a [steps.{variant}] table")
        return base
    for key in sorted(set(raw) - _OVERRIDE_KEYS):
        problems.add(number, prefix + key, f"cannot be overridden (allowed: {', '.join(sorted(_OVERRIDE_KEYS))})")
    overrides = _typed(raw, number, prefix, problems, keys=tuple(sorted(_OVERRIDE_KEYS)))
    overrides.pop(_INVALID, None)
    if overrides.pop("skip", False):
        if overrides:
            problems.add(number, prefix + "skip", "a skipped step takes no other overrides")
        return None
    if base is None:
        return None  # the base step's own problems are reported; merging would repeat them
    if "wait" in overrides and "wait" not in base_values:
        problems.add(number, prefix + "wait", "only a step timed by a wait can have its wait overridden")
        return base
    return _assemble({**base_values, **overrides}, number, prefix, problems)


def _assemble(values: dict[str, Any], number: int, prefix: str, problems: _Problems) -> Step | None:
    """Cross-field rules: timing combinations, what each action needs, template fields."""
    before = len(problems.items)
    action = values.get("action")
    timing = _timing(values, number, prefix, problems)
    if action is not None:
        _check_action_fields(values, action, number, prefix, problems)
    offers = values.get("offer_slots", 0)
    if offers and action not in (None, "email"):
        problems.add(number, prefix + "offer_slots", "only an email step offers times ({slots} in its body)")
    for key in _TEXT_KEYS:
        text = values.get(key)
        if isinstance(text, Text):
            for reason in text_problems(text, offers_slots=bool(offers) and action == "email"):
                problems.add(number, prefix + key, reason)
    if offers and action == "email" and not any(
            isinstance(values.get(key), Text) and values[key].uses("slots") for key in ("subject", "body")):
        problems.add(number, prefix + "offer_slots", "the email offers times but never says them: put {slots} in the body")
    if len(problems.items) > before or action is None or timing is None:
        return None
    return Step(
        number=number, action=action, timing=timing,
        voicemail=values.get("voicemail") or None,
        talk_track=values.get("talk_track", Text()), subject=values.get("subject", Text()),
        body=values.get("body", Text()), instructions=values.get("instructions", Text()),
        tip=values.get("tip", Text()), urgent=values.get("urgent", False),
        no_answer_retries=values.get("no_answer_retries"), offer_slots=offers,
    )


def _check_action_fields(values: dict[str, Any], action: str, number: int, prefix: str,
                         problems: _Problems) -> None:
    allowed = _ACTION_TEXT[action]
    for key in _TEXT_KEYS:
        if key in values and key not in allowed:
            problems.add(number, prefix + key, f"a {action} step has no {key} (it takes: {', '.join(sorted(allowed))})")
    if action == "call" and "voicemail" not in values:
        problems.add(number, prefix + "voicemail",
                     "a call step must say what to leave: a message, or voicemail = false for none")
    if action == "email":
        for key in ("subject", "body"):
            if not values.get(key):
                problems.add(number, prefix + key, "required for an email step")
    if action in ("social", "task") and not values.get("instructions"):
        problems.add(number, prefix + "instructions", f"required for a {action} step: say what to do")
    if action != "call" and "no_answer_retries" in values:
        problems.add(number, prefix + "no_answer_retries", "only call steps are retried")


def _timing(values: dict[str, Any], number: int, prefix: str, problems: _Problems) -> Timing | None:
    before = len(problems.items)
    wait, weekday, at = values.get("wait"), values.get("weekday"), values.get("at")
    appointment, slot, promise = values.get("at_appointment", False), values.get("slot"), values.get("promise", False)
    if "at_appointment" in values and not appointment:
        problems.add(number, prefix + "at_appointment", "must be true (leave it out otherwise)")
    chosen = [key for key, on in (("wait", wait is not None), ("weekday", weekday is not None),
                                  ("at_appointment", appointment)) if on]
    if not chosen and not values.get(_INVALID, set()) & {"wait", "weekday", "at_appointment"}:
        problems.add(number, prefix + "wait",
                     "when is this step due? give wait = \"...\", weekday + at, or at_appointment = true")
    elif len(chosen) > 1:
        problems.add(number, prefix + chosen[1], f"give only one of wait, weekday, at_appointment (found {' and '.join(chosen)})")
    if weekday is not None and at is None:
        problems.add(number, prefix + "at", "required with weekday: the local time promised, e.g. \"16:00\"")
    if at is not None and wait is not None and not wait.in_days:
        problems.add(number, prefix + "at", "only with a wait in days, business days or weeks")
    if at is not None and appointment:
        problems.add(number, prefix + "at", "an appointment step is due at the appointment's own time")
    if slot is not None and (weekday is not None or appointment or at is not None):
        problems.add(number, prefix + "slot", "only with a wait, and not together with at")
    if promise and (wait is None or slot is not None):
        problems.add(number, prefix + "promise", "only with a wait (a promised time is exact: no slot)")
    if len(problems.items) > before:
        return None
    return Timing(wait=wait, weekday=weekday, at=at, at_appointment=bool(appointment), slot=slot,
                  promise=bool(promise))


def _check_last_promise(variants: Mapping[str, tuple[Step | None, ...]], after_last: str,
                        problems: _Problems) -> None:
    """{next_call} with no call after it in a finishing cadence promises a call that never comes."""
    if after_last != "finish":
        return
    offending: dict[tuple[int, str], list[str]] = {}
    for variant, steps in variants.items():
        kept = [step for step in steps if step is not None]
        calls_after = 0
        for step in reversed(kept):
            for key, text in step.texts().items():
                if calls_after == 0 and _unguarded_next_call(text):
                    offending.setdefault((step.number, key), []).append(variant)
            calls_after += step.action == "call"
    for (number, key), who in sorted(offending.items()):
        problems.add(number, key, f"{{next_call}} promises a call that never comes: for {' and '.join(who)} "
                                  f"leads no call follows this step and the cadence finishes")


# ---------------------------------------------------------------------------------------------
# Value parsers: each raises ValueError with the reason a person needs.


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def _parse_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {_kind(value)}")
    return value.strip()


def _parse_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {value!r}")
    return value


def _parse_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 20:
        raise ValueError(f"must be a whole number from 0 to 20, not {value!r}")
    return value


def _count(value: Any, number: int | None, key: str, problems: _Problems) -> int | None:
    try:
        return _parse_count(value)
    except ValueError as exc:
        problems.add(number, key, str(exc))
        return None


def _parse_voicemail(value: Any) -> Text | bool:
    if value is False:
        return False
    if isinstance(value, list):
        return _parse_parts(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be the message text, a list of parts, or false for \"don't leave a message\"")
    return Text.plain(value.strip())


def _parse_script_text(value: Any) -> Text:
    """A text field: a string, or a list of parts (strings, or {when, text, else} tables)."""
    if isinstance(value, list):
        return _parse_parts(value)
    return Text.plain(_parse_text(value))


def _parse_parts(items: list) -> Text:
    if not items:
        raise ValueError("a list of parts needs at least one part")
    parts = []
    for index, item in enumerate(items, start=1):
        try:
            parts.append(_parse_part(item))
        except ValueError as exc:
            raise ValueError(f"part {index}: {exc}") from None
    return Text(tuple(parts))


def _parse_part(item: Any) -> Part:
    if isinstance(item, str):
        return Part(_part_text(item))
    if not isinstance(item, dict):
        raise ValueError(f"must be text or a {{ when = ..., text = ... }} table, not {_kind(item)}")
    unknown = sorted(set(item) - _PART_KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (a part has: when, text, else)")
    if "when" not in item:
        raise ValueError("a part table needs when = \"condition\" (or write the part as plain text)")
    if not isinstance(item.get("text"), str) or not item["text"].strip():
        raise ValueError("a part table needs text = \"...\"")
    otherwise = item.get("else")
    if otherwise is not None and not isinstance(otherwise, str):
        raise ValueError(f"else must be text, not {_kind(otherwise)}")
    return Part(_part_text(item["text"]), _parse_when(item["when"]),
                _part_text(otherwise) if otherwise is not None else None)


def _part_text(text: str) -> str:
    # Spaces at the ends go (parts are joined by one); a line break written on purpose stays.
    return text.strip(" \t")


def _parse_when(value: Any) -> frozenset[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ValueError("when must be a condition or a list of conditions")
    for name in names:
        if name not in facts.CONDITIONS:
            raise ValueError(f"unknown condition {name!r} (known: {', '.join(facts.CONDITIONS)})")
    when = frozenset(names)
    clash = facts.contradiction(when)
    if clash is not None:
        raise ValueError(f"when {' and '.join(sorted(when))} can never hold ({clash[0]} and {clash[1]})")
    return when


def _parse_offer_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_OFFERED:
        raise ValueError(f"must be how many times to offer, 1 to {MAX_OFFERED}, not {value!r}")
    return value


def _parse_wait(value: Any) -> Wait:
    hint = "expected e.g. \"15 minutes\", \"2 hours\", \"1 day\", \"3 business days\", \"1 week\""
    if not isinstance(value, str):
        raise ValueError(f"must be text, {hint}")
    match = _WAIT_RE.match(value.lower())
    unit = _UNITS.get(" ".join(match.group(2).split())) if match else None
    if match is None or unit is None:
        raise ValueError(f"{value!r} is not a duration; {hint}")
    amount = int(match.group(1))
    if amount > _MAX_WAIT[unit]:
        raise ValueError(f"{value!r} is longer than a year")
    return Wait(amount, unit)


def _parse_weekday(value: Any) -> int:
    number = typed_time.weekday_number(value) if isinstance(value, str) else None
    if number is None:
        raise ValueError(f"{value!r} is not a weekday (monday ... sunday)")
    return number


def _parse_at(value: Any) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    clock = typed_time.hh_mm(value) if isinstance(value, str) else None
    if clock is None:
        raise ValueError(f"{value!r} is not a local time; expected 24-hour \"HH:MM\", e.g. \"16:00\"")
    return clock


def _parse_slot(value: Any) -> str:
    if value not in SLOTS:
        raise ValueError(f"{value!r} is not a slot (one of: {', '.join(SLOTS)})")
    return value


__all__ = [
    "TEMPLATE_FIELDS", "SLOTS", "VARIANTS", "EXPECTABLE", "Wait", "Timing", "Part", "Text", "Step",
    "CallbackScript", "Cadence", "load_cadence", "load_library", "cadence_from_mapping", "render", "render_text",
    "render_benefit", "unreadable_file",
    "template_problems", "text_problems", "uses_field",
]
