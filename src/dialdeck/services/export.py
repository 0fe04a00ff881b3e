"""Every prospect with their position and attempts, streamed."""

from __future__ import annotations

from collections.abc import Iterator

from sqlite_utils import Database

from dialdeck.services.common import store_errors
from dialdeck.store import records


def export_rows(db: Database) -> list[dict]:
    """One dict per prospect: details, cadence position, attempt count, last outcome, attempts."""
    with store_errors(db):
        return list(iter_export_rows(db))


def iter_export_rows(db: Database, *, with_attempts: bool = True) -> Iterator[dict]:
    """``export_rows`` as a stream, so exporting a million prospects needs no million-row list."""
    any_others = not records.other_numbers_empty(db.conn)
    for row in records.export_cursor(db.conn):
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
            "note_history": [{"at": n["at"], "source": n["source"], "text": n["text"]}
                             for n in records.notes_of_prospect(db.conn, row["id"])],
            "phone_ext": row["phone_ext"], "phone_label": row["phone_label"],
            "other_phones": [
                {"label": n["label"], "phone": n["e164"], "extension": n["extension"]}
                for n in (records.other_numbers(db.conn, row["id"]) if any_others else ())
            ],
            "benefit": row["benefit"], "urgent": bool(row["urgent"]), "urgent_reason": row["urgent_reason"],
            "cadence": row["cadence"], "step": row["step_index"] + 1 if row["step_index"] is not None else None,
            "status": row["status"], "next_due_at": row["next_due_at"],
            "attempts_count": row["attempts_count"], "last_outcome": row["last_outcome"],
        }
        if with_attempts:
            item["attempts"] = [
                {"at": a["at"], "cadence": a["cadence"], "step": a["step"], "action": a["action"],
                 "outcome": a["outcome"], "disposition": a["disposition"], "note": a["note"],
                 "forced": a["forced_reason"] is not None, "forced_reason": a["forced_reason"],
                 "number": a["number"]}
                for a in records.attempts_of_prospect(db.conn, row["id"])
            ]
        yield item
