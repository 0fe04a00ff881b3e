"""The keypress's raw baseline: the same visible job in a bare Textual app over raw sqlite3.

A key logs the top prospect (``baselines.raw_log``: one durable transaction) and reads the
next page (``baselines.raw_due``, as long as dialdeck's page at 120x40) and that prospect's
row and attempts on a database thread of its own, then shows them: a list of two lines a
prospect, a card and a script in bordered panes of the size dialdeck's have at 120x40, and a
status line. No cadences, scripts, guards, phrases or history: what Textual and SQLite cost
for that screen, on this machine, at this moment.

It runs in the same process as the real keypress benchmark and is timed the same way (the key
posted as the terminal driver posts it, until the refreshed screen holds the answer), so the
ratio between the two holds across machines and their moods, where each figure alone does not.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from baselines import raw_due, raw_log
from bench_due import raw_args
from bench_keypress import timed_key
from common import NOW, TERMINAL, Latency
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget

from dialdeck import store
from dialdeck.clock import to_iso
from dialdeck.tui.widgets.due_calls import page_size

CSS = """
#list { width: 46; border: round $primary; }
#card { height: 12; border: round $secondary; padding: 0 1; }
#script { height: 1fr; border: round $accent; padding: 0 1; }
#status { height: 1; padding: 0 1; }
#keys { height: 3; }
"""
SCRIPT = ("Hi {name}, it's Jordan from Brightline Analytics. I'm calling about the dashboards we talked "
          "about; I'll try you again tomorrow at 10 a.m., or reach me at +1 212 555 0142. ") * 3


class Pane(Widget):
    """Shows the text it is given: a refresh, never a layout."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.text = Content("")

    def show(self, text: str) -> None:
        self.text = Content(text)
        self.refresh()

    def render(self) -> Content:
        return self.text


class RawDesk(App):
    CSS = CSS

    def __init__(self, db_file: Path, raw_args: tuple) -> None:
        super().__init__()
        self._db_file, self._raw_args = db_file, raw_args
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._conn: sqlite3.Connection | None = None
        self.page: list[tuple] = []
        self.shown: asyncio.Event = asyncio.Event()
        self.keys = 0

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Pane(id="list")
            with Vertical():
                yield Pane(id="card")
                yield Pane(id="script")
        yield Pane(id="status")
        yield Pane(id="keys")

    def on_mount(self) -> None:
        self.query_one("#keys", Pane).show("n no answer   v voicemail   c connected   b busy   s snooze   q quit")

    def run_job(self, job, *args) -> asyncio.Future:
        return asyncio.wrap_future(self._thread.submit(job, *args))

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = sqlite3.connect(self._db_file, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
        return self._conn

    def load(self) -> tuple[list[tuple], tuple, list[tuple]]:
        """The page, and the first prospect's row and attempts (on the database thread)."""
        conn = self._connect()
        page = raw_due(conn, *self._raw_args, limit=page_size(TERMINAL[1]))  # the page dialdeck reads there
        prospect = conn.execute("SELECT * FROM prospects WHERE id = ?", [page[0][1]]).fetchone()
        attempts = conn.execute("SELECT * FROM attempts WHERE prospect_id = ? ORDER BY at, id",
                                [page[0][1]]).fetchall()
        return page, prospect, attempts

    def log_and_load(self, enrollment_id: int, prospect_id: int, at: str) -> tuple:
        raw_log(self._connect(), enrollment_id, prospect_id, at, to_iso(NOW + timedelta(days=30)))
        return self.load()

    def on_key(self, event: events.Key) -> None:
        top = self.page[0]
        self.keys += 1
        at = to_iso(NOW + timedelta(seconds=self.keys))
        self.run_job(self.log_and_load, top[0], top[1], at).add_done_callback(
            lambda done: self.show_desk(*done.result()))

    def show_desk(self, page: list[tuple], prospect: tuple, attempts: list[tuple]) -> None:
        self.page = page
        rows = []
        for _id, _pid, first, last, company, _phone, _zone, cadence, step, due, _pin, temperature, _v in page:
            rows.append(f"{due[11:16]} {first} {last}  {due[:10]}")
            rows.append(f"  {'●' if temperature == 'warm' else '○'}  {cadence} {step + 1} · {company or ''}")
        self.query_one("#list", Pane).show("\n".join(rows))
        first, last, company, phone = page[0][2], page[0][3], page[0][4], page[0][5]
        card = [f"{first} {last} · {company or ''}", f"{phone} · {page[0][6]}",
                f"{len(attempts)} attempts", *(f"{a[8]} {a[6]} {a[7]}" for a in attempts[-6:])]
        self.query_one("#card", Pane).show("\n".join(card))
        self.query_one("#script", Pane).show("VOICEMAIL TO LEAVE\n" + SCRIPT.format(name=first)
                                             + "\n\nIF THEY PICK UP\n" + SCRIPT.format(name=first))
        self.query_one("#status", Pane).show(f"{first} {last}: logged · {len(prospect)} fields")
        self.shown.set()

    def close(self) -> None:
        self._thread.submit(lambda: self._conn and self._conn.close()).result()
        self._thread.shutdown()


def measure(db_file: Path, presses: int, *, pace_s: float = 0.0) -> Latency:
    """Mutates ``db_file``: give it a scratch copy."""
    return asyncio.run(_measure(db_file, presses, pace_s))


async def _measure(db_file: Path, presses: int, pace_s: float) -> Latency:
    db = store.open_store(db_file)  # dialdeck's own migrations and calling windows, outside the timing
    try:
        windows = raw_args(db, NOW)
    finally:
        db.close()
    app = RawDesk(db_file, windows)
    try:
        async with app.run_test(size=TERMINAL) as pilot:
            app.show_desk(*await app.run_job(app.load))
            await pilot.pause()
            samples = []
            for _ in range(presses + 3):
                if len(app.page) < 2:
                    break  # a small data set has called everyone due: the next key would show no one
                if pace_s:
                    await asyncio.sleep(pace_s)
                app.shown.clear()
                samples.append(await timed_key(app, "n", app.shown))
    finally:
        app.close()
    return Latency(tuple(samples[3:]))
