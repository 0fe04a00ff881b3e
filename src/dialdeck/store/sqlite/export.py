"""Every prospect, streamed from SQLite for the export."""

from __future__ import annotations

from collections.abc import Iterator

from dialdeck.store.interface import ExportRecord
from dialdeck.store.sqlite.records import RecordReads

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


class ExportReads(RecordReads):
    def export(self, *, with_attempts: bool = True) -> Iterator[ExportRecord]:
        # One cursor walks the prospects while each one's notes, numbers and attempts are read
        # beside it: the statements share the connection's read snapshot, and nothing is held
        # but the current prospect.
        any_others = self.conn.execute("SELECT EXISTS (SELECT 1 FROM prospect_phones)").fetchone()[0] == 1
        cursor = self.conn.execute(_EXPORT_SQL)
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            pid = row["id"]
            yield ExportRecord(
                row=row, notes=self.notes(pid),
                other_numbers=self.other_numbers(pid) if any_others else [],
                attempts=self.attempts(pid) if with_attempts else None)



