"""A CRM file's rows as prospect records, and the re-import rules that merge one into a stored
prospect. Pure: ``services.importing`` matches rows to stored prospects and the store writes
the records made here.

Re-import rules (where the issue is silent, the choice is written here):
- a blank cell never erases what is stored; a non-blank one replaces it;
- notes from the file are appended to the stored CRM text unless already there (the import
  also keeps each new one as a note of its own, source "crm", beside the rep's notes);
- a zone the file or the number gave is not replaced by the rep-zone fallback;
- a blank temperature cell does not turn a warm lead cold;
- an import never loses a number: one the file replaces stays among the prospect's others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from dialdeck import importer
from dialdeck.clock import to_iso

# A prospect record: every stored field, in the order of ``store.interface.ProspectRow``.
RECORD_FIELDS = (
    "id", "first_name", "last_name", "company", "phone_e164", "phone_raw", "email", "timezone", "tz_source",
    "region", "subdivision", "temperature", "value", "referrer", "referrer_company", "appointment_at", "notes",
    "phone_ext", "phone_label", "benefit", "urgent", "urgent_reason", "created_at", "updated_at",
)
VALUE_FIELDS = RECORD_FIELDS[1:-2]  # what a row of the file gives: all but the id and the stamps
_E164, _EMAIL, _TZ_SOURCE, _NOTES, _URGENT = (
    VALUE_FIELDS.index(c) for c in ("phone_e164", "email", "tz_source", "notes", "urgent"))


class Incoming(NamedTuple):
    """One good row of the file, shaped for the writer where it was parsed (maybe a worker):
    plain values pickle small and cost the writing process almost nothing to use."""

    line: int
    values: tuple  # in VALUE_FIELDS order; e-mail lower-cased, appointment as stored text
    cadence: str | None
    temperature_given: bool  # a non-blank temperature cell: a re-import may change it
    warnings: tuple[str, ...]
    others: tuple[tuple[str, str, str, str], ...] = ()  # the row's other numbers: (label, e164, extension, raw)
    owner: str | None = None  # the rep named in its Owner cell (None: none named)

    @property
    def e164(self) -> str:
        return self.values[_E164]

    @property
    def email(self) -> str:
        return self.values[_EMAIL]

    @property
    def notes(self) -> str:
        return self.values[_NOTES]


@dataclass(frozen=True)
class RowShaper:
    """Parses one row of the file into an Incoming, or the RowErrors of a bad row. Picklable."""

    parser: importer.RowParser

    def __call__(self, line: int, cells: list[str]) -> list:
        fields = self.parser.read(line, cells)
        if isinstance(fields, list):
            return fields
        get = fields.text.get
        phone, numbers, warnings = fields.phone, fields.numbers, fields.warnings
        urgent, reason, doubt = importer.urgent_cells(line, get("urgent", ""), get("urgent_reason", ""))
        if doubt:
            warnings = (*warnings, doubt)
        values = (fields.first_name, fields.last_name, get("company", ""), phone.e164, phone.raw,
                  get("email", "").lower(), fields.timezone, fields.tz_source, phone.region or "",
                  phone.subdivision, fields.temperature, fields.value, get("referrer", ""),
                  get("referrer_company", ""), to_iso(fields.appointment_at), get("notes", ""), phone.extension,
                  numbers[0].label, get("benefit", ""), urgent, reason)
        others = () if len(numbers) == 1 else tuple(
            (n.label, n.phone.e164, n.phone.extension, n.phone.raw) for n in numbers[1:])
        return [Incoming(line, values, fields.cadence, bool(get("temperature")), warnings, others,
                         get("owner") or None)]


def new_record(row: Incoming, prospect_id: int, stamp: str) -> dict:
    """The record of a new prospect from ``row``, with its id and time stamps."""
    record = dict(zip(RECORD_FIELDS, (prospect_id, *row.values, stamp, stamp), strict=True))
    record["urgent"] = record["urgent"] or 0  # None: the row did not say
    if row.others:
        record["others"], record["others_changed"] = list(row.others), True
    return record


def merged(stored: dict, row: Incoming, stamp: str) -> dict:
    """``stored`` updated by ``row``: non-blank cells win, blanks keep what is stored.

    ``stored`` may carry ``others`` (its other numbers, as ``new_record`` does); the result
    always does, with ``others_changed`` when they differ from what is stored."""
    result = dict(stored)
    incoming = new_record(row, stored["id"], stamp)
    # The extension belongs to its number: kept for the same number when the file has none.
    if incoming["phone_e164"] == stored["phone_e164"] and not incoming["phone_ext"]:
        incoming["phone_ext"] = stored["phone_ext"]
    for column in ("first_name", "last_name", "company", "phone_e164", "phone_raw", "email", "referrer",
                   "referrer_company", "appointment_at", "value", "benefit", "urgent_reason"):
        if incoming[column] not in ("", None):
            result[column] = incoming[column]
    result["phone_ext"], result["phone_label"] = incoming["phone_ext"], incoming["phone_label"]
    _merge_other_numbers(result, stored, row)
    urgent = row.values[_URGENT]
    if urgent is not None:
        result["urgent"] = urgent
        if not urgent:
            result["urgent_reason"] = ""
    if row.values[_TZ_SOURCE] != "rep" or stored["tz_source"] == "rep":
        for column in ("timezone", "tz_source"):
            result[column] = incoming[column]
    result["region"], result["subdivision"] = incoming["region"], incoming["subdivision"]
    # The importer reads a blank temperature cell as "cold": a re-import must not turn a warm
    # lead cold for a missing column.
    if row.temperature_given:
        result["temperature"] = incoming["temperature"]
    notes = row.values[_NOTES]
    if notes and notes not in stored["notes"]:
        result["notes"] = f"{stored['notes']}\n{notes}" if stored["notes"] else notes
    result["updated_at"] = stamp
    return result


def _merge_other_numbers(result: dict, stored: dict, row: Incoming) -> None:
    """The prospect's other numbers after ``row``: the stored ones, then the row's new ones, and
    a replaced own number kept among them (an import never loses a number). Sets
    ``others_changed`` when they differ from what is stored."""
    before = list(stored.get("others", ()))
    numbers = [*before, *row.others]
    if (stored["phone_e164"], stored["phone_ext"]) != (result["phone_e164"], result["phone_ext"]):
        numbers.append((stored["phone_label"], stored["phone_e164"], stored["phone_ext"], stored["phone_raw"]))
    own = (result["phone_e164"], result["phone_ext"])
    kept: dict[tuple[str, str], tuple] = {}
    for number in numbers:
        key = (number[1], number[2])
        if key != own:
            kept[key] = number if key not in kept or number in row.others else kept[key]
    after = list(kept.values())
    result["others"] = after
    # A record this block already changed keeps its flag: nothing is written until the block ends.
    result["others_changed"] = stored.get("others_changed", False) or after != before
