"""The prospect card: who this is, the number being dialled (and their others), where and when
they are, and this cadence's attempts.

The card has a fixed height (styles/session.tcss): a card whose height followed its text
made Textual lay the whole screen out on most keys, twice (the second time a frame later),
which was most of the slowest keypresses. The details always show; the newest notes come next
(one line each, up to NOTE_ROWS, fewer when the card is short); the attempts fill the rows
left, newest first, and each heading says how many there are in all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from textual import events
from textual.content import Content
from textual.css.styles import RulesMap

from dialdeck.models import Attempt, CallCard, ContactNumber, Note
from dialdeck.phones import format_with_extension
from dialdeck.phrases import dated_clock, day_clock, short_when
from dialdeck.safe_text import one_line
from dialdeck.tui.formatting import money, outcome_label, step_label
from dialdeck.tui.widgets.theme_colours import ThemeColoursOnly

NUMBER_LINES = 2  # the other numbers get at most two rows: the attempts keep theirs
NOTE_ROWS = 2  # the newest notes shown, one line each; `dialdeck history ID` lists them all
ATTEMPT_ROWS = 2  # rows the notes leave for the attempts (heading and the newest one)


class ProspectCard(ThemeColoursOnly):
    """Shows one ``CallCard``; knows nothing of where it came from."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._card: CallCard | None = None
        self._now: datetime | None = None
        self._rep_zone = "UTC"
        self._in_use = 0
        self._content: Content = self._build()
        self._drawn: Callable[[], Any] | None = None

    def show(self, card: CallCard | None, now: datetime, rep_zone: str, in_use: int = 0, *,
             drawn: Callable[[], Any] | None = None) -> None:
        """``in_use``: which of ``card.numbers`` the next attempt dials (0: their own).
        ``drawn``: called once, when the frame that draws this card is out."""
        self._card, self._now, self._rep_zone, self._in_use = card, now, rep_zone, in_use
        self._content = self._build()
        self._drawn = drawn
        self.refresh()  # the same box, new text: no layout

    def on_mount(self) -> None:
        self.border_title = "Prospect"  # once: setting it parses it as markup and repaints the card

    def on_resize(self, event: events.Resize) -> None:
        self._content = self._build()  # as many attempts as the new size has rows for
        self.refresh()

    @property
    def _style_rules(self) -> RulesMap:
        # Content.get_height documents taking a widget's styles as its rules; typed as RulesMap.
        return cast("RulesMap", self.styles)

    def render(self) -> Content:
        if self._drawn is not None:
            # Drawing happens inside the frame: the callback runs as this widget's next message.
            # (call_after_refresh may run before a frame that is still to come.)
            self.call_later(self._drawn)
            self._drawn = None
        return self._content

    def _build(self) -> Content:
        if self._card is None or self._now is None:
            return Content.styled("Pick a prospect from the due list.", "$text-muted")
        card = self._card
        position = [self._cadence_line(card), *self._awaiting(card)]
        width, rows = self.content_size
        details = self._details(card, self._now, width)
        if width:
            rows -= sum(self._height(line, width) for line in (*details, *position))
        else:
            rows = 1  # not laid out yet: on_resize builds it again with the real size
        notes = self._notes(card, max(min(NOTE_ROWS, rows - ATTEMPT_ROWS), 1), width)
        rows -= len(notes)
        return Content("\n").join([*details, *notes, *position, *self._attempts(card.attempts, rows, width)])

    def _height(self, line: Content, width: int) -> int:
        """The rows ``line`` takes at ``width``. A card line holds no newline or tab (its text
        is ``one_line``'d), so one that fits is one row: only a longer one is wrapped to count."""
        return 1 if line.cell_length <= width else line.get_height(self._style_rules, width)

    def _details(self, card: CallCard, now: datetime, width: int = 0) -> list[Content]:
        p = card.prospect
        return [
            self._identity(card),
            Content.assemble(*self._number_in_use(card), "  ", self._temperature(p.temperature),
                             "  value ", money(p.value)),
            *self._other_numbers(card, width),
            self._local_time(card, now),
            *self._blocked(card, now),
            *self._referral(card, now),
        ]

    def _numbers(self, card: CallCard) -> tuple[ContactNumber, ...]:
        p = card.prospect
        # A card built without its numbers (older callers) still shows the prospect's own.
        return card.numbers or (ContactNumber(p.phone_label, p.phone_e164, p.phone_ext, True, False),)

    def _number_in_use(self, card: CallCard) -> list:
        """The number the next attempt dials, with its extension, and its label unless plain 'phone'."""
        numbers = self._numbers(card)
        number = numbers[min(self._in_use, len(numbers) - 1)]
        parts: list = [(format_with_extension(number.e164, number.extension), "bold")]
        if number.label != "phone":
            parts.append((f" ({number.label})", "$text-muted"))
        return parts

    def _other_numbers(self, card: CallCard, width: int) -> list[Content]:
        """The prospect's other numbers, on at most NUMBER_LINES lines, wrapped between numbers
        (never inside one), "+1 more" for those that do not fit; x dials the next one. Those on
        the do-not-call list are struck through: they are never dialled."""
        numbers = self._numbers(card)
        if len(numbers) < 2:
            return []
        in_use = min(self._in_use, len(numbers) - 1)
        others = [number for index, number in enumerate(numbers) if index != in_use]
        lines: list[Content] = []
        line, on_line = Content.styled("Also", "$text-muted"), 0
        for shown, number in enumerate(others):
            item = self._other_number(number)
            while True:
                last = len(lines) == NUMBER_LINES - 1
                left = len(others) - shown - 1
                room = width - (len(f" · +{left} more") if left and last else 0)
                separator = " · " if on_line else "  "
                if not width or line.cell_length + len(separator) + item.cell_length <= room:
                    line, on_line = line.append(separator).append(item), on_line + 1
                    break
                if not last and on_line:
                    lines.append(line)
                    line, on_line = Content(" " * len("Also")), 0  # the next line lines up under the first
                    continue
                more = f"{' ·' if on_line else ''} +{len(others) - shown} more"
                return [*lines, line.append(Content.styled(more, "$text-muted"))]
        return [*lines, line]

    @staticmethod
    def _other_number(number: ContactNumber) -> Content:
        text = format_with_extension(number.e164, number.extension)
        if number.dnc:
            return Content.assemble((f"{number.label} ", "$text-muted"), (text, "$text-muted strike"),
                                    (" DNC", "$text-muted"))
        return Content.assemble((f"{number.label} ", "$text-muted"), text)

    @staticmethod
    def _cadence_line(card: CallCard) -> Content:
        e = card.enrollment
        # Calls are the norm: name the action only when it is an email, task or social touch.
        action = f" · {card.script.action}" if card.script.action != "call" else ""
        return Content.assemble(("Cadence ", "$text-muted"), one_line(step_label(e.cadence, e.step, e.steps_total)),
                                action, ("  ◆ promise" if e.pinned else "", "$text-accent"),
                                ("  ! urgent" if card.prospect.urgent else "", "bold $text-warning"))

    @staticmethod
    def _awaiting(card: CallCard) -> list[Content]:
        if card.enrollment.status != "connected":
            return []
        # Short enough for the card at 80 columns; the script pane says which key to press.
        return [Content.styled("Connected — waiting for your disposition", "bold $text-warning")]

    def _identity(self, card: CallCard) -> Content:
        p = card.prospect
        parts: list[str | tuple[str, str]] = [(one_line(p.name), "bold $text")]
        if p.company:
            parts += [" · ", (one_line(p.company), "$text")]
        return Content.assemble(*parts)

    @staticmethod
    def _temperature(temperature: str) -> Content:
        if temperature == "warm":
            return Content.styled("● warm", "$text-warning")
        return Content.styled("○ cold", "$text-muted")

    def _local_time(self, card: CallCard, now: datetime) -> Content:
        p = card.prospect
        line = Content.assemble(("Their time ", "$text-muted"), (day_clock(now, p.timezone), "bold"), f"  {p.timezone}")
        if p.tz_source == "rep":
            line = line.append(Content.styled("  ⚠ zone unknown: using yours", "bold $text-warning"))
        return line

    def _blocked(self, card: CallCard, now: datetime) -> list[Content]:
        """Why they may not be called now, and from when: the call keys are dimmed meanwhile.
        Short enough for the card at 80 columns ("⊘ Outside their hours 08:00-20:00 (US-FL)")."""
        verdict = card.verdict
        if verdict.allowed or card.enrollment.status != "active" or card.script.action != "call":
            return []
        headline = verdict.headline[:1].upper() + verdict.headline[1:]
        lines = [Content.styled(f"⊘ {headline}", "bold $text-error")]
        if verdict.callable_at is not None:
            theirs = short_when(verdict.callable_at, card.prospect.timezone, now)
            yours = short_when(verdict.callable_at, self._rep_zone, now)
            when = " their time" if theirs == yours else f" theirs · {yours} yours"
            lines.append(Content.assemble(("Callable ", "$text-muted"), (theirs, "bold"), when))
        return lines

    def _referral(self, card: CallCard, now: datetime) -> list[Content]:
        p = card.prospect
        lines = []
        if p.referrer:
            who = f"{p.referrer} ({p.referrer_company})" if p.referrer_company else p.referrer
            lines.append(Content.assemble(("Referred by ", "$text-muted"), one_line(who)))
        if p.appointment_at is not None:
            lines.append(Content.assemble(("Appointment ", "$text-muted"),
                                          f"{dated_clock(p.appointment_at, p.timezone)} their time"))
        return lines

    def _notes(self, card: CallCard, rows: int, width: int) -> list[Content]:
        """The newest notes, newest first, one line each; the label says how many there are."""
        shown = card.notes[:rows]
        if card.notes_total > len(shown):
            label = f"Notes ({card.notes_total}) "
        else:
            label = "Notes " if len(shown) > 1 else "Note "
        lines = []
        for index, note in enumerate(shown):
            line = Content.assemble((label if index == 0 else " " * len(label), "$text-muted"),
                                    *self._note_text(note))
            lines.append(line.truncate(width, ellipsis=True) if width else line)
        return lines

    def _note_text(self, note: Note) -> tuple:
        if note.source == "crm":
            when = ("CRM  ", "$text-muted")
        else:
            when = (f"{dated_clock(note.at, self._rep_zone, weekday=False)}  ", "$text-muted")
        # One line: a note typed or imported over several lines reads on, separated by " / ".
        text = one_line(" / ".join(part.strip() for part in note.text.splitlines() if part.strip()))
        return when, (text, "italic")

    def _attempts(self, attempts: tuple[Attempt, ...], rows: int, width: int) -> list[Content]:
        """The heading, then the newest attempts that fit in ``rows`` (the heading always shows)."""
        if not attempts:
            return [Content.styled("No attempts yet in this cadence.", "$text-muted")]
        lines: list[Content] = []
        rows -= 1  # the heading's
        for attempt in reversed(attempts):
            line = self._attempt(attempt)
            rows -= self._height(line, width) if width else 1
            if rows < 0:
                break
            lines.insert(0, line)
        head = f"Attempts ({len(attempts)})"
        if len(lines) < len(attempts):
            head += f", newest {len(lines)}" if lines else ": a taller window lists them"
        return [Content.styled(head, "$text-muted"), *lines]

    def _attempt(self, attempt: Attempt) -> Content:
        line = Content.assemble(f"  {dated_clock(attempt.at, self._rep_zone)}  step {attempt.step}  ",
                                (outcome_label(attempt.outcome), "bold"))
        if attempt.forced_reason:
            line = line.append(Content.styled(" forced", "$text-error"))
        if attempt.note:
            line = line.append(Content.styled(f"  “{one_line(attempt.note)}”", "italic $text-muted"))
        return line
