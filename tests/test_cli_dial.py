"""``dialdeck dial`` and ``dialdeck recording``, run as installed, end to end.

The sip back-end calls a real SIP peer (sipp) on loopback; what reached its media port is
captured, so a dropped voicemail is checked by the RTP packets that arrived. ``tel`` and
``command`` hand the number to stand-in programs on PATH that record what they were given.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sip_peer import (
    Capture,
    Sipp,
    mulaw_decode,
    need_capture,
    need_sip_tools,
    rms,
    start_sipp,
)
from wav_helpers import tone, write_wav

BIN = Path(sys.executable).parent
# Monday 2026-11-23 10:00 in New York: Ana and Ben's first call is due and in their hours.
AT = "2026-11-23T10:00:00-05:00"
PROSPECTS = """\
First Name,Last Name,Company Name,Phone Number,E-mail,Time Zone,Lead Temperature,Cadence
Ana,Souza,Northwind,+1 212 555 0101,ana@northwind.example,America/New_York,warm,zero-to-ten
Ben,Okafor,Contoso,+1 212 555 0102 ext. 45,ben@contoso.example,America/New_York,warm,zero-to-ten
Chloe,Martin,Fabrikam,+1 415 555 0103,chloe@fabrikam.example,America/Los_Angeles,warm,zero-to-ten
"""
ANA, BEN, CHLOE = "1", "2", "3"


class Rep:
    """One rep's database and recordings folder, and the installed command run against them."""

    def __init__(self, root: Path, env: dict[str, str] | None = None):
        self.root = root
        self.db = root / "rep.db"
        self.env = {**os.environ, "DIALDECK_DB": str(self.db), "DIALDECK_RECORDINGS": str(root / "recordings"),
                    "DIALDECK_CADENCES": str(root / "no-cadences"), **(env or {})}

    def run(self, *args: str, check: bool = False, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(BIN / "dialdeck"), *args], capture_output=True, text=True, timeout=timeout,
                                env=self.env)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([str(BIN / "dialdeck"), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=self.env)

    @property
    def recordings(self) -> Path:
        """The first rep's own recordings (``rep_<id>``: the database's only rep is rep 1)."""
        return self.root / "recordings" / "rep_1"

    def history(self, prospect: str) -> dict:
        return json.loads(self.run("history", prospect, "--json", check=True).stdout)


@pytest.fixture
def rep(tmp_path: Path) -> Rep:
    made = Rep(tmp_path)
    csv_path = tmp_path / "leads.csv"
    csv_path.write_text(PROSPECTS, encoding="utf-8")
    for key, value in (("rep.name", "Jordan Reyes"), ("rep.phone", "+1 212 555 0142"), ("rep.company", "Acme")):
        made.run("config", "set", key, value, check=True)
    made.run("import", str(csv_path), "--at", "2026-11-23T09:00:00-05:00", check=True)
    return made


def sip_rep(rep: Rep, sipp: Sipp) -> Rep:
    for key, value in (("dial.backend", "sip"), ("sip.domain", sipp.domain), ("sip.audio", "none"),
                       ("dial.ring_timeout", "5")):
        rep.run("config", "set", key, value, check=True)
    return rep


def invites_received(sipp: Sipp) -> int:
    """The INVITEs sipp counted, from the statistics screen it prints when it stops."""
    counts = re.findall(r"INVITE\s+(\d+)", sipp.log.read_text(errors="replace"))
    assert counts, "sipp printed no statistics"
    return int(counts[-1])


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def states(output: str) -> list[str]:
    return [line["state"] for line in lines(output) if "state" in line]


# --- sip, against sipp --------------------------------------------------------------------------

def test_an_answered_call_reports_its_states_and_suggests_connected(rep: Rep, tmp_path: Path) -> None:
    need_sip_tools()
    sipp = start_sipp("uas", tmp_path)
    done = sip_rep(rep, sipp).run("dial", ANA, "--at", AT, "--json", "--hangup-after", "1.5")
    assert done.returncode == 0, done.stderr
    assert states(done.stdout) == ["dialing", "ringing", "answered", "ended"]
    assert lines(done.stdout)[0]["at"].startswith("2026-11-23T15:00:0")  # stamped from --at
    last = lines(done.stdout)[-1]
    assert (last["result"], last["suggested_outcome"]) == ("answered", "connected")
    assert 1.4 <= last["talk_seconds"] <= 2.5 and last["ring_seconds"] < 2
    assert last["dialled"] == f"sip:+12125550101@{sipp.domain}"
    assert sipp.finish() == 0  # our BYE reached it
    assert rep.history(ANA)["attempts"] == []  # without --drop nothing is logged


def test_the_readable_output_ends_with_the_log_command_that_keeps_the_facts(rep: Rep, tmp_path: Path) -> None:
    need_sip_tools()
    sipp = start_sipp("uas_busy.xml", tmp_path)
    done = sip_rep(rep, sipp).run("dial", ANA, "--at", AT)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == "dialing Ana Souza (#1) at +1 212-555-0101 · zero-to-ten step 1 · sip"
    assert out[-2].startswith("busy · rang ") and out[-2].endswith("486 Busy Here · suggested outcome: busy")
    command = out[-1].removeprefix("log it: dialdeck ")
    assert command.startswith("log 1 busy --network-result busy --ring-seconds ")
    logged = rep.run(*command.split(), "--at", AT)
    assert logged.returncode == 0, logged.stderr
    attempt = rep.history(ANA)["attempts"][0]
    assert (attempt["outcome"], attempt["network_result"], attempt["talk_seconds"]) == ("busy", "busy", 0.0)
    assert sipp.finish() == 0


def test_busy_is_reported_with_the_sip_reason(rep: Rep, tmp_path: Path) -> None:
    need_sip_tools()
    sipp = start_sipp("uas_busy.xml", tmp_path)
    done = sip_rep(rep, sipp).run("dial", ANA, "--at", AT, "--json")
    assert states(done.stdout) == ["dialing", "busy"]
    assert lines(done.stdout)[1]["reason"] == "486 Busy Here"
    last = lines(done.stdout)[-1]
    assert (last["result"], last["suggested_outcome"], last["talk_seconds"]) == ("busy", "busy", 0.0)
    assert sipp.finish() == 0


def test_ringing_forever_is_no_answer_at_the_ring_timeout(rep: Rep, tmp_path: Path) -> None:
    need_sip_tools()
    sipp = start_sipp("uas_ring.xml", tmp_path)
    started = time.monotonic()
    done = sip_rep(rep, sipp).run("dial", ANA, "--at", AT, "--json")
    assert states(done.stdout) == ["dialing", "ringing", "no-answer"]
    last = lines(done.stdout)[-1]
    assert (last["result"], last["suggested_outcome"], last["reason"]) == ("no-answer", "no-answer", "no answer within 5 s")
    assert 4.9 <= last["ring_seconds"] <= 6.0
    assert time.monotonic() - started < 15
    assert sipp.finish() == 0  # our CANCEL reached it


def test_drop_plays_the_recording_to_the_callee_and_logs_voicemail(rep: Rep, tmp_path: Path) -> None:
    need_sip_tools()
    need_capture()
    wav = write_wav(tmp_path / "hello.wav", tone(2.0, 44100, frequency=440), 44100, channels=2)
    rep.run("recording", "set", "zero-to-ten", "1", str(wav), check=True)
    sipp = start_sipp("uas", tmp_path)
    capture = Capture(sipp.media_port, tmp_path)
    done = sip_rep(rep, sipp).run("dial", ANA, "--at", AT, "--json", "--drop")
    time.sleep(0.3)
    packets = capture.stop()
    assert done.returncode == 0, done.stderr
    assert states(done.stdout) == ["dialing", "ringing", "answered", "ended"]
    last = lines(done.stdout)[-1]
    assert (last["result"], last["suggested_outcome"], last["recording_dropped"]) == ("answered", "voicemail", True)
    assert 2.0 <= last["talk_seconds"] <= 4.0
    assert last["logged_attempt_id"] == 1
    # The 2 s message arrived: 50 loud 20 ms frames a second.
    assert 98 <= sum(rms(mulaw_decode(p.payload)) > 1000 for p in packets) <= 101
    attempt = rep.history(ANA)["attempts"][0]
    assert (attempt["outcome"], attempt["network_result"], attempt["recording_dropped"], attempt["number"]) == (
        "voicemail", "answered", True, "+12125550101")
    assert attempt["talk_seconds"] == last["talk_seconds"]
    assert sipp.finish() == 0


def test_a_rep_dials_with_their_own_caller_id(rep: Rep, tmp_path: Path) -> None:
    need_sip_tools()
    sipp = start_sipp("uas_busy_from_sam.xml", tmp_path)
    sip_rep(rep, sipp).run("reps", "add", "Sam", check=True)
    rep.run("--rep", "Sam", "config", "set", "sip.caller_id", "+1 212 555 0199", check=True)
    for key, value in (("dial.backend", "sip"), ("sip.audio", "none")):  # Sam's own, as for every rep
        rep.run("--rep", "Sam", "config", "set", key, value, check=True)
    done = rep.run("--rep", "Sam", "dial", ANA, "--at", AT, "--json")
    assert done.returncode == 0, done.stderr
    assert states(done.stdout) == ["dialing", "busy"]
    assert sipp.finish() == 0  # the INVITE's From carried Sam's number, not the team's first rep's


def test_a_reps_drop_plays_their_own_recording_and_is_logged_as_theirs(rep: Rep, tmp_path: Path) -> None:
    need_sip_tools()
    sipp = start_sipp("uas", tmp_path)
    sip_rep(rep, sipp).run("reps", "add", "Sam", check=True)
    for key, value in (("dial.backend", "sip"), ("sip.audio", "none")):
        rep.run("--rep", "Sam", "config", "set", key, value, check=True)
    refused = rep.run("--rep", "Sam", "dial", ANA, "--at", AT, "--drop")  # the first rep's recording is not Sam's
    rep.run("--rep", "me", "recording", "set", "zero-to-ten", "1",
            str(write_wav(tmp_path / "me.wav", tone(1.5, 8000), 8000)), check=True)
    assert refused.returncode == 1 and "no voicemail recording is set for zero-to-ten step 1" in refused.stderr
    rep.run("--rep", "Sam", "recording", "set", "zero-to-ten", "1",
            str(write_wav(tmp_path / "sam.wav", tone(2.0, 8000), 8000)), check=True)
    done = rep.run("--rep", "Sam", "dial", ANA, "--at", AT, "--json", "--drop")
    assert done.returncode == 0, done.stderr
    last = lines(done.stdout)[-1]
    assert last["recording_dropped"] is True and 2.0 <= last["talk_seconds"] <= 4.0  # Sam's 2 s, not my 1.5 s
    attempt = rep.history(ANA)["attempts"][0]
    assert (attempt["outcome"], attempt["rep"], attempt["recording_dropped"]) == ("voicemail", "Sam", True)
    assert sipp.finish() == 0


def test_drop_without_a_recording_says_how_to_set_one_and_dials_nothing(rep: Rep, tmp_path: Path) -> None:
    need_sip_tools()
    sipp = start_sipp("uas", tmp_path)
    done = sip_rep(rep, sipp).run("dial", ANA, "--at", AT, "--drop")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "dialdeck: error: --drop: no voicemail recording is set for zero-to-ten step 1; set one with "
        "`dialdeck recording set zero-to-ten 1 FILE.wav`")
    assert sipp.finish(timeout=1) == -1  # still waiting for its call when stopped
    assert invites_received(sipp) == 0


