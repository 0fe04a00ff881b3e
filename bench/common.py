"""What every benchmark shares: the fixed instant, the output folder, sizes, timing and memory.

Benchmarks run against a fixed instant (``NOW``), not the wall clock, so the due queue and the
calling windows look the same on every run: a Tuesday afternoon in Europe and morning in the
Americas, while Asia-Pacific is closed.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
NOW = datetime(2026, 11, 24, 15, 30, tzinfo=timezone.utc)  # Tue 10:30 New York, 16:30 Berlin
SEED = 20261124
TERMINAL = (120, 40)  # the terminal the in-app benchmarks draw on (columns, lines)

_SUFFIXES = {"k": 1_000, "m": 1_000_000}


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1m' -> 1000000, '2500' -> 2500. Raises ValueError naming the text."""
    raw = text.strip().lower()
    try:
        if raw and raw[-1] in _SUFFIXES:
            return int(float(raw[:-1]) * _SUFFIXES[raw[-1]])
        return int(raw)
    except ValueError:
        raise ValueError(f"not a size: {text!r} (expected e.g. 10k, 100k, 1m)") from None


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def out_dir() -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUT_DIR


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB.

    On Linux, from /proc's VmHWM: ``getrusage``'s ru_maxrss survives fork and exec, so a child
    started by a large parent would report the parent's size as its own peak.
    """
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float:
    """Resident set size now (Linux /proc; falls back to the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError):
        return peak_rss_mb()


@dataclass(frozen=True)
class Latency:
    """Samples of one operation, in milliseconds."""

    samples: tuple[float, ...]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p99(self) -> float:
        return percentile(self.samples, 99)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples)


def percentile(samples, pct: float) -> float:
    """Nearest-rank percentile: with few samples the p99 is the worst one, never interpolated down."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def time_each(operation: Callable[[int], object], count: int, *, warmup: int = 3) -> Latency:
    """Run ``operation(i)`` ``count`` times after ``warmup`` untimed runs; per-call latency in ms."""
    for i in range(warmup):
        operation(-1 - i)
    samples = []
    for i in range(count):
        start = time.perf_counter()
        operation(i)
        samples.append((time.perf_counter() - start) * 1000)
    return Latency(tuple(samples))
