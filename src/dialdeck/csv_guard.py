"""CSV cells a spreadsheet shows as text, never runs as a formula (CSV injection).

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (and some skip a leading tab or carriage return first): ``=HYPERLINK(...)``
phones home, ``+cmd|' /C calc'!A0`` runs a program through DDE, and even a phone number
``+1 212 555 0101`` or a text ``-2+3`` is calculated. Every text cell dialdeck writes that
starts with one of these gets a single quote in front (the OWASP advice), which a spreadsheet
shows as text.

Numbers dialdeck writes itself (a deal value, a count) stay numbers: only text is guarded.
A cell that already starts with quotes before such a character gets one more, so that
``unguard`` (used by the importer) gives back exactly what was written, whatever the text:
``unguard(guard(text)) == text``. A rejects file or an export therefore imports again as it
was, with the phone ``'+1 212 555 0101`` read as the phone.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

__all__ = ["guard", "guarded_writer", "unguard"]

# OWASP's list, and the full-width forms East Asian Excel also reads as formula signs.
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
GUARD = "'"


def _starts_formula(text: str) -> bool:
    """True if the text, past any quotes of its own, starts as a formula would."""
    return text.lstrip(GUARD)[:1] in FORMULA_STARTS


def guard(value: Any) -> Any:
    """The cell to write for ``value``: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value and _starts_formula(value):
        return GUARD + value
    return value


def unguard(text: str) -> str:
    """A cell as read back: the one quote ``guard`` added, removed; any other text unchanged."""
    if text[:1] == GUARD and _starts_formula(text):
        return text[1:]
    return text


class _GuardedWriter:
    """A ``csv.writer`` whose rows are guarded cell by cell."""

    def __init__(self, handle: Any, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([guard(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def guarded_writer(handle: Any, **options: Any) -> _GuardedWriter:
    """``csv.writer(handle, **options)``, every cell passed through ``guard``."""
    return _GuardedWriter(handle, **options)
