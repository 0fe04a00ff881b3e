"""The rep's voicemail recordings: one per cadence step that leaves a message.

``dialdeck recording set CADENCE STEP FILE.wav`` checks the WAV (``dialers.recordings``:
length, loudness, a format it can read) and stores a call-ready copy (8 kHz mono 16-bit PCM),
so a dial never waits on a conversion. STEP is the step's number as the cadence file, ``cadences
show`` and the scripts count them (1-based); it must be a call step that leaves a voicemail.

Where they live (``paths.recordings_dir``): beside a database file (the default database's is
the user data directory), or the user data directory for a server database: a recording is
the rep's own voice, kept on the rep's machine. Each rep has their own (a voicemail says who
is calling): ``rep_<id>/<cadence>/step-<n>.wav``, by the rep's id so a renamed rep keeps
theirs (``_`` is never in a cadence name, so the two levels cannot be confused). Recordings
stored before reps (``<cadence>/step-<n>.wav``) were the database's first rep's, and move into
that rep's folder the first time their recordings are looked at. Each is written whole through
a fresh file renamed over the name (``safe_write``): never through a link, never half a file.
A link planted where a recording or its folder should be is refused, not followed.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path

from dialdeck import paths
from dialdeck.cadence import Cadence
from dialdeck.dialers import recordings as wav
from dialdeck.errors import InvalidInput, NotFound
from dialdeck.models import Recording, Rep
from dialdeck.safe_write import replace_bytes
from dialdeck.services.common import the_rep
from dialdeck.services.library import library
from dialdeck.store import Store

REP_FOLDER = "rep_{id}"
# A folder at the top named as a cadence can be (``cadence._NAME_RE``): one from before reps.
_CADENCE_FOLDER = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def recordings_folder(store: Store, *, rep: Rep | None = None) -> Path:
    """The folder that holds the rep's recordings (``rep`` None: the database's only rep)."""
    root = paths.recordings_dir(store.location)
    chosen = the_rep(store, rep)
    reps = store.reps()
    if reps and reps[0]["id"] == chosen.id:
        _adopt_unowned(root, chosen.id)
    return root / REP_FOLDER.format(id=chosen.id)


def _adopt_unowned(root: Path, rep_id: int) -> None:
    """Move recordings kept before reps (``<cadence>/step-<n>.wav`` at the top) into the folder
    of the rep they belonged to: the first rep, the one a single-rep database became. A step
    that rep has recorded since stays theirs; a link is never moved or followed."""
    if not root.is_dir() or _linked(root):
        return
    own = root / REP_FOLDER.format(id=rep_id)
    for folder in root.iterdir():
        if not _CADENCE_FOLDER.match(folder.name) or not folder.is_dir() or folder.is_symlink():
            continue
        target = own / folder.name
        for file in folder.iterdir():
            if _number_of(file.name) is None or not stat.S_ISREG(file.lstat().st_mode):
                continue
            with contextlib.suppress(OSError):  # another process moved it first, or a link is in the way
                _folder_for(own, folder.name)
                if not (target / file.name).exists():
                    os.rename(file, target / file.name)
        with contextlib.suppress(OSError):  # left as it is when something else is still in it
            folder.rmdir()


def recording_for(store: Store, cadence: str, step: str | int, *, rep: Rep | None = None) -> Path | None:
    """The rep's stored, call-ready recording of the step, or None (none set, or not a plain file)."""
    number = _step_number(step)
    if number is None:
        return None
    path = _path(recordings_folder(store, rep=rep), cadence, number)
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None
    return path if stat.S_ISREG(mode) and not _linked(path.parent) and not _linked(path.parent.parent) else None


def set_recording(store: Store, cadence: str, step: str | int, source: Path, *, rep: Rep | None = None) -> Recording:
    """Check ``source`` and store its call-ready copy as the rep's for the step (replacing one
    set before)."""
    number = voicemail_step(cadence, step)
    source = Path(source).expanduser()
    if not source.is_file():
        raise InvalidInput(f"{source}: no such file")
    wav.validate(source)  # RecordingError: names the file and what is wrong, one line
    folder = _folder_for(recordings_folder(store, rep=rep), cadence)
    with tempfile.TemporaryDirectory(prefix="dialdeck-recording-") as scratch:
        converted = Path(scratch) / "call.wav"
        info = wav.prepare_for_call(source, converted)
        data = converted.read_bytes()
    target = _path(folder.parent, cadence, number)
    try:
        replace_bytes(target, data)
    except OSError as exc:
        raise InvalidInput(f"cannot store the recording at {target}: {exc.strerror or exc}") from None
    return Recording(cadence=cadence, step=number, seconds=round(info.duration, 1), path=target)


