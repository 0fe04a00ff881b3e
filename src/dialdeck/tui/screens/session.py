"""The calling session: the due list, the card, the script, and one key per outcome.

The loop: an outcome key → one gateway job (write the attempt and advance in one
transaction, then read one page of the queue and the next card) → its answer comes back as a
message (``tui/messages.py``) → the desk is redrawn. Workers await the DB thread; the UI
thread never touches SQLite. Every change goes through ``write``, which lets one change be on
its way at a time: a second key before the first one's answer is shown gets a bell.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from collections.abc import Callable, Container
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from textual import events, getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import Static

from dialdeck import services
from dialdeck.errors import DialdeckError, StoreError
from dialdeck.models import CallCard, ContactNumber, DueItem, QueueSummary, RepProfile
from dialdeck.phones import format_with_extension, number_text
from dialdeck.phrases import local_clock, phrase_day_clock, short_when
from dialdeck.safe_text import one_line, terminal_safe
from dialdeck.tui import gateway as jobs
from dialdeck.tui.formatting import city, outcome_message
from dialdeck.tui.messages import (
    CardReadAhead,
    DeskLoaded,
    FiguresLoaded,
    Failure,
    NoteSaved,
    OutcomeLogged,
    ReadFailed,
    Snoozed,
    TimePicked,
    Undone,
    UrgencyChanged,
    WriteCrashed,
    WriteFailed,
    Written,
)
from dialdeck.tui.screens.calling import CallingScreen, help_bindings
from dialdeck.tui.screens.confirm import ConfirmScreen
from dialdeck.tui.screens.disposition import DispositionScreen
from dialdeck.tui.screens.email import EmailScreen
from dialdeck.tui.screens.help import HelpScreen
from dialdeck.tui.screens.note import NoteScreen
from dialdeck.tui.screens.offered import OfferedScreen
from dialdeck.tui.screens.snooze import SnoozeScreen
from dialdeck.tui.screens.summary import SummaryScreen
from dialdeck.tui.widgets.call_panel import CallPanel
from dialdeck.tui.widgets.due_calls import DueCalls
from dialdeck.tui.widgets.key_bar import KeyBar
from dialdeck.tui.widgets.prospect_card import ProspectCard
from dialdeck.tui.widgets.script_pane import ScriptPane
from dialdeck.tui.widgets.session_bar import SessionBar
from dialdeck.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from dialdeck.tui.app import DialdeckApp

T = TypeVar("T")

CALL_ONLY = ("no-answer", "voicemail", "connected", "busy", "wrong-number")
# A call already connected waits only for its disposition (c); the prospect may still turn out
# to be the wrong person or ask not to be called, so those stay usable too.
AWAITING_KEYS = ("connected", "wrong-number", "do-not-call")
SETUP_TITLE = "Fix before you dial"
SETUP_TIMEOUT = 30  # seconds: long enough to read a command and copy it
# Seconds from a key's card on screen to reading the counts its job left out: past the frame's
# way to the terminal, well before the rep has read a line of the card.
FIGURES_AFTER_CARD = 0.05


def failure_of(error: DialdeckError) -> Failure:
    """What a failed database job means for the rep (the error types the gateway may raise)."""
    if isinstance(error, StoreError):
        # Damaged data will not mend; locked or read-only: nothing was written, try again.
        return Failure("broken" if error.damaged else "busy", str(error))
    return Failure("refused", str(error))


def mailto_url(email: str, subject: str, body: str) -> str:
    return f"mailto:{quote(email)}?subject={quote(subject)}&body={quote(body)}"


def empty_message(summary: QueueSummary, rep_zone: str, now: datetime, held: int = 0) -> Content:
    """What the rep sees when nothing is callable now: what is next, when, and why then.
    ``held``: prospects due now that other reps hold (so not "all caught up")."""
    nxt, opening = summary.next_item, summary.next_opening
    lines: list[Content] = []
    if held:
        head = f"Nothing left for you now: {held} due {'is' if held == 1 else 'are'} on another rep's call"
    elif summary.outside_hours and not summary.due_now:
        head = f"Outside calling hours for everyone due ({summary.shown(summary.outside_hours)} waiting)"
    else:
        head = "All caught up"
    lines.append(Content.styled(head, "bold $text-success"))
    if nxt is not None:
        lines.append(Content(_next_line(nxt, summary.next_kind, rep_zone, now)))
    if opening is not None and (nxt is None or summary.next_kind != "opens" or opening.prospect_id != nxt.prospect_id):
        lines.append(Content(_next_line(opening, "opens", rep_zone, now, lead="")))
    if nxt is None and opening is None:
        lines.append(Content("nothing else is scheduled. Import more with: dialdeck import FILE.csv"))
    if summary.later_today:
        lines.append(Content.styled(f"{summary.shown(summary.later_today)} more due later today", "$text-muted"))
    return Content("\n\n").join(lines)


def held_by(desk: jobs.Desk, rep_zone: str) -> dict[int, tuple[str, str]]:
    """Who holds each prospect other reps are on, and until when on this rep's clock."""
    return {pid: (hold.rep_name, local_clock(hold.until, rep_zone)) for pid, hold in desk.held.items()}


