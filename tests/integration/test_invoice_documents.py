"""Property: the PDF total = the stored total = the sum of the lines, for any invoice."""

from __future__ import annotations

import itertools
import re
import subprocess
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from adapters.db.engine import make_engine, make_session_factory
from adapters.db.migrate import upgrade
from adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from adapters.pdf.weasyprint_renderer import WeasyPrintRenderer
from service.domain.invoicing import DocumentKind, Invoice, Line, Party
from service.domain.money import STANDARD_RATE, charge, format_pounds
from tests import builders
from tests.conftest import TEMPLATES, pdf_text

RENDERER = WeasyPrintRenderer(TEMPLATES)
SERIAL = itertools.count(1)
SUPPLIER = Party("Chapel Hall CIC", "1 Chapel Row\nBS5 9XX", "money@example.org")
CUSTOMER = Party("Severnvale MH Trust", "RZZ Payables Z999\nPO Box 000", "ap@example.nhs.uk")

lines = st.lists(
    st.builds(
        lambda day, price, minutes, rate: Line(
            "Room hire",
            date(2026, 12, day),
            time(9),
            time(12),
            "Main hall",
            minutes,
            charge(price, minutes, rate),
            None,
        ),
        st.integers(1, 28),
        st.integers(0, 500_000),
        st.integers(15, 600),
        st.sampled_from([Decimal(0), STANDARD_RATE]),
    ),
    min_size=1,
    max_size=12,
)


def pdf_total(pdf: bytes) -> str:
    words = pdf_text(pdf)
    found = re.search(r"Total due\s+(-?£[\d,]+\.\d\d)", words)
    assert found, words
    return found.group(1)


@pytest.fixture(scope="module")
def uow(tmp_path_factory: pytest.TempPathFactory) -> SqlAlchemyUnitOfWork:
    url = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'roomhire.db'}"
    upgrade(url)
    engine = make_engine(url)
    rows = {  # the rows an invoice refers to
        "trusts": "(id, name, organisation_code, payables_code, accounts_payable_email, "
        "invoice_address, po_number_pattern) VALUES (1, 'T', 'RZZ', 'P', 'a@x.org', 'PO Box', 'X')",
        "venues": "(id, name, address, postcode, contact_email, remittance_email, "
        "notice_period_hours) VALUES (1, 'V', 'A', 'BS1 1AA', 'c@x.org', 'r@x.org', 48)",
        "rooms": "(id, venue_id, name, capacity, step_free, price_per_hour_pence, vat_treatment, "
        "setup_minutes, clearaway_minutes) VALUES (1, 1, 'R', 5, 1, 100, 'exempt', 0, 0)",
        "users": "(id, email, role, key_hash, active) VALUES (1, 'f@x.org', 'facilitator', 'h', 1)",
        "purchase_orders": "(id, number, trust_id, venue_id, cost_centre, approved_value_pence, "
        "valid_from, valid_to) VALUES (1, 'RZZPO0000001', 1, 1, 'CC', 100, '2026-01-01', "
        "'2027-01-01')",
        "booking_series": "(id, room_id, facilitator_id, group_label, frequency, first_date, "
        "keep_count, start_time, end_time, created_at, skipped, invoice_cadence) VALUES (1, 1, 1, "
        "'G', 'once', '2026-12-01', 1, '09:00:00', '10:00:00', '2026-11-01 00:00:00.000000', "
        "'[]', 'monthly')",
    }
    with engine.begin() as conn:
        for table, values in rows.items():
            conn.execute(text(f"INSERT INTO {table} {values}"))
    return SqlAlchemyUnitOfWork(make_session_factory(engine))


@pytest.mark.slow  # renders 40 PDFs with WeasyPrint
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=lines, vat_number=st.sampled_from([None, "GB123456789"]))
def test_pdf_total_equals_stored_total_equals_sum_of_lines(
    uow: SqlAlchemyUnitOfWork, lines: list[Line], vat_number: str | None
) -> None:
    number = f"PROP{next(SERIAL):06d}"  # every example stores a new invoice
    invoice = Invoice(
        DocumentKind.INVOICE,
        number,
        1,
        1,
        1,
        "RZZPO0000001",
        1,
        date(2027, 1, 4),
        date(2026, 12, 28),
        date(2027, 2, 3),
        Party(**{**SUPPLIER.__dict__, "vat_number": vat_number}),
        CUSTOMER,
        tuple(lines),
    )
    with uow:
        stored = uow.invoices.add(invoice, [RENDERER.render(invoice)], datetime.now(UTC))
        uow.commit()
    with uow:
        again = uow.invoices.get(stored.id or 0)
        [document] = uow.invoices.documents(stored.id or 0)
    assert again is not None and document.media_type == "application/pdf"
    expected = sum(line.amount.net + line.amount.vat for line in lines)
    assert again.gross_pence == invoice.gross_pence == expected
    assert again.lines == invoice.lines
    assert pdf_total(document.content) == format_pounds(expected)


def test_the_renderer_writes_a4_with_embedded_fonts() -> None:
    invoice = builders.one_line_invoice(SUPPLIER, CUSTOMER)
    pdf = RENDERER.render(invoice).content
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    assert "595.276 x 841.89 pts (A4)" in info.stdout.decode()
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    embedded = [row.split()[-5] for row in fonts.stdout.decode().splitlines()[2:]]
    assert embedded and set(embedded) == {"yes"}
