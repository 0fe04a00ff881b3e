"""Stored rows made models: what the CLI and the TUI are given instead of the store's dicts."""

from __future__ import annotations

from collections.abc import Mapping

from dialdeck.clock import from_iso, stored_instant
from dialdeck.enrolling import LIVE
from dialdeck.models import Attempt, Enrollment, Note, OutcomeResult, Prospect
from dialdeck.services.library import steps_total
from dialdeck.store.interface import AttemptRow, EnrollmentRow, NoteRow, ProspectRow


def prospect_model(row: ProspectRow) -> Prospect:
    return Prospect(
        id=row["id"], first_name=row["first_name"], last_name=row["last_name"], company=row["company"],
        phone_e164=row["phone_e164"], phone_raw=row["phone_raw"], email=row["email"],
        timezone=row["timezone"], tz_source=row["tz_source"], region=row["region"],
        subdivision=row["subdivision"], temperature=row["temperature"], value=row["value"],
        referrer=row["referrer"], referrer_company=row["referrer_company"],
        appointment_at=from_iso(row["appointment_at"]), notes=row["notes"],
        phone_ext=row.get("phone_ext") or "", phone_label=row.get("phone_label") or "phone",
        benefit=row["benefit"], urgent=bool(row["urgent"]), urgent_reason=row["urgent_reason"],
        owner_rep_id=_owner(row),
    )


def enrollment_model(row: EnrollmentRow) -> Enrollment:
    return Enrollment(
        prospect_id=row["prospect_id"], cadence=row["cadence"], step_index=row["step_index"],
        steps_total=steps_total(row["cadence"]), status=row["status"],
        next_due_at=from_iso(row["next_due_at"]), pinned=bool(row["pinned"]), retries=row["retries"],
        promised_at=from_iso(row["promised_at"]),
    )


def _owner(row: ProspectRow) -> int | None:
    """The owning rep's id: a column of every stored prospect since m008_reps (not in the typed row,
    which lists what an import writes)."""
    owner = dict(row).get("owner_rep_id")
    return owner if isinstance(owner, int) else None


def attempt_model(row: AttemptRow, rep_names: Mapping[int, str] | None = None) -> Attempt:
    """``rep_names`` (rep id -> name): say who made it."""
    rep_id = row.get("rep_id")
    return Attempt(
        id=row["id"], prospect_id=row["prospect_id"], cadence=row["cadence"], step=row["step"],
        action=row["action"], outcome=row["outcome"], at=stored_instant(row["at"]), note=row["note"],
        session_id=row["session_id"], forced_reason=row["forced_reason"], number=row.get("number"),
        rep=rep_names.get(rep_id) if rep_names and rep_id is not None else None,
    )


def note_model(row: NoteRow) -> Note:
    return Note(id=row["id"], prospect_id=row["prospect_id"], at=stored_instant(row["at"]), text=row["text"],
                source=row["source"], session_id=row["session_id"], attempt_id=row["attempt_id"])


def result_of(attempt_id: int | None, prospect_id: int, outcome: str, row: Mapping,
              needs_disposition: bool = False, forced_reason: str | None = None) -> OutcomeResult:
    live = row["status"] in LIVE
    return OutcomeResult(
        attempt_id=attempt_id, prospect_id=prospect_id, outcome=outcome, status=row["status"],
        step=row["step_index"] + 1 if live else None, cadence=row["cadence"],
        next_due_at=from_iso(row["next_due_at"]), needs_disposition=needs_disposition,
        forced_reason=forced_reason,
    )
