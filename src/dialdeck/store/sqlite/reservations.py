"""Reservations in SQLite: which rep holds which prospect, until when (issue 11's claims).

Every write here runs inside ``writing()``, one ``BEGIN IMMEDIATE`` transaction that holds the
database's write lock from its first statement: a claim reads the reservations and writes its
own with no other writer in between, so two reps are never handed the same prospect.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from dialdeck.store.interface import ReservationRow, Time
from dialdeck.store.sqlite.records import dicts, marks, one


class ReservationReads:
    conn: sqlite3.Connection

    def reservation(self, prospect_id: int) -> ReservationRow | None:
        return one(self.conn.execute("SELECT * FROM reservations WHERE prospect_id = ?", [prospect_id]))

    def reservations_among(self, prospect_ids: Sequence[int], now: Time) -> dict[int, ReservationRow]:
        if not prospect_ids:
            return {}
        ids = list(prospect_ids)
        found = dicts(self.conn.execute(
            f"SELECT * FROM reservations WHERE prospect_id IN ({marks(ids)}) AND until > ?", [*ids, now]))
        return {row["prospect_id"]: row for row in found}

    def reservation_of_rep(self, rep_id: int, now: Time) -> ReservationRow | None:
        return one(self.conn.execute("SELECT * FROM reservations WHERE rep_id = ? AND until > ?", [rep_id, now]))


class ReservationWrites:
    conn: sqlite3.Connection

    def try_hold(self, prospect_id: int) -> bool:
        # The transaction's write lock already keeps every other writer out.
        return True

    def reserve(self, prospect_id: int, rep_id: int, at: Time, until: Time) -> None:
        self.conn.execute("DELETE FROM reservations WHERE rep_id = ? AND prospect_id != ?", [rep_id, prospect_id])
        self.conn.execute(
            "INSERT INTO reservations (prospect_id, rep_id, reserved_at, until) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (prospect_id) DO UPDATE SET rep_id = excluded.rep_id, "
            "reserved_at = excluded.reserved_at, until = excluded.until",
            [prospect_id, rep_id, at, until])

    def release(self, prospect_id: int, rep_id: int | None = None) -> bool:
        if rep_id is None:
            cursor = self.conn.execute("DELETE FROM reservations WHERE prospect_id = ?", [prospect_id])
        else:
            cursor = self.conn.execute("DELETE FROM reservations WHERE prospect_id = ? AND rep_id = ?",
                                       [prospect_id, rep_id])
        return cursor.rowcount > 0
