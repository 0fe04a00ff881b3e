"""Never two reps on one prospect: the claim of the next due call, its lease, its release.

A rep is handed a prospect (``claim_next``: ``dialdeck next``, the session's card) by a
reservation written in the same transaction that chose it: on SQLite one ``BEGIN IMMEDIATE``
write, on PostgreSQL under the candidate's row lock taken with ``SKIP LOCKED`` (``Writer.try_hold``).
It holds until the rep logs an outcome for it (``outcomes.log_outcome`` releases it in the
attempt's own transaction), releases it (a skip), or its lease (``team.lease_minutes``) runs
out; a live session renews it. Meanwhile no other rep is handed it, and ``log`` by another rep
is refused unless forced (``reservation_refusal``).

The candidates are the due page's, in calling order; a candidate is passed over when another
rep holds it, or when the team-wide guardrails refuse a call now: the calling hours, the daily
cap and the do-not-call list (``guard.may_call``) and the cooldown since the last call to the
number by anyone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from dialdeck import calling_windows, settings
from dialdeck.clock import as_utc, stored_instant, to_iso
from dialdeck.errors import InvalidInput, NotFound
from dialdeck.models import Claim, DueItem, Hold, Rep, RepProfile, TeamToday
from dialdeck.phrases import local_clock
from dialdeck.services.card import verdict_of
from dialdeck.services.common import context_of, name_of, profile_of, rep_day, reported, the_rep
from dialdeck.services.library import library
from dialdeck.services.queue import _due_item
from dialdeck.store import Store
from dialdeck.store.interface import DueRow, Records, Writer

# Candidates read per page while looking for a free, callable one; a claim reads at most
# CLAIM_PAGES pages (a team of hundreds holding the top of the queue still finds one).
CLAIM_PAGE = 100
CLAIM_PAGES = 10


class Reserved(InvalidInput):
    """An outcome for a prospect another rep holds reserved; ``--force`` logs it anyway."""


def lease_of(records: Records) -> timedelta:
    return timedelta(minutes=settings.lease_minutes(records.settings()))


def lease_minutes(store: Store) -> int:
    """How long a reservation holds (``team.lease_minutes``), as ``config`` shows it."""
    with reported(store):
        return settings.lease_minutes(store.settings())


def claim_next(store: Store, now: datetime, *, rep: Rep | None = None) -> Claim | None:
    """Reserve the next due prospect the rep may call now, or None when none is left for them.

    A rep who already holds a reservation still due gets it back, unchanged (asking twice hands
    out nothing new). ``rep`` None: the database's only rep."""
    now = as_utc(now)
    with reported(store):
        rep = the_rep(store, rep)
        rep_id = rep.id
        profile = profile_of(store, rep)
        lease = lease_of(store)
        today = to_iso(rep_day(now, profile)[0])
        with store.writing() as tx:
            held = tx.reservation_of_rep(rep_id, to_iso(now))
            if held is not None:
                kept = _still_due(store, tx, held["prospect_id"], today, now)
                if kept is not None:
                    return Claim(kept, stored_instant(held["until"]))
                tx.release(held["prospect_id"], rep_id)
            for row in _candidates(store, tx, rep, profile, now, today):
                # As it is under its lock, not as the page read it: another rep's outcome in
                # between may have moved it to its next step (an email, then a social touch).
                item = _still_due(store, tx, row.prospect_id, today, now)
                if item is None:
                    continue
                until = now + lease
                tx.reserve(row.prospect_id, rep_id, to_iso(now), to_iso(until))
                return Claim(item, until)
    return None


def _candidates(store: Store, tx: Writer, rep: Rep, profile: RepProfile, now: datetime,
                today: str) -> Iterator[DueRow]:
    """The due page's rows this rep may be handed now, in calling order, each taken for the
    transaction (``try_hold``) and checked under it."""
    rep_id = rep.id
    now_iso = to_iso(now)
    for page in range(CLAIM_PAGES):
        rows = due_rows(store, profile, now, rep, limit=CLAIM_PAGE, offset=page * CLAIM_PAGE)
        taken = tx.reservations_among([row.prospect_id for row in rows], now_iso)
        for row in rows:
            other = taken.get(row.prospect_id)
            if other is not None and other["rep_id"] != rep_id:
                continue
            if tx.try_hold(row.prospect_id) and _free_and_callable(tx, row, rep_id, profile, now):
                yield row
        if len(rows) < CLAIM_PAGE:
            return


def due_rows(store: Store, profile: RepProfile, now: datetime, rep: Rep, *, limit: int, offset: int) -> list[DueRow]:
    """One page of the rep's due queue (their own prospects and the pool), as rows."""
    open_now = calling_windows.open_keys(store.hours_keys(), calling_windows.base_window(profile), now)
    return store.due_page(open_now, to_iso(now), to_iso(rep_day(now, profile)[0]), limit=limit, offset=offset,
                          rep_id=rep.id)


