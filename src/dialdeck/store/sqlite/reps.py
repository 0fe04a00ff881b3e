"""A team's reps in SQLite: who they are, their own settings, the prospects they own and the
figures of each (``store.interface.RepReads``/``RepWrites``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from dialdeck.store.interface import RepRow, Time
from dialdeck.store.sqlite.records import dicts, new_id

# Per rep over [since, until]: what the report and ``reps`` show. talk_seconds is summed only
# where attempts carry it (``activity_by_rep`` checks the column).
_ACTIVITY_BY_REP_SQL = """
SELECT rep_id,
       count(*) AS attempts,
       count(*) FILTER (WHERE action = 'call') AS dials,
       count(*) FILTER (WHERE outcome = 'voicemail') AS voicemails,
       count(*) FILTER (WHERE outcome = 'connected') AS connects,
       count(*) FILTER (WHERE disposition = 'booked') AS meetings_booked,
       {talk} AS talk_seconds
FROM attempts WHERE at >= ? AND at <= ?
GROUP BY rep_id
"""


class RepReads:
    conn: sqlite3.Connection

    def reps(self) -> list[RepRow]:
        return dicts(self.conn.execute("SELECT id, name, created_at FROM reps ORDER BY id"))

    def rep_settings(self, rep_id: int) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM rep_settings WHERE rep_id = ?", [rep_id]).fetchall())

    def all_rep_settings(self) -> dict[int, dict[str, str]]:
        found: dict[int, dict[str, str]] = {}
        for rep_id, key, value in self.conn.execute("SELECT rep_id, key, value FROM rep_settings"):
            found.setdefault(rep_id, {})[key] = value
        return found

    def owned_counts(self) -> dict[int | None, int]:
        return dict(self.conn.execute(
            "SELECT owner_rep_id, count(*) FROM prospects GROUP BY owner_rep_id").fetchall())

    def activity_by_rep(self, since: Time, until: Time) -> list[dict]:
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(attempts)")}
        talk = "coalesce(sum(talk_seconds), 0)" if "talk_seconds" in columns else "NULL"
        return dicts(self.conn.execute(_ACTIVITY_BY_REP_SQL.format(talk=talk), [since, until]))


class RepWrites:
    conn: sqlite3.Connection

    def insert_rep(self, name: str, at: Time) -> int:
        return new_id(self.conn.execute("INSERT INTO reps (name, created_at) VALUES (?, ?)", [name, at]))

    def rename_rep(self, rep_id: int, name: str) -> None:
        self.conn.execute("UPDATE reps SET name = ? WHERE id = ?", [name, rep_id])

    def put_rep_setting(self, rep_id: int, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO rep_settings (rep_id, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (rep_id, key) DO UPDATE SET value = excluded.value", [rep_id, key, value])

    def set_owner(self, prospect_ids: Sequence[int], rep_id: int | None, at: Time) -> int:
        changed = 0
        for start in range(0, len(prospect_ids), 500):
            chunk = list(prospect_ids[start:start + 500])
            changed += self.conn.execute(
                f"UPDATE prospects SET owner_rep_id = ?, updated_at = ? "
                f"WHERE id IN ({','.join('?' * len(chunk))}) AND owner_rep_id IS NOT ?",
                [rep_id, at, *chunk, rep_id]).rowcount
        return changed
