"""Voicemail recordings: read a WAV file, check it, and make the copy a call can play.

A call plays its recording through baresip's ``aufile`` source, which (baresip 1.0) takes a
WAV only at the call's own sample rate, mono, 16-bit PCM. dialdeck's calls use G.711 (8 kHz),
so ``prepare_for_call`` writes an 8000 Hz mono 16-bit copy of any common WAV: PCM of 8, 16, 24
or 32 bits, 32/64-bit float, G.711 mu-law/A-law, any rate and channel count, plain or
WAVE_FORMAT_EXTENSIBLE. Channels are averaged; the rate is converted with a windowed-sinc
filter (cut-off 3.6 kHz, the telephone band), in pure Python: a few seconds for a minute of
48 kHz stereo, which is why a recording is converted once, when it is stored. Anything else (MP3, a compressed WAV, a file that is not audio) is refused with
a message saying how to convert it.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from array import array
from dataclasses import dataclass
from operator import add, mul
from pathlib import Path
from typing import Any, Union

from .base import DialerError

Samples = Union[list[float], "array[Any]"]

CALL_RATE = 8000  # G.711, the only codecs dialdeck's SIP agent offers
MIN_SECONDS = 1.0
MAX_SECONDS = 180.0  # voicemail boxes commonly cut a message off at two or three minutes
SILENT_PEAK = 100  # of 32767, about -50 dBFS: a muted microphone, not a message
_CONVERT_HINT = "convert it with e.g. `sox IN -r 8000 -c 1 -b 16 OUT.wav` or `ffmpeg -i IN -ar 8000 -ac 1 OUT.wav`"

_PCM, _FLOAT, _ALAW, _MULAW, _EXTENSIBLE = 1, 3, 6, 7, 0xFFFE
_ENCODINGS = {_PCM: "PCM", _FLOAT: "float", _ALAW: "A-law", _MULAW: "mu-law"}


class RecordingError(DialerError):
    """A recording that cannot be played into a call; the message names the file and why."""


@dataclass(frozen=True)
class WavInfo:
    channels: int
    sample_rate: int
    bits: int
    encoding: str  # "PCM", "float", "A-law", "mu-law"
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate

    @property
    def call_ready(self) -> bool:
        """Playable by the call as it is: 8 kHz mono 16-bit PCM."""
        return (self.encoding, self.bits, self.channels, self.sample_rate) == ("PCM", 16, 1, CALL_RATE)

    def describe(self) -> str:
        layout = "mono" if self.channels == 1 else f"{self.channels} channels"
        return f"{self.sample_rate} Hz {layout} {self.bits}-bit {self.encoding}, {self.duration:.1f} s"


@dataclass(frozen=True)
class _Wav:
    info: WavInfo
    data_offset: int
    data_size: int
    block_align: int


def inspect(path: Path | str) -> WavInfo:
    """The recording's format and length; RecordingError if it is no usable WAV."""
    return _read_header(Path(path)).info


def duration(path: Path | str) -> float:
    return inspect(path).duration


def validate(path: Path | str) -> WavInfo:
    """Format, length and loudness checks a recording must pass before it is stored."""
    path = Path(path)
    wav = _read_header(path)
    _check_length(path, wav.info)
    _check_loudness(path, _mono_samples(path, wav))
    return wav.info


