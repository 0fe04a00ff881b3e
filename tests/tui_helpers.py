"""Fixed data and a fixed clock for the TUI's Pilot and snapshot tests.

The data is a small CSV of our own (not sample_data/, which other work may change), imported
through the real services into a database in the test's tmp_path. The clock is fixed at
Wednesday 25 Nov 2026 15:00 UTC: 10:00 for the rep in New York.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from textual.app import App
from textual.message import Message
from textual.pilot import Pilot

from dialdeck import services, store
from dialdeck.clock import UTC, fixed_clock
from dialdeck.tui.app import DialdeckApp, make_app
from dialdeck.tui.mail import MailResult

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
SIZE = (120, 40)  # the terminal most Pilot tests run in; SMALL ones say (80, 24)
REP = {
    "rep.name": "Jordan Reyes",
    "rep.company": "Brightline Analytics",
    "rep.phone": "+1 212 555 0142",
    "rep.timezone": "America/New_York",
}
HEADER = ("First Name,Last Name,Company Name,Phone Number,E-mail,Time Zone,Lead Temperature,"
          "Deal Value,Cadence,Referred By,Referrer Company,Appointment Time,Notes")
PEOPLE = {
    "megan": "Megan,Holloway,Brightwater Dental,(305) 555-0142,megan@brightwater.example,America/New_York,"
             "Warm,18500,three-step,,,2026-11-24 10:00,Missed our call",
    "ana": "Ana,Souza,Horizonte Engenharia,+55 11 91234-5678,ana@horizonte.example,America/Sao_Paulo,"
           "Warm,30000,voicemail-challenge,Tom Lee,Globex,,",
    "daniel": "Daniel,Okafor,Northgate Logistics,+1 312 555 0188,daniel@northgate.example,America/Chicago,"
              "Cold,9000,money-in-follow-up,,,,",
    "oliver": "Oliver,Bennett,Wessex Wealth,+44 20 7946 0958,oliver@wessex.example,Europe/London,"
              "Cold,,zero-to-ten,,,,",
    "grace": "Grace,Liu,Pacific Rim Imports,+1 415 555 0123,grace@pacificrim.example,America/Los_Angeles,"
             "Warm,12000,zero-to-ten,,,,",
}


def build_db(folder: Path, people: tuple[str, ...] = tuple(PEOPLE), *,
             imported_at: datetime = NOW - timedelta(hours=2), rep: dict[str, str] = REP) -> Path:
    """A database with the rep's profile ``rep`` and ``people`` imported at ``imported_at``."""
    return imported(folder, "\n".join([HEADER, *(PEOPLE[p] for p in people)]) + "\n",
                    imported_at=imported_at, rep=rep)


def imported(folder: Path, csv_text: str, *, imported_at: datetime = NOW - timedelta(hours=2),
             rep: dict[str, str] = REP) -> Path:
    """``folder/dialdeck.db``: the rep's profile ``rep``, and ``csv_text`` (a CRM export, its
    header first) imported at ``imported_at``."""
    path = folder / "dialdeck.db"
    csv_file = folder / "prospects.csv"
    csv_file.write_text(csv_text, encoding="utf-8")
    db = store.open_store(path)
    try:
        for key, value in rep.items():
            services.set_setting(db, key, value)
        services.import_csv(db, csv_file, now=imported_at, region="US")
    finally:
        db.close()
    return path


def with_db(path: Path, work) -> object:
    """Run ``work(db)`` on a connection of its own (fixture set-up outside the app)."""
    db = store.open_store(path)
    try:
        return work(db)
    finally:
        db.close()


