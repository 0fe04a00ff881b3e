"""csv_guard: no cell dialdeck writes is run as a formula, and every cell imports back as it was."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialdeck.csv_guard import FORMULA_STARTS, guard, guarded_writer, unguard

cells = st.text(st.one_of(st.characters(), st.sampled_from(sorted(FORMULA_STARTS) + ["'", "'", "1", " "])))


@pytest.mark.parametrize(("value", "written"), [
    ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("+1 212 555 0101", "'+1 212 555 0101"),  # Excel calculates a phone number too
    ("＝1+1", "'＝1+1"),  # full-width equals sign
    ("'=1+1", "''=1+1"),  # a quote of its own is kept: one more is added
    ("Ana", "Ana"),
    ("O'Brien", "O'Brien"),
    ("'quoted'", "'quoted'"),
    ("", ""),
])
def test_text_that_would_start_a_formula_gets_a_quote(value, written):
    assert guard(value) == written
    assert unguard(written) == value


def test_numbers_stay_numbers():
    assert guard(-2.0) == -2.0 and guard(12000) == 12000 and guard(None) is None


@given(cells)
def test_a_guarded_cell_never_starts_a_formula(text):
    assert str(guard(text))[:1] not in FORMULA_STARTS


@given(cells)
def test_unguard_gives_back_exactly_what_was_guarded(text):
    assert unguard(guard(text)) == text


@given(st.lists(st.lists(cells, min_size=1, max_size=4), max_size=5))
def test_the_guarded_writer_round_trips_through_csv(rows):
    buffer = io.StringIO()
    guarded_writer(buffer).writerows(rows)
    read = list(csv.reader(io.StringIO(buffer.getvalue())))
    if all(row != [""] for row in rows):  # csv writes a row of one empty cell as an empty line
        assert [[unguard(cell) for cell in row] for row in read] == rows
    for row in read:
        assert all(cell[:1] not in FORMULA_STARTS for cell in row)