def _next_line(item: DueItem, kind: str, rep_zone: str, now: datetime, *, lead: str = "next: ") -> str:
    """One upcoming call, saying truly why it comes then: a promise, a due time, a window opening."""
    yours = short_when(item.due_at, rep_zone, now)
    name = one_line(item.name)  # prospect data: control characters shown, never sent
    if kind == "promise":
        return f"{lead}promised call at {yours}, {name} ({phrase_day_clock(item.due_at, item.timezone)} their time)"
    if kind == "opens":
        return (f"{lead}{name}'s calling window opens at {yours} your time "
                f"({short_when(item.due_at, item.timezone, now)} in {city(item.timezone)})")
    return f"{lead}call due at {yours}, {name}"


def likely_next(items: tuple[DueItem, ...], current: int | None, held: Container[int] = ()) -> int | None:
    """The prospect an outcome logged on ``current``'s card most likely brings up: the first
    listed other than theirs that no other rep holds (``held``)."""
    return next((item.prospect_id for item in items if item.prospect_id != current and item.prospect_id not in held),
                None)


def awaiting_disposition(card: CallCard) -> bool:
    """The card is a call logged connected earlier (the CLI, a closed session): it needs a disposition."""
    return card.enrollment.status == "connected"


def _first_dialable(card: CallCard | None) -> int:
    """The index of the first number not on the do-not-call list (their own, normally)."""
    if card is None:
        return 0
    return next((index for index, number in enumerate(card.numbers) if not number.dnc), 0)


def new_database_notice(path: Path) -> Content:
    """The empty state of a database this session has just created: a mistyped --db shows at once."""
    return Content("\n\n").join([
        Content.styled("New, empty database", "bold $text-warning"),
        Content.styled(str(path), "bold"),
        Content("No prospects yet. Not the file you meant? Quit (q) and check --db."),
        Content(f"To start: dialdeck --db {path} import FILE.csv"),
    ])


