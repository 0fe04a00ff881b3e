"""An import's writes in SQLite: set-based lookups and ``executemany`` per block of rows.

What to write is decided outside the store (``services.importing`` with the domain's
``import_rows`` and ``enrolling``); this module only reads and writes the rows it is given,
inside the one transaction ``SqliteStore.importing`` holds for the whole file.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from operator import itemgetter

from dialdeck.store.interface import Time
from dialdeck.store.sqlite.records import (
    INSERT_ENROLLMENT,
    REMEMBER_HOURS_KEY,
    dicts,
    marks,
)

# SQLite's page cache while importing (default 2 MB). A big import inserts into six indexes in
# no useful order; with a bigger cache fewer pages are evicted and read back (measured at 1M
# rows: -15% CPU in the writing process for 64 MB). A fixed cap, restored afterwards: memory
# does not grow with the file.
IMPORT_CACHE_KIB = 65_536

PROSPECT_COLUMNS = (
    "id", "first_name", "last_name", "company", "phone_e164", "phone_raw", "email", "timezone", "tz_source",
    "region", "subdivision", "temperature", "value", "referrer", "referrer_company", "appointment_at", "notes",
    "phone_ext", "phone_label", "benefit", "urgent", "urgent_reason", "created_at", "updated_at",
)
_REWRITTEN = PROSPECT_COLUMNS[1:-2]  # an update rewrites all but the id and the stamps
_INSERT_PROSPECT = (
    f"INSERT INTO prospects ({', '.join(PROSPECT_COLUMNS)}) VALUES ({marks(PROSPECT_COLUMNS)})"
)
_UPDATE_PROSPECT = (
    "UPDATE prospects SET " + ", ".join(f"{c} = ?" for c in _REWRITTEN) + ", updated_at = ? WHERE id = ?"
)
_INSERT_VALUES = itemgetter(*PROSPECT_COLUMNS)
_UPDATE_VALUES = itemgetter(*_REWRITTEN, "updated_at", "id")


@contextlib.contextmanager
def page_cache(conn: sqlite3.Connection, kib: int = IMPORT_CACHE_KIB) -> Iterator[None]:
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


class ImportWrites:
    conn: sqlite3.Connection

    def next_prospect_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM prospects").fetchone()[0]

    def has_dnc(self) -> bool:
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM dnc)").fetchone()[0] == 1

    def has_other_numbers(self) -> bool:
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM prospect_phones)").fetchone()[0] == 1

    def prospects_by_phones(self, phones: Sequence[str]) -> dict[str, dict]:
        if not phones:
            return {}
        rows = dicts(self.conn.execute(f"SELECT * FROM prospects WHERE phone_e164 IN ({marks(phones)})",
                                       list(phones)))
        return {row["phone_e164"]: row for row in rows}

    def prospects_by_emails(self, emails: Sequence[str]) -> dict[str, dict]:
        # No ORDER BY: sorting the IN list's results cost a full temporary sort per block even
        # when nothing matched (measured: 6x the lookup itself); the oldest is kept here instead.
        if not emails:
            return {}
        cursor = self.conn.execute(f"SELECT * FROM prospects WHERE email != '' AND email IN ({marks(emails)})",
                                   list(emails))
        names = [d[0] for d in cursor.description]
        found: dict[str, dict] = {}
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            kept = found.get(row["email"])
            if kept is None or row["id"] < kept["id"]:
                found[row["email"]] = row
        return found

    def other_numbers_of(self, prospect_ids: Sequence[int]) -> dict[int, list[tuple[str, str, str, str]]]:
        if not prospect_ids:
            return {}
        found: dict[int, list[tuple[str, str, str, str]]] = {}
        for pid, *number in self.conn.execute(
            f"SELECT prospect_id, label, e164, extension, raw FROM prospect_phones "
            f"WHERE prospect_id IN ({marks(prospect_ids)}) ORDER BY prospect_id, position", list(prospect_ids)
        ):
            found.setdefault(pid, []).append(tuple(number))
        return found

    def enrolled_cadences(self, prospect_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
        if not prospect_ids:
            return {}
        found: dict[int, list[tuple[str, str]]] = {}
        for pid, cadence, status in self.conn.execute(
            f"SELECT prospect_id, cadence, status FROM enrollments WHERE prospect_id IN ({marks(prospect_ids)})",
            list(prospect_ids)
        ):
            found.setdefault(pid, []).append((cadence, status))
        return found

    def insert_prospects(self, records: Sequence[dict]) -> None:
        self.conn.executemany(_INSERT_PROSPECT, map(_INSERT_VALUES, records))

    def update_prospects(self, records: Sequence[dict]) -> None:
        self.conn.executemany(_UPDATE_PROSPECT, map(_UPDATE_VALUES, records))

    def replace_other_numbers(self, prospect_ids: Sequence[int],
                              numbers: Sequence[tuple[int, int, str, str, str, str]]) -> None:
        self.conn.executemany("DELETE FROM prospect_phones WHERE prospect_id = ?", [[pid] for pid in prospect_ids])
        self.conn.executemany(
            "INSERT INTO prospect_phones (prospect_id, position, label, e164, extension, raw) "
            "VALUES (?, ?, ?, ?, ?, ?)", numbers)

    def insert_crm_notes(self, notes: Sequence[tuple[int, str]], at: Time) -> None:
        self.conn.executemany("INSERT INTO notes (prospect_id, at, text, source) VALUES (?, ?, ?, 'crm')",
                              [(pid, at, text) for pid, text in notes])

    def refresh_queue_columns(self, rows: Sequence[tuple[str, int, float | None, int]]) -> None:
        self.conn.executemany(REMEMBER_HOURS_KEY, [[key] for key in {row[0] for row in rows}])
        self.conn.executemany(
            "UPDATE enrollments SET hours_key = ?, temp_rank = ?, value = ? "
            "WHERE prospect_id = ? AND status IN ('active', 'connected')", rows)

    def insert_enrollments(self, rows: Sequence[dict]) -> None:
        self.conn.executemany(INSERT_ENROLLMENT, rows)
        self.conn.executemany(REMEMBER_HOURS_KEY, [[key] for key in {row["hours_key"] for row in rows}])
