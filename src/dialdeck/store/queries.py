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
from dataclasses import dataclass

# Above this many due rows in a tier, walking the ordered index beats sorting the due set.
SORT_LIMIT = 2000

_TIER_WHERE = "status = 'active' AND pinned = 0 AND hours_key IN ({keys}) AND next_due_at >= ? AND next_due_at < ?"
_ORDER = "ORDER BY temp_rank, value DESC, next_due_at, prospect_id"


@dataclass(frozen=True)
class DueRow:
    """One due enrollment joined to its prospect: what a DueItem is built from."""

    enrollment_id: int
    prospect_id: int
    first_name: str
    last_name: str
    company: str
    phone_e164: str
    timezone: str
    tz_source: str
    cadence: str
    step_index: int
    next_due_at: str
    pinned: bool
    temperature: str
    value: float | None
    hours_key: str
    overdue: bool


def _marks(keys: Sequence[str]) -> str:
    return ",".join("?" * len(keys))


def _pinned_sql(keys: Sequence[str]) -> str:
    return (
        "SELECT id FROM enrollments INDEXED BY ix_due_pinned "
        f"WHERE status = 'active' AND pinned = 1 AND next_due_at <= ? AND hours_key IN ({_marks(keys)}) "
        "ORDER BY next_due_at, prospect_id LIMIT ?"
    )


def _count_sql(keys: Sequence[str]) -> str:
    return (
        "SELECT count(*) FROM (SELECT 1 FROM enrollments INDEXED BY ix_due_zone "
        f"WHERE {_TIER_WHERE.format(keys=_marks(keys))} LIMIT ?)"
    )


def _tier_sql(keys: Sequence[str], index: str) -> str:
    return (
        f"SELECT id FROM enrollments INDEXED BY {index} "
        f"WHERE {_TIER_WHERE.format(keys=_marks(keys))} {_ORDER} LIMIT ?"
    )


def _tier_ids(conn: sqlite3.Connection, keys: Sequence[str], lo: str, hi: str, want: int) -> list[int]:
    """Enrollment ids due in [lo, hi), in calling order, at most ``want``."""
    params = [*keys, lo, hi]
    count = conn.execute(_count_sql(keys), [*params, SORT_LIMIT]).fetchone()[0]
    index = "ix_due_zone" if count < SORT_LIMIT else "ix_due_order"
    return [row[0] for row in conn.execute(_tier_sql(keys, index), [*params, want])]


def due_ids(conn: sqlite3.Connection, open_keys: Sequence[str], now_iso: str, today_iso: str,
            *, limit: int, offset: int = 0) -> list[int]:
    """Enrollment ids of one page of the due queue, in calling order."""
    if not open_keys or limit <= 0:
        return []
    want = offset + limit
    keys = list(open_keys)
    page = [row[0] for row in conn.execute(_pinned_sql(keys), [now_iso, *keys, want])]
    if len(page) < want:
        # "" sorts before every ISO time: the overdue tier is everything due before today began.
        page.extend(_tier_ids(conn, keys, "", today_iso, want - len(page)))
    if len(page) < want:
        # The upper bound is inclusive of now: "\x7f" after the text sorts it just past now_iso.
        page.extend(_tier_ids(conn, keys, today_iso, now_iso + "\x7f", want - len(page)))
    return page[offset:want]


_ROW_SQL = """
SELECT e.id, e.prospect_id, p.first_name, p.last_name, p.company, p.phone_e164, p.timezone,
       p.tz_source, e.cadence, e.step_index, e.next_due_at, e.pinned, p.temperature, e.value,
       e.hours_key
FROM enrollments e JOIN prospects p ON p.id = e.prospect_id
WHERE e.id IN ({ids})
"""


def due_rows(conn: sqlite3.Connection, ids: Sequence[int], today_iso: str) -> list[DueRow]:
    """The details of a page of enrollment ids, kept in the page's order."""
    if not ids:
        return []
    ids = list(ids)
    found = {row[0]: row for row in conn.execute(_ROW_SQL.format(ids=_marks(ids)), ids)}
    rows = []
    for eid in ids:
        r = found.get(eid)
        if r is None:
            continue
        rows.append(DueRow(
            enrollment_id=r[0], prospect_id=r[1], first_name=r[2], last_name=r[3], company=r[4],
            phone_e164=r[5], timezone=r[6], tz_source=r[7], cadence=r[8], step_index=r[9],
            next_due_at=r[10], pinned=bool(r[11]), temperature=r[12], value=r[13], hours_key=r[14],
            overdue=r[10] < today_iso,
        ))
    return rows


