"""The hand-off back-ends (manual, tel, command) with stand-in programs on PATH.

Each stand-in is a tiny script that records its arguments and standard input to a file, so a
test sees exactly what a real xdg-open, xclip or linphonecsh would have been given.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialdeck.dialers import CallEvent, CallState, DialerError, DialTarget
from dialdeck.dialers.clipboard import copy_text, osc52_sequence, terminal_osc52_writer
from dialdeck.dialers.command import CommandDialer, parse_template, render
from dialdeck.dialers.manual import ManualDialer
from dialdeck.dialers.tel import TelDialer, tel_uri

TARGET = DialTarget("+14155550100", "123")


class Programs:
    """A folder of stand-in programs, put first (and alone) on PATH."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch):
        self.bin = root / "bin"
        self.bin.mkdir()
        self.log = root / "ran.jsonl"
        monkeypatch.setenv("PATH", str(self.bin))

    def add(self, name: str, status: int = 0, stderr: str = "", sleep: float = 0.0) -> None:
        script = self.bin / name
        script.write_text(
            f"#!{sys.executable}\n"
            "import json, sys, time\n"
            "data = sys.stdin.read()\n"
            f"with open({str(self.log)!r}, 'a') as log:\n"
            f"    log.write(json.dumps({{'program': {name!r}, 'argv': sys.argv[1:], 'stdin': data}}) + '\\n')\n"
            f"sys.stderr.write({stderr!r})\n"
            f"time.sleep({sleep})\n"
            f"sys.exit({status})\n"
        )
        script.chmod(0o755)

    def runs(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


@pytest.fixture
def programs(tmp_path, monkeypatch) -> Programs:
    return Programs(tmp_path, monkeypatch)


class Events(list):
    def __init__(self) -> None:
        super().__init__()
        self.done = threading.Event()

    def __call__(self, event: CallEvent) -> None:
        self.append(event)
        if event.final:
            self.done.set()


# ---- manual -----------------------------------------------------------------------------


def test_manual_copies_the_dial_string_and_says_how(programs, monkeypatch):
    programs.add("xclip")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    sent: list[str] = []
    events = Events()

    call = ManualDialer(osc52=sent.append).dial(TARGET, events)

    assert [e.state for e in events] == [CallState.DIALING]
    assert events[0].final and call.result == events[0].result
    assert events[0].reason == (
        "dial +1 415-555-0100 ext. 123 yourself: copied to the clipboard with xclip; "
        "clipboard request (OSC 52) sent to the terminal"
    )
    assert call.result.result is None and call.result.suggested_outcome is None
    assert call.result.ring_seconds is None and call.result.talk_seconds is None
    assert call.result.dialled == "+14155550100,123"
    assert sent == ["+14155550100,123"]
    assert programs.runs() == [{"program": "xclip", "argv": ["-selection", "clipboard"], "stdin": "+14155550100,123"}]


def test_manual_without_any_clipboard_says_it_was_not_copied(programs, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("TERM", "dumb")
    events = Events()

    ManualDialer().dial(DialTarget("+442079460958"), events)

    assert events[0].state is CallState.DIALING
    assert events[0].reason == (
        "dial +44 20 7946 0958 yourself: not copied to the clipboard "
        "(no clipboard tool (wl-copy, xclip, xsel, pbcopy) for this session)"
    )


def test_clipboard_prefers_the_wayland_tool_and_reports_a_failing_one(programs):
    programs.add("wl-copy", status=1, stderr="Failed to connect to a Wayland server\n")
    programs.add("xclip")
    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "TERM": "dumb"}

    report = copy_text("+14155550100", env=env)

    assert report.copied_with == ()
    assert report.problems == ("wl-copy exited with status 1: Failed to connect to a Wayland server",)
    assert report.summary == "not copied to the clipboard (wl-copy exited with status 1: Failed to connect to a Wayland server)"


def test_clipboard_uses_pbcopy_on_macos(programs):
    programs.add("pbcopy")
    report = copy_text("+14155550100", env={"TERM": "dumb"}, platform="darwin")
    assert report.copied_with == ("pbcopy",)
    assert programs.runs()[0]["stdin"] == "+14155550100"


def test_osc52_goes_to_the_terminal_as_one_escape_sequence(tmp_path):
    tty = tmp_path / "tty"
    tty.write_text("")
    terminal_osc52_writer(str(tty))("+14155550100,123")
    assert tty.read_bytes() == b"\x1b]52;c;KzE0MTU1NTUwMTAwLDEyMw==\x07"
    assert osc52_sequence("+1") == "\x1b]52;c;KzE=\x07"


def test_manual_cannot_drop_a_recording(tmp_path):
    call = ManualDialer(copy=lambda text: copy_text(text, env={"TERM": "dumb"})).dial(TARGET, Events())
    call.hang_up()  # nothing to hang up: no error
    with pytest.raises(DialerError, match="voicemail drop needs the sip back-end"):
        call.drop(tmp_path / "vm.wav")


# ---- tel --------------------------------------------------------------------------------------


def test_tel_opens_the_uri_with_xdg_open(programs):
    programs.add("xdg-open")
    events = Events()

    call = TelDialer().dial(TARGET, events)

    assert call.wait(10) is not None
    assert programs.runs() == [{"program": "xdg-open", "argv": ["tel:+14155550100;ext=123"], "stdin": ""}]
    assert [e.state for e in events] == [CallState.DIALING]
    assert events[0].reason == "opened tel:+14155550100;ext=123 with xdg-open"
    assert call.result.result is None and call.result.dialled == "tel:+14155550100;ext=123"


def test_tel_falls_back_to_gio_open(programs):
    programs.add("gio")
    call = TelDialer().dial(DialTarget("+14155550100"), Events())
    call.wait(10)
    assert programs.runs() == [{"program": "gio", "argv": ["open", "tel:+14155550100"], "stdin": ""}]


def test_tel_without_a_handler_fails_with_the_openers_words(programs):
    programs.add("xdg-open", status=3, stderr="xdg-open: no method available for opening 'tel:+14155550100'\n")
    events = Events()

    result = TelDialer().dial(DialTarget("+14155550100"), events).wait(10)

    assert [e.state for e in events] == [CallState.FAILED]
    assert result.result == "failed" and result.suggested_outcome is None
    assert events[0].reason == (
        "could not open tel:+14155550100: xdg-open exited with status 3: "
        "xdg-open: no method available for opening 'tel:+14155550100'"
    )


def test_tel_without_any_opener_is_refused_at_start(programs):
    with pytest.raises(DialerError, match="needs a program that opens tel: links"):
        TelDialer()


def test_tel_events_come_from_the_backends_thread(programs):
    programs.add("xdg-open")
    threads: list[str] = []
    TelDialer().dial(TARGET, lambda e: threads.append(threading.current_thread().name)).wait(10)
    time.sleep(0.05)
    assert threads == ["dialdeck-tel"]


# ---- command ----------------------------------------------------------------------------------


def test_command_passes_the_number_as_an_argument(programs):
    programs.add("linphonecsh")
    events = Events()

    result = CommandDialer("linphonecsh dial {e164}").dial(TARGET, events).wait(10)

    assert programs.runs() == [{"program": "linphonecsh", "argv": ["dial", "+14155550100"], "stdin": ""}]
    assert [e.state for e in events] == [CallState.DIALING]
    assert result.reason == "ran linphonecsh dial +14155550100"
    assert result.result is None


def test_command_fills_each_word_and_keeps_shell_syntax_literal(programs, tmp_path):
    programs.add("softphone")
    template = 'softphone --to "{number}" --ext={extension} {e164}; touch pwned $(id) `id` > out'

    CommandDialer(template).dial(TARGET, Events()).wait(10)

    assert programs.runs()[0]["argv"] == [
        "--to", "+14155550100,123", "--ext=123", "+14155550100;", "touch", "pwned", "$(id)", "`id`", ">", "out",
    ]
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_command_failure_is_reported_with_its_last_error_line(programs):
    programs.add("linphonecsh", status=1, stderr="Warning: something\nERROR: Failed to connect pipe: No such file\n")
    events = Events()

    result = CommandDialer("linphonecsh dial {e164}").dial(TARGET, events).wait(10)

    assert [e.state for e in events] == [CallState.FAILED]
    assert result.result == "failed"
    assert result.reason == (
        "linphonecsh dial +14155550100 failed: linphonecsh exited with status 1: ERROR: Failed to connect pipe: No such file"
    )


def test_command_not_installed_says_so(programs):
    result = CommandDialer("linphonecsh dial {e164}").dial(TARGET, Events()).wait(10)
    assert result.result == "failed"
    assert result.reason.endswith("failed: linphonecsh was not found")


def test_command_still_running_is_taken_as_started_and_left_running(programs):
    programs.add("longcall", sleep=1.0)
    started = time.monotonic()
    result = CommandDialer("longcall {e164}", launch_wait=0.2).dial(TARGET, Events()).wait(10)
    assert time.monotonic() - started < 0.9
    assert result.result is None and result.reason == "ran longcall +14155550100"
    time.sleep(1.2)
    assert programs.runs()[0]["argv"] == ["+14155550100"]  # it ran to its end: not killed


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("", "dial.command is empty"),
        ("linphonecsh dial '{e164}", "cannot split"),
        ("linphonecsh dial {name}", r"unknown placeholder \{name\}"),
        ("linphonecsh dial {number.__class__}", r"unknown placeholder \{number.__class__\}"),
        ("linphonecsh dial {number!r}", r"unknown placeholder \{number!r\}"),
        ("linphonecsh dial {number:>20}", r"unknown placeholder \{number:>20\}"),
        ("linphonecsh dial {", "literal braces"),
        ("linphonecsh dial {extension}", "never passes the number"),
        ("{e164} dial", "program name"),
    ],
)
def test_bad_templates_are_refused_naming_the_setting(template, message):
    with pytest.raises(DialerError, match=f"dial.command.*{message}|{message}"):
        parse_template(template)


def test_literal_braces_survive():
    assert render(parse_template("tool --json {{}} {e164}"), TARGET) == ["tool", "--json", "{}", "+14155550100"]


@given(st.text(max_size=20))
def test_only_e164_numbers_become_targets(text):
    try:
        DialTarget(text)
    except DialerError:
        return
    assert text.startswith("+") and text[1:].isdigit() and text[1:].isascii() and 7 <= len(text) - 1 <= 15


@given(number=st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True), extension=st.from_regex(r"[0-9*#]{1,12}", fullmatch=True) | st.none())
def test_every_valid_target_fills_each_placeholder_into_exactly_one_argument(number, extension):
    target = DialTarget(number, extension)
    argv = render(parse_template("prog {e164} {number} x{extension}"), target)
    assert argv == ["prog", number, target.dial_string, f"x{extension or ''}"]
    assert tel_uri(target) == (f"tel:{number};ext={extension}" if extension else f"tel:{number}")
