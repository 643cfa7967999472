"""The UBL writer: each e-invoice it writes is schema-valid UBL 2.1 and passes the PEPPOL BIS
Billing 3.0 rules the tests can check offline (tests/peppol_rules.py), for every category,
for credit notes, and over random invoices."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters.einvoice.ubl import UblWriter
from adapters.pdf.weasyprint_renderer import WeasyPrintRenderer
from service.domain.directory import VatTreatment
from service.domain.einvoice import XML, to_einvoice
from service.domain.invoicing import DocumentKind
from tests.conftest import TEMPLATES
from tests.einvoices import TRUST, UNREGISTERED, VENUE, a_line, an_invoice, pdf_total
from tests.peppol_rules import NS, findings, totals

WRITER = UblWriter()
RENDERER = WeasyPrintRenderer(TEMPLATES)


def test_an_invoice_across_categories_is_valid_and_says_what_the_invoice_says() -> None:
    lines = [
        a_line(160, 1234, VatTreatment.STANDARD),
        a_line(90, 1000, VatTreatment.ZERO),
        a_line(120, 2500, VatTreatment.EXEMPT),
    ]
    invoice = an_invoice(VENUE, *lines)
    document = WRITER.write(to_einvoice(invoice, TRUST, VENUE))
    assert document.media_type == XML
    assert findings(document.content) == []
    assert totals(document.content) == {
        "net": Decimal(invoice.net_pence) / 100,
        "vat": Decimal(invoice.vat_pence) / 100,
        "gross": Decimal(invoice.gross_pence) / 100,
    }
    root = etree.fromstring(document.content)
    assert root.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == "RZZPO0000123"
    assert root.find("cbc:BuyerReference", NS) is None  # the trust gives none
    branch = "cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"
    assert root.findtext(branch, namespaces=NS) == "654321"
    assert [e.text for e in root.iterfind(".//cac:TaxSubtotal/cac:TaxCategory/cbc:ID", NS)] == [
        "S",
        "Z",
        "E",
    ]


def test_an_invoice_outside_the_scope_at_a_registered_venue_names_it_by_its_gln() -> None:
    venue = VENUE.__class__(**{**VENUE.__dict__, "peppol_id": "0088:5098765432100"})
    outside = an_invoice(venue, a_line(90, 1500, VatTreatment.OUTSIDE_SCOPE))
    content = WRITER.write(to_einvoice(outside, TRUST, venue)).content
    assert findings(content) == []
    seller = etree.fromstring(content).find("cac:AccountingSupplierParty/cac:Party", NS)
    assert seller is not None and seller.find("cac:PartyTaxScheme", NS) is None
    identification = seller.find("cac:PartyIdentification/cbc:ID", NS)
    assert identification is not None and identification.get("schemeID") == "0088"
    assert identification.text == "5098765432100"


def test_a_credit_note_of_a_venue_not_registered_for_vat_is_valid() -> None:
    line = a_line(160, 1234, VatTreatment.EXEMPT, registered=False).credited("waived")
    credit_note = an_invoice(UNREGISTERED, line, kind=DocumentKind.CREDIT_NOTE)
    trust = TRUST.__class__(**{**TRUST.__dict__, "buyer_reference": "RZZ-ESTATES"})
    content = WRITER.write(to_einvoice(credit_note, trust, UNREGISTERED)).content
    assert findings(content) == []
    root = etree.fromstring(content)
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == "RZZ-ESTATES"
    reference = "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
    assert root.findtext(reference, namespaces=NS) == "SMCH0001"
    assert totals(content)["gross"] == Decimal("32.91")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 120).map(lambda n: n * 5), st.integers(0, 20_000)),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([VatTreatment.STANDARD, VatTreatment.ZERO, VatTreatment.EXEMPT]),
    st.booleans(),
    st.booleans(),
)
def test_random_invoices_are_valid_with_the_invoice_totals(
    sessions: list[tuple[int, int]], treatment: VatTreatment, registered: bool, credit: bool
) -> None:
    venue = VENUE if registered else UNREGISTERED
    lines = [a_line(m, p, treatment, registered) for m, p in sessions]
    kind = DocumentKind.CREDIT_NOTE if credit else DocumentKind.INVOICE
    if credit:
        lines = [line.credited("waived") for line in lines]
    invoice = an_invoice(venue, *lines, kind=kind)
    content = WRITER.write(to_einvoice(invoice, TRUST, venue)).content
    assert findings(content) == []
    sign = -1 if credit else 1
    assert totals(content)["gross"] == Decimal(sign * invoice.gross_pence) / 100


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 120).map(lambda n: n * 5),
            st.integers(0, 20_000),
            st.sampled_from([VatTreatment.STANDARD, VatTreatment.ZERO, VatTreatment.EXEMPT]),
        ),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
)
def test_random_e_invoices_total_what_their_pdfs_and_the_stored_invoices_do(
    sessions: list[tuple[int, int, VatTreatment]], credit: bool
) -> None:
    """The PDF and the e-invoice made from one issued invoice (as at issue) agree with it and
    with each other to the penny, whatever the lines (several categories on one invoice)."""
    lines = [a_line(minutes, price, treatment) for minutes, price, treatment in sessions]
    kind = DocumentKind.CREDIT_NOTE if credit else DocumentKind.INVOICE
    if credit:
        lines = [line.credited("waived") for line in lines]
    invoice = an_invoice(VENUE, *lines, kind=kind)
    xml = totals(WRITER.write(to_einvoice(invoice, TRUST, VENUE)).content)
    printed = pdf_total(RENDERER.render(invoice).content)
    sign = -1 if credit else 1
    assert printed == invoice.gross_pence
    assert xml == {
        "net": Decimal(sign * invoice.net_pence) / 100,
        "vat": Decimal(sign * invoice.vat_pence) / 100,
        "gross": Decimal(sign * printed) / 100,
    }
