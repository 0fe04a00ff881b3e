"""The commands around scripts, run as a rep would: script, flag, unflag, benefit, picked,
a voicemail left off-script, and ``cadences check --simulate``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dialdeck import paths
from test_cli import assert_one_line_error, dialdeck

LEADS = """\
First Name,Last Name,Company,Phone,Email,Time Zone,Temperature,Value,Cadence,Referrer,Referrer Company,Appointment
Ann,Lee,Acme,+1 212 555 0111,ann@acme.example,America/New_York,warm,5000,follow-up-series,,,2026-11-24 14:00
Bob,Ray,Beta,+1 212 555 0112,bob@beta.example,America/New_York,warm,5000,voicemail-challenge,,,
Dan,Poe,Delta,+1 212 555 0114,dan@delta.example,America/New_York,warm,5000,money-in-follow-up,,,
"""
USER_CADENCES = Path(__file__).parent / "cadence_files"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "rep.db"
    leads = tmp_path / "leads.csv"
    leads.write_text(LEADS, encoding="utf-8")
    for key, value in (("rep.name", "Jordan Reyes"), ("rep.phone", "+1 212 555 0142"), ("rep.company", "Brightline"),
                       ("rep.timezone", "America/New_York")):
        dialdeck("config", "set", key, value, db=path, check=True)
    dialdeck("import", str(leads), "--at", "2026-11-24T09:00", db=path, check=True)
    return path


def script_json(db: Path, pid: int, at: str) -> dict:
    return json.loads(dialdeck("script", str(pid), "--at", at, "--json", db=db, check=True).stdout)


def test_script_shows_no_as_promised_after_a_no_answer(db: Path) -> None:
    dialdeck("log", "1", "no-answer", "--at", "2026-11-24T14:01", db=db, check=True)
    shown = dialdeck("script", "1", "--at", "2026-11-24T14:16", db=db, check=True).stdout
    assert "Ann Lee (#1) · follow-up-series step 2 · call" in shown
    assert "Voicemail: Hi Ann, Jordan Reyes again. I'll call you again tomorrow at 10 a.m." in shown
    assert "promised" not in shown


def test_script_json_names_the_promised_time_and_the_offers(db: Path) -> None:
    dialdeck("log", "1", "voicemail", "--at", "2026-11-24T14:00", db=db, check=True)
    dialdeck("log", "1", "voicemail", "--at", "2026-11-24T14:15", db=db, check=True)
    email = script_json(db, 1, "2026-11-24T14:20")
    assert email["action"] == "email" and email["promised_at"] == "2026-11-25T10:00:00-05:00"
    assert email["offers"] == ["2026-11-25T14:00:00-05:00", "2026-11-26T10:00:00-05:00", "2026-11-26T14:00:00-05:00"]
    dialdeck("log", "1", "sent", "--at", "2026-11-24T14:20", db=db, check=True)
    picked = dialdeck("picked", "1", "3", "--at", "2026-11-24T17:00", db=db, check=True).stdout
    assert "Ann Lee (#1): picked offered time 3" in picked
    assert "next due: Thu 2026-11-26 14:00 EST (you)" in picked
    assert "I'm calling at the time you picked." in script_json(db, 1, "2026-11-26T14:00")["voicemail"]


def test_picked_without_an_offer_is_one_line(db: Path) -> None:
    line = assert_one_line_error(dialdeck("picked", "2", "1", "--at", "2026-11-24T10:00", db=db))
    assert "Bob Ray has no offered times to pick: no email offering times has been sent" in line


def test_a_callback_chosen_by_the_prospect_gets_its_own_words(db: Path) -> None:
    dialdeck("log", "1", "connected", "--callback", "2026-11-25T11:00", "--chosen-by", "prospect",
             "--at", "2026-11-24T14:02", db=db, check=True)
    callback = script_json(db, 1, "2026-11-25T11:00")
    assert callback["callback"] and "I'm calling back as we agreed." in callback["voicemail"]
    assert "booked" not in callback["voicemail"]
    usage = dialdeck("log", "1", "no-answer", "--chosen-by", "rep", db=db)
    assert usage.returncode == 2 and "--chosen-by" in usage.stderr


def test_voicemail_challenge_started_on_a_wednesday(tmp_path: Path) -> None:
    wednesday = tmp_path / "wednesday.db"
    leads = tmp_path / "bob.csv"
    leads.write_text("\n".join(LEADS.splitlines()[:1] + LEADS.splitlines()[2:3]) + "\n", encoding="utf-8")
    dialdeck("import", str(leads), "--at", "2026-11-25T10:00", db=wednesday, check=True)
    first = script_json(wednesday, 1, "2026-11-25T10:00")["voicemail"]
    assert first.endswith("I'll call you back Friday at 4 p.m.")  # not "today at 4 p.m."
    assert "suggested" not in first  # no referrer on file
    dialdeck("log", "1", "voicemail", "--at", "2026-11-25T10:00", db=wednesday, check=True)
    assert script_json(wednesday, 1, "2026-11-27T16:00")["step"] == 2


def test_flag_urgent_gives_money_in_its_message_and_unflag_takes_it_away(db: Path) -> None:
    assert script_json(db, 3, "2026-11-24T16:00")["voicemail"] is None
    said = dialdeck("flag", "3", "urgent", "--reason", "your order ships Friday only if confirmed today",
                    "--at", "2026-11-24T15:00", db=db, check=True).stdout
    assert "Dan Poe (#3) is marked urgent (your order ships Friday only if confirmed today)" in said
    urgent = script_json(db, 3, "2026-11-24T16:00")
    assert urgent["urgent"] and "I'm calling because your order ships Friday only if confirmed today." in urgent["voicemail"]
    dialdeck("unflag", "3", "urgent", "--at", "2026-11-24T15:30", db=db, check=True)
    assert script_json(db, 3, "2026-11-24T16:00")["voicemail"] is None


def test_benefit_sets_and_clears(db: Path) -> None:
    said = dialdeck("benefit", "2", "teams like yours get two hours a week back", "--at", "2026-11-24T10:00",
                    db=db, check=True).stdout
    assert "scripts that offer a benefit now say: teams like yours get two hours a week back" in said
    assert "no benefit on file" in dialdeck("benefit", "2", "--clear", db=db, check=True).stdout
    usage = dialdeck("benefit", "2", db=db)
    assert usage.returncode == 2


def test_a_voicemail_left_on_a_no_message_step_is_warned_and_noted(db: Path) -> None:
    result = dialdeck("log", "3", "voicemail", "--at", "2026-11-24T16:00", db=db, check=True)
    assert "dialdeck: warning: step 1 of money-in-follow-up says not to leave a message" in result.stderr
    history = json.loads(dialdeck("history", "3", "--json", db=db, check=True).stdout)
    assert history["attempts"][-1]["note"] == "voicemail left although the step says not to leave one"


def test_check_simulate_a_builtin_is_true_everywhere(tmp_path: Path) -> None:
    copy = tmp_path / "zero-to-ten.toml"
    shutil.copy(paths.builtin_cadence_dir() / "zero-to-ten.toml", copy)
    result = dialdeck("cadences", "check", str(copy), "--simulate")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.startswith("ok: 11 steps\n")
    assert "What each step says (starts Mon 26 Oct 09:00 America/New_York, warm, referred by Bo Chen (Contoso)" in out
    assert "zero-to-ten step 1 · call · Mon 26 Oct 09:00 their time · logged voicemail" in out
    assert "  Voicemail: Hi Ana, it's Jordan Reyes from Brightline Analytics." in out
    assert "truth check: every script was true in 231 situations" in out


def test_check_simulate_reports_each_untrue_sentence(tmp_path: Path) -> None:
    result = dialdeck("cadences", "check", str(USER_CADENCES / "user" / "nurture.toml"), "--simulate")
    assert result.returncode == 1
    assert "truth check: untrue sentences in" in result.stdout
    assert "nurture step 2 talk_track: claims a kept promise, but no promise was made for this call" in result.stdout
    assert "“Hi Ana, Jordan Reyes here; checking in, as promised.”" in result.stdout


def test_check_names_file_step_and_field_of_a_bad_condition(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('''
[[steps]]
action = "call"
wait = "0 minutes"
voicemail = [ "Hi.", { when = "refferer", text = "{referrer} sent me." } ]
talk_track = "{referrer} suggested we talk."
''', encoding="utf-8")
    result = dialdeck("cadences", "check", str(bad), "--simulate")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{bad}: step 1: voicemail: part 2: unknown condition 'refferer'" in result.stderr
    assert f"{bad}: step 1: talk_track: {{referrer}} is known only for some prospects" in result.stderr


def test_check_simulate_follows_a_continue_into_the_reps_other_cadences(tmp_path: Path) -> None:
    folder = tmp_path / "cadences"
    folder.mkdir()
    shutil.copy(USER_CADENCES / "user" / "nurture.toml", folder)
    hop = folder / "hop.toml"
    hop.write_text('name = "hop"\nafter_last = "continue"\ncontinue_with = "nurture"\n[[steps]]\naction = "call"\n'
                   'wait = "0 minutes"\nvoicemail = "Hi, {rep_name} here. I\'ll try you {next_call}."\n',
                   encoding="utf-8")
    result = dialdeck("cadences", "check", str(hop), "--simulate", env={"DIALDECK_CADENCES": str(folder)})
    assert "hop step 1 · call · Mon 26 Oct 09:00 their time · logged voicemail" in result.stdout
    assert "nurture step 1 · email" in result.stdout and "three-step step 1 · call" in result.stdout
    assert result.returncode == 1 and "nurture step 2 talk_track: claims a kept promise" in result.stdout
