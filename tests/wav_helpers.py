"""WAV files of known content for the recording and voicemail-drop tests, written byte by byte
so that every layout a recorder produces (8/16/24/32-bit PCM, float, mu-law, extensible) can be
made without any audio library."""

from __future__ import annotations

import math
import struct
from pathlib import Path

_PCM, _FLOAT, _MULAW, _EXTENSIBLE = 1, 3, 7, 0xFFFE


def tone(seconds: float, rate: int, frequency: float = 1000.0, amplitude: float = 0.5) -> list[float]:
    """A sine wave, samples in -1..1."""
    return [amplitude * math.sin(2 * math.pi * frequency * i / rate) for i in range(int(seconds * rate))]


def write_wav(
    path: Path,
    samples: list[float],
    rate: int,
    *,
    channels: int = 1,
    bits: int = 16,
    encoding: str = "pcm",
    extensible: bool = False,
    extra_chunk: bool = False,
) -> Path:
    """Writes ``samples`` (-1..1, the same on every channel) in the layout asked for."""
    frames = b"".join(_encode(s, bits, encoding) * channels for s in samples)
    tag = {"pcm": _PCM, "float": _FLOAT, "mulaw": _MULAW}[encoding]
    block_align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", _EXTENSIBLE if extensible else tag, channels, rate, rate * block_align, block_align, bits)
    if extensible:
        guid_tail = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt += struct.pack("<HHI", 22, bits, 0) + struct.pack("<H", tag) + guid_tail
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    if extra_chunk:  # recorders add LIST/INFO chunks before the data; odd length exercises padding
        info = b"INFOISFT\x05\x00\x00\x00Lavf\x00"
        chunks += b"LIST" + struct.pack("<I", len(info)) + info + b"\x00"
    chunks += b"data" + struct.pack("<I", len(frames)) + frames
    path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks)
    return path


def _encode(sample: float, bits: int, encoding: str) -> bytes:
    if encoding == "float":
        return struct.pack("<f" if bits == 32 else "<d", sample)
    if encoding == "mulaw":
        return bytes([_mulaw_encode(int(sample * 32767))])
    if bits == 8:
        return bytes([round(sample * 127) + 128])
    value = round(sample * (2 ** (bits - 1) - 1))
    return value.to_bytes(bits // 8, "little", signed=True)


def _mulaw_encode(sample: int) -> int:
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), clip) + bias
    exponent = 7
    mask = 0x4000
    while exponent > 0 and not magnitude & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF
