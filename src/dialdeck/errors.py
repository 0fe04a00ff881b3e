"""The errors dialdeck reports to a person: one clear line each, never a traceback."""

from __future__ import annotations


class DialdeckError(Exception):
    """Base of every error shown to the user as one line (CLI: stderr, exit 1)."""


class StoreError(DialdeckError):
    """The database is locked, read-only, corrupt or from a newer dialdeck."""


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
