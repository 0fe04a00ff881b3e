"""The installed command on real CRM exports: `import --columns`, a mixed US/UK/DE file in one
pass, extensions in `due --json`, `log --number`, and a rejects file imported again."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from test_cli import DUE_AT, IMPORT_AT, dialdeck

from dialdeck.importer import IGNORED_HEADERS, RECOGNISED_HEADERS, REJECTS_COLUMNS

# A HubSpot contact export as it comes: its own header names, a country column, HubSpot's
# lead status and annual revenue (neither a temperature nor a deal value).
HUBSPOT = """\
Record ID,First Name,Last Name,Company Name,Phone Number,Mobile Phone Number,Country/Region,State/Region,Lead Status,Annual Revenue,Email
101,Megan,Holloway,Brightwater Dental,(404) 555-0111 ext. 12,(404) 555-0188,United States,GA,NEW,5000000,megan@bw.example
102,Oliver,Bennett,Wessex Wealth,020 7946 0958,,United Kingdom,,OPEN,,oliver@wessex.example
103,Jonas,Weber,Weber Bau GmbH,030 901820,,Germany,,IN_PROGRESS,,jonas@weberbau.example
104,Lucia,Fernandez,Pampa SA,011 4123-4567,,Argentina,,NEW,,lucia@pampa.example
105,Sam,Ortiz,Ortiz Co,(305) 555-0142 x204,,USA,NY,,,sam@ortiz.example
"""


def imported(tmp_path: Path, text: str = HUBSPOT, *extra: str):
    source = tmp_path / "hubspot.csv"
    source.write_text(text, encoding="utf-8")
    db = tmp_path / "rep.db"
    dialdeck("config", "set", "rep.timezone", "America/New_York", db=db, check=True)
    dialdeck("config", "set", "hours.days", "mon,tue,wed,thu,fri,sat,sun", db=db, check=True)
    result = dialdeck("import", str(source), "--at", IMPORT_AT, *extra, db=db)
    return db, result


def test_import_columns_lists_every_recognised_header_per_field(tmp_path: Path) -> None:
    result = dialdeck("import", "--columns", check=True)
    lines = result.stdout.splitlines()
    for field, headers in RECOGNISED_HEADERS.items():
        line = next(line for line in lines if line.split() and line.split()[0] == field)
        assert line.split(None, 1)[1] == ", ".join(headers)
    assert "  mobile" in result.stdout and "Mobile Phone Number" in result.stdout
    for header, why in IGNORED_HEADERS.items():
        assert f"  {header}: {why}" in lines
    assert "line, field, reason" in result.stdout
    data = json.loads(dialdeck("import", "--columns", "--json", check=True).stdout)
    assert data["fields"]["country"] == list(RECOGNISED_HEADERS["country"])
    assert data["ignored"] == IGNORED_HEADERS


def test_import_without_a_file_is_a_usage_error(tmp_path: Path) -> None:
    result = dialdeck("import", db=tmp_path / "rep.db")
    assert result.returncode == 2
    assert "give the FILE.csv to import" in result.stderr


def test_a_mixed_us_uk_de_export_imports_in_one_pass(tmp_path: Path) -> None:
    db, result = imported(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "5 created, 0 updated, 5 enrolled, 0 skipped (do-not-call), 0 rejected" in result.stdout
    assert ("warning: line 6: state 'NY' (US-NY) does not match phone +1 305-555-0142 (US-FL); "
            "imported with the number's state") in result.stderr
    rows = json.loads(dialdeck("export", "--format", "json", db=db, check=True).stdout)
    assert [(r["phone"], r["region"], r["temperature"], r["value"]) for r in rows] == [
        ("+14045550111", "US", "cold", None), ("+442079460958", "GB", "cold", None),
        ("+4930901820", "DE", "cold", None), ("+541141234567", "AR", "cold", None),
        ("+13055550142", "US", "cold", None)]


def test_due_json_carries_the_extension_and_every_number(tmp_path: Path) -> None:
    db, _ = imported(tmp_path)
    items = {item["name"]: item for item in json.loads(
        dialdeck("due", "--json", "--at", DUE_AT, "--limit", "10", db=db, check=True).stdout)}
    megan, oliver = items["Megan Holloway"], items["Oliver Bennett"]
    assert (megan["phone"], megan["extension"], megan["dial"]) == ("+14045550111", "12", "+14045550111,12")
    assert [(n["label"], n["phone"], n["extension"], n["primary"]) for n in megan["numbers"]] == [
        ("phone", "+14045550111", "12", True), ("mobile", "+14045550188", None, False)]
    assert (oliver["extension"], oliver["dial"]) == (None, "+442079460958")
    assert items["Sam Ortiz"]["extension"] == "204"
    dialdeck("dnc", "add", "(404) 555-0188", "--at", IMPORT_AT, db=db, check=True)
    megan = next(item for item in json.loads(dialdeck("due", "--json", "--at", DUE_AT, db=db, check=True).stdout)
                 if item["name"] == "Megan Holloway")  # still due: her own number is not on the list
    assert [n["do_not_call"] for n in megan["numbers"]] == [False, True]


def test_log_number_records_which_number_was_dialled(tmp_path: Path) -> None:
    db, _ = imported(tmp_path)
    dialdeck("log", "1", "voicemail", "--number", "(404) 555-0188", "--at", DUE_AT, db=db, check=True)
    history = json.loads(dialdeck("history", "1", "--json", db=db, check=True).stdout)
    assert [a["number"] for a in history["attempts"]] == ["+14045550188"]
    assert [n["label"] for n in history["numbers"]] == ["phone", "mobile"]
    text = dialdeck("history", "1", db=db, check=True).stdout
    assert "+1 404-555-0111 ext. 12 (phone), +1 404-555-0188 (mobile)" in text
    assert "NUMBER" in text and "+1 404-555-0188" in text.splitlines()[-1]
    refused = dialdeck("log", "1", "busy", "--number", "+1 404 555 0199", "--at", DUE_AT, db=db)
    assert refused.returncode == 1
    assert "+1 404-555-0199 is not one of Megan Holloway's numbers" in refused.stderr


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_a_rejects_file_fixed_and_imported_again_never_grows_columns(tmp_path: Path) -> None:
    text = HUBSPOT + "106,Bad,Row,Nowhere Inc,555-12,,United States,,,,bad@row.example\n"
    db, result = imported(tmp_path, text, "--skip-invalid")
    rejects = tmp_path / "hubspot.rejected.csv"
    assert "1 rejected" in result.stdout and rejects.exists()
    original = _header(tmp_path / "hubspot.csv")
    assert _header(rejects) == [*original, *REJECTS_COLUMNS]
    # Imported again unfixed: its own rejects keep one set of line/field/reason.
    again = dialdeck("import", str(rejects), "--skip-invalid", "--at", IMPORT_AT, db=db, check=True)
    assert "1 rejected" in again.stdout
    written = next(line for line in again.stdout.splitlines() if line.startswith("rejected rows"))
    assert _header(Path(written.split(": ", 1)[1])) == [*original, *REJECTS_COLUMNS]
    # Fixed: imports cleanly.
    rejects.write_text(rejects.read_text(encoding="utf-8").replace("555-12", "(312) 555-0101"), encoding="utf-8")
    fixed = dialdeck("import", str(rejects), "--at", IMPORT_AT, db=db, check=True)
    assert "1 created" in fixed.stdout and "0 rejected" in fixed.stdout
    assert "warning: line" not in fixed.stderr