def test_ctrl_c_hangs_up_and_still_reports_the_call(rep: Rep, tmp_path: Path) -> None:
    need_sip_tools()
    sipp = start_sipp("uas", tmp_path)
    sip_rep(rep, sipp)
    process = subprocess.Popen([str(BIN / "dialdeck"), "dial", ANA, "--at", AT, "--json"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=rep.env, start_new_session=True)
    assert process.stdout is not None
    try:
        seen = [process.stdout.readline() for _ in range(3)]
        assert [json.loads(line)["state"] for line in seen] == ["dialing", "ringing", "answered"]
        time.sleep(1.0)
        os.killpg(process.pid, signal.SIGINT)  # as the terminal sends it: to the whole process group
        out, _err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:  # a dial that did not end must not outlive the test (nor its baresip)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130
    assert states(out) == ["ended"]
    last = lines(out)[-1]
    assert (last["result"], last["reason"]) == ("answered", "hung up")
    assert sipp.finish() == 0  # the BYE was ours, sent while dialdeck still ran


@pytest.mark.parametrize(("setup", "prospect", "reason"), [
    ((), CHLOE, "not dialled: 07:00 is outside Chloe Martin's calling hours"),
    (("dnc", "add", "+1 212 555 0101"), ANA, "not dialled: +1 212-555-0101 is on the do-not-call list"),
    (("log", ANA, "connected", "--disposition", "not-interested", "--at", "2026-11-23T09:30:00-05:00"), ANA,
     "not dialled: Ana Souza is not interested"),
    ("cap", ANA, "not dialled: Ana Souza has been called 3 times today"),
])
def test_a_refused_call_exits_1_with_the_reason_and_sends_nothing(rep: Rep, tmp_path: Path, setup, prospect: str,
                                                                  reason: str) -> None:
    need_sip_tools()
    if setup == "cap":
        for minute in ("07", "08", "09"):
            rep.run("log", ANA, "busy", "--force", "--at", f"2026-11-23T09:{minute}:00-05:00", check=True)
    elif setup:
        rep.run(*setup, check=True)
    sipp = start_sipp("uas", tmp_path)
    done = sip_rep(rep, sipp).run("dial", prospect, "--at", AT, "--json")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"dialdeck: error: {reason}")
    assert len(done.stderr.strip().splitlines()) == 1
    assert sipp.finish(timeout=1) == -1  # sipp still waited for its one call when stopped
    assert invites_received(sipp) == 0