def prospect_id(path: Path, first_name: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id FROM prospects WHERE first_name = ?", [first_name]).fetchone()[0]


def test_app(path: Path, now: datetime = NOW, theme: str | None = "textual-dark", **options) -> DialdeckApp:
    """A fresh app on ``path`` with the fixed clock, no blinking cursor, no animation.

    ``options`` go to ``make_app`` as they are (``open_mail``, ``new_database``...); the mail
    opener is always a fake here, so no test ever starts the machine's mail client.
    """
    options.setdefault("open_mail", no_mail_client)
    return make_app(path, clock=fixed_clock(now), theme=theme, refresh_seconds=3600,
                    animation_level="none", cursor_blink=False, **options)


def no_mail_client(url: str) -> MailResult:
    """What ``m`` finds over SSH: nothing can open."""
    return MailResult(False, why="you are connected over SSH, so no mail client can open from here")


test_app.__test__ = False  # a factory, not a test


@contextlib.asynccontextmanager
async def running(app: DialdeckApp, size: tuple[int, int] = SIZE, *, notifications: bool = False,
                  message_hook: Callable[[Message], None] | None = None) -> AsyncIterator[Pilot]:
    """``app`` running headless at ``size``, its first page and card on the screen: the start of
    every Pilot test, so a test states only what differs (its data, clock, size, what it records).
    ``notifications`` draws the toasts; ``message_hook`` sees every message (``Messages``)."""
    async with app.run_test(size=size, notifications=notifications, message_hook=message_hook) as pilot:
        await settle(pilot)
        yield pilot


@contextlib.asynccontextmanager
async def started(path: Path, now: datetime = NOW, *, size: tuple[int, int] = SIZE, notifications: bool = False,
                  message_hook: Callable[[Message], None] | None = None,
                  **options) -> AsyncIterator[tuple[DialdeckApp, Pilot]]:
    """``test_app(path, now, **options)`` running as ``running`` starts it: ``(app, pilot)``."""
    app = test_app(path, now, **options)
    async with running(app, size, notifications=notifications, message_hook=message_hook) as pilot:
        yield app, pilot


@dataclass(frozen=True)
class Toasted:
    """A toast the app was asked to show."""

    message: str
    title: str
    severity: str
    timeout: float | None


def record_toasts(app: App) -> list[Toasted]:
    """Every toast ``app`` is asked to show from now on (each is still shown as usual)."""
    shown: list[Toasted] = []
    notify = app.notify

    def recording(message: str, *, title: str = "", severity="information", timeout: float | None = None,
                  markup: bool = True) -> None:
        shown.append(Toasted(str(message), title, severity, timeout))
        notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    app.notify = recording  # type: ignore[method-assign]
    return shown


class Messages:
    """The messages an app handles, in order: ``app.run_test(message_hook=messages)``."""

    def __init__(self) -> None:
        self.seen: list[Message] = []

    def __call__(self, message: Message) -> None:
        self.seen.append(message)

    def of(self, kind: type[Message]) -> list:
        return [message for message in self.seen if isinstance(message, kind)]

    async def wait_for(self, kind: type[Message], count: int = 1, timeout: float = 10.0) -> list:
        """Until ``count`` messages of ``kind`` have been seen: they are the answer a test waits on."""
        async with asyncio.timeout(timeout):
            while len(self.of(kind)) < count:
                await asyncio.sleep(0.005)
        return self.of(kind)


async def settle(pilot: Pilot) -> None:
    """Wait until no database job is in flight and the screen has caught up.

    Not ``workers.wait_for_complete()``: a worker waiting on an open dialog never completes
    until the dialog is answered. A job can start another (a note, then a reload): a few rounds.
    A key's desk comes without its counts, read a moment after its card is drawn: waited for too.
    """
    for _ in range(4):
        await pilot.pause()
        while pilot.app.gateway.busy or getattr(pilot.app.screen, "figures_pending", False):
            await asyncio.sleep(0.005)
    await pilot.pause()


async def press(pilot: Pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def after_pressing(*keys: str) -> Callable[[Pilot], Awaitable[None]]:
    """A snapshot's ``run_before``: the first card up, then ``keys`` pressed, each settled."""
    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        await press(pilot, *keys)

    return run


def attempts(path: Path) -> list[dict]:
    """The attempts table as a fresh connection sees it (what is really on disk)."""
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute("SELECT * FROM attempts ORDER BY id")]


def enrollments(path: Path, pid: int) -> list[dict]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(
            "SELECT * FROM enrollments WHERE prospect_id = ? ORDER BY id", [pid])]
