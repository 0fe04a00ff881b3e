"""The prospect card: who this is, where and when they are, and this cadence's attempts.

The card has a fixed height (styles/session.tcss): a card whose height followed its text
made Textual lay the whole screen out on most keys, twice (the second time a frame later),
which was most of the slowest keypresses. The details always show; the attempts fill the
rows left, newest first, and the heading says how many there are in all.
"""

from __future__ import annotations

import re
from datetime import datetime

from textual import events
from textual.content import Content
from textual.widget import Widget

from dialdeck.models import Attempt, CallCard
from dialdeck.tui.formatting import international, money, outcome_label, step_label, zone

NOTE_CHARS = 70  # the newest note, cut to about a line: the card must fit at 80x24
STAMP = re.compile(r"^\[[^\]]*\]\s*")  # add_note's "[2026-11-23 20:13 EST] " prefix


class ProspectCard(Widget):
    """Shows one ``CallCard``; knows nothing of where it came from."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._card: CallCard | None = None
        self._now: datetime | None = None
        self._rep_zone = "UTC"
        self._content: Content = self._build()

    def show(self, card: CallCard | None, now: datetime, rep_zone: str) -> None:
        self._card, self._now, self._rep_zone = card, now, rep_zone
        self.border_title = "Prospect"
        self._content = self._build()
        self.refresh()  # the same box, new text: no layout

    def on_resize(self, event: events.Resize) -> None:
        self._content = self._build()  # as many attempts as the new size has rows for
        self.refresh()

    def render(self) -> Content:
        return self._content

    def _build(self) -> Content:
        if self._card is None or self._now is None:
            return Content.styled("Pick a prospect from the due list.", "$text-muted")
        details = self._details(self._card, self._now)
        width, rows = self.content_size
        if width:
            rows -= sum(line.get_height(self.styles, width) for line in details)
        else:
            rows = 1  # not laid out yet: on_resize builds it again with the real size
        return Content("\n").join([*details, *self._attempts(self._card.attempts, rows, width)])

    def _details(self, card: CallCard, now: datetime) -> list[Content]:
        p = card.prospect
        return [
            self._identity(card),
            Content.assemble((international(p.phone_e164), "bold"), "  ", self._temperature(p.temperature),
                             "  value ", money(p.value)),
            self._local_time(card, now),
            *self._referral(card, now),
            *self._note(card.prospect.notes),
            self._cadence_line(card),
            *self._awaiting(card),
        ]

    @staticmethod
    def _cadence_line(card: CallCard) -> Content:
        e = card.enrollment
        # Calls are the norm: name the action only when it is an email, task or social touch.
        action = f" · {card.script.action}" if card.script.action != "call" else ""
        return Content.assemble(("Cadence ", "$text-muted"), step_label(e.cadence, e.step, e.steps_total),
                                action, ("  ◆ promise" if e.pinned else "", "$accent"),
                                ("  ! urgent" if card.prospect.urgent else "", "bold $warning"))

    @staticmethod
    def _awaiting(card: CallCard) -> list[Content]:
        if card.enrollment.status != "connected":
            return []
        # Short enough for the card at 80 columns; the script pane says which key to press.
        return [Content.styled("Connected — waiting for your disposition", "bold $warning")]

    def _identity(self, card: CallCard) -> Content:
        p = card.prospect
        parts = [(p.name, "bold $text")]
        if p.company:
            parts += [" · ", (p.company, "$text")]
        return Content.assemble(*parts)

    @staticmethod
    def _temperature(temperature: str) -> Content:
        if temperature == "warm":
            return Content.styled("● warm", "$warning")
        return Content.styled("○ cold", "$text-muted")

    def _local_time(self, card: CallCard, now: datetime) -> Content:
        p = card.prospect
        local = now.astimezone(zone(p.timezone))
        line = Content.assemble(("Their time ", "$text-muted"), (f"{local:%a %H:%M}", "bold"), f"  {p.timezone}")
        if p.tz_source == "rep":
            line = line.append(Content.styled("  ⚠ zone unknown: using yours", "bold $warning"))
        return line

    def _referral(self, card: CallCard, now: datetime) -> list[Content]:
        p = card.prospect
        lines = []
        if p.referrer:
            who = f"{p.referrer} ({p.referrer_company})" if p.referrer_company else p.referrer
            lines.append(Content.assemble(("Referred by ", "$text-muted"), who))
        if p.appointment_at is not None:
            local = p.appointment_at.astimezone(zone(p.timezone))
            lines.append(Content.assemble(("Appointment ", "$text-muted"), f"{local:%a %d %b %H:%M} their time"))
        return lines

    @staticmethod
    def _note(notes: str) -> list[Content]:
        """The newest note, so a note the rep just saved (t) is there on the card."""
        lines = [line for line in notes.splitlines() if line.strip()]
        if not lines:
            return []
        text = STAMP.sub("", lines[-1].strip())
        if len(text) > NOTE_CHARS:
            text = text[:NOTE_CHARS - 1].rstrip() + "…"
        return [Content.assemble(("Note ", "$text-muted"), (text, "italic"))]

    def _attempts(self, attempts: tuple[Attempt, ...], rows: int, width: int) -> list[Content]:
        """The heading, then the newest attempts that fit in ``rows`` (the heading always shows)."""
        if not attempts:
            return [Content.styled("No attempts yet in this cadence.", "$text-muted")]
        lines: list[Content] = []
        rows -= 1  # the heading's
        for attempt in reversed(attempts):
            line = self._attempt(attempt)
            rows -= line.get_height(self.styles, width) if width else 1
            if rows < 0:
                break
            lines.insert(0, line)
        head = f"Attempts ({len(attempts)})"
        if len(lines) < len(attempts):
            head += f", newest {len(lines)}" if lines else ": a taller window lists them"
        return [Content.styled(head, "$text-muted"), *lines]

    def _attempt(self, attempt: Attempt) -> Content:
        when = attempt.at.astimezone(zone(self._rep_zone))
        line = Content.assemble(f"  {when:%a %d %b %H:%M}  step {attempt.step}  ",
                                (outcome_label(attempt.outcome), "bold"))
        if attempt.note:
            line = line.append(Content.styled(f"  “{attempt.note}”", "italic $text-muted"))
        return line
