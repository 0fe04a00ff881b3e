"""Where dialdeck keeps things. Computed on call, never at import time."""

from __future__ import annotations

import functools
import os
import re
from importlib.resources import files
from pathlib import Path

import platformdirs

APP = "dialdeck"


# A PostgreSQL server's URL (postgresql://, postgres://, postgresql+driver://) rather than a file.
_SERVER_URL = re.compile(r"^postgres(?:ql)?(?:\+\w+)?://", re.IGNORECASE)


def is_server_url(text: str) -> bool:
    return bool(_SERVER_URL.match(text))


def database_location(text: str) -> Path | str:
    """A database as typed (``--db``, ``DIALDECK_DB``): a server URL kept as text (a Path would
    fold its '//'), else a file path."""
    return text if is_server_url(text) else Path(text).expanduser()


def default_db() -> Path | str:
    """``DIALDECK_DB`` if set (a file path or a server URL), else the user's data directory's file."""
    env = os.environ.get("DIALDECK_DB")
    if env:
        return database_location(env)
    return user_db_path()


def default_db_path() -> Path:
    """The default database file: ``DIALDECK_DB`` if it names a file, else the user's data directory."""
    env = os.environ.get("DIALDECK_DB")
    if env and not is_server_url(env):
        return Path(env).expanduser()
    return user_db_path()


def user_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "dialdeck.db"


def recordings_dir(database: Path | str) -> Path:
    """Where the rep's voicemail recordings are kept: ``DIALDECK_RECORDINGS`` if set; for a
    database file, a ``recordings`` folder beside it (the default database's: the user data
    directory); for a server database, the user data directory's ``recordings`` folder, on
    the rep's own machine (a recording is the rep's own voice, not team data)."""
    env = os.environ.get("DIALDECK_RECORDINGS")
    if env:
        return Path(env).expanduser()
    text = str(database)
    if not text or is_server_url(text):
        return user_db_path().parent / "recordings"
    return Path(text).expanduser().parent / "recordings"


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


def resource(name: str) -> Path:
    """A top-level resource folder (``styles``, ``sample_data``), wherever dialdeck runs from."""
    return find_resource(name, package_dir())


def find_resource(name: str, package: Path) -> Path:
    """``name`` for the package at ``package``: an installed wheel carries the folder inside the
    package (hatch's force-include, ``dialdeck/styles``); a source checkout keeps it at the top
    of the project, the nearest folder above the package that holds ``pyproject.toml``."""
    inside = package / name
    if inside.is_dir():
        return inside
    project = next((folder for folder in package.parents if (folder / "pyproject.toml").is_file()), None)
    if project is not None and (project / name).is_dir():
        return project / name
    raise FileNotFoundError(f"dialdeck's {name}/ folder is missing: neither {inside} nor a checkout's top level")


def styles_dir() -> Path:
    return resource("styles")


def sample_data_dir() -> Path:
    return resource("sample_data")


def builtin_cadence_dir() -> Path:
    return package_dir() / "cadences"


def data_dir() -> Path:
    """Data shipped inside the package (calling-hour rules)."""
    return package_dir() / "data"
