"""The e-invoice mapping: categories per line, exact line arithmetic, totals that are the
invoice's to the penny, credit notes in positive amounts, and what the directory must hold."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.directory import VatTreatment
from service.domain.einvoice import (
    Category,
    EInvoice,
    check_categories,
    line_arithmetic_holds,
    missing_for_einvoice,
    postal_address,
    pounds,
    to_einvoice,
)
from service.domain.invoicing import DocumentKind, Invoice, InvoiceRefused
from tests.einvoices import TRUST, UNREGISTERED, VENUE, a_line, an_invoice


def test_two_hours_forty_at_an_odd_price_is_exact_to_the_penny() -> None:
    line = a_line(160, 1234, VatTreatment.STANDARD)
    assert line.amount.net == 3291  # 1234 x 160 / 60 = 3290.67
    einvoice = to_einvoice(an_invoice(VENUE, line), TRUST, VENUE)
    (eline,) = einvoice.lines
    assert (eline.quantity, eline.price, eline.base_quantity) == (
        Decimal(160),
        Decimal("12.34"),
        Decimal(60),
    )
    assert eline.net == Decimal("32.91") and line_arithmetic_holds(eline)
    assert einvoice.tax_total == Decimal("6.58") and einvoice.payable == Decimal("39.49")
    assert einvoice.seller.vat_id == "GB987654321" and einvoice.seller.endpoint.scheme == "9932"


def test_each_treatment_has_its_category_and_one_subtotal_each() -> None:
    lines = [
        a_line(60, 1000, VatTreatment.STANDARD),
        a_line(90, 1000, VatTreatment.ZERO),
        a_line(120, 1000, VatTreatment.EXEMPT),
        a_line(30, 1000, VatTreatment.EXEMPT),
    ]
    einvoice = to_einvoice(an_invoice(VENUE, *lines), TRUST, VENUE)
    codes = [line.category.code for line in einvoice.lines]
    assert codes == [Category.STANDARD, Category.ZERO, Category.EXEMPT, Category.EXEMPT]
    by_code = {s.category.code: s for s in einvoice.subtotals}
    assert by_code[Category.EXEMPT].taxable == Decimal("25.00")
    assert by_code[Category.EXEMPT].category.exemption_reason
    assert by_code[Category.STANDARD].tax == Decimal("2.00")
    assert einvoice.lines[0].category.percent == Decimal(20)


def test_a_venue_not_registered_for_vat_is_all_out_of_scope_with_its_charity_number() -> None:
    line = a_line(60, 2500, VatTreatment.STANDARD, registered=False)
    einvoice = to_einvoice(an_invoice(UNREGISTERED, line), TRUST, UNREGISTERED)
    (subtotal,) = einvoice.subtotals
    assert subtotal.category.code is Category.NOT_SUBJECT
    assert subtotal.category.percent is None and subtotal.category.exemption_code == "VATEX-EU-O"
    assert einvoice.seller.vat_id is None and einvoice.seller.legal_id == "1100002"
    assert str(einvoice.seller.endpoint) == "0060:123456789"


def test_a_credit_note_is_in_positive_amounts_and_names_the_invoice() -> None:
    line = a_line(160, 1234, VatTreatment.STANDARD).credited("waived late cancellation")
    einvoice = to_einvoice(an_invoice(VENUE, line, kind=DocumentKind.CREDIT_NOTE), TRUST, VENUE)
    assert einvoice.type_code == "381" and einvoice.billing_reference == "SMCH0001"
    assert einvoice.payable == Decimal("39.49") and einvoice.lines[0].net == Decimal("32.91")
    assert einvoice.due_date is None


def test_out_of_scope_lines_cannot_share_an_invoice_with_vat_rated_ones() -> None:
    mixed = [a_line(60, 1000, VatTreatment.STANDARD), a_line(60, 1000, VatTreatment.OUTSIDE_SCOPE)]
    with pytest.raises(InvoiceRefused, match="mix"):
        check_categories(mixed, vat_registered=True)


def test_a_registered_venue_s_invoice_outside_the_scope_names_it_some_other_way() -> None:
    """BR-O-02 drops its VAT number, so BR-CO-26 needs a registration or an identifier."""
    outside = an_invoice(VENUE, a_line(60, 1000, VatTreatment.OUTSIDE_SCOPE))
    with pytest.raises(InvoiceRefused, match="company or charity number"):
        to_einvoice(outside, TRUST, VENUE)
    with_gln = replace(VENUE, peppol_id="0088:5098765432100")
    seller = to_einvoice(outside, TRUST, with_gln).seller
    assert seller.vat_id is None and str(seller.identifier) == "0088:5098765432100"
    with_company = replace(VENUE, company_number="09876543")
    outside = an_invoice(with_company, a_line(60, 1000, VatTreatment.OUTSIDE_SCOPE))
    assert to_einvoice(outside, TRUST, with_company).seller.legal_id == "09876543"
    # a VAT-rated invoice is named by the VAT number, and a VAT number is no identifier
    rated = an_invoice(VENUE, a_line(60, 1000, VatTreatment.EXEMPT))
    assert to_einvoice(rated, TRUST, VENUE).seller.identifier is None


def test_what_is_missing_is_named_in_plain_words() -> None:
    bare = replace(UNREGISTERED, bank_account_number=None, bank_sort_code=None, charity_number=None)
    bare = replace(bare, address="Chapel Row", peppol_id=None)
    trust = replace(TRUST, invoice_address="Accounts payable")
    assert missing_for_einvoice(trust, bare) == [
        "venue's address has no street and town (write them as 'street, town')",
        "trust's invoice address has no street, town and postcode",
        "venue has no PEPPOL participant id (nor a VAT number to address it by)",
        "venue has no bank account number",
        "venue has no bank sort code",
        "venue is not VAT registered and has no company or charity number",
    ]
    assert missing_for_einvoice(TRUST, VENUE) == []


def test_addresses_are_split_into_street_town_and_postcode() -> None:
    address = postal_address("RZZ Payables Z999\nPO Box 000\nLeeds LS1 1AA")
    assert address is not None
    assert (address.street, address.city, address.postcode) == (
        "RZZ Payables Z999, PO Box 000",
        "Leeds",
        "LS1 1AA",
    )


durations = st.integers(min_value=15, max_value=10 * 60).filter(lambda m: m % 5 == 0)
prices = st.integers(min_value=0, max_value=50_000)
treatments = st.sampled_from(list(VatTreatment))


def _sums_hold(einvoice: EInvoice, invoice: Invoice, sign: int) -> None:
    assert all(line_arithmetic_holds(line) for line in einvoice.lines)
    assert sum(line.net for line in einvoice.lines) == einvoice.line_total
    assert sum(s.taxable for s in einvoice.subtotals) == einvoice.line_total
    assert sum(s.tax for s in einvoice.subtotals) == einvoice.tax_total
    assert einvoice.line_total + einvoice.tax_total == einvoice.payable
    assert einvoice.payable == pounds(sign * invoice.gross_pence)
    assert einvoice.tax_total == pounds(sign * invoice.vat_pence)
    assert len({s.category for s in einvoice.subtotals}) == len(einvoice.subtotals)


@given(
    st.lists(st.tuples(durations, prices), min_size=1, max_size=12),
    treatments,
    st.booleans(),
    st.booleans(),
)
def test_random_invoices_add_up_to_the_penny(
    sessions: list[tuple[int, int]], treatment: VatTreatment, registered: bool, credit: bool
) -> None:
    """One booking, one room: its treatment for every line; the venue registered or not; as
    an invoice or as a credit note taking the lines back."""
    if treatment is VatTreatment.OUTSIDE_SCOPE and registered:
        treatment = VatTreatment.EXEMPT  # a room outside the scope at a registered venue: below
    venue = VENUE if registered else UNREGISTERED
    lines = [a_line(m, p, treatment, registered) for m, p in sessions]
    kind = DocumentKind.INVOICE
    if credit:
        lines, kind = [line.credited("waived") for line in lines], DocumentKind.CREDIT_NOTE
    invoice = an_invoice(venue, *lines, kind=kind)
    einvoice = to_einvoice(invoice, TRUST, venue)
    _sums_hold(einvoice, invoice, -1 if credit else 1)
    assert all(line.price >= 0 and line.net >= 0 for line in einvoice.lines)


@given(st.lists(st.tuples(durations, prices, treatments), min_size=1, max_size=12))
def test_mixed_treatments_at_a_registered_venue_add_up_or_are_refused(
    sessions: list[tuple[int, int, VatTreatment]],
) -> None:
    venue = replace(VENUE, company_number="09876543")  # named on an all-O invoice
    lines = [a_line(m, p, t) for m, p, t in sessions]
    invoice = an_invoice(venue, *lines)
    codes = {t for _, _, t in sessions}
    if VatTreatment.OUTSIDE_SCOPE in codes and len(codes) > 1:
        with pytest.raises(InvoiceRefused):
            to_einvoice(invoice, TRUST, venue)
        return
    _sums_hold(to_einvoice(invoice, TRUST, venue), invoice, 1)
