"""Logging what happened: outcomes, dispositions, undo, snooze and a time picked from an email."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from dialdeck import enrolling, guard, phones, schedule
from dialdeck import facts as facts_mod
from dialdeck.clock import as_utc, from_iso, to_iso
from dialdeck.errors import InvalidInput
from dialdeck.models import (
    CALL_OUTCOMES,
    DISPOSITIONS,
    NETWORK_RESULTS,
    CallFacts,
    OUTCOMES,
    ContactNumber,
    Enrollment,
    OutcomeResult,
    Rep,
    RepProfile,
)
from dialdeck.phrases import dated_clock, stamp
from dialdeck.services.card import facts_for, fields_for, script_for, verdict_of
from dialdeck.services.common import (
    chosen_number,
    context_of,
    name_of,
    need_live,
    need_prospect,
    position,
    profile_of,
    the_rep,
    reported,
    reread,
    write_position,
)
from dialdeck.services import claims
from dialdeck.services.library import library
from dialdeck.services.rows import enrollment_model, result_of
from dialdeck.store import Store
from dialdeck.store.interface import (
    AttemptRow,
    EnrollmentRow,
    ProspectRow,
    Records,
    Writer,
)


def log_outcome(store: Store, prospect_id: int, outcome: str, now: datetime, *, note: str = "",
                disposition: str | None = None, callback_at: datetime | None = None,
                session_id: int | None = None, number: str | None = None, force: bool = False,
                callback_by: str | None = None, call: CallFacts | None = None,
                rep: Rep | None = None) -> OutcomeResult:
    """Write the attempt and advance the enrollment in one transaction.

    ``rep``: who made the call, recorded on the attempt (None: the database's only rep); their
    profile says what the script said.

    The prospect's reservation (``claims``) ends with the attempt, in its transaction. While
    another rep holds it, the outcome is refused (``claims.Reserved``, naming them and until
    when) and nothing is written, unless ``force``: then the attempt records that as forced too.

    A call the guard refuses (outside their calling hours, over the daily cap, a do-not-call
    number) raises ``guard.NotCallable`` and writes nothing, unless ``force``: then it is
    logged with the refusal it overrode (``forced_reason``).

    ``number`` is the prospect's number the call used (any of theirs, as typed; default their
    own): the attempt records it, and a do-not-call outcome puts it on the list. A number on
    the list is never dialled: a call outcome on it is refused.

    ``callback_by``: who chose a callback's time, "prospect" or "rep" (None: agreed, not said
    who); scripts then say so. A voicemail logged on a step that says not to leave one is
    kept, noted on the attempt, and named in the result's warnings.

    ``call``: what the phone side knows of a call dialdeck placed (ring and talk seconds, the
    network's result, a recording dropped), kept on the attempt; its ``number`` is the number
    the call used (it wins over ``number``).
    """
    now = as_utc(now)
    if outcome not in OUTCOMES:
        raise InvalidInput(f"unknown outcome {outcome!r} (one of: {', '.join(OUTCOMES)})")
    if callback_at is not None and disposition is None:
        disposition = "callback"
    if disposition is not None:
        _check_disposition(disposition, callback_at)
        if outcome != "connected":
            raise InvalidInput(f"a disposition ({disposition}) follows a connected call, not {outcome!r}")
    _check_callback_by(callback_by)
    _check_call(call, outcome)
    lib = library()
    with reported(store):
        chosen = the_rep(store, rep)
        profile = profile_of(store, chosen)
        with store.writing() as tx:
            held_by = claims.reservation_refusal(tx, prospect_id, chosen.id, now, profile)
            if held_by is not None and not force:
                raise claims.Reserved(f"{held_by}; --force logs it anyway")
            result = _log(tx, lib, profile, prospect_id, outcome, now, note=note, disposition=disposition,
                          callback_at=callback_at, session_id=session_id,
                          number=call.number if call is not None else number, force=force,
                          callback_by=callback_by, call=call, rep_id=chosen.id, held_by=held_by)
            tx.release(prospect_id)
            return result


CALLBACK_CHOOSERS = ("prospect", "rep")


def _check_callback_by(callback_by: str | None) -> None:
    if callback_by is not None and callback_by not in CALLBACK_CHOOSERS:
        raise InvalidInput(f"who chose the callback: {callback_by!r} is not one of {', '.join(CALLBACK_CHOOSERS)}")


def _check_call(call: CallFacts | None, outcome: str) -> None:
    if call is None:
        return
    if outcome not in CALL_OUTCOMES:
        raise InvalidInput(f"{outcome!r} is not the outcome of a call: a call's facts go with one of "
                           f"{', '.join(CALL_OUTCOMES)}")
    if call.network_result is not None and call.network_result not in NETWORK_RESULTS:
        raise InvalidInput(f"network result {call.network_result!r} is not one of {', '.join(NETWORK_RESULTS)}")
    for label, seconds in (("ring", call.ring_seconds), ("talk", call.talk_seconds)):
        if seconds is not None and not 0 <= seconds < 86400:
            raise InvalidInput(f"{label} seconds {seconds!r} is not a duration of a call")


def _call_columns(call: CallFacts | None) -> dict:
    if call is None:
        return {}
    return {"ring_seconds": call.ring_seconds, "talk_seconds": call.talk_seconds,
            "network_result": call.network_result, "recording_dropped": int(call.recording_dropped)}


def _check_disposition(disposition: str, callback_at: datetime | None) -> None:
    if disposition not in DISPOSITIONS:
        raise InvalidInput(f"unknown disposition {disposition!r} (one of: {', '.join(DISPOSITIONS)})")
    if disposition == "callback" and callback_at is None:
        raise InvalidInput("a callback needs a time (--callback ISO-TIME)")


def _log(tx: Writer, lib: dict, profile: RepProfile, prospect_id: int, outcome: str,
         now: datetime, *, note: str, disposition: str | None, callback_at: datetime | None,
         session_id: int | None, number: str | None = None, force: bool = False,
         callback_by: str | None = None, call: CallFacts | None = None,
         rep_id: int | None = None, held_by: str | None = None) -> OutcomeResult:
    prospect_row = need_prospect(tx, prospect_id)
    enrollment = need_live(tx, prospect_row)
    used = chosen_number(tx, prospect_row, number, profile)
    if used.dnc and outcome in CALL_OUTCOMES and outcome != "do-not-call":
        raise InvalidInput(f"{phones.format_with_extension(used.e164, used.extension)} is on the do-not-call "
                           "list: it is never dialled")
    _check_in_order(tx, prospect_row, profile, now)
    ctx = context_of(tx, prospect_row, profile, now)
    pos = position(enrollment)
    step = schedule.current_step(lib, pos, ctx)
    said = _said(tx, lib, prospect_row, enrollment, profile, ctx, outcome, now)
    transition = schedule.apply_outcome(lib, pos, ctx, outcome, now, said_next_call=said.named_next_call)
    # Forced past the guard, another rep's reservation, or both: the attempt says which.
    forced_reason = "; ".join(filter(None, (_guard_call(tx, prospect_row, enrollment, ctx, outcome, now, force),
                                            held_by))) or None
    new_pos = transition.position
    if disposition is not None and transition.needs_disposition:
        # The call just made is not in the table yet; the disposition's guardrails must count it.
        after_call = dataclasses.replace(ctx, recent_attempts=(*ctx.recent_attempts, now))
        new_pos = schedule.apply_disposition(lib, new_pos, after_call, disposition, now, callback_at).position
    spawned = write_position(tx, enrollment, prospect_row, new_pos, now)
    dnc_added = transition.add_dnc and _add_dnc(tx, prospect_row, used, now)
    recorded = used if step.action == "call" or outcome == "do-not-call" else None
    warnings: tuple[str, ...] = ()
    if said.off_script:
        note = f"{note.strip()} / {OFF_SCRIPT_NOTE}" if note.strip() else OFF_SCRIPT_NOTE
        warnings = (f"step {pos.step_index + 1} of {pos.cadence} says not to leave a message: logged as a "
                    f"voicemail anyway, noted on the attempt",)
    agreed = {"callback_at": to_iso(callback_at), "callback_by": callback_by} if disposition == "callback" else {}
    attempt_id = tx.insert_attempt(
        prospect_id=prospect_id, enrollment=enrollment, step=pos.step_index + 1, action=step.action,
        outcome=outcome, at=to_iso(now), note=note.strip(), session_id=session_id, disposition=disposition,
        spawned_enrollment_id=spawned, dnc_added=dnc_added, forced_reason=forced_reason,
        number=phones.number_text(recorded.e164, recorded.extension) if recorded else None,
        facts={**said.columns(), **agreed, **_call_columns(call)}, rep_id=rep_id,
    )
    current = reread(tx.enrollment(spawned or enrollment["id"]), "the enrollment")
    return dataclasses.replace(
        result_of(attempt_id, prospect_id, outcome, current,
                needs_disposition=transition.needs_disposition and disposition is None,
                forced_reason=forced_reason),
        warnings=warnings)


# The note on a voicemail logged where the script said not to leave one: the record stays honest.
OFF_SCRIPT_NOTE = "voicemail left although the step says not to leave one"


@dataclasses.dataclass(frozen=True)
class _Delivered:
    """What the message the rep delivered (a voicemail left, an email sent) said, as rendered."""

    named_next_call: bool | None = None  # None: nothing was delivered
    promised_at: datetime | None = None
    offered: tuple[datetime, ...] = ()
    off_script: bool = False  # a voicemail where the script says to leave none

    def columns(self) -> dict:
        return {"promised_at": to_iso(self.promised_at),
                "offered": json.dumps([to_iso(at) for at in self.offered]) if self.offered else None}


def _said(tx: Records, lib: dict, row: ProspectRow, enrollment: EnrollmentRow, profile: RepProfile,
          ctx: schedule.Context, outcome: str, now: datetime) -> _Delivered:
    """The script as shown at ``now``, for the outcomes that deliver it: what it promised."""
    if outcome not in ("voicemail", "sent") or enrollment["status"] != "active":
        return _Delivered()
    attempts = tx.attempts(row["id"])
    script = script_for(lib, row, enrollment, attempts, profile, ctx, now)
    if outcome == "voicemail":
        if script.action == "call" and script.voicemail is None:
            return _Delivered(named_next_call=False, off_script=True)
        named = "voicemail" in script.next_call_in
    else:
        named = bool({"subject", "body"} & set(script.next_call_in))
    return _Delivered(named_next_call=named, promised_at=script.next_call_at if named else None,
                      offered=script.offers if outcome == "sent" else ())


def _guard_call(tx: Records, prospect: ProspectRow, enrollment: EnrollmentRow, ctx: schedule.Context,
                outcome: str, now: datetime, force: bool) -> str | None:
    """Refuse a call the guard forbids (NotCallable); forced, return the refusal to record.

    Only a call made now is guarded: not do-not-call (a prospect may ask any time), not what
    a rep logs about a call that already connected (wrong person, asked not to be called).
    """
    if outcome not in guard.GUARDED_OUTCOMES or enrollment["status"] != "active":
        return None
    verdict = verdict_of(tx, prospect, enrollment, ctx, now)
    if verdict.allowed:
        return None
    if not force:
        raise guard.NotCallable(verdict, ctx.zone)
    return verdict.blocked_reason


# attempts.dnc_added says which numbers a do-not-call outcome put on the list, for undo:
DNC_USED = 1  # the number the call used (before m004 always the prospect's own)
DNC_OWN = 2  # the prospect's own number, when the call used another of theirs


def _add_dnc(tx: Writer, prospect: ProspectRow, used: ContactNumber, now: datetime) -> int:
    """A do-not-call outcome: the number that was answered goes on the list, and the prospect's
    own number with it (a re-import, the queue and the list go by that one). Returns the
    DNC_* flags of the numbers this attempt added."""
    added = 0
    if tx.dnc_insert(used.e164, to_iso(now), "do-not-call outcome"):
        added |= DNC_USED
    if used.e164 != prospect["phone_e164"] and tx.dnc_insert(
            prospect["phone_e164"], to_iso(now), "do-not-call outcome"):
        added |= DNC_OWN
    return added


def _dnc_numbers_of(attempt: AttemptRow, prospect: ProspectRow) -> list[str]:
    """The numbers a do-not-call attempt put on the list (see _add_dnc)."""
    number = attempt.get("number")
    used = phones.split_number(number)[0] if number else prospect["phone_e164"]
    flags = attempt["dnc_added"]
    return [e164 for flag, e164 in ((DNC_USED, used), (DNC_OWN, prospect["phone_e164"])) if flags & flag]


def _check_in_order(tx: Records, prospect: ProspectRow, profile: RepProfile, now: datetime) -> None:
    """Refuse an attempt dated before the prospect's newest one: the history, the guardrails'
    recent calls and undo all read the attempts in time order."""
    last = from_iso(tx.last_attempt_at(prospect["id"]))
    if last is not None and now < last:
        zone = ZoneInfo(profile.timezone)
        raise InvalidInput(
            f"{stamp(now, zone, seconds=True)} is before the last attempt at {stamp(last, zone, seconds=True)} "
            f"(prospect {prospect['id']}, {name_of(prospect)}): attempts are logged in time order")


def set_disposition(store: Store, prospect_id: int, disposition: str, now: datetime, *,
                    callback_at: datetime | None = None, note: str = "",
                    callback_by: str | None = None, rep: Rep | None = None) -> OutcomeResult:
    """After a connected call: callback (pinned at callback_at), booked, not-interested, continue.
    The call keeps the rep who made it; ``rep`` (None: the only rep) is whose profile counts."""
    now = as_utc(now)
    _check_disposition(disposition, callback_at)
    _check_callback_by(callback_by)
    lib = library()
    with reported(store):
        profile = profile_of(store, rep)
        with store.writing() as tx:
            prospect_row = need_prospect(tx, prospect_id)
            enrollment = need_live(tx, prospect_row)
            if enrollment["status"] != "connected":
                raise InvalidInput(f"prospect {prospect_id} has no connected call awaiting a disposition "
                                   f"(status {enrollment['status']})")
            # The connected call is already logged, so the context's recent calls include it.
            ctx = context_of(tx, prospect_row, profile, now)
            pos = schedule.apply_disposition(lib, position(enrollment), ctx, disposition, now, callback_at).position
            spawned = write_position(tx, enrollment, prospect_row, pos, now)
            attempt = tx.newest_attempt(prospect_id=prospect_id)
            attempt_id = None
            if attempt is not None and attempt["enrollment_id"] == enrollment["id"] and attempt["outcome"] == "connected":
                attempt_id = attempt["id"]
                tx.record_disposition(attempt_id, disposition, note.strip(), spawned)
                if disposition == "callback":
                    tx.record_attempt_facts(attempt_id, {"callback_at": to_iso(callback_at),
                                                                    "callback_by": callback_by})
            current = reread(tx.enrollment(spawned or enrollment["id"]), "the enrollment")
            return result_of(attempt_id, prospect_id, "connected", current)


def undo_last(store: Store, *, session_id: int | None = None,
              prospect_id: int | None = None, rep: Rep | None = None) -> OutcomeResult | None:
    """Remove the newest attempt (of the session, or of the prospect, else the rep's own newest)
    and restore the enrollment exactly. ``rep`` None: the database's only rep.

    Returns None when there is nothing to undo. Refuses (InvalidInput) when the prospect has a
    newer attempt than the one chosen, or the number went on the do-not-call list since:
    restoring the older state would silently undo those too.
    """
    with reported(store), store.writing() as tx:
        mine = the_rep(tx, rep).id if session_id is None and prospect_id is None else None
        attempt = tx.newest_attempt(session_id=session_id, prospect_id=prospect_id, rep_id=mine)
        if attempt is None:
            return None
        _check_undoable(tx, attempt)
        state = json.loads(attempt["prev_state"])
        tx.delete_attempt(attempt["id"])
        if attempt["spawned_enrollment_id"] is not None:
            tx.delete_enrollment(attempt["spawned_enrollment_id"])
        tx.restore_enrollment(state)
        if attempt["dnc_added"]:
            for e164 in _dnc_numbers_of(attempt, reread(tx.prospect(attempt["prospect_id"]), "the prospect")):
                tx.dnc_delete(e164)
        return result_of(attempt["id"], attempt["prospect_id"], attempt["outcome"], state)


def _check_undoable(tx: Records, attempt: AttemptRow) -> None:
    newer = reread(tx.newest_attempt(prospect_id=attempt["prospect_id"]), "the attempt")  # at least this one
    if newer["id"] != attempt["id"]:
        raise InvalidInput(f"prospect {attempt['prospect_id']} has a newer attempt (#{newer['id']}, "
                           f"{newer['outcome']}); undo that one first")
    phone = reread(tx.prospect(attempt["prospect_id"]), "the prospect")["phone_e164"]
    if not attempt["dnc_added"] and phone in tx.dnc_among([phone]):
        raise InvalidInput(f"{phone} was put on the do-not-call list after this attempt; "
                           "remove it from the list first if that was a mistake")


# --- small edits ------------------------------------------------------------------------------

def snooze(store: Store, prospect_id: int, until: datetime, now: datetime) -> Enrollment:
    """Move the prospect's due time to ``until`` (no longer a pinned promise); a reservation on
    them ends."""
    now, until = as_utc(now), as_utc(until)
    if until <= now:
        raise InvalidInput(f"snooze until {until.isoformat()}: that is not after now ({now.isoformat()})")
    with reported(store), store.writing() as tx:
        row = need_prospect(tx, prospect_id)
        enrollment = need_live(tx, row)
        if enrollment["status"] != "active":
            raise InvalidInput(f"prospect {prospect_id} is {enrollment['status']}: choose a disposition first")
        tx.update_enrollment(enrollment["id"], {
            "next_due_at": to_iso(until), "pinned": 0, "promised_at": None, "updated_at": to_iso(now)})
        tx.release(prospect_id)  # put off, out of the queue: no rep holds them meanwhile
        return enrollment_model(reread(tx.enrollment(enrollment["id"]), "the enrollment"))


def pick_offered(store: Store, prospect_id: int, choice: int, now: datetime, *,
                 session_id: int | None = None, rep: Rep | None = None) -> OutcomeResult:
    """The prospect replied to an email that offered times, picking number ``choice`` (1-based).

    Logged as an attempt (email, "replied"), so it shows in the history and undo takes it back;
    the next call is then due exactly at that time, and its script says it is the time they
    picked.
    """
    now = as_utc(now)
    lib = library()
    with reported(store):
        chosen = the_rep(store, rep)
        profile = profile_of(store, chosen)
        with store.writing() as tx:
            row = need_prospect(tx, prospect_id)
            enrollment = need_live(tx, row)
            if enrollment["status"] != "active":
                raise InvalidInput(f"prospect {prospect_id} is {enrollment['status']}: choose a disposition first")
            _check_in_order(tx, row, profile, now)
            ctx = context_of(tx, row, profile, now)
            attempts = tx.attempts(prospect_id)
            cad = schedule.cadence_named(lib, enrollment["cadence"])
            known = facts_for(row, enrollment, attempts, cad, fields_for(row, profile, ctx, now))
            offered = known.pending_offer(now)
            if not offered:
                raise InvalidInput(_nothing_to_pick(name_of(row), known, now, ctx.zone))
            if not 1 <= choice <= len(offered):
                raise InvalidInput(f"choose one of the {len(offered)} times offered (1-{len(offered)}), not {choice}")
            at = offered[choice - 1]
            pos = schedule.pin_at(lib, position(enrollment), ctx, at, now)
            tx.update_enrollment(enrollment["id"], enrolling.position_columns(pos, now))
            attempt_id = tx.insert_attempt(
                prospect_id=prospect_id, enrollment=enrollment, step=enrollment["step_index"] + 1,
                action="email", outcome="replied", at=to_iso(now), note=f"picked time {choice} of {len(offered)}",
                session_id=session_id, facts={"callback_at": to_iso(at), "callback_by": "prospect"},
                rep_id=chosen.id)
            return result_of(attempt_id, prospect_id, "replied", reread(tx.enrollment(enrollment["id"]), "the enrollment"))


def _nothing_to_pick(name: str, known: facts_mod.ScriptFacts, now: datetime, zone: ZoneInfo) -> str:
    """Why no offered time can be picked, as it stands: already picked, all past, or never offered."""
    state, touch = known.offer_state(now)
    if state == "picked" and touch is not None and touch.callback_at is not None:
        return (f"{name} already picked one of the times offered ({dated_clock(touch.callback_at, zone)} "
                "their time): there is no other offer to pick from")
    if state == "passed" and touch is not None:
        return (f"the times offered to {name} have all passed (the last was "
                f"{dated_clock(max(touch.offered), zone)} their time): there is none left to pick")
    return f"{name} has no offered times to pick: no email offering times has been sent"

