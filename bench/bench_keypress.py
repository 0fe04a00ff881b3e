"""Keypress to next prospect on screen, in the real app (``make_app`` + ``run_test``).

The clock runs from ``NOW`` at real speed. For each sample the rep's key for the card on
screen (a call: voicemail, no answer or busy; an email: sent; a task: done) is posted to the
app as the terminal driver would post it, and the time runs until the session screen holds
a new desk *and* the screen has been refreshed with it (``call_after_refresh``): the card
the rep reads is the next prospect's.

``Pilot.press`` is not used for the timing: it waits for the process to go idle (at least
20 ms per key), which would measure Pilot, not dialdeck.

``pace_s``: how long the rep looks at the new card before the next key. Textual redraws at
most once a frame (60 a second), on a clock of its own: a key pressed right after a redraw
has its card drawn at the next frame at the earliest, so keys pressed back to back
(``pace_s=0``) measure at least one frame (16.7 ms) whatever the work. A pause of one frame
or more (a rep reads the card for seconds) measures the key's own time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from common import NOW, TERMINAL, Latency
from textual import events

from dialdeck.tui.app import make_app

KEYS = {"call": ("v", "n", "v", "b"), "email": ("e",), "social": ("e",), "task": ("e",)}
TIMEOUT_S = 10.0
FRAME_S = 1 / 60  # Textual's redraw period (MAX_FPS 60)


@dataclass(frozen=True)
class KeypressResult:
    latency: Latency
    first_card_s: float  # from run_test entering to the first card shown (in-process)
    distinct: int  # different prospects brought up (the loop really moved on)


def running_clock(start: datetime) -> Callable[[], datetime]:
    """``start``, advancing with real time: the session lives through the benchmark."""
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


def measure(db_file: Path, presses: int, *, pace_s: float = 0.0) -> KeypressResult:
    """Mutates ``db_file``: give it a scratch copy."""
    return asyncio.run(_measure(db_file, presses, pace_s))


async def _measure(db_file: Path, presses: int, pace_s: float) -> KeypressResult:
    app = make_app(db_file, clock=running_clock(NOW), animation_level="none", refresh_seconds=3600,
                   cursor_blink=False)
    async with app.run_test(size=TERMINAL) as pilot:
        began = time.perf_counter()
        screen = await _first_card(app)
        first_card_s = time.perf_counter() - began
        await pilot.pause()
        samples, seen = [], set()
        for i in range(presses + 3):
            card = screen.card
            if card is None:
                break
            seen.add(card.prospect.id)
            key = KEYS[card.script.action][i % len(KEYS[card.script.action])]
            if key == "v" and card.script.voicemail is None:
                key = "n"  # no message scripted: the rep hangs up (v would ask first)
            if pace_s:
                await asyncio.sleep(pace_s)  # the rep reads the card
            samples.append(await _one_press(app, screen, key))
        await app.workers.wait_for_complete()
    return KeypressResult(latency=Latency(tuple(samples[3:])), first_card_s=first_card_s, distinct=len(seen))


async def _first_card(app):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        screen = app.screen
        if getattr(screen, "card", None) is not None:
            return screen
        await asyncio.sleep(0.005)
    raise RuntimeError("the session screen showed no card within 60 s")


async def _one_press(app, screen, key: str) -> float:
    """Milliseconds from posting ``key`` to the refreshed screen holding the next desk."""
    shown = asyncio.Event()
    show_desk = screen.show_desk

    def show_and_signal(desk) -> None:  # the screen's own method, then a signal: no polling
        show_desk(desk)
        shown.set()

    screen.show_desk = show_and_signal
    try:
        return await timed_key(app, key, shown)
    finally:
        del screen.show_desk


async def timed_key(app, key: str, shown: asyncio.Event) -> float:
    """Milliseconds from posting ``key`` as the terminal driver would, to ``shown`` being set
    (the answer is on the screen's widgets) and the screen refreshed with it. Shared with the
    raw baseline, so both are timed alike."""
    refreshed = asyncio.Event()
    began = time.perf_counter()
    app.post_message(events.Key(key, key))
    try:
        await asyncio.wait_for(shown.wait(), TIMEOUT_S)
    except TimeoutError:
        raise RuntimeError(f"key {key!r} brought no new desk within {TIMEOUT_S} s") from None
    app.screen.query_one("#card").call_after_refresh(refreshed.set)
    await refreshed.wait()
    return (time.perf_counter() - began) * 1000
