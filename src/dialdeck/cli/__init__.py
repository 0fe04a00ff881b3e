"""The ``dialdeck`` command: a scriptable front door to the same services the TUI uses.

Each sub-command is one ``cmd_*`` function: open the database, read the time (``--at`` or
the system clock, the only wall-clock read outside the App), call one service, print text
or JSON. Every dialdeck error becomes one ``dialdeck: error: ...`` line on stderr and exit
status 1; usage errors exit 2 (argparse); an import whose rows were committed but whose
rejects file could not be written exits 3. No control character in prospect data reaches the
terminal: stdout and stderr show them (``output.terminal_streams``). Textual is imported only
by the commands that open the calling session, so ``dialdeck due`` starts fast and works
without a terminal.

The rooms: ``parser`` (the argparse tree), ``errors`` (running a handler, failures to exit
status), ``output`` (printing, JSON, tables, shown times), ``times`` (--at, --callback,
+30m), ``database`` (which store, opened per command), and the commands: ``calls`` (due,
log, disposition, undo, snooze, note), ``records`` (history, report, export, dnc),
``cadences`` (list, show, check) and ``setup`` (import, config, demo, the session).
"""

from __future__ import annotations

from .errors import dispatch
from .output import terminal_streams
from .parser import build_parser

__all__ = ["build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    with terminal_streams():  # no control character in anything printed reaches the terminal
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
            return dispatch(args)
        except SystemExit as exit_:  # argparse: --help, --version, usage errors
            return exit_.code if isinstance(exit_.code, int) else 1 if exit_.code else 0
