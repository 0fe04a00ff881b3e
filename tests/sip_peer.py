"""A real SIP peer on loopback for the sip back-end's tests: sipp (Debian ``sip-tester``) running
a scenario, and a tcpdump capture of what arrives at sipp's media port.

Everything binds 127.0.0.1 on ports picked free, so tests can run side by side. The scenarios
live in tests/sip/; ``uas`` is sipp's built-in answering scenario.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import signal
import socket
import struct
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from dialdeck.dialers.baresip import SipAccount, free_port
from dialdeck.dialers.sip import SipConfig

SCENARIOS = Path(__file__).parent / "sip"
LOOPBACK = "127.0.0.1"


def need_sip_tools() -> None:
    missing = [tool for tool in ("baresip", "sipp") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (apt-get install baresip-core sip-tester; .ci/run does)")


def need_capture() -> None:
    if shutil.which("tcpdump") is None:
        pytest.skip("tcpdump not installed (apt-get install tcpdump; .ci/run does)")
    if os.geteuid() != 0:
        pytest.skip("capturing packets on lo needs root (CI runs as root)")


@dataclass
class Sipp:
    process: subprocess.Popen[bytes]
    port: int
    media_port: int
    log: Path

    @property
    def domain(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def finish(self, timeout: float = 8.0) -> int:
        """sipp's exit status once its one call is over: 0 when the scenario ran to its end."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            return -1

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_sipp(scenario: str, tmp_path: Path, calls: int = 1) -> Sipp:
    """sipp taking ``calls`` calls with ``scenario`` (``uas`` or a file name in tests/sip/)."""
    port = free_port(LOOPBACK, both=True)
    media_port = _free_even_pair()
    control_port = free_port(LOOPBACK, both=True)
    chosen = ["-sn", "uas"] if scenario == "uas" else ["-sf", str(SCENARIOS / scenario)]
    log = tmp_path / f"sipp-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["sipp", *chosen, "-i", LOOPBACK, "-p", str(port), "-mp", str(media_port), "-cp", str(control_port),
             "-m", str(calls), "-nostdin", "-timeout", "60s"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )
    _wait_udp_bound(port, process)
    return Sipp(process, port, media_port, log)


def _free_even_pair() -> int:
    # sipp binds the media port and the one after it (RTCP): RTP convention wants it even.
    for _ in range(100):
        port = free_port(LOOPBACK, both=True)
        if port % 2 == 0 and port < 65534:
            return port
    raise RuntimeError("no free even port")


def _wait_udp_bound(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sipp exited with status {process.returncode}")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind((LOOPBACK, port))
            except OSError:
                return  # taken: sipp is listening
        time.sleep(0.05)
    raise RuntimeError("sipp did not bind its port")


def sip_config(sipp: Sipp, tmp_path: Path, **overrides: object) -> SipConfig:
    values: dict[str, object] = {
        "account": SipAccount(domain=sipp.domain, caller_id="+12125550142", display_name="Jordan Reyes"),
        "ring_timeout": 10.0,
        "audio": "none",
        "listen": LOOPBACK,
        "interface": LOOPBACK,
        "workdir_root": tmp_path,
    }
    values.update(overrides)
    return SipConfig(**values)  # type: ignore[arg-type]


# ---- capture --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RtpPacket:
    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int  # one per call's audio stream
    payload: bytes


class Capture:
    """tcpdump on lo, keeping the UDP packets sent to one port."""

    def __init__(self, port: int, tmp_path: Path):
        self.path = tmp_path / f"rtp-{port}.pcap"
        self._errors = (tmp_path / f"tcpdump-{port}.log").open("w+b")
        self.process = subprocess.Popen(
            ["tcpdump", "-i", "lo", "-n", "-U", "-w", str(self.path), "udp", "and", "dst", "port", str(port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._errors,
        )
        deadline = time.monotonic() + 5
        while b"listening on" not in self._said():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tcpdump did not start: {self._said().decode(errors='replace')}")
            time.sleep(0.05)

    def _said(self) -> bytes:
        self._errors.seek(0)
        return self._errors.read()

    def stop(self) -> list[RtpPacket]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(5)
        self._errors.close()
        return read_rtp(self.path)


def read_rtp(path: Path) -> list[RtpPacket]:
    """The RTP packets of a pcap file written on lo (Ethernet framing, IPv4, UDP)."""
    data = path.read_bytes()
    packets = []
    offset = 24  # pcap global header
    while offset + 16 <= len(data):
        captured = struct.unpack("<I", data[offset + 8 : offset + 12])[0]
        frame = data[offset + 16 : offset + 16 + captured]
        offset += 16 + captured
        ip = frame[14:]
        udp = ip[(ip[0] & 0x0F) * 4 :]
        rtp = udp[8:]
        if len(rtp) < 12 or rtp[0] >> 6 != 2:
            continue
        sequence, timestamp, ssrc = struct.unpack(">HII", rtp[2:12])
        packets.append(RtpPacket(rtp[1] & 0x7F, sequence, timestamp, ssrc, rtp[12:]))
    return packets


# ---- audio ----------------------------------------------------------------------------------


def mulaw_decode(payload: bytes) -> list[int]:
    out = []
    for byte in payload:
        u = ~byte & 0xFF
        magnitude = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
        out.append((0x84 - magnitude) if u & 0x80 else (magnitude - 0x84))
    return out


def dominant_frequency(samples: list[int], rate: int) -> float:
    """Frequency of a pure tone from its zero crossings."""
    crossings = sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / rate)


def rms(samples: list[int]) -> float:
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))
