"""What the database jobs answer, as messages: a worker posts one, the session screen handles it
with ``@on``. Tests can wait for them (``run_test(message_hook=...)``) instead of polling.

Every answer to a change (a ``Written``, including ``WriteFailed``) ends that change: only
then may the next one start. A job that fails posts a ``WriteFailed`` or ``ReadFailed``
instead of its answer, and nothing was written. They are the screen's own answers: none bubbles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from textual.message import Message

from dialdeck.models import CallCard, OutcomeResult
from dialdeck.tui.gateway import Desk, Figures


@dataclass(frozen=True)
class Failure:
    """Why a database job did nothing: ``busy`` (locked or read-only: try again), ``broken``
    (the file cannot be read: the session cannot go on), ``refused`` (the services said no)."""

    kind: Literal["busy", "broken", "refused"]
    reason: str


@dataclass
class DeskLoaded(Message, bubble=False):
    """A fresh desk: the page, a card and (unless a key's job left them out) the figures."""

    desk: Desk
    asked_for: int | None  # the prospect the rep picked (the list, search); None: the queue's head


@dataclass
class FiguresLoaded(Message, bubble=False):
    """The desk's counts, read after a key's card is on screen (``Desk.figures`` was None)."""

    figures: Figures
    desk: Desk  # the desk they were read for: shown only while it is the one on screen


@dataclass
class CardReadAhead(Message, bubble=False):
    """The card the next outcome will most likely bring up, read while the rep is on ``desk``'s."""

    card: CallCard
    desk: Desk  # the desk it was read for: used only while its card is the one on screen


@dataclass
class ReadFailed(Message, bubble=False):
    failure: Failure


class Written(Message, bubble=False):
    """The answer to a change (the subclasses say which; each says ``bubble=False`` again, as
    Textual resets it for every subclass)."""


@dataclass
class OutcomeLogged(Written, bubble=False):
    """A call's outcome (or a pending call's disposition) is written; the next desk with it."""

    card: CallCard  # the card the key was pressed on
    outcome: str
    at: datetime
    result: OutcomeResult
    desk: Desk
    disposition: str | None = None
    undoable: bool = True  # False: a disposition of a call logged elsewhere (undo skips it)


@dataclass
class TimePicked(Written, bubble=False):
    """They picked a time an email offered: the call is set for it."""

    card: CallCard
    at: datetime
    result: OutcomeResult
    desk: Desk


@dataclass
class Snoozed(Written, bubble=False):
    card: CallCard
    until: datetime
    at: datetime
    desk: Desk


@dataclass
class NoteSaved(Written, bubble=False):
    card: CallCard


@dataclass
class Undone(Written, bubble=False):
    """The session's newest attempt is taken back (``result`` None: there was none to undo)."""

    result: OutcomeResult | None
    desk: Desk


@dataclass
class UrgencyChanged(Written, bubble=False):
    card: CallCard
    urgent: bool
    desk: Desk


@dataclass
class WriteFailed(Written, bubble=False):
    """The change was not written."""

    failure: Failure


@dataclass
class WriteCrashed(Message, bubble=False):
    """The change's job raised something no store or service raises on purpose: a bug."""

    error: BaseException
