"""The headline figures a benchmark returns, and the table they are printed in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    benchmark: str
    measure: str
    value: str  # with its unit, e.g. "87.5 ms"
    target: str = ""  # e.g. "<= 100 ms"; empty if there is none
    met: bool | None = None  # None if there is no target


def at_most(
    benchmark: str, measure: str, value: float, limit: float, unit: str, decimals: int = 1
) -> Figure:
    """`value` with the target `value <= limit`; `unit` is written after each (" ms", "x")."""
    shown = f"{value:.{decimals}f}{unit}"
    return Figure(benchmark, measure, shown, f"<= {limit:g}{unit}", value <= limit)


class Missing(SystemExit):
    """A prerequisite isn't installed: a benchmark run alone exits with this message, and
    `python -m benchmarks` shows it in the table instead."""


def table(figures: Iterable[Figure]) -> str:
    """Plain text in aligned columns: benchmark, measure, value, target, met."""
    met = {True: "yes", False: "NO", None: ""}
    rows = [("benchmark", "measure", "value", "target", "met")]
    rows += [(f.benchmark, f.measure, f.value, f.target, met[f.met]) for f in figures]
    widths = [max(len(row[c]) for row in rows) for c in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)