def _free_and_callable(tx: Writer, row: DueRow, rep_id: int, profile: RepProfile, now: datetime) -> bool:
    """Read again under the prospect's lock: still due, held by no other rep, and callable now
    by the team's guardrails."""
    held = tx.reservation(row.prospect_id)
    if held is not None and held["rep_id"] != rep_id and held["until"] > to_iso(now):
        return False
    prospect = tx.prospect(row.prospect_id)
    enrollment = tx.live_enrollment(row.prospect_id)
    if prospect is None or enrollment is None or enrollment["id"] != row.enrollment_id:
        return False
    if enrollment["status"] != "active" or enrollment["next_due_at"] is None or enrollment["next_due_at"] > to_iso(now):
        return False
    ctx = context_of(tx, prospect, profile, now)
    if not verdict_of(tx, prospect, enrollment, ctx, now).allowed:
        return False
    # The cooldown counts calls by anyone on the team; a promise due keeps its time.
    cooled = not ctx.recent_attempts or max(ctx.recent_attempts) + ctx.guard.cooldown <= now
    return cooled or bool(enrollment["pinned"])


def _still_due(store: Store, tx: Writer, prospect_id: int, today: str, now: datetime) -> DueItem | None:
    enrollment = tx.live_enrollment(prospect_id)
    if enrollment is None or enrollment["status"] != "active":
        return None
    row = store.due_row(enrollment["id"], today)
    return _due_item(library(), row) if row is not None else None


def claim(store: Store, prospect_id: int, now: datetime, *, rep: Rep | None = None) -> datetime:
    """Reserve this prospect for the rep (the session's card, also when the rep picks one from
    the list, or a connected call waiting for its disposition), or renew their lease on it; when
    it ends. Reserved (one line naming the holder) when another rep holds it."""
    now = as_utc(now)
    with reported(store):
        rep = the_rep(store, rep)
        profile = profile_of(store, rep)
        until = now + lease_of(store)
        with store.writing() as tx:
            refusal = reservation_refusal(tx, prospect_id, rep.id, now, profile)
            if refusal is not None:
                raise Reserved(refusal)
            if tx.prospect(prospect_id) is None:
                raise NotFound(f"no prospect with id {prospect_id}")
            if tx.live_enrollment(prospect_id) is None:
                raise InvalidInput(f"prospect {prospect_id} is not in a cadence: nothing to reserve")
            tx.reserve(prospect_id, rep.id, to_iso(now), to_iso(until))
            return until


def renew(store: Store, prospect_id: int, now: datetime, *, rep: Rep | None = None) -> datetime | None:
    """The rep's lease on the prospect extended from ``now``; None when they no longer hold it
    (it ran out and another rep took it, or another rep forced an outcome)."""
    now = as_utc(now)
    with reported(store):
        rep_id = the_rep(store, rep).id
        lease = lease_of(store)
        with store.writing() as tx:
            held = tx.reservation(prospect_id)
            if held is None or held["rep_id"] != rep_id:
                return None
            until = now + lease
            tx.reserve(prospect_id, rep_id, held["reserved_at"], to_iso(until))
            return until


def release(store: Store, prospect_id: int, *, rep: Rep | None = None) -> bool:
    """The rep lets the prospect go (a skip): another rep may be handed it at once. False when
    the rep did not hold it."""
    with reported(store):
        rep_id = the_rep(store, rep).id
        with store.writing() as tx:
            return tx.release(prospect_id, rep_id)


def reservation_refusal(tx: Writer, prospect_id: int, rep_id: int | None, now: datetime,
                        profile: RepProfile) -> str | None:
    """Why this rep may not act on the prospect now: another rep holds it (one line naming them
    and until when, in the acting rep's zone), or None."""
    held = tx.reservation(prospect_id)
    if held is None or held["rep_id"] == rep_id or held["until"] <= to_iso(now):
        return None
    prospect = tx.prospect(prospect_id)
    who = name_of(prospect) if prospect is not None else f"prospect {prospect_id}"
    holder = rep_names(tx).get(held["rep_id"], f"rep {held['rep_id']}")
    until = local_clock(stored_instant(held["until"]), profile.timezone)
    return f"{who} is reserved by {holder} until {until} (their call in progress)"


def rep_names(records: Records) -> dict[int, str]:
    return {row["id"]: row["name"] for row in records.reps()}


def holds(store: Store, prospect_ids: Sequence[int], now: datetime, *, rep: Rep | None = None) -> dict[int, Hold]:
    """Which of these prospects other reps hold at ``now`` (the due list shows it)."""
    now = as_utc(now)
    with reported(store):
        rep_id = the_rep(store, rep).id
        held = store.reservations_among(list(prospect_ids), to_iso(now))
        others = {pid: row for pid, row in held.items() if row["rep_id"] != rep_id}
        if not others:
            return {}
        names = rep_names(store)
        return {pid: Hold(pid, row["rep_id"], names.get(row["rep_id"], f"rep {row['rep_id']}"),
                          stored_instant(row["until"]))
                for pid, row in others.items()}


def team_today(store: Store, now: datetime, *, rep: Rep | None = None) -> TeamToday:
    """Dials and connects the whole team logged since the start of the rep's day."""
    now = as_utc(now)
    with reported(store):
        start, end = rep_day(now, profile_of(store, rep))
        rows = store.activity_by_cadence(to_iso(start), to_iso(end))
        return TeamToday(dials=sum(r["dials"] for r in rows), connects=sum(r["connects"] for r in rows))
