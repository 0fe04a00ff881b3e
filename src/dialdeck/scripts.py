"""A step's script, rendered from the facts and the schedule's own instants.

``render_script`` picks the parts of each text by the conditions that hold for this prospect
now (``facts.truths``), fills every time phrase from a real instant in the prospect's zone
(the next call the scheduler would store, the promise being kept, when the last email went),
and leaves out whatever the data does not say. A callback agreed with the prospect gets the
cadence's ``[callback]`` words (or ``DEFAULT_CALLBACK``), never the step's cold-call script.

Pure: no I/O; ``now`` is given.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime

from dialdeck import facts as facts_mod
from dialdeck import offers, phrases, schedule
from dialdeck.cadence import (
    Cadence,
    CallbackScript,
    Step,
    Text,
    cadence_from_mapping,
    render_text,
    template_fields,
    uses_field,
)
from dialdeck.facts import ScriptFacts
from dialdeck.models import Script

# What dialdeck says on a callback when the cadence has no [callback] table of its own: in the
# cadence file format, and validated by the same rules.
DEFAULT_CALLBACK_TABLE = {
    "voicemail": [
        {"when": "first_name", "text": "Hi {first_name},", "else": "Hi,"},
        "it's {rep_name} from {rep_company}.",
        {"when": ["promise_kept", "not_picked_slot"], "text": "I'm calling back as we agreed."},
        {"when": ["promise_kept", "picked_slot"], "text": "I'm calling at the time you picked."},
        {"when": "promise_late", "text": "We'd agreed I'd call you {promised}; I'm sorry I'm later than that."},
        {"when": "promise_early", "text": "We'd agreed on {promised}, so I'm a little early."},
        "Sorry to miss you.",
        {"when": "next_call", "text": "I'll try you again {next_call}, or you can reach me at {rep_phone}.",
         "else": "You can reach me at {rep_phone}."},
    ],
    "talk_track": [
        {"when": "first_name", "text": "Hi {first_name},", "else": "Hi,"},
        "{rep_name} from {rep_company}.",
        {"when": ["promise_kept", "not_picked_slot"], "text": "I'm calling back as we agreed."},
        {"when": ["promise_kept", "picked_slot"], "text": "I'm calling at the time you picked."},
        {"when": "promise_late", "text": "We'd said {promised}; sorry I'm later than that."},
        {"when": "promise_early", "text": "We'd said {promised}; I'm a little early."},
        "Is now still a good time?",
        {"when": "spoke",
         "text": "(Pick up where you left off: the note from your last call is on the card. Agree the next "
                 "step before you hang up.)",
         "else": "(They picked this time: ask what they would like to get out of the call, and agree the "
                 "next step before you hang up.)"},
    ],
    "tip": "A callback is a promise you both made: be on time, and end it with the next step agreed.",
}


@functools.cache
def default_callback() -> CallbackScript:
    loaded = cadence_from_mapping(
        {"name": "default-callback", "callback": DEFAULT_CALLBACK_TABLE,
         "steps": [{"action": "call", "wait": "0 minutes", "voicemail": False}]},
        source="dialdeck's default callback")
    assert loaded.callback is not None
    return loaded.callback


def render_script(library: Mapping[str, Cadence], pos: schedule.Position, ctx: schedule.Context,
                  facts: ScriptFacts, fields: Mapping[str, str], now: datetime) -> Script:
    """The current step's script for this prospect at ``now``.

    ``fields`` are the prospect's and the rep's plain values (first_name, company, rep_phone,
    appointment...); the time phrases and facts are added here.
    """
    cadence = library[pos.cadence]
    step = schedule.current_step(library, pos, ctx)
    on_callback = step.action == "call" and facts.callback_touch(step.number) is not None
    texts = _texts(cadence, step, on_callback)
    next_call = schedule.promised_next(library, pos, ctx, now) if pos.status not in schedule.TERMINAL else None
    held = facts_mod.truths(facts, now, step=step.number, at_appointment=step.timing.at_appointment,
                            next_call=next_call) | facts_mod.field_truths(fields)
    offered: tuple[datetime, ...] = ()
    if step.action == "email" and step.offer_slots:
        # Never a time an earlier email offered: a second offer brings new times.
        avoid = (*((next_call,) if next_call else ()), *facts.offered_before())
        offered = offers.offer_times(now, ctx.zone, ctx.window, step.offer_slots, avoid=avoid)
    picked = {key: text.pick(held) for key, text in texts.items() if text is not None}
    wanted = {name for templates in picked.values() for t in templates for name in template_fields(t)}
    promise = facts.promise(step.number, step.timing.at_appointment) if "promised" in wanted else None
    values = {**fields, **_fact_values(facts, ctx, now, next_call, promise, offered, wanted)}
    rendered = {key: render_text(text, held, values) if text is not None else None for key, text in texts.items()}
    named = tuple(key for key, templates in picked.items() if any(uses_field(t, "next_call") for t in templates))
    return Script(
        action=step.action,
        voicemail=rendered["voicemail"] or None,  # nothing applies to this prospect: no message
        talk_track=rendered["talk_track"],
        subject=rendered["subject"] or "",
        body=rendered["body"] or "",
        instructions=rendered["instructions"] or "",
        tip=rendered["tip"] or "",
        urgent=step.urgent or facts.urgent,
        next_call_at=next_call if named else None,
        next_call_in=named,
        offers=offered,
        pickable=facts.pending_offer(now),
        callback=on_callback,
    )


def _texts(cadence: Cadence, step: Step, on_callback: bool) -> dict[str, Text | None]:
    tip = step.tip or cadence.tip
    if on_callback:
        callback = cadence.callback or default_callback()
        return {"voicemail": callback.voicemail, "talk_track": callback.talk_track, "subject": Text(),
                "body": Text(), "instructions": Text(), "tip": callback.tip or tip}
    return {"voicemail": step.voicemail, "talk_track": step.talk_track, "subject": step.subject,
            "body": step.body, "instructions": step.instructions, "tip": tip}


def _fact_values(facts: ScriptFacts, ctx: schedule.Context, now: datetime, next_call: datetime | None,
                 promise: facts_mod.Promise | None, offered: tuple[datetime, ...], wanted: set[str]) -> dict[str, str]:
    """The time phrases and facts a template may name, each from a real instant or record:
    those in ``wanted`` (the fields the parts to be said use), "" for the others.

    A field whose fact is missing is empty: validation keeps such fields inside parts whose
    conditions say the fact is there, so an empty one is never said.
    """
    zone = ctx.zone

    def past(touch: facts_mod.Touch | None) -> str:
        return phrases.phrase_past(touch.at, zone, now) if touch is not None else ""

    makers = {
        # Validation guarantees a call follows a {next_call}; only a continue_with chain that
        # skips every step for this lead has none. Say something true rather than leave a blank.
        "next_call": lambda: phrases.phrase_time(next_call, zone, now) if next_call else "soon",
        "promised": lambda: phrases.phrase_when(promise.at, zone, now) if promise is not None else "",
        "last_call": lambda: past(facts.last_call()),
        "last_voicemail": lambda: past(facts.last_voicemail()),
        "last_email": lambda: past(facts.last_email()),
        "benefit": lambda: facts.benefit,
        "urgent_reason": lambda: facts.urgent_reason,
        "slots": lambda: phrases.phrase_offered(offered, zone),
    }
    return {name: make() if name in wanted else "" for name, make in makers.items()}
