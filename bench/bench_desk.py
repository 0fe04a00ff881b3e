"""The database half of a keypress, at every size: ``gateway.log_and_load`` without the screen.

One outcome key in the app is one job on the DB thread: write the outcome, then read the
next desk (a page of the queue, the queue summary, the next card, the session figures). This
times that job alone, so a slow keypress can be split into database and drawing, and so the
1M case is measured where the in-app benchmark (run at 100k) is not. No raw baseline: it is
several statements; the due and log benchmarks give the raw figures of its two main parts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bench_log import outcome_for
from common import NOW, TERMINAL, Latency

from dialdeck import services, store
from dialdeck.tui import gateway as jobs
from dialdeck.tui.widgets.due_calls import page_size


@dataclass(frozen=True)
class DeskResult:
    latency: Latency  # the whole job
    summary: Latency  # services.queue_summary alone, within it


def measure(db_file: Path, iterations: int) -> DeskResult:
    """Mutates ``db_file``: give it a scratch copy."""
    db = store.open_store(db_file)
    try:
        session = services.start_session(db, NOW)
        page = page_size(TERMINAL[1])  # the page the session reads on the keypress benchmark's terminal
        desk = jobs.load_desk(db, NOW, session, page=page)
        samples, summaries = [], []
        for i in range(iterations + 3):
            if desk.card is None:
                break
            at = NOW + timedelta(seconds=20 * i)
            outcome = outcome_for(desk.card.script.action, i)
            began = time.perf_counter()
            _result, desk = jobs.log_and_load(db, desk.card.prospect.id, outcome, at, session, page=page)
            samples.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            services.queue_summary(db, at)
            summaries.append((time.perf_counter() - began) * 1000)
        return DeskResult(latency=Latency(tuple(samples[3:])), summary=Latency(tuple(summaries[3:])))
    finally:
        db.close()
