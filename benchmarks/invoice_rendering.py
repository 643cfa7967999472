"""Render 200 demo invoices; print per-invoice median and p95 in ms for Roomhire's renderer
and, in the same run, for a bare weasyprint.HTML(...).write_pdf() of the same HTML.

    .venv/bin/python -m benchmarks.invoice_rendering [COUNT]

Target (issue 20): median <= 45 ms and <= 1.0x the bare render.
"""

from __future__ import annotations

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
    print(f"ratio of medians: {ratio:.2f}x (target <= 1.0x, median <= 45 ms)")
    return [
        at_most(NAME, "Roomhire renderer median per invoice", our_median, 45, " ms"),
        Figure(NAME, "Roomhire renderer p95 per invoice", f"{our_p95:.1f} ms"),
        Figure(NAME, "bare WeasyPrint median per invoice", f"{bare_median:.1f} ms"),
        Figure(NAME, "bare WeasyPrint p95 per invoice", f"{bare_p95:.1f} ms"),
        at_most(NAME, "Roomhire median / bare WeasyPrint median", ratio, 1.0, "x", decimals=2),
    ]


def main() -> None:
    print(table(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 200)))


if __name__ == "__main__":
    main()
