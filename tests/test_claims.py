"""Never two reps on one prospect (issue 11): ``claim_next`` and its lease, release on an
outcome or a skip, ``log`` refused on another rep's reservation, the guardrails team-wide,
and ``dialdeck next`` / ``release`` as a rep types them. On both engines."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import datetime, timedelta

import pytest

from engines import execute, value
from dialdeck import services
from dialdeck.errors import InvalidInput
from dialdeck.services.claims import Reserved
from dialdeck.store import open_store

pytestmark = pytest.mark.engines

MINUTE = timedelta(minutes=1)


@pytest.fixture
def team(imported_db, now: datetime):
    """Two reps on the six imported prospects (the database's first rep stays, as "me" or the profile's name)."""
    alice = services.add_rep(imported_db, "Alice", now)
    sam = services.add_rep(imported_db, "Sam", now)
    return imported_db, alice, sam


def due_ids(db, now: datetime, rep) -> list[int]:
    return [item.prospect_id for item in services.due(db, now, rep=rep)]


def test_two_reps_are_handed_different_prospects_and_asking_again_gives_the_same_one(team, now):
    db, alice, sam = team
    first = services.claim_next(db, now, rep=alice)
    second = services.claim_next(db, now, rep=sam)
    assert first is not None and second is not None
    assert first.item.prospect_id == due_ids(db, now, alice)[0]
    assert second.item.prospect_id != first.item.prospect_id
    assert first.reserved_until == now + timedelta(minutes=10)  # team.lease_minutes' default
    again = services.claim_next(db, now + MINUTE, rep=alice)
    assert again == first  # idempotent: the same prospect, the same lease


def test_nothing_left_for_a_rep_is_none(team, now):
    db, alice, sam = team
    handed = []
    while (claim := services.claim_next(db, now, rep=alice)) is not None:
        handed.append(claim.item.prospect_id)
        services.log_outcome(db, claim.item.prospect_id, "voicemail", now, rep=alice)
    assert sorted(handed) == sorted(due_ids(db, now - MINUTE, alice) + handed)  # every due one, once
    assert services.claim_next(db, now, rep=sam) is None


def test_an_expired_lease_hands_the_prospect_to_another_rep(team, now):
    db, alice, sam = team
    held = services.claim_next(db, now, rep=alice)
    later = now + timedelta(minutes=11)
    taken = services.claim_next(db, later, rep=sam)
    assert taken is not None and taken.item.prospect_id == held.item.prospect_id
    assert taken.reserved_until == later + timedelta(minutes=10)
    # Alice's lease is gone: renewing says so, and her next claim is another prospect.
    assert services.renew(db, held.item.prospect_id, later, rep=alice) is None
    assert services.claim_next(db, later, rep=alice).item.prospect_id != held.item.prospect_id


def test_a_renewed_lease_keeps_the_prospect(team, now):
    db, alice, sam = team
    held = services.claim_next(db, now, rep=alice)
    renewed = services.renew(db, held.item.prospect_id, now + timedelta(minutes=8), rep=alice)
    assert renewed == now + timedelta(minutes=18)
    other = services.claim_next(db, now + timedelta(minutes=11), rep=sam)
    assert other is not None and other.item.prospect_id != held.item.prospect_id


def test_the_lease_is_a_team_setting(team, now):
    db, alice, _sam = team
    services.set_setting(db, "team.lease_minutes", "3", rep=alice)
    assert services.claim_next(db, now, rep=alice).reserved_until == now + timedelta(minutes=3)
    for bad in ("0", "abc", "1000"):
        with pytest.raises(InvalidInput, match=r"team\.lease_minutes"):
            services.set_setting(db, "team.lease_minutes", bad, rep=alice)


def test_logging_the_outcome_releases_the_reservation_in_the_same_write(team, now):
    db, alice, sam = team
    held = services.claim_next(db, now, rep=alice).item.prospect_id
    services.log_outcome(db, held, "no-answer", now + MINUTE, rep=alice)
    assert db.reservation(held) is None
    assert services.claim_next(db, now + 2 * MINUTE, rep=sam).item.prospect_id != held  # cooled down, not due


def test_a_skip_releases_it_and_another_rep_gets_it_at_once(team, now):
    db, alice, sam = team
    held = services.claim_next(db, now, rep=alice).item.prospect_id
    assert services.release(db, held, rep=sam) is False  # not Sam's to release
    assert services.release(db, held, rep=alice) is True
    assert services.claim_next(db, now, rep=sam).item.prospect_id == held


def test_log_by_another_rep_is_refused_naming_the_holder_unless_forced(team, now):
    db, alice, sam = team
    held = services.claim_next(db, now, rep=alice).item.prospect_id
    attempts = value(db, "SELECT count(*) FROM attempts")
    with pytest.raises(Reserved) as refused:
        services.log_outcome(db, held, "voicemail", now + MINUTE, rep=sam)
    # 15:10 UTC is 10:10 in New York, the reps' zone.
    assert "is reserved by Alice until 10:10" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert value(db, "SELECT count(*) FROM attempts") == attempts  # nothing written
    forced = services.log_outcome(db, held, "voicemail", now + MINUTE, rep=sam, force=True)
    assert "reserved by Alice until 10:10" in forced.forced_reason
    assert value(db, "SELECT forced_reason FROM attempts WHERE id = ?", [forced.attempt_id]) == forced.forced_reason
    assert db.reservation(held) is None  # the call was made: Alice's hold is over
    assert services.renew(db, held, now + 2 * MINUTE, rep=alice) is None


def test_a_number_one_rep_called_is_not_handed_to_another_within_the_cooldown(team, now):
    db, alice, sam = team
    held = services.claim_next(db, now, rep=alice).item.prospect_id
    services.log_outcome(db, held, "busy", now, rep=alice)
    # Brought back early by hand: the cooldown (180 minutes) since Alice's call still holds for Sam.
    execute(db, "UPDATE enrollments SET next_due_at = ? WHERE prospect_id = ? AND status = 'active'",
            ["2026-11-23T15:05:00+00:00", held])
    assert held in due_ids(db, now + 10 * MINUTE, sam)
    assert services.claim_next(db, now + 10 * MINUTE, rep=sam).item.prospect_id != held


def test_the_daily_cap_counts_every_rep_s_calls(team, now):
    db, alice, sam = team
    services.set_setting(db, "guard.max_per_day", "1", rep=alice)
    services.set_setting(db, "guard.cooldown_minutes", "0", rep=alice)
    held = services.claim_next(db, now, rep=alice).item.prospect_id
    services.log_outcome(db, held, "busy", now, rep=alice)
    # Brought back by hand the same day: Alice's call already used the number's one call today.
    execute(db, "UPDATE enrollments SET next_due_at = ? WHERE prospect_id = ? AND status = 'active'",
            ["2026-11-23T15:00:30+00:00", held])
    assert held in due_ids(db, now + MINUTE, sam)
    got = services.claim_next(db, now + MINUTE, rep=sam)
    assert got is not None and got.item.prospect_id != held


def test_reps_claiming_at_once_are_never_handed_the_same_prospect(db_path, write_csv, now):
    rows = [{"First Name": f"P{i}", "Last Name": "Lee", "Phone Number": f"+1 212 555 {i:04d}",
             "Time Zone": "America/New_York", "Cadence": "zero-to-ten"} for i in range(100, 160)]
    setup = open_store(db_path)
    services.import_csv(setup, write_csv(rows), now=now)
    reps = [services.add_rep(setup, f"rep{i}", now) for i in range(6)]
    setup.close()
    handed: dict[str, list[int]] = {rep.name: [] for rep in reps}
    failures: list[BaseException] = []
    start = threading.Barrier(len(reps))

    def work(rep) -> None:
        db = open_store(db_path)
        try:
            start.wait()
            while (claim := services.claim_next(db, now, rep=rep)) is not None:
                handed[rep.name].append(claim.item.prospect_id)
                services.log_outcome(db, claim.item.prospect_id, "voicemail", now, rep=rep)
        except BaseException as problem:
            failures.append(problem)
        finally:
            db.close()

    threads = [threading.Thread(target=work, args=(rep,)) for rep in reps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    every = [pid for pids in handed.values() for pid in pids]
    assert len(every) == len(set(every)) == 60  # each prospect once, none twice, none left


def test_the_due_list_shows_who_holds_a_prospect(team, now):
    db, alice, sam = team
    held = services.claim_next(db, now, rep=alice).item.prospect_id
    holds = services.holds(db, due_ids(db, now, sam), now, rep=sam)
    assert set(holds) == {held}
    assert (holds[held].rep_name, holds[held].until) == ("Alice", now + timedelta(minutes=10))
    assert services.holds(db, due_ids(db, now, alice), now, rep=alice) == {}  # her own is not "held"


def test_team_counts_add_up_every_rep_s_calls(team, now):
    db, alice, sam = team
    for rep, outcome in ((alice, "voicemail"), (sam, "no-answer"), (alice, "voicemail")):
        claim = services.claim_next(db, now, rep=rep)
        services.log_outcome(db, claim.item.prospect_id, outcome, now, rep=rep)
    counts = services.team_today(db, now, rep=sam)
    assert (counts.dials, counts.connects) == (3, 0)


# --------------------------------------------------------------------------- the commands


def run(capsys, *argv: str) -> tuple[int, str, str]:
    from dialdeck.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_next_prints_the_reserved_call_and_the_same_one_again(team, db_path, capsys):
    db, alice, _sam = team
    code, out, err = run(capsys, "--db", str(db_path), "--rep", "alice", "next", "--at", "2026-11-23T10:00")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["ID", "NAME", "COMPANY"]
    first = due_ids(db, datetime.fromisoformat("2026-11-23T10:00-05:00"), alice)[0]
    assert lines[1].split()[0] == str(first)  # the row of the prospect reserved
    assert "reserved for Alice until Mon 2026-11-23 10:10 EST" in out and f"release {first}" in out
    code, again, _ = run(capsys, "--db", str(db_path), "--rep", "alice", "next", "--at", "2026-11-23T10:01")
    assert again.splitlines()[1].split()[0] == str(first)  # the same prospect, still theirs


def test_next_json_is_a_due_item_plus_reserved_until_or_null(team, db_path, capsys):
    db, alice, sam = team
    code, out, _ = run(capsys, "--db", str(db_path), "--rep", "Sam", "due", "--json", "--at", "2026-11-23T10:00")
    due = json.loads(out)
    code, out, err = run(capsys, "--db", str(db_path), "--rep", "Sam", "next", "--json", "--at", "2026-11-23T10:00")
    assert code == 0, err
    item = json.loads(out)
    assert set(item) == set(due[0]) | {"reserved_until"}
    assert {k: v for k, v in item.items() if k != "reserved_until"} == due[0]
    assert item["reserved_until"] == "2026-11-23T10:10:00-05:00"
    for pid in [d["prospect_id"] for d in due]:
        services.release(db, pid, rep=sam)
        services.log_outcome(db, pid, "voicemail", datetime.fromisoformat("2026-11-23T10:00-05:00"), rep=alice,
                             force=True)
    code, out, _ = run(capsys, "--db", str(db_path), "--rep", "Sam", "next", "--json", "--at", "2026-11-23T10:02")
    assert (code, out.strip()) == (0, "null")
    code, out, _ = run(capsys, "--db", str(db_path), "--rep", "Sam", "next", "--at", "2026-11-23T10:02")
    assert code == 0 and out.startswith("nothing left to call for Sam")


def test_log_refused_by_the_command_in_one_line_and_forced(team, db_path, capsys):
    db, alice, _sam = team
    held = services.claim_next(db, datetime.fromisoformat("2026-11-23T10:00-05:00"), rep=alice).item.prospect_id
    code, out, err = run(capsys, "--db", str(db_path), "--rep", "Sam", "log", str(held), "voicemail",
                         "--at", "2026-11-23T10:01")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "reserved by Alice until 10:10" in err and "--force" in err
    code, out, err = run(capsys, "--db", str(db_path), "--rep", "Sam", "log", str(held), "voicemail",
                         "--at", "2026-11-23T10:01", "--force")
    assert code == 0, err
    assert "forced: " in out and "reserved by Alice" in out


def test_release_command(team, db_path, capsys):
    db, alice, _sam = team
    held = services.claim_next(db, datetime.fromisoformat("2026-11-23T10:00-05:00"), rep=alice).item.prospect_id
    code, _, err = run(capsys, "--db", str(db_path), "--rep", "Sam", "release", str(held))
    assert code == 1 and "Sam holds no reservation" in err
    code, out, err = run(capsys, "--db", str(db_path), "--rep", "Alice", "release", str(held))
    assert code == 0 and "released" in out
    assert db.reservation(held) is None


def test_a_card_picked_in_the_session_is_reserved_unless_another_rep_holds_it(team, now):
    db, alice, sam = team
    held = services.claim_next(db, now, rep=alice).item.prospect_id
    with pytest.raises(Reserved, match="reserved by Alice until 10:10"):
        services.claim(db, held, now, rep=sam)
    other = services.claim_next(db, now, rep=sam).item.prospect_id
    until = services.claim(db, held, now + timedelta(minutes=11), rep=sam)  # Alice's lease ran out
    assert until == now + timedelta(minutes=21)
    assert db.reservation(held)["rep_id"] == sam.id
    assert db.reservation(other) is None  # a rep holds one prospect at a time


def test_a_dial_takes_the_prospect_and_is_refused_on_one_another_rep_holds(team, now):
    # A call in progress is a reservation: no teammate is handed the prospect meanwhile, and no
    # rep dials (by key, by power mode or by `dialdeck dial`) a prospect a teammate holds.
    db, alice, sam = team
    held = services.claim_next(db, now, rep=alice)
    with pytest.raises(Reserved, match=r"is reserved by Alice until .* \(their call in progress\)"):
        services.dial_plan(db, held.item.prospect_id, now, rep=sam)
    dialled = next(pid for pid in due_ids(db, now, sam) if pid != held.item.prospect_id)
    assert services.dial_plan(db, dialled, now, rep=sam).prospect_id == dialled
    assert services.claim_next(db, now, rep=sam).item.prospect_id == dialled  # Sam holds the one dialled
    assert dialled not in [c.item.prospect_id for c in [services.claim_next(db, now + MINUTE, rep=alice)]]
    services.log_outcome(db, dialled, "voicemail", now + MINUTE, rep=sam)  # the outcome releases it
    assert services.holds(db, [dialled], now + MINUTE, rep=alice) == {}


def test_power_mode_passes_over_a_prospect_another_rep_holds(team, now):
    from dialdeck.tui.dial_jobs import next_dialable

    db, alice, sam = team
    held = services.claim_next(db, now, rep=alice)
    plan, skipped = next_dialable(db, now, rep=sam)
    assert plan is not None and plan.prospect_id != held.item.prospect_id
    assert any("reserved by Alice" in line for line in skipped)


def test_dial_refuses_a_prospect_another_rep_holds_and_hands_nothing_over(team, db_path, capsys, tmp_path,
                                                                          monkeypatch):
    db, alice, _sam = team
    held = services.claim_next(db, datetime.fromisoformat("2026-11-23T10:00-05:00"), rep=alice).item.prospect_id
    opened = tmp_path / "opened"
    opener = tmp_path / "xdg-open"
    opener.write_text(f"#!/bin/sh\necho \"$@\" >> {opened}\n")
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    code, out, err = run(capsys, "--db", str(db_path), "--rep", "Sam", "--dialer", "tel", "dial", str(held),
                         "--at", "2026-11-23T10:01")
    assert code == 1 and out == ""
    assert "reserved by Alice until 10:10" in err
    assert not opened.exists()  # nothing reached the softphone


def test_a_claim_describes_the_prospect_as_it_is_under_its_lock(team, now, monkeypatch):
    """The page is read before the prospect is locked: another rep's outcome in between can move
    it on a step, and the claim must hand out the step it is at (a log for the old step's action
    was refused on PostgreSQL in the team benchmark)."""
    from dialdeck.services import claims

    db, alice, _sam = team
    read = claims.due_rows

    def read_before_the_other_rep_logged(*args, **kwargs):
        return [dataclasses.replace(row, step_index=row.step_index + 1, cadence="three-step")
                for row in read(*args, **kwargs)]

    monkeypatch.setattr(claims, "due_rows", read_before_the_other_rep_logged)
    claim = services.claim_next(db, now, rep=alice)
    monkeypatch.undo()
    (listed,) = [item for item in services.due(db, now, rep=alice) if item.prospect_id == claim.item.prospect_id]
    assert (claim.item.cadence, claim.item.step, claim.item.action) == (listed.cadence, listed.step, listed.action)
