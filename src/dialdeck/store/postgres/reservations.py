"""Reservations on PostgreSQL: which rep holds which prospect, until when (issue 11's claims).

A reservation is read and written only under its prospect's row lock (``records``): a claim
takes candidates' locks with ``FOR NO KEY UPDATE SKIP LOCKED`` (``try_hold``), so reps claiming
at once pass over a prospect another claim is deciding on instead of queueing behind it, and
each then reads the reservation after the lock, when no other transaction can change it. Two
reps are never handed the same prospect; every other write (a log, a release) takes the same
lock first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import psycopg

from dialdeck.store.interface import ReservationRow, Time
from dialdeck.store.postgres.records import dicts, one


class ReservationReads:
    conn: psycopg.Connection
    _hold: Callable[[Iterable[int]], None]  # records.RecordReads' (no lock) or RecordWrites' (the lock)

    def reservation(self, prospect_id: int) -> ReservationRow | None:
        self._hold([prospect_id])
        return one(self.conn, "SELECT * FROM reservations WHERE prospect_id = %s", [prospect_id])

    def reservations_among(self, prospect_ids: Sequence[int], now: Time) -> dict[int, ReservationRow]:
        if not prospect_ids:
            return {}
        found = dicts(self.conn, "SELECT * FROM reservations WHERE prospect_id = ANY(%s::bigint[]) AND until > %s",
                      [list(prospect_ids), now])
        return {row["prospect_id"]: row for row in found}

    def reservation_of_rep(self, rep_id: int, now: Time) -> ReservationRow | None:
        return one(self.conn, "SELECT * FROM reservations WHERE rep_id = %s AND until > %s", [rep_id, now])


class ReservationWrites:
    conn: psycopg.Connection
    held: set[int]
    _hold: Callable[[Iterable[int]], None]

    def try_hold(self, prospect_id: int) -> bool:
        if prospect_id in self.held:
            return True
        row = self.conn.execute("SELECT id FROM prospects WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED",
                                [prospect_id]).fetchone()
        if row is None:
            return False
        self.held.add(prospect_id)
        return True

    def reserve(self, prospect_id: int, rep_id: int, at: Time, until: Time) -> None:
        self._hold([prospect_id])
        self.conn.execute("DELETE FROM reservations WHERE rep_id = %s AND prospect_id <> %s", [rep_id, prospect_id])
        self.conn.execute(
            "INSERT INTO reservations (prospect_id, rep_id, reserved_at, until) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (prospect_id) DO UPDATE SET rep_id = excluded.rep_id, "
            "reserved_at = excluded.reserved_at, until = excluded.until",
            [prospect_id, rep_id, at, until])

    def release(self, prospect_id: int, rep_id: int | None = None) -> bool:
        self._hold([prospect_id])
        if rep_id is None:
            cursor = self.conn.execute("DELETE FROM reservations WHERE prospect_id = %s", [prospect_id])
        else:
            cursor = self.conn.execute("DELETE FROM reservations WHERE prospect_id = %s AND rep_id = %s",
                                       [prospect_id, rep_id])
        return cursor.rowcount > 0