def list_recordings(store: Store, *, rep: Rep | None = None) -> list[Recording]:
    """Every recording the rep stored, by cadence then step (a file that no longer reads is left
    out of nothing: it is listed with 0 seconds, so it can be seen and removed)."""
    root = recordings_folder(store, rep=rep)
    found: list[Recording] = []
    if not root.is_dir() or _linked(root) or _linked(root.parent):
        return found
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.is_symlink():
            continue
        for file in folder.iterdir():
            number = _number_of(file.name)
            if number is None or not stat.S_ISREG(file.lstat().st_mode):
                continue
            try:
                seconds = round(wav.duration(file), 1)
            except wav.RecordingError:
                seconds = 0.0
            found.append(Recording(cadence=folder.name, step=number, seconds=seconds, path=file))
    return sorted(found, key=lambda r: (r.cadence, r.step))


def remove_recording(store: Store, cadence: str, step: str | int, *, rep: Rep | None = None) -> Recording:
    """Delete the rep's recording of the step; NotFound when none is set."""
    number = _step_number(step)
    if number is None:
        raise InvalidInput(f"step {step!r} is not a step number (1, 2, 3...)")
    path = recording_for(store, cadence, number, rep=rep)
    if path is None:
        raise NotFound(f"no recording is set for {cadence} step {number}")
    try:
        seconds = round(wav.duration(path), 1)
    except wav.RecordingError:
        seconds = 0.0
    try:
        path.unlink()
    except OSError as exc:
        raise InvalidInput(f"cannot remove {path}: {exc.strerror or exc}") from None
    return Recording(cadence=cadence, step=number, seconds=seconds, path=path)


def voicemail_step(cadence: str, step: str | int) -> int:
    """The step's number, once the cadence exists and the step is a call that leaves a
    voicemail (for warm or cold leads); InvalidInput or NotFound saying which steps do."""
    lib = library()
    cad = lib.get(cadence)
    if cad is None:
        raise NotFound(f"no cadence named {cadence!r} (known: {', '.join(sorted(lib))})")
    number = _step_number(step)
    if number is None or not 1 <= number <= len(cad.steps):
        raise InvalidInput(f"{cadence} has steps 1 to {len(cad.steps)}, not {step!r}")
    if number not in voicemail_steps(cad):
        shown = ", ".join(map(str, voicemail_steps(cad))) or "none"
        what = cad.steps[number - 1].action
        article = "an" if what == "email" else "a"
        why = "leaves no voicemail" if what == "call" else f"is {article} {what} step"
        raise InvalidInput(f"step {number} of {cadence} {why}: a recording goes with a call step that leaves "
                           f"a voicemail (in {cadence}: {shown})")
    return number


def voicemail_steps(cad: Cadence) -> tuple[int, ...]:
    """The steps (1-based) whose call leaves a voicemail, for some lead (warm or cold)."""
    numbers = []
    for index, base in enumerate(cad.steps):
        variants = [steps[index] for steps in cad.variants.values()] or [base]
        if any(s is not None and s.action == "call" and s.voicemail is not None for s in variants):
            numbers.append(index + 1)
    return tuple(numbers)


def _step_number(step: str | int) -> int | None:
    if isinstance(step, int):
        return step
    text = step.strip().lower().removeprefix("step").strip(" -")
    return int(text) if text.isdigit() else None


def _number_of(file_name: str) -> int | None:
    if not (file_name.startswith("step-") and file_name.endswith(".wav")):
        return None
    digits = file_name[len("step-"):-len(".wav")]
    return int(digits) if digits.isdigit() else None


def _path(root: Path, cadence: str, number: int) -> Path:
    return root / cadence / f"step-{number}.wav"


def _folder_for(root: Path, cadence: str) -> Path:
    """The cadence's folder, made private when new; a link in its place is refused."""
    folder = root / cadence
    for each in (root.parent, root, folder):
        if _linked(each):
            raise InvalidInput(f"{each} is a symbolic link: recordings are not written through one")
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot make {folder}: {exc.strerror or exc}") from None
    return folder


def _linked(path: Path) -> bool:
    return os.path.islink(path)
