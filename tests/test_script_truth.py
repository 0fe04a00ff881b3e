"""Script truth, end to end: every built-in cadence walked through the services in many situations.

Each walk imports one prospect into a throwaway database and works the cadence as a rep would
(``dialdeck.simulate``); every script shown is then held against what the walk did and what the
store scheduled (``dialdeck.truth``). Starts on every day of a week (across the US change from
summer time) at 09:00, 12:30, 15:30, 17:45 and 20:50; warm and cold; with and without first
name, last name and company, referrer, appointment, email, benefit and urgency; along every
outcome path (messages, no answers, busy lines, hours and days late, snoozed calls, a
conversation with a callback, a reply picking an offered time).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialdeck import simulate, truth
from dialdeck.clock import UTC

BUILTINS = ("three-step", "follow-up-series", "voicemail-challenge", "zero-to-ten", "money-in-follow-up")


def _report(walks: list[simulate.Walk]) -> list[str]:
    return [f"{walk.situation.describe()}: {finding}" for walk in walks for finding in walk.findings()]


@pytest.mark.parametrize("cadence", BUILTINS)
def test_every_script_of_every_builtin_is_true_across_the_week(cadence, tmp_path):
    situations = list(simulate.situations(cadence, paths_per_start=3))
    assert {s.path for s in situations} == set(simulate.PATHS)
    assert {(s.first_name, s.last_name, s.company) for s in situations} == set(simulate.IDENTITIES)
    assert {s.start.astimezone(simulate.ZoneInfo("America/New_York")).weekday() for s in situations} == set(range(7))
    walks = simulate.simulate(cadence, tmp_path, situations)
    assert all(walk.complete for walk in walks)
    assert _report(walks) == []
    # The walks did what they say: messages left, calls answered, times picked, late steps.
    outcomes = {act.outcome for walk in walks for act in walk.acts}
    assert {"voicemail", "no-answer", "busy", "connected"} <= outcomes


def test_the_walks_on_postgresql_see_what_they_see_on_sqlite(pg, tmp_path):
    """The walker through the services on the server engine: every script true there too, and
    every act, due time and script the same as on a SQLite file."""
    made = []

    def database() -> str:
        made.append(pg.new_database(empty=True))
        return pg.url_of(made[-1])

    try:
        for cadence in BUILTINS:
            situations = list(simulate.situations(cadence, paths_per_start=1))
            on_server = simulate.simulate(cadence, tmp_path, situations, databases=database)
            on_file = simulate.simulate(cadence, tmp_path, situations)
            assert _report(on_server) == []
            assert [(w.acts, w.scripts) for w in on_server] == [(w.acts, w.scripts) for w in on_file]
    finally:
        for name in made:
            pg.drop(name)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(cadence=st.sampled_from(BUILTINS), minutes=st.integers(0, 7 * 24 * 60 - 1),
       zone=st.sampled_from(["America/New_York", "America/Los_Angeles", "Europe/London"]),
       path=st.sampled_from(list(simulate.PATHS)), warm=st.booleans(), referrer=st.booleans(),
       appointment=st.one_of(st.none(), st.integers(-3 * 60, 3 * 24 * 60)), email=st.booleans(),
       benefit=st.booleans(), urgent=st.booleans(), identity=st.sampled_from(simulate.IDENTITIES))
def test_scripts_are_true_from_any_minute_of_the_week(tmp_path_factory, cadence, minutes, zone, path, warm,
                                                      referrer, appointment, email, benefit, urgent, identity):
    start = datetime(2026, 10, 26, 4, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    situation = simulate.Situation(
        cadence=cadence, start=start, path=path, zone=zone, temperature="warm" if warm else "cold",
        referrer="Bo Chen" if referrer else "", referrer_company="Contoso" if referrer else "",
        appointment=(start + timedelta(minutes=appointment)).replace(second=0, microsecond=0) if appointment is not None
        else None, email=email, benefit=simulate.BENEFIT if benefit else "", urgent=urgent,
        first_name=identity[0], last_name=identity[1], company=identity[2])
    walks = simulate.simulate(cadence, tmp_path_factory.mktemp("walk"), [situation])
    assert walks[0].complete
    assert _report(walks) == []


def test_the_walk_records_what_the_store_held(tmp_path):
    """The checker compares with the store: the walker must read it back, not the script's own claim."""
    sim = simulate.Simulator(Path(tmp_path))
    try:
        situation = simulate.Situation(cadence="voicemail-challenge", start=datetime(2026, 10, 28, 14, tzinfo=UTC))
        walk = sim.walk(situation)
    finally:
        sim.close()
    first = walk.acts[0]
    assert first.delivered and first.next_call_after == walk.acts[1].due_at
    assert walk.scripts[0].next_call_at == first.next_call_after
    assert isinstance(walk.record, truth.Record) and walk.record.email
