"""Before a dial: what to dial for a prospect, and whether it may be dialled at all.

``dial_plan`` is the one gate every back-end passes (the session's dial key, power mode and
``dialdeck dial``): it refuses with ``guard.NotCallable`` (one line, why, and from when) a
do-not-call number, a finished or unenrolled prospect, one outside their calling hours in
their own zone or over the daily attempt cap, by the same guard the outcome path asks
(``verdict_of``: one copy of the rules). Only then does anything reach the network.

``dialer_settings`` hands ``dialers.make_dialer`` the stored dialing settings. Logging a
placed call's outcome with what the network said is ``log_outcome(..., call=CallFacts(...))``.
"""

from __future__ import annotations

from datetime import datetime

from dialdeck import dialers, guard, phones, schedule
from dialdeck.clock import as_utc
from dialdeck.models import CallVerdict, DialPlan, Rep
from dialdeck.services import claims
from dialdeck.services.card import verdict_of
from dialdeck.services.common import (
    chosen_number,
    context_of,
    name_of,
    need_prospect,
    position,
    profile_of,
    reported,
    settings_of,
    the_rep,
)
from dialdeck.services.library import library
from dialdeck.services.recordings import recording_for
from dialdeck.store import Store


def dial_plan(store: Store, prospect_id: int, now: datetime, *, number: str | None = None,
              rep: Rep | None = None) -> DialPlan:
    """What to dial for the prospect at ``now`` (their own number, or ``number``: another of
    theirs as typed), with their step and the rep's voicemail recording of it (``rep`` None:
    the database's only rep); ``guard.NotCallable`` when
    the guard refuses the call, ``NotFound`` for no such prospect, ``InvalidInput`` for a
    number that is not theirs. In a database with several reps the prospect is reserved for
    the rep (``claims.Reserved`` when another rep holds them)."""
    now = as_utc(now)
    with reported(store):
        chosen = the_rep(store, rep)
        profile = profile_of(store, chosen)
        row = need_prospect(store, prospect_id)
        enrollment = store.live_enrollment(prospect_id) or store.latest_enrollment(prospect_id)
        name = name_of(row)
        ctx = context_of(store, row, profile, now)
        if enrollment is None:
            unenrolled = CallVerdict(blocked_reason=f"{name or 'this prospect'} is not enrolled in any cadence",
                                     headline="not enrolled")
            raise guard.NotCallable(unenrolled, ctx.zone)
        used = chosen_number(store, row, number, profile)
        if used.dnc:
            shown = phones.format_with_extension(used.e164, used.extension)
            listed = CallVerdict(blocked_reason=f"{shown} is on the do-not-call list: it is never dialled",
                                 headline="on the do-not-call list")
            raise guard.NotCallable(listed, ctx.zone)
        verdict = verdict_of(store, row, enrollment, ctx, now)
        if not verdict.allowed:
            raise guard.NotCallable(verdict, ctx.zone)
        if len(store.reps()) > 1:
            # In a team a dial is a call in progress: it takes the prospect for this rep as
            # `next` does (claims.Reserved, naming the holder, when another rep has it), so no
            # teammate is handed them meanwhile; the outcome logged afterwards releases it.
            claims.claim(store, prospect_id, now, rep=chosen)
        step = schedule.current_step(library(), position(enrollment), ctx)
        leaves_message = step.action == "call" and step.voicemail is not None
        return DialPlan(
            prospect_id=prospect_id, name=name, number_e164=used.e164, extension=used.extension or None,
            cadence=enrollment["cadence"], step=step.number,
            recording=recording_for(store, enrollment["cadence"], step.number, rep=chosen) if leaves_message else None,
        )


def dialer_settings(store: Store, *, rep: Rep | None = None) -> dict[str, str]:
    """The stored dialing settings (``dialers.KEYS``) as the rep sees them (the team's SIP server
    and ring timeout, the rep's own line, caller ID and back-end; ``rep`` None: the database's
    only rep), as ``dialers.make_dialer`` takes them."""
    with reported(store):
        return {key: value for key, value in settings_of(store, rep).items() if key in dialers.KEYS}
