"""One baresip process that dialdeck starts, drives through ``ctrl_tcp`` and stops.

baresip (Debian: ``baresip-core``) is a maintained SIP user agent. Its ``ctrl_tcp`` module takes
commands and sends back responses and events as JSON in netstrings (``LEN:JSON,``) over TCP:

    -> {"command": "dial", "params": "sip:+14155550100@pbx.example.com", "token": "dd1"}
    <- {"response": true, "ok": true, "data": "", "token": "dd1"}
    <- {"event": true, "class": "call", "type": "CALL_RINGING", "id": "...", "param": "..."}
    <- {"event": true, "class": "call", "type": "CALL_CLOSED", "param": "486 Busy Here", ...}

Each agent gets its own directory (config and accounts written here, mode 0700 as the password
is in it), its own SIP port, and a control port on 127.0.0.1 only (ctrl_tcp has no
authentication). The process is stopped by ``stop()``, by a finalizer at interpreter exit and,
on Linux, by the kernel when dialdeck dies (PR_SET_PDEATHSIG), even on kill -9.
"""

from __future__ import annotations

import ctypes
import itertools
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import DialerError

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "install it with `sudo apt-get install baresip-core` (Debian, Ubuntu) or your system's baresip package"
)
MODULE_DIRS = (
    "/usr/lib/baresip/modules",
    "/usr/lib64/baresip/modules",
    "/usr/local/lib/baresip/modules",
    "/opt/homebrew/lib/baresip/modules",
)
NONE_AUDIO = "none"
TICK = 0.1  # seconds between the reader's checks of timers (ring timeout, extension digits)
STOP_GRACE = 3.0
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TOKEN_BAD = re.compile(r"[\s;<>\"\\]|[\x00-\x1f\x7f]")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")


@dataclass(frozen=True)
class SipAccount:
    """The SIP account calls go out from (settings ``sip.*``).

    ``caller_id`` is the user part of the From address (most trunks show it as the caller's
    number); ``user`` and ``password`` answer the server's authentication challenge.
    """

    domain: str
    user: str | None = None
    password: str | None = None
    register: bool = False
    caller_id: str | None = None
    display_name: str | None = None

    def __post_init__(self) -> None:
        _check_domain(self.domain)
        for key, value in (("sip.user", self.user), ("sip.password", self.password), ("sip.caller_id", self.caller_id)):
            if value is not None and (not value or _TOKEN_BAD.search(value)):
                raise DialerError(
                    f"{key}: must not be empty nor contain spaces, control characters or any of ; < > \" \\ "
                    "(baresip's account line cannot hold them)"
                )
        if self.display_name is not None and re.search(r"[\"\\<>]|[\x00-\x1f\x7f]", self.display_name):
            raise DialerError("display name: must not contain \" \\ < > or control characters")
        if self.register and not (self.user or self.caller_id):
            raise DialerError("sip.register is yes but sip.user is not set: a registration needs a user name")

    @property
    def aor(self) -> str:
        return f"sip:{self.caller_id or self.user or 'dialdeck'}@{self.domain}"

    def account_line(self) -> str:
        """The line of baresip's ``accounts`` file."""
        name = f'"{self.display_name}" ' if self.display_name else ""
        params = [f"regint={3600 if self.register else 0}", "answermode=manual"]
        if self.user:
            params.insert(0, f"auth_user={self.user}")
        if self.password:
            params.insert(1 if self.user else 0, f"auth_pass={self.password}")
        return f"{name}<{self.aor}>;" + ";".join(params) + "\n"


def _check_domain(domain: str) -> None:
    if domain.startswith("["):  # an IPv6 literal, [2001:db8::1]:5060
        host, _, rest = domain.partition("]")
        host, port = host + "]", rest[1:] if rest.startswith(":") else rest
    else:
        host, _, port = domain.partition(":")
    if not _DOMAIN.fullmatch(host) or (port and not (port.isdigit() and 0 < int(port) < 65536)) or domain.endswith(":"):
        raise DialerError(f"sip.domain: {domain!r} is not a host name or address, with an optional :port")


@dataclass(frozen=True)
class AgentConfig:
    """How one baresip process is set up; ``SipConfig`` in sip.py builds it from the settings."""

    account: SipAccount
    audio: str = "alsa,default"  # baresip "module,device" for the microphone and speaker; "none"
    listen: str = "0.0.0.0"  # noqa: S104  where the SIP socket binds (the provider must reach it); port picked free
    interface: str | None = None  # baresip net_interface: whose address goes into SDP/Contact
    executable: str = "baresip"
    module_path: str | None = None
    call_timeout: int = 120  # baresip's own limit on an unanswered call; dialdeck's is shorter
    ready_timeout: float = 10.0


