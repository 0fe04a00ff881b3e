"""Running one command's handler and turning every failure into an exit status and one message.

Every dialdeck error becomes one ``dialdeck: error: ...`` line on stderr and exit status 1
(a many-problem error adds its problems, one a line); usage errors exit 2 (argparse). Anything
else is a bug: still one line and exit 1, the traceback only with ``DIALDECK_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from dialdeck.errors import CadenceError, DialdeckError, ImportFileError

from .output import error, plural


class UsageError(Exception):
    """A combination of arguments argparse cannot check by itself (exit status 2)."""


def dispatch(args: argparse.Namespace) -> int:
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UsageError as exc:
        args.subparser.error(str(exc))  # raises SystemExit(2)
    except (CadenceError, ImportFileError) as exc:
        error(_headline(exc))
        for problem in exc.problems:
            print(problem, file=sys.stderr)
    except DialdeckError as exc:
        error(str(exc))
    except BrokenPipeError:  # `dialdeck due | head`: the reader left, nothing to report
        _silence_stdout()
        return 0
    except OSError as exc:
        error(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last resort: every expected failure is caught where it arises
        if os.environ.get("DIALDECK_DEBUG"):
            raise
        error(_unexpected(exc))
    return 1


def _unexpected(exc: Exception) -> str:
    detail = str(exc)
    detail = detail if len(detail) <= 200 else detail[:200] + "…"
    return (f"unexpected {type(exc).__name__}: {detail} (a bug in dialdeck: please report it with the "
            "command you ran; DIALDECK_DEBUG=1 shows the traceback)")


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _headline(exc: CadenceError | ImportFileError) -> str:
    """The first line of a many-problem error; the problems follow, one a line."""
    if isinstance(exc, ImportFileError):
        return str(exc.args[0]) if exc.args else "the import was refused"
    return f"{plural(len(exc.problems), 'problem')} in the cadences:"
