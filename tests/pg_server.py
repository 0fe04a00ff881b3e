"""A PostgreSQL server for the tests, and a fresh database on it for each test.

Where the server comes from, in order:
1. ``DIALDECK_TEST_PG``: a ``postgresql://`` URL of a server the tests may create and drop
   databases on (``.ci/run`` starts a throwaway cluster and exports it);
2. else, where PostgreSQL's server programs are installed (``initdb``, ``pg_ctl``: Debian's
   ``postgresql`` package), a throwaway cluster in a temporary folder, started for this test
   run and removed after it, as ``.ci/postgres.sh`` does (run as the ``postgres`` user when the
   tests run as root, since ``initdb`` refuses root; loopback only, trust auth, fsync off);
3. else none: the PostgreSQL side of each test is skipped, saying why.

Each test's database is a copy of a template already migrated (``CREATE DATABASE ... TEMPLATE``,
tens of milliseconds), dropped after the test.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

NO_SERVER = ("no PostgreSQL server for the tests: set DIALDECK_TEST_PG=postgresql://USER@HOST:PORT/postgres "
             "(a server where the tests may create databases), or install PostgreSQL's server programs "
             "(initdb, pg_ctl; Debian: apt-get install postgresql) so the tests start their own")


def server_bin() -> Path | None:
    """Where initdb and pg_ctl are: Debian keeps them under /usr/lib/postgresql/N/bin."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(Path(folder) / "initdb", os.X_OK):
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


@dataclass
class LocalCluster:
    """A throwaway cluster: initialised, started, stopped and removed by this process."""

    bin: Path
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="dialdeck-test-pg-")))
    port: int = 0

    def _run(self, *argv: str) -> None:
        command = [str(arg) for arg in argv]
        if os.geteuid() == 0:  # initdb refuses root: run the server as its own user
            command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{arg}'" for arg in command)]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        if os.geteuid() == 0:
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, "postgres")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        data = self.folder / "data"
        self._run(self.bin / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "-N")
        settings = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(self.bin / "pg_ctl", "-D", data, "-l", self.folder / "log", "-w", "-t", "60",
                  "-o", settings, "start")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run(self.bin / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "-w", "stop")
        except (subprocess.SubprocessError, OSError):
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


class Server:
    """A server the tests create databases on, from ``admin_url`` (its maintenance database)."""

    def __init__(self, admin_url: str) -> None:
        import psycopg

        from dialdeck.store.postgres.connect import with_database

        self.admin_url = admin_url
        self.scratch = tempfile.mkdtemp(prefix="dialdeck-test-pg-files-")  # files the fixtures write
        self._with_database = with_database
        self._admin = psycopg.connect(admin_url, autocommit=True)
        self._names = itertools.count(1)
        self._prefix = f"dialdeck_test_{os.getpid()}"
        version = self._admin.info.server_version
        self._strategy = " STRATEGY = FILE_COPY" if version >= 150000 else ""  # small templates: faster
        self._force = " WITH (FORCE)" if version >= 130000 else ""
        self.template = self._create(f"{self._prefix}_template", template="template0")
        from dialdeck.store import open_store

        open_store(self.url_of(self.template)).close()  # migrated once, copied for each test
        self._templates = {self.template}

    def connect(self, url: str):
        """A plain psycopg connection to one of the test databases (autocommit)."""
        import psycopg

        return psycopg.connect(url, autocommit=True)

    def url_of(self, name: str) -> str:
        return self._with_database(self.admin_url, name)

    def _create(self, name: str, template: str) -> str:
        self._admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self._strategy}')
        return name

    def new_database(self, template: str | None = None, *, empty: bool = False) -> str:
        """A new database (a copy of ``template``, by default the migrated one; ``empty``: never
        set up), its name."""
        chosen = "template0" if empty else template or self.template
        return self._create(f"{self._prefix}_{next(self._names)}", chosen)

    def keep_as_template(self, name: str) -> str:
        """Use this database as a template for others (it must have no connection open)."""
        self._templates.add(name)
        return name

    def drop(self, name: str) -> None:
        self._admin.execute(f'DROP DATABASE IF EXISTS "{name}"{self._force}')

    def close(self) -> None:
        for name in self._templates:
            self.drop(name)
        self._admin.close()
        shutil.rmtree(self.scratch, ignore_errors=True)
