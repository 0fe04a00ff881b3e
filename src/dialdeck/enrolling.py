"""Enrolling a prospect in a cadence: whether they may be, where they start, and the columns
an enrollment carries for the due queue. Pure: the store writes the rows decided here.

An import enrolls thousands of prospects at once, so ``Starts`` remembers first positions that
repeat (same cadence, calling window, variant, appointment); an outcome that continues into
another cadence enrolls one, through ``enrollment_row`` and the same columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from dialdeck import calling_windows, schedule
from dialdeck.cadence import Cadence
from dialdeck.clock import from_iso, stored_instant, to_iso
from dialdeck.hours import hours_key
from dialdeck.models import RepProfile

# An enrollment in one of these is live: a prospect has at most one, and it is the one worked.
LIVE = ("active", "connected")

MEMO_LIMIT = 50_000  # distinct first positions remembered per run (cadence x window x variant x appointment)


def temp_rank(temperature: str) -> int:
    """The queue's order of temperatures: warm (0) is called before cold (1)."""
    return 0 if temperature == "warm" else 1


def hours_key_of(prospect: Mapping) -> str:
    """The prospect's calling window (``hours.hours_key``) from their stored fields."""
    return hours_key(prospect["region"] or None, prospect["subdivision"], prospect["timezone"])


def queue_columns(prospect: Mapping) -> dict:
    """The prospect's fields the due queue's indexes carry on their enrollment."""
    return {"hours_key": hours_key_of(prospect), "temp_rank": temp_rank(prospect["temperature"]),
            "value": prospect["value"]}


def position_columns(pos: schedule.Position, now: datetime) -> dict:
    """An enrollment's columns for where the prospect stands in their cadence, changed at ``now``."""
    return {
        "cadence": pos.cadence, "step_index": pos.step_index, "status": pos.status,
        "next_due_at": to_iso(pos.next_due_at), "pinned": int(pos.pinned), "retries": pos.retries,
        "promised_at": to_iso(pos.promised_at), "updated_at": to_iso(now),
    }


def enrollment_row(prospect: Mapping, pos: schedule.Position, now: datetime) -> dict:
    """A new enrollment of ``prospect`` at ``pos``, made at ``now``."""
    return {"prospect_id": prospect["id"], **position_columns(pos, now), **queue_columns(prospect),
            "created_at": to_iso(now)}


def enrolled_before(cadence: str, past: Sequence[tuple[str, str]]) -> bool:
    """Whether a prospect was in ``cadence`` before (whatever came of it): never enrolled twice.
    ``past``: (cadence, status) of each of their enrollments."""
    return any(name == cadence for name, _status in past)


def live_cadence(past: Sequence[tuple[str, str]]) -> str | None:
    """The cadence a prospect is live in, if any: they stay there rather than start another."""
    return next((name for name, status in past if status in LIVE), None)


def missing_expected(cadence: Cadence, prospect: Mapping) -> list[str]:
    """What the cadence expects of every prospect that this one lacks ("an appointment time")."""
    have = {"appointment": prospect["appointment_at"], "referrer": prospect["referrer"],
            "email": prospect["email"], "benefit": prospect["benefit"] or cadence.benefit}
    said = {"appointment": "an appointment time", "referrer": "a referrer", "email": "an email address",
            "benefit": "a benefit"}
    return [said[need] for need in cadence.expects if not have[need]]


class Starts:
    """Where prospects start their cadence at ``now``, as enrollment rows.

    Without earlier calls a start depends only on the cadence, the calling window, the lead's
    variant, the appointment and whether there is an e-mail address, which repeat across a big
    file (a CRM books the same few slots): remembered, bounded so memory does not grow with it.
    """

    def __init__(self, lib: Mapping[str, Cadence], profile: RepProfile, now: datetime) -> None:
        self.lib, self.now = lib, now
        self._base = calling_windows.base_window(profile)
        self._guard = schedule.Guardrails.of(profile)
        self._stamp = to_iso(now)
        self._memo: dict[tuple, dict] = {}

    def row(self, cadence: str, prospect: Mapping, calls: Sequence[str] = ()) -> dict:
        """The enrollment row of ``prospect`` starting ``cadence``; ``calls``: when their number
        was dialled lately (UTC ISO text, within ``schedule.RECENT_CALLS``), oldest first."""
        key = hours_key_of(prospect)
        started = self._position(cadence, key, prospect, calls)
        return {"prospect_id": prospect["id"], **started, "hours_key": key,
                "temp_rank": temp_rank(prospect["temperature"]), "value": prospect["value"],
                "created_at": self._stamp}

    def _position(self, cadence: str, key: str, prospect: Mapping, calls: Sequence[str]) -> dict:
        variant = schedule.variant_for(self.lib[cadence], prospect["temperature"], prospect["value"])
        has_email = bool(prospect["email"])
        memo_key = (cadence, key, variant, prospect["appointment_at"], has_email)
        if not calls and memo_key in self._memo:
            return self._memo[memo_key]
        zone, window = calling_windows.window_of(key, self._base)
        ctx = schedule.Context(zone=zone, window=window, temperature=prospect["temperature"],
                               value=prospect["value"], appointment_at=from_iso(prospect["appointment_at"]),
                               recent_attempts=tuple(map(stored_instant, calls)), guard=self._guard,
                               has_email=has_email)
        started = position_columns(schedule.enroll(self.lib, cadence, ctx, self.now), self.now)
        if not calls:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[memo_key] = started
        return started
