"""`dialdeck export` streams: each prospect is written as it is read, never the whole list held
first, and an export into a file that fails halfway leaves that file as it was."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path

import pytest

from dialdeck import services
from dialdeck.cli import main
from dialdeck.cli.output import json_array_text, json_text
from dialdeck.errors import StoreError

pytestmark = pytest.mark.engines


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(args)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch):
    """Wraps the export's stream: ``seen`` gets, as each row after the first is read, what
    stdout holds by then."""
    real = services.iter_export_rows
    seen: list[str] = []
    stdout = []

    def watching(store, **kwargs):
        for index, row in enumerate(real(store, **kwargs)):
            if index:
                seen.append(stdout[0].getvalue())
            yield row

    def run_watched(args: list[str]) -> tuple[int, str]:
        out = io.StringIO()
        stdout.append(out)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            status = main(args)
        return status, out.getvalue()

    monkeypatch.setattr(services, "iter_export_rows", watching)
    return seen, run_watched


@pytest.mark.parametrize("form", ["json", "csv"])
def test_each_prospect_is_written_before_the_next_is_read(imported_db, db_path: Path, watched, form) -> None:
    seen, run_watched = watched
    status, out = run_watched(["--db", str(db_path), "export", "--format", form])
    assert status == 0
    assert len(seen) == 5  # six prospects: five read after the first
    assert "Souza" in seen[0] and "Okafor" not in seen[0]  # Ana was out before Ben was read
    assert "Okafor" in seen[1]
    if form == "json":
        assert [row["last_name"] for row in json.loads(out)] == ["Souza", "Okafor", "Martin", "Patel", "Sato", "Berg"]
    else:
        assert len(list(csv.DictReader(io.StringIO(out)))) == 6


def test_a_failed_export_leaves_the_file_it_was_writing_as_it_was(imported_db, db_path: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "export.json"
    target.write_text("yesterday's export\n", encoding="utf-8")
    real = services.iter_export_rows

    def failing(store, **kwargs):
        rows = real(store, **kwargs)
        yield next(rows)
        raise StoreError(f"database {db_path} cannot be read: disk I/O error")

    monkeypatch.setattr(services, "iter_export_rows", failing)
    status, _out, err = run(["--db", str(db_path), "export", "--format", "json", "--output", str(target)])
    assert status == 1
    assert err.splitlines() == [f"dialdeck: error: database {db_path} cannot be read: disk I/O error"]
    assert target.read_text(encoding="utf-8") == "yesterday's export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export")] == []  # no temporary left


def test_an_export_into_a_file_says_how_many_it_wrote(imported_db, db_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    status, _out, err = run(["--db", str(db_path), "export", "--output", str(target)])
    assert status == 0
    assert err.strip() == f"exported 6 prospects to {target}"
    assert [row["last_name"] for row in csv.DictReader(target.open(encoding="utf-8"))] == [
        "Souza", "Okafor", "Martin", "Patel", "Sato", "Berg"]


@pytest.mark.parametrize("rows", [
    [],
    [{"id": 1}],
    [{"name": "Zoë \u202eevil\x85", "attempts": [{"at": "2026-11-23T15:00:00+00:00"}], "other_phones": []},
     {"name": "Ben", "attempts": [], "note_history": [{"text": "line\nbreak"}]}],
], ids=["none", "one", "several"])
def test_streamed_json_is_the_same_text_as_the_whole_list(rows) -> None:
    assert "".join(json_array_text(iter(rows))) == json_text(rows) + "\n"
