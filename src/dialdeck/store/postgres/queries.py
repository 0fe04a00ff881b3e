"""The due queue on PostgreSQL: the same calling order and the same two index-served plans as the
SQLite engine (``store.sqlite.queries``), chosen the same way.

Calling order: (1) pinned promises whose time has come, earliest first; (2) overdue (due before
today began in the rep's zone); (3) due today. Within (2) and (3): warm before cold, higher value
first (no value last), earliest due, prospect id. Only enrollments whose calling window
(``hours_key``) is open now are due; the caller passes that set.

Tiers (2) and (3) each pick one of two plans, decided by a count bounded by ``SORT_LIMIT``:
- few rows due: range-scan ``ix_due_zone`` per open window (``hours_key = ANY(...)``, a range of
  ``next_due_at``) into a materialised set, and sort that small set;
- many rows due: walk ``ix_due_order``, already in calling order, until the page is full.
PostgreSQL has no index hints (SQLite's ``INDEXED BY``), and its planner, costing from
statistics that lag behind an import or a small table, may take another index, or a sequential
scan and a sort of every due row. Two things leave each statement exactly the plan it was
written for, which ``explain_due`` shows:
- ``ix_due_order``'s predicate adds ``temp_rank >= 0`` (true of every row) and only the walk
  says it, so no other statement can use that index, and the walk can;
- a page is read in one read-only transaction that turns sequential scans, bitmap scans and
  sorts off for its own statements (``set_config(..., is_local => true)``), so the walk comes
  from the ordered index and the sorted plan reads ``ix_due_zone``. The transaction also gives
  the page one snapshot: the promises, the tiers and the rows agree.

A team's claim (issue 11's reservations) fits on top: the page's ids, in this order, are the
candidates a ``SELECT ... FOR UPDATE SKIP LOCKED`` takes the first free one of.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence

import psycopg

from dialdeck.store.interface import DueRow, Time
from dialdeck.store.postgres.records import scalar

# Above this many due rows in a tier, walking the ordered index beats sorting the due set.
SORT_LIMIT = 2000

_ORDER = "ORDER BY temp_rank, value DESC NULLS LAST, next_due_at, prospect_id"
_DUE = "status = 'active' AND pinned = 0 AND hours_key = ANY(%(keys)s::text[])"
# A tier: [lo, hi) for the overdue one, [lo, hi] for today's (inclusive of now).
_TIER = {False: f"{_DUE} AND next_due_at >= %(lo)s AND next_due_at < %(hi)s",
         True: f"{_DUE} AND next_due_at >= %(lo)s AND next_due_at <= %(hi)s"}

# A rep's queue: their own prospects and the shared pool. The due indexes INCLUDE the owner, so
# this is checked on the index entry (an index-only scan), never by reading the row.
_MINE = " AND (owner_rep_id IS NULL OR owner_rep_id = %(rep)s)"


def _mine(rep_id: int | None) -> str:
    return "" if rep_id is None else _MINE


def _mine_positional(rep_id: int | None) -> tuple[str, list[int]]:
    return ("", []) if rep_id is None else (" AND (owner_rep_id IS NULL OR owner_rep_id = %s)", [rep_id])


_PINNED = (
    "SELECT id FROM enrollments WHERE status = 'active' AND pinned = 1 AND next_due_at <= %(now)s "
    "AND hours_key = ANY(%(keys)s::text[]){mine} ORDER BY next_due_at, prospect_id LIMIT %(want)s"
)
_COUNT = "SELECT count(*) FROM (SELECT 1 FROM enrollments WHERE {tier} LIMIT %(cap)s) AS due"
_SORT = (
    "WITH due AS MATERIALIZED (SELECT id, temp_rank, value, next_due_at, prospect_id FROM enrollments "
    "WHERE {tier}) SELECT id FROM due " + _ORDER + " LIMIT %(want)s"
)
_WALK = "SELECT id FROM enrollments WHERE {tier} AND temp_rank >= 0 " + _ORDER + " LIMIT %(want)s"
_ROWS = """
SELECT e.id, e.prospect_id, p.first_name, p.last_name, p.company, p.phone_e164, p.timezone,
       p.tz_source, e.cadence, e.step_index, e.next_due_at, e.pinned, p.temperature, e.value,
       e.hours_key
