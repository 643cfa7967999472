"""End-to-end import of a 100,000-row sbs-oracle-ap export (5,000 rows ours, the rest other
suppliers) into SQLite, its re-import, peak memory, and pandas on the same file.

    .venv/bin/pip install -e '.[bench]'     # pandas, for the comparison
    .venv/bin/python -m benchmarks.reconciliation_import [ROWS] [OURS]

Targets (issue 20): end-to-end <= 400 ms on SQLite and <= 2.0x pandas.read_csv + merge in
the same run; re-import <= 100 ms; peak memory <= 300 MB.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path

from benchmarks.bookable import room_hire, sqlite_context, venues
from benchmarks.figures import Figure, Missing, at_most, table
from service.domain.exports import SBS_AP_COLUMNS, FinanceStatus
from service.domain.invoicing import PDF, Document
from service.domain.reconciliation import StatusEvent
from service.domain.users import Role, User
from service.usecases.context import Context
from service.usecases.reconciliation import import_finance_export

NAME = "reconciliation import"
VENUES = 20
RUNS = 5  # this machine is a shared VM: timings vary by a quarter from run to run
HEADER = list(SBS_AP_COLUMNS)


def database(ours: int) -> tuple[Context, User, list[tuple[str, str, str]], Path]:
    """A fresh SQLite database holding `ours` issued invoices across 20 venues, all sent."""
    folder = Path(tempfile.mkdtemp())
    _, ctx = sqlite_context(folder)
    now = datetime.now(UTC)
    invoices: list[tuple[str, str, str]] = []  # (supplier number, number, PO) for the export
    line = room_hire(date(2026, 12, 1))
    with ctx.new_uow() as uow:
        trust, user, made = venues(uow, VENUES, Role.FINANCE, supplier_numbers=True)
        for v, bookable in enumerate(made):
            for n in range(1, ours // VENUES + 1):
                issued = bookable.invoice(trust, f"V{v:02d}{n:05d}", (line,))
                invoice = uow.invoices.add(issued, [Document(PDF, b"%PDF-bench")], now)
                uow.reconciliation.add_events(
                    [StatusEvent(invoice.id or 0, FinanceStatus.SENT, now)]
                )
                number = bookable.venue.supplier_number or ""
                invoices.append((number, invoice.number, bookable.po.number))
        uow.commit()
    return ctx, user, invoices, folder


def export(rows: int, ours: list[tuple[str, str, str]]) -> bytes:
    rng = random.Random(5)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    lines = []
    for k, (supplier, number, po) in enumerate(ours):
        paid = k % 3 == 0
        hold = "QTY REC" if k % 7 == 1 else ""
        lines.append(
            [
                "RZZ TRUST",
                supplier,
                f"VENUE {int(supplier) - 220000} CIC",
                "HALL",
                number.lower() if k % 5 == 0 else number,
                "02-DEC-2026",
                "75.00",
                "GBP",
                po,
                "Validated",
                "Approved" if k % 2 else "Required",
                hold,
                "Quantity billed exceeds quantity received" if hold else "",
                "04-DEC-2026" if hold else "",
                "01-JAN-2027",
                "75.00" if paid else "",
                "30-DEC-2026" if paid else "",
                f"77{k:05d}" if paid else "",
            ]
        )
    for k in range(rows - len(ours)):
        s = rng.randrange(3000)
        lines.append(
            [
                "RZZ TRUST",
                f"9{s:05d}",
                f"SUPPLIER {s} LIMITED",
                "MAIN",
                f"INV{k:07d}",
                "15-NOV-2026",
                f"{rng.randrange(1, 10**6) / 100:.2f}",
                "GBP",
                f"RZZPO9{k:06d}",
                "Validated",
                "Approved",
                "",
                "",
                "",
                "15-DEC-2026",
                "",
                "",
                "",
            ]
        )
    rng.shuffle(lines)
    writer.writerows(lines)
    return out.getvalue().encode()


def with_pandas(data: bytes, ours: list[tuple[str, str, str]]) -> float:
    import pandas as pd

    start = time.perf_counter()
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    frame["key"] = frame["Invoice Number"].str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    invoices = pd.DataFrame({"key": [number for _, number, _ in ours]})
    merged = frame.merge(invoices, on="key")
    assert len(merged) == len(ours)
    return time.perf_counter() - start


def import_only(folder: Path) -> None:
    """In a process of its own: import the export once and print the peak RSS in bytes."""
    _, ctx = sqlite_context(folder)
    with ctx.new_uow() as uow:
        user = uow.users.by_email("finance@example.org")
    assert user is not None
    import_finance_export(
        ctx, ctx.new_uow(), user, (folder / "export.csv").read_bytes(), "bench.csv", "sbs-oracle-ap"
    )
    print(_peak_rss())


def _peak_rss() -> int:
    """This process's peak resident set in bytes, since it was started (Linux's VmHWM: the
    rusage maximum would also count the benchmark it was forked from, ~300 MB with pandas)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:", 1)[1].split()[0]) * 1024  # reported in kB