def test_a_finished_prospect_is_not_dialled(rep: Rep, tmp_path: Path) -> None:
    rep.run("config", "set", "dial.backend", "command", check=True)
    rep.run("config", "set", "dial.command", "true {e164}", check=True)
    rep.run("log", ANA, "wrong-number", "--at", "2026-11-23T09:30:00-05:00", check=True)
    done = rep.run("dial", ANA, "--at", AT)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "dialdeck: error: not dialled: Ana Souza has a wrong number\n"


def test_sip_without_a_domain_or_without_baresip_is_one_line_saying_what_to_do(rep: Rep, tmp_path: Path) -> None:
    rep.run("config", "set", "dial.backend", "sip", check=True)
    done = rep.run("dial", ANA, "--at", AT)
    assert done.returncode == 1
    assert done.stderr == ("dialdeck: error: dial.backend sip needs sip.domain (your PBX or SIP trunk), e.g. "
                           "`dialdeck config set sip.domain pbx.example.com`\n")
    rep.run("config", "set", "sip.domain", "pbx.example.com", check=True)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    bare = Rep(rep.root, env={"PATH": str(empty)})
    done = bare.run("dial", ANA, "--at", AT)
    assert done.returncode == 1
    assert done.stderr.startswith("dialdeck: error: ") and "baresip" in done.stderr and "apt" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