def find_executable(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DialerError(f"dial.backend sip needs baresip, which was not found ({name!r}): {INSTALL_HINT}")
    return path


def find_module_path(configured: str | None, needed: list[str]) -> str:
    candidates = [configured] if configured else list(MODULE_DIRS)
    for directory in candidates:
        if directory and Path(directory, "ctrl_tcp.so").exists():
            missing = [m for m in needed if not Path(directory, f"{m}.so").exists()]
            if missing:
                raise DialerError(f"baresip in {directory} lacks the modules {', '.join(missing)}: {INSTALL_HINT}")
            return directory
    where = configured or " or ".join(MODULE_DIRS)
    raise DialerError(f"baresip's modules (ctrl_tcp.so) were not found in {where}: {INSTALL_HINT}")


def audio_devices(audio: str) -> tuple[str, str, str]:
    """(source, player, alert) for baresip's config from the ``sip.audio`` setting."""
    if audio == NONE_AUDIO:
        # Three aubridge devices that never meet: no frame is captured or played, so nothing
        # is heard or sent until a recording is dropped in.
        return ("aubridge,dialdeck-src", "aubridge,dialdeck-play", "aubridge,dialdeck-alert")
    module, sep, device = audio.partition(",")
    if not sep or not re.fullmatch(r"[a-z0-9_]+", module) or not re.fullmatch(r"[^\s#]*", device):
        raise DialerError(f"sip.audio: {audio!r} is not 'module,device' (e.g. alsa,default or alsa,plughw:1,0) nor 'none'")
    # aubridge joins a source and a player of the same name: keep ring tones out of the call.
    alert = "aubridge,dialdeck-alert" if module == "aubridge" else audio
    return (audio, audio, alert)


def config_text(config: AgentConfig, module_path: str, sip_port: int, ctrl_port: int, workdir: Path) -> str:
    source, player, alert = audio_devices(config.audio)
    audio_module = source.split(",", 1)[0]
    lines = [
        f"sip_listen\t\t{_host_port(config.listen, sip_port)}",
        f"call_local_timeout\t{config.call_timeout}",
        "call_max_calls\t\t1",
        f"audio_player\t\t{player}",
        f"audio_source\t\t{source}",
        f"audio_alert\t\t{alert}",
        f"module_path\t\t{module_path}",
        "module\t\t\tg711.so",
        "module\t\t\taufile.so",
        f"module\t\t\t{audio_module}.so",
        "module_tmp\t\taccount.so",
        "module_app\t\tmenu.so",
        "module_app\t\tctrl_tcp.so",
        f"ctrl_tcp_listen\t\t127.0.0.1:{ctrl_port}",
    ]
    if config.interface:
        lines.append(f"net_interface\t\t{config.interface}")
    if audio_module == "aubridge":
        # baresip's menu plays its ring-back tone on the player device; on an aubridge that
        # player would take the bridge over and, when the tone stops, stop the call's audio.
        # Without a headset nobody hears tones anyway: point the sounds at an empty folder.
        lines.append(f"audio_path\t\t{workdir / 'no-sounds'}")
    return "\n".join(lines) + "\n"


def required_modules(config: AgentConfig) -> list[str]:
    audio_module = audio_devices(config.audio)[0].split(",", 1)[0]
    return ["g711", "aufile", audio_module, "account", "menu", "ctrl_tcp"]


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def free_port(host: str, both: bool = False) -> int:
    """A port free on ``host`` now (UDP, and TCP too when ``both``: baresip's SIP uses both)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(50):
        with socket.socket(family, socket.SOCK_DGRAM if both else socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            port: int = probe.getsockname()[1]
        if not both:
            return port
        try:
            with socket.socket(family, socket.SOCK_STREAM) as tcp:
                tcp.bind((host, port))
            return port
        except OSError:
            continue
    raise DialerError(f"no free port on {host}")


# ---- netstrings -----------------------------------------------------------------------------


def encode_netstring(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return str(len(body)).encode("ascii") + b":" + body + b","


class NetstringReader:
    """Splits a TCP byte stream into the JSON messages of its netstrings."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        self._buffer += data
        messages = []
        while True:
            head, colon, rest = self._buffer.partition(b":")
            if not colon:
                if len(head) > 10 or (head and not head.isdigit()):
                    raise DialerError("baresip sent something that is not a netstring")
                break
            if not head.isdigit():
                raise DialerError("baresip sent something that is not a netstring")
            size = int(head)
            if len(rest) < size + 1:
                break
            body, terminator = rest[:size], rest[size : size + 1]
            if terminator != b",":
                raise DialerError("baresip sent a netstring without its final comma")
            self._buffer = rest[size + 1 :]
            messages.append(json.loads(body.decode("utf-8", "replace")))
        return messages


# ---- leftovers ----------------------------------------------------------------------------------

WORKDIR_PREFIX = "dialdeck-sip-"
OWNER_FILE = "owner.pid"


def remove_stale_workdirs(root: Path | None = None) -> list[Path]:
    """Deletes agent folders whose dialdeck is gone (killed before it could clean up): they
    hold a SIP password. Only folders of this user, with an owner.pid naming no live process."""
    removed = []
    base = Path(root) if root is not None else Path(tempfile.gettempdir())
    for folder in base.glob(WORKDIR_PREFIX + "*"):
        try:
            if folder.stat().st_uid != os.getuid():
                continue
            owner = int((folder / OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            continue
        if not _process_exists(owner):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ---- the agent --------------------------------------------------------------------------------

EventListener = Callable[[dict[str, Any]], None]
AGENT_EXIT = "AGENT_EXIT"  # synthetic event type: baresip stopped or its connection was lost


class BaresipAgent:
    """A running baresip: start it, send it commands, get its events on our reader thread.

    ``listener`` receives every event (a dict as baresip sent it) and ``ticker`` is called about
    every TICK seconds, both on the agent's own thread; neither may block on ``request``.
    """

    _ids = itertools.count(1)

    def __init__(self, config: AgentConfig, root: Path | None = None):
        self.config = config
        self.executable = find_executable(config.executable)
        self.module_path = find_module_path(config.module_path, required_modules(config))
        remove_stale_workdirs(root)
        self.workdir = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX, dir=root))
        (self.workdir / OWNER_FILE).write_text(str(os.getpid()))
        self.log_path = self.workdir / "baresip.log"
        self.listener: EventListener | None = None
        self.ticker: Callable[[], None] | None = None
        self.version: str | None = None
        self.lock = threading.Lock()  # held while deciding what the next command may be
        self._send_lock = threading.Lock()
        self._pending: dict[str, Future[dict[str, Any]]] = {}
        self._tokens = itertools.count(1)
        self._process: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._ready = threading.Event()
        self._stopping = threading.Event()
        self._failure: BaseException | None = None
        self._alive = False
        self._thread = threading.Thread(target=self._own, name=f"dialdeck-baresip-{next(self._ids)}", daemon=True)
        self.ports: tuple[int, int] | None = None

    @property
    def alive(self) -> bool:
        return self._alive and not self._stopping.is_set()

    def start(self) -> None:
        """Starts baresip and waits until it takes commands (and is registered, if asked)."""
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            self._thread.join(STOP_GRACE + 2)
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise self._failure
        if self.config.account.register:
            try:
                self._wait_registered()
            except DialerError:
                self.stop()
                raise

    def send(self, command: str, params: str | None = None) -> Future[dict[str, Any]]:
        """Sends a command; the future gets baresip's response (never wait on it from the agent thread)."""
        token = f"dd{next(self._tokens)}"
        future: Future[dict[str, Any]] = Future()
        message: dict[str, Any] = {"command": command, "token": token}
        if params is not None:
            message["params"] = params
        sock = self._sock
        if sock is None or not self.alive:
            future.set_exception(DialerError("baresip is not running"))
            return future
        self._pending[token] = future
        try:
            with self._send_lock:
                sock.sendall(encode_netstring(message))
        except OSError as exc:
            self._pending.pop(token, None)
            future.set_exception(DialerError(f"baresip's control connection failed: {exc}"))
        return future

    def request(self, command: str, params: str | None = None, timeout: float = 5.0) -> dict[str, Any]:
        if threading.current_thread() is self._thread:  # its answer could never be read
            raise DialerError("a call's event callback must not dial, drop or wait: post a message instead")
        try:
            return self.send(command, params).result(timeout)
        except TimeoutError:
            raise DialerError(f"baresip did not answer {command!r} within {timeout:.0f} s") from None

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(STOP_GRACE + 2)
        if threading.current_thread() is not self._thread:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def log_tail(self, lines: int = 3) -> str:
        try:
            text = self.log_path.read_text("utf-8", "replace")
        except OSError:
            return ""
        kept = [_ANSI.sub("", line).strip() for line in text.splitlines() if line.strip()]
        return " | ".join(kept[-lines:])

    # -- the agent's own thread: it starts the process, so the kernel's parent-death signal
    #    (tied to the starting thread on Linux) lasts exactly as long as this thread.

    def _own(self) -> None:
        try:
            self._launch()
        except BaseException as exc:  # reported to start()'s caller
            self._failure = exc
            self._terminate()
            self._ready.set()
            return
        self._alive = True
        self._ready.set()
        try:
            self._read_loop()
        finally:
            self._alive = False
            self._terminate()
            for future in list(self._pending.values()):
                if not future.done():
                    future.set_exception(DialerError("baresip stopped"))
            if not self._stopping.is_set() and self.listener is not None:
                reason = self.log_tail(1) or "no reason given"
                self.listener({"event": True, "type": AGENT_EXIT, "param": f"baresip stopped: {reason}"})

    def _launch(self) -> None:
        for _attempt in range(3):  # a picked port can be taken by someone else before baresip binds it
            sip_port = free_port(self.config.listen, both=True)
            ctrl_port = free_port("127.0.0.1")
            (self.workdir / "config").write_text(
                config_text(self.config, self.module_path, sip_port, ctrl_port, self.workdir)
            )
            (self.workdir / "accounts").write_text(self.config.account.account_line())
            with self.log_path.open("ab") as log_file:
                self._process = subprocess.Popen(
                    [self.executable, "-f", str(self.workdir)],
                    stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                    preexec_fn=_parent_death_hook(),  # noqa: PLW1509  only prctl, loaded before the fork
                )
            self._sock = self._connect(ctrl_port)
            if self._sock is not None:
                self.ports = (sip_port, ctrl_port)
                self.version = _version(self.log_tail(50))
                return
            self._terminate()
        raise DialerError(f"baresip did not start: {self.log_tail() or 'no output'}")

    def _connect(self, port: int) -> socket.socket | None:
        deadline = time.monotonic() + self.config.ready_timeout
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return None
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=1.0)
            except OSError:
                time.sleep(0.05)
                continue
            sock.settimeout(TICK)
            return sock
        return None

    def _read_loop(self) -> None:
        reader = NetstringReader()
        assert self._sock is not None
        while not self._stopping.is_set():
            try:
                data = self._sock.recv(65536)
            except TimeoutError:
                data = None
            except OSError:
                return
            if data == b"":
                return
            if data:
                for message in reader.feed(data):
                    self._dispatch(message)
            ticker = self.ticker
            if ticker is not None:
                self._guarded(ticker)

    def _dispatch(self, message: dict[str, Any]) -> None:
        if message.get("response"):
            future = self._pending.pop(str(message.get("token")), None)
            if future is not None and not future.done():
                future.set_result(message)
            return
        if message.get("event"):
            if message.get("type") == "CALL_INCOMING":
                # dialdeck only calls out; baresip already refuses a second call (call_max_calls 1).
                self.send("hangup")
                return
            listener = self.listener
            if listener is not None:
                self._guarded(lambda: listener(message))

    @staticmethod
    def _guarded(action: Callable[[], None]) -> None:
        try:
            action()
        except Exception:  # a bug in a call's handler must not take the agent down
            log.exception("baresip event handler failed")

    def _wait_registered(self) -> None:
        deadline = time.monotonic() + self.config.ready_timeout
        while time.monotonic() < deadline:
            status = _ANSI.sub("", str(self.request("reginfo").get("data", "")))
            if " OK " in status:
                return
            if " ERR " in status:
                raise DialerError(f"registration of {self.config.account.aor} failed: {self._register_reason()}")
            time.sleep(0.2)
        raise DialerError(f"registration of {self.config.account.aor} got no answer within {self.config.ready_timeout:.0f} s")

    def _register_reason(self) -> str:
        text = _ANSI.sub("", self.log_tail(30))
        found = re.findall(r"reg: [^|]*?: (\d{3} [^|]+)", text)
        return found[-1].strip() if found else (self.log_tail(1) or "no reason given")

    def _terminate(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()  # baresip ends its calls (BYE) and unregisters on SIGTERM
        try:
            process.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _version(log_text: str) -> str | None:
    found = re.search(r"baresip v(\d+\.\d+\.\d+)", log_text)
    return found.group(1) if found else None


def _parent_death_hook() -> Callable[[], None] | None:
    """On Linux, a hook run in the child before exec: the kernel sends it SIGTERM when the
    thread that started it ends, which covers dialdeck being killed (even with -9).

    libc is loaded here, in the parent: the child between fork and exec must not take locks.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def hook() -> None:
        prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return hook
