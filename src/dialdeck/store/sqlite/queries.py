"""The due queue: the one query that must stay fast at a million prospects.

Calling order: (1) pinned promises whose time has come, earliest first; (2) overdue (due before
today began in the rep's zone); (3) due today. Within (2) and (3): warm before cold, higher value
first (no value last), earliest due, prospect id. Only enrollments whose calling window
(``hours_key``) is open now are due; the caller passes that set (few keys, computed in Python).

Tiers (2) and (3) each pick the cheaper of two index-served plans, decided by a bounded count:
- few rows due: range-scan ``ix_due_zone`` per open window and sort that small set;
- many rows due: walk ``ix_due_order``, already in calling order, until the page is full; with
  many rows due the walk meets a due row every few entries, so it stops early.
Either way the work is bounded by ``SORT_LIMIT`` index entries, never by the table size.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from dialdeck.store.interface import DueRow, Time

# Above this many due rows in a tier, walking the ordered index beats sorting the due set.
SORT_LIMIT = 2000

_TIER_WHERE = "status = 'active' AND pinned = 0 AND hours_key IN ({keys}) AND next_due_at >= ? AND next_due_at < ?"
_ORDER = "ORDER BY temp_rank, value DESC, next_due_at, prospect_id"
# A rep's queue: their own prospects and the shared pool. Every due index carries the owner, so
# this is checked on the index entry, never by reading the row.
_MINE = " AND (owner_rep_id IS NULL OR owner_rep_id = ?)"


def _marks(keys: Sequence[object]) -> str:
    return ",".join("?" * len(keys))


def _mine(rep_id: int | None) -> tuple[str, list[int]]:
    """The condition (and its parameter) keeping a rep's queue; nothing for the whole team's."""
    return ("", []) if rep_id is None else (_MINE, [rep_id])


def _pinned_sql(keys: Sequence[str], mine: str = "") -> str:
    return (
        "SELECT id FROM enrollments INDEXED BY ix_due_pinned "
        f"WHERE status = 'active' AND pinned = 1 AND next_due_at <= ? AND hours_key IN ({_marks(keys)}){mine} "
        "ORDER BY next_due_at, prospect_id LIMIT ?"
    )


def _count_sql(keys: Sequence[str], mine: str = "") -> str:
    return (
        "SELECT count(*) FROM (SELECT 1 FROM enrollments INDEXED BY ix_due_zone "
        f"WHERE {_TIER_WHERE.format(keys=_marks(keys))}{mine} LIMIT ?)"
    )


def _tier_sql(keys: Sequence[str], index: str, mine: str = "") -> str:
    return (
        f"SELECT id FROM enrollments INDEXED BY {index} "
        f"WHERE {_TIER_WHERE.format(keys=_marks(keys))}{mine} {_ORDER} LIMIT ?"
    )


_ROW_SQL = """
SELECT e.id, e.prospect_id, p.first_name, p.last_name, p.company, p.phone_e164, p.timezone,
       p.tz_source, e.cadence, e.step_index, e.next_due_at, e.pinned, p.temperature, e.value,
       e.hours_key
