"""The installed wheel carries what the app needs at run time: styles, sample data, cadences."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("dialdeck-*.whl")
    return built


def test_wheel_contains_runtime_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "dialdeck/sample_data/prospects.csv" in names
    assert any(n.startswith("dialdeck/styles/") and n.endswith(".tcss") for n in names)
    for cadence in ("three-step", "money-in-follow-up", "follow-up-series", "voicemail-challenge", "zero-to-ten"):
        assert f"dialdeck/cadences/{cadence}.toml" in names
    assert "dialdeck/data/calling_hours.toml" in names


def test_installed_wheel_builds_demo_and_starts_headless(wheel: Path, tmp_path: Path) -> None:
    """Install the wheel alone into a folder that shadows the source tree, then run it."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    script = (
        "import asyncio, dialdeck, sys\n"
        "from datetime import datetime, timezone\n"
        "from pathlib import Path\n"
        "assert str(Path(dialdeck.__file__)).startswith(sys.argv[1]), dialdeck.__file__\n"
        "from dialdeck import paths\n"
        "for name in ('styles', 'sample_data'):\n"
        "    assert paths.resource(name) == Path(sys.argv[1]) / 'dialdeck' / name, paths.resource(name)\n"
        "from dialdeck.clock import fixed_clock\n"
        "from dialdeck.demo import build_demo\n"
        "from dialdeck.tui.app import make_app\n"
        "now = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)\n"
        "db = build_demo(Path(sys.argv[2]), now)\n"
        "async def main():\n"
        "    app = make_app(db, clock=fixed_clock(now))\n"
        "    async with app.run_test(size=(100, 30)) as pilot:\n"
        "        await pilot.pause()\n"
        "        await app.workers.wait_for_complete()\n"
        "        await pilot.pause()\n"
        "        print('screen', type(app.screen).__name__)\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(target), str(tmp_path / "demo.db")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "screen" in result.stdout
