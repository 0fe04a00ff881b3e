"""The activity report."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialdeck.clock import UTC, as_utc, from_iso, stored_instant, to_iso
from dialdeck.errors import InvalidInput
from dialdeck.models import (
    ActivityReport,
    CadenceActivity,
    Rep,
    RepActivity,
    RepProfile,
    SessionActivity,
    SessionStats,
)
from dialdeck.services.common import profile_of, rep_day, reported, the_rep
from dialdeck.services.queue import queue_summary
from dialdeck.store import Store

REPORT_MAX_DAYS = 11_000


def report(store: Store, now: datetime, days: int = 1, *, rep: Rep | None = None) -> ActivityReport:
    """The team's activity over the last ``days`` days (1 = today in the rep's zone) up to ``now``,
    each rep's share of it, and the rep's queue. ``rep`` None: the database's only rep."""
    now = as_utc(now)
    if not 1 <= days <= REPORT_MAX_DAYS:
        raise InvalidInput(f"days: must be from 1 to {REPORT_MAX_DAYS:,}, not {days}")
    with reported(store):
        chosen = the_rep(store, rep)
        profile = profile_of(store, chosen)
        today = rep_day(now, profile)[0]
        since = _days_back(today, days - 1, profile)
        cadences = tuple(CadenceActivity(**row) for row in
                         store.activity_by_cadence(to_iso(since), to_iso(now)))
        sessions = tuple(_session_activity(row) for row in
                         store.sessions_between(to_iso(since), to_iso(now)))
        queue = queue_summary(store, now, cap=None, rep=chosen)  # a report is read once: exact counts
        overdue = store.count_due_before(to_iso(today), rep_id=chosen.id)
        by_rep = _by_rep(store, store.activity_by_rep(to_iso(since), to_iso(now)))
    totals = {field: sum(getattr(c, field) for c in cadences)
              for field in ("dials", "voicemails", "connects", "meetings_booked", "not_interested",
                            "do_not_call", "emails_sent", "tasks_done")}
    return ActivityReport(
        since=since, until=now, days=days, timezone=profile.timezone, **totals,
        connect_rate=totals["connects"] / totals["dials"] if totals["dials"] else 0.0,
        by_cadence=cadences, sessions=sessions,
        due_now=queue.due_now, later_today=queue.later_today, overdue=overdue, by_rep=by_rep,
    )


def _by_rep(store: Store, rows: list[dict]) -> tuple[RepActivity, ...]:
    """Every rep's figures (a rep who did nothing shows zeros), in the order they joined."""
    found = {row["rep_id"]: row for row in rows}
    talk = any(row.get("talk_seconds") is not None for row in rows)
    named: list[tuple[int | None, str]] = [(rep["id"], rep["name"]) for rep in store.reps()]
    if None in found:
        named.append((None, "(no rep)"))
    shares = []
    for rep_id, name in named:
        row = found.get(rep_id, {})
        shares.append(RepActivity(
            rep=name, dials=row.get("dials") or 0, voicemails=row.get("voicemails") or 0,
            connects=row.get("connects") or 0, meetings_booked=row.get("meetings_booked") or 0,
            talk_seconds=(row.get("talk_seconds") or 0) if talk else None))
    return tuple(shares)


def _days_back(day_start: datetime, days: int, profile: RepProfile) -> datetime:
    """Midnight ``days`` calendar days before ``day_start`` in the rep's zone (DST-safe)."""
    zone = ZoneInfo(profile.timezone)
    local = day_start.astimezone(zone).date() - timedelta(days=days)
    return datetime.combine(local, time(0), tzinfo=zone).astimezone(UTC)


def _session_activity(row: dict) -> SessionActivity:
    started = stored_instant(row["started_at"])
    ended = from_iso(row["ended_at"])
    # A session not closed is measured to its last attempt, so a killed app does not stretch it.
    end = ended or from_iso(row["last_at"]) or started
    stats = SessionStats(session_id=row["id"], started_at=started, dials=row["dials"], voicemails=0, connects=0)
    return SessionActivity(session_id=row["id"], started_at=started, ended_at=ended, dials=row["dials"],
                           dials_per_hour=stats.per_hour(end))