def measure(rows: int = 100_000, count: int = 5_000) -> list[Figure]:
    if importlib.util.find_spec("pandas") is None:
        raise Missing("pandas is not installed: pip install -e '.[bench]'")
    first: list[float] = []
    again: list[float] = []
    data = b""
    for _ in range(RUNS):
        ctx, user, ours, _ = database(count)
        data = data or export(rows, ours)
        start = time.perf_counter()
        outcome = import_finance_export(
            ctx, ctx.new_uow(), user, data, "bench.csv", "sbs-oracle-ap"
        )
        first.append(time.perf_counter() - start)
        assert outcome.record.matched == len(ours), outcome.record
        start = time.perf_counter()
        repeat = import_finance_export(ctx, ctx.new_uow(), user, data, "bench.csv", "sbs-oracle-ap")
        again.append(time.perf_counter() - start)
        assert repeat.already_imported
    pandas_times = [with_pandas(data, ours) for _ in range(RUNS)]

    ctx, user, ours, _ = database(count)
    tracemalloc.start()
    import_finance_export(ctx, ctx.new_uow(), user, data, "bench.csv", "sbs-oracle-ap")
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _, _, _, folder = database(count)
    (folder / "export.csv").write_bytes(data)
    child = [sys.executable, "-m", "benchmarks.reconciliation_import", "--import-only", str(folder)]
    root = Path(__file__).parents[1]
    done = subprocess.run(child, capture_output=True, text=True, check=True, cwd=root)
    rss_peak = int(done.stdout)

    record = outcome.record
    ours_median, pandas_median = statistics.median(first), statistics.median(pandas_times)
    ours_best, pandas_best = min(first), min(pandas_times)
    ratio, best_ratio = ours_median / pandas_median, ours_best / pandas_best
    again_ms = statistics.median(again) * 1000
    print(
        f"export: {rows:,} rows, {len(data) / 1e6:.1f} MB; ours {count:,}; "
        f"matched {record.matched:,}, other suppliers {record.other_suppliers:,}, "
        f"status changes {record.changes:,}, discrepancies {record.discrepancies:,}"
    )
    print(
        f"end-to-end import (SQLite): median {ours_median * 1000:.0f} ms, best "
        f"{ours_best * 1000:.0f} ms (runs: {', '.join(f'{t * 1000:.0f}' for t in first)})"
    )
    print(f"re-import of the same file: median {again_ms:.1f} ms")
    print(
        f"pandas.read_csv + merge on invoice number: median {pandas_median * 1000:.0f} ms, best "
        f"{pandas_best * 1000:.0f} ms -> ours is {ratio:.1f}x pandas (medians), "
        f"{best_ratio:.1f}x (best runs)"
    )
    print(
        f"peak memory: the import's Python allocations {traced_peak / 1e6:.0f} MB; max RSS of "
        f"a process that only runs the import {rss_peak / 1e6:.0f} MB"
    )
    return [
        at_most(NAME, "end-to-end import (SQLite), median", ours_median * 1000, 400, " ms", 0),
        Figure(NAME, "end-to-end import (SQLite), best", f"{ours_best * 1000:.0f} ms"),
        at_most(NAME, "re-import of the same file, median", again_ms, 100, " ms"),
        Figure(NAME, "pandas.read_csv + merge, median", f"{pandas_median * 1000:.0f} ms"),
        Figure(NAME, "pandas.read_csv + merge, best", f"{pandas_best * 1000:.0f} ms"),
        at_most(NAME, "import / pandas, medians", ratio, 2, "x"),
        Figure(NAME, "import / pandas, best runs", f"{best_ratio:.1f}x"),
        Figure(NAME, "peak Python allocations of the import", f"{traced_peak / 1e6:.0f} MB"),
        at_most(NAME, "max RSS of a process that only imports", rss_peak / 1e6, 300, " MB", 0),
    ]


def main() -> None:
    if sys.argv[1:2] == ["--import-only"]:
        import_only(Path(sys.argv[2]))
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000
    print(table(measure(rows, count)))


if __name__ == "__main__":
    main()
