"""Reaching the server: a ``postgresql://`` URL as the rep typed it, one psycopg connection per
store, and every failure said as one line naming the server without the password.

A connection is set up at connect time (libpq ``options``, no extra round trip): a lock wait
gives up after the same time a SQLite writer waits for the file (``BUSY_TIMEOUT_MS``), a reader
is read-only for the server too, and a throwaway database does not wait for the disk.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from dialdeck.errors import StoreError

BUSY_TIMEOUT_MS = 3000  # as the SQLite engine's busy timeout: then "busy, try again"
CONNECT_TIMEOUT_S = 10  # libpq waits forever by default for a host that drops packets
APPLICATION = "dialdeck"

# A server URL as typed, or as a Path made of it ("postgresql://h/db" becomes "postgresql:/h/db"),
# with an optional SQLAlchemy-style driver ("postgresql+psycopg://").
_SERVER_URL = re.compile(r"^(postgres(?:ql)?)(?:\+\w+)?:/", re.IGNORECASE)


def is_server_url(location: object) -> bool:
    return bool(_SERVER_URL.match(str(location)))


def server_url(location: object) -> str:
    """The URL libpq reads: ``postgresql://`` whatever the spelling (``postgres://``, a driver
    suffix, a Path that folded the two slashes into one)."""
    text = str(location)
    text = _SERVER_URL.sub("postgresql:/", text, count=1)
    if not text.startswith("postgresql://"):
        text = "postgresql://" + text[len("postgresql:/"):]
    return text


def shown(url: str) -> str:
    """The URL with its password replaced (in the user part and in a ``password=`` parameter)."""
    text = server_url(url)
    text = re.sub(r"(://[^/@:]*):[^/@]*@", r"\1:***@", text)
    return re.sub(r"([?&]password=)[^&]*", r"\1***", text, flags=re.IGNORECASE)


def connect(url: str, *, read_only: bool = False, durable: bool = True) -> psycopg.Connection:
    """One connection in autocommit mode: each read stands alone, a write is ``conn.transaction()``."""
    params = conninfo_to_dict(url)
    settings = [f"-c lock_timeout={BUSY_TIMEOUT_MS}"]
    if read_only:
        settings.append("-c default_transaction_read_only=on")
    if not durable:
        settings.append("-c synchronous_commit=off")
    options = " ".join(filter(None, [str(params.get("options") or ""), *settings]))
    extra = {"options": options, "application_name": params.get("application_name") or APPLICATION}
    if not params.get("connect_timeout"):
        extra["connect_timeout"] = str(CONNECT_TIMEOUT_S)
    try:
        return psycopg.connect(make_conninfo(url, **extra), autocommit=True)
    except psycopg.Error as exc:
        raise connect_error(exc, url) from None


def connect_error(exc: psycopg.Error, url: str) -> StoreError:
    """Why the server could not be reached, in one line."""
    where = f"database {shown(url)}"
    reason = _server_said(str(exc))
    lowered = reason.lower()
    if "does not exist" in lowered and "database" in lowered:
        name = conninfo_to_dict(url).get("dbname", "")
        return StoreError(f"{where} does not exist on that server; create it first "
                          f"(createdb {name}, or CREATE DATABASE in psql)")
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return StoreError(f"{where}: the server refused the password ({reason})")
    if "connection refused" in lowered:
        return StoreError(f"cannot connect to {where}: connection refused (is the server running "
                          "and listening on that host and port?)")
    if "timeout expired" in lowered:
        return StoreError(f"cannot connect to {where}: no answer within {CONNECT_TIMEOUT_S} s")
    return StoreError(f"cannot connect to {where}: {reason}")


def _server_said(text: str) -> str:
    """The useful part of libpq's message: after the last 'failed:', without 'FATAL:', one line."""
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    reason = first.rsplit("failed: ", 1)[-1]
    return re.sub(r"^(FATAL|ERROR):\s+", "", reason).strip()


# SQLSTATE classes and codes worth their own words; the rest say what the server said.
def store_error(exc: psycopg.Error, url: str) -> StoreError:
    """One readable line for a failure while connected."""
    where = f"database {shown(url)}"
    said = (exc.diag.message_primary if exc.diag and exc.diag.message_primary else None) or _server_said(str(exc))
    if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
        return StoreError(f"{where} is read-only here (dialdeck needs to write to it): {said}")
    if isinstance(exc, (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)):
        return StoreError(f"{where}: another session changed the same records at the same moment; "
                          "nothing was written, try again")
    if isinstance(exc, pg_errors.LockNotAvailable):
        return StoreError(f"{where} is busy: another session held the records for more than "
                          f"{BUSY_TIMEOUT_MS / 1000:g} s (a long import?); nothing was written, try again")
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return StoreError(f"{where}: this user may not do that ({said})")
    if isinstance(exc, (pg_errors.DiskFull, pg_errors.OutOfMemory)):
        return StoreError(f"{where} cannot be written: {said}")
    if isinstance(exc, pg_errors.UndefinedTable):
        return StoreError(f"{where} is not a dialdeck database or is damaged ({said})")
    if isinstance(exc, pg_errors.AdminShutdown) or (exc.sqlstate is None and isinstance(exc, psycopg.OperationalError)):
        return StoreError(f"lost the connection to {where}: {said}")
    return StoreError(f"{where}: {said}")


def with_database(url: str, dbname: str) -> str:
    """The same server and user, another database (tests, ``migrate``)."""
    parts = urlsplit(server_url(url))
    return parts._replace(path="/" + quote(dbname)).geturl()
