"""Writes an e-invoice as UBL 2.1 (PEPPOL BIS Billing 3.0): an Invoice or a CreditNote, its
elements in the order the UBL schema requires, built as an element tree (no text templates)."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree as ET

from service.domain.einvoice import (
    CURRENCY,
    CUSTOMIZATION_ID,
    MINUTE,
    PROFILE_ID,
    XML,
    EInvoice,
    ELine,
    EParty,
    TaxCategory,
)
from service.domain.invoicing import Document, DocumentKind

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
ET.register_namespace("cbc", CBC)
ET.register_namespace("cac", CAC)


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _number(value: Decimal) -> str:
    """Quantities and rates as plain decimals: 160, 20, 0.5 (never 2E+1)."""
    return format(value.normalize(), "f") if value else "0"


class _Builder:
    """Appends UBL elements: `basic` for cbc:, `group` for cac:."""

    @staticmethod
    def basic(parent: ET.Element, name: str, text: str, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{CBC}}}{name}", attributes)
        element.text = text
        return element

    @staticmethod
    def group(parent: ET.Element, name: str) -> ET.Element:
        return ET.SubElement(parent, f"{{{CAC}}}{name}")

    def money(self, parent: ET.Element, name: str, value: Decimal) -> None:
        self.basic(parent, name, _amount(value), currencyID=CURRENCY)


class UblWriter:
    """The EInvoiceWriter port: one e-invoice in, one UBL document (application/xml) out."""

    def endpoints(self, document: bytes) -> tuple[str, str]:
        # Only documents this writer made and Roomhire stored: no entities, nothing external.
        root = ET.fromstring(document)  # noqa: S314
        found = []
        for party in ("AccountingSupplierParty", "AccountingCustomerParty"):
            endpoint = root.find(f"{{{CAC}}}{party}/{{{CAC}}}Party/{{{CBC}}}EndpointID")
            if endpoint is None or not endpoint.text:
                raise ValueError(f"the e-invoice names no {party} endpoint")
            found.append(f"{endpoint.get('schemeID')}:{endpoint.text}")
        return found[0], found[1]

    def write(self, einvoice: EInvoice) -> Document:
        credit = einvoice.kind is DocumentKind.CREDIT_NOTE
        # The document's own namespace as the default one (as PEPPOL's examples write it);
        # ElementTree's default_namespace would refuse the unqualified attributes UBL uses.
        root = ET.Element(
            "CreditNote" if credit else "Invoice",
            {"xmlns": CREDIT_NOTE_NS if credit else INVOICE_NS},
        )
        b = _Builder()
        b.basic(root, "CustomizationID", CUSTOMIZATION_ID)
        b.basic(root, "ProfileID", PROFILE_ID)
        b.basic(root, "ID", einvoice.number)
        b.basic(root, "IssueDate", einvoice.issue_date.isoformat())
        if einvoice.due_date is not None:
            b.basic(root, "DueDate", einvoice.due_date.isoformat())
        b.basic(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", einvoice.type_code)
        if einvoice.tax_point is not None:
            b.basic(root, "TaxPointDate", einvoice.tax_point.isoformat())
        b.basic(root, "DocumentCurrencyCode", CURRENCY)
        if einvoice.buyer_reference:
            b.basic(root, "BuyerReference", einvoice.buyer_reference)
        b.basic(b.group(root, "OrderReference"), "ID", einvoice.order_reference)
        if einvoice.billing_reference:
            reference = b.group(b.group(root, "BillingReference"), "InvoiceDocumentReference")
            b.basic(reference, "ID", einvoice.billing_reference)
        self._party(b, b.group(root, "AccountingSupplierParty"), einvoice.seller)
        self._party(b, b.group(root, "AccountingCustomerParty"), einvoice.buyer)
        if einvoice.payment is not None:
            means = b.group(root, "PaymentMeans")
            b.basic(means, "PaymentMeansCode", einvoice.payment.means)
            b.basic(means, "PaymentID", einvoice.number)
            account = b.group(means, "PayeeFinancialAccount")
            b.basic(account, "ID", einvoice.payment.account)
            b.basic(account, "Name", einvoice.payment.account_name)
            b.basic(b.group(account, "FinancialInstitutionBranch"), "ID", einvoice.payment.branch)
        tax = b.group(root, "TaxTotal")
        b.money(tax, "TaxAmount", einvoice.tax_total)
        for subtotal in einvoice.subtotals:
            sub = b.group(tax, "TaxSubtotal")
            b.money(sub, "TaxableAmount", subtotal.taxable)
            b.money(sub, "TaxAmount", subtotal.tax)
            self._category(b, sub, "TaxCategory", subtotal.category, reasons=True)
        totals = b.group(root, "LegalMonetaryTotal")
        b.money(totals, "LineExtensionAmount", einvoice.line_total)
        b.money(totals, "TaxExclusiveAmount", einvoice.line_total)
        b.money(totals, "TaxInclusiveAmount", einvoice.payable)
        b.money(totals, "PayableAmount", einvoice.payable)
        for line in einvoice.lines:
            self._line(b, root, line, credit)
        ET.indent(root)
        content = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
        return Document(XML, content + b"\n")

    @staticmethod
    def _party(b: _Builder, parent: ET.Element, party: EParty) -> None:
        element = b.group(parent, "Party")
        b.basic(element, "EndpointID", party.endpoint.value, schemeID=party.endpoint.scheme)
        if party.identifier:
            identification = b.group(element, "PartyIdentification")
            b.basic(identification, "ID", party.identifier.value, schemeID=party.identifier.scheme)
        b.basic(b.group(element, "PartyName"), "Name", party.name)
        address = b.group(element, "PostalAddress")
        b.basic(address, "StreetName", party.address.street)
        b.basic(address, "CityName", party.address.city)
        b.basic(address, "PostalZone", party.address.postcode)
        b.basic(b.group(address, "Country"), "IdentificationCode", party.address.country)
        if party.vat_id:
            scheme = b.group(element, "PartyTaxScheme")
            b.basic(scheme, "CompanyID", party.vat_id)
            b.basic(b.group(scheme, "TaxScheme"), "ID", "VAT")
        legal = b.group(element, "PartyLegalEntity")
        b.basic(legal, "RegistrationName", party.name)
        if party.legal_id:
            b.basic(legal, "CompanyID", party.legal_id)
        b.basic(b.group(element, "Contact"), "ElectronicMail", party.email)

    @staticmethod
    def _category(
        b: _Builder, parent: ET.Element, name: str, category: TaxCategory, *, reasons: bool
    ) -> None:
        element = b.group(parent, name)
        b.basic(element, "ID", category.code.value)
        if category.percent is not None:
            b.basic(element, "Percent", _number(category.percent))
        if reasons and category.exemption_code:
            b.basic(element, "TaxExemptionReasonCode", category.exemption_code)
        if reasons and category.exemption_reason:
            b.basic(element, "TaxExemptionReason", category.exemption_reason)
        b.basic(b.group(element, "TaxScheme"), "ID", "VAT")

    def _line(self, b: _Builder, root: ET.Element, line: ELine, credit: bool) -> None:
        element = b.group(root, "CreditNoteLine" if credit else "InvoiceLine")
        b.basic(element, "ID", line.id)
        quantity = "CreditedQuantity" if credit else "InvoicedQuantity"
        b.basic(element, quantity, _number(line.quantity), unitCode=MINUTE)
        b.money(element, "LineExtensionAmount", line.net)
        item = b.group(element, "Item")
        b.basic(item, "Name", line.name)
        self._category(b, item, "ClassifiedTaxCategory", line.category, reasons=False)
        price = b.group(element, "Price")
        b.money(price, "PriceAmount", line.price)
        b.basic(price, "BaseQuantity", _number(line.base_quantity), unitCode=MINUTE)
