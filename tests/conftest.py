"""Shared fixtures: a fresh database per test, a fixed clock, and a CSV writer.

Every test is hermetic: the user's own cadences, rules and default database are never read
(``DIALDECK_CADENCES`` and ``DIALDECK_DB`` point into the test's tmp_path).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

import pytest

from dialdeck.store import open_store

# Monday 2026-11-23 15:00 UTC: 10:00 in New York, 07:00 in Los Angeles, 15:00 in London,
# 00:00 (Tuesday) in Tokyo. Some zones are in calling hours, some are not.
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)

HEADER = ("First Name", "Last Name", "Company Name", "Phone Number", "E-mail", "Time Zone",
          "Lead Temperature", "Deal Value", "Cadence", "Referred By", "Referrer Company",
          "Appointment Time", "Notes")

# Six prospects over four zones; every number is valid for phonenumbers (555-01xx fictional range).
SMALL_ROWS: tuple[dict[str, str], ...] = (
    {"First Name": "Ana", "Last Name": "Souza", "Company Name": "Northwind", "Phone Number": "+1 212 555 0101",
     "E-mail": "ana@northwind.example", "Time Zone": "America/New_York", "Lead Temperature": "warm",
     "Deal Value": "12000", "Cadence": "zero-to-ten"},
    {"First Name": "Ben", "Last Name": "Okafor", "Company Name": "Contoso", "Phone Number": "(212) 555-0102",
     "E-mail": "ben@contoso.example", "Time Zone": "America/New_York", "Lead Temperature": "cold",
     "Deal Value": "3000", "Cadence": "zero-to-ten"},
    {"First Name": "Chloe", "Last Name": "Martin", "Company Name": "Fabrikam", "Phone Number": "+1 415 555 0103",
     "E-mail": "chloe@fabrikam.example", "Time Zone": "America/Los_Angeles", "Lead Temperature": "warm",
     "Deal Value": "50000", "Cadence": "zero-to-ten"},
    {"First Name": "Dev", "Last Name": "Patel", "Company Name": "Litware", "Phone Number": "+44 20 7946 0958",
     "E-mail": "dev@litware.example", "Time Zone": "Europe/London", "Lead Temperature": "warm",
     "Deal Value": "", "Cadence": "zero-to-ten"},
    {"First Name": "Emi", "Last Name": "Sato", "Company Name": "Adatum", "Phone Number": "+81 3-1234-5678",
     "E-mail": "emi@adatum.example", "Time Zone": "Asia/Tokyo", "Lead Temperature": "warm",
     "Deal Value": "8000", "Cadence": "zero-to-ten"},
    {"First Name": "Finn", "Last Name": "Berg", "Company Name": "Tailspin", "Phone Number": "+1 305 555 0106",
     "E-mail": "finn@tailspin.example", "Time Zone": "America/New_York", "Lead Temperature": "warm",
     "Deal Value": "90000", "Cadence": "zero-to-ten", "Referred By": "Gil Shaw",
     "Referrer Company": "Blue Yonder"},
)

CsvWriter = Callable[..., Path]


@pytest.fixture(autouse=True)
def _hermetic_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIALDECK_CADENCES", str(tmp_path / "user-cadences"))
    monkeypatch.setenv("DIALDECK_DB", str(tmp_path / "default.db"))


@pytest.fixture
def now() -> datetime:
    """A fixed instant (aware UTC): Monday 2026-11-23 15:00 UTC."""
    return NOW


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "dialdeck.db"


@pytest.fixture
def db(db_path: Path) -> Iterator:
    """A fresh, migrated database in tmp_path: the ``Store`` the services take (SQLite engine)."""
    database = open_store(db_path)
    yield database
    database.close()


@pytest.fixture
def write_csv(tmp_path: Path) -> CsvWriter:
    """``write_csv(rows, name="prospects.csv", header=HEADER, delimiter=",", bom=False) -> Path``.

    ``rows`` are dicts keyed by header name (missing keys are blank cells) or plain sequences.
    """

    def write(rows: Sequence[Mapping[str, str] | Sequence[str]], *, name: str = "prospects.csv",
              header: Sequence[str] = HEADER, delimiter: str = ",", bom: bool = False) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(header)
            for row in rows:
                if isinstance(row, Mapping):
                    writer.writerow([row.get(column, "") for column in header])
                else:
                    writer.writerow(row)
        return path

    return write


@pytest.fixture
def small_csv(write_csv: CsvWriter) -> Path:
    """Six prospects (New York, Los Angeles, London, Tokyo), all in zero-to-ten."""
    return write_csv(SMALL_ROWS, name="small.csv")


@pytest.fixture
def imported_db(db, small_csv: Path, now: datetime):
    """``db`` with SMALL_ROWS imported at ``now`` (ids 1..6 in file order)."""
    from dialdeck import services

    services.import_csv(db, small_csv, now=now)
    return db
