"""Writing a file whose name dialdeck chose (the rejects file) without trusting what is there.

The rejects file is named after the input and put beside it, where a symlink may already wait
under that name (planted in a shared folder, pointing at ``~/.bashrc`` or the database):
opening the name for writing would overwrite the link's target. Instead the rows go to a new
file in the same folder, created exclusively (``O_EXCL``, ``O_NOFOLLOW``: never through a
link), and that file is then renamed over the name. A rename replaces a link itself, never
what it points to, and a reader sees the old file or the whole new one, never half of it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

__all__ = ["replacing", "replace_bytes"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


@contextlib.contextmanager
def replacing(target: Path, *, encoding: str = "utf-8", newline: str = "") -> Iterator[TextIO]:
    """A text handle whose content becomes ``target`` when the block ends without an error.

    On an error (the block's or the file system's) nothing is left behind and ``target`` is
    as it was. Raises OSError when the folder cannot take a new file or ``target`` is a folder.
    """
    with _replacing(target, "w", encoding=encoding, newline=newline) as handle:
        yield handle


def replace_bytes(target: Path, data: bytes) -> None:
    """``target`` becomes ``data`` whole, as ``replacing`` writes text: never through a link,
    never half-written."""
    with _replacing(target, "wb") as handle:
        handle.write(data)


@contextlib.contextmanager
def _replacing(target: Path, mode: str, **options: Any) -> Iterator[Any]:
    """A handle on a new file beside ``target`` (``mode`` and ``options`` as ``open`` takes
    them), synced and moved over ``target`` when the block ends without an error, else removed."""
    target = Path(target)
    temp, fd = _new_file(target)
    try:
        with os.fdopen(fd, mode, **options) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _new_file(target: Path) -> tuple[Path, int]:
    """A fresh, exclusively created file beside ``target`` (its permissions follow the umask)."""
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return temp, os.open(temp, _FLAGS, 0o666)
        except FileExistsError:  # 48 random bits taken: only by chance, or by someone guessing
            continue
