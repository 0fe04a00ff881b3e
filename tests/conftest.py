"""Shared fixtures: a fresh database per test, a fixed clock, and a CSV writer.

Every test is hermetic: the user's own cadences, rules and default database are never read
(``DIALDECK_CADENCES`` and ``DIALDECK_DB`` point into the test's tmp_path).

Engines: ``db`` and ``db_path`` are a SQLite file by default. A test (or a module, with
``pytestmark``) marked ``engines`` runs twice, ``[sqlite]`` and ``[postgres]``: then ``db_path``
is the file's path or a fresh PostgreSQL database's URL (``pg_server.py`` says where the server
comes from; without one the ``[postgres]`` run is skipped, saying why). A test of such a module
that reads the SQLite file itself is marked ``sqlite_only`` with the reason.
"""

from __future__ import annotations

import csv
import os
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

import pytest

from dialdeck.store import open_store

from pg_server import NO_SERVER, LocalCluster, Server, server_bin

ENGINES = ("sqlite", "postgres")

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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``engines`` (and not ``sqlite_only``) run on each engine."""
    node = metafunc.definition
    if ("engine" in metafunc.fixturenames and node.get_closest_marker("engines")
            and not node.get_closest_marker("sqlite_only")):
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine this run of the test uses ("sqlite" unless the test is marked ``engines``)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server | str]:
    """The PostgreSQL server of this test run, or why there is none (see pg_server.py)."""
    url = os.environ.get("DIALDECK_TEST_PG")
    cluster = None
    if not url:
        folder = server_bin()
        if folder is None:
            yield NO_SERVER
            return
        cluster = LocalCluster(folder)
        try:
            url = cluster.start()
        except (OSError, subprocess.SubprocessError, LookupError) as failed:
            cluster.stop()
            yield f"{NO_SERVER}; starting one with {folder}/initdb failed: {failed}"
            return
    server = Server(url)
    try:
        yield server
    finally:
        server.close()
        if cluster is not None:
            cluster.stop()


@pytest.fixture
def pg(pg_server: Server | str) -> Server:
    """The PostgreSQL server; the test is skipped, saying why, when there is none."""
    if isinstance(pg_server, str):
        pytest.skip(pg_server)
    return pg_server


@pytest.fixture
def pg_url(pg: Server) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test alone, dropped after it."""
    name = pg.new_database()
    yield pg.url_of(name)
    pg.drop(name)


@pytest.fixture
def new_db(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """A database dialdeck has never opened: a file not made yet, or an empty PostgreSQL database
    (as ``createdb`` leaves it), for commands that start from nothing."""
    if engine == "postgres":
        pg = request.getfixturevalue("pg")
        name = pg.new_database(empty=True)
        request.addfinalizer(lambda: pg.drop(name))
        return pg.url_of(name)
    return tmp_path / "rep.db"


@pytest.fixture
def db_path(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where this test's database is: a file in tmp_path, or a PostgreSQL URL (engine "postgres")."""
    if engine == "postgres":
        return request.getfixturevalue("pg_url")
    return tmp_path / "dialdeck.db"


@pytest.fixture
def db(db_path: Path | str) -> Iterator:
    """A fresh, migrated database: the ``Store`` the services take (SQLite, or PostgreSQL for a
    test marked ``engines``)."""
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
