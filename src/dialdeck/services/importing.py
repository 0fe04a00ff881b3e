"""Importing a CRM export: upsert prospects by E.164 then e-mail, enroll the new ones.

The file is read as a stream and parsed in blocks of rows (by ``parallel_parse``: in worker
processes for a big file, where parsing phone numbers costs most of the time). Each parsed
block comes back in file order as lean ``import_rows.Incoming`` tuples; it costs a few
set-based lookups and writes of the store's ``ImportBatch``, all inside one transaction, so
memory stays flat and a failure anywhere (a bad row without ``skip_invalid``, a broken file,
Ctrl+C) leaves the database as it was. Single-process and parallel runs write exactly the
same rows and ids.

What is decided here and in the domain, not in the store: how a row merges into a stored
prospect (``import_rows``), and who is enrolled where and from when (``enrolling``): never
twice in the same cadence (whatever that enrollment's status), never while live in another
cadence (kept as is, with a warning), never when the number is on the do-not-call list.
"""

from __future__ import annotations

import contextlib
from array import array
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dialdeck import (
    enrolling,
    import_rows,
    importer,
    parallel_parse,
    schedule,
    settings,
)
from dialdeck.clock import as_utc, to_iso
from dialdeck.enrolling import enrolled_before, live_cadence, missing_expected
from dialdeck.errors import ImportFileError, InvalidInput
from dialdeck.import_rows import Incoming
from dialdeck.models import ImportReport, Rep
from dialdeck.services.common import reported, settings_of
from dialdeck.services.library import library
from dialdeck.store import Store
from dialdeck.store.interface import ImportBatch

MAX_WARNINGS = 200


def import_csv(store: Store, path: Path, *, now: datetime, cadence: str | None = None,
               region: str | None = None, skip_invalid: bool = False,
               workers: int | None = None, rep: Rep | None = None, owner: Rep | None = None) -> ImportReport:
    """Import a CRM CSV export. All or nothing unless ``skip_invalid``.

    Raises ImportFileError (problems: 'line N: field: reason') when any row is invalid and
    ``skip_invalid`` is False; then nothing is written. A big file's phone numbers are parsed
    in worker processes; ``workers`` overrides how many (None: one per core for a file of
    about 20k rows or more; 0 or 1: none). The result is the same either way. ``rep``: whose
    region and zone read the numbers and zones the file leaves open (None: the only rep).
    ``owner``: the rep who owns the rows whose Owner cell is blank (None: those stay as they
    are, new ones in the shared pool); an Owner cell naming no rep refuses its row.
    """
    now = as_utc(now)
    with reported(store):
        stored = settings_of(store, rep)
        team = {row["name"]: row["id"] for row in store.reps()}
    profile = settings.profile_from(stored)
    lib = library()
    default_cadence = cadence or stored.get(settings.CADENCE_KEY, settings.DEFAULT_CADENCE)
    if default_cadence not in lib:
        raise InvalidInput(f"no cadence named {default_cadence!r} (known: {', '.join(sorted(lib))})")
    run = _ImportRun(lib=lib, starts=enrolling.Starts(lib, profile, now), default_cadence=default_cadence,
                     now=now, region=(region or profile.region).upper(), rep_zone=profile.timezone,
                     reps=team, owner=owner.id if owner else None)
    with reported(store):
        return run.execute(store, Path(path), skip_invalid=skip_invalid, workers=workers)


def _save_rejects(path: Path, errors: list[importer.RowError]) -> tuple[str | None, str | None]:
    """(the rejects file, None), or (None, why it could not be written): the import is already
    committed by then, so a failure here is reported with it, not raised as if nothing was."""
    if not errors:
        return None, None
    target = importer.rejects_path(path)
    try:
        return str(importer.write_rejects(path, errors)), None
    except OSError as problem:
        return None, f"{target}: {problem.strerror or problem}"


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    enrolled: int = 0
    skipped_dnc: int = 0
    warnings: list[str] = field(default_factory=list)
    dropped_warnings: int = 0

    def warn(self, text: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)
        else:
            self.dropped_warnings += 1


@dataclass
class _Pending:
    """One prospect touched by this block: its merged record, whether new, its cadence, line."""

    record: dict
    new: bool
    cadence: str
    line: int
    owner: int | None = None  # the rep this row gives the prospect to (None: as it was)


