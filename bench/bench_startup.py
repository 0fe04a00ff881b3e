"""Start-up to first screen: a fresh process, until the first prospect card is on screen.

The parent times from spawning ``python bench/bench_startup.py --probe DB`` to the probe's
"ready" line; the probe runs the real app headless (``App.run(headless=True)``, the terminal
driver swapped for the headless one, nothing else changed), and says "ready" once the session
screen holds its first card and the screen has been refreshed with it. It then reports its
peak RSS and exits. Interpreter start, imports, opening the database and the first queries
are all inside the figure.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from common import BENCH_DIR, NOW, peak_rss_mb

READY = "ready"
TIMEOUT_S = 60


@dataclass(frozen=True)
class StartupResult:
    seconds: tuple[float, ...]  # one per fresh process
    peak_rss_mb: float  # the largest peak among the runs

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def worst_s(self) -> float:
        return max(self.seconds)


def measure(db_file: Path, runs: int) -> StartupResult:
    seconds, peaks = [], []
    for _ in range(runs):
        elapsed, peak = _one_run(db_file)
        seconds.append(elapsed)
        peaks.append(peak)
    return StartupResult(seconds=tuple(seconds), peak_rss_mb=max(peaks))


def _one_run(db_file: Path) -> tuple[float, float]:
    began = time.perf_counter()
    probe = subprocess.Popen([sys.executable, str(BENCH_DIR / "bench_startup.py"), "--probe", str(db_file)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = probe.stdout.readline().strip()
        elapsed = time.perf_counter() - began
        rest, errors = probe.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        probe.kill()
        raise RuntimeError(f"the start-up probe on {db_file} did not finish within {TIMEOUT_S} s") from None
    if first != READY or probe.returncode != 0:
        raise RuntimeError(f"the start-up probe on {db_file} failed (exit {probe.returncode}):\n{errors.strip()}")
    return elapsed, json.loads(rest.strip().splitlines()[-1])["peak_rss_mb"]


# --- the probe (the child process) ------------------------------------------------------------

def _probe(db_file: Path) -> None:
    import asyncio

    from dialdeck.clock import fixed_clock
    from dialdeck.tui.app import make_app

    app = make_app(db_file, clock=fixed_clock(NOW), animation_level="none")

    async def until_first_card(pilot) -> None:
        deadline = asyncio.get_running_loop().time() + TIMEOUT_S / 2
        while getattr(app.screen, "card", None) is None:
            if asyncio.get_running_loop().time() > deadline:
                os.write(2, f"no card on screen after {TIMEOUT_S / 2:.0f} s: is anything due at {NOW}?\n".encode())
                app.exit(1)
                return
            await asyncio.sleep(0.002)
        refreshed = asyncio.Event()
        app.screen.query_one("#card").call_after_refresh(refreshed.set)
        await refreshed.wait()
        # Textual captures print() while the app runs: write to the pipe itself.
        os.write(1, f"{READY}\n".encode())
        app.exit(0)

    if app.run(headless=True, auto_pilot=until_first_card):
        sys.exit(1)
    os.write(1, (json.dumps({"peak_rss_mb": peak_rss_mb()}) + "\n").encode())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--probe":
        _probe(Path(sys.argv[2]))
    else:
        sys.exit("usage: bench_startup.py --probe DB (run.py starts it)")
