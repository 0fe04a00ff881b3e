"""The errors dialdeck reports to a person: one clear line each, never a traceback."""

from __future__ import annotations


class DialdeckError(Exception):
    """Base of every error shown to the user as one line (CLI: stderr, exit 1)."""


class StoreError(DialdeckError):
    """The database is locked, read-only, corrupt or from a newer dialdeck.

    ``damaged``: the data itself cannot be read (nothing a retry will mend), as opposed to a
    database that is busy, read-only or out of reach for now.
    """

    def __init__(self, message: str, *, damaged: bool = False):
        super().__init__(message)
        self.damaged = damaged


class CadenceError(DialdeckError):
    """A cadence file is broken. ``problems`` lists each as 'file: step N: field: reason'."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class ImportFileError(DialdeckError):
    """A CSV import was refused. ``problems`` lists each as 'line N: field: reason'."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        super().__init__(message)


class NotFound(DialdeckError):
    """A prospect, cadence or setting that does not exist."""


class InvalidInput(DialdeckError):
    """A value the user gave that cannot be used (bad outcome, bad setting value...)."""


class StoredTimeError(StoreError, ValueError):
    """A time column holds text dialdeck did not write (edited by hand, another tool, a bug).

    A ValueError too, so code that reads a time and expects ValueError still catches it.
    """

    def __init__(self, text: str, where: str = ""):
        self.text, self.where = text, where
        shown = text if len(text) <= 60 else text[:60] + "…"
        place = f" ({where})" if where else ""
        super().__init__(
            f"the database holds {shown!r} where a time belongs{place}; "
            "correct or clear that value (e.g. with sqlite3), or restore a backup"
        )
