"""The session bar: who is calling, for how long, and how it is going.

``show`` takes the figures from each desk the screen loads; ``tick`` only moves the clock
(every second, from the app's clock), so the time on screen never lags by a refresh period.
"""

from __future__ import annotations

from datetime import datetime

from textual.content import Content
from textual.widget import Widget

from dialdeck.models import SessionStats, TeamToday
from dialdeck.phrases import day_clock, elapsed
from dialdeck.safe_text import one_line


class SessionBar(Widget):
    DEFAULT_CSS = """
    SessionBar { height: 1; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rep = ""
        self._rep_zone = "UTC"
        self._stats: SessionStats | None = None
        self._now: datetime | None = None
        self._team: TeamToday | None = None

    def show(self, rep: str, rep_zone: str, stats: SessionStats | None, now: datetime,
             team: TeamToday | None = None) -> None:
        """``team``: the whole team's figures today (None for a rep working alone)."""
        self._rep, self._rep_zone, self._stats, self._now, self._team = rep, rep_zone, stats, now, team
        self.refresh()

    def tick(self, now: datetime) -> None:
        """The clock moved: redraw only when a figure shown changes (about once a minute)."""
        if self._now is None:
            return  # nothing loaded yet: the bar still says it is opening the database
        before = self._moving(self._now)
        self._now = now
        if self._moving(now) != before:
            self.refresh()

    def _moving(self, now: datetime) -> tuple[str, ...]:
        """The parts of the bar that change with time alone."""
        shown = (day_clock(now, self._rep_zone),)
        if self._stats is None:
            return shown
        return (*shown, elapsed(self._stats.started_at, now), self._stats.shown_rate(now))

    def render(self) -> Content:
        if self._now is None:
            return Content.styled("dialdeck · opening the database…", "$text-muted")
        clock = self._moving(self._now)[0]
        parts: list[str | tuple[str, str]] = [
            ("dialdeck ", "bold $text-accent"), (one_line(self._rep), "bold"), f"  {clock}"]
        width = self.size.width
        if self._stats is not None and self._team is not None and width < 100:
            parts += self._beside_team(self._stats, self._team, self._now)
        elif self._stats is not None:
            parts += self._figures(self._stats, self._now, short=width < (140 if self._team else 100))
        if self._team is not None and (self._stats is None or width >= 100):
            t = self._team
            parts += [("  team today: ", "$text-muted"), f"dials {t.dials} · connects {t.connects}"]
        return Content.assemble(*parts)

    @staticmethod
    def _beside_team(s: SessionStats, team: TeamToday, now: datetime) -> list:
        """A narrow bar in a team: the session's time, then each figure beside the team's."""
        return [("  ", "$text-muted"), elapsed(s.started_at, now),
                ("  dials ", "$text-muted"), str(s.dials), (" · team ", "$text-muted"), str(team.dials),
                ("  connects ", "$text-muted"), str(s.connects), (" · team ", "$text-muted"), str(team.connects)]

    @staticmethod
    def _figures(s: SessionStats, now: datetime, *, short: bool) -> list:
        names = ("", "dials", "vm", "connects", "/h") if short else (
            "session", "dials", "voicemails", "connects", "per hour")
        values = (elapsed(s.started_at, now), str(s.dials), str(s.voicemails), str(s.connects),
                  s.shown_rate(now))
        parts: list = []
        for name, value in zip(names, values, strict=True):
            if name == "/h":
                parts += ["  ", value, ("/h", "$text-muted")]
            else:
                parts += [(f"  {name} " if name else "  ", "$text-muted"), value]
        return parts