def prepare_for_call(source: Path | str, dest: Path | str, trailing_silence: float = 0.0) -> WavInfo:
    """Writes ``dest``: ``source`` as 8 kHz mono 16-bit PCM, checked, followed by
    ``trailing_silence`` seconds of silence. Returns dest's format."""
    source, dest = Path(source), Path(dest)
    wav = _read_header(source)
    _check_length(source, wav.info)
    samples = _mono_samples(source, wav)
    _check_loudness(source, samples)
    if wav.info.sample_rate != CALL_RATE:
        samples = resample(samples, wav.info.sample_rate, CALL_RATE)
    pcm = samples if isinstance(samples, array) and samples.typecode == "h" else array("h", map(_clip, samples))
    pcm.extend([0] * round(trailing_silence * CALL_RATE))
    if sys.byteorder == "big":
        pcm.byteswap()
    with wave.open(str(dest), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(CALL_RATE)
        out.writeframes(pcm.tobytes())
    return WavInfo(1, CALL_RATE, 16, "PCM", len(pcm))


# ---- reading ---------------------------------------------------------------------------


def _read_header(path: Path) -> _Wav:
    try:
        with path.open("rb") as f:
            head = f.read(12)
            size = path.stat().st_size
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                raise RecordingError(f"{path}: not a WAV file; {_CONVERT_HINT}")
            fmt: bytes | None = None
            while True:
                chunk = f.read(8)
                if len(chunk) < 8:
                    raise RecordingError(f"{path}: WAV file without audio data (truncated?)")
                ident, length = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if ident == b"fmt ":
                    fmt = f.read(length)
                elif ident == b"data":
                    if fmt is None:
                        raise RecordingError(f"{path}: WAV file without a format chunk")
                    offset = f.tell()
                    # Streaming writers leave the size unset (0 or 0xFFFFFFFF): take what is there.
                    data_size = min(length, size - offset) if length else size - offset
                    return _parse_fmt(path, fmt, offset, data_size)
                else:
                    f.seek(length, 1)
                if length % 2:
                    f.seek(1, 1)
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def _parse_fmt(path: Path, fmt: bytes, offset: int, data_size: int) -> _Wav:
    if len(fmt) < 16:
        raise RecordingError(f"{path}: broken WAV format chunk")
    tag, channels, rate, _byte_rate, block_align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == _EXTENSIBLE and len(fmt) >= 40:
        tag = struct.unpack("<H", fmt[24:26])[0]  # the sub-format GUID starts with the real tag
    encoding = _ENCODINGS.get(tag)
    if encoding is None:
        raise RecordingError(f"{path}: compressed WAV (format {tag:#06x}) is not supported; {_CONVERT_HINT}")
    supported = {
        "PCM": (8, 16, 24, 32), "float": (32, 64), "A-law": (8,), "mu-law": (8,),
    }[encoding]
    if bits not in supported or channels < 1 or rate < 1000 or block_align != channels * bits // 8:
        raise RecordingError(
            f"{path}: unsupported WAV layout ({bits}-bit {encoding}, {channels} channels, {rate} Hz); {_CONVERT_HINT}"
        )
    frames = data_size // block_align
    return _Wav(WavInfo(channels, rate, bits, encoding, frames), offset, frames * block_align, block_align)


def _check_length(path: Path, info: WavInfo) -> None:
    if info.duration < MIN_SECONDS:
        raise RecordingError(f"{path}: {info.duration:.1f} s is too short for a voicemail (at least {MIN_SECONDS:.0f} s)")
    if info.duration > MAX_SECONDS:
        raise RecordingError(
            f"{path}: {info.duration:.0f} s is too long: voicemail boxes cut messages off; keep it under {MAX_SECONDS:.0f} s"
        )


def _check_loudness(path: Path, samples: Samples) -> None:
    peak = max(max(samples, default=0), -min(samples, default=0))
    if peak < SILENT_PEAK:
        raise RecordingError(f"{path}: the recording is silent (was the microphone muted?)")


def _mono_samples(path: Path, wav: _Wav) -> Samples:
    with path.open("rb") as f:
        f.seek(wav.data_offset)
        raw = f.read(wav.data_size)
    samples = _decode(raw, wav.info)
    channels = wav.info.channels
    if channels == 1:
        return samples
    total: Samples = samples[0::channels]
    for c in range(1, channels):
        total = list(map(add, total, samples[c::channels]))
    return [value / channels for value in total]


def _decode(raw: bytes, info: WavInfo) -> array[Any]:
    """Samples on the 16-bit scale (-32768..32767). Integer PCM keeps its top 16 bits, moved
    with byte slices rather than a Python loop: a minute of 48 kHz stereo is 5.8 M samples."""
    if info.encoding == "PCM":
        if info.bits == 16:
            return _native(array("h"), raw)
        width = info.bits // 8
        count = len(raw) // width
        top = bytearray(2 * count)  # little-endian: the two most significant bytes come last
        if width == 1:
            top[1::2] = raw.translate(_UNSIGNED_TO_SIGNED)
        else:
            top[0::2] = raw[width - 2 :: width]
            top[1::2] = raw[width - 1 :: width]
        return _native(array("h"), bytes(top))
    if info.encoding == "float":
        values = _native(array("f" if info.bits == 32 else "d"), raw)
        return array("d", (v * 32767.0 for v in values))
    table = _ALAW_TABLE if info.encoding == "A-law" else _MULAW_TABLE
    return array("h", (table[b] for b in raw))


_UNSIGNED_TO_SIGNED = bytes((b ^ 0x80) for b in range(256))  # 8-bit WAV is offset by 128


def _native(typed: array[Any], raw: bytes) -> array[Any]:
    typed.frombytes(raw[: len(raw) - len(raw) % typed.itemsize])
    if sys.byteorder == "big":  # WAV is little-endian
        typed.byteswap()
    return typed


def _mulaw(byte: int) -> int:
    u = ~byte & 0xFF
    magnitude = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return (0x84 - magnitude) if u & 0x80 else (magnitude - 0x84)


def _alaw(byte: int) -> int:
    a = byte ^ 0x55
    exponent = (a & 0x70) >> 4
    mantissa = (a & 0x0F) << 4
    value = (mantissa + 8) if exponent == 0 else (mantissa + 0x108) << (exponent - 1)
    return value if a & 0x80 else -value


_MULAW_TABLE = [_mulaw(b) for b in range(256)]
_ALAW_TABLE = [_alaw(b) for b in range(256)]


def _clip(value: float) -> int:
    return -32768 if value < -32768 else 32767 if value > 32767 else round(value)


# ---- sample-rate conversion ----------------------------------------------------------------

_ZERO_CROSSINGS = 8  # filter half-length, in zero crossings of the sinc: ~60 dB of stop band


def resample(samples: Samples, source_rate: int, target_rate: int) -> list[float]:
    """Band-limited rate conversion (polyphase windowed sinc, Blackman window).

    Output sample n sits at input position n * source/target; its value is the input weighed by
    a low-pass kernel centred there. The kernel depends only on that position's fraction, which
    takes ``up`` distinct values, so the kernels are computed once per fraction.
    """
    if source_rate == target_rate:
        return list(samples)
    g = math.gcd(source_rate, target_rate)
    up, down = target_rate // g, source_rate // g
    cutoff = 0.45 * min(source_rate, target_rate)  # 3.6 kHz for a telephone call
    ratio = 2 * cutoff / source_rate  # cut-off as a fraction of the input's Nyquist frequency
    half = math.ceil(_ZERO_CROSSINGS / ratio)
    kernels = [_kernel(phase / up, half, ratio) for phase in range(up)]
    padded = [0.0] * half + [float(s) for s in samples] + [0.0] * (half + 1)
    count = len(samples) * up // down
    out = []
    width = 2 * half + 1
    for n in range(count):
        position = n * down
        base = position // up
        out.append(sum(map(mul, kernels[position % up], padded[base : base + width])))
    return out


def _kernel(fraction: float, half: int, ratio: float) -> list[float]:
    taps = []
    for k in range(-half, half + 1):
        t = k - fraction  # distance from the output position, in input samples
        x = ratio * t
        sinc = 1.0 if x == 0 else math.sin(math.pi * x) / (math.pi * x)
        w = (t + half + 1) / (2 * half + 2)  # 0..1 across the window
        blackman = 0.42 - 0.5 * math.cos(2 * math.pi * w) + 0.08 * math.cos(4 * math.pi * w)
        taps.append(ratio * sinc * max(0.0, blackman))
    total = sum(taps)
    return [tap / total for tap in taps]  # unit gain at 0 Hz for every phase