# --- tel and command: stand-in programs on PATH -----------------------------------------------------

def stand_in(folder: Path, name: str, log: Path) -> None:
    script = folder / name
    script.write_text(f"#!{sys.executable}\nimport json, sys\n"
                      f"open({str(log)!r}, 'a').write(json.dumps([{name!r}, *sys.argv[1:]]) + '\\n')\n")
    script.chmod(0o755)


def test_command_gets_the_number_as_an_argument_and_nothing_is_guessed(rep: Rep, tmp_path: Path) -> None:
    folder, log = tmp_path / "bin", tmp_path / "ran.jsonl"
    folder.mkdir()
    stand_in(folder, "softphone", log)
    rep.run("config", "set", "dial.backend", "command", check=True)
    rep.run("config", "set", "dial.command", "softphone --call {number}", check=True)
    done = Rep(rep.root, env={"PATH": str(folder)}).run("dial", BEN, "--at", AT, "--json")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in log.read_text().splitlines()] == [["softphone", "--call", "+12125550102,45"]]
    last = lines(done.stdout)[-1]
    assert (last["result"], last["suggested_outcome"], last["talk_seconds"]) == (None, None, None)
    assert states(done.stdout) == ["dialing"]


def test_tel_opens_the_uri_with_the_extension(rep: Rep, tmp_path: Path) -> None:
    folder, log = tmp_path / "bin", tmp_path / "ran.jsonl"
    folder.mkdir()
    stand_in(folder, "xdg-open", log)
    rep.run("config", "set", "dial.backend", "tel", check=True)
    done = Rep(rep.root, env={"PATH": str(folder)}).run("dial", BEN, "--at", AT)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in log.read_text().splitlines()] == [["xdg-open", "tel:+12125550102;ext=45"]]
    assert done.stdout.splitlines()[-1] == "log the outcome when the call ends: dialdeck log 2 OUTCOME"