def explain_sql(conn: sqlite3.Connection, open_keys: Sequence[str], now_iso: str, today_iso: str) -> list[str]:
    """EXPLAIN QUERY PLAN of every statement the due page runs, labelled."""
    keys = list(open_keys) or ["-"]
    params = [*keys, "", today_iso]
    statements = [
        ("pinned", _pinned_sql(keys), [now_iso, *keys, 50]),
        ("count", _count_sql(keys), [*params, SORT_LIMIT]),
        ("few due: sort", _tier_sql(keys, "ix_due_zone"), [*params, 50]),
        ("many due: walk", _tier_sql(keys, "ix_due_order"), [*params, 50]),
        ("page rows", _ROW_SQL.format(ids="?"), [1]),
    ]
    lines = []
    for label, sql, args in statements:
        for row in conn.execute("EXPLAIN QUERY PLAN " + sql, args):
            lines.append(f"{label}: {row[3]}")
    return lines


# --- counts for the queue summary ---------------------------------------------------------
#
# The summary runs after every outcome, so its counts stop at ``COUNT_CAP``: past a thousand due,
# "1,000+" tells the rep as much as the exact figure, and counting stays bounded by the cap (plus
# the promises due, below) instead of growing with the table.

COUNT_CAP = 1000


def pinned_due_by_key(conn: sqlite3.Connection, now_iso: str) -> dict[str, int]:
    """Promises whose time has come, per calling window, exactly.

    ``ix_due_pinned`` leads with the due time, so this reads every promise now due: its cost
    follows the calls a rep promised and has not made yet, not the number of prospects.
    """
    return dict(conn.execute(
        "SELECT hours_key, count(*) FROM enrollments INDEXED BY ix_due_pinned "
        "WHERE status = 'active' AND pinned = 1 AND next_due_at <= ? GROUP BY hours_key",
        [now_iso],
    ).fetchall())


def count_unpinned_due(conn: sqlite3.Connection, keys: Sequence[str], now_iso: str, cap: int) -> int:
    """Unpinned active enrollments due at ``now`` in these calling windows, counted up to ``cap``
    (-1: no cap)."""
    if not keys or cap == 0:
        return 0
    return conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM enrollments INDEXED BY ix_due_zone "
        f"WHERE status = 'active' AND pinned = 0 AND hours_key IN ({_marks(keys)}) AND next_due_at <= ? "
        "LIMIT ?)",
        [*keys, now_iso, cap],
    ).fetchone()[0]


def keys_with_unpinned_due(conn: sqlite3.Connection, keys: Sequence[str], now_iso: str) -> set[str]:
    """Which of these calling windows hold an unpinned enrollment due at ``now``: one index probe each."""
    if not keys:
        return set()
    return {row[0] for row in conn.execute(
        f"SELECT key FROM hours_keys WHERE key IN ({_marks(keys)}) AND EXISTS ("
        "SELECT 1 FROM enrollments INDEXED BY ix_due_zone WHERE status = 'active' AND pinned = 0 "
        "AND hours_key = hours_keys.key AND next_due_at <= ?)",
        [*keys, now_iso],
    )}


def count_due_between(conn: sqlite3.Connection, after_iso: str, until_iso: str, cap: int = COUNT_CAP) -> int:
    """Active enrollments coming due in (after, until], counted up to ``cap``."""
    return conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM enrollments INDEXED BY ix_due_next "
        "WHERE status = 'active' AND next_due_at > ? AND next_due_at <= ? LIMIT ?)",
        [after_iso, until_iso, cap],
    ).fetchone()[0]


def count_due_before(conn: sqlite3.Connection, before_iso: str) -> int:
    """Active enrollments due before ``before`` (the start of the rep's day: overdue), open or not."""
    return conn.execute(
        "SELECT count(*) FROM enrollments INDEXED BY ix_due_next "
        "WHERE status = 'active' AND next_due_at < ?",
        [before_iso],
    ).fetchone()[0]


def next_coming_due(conn: sqlite3.Connection, after_iso: str) -> int | None:
    """The enrollment whose due time comes first after ``after``."""
    row = conn.execute(
        "SELECT id FROM enrollments INDEXED BY ix_due_next WHERE status = 'active' AND next_due_at > ? "
        "ORDER BY next_due_at, prospect_id LIMIT 1",
        [after_iso],
    ).fetchone()
    return row[0] if row else None


def first_due_in_window(conn: sqlite3.Connection, key: str, now_iso: str) -> int | None:
    """The first enrollment, in calling order, already due in one calling window."""
    row = conn.execute(
        "SELECT id FROM enrollments INDEXED BY ix_due_pinned WHERE status = 'active' AND pinned = 1 "
        "AND next_due_at <= ? AND hours_key = ? ORDER BY next_due_at, prospect_id LIMIT 1",
        [now_iso, key],
    ).fetchone()
    if row is None:
        row = conn.execute(
            "SELECT id FROM enrollments INDEXED BY ix_due_zone WHERE status = 'active' AND pinned = 0 "
            f"AND hours_key = ? AND next_due_at <= ? {_ORDER} LIMIT 1",
            [key, now_iso],
        ).fetchone()
    return row[0] if row else None


def hours_keys(conn: sqlite3.Connection) -> list[str]:
    """Every calling window in use (a small table kept up to date on each enrollment write)."""
    return [row[0] for row in conn.execute("SELECT key FROM hours_keys ORDER BY key")]
