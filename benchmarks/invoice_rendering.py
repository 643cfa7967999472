"""Render 200 demo invoices; print per-invoice median and p95 in ms for Roomhire's renderer
and, in the same run, for a bare weasyprint.HTML(...).write_pdf() of the same HTML. Then the
same invoices as invoice runs of 20, as `roomhire invoices issue` renders them (helper
processes beside this one, one a core): the time per invoice is a run's time over 20.

    .venv/bin/python -m benchmarks.invoice_rendering [COUNT]

Targets (issue 20): median per invoice <= 45 ms, and one invoice alone <= 1.0x the bare
render.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from datetime import time as clock
from decimal import Decimal
from functools import partial

from weasyprint import CSS, HTML
from weasyprint.text.ffi import harfbuzz_subset

from adapters.pdf.weasyprint_renderer import WeasyPrintRenderer
from benchmarks.bookable import TEMPLATES
from benchmarks.figures import Figure, at_most, table
from service.domain.invoicing import DocumentKind, Invoice, Line, Party
from service.domain.money import charge
from service.usecases.demo import TRUST, VENUES

NAME = "invoice rendering"
RUN = 20  # invoices in a run: a month's for a trust's venues


def demo_invoices(count: int) -> list[Invoice]:
    rng = random.Random(2026)
    customer = Party(TRUST.name, TRUST.invoice_address, TRUST.accounts_payable_email)
    invoices = []
    for n in range(1, count + 1):
        venue, rooms = VENUES[n % len(VENUES)]
        room = rooms[0]
        rate = Decimal("0.20") if venue.vat_number else Decimal(0)
        first = date(2026, 12, 1)
        lines = tuple(
            Line(
                "Room hire",
                first + timedelta(weeks=w),
                clock(13),
                clock(16),
                room.name,
                180,
                charge(room.price_per_hour_pence, 180, rate),
                None,
            )
            for w in range(rng.randint(1, 5))
        )
        supplier = Party(
            venue.name,
            f"{venue.address}\n{venue.postcode}",
            venue.remittance_email,
            venue.vat_number,
        )
        invoices.append(
            Invoice(
                DocumentKind.INVOICE,
                f"DEMO{n:04d}",
                1,
                1,
                1,
                "RZZPO0000123",
                1,
                date(2027, 1, 4),
                lines[-1].day,
                date(2027, 2, 3),
                supplier,
                customer,
                lines,
            )
        )
    return invoices


def timed(render: Callable[[], bytes]) -> float:
    start = time.perf_counter()
    pdf = render()
    assert pdf.startswith(b"%PDF")
    return (time.perf_counter() - start) * 1000


def bare_render(html: str) -> bytes:
    """What a caller gets without Roomhire's reuse of the stylesheet and fonts."""
    stylesheet = CSS(filename=str(TEMPLATES / "invoice.css"))
    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(stylesheets=[stylesheet])
    return pdf


def summary(name: str, times: list[float]) -> tuple[float, float]:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"{name:<34} median {median:7.1f} ms   p95 {p95:7.1f} ms")
    return median, p95


def measure(count: int = 200) -> list[Figure]:
    print(f"HarfBuzz subsetting: {'in use' if harfbuzz_subset else 'MISSING (fontTools fallback)'}")
    renderer = WeasyPrintRenderer(TEMPLATES)
    invoices = demo_invoices(count)
    renderer.render(invoices[0])  # warm up fonts and the template once, as a server would
    ours, bare = [], []
    for invoice in invoices:  # interleaved, so both see the same machine load
        html = renderer.html(invoice)
        ours.append(timed(lambda invoice=invoice: renderer.render(invoice).content))
        bare.append(timed(partial(bare_render, html)))
    print(f"{count} invoices")
    our_median, our_p95 = summary("Roomhire renderer (per invoice)", ours)
    bare_median, bare_p95 = summary("bare HTML(...).write_pdf()", bare)
    ratio = our_median / bare_median
    print(f"ratio of medians: {ratio:.2f}x (target <= 1.0x)")
    processes = len(os.sched_getaffinity(0))
    in_runs = WeasyPrintRenderer(TEMPLATES, processes)
    in_runs.render_all(invoices[:RUN])  # starts the helpers, as a server's first run does
    per_invoice = [
        timed_run(in_runs, invoices[start : start + RUN]) for start in range(0, count, RUN)
    ]
    run_median = summary(f"in runs of {RUN}, {processes} processes", per_invoice)[0]
    return [
        at_most(NAME, f"median per invoice, in runs of {RUN}", run_median, 45, " ms"),
        Figure(NAME, "processes rendering a run", str(processes)),
        Figure(NAME, "Roomhire renderer median, one invoice alone", f"{our_median:.1f} ms"),
        Figure(NAME, "Roomhire renderer p95, one invoice alone", f"{our_p95:.1f} ms"),
        Figure(NAME, "bare WeasyPrint median per invoice", f"{bare_median:.1f} ms"),
        Figure(NAME, "bare WeasyPrint p95 per invoice", f"{bare_p95:.1f} ms"),
        at_most(NAME, "one alone / bare WeasyPrint (medians)", ratio, 1.0, "x", decimals=2),
    ]


def timed_run(renderer: WeasyPrintRenderer, invoices: list[Invoice]) -> float:
    """Milliseconds per invoice for a run of them."""
    start = time.perf_counter()
    documents = renderer.render_all(invoices)
    assert all(d.content.startswith(b"%PDF") for d in documents)
    return (time.perf_counter() - start) * 1000 / len(invoices)


def main() -> None:
    print(table(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 200)))


if __name__ == "__main__":
    main()