@pytest.mark.parametrize("where", ["before", "after"])
def test_dialer_picks_the_back_end_for_one_call_whichever_side_of_dial_it_is(rep: Rep, tmp_path: Path,
                                                                              where: str) -> None:
    folder, log = tmp_path / "bin", tmp_path / "ran.jsonl"
    folder.mkdir()
    stand_in(folder, "xdg-open", log)
    rep.run("config", "set", "dial.backend", "command", check=True)  # with no dial.command: unusable
    flag = ["--dialer", "tel"]
    args = [*flag, "dial", BEN] if where == "before" else ["dial", BEN, *flag]
    done = Rep(rep.root, env={"PATH": str(folder)}).run(*args, "--at", AT)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in log.read_text().splitlines()] == [["xdg-open", "tel:+12125550102;ext=45"]]


def test_drop_and_hangup_after_need_a_backend_that_places_the_call(rep: Rep, tmp_path: Path) -> None:
    rep.run("config", "set", "dial.backend", "tel", check=True)
    wav = write_wav(tmp_path / "hello.wav", tone(1.5, 8000), 8000)
    rep.run("recording", "set", "zero-to-ten", "1", str(wav), check=True)
    folder = tmp_path / "bin"
    folder.mkdir()
    stand_in(folder, "xdg-open", tmp_path / "ran.jsonl")
    done = Rep(rep.root, env={"PATH": str(folder)}).run("dial", ANA, "--at", AT, "--drop")
    assert done.returncode == 1
    assert done.stderr == ("dialdeck: error: --drop needs a back-end that places the call itself "
                           "(dial.backend sip); tel hands the number over\n")
    assert not (tmp_path / "ran.jsonl").exists()  # nothing was opened


# --- recordings -----------------------------------------------------------------------------------

def test_recordings_are_set_listed_and_removed(rep: Rep, tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "step4.wav", tone(2.5, 48000), 48000, channels=2)
    done = rep.run("recording", "set", "zero-to-ten", "4", str(wav), check=True)
    stored = rep.recordings / "zero-to-ten" / "step-4.wav"
    assert done.stdout == f"recording for zero-to-ten step 4 stored (2.5 s): {stored}\n"
    header = stored.read_bytes()[:44]
    assert header[22:24] == b"\x01\x00" and int.from_bytes(header[24:28], "little") == 8000  # mono, 8 kHz
    listed = rep.run("recording", "list", check=True).stdout.splitlines()
    assert listed[0].split() == ["CADENCE", "STEP", "LENGTH", "FILE"]
    assert listed[1].split() == ["zero-to-ten", "4", "2.5", "s", str(stored)]
    assert json.loads(rep.run("recording", "list", "--json", check=True).stdout) == [
        {"cadence": "zero-to-ten", "step": 4, "seconds": 2.5, "file": str(stored)}]
    assert rep.run("recording", "remove", "zero-to-ten", "4", check=True).stdout == \
        "recording for zero-to-ten step 4 removed\n"
    assert not stored.exists()
    assert "no recordings yet" in rep.run("recording", "list", check=True).stdout
    gone = rep.run("recording", "remove", "zero-to-ten", "4")
    assert (gone.returncode, gone.stderr) == (1, "dialdeck: error: no recording is set for zero-to-ten step 4\n")


