"""An import's writes on PostgreSQL: set-based lookups per block, ``COPY`` for new rows.

What to write is decided outside the store (``services.importing``); this module reads and
writes the rows it is given inside the one transaction ``PostgresStore.importing`` holds for
the whole file. That transaction holds the import lock (an advisory lock: one import at a time,
so the ids ``next_prospect_id`` hands out stay free) and keeps the do-not-call list still (what
the rows are checked against stays true), but not the whole database: reps keep logging calls
meanwhile, and wait only on a prospect the import has rewritten, or to put a number on the
do-not-call list, until it commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

import psycopg

from dialdeck.store.interface import Time
from dialdeck.store.postgres.records import (
    NEW_ENROLLMENT_COLUMNS,
    PROSPECT_COLUMNS,
    REMEMBER_HOURS_KEY,
    dicts,
    scalar,
)

_REWRITTEN = PROSPECT_COLUMNS[1:-2]  # an update rewrites all but the id and the stamps
_UPDATE_PROSPECT = (
    "UPDATE prospects SET " + ", ".join(f"{c} = %s" for c in _REWRITTEN) + ", updated_at = %s WHERE id = %s"
)
_INSERT_VALUES = itemgetter(*PROSPECT_COLUMNS)
_UPDATE_VALUES = itemgetter(*_REWRITTEN, "updated_at", "id")
_ENROLLMENT_VALUES = itemgetter(*NEW_ENROLLMENT_COLUMNS)


def copy_rows(conn: psycopg.Connection, table: str, columns: Sequence[str], rows) -> None:
    """``COPY table (columns) FROM STDIN``: the fastest way in for many rows."""
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


class ImportWrites:
    conn: psycopg.Connection

    def next_prospect_id(self) -> int:
        return scalar(self.conn, "SELECT coalesce(max(id), 0) + 1 FROM prospects")

    def has_dnc(self) -> bool:
        return scalar(self.conn, "SELECT EXISTS (SELECT 1 FROM dnc)")

    def has_other_numbers(self) -> bool:
        return scalar(self.conn, "SELECT EXISTS (SELECT 1 FROM prospect_phones)")

    def prospects_by_phones(self, phones: Sequence[str]) -> dict[str, dict]:
        if not phones:
            return {}
        rows = dicts(self.conn, "SELECT * FROM prospects WHERE phone_e164 = ANY(%s::text[])", [list(phones)])
        return {row["phone_e164"]: row for row in rows}

    def prospects_by_emails(self, emails: Sequence[str]) -> dict[str, dict]:
        if not emails:
            return {}
        found: dict[str, dict] = {}
        for row in dicts(self.conn, "SELECT * FROM prospects WHERE email <> '' AND email = ANY(%s::text[])",
                         [list(emails)]):
            kept = found.get(row["email"])
            if kept is None or row["id"] < kept["id"]:  # the oldest of an address
                found[row["email"]] = row
        return found

    def other_numbers_of(self, prospect_ids: Sequence[int]) -> dict[int, list[tuple[str, str, str, str]]]:
        if not prospect_ids:
            return {}
        found: dict[int, list[tuple[str, str, str, str]]] = {}
        for pid, *number in self.conn.execute(
            "SELECT prospect_id, label, e164, extension, raw FROM prospect_phones "
            "WHERE prospect_id = ANY(%s::bigint[]) ORDER BY prospect_id, position", [list(prospect_ids)]
        ):
            found.setdefault(pid, []).append(tuple(number))
        return found

    def enrolled_cadences(self, prospect_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
        if not prospect_ids:
            return {}
        found: dict[int, list[tuple[str, str]]] = {}
        for pid, cadence, status in self.conn.execute(
            "SELECT prospect_id, cadence, status FROM enrollments WHERE prospect_id = ANY(%s::bigint[])",
            [list(prospect_ids)]
        ):
            found.setdefault(pid, []).append((cadence, status))
        return found

    def insert_prospects(self, records: Sequence[dict]) -> None:
        if records:
            copy_rows(self.conn, "prospects", PROSPECT_COLUMNS, map(_INSERT_VALUES, records))

    def update_prospects(self, records: Sequence[dict]) -> None:
        if records:
            with self.conn.cursor() as cursor:
                cursor.executemany(_UPDATE_PROSPECT, map(_UPDATE_VALUES, records))

    def replace_other_numbers(self, prospect_ids: Sequence[int],
                              numbers: Sequence[tuple[int, int, str, str, str, str]]) -> None:
        if prospect_ids:
            self.conn.execute("DELETE FROM prospect_phones WHERE prospect_id = ANY(%s::bigint[])",
                              [list(prospect_ids)])
        if numbers:
            copy_rows(self.conn, "prospect_phones", ("prospect_id", "position", "label", "e164", "extension", "raw"),
                      numbers)

    def insert_crm_notes(self, notes: Sequence[tuple[int, str]], at: Time) -> None:
        if notes:
            copy_rows(self.conn, "notes", ("prospect_id", "at", "text", "source"),
                      ((pid, at, text, "crm") for pid, text in notes))

    def refresh_queue_columns(self, rows: Sequence[tuple[str, int, float | None, int]]) -> None:
        if not rows:
            return
        with self.conn.cursor() as cursor:
            cursor.executemany(REMEMBER_HOURS_KEY, [[key] for key in sorted({row[0] for row in rows})])
            cursor.executemany("UPDATE enrollments SET hours_key = %s, temp_rank = %s, value = %s "
                               "WHERE prospect_id = %s AND status IN ('active', 'connected')", rows)

    def insert_enrollments(self, rows: Sequence[dict]) -> None:
        if not rows:
            return
        copy_rows(self.conn, "enrollments", NEW_ENROLLMENT_COLUMNS, map(_ENROLLMENT_VALUES, rows))
        with self.conn.cursor() as cursor:
            cursor.executemany(REMEMBER_HOURS_KEY, [[key] for key in sorted({row["hours_key"] for row in rows})])