class SessionScreen(CallingScreen):
    if TYPE_CHECKING:  # the app, typed (its clock, gateway...): Textual's own way, as MessagePump does
        app = getters.app(DialdeckApp)

    BINDINGS = [
        # One of the two shows at a time, in the same place: dial when no call is on, else hang up.
        Binding("g", "dial", "Dial", id="dial", tooltip="Dial this prospect (the guard checks first)"),
        Binding("h", "hang_up", "Hang up", id="hang_up", tooltip="Hang up the call"),
        # The outcome keys are priority bindings: acted on as the app first receives the key,
        # not after a trip down to the focused pane and back up (a third of a millisecond a
        # key). No pane of this screen reads letters, so none loses a key it would have used.
        Binding("n", "outcome('no-answer')", "No answer", id="no_answer", priority=True,
                tooltip="No answer, no message: retry at another time of day"),
        Binding("v", "outcome('voicemail')", "Voicemail", id="voicemail", priority=True,
                tooltip="Voicemail left: on to the next step"),
        Binding("c", "outcome('connected')", "Connected", id="connected", priority=True,
                tooltip="Connected: callback, booked, not interested, carry on"),
        Binding("b", "outcome('busy')", "Busy", id="busy", priority=True,
                tooltip="Busy: try the same step again after the cooldown"),
        Binding("w", "outcome('wrong-number')", "Wrong #", id="wrong_number", priority=True,
                tooltip="Wrong number: never called again"),
        Binding("d", "outcome('do-not-call')", "DNC", id="do_not_call", priority=True,
                tooltip="Do not call: on the list for good (asks first)"),
        Binding("s", "snooze", "Snooze", id="snooze", tooltip="Skip for now: later today or their next calling morning"),
        Binding("e", "outcome('sent')", "Sent", id="email_sent", priority=True, tooltip="Email sent (an email step)"),
        Binding("e", "outcome('done')", "Done", id="task_done", priority=True,
                tooltip="Done (a task or social step)"),
        Binding("m", "mailto", "Mail", id="mailto", tooltip="Email step: open it in your mail client, or copy it"),
        Binding("t", "note", "Note", id="note", tooltip="Add a note about this prospect"),
        Binding("exclamation_mark", "urgent", "Urgent", id="urgent", show=False,
                tooltip="Urgent or not: money-in scripts then give a message"),
        Binding("p", "picked", "Picked", id="picked", show=False,
                tooltip="They picked a time an email offered: call them then"),
        Binding("u,ctrl+z", "undo", "Undo", id="undo",
                tooltip="Undo the last outcome: prospect restored exactly"),
        Binding("ctrl+p", "app.command_palette", "Search", id="search",
                tooltip="Search prospects: name, company, phone, email"),
        Binding("question_mark", "help", "Help", id="help",
                tooltip="This help: every key, and what the due list shows"),
        Binding("q", "quit_session", "Quit", id="quit", tooltip="Show the session summary, then leave"),
        # Last, so that showing it (only for a prospect with several numbers) moves no other key.
        Binding("x", "next_number", "Number", id="next_number",
                tooltip="Several numbers: call their next number instead"),
        # Power mode: the key says what it is now; pressing it turns it the other way.
        Binding("a", "power(True)", "Power off", id="power_on",
                tooltip="Turn power mode on: after each outcome the next due call is dialled after a countdown"),
        Binding("a", "power(False)", "Power ON", id="power_off",
                tooltip="turn it off: you dial each call with g"),
        Binding("r", "drop", "Drop VM", id="drop",
                tooltip="A voicemail box answered: play this step's recording, log voicemail, next call"),
        Binding("escape", "cancel_countdown", "Cancel", id="cancel_countdown",
                tooltip="Power mode: cancel the countdown to the next dial"),
        # Not in the key bar (a priority key would be drawn first and move every other one): the
        # call panel and the status line say "Enter logs busy" when it applies.
        Binding("enter", "confirm_outcome", "Log it", id="confirm_outcome", priority=True, show=False,
                tooltip="The call ended: log the outcome the network suggested"),
        Binding("R", "record", "Record", id="record", show=False,
                tooltip="Record this step's voicemail from the microphone (R again stops)"),
    ]

    # Short terminals (80x24) get a shorter prospect card, so the script keeps its room.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    card: var[CallCard | None] = var(None)
    # The keys depend only on these two, so only a change of them refreshes the bindings:
    # that recomposes the whole footer, which on every card would cost more than the rest
    # of the keypress. step_action is the card's call / email / task / social, or None.
    step_action: var[str | None] = var(None, bindings=True)
    can_undo: var[bool] = var(False, bindings=True)
    # The card is a call logged connected earlier (the CLI, a closed session): it needs a disposition.
    awaiting: var[bool] = var(False, bindings=True)
    # The guard refuses a call to the card's prospect now (their hours, the daily cap, DNC): the
    # card says why and the call keys are dimmed. Do-not-call, snooze and notes stay usable.
    blocked: var[bool] = var(False, bindings=True)
    # The card's prospect has more than one number that may be dialled: x is shown.
    several_numbers: var[bool] = var(False, bindings=True)
    undo_depth: var[int] = var(0)

    def __init__(self) -> None:
        super().__init__()
        self.profile = RepProfile()
        self.session_id: int | None = None
        self.desk: jobs.Desk | None = None
        self._writer: asyncio.Future[Any] | None = None  # the change on its way, until its answer is shown
        self._in_use = 0  # which of the card's numbers the next attempt dials
        self._figures_timer: Timer | None = None
        # The desk shown has no figures yet (``read_after_card`` reads them): tests wait on it.
        self.figures_pending = False
        self._told: set[int] = set()  # the prospects passed over that the status line has named

    def compose(self) -> ComposeResult:
        yield SessionBar(id="session-bar")
        with Horizontal(id="desk"):
            yield DueCalls(id="due")
            with Vertical(id="work"):
                yield ProspectCard(id="card")
                yield CallPanel(id="call")
                yield ScriptPane(id="script")
                yield Static(id="empty-state")
        yield StatusLine(id="status")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one("#due", DueCalls).border_title = "Due calls"
        self.query_one("#due", DueCalls).focus()
        if self.app.start_notice:
            self.say(self.app.start_notice, "notice")
        self.boot()
        self.set_interval(self.app.refresh_seconds, self.refresh_desk)
        # The clock and the session time move every second; dials/hour is re-divided by the
        # new time. No database work: the figures come from the last desk loaded.
        self.set_interval(1, self._tick)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every toast of the session is literal text (``markup`` is ignored): the names, notes
        and error messages in it are never read as markup, and their control characters show."""
        super().notify(terminal_safe(message), title=one_line(title), severity=severity,
                       timeout=timeout, markup=False)

    def say(self, message: str, tone: str = "done") -> None:
        """A routine confirmation or notice: the status line, never a toast over the list and script."""
        self.query_one("#status", StatusLine).say(message, tone)

    def _tick(self) -> None:
        self.query_one("#session-bar", SessionBar).tick(self.app.clock())
        self.tick_call()

    # --- the database: jobs out, messages back ----------------------------------------

    async def _ask(self, job: Callable[..., T], *args: Any, **kwargs: Any) -> T | Failure:
        """Run ``job`` on the DB thread: its answer, or what went wrong (nothing was written)."""
        try:
            return await self.app.gateway.call(job, *args, **kwargs)
        except DialdeckError as error:
            return failure_of(error)

    @property
    def writing(self) -> bool:
        """A change is on its way to the database, or its answer is not shown yet."""
        return self._writer is not None

    def write(self, answered: Callable[[Any], Written], job: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """The one door for a change: run ``job`` and post ``answered(its answer)``.

        While another change is on its way (from its key until its answer is shown) the new
        one is refused with a bell: a second key never writes for a card already left behind.
        """
        if self.writing:
            self.app.bell()
            return False
        self.app.hold_collector()
        pending = self.app.gateway.submit(job, *args, **kwargs)  # the DB thread starts on it at once
        pending.add_done_callback(functools.partial(self._answered, answered))
        self._writer = pending
        return True

    def _answered(self, answered: Callable[[Any], Written], pending: asyncio.Future[Any]) -> None:
        """The change's answer, as the message its handler shows. Posted straight from the
        job's future: a worker waiting on it cost the key its start-up and state messages,
        and the database thread waited on them for the GIL (about 0.4 ms a key)."""
        if pending.cancelled():
            return  # the app is closing: the gateway's thread was shut down
        error = pending.exception()
        if error is None:
            self.post_message(answered(pending.result()))
        elif isinstance(error, DialdeckError):
            self.post_message(WriteFailed(failure_of(error)))
        else:
            self.post_message(WriteCrashed(error))

    @on(WriteCrashed)
    def _crashed(self, message: WriteCrashed) -> None:
        raise message.error  # a bug, not bad data: Textual stops the app and shows the traceback

    @on(Written)
    def _written(self, message: Written) -> None:
        """Every answer to a change ends it (after its own handler has shown it)."""
        self._writer = None
        self.call_after_refresh(self.app.release_collector)

    @on(ReadFailed)
    @on(WriteFailed)
    def _failed(self, message: ReadFailed | WriteFailed) -> None:
        failure = message.failure
        if failure.kind == "busy":
            self.notify(f"The database refused the change ({failure.reason}); nothing was saved. Try again.",
                        title="Database busy", severity="error", timeout=8)
        elif failure.kind == "broken":
            self.app.fatal(f"The database cannot be read: {failure.reason}")
        else:
            self.notify(failure.reason, title="Not done", severity="error", timeout=8)

    @work(group="boot")
    async def boot(self) -> None:
        opening = await self._ask(jobs.open_desk, self.app.clock())
        if isinstance(opening, Failure):
            self.app.fatal(f"Cannot open {self.app.gateway.db_path}: {opening.reason}")
            return
        self.profile, self.session_id = opening.profile, opening.session_id
        self.warn_setup(opening.problems)
        self.refresh_desk(keep=False)
        self.prepare_dialer()

    @work(group="desk", exclusive=True)
    async def refresh_desk(self, keep: bool = True, prospect_id: int | None = None) -> None:
        """Reload the page; keep the card the rep is on unless told otherwise."""
        if self.session_id is None:
            return
        wanted = prospect_id if prospect_id is not None else (self._current_id() if keep else None)
        desk = await self._ask(jobs.load_desk, self.app.clock(), self.session_id, wanted)
        self.post_message(ReadFailed(desk) if isinstance(desk, Failure) else DeskLoaded(desk, prospect_id))

    @on(DeskLoaded)
    def _loaded(self, message: DeskLoaded) -> None:
        desk, asked_for = message.desk, message.asked_for
        self.show_desk(desk)
        if asked_for is not None and (desk.card is None or desk.card.prospect.id != asked_for):
            why = desk.passed_over.get(asked_for)
            self.say(f"That prospect cannot be worked now: {why}" if why else
                     "That prospect has no active cadence step to work.", "notice")
            self._told.add(asked_for)
        elif desk.card is not None and desk.card.prospect.id in desk.held:
            # The rep picked a card another rep is on: shown, not reserved; an outcome is refused.
            holder, until = held_by(desk, self.profile.timezone)[desk.card.prospect.id]
            self.say(f"{one_line(desk.card.prospect.name)} is held by {one_line(holder)} until {until}: "
                     "their call, not yours to log", "notice")
        self._tell_passed_over(desk)
        self.call_after_refresh(self.app.freeze_heap)  # once the first card is drawn (then a no-op)

    def _tell_passed_over(self, desk: jobs.Desk) -> None:
        """Why the card is not the list's first (its cadence file went missing): once for each."""
        if not desk.passed_over:
            return  # every key comes here: nothing to build for the usual desk
        names = {item.prospect_id: item.name for item in desk.items}
        new = [(pid, why) for pid, why in desk.passed_over.items() if pid in names and pid not in self._told]
        if new:
            self._told.update(pid for pid, _why in new)
            self.say("Passed over " + "; ".join(f"{names[pid]}: {why}" for pid, why in new), "notice")

    def warn_setup(self, problems: tuple[str, ...]) -> None:
        """Once, before the first dial: what the scripts would get wrong, and how to fix it."""
        if problems:
            self.notify("\n".join(f"• {problem}" for problem in problems), title=SETUP_TITLE,
                        severity="warning", timeout=SETUP_TIMEOUT, markup=False)

    def _current_id(self) -> int | None:
        return self.card.prospect.id if self.card is not None else None

    def on_resize(self, event: events.Resize) -> None:
        # A taller terminal has room for rows the page left out: read them now, not at the next key.
        desk = self.desk
        if desk is not None and self.app.gateway.page() > desk.page and len(desk.items) >= desk.page:
            self.refresh_desk()

    def watch_undo_depth(self, depth: int) -> None:
        self.can_undo = depth > 0

    # --- showing -------------------------------------------------------------------

    def show_desk(self, desk: jobs.Desk) -> None:
        self.desk = desk
        if desk.card is None or self.card is None or desk.card.prospect.id != self.card.prospect.id:
            self._in_use = _first_dialable(desk.card)  # a new prospect starts on their own number
        self.several_numbers = desk.card is not None and sum(not n.dnc for n in desk.card.numbers) > 1
        self.card = desk.card
        self.step_action = desk.card.script.action if desk.card is not None else None
        self.awaiting = desk.card is not None and awaiting_disposition(desk.card)
        self.blocked = desk.card is not None and not desk.card.verdict.allowed
        self.forget_ended_call(desk.card)
        current = self._current_id()
        self.query_one("#due", DueCalls).show(desk.items, desk.now, current, held_by(desk, self.profile.timezone))
        if self._figures_timer is not None:
            self._figures_timer.stop()  # this desk's figures replace those
            self._figures_timer = None
        self.figures_pending = desk.figures is None
        self.query_one("#card", ProspectCard).show(desk.card, desk.now, self.profile.timezone, self._in_use,
                                                   drawn=functools.partial(self._after_drawn, desk))
        self.query_one("#script", ScriptPane).show(desk.card.script if desk.card else None, awaiting=self.awaiting,
                                                   zone_name=desk.card.prospect.timezone if desk.card else "UTC")
        self.set_class(desk.card is None, "-empty")
        if desk.figures is not None:
            self.show_figures(desk.figures, desk.now)

    def _after_drawn(self, desk: jobs.Desk) -> None:
        """The counts a key's job left out (``Desk.figures``) are read a moment after its card is
        drawn, then the card likely to come next. Not beside the drawing, nor at once after it:
        a job holds the GIL often enough to hold up the frame on its way to the terminal,
        costing the card more than leaving the counts out of the key's job saved. The rep reads
        the card first; the counts follow."""
        self._figures_timer = self.set_timer(FIGURES_AFTER_CARD, functools.partial(self.read_after_card, desk))

    @work(group="figures", exclusive=True)
    async def read_after_card(self, desk: jobs.Desk) -> None:
        """The desk's counts if its job left them out, then the card likely to come next."""
        self._figures_timer = None
        if desk.figures is None:
            figures = await self._ask(jobs.load_figures, desk.now, self.session_id)
            if isinstance(figures, Failure):
                self.figures_pending = self.figures_pending and self.desk is not desk  # none are coming
                self.post_message(ReadFailed(figures))
                return
            self.post_message(FiguresLoaded(figures, desk))
        await self._read_ahead(desk)

    async def _read_ahead(self, desk: jobs.Desk) -> None:
        """The card the next outcome will most likely bring up, read while the rep is on this one,
        so that its script is wrapped before the key (``ScriptPane.prepare``). Only a cache: the
        key's own job reads the card it shows, and a script that differs is wrapped then."""
        upcoming = likely_next(desk.items, desk.card.prospect.id if desk.card is not None else None, desk.held)
        if upcoming is None:
            return
        try:
            card = await self._ask(services.call_card, upcoming, self.app.clock())
        except Exception:  # a cache: a bug there shows when a key brings that card up, as before
            return
        if not isinstance(card, Failure):  # no live step: the key's job finds the card after it
            self.post_message(CardReadAhead(card, desk))

    @on(CardReadAhead)
    def _read_ahead_landed(self, message: CardReadAhead) -> None:
        if self.card is message.desk.card:  # read for the card on screen (a later one reads its own)
            card = message.card
            self.query_one("#script", ScriptPane).prepare(card.script, awaiting=awaiting_disposition(card),
                                                          zone_name=card.prospect.timezone)

    @on(FiguresLoaded)
    def _counted(self, message: FiguresLoaded) -> None:
        if self.desk is not message.desk:
            return  # read for an earlier desk: the one on screen brought or asked for its own
        self.figures_pending = False
        self.desk = replace(message.desk, figures=message.figures)
        self.show_figures(message.figures, message.desk.now)

    def show_figures(self, figures: jobs.Figures, now: datetime) -> None:
        """The due list's counts, the session bar and, with no card, what comes next."""
        due = self.query_one("#due", DueCalls)
        s = figures.summary
        due.border_title = f"Due now {s.shown(s.due_now)} · later today {s.shown(s.later_today)}"
        due.border_subtitle = f"{s.shown(s.outside_hours)} outside hours" if s.outside_hours else ""
        self.query_one("#session-bar", SessionBar).show(self.profile.name, self.profile.timezone,
                                                         figures.stats, now, figures.team)
        if self.card is None:
            held = len(self.desk.held) if self.desk is not None else 0
            if self.app.new_database is not None and s.next_item is None:
                message = new_database_notice(self.app.new_database)  # not "All caught up"
            else:
                message = empty_message(s, self.profile.timezone, now, held=held)
            self.query_one("#empty-state", Static).update(message)

    # --- what keys may do now ------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        phone_key, state = self.call_key_state(action, parameters)
        if phone_key:
            return state
        if action == "undo":
            return True if self.can_undo else None
        if action == "next_number":
            return True if self.several_numbers else False
        if action in ("urgent", "picked"):
            return True if self.card is not None and not self.awaiting else None
        if action not in ("outcome", "snooze", "note", "mailto"):
            return True
        step_action = self.step_action
        if self.awaiting:
            awaiting_ok = action == "note" or (action == "outcome" and parameters[0] in AWAITING_KEYS)
            if action == "outcome" and parameters[0] == "done":
                return False  # 'e' keeps its call-step meaning (sent), dimmed, not a second key
            return True if awaiting_ok else None
        if action == "mailto":
            return True if step_action == "email" else None
        if action != "outcome":
            return True if step_action is not None else None
        if self.blocked and parameters[0] in CALL_ONLY:
            return None
        return self._outcome_state(str(parameters[0]), step_action)

    @staticmethod
    def _outcome_state(outcome: str, step_action: str | None) -> bool | None:
        """True: usable. None: shown dimmed. False: hidden (the other meaning of 'e')."""
        if outcome == "done":
            return True if step_action in ("task", "social") else False
        if step_action is None:
            return None
        if outcome == "sent":
            return True if step_action == "email" else None
        if outcome in CALL_ONLY:
            return True if step_action == "call" else None
        return True  # do-not-call: whatever the step, the prospect may ask

    # --- the outcome keys ------------------------------------------------------------

    def _card_to_change(self) -> CallCard | None:
        """The card a key would change; None, with a bell, when there is none or another
        change is still on its way (its dialog would only be refused at the end)."""
        if self.card is None or self.writing:
            self.app.bell()
            return None
        self.stop_countdown()  # the rep acts on the card: power mode waits for the next outcome
        return self.card

    def action_outcome(self, outcome: str) -> None:
        card = self._card_to_change()
        if card is None:
            return
        if self.blocked and outcome in CALL_ONLY and card.enrollment.status == "active":
            self.app.bell()  # the key is dimmed; the card says why
            return
        if outcome == "connected":
            self._connected(card)
        elif outcome == "voicemail" and card.script.action == "call" and card.script.voicemail is None:
            question = (f"This step says not to leave a message for {card.prospect.name}. Log that you left "
                        "one anyway? It is recorded as a voicemail, with a note that the script said not to.")
            self._confirm_then_log(card, outcome, ConfirmScreen("No message on this step", question, "Log voicemail"))
        elif outcome == "do-not-call":
            number = self.number_in_use()
            own = format_with_extension(card.prospect.phone_e164, card.prospect.phone_ext)
            if number is None or number.primary:
                question = (f"Put {card.prospect.name} ({own}) "
                            "on the do-not-call list? "
                            "The number will never be called or enrolled again.")
            else:  # services.log_outcome lists the number answered and their own
                question = (f"Put {card.prospect.name} on the do-not-call list? "
                            f"{format_with_extension(number.e164, number.extension)} and their own "
                            f"number {own} will never be called or enrolled again.")
            self._confirm_then_log(card, outcome, ConfirmScreen("Do not call", question, "Do not call"))
        else:
            self._log(card, outcome)  # nothing to ask: straight to the database

    @work(group="keys")
    async def _connected(self, card: CallCard) -> None:
        """What was agreed on the call, then the outcome (or only that, for a call logged earlier)."""
        if card.enrollment.status == "connected":
            await self._dispose(card)
            return
        choice = await self.app.push_screen_wait(DispositionScreen(
            card.prospect.name, card.prospect.timezone, self.profile.timezone, self.app.clock(), card.window))
        if choice is not None:
            self._log(card, "connected", disposition=choice.kind, callback_at=choice.callback_at)

    @work(group="keys")
    async def _confirm_then_log(self, card: CallCard, outcome: str, question: ConfirmScreen) -> None:
        if await self.app.push_screen_wait(question):
            self._log(card, outcome)

    def _log(self, card: CallCard, outcome: str, **extra: Any) -> None:
        now = self.app.clock()
        number = self.number_in_use()
        self.call_facts_for(card, outcome, extra)
        if number is not None and "call" not in extra:
            extra["number"] = number_text(number.e164, number.extension)
        disposition = extra.get("disposition")
        self.write(lambda answer: OutcomeLogged(card, outcome, now, answer[0], answer[1], disposition=disposition),
                   jobs.log_and_load, card.prospect.id, outcome, now, self.session_id, **extra)

    async def _dispose(self, card: CallCard) -> None:
        """The call is already logged as connected: only the disposition is written."""
        choice = await self.app.push_screen_wait(DispositionScreen(
            card.prospect.name, card.prospect.timezone, self.profile.timezone, self.app.clock(), card.window))
        if choice is None:
            return
        now = self.app.clock()
        # No undo step: undo walks back this session's attempts, and this call was logged elsewhere.
        self.write(lambda answer: OutcomeLogged(card, "connected", now, answer[0], answer[1],
                                                disposition=choice.kind, undoable=False),
                   jobs.dispose_and_load, card.prospect.id, choice.kind, now, self.session_id,
                   callback_at=choice.callback_at)

    @on(OutcomeLogged)
    def _logged(self, message: OutcomeLogged) -> None:
        if message.undoable:
            self.undo_depth += 1
        self.show_desk(message.desk)
        card, result = message.card, message.result
        self.say(outcome_message(card.prospect.name, message.outcome, result.status, result.step,
                                 result.next_due_at, card.prospect.timezone, message.at, message.disposition))
        self._tell_passed_over(message.desk)
        self.outcome_logged(card.prospect.id)

    @work(group="keys")
    async def action_snooze(self) -> None:
        card = self._card_to_change()
        if card is None:
            return
        now = self.app.clock()
        until = await self.app.push_screen_wait(
            SnoozeScreen(card.prospect.name, card.prospect.timezone, now, card.window))
        if until is None:
            return
        self.write(lambda desk: Snoozed(card, until, now, desk),
                   jobs.snooze_and_load, card.prospect.id, until, now, self.session_id)

    @on(Snoozed)
    def _snoozed(self, message: Snoozed) -> None:
        self.show_desk(message.desk)
        prospect = message.card.prospect
        self.say(f"{prospect.name} snoozed until {short_when(message.until, prospect.timezone, message.at)} their time")

    @work(group="keys")
    async def action_note(self) -> None:
        card = self._card_to_change()
        if card is None:
            return
        text = await self.app.push_screen_wait(NoteScreen(card.prospect.name))
        if not text:
            return
        self.write(lambda _note: NoteSaved(card),
                   services.add_note, card.prospect.id, text, self.app.clock(), session_id=self.session_id)

    @on(NoteSaved)
    def _noted(self, message: NoteSaved) -> None:
        self.say(f"Note saved on {message.card.prospect.name}")
        self.refresh_desk(prospect_id=message.card.prospect.id)

    def action_undo(self) -> None:
        if self.undo_depth <= 0:
            return
        self.write(lambda answer: Undone(answer[0], answer[1]), jobs.undo_and_load, self.app.clock(), self.session_id)

    @on(Undone)
    def _undone(self, message: Undone) -> None:
        result, desk = message.result, message.desk
        if result is None:
            self.undo_depth = 0
            self.say("Nothing to undo in this session.", "notice")
            return
        self.undo_depth -= 1
        self.show_desk(desk)
        name = desk.card.prospect.name if desk.card else f"prospect {result.prospect_id}"
        self.say(f"Undone: {name} is back at step {result.step} of {result.cadence}")

    def action_urgent(self) -> None:
        card = self._card_to_change()
        if card is None:
            return
        urgent = not card.prospect.urgent
        self.write(lambda desk: UrgencyChanged(card, urgent, desk),
                   jobs.urgent_and_load, card.prospect.id, urgent, self.app.clock(), self.session_id)

    @on(UrgencyChanged)
    def _urgency_changed(self, message: UrgencyChanged) -> None:
        self.show_desk(message.desk)
        said = "marked urgent: money-in scripts give a message" if message.urgent else "no longer marked urgent"
        self.say(f"{message.card.prospect.name} {said}")

    @work(group="keys")
    async def action_picked(self) -> None:
        card = self._card_to_change()
        if card is None:
            return
        offered = card.script.pickable
        if not offered:
            self.say(f"No times offered to {card.prospect.name} are still ahead: an email that offers "
                     "times has to be sent first.", "notice")
            return
        now = self.app.clock()
        choice = await self.app.push_screen_wait(OfferedScreen(
            card.prospect.name, offered, card.prospect.timezone, self.profile.timezone, now))
        if choice is None:
            return
        self.write(lambda answer: TimePicked(card, now, answer[0], answer[1]),
                   jobs.pick_and_load, card.prospect.id, choice, now, self.session_id)

    @on(TimePicked)
    def _time_picked(self, message: TimePicked) -> None:
        self.undo_depth += 1
        self.show_desk(message.desk)
        prospect, result = message.card.prospect, message.result
        if result.next_due_at is not None:  # always: a picked time pins the next call
            self.say(f"{prospect.name} picked a time → call "
                     f"{short_when(result.next_due_at, prospect.timezone, message.at)} their time")

    @work(group="keys")
    async def action_mailto(self) -> None:
        card = self.card
        if card is None or card.script.action != "email":
            return
        if not card.prospect.email:
            self.say(f"{card.prospect.name} has no email address on file.", "notice")
            return
        script = card.script
        url = mailto_url(card.prospect.email, script.subject, script.body)
        self.say("Opening your mail client…", "notice")
        # The opener waits for xdg-open / open: off the UI thread, like any other I/O.
        result = await asyncio.to_thread(self.app.open_mail, url)
        self.say(result.headline, "done" if result.opened else "notice")
        answer = await self.app.push_screen_wait(
            EmailScreen(result, card.prospect.email, script.subject, script.body))
        current = self.card
        if answer == "sent" and current is not None and current.prospect.id == card.prospect.id:
            self._log(current, "sent")

    def number_in_use(self) -> ContactNumber | None:
        """The card's number the next attempt dials (their own unless x chose another)."""
        if self.card is None or not self.card.numbers:
            return None
        return self.card.numbers[min(self._in_use, len(self.card.numbers) - 1)]

    def action_next_number(self) -> None:
        """Dial the prospect's next number (skipping any on the do-not-call list) next time."""
        card = self.card
        if card is None or not self.several_numbers:
            return
        count = len(card.numbers)
        for step in range(1, count + 1):
            index = (self._in_use + step) % count
            if not card.numbers[index].dnc:
                self._in_use = index
                break
        desk = self.desk
        self.query_one("#card", ProspectCard).show(card, desk.now if desk else self.app.clock(),
                                                   self.profile.timezone, self._in_use)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(help_bindings(list(self.BINDINGS))))

    @work(group="keys")
    async def action_quit_session(self) -> None:
        if self.session_id is None:
            self.app.exit(0)
            return
        stats = await self._ask(services.session_stats, self.session_id)
        if isinstance(stats, Failure):
            self.post_message(ReadFailed(stats))
            return
        self.app.clear_notifications()  # toasts would cover the summary
        if not await self.app.push_screen_wait(SummaryScreen(self.profile.name, stats, self.app.clock())):
            return
        # Leaving either way: a session whose end could not be written keeps its attempts.
        current = self._current_id()
        if current is not None and self.desk is not None and self.desk.in_team:
            await self._ask(services.release, current)  # another rep may take the card at once
        await self._ask(services.end_session, self.session_id, self.app.clock())
        self.app.exit(0)

    # --- picking a prospect ------------------------------------------------------------

    @on(DueCalls.Picked)
    def _picked(self, event: DueCalls.Picked) -> None:
        self.pick(event.prospect_id)

    def pick(self, prospect_id: int) -> None:
        """Show this prospect's card (from the list or from search) instead of the next due."""
        self.refresh_desk(prospect_id=prospect_id)
