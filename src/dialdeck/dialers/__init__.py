"""Dial back-ends behind one small protocol (see base.py): manual, tel, command and sip.

    dialer = make_dialer(settings, clock=clock)          # or ManualDialer(), SipDialer(config)...
    call = dialer.dial(DialTarget("+14155550100", "123"), on_event)
    call.hang_up() / call.drop(Path("step3.wav")) / call.wait()
    dialer.close()

``on_event`` receives CallEvent values. The first one may come on the caller's thread before
``dial`` returns (``dialing``; the whole hand-off for ``manual``), the others come on the
back-end's own thread: wrap each in a message (Textual's ``post_message`` is thread-safe) and
never dial, drop or wait inside the callback. The event that ends the call carries the
CallResult. No module here imports Textual or touches the database.
"""

from __future__ import annotations

from .base import (
    ANSWERED,
    BUSY,
    FAILED,
    NO_ANSWER,
    RESULTS,
    CallEvent,
    CallHandle,
    CallResult,
    CallState,
    Dialer,
    DialerError,
    DialTarget,
    EventCallback,
    suggested_outcome,
)
from .config import BACKENDS, DEFAULTS, KEYS, make_dialer, normalize

__all__ = [
    "ANSWERED", "BACKENDS", "BUSY", "DEFAULTS", "FAILED", "KEYS", "NO_ANSWER", "RESULTS",
    "CallEvent", "CallHandle", "CallResult", "CallState", "DialTarget", "Dialer", "DialerError",
    "EventCallback", "make_dialer", "normalize", "suggested_outcome",
]
