"""The call card: the prospect, their step's script rendered at ``now``, and the guard's verdict."""

from __future__ import annotations

import json
from datetime import datetime

from dialdeck import cadence as cadence_mod
from dialdeck import facts as facts_mod
from dialdeck import guard, phones, phrases, schedule, scripts
from dialdeck.clock import as_utc, from_iso, stored_instant
from dialdeck.models import (
    CallCard,
    CallVerdict,
    Rep,
    RepProfile,
    Script,
    UNSET_PHONE_SPOKEN,
)
from dialdeck.services.common import (
    context_of,
    name_of,
    need_live,
    need_prospect,
    numbers_of,
    position,
    profile_of,
    reported,
)
from dialdeck.services.library import library
from dialdeck.services.rows import (
    attempt_model,
    enrollment_model,
    note_model,
    prospect_model,
)
from dialdeck.store import Store
from dialdeck.store.interface import AttemptRow, EnrollmentRow, ProspectRow, Records

CARD_NOTES = 3  # the newest notes a card carries: more never fit its fixed height


def call_card(store: Store, prospect_id: int, now: datetime, *, rep: Rep | None = None) -> CallCard:
    """The prospect, the active enrollment, the rendered script (promise computed from ``now``;
    the rep's name, number and company in it: ``rep``, None for the only rep)."""
    now = as_utc(now)
    with reported(store):
        profile = profile_of(store, rep)
        row = need_prospect(store, prospect_id)
        enrollment = need_live(store, row)
        ctx = context_of(store, row, profile, now)
        attempts = store.attempts(prospect_id)
        script = script_for(library(), row, enrollment, attempts, profile, ctx, now)
        newest, total = store.newest_notes(prospect_id, CARD_NOTES)
        return CallCard(
            prospect=prospect_model(row), enrollment=enrollment_model(enrollment), script=script,
            attempts=tuple(attempt_model(a) for a in attempts if a["enrollment_id"] == enrollment["id"]),
            verdict=verdict_of(store, row, enrollment, ctx, now), window=ctx.window, numbers=numbers_of(store, row),
            notes=tuple(note_model(n) for n in newest), notes_total=total,
        )


def call_verdict(store: Store, prospect_id: int, now: datetime, *, rep: Rep | None = None) -> CallVerdict:
    """May the prospect be called at ``now``, and if not, why and from when (``guard.may_call``)."""
    now = as_utc(now)
    with reported(store):
        profile = profile_of(store, rep)
        row = need_prospect(store, prospect_id)
        enrollment = store.live_enrollment(prospect_id) or store.latest_enrollment(prospect_id)
        if enrollment is None:
            return CallVerdict(blocked_reason=f"{name_of(row)} is not enrolled in any cadence",
                               headline="not enrolled")
        return verdict_of(store, row, enrollment, context_of(store, row, profile, now), now)


def verdict_of(records: Records, prospect: ProspectRow, enrollment: EnrollmentRow, ctx: schedule.Context,
               now: datetime) -> CallVerdict:
    promised = from_iso(enrollment["next_due_at"]) if enrollment["pinned"] else None
    on_dnc = prospect["phone_e164"] in records.dnc_among([prospect["phone_e164"]])
    return guard.may_call(
        now, zone=ctx.zone, window=ctx.window, max_per_day=ctx.guard.max_per_day,
        recent_calls=ctx.recent_attempts, status=enrollment["status"],
        on_dnc=on_dnc, promised_at=promised, name=ctx.name)


def fields_for(row: ProspectRow, profile: RepProfile, ctx: schedule.Context, now: datetime) -> dict[str, str]:
    """The prospect's and the rep's template fields; the time phrases come from scripts.

    A missing referrer or appointment is empty here and never said: the cadence files use
    them only in parts whose conditions say they are on file (cadence.text_problems).
    """
    appointment = from_iso(row["appointment_at"])
    return {
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "company": row["company"],
        "rep_name": profile.name,
        "rep_phone": phones.format_international(profile.phone) if profile.phone else UNSET_PHONE_SPOKEN,
        "rep_company": profile.company,
        "referrer": (row["referrer"] or "").strip(),
        "referrer_company": (row["referrer_company"] or "").strip(),
        "appointment": phrases.phrase_appointment(appointment, ctx.zone, now) if appointment else "",
    }


def script_for(lib: dict, row: ProspectRow, enrollment: EnrollmentRow, attempts: list[AttemptRow], profile: RepProfile,
            ctx: schedule.Context, now: datetime) -> Script:
    """The current step's script for this prospect at ``now``, from the facts the store holds."""
    cad = schedule.cadence_named(lib, enrollment["cadence"])
    fields = fields_for(row, profile, ctx, now)
    known = facts_for(row, enrollment, attempts, cad, fields)
    return scripts.render_script(lib, position(enrollment), ctx, known, fields, now)


def facts_for(row: ProspectRow, enrollment: EnrollmentRow, attempts: list[AttemptRow], cad: cadence_mod.Cadence,
           fields: dict[str, str]) -> facts_mod.ScriptFacts:
    """What the store knows that a script may state: the prospect's attempts and the rep's records."""
    benefit = (row["benefit"] or "").strip() or (cadence_mod.render_benefit(cad.benefit, fields) if cad.benefit else "")
    return facts_mod.ScriptFacts(
        touches=tuple(_touch(a) for a in attempts),
        enrollment=enrollment["id"],
        referrer=(row["referrer"] or "").strip(),
        referrer_company=(row["referrer_company"] or "").strip(),
        appointment_at=from_iso(row["appointment_at"]),
        has_email=bool(row["email"]),
        # The script supplies the sentence's own full stop.
        benefit=benefit.rstrip(" ."),
        urgent=bool(row["urgent"]),
        urgent_reason=(row["urgent_reason"] or "").strip().rstrip(" ."),
    )


def _touch(row: AttemptRow) -> facts_mod.Touch:
    offered = tuple(stored_instant(at) for at in json.loads(row["offered"])) if row["offered"] else ()
    return facts_mod.Touch(
        at=stored_instant(row["at"]), step=row["step"], action=row["action"], outcome=row["outcome"],
        disposition=row["disposition"], promised_at=from_iso(row["promised_at"]),
        callback_at=from_iso(row["callback_at"]), callback_by=row["callback_by"], offered=offered,
        enrollment=row["enrollment_id"],
    )
