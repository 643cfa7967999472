"""Invoices to make e-invoices of, built in memory: a trust on the PEPPOL network, a
VAT-registered venue and one that is not, and lines at any duration, price and treatment."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, time

from service.domain.directory import Trust, VatTreatment, Venue
from service.domain.invoicing import DocumentKind, Invoice, Line, Party, supplier_party
from service.domain.money import charge, vat_rate
from tests.conftest import pdf_text

TRUST = Trust(
    "Severnvale MH Trust",
    "RZZ",
    "RZZ Payables Z999",
    "ap@example.nhs.uk",
    "RZZ Payables Z999\nPO Box 000\nLeeds LS1 1AA",
    r"RZZPO\d{7}",
    peppol_id="0088:5012345678900",
)
VENUE = Venue(
    "St Mark's Community Hall CIC",
    "1 Chapel Row, Bristol",
    "BS5 9XX",
    "hall@example.org",
    "money@example.org",
    vat_number="GB987654321",
    bank_sort_code="65-43-21",
    bank_account_number="87654321",
)
UNREGISTERED = replace(VENUE, vat_number=None, charity_number="1100002", peppol_id="0060:123456789")


def a_line(minutes: int, price: int, treatment: VatTreatment, registered: bool = True) -> Line:
    rate = vat_rate(treatment, registered)
    return Line(
        "Room hire",
        date(2026, 12, 1),
        time(8, 0),
        time(8 + minutes // 60, minutes % 60),
        "Main hall",
        minutes,
        charge(price, minutes, rate),
        1,
        price_per_hour_pence=price,
        vat_treatment=VatTreatment.STANDARD if rate else treatment,
    )


def an_invoice(venue: Venue, *lines: Line, kind: DocumentKind = DocumentKind.INVOICE) -> Invoice:
    return Invoice(
        kind,
        "SMCH0001" if kind is DocumentKind.INVOICE else "SMCHCN0001",
        1,
        1,
        1,
        "RZZPO0000123",
        1,
        date(2027, 1, 4),
        date(2027, 1, 4),
        date(2027, 2, 3),
        supplier_party(venue),
        Party(TRUST.name, TRUST.invoice_address, TRUST.accounts_payable_email),
        lines,
        credits_invoice="SMCH0001" if kind is DocumentKind.CREDIT_NOTE else None,
    )


PENCE = re.compile(r"(-?)£([\d,]+)\.(\d\d)")


def pdf_total(pdf: bytes) -> int:
    """The total due (or credited) as the PDF prints it, in pence."""
    line = next(t for t in pdf_text(pdf).splitlines() if re.search(r"Total (due|credited)", t))
    match = PENCE.search(line)
    assert match, line
    pence = int(match.group(2).replace(",", "")) * 100 + int(match.group(3))
    return -pence if match.group(1) else pence
