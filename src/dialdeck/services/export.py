"""Every prospect with their position, notes, numbers and attempts, streamed for the export."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from dialdeck.services.common import reported
from dialdeck.store import Store
from dialdeck.store.interface import ExportRecord


def export_rows(store: Store) -> list[dict]:
    """``iter_export_rows`` as a list: for tests and small databases, not for the export command."""
    with reported(store):
        return list(iter_export_rows(store))


def iter_export_rows(store: Store, *, with_attempts: bool = True) -> Iterator[dict]:
    """One dict per prospect, in id order: details, cadence position, attempt count, last
    outcome, notes, other numbers and (``with_attempts``) every attempt. A stream: the store
    reads one prospect at a time, so exporting a million prospects holds one in memory."""
    names = {rep["id"]: rep["name"] for rep in store.reps()}
    for record in store.export(with_attempts=with_attempts):
        yield _exported(record, names)


def _exported(record: ExportRecord, names: Mapping[int, str]) -> dict:
    row = record.row
    owner = row.get("owner_rep_id")
    item = {
        "id": row["id"], "first_name": row["first_name"], "last_name": row["last_name"],
        "company": row["company"], "phone": row["phone_e164"], "phone_raw": row["phone_raw"],
        "email": row["email"], "timezone": row["timezone"], "tz_source": row["tz_source"],
        "region": row["region"], "subdivision": row["subdivision"], "temperature": row["temperature"],
        "value": row["value"], "referrer": row["referrer"], "referrer_company": row["referrer_company"],
        "appointment_at": row["appointment_at"],
        # The CRM's note as the importer reads it, so an export imports back as it was; every
        # note (the CRM's and the rep's, newest first) follows in note_history.
        "notes": row["notes"],
        "note_history": [{"at": n["at"], "source": n["source"], "text": n["text"]} for n in record.notes],
        "phone_ext": row["phone_ext"], "phone_label": row["phone_label"],
        "other_phones": [{"label": n["label"], "phone": n["e164"], "extension": n["extension"]}
                         for n in record.other_numbers],
        "benefit": row["benefit"], "urgent": bool(row["urgent"]), "urgent_reason": row["urgent_reason"],
        # The owning rep's name (the importer's Owner column), "" for the shared pool.
        "owner": names.get(owner, "") if isinstance(owner, int) else "",
        "cadence": row["cadence"], "step": row["step_index"] + 1 if row["step_index"] is not None else None,
        "status": row["status"], "next_due_at": row["next_due_at"],
        "attempts_count": row["attempts_count"], "last_outcome": row["last_outcome"],
    }
    if record.attempts is not None:
        item["attempts"] = [
            {"at": a["at"], "cadence": a["cadence"], "step": a["step"], "action": a["action"],
             "outcome": a["outcome"], "disposition": a["disposition"], "note": a["note"],
             "forced": a["forced_reason"] is not None, "forced_reason": a["forced_reason"],
             "number": a["number"], "rep": _rep_name(a.get("rep_id"), names)}
            for a in record.attempts
        ]
    return item


def _rep_name(rep_id: int | None, names: Mapping[int, str]) -> str | None:
    """Who made an attempt (None: before reps)."""
    return names.get(rep_id) if rep_id is not None else None
