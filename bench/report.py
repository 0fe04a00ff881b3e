"""The results table: each figure next to its baseline, its target, and the two ratios.

``× baseline`` is dialdeck's figure over the raw baseline's, measured in the same process
(for speeds, baseline over dialdeck: above 1 means slower than raw either way). ``× target``
is the figure over its target: at or below 1.0 the target is met.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    benchmark: str
    size: str
    figure: float
    unit: str  # "ms", "s", "MB", "rows/s"
    target: float | None = None  # None: reported, no target
    baseline: float | None = None
    higher_is_better: bool = False  # rows/s
    note: str = ""

    @property
    def vs_baseline(self) -> float | None:
        """How many times the raw baseline's cost dialdeck pays (1.0 = as fast as raw)."""
        if self.baseline is None or not self.figure or not self.baseline:
            return None
        return self.baseline / self.figure if self.higher_is_better else self.figure / self.baseline

    @property
    def vs_target(self) -> float | None:
        if self.target is None or not self.figure:
            return None
        return self.target / self.figure if self.higher_is_better else self.figure / self.target

    @property
    def met(self) -> bool | None:
        """A speed meets its floor at it ("≥"); a time or a size must stay under its target ("<")."""
        ratio = self.vs_target
        if ratio is None:
            return None
        return ratio <= 1.0 if self.higher_is_better else ratio < 1.0


def _number(value: float, unit: str) -> str:
    if unit == "rows/s":
        return f"{value:,.0f} rows/s"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:g} {unit}"


def _target(row: Row) -> str:
    if row.target is None:
        return "—"
    sign = "≥" if row.higher_is_better else "<"
    return f"{sign} {_number(row.target, row.unit)}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _status(row: Row) -> str:
    met = row.met
    return "" if met is None else ("ok" if met else "MISSED")


HEADER = ("benchmark", "size", "figure", "baseline", "× baseline", "target", "× target", "", "note")


def cells(row: Row) -> tuple[str, ...]:
    baseline = "—" if row.baseline is None else _number(row.baseline, row.unit)
    return (row.benchmark, row.size, _number(row.figure, row.unit), baseline, _ratio(row.vs_baseline),
            _target(row), _ratio(row.vs_target), _status(row), row.note)


def text_table(rows: list[Row]) -> str:
    table = [HEADER, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: list[Row]) -> str:
    head = ("Benchmark", "Size", "Figure", "Raw baseline", "× baseline", "Target", "× target", "Met", "Note")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        values = list(cells(row))
        values[7] = {"ok": "yes", "MISSED": "**no**"}.get(values[7], "—")
        lines.append("| " + " | ".join(v.replace("|", "\\|") for v in values) + " |")
    return "\n".join(lines)