FROM enrollments e JOIN prospects p ON p.id = e.prospect_id
WHERE e.id IN ({ids})
"""

# The summary runs after every outcome, so its counts stop at a cap (services.QUEUE_COUNT_CAP):
# counting stays bounded by the cap (plus the promises due) instead of growing with the table.


def _limit(cap: int | None) -> int:
    return -1 if cap is None else cap  # SQLite reads LIMIT -1 as no limit


class DueQueries:
    """The ``DueQueue`` operations on ``self.conn``."""

    conn: sqlite3.Connection

    def hours_keys(self) -> list[str]:
        # A small table kept up to date on each enrollment write.
        return [row[0] for row in self.conn.execute("SELECT key FROM hours_keys ORDER BY key")]

    def due_page(self, open_keys: Sequence[str], now: Time, today: Time, *, limit: int,
                 offset: int = 0, rep_id: int | None = None) -> list[DueRow]:
        return self._due_rows(self._due_ids(open_keys, now, today, limit=limit, offset=offset, rep_id=rep_id), today)

    def due_row(self, enrollment_id: int, today: Time) -> DueRow | None:
        rows = self._due_rows([enrollment_id], today)
        return rows[0] if rows else None

    def _due_ids(self, open_keys: Sequence[str], now: Time, today: Time, *, limit: int, offset: int,
                 rep_id: int | None = None) -> list[int]:
        """Enrollment ids of one page of the due queue, in calling order (``rep_id``: that rep's
        queue, their own prospects and the pool)."""
        if not open_keys or limit <= 0:
            return []
        want = offset + limit
        keys = list(open_keys)
        mine, owner = _mine(rep_id)
        page = [row[0] for row in self.conn.execute(_pinned_sql(keys, mine), [now, *keys, *owner, want])]
        if len(page) < want:
            # "" sorts before every ISO time: the overdue tier is everything due before today began.
            page.extend(self._tier_ids(keys, "", today, want - len(page), rep_id))
        if len(page) < want:
            # The upper bound is inclusive of now: "\x7f" after the text sorts it just past now.
            page.extend(self._tier_ids(keys, today, now + "\x7f", want - len(page), rep_id))
        return page[offset:want]

    def _tier_ids(self, keys: Sequence[str], lo: Time, hi: str, want: int, rep_id: int | None = None) -> list[int]:
        """Enrollment ids due in [lo, hi), in calling order, at most ``want``."""
        mine, owner = _mine(rep_id)
        params = [*keys, lo, hi, *owner]
        count = self.conn.execute(_count_sql(keys, mine), [*params, SORT_LIMIT]).fetchone()[0]
        index = "ix_due_zone" if count < SORT_LIMIT else "ix_due_order"
        return [row[0] for row in self.conn.execute(_tier_sql(keys, index, mine), [*params, want])]

    def _due_rows(self, ids: Sequence[int], today: Time) -> list[DueRow]:
        """The details of a page of enrollment ids, kept in the page's order."""
        if not ids:
            return []
        ids = list(ids)
        found = {row[0]: row for row in self.conn.execute(_ROW_SQL.format(ids=_marks(ids)), ids)}
        rows = []
        for eid in ids:
            r = found.get(eid)
            if r is None or r[10] is None:  # logged to its end by another rep since the ids were read
                continue
            rows.append(DueRow(
                enrollment_id=r[0], prospect_id=r[1], first_name=r[2], last_name=r[3], company=r[4],
                phone_e164=r[5], timezone=r[6], tz_source=r[7], cadence=r[8], step_index=r[9],
                next_due_at=r[10], pinned=bool(r[11]), temperature=r[12], value=r[13], hours_key=r[14],
                overdue=r[10] < today,
            ))
        return rows

    def explain_due(self, open_keys: Sequence[str], now: Time, today: Time, rep_id: int | None = None) -> list[str]:
        keys = list(open_keys) or ["-"]
        mine, owner = _mine(rep_id)
        params: list[str | int] = [*keys, "", today, *owner]
        statements: list[tuple[str, str, list[str | int]]] = [
            ("pinned", _pinned_sql(keys, mine), [now, *keys, *owner, 50]),
            ("count", _count_sql(keys, mine), [*params, SORT_LIMIT]),
            ("few due: sort", _tier_sql(keys, "ix_due_zone", mine), [*params, 50]),
            ("many due: walk", _tier_sql(keys, "ix_due_order", mine), [*params, 50]),
            ("page rows", _ROW_SQL.format(ids="?"), [1]),
        ]
        lines = []
        for label, sql, args in statements:
            for row in self.conn.execute("EXPLAIN QUERY PLAN " + sql, args):
                lines.append(f"{label}: {row[3]}")
        return lines

    # --- counts for the queue summary ---------------------------------------------------------

    def pinned_due_by_key(self, now: Time, rep_id: int | None = None) -> dict[str, int]:
        # ``ix_due_pinned`` leads with the due time, so this reads every promise now due: its
        # cost follows the calls a rep promised and has not made yet, not the number of prospects.
        mine, owner = _mine(rep_id)
        return dict(self.conn.execute(
            "SELECT hours_key, count(*) FROM enrollments INDEXED BY ix_due_pinned "
            f"WHERE status = 'active' AND pinned = 1 AND next_due_at <= ?{mine} GROUP BY hours_key",
            [now, *owner],
        ).fetchall())

    def count_unpinned_due(self, keys: Sequence[str], now: Time, cap: int | None, rep_id: int | None = None) -> int:
        if not keys or cap == 0:
            return 0
        mine, owner = _mine(rep_id)
        return self.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM enrollments INDEXED BY ix_due_zone "
            f"WHERE status = 'active' AND pinned = 0 AND hours_key IN ({_marks(keys)}) AND next_due_at <= ?{mine} "
            "LIMIT ?)",
            [*keys, now, *owner, _limit(cap)],
        ).fetchone()[0]

    def keys_with_unpinned_due(self, keys: Sequence[str], now: Time, rep_id: int | None = None) -> set[str]:
        # One index probe each.
        if not keys:
            return set()
        mine, owner = _mine(rep_id)
        return {row[0] for row in self.conn.execute(
            f"SELECT key FROM hours_keys WHERE key IN ({_marks(keys)}) AND EXISTS ("
            "SELECT 1 FROM enrollments INDEXED BY ix_due_zone WHERE status = 'active' AND pinned = 0 "
            f"AND hours_key = hours_keys.key AND next_due_at <= ?{mine})",
            [*keys, now, *owner],
        )}

    def count_due_between(self, after: Time, until: Time, cap: int | None, rep_id: int | None = None) -> int:
        mine, owner = _mine(rep_id)
        return self.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM enrollments INDEXED BY ix_due_next "
            f"WHERE status = 'active' AND next_due_at > ? AND next_due_at <= ?{mine} LIMIT ?)",
            [after, until, *owner, _limit(cap)],
        ).fetchone()[0]

    def count_due_before(self, before: Time, rep_id: int | None = None) -> int:
        mine, owner = _mine(rep_id)
        return self.conn.execute(
            "SELECT count(*) FROM enrollments INDEXED BY ix_due_next "
            f"WHERE status = 'active' AND next_due_at < ?{mine}",
            [before, *owner],
        ).fetchone()[0]

    def next_coming_due(self, after: Time, rep_id: int | None = None) -> int | None:
        mine, owner = _mine(rep_id)
        row = self.conn.execute(
            f"SELECT id FROM enrollments INDEXED BY ix_due_next WHERE status = 'active' AND next_due_at > ?{mine} "
            "ORDER BY next_due_at, prospect_id LIMIT 1",
            [after, *owner],
        ).fetchone()
        return row[0] if row else None

    def first_due_in_window(self, key: str, now: Time, rep_id: int | None = None) -> int | None:
        mine, owner = _mine(rep_id)
        row = self.conn.execute(
            "SELECT id FROM enrollments INDEXED BY ix_due_pinned WHERE status = 'active' AND pinned = 1 "
            f"AND next_due_at <= ? AND hours_key = ?{mine} ORDER BY next_due_at, prospect_id LIMIT 1",
            [now, key, *owner],
        ).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT id FROM enrollments INDEXED BY ix_due_zone WHERE status = 'active' AND pinned = 0 "
                f"AND hours_key = ? AND next_due_at <= ?{mine} {_ORDER} LIMIT 1",
                [key, now, *owner],
            ).fetchone()
        return row[0] if row else None
