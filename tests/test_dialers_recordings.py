"""Voicemail recordings: what a rep's WAV file becomes before it is played into a call."""

from __future__ import annotations

import itertools
import math
import wave
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wav_helpers import tone, write_wav

from dialdeck.dialers import recordings
from dialdeck.dialers.recordings import RecordingError


def _read_call_wav(path: Path) -> tuple[wave._wave_params, list[int]]:
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        raw = w.readframes(params.nframes)
    return params, [int.from_bytes(raw[i : i + 2], "little", signed=True) for i in range(0, len(raw), 2)]


def _frequency(samples: list[int], rate: int) -> float:
    crossings = sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / rate)


def _rms(samples: list[float]) -> float:
    return math.sqrt(sum(s * s for s in samples) / len(samples))


def test_inspect_reports_format_and_duration(tmp_path):
    wav = write_wav(tmp_path / "vm.wav", tone(2.5, 16000), 16000, channels=2, bits=24)
    info = recordings.inspect(wav)
    assert (info.sample_rate, info.channels, info.bits, info.encoding) == (16000, 2, 24, "PCM")
    assert info.duration == pytest.approx(2.5)
    assert recordings.duration(wav) == pytest.approx(2.5)
    assert info.describe() == "16000 Hz 2 channels 24-bit PCM, 2.5 s"
    assert not info.call_ready


def test_call_ready_recording_is_kept_sample_for_sample(tmp_path):
    source = write_wav(tmp_path / "vm.wav", tone(1.5, 8000, frequency=700), 8000)
    info = recordings.prepare_for_call(source, tmp_path / "out.wav")
    assert info.call_ready and info.frames == 12000
    _, original = _read_call_wav(source)
    params, copied = _read_call_wav(tmp_path / "out.wav")
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, 8000)
    assert copied == original


@pytest.mark.parametrize(
    "layout",
    [
        {"rate": 16000, "channels": 1, "bits": 16},
        {"rate": 44100, "channels": 2, "bits": 16},
        {"rate": 48000, "channels": 2, "bits": 24},
        {"rate": 48000, "channels": 1, "bits": 32, "extensible": True},
        {"rate": 22050, "channels": 1, "bits": 8},
        {"rate": 32000, "channels": 1, "bits": 32, "encoding": "float"},
        {"rate": 8000, "channels": 1, "bits": 8, "encoding": "mulaw"},
        {"rate": 16000, "channels": 1, "bits": 16, "extra_chunk": True},
        {"rate": 6000, "channels": 1, "bits": 16},  # upsampled
    ],
    ids=lambda layout: "-".join(str(v) for v in layout.values()),
)
def test_any_common_wav_becomes_8k_mono_16bit_with_the_same_tone_and_length(tmp_path, layout):
    rate = layout.pop("rate")
    source = write_wav(tmp_path / "in.wav", tone(2.0, rate, frequency=1000, amplitude=0.5), rate, **layout)

    info = recordings.prepare_for_call(source, tmp_path / "out.wav")

    params, samples = _read_call_wav(tmp_path / "out.wav")
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, 8000)
    assert info.call_ready and info.frames == len(samples)
    assert len(samples) / 8000 == pytest.approx(2.0, abs=0.01)
    body = samples[400:-400]  # away from the filter's ramps at both ends
    assert _frequency(body, 8000) == pytest.approx(1000, abs=10)
    assert _rms(body) == pytest.approx(0.5 * 32767 / math.sqrt(2), rel=0.06)  # level kept


def test_resampling_removes_what_a_phone_line_cannot_carry(tmp_path):
    # 6 kHz is above the 4 kHz an 8 kHz call carries: kept, it would fold back as a 2 kHz
    # whistle. Mixed loud with a quiet 1 kHz tone, only the 1 kHz may come out.
    mixed = [a + b for a, b in zip(tone(1.5, 48000, 6000, 0.5), tone(1.5, 48000, 1000, 0.05), strict=True)]
    source = write_wav(tmp_path / "in.wav", mixed, 48000)

    recordings.prepare_for_call(source, tmp_path / "out.wav")

    _, samples = _read_call_wav(tmp_path / "out.wav")
    body = samples[400:-400]
    quiet_tone_rms = 0.05 * 32767 / math.sqrt(2)
    assert _rms(body) == pytest.approx(quiet_tone_rms, rel=0.15)
    assert _frequency(body, 8000) == pytest.approx(1000, abs=20)


@settings(max_examples=40, deadline=None)
@given(
    rate=st.sampled_from([8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000]),
    seconds=st.floats(min_value=0.01, max_value=0.3),
)
def test_resampled_length_follows_the_rate_ratio(rate, seconds):
    samples = [math.sin(i / 7) * 1000 for i in range(int(rate * seconds))]
    out = recordings.resample(samples, rate, 8000)
    assert len(out) == len(samples) * 8000 // rate


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"ID3\x04\x00mp3 data here", "not a WAV file"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", "without audio data"),
        (b"", "not a WAV file"),
    ],
)
def test_files_that_are_not_wav_are_refused_with_a_hint(tmp_path, content, message):
    path = tmp_path / "vm.wav"
    path.write_bytes(content)
    with pytest.raises(RecordingError, match=message) as caught:
        recordings.prepare_for_call(path, tmp_path / "out.wav")
    assert str(path) in str(caught.value)


def test_compressed_wav_is_refused_saying_how_to_convert(tmp_path):
    path = write_wav(tmp_path / "vm.wav", tone(2.0, 8000), 8000)
    data = bytearray(path.read_bytes())
    data[20:22] = (0x11).to_bytes(2, "little")  # IMA ADPCM
    path.write_bytes(bytes(data))
    with pytest.raises(RecordingError, match=r"compressed WAV \(format 0x0011\).*sox"):
        recordings.inspect(path)


def test_silent_short_and_long_recordings_are_refused(tmp_path):
    silent = write_wav(tmp_path / "silent.wav", [0.0] * 16000, 8000)
    with pytest.raises(RecordingError, match="silent"):
        recordings.validate(silent)
    short = write_wav(tmp_path / "short.wav", tone(0.5, 8000), 8000)
    with pytest.raises(RecordingError, match="too short"):
        recordings.validate(short)
    long = write_wav(tmp_path / "long.wav", [0.1] * (8000 * 181), 8000)
    with pytest.raises(RecordingError, match="181 s is too long"):
        recordings.prepare_for_call(long, tmp_path / "out.wav")
    assert not (tmp_path / "out.wav").exists()


def test_missing_file_is_one_clear_error(tmp_path):
    with pytest.raises(RecordingError, match="cannot read it"):
        recordings.inspect(tmp_path / "nope.wav")


def test_streamed_wav_with_unset_data_size_is_read_to_its_end(tmp_path):
    path = write_wav(tmp_path / "vm.wav", tone(2.0, 8000), 8000)
    data = bytearray(path.read_bytes())
    data[40:44] = b"\xff\xff\xff\xff"  # a recorder that never went back to fill in the size
    path.write_bytes(bytes(data))
    assert recordings.inspect(path).duration == pytest.approx(2.0)


def test_a_silent_tail_can_be_added_for_the_call(tmp_path):
    source = write_wav(tmp_path / "vm.wav", tone(1.0, 8000), 8000)
    info = recordings.prepare_for_call(source, tmp_path / "out.wav", trailing_silence=0.5)
    _, samples = _read_call_wav(tmp_path / "out.wav")
    assert info.frames == len(samples) == 12000
    assert samples[8000:] == [0] * 4000