@dataclass
class _ImportRun:
    lib: dict
    starts: enrolling.Starts
    default_cadence: str
    now: datetime
    region: str
    rep_zone: str
    reps: dict[str, int] = field(default_factory=dict)  # each rep's name -> id (Owner cells)
    owner: int | None = None  # the owner of rows whose Owner cell is blank (``--owner``)
    _has_dnc: bool = field(default=True, repr=False)
    _has_other_numbers: bool = field(default=True, repr=False)  # False: no lookups of them
    # The file line that last wrote each prospect id in this run (0: none). Four bytes a
    # prospect: the writer sees rows in file order, so it finds repeats the parsing workers,
    # each with one block, cannot.
    _lines: array = field(default_factory=lambda: array("I"), repr=False)
    # The CRM notes this block brings (prospect id, text): kept as notes of their own too.
    _crm_notes: list = field(default_factory=list, repr=False)

    def execute(self, store: Store, path: Path, *, skip_invalid: bool, workers: int | None = None) -> ImportReport:
        """Read, parse (in worker processes for a big file), write in one transaction.

        ``workers``: None decides from the file's size; 0 or 1 parses in this process.
        """
        path = Path(path)
        errors: list[importer.RowError] = []
        tally = _Tally()
        with importer.ExportReader(path) as reader:
            parser = reader.parser(default_region=self.region, rep_zone=self.rep_zone,
                                   known_cadences=list(self.lib), known_reps=list(self.reps))
            blocks = parallel_parse.parsed_blocks(
                import_rows.RowShaper(parser), reader,
                workers=parallel_parse.worker_count(path.stat().st_size, workers))
            with contextlib.closing(blocks), store.importing() as batch:
                self._write_all(batch, blocks, errors, tally, skip_invalid)
                bad_lines = len({e.line for e in errors})
                if errors and not skip_invalid:
                    # Raised inside the transaction: everything written so far is rolled back.
                    raise ImportFileError(
                        f"{bad_lines} row{'s are' if bad_lines != 1 else ' is'} invalid; nothing was imported",
                        problems=[str(e) for e in errors])
        rejected_file, rejects_error = _save_rejects(path, errors)
        warnings = tally.warnings + ([f"... and {tally.dropped_warnings} more warnings"] if tally.dropped_warnings else [])
        return ImportReport(created=tally.created, updated=tally.updated, enrolled=tally.enrolled,
                            skipped_dnc=tally.skipped_dnc, rejected=bad_lines, rejected_file=rejected_file,
                            warnings=tuple(warnings), rejects_error=rejects_error,
                            unsaved_rejects=tuple(str(e) for e in errors) if rejects_error else ())

    def _write_all(self, batch: ImportBatch, blocks, errors: list, tally: _Tally, skip_invalid: bool) -> None:
        next_id = batch.next_prospect_id()
        # The write lock is held for the whole import, so these cannot change under it.
        self._has_dnc = batch.has_dnc()
        self._has_other_numbers = batch.has_other_numbers()
        for block in blocks:
            rows = []
            for item in block:
                if type(item) is Incoming:
                    rows.append(item)
                else:
                    errors.append(item)
            if errors and not skip_invalid:
                continue  # keep reading to report every bad row; nothing will be kept
            next_id = self._write_block(batch, rows, next_id, tally)

    # --- one block ---------------------------------------------------------------------------

    def _write_block(self, batch: ImportBatch, rows: list[Incoming], next_id: int, tally: _Tally) -> int:
        pending, next_id = self._merge(batch, rows, next_id, tally)
        updates = [p.record for p in pending.values() if not p.new]
        inserts = [p.record for p in pending.values() if p.new]
        # Updates first: a prospect whose number changed frees its old number for a new one.
        batch.update_prospects(updates)
        batch.insert_prospects(inserts)
        self._write_other_numbers(batch, pending.values())
        batch.insert_crm_notes(self._crm_notes, to_iso(self.now))
        self._crm_notes.clear()
        # A re-import can change the zone, temperature or value the due queue's index carries.
        batch.refresh_queue_columns([(enrolling.hours_key_of(r), enrolling.temp_rank(r["temperature"]),
                                      r["value"], r["id"]) for r in updates])
        self._give_owners(batch, pending.values())  # before enrolling: a new enrollment takes its owner
        self._enroll(batch, list(pending.values()), tally)
        return next_id

    def _merge(self, batch: ImportBatch, rows: list[Incoming], next_id: int,
               tally: _Tally) -> tuple[dict[int, _Pending], int]:
        """Match each row to a stored or earlier prospect (E.164, then e-mail), merging fields."""
        by_phone = batch.prospects_by_phones(list({r.e164 for r in rows}))
        by_email = batch.prospects_by_emails(list({r.email for r in rows if r.email}))
        if self._has_other_numbers:
            found = [*by_phone.values(), *by_email.values()]  # one prospect may be found both ways
            others = batch.other_numbers_of(list({stored["id"] for stored in found}))
            for stored in found:
                stored["others"] = others.get(stored["id"], [])
        pending: dict[int, _Pending] = {}
        stamp = to_iso(self.now)
        default_cadence = self.default_cadence
        for row in rows:
            for text in row.warnings:
                tally.warn(text)
            email = row.email
            by_number = by_phone.get(row.e164)
            match = by_number or (by_email.get(email) if email else None)
            if match is not None and (earlier_line := self._line_of(match["id"])):
                field_name, value = ("phone", row.e164) if by_number else ("email", email)
                tally.warn(importer.repeat_warning(row.line, field_name, earlier_line, value))
            if match is None:
                record = import_rows.new_record(row, next_id, stamp)
                if record["notes"]:
                    self._crm_notes.append((next_id, record["notes"]))
                pending[next_id] = _Pending(record, True, row.cadence or default_cadence, row.line,
                                            self._owner_of(row))
                next_id += 1
                tally.created += 1
            else:
                record = import_rows.merged(match, row, stamp)
                if record["notes"] != match["notes"]:
                    self._crm_notes.append((record["id"], row.notes))
                earlier = pending.get(record["id"])
                pending[record["id"]] = _Pending(record, earlier.new if earlier else False,
                                                 row.cadence or default_cadence, row.line, self._owner_of(row))
                tally.updated += 1
                if match["phone_e164"] != record["phone_e164"]:
                    by_phone.pop(match["phone_e164"], None)
            by_phone[record["phone_e164"]] = record
            if record["email"]:
                by_email[record["email"]] = record
            self._mark_line(record["id"], row.line)
        return pending, next_id

    def _owner_of(self, row: Incoming) -> int | None:
        return self.reps[row.owner] if row.owner else self.owner

    def _give_owners(self, batch: ImportBatch, pending) -> None:
        """The rows that name an owner (their cell, or ``--owner``) give their prospects to that rep."""
        by_owner: dict[int, list[int]] = {}
        for item in pending:
            if item.owner is not None:
                by_owner.setdefault(item.owner, []).append(item.record["id"])
        for rep_id, ids in by_owner.items():
            batch.set_owner(ids, rep_id, to_iso(self.now))

    def _write_other_numbers(self, batch: ImportBatch, pending) -> None:
        """Each touched prospect's other numbers, where they changed: replaced whole (a few rows)."""
        changed = [p.record for p in pending if p.record.get("others_changed")]
        if not changed:
            return
        batch.replace_other_numbers(
            [r["id"] for r in changed] if self._has_other_numbers else [],
            [(r["id"], position, *number) for r in changed for position, number in enumerate(r["others"], start=1)])
        self._has_other_numbers = True

    def _line_of(self, prospect_id: int) -> int:
        return self._lines[prospect_id] if prospect_id < len(self._lines) else 0

    def _mark_line(self, prospect_id: int, line: int) -> None:
        if prospect_id >= len(self._lines):
            self._lines.extend([0] * (prospect_id + 1 - len(self._lines)))
        self._lines[prospect_id] = line

    def _enroll(self, batch: ImportBatch, pending: list[_Pending], tally: _Tally) -> None:
        existing_ids = [p.record["id"] for p in pending if not p.new]
        history = batch.enrolled_cadences(existing_ids)
        calls = batch.recent_calls(existing_ids, to_iso(self.now - schedule.RECENT_CALLS))
        blocked = batch.dnc_among(p.record["phone_e164"] for p in pending) if self._has_dnc else set()
        rows = []
        for item in pending:
            record = item.record
            if blocked and record["phone_e164"] in blocked:
                tally.skipped_dnc += 1
                continue
            if not item.new:
                past = history.get(record["id"], ())
                if enrolled_before(item.cadence, past):
                    continue
                if live := live_cadence(past):
                    tally.warn(f"line {item.line}: {record['phone_e164']} is already in cadence {live}; "
                               f"not enrolled in {item.cadence}")
                    continue
            rows.append(self.starts.row(item.cadence, record, calls.get(record["id"], ())))
            for missing in missing_expected(self.lib[item.cadence], record):
                tally.warn(f"line {item.line}: {item.cadence} expects {missing}; none given, so its scripts "
                           f"leave it out")
            tally.enrolled += 1
        batch.insert_enrollments(rows)
