"""`m` says what really happened when it tried the mail client (tui/mail.py), on every platform."""

from __future__ import annotations

import subprocess

from dialdeck.tui.mail import MailResult, open_mailto

URL = "mailto:oliver%40wessex.example?subject=Hi"


class Runner:
    """A stand-in for subprocess.run that records what would have been started."""

    def __init__(self, returncode: int = 0, raises: Exception | None = None) -> None:
        self.calls: list[tuple[list[str], dict]] = []
        self.returncode, self.raises = returncode, raises

    def __call__(self, argv, **kwargs):
        self.calls.append((argv, kwargs))
        if self.raises is not None:
            raise self.raises
        return subprocess.CompletedProcess(argv, self.returncode)


def found(name: str) -> str:
    return f"/usr/bin/{name}"


def test_over_ssh_without_a_display_nothing_is_started_and_it_says_why() -> None:
    run = Runner()
    result = open_mailto(URL, env={"SSH_CONNECTION": "a b c d"}, platform="linux", which=found, run=run)
    assert result == MailResult(False, why="you are connected over SSH, so no mail client can open from here")
    assert result.headline == "Not opened: you are connected over SSH, so no mail client can open from here."
    assert run.calls == []


def test_a_console_without_a_desktop_says_so() -> None:
    result = open_mailto(URL, env={}, platform="linux", which=found, run=Runner())
    assert not result.opened and "no desktop session" in result.why


def test_with_a_desktop_xdg_open_is_run_away_from_the_terminal_and_its_answer_counts() -> None:
    run = Runner(returncode=0)
    result = open_mailto(URL, env={"DISPLAY": ":0", "SSH_CONNECTION": "x"}, platform="linux", which=found, run=run)
    assert result.opened and result.how == "xdg-open"
    assert result.headline == "Opened in your mail client (by xdg-open). Press e once it is sent."
    (argv, kwargs), = run.calls
    assert argv == ["/usr/bin/xdg-open", URL]
    assert kwargs["stdin"] == kwargs["stdout"] == kwargs["stderr"] == subprocess.DEVNULL
    assert kwargs["timeout"] > 0


def test_xdg_open_finding_no_mail_client_is_not_opened() -> None:
    result = open_mailto(URL, env={"WAYLAND_DISPLAY": "wayland-0"}, platform="linux", which=found,
                         run=Runner(returncode=3))
    assert result == MailResult(False, why="xdg-open found no mail client to open it (exit status 3)")


def test_xdg_open_missing_or_hanging_is_said_plainly() -> None:
    missing = open_mailto(URL, env={"DISPLAY": ":0"}, platform="linux", which=lambda _: None, run=Runner())
    assert missing.why == "xdg-open is not installed, so no mail client can be found"
    hung = open_mailto(URL, env={"DISPLAY": ":0"}, platform="linux", which=found,
                       run=Runner(raises=subprocess.TimeoutExpired("xdg-open", 10)))
    assert not hung.opened and "did not answer" in hung.why


def test_a_mac_uses_open_but_not_over_ssh() -> None:
    run = Runner()
    assert open_mailto(URL, env={}, platform="darwin", which=found, run=run) == MailResult(True, how="open")
    assert run.calls[0][0] == ["/usr/bin/open", URL]
    remote = open_mailto(URL, env={"SSH_TTY": "/dev/pts/1"}, platform="darwin", which=found, run=Runner())
    assert not remote.opened and "remote computer" in remote.why
