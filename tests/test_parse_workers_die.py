"""A big import's parse workers never outlive it.

From issue 7: "`kill -9` of a large import leaves its parse workers alive, holding the database
and the caller's pipes: they must exit with their parent."
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dialdeck import parallel_parse

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists() or parallel_parse.worker_count(0, 2) == 0,
                                reason="needs fork and /proc")

ROWS = 150_000  # about 7 MB: parsed in worker processes, and long enough to kill mid-way


def big_csv(path: Path) -> Path:
    lines = ["First Name,Last Name,Phone Number,Time Zone"]
    lines += [f"Ann{i},Lee,+1 212 {200 + i // 10_000:03d} {i % 10_000:04d},America/New_York" for i in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie (dead, not yet reaped by whoever adopted it) is not alive."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_kill_9_of_a_large_import_takes_its_workers_and_frees_the_callers_pipes(tmp_path: Path) -> None:
    source = big_csv(tmp_path / "big.csv")
    db = tmp_path / "rep.db"
    importing = subprocess.Popen(
        [sys.executable, "-m", "dialdeck", "--db", str(db), "import", str(source), "--at", "2026-11-23T08:00"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "DIALDECK_CADENCES": "/nonexistent-user-cadences"})
    workers: list[int] = []
    try:
        assert wait_for(lambda: len(children(importing.pid)) >= 2, timeout=60), "no parse workers started"
        workers = children(importing.pid)
        # While it imports, a reader is not kept waiting for the write lock.
        due = subprocess.run([sys.executable, "-m", "dialdeck", "--db", str(db), "due", "--at", "2026-11-23T10:00"],
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "DIALDECK_CADENCES": "/nonexistent-user-cadences"})
        assert due.returncode == 0, due.stderr
        assert importing.poll() is None, "the import ended before it could be killed: make the file bigger"
        os.kill(importing.pid, signal.SIGKILL)
        # The caller's pipes reach end-of-file: no worker holds them open any more.
        importing.communicate(timeout=10)
        assert wait_for(lambda: not any(alive(pid) for pid in workers), timeout=5), \
            f"workers still alive: {[pid for pid in workers if alive(pid)]}"
    finally:
        _stop(importing, workers)


def _stop(process: subprocess.Popen, workers: list[int]) -> None:
    """Whatever the test found, leave no process of its own behind."""
    if process.poll() is None:
        process.kill()
    for pid in workers:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    process.communicate(timeout=10)


# Without the kernel's help (not Linux): the worker's own watch on its parent must do it.
WATCH_ONLY = textwrap.dedent("""
    import os, sys, time, types
    from dialdeck import parallel_parse
    parallel_parse.sys = types.SimpleNamespace(platform="darwin")  # skip PR_SET_PDEATHSIG

    def slow(line, cells):
        time.sleep(60)
        return []

    blocks = parallel_parse.parsed_blocks(slow, ((n, []) for n in range(100)), workers=2, block_rows=1)
    next(blocks)
""")


def test_a_worker_notices_its_parent_is_gone_without_the_kernels_help(tmp_path: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", WATCH_ONLY], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: list[int] = []
    try:
        assert wait_for(lambda: len(children(parent.pid)) >= 2, timeout=30)
        workers = children(parent.pid)
        time.sleep(0.5)  # the workers are parsing (sleeping) now
        os.kill(parent.pid, signal.SIGKILL)
        parent.communicate(timeout=10)
        assert wait_for(lambda: not any(alive(pid) for pid in workers),
                        timeout=parallel_parse.PARENT_CHECK_S * 4 + 2)
    finally:
        _stop(parent, workers)