@pytest.mark.parametrize(("args", "error"), [
    (("nope", "1", "GOOD"), "no cadence named 'nope' (known: "),
    (("zero-to-ten", "2", "GOOD"), "step 2 of zero-to-ten is an email step: a recording goes with a call step "
                                   "that leaves a voicemail (in zero-to-ten: 1, 4, 5, 7, 8, 9, 10)"),
    (("zero-to-ten", "12", "GOOD"), "zero-to-ten has steps 1 to 11, not '12'"),
    (("zero-to-ten", "1", "SILENT"), "SILENT: the recording is silent (was the microphone muted?)"),
    (("zero-to-ten", "1", "SHORT"), "SHORT: 0.5 s is too short for a voicemail (at least 1 s)"),
    (("zero-to-ten", "1", "TEXT"), "TEXT: not a WAV file; convert it with e.g. `sox IN -r 8000"),
    (("zero-to-ten", "1", "MISSING"), "MISSING: no such file"),
])
def test_a_bad_recording_is_refused_in_one_line_and_nothing_is_stored(rep: Rep, tmp_path: Path, args, error) -> None:
    files = {
        "GOOD": write_wav(tmp_path / "good.wav", tone(1.5, 8000), 8000),
        "SILENT": write_wav(tmp_path / "silent.wav", [0.0] * 16000, 8000),
        "SHORT": write_wav(tmp_path / "short.wav", tone(0.5, 8000), 8000),
        "TEXT": tmp_path / "notes.wav",
        "MISSING": tmp_path / "missing.wav",
    }
    files["TEXT"].write_text("not audio")
    typed = [str(files[a]) if a in files else a for a in args]
    done = rep.run("recording", "set", *typed)
    assert done.returncode == 1
    expected = error
    for name, path in files.items():
        expected = expected.replace(name, str(path)) if expected.startswith(name) else expected
    assert done.stderr.startswith(f"dialdeck: error: {expected}")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (rep.recordings / "zero-to-ten" / "step-1.wav").exists()


