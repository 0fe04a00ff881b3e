"""Where dialdeck keeps things. Computed on call, never at import time."""

from __future__ import annotations

import functools
import os
from importlib.resources import files
from pathlib import Path

import platformdirs

APP = "dialdeck"


def default_db_path() -> Path:
    """``DIALDECK_DB`` if set, else the user's data directory."""
    env = os.environ.get("DIALDECK_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP)) / "dialdeck.db"


def user_cadence_dir() -> Path:
    """User cadences: ``DIALDECK_CADENCES`` if set, else ``<config dir>/cadences``."""
    env = os.environ.get("DIALDECK_CADENCES")
    if env:
        return Path(env).expanduser()
    return _user_config_dir() / "cadences"


# The two below are asked on every services.library() call (each outcome, page and card) and
# cannot change while the process runs; the environment variables above are still read each time.
@functools.cache
def _user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP))


@functools.cache
def package_dir() -> Path:
    return Path(str(files("dialdeck")))


def _resource(name: str) -> Path:
    """A top-level resource folder: inside the installed wheel, or the source checkout's."""
    inside = package_dir() / name
    if inside.is_dir():
        return inside
    return package_dir().parents[1] / name


def styles_dir() -> Path:
    return _resource("styles")


def sample_data_dir() -> Path:
    return _resource("sample_data")


def builtin_cadence_dir() -> Path:
    return package_dir() / "cadences"


def data_dir() -> Path:
    """Data shipped inside the package (calling-hour rules)."""
    return package_dir() / "data"
