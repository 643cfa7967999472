"""Every benchmark in turn, each printing its details, then one table of their headline figures
beside their targets: `python -m benchmarks` (`make bench` installs what they need first).
Exits 1 if a benchmark failed; one whose prerequisite is missing says so in the table."""

from __future__ import annotations

import sys
import traceback
from importlib import import_module

from benchmarks.figures import Figure, Missing, table

BENCHMARKS = [
    "invoice_rendering",
    "outbox_throughput",
    "reconciliation_import",
    "status_page_load",
    "my_bookings_page",
    "finance_pages",
]


def run(name: str) -> tuple[list[Figure], bool]:
    """The benchmark's figures, and whether it ran without failing."""
    title = name.replace("_", " ")
    print(f"\n== {title} (python -m benchmarks.{name}) ==")
    try:
        figures: list[Figure] = import_module(f"benchmarks.{name}").measure()
        return figures, True
    except Missing as missing:
        return [Figure(title, "not run", str(missing))], True
    except Exception as error:
        traceback.print_exc()
        first_line = next(iter(str(error).splitlines()), "")[:80]
        return [Figure(title, "FAILED", f"{type(error).__name__}: {first_line}")], False


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    figures: list[Figure] = []
    failed = []
    for name in BENCHMARKS:
        found, ok = run(name)
        figures += found
        if not ok:
            failed.append(name)
    print()
    print(table(figures))
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