FROM enrollments e JOIN prospects p ON p.id = e.prospect_id
WHERE e.id = ANY(%(ids)s::bigint[])
"""
# Each plan above served by the index it names, nothing else (see the module).
_INDEXES_ONLY = (
    "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true), "
    "set_config('enable_sort', 'off', true), set_config('enable_incremental_sort', 'off', true), "
    # Sorts turned off raise the plans' cost estimates past the JIT threshold: compiling each
    # due page would take 100-250 ms for a query that runs in about one.
    "set_config('jit', 'off', true)"
)


# The open windows, spelled out in a plan line, are counted instead: hundreds of keys say nothing.
_ARRAY = re.compile(r"'\{([^}]*)\}'::text\[\]")


def _counted(match: re.Match) -> str:
    keys = match.group(1).split(",") if match.group(1) else []
    return f"'{{{keys[0]}, ...: {len(keys)} windows}}'::text[]" if len(keys) > 1 else match.group(0)


class DueQueries:
    """The ``DueQueue`` operations on ``self.conn``."""

    conn: psycopg.Connection

    def hours_keys(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT key FROM hours_keys ORDER BY key")]

    @contextlib.contextmanager
    def _indexes_only(self) -> Iterator[None]:
        """One read-only transaction whose statements use the due queue's indexes (see the module)."""
        outermost = self.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with self.conn.transaction():
            if outermost:
                self.conn.execute("SET TRANSACTION READ ONLY")
            self.conn.execute(_INDEXES_ONLY)
            yield
            if not outermost:  # inside a caller's transaction: give it back its planner
                self.conn.execute("RESET enable_seqscan; RESET enable_bitmapscan; RESET enable_sort; "
                                  "RESET enable_incremental_sort; RESET jit")

    def due_page(self, open_keys: Sequence[str], now: Time, today: Time, *, limit: int,
                 offset: int = 0, rep_id: int | None = None) -> list[DueRow]:
        if not open_keys or limit <= 0:
            return []
        with self._indexes_only():
            return self._due_rows(self._due_ids(list(open_keys), now, today, limit=limit, offset=offset,
                                                rep_id=rep_id), today)

    def due_row(self, enrollment_id: int, today: Time) -> DueRow | None:
        rows = self._due_rows([enrollment_id], today)
        return rows[0] if rows else None

    def _due_ids(self, keys: list[str], now: Time, today: Time, *, limit: int, offset: int,
                 rep_id: int | None = None) -> list[int]:
        want = offset + limit
        page = [row[0] for row in self.conn.execute(_PINNED.format(mine=_mine(rep_id)),
                                                    {"now": now, "keys": keys, "want": want, "rep": rep_id})]
        if len(page) < want:
            page.extend(self._tier_ids(keys, "", today, want - len(page), inclusive=False, rep_id=rep_id))
        if len(page) < want:
            page.extend(self._tier_ids(keys, today, now, want - len(page), inclusive=True, rep_id=rep_id))
        return page[offset:want]

    def _tier_ids(self, keys: list[str], lo: Time, hi: Time, want: int, *, inclusive: bool,
                  rep_id: int | None = None) -> list[int]:
        tier = _TIER[inclusive] + _mine(rep_id)
        params = {"keys": keys, "lo": lo, "hi": hi, "cap": SORT_LIMIT, "want": want, "rep": rep_id}
        count = scalar(self.conn, _COUNT.format(tier=tier), params)
        plan = _SORT if count < SORT_LIMIT else _WALK
        return [row[0] for row in self.conn.execute(plan.format(tier=tier), params)]

    def _due_rows(self, ids: Sequence[int], today: Time) -> list[DueRow]:
        """The details of a page of enrollment ids, kept in the page's order."""
        if not ids:
            return []
        found = {row[0]: row for row in self.conn.execute(_ROWS, {"ids": list(ids)})}
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
        params = {"now": now, "keys": keys, "lo": "", "hi": today, "cap": SORT_LIMIT, "want": 50, "ids": [1],
                  "rep": rep_id}
        tier = _TIER[False] + _mine(rep_id)
        statements = [
            ("pinned", _PINNED.format(mine=_mine(rep_id))),
            ("count", _COUNT.format(tier=tier)),
            ("few due: sort", _SORT.format(tier=tier)),
            ("many due: walk", _WALK.format(tier=tier)),
            ("page rows", _ROWS),
        ]
        lines = []
        with self._indexes_only():
            for label, sql in statements:
                for (line,) in self.conn.execute("EXPLAIN (COSTS OFF) " + sql, params):
                    lines.append(f"{label}: {_ARRAY.sub(_counted, line)}")
        return lines

    # --- counts for the queue summary ---------------------------------------------------------
    # Each is served by one of the partial indexes above, which hold only what can be due; the
    # summary's counts stop at a cap (services.QUEUE_COUNT_CAP) so they stay bounded.

    def pinned_due_by_key(self, now: Time, rep_id: int | None = None) -> dict[str, int]:
        mine, owner = _mine_positional(rep_id)
        return dict(self.conn.execute(
            "SELECT hours_key, count(*) FROM enrollments WHERE status = 'active' AND pinned = 1 "
            f"AND next_due_at <= %s{mine} GROUP BY hours_key", [now, *owner]).fetchall())

    def count_unpinned_due(self, keys: Sequence[str], now: Time, cap: int | None, rep_id: int | None = None) -> int:
        if not keys or cap == 0:
            return 0
        mine, owner = _mine_positional(rep_id)
        return scalar(
            self.conn, "SELECT count(*) FROM (SELECT 1 FROM enrollments WHERE status = 'active' AND pinned = 0 "
            f"AND hours_key = ANY(%s::text[]) AND next_due_at <= %s{mine} LIMIT %s) AS due",
            [list(keys), now, *owner, cap])

    def keys_with_unpinned_due(self, keys: Sequence[str], now: Time, rep_id: int | None = None) -> set[str]:
        if not keys:
            return set()
        mine, owner = _mine_positional(rep_id)
        return {row[0] for row in self.conn.execute(
            "SELECT key FROM unnest(%s::text[]) AS key WHERE EXISTS (SELECT 1 FROM enrollments "
            f"WHERE status = 'active' AND pinned = 0 AND hours_key = key AND next_due_at <= %s{mine})",
            [list(keys), now, *owner])}

    def count_due_between(self, after: Time, until: Time, cap: int | None, rep_id: int | None = None) -> int:
        mine, owner = _mine_positional(rep_id)
        return scalar(
            self.conn, "SELECT count(*) FROM (SELECT 1 FROM enrollments WHERE status = 'active' "
            f"AND next_due_at > %s AND next_due_at <= %s{mine} LIMIT %s) AS due", [after, until, *owner, cap])

    def count_due_before(self, before: Time, rep_id: int | None = None) -> int:
        mine, owner = _mine_positional(rep_id)
        return scalar(
            self.conn, f"SELECT count(*) FROM enrollments WHERE status = 'active' AND next_due_at < %s{mine}",
            [before, *owner])

    def next_coming_due(self, after: Time, rep_id: int | None = None) -> int | None:
        mine, owner = _mine_positional(rep_id)
        row = self.conn.execute(
            f"SELECT id FROM enrollments WHERE status = 'active' AND next_due_at > %s{mine} "
            "ORDER BY next_due_at, prospect_id LIMIT 1", [after, *owner]).fetchone()
        return row[0] if row else None

    def first_due_in_window(self, key: str, now: Time, rep_id: int | None = None) -> int | None:
        mine, owner = _mine_positional(rep_id)
        row = self.conn.execute(
            "SELECT id FROM enrollments WHERE status = 'active' AND pinned = 1 AND next_due_at <= %s "
            f"AND hours_key = %s{mine} ORDER BY next_due_at, prospect_id LIMIT 1", [now, key, *owner]).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT id FROM enrollments WHERE status = 'active' AND pinned = 0 AND hours_key = %s "
                f"AND next_due_at <= %s{mine} {_ORDER} LIMIT 1", [key, now, *owner]).fetchone()
        return row[0] if row else None
