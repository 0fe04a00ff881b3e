"""The dialdeck App: a thin shell given its database path, clock and theme.

``make_app`` is the one factory the CLI and the tests use; ``run_session`` runs it in the
terminal and returns the exit status. The app owns the ``Gateway`` (the single DB thread)
and closes it on the way out.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.timer import Timer
from textual.types import AnimationLevel

from dialdeck import services
from dialdeck.clock import Clock, system_clock
from dialdeck.dialers import CallHandle, Dialer, make_dialer
from dialdeck.dialers.base import Monotonic
from dialdeck.errors import DialdeckError
from dialdeck.models import Rep
from dialdeck.paths import styles_dir
from dialdeck.tui.calls import POWER_COUNTDOWN
from dialdeck.tui.commands import ProspectSearch
from dialdeck.tui.gateway import Gateway
from dialdeck.tui.mail import MailResult, open_mailto
from dialdeck.tui.screens.error import ErrorScreen
from dialdeck.tui.screens.session import SessionScreen
from dialdeck.tui.widgets.due_calls import page_size

STYLESHEETS = ("app.tcss", "session.tcss", "dialogs.tcss")
DEFAULT_THEME = "textual-dark"
QUIET_AFTER_CARD = 0.25  # seconds with a new card on screen before the garbage collector runs

MailOpener = Callable[[str], MailResult]
DialerFactory = Callable[..., Dialer]  # dialers.make_dialer's signature (tests pass a fake)


class DialdeckApp(App[int]):
    TITLE = "dialdeck"
    COMMANDS = App.COMMANDS | {ProspectSearch}
    COMMAND_PALETTE_BINDING = "ctrl+p"

    def __init__(self, db_path: Path, *, clock: Clock, theme: str, refresh_seconds: float,
                 session_label: str | None = None, animation_level: AnimationLevel | None = None,
                 cursor_blink: bool = True, start_notice: str | None = None,
                 new_database: Path | None = None, open_mail: MailOpener = open_mailto,
                 rep: Rep | None = None, dialer: str | None = None, dialer_factory: DialerFactory = make_dialer,
                 monotonic: Monotonic = time.monotonic, power_countdown: int = POWER_COUNTDOWN) -> None:
        super().__init__(css_path=[styles_dir() / name for name in STYLESHEETS])
        self.clock = clock
        self.refresh_seconds = refresh_seconds
        self.cursor_blink = cursor_blink  # dialogs with a text field read it (snapshots turn it off)
        if animation_level is not None:
            self.animation_level = animation_level
        self.rep = rep  # who this session works as (None: the database's only rep)
        # Each desk reads the rows this terminal can show (and a few more), as tall as it is now.
        self.gateway = Gateway(db_path, rep, page=lambda: page_size(self.size.height))
        self.start_notice = start_notice  # said in the status line as the session opens
        self.new_database = new_database  # this session created its database here (empty)
        self.open_mail = open_mail  # blocking: the session runs it off the UI thread
        self.dialer_backend = dialer  # --dialer: this session's back-end (None: the dial.backend setting)
        self.dialer_factory = dialer_factory
        self.dialer: Dialer | None = None  # made as the session opens (tui/screens/calling.py)
        self.calls: list[CallHandle] = []  # every call placed: hung up on the way out
        self.monotonic = monotonic  # the call timer's clock
        self.power_countdown = power_countdown  # seconds before power mode dials
        self._theme_name = theme if theme in self.available_themes else DEFAULT_THEME
        self._theme_shown = False
        self._heap_frozen = False
        self._collect_later: Timer | None = None
        if session_label:
            self.sub_title = session_label

    def on_mount(self) -> None:
        self.theme = self._theme_name
        self._theme_shown = True
        self.push_screen(SessionScreen())

    def watch_theme(self, theme: str) -> None:
        """The rep picked a theme (command palette, "Change theme"): keep it for the next start."""
        if self._theme_shown and theme != self._theme_name:
            self._theme_name = theme
            self.run_worker(self._remember_theme(theme), group="theme", exclusive=True)

    async def _remember_theme(self, theme: str) -> None:
        try:
            await self.gateway.call(services.remember_theme, theme)
        except DialdeckError as error:  # a theme not kept costs nothing else
            self.notify(f"The theme will not be remembered: {error}", severity="warning", markup=False)

    def on_unmount(self) -> None:
        self.end_calls()
        self.gateway.close()
        gc.enable()  # the process may go on (tests, the CLI)
        if self._heap_frozen:
            gc.unfreeze()  # back to the collector: the process may go on (tests, the CLI)

    def end_calls(self) -> None:
        """Leaving: hang up every call still on (a voicemail still playing too), close the back-end."""
        for screen in self.screen_stack:
            if isinstance(screen, SessionScreen):
                screen.end_recording()
        for handle in self.calls:
            if handle.result is None:
                try:
                    handle.hang_up()
                except DialdeckError:  # already gone: nothing left to end
                    pass
        if self.dialer is not None:
            self.dialer.close()
            self.dialer = None

    def freeze_heap(self) -> None:
        """Once the first card is up: keep what start-up built out of every later collection.

        Each key makes thousands of short-lived objects, so every few keys Python runs a full
        collection, and a full one walks every object alive (modules, styles, widgets): tens
        of milliseconds in the middle of a keypress. Frozen objects are never walked.
        """
        if not self._heap_frozen:
            self._heap_frozen = True
            gc.collect()  # start-up's garbage goes first, not into the frozen set
            gc.freeze()

    def hold_collector(self) -> None:
        """A key is on its way to the next card: no garbage collection until the card is drawn.

        Even with the start-up heap frozen, every few keys a full collection of what the session
        built since landed in the middle of a keypress (the slowest keys measured). Reference
        counting still frees nearly everything at once; cycles wait for the quiet that follows.
        """
        if self._collect_later is not None:
            self._collect_later.stop()
            self._collect_later = None
        gc.disable()

    def release_collector(self) -> None:
        """The card is drawn: collect once the rep has had it on screen a moment (keys pressed
        before then hold the collector again, so a burst of keys is never interrupted)."""
        if self._collect_later is None:
            self._collect_later = self.set_timer(QUIET_AFTER_CARD, self._collect)

    def _collect(self) -> None:
        self._collect_later = None
        gc.enable()
        gc.collect()

    def fatal(self, message: str) -> None:
        """A database problem the session cannot continue past: say it, then exit 1 on a key."""
        self.push_screen(ErrorScreen(message))

    def show_prospect(self, prospect_id: int) -> None:
        """From search: put this prospect on the session screen."""
        for screen in self.screen_stack:
            if isinstance(screen, SessionScreen):
                screen.pick(prospect_id)


def saved_theme(db_path: Path, rep: Rep | None = None) -> str | None:
    """The theme kept in the database, read before the app starts (None: none, or unreadable;
    the session itself then reports what is wrong with the database)."""
    if not Path(db_path).exists():
        return None
    try:
        db = services.open_reader(db_path)
    except DialdeckError:
        return None
    try:
        return services.saved_theme(db, rep=rep)
    except DialdeckError:
        return None
    finally:
        db.close()


def make_app(db_path: Path | str, *, clock: Clock = system_clock, theme: str | None = None,
             refresh_seconds: float = 30.0, session_label: str | None = None,
             animation_level: AnimationLevel | None = None, cursor_blink: bool = True,
             start_notice: str | None = None, new_database: Path | None = None,
             open_mail: MailOpener = open_mailto, rep: Rep | None = None, dialer: str | None = None,
             dialer_factory: DialerFactory = make_dialer, monotonic: Monotonic = time.monotonic,
             power_countdown: int = POWER_COUNTDOWN) -> DialdeckApp:
    """The app on ``db_path``; tests pass a fixed clock, ``animation_level="none"`` and no blink.

    ``theme`` None: the theme the rep last picked (kept in the database), else textual-dark.
    ``rep``: who the session works as (``services.select_rep``); None: the database's only rep.
    ``dialer``: the back-end for this session (``--dialer``); None: the ``dial.backend`` setting.
    """
    chosen = theme or saved_theme(Path(db_path), rep) or DEFAULT_THEME
    return DialdeckApp(Path(db_path), clock=clock, theme=chosen, refresh_seconds=refresh_seconds,
                       session_label=session_label, animation_level=animation_level,
                       cursor_blink=cursor_blink, start_notice=start_notice, new_database=new_database,
                       open_mail=open_mail, rep=rep, dialer=dialer, dialer_factory=dialer_factory,
                       monotonic=monotonic, power_countdown=power_countdown)


def run_session(db_path: Path | str, *, clock: Clock = system_clock, session_label: str | None = None,
                start_notice: str | None = None, new_database: Path | None = None,
                rep: Rep | None = None, dialer: str | None = None) -> int:
    """Run a calling session in this terminal; the process exit status."""
    app = make_app(db_path, clock=clock, session_label=session_label, start_notice=start_notice,
                   new_database=new_database, rep=rep, dialer=dialer)
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)
