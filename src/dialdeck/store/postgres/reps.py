"""A team's reps on PostgreSQL: who they are, their own settings, the prospects they own and the
figures of each (``store.interface.RepReads``/``RepWrites``)."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from dialdeck.store.interface import RepRow, Time
from dialdeck.store.postgres.records import dicts, scalar

_ACTIVITY_BY_REP_SQL = """
SELECT rep_id,
       count(*) AS attempts,
       count(*) FILTER (WHERE action = 'call') AS dials,
       count(*) FILTER (WHERE outcome = 'voicemail') AS voicemails,
       count(*) FILTER (WHERE outcome = 'connected') AS connects,
       count(*) FILTER (WHERE disposition = 'booked') AS meetings_booked,
       {talk} AS talk_seconds
FROM attempts WHERE at >= %s AND at <= %s
GROUP BY rep_id
"""


class RepReads:
    conn: psycopg.Connection

    def reps(self) -> list[RepRow]:
        return dicts(self.conn, "SELECT id, name, created_at FROM reps ORDER BY id")

    def rep_settings(self, rep_id: int) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM rep_settings WHERE rep_id = %s", [rep_id]).fetchall())

    def all_rep_settings(self) -> dict[int, dict[str, str]]:
        found: dict[int, dict[str, str]] = {}
        for rep_id, key, value in self.conn.execute("SELECT rep_id, key, value FROM rep_settings"):
            found.setdefault(rep_id, {})[key] = value
        return found

    def owned_counts(self) -> dict[int | None, int]:
        return dict(self.conn.execute(
            "SELECT owner_rep_id, count(*) FROM prospects GROUP BY owner_rep_id").fetchall())

    def activity_by_rep(self, since: Time, until: Time) -> list[dict]:
        has_talk = scalar(self.conn, "SELECT EXISTS (SELECT 1 FROM information_schema.columns "
                                     "WHERE table_schema = current_schema() AND table_name = 'attempts' "
                                     "AND column_name = 'talk_seconds')")
        talk = "coalesce(sum(talk_seconds), 0)::bigint" if has_talk else "NULL::bigint"
        rows = dicts(self.conn, _ACTIVITY_BY_REP_SQL.format(talk=talk), [since, until])
        return [{key: int(value) if key != "rep_id" and value is not None else value for key, value in row.items()}
                for row in rows]


class RepWrites:
    conn: psycopg.Connection

    def insert_rep(self, name: str, at: Time) -> int:
        return scalar(self.conn, "INSERT INTO reps (name, created_at) VALUES (%s, %s) RETURNING id", [name, at])

    def rename_rep(self, rep_id: int, name: str) -> None:
        self.conn.execute("UPDATE reps SET name = %s WHERE id = %s", [name, rep_id])

    def put_rep_setting(self, rep_id: int, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO rep_settings (rep_id, key, value) VALUES (%s, %s, %s) "
            "ON CONFLICT (rep_id, key) DO UPDATE SET value = excluded.value", [rep_id, key, value])

    def set_owner(self, prospect_ids: Sequence[int], rep_id: int | None, at: Time) -> int:
        return self.conn.execute(
            "UPDATE prospects SET owner_rep_id = %s, updated_at = %s "
            "WHERE id = ANY(%s::bigint[]) AND owner_rep_id IS DISTINCT FROM %s",
            [rep_id, at, list(prospect_ids), rep_id]).rowcount