def test_a_link_planted_where_a_recording_goes_is_replaced_not_followed(rep: Rep, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    folder = rep.recordings / "zero-to-ten"
    folder.mkdir(parents=True)
    (folder / "step-1.wav").symlink_to(victim)
    wav = write_wav(tmp_path / "hello.wav", tone(1.5, 8000), 8000)
    rep.run("recording", "set", "zero-to-ten", "1", str(wav), check=True)
    assert victim.read_text() == "keep me"
    assert not (folder / "step-1.wav").is_symlink()


def test_a_linked_recordings_folder_is_refused(rep: Rep, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    rep.recordings.mkdir(parents=True)
    (rep.recordings / "zero-to-ten").symlink_to(elsewhere)
    wav = write_wav(tmp_path / "hello.wav", tone(1.5, 8000), 8000)
    done = rep.run("recording", "set", "zero-to-ten", "1", str(wav))
    assert done.returncode == 1 and "is a symbolic link: recordings are not written through one" in done.stderr
    assert list(elsewhere.iterdir()) == []


def test_the_recordings_sit_beside_the_database_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DIALDECK_RECORDINGS"}
    env.update(DIALDECK_DB=str(tmp_path / "work" / "rep.db"), DIALDECK_CADENCES=str(tmp_path / "none"))
    wav = write_wav(tmp_path / "hello.wav", tone(1.5, 8000), 8000)
    done = subprocess.run([str(BIN / "dialdeck"), "recording", "set", "three-step", "1", str(wav)],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "work" / "recordings" / "rep_1" / "three-step" / "step-1.wav").is_file()


def test_each_rep_has_their_own_recordings(rep: Rep, tmp_path: Path) -> None:
    rep.run("reps", "add", "Sam", check=True)
    mine = write_wav(tmp_path / "mine.wav", tone(1.5, 8000), 8000)
    rep.run("--rep", "me", "recording", "set", "zero-to-ten", "1", str(mine), check=True)
    assert "no recordings yet" in rep.run("--rep", "Sam", "recording", "list", check=True).stdout
    theirs = write_wav(tmp_path / "sam.wav", tone(2.5, 8000), 8000)
    done = rep.run("--rep", "Sam", "recording", "set", "zero-to-ten", "1", str(theirs), check=True)
    assert done.stdout.endswith(f"(2.5 s): {rep.root / 'recordings' / 'rep_2' / 'zero-to-ten' / 'step-1.wav'}\n")
    listed = json.loads(rep.run("--rep", "me", "recording", "list", "--json", check=True).stdout)
    assert [(r["step"], r["seconds"], r["file"]) for r in listed] == [
        (1, 1.5, str(rep.recordings / "zero-to-ten" / "step-1.wav"))]
    rep.run("--rep", "Sam", "recording", "remove", "zero-to-ten", "1", check=True)
    assert (rep.recordings / "zero-to-ten" / "step-1.wav").is_file()  # Sam's removal leaves mine


def test_recordings_kept_before_reps_become_the_first_reps(rep: Rep, tmp_path: Path) -> None:
    rep.run("reps", "add", "Sam", check=True)
    old = rep.root / "recordings" / "zero-to-ten"
    old.mkdir(parents=True)
    write_wav(old / "step-4.wav", tone(1.5, 8000), 8000)
    assert "no recordings yet" in rep.run("--rep", "Sam", "recording", "list", check=True).stdout
    listed = json.loads(rep.run("--rep", "me", "recording", "list", "--json", check=True).stdout)
    assert listed == [{"cadence": "zero-to-ten", "step": 4, "seconds": 1.5,
                       "file": str(rep.recordings / "zero-to-ten" / "step-4.wav")}]
    assert not old.exists()  # moved, not copied: one place per recording


# --- what the facts look like afterwards: history, export, report -----------------------------------

def test_history_export_and_report_show_the_network_result_and_talk_time(rep: Rep) -> None:
    rep.run("log", ANA, "connected", "--disposition", "continue", "--network-result", "answered",
            "--ring-seconds", "4.5", "--talk-seconds", "125.4", "--at", AT, check=True)
    rep.run("log", BEN, "busy", "--network-result", "busy", "--ring-seconds", "0.3", "--talk-seconds", "0",
            "--at", AT, check=True)
    text = rep.run("history", ANA, check=True).stdout.splitlines()
    header = next(line for line in text if line.startswith("WHEN"))
    assert header.split() == ["WHEN", "STEP", "ACTION", "OUTCOME", "NUMBER", "CALL", "NOTE"]
    row = text[text.index(header) + 1]
    assert "connected  +1 212-555-0101  answered 2:05" in row
    assert "talk time: 2:05 over 1 answered call" in text
    attempt = rep.history(ANA)["attempts"][0]
    assert (attempt["network_result"], attempt["ring_seconds"], attempt["talk_seconds"], attempt["recording_dropped"]) == (
        "answered", 4.5, 125.4, False)
    assert rep.history(BEN)["attempts"][0]["number"] == "+12125550102;ext=45"  # the number dialled, extension too

    exported = json.loads(rep.run("export", "--format", "json", check=True).stdout)
    ana = exported[0]
    assert ana["talk_seconds_total"] == 125.4
    assert {k: ana["attempts"][0][k] for k in ("network_result", "ring_seconds", "talk_seconds", "recording_dropped")} == {
        "network_result": "answered", "ring_seconds": 4.5, "talk_seconds": 125.4, "recording_dropped": False}
    assert exported[2]["talk_seconds_total"] is None  # Chloe: never called
    csv_text = rep.run("export", "--format", "csv", check=True).stdout
    rows = list(csv.DictReader(csv_text.splitlines()))
    assert rows[0]["talk_seconds_total"] == "125.4" and rows[2]["talk_seconds_total"] == ""
    assert json.loads(rows[1]["attempts"])[0]["network_result"] == "busy"


def test_a_hand_logged_call_shows_no_call_facts(rep: Rep) -> None:
    rep.run("log", ANA, "no-answer", "--at", AT, check=True)
    text = rep.run("history", ANA, check=True).stdout
    assert "no-answer  +1 212-555-0101  -" in text
    assert "talk time" not in text


def test_config_shows_the_dialing_settings_with_the_password_masked(rep: Rep) -> None:
    assert rep.run("config", "set", "sip.password", "s3cret-Pass", check=True).stdout == "sip.password = ********\n"
    rep.run("config", "set", "sip.caller_id", "+1 (212) 555-0142", check=True)
    shown = rep.run("config", check=True).stdout
    assert "s3cret" not in shown
    assert [line.split() for line in shown.splitlines() if line.startswith(("dial.", "sip."))] == [
        ["dial.backend", "manual"], ["dial.command", "(not", "set)"], ["dial.ring_timeout", "30"],
        ["sip.domain", "(not", "set)"], ["sip.user", "(not", "set)"], ["sip.password", "********"],
        ["sip.register", "no"], ["sip.caller_id", "+12125550142"], ["sip.audio", "alsa,default"]]
    data = json.loads(rep.run("config", "--json", check=True).stdout)
    assert (data["sip.password"], data["dial.backend"]) == ("********", "manual")
    bad = rep.run("config", "set", "sip.register", "maybe")
    assert (bad.returncode, bad.stderr) == (1, "dialdeck: error: sip.register: 'maybe' is not yes or no\n")
    assert "dial.backend" in rep.run("config", "set", "--help", check=True).stdout
