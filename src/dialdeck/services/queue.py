"""The due queue: one page in calling order, and the summary of what is due when."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from dialdeck import calling_windows
from dialdeck.clock import as_utc, stored_instant, to_iso
from dialdeck.hours import CallingWindow
from dialdeck.models import DueItem, QueueSummary, Rep
from dialdeck.services.common import profile_of, rep_day, reported, the_rep
from dialdeck.services.library import action_of, library, steps_total
from dialdeck.store import Store
from dialdeck.store.interface import DueRow


def due(store: Store, now: datetime, *, limit: int = 50, offset: int = 0, rep: Rep | None = None) -> list[DueItem]:
    """Active enrollments due at ``now`` and callable now in the prospect's zone, calling order.
    ``rep``: whose queue, their own prospects and the shared pool (None: the only rep)."""
    now = as_utc(now)
    with reported(store):
        chosen = the_rep(store, rep)
        profile = profile_of(store, chosen)
        open_now = calling_windows.open_keys(store.hours_keys(), calling_windows.base_window(profile), now)
        today = to_iso(rep_day(now, profile)[0])
        page = store.due_page(open_now, to_iso(now), today, limit=limit, offset=offset, rep_id=chosen.id)
        lib = library()
        return [_due_item(lib, row) for row in page]


def _due_item(lib: dict, row: DueRow, due_at: datetime | None = None) -> DueItem:
    return DueItem(
        prospect_id=row.prospect_id, name=f"{row.first_name} {row.last_name}".strip(), company=row.company,
        phone=row.phone_e164, timezone=row.timezone, cadence=row.cadence, step=row.step_index + 1,
        steps_total=steps_total(row.cadence, lib),
        action=action_of(lib, row.cadence, row.step_index, row.temperature, row.value),
        due_at=due_at or stored_instant(row.next_due_at), pinned=row.pinned, overdue=row.overdue,
        temperature=row.temperature, value=row.value, tz_flagged=row.tz_source == "rep",
    )


def explain_due(store: Store, now: datetime, *, rep: Rep | None = None) -> list[str]:
    """The query plan of the due page at ``now``, one labelled line per step (the benchmark prints it)."""
    now = as_utc(now)
    chosen = the_rep(store, rep)
    profile = profile_of(store, chosen)
    open_now = calling_windows.open_keys(store.hours_keys(), calling_windows.base_window(profile), now)
    return store.explain_due(open_now, to_iso(now), to_iso(rep_day(now, profile)[0]), rep_id=chosen.id)


# The queue summary's counts stop here ("1,000+"): it runs after every outcome, and counting
# every due row cost 12 ms a keypress at a million prospects, growing with the data. Past a
# thousand due, "1,000+" tells the rep as much as the exact figure.
QUEUE_COUNT_CAP = 1000


def queue_summary(store: Store, now: datetime, *, cap: int | None = QUEUE_COUNT_CAP,
                  rep: Rep | None = None) -> QueueSummary:
    """How many are due now, later today and outside their calling hours, and the next to come.

    Each count stops at ``cap``: a count equal to it means "at least that many" and sets
    ``capped`` (show it as "1,000+"). ``cap=None`` counts everything (reports, not keypresses).
    """
    now = as_utc(now)
    with reported(store):
        chosen = the_rep(store, rep)
        mine = chosen.id
        profile = profile_of(store, chosen)
        base = calling_windows.base_window(profile)
        keys = store.hours_keys()
        open_now = set(calling_windows.open_keys(keys, base, now))
        today, tomorrow = rep_day(now, profile)
        now_iso = to_iso(now)
        pinned = store.pinned_due_by_key(now_iso, rep_id=mine)
        closed = sorted({*keys, *pinned} - open_now)
        waiting = store.keys_with_unpinned_due(closed, now_iso, rep_id=mine) | {k for k in closed if pinned.get(k)}
        opens_at = {key: calling_windows.next_open(key, base, now) for key in waiting}
        opening_today = [key for key in sorted(waiting) if opens_at[key] < tomorrow]
        counter = _DueCounter(store, pinned, now_iso, cap, mine)
        due_now = counter.due_in(sorted(open_now))
        outside_hours = counter.due_in(closed)
        later_today = counter.at_most(
            store.count_due_between(now_iso, to_iso(tomorrow), cap, rep_id=mine) + counter.due_in(opening_today))
        upcoming = _upcoming(store, base, now, opens_at, today, mine)
        return QueueSummary(
            due_now=due_now, later_today=later_today, outside_hours=outside_hours,
            next_item=upcoming.item, next_kind=upcoming.kind, next_opening=upcoming.opening,
            capped=cap is not None and max(due_now, later_today, outside_hours) >= cap, cap=cap,
        )


@dataclasses.dataclass(frozen=True)
class _DueCounter:
    """Counts of what is due, promises included, each stopping at ``cap`` (None: no cap)."""

    store: Store
    pinned: dict[str, int]  # promises due per calling window, exact
    now_iso: str
    cap: int | None
    rep_id: int | None = None  # whose queue (None: every prospect)

    def at_most(self, n: int) -> int:
        return n if self.cap is None else min(n, self.cap)

    def due_in(self, keys: list[str]) -> int:
        promised = self.at_most(sum(self.pinned.get(key, 0) for key in keys))
        if self.cap is not None and promised >= self.cap:
            return promised
        rest = None if self.cap is None else self.cap - promised
        return promised + self.store.count_unpinned_due(keys, self.now_iso, rest, rep_id=self.rep_id)


@dataclasses.dataclass(frozen=True)
class _Upcoming:
    item: DueItem | None  # the next call to come due after now
    kind: str  # why then: "promise", "due" or "opens" (their window opens); "" without an item
    opening: DueItem | None  # the first one due but outside hours to become callable


def _upcoming(store: Store, base: CallingWindow, now: datetime, opens_at: dict[str, datetime],
              today: datetime, rep_id: int | None = None) -> _Upcoming:
    """The next call to come due after ``now`` (a promise, a future due time, or a closed window
    opening on someone already due), and why then, so the empty state says what is true."""
    candidates: list[tuple[datetime, int, str]] = []
    coming = store.next_coming_due(to_iso(now), rep_id=rep_id)
    row = store.enrollment(coming) if coming is not None else None
    if coming is not None and row is not None:  # None: gone since (another rep's undo)
        at = stored_instant(row["next_due_at"] or "")  # active: it has one
        if row["pinned"]:
            candidates.append((at, coming, "promise"))
        else:
            opens = calling_windows.next_open(row["hours_key"], base, at)
            candidates.append((opens, coming, "due" if opens == at else "opens"))
    opening = None
    if opens_at:
        key = min(opens_at, key=opens_at.__getitem__)
        first = store.first_due_in_window(key, to_iso(now), rep_id=rep_id)
        if first is not None:
            candidates.append((opens_at[key], first, "opens"))
            opening = _item_at(store, first, opens_at[key], today)
    if not candidates:
        return _Upcoming(None, "", None)
    at, enrollment_id, kind = min(candidates)
    item = _item_at(store, enrollment_id, at, today)
    return _Upcoming(item, kind if item is not None else "", opening)


def _item_at(store: Store, enrollment_id: int, at: datetime, today: datetime) -> DueItem | None:
    row = store.due_row(enrollment_id, to_iso(today))
    return _due_item(library(), row, due_at=at) if row is not None else None  # None: gone since
