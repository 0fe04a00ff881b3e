"""``dialdeck migrate``: a team's database moved from a SQLite file to a PostgreSQL server."""

from __future__ import annotations

import argparse

from dialdeck import services
from dialdeck.models import TableCopy

from .output import plural, print_json, table

SHOWN_CHECKSUM = 16  # hex digits of each sha256 shown in the table (all of them in --json)


def cmd_migrate(args: argparse.Namespace) -> int:
    copies = services.move_database(args.source, args.target, replace=args.replace)
    if args.json:
        print_json({"from": services.shown(args.source), "to": services.shown(args.target),
                    "tables": [_as_json(copy) for copy in copies]})
        return 0
    rows = sum(copy.target_rows for copy in copies)
    print(f"copied {services.shown(args.source)} into {services.shown(args.target)}: "
          f"{plural(len(copies), 'table')}, {plural(rows, 'row')}, one transaction, committed")
    print(table(["TABLE", "ROWS (FROM)", "ROWS (TO)", "CHECKSUM (FROM)", "CHECKSUM (TO)"],
                [[copy.table, f"{copy.source_rows:,}", f"{copy.target_rows:,}",
                  copy.source_checksum[:SHOWN_CHECKSUM], copy.target_checksum[:SHOWN_CHECKSUM]]
                 for copy in copies]))
    print("every table: the same rows and the same checksum on both sides (sha256 of each row's "
          "values in primary-key order); ids kept")
    return 0


def _as_json(copy: TableCopy) -> dict:
    return {"table": copy.table, "source_rows": copy.source_rows, "target_rows": copy.target_rows,
            "source_checksum": copy.source_checksum, "target_checksum": copy.target_checksum}
