"""Every prospect, streamed from PostgreSQL for the export.

The SQLite engine reads each prospect's notes, numbers and attempts beside the prospect, three
small local reads. Over a network that would be three round trips a prospect; here four
server-side cursors walk the prospects and the three tables beside them in prospect order, in
one read-only snapshot, and are merged as they go: memory stays flat, the round trips are one
per block of rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg.rows import dict_row

from dialdeck.store.interface import ExportRecord, OtherNumber

_EXPORT_SQL = """
SELECT p.*, e.cadence, e.step_index, e.status, e.next_due_at,
       (SELECT count(*) FROM attempts a WHERE a.prospect_id = p.id) AS attempts_count,
       (SELECT a.outcome FROM attempts a WHERE a.prospect_id = p.id ORDER BY a.at DESC, a.id DESC LIMIT 1)
           AS last_outcome
FROM prospects p
LEFT JOIN enrollments e ON e.id = coalesce(
    (SELECT id FROM enrollments WHERE prospect_id = p.id AND status IN ('active', 'connected')),
    (SELECT id FROM enrollments WHERE prospect_id = p.id ORDER BY updated_at DESC, id DESC LIMIT 1))
ORDER BY p.id
"""
# Each in the order of an index, so the server streams them without sorting whole tables.
_NOTES_SQL = "SELECT * FROM notes ORDER BY prospect_id, at, id"  # reversed per prospect: newest first
_NUMBERS_SQL = "SELECT prospect_id, label, e164, extension, raw FROM prospect_phones ORDER BY prospect_id, position"
_ATTEMPTS_SQL = "SELECT * FROM attempts ORDER BY prospect_id, at, id"

BLOCK = 2000  # rows fetched per round trip, per cursor


class _ByProspect:
    """A stream of rows ordered by prospect_id, taken one prospect at a time."""

    def __init__(self, rows: Iterator[dict]) -> None:
        self._rows = rows
        self._next = next(rows, None)

    def take(self, prospect_id: int) -> list[Any]:  # the stream's rows: NoteRow, AttemptRow...
        taken = []
        while self._next is not None and self._next["prospect_id"] <= prospect_id:
            if self._next["prospect_id"] == prospect_id:
                taken.append(self._next)
            self._next = next(self._rows, None)
        return taken


class ExportReads:
    conn: psycopg.Connection

    def export(self, *, with_attempts: bool = True) -> Iterator[ExportRecord]:
        counter = itertools.count()
        outermost = self.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with self.conn.transaction():
            if outermost:
                self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

            def stream(sql: str) -> Iterator[dict]:
                cursor = self.conn.cursor(name=f"dialdeck_export_{next(counter)}", row_factory=dict_row)
                cursor.itersize = BLOCK
                cursor.execute(sql)
                return iter(cursor)

            prospects = stream(_EXPORT_SQL)
            notes = _ByProspect(stream(_NOTES_SQL))
            numbers = _ByProspect(stream(_NUMBERS_SQL))
            attempts = _ByProspect(stream(_ATTEMPTS_SQL)) if with_attempts else None
            for row in prospects:
                pid = row["id"]
                others = [OtherNumber(label=n["label"], e164=n["e164"], extension=n["extension"], raw=n["raw"])
                          for n in numbers.take(pid)]
                yield ExportRecord(row=row, notes=notes.take(pid)[::-1], other_numbers=others,
                                   attempts=attempts.take(pid) if attempts is not None else None)
