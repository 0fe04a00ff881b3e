"""Import: rows per second of ``services.import_csv`` against the raw baseline, and peak memory.

Each size runs in a fresh child process (``python bench/bench_import.py CSV``), so its peak RSS
belongs to that import alone and can be compared across file sizes. In the child, dialdeck's
import runs first and its peak RSS is read before the baseline runs; then the baseline runs in
the same process, so the ratio compares the two under the same conditions.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import BENCH_DIR, NOW, current_rss_mb, peak_rss_mb


@dataclass(frozen=True)
class ImportResult:
    rows: int
    seconds: float
    baseline_seconds: float
    peak_rss_mb: float
    start_rss_mb: float  # after imports, before reading the file: what the import adds is the rest
    created: int
    warnings: int

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds

    @property
    def baseline_rows_per_s(self) -> float:
        return self.rows / self.baseline_seconds

    @property
    def ratio(self) -> float:
        """dialdeck's speed over the baseline's: 1.0 matches it, above 1 beats it."""
        return self.rows_per_s / self.baseline_rows_per_s


def measure(csv_file: Path, rows: int) -> ImportResult:
    """Run the import benchmark for ``csv_file`` in a child process."""
    done = subprocess.run([sys.executable, str(BENCH_DIR / "bench_import.py"), str(csv_file), str(rows)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"import benchmark failed for {csv_file}:\n{done.stderr.strip()}")
    return ImportResult(**json.loads(done.stdout.strip().splitlines()[-1]))


def _child(csv_file: Path, rows: int) -> dict:
    from baselines import raw_import

    from dialdeck import services, store

    services.library()  # the cadence files: read once per process, not part of any one import
    start_rss = current_rss_mb()
    with tempfile.TemporaryDirectory(prefix="dialdeck-bench-") as scratch:
        db = store.open_store(Path(scratch) / "import.db")
        began = time.perf_counter()
        report = services.import_csv(db, csv_file, now=NOW)
        seconds = time.perf_counter() - began
        db.close()
        peak = peak_rss_mb()
        began = time.perf_counter()
        written = raw_import(csv_file, Path(scratch) / "baseline.db")
        baseline_seconds = time.perf_counter() - began
    if report.created != rows or written != rows:
        raise SystemExit(f"expected {rows} rows; dialdeck created {report.created}, the baseline wrote {written}")
    return {"rows": rows, "seconds": seconds, "baseline_seconds": baseline_seconds, "peak_rss_mb": peak,
            "start_rss_mb": start_rss, "created": report.created, "warnings": len(report.warnings)}


if __name__ == "__main__":
    print(json.dumps(_child(Path(sys.argv[1]), int(sys.argv[2]))))
