"""The app's one door to the database: every service call runs on a single DB thread.

Why a thread of our own: a SQLite connection belongs to the thread that opened it, and
the UI thread must never wait on disk. The gateway owns a one-worker
``ThreadPoolExecutor``; the connection is opened *on* that worker and every service call
is submitted to it, so calls are serialised (one writer, no locking games) and the UI
awaits them as asyncio futures: reads from ``@work`` async workers, a change (an outcome key)
by posting its answer from the future's callback. Nothing here
touches a widget; callers get plain model values back.

The hot path (an outcome key) is one round trip: write the outcome, then read one page
of the queue and the next card in the same job. The counts (the queue's summary, the session's
and the team's figures) follow in a second job, run while that card is drawn: they cost a
millisecond or more a key, and the rep reads the card first. A third reads the card likely to
come after it, so the screen can wrap its script ahead (a cache: each key reads its own card).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from dialdeck import services
from dialdeck.errors import InvalidInput, NotFound
from dialdeck.models import (
    CallCard,
    DueItem,
    Hold,
    OutcomeResult,
    QueueSummary,
    Rep,
    RepProfile,
    SessionStats,
    TeamToday,
)

T = TypeVar("T")

# The page a desk reads when no one says (the app's gateway gives its jobs the screenful its
# terminal shows: ``DueCalls.page_size``): the queue is paged, never loaded whole.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Figures:
    """What the desk counts: the queue's summary, the session's figures, the team's day (None
    for a rep working alone)."""

    summary: QueueSummary
    stats: SessionStats | None
    team: TeamToday | None = None


@dataclass(frozen=True)
class Desk:
    """Everything the session screen shows at one instant.

    ``figures`` None: left out by a key's job so the next card comes up sooner; the screen
    reads them (``load_figures``) while that card is drawn. A desk without a card always has
    them: the empty state says what comes next from them.
    """

    now: datetime
    items: tuple[DueItem, ...]
    card: CallCard | None
    figures: Figures | None
    # A team's session (several reps): the prospects of the page other reps hold.
    held: dict[int, Hold] = field(default_factory=dict)
    in_team: bool = False
    page: int = PAGE_SIZE  # the page asked for: ``items`` holds fewer when fewer are due
    # Prospects whose card could not be shown, by id, and why ("no cadence named 'gone' ..."): the
    # rep's pick, or listed ones passed over so that one cannot stop the session.
    passed_over: dict[int, str] = field(default_factory=dict)


class Gateway:
    """Runs service functions on the DB thread: ``await gateway.call(services.due, now)``.

    ``rep``: the rep the session works as. Every function that takes a ``rep`` keyword (the
    jobs below, the services) is given it, so no screen has to pass it along. ``page``: how
    many of the queue a desk reads, asked as each job is submitted (the app's terminal can
    change size); every function that takes a ``page`` keyword (the desk jobs) is given it.
    """

    def __init__(self, db_path: Path, rep: Rep | None = None, page: Callable[[], int] = lambda: PAGE_SIZE) -> None:
        self.db_path = db_path
        self.rep = rep
        self.page = page
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dialdeck-db")
        self._db: services.Store | None = None
        self._in_flight = 0

    @property
    def busy(self) -> bool:
        """True while a job is queued or running (tests wait on it; the UI never does)."""
        return self._in_flight > 0

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(db, *args, **kwargs)`` on the DB thread; the result or its exception."""
        return await self.submit(fn, *args, **kwargs)

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> asyncio.Future[T]:
        """Start ``fn(db, *args, **kwargs)`` on the DB thread now; the future holds its result
        or its exception. (An outcome key starts its job here and posts the answer from the
        future's callback: no worker to start while the database works.)"""
        self._in_flight += 1
        kwargs = self._with_session(fn, kwargs)
        future = asyncio.wrap_future(self._executor.submit(self._with_db, fn, args, kwargs))
        future.add_done_callback(self._landed)
        return future

    def _with_session(self, fn: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        """``kwargs`` and what ``fn`` takes of the session's own: its rep, its page (read now)."""
        if "rep" not in kwargs and _takes(fn, "rep"):
            kwargs = {**kwargs, "rep": self.rep}
        if "page" not in kwargs and _takes(fn, "page"):
            kwargs = {**kwargs, "page": self.page()}
        return kwargs

    def _landed(self, _future: asyncio.Future[Any]) -> None:
        self._in_flight -= 1

    def _with_db(self, fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
        if self._db is None:
            self._db = services.open_store(self.db_path)
        return fn(self._db, *args, **kwargs)

    def close(self) -> None:
        """Close the connection on its own thread, then stop the thread."""
        self._executor.submit(self._close_db).result()
        self._executor.shutdown(wait=True)

    def _close_db(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


@functools.cache
def _takes(fn: Callable[..., Any], keyword: str) -> bool:
    return keyword in inspect.signature(fn).parameters


# --- composite jobs: each runs whole on the DB thread (one round trip per key) ---------


@dataclass(frozen=True)
class Opening:
    """What a session starts from."""

    profile: RepProfile
    session_id: int
    # Set-up the rep should fix before dialing: profile blanks the scripts would say aloud
    # ("Your Name"), then user cadence files that were skipped as broken.
    problems: tuple[str, ...]


def open_desk(db: services.Store, now: datetime, *, rep: Rep | None = None) -> Opening:
    """Start a session: the rep's profile, the new session id, and what is wrong with the set-up."""
    skipped = tuple(f"cadence file skipped: {problem}" for problem in services.library_problems())
    return Opening(profile=services.get_profile(db, rep=rep), session_id=services.start_session(db, now, rep=rep),
                   problems=(*services.profile_problems(db, rep=rep), *skipped))


def load_desk(db: services.Store, now: datetime, session_id: int | None,
              prospect_id: int | None = None, *, rep: Rep | None = None, figures: bool = True,
              page: int = PAGE_SIZE) -> Desk:
    """One page of the queue (``page`` prospects at most) and a card, with the desk's figures
    unless ``figures`` is False.

    ``prospect_id`` keeps the rep's own pick on screen; otherwise the first due prospect.
    A pick that is no longer active (e.g. finished elsewhere) falls back to the queue head.

    In a team (several reps) the card on screen is the rep's reservation (``services.claims``):
    the next card is the first due prospect no other rep holds, claimed here; a card kept on
    screen is claimed again, which renews its lease (the session reloads the desk every
    ``refresh_seconds``, well within ``team.lease_minutes``).
    """
    items = tuple(services.due(db, now, limit=page, rep=rep))
    in_team = len(services.reps(db)) > 1
    card = None
    if in_team:
        wanted = _claimed(db, now, prospect_id, rep)
    else:
        wanted = prospect_id if prospect_id is not None else (items[0].prospect_id if items else None)
    passed_over: dict[int, str] = {}
    if wanted is not None:
        try:
            card = services.call_card(db, wanted, now, rep=rep)
        except (NotFound, InvalidInput) as why:  # no live cadence step any more, or no such cadence
            candidates: tuple[DueItem, ...] = items
            if in_team:
                fallback = services.claim_next(db, now, rep=rep)
                candidates = (fallback.item,) if fallback is not None else ()
            card, others = _first_workable(db, now, candidates, wanted, rep)
            passed_over = {wanted: str(why), **others}
    counted = _figures(db, now, session_id, rep, in_team) if figures or card is None else None
    held = services.holds(db, [item.prospect_id for item in items], now, rep=rep) if in_team else {}
    return Desk(now=now, items=items, card=card, figures=counted, held=held, in_team=in_team, page=page,
                passed_over=passed_over)


def _first_workable(db: services.Store, now: datetime, items: tuple[DueItem, ...], skip: int,
                    rep: Rep | None) -> tuple[CallCard | None, dict[int, str]]:
    """The card of the first listed prospect but ``skip`` whose card can be shown, and why each
    one before it could not: a prospect whose cadence file went missing must not stop the session."""
    passed: dict[int, str] = {}
    for item in items:
        if item.prospect_id == skip:
            continue
        try:
            return services.call_card(db, item.prospect_id, now, rep=rep), passed
        except (NotFound, InvalidInput) as why:
            passed[item.prospect_id] = str(why)
    return None, passed


def load_figures(db: services.Store, now: datetime, session_id: int | None, *, rep: Rep | None = None) -> Figures:
    """The queue's summary, the session's figures and, in a team, the team's day."""
    return _figures(db, now, session_id, rep, len(services.reps(db)) > 1)


def _figures(db: services.Store, now: datetime, session_id: int | None, rep: Rep | None, in_team: bool) -> Figures:
    return Figures(summary=services.queue_summary(db, now, rep=rep),
                   stats=services.session_stats(db, session_id) if session_id is not None else None,
                   team=services.team_today(db, now, rep=rep) if in_team else None)


def _claimed(db: services.Store, now: datetime, prospect_id: int | None, rep: Rep | None) -> int | None:
    """The card a team's session shows: the rep's pick, reserved for them (or shown unreserved
    when another rep holds it: the list and the status line say who), else the next claim."""
    if prospect_id is not None:
        try:
            services.claim(db, prospect_id, now, rep=rep)
            return prospect_id
        except services.Reserved:
            return prospect_id
        except (NotFound, InvalidInput):  # no live cadence step any more: the next one
            pass
    claimed = services.claim_next(db, now, rep=rep)
    return claimed.item.prospect_id if claimed is not None else None


def log_and_load(db: services.Store, prospect_id: int, outcome: str, now: datetime,
                 session_id: int | None, *, rep: Rep | None = None, page: int = PAGE_SIZE,
                 **kwargs: Any) -> tuple[OutcomeResult, Desk]:
    """The power-dialer step: write the outcome (one transaction), then the next desk."""
    result = services.log_outcome(db, prospect_id, outcome, now, session_id=session_id, rep=rep, **kwargs)
    return result, load_desk(db, now, session_id, rep=rep, figures=False, page=page)


def dispose_and_load(db: services.Store, prospect_id: int, disposition: str, now: datetime,
                     session_id: int | None, *, callback_at: datetime | None = None,
                     rep: Rep | None = None, page: int = PAGE_SIZE) -> tuple[OutcomeResult, Desk]:
    """A connected call logged earlier (the CLI, another session): its disposition, then the next desk."""
    result = services.set_disposition(db, prospect_id, disposition, now, callback_at=callback_at, rep=rep)
    return result, load_desk(db, now, session_id, rep=rep, figures=False, page=page)


def undo_and_load(db: services.Store, now: datetime,
                  session_id: int | None, *, rep: Rep | None = None,
                  page: int = PAGE_SIZE) -> tuple[OutcomeResult | None, Desk]:
    """Undo the session's newest attempt and bring that prospect back on screen."""
    result = services.undo_last(db, session_id=session_id, rep=rep)
    focus = result.prospect_id if result is not None else None
    return result, load_desk(db, now, session_id, focus, rep=rep, figures=False, page=page)


def snooze_and_load(db: services.Store, prospect_id: int, until: datetime, now: datetime,
                    session_id: int | None, *, rep: Rep | None = None, page: int = PAGE_SIZE) -> Desk:
    services.snooze(db, prospect_id, until, now)
    return load_desk(db, now, session_id, rep=rep, figures=False, page=page)


def pick_and_load(db: services.Store, prospect_id: int, choice: int, now: datetime,
                  session_id: int | None, *, rep: Rep | None = None,
                  page: int = PAGE_SIZE) -> tuple[OutcomeResult, Desk]:
    """They picked offered time ``choice``: the call is set for it (an attempt, so undo takes it back)."""
    result = services.pick_offered(db, prospect_id, choice, now, session_id=session_id, rep=rep)
    return result, load_desk(db, now, session_id, rep=rep, figures=False, page=page)


def urgent_and_load(db: services.Store, prospect_id: int, urgent: bool, now: datetime,
                    session_id: int | None, *, rep: Rep | None = None, page: int = PAGE_SIZE) -> Desk:
    """Mark the prospect urgent (or not) and show their card again: its script changes with it."""
    services.set_urgent(db, prospect_id, urgent, now)
    return load_desk(db, now, session_id, prospect_id, rep=rep, figures=False, page=page)
